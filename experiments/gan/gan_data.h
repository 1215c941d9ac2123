// The GAN's data as a strategy: 2-D toy mixtures (gan_toy_data.cpp) or IDX images
// (gan_image_data.cpp). The experiment configures, trains, evaluates, probes and draws through
// these two faces without knowing which kind it holds; gan_data_kind() alone tells them apart.
//
//     const GanDataKind& kind = gan_data_kind(cfg.data);        // from the name, nothing loaded
//     std::vector<QualityMetric> q = kind.quality(cfg);         // what eval() will report
//     std::unique_ptr<GanData> data = kind.load(cfg, run);     // fills cfg.model.data_dim
//     data->next_real(data_rng, batch);                         // (B, P) real rows in G's range
//     Metrics m = data->eval(gan);                              // q's metrics, and perhaps more
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "core/train/trainer.h"
#include "core/value_range.h"
#include "experiments/experiment.h"
#include "experiments/gan/gan_config.h"
#include "experiments/gan/gan_progress.h"
#include "models/gan.h"

namespace genlab::experiments {

// Numbers the pictures, captions and help state, each written once.
constexpr int kModeSamples = 2500;       // 2-D: VEEGAN's sample count for mode coverage
constexpr int kSampleImages = 64;        // images: samples.png at the end of a run
constexpr int kInterpolationPaths = 8;   // images: rows of `sample --interpolate`
constexpr int kInterpolationSteps = 10;  // images: points along each of them
constexpr int kToyBatch = 256;           // 2-D: --batch when not given

// A data set loaded for a run. Every draw comes from the stream it is given or from its own
// state under "data." in the checkpoint, so a resumed run draws what an uninterrupted one would.
class GanData {
public:
    virtual ~GanData() = default;
    // Fills every row of `batch` (B, P) with a real example in G's output range. `rng` is the
    // run's data stream; a kind that samples batches by its own schedule leaves it alone.
    virtual void next_real(Rng& rng, Tensor& batch) = 0;
    // The diagnostics' real rows (N, P), the same for every run on this data: `rng` is the fixed
    // diagnostics stream, after the latent vectors were drawn from it.
    virtual void probe_real(Rng& rng, Tensor& real) const = 0;
    // The quality metrics of `gan`, from the run's eval stream; never changes training.
    virtual Metrics eval(models::Gan& gan) = 0;
    // loss.png's panels of eval()'s metrics.
    virtual std::vector<PlotPanel> quality_plots() const = 0;
    // Fixed noise vectors per progress.png snapshot: a row of images or a panel of points.
    virtual int progress_width() const = 0;
    // The pictures of the trained `gan` and of its recorded snapshots, into `dir`.
    virtual void write_outputs(const std::string& dir, models::Gan& gan, const ProgressFrames& progress) = 0;
    // State beyond the data stream (an epoch order) under "data.".
    virtual void track(Trainer& t) { (void)t; }
};

// What a kind of data decides from the config alone, before anything is loaded, and its loader.
class GanDataKind {
public:
    virtual ~GanDataKind() = default;
    // The defaults of this kind for the fields not given (the sizes of the reference PyTorch toy GAN).
    virtual void resolve(GanExpConfig& c, const Given& given) const = 0;
    // UsageError naming the flag that this kind of data needs or cannot use.
    virtual void check(const GanExpConfig& c) const = 0;
    // Where G's output and the data live when G's output activation is unbounded.
    virtual ValueRange unbounded_range() const = 0;
    // The quality metrics eval() reports; the first ranks runs in a sweep.
    virtual std::vector<QualityMetric> quality(const GanExpConfig& c) const = 0;
    // Loads the data and fills c's derived fields (data_dim, image size); UsageError before any
    // output exists when the data or the model's memory does not fit the flags.
    virtual std::unique_ptr<GanData> load(GanExpConfig& c, const RunOptions& run) const = 0;
    // `sample`: s.num draws of `gan` from `rng` and what the kind writes of them, into `out`.
    virtual void write_samples(const std::string& out, models::Gan& gan, const GanExpConfig& c,
                               const GanSampleConfig& s, Rng& rng) const = 0;
};

const GanDataKind& toy_data_kind();
const GanDataKind& image_data_kind();
// The toy kind for a name of data::toy2d_names(), the image kind for any other.
const GanDataKind& gan_data_kind(const std::string& data);

}  // namespace genlab::experiments
