// The GAN on a 2-D toy mixture (data/toy2d.h): real batches drawn from the mixture, quality as
// VEEGAN's modes_covered and high_quality_fraction (higher is better), pictures as scatter plots
// of generated points over real ones and the mode centres.
#include <algorithm>
#include <cmath>

#include "core/io/atomic_file.h"
#include "data/toy2d.h"
#include "experiments/gan/gan_data.h"
#include "models/gan_metrics.h"
#include "viz/plot.h"

namespace genlab::experiments {

namespace {

constexpr int kProgressPoints = 512;  // fixed noise vectors per progress panel

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

// --- pictures: real points, generated points and mode centres, through the plot module

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

// One panel of generated points per recorded snapshot.
void save_toy_progress(const std::string& path, const data::Toy2d& toy, const ToySpace& space,
                       const ProgressFrames& progress) {
    Figure fig{.title = "generated points over training",
               .cols = std::min(progress.rows(), 4),
               .panel_width = 260,
               .panel_height = 260,
               .svg_id = "progress"};
    for (int k = 0; k < progress.filled(); ++k) {
        Tensor f = progress.frames(k, k + 1);
        space.to_data(f);
        fig.panels.push_back(toy_panel(toy, str("step ", progress.snapshot_step(k)), nullptr, f));
    }
    save_png(path, render_png(fig));
}

// --- a run

class GanToyData : public GanData {
public:
    GanToyData(const GanExpConfig& c, uint64_t seed)
        : name_(c.data),
          latent_(c.model.latent),
          seed_(seed),
          toy_(data::make_toy2d(c.data)),
          space_(toy_space(toy_, gan_output_range(c))) {}

    void next_real(Rng& rng, Tensor& batch) override {
        toy_.sample(rng, batch);
        space_.to_model(batch);
    }

    void probe_real(Rng& rng, Tensor& real) const override {
        toy_.sample(rng, real);
        space_.to_model(real);
    }

    Metrics eval(models::Gan& gan) override {
        const models::ModeCoverage mc = models::mode_coverage(eval_points(gan), toy_.centres, toy_.sigma);
        return {{"modes_covered", mc.modes_covered}, {"high_quality_fraction", mc.high_quality_fraction}};
    }

    std::vector<PlotPanel> quality_plots() const override { return {{"modes covered", {"modes_covered"}}}; }

    int progress_width() const override { return kProgressPoints; }

    void write_outputs(const std::string& dir, models::Gan& gan, const ProgressFrames& progress) override {
        const Tensor fake = eval_points(gan);  // the points the mode metrics counted
        Tensor real(Shape{kModeSamples, 2});
        Rng real_rng(stream_seed(seed_, "pictures"));
        toy_.sample(real_rng, real);
        const models::ModeCoverage mc = models::mode_coverage(fake, toy_.centres, toy_.sigma);
        save_scatter(dir + "/scatter.png", toy_,
                     str(name_, ": ", mc.modes_covered, "/", toy_.centres.size(), " modes covered"), &real, fake);
        if (progress.filled() > 0) save_toy_progress(dir + "/progress.png", toy_, space_, progress);
    }

private:
    // kModeSamples generated points from the eval stream, in data coordinates.
    Tensor eval_points(models::Gan& gan) const {
        Rng rng(stream_seed(seed_, "eval"));
        Tensor x = models::generate(gan, models::sample_latent(kModeSamples, latent_, rng));
        space_.to_data(x);
        return x;
    }

    std::string name_;
    int latent_;
    uint64_t seed_;
    data::Toy2d toy_;
    ToySpace space_;
};

// --- the kind

class GanToyKind : public GanDataKind {
public:
    void resolve(GanExpConfig& c, const Given& given) const override {
        if (!given("latent")) c.model.latent = 16;
        if (!given("g_hidden")) c.model.g_hidden = {128, 128};
        if (!given("d_hidden")) c.model.d_hidden = {128, 128};
        if (!given("batch")) c.batch = kToyBatch;
        if (!given("g_out")) c.model.g_out = "identity";
    }

    void check(const GanExpConfig& c) const override {
        if (c.model.arch == "conv")
            usage_fail("--arch conv: the convolutional nets take images, and --data ", c.data,
                       " is 2-D points (use --arch mlp)");
        if (c.class_filter != -1 || !c.data_dir.empty())
            usage_fail("--class and --data-dir apply to image datasets, not to ", c.data);
    }

    ValueRange unbounded_range() const override { return {}; }  // the raw coordinates

    std::vector<QualityMetric> quality(const GanExpConfig&) const override {
        return {{"modes_covered", Better::Higher}, {"high_quality_fraction", Better::Higher}};
    }

    std::unique_ptr<GanData> load(GanExpConfig& c, const RunOptions& run) const override {
        c.model.data_dim = 2;
        c.image_rows = c.image_cols = 0;
        return std::make_unique<GanToyData>(c, run.seed);
    }

    // scatter.png of the draws over as many real points, and samples.csv of the draws.
    void write_samples(const std::string& out, models::Gan& gan, const GanExpConfig& c, const GanSampleConfig& s,
                       Rng& rng) const override {
        Tensor x = models::generate(gan, models::sample_latent(s.num, c.model.latent, rng));  // (N, 2)
        const data::Toy2d toy = data::make_toy2d(c.data);
        toy_space(toy, gan_output_range(c)).to_data(x);
        Tensor real(Shape{s.num, 2});
        toy.sample(rng, real);
        save_scatter(out + "/scatter.png", toy, str(c.data, ": ", s.num, " samples"), &real, x);
        std::string csv = "x,y\n";
        for (int i = 0; i < s.num; ++i)
            csv += str(x[2 * static_cast<size_t>(i)], ",", x[2 * static_cast<size_t>(i) + 1], "\n");
        write_file_atomic(out + "/samples.csv", csv);
    }
};

}  // namespace

const GanDataKind& toy_data_kind() {
    static const GanToyKind kind;
    return kind;
}

}  // namespace genlab::experiments
