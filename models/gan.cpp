// GAN modules, config, losses and sampling (see gan.h).
#include "models/gan.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/ops.h"
#include "models/conv_nets.h"

namespace genlab::models {

const ConfigSpec<GanConfig>& gan_config_spec() {
    static const ConfigSpec<GanConfig> spec =
        ConfigSpec<GanConfig>()
            .derived("data_dim", &GanConfig::data_dim, in_range(1, 1 << 24))
            .field("latent", &GanConfig::latent, "Latent size Z", in_range(1, 65536))
            .field("arch", &GanConfig::arch, "Networks: mlp, or conv (DCGAN: strided convolutions, batch norm)",
                   one_of(arch_names()))
            .field("g_hidden", &GanConfig::g_hidden, "mlp: generator hidden widths", widths(1, 1, 65536))
            .field("d_hidden", &GanConfig::d_hidden, "mlp: discriminator hidden widths", widths(1, 1, 65536))
            .field("g_channels", &GanConfig::g_channels,
                   "conv: generator feature maps per stage (each stage doubles the side)", widths(1, 1, 65536))
            .field("d_channels", &GanConfig::d_channels,
                   "conv: discriminator feature maps per stage (each stage halves the side)", widths(1, 1, 65536))
            .field("d_norm", &GanConfig::d_norm,
                   "conv: discriminator normalisation after every convolution but the first: batch (DCGAN's; D "
                   "then sees real and generated images as separate batches) or none",
                   one_of({"batch", "none"}))
            .field("g_act", &GanConfig::g_act, "Generator hidden activation (overrides --act)",
                   elementwise_activation())
            .field("d_act", &GanConfig::d_act, "Discriminator hidden activation (overrides --act)",
                   elementwise_activation())
            .field("g_out", &GanConfig::g_out, "Generator output activation (the data is scaled to its range)",
                   elementwise_activation())
            .field("init", &GanConfig::init,
                   "Weight init: torch (PyTorch's default), gain (x activation gain), gpt2 (N(0, 0.02), DCGAN's; "
                   "conv's default)",
                   one_of(init_names()))
            .rule([](const GanConfig& c) {
                if (c.arch != "conv") return;
                if (c.g_channels.size() != c.d_channels.size())
                    usage_fail("--g-channels and --d-channels: the conv nets need as many stages in G (",
                               c.g_channels.size(), ") as in D (", c.d_channels.size(), ")");
                conv_image(c.data_dim, static_cast<int>(c.g_channels.size()), "--arch conv");
            });
    return spec;
}

// --- networks

namespace {

std::vector<int> net_sizes(int in, const std::vector<int>& hidden, int out) {
    std::vector<int> s{in};
    s.insert(s.end(), hidden.begin(), hidden.end());
    s.push_back(out);
    return s;
}

const GanConfig& validated(const GanConfig& cfg) {
    gan_config_spec().validate(cfg);
    return cfg;
}

std::unique_ptr<Net> make_generator(const GanConfig& cfg, Rng& rng) {
    const Activation act = parse_activation(cfg.g_act), out = parse_activation(cfg.g_out);
    if (cfg.arch == "conv") {
        const ImageGeometry img = conv_image(cfg.data_dim, static_cast<int>(cfg.g_channels.size()), "--arch conv");
        return std::make_unique<ConvDecoder>(cfg.latent, cfg.g_channels, img, act, out, rng, parse_init(cfg.init));
    }
    return std::make_unique<MLP>(net_sizes(cfg.latent, cfg.g_hidden, cfg.data_dim), act, out, rng,
                                 parse_init(cfg.init));
}

std::unique_ptr<Net> make_discriminator(const GanConfig& cfg, Rng& rng) {
    const Activation act = parse_activation(cfg.d_act), logit = parse_activation("identity");
    if (cfg.arch == "conv") {
        const ImageGeometry img = conv_image(cfg.data_dim, static_cast<int>(cfg.d_channels.size()), "--arch conv");
        return std::make_unique<ConvEncoder>(img, cfg.d_channels, 1, act, logit, rng, parse_init(cfg.init),
                                             cfg.d_norm == "batch");
    }
    return std::make_unique<MLP>(net_sizes(cfg.data_dim, cfg.d_hidden, 1), act, logit, rng, parse_init(cfg.init));
}

}  // namespace

Gan::Gan(const GanConfig& cfg, Rng& rng)
    : g(register_module("g", make_generator(validated(cfg), rng))),
      d(register_module("d", make_discriminator(cfg, rng))),
      cfg_(cfg) {}

MemoryEstimate memory_estimate(const GanConfig& cfg, int batch, GanLoss loss) {
    const ShapesOnly dry;  // the networks and their step as shapes: nothing of their size is allocated
    Rng rng(0);
    Gan gan(cfg, rng);
    // The experiment's step (experiments/gan/gan_experiment.cpp) on its two tapes, at batch b: D's
    // update on [real; G(z)] with G(z) made without gradients, then G's through frozen D. More D
    // updates in a step (--d-steps) refill D's tape with the same slots.
    const auto step = [&](int b) {
        const Tensor z(Shape{b, cfg.latent}), real_and_fake(Shape{2 * b, cfg.data_dim}), targets(Shape{2 * b, 1}),
            ones(Shape{b, 1});
        Tape td, tg;
        {
            NoGradGuard no_grad(td);
            gan.g(td, td.constant(z));
        }
        td.backward(gan_d_loss(td, gan.d(td, td.constant(real_and_fake)), td.constant(targets), loss));
        const FreezeGuard frozen(gan.d);
        tg.backward(gan_g_loss(tg, gan.d(tg, gan.g(tg, tg.constant(z))), tg.constant(ones), loss));
        return td.held_floats() + tg.held_floats();
    };
    return {.parameters = gan.num_parameters(),
            .buffers = gan.num_buffer_values(),
            .step_floats = measured_step_floats(batch, step)};
}

namespace {

const std::vector<std::pair<std::string, GanLoss>>& gan_losses() {
    static const std::vector<std::pair<std::string, GanLoss>> losses{
        {"ns", GanLoss::NonSaturating}, {"minimax", GanLoss::Minimax}, {"lsgan", GanLoss::LeastSquares}};
    return losses;
}

}  // namespace

GanLoss parse_gan_loss(const std::string& name) {
    for (const auto& [n, loss] : gan_losses())
        if (n == name) return loss;
    std::string known;
    for (const std::string& n : gan_loss_names()) known += (known.empty() ? "" : ", ") + n;
    usage_fail("--loss ", name, ": unknown GAN loss (expected ", known, ")");
}

const std::vector<std::string>& gan_loss_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& [name, loss] : gan_losses()) n.push_back(name);
        return n;
    }();
    return names;
}

// --- losses

Var gan_d_loss(Tape& t, Var logits, Var targets, GanLoss loss) {
    // Both halves have the same size, so mean_real + mean_fake = 2 * mean over all rows.
    if (loss == GanLoss::LeastSquares) return mse(t, logits, targets);  // ½mean_r (s-1)² + ½mean_f s²
    return scale(t, bce_with_logits(t, logits, targets), 2.f);
}

Var gan_g_loss(Tape& t, Var logits, Var ones, GanLoss loss) {
    switch (loss) {
        case GanLoss::NonSaturating: return bce_with_logits(t, logits, ones);
        case GanLoss::Minimax: {
            // log(1 - sigmoid(s)) = -bce(s, 0): its gradient vanishes where D confidently rejects G(z).
            Var zeros = t.constant_fill(t.shape(logits), 0.f);
            return scale(t, bce_with_logits(t, logits, zeros), -1.f);
        }
        case GanLoss::LeastSquares: return scale(t, mse(t, logits, ones), 0.5f);
    }
    return {};
}

// --- sampling

Tensor sample_latent(int n, int latent, Rng& rng) {
    if (n < 0 || latent <= 0) fail("sample_latent: bad size (", n, ", ", latent, ")");
    Tensor z(Shape{n, latent});  // (N, Z)
    if (n) rng.fill_normal(z);
    return z;
}

Tensor generate(Gan& gan, const Tensor& z) {
    const int latent = gan.config().latent, p = gan.config().data_dim;
    if (z.shape().rank != 2 || z.shape()[1] != latent)
        fail("generate: latent batch ", z.shape().str(), " does not match the generator (expected (N, ", latent, "))");
    const int n = z.shape()[0];
    Tensor out(Shape{n, p});  // (N, P)
    constexpr int kChunk = 1000;
    const EvalGuard eval(gan);
    Tape t;
    NoGradGuard no_grad(t);
    for (int r0 = 0; r0 < n; r0 += kChunk) {
        const int rows = std::min(kChunk, n - r0);
        t.reset();
        Tensor zc = Tensor::view(const_cast<float*>(z.data()) + static_cast<size_t>(r0) * latent, Shape{rows, latent});
        Var x = gan.g(t, t.constant(zc));  // (rows, P)
        std::memcpy(out.data() + static_cast<size_t>(r0) * p, t.value(x).data(),
                    static_cast<size_t>(rows) * p * sizeof(float));
    }
    return out;
}

Tensor interpolate_latent(const Tensor& z0, const Tensor& z1, int steps) {
    if (z0.shape() != z1.shape() || z0.shape().rank != 2)
        fail("interpolate_latent: z0 and z1 must have one shape (R, Z)");
    if (steps < 2) fail("interpolate_latent: steps must be >= 2, got ", steps);
    const int r = z0.shape()[0], zd = z0.shape()[1];
    Tensor out(Shape{r * steps, zd});  // (R*steps, Z)
    for (int i = 0; i < r; ++i)
        for (int s = 0; s < steps; ++s) {
            const float a = static_cast<float>(s) / static_cast<float>(steps - 1);
            float* dst = out.data() + (static_cast<size_t>(i) * steps + s) * zd;
            const float* p0 = z0.data() + static_cast<size_t>(i) * zd;
            const float* p1 = z1.data() + static_cast<size_t>(i) * zd;
            for (int k = 0; k < zd; ++k) dst[k] = (1.f - a) * p0[k] + a * p1[k];
        }
    return out;
}

}  // namespace genlab::models
