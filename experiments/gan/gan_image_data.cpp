// The GAN on IDX images (Fashion-MNIST by default): real batches in shuffled epochs, quality as
// fd_features, the Fréchet distance in a small classifier's feature space, and
// class_histogram_kl (lower is better), with the classifier trained once and cached. Pictures are
// image grids: samples.png, progress.png one row per snapshot.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "data/batch_sampler.h"
#include "data/image_dataset.h"
#include "experiments/gan/gan_data.h"
#include "models/classifier.h"
#include "models/gan_metrics.h"
#include "viz/image.h"

namespace genlab::experiments {

namespace {

constexpr int kProgressCols = 8;  // fixed noise vectors per progress row

GridOptions grid(const GanExpConfig& c, int cols) {
    return {.cols = cols,
            .upscale = c.upscale,
            .range = gan_output_range(c),
            .height = c.image_rows,
            .width = c.image_cols};
}

// --- a run

class GanImageData : public GanData {
public:
    GanImageData(const GanExpConfig& c, data::ImageDataset images, const RunOptions& run)
        : cfg_(c),
          seed_(run.seed),
          images_(std::move(images)),
          sampler_(images_.size(), stream_seed(run.seed, "data")) {
        if (c.fd_samples > 0) prepare_classifier(run.quiet);  // before training: problems show up early
    }

    // Batches come from the sampler's shuffled epochs, so the data stream stays untouched.
    void next_real(Rng&, Tensor& batch) override { sampler_.next(images_.images(), batch); }

    // The first images, cycled when the set is smaller.
    void probe_real(Rng&, Tensor& real) const override {
        const int n = real.shape()[0], p = real.shape()[1];
        const int rows = std::min<int>(n, static_cast<int>(images_.size()));
        for (int i = 0; i < n; ++i)
            images_.images().copy_rows(static_cast<size_t>(i % rows), 1, real.data() + static_cast<size_t>(i) * p);
    }

    Metrics eval(models::Gan& gan) override {
        if (!clf_) return {};
        Rng rng(stream_seed(seed_, "eval"));
        Tensor x = models::generate(gan, models::sample_latent(cfg_.fd_samples, cfg_.model.latent, rng));
        const ValueRange range = gan_output_range(cfg_);
        for (size_t i = 0; i < x.numel(); ++i) x[i] = remap(x[i], range, {-1.f, 1.f});  // the classifier's range
        Tensor feats;
        clf_->model->evaluate(x, &feats, nullptr);
        return {
            {"fd_features", models::frechet_distance(real_features_, feats)},
            {"class_histogram_kl", models::class_histogram_kl(clf_->model->predict(x), clf_->model->config().classes)},
            {"classifier_accuracy", clf_->test_accuracy}};
    }

    std::vector<PlotPanel> quality_plots() const override {
        if (cfg_.fd_samples == 0) return {};
        return {{"fd_features", {"fd_features"}}};
    }

    int progress_width() const override { return kProgressCols; }

    void write_outputs(const std::string& dir, models::Gan& gan, const ProgressFrames& progress) override {
        Rng rng(stream_seed(seed_, "pictures"));
        save_png(dir + "/samples.png",
                 image_grid(models::generate(gan, models::sample_latent(kSampleImages, cfg_.model.latent, rng)),
                            grid(cfg_, 8)));
        if (progress.filled() > 0)
            save_png(dir + "/progress.png",
                     image_grid(progress.frames(0, progress.filled()), grid(cfg_, kProgressCols)));
    }

    void track(Trainer& t) override { t.track("data.", sampler_); }

private:
    // The feature classifier (trained on the full training split once, then cached) and the
    // features of the real test images it compares with.
    void prepare_classifier(bool quiet) {
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
            test, cc, quiet);
        if (cfg_.class_filter >= 0) {  // compare with real images of the same class
            test_opt.class_filter = cfg_.class_filter;
            test = data::load_images(test_opt);
        }
        clf_->model->evaluate(test.images(), &real_features_, nullptr);
    }

    GanExpConfig cfg_;
    uint64_t seed_;
    data::ImageDataset images_;
    data::BatchSampler sampler_;
    std::optional<models::ClassifierCache> clf_;
    Tensor real_features_;
};

// --- the kind

class GanImageKind : public GanDataKind {
public:
    void resolve(GanExpConfig&, const Given&) const override {}  // the defaults are the image GAN's

    void check(const GanExpConfig& c) const override {
        if (c.data == "mnist" && c.data_dir.empty())
            usage_fail("--data mnist needs --data-dir DIR with the four IDX files");
    }

    ValueRange unbounded_range() const override { return {-1.f, 1.f}; }

    std::vector<QualityMetric> quality(const GanExpConfig& c) const override {
        if (c.fd_samples == 0) return {};
        return {{"fd_features", Better::Lower}, {"class_histogram_kl", Better::Lower}};
    }

    std::unique_ptr<GanData> load(GanExpConfig& c, const RunOptions& run) const override {
        if (!c.data_dir.empty()) require_folder("--data-dir", c.data_dir, "the MNIST four-file IDX layout");
        data::ImageDataset images = data::load_images({.data_dir = c.data_dir,
                                                       .range = gan_output_range(c),
                                                       .class_filter = c.class_filter,
                                                       .limit = static_cast<size_t>(c.limit)});
        c.image_rows = images.rows;
        c.image_cols = images.cols;
        c.model.data_dim = images.pixels();
        // train() checked the model's size before the data set the image size; now it is known.
        const MemoryEstimate need = models::memory_estimate(c.model, c.batch, models::parse_gan_loss(c.loss));
        require_refined_memory(need.training_bytes(),
                               str("training this gan model on ", c.image_rows, "x", c.image_cols, " images (",
                                   need.parameters, " parameters) at its --batch"),
                               "use smaller images, smaller layers or a smaller --batch", true);
        if (static_cast<size_t>(c.batch) > images.size())
            usage_fail("--batch ", c.batch, ": larger than the dataset (", images.size(), " images)");
        return std::make_unique<GanImageData>(c, std::move(images), run);
    }

    // samples.png, one sample_NNNN.png per draw, and with --interpolate interpolation.png.
    void write_samples(const std::string& out, models::Gan& gan, const GanExpConfig& c, const GanSampleConfig& s,
                       Rng& rng) const override {
        const Tensor x = models::generate(gan, models::sample_latent(s.num, c.model.latent, rng));  // (N, P)
        save_png(out + "/samples.png", image_grid(x, grid(c, 8)));
        const size_t p = static_cast<size_t>(c.model.data_dim);
        for (int i = 0; i < s.num; ++i) {
            Tensor one(Shape{1, c.model.data_dim});
            std::copy(x.data() + i * p, x.data() + (i + 1) * p, one.data());
            GridOptions g = grid(c, 1);
            g.gutter = 0;
            char name[32];
            std::snprintf(name, sizeof name, "/sample_%04d.png", i);
            save_png(out + name, image_grid(one, g));
        }
        if (s.interpolate) {
            Tensor z0 = models::sample_latent(kInterpolationPaths, c.model.latent, rng),
                   z1 = models::sample_latent(kInterpolationPaths, c.model.latent, rng);
            save_png(out + "/interpolation.png",
                     image_grid(models::generate(gan, models::interpolate_latent(z0, z1, kInterpolationSteps)),
                                grid(c, kInterpolationSteps)));
        }
    }
};

}  // namespace

const GanDataKind& image_data_kind() {
    static const GanImageKind kind;
    return kind;
}

}  // namespace genlab::experiments
