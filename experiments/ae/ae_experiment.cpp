// The autoencoder experiment: plain and variational autoencoders, MLP or convolutional, on IDX images
// (Fashion-MNIST by default). Quality: test_loss, the mean per-pixel reconstruction loss over the
// test set on the [0, 1] pixel scale (lower is better); a VAE adds test_kl and test_elbo per image.
// Pictures: reconstructions.png, interpolation.png, samples.png (VAE), latent.png (2-D codes).
#include <algorithm>
#include <cmath>
#include <iostream>

#include "core/io/atomic_file.h"
#include "core/io/json_text.h"
#include "core/optim/optimizer.h"
#include "core/train/run_dir.h"
#include "data/batch_sampler.h"
#include "data/image_dataset.h"
#include "experiments/experiment.h"
#include "experiments/probe.h"
#include "experiments/sweep_facts_of.h"
#include "models/autoencoder.h"
#include "viz/image.h"
#include "viz/plot.h"

namespace genlab::experiments {

namespace {

using models::Autoencoder;

constexpr int kPriorSamples = 64;  // VAE: samples.png's images decoded from the prior
constexpr int kLinePoints = 10;    // interpolation.png: decodings along each line between two codes

struct AeConfig {
    std::string data_dir;   // "": Fashion-MNIST from the Debian package
    int class_filter = -1;  // keep one class label; -1: all
    int train_limit = 0;    // first N training images (0: all)
    int test_limit = 0;     // first N test images (0: all)
    int batch = 128;        // B
    float lr = 1e-3f;       // Adam learning rate
    models::AutoencoderConfig model;
};

const ConfigSpec<AeConfig>& ae_spec() {
    using C = AeConfig;
    static const ConfigSpec<C> spec =
        ConfigSpec<C>()
            .field("data_dir", &C::data_dir, "IDX folder (train-images-idx3-ubyte[.gz] ...); default Fashion-MNIST")
            .field("class", &C::class_filter, "Keep only this class label (-1: all)", in_range(-1, 255))
            .field("train_limit", &C::train_limit, "Use only the first N training images (0: all)",
                   in_range(0, 10'000'000))
            .field("test_limit", &C::test_limit, "Use only the first N test images (0: all)", in_range(0, 10'000'000))
            .field("batch", &C::batch, "Batch size", in_range(1, 65536))
            .field("lr", &C::lr, "Adam learning rate", learning_rate())
            .nest("model", &C::model, models::autoencoder_config_spec());
    return spec;
}

// `sample` redraws the pictures and test metrics, on the run's own test set unless told otherwise.
struct AeSampleConfig {
    std::string data_dir;   // "": the run's
    int class_filter = -2;  // -2: the run's
    int test_limit = 0;
};

const ConfigSpec<AeSampleConfig>& ae_sample_spec() {
    using C = AeSampleConfig;
    static const ConfigSpec<C> spec =
        ConfigSpec<C>()
            .field("data_dir", &C::data_dir, "IDX folder of the test images (default: the run's)")
            .field("class", &C::class_filter, "Keep only this class label (-1: all; default: the run's)",
                   in_range(-2, 255))
            .field("test_limit", &C::test_limit, "Use only the first N test images (0: all)", in_range(0, 10'000'000));
    return spec;
}

data::ImageDataset load_split(const std::string& dir, int class_filter, const models::AutoencoderConfig& model,
                              data::ImageSplit split, int limit) {
    if (!dir.empty()) require_folder("--data-dir", dir, "the MNIST four-file IDX layout");
    return data::load_images({.data_dir = dir,
                              .split = split,
                              .range = models::data_range(model),
                              .class_filter = class_filter,
                              .limit = static_cast<size_t>(limit)});
}

// --- pictures

GridOptions grid(const data::ImageDataset& ds, const models::AutoencoderConfig& m, int cols) {
    return {.cols = cols, .upscale = 2, .range = models::data_range(m), .height = ds.rows, .width = ds.cols};
}

// Rows of originals, each followed by its reconstructions, for up to 4 pairs of rows of 16.
void write_reconstructions(Autoencoder& m, const data::ImageDataset& test, const std::string& path) {
    const int n_all = static_cast<int>(test.size()), p = test.pixels();
    const int cols = std::min(16, n_all);
    const int n = std::min(64, n_all) / cols * cols;
    Tensor originals(Shape{n, p});
    test.images().copy_rows(0, static_cast<size_t>(n), originals.data());
    const Tensor recon = models::reconstruct(m, originals);
    Tensor tiles(Shape{2 * n, p});
    const size_t row = static_cast<size_t>(cols) * static_cast<size_t>(p);
    for (int r = 0; r < n / cols; ++r) {
        std::copy(originals.data() + r * row, originals.data() + (r + 1) * row, tiles.data() + (2 * r) * row);
        std::copy(recon.data() + r * row, recon.data() + (r + 1) * row, tiles.data() + (2 * r + 1) * row);
    }
    save_png(path, image_grid(tiles, grid(test, m.config(), cols)));
}

// Rows of kLinePoints decodings along the straight line between the codes of two test images.
void write_interpolation(Autoencoder& m, const data::ImageDataset& test, const std::string& path) {
    const int p = test.pixels(), pairs = std::min(8, static_cast<int>(test.size()) / 2);
    if (pairs < 1) return;
    Tensor a(Shape{pairs, p}), b(Shape{pairs, p});
    const size_t half = test.size() / 2;  // b[i] from the second half: usually another class than a[i]
    test.images().copy_rows(0, static_cast<size_t>(pairs), a.data());
    test.images().copy_rows(half, static_cast<size_t>(pairs), b.data());
    save_png(path, image_grid(models::interpolate(m, a, b, kLinePoints), grid(test, m.config(), kLinePoints)));
}

// The 2-D codes of the test set, one colour per class.
void write_latent(Autoencoder& m, const data::ImageDataset& test, const std::string& path) {
    const Tensor z = models::encode_all(m, test.images());  // (N, 2)
    Panel p{.title = str("latent codes of ", test.size(), " test images"),
            .x_label = "z1",
            .y_label = "z2",
            .square = true};
    const bool named = test.name == "fashion-mnist" && test.num_classes <= 10;
    std::vector<int> series_of(256, -1);
    for (size_t i = 0; i < test.size(); ++i) {
        const int label = test.labels[i];
        if (series_of[static_cast<size_t>(label)] < 0) {
            series_of[static_cast<size_t>(label)] = static_cast<int>(p.series.size());
            p.series.push_back({.label = named ? str(label, " ",
                                                     data::fashion_mnist_classes()[static_cast<size_t>(label)])
                                               : str("class ", label),
                                .color = palette_color(static_cast<size_t>(label)),
                                .width = 1.6f,
                                .mark = Mark::Dots,
                                .opacity = 0.6f});
        }
        Series& s = p.series[static_cast<size_t>(series_of[static_cast<size_t>(label)])];
        s.x.push_back(z[2 * i]);
        s.y.push_back(z[2 * i + 1]);
    }
    std::sort(p.series.begin(), p.series.end(), [](const Series& a, const Series& b) { return a.label < b.label; });
    Figure fig{
        .title = "autoencoder latent space", .cols = 1, .panel_width = 640, .panel_height = 620, .svg_id = "latent"};
    fig.panels.push_back(std::move(p));
    save_png(path, render_png(fig));
}

void write_pictures(Autoencoder& m, const data::ImageDataset& test, uint64_t seed, const std::string& out) {
    write_reconstructions(m, test, out + "/reconstructions.png");
    write_interpolation(m, test, out + "/interpolation.png");
    if (m.config().variational) {
        Rng rng(stream_seed(seed, "pictures"));
        save_png(out + "/samples.png",
                 image_grid(models::sample_prior(m, kPriorSamples, rng), grid(test, m.config(), 8)));
    }
    if (m.config().latent == 2) write_latent(m, test, out + "/latent.png");
}

Metrics test_metrics(Autoencoder& m, const data::ImageDataset& test) {
    const models::AeEvaluation e = models::evaluate(m, test.images());
    Metrics ms{{"test_loss", e.loss}};
    if (m.config().variational) {
        ms.emplace_back("test_kl", e.kl);
        ms.emplace_back("test_elbo", e.elbo);
    }
    return ms;
}

// --- the experiment

class AeExperiment : public Experiment {
public:
    AeExperiment(AeConfig cfg, const RunOptions& run)
        : cfg_(std::move(cfg)),
          seed_(run.seed),
          train_(load_split(cfg_.data_dir, cfg_.class_filter, cfg_.model, data::ImageSplit::Train, cfg_.train_limit)),
          test_(load_split(cfg_.data_dir, cfg_.class_filter, cfg_.model, data::ImageSplit::Test, cfg_.test_limit)),
          model_(with_input(cfg_, train_, test_), init_rng_),
          opt_(model_.named_parameters(), {.lr = cfg_.lr}),
          sampler_(train_.size(), stream_seed(run.seed, "data")),
          noise_(stream_seed(run.seed, "noise")),
          batch_(Shape{cfg_.batch, cfg_.model.input}) {
        if (static_cast<size_t>(cfg_.batch) > train_.size())
            usage_fail("--batch ", cfg_.batch, ": larger than the training set (", train_.size(), " images)");
    }

    Metrics step(int) override {
        sampler_.next(train_.images(), batch_);
        tape_.reset();
        opt_.zero_grad();
        const models::AeLosses l = model_.loss(tape_, tape_.constant(batch_), &noise_);
        tape_.backward(l.objective);
        opt_.step();
        if (!cfg_.model.variational) return {{"train_loss", tape_.item(l.recon)}};
        return {{"train_loss", tape_.item(l.recon)}, {"train_kl", tape_.item(l.kl)}};
    }

    Metrics eval(int) override { return test_metrics(model_, test_); }

    void track(Trainer& t) override {
        t.track("model.", model_);
        t.track("optim.", opt_);
        t.track("data.", sampler_);
        t.track_rng("noise", noise_);
    }

    nlohmann::ordered_json config() const override { return ae_spec().to_json(cfg_); }

    void write_outputs(const std::string& dir) override { write_pictures(model_, test_, seed_, dir); }

    std::vector<PlotPanel> plots() const override {
        std::vector<PlotPanel> p{{"reconstruction loss (per pixel)", {"train_loss", "test_loss"}}};
        if (cfg_.model.variational) p.push_back({"KL per image (nats)", {"train_kl", "test_kl"}});
        return p;
    }

    std::vector<LayerProbe> probe() override {
        const int n = std::min<int>(kProbeExamples, static_cast<int>(test_.size()));  // the first test images
        Tensor x(Shape{n, cfg_.model.input});                                         // (N, P)
        test_.images().copy_rows(0, static_cast<size_t>(n), x.data());
        Tape t;
        LayerRecord rec;
        Rng noise(stream_seed(0, "diagnostics"));  // the same reparameterisation noise for every run
        model_.zero_grad();
        const BuffersKept kept(model_);  // the conv decoder's batch norm runs in training mode, as in a step
        const models::AeLosses l = model_.loss(t, t.constant(x), &noise, &rec);
        t.backward(l.objective);
        // The plain autoencoder's code layer carries the hidden activation too (the encoder's last).
        const size_t code = models::code_layer(cfg_.model);
        std::vector<LayerProbe> out = probe_layers(t, rec, "", [&](size_t i, const LayerRecord::Layer& layer) {
            return layer.hidden || (!cfg_.model.variational && i == code);
        });
        model_.zero_grad();
        return out;
    }

private:
    static const models::AutoencoderConfig& with_input(AeConfig& cfg, const data::ImageDataset& train,
                                                       const data::ImageDataset& test) {
        if (test.pixels() != train.pixels())
            fail("test images are ", test.rows, "x", test.cols, " but training images ", train.rows, "x", train.cols);
        cfg.model.input = train.pixels();
        // train() checked the model's size before the data set the image size; now it is known.
        const MemoryEstimate need = models::memory_estimate(cfg.model, cfg.batch);
        require_refined_memory(need.training_bytes(),
                               str("training this ae model on ", train.rows, "x", train.cols, " images (",
                                   need.parameters, " parameters) at its --batch"),
                               "use smaller images, smaller layers or a smaller --batch", true);
        return cfg.model;
    }

    AeConfig cfg_;
    uint64_t seed_;
    data::ImageDataset train_, test_;
    Rng init_rng_{stream_seed(seed_, "init")};
    Autoencoder model_;
    Adam opt_;
    data::BatchSampler sampler_;
    Rng noise_;
    Tape tape_;
    Tensor batch_;  // (B, P)
};

void sample_ae(const LoadedRun& run, const SampleOptions& opt, const ConfigBox& box) {
    const AeSampleConfig& s = config_of<AeSampleConfig>(box);
    const AeConfig& cfg = config_of<AeConfig>(*run.box);
    const data::ImageDataset test = load_split(s.data_dir.empty() ? cfg.data_dir : s.data_dir,
                                               s.class_filter == -2 ? cfg.class_filter : s.class_filter, cfg.model,
                                               data::ImageSplit::Test, s.test_limit);
    if (test.pixels() != cfg.model.input)
        fail(run.path, ": the model takes ", cfg.model.input, " pixels but the test images have ", test.pixels());
    Rng rng(0);
    Autoencoder model(cfg.model, rng);
    load_model_state(run, model);
    const SampleFolder folder("ae", run, opt, ae_sample_spec().to_json(s));
    const std::string& out = folder.dir();
    write_pictures(model, test, opt.seed, out);
    nlohmann::ordered_json mj;
    mj["step"] = run.step;
    for (const auto& [name, v] : test_metrics(model, test)) mj[name] = v;
    write_file_atomic(out + "/metrics.json", json_text(mj, 2) + "\n");
    std::cout << "genlab-ae: wrote " << out << "\n";
    for (const auto& [name, v] : mj.items()) std::cout << "  " << name << " " << v << "\n";
}

}  // namespace

const ExperimentDef& ae_experiment() {
    static const ExperimentDef def{
        .name = "ae",
        .about =
            "Train plain or variational autoencoders (MLP or conv) on images; draw reconstructions, latent walks and "
            "samples.",
        .default_steps = [](const ConfigBox&) { return 2000; },
        .default_eval_every = 500,
        .new_config = [] { return std::make_unique<TypedConfigBox<AeConfig>>(ae_spec(), nullptr); },
        .quality =
            [](const ConfigBox& box) {
                std::vector<QualityMetric> q{{"test_loss", Better::Lower}};
                if (config_of<AeConfig>(box).model.variational) q.push_back({"test_elbo", Better::Higher});
                return q;
            },
        .create = [](const ConfigBox& box, const RunOptions& run) -> std::unique_ptr<Experiment> {
            return std::make_unique<AeExperiment>(config_of<AeConfig>(box), run);
        },
        .memory =
            [](const ConfigBox& box) {
                const AeConfig& c = config_of<AeConfig>(box);
                return models::memory_estimate(c.model, c.batch);
            },
        .new_sample_config = [] { return std::make_unique<TypedConfigBox<AeSampleConfig>>(ae_sample_spec(), nullptr); },
        .sample = sample_ae,
        .outputs = {{"reconstructions.png",
                     "Test images (odd rows) and the autoencoder's reconstructions of them (the row "
                     "below each)."},
                    {"samples.png",
                     str("VAE: ", kPriorSamples, " images decoded from codes drawn from the prior N(0, I).")},
                    {"latent.png", "2-D code: where the test images land in the latent space, one colour per class."},
                    {"interpolation.png",
                     str("Each row decodes ", kLinePoints,
                         " evenly spaced points on the straight line between the codes of two test images.")},
                    {"loss.png", "Reconstruction loss per pixel on training batches and on the test set (and the VAE's "
                                 "KL term) over training."}},
        .sweep = ae_sweep_facts(),
    };
    return def;
}

}  // namespace genlab::experiments
