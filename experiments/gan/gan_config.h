// The GAN experiment's configs: a run's (genlab-gan train's flags, declared once in gan_spec())
// and `sample`'s, and where the generator's output lives. What depends on the kind of data (its
// defaults, which flags apply, its unbounded range) is asked of gan_data_kind().
#pragma once
#include <string>

#include "config/config.h"
#include "core/value_range.h"
#include "experiments/experiment.h"
#include "models/gan.h"

namespace genlab::experiments {

// --arch conv's generator activation when neither --act nor --g-act is given (DCGAN's).
inline constexpr const char* kDcganGAct = "relu";
// --arch conv's Adam learning rate when --lr is not given: at DCGAN's 2e-4 and batch 64 the nets
// are still learning at 3,000 steps (docs/gan.md measures both).
inline constexpr float kDcganLr = 4e-4f;

struct GanExpConfig {
    std::string data = "fashion-mnist";  // an image set or a 2-D toy (data::toy2d_names())
    std::string data_dir;                // IDX folder; "": Fashion-MNIST from the Debian package
    int class_filter = -1;               // images: train on one class only; -1: all
    int limit = 0;                       // images: first N training images (0: all)
    std::string act = "leaky_relu:0.2";  // hidden activation of both networks (--g-act / --d-act override)
    std::string loss = "ns";             // ns (non-saturating), minimax, lsgan
    int batch = 64;                      // B real (and B fake) samples per D update
    float lr = 2e-4f;                    // Adam learning rate of both networks (--arch conv: kDcganLr)
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

const ConfigSpec<GanExpConfig>& gan_spec();
// The defaults that depend on other fields (both networks' activation, the data's sizes), for
// the keys not given.
void resolve_gan(GanExpConfig& c, const Given& given);
// Where G's output lives, and so where the data is put: the output activation's range when it is
// bounded, otherwise the data kind's own.
ValueRange gan_output_range(const GanExpConfig& c);

struct GanSampleConfig {
    int num = 64;              // samples to draw
    bool interpolate = false;  // images: also interpolation.png
    int upscale = 3;           // images: magnification
};

const ConfigSpec<GanSampleConfig>& gan_sample_spec();

}  // namespace genlab::experiments
