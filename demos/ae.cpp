// genlab-ae: plain and variational MLP autoencoders on Fashion-MNIST (or any IDX folder).
//
//     genlab-ae train                                   # 784-512-128-32-128-512-784 GELU, BCE, 2000 steps
//     genlab-ae train --variational --latent 2          # VAE with a 2-D code: adds samples.png, latent.png
//     genlab-ae sample --checkpoint outputs/ae/<run>/checkpoint.safetensors
//
// Writes reconstructions.png, interpolation.png, samples.png (VAE), latent.png (--latent 2),
// config.json, metrics.csv and metrics.json (test_loss over the whole test set: mean per-pixel BCE
// or MSE on the [0, 1] pixel scale; VAE: test_kl and test_elbo per image, in nats).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/canvas.h"
#include "core/io/image.h"
#include "core/io/plot.h"
#include "core/io/safetensors.h"
#include "core/optim/optimizer.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/train/run_dir.h"
#include "core/train/trainer.h"
#include "data/batch_sampler.h"
#include "data/image_dataset.h"
#include "demos/demo_main.h"
#include "models/autoencoder.h"

namespace genlab {
namespace {

using models::Autoencoder;
using models::AutoencoderConfig;

constexpr const char* kProgram = "genlab-ae";

struct Options {
    AutoencoderConfig model;
    std::string hidden = "512,128";
    int steps = 2000;
    int batch = 128;
    float lr = 1e-3f;
    int eval_every = 500;
    int log_every = 100;
    int save_every = 0;
    std::string data_dir;
    int class_filter = -1;
    size_t train_limit = 0;
    size_t test_limit = 0;
    std::string resume;
    std::string checkpoint;  // sample
    std::string out;
    uint64_t seed = 1;
    int threads = 0;
    bool quiet = false;
};

// Seeds of the independent random streams, derived from --seed.
uint64_t init_seed(uint64_t s) { return s; }
uint64_t sampler_seed(uint64_t s) { return s * 0x9E3779B97F4A7C15ull + 1; }
uint64_t noise_seed(uint64_t s) { return s * 0x9E3779B97F4A7C15ull + 2; }
uint64_t picture_seed(uint64_t s) { return s * 0x9E3779B97F4A7C15ull + 3; }

// ---------------------------------------------------------------- flags

std::vector<int> parse_hidden(const std::string& text) {
    std::vector<int> out;
    if (text.empty() || text == "none") return out;  // encoder straight to the code
    size_t b = 0;
    for (;;) {
        const size_t e = text.find(',', b);
        const std::string tok = text.substr(b, e == std::string::npos ? std::string::npos : e - b);
        int v = 0;
        auto r = std::from_chars(tok.data(), tok.data() + tok.size(), v);
        if (tok.empty() || r.ec != std::errc() || r.ptr != tok.data() + tok.size())
            usage_fail("--hidden '", text, "': '", tok, "' is not an integer width (expected e.g. 512,128, or none)");
        out.push_back(v);
        if (e == std::string::npos) break;
        b = e + 1;
    }
    return out;
}

void check_common(const Options& o) {
    if (o.threads < 0) usage_fail("--threads ", o.threads, ": expected >= 0 (0: the OpenMP default)");
}

data::ImageDataset load_split(const Options& o, const AutoencoderConfig& cfg, data::ImageSplit split, size_t limit) {
    data::ImageOptions io;
    io.data_dir = o.data_dir;
    io.split = split;
    io.range = models::data_range(cfg).lo < 0.f ? data::PixelRange::MinusOneToOne : data::PixelRange::ZeroToOne;
    io.class_filter = o.class_filter;
    io.limit = limit;
    return data::load_images(io);
}

// ---------------------------------------------------------------- pictures

// Every `cols` originals followed by their `cols` reconstructions, for up to 4 pairs of rows.
void write_reconstructions(const Autoencoder& m, const data::ImageDataset& test, const std::string& path) {
    const int n_all = static_cast<int>(test.size()), p = test.pixels();
    const int cols = std::min(16, n_all);
    const int n = std::min(64, n_all) / cols * cols;
    Tensor originals(Shape{n, p});
    std::copy(test.images.data(), test.images.data() + static_cast<size_t>(n) * static_cast<size_t>(p), originals.data());
    const Tensor recon = models::reconstruct(m, originals);
    Tensor tiles(Shape{2 * n, p});
    const size_t row = static_cast<size_t>(cols) * static_cast<size_t>(p);
    for (int r = 0; r < n / cols; ++r) {
        std::copy(originals.data() + r * row, originals.data() + (r + 1) * row, tiles.data() + (2 * r) * row);
        std::copy(recon.data() + r * row, recon.data() + (r + 1) * row, tiles.data() + (2 * r + 1) * row);
    }
    const models::DataRange dr = models::data_range(m.config());
    save_png(path, image_grid(tiles, {.cols = cols, .upscale = 2, .lo = dr.lo, .hi = dr.hi, .height = test.rows, .width = test.cols}));
}

// Rows of 10 decodings along the straight line between the codes of two test images.
void write_interpolation(const Autoencoder& m, const data::ImageDataset& test, const std::string& path) {
    const int p = test.pixels(), pairs = std::min(8, static_cast<int>(test.size()) / 2);
    if (pairs < 1) return;
    Tensor a(Shape{pairs, p}), b(Shape{pairs, p});
    // b[i] from the second half of the test set: usually another class than a[i].
    const size_t half = test.size() / 2;
    for (int i = 0; i < pairs; ++i) {
        const float* src_a = test.images.data() + static_cast<size_t>(i) * static_cast<size_t>(p);
        const float* src_b = test.images.data() + (half + static_cast<size_t>(i)) * static_cast<size_t>(p);
        std::copy(src_a, src_a + p, a.data() + static_cast<size_t>(i) * static_cast<size_t>(p));
        std::copy(src_b, src_b + p, b.data() + static_cast<size_t>(i) * static_cast<size_t>(p));
    }
    constexpr int kSteps = 10;
    const Tensor walk = models::interpolate(m, a, b, kSteps);
    const models::DataRange dr = models::data_range(m.config());
    save_png(path, image_grid(walk, {.cols = kSteps, .upscale = 2, .lo = dr.lo, .hi = dr.hi, .height = test.rows, .width = test.cols}));
}

void write_samples(const Autoencoder& m, const data::ImageDataset& test, uint64_t seed, const std::string& path) {
    Rng rng(picture_seed(seed));
    const Tensor s = models::sample_prior(m, 64, rng);
    const models::DataRange dr = models::data_range(m.config());
    save_png(path, image_grid(s, {.cols = 8, .upscale = 2, .lo = dr.lo, .hi = dr.hi, .height = test.rows, .width = test.cols}));
}

// Scatter of the 2-D codes of the test set, one colour per class, with axes and a legend.
void write_latent(const Autoencoder& m, const data::ImageDataset& test, const std::string& path) {
    const Tensor z = models::encode_all(m, test.images);  // (N, 2)
    const int n = static_cast<int>(test.size());
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < 2; ++k) {
            const double v = z[static_cast<size_t>(2 * i + k)];
            if (!std::isfinite(v)) continue;
            lo[k] = std::min(lo[k], v);
            hi[k] = std::max(hi[k], v);
        }
    for (int k = 0; k < 2; ++k) {
        if (!(lo[k] <= hi[k])) lo[k] = -1, hi[k] = 1;
        const double pad = std::max(1e-3, 0.05 * (hi[k] - lo[k]));
        lo[k] -= pad;
        hi[k] += pad;
    }
    constexpr int kW = 760, kH = 600, kLeft = 60, kTop = 40, kPlotW = 520, kPlotH = 500;
    Canvas c(kW, kH);
    auto px = [&](double v) { return static_cast<float>(kLeft + (v - lo[0]) / (hi[0] - lo[0]) * kPlotW); };
    auto py = [&](double v) { return static_cast<float>(kTop + kPlotH - (v - lo[1]) / (hi[1] - lo[1]) * kPlotH); };
    const Rgb grid{225, 225, 225}, axis{60, 60, 60};
    const std::vector<double> xt = nice_ticks(lo[0], hi[0]), yt = nice_ticks(lo[1], hi[1]);
    for (double v : xt) {
        c.line({px(v), float(kTop)}, {px(v), float(kTop + kPlotH)}, {.color = grid});
        c.text({px(v), float(kTop + kPlotH + 16)}, tick_label(v, xt.size() > 1 ? xt[1] - xt[0] : 1.0),
               {.color = axis, .size = 11.f, .align = Align::Center});
    }
    for (double v : yt) {
        c.line({float(kLeft), py(v)}, {float(kLeft + kPlotW), py(v)}, {.color = grid});
        c.text({float(kLeft - 6), py(v) + 4.f}, tick_label(v, yt.size() > 1 ? yt[1] - yt[0] : 1.0),
               {.color = axis, .size = 11.f, .align = Align::Right});
    }
    c.stroke_rect(kLeft, kTop, kPlotW, kPlotH, {.color = axis});
    c.push_clip(kLeft, kTop, kPlotW, kPlotH);
    for (int i = 0; i < n; ++i) {
        const float x = z[static_cast<size_t>(2 * i)], y = z[static_cast<size_t>(2 * i + 1)];
        if (std::isfinite(x) && std::isfinite(y)) c.fill_circle({px(x), py(y)}, 1.8f, palette_color(test.labels[static_cast<size_t>(i)]), 0.6f);
    }
    c.pop_clip();
    c.text({float(kLeft + kPlotW / 2), 24.f}, str("latent codes of ", n, " test images (z1, z2)"),
           {.color = axis, .size = 14.f, .align = Align::Center, .bold = true});
    // Legend: the classes present, with Fashion-MNIST's names when they apply.
    std::vector<bool> present(256, false);
    for (uint8_t l : test.labels) present[l] = true;
    const bool named = test.name == "fashion-mnist" && test.num_classes <= 10;
    float ly = kTop + 10.f;
    for (int k = 0; k < 256; ++k) {
        if (!present[static_cast<size_t>(k)]) continue;
        c.fill_circle({float(kLeft + kPlotW + 24), ly - 4.f}, 5.f, palette_color(static_cast<size_t>(k)));
        const std::string label = named ? str(k, " ", data::fashion_mnist_classes()[static_cast<size_t>(k)]) : str("class ", k);
        c.text({float(kLeft + kPlotW + 36), ly}, label, {.color = axis, .size = 12.f});
        ly += 20.f;
        if (ly > kTop + kPlotH) break;
    }
    save_png(path, c.image());
}

void write_pictures(const Autoencoder& m, const data::ImageDataset& test, uint64_t seed, const std::string& out) {
    write_reconstructions(m, test, out + "/reconstructions.png");
    write_interpolation(m, test, out + "/interpolation.png");
    if (m.config().variational) write_samples(m, test, seed, out + "/samples.png");
    if (m.config().latent == 2) write_latent(m, test, out + "/latent.png");
}

Metrics eval_metrics(const Autoencoder& m, const data::ImageDataset& test) {
    const models::AeEvaluation e = models::evaluate(m, test.images);
    Metrics ms{{"test_loss", e.loss}};
    if (m.config().variational) {
        ms.emplace_back("test_kl", e.kl);
        ms.emplace_back("test_elbo", e.elbo);
    }
    return ms;
}

// ---------------------------------------------------------------- train

int train(Options o) {
    check_common(o);
    o.model.hidden = parse_hidden(o.hidden);
    if (o.steps < 0) usage_fail("--steps ", o.steps, ": must be >= 0");
    if (o.batch <= 0) usage_fail("--batch ", o.batch, ": must be positive");
    if (!(o.lr > 0.f) || !std::isfinite(o.lr)) usage_fail("--lr ", o.lr, ": must be positive and finite");
    if (o.eval_every < 0) usage_fail("--eval-every ", o.eval_every, ": must be >= 0 (0 = only at the end)");
    if (o.log_every < 1) usage_fail("--log-every ", o.log_every, ": must be >= 1");
    if (o.save_every < 0) usage_fail("--save-every ", o.save_every, ": must be >= 0 (0 = only at the end)");
    o.model.validate();
    set_num_threads(o.threads);

    // Data first: a missing or bad file must fail before an output folder exists.
    const data::ImageDataset train_ds = load_split(o, o.model, data::ImageSplit::Train, o.train_limit);
    const data::ImageDataset test_ds = load_split(o, o.model, data::ImageSplit::Test, o.test_limit);
    if (static_cast<size_t>(o.batch) > train_ds.size())
        usage_fail("--batch ", o.batch, ": larger than the training set (", train_ds.size(), " images)");
    o.model.input = train_ds.pixels();
    if (test_ds.pixels() != o.model.input)
        fail("test images are ", test_ds.rows, "x", test_ds.cols, " but training images ", train_ds.rows, "x", train_ds.cols);

    Rng init_rng(init_seed(o.seed));
    Autoencoder model(o.model, init_rng);
    if (!o.resume.empty()) {
        // Checked before --out is touched: the file, its kind and that it fits these flags (the
        // trainer loads it again, with the optimizer and RNG state, when the run starts).
        const StateDict sd = load_safetensors(o.resume);
        if (sd.meta("kind", o.resume) != "ae") fail(o.resume, ": not a genlab-ae checkpoint (kind '", sd.meta("kind", o.resume), "')");
        try {
            model.load_state(sd, "model.");
        } catch (const Error& e) {
            fail(o.resume, ": does not fit these flags (resume with the flags of the run that wrote it): ", e.what());
        }
    }
    Adam opt(model.named_parameters(), {.lr = o.lr});
    data::BatchSampler sampler(train_ds.size(), sampler_seed(o.seed));
    Rng noise(noise_seed(o.seed));

    const std::string out = o.out.empty() ? default_out_dir("ae") : o.out;
    nlohmann::ordered_json cfg;
    cfg["demo"] = "ae";
    cfg["model"] = nlohmann::ordered_json::parse(o.model.to_json());
    cfg["data"] = {{"name", train_ds.name}, {"data_dir", o.data_dir}, {"class", o.class_filter},
                   {"train_images", train_ds.size()}, {"test_images", test_ds.size()}, {"train_limit", o.train_limit},
                   {"test_limit", o.test_limit}};
    cfg["train"] = {{"steps", o.steps}, {"batch", o.batch}, {"optimizer", "adam"}, {"lr", o.lr},
                    {"eval_every", o.eval_every}, {"log_every", o.log_every}, {"save_every", o.save_every},
                    {"resume", o.resume}};
    cfg["seed"] = o.seed;
    cfg["threads"] = o.threads;
    cfg["out"] = out;
    cfg["test_loss_definition"] = "mean " + o.model.loss + " per pixel over the test set, pixels on the [0, 1] scale";
    const std::string cfg_text = cfg.dump();
    write_config_json(out, cfg_text);

    Trainer trainer({.steps = o.steps, .log_every = o.log_every, .eval_every = o.eval_every, .save_every = o.save_every,
                     .out_dir = out, .resume = o.resume, .config_json = cfg_text, .kind = "ae", .quiet = o.quiet});
    trainer.track("model.", model);
    trainer.track("optim.", opt);
    trainer.track("sampler.", sampler);
    trainer.track_rng("noise", noise);

    // Buffers of the step, allocated once: the steady-state step allocates nothing on the heap
    // (the tape reuses its slots, the sampler gathers into `batch`).
    Tape tape;
    Tensor batch(Shape{o.batch, o.model.input});  // (B, P)
    const bool vae = o.model.variational;
    auto step = [&](int) -> Metrics {
        sampler.next(train_ds.images, batch);
        tape.reset();
        opt.zero_grad();
        const models::AeLosses l = model.loss(tape, tape.constant(batch), &noise);
        tape.backward(l.objective);
        opt.step();
        if (!vae) return {{"train_loss", tape.item(l.recon)}};
        return {{"train_loss", tape.item(l.recon)}, {"train_kl", tape.item(l.kl)}};
    };
    auto eval = [&](int) { return eval_metrics(model, test_ds); };
    const Metrics final_metrics = trainer.run(step, eval);

    write_pictures(model, test_ds, o.seed, out);
    if (!o.quiet) {
        std::cout << "wrote " << out << ":";
        for (const auto& [name, v] : final_metrics) std::cout << " " << name << " " << v;
        std::cout << "\n";
    }
    return 0;
}

// ---------------------------------------------------------------- sample

int sample(Options o) {
    check_common(o);
    if (o.checkpoint.empty()) usage_fail("sample: --checkpoint FILE is required");
    set_num_threads(o.threads);
    const StateDict sd = load_safetensors(o.checkpoint);
    const std::string& kind = sd.meta("kind", o.checkpoint);
    if (kind != "ae") fail(o.checkpoint, ": holds a '", kind, "' run, not a genlab-ae one (use genlab-", kind, " sample)");
    nlohmann::json run_cfg;
    try {
        run_cfg = nlohmann::json::parse(sd.meta("config", o.checkpoint));
        if (!run_cfg.contains("model")) fail(o.checkpoint, ": metadata 'config' has no \"model\" entry");
    } catch (const nlohmann::json::exception& e) {
        fail(o.checkpoint, ": metadata 'config' is not valid JSON: ", e.what());
    }
    const AutoencoderConfig mc = AutoencoderConfig::from_json(run_cfg["model"].dump(), o.checkpoint);
    // The test set of the run, unless --data-dir / --class say otherwise.
    if (o.data_dir.empty() && run_cfg.contains("data")) o.data_dir = run_cfg["data"].value("data_dir", std::string());
    if (o.class_filter == -1 && run_cfg.contains("data")) o.class_filter = run_cfg["data"].value("class", -1);
    const data::ImageDataset test_ds = load_split(o, mc, data::ImageSplit::Test, o.test_limit);
    if (test_ds.pixels() != mc.input)
        fail(o.checkpoint, ": the model takes ", mc.input, " pixels but the test images have ", test_ds.pixels());
    Rng rng(0);
    Autoencoder model(mc, rng);
    try {
        model.load_state(sd, "model.");
    } catch (const Error& e) {
        fail(o.checkpoint, ": ", e.what());
    }

    const std::string out = o.out.empty() ? default_out_dir("ae") : o.out;
    nlohmann::ordered_json cfg;
    cfg["demo"] = "ae";
    cfg["command"] = "sample";
    cfg["checkpoint"] = o.checkpoint;
    cfg["step"] = sd.meta("step", o.checkpoint);
    cfg["model"] = nlohmann::ordered_json::parse(mc.to_json());
    cfg["data"] = {{"name", test_ds.name}, {"data_dir", o.data_dir}, {"class", o.class_filter}, {"test_images", test_ds.size()}};
    cfg["seed"] = o.seed;
    cfg["threads"] = o.threads;
    cfg["out"] = out;
    write_config_json(out, cfg.dump());

    write_pictures(model, test_ds, o.seed, out);
    const Metrics ms = eval_metrics(model, test_ds);
    nlohmann::ordered_json j;
    j["step"] = std::stoi(sd.meta("step", o.checkpoint));
    std::string header = "step", row = sd.meta("step", o.checkpoint);
    for (const auto& [name, v] : ms) {
        j[name] = v;
        header += "," + name;
        row += "," + str(v);
    }
    write_file_atomic(out + "/metrics.json", j.dump(2) + "\n");
    write_file_atomic(out + "/metrics.csv", header + "\n" + row + "\n");
    std::cout << "wrote " << out << ":";
    for (const auto& [name, v] : ms) std::cout << " " << name << " " << v;
    std::cout << "\n";
    return 0;
}

void add_common(CLI::App& app, Options& o) {
    app.add_option("--data-dir", o.data_dir, "IDX folder (train-images-idx3-ubyte[.gz] ...); default Fashion-MNIST");
    app.add_option("--class", o.class_filter, "Keep only this class label (-1: all)")->capture_default_str();
    app.add_option("--test-limit", o.test_limit, "Use only the first N test images (0: all 10,000)")->capture_default_str();
    app.add_option("--out", o.out, "Output folder (default: outputs/ae/<YYYYmmdd-HHMMSS>)");
    app.add_option("--seed", o.seed, "Seed of every random stream (init, batches, noise, pictures)")->capture_default_str();
    app.add_option("--threads", o.threads, "Threads (0: the OpenMP default)")->capture_default_str();
}

}  // namespace
}  // namespace genlab

int main(int argc, char** argv) {
    genlab::Options o;
    CLI::App app{"Train plain or variational MLP autoencoders on images; draw reconstructions, latent walks and samples."};
    app.require_subcommand(0, 1);
    CLI::App* tr = app.add_subcommand("train", "Train an autoencoder (the default command)");
    genlab::models::AutoencoderConfig& m = o.model;
    tr->add_option("--hidden", o.hidden, "Encoder hidden widths, mirrored by the decoder ('none': no hidden layer)")->capture_default_str();
    tr->add_option("--latent", m.latent, "Code size Z (2 adds latent.png)")->capture_default_str();
    tr->add_option("--act", m.act, "Hidden activation spec (e.g. relu, leaky_relu:0.2, elu, gelu)")->capture_default_str();
    tr->add_option("--out-act", m.out_act, "Output activation: sigmoid, tanh or identity (data scaled to match)")->capture_default_str();
    tr->add_option("--loss", m.loss, "Reconstruction loss: bce or mse")->capture_default_str();
    tr->add_flag("--variational", m.variational, "Variational autoencoder (reparameterised Gaussian code, KL to N(0, I))");
    tr->add_option("--beta", m.beta, "VAE: weight of the KL term")->capture_default_str();
    tr->add_option("--steps", o.steps, "Optimisation steps")->capture_default_str();
    tr->add_option("--batch", o.batch, "Batch size")->capture_default_str();
    tr->add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
    tr->add_option("--eval-every", o.eval_every, "Test-set evaluation every N steps (0: only at the end)")->capture_default_str();
    tr->add_option("--log-every", o.log_every, "metrics.csv row every N steps")->capture_default_str();
    tr->add_option("--save-every", o.save_every, "Checkpoint every N steps (0: only at the end)")->capture_default_str();
    tr->add_option("--train-limit", o.train_limit, "Use only the first N training images (0: all)")->capture_default_str();
    tr->add_option("--resume", o.resume, "Continue from this checkpoint (same flags, higher or equal --steps)");
    tr->add_flag("--quiet", o.quiet, "No progress output");
    genlab::add_common(*tr, o);
    CLI::App* sa = app.add_subcommand("sample", "Redraw the pictures and test metrics from a checkpoint, without training");
    sa->add_option("--checkpoint", o.checkpoint, "checkpoint.safetensors written by genlab-ae train")->required();
    genlab::add_common(*sa, o);
    return genlab::demo_main(genlab::kProgram, app, argc, argv, [&] {
        return sa->parsed() ? genlab::sample(o) : genlab::train(o);
    });
}
