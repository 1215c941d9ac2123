// The GAN experiment: an MLP GAN on IDX images (Fashion-MNIST by default) or on a 2-D toy
// mixture. One step is DCGAN's loop body: d_steps discriminator updates on [real; G(z)], then one
// generator update through the frozen discriminator. Quality: on 2-D data VEEGAN's modes_covered
// and high_quality_fraction (higher is better); on images fd_features, the Fréchet distance in a
// small classifier's feature space, and class_histogram_kl (lower is better).
// Pictures: samples.png and progress.png (images), scatter.png and progress.png (2-D).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "core/io/atomic_file.h"
#include "core/ops.h"
#include "core/optim/optimizer.h"
#include "core/train/run_dir.h"
#include "data/batch_sampler.h"
#include "data/image_dataset.h"
#include "data/toy2d.h"
#include "experiments/experiment.h"
#include "experiments/probe.h"
#include "models/classifier.h"
#include "models/gan.h"
#include "models/gan_metrics.h"
#include "viz/image.h"
#include "viz/plot.h"

namespace genlab::experiments {

namespace {

using models::Gan;

constexpr int kModeSamples = 2500;    // VEEGAN's sample count for mode coverage
constexpr int kProgressCols = 8;      // fixed noise vectors per progress row (images)
constexpr int kProgressPoints = 512;  // fixed noise vectors per progress panel (2-D)

bool is_toy(const std::string& data) {
    const std::vector<std::string>& toys = data::toy2d_names();
    return std::find(toys.begin(), toys.end(), data) != toys.end();
}

std::vector<std::string> data_names() {
    std::vector<std::string> n{"fashion-mnist", "mnist"};
    for (const std::string& t : data::toy2d_names()) n.push_back(t);
    return n;
}

struct GanExpConfig {
    std::string data = "fashion-mnist";  // an image set or a 2-D toy (data::toy2d_names())
    std::string data_dir;                // IDX folder; "": Fashion-MNIST from the Debian package
    int class_filter = -1;               // images: train on one class only; -1: all
    int limit = 0;                       // images: first N training images (0: all)
    std::string act = "leaky_relu:0.2";  // hidden activation of both networks (--g-act / --d-act override)
    std::string loss = "ns";             // ns (non-saturating), minimax, lsgan
    int batch = 64;                      // B real (and B fake) samples per D update
    float lr = 2e-4f;                    // Adam learning rate of both networks
    float beta1 = 0.5f;                  // Adam beta1 (DCGAN's 0.5)
    float beta2 = 0.999f;                // Adam beta2
    int d_steps = 1;                     // D updates per G update, each on a fresh real batch
    int upscale = 3;                     // nearest-neighbour magnification of image tiles
    int progress_rows = 8;               // snapshots in progress.png
    int fd_samples = 10000;              // generated images for fd_features (0: skip)
    std::string classifier = "outputs/cache/classifier-fashion-mnist.safetensors";  // feature classifier cache
    int classifier_steps = 2000;                                                    // its training steps (once; cached)
    int image_rows = 0, image_cols = 0;  // derived: the image size (0 for 2-D data)
    models::GanConfig model;
};

const ConfigSpec<GanExpConfig>& gan_spec() {
    using C = GanExpConfig;
    static const ConfigSpec<C> spec =
        ConfigSpec<C>()
            .field("data", &C::data, "fashion-mnist, mnist (with --data-dir), or 2-D: ring8, grid25, spiral, moons",
                   one_of(data_names()))
            .field("data_dir", &C::data_dir, "Folder with MNIST-layout IDX files (default: Debian's Fashion-MNIST)")
            .field("class", &C::class_filter, "Train on one image class only (-1: all)", in_range(-1, 255))
            .field("limit", &C::limit, "Use only the first N training images (0: all)", in_range(0, 10'000'000))
            .field("act", &C::act, "Hidden activation of both networks", elementwise_activation())
            .field("loss", &C::loss, "ns (non-saturating), minimax, lsgan", one_of(models::gan_loss_names()))
            .field("batch", &C::batch, "Batch size (256 for 2-D data)", in_range(1, 1 << 20))
            .field("lr", &C::lr, "Adam learning rate", learning_rate())
            .field("beta1", &C::beta1, "Adam beta1", in_range(0.f, 0.9999f))
            .field("beta2", &C::beta2, "Adam beta2", in_range(0.f, 0.99999f))
            .field("d_steps", &C::d_steps, "D updates per G update", in_range(1, 100))
            .field("upscale", &C::upscale, "Nearest-neighbour magnification of images", in_range(1, 16))
            .field("progress_rows", &C::progress_rows, "Snapshots in progress.png", in_range(1, 64))
            .field("fd_samples", &C::fd_samples, "Generated images for fd_features (0: skip)", in_range(0, 100000))
            .field("classifier", &C::classifier, "Cache file of the feature classifier")
            .field("classifier_steps", &C::classifier_steps, "Training steps of the feature classifier",
                   in_range(1, 1'000'000))
            .derived("image_rows", &C::image_rows, in_range(0, 4096))
            .derived("image_cols", &C::image_cols, in_range(0, 4096))
            .nest("model", &C::model, models::gan_config_spec())
            .rule([](const C& c) {
                if (c.data == "mnist" && c.data_dir.empty())
                    usage_fail("--data mnist needs --data-dir DIR with the four IDX files");
                if (is_toy(c.data) && (c.class_filter != -1 || !c.data_dir.empty()))
                    usage_fail("--class and --data-dir apply to image datasets, not to ", c.data);
                if (c.fd_samples == 1) usage_fail("--fd-samples 1: expected 0 (off) or at least 2");
            });
    return spec;
}

// Defaults that depend on the data: the reference PyTorch toy GAN's sizes on 2-D data.
void resolve_gan(GanExpConfig& c, const Given& given) {
    if (!given("g_act")) c.model.g_act = c.act;
    if (!given("d_act")) c.model.d_act = c.act;
    if (!is_toy(c.data)) return;
    if (!given("latent")) c.model.latent = 16;
    if (!given("g_hidden")) c.model.g_hidden = {128, 128};
    if (!given("d_hidden")) c.model.d_hidden = {128, 128};
    if (!given("batch")) c.batch = 256;
    if (!given("g_out")) c.model.g_out = "identity";
}

// Where G's output lives, and so where the data is put: the output activation's range when it is
// bounded; otherwise [-1, 1] for images and the raw coordinates for 2-D data.
ValueRange output_range(const GanExpConfig& c) {
    const ValueRange r = parse_activation(c.model.g_out).range();
    if (r.bounded()) return r;
    return is_toy(c.data) ? ValueRange{} : ValueRange{-1.f, 1.f};
}

// 2-D data <-> G's output space: the toy's box (its modes plus 4 sigma) onto a bounded output
// range, or the identity.
struct ToySpace {
    ValueRange data, model;
    bool identity() const { return !model.bounded(); }
    void to_model(Tensor& x) const {
        if (!identity())
            for (size_t i = 0; i < x.numel(); ++i) x[i] = remap(x[i], data, model);
    }
    void to_data(Tensor& x) const {
        if (!identity())
            for (size_t i = 0; i < x.numel(); ++i) x[i] = remap(x[i], model, data);
    }
};

ToySpace toy_space(const data::Toy2d& toy, ValueRange model) {
    float r = 0.f;
    for (const auto& m : toy.centres) r = std::max({r, std::abs(m[0]), std::abs(m[1])});
    r += 4.f * toy.sigma;
    return {{-r, r}, model};
}

GridOptions grid(const GanExpConfig& c, int cols) {
    return {
        .cols = cols, .upscale = c.upscale, .range = output_range(c), .height = c.image_rows, .width = c.image_cols};
}

// --- 2-D pictures: real points, generated points and mode centres, through the plot module

Panel toy_panel(const data::Toy2d& toy, const std::string& title, const Tensor* real, const Tensor& fake) {
    float lo_x = 1e30f, hi_x = -1e30f, lo_y = 1e30f, hi_y = -1e30f;
    for (const auto& m : toy.centres) {
        lo_x = std::min(lo_x, m[0]);
        hi_x = std::max(hi_x, m[0]);
        lo_y = std::min(lo_y, m[1]);
        hi_y = std::max(hi_y, m[1]);
    }
    const double half = 0.5 * std::max(hi_x - lo_x, hi_y - lo_y) + 8.0 * toy.sigma + 0.5;
    const double cx = 0.5 * (lo_x + hi_x), cy = 0.5 * (lo_y + hi_y);
    Panel p{
        .title = title, .x_min = cx - half, .x_max = cx + half, .y_min = cy - half, .y_max = cy + half, .square = true};
    auto points = [](const Tensor& pts, const std::string& label, Rgb color, float opacity) {
        Series s{.label = label, .color = color, .width = 1.6f, .mark = Mark::Dots, .opacity = opacity};
        for (int i = 0; i < pts.shape()[0]; ++i) {
            s.x.push_back(pts[2 * static_cast<size_t>(i)]);
            s.y.push_back(pts[2 * static_cast<size_t>(i) + 1]);
        }
        return s;
    };
    if (real) p.series.push_back(points(*real, "real", {170, 170, 170}, 0.8f));
    p.series.push_back(points(fake, "generated", palette_color(0), 0.7f));
    Series centres{.label = "mode centre", .color = {200, 30, 30}, .width = 4.f, .mark = Mark::Crosses};
    for (const auto& m : toy.centres) {
        centres.x.push_back(m[0]);
        centres.y.push_back(m[1]);
    }
    p.series.push_back(std::move(centres));
    return p;
}

void save_scatter(const std::string& path, const data::Toy2d& toy, const std::string& title, const Tensor* real,
                  const Tensor& fake) {
    Figure fig{.cols = 1, .panel_width = 540, .panel_height = 540, .svg_id = "scatter"};
    fig.panels.push_back(toy_panel(toy, title, real, fake));
    save_png(path, render_png(fig));
}

// --- progress frames: the same fixed noise rendered at evenly spaced steps (the last at the
// final step). Stateful, so a resumed run's progress.png equals an uninterrupted one's.

class ProgressFrames : public Stateful {
public:
    ProgressFrames(int rows, int per_row, int latent, int dim, uint64_t seed, int total_steps)
        : rows_(rows), per_row_(per_row), dim_(dim), total_(total_steps), frames_(Shape{rows * per_row, dim}, 0.f) {
        Rng rng(stream_seed(seed, "progress"));
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
    Tensor frames(int k0, int k1) const {  // frames k0..k1-1: (count * per_row, P)
        Tensor f(Shape{(k1 - k0) * per_row_, dim_});
        const size_t n = static_cast<size_t>(per_row_) * static_cast<size_t>(dim_);
        std::copy(frames_.data() + static_cast<size_t>(k0) * n, frames_.data() + static_cast<size_t>(k1) * n, f.data());
        return f;
    }

    void save_state(StateDict& sd, const std::string& prefix) const override {
        sd.put(prefix + "noise", noise_);
        sd.put(prefix + "frames", frames_);
        sd.metadata[prefix + "filled"] = std::to_string(filled_);
        sd.metadata[prefix + "total"] = std::to_string(total_);
    }
    void load_state(const StateDict& sd, const std::string& prefix) override {
        noise_ = sd.expect(prefix + "noise", noise_.shape(), "checkpoint");
        frames_ = sd.expect(prefix + "frames", frames_.shape(), "checkpoint");
        if (!parse_value(sd.meta(prefix + "filled", "checkpoint"), filled_) || filled_ < 0 || filled_ > rows_)
            fail("checkpoint: ", prefix, "filled out of range");
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

// --- the experiment

class GanExperiment : public Experiment {
public:
    GanExperiment(GanExpConfig cfg, const RunOptions& run)
        : cfg_(load_data(std::move(cfg))),
          seed_(run.seed),
          quiet_(run.quiet),
          log_every_(run.log_every),
          steps_(run.steps),
          gan_(cfg_.model, init_rng_),
          loss_(models::parse_gan_loss(cfg_.loss)),
          opt_g_(gan_.g.named_parameters(), {.lr = cfg_.lr, .beta1 = cfg_.beta1, .beta2 = cfg_.beta2}),
          opt_d_(gan_.d.named_parameters(), {.lr = cfg_.lr, .beta1 = cfg_.beta1, .beta2 = cfg_.beta2}),
          progress_(cfg_.progress_rows, toy_ ? kProgressPoints : kProgressCols, cfg_.model.latent, cfg_.model.data_dim,
                    run.seed, run.steps) {
        const int b = cfg_.batch, p = cfg_.model.data_dim;
        if (!toy_ && static_cast<size_t>(b) > images_.size())
            usage_fail("--batch ", b, ": larger than the dataset (", images_.size(), " images)");
        if (!toy_) sampler_.emplace(images_.size(), stream_seed(run.seed, "data"));
        d_input_ = Tensor(Shape{2 * b, p});                       // (2B, P): real rows, then fake rows
        real_view_ = Tensor::view(d_input_.data(), Shape{b, p});  // (B, P)
        d_targets_ = Tensor(Shape{2 * b, 1}, 0.f);                // (2B, 1)
        std::fill(d_targets_.data(), d_targets_.data() + b, 1.f);
        ones_ = Tensor(Shape{b, 1}, 1.f);                        // (B, 1)
        z_ = Tensor(Shape{b, cfg_.model.latent});                // (B, Z)
        if (!toy_ && cfg_.fd_samples > 0) prepare_classifier();  // before training: problems show up early
    }

    Metrics step(int s) override {
        const int n = s + 1;
        float d_loss = 0.f;
        for (int k = 0; k < cfg_.d_steps; ++k) {
            next_real(real_view_);
            d_loss = d_update();
        }
        const float g_loss = g_update();
        progress_.maybe_record(n, gan_);
        if (n % log_every_ == 0 || n == steps_ || n == 1) {  // on logged rows; a norm costs a pass over every weight
            g_norm_ = grad_norm(opt_g_.params());            // G's gradients from this G update
            d_norm_ = grad_norm(opt_d_.params());            // D's from the last D update (frozen since)
        }
        return {{"d_loss", d_loss},  {"g_loss", g_loss},       {"d_real", d_real_},
                {"d_fake", d_fake_}, {"g_grad_norm", g_norm_}, {"d_grad_norm", d_norm_}};
    }

    // Deterministic and independent of the training streams: evaluating never changes training.
    Metrics eval(int) override {
        if (toy_) {
            const models::ModeCoverage mc = models::mode_coverage(eval_points(), toy2d_.centres, toy2d_.sigma);
            return {{"modes_covered", mc.modes_covered}, {"high_quality_fraction", mc.high_quality_fraction}};
        }
        if (!clf_) return {};
        Rng rng(stream_seed(seed_, "eval"));
        Tensor x = models::generate(gan_, models::sample_latent(cfg_.fd_samples, cfg_.model.latent, rng));
        const ValueRange range = output_range(cfg_);
        for (size_t i = 0; i < x.numel(); ++i) x[i] = remap(x[i], range, {-1.f, 1.f});  // the classifier's range
        Tensor feats;
        clf_->model->evaluate(x, &feats, nullptr);
        return {
            {"fd_features", models::frechet_distance(real_features_, feats)},
            {"class_histogram_kl", models::class_histogram_kl(clf_->model->predict(x), clf_->model->config().classes)},
            {"classifier_accuracy", clf_->test_accuracy}};
    }

    void track(Trainer& t) override {
        t.track("model.", gan_);  // model.g.*, model.d.*
        t.track("optim.g.", opt_g_);
        t.track("optim.d.", opt_d_);
        t.track("progress.", progress_);
        if (sampler_) t.track("data.", *sampler_);
        t.track_rng("noise", noise_);
        t.track_rng("data", data_rng_);
    }

    nlohmann::ordered_json config() const override { return gan_spec().to_json(cfg_); }

    void write_outputs(const std::string& dir) override {
        if (toy_) {
            const Tensor fake = eval_points();  // the points the mode metrics counted
            Tensor real(Shape{kModeSamples, 2});
            Rng real_rng(stream_seed(seed_, "pictures"));
            toy2d_.sample(real_rng, real);
            const models::ModeCoverage mc = models::mode_coverage(fake, toy2d_.centres, toy2d_.sigma);
            save_scatter(dir + "/scatter.png", toy2d_,
                         str(cfg_.data, ": ", mc.modes_covered, "/", toy2d_.centres.size(), " modes covered"), &real,
                         fake);
            if (progress_.filled() > 0) {
                Figure fig{.title = "generated points over training",
                           .cols = std::min(progress_.rows(), 4),
                           .panel_width = 260,
                           .panel_height = 260,
                           .svg_id = "progress"};
                for (int k = 0; k < progress_.filled(); ++k) {
                    Tensor f = progress_.frames(k, k + 1);
                    space_.to_data(f);
                    fig.panels.push_back(toy_panel(toy2d_, str("step ", progress_.snapshot_step(k)), nullptr, f));
                }
                save_png(dir + "/progress.png", render_png(fig));
            }
            return;
        }
        Rng rng(stream_seed(seed_, "pictures"));
        save_png(dir + "/samples.png",
                 image_grid(models::generate(gan_, models::sample_latent(64, cfg_.model.latent, rng)), grid(cfg_, 8)));
        if (progress_.filled() > 0)
            save_png(dir + "/progress.png",
                     image_grid(progress_.frames(0, progress_.filled()), grid(cfg_, kProgressCols)));
    }

    std::vector<PlotPanel> plots() const override {
        std::vector<PlotPanel> p{{"losses", {"d_loss", "g_loss"}},
                                 {"mean D output", {"d_real", "d_fake"}},
                                 {"gradient norms", {"g_grad_norm", "d_grad_norm"}, true}};
        if (toy_)
            p.push_back({"modes covered", {"modes_covered"}});
        else if (cfg_.fd_samples > 0)
            p.push_back({"fd_features", {"fd_features"}});
        return p;
    }

    // D's layers on D's loss over [real; G(z)] (fake detached), G's on G's loss through frozen D.
    std::vector<LayerProbe> probe() override {
        const int n = kProbeExamples, p = cfg_.model.data_dim;  // n real rows and n latent vectors
        Tensor input(Shape{2 * n, p}), targets(Shape{2 * n, 1}, 0.f), ones(Shape{n, 1}, 1.f),
            z(Shape{n, cfg_.model.latent});
        std::fill(targets.data(), targets.data() + n, 1.f);
        Rng rng(stream_seed(0, "diagnostics"));  // the same batch for every run on this data
        rng.fill_normal(z);
        Tensor real = Tensor::view(input.data(), Shape{n, p});
        if (toy_) {
            toy2d_.sample(rng, real);
            space_.to_model(real);
        } else {
            const int rows = std::min<int>(n, static_cast<int>(images_.size()));
            for (int i = 0; i < n; ++i)  // the first images, cycled when the set is smaller
                images_.images().copy_rows(static_cast<size_t>(i % rows), 1, real.data() + static_cast<size_t>(i) * p);
        }
        gan_.zero_grad();
        Tape td, tg;
        LayerRecord rd, rg;
        {
            NoGradGuard ng(td);
            Var fake = gan_.g(td, td.constant(z));
            std::memcpy(input.data() + static_cast<size_t>(n) * p, td.value(fake).data(),
                        static_cast<size_t>(n) * p * sizeof(float));
        }
        td.backward(models::gan_d_loss(td, gan_.d(td, td.constant(input), &rd), td.constant(targets), loss_));
        const auto hidden = [](size_t, const LayerRecord::Layer& l) { return l.hidden; };
        std::vector<LayerProbe> out = probe_layers(td, rd, "d_", hidden);
        {
            FreezeGuard frozen(gan_.d);
            tg.backward(models::gan_g_loss(tg, gan_.d(tg, gan_.g(tg, tg.constant(z), &rg)), tg.constant(ones), loss_));
        }
        std::vector<LayerProbe> g = probe_layers(tg, rg, "g_", hidden);
        g.insert(g.end(), std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
        gan_.zero_grad();
        return g;
    }

private:
    // Fills the data-derived fields (data_dim, image size) and loads the data.
    GanExpConfig load_data(GanExpConfig c) {
        toy_ = is_toy(c.data);
        if (toy_) {
            toy2d_ = data::make_toy2d(c.data);
            c.model.data_dim = 2;
            c.image_rows = c.image_cols = 0;
            space_ = toy_space(toy2d_, output_range(c));
            return c;
        }
        if (!c.data_dir.empty()) require_folder("--data-dir", c.data_dir, "the MNIST four-file IDX layout");
        images_ = data::load_images({.data_dir = c.data_dir,
                                     .range = output_range(c),
                                     .class_filter = c.class_filter,
                                     .limit = static_cast<size_t>(c.limit)});
        c.image_rows = images_.rows;
        c.image_cols = images_.cols;
        c.model.data_dim = images_.pixels();
        // train() checked the model's size before the data set the image size; now it is known.
        const MemoryEstimate need = models::memory_estimate(c.model, c.batch, models::parse_gan_loss(c.loss));
        require_refined_memory(need.training_bytes(),
                               str("training this gan model on ", c.image_rows, "x", c.image_cols, " images (",
                                   need.parameters, " parameters) at its --batch"),
                               "use smaller images, smaller layers or a smaller --batch", true);
        return c;
    }

    void prepare_classifier() {
        data::ImageOptions test_opt{.data_dir = cfg_.data_dir, .split = data::ImageSplit::Test, .range = {-1.f, 1.f}};
        data::ImageDataset test = data::load_images(test_opt);
        models::ClassifierConfig cc;
        cc.steps = cfg_.classifier_steps;
        clf_ = models::load_or_train_classifier(
            cfg_.classifier,
            [&] {
                data::ImageOptions tr = test_opt;
                tr.split = data::ImageSplit::Train;
                return data::load_images(tr);
            },
            test, cc, quiet_);
        if (cfg_.class_filter >= 0) {  // compare with real images of the same class
            test_opt.class_filter = cfg_.class_filter;
            test = data::load_images(test_opt);
        }
        clf_->model->evaluate(test.images(), &real_features_, nullptr);
    }

    void next_real(Tensor& b) {
        if (toy_) {
            toy2d_.sample(data_rng_, b);
            space_.to_model(b);
        } else {
            sampler_->next(images_.images(), b);
        }
    }

    float d_update() {
        Tape& t = tape_d_;
        t.reset();
        const int b = cfg_.batch;
        const size_t half = static_cast<size_t>(b) * static_cast<size_t>(cfg_.model.data_dim);
        noise_.fill_normal(z_);
        {
            NoGradGuard no_grad(t);                // the fake half is a constant for D's update (detach)
            Var fake = gan_.g(t, t.constant(z_));  // (B, P)
            std::memcpy(d_input_.data() + half, t.value(fake).data(), half * sizeof(float));
        }
        // One pass over the concatenated batch: a GEMM with 2B rows runs closer to peak than two
        // with B, and D has no batch statistics, so this is exactly D(real) and D(fake).
        Var logits = gan_.d(t, t.constant(d_input_));  // (2B, 1)
        Var loss = models::gan_d_loss(t, logits, t.constant(d_targets_), loss_);
        opt_d_.zero_grad();
        t.backward(loss);
        opt_d_.step();
        const float* s = t.value(logits).data();
        double real = 0, fake = 0;
        const bool ls = loss_ == models::GanLoss::LeastSquares;  // raw scores; else sigmoid probabilities
        for (int i = 0; i < b; ++i) {
            real += ls ? s[i] : 1.0 / (1.0 + std::exp(-static_cast<double>(s[i])));
            fake += ls ? s[b + i] : 1.0 / (1.0 + std::exp(-static_cast<double>(s[b + i])));
        }
        d_real_ = static_cast<float>(real / b);
        d_fake_ = static_cast<float>(fake / b);
        return t.item(loss);
    }

    // G's update needs dL/dx through D but not D's weight gradients (a third of D's backward):
    // D is frozen, so its weights enter the tape as constants.
    float g_update() {
        Tape& t = tape_g_;
        t.reset();
        noise_.fill_normal(z_);
        FreezeGuard frozen(gan_.d);
        Var logits = gan_.d(t, gan_.g(t, t.constant(z_)));  // (B, 1)
        Var loss = models::gan_g_loss(t, logits, t.constant(ones_), loss_);
        opt_g_.zero_grad();
        t.backward(loss);
        opt_g_.step();
        return t.item(loss);
    }

    // 2-D data: kModeSamples generated points from the eval stream, in data coordinates.
    Tensor eval_points() const {
        Rng rng(stream_seed(seed_, "eval"));
        Tensor x = models::generate(gan_, models::sample_latent(kModeSamples, cfg_.model.latent, rng));
        space_.to_data(x);
        return x;
    }

    bool toy_ = false;
    data::Toy2d toy2d_;
    ToySpace space_;
    data::ImageDataset images_;
    GanExpConfig cfg_;
    uint64_t seed_;
    bool quiet_;
    int log_every_, steps_;
    Rng init_rng_{stream_seed(seed_, "init")};
    Gan gan_;
    models::GanLoss loss_;
    Adam opt_g_, opt_d_;
    ProgressFrames progress_;
    Rng noise_{stream_seed(seed_, "noise")};
    Rng data_rng_{stream_seed(seed_, "data")};
    std::optional<data::BatchSampler> sampler_;
    std::optional<models::ClassifierCache> clf_;
    Tensor real_features_;
    Tape tape_d_, tape_g_;
    Tensor d_input_;    // (2B, P): real rows then fake rows
    Tensor real_view_;  // view of d_input_'s first B rows
    Tensor d_targets_;  // (2B, 1): ones then zeros
    Tensor ones_;       // (B, 1)
    Tensor z_;          // (B, Z)
    float d_real_ = 0.f, d_fake_ = 0.f, g_norm_ = 0.f, d_norm_ = 0.f;
};

// --- sample

struct GanSampleConfig {
    int num = 64;              // samples to draw
    bool interpolate = false;  // images: also interpolation.png
    int upscale = 3;           // images: magnification
};

const ConfigSpec<GanSampleConfig>& gan_sample_spec() {
    using C = GanSampleConfig;
    static const ConfigSpec<C> spec = ConfigSpec<C>()
                                          .field("num", &C::num, "Samples to draw", in_range(1, 10000))
                                          .field("interpolate", &C::interpolate,
                                                 "Also write interpolation.png (8 latent paths, 10 steps each)")
                                          .field("upscale", &C::upscale, "Nearest-neighbour magnification",
                                                 in_range(1, 16));
    return spec;
}

void sample_gan(const LoadedRun& run, const SampleOptions& opt, const ConfigBox& box) {
    const GanSampleConfig& s = config_of<GanSampleConfig>(box);
    GanExpConfig cfg = config_of<GanExpConfig>(*run.box);
    cfg.upscale = s.upscale;
    Rng init(0);
    Gan gan(cfg.model, init);
    load_model_state(run, gan);
    const std::string out = sample_output("gan", run, opt, gan_sample_spec().to_json(s));

    Rng rng(stream_seed(opt.seed, "samples"));
    Tensor x = models::generate(gan, models::sample_latent(s.num, cfg.model.latent, rng));  // (N, P)
    if (is_toy(cfg.data)) {
        const data::Toy2d toy = data::make_toy2d(cfg.data);
        toy_space(toy, output_range(cfg)).to_data(x);
        Tensor real(Shape{s.num, 2});
        toy.sample(rng, real);
        save_scatter(out + "/scatter.png", toy, str(cfg.data, ": ", s.num, " samples"), &real, x);
        std::string csv = "x,y\n";
        for (int i = 0; i < s.num; ++i)
            csv += str(x[2 * static_cast<size_t>(i)], ",", x[2 * static_cast<size_t>(i) + 1], "\n");
        write_file_atomic(out + "/samples.csv", csv);
    } else {
        save_png(out + "/samples.png", image_grid(x, grid(cfg, 8)));
        const size_t p = static_cast<size_t>(cfg.model.data_dim);
        for (int i = 0; i < s.num; ++i) {
            Tensor one(Shape{1, cfg.model.data_dim});
            std::copy(x.data() + i * p, x.data() + (i + 1) * p, one.data());
            GridOptions g = grid(cfg, 1);
            g.gutter = 0;
            char name[32];
            std::snprintf(name, sizeof name, "/sample_%04d.png", i);
            save_png(out + name, image_grid(one, g));
        }
        if (s.interpolate) {
            constexpr int kRows = 8, kSteps = 10;
            Tensor z0 = models::sample_latent(kRows, cfg.model.latent, rng),
                   z1 = models::sample_latent(kRows, cfg.model.latent, rng);
            save_png(out + "/interpolation.png",
                     image_grid(models::generate(gan, models::interpolate_latent(z0, z1, kSteps)), grid(cfg, kSteps)));
        }
    }
    std::cout << "genlab-gan: wrote " << out << "\n";
}

}  // namespace

const ExperimentDef& gan_experiment() {
    static const ExperimentDef def{
        .name = "gan",
        .about = "Train an MLP GAN on Fashion-MNIST or a 2-D toy distribution, or sample from a checkpoint.",
        .default_steps = [](const ConfigBox&) { return 3000; },
        .default_eval_every = 0,
        .new_config = [] { return std::make_unique<TypedConfigBox<GanExpConfig>>(gan_spec(), resolve_gan); },
        .quality =
            [](const ConfigBox& box) {
                const GanExpConfig& c = config_of<GanExpConfig>(box);
                if (is_toy(c.data))
                    return std::vector<QualityMetric>{{"modes_covered", Better::Higher},
                                                      {"high_quality_fraction", Better::Higher}};
                if (c.fd_samples == 0) return std::vector<QualityMetric>{};
                return std::vector<QualityMetric>{{"fd_features", Better::Lower},
                                                  {"class_histogram_kl", Better::Lower}};
            },
        .create = [](const ConfigBox& box, const RunOptions& run) -> std::unique_ptr<Experiment> {
            return std::make_unique<GanExperiment>(config_of<GanExpConfig>(box), run);
        },
        .memory =
            [](const ConfigBox& box) {
                const GanExpConfig& c = config_of<GanExpConfig>(box);
                return models::memory_estimate(c.model, c.batch, models::parse_gan_loss(c.loss));
            },
        .new_sample_config =
            [] { return std::make_unique<TypedConfigBox<GanSampleConfig>>(gan_sample_spec(), nullptr); },
        .sample = sample_gan,
        .outputs = {{"samples.png",
                     "64 images drawn from the generator at the end of training, one fresh latent code each."},
                    {"scatter.png",
                     "2-D data: 5,000 generated points (blue) over real samples (grey); red crosses mark the "
                     "mode centres, and the title counts the modes the generator covers."},
                    {"progress.png",
                     "The generator's output for the same fixed latent codes at evenly spaced steps of "
                     "training: one row (images) or one panel (2-D) per snapshot, the last at the final step."},
                    {"loss.png", "Training curves from metrics.csv: both losses, D's mean output on real and generated "
                                 "data, and the gradient norms of G and D."}},
    };
    return def;
}

}  // namespace genlab::experiments
