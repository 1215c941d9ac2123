// The GAN's flags, declared once; the data set's names come from the toy registry, so a new toy
// mixture is a flag value without an edit here.
#include "experiments/gan/gan_config.h"

#include "data/toy2d.h"
#include "experiments/gan/gan_data.h"

namespace genlab::experiments {

namespace {

std::vector<std::string> gan_data_names() {
    std::vector<std::string> n{"fashion-mnist", "mnist"};
    for (const std::string& t : data::toy2d_names()) n.push_back(t);
    return n;
}

}  // namespace

const ConfigSpec<GanExpConfig>& gan_spec() {
    using C = GanExpConfig;
    static const ConfigSpec<C> spec =
        ConfigSpec<C>()
            .field("data", &C::data, "fashion-mnist, mnist (with --data-dir), or 2-D: " + data::toy2d_names_text(),
                   one_of(gan_data_names()))
            .field("data_dir", &C::data_dir, "Folder with MNIST-layout IDX files (default: Debian's Fashion-MNIST)")
            .field("class", &C::class_filter, "Train on one image class only (-1: all)", in_range(-1, 255))
            .field("limit", &C::limit, "Use only the first N training images (0: all)", in_range(0, 10'000'000))
            .field("act", &C::act,
                   str("Hidden activation of both networks (--arch conv without it: ", kDcganGAct, " in G)"),
                   elementwise_activation())
            .field("loss", &C::loss, "ns (non-saturating), minimax, lsgan", one_of(models::gan_loss_names()))
            .field("batch", &C::batch, str("Batch size (", kToyBatch, " for 2-D data)"), in_range(1, 1 << 20))
            .field("lr", &C::lr, str("Adam learning rate (--arch conv without it: ", kDcganLr, ")"), learning_rate())
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
                gan_data_kind(c.data).check(c);
                if (c.fd_samples == 1) usage_fail("--fd-samples 1: expected 0 (off) or at least 2");
            });
    return spec;
}

void resolve_gan(GanExpConfig& c, const Given& given) {
    const bool conv = c.model.arch == "conv";
    // DCGAN: ReLU in G unless an activation was chosen, Leaky ReLU 0.2 in D, N(0, 0.02) weights.
    if (!given("g_act")) c.model.g_act = conv && !given("act") ? kDcganGAct : c.act;
    if (!given("d_act")) c.model.d_act = c.act;
    if (conv && !given("init")) c.model.init = "gpt2";
    if (conv && !given("lr")) c.lr = kDcganLr;
    gan_data_kind(c.data).resolve(c, given);
}

ValueRange gan_output_range(const GanExpConfig& c) {
    const ValueRange r = parse_activation(c.model.g_out).range();
    if (r.bounded()) return r;
    return gan_data_kind(c.data).unbounded_range();
}

const ConfigSpec<GanSampleConfig>& gan_sample_spec() {
    using C = GanSampleConfig;
    static const ConfigSpec<C> spec = ConfigSpec<C>()
                                          .field("num", &C::num, "Samples to draw", in_range(1, 10000))
                                          .field("interpolate", &C::interpolate,
                                                 str("Also write interpolation.png (", kInterpolationPaths,
                                                     " latent paths, ", kInterpolationSteps, " steps each)"))
                                          .field("upscale", &C::upscale, "Nearest-neighbour magnification",
                                                 in_range(1, 16));
    return spec;
}

}  // namespace genlab::experiments
