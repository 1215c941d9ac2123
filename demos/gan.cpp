// genlab-gan: trains an MLP GAN on Fashion-MNIST (or any MNIST-layout IDX folder) or on a 2-D toy
// distribution, and samples from a checkpoint.
//
//     genlab-gan train --steps 3000                        # Fashion-MNIST: samples.png, progress.png, fd_features
//     genlab-gan train --data ring8 --steps 5000           # 2-D: scatter.png, modes_covered
//     genlab-gan sample --checkpoint outputs/gan/RUN/checkpoint.safetensors --num 64 --interpolate
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/canvas.h"
#include "core/io/image.h"
#include "core/io/plot.h"
#include "core/io/safetensors.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/train/run_dir.h"
#include "core/train/trainer.h"
#include "data/batch_sampler.h"
#include "data/image_dataset.h"
#include "data/toy2d.h"
#include "demos/demo_main.h"
#include "models/classifier.h"
#include "models/gan.h"
#include "models/gan_metrics.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;
using models::Gan;
using models::GanConfig;

constexpr const char* kProgram = "genlab-gan";
constexpr int kProgressCols = 8;     // fixed noise vectors per progress row (images)
constexpr int kProgressPoints = 512; // fixed noise vectors per progress panel (2-D)
constexpr int kModeSamples = 2500;   // VEEGAN's sample count for mode coverage

struct TrainFlags {
    std::string data = "fashion-mnist";
    std::string data_dir;
    int class_filter = -1;
    int limit = 0;
    int steps = 3000;
    int log_every = 100;
    int save_every = 0;
    int eval_every = 0;
    std::string resume;
    std::string out;
    uint64_t seed = 1;
    int threads = 0;
    std::string g_act = "leaky_relu:0.2", d_act = "leaky_relu:0.2", g_out, loss = "ns", init = "torch";
    std::string g_hidden, d_hidden;
    int latent = 0, batch = 0, d_steps = 1;
    float lr = 2e-4f, beta1 = 0.5f, beta2 = 0.999f;
    int upscale = 3;
    int progress_rows = 8;
    int fd_samples = 10000;
    std::string classifier = "outputs/cache/classifier-fashion-mnist.safetensors";
    int classifier_steps = 2000;
    bool quiet = false;
    // Which of the size flags were given (their defaults depend on the dataset).
    CLI::Option *latent_opt = nullptr, *batch_opt = nullptr, *g_out_opt = nullptr;
};

struct SampleFlags {
    std::string checkpoint;
    int num = 64;
    std::string out;
    uint64_t seed = 1;
    int threads = 0;
    bool interpolate = false;
    int upscale = 3;
};

// ---------------------------------------------------------------- data description

// What a run trains on, and the affine map between data space and G's output space
// (model = a * data + c): images come scaled by the reader; 2-D toys are scaled into tanh's
// (-1, 1) or sigmoid's (0, 1) when G's output needs it.
struct DataInfo {
    bool toy = false;
    std::string name;
    int rows = 0, cols = 0;   // image size (images)
    float a = 1.f, c = 0.f;   // model = a * data + c (toys)
    float lo = -1.f, hi = 1.f;  // G's output range for rendering images
};

bool is_toy(const std::string& name) {
    const std::vector<std::string>& toys = data::toy2d_names();
    return std::find(toys.begin(), toys.end(), name) != toys.end();
}

std::string known_datasets() {
    std::string s = "fashion-mnist, mnist (with --data-dir)";
    for (const std::string& t : data::toy2d_names()) s += ", " + t;
    return s;
}

std::vector<int> parse_widths(const char* flag, const std::string& text) {
    std::vector<int> out;
    std::stringstream ss(text);
    std::string tok;
    while (std::getline(ss, tok, ',')) {
        try {
            size_t used = 0;
            const int v = std::stoi(tok, &used);
            if (used != tok.size()) throw std::invalid_argument(tok);
            out.push_back(v);
        } catch (const std::exception&) {
            usage_fail(flag, " ", text, ": '", tok, "' is not an integer (expected widths such as 256,512)");
        }
    }
    if (out.empty()) usage_fail(flag, ": empty (expected widths such as 256,512)");
    return out;
}

// Toy coordinates -> G's output space and back.
void to_model(Tensor& x, const DataInfo& di) {
    if (di.a == 1.f && di.c == 0.f) return;
    for (size_t i = 0; i < x.numel(); ++i) x[i] = di.a * x[i] + di.c;
}
void to_data(Tensor& x, const DataInfo& di) {
    if (di.a == 1.f && di.c == 0.f) return;
    for (size_t i = 0; i < x.numel(); ++i) x[i] = (x[i] - di.c) / di.a;
}

// Generated images in the classifier's [-1, 1] range.
Tensor to_classifier_range(Tensor x, const DataInfo& di) {
    if (di.lo == 0.f)
        for (size_t i = 0; i < x.numel(); ++i) x[i] = 2.f * x[i] - 1.f;
    return x;
}

nlohmann::ordered_json data_json(const DataInfo& di) {
    nlohmann::ordered_json j;
    j["name"] = di.name;
    j["toy"] = di.toy;
    j["rows"] = di.rows;
    j["cols"] = di.cols;
    j["scale"] = di.a;
    j["shift"] = di.c;
    j["lo"] = di.lo;
    j["hi"] = di.hi;
    return j;
}

DataInfo data_from_json(const nlohmann::json& j) {
    DataInfo di;
    di.name = j.at("name").get<std::string>();
    di.toy = j.at("toy").get<bool>();
    di.rows = j.at("rows").get<int>();
    di.cols = j.at("cols").get<int>();
    di.a = j.at("scale").get<float>();
    di.c = j.at("shift").get<float>();
    di.lo = j.at("lo").get<float>();
    di.hi = j.at("hi").get<float>();
    return di;
}

// ---------------------------------------------------------------- pictures

// A square panel with real points (grey), generated points (blue) and mode centres (black x),
// all in data coordinates; the view fits the mode centres with a margin.
void draw_scatter(Canvas& c, float x0, float y0, float size, const std::string& title, const Tensor* real,
                  const Tensor& fake, const data::Toy2d& toy) {
    float lo_x = 1e30f, hi_x = -1e30f, lo_y = 1e30f, hi_y = -1e30f;
    for (const auto& m : toy.centres) {
        lo_x = std::min(lo_x, m[0]);
        hi_x = std::max(hi_x, m[0]);
        lo_y = std::min(lo_y, m[1]);
        hi_y = std::max(hi_y, m[1]);
    }
    const float span = std::max(hi_x - lo_x, hi_y - lo_y) + 8.f * toy.sigma;
    const float margin = 0.15f * span + 0.5f;
    const float cx = 0.5f * (lo_x + hi_x), cy = 0.5f * (lo_y + hi_y), half = 0.5f * span + margin;
    const float top = 22.f, plot = size - top - 4.f, left = x0 + 0.5f * (size - plot);
    auto map = [&](float x, float y) {
        return Point{left + (x - (cx - half)) / (2 * half) * plot, y0 + top + ((cy + half) - y) / (2 * half) * plot};
    };
    c.stroke_rect(left, y0 + top, plot, plot, {.color = {160, 160, 160}, .width = 1.f});
    c.text({x0 + size / 2, y0 + 15.f}, title, {.size = 13.f, .align = Align::Center, .bold = true});
    c.push_clip(left, y0 + top, plot, plot);
    auto dots = [&](const Tensor& pts, Rgb color, float r, float opacity) {
        for (int i = 0; i < pts.shape()[0]; ++i) {
            const float x = pts[2 * static_cast<size_t>(i)], y = pts[2 * static_cast<size_t>(i) + 1];
            if (std::isfinite(x) && std::isfinite(y)) c.fill_circle(map(x, y), r, color, opacity);
        }
    };
    if (real) dots(*real, {170, 170, 170}, 1.6f, 0.8f);
    dots(fake, palette_color(0), 1.6f, 0.7f);
    for (const auto& m : toy.centres) {
        const Point p = map(m[0], m[1]);
        const Stroke s{.color = {200, 30, 30}, .width = 1.5f};
        c.line({p.x - 4, p.y - 4}, {p.x + 4, p.y + 4}, s);
        c.line({p.x - 4, p.y + 4}, {p.x + 4, p.y - 4}, s);
    }
    c.pop_clip();
}

void save_scatter(const std::string& path, const Tensor& real, const Tensor& fake, const data::Toy2d& toy,
                  const std::string& title) {
    const int size = 520;
    Canvas c(size, size + 24);
    draw_scatter(c, 0.f, 0.f, static_cast<float>(size), title, &real, fake, toy);
    // Legend under the panel.
    const float y = size + 14.f;
    c.fill_circle({20, y - 4}, 4.f, {170, 170, 170});
    c.text({30, y}, "real", {.size = 12.f});
    c.fill_circle({80, y - 4}, 4.f, palette_color(0));
    c.text({90, y}, "generated", {.size = 12.f});
    c.line({176, y - 8}, {184, y}, {.color = {200, 30, 30}, .width = 1.5f});
    c.line({176, y}, {184, y - 8}, {.color = {200, 30, 30}, .width = 1.5f});
    c.text({190, y}, "mode centre", {.size = 12.f});
    save_png(path, c.image());
}

GridOptions grid_options(const DataInfo& di, int cols, int upscale) {
    return GridOptions{.cols = cols, .upscale = upscale, .gutter = 2, .lo = di.lo, .hi = di.hi,
                       .height = di.rows, .width = di.cols};
}

// ---------------------------------------------------------------- progress frames

// The same fixed noise rendered at evenly spaced steps (the last at the final step). Stateful, so
// a resumed run's progress.png equals an uninterrupted one's.
class ProgressFrames : public Stateful {
public:
    ProgressFrames(int rows, int per_row, int latent, int dim, uint64_t seed, int total_steps)
        : rows_(rows), per_row_(per_row), dim_(dim), total_(total_steps),
          frames_(Shape{std::max(rows, 1) * per_row, dim}, 0.f) {
        Rng rng(seed ^ 0x9e3779b97f4a7c15ULL);
        noise_ = models::sample_latent(per_row, latent, rng);
    }

    int snapshot_step(int k) const {  // k = 0..rows-1
        return static_cast<int>(std::lround(static_cast<double>(total_) * (k + 1) / rows_));
    }

    void maybe_record(int n, const Gan& gan) {
        Tensor g;
        bool generated = false;  // a default Tensor is a scalar, not empty: track it explicitly
        for (int k = 0; k < rows_; ++k) {
            if (snapshot_step(k) != n) continue;
            if (!generated) g = models::generate(gan, noise_);  // (per_row, P)
            generated = true;
            std::copy(g.data(), g.data() + g.numel(), frames_.data() + static_cast<size_t>(k) * g.numel());
            filled_ = std::max(filled_, k + 1);
        }
    }

    int filled() const { return filled_; }
    int rows() const { return rows_; }
    Tensor frame(int k) const {  // (per_row, P)
        Tensor f(Shape{per_row_, dim_});
        const size_t n = f.numel();
        std::copy(frames_.data() + static_cast<size_t>(k) * n, frames_.data() + static_cast<size_t>(k + 1) * n, f.data());
        return f;
    }
    const Tensor& frames() const { return frames_; }

    void save_state(StateDict& sd, const std::string& prefix) const override {
        sd.put(prefix + "noise", noise_);
        sd.put(prefix + "frames", frames_);
        sd.metadata[prefix + "filled"] = std::to_string(filled_);
        sd.metadata[prefix + "total"] = std::to_string(total_);
    }
    void load_state(const StateDict& sd, const std::string& prefix) override {
        noise_ = sd.expect(prefix + "noise", noise_.shape(), "checkpoint");
        frames_ = sd.expect(prefix + "frames", frames_.shape(), "checkpoint");
        filled_ = std::stoi(sd.meta(prefix + "filled", "checkpoint"));
        if (filled_ < 0 || filled_ > rows_) fail("checkpoint: progress.filled out of range");
        // Resumed with another --steps: the snapshot schedule moved, so earlier frames would sit
        // in the wrong rows; start the picture afresh from here.
        if (sd.meta(prefix + "total", "checkpoint") != std::to_string(total_)) {
            frames_.fill(0.f);
            filled_ = 0;
        }
    }

private:
    int rows_, per_row_, dim_, total_;
    Tensor noise_;   // (per_row, Z)
    Tensor frames_;  // (rows * per_row, P)
    int filled_ = 0;
};

void save_toy_progress(const std::string& path, const ProgressFrames& pf, const data::Toy2d& toy, const DataInfo& di) {
    const int cols = std::min(pf.rows(), 4), panel = 260;
    const int rows = (pf.rows() + cols - 1) / cols;
    Canvas c(cols * panel, rows * panel);
    for (int k = 0; k < pf.filled(); ++k) {
        Tensor f = pf.frame(k);
        to_data(f, di);
        draw_scatter(c, static_cast<float>((k % cols) * panel), static_cast<float>((k / cols) * panel),
                     static_cast<float>(panel), str("step ", pf.snapshot_step(k)), nullptr, f, toy);
    }
    save_png(path, c.image());
}

// ---------------------------------------------------------------- train

int train(TrainFlags& f) {
    // Validate everything before touching the disk: a usage error leaves no output folder.
    if (f.steps < 0) usage_fail("--steps ", f.steps, ": must be >= 0");
    if (f.log_every < 1) usage_fail("--log-every ", f.log_every, ": must be >= 1");
    if (f.save_every < 0) usage_fail("--save-every ", f.save_every, ": must be >= 0 (0 = only at the end)");
    if (f.eval_every < 0) usage_fail("--eval-every ", f.eval_every, ": must be >= 0 (0 = only at the end)");
    if (f.threads < 0) usage_fail("--threads ", f.threads, ": expected >= 0 (0: the OpenMP default)");
    if (f.upscale < 1 || f.upscale > 16) usage_fail("--upscale ", f.upscale, ": expected 1..16");
    if (f.progress_rows < 1 || f.progress_rows > 64) usage_fail("--progress-rows ", f.progress_rows, ": expected 1..64");
    if (f.fd_samples < 0 || f.fd_samples == 1 || f.fd_samples > 100000)
        usage_fail("--fd-samples ", f.fd_samples, ": expected 0 (off) or 2..100000");
    if (f.classifier_steps < 1) usage_fail("--classifier-steps ", f.classifier_steps, ": must be >= 1");
    if (f.limit < 0) usage_fail("--limit ", f.limit, ": must be >= 0");
    if (!f.resume.empty() && !fs::is_regular_file(f.resume))
        usage_fail("--resume ", f.resume, ": no such file (pass the checkpoint.safetensors of an earlier run)");

    DataInfo di;
    di.name = f.data;
    di.toy = is_toy(f.data);
    if (!di.toy && f.data != "fashion-mnist" && f.data != "mnist")
        usage_fail("--data ", f.data, ": unknown dataset (expected one of: ", known_datasets(), ")");
    if (f.data == "mnist" && f.data_dir.empty()) usage_fail("--data mnist needs --data-dir DIR with the four IDX files");
    if (!f.data_dir.empty() && !fs::is_directory(f.data_dir))
        usage_fail("--data-dir ", f.data_dir, ": no such directory (expected the MNIST four-file IDX layout)");
    if (di.toy && (f.class_filter != -1 || !f.data_dir.empty()))
        usage_fail("--class and --data-dir apply to image datasets, not to ", f.data);

    GanConfig cfg;
    cfg.g_act = f.g_act;
    cfg.d_act = f.d_act;
    cfg.loss = f.loss;
    cfg.d_steps = f.d_steps;
    cfg.init = f.init;
    cfg.lr = f.lr;
    cfg.beta1 = f.beta1;
    cfg.beta2 = f.beta2;
    if (di.toy) {  // the 2-D defaults: the reference PyTorch toy GAN's sizes
        cfg.latent = 16;
        cfg.g_hidden = cfg.d_hidden = {128, 128};
        cfg.batch = 256;
        cfg.g_out = "identity";
    }
    if (f.latent_opt->count()) cfg.latent = f.latent;
    if (f.batch_opt->count()) cfg.batch = f.batch;
    if (f.g_out_opt->count()) cfg.g_out = f.g_out;
    if (!f.g_hidden.empty()) cfg.g_hidden = parse_widths("--g-hidden", f.g_hidden);
    if (!f.d_hidden.empty()) cfg.d_hidden = parse_widths("--d-hidden", f.d_hidden);

    // Data (errors here are still before the output folder exists).
    data::ImageDataset images;
    data::Toy2d toy;
    data::ImageOptions img_opt;
    if (di.toy) {
        toy = data::make_toy2d(f.data);
        cfg.data_dim = 2;
        float r = 0.f;
        for (const auto& m : toy.centres) r = std::max({r, std::abs(m[0]), std::abs(m[1])});
        r += 4.f * toy.sigma;
        if (cfg.g_out == "tanh") di.a = 1.f / r;
        if (cfg.g_out == "sigmoid") di.a = 0.5f / r, di.c = 0.5f;
    } else {
        img_opt.data_dir = f.data_dir;
        img_opt.range = cfg.g_out == "sigmoid" ? data::PixelRange::ZeroToOne : data::PixelRange::MinusOneToOne;
        img_opt.class_filter = f.class_filter;
        img_opt.limit = static_cast<size_t>(f.limit);
        di.lo = cfg.g_out == "sigmoid" ? 0.f : -1.f;
        cfg.validate();  // before the slow load
        images = data::load_images(img_opt);
        di.rows = images.rows;
        di.cols = images.cols;
        di.name = f.data_dir.empty() ? "fashion-mnist" : f.data_dir;
        cfg.data_dim = images.pixels();
        if (static_cast<size_t>(cfg.batch) > images.size())
            usage_fail("--batch ", cfg.batch, ": larger than the dataset (", images.size(), " images)");
    }
    cfg.validate();
    set_num_threads(f.threads);

    const std::string out = f.out.empty() ? default_out_dir("gan") : f.out;
    nlohmann::ordered_json run_cfg;
    run_cfg["demo"] = "gan";
    run_cfg["data"] = data_json(di);
    run_cfg["class"] = f.class_filter;
    run_cfg["model"] = nlohmann::ordered_json::parse(models::gan_config_to_json(cfg));
    run_cfg["steps"] = f.steps;
    run_cfg["log_every"] = f.log_every;
    run_cfg["save_every"] = f.save_every;
    run_cfg["eval_every"] = f.eval_every;
    run_cfg["seed"] = f.seed;
    run_cfg["threads"] = f.threads;
    run_cfg["resume"] = f.resume;
    run_cfg["out"] = out;
    run_cfg["fd_samples"] = f.fd_samples;
    make_out_dir(out);
    write_config_json(out, run_cfg.dump());

    // Model, step, trainer.
    Rng init_rng(f.seed);
    Gan gan(cfg, init_rng);
    models::GanStep step(gan, cfg);
    Rng noise(f.seed + 1), data_rng(f.seed + 2);
    std::optional<data::BatchSampler> sampler;
    if (!di.toy) sampler.emplace(images.size(), f.seed + 3);
    ProgressFrames progress(f.progress_rows, di.toy ? kProgressPoints : kProgressCols, cfg.latent, cfg.data_dim, f.seed,
                            f.steps);

    TrainerOptions to;
    to.steps = f.steps;
    to.log_every = f.log_every;
    to.eval_every = f.eval_every;
    to.save_every = f.save_every;
    to.out_dir = out;
    to.resume = f.resume;
    to.config_json = run_cfg.dump();
    to.kind = "gan";
    to.quiet = f.quiet;
    Trainer trainer(to);
    trainer.track("", gan);
    trainer.track("opt_g.", step.opt_g());
    trainer.track("opt_d.", step.opt_d());
    trainer.track("progress.", progress);
    if (sampler) trainer.track("data.", *sampler);
    trainer.track_rng("noise", noise);
    trainer.track_rng("data", data_rng);

    // Feature classifier and real features for fd_features (images only), prepared before training
    // so a problem shows up before minutes of work.
    std::optional<models::ClassifierCache> clf;
    Tensor real_features;
    if (!di.toy && f.fd_samples > 0) {
        data::ImageOptions test_opt = img_opt;
        test_opt.split = data::ImageSplit::Test;
        test_opt.range = data::PixelRange::MinusOneToOne;
        test_opt.class_filter = -1;
        test_opt.limit = 0;
        data::ImageDataset test = data::load_images(test_opt);
        models::ClassifierConfig cc;
        cc.steps = f.classifier_steps;
        clf = models::load_or_train_classifier(
            f.classifier,
            [&] {
                data::ImageOptions tr = test_opt;
                tr.split = data::ImageSplit::Train;
                return data::load_images(tr);
            },
            test, cc, f.quiet);
        if (!f.quiet)
            std::cerr << "feature classifier: test accuracy " << clf->test_accuracy * 100 << "%"
                      << (clf->trained_now ? " (trained now)" : " (cached)") << "\n";
        if (f.class_filter >= 0) {  // compare with real images of the same class
            test_opt.class_filter = f.class_filter;
            test = data::load_images(test_opt);
        }
        clf->model->evaluate(test.images, &real_features, nullptr);
    }

    auto step_fn = [&](int s) -> Metrics {
        const int n = s + 1;
        const bool norms = n % f.log_every == 0 || n == f.steps;
        Metrics m = di.toy ? step.run(
                                 [&](Tensor& b) {
                                     toy.sample(data_rng, b);
                                     to_model(b, di);
                                 },
                                 noise, norms)
                           : step.run([&](Tensor& b) { sampler->next(images.images, b); }, noise, norms);
        progress.maybe_record(n, gan);
        return m;
    };
    // Deterministic and independent of the training RNGs: evaluating never changes training.
    auto eval_fn = [&](int) -> Metrics {
        Rng eval_rng(f.seed + 1000);
        if (di.toy) {
            Tensor x = models::generate(gan, models::sample_latent(kModeSamples, cfg.latent, eval_rng));
            to_data(x, di);
            const models::ModeCoverage mc = models::mode_coverage(x, toy.centres, toy.sigma);
            return {{"modes_covered", mc.modes_covered}, {"high_quality_fraction", mc.high_quality_fraction}};
        }
        if (!clf) return {};
        Tensor x = to_classifier_range(models::generate(gan, models::sample_latent(f.fd_samples, cfg.latent, eval_rng)), di);
        Tensor feats;
        clf->model->evaluate(x, &feats, nullptr);
        const double fd = models::frechet_distance(real_features, feats);
        const double kl = models::class_histogram_kl(clf->model->predict(x), clf->model->config().classes);
        return {{"fd_features", fd}, {"class_histogram_kl", kl}, {"classifier_accuracy", clf->test_accuracy}};
    };
    const Metrics final_metrics = trainer.run(step_fn, eval_fn);

    // Pictures.
    Rng sample_rng(f.seed + 2000);
    if (di.toy) {
        Rng eval_rng(f.seed + 1000);  // the points the mode metrics counted
        Tensor fake = models::generate(gan, models::sample_latent(kModeSamples, cfg.latent, eval_rng));
        to_data(fake, di);
        Tensor real(Shape{kModeSamples, 2});
        Rng real_rng(f.seed + 3000);
        toy.sample(real_rng, real);
        std::string title = str(f.data, " after ", f.steps, " steps");
        for (const auto& [k, v] : final_metrics)
            if (k == "modes_covered") title += str(": ", static_cast<int>(v), "/", toy.centres.size(), " modes");
        save_scatter(out + "/scatter.png", real, fake, toy, title);
        if (progress.filled() > 0) save_toy_progress(out + "/progress.png", progress, toy, di);
    } else {
        Tensor x = models::generate(gan, models::sample_latent(64, cfg.latent, sample_rng));
        save_png(out + "/samples.png", image_grid(x, grid_options(di, 8, f.upscale)));
        if (progress.filled() > 0) {
            const size_t per = static_cast<size_t>(kProgressCols) * static_cast<size_t>(cfg.data_dim);
            Tensor frames(Shape{progress.filled() * kProgressCols, cfg.data_dim});
            std::copy(progress.frames().data(), progress.frames().data() + progress.filled() * per, frames.data());
            save_png(out + "/progress.png", image_grid(frames, grid_options(di, kProgressCols, f.upscale)));
        }
    }
    if (!f.quiet) {
        std::cerr << "wrote " << out << " (";
        bool first = true;
        for (const auto& [k, v] : final_metrics) {
            std::cerr << (first ? "" : ", ") << k << " " << v;
            first = false;
        }
        std::cerr << ")\n";
    }
    return 0;
}

// ---------------------------------------------------------------- sample

int sample(const SampleFlags& f) {
    if (!fs::is_regular_file(f.checkpoint))
        usage_fail("--checkpoint ", f.checkpoint, ": no such file (pass the checkpoint.safetensors of a genlab-gan run)");
    if (f.num < 1 || f.num > 10000) usage_fail("--num ", f.num, ": expected 1..10000");
    if (f.threads < 0) usage_fail("--threads ", f.threads, ": expected >= 0");
    if (f.upscale < 1 || f.upscale > 16) usage_fail("--upscale ", f.upscale, ": expected 1..16");
    set_num_threads(f.threads);

    StateDict sd = load_safetensors(f.checkpoint);
    if (sd.meta("kind", f.checkpoint) != "gan")
        usage_fail("--checkpoint ", f.checkpoint, ": holds a '", sd.meta("kind", f.checkpoint), "' run, not a GAN");
    nlohmann::json run_cfg;
    DataInfo di;
    GanConfig cfg;
    try {
        run_cfg = nlohmann::json::parse(sd.meta("config", f.checkpoint));
        di = data_from_json(run_cfg.at("data"));
        cfg = models::gan_config_from_json(run_cfg.at("model").dump());
    } catch (const nlohmann::json::exception& e) {
        fail(f.checkpoint, ": config metadata is not a genlab-gan run config (", e.what(), ")");
    }
    Rng init_rng(0);
    Gan gan(cfg, init_rng);
    try {
        gan.load_state(sd, "");
    } catch (const Error& e) {
        fail(f.checkpoint, ": ", e.what());
    }

    const std::string out = f.out.empty() ? default_out_dir("gan-sample") : f.out;
    nlohmann::ordered_json cj;
    cj["demo"] = "gan sample";
    cj["checkpoint"] = f.checkpoint;
    cj["num"] = f.num;
    cj["seed"] = f.seed;
    cj["interpolate"] = f.interpolate;
    cj["out"] = out;
    make_out_dir(out);
    write_config_json(out, cj.dump());

    Rng rng(f.seed);
    Tensor x = models::generate(gan, models::sample_latent(f.num, cfg.latent, rng));  // (N, P)
    if (di.toy) {
        to_data(x, di);
        data::Toy2d toy = data::make_toy2d(di.name);
        Tensor real(Shape{f.num, 2});
        toy.sample(rng, real);
        save_scatter(out + "/scatter.png", real, x, toy, str(di.name, ": ", f.num, " samples"));
        std::string csv = "x,y\n";
        for (int i = 0; i < f.num; ++i) csv += str(x[2 * static_cast<size_t>(i)], ",", x[2 * static_cast<size_t>(i) + 1], "\n");
        write_file_atomic(out + "/samples.csv", csv);
    } else {
        save_png(out + "/samples.png", image_grid(x, grid_options(di, 8, f.upscale)));
        const size_t p = static_cast<size_t>(cfg.data_dim);
        for (int i = 0; i < f.num; ++i) {
            Tensor one(Shape{1, cfg.data_dim});
            std::copy(x.data() + i * p, x.data() + (i + 1) * p, one.data());
            GridOptions g = grid_options(di, 1, f.upscale);
            g.gutter = 0;
            char name[32];
            std::snprintf(name, sizeof name, "/sample_%04d.png", i);
            save_png(out + name, image_grid(one, g));
        }
        if (f.interpolate) {
            constexpr int kRows = 8, kSteps = 10;
            Tensor z0 = models::sample_latent(kRows, cfg.latent, rng), z1 = models::sample_latent(kRows, cfg.latent, rng);
            Tensor strip = models::generate(gan, models::interpolate_latent(z0, z1, kSteps));
            save_png(out + "/interpolation.png", image_grid(strip, grid_options(di, kSteps, f.upscale)));
        }
    }
    std::cout << "wrote " << out << "\n";
    return 0;
}

}  // namespace
}  // namespace genlab

int main(int argc, char** argv) {
    // `genlab-gan --steps 10` means `genlab-gan train --steps 10`: train is the default subcommand.
    std::vector<char*> args(argv, argv + argc);
    static char train_word[] = "train";
    const std::string first = argc > 1 ? argv[1] : "";
    if (first != "train" && first != "sample" && first != "--help" && first != "-h")
        args.insert(args.begin() + 1, train_word);
    argc = static_cast<int>(args.size());
    argv = args.data();
    genlab::TrainFlags t;
    genlab::SampleFlags s;
    CLI::App app{"Train an MLP GAN on Fashion-MNIST or a 2-D toy distribution, or sample from a checkpoint."};
    app.require_subcommand(1, 1);

    CLI::App* tr = app.add_subcommand("train", "Train a GAN (the default when no subcommand is given)");
    {
        CLI::App* a = tr;
        a->add_option("--data", t.data, "fashion-mnist, mnist (with --data-dir), ring8, grid25, spiral, moons")->capture_default_str();
        a->add_option("--data-dir", t.data_dir, "Folder with MNIST-layout IDX files (default: Debian's Fashion-MNIST)");
        a->add_option("--class", t.class_filter, "Train on one image class only (-1: all)")->capture_default_str();
        a->add_option("--limit", t.limit, "Use only the first N training images (0: all; for quick tests)");
        a->add_option("--steps", t.steps, "Generator updates")->capture_default_str();
        a->add_option("--log-every", t.log_every, "metrics.csv row every N steps")->capture_default_str();
        a->add_option("--save-every", t.save_every, "Checkpoint every N steps (0: only at the end)")->capture_default_str();
        a->add_option("--eval-every", t.eval_every, "Quality metrics every N steps (0: only at the end)")->capture_default_str();
        a->add_option("--resume", t.resume, "Continue from this checkpoint");
        a->add_option("--out", t.out, "Output folder (default: outputs/gan/<YYYYmmdd-HHMMSS>)");
        a->add_option("--seed", t.seed, "Seed of init, noise and data order")->capture_default_str();
        a->add_option("--threads", t.threads, "Threads (0: OpenMP default)")->capture_default_str();
        a->add_option("--g-act", t.g_act, "Generator hidden activation")->capture_default_str();
        a->add_option("--d-act", t.d_act, "Discriminator hidden activation")->capture_default_str();
        t.g_out_opt = a->add_option("--g-out", t.g_out, "Generator output: tanh, sigmoid, identity (default tanh; identity for 2-D)");
        a->add_option("--g-hidden", t.g_hidden, "Generator hidden widths (default 256,512; 128,128 for 2-D)");
        a->add_option("--d-hidden", t.d_hidden, "Discriminator hidden widths (default 512,256; 128,128 for 2-D)");
        t.latent_opt = a->add_option("--latent", t.latent, "Latent size (default 64; 16 for 2-D)");
        t.batch_opt = a->add_option("--batch", t.batch, "Batch size (default 64; 256 for 2-D)");
        a->add_option("--lr", t.lr, "Adam learning rate")->capture_default_str();
        a->add_option("--beta1", t.beta1, "Adam beta1")->capture_default_str();
        a->add_option("--beta2", t.beta2, "Adam beta2")->capture_default_str();
        a->add_option("--d-steps", t.d_steps, "D updates per G update")->capture_default_str();
        a->add_option("--loss", t.loss, "ns (non-saturating), minimax, lsgan")->capture_default_str();
        a->add_option("--init", t.init, "Weight init: torch (nn.Linear default) or gain (Kaiming x activation gain)")->capture_default_str();
        a->add_option("--upscale", t.upscale, "Nearest-neighbour magnification of images")->capture_default_str();
        a->add_option("--progress-rows", t.progress_rows, "Snapshots in progress.png")->capture_default_str();
        a->add_option("--fd-samples", t.fd_samples, "Generated images for fd_features (0: skip)")->capture_default_str();
        a->add_option("--classifier", t.classifier, "Cache file of the feature classifier")->capture_default_str();
        a->add_option("--classifier-steps", t.classifier_steps, "Training steps of the feature classifier")->capture_default_str();
        a->add_flag("--quiet", t.quiet, "No progress output");
    }

    CLI::App* sa = app.add_subcommand("sample", "Generate from a checkpoint without training");
    sa->add_option("--checkpoint", s.checkpoint, "checkpoint.safetensors of a genlab-gan run")->required();
    sa->add_option("--num", s.num, "Samples to draw")->capture_default_str();
    sa->add_option("--out", s.out, "Output folder (default: outputs/gan-sample/<YYYYmmdd-HHMMSS>)");
    sa->add_option("--seed", s.seed, "Seed of the latent draws")->capture_default_str();
    sa->add_option("--threads", s.threads, "Threads (0: OpenMP default)")->capture_default_str();
    sa->add_flag("--interpolate", s.interpolate, "Also write interpolation.png (8 latent paths, 10 steps each)");
    sa->add_option("--upscale", s.upscale, "Nearest-neighbour magnification")->capture_default_str();

    return genlab::demo_main(genlab::kProgram, app, argc, argv, [&] {
        if (sa->parsed()) return genlab::sample(s);
        return genlab::train(t);
    });
}
