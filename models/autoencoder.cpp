// Plain and variational MLP autoencoders: config validation and JSON, the model's forward and
// losses, and the no-gradient helpers behind the pictures and the test-set metrics.
#include "models/autoencoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "core/ops.h"
#include "models/conv_nets.h"

namespace genlab::models {

// --- config

const ConfigSpec<AutoencoderConfig>& autoencoder_config_spec() {
    using C = AutoencoderConfig;
    static const ConfigSpec<C> spec =
        ConfigSpec<C>()
            .derived("input", &C::input, in_range(1, 1 << 24))
            .field("arch", &C::arch, "Networks: mlp, or conv (strided convolutions, transposed ones with batch norm)",
                   one_of(arch_names()))
            .field("hidden", &C::hidden,
                   "mlp: encoder hidden widths, mirrored by the decoder ('none': no hidden layer)", widths(0, 1, 65536))
            .field("channels", &C::channels,
                   "conv: encoder feature maps per stage (each halves the side), mirrored by the decoder",
                   widths(1, 1, 65536))
            .field("latent", &C::latent, "Code size Z (2 adds latent.png)", in_range(1, 65536))
            .field("act", &C::act, "Hidden activation (e.g. relu, leaky_relu:0.2, elu, gelu)", elementwise_activation())
            .field("out_act", &C::out_act,
                   "Output activation: a bounded one (sigmoid, tanh) sets the data range; else mse on [0, 1]",
                   elementwise_activation())
            .field("loss", &C::loss, "Reconstruction loss: bce or mse", one_of({"bce", "mse"}))
            .field("variational", &C::variational,
                   "Variational autoencoder (reparameterised Gaussian code, KL to N(0, I))")
            .field("beta", &C::beta, "VAE: weight of the KL term", in_range(0.f, 1e6f))
            .field("init", &C::init, "Linear init: gain (x activation gain), torch (nn.Linear's default) or gpt2",
                   one_of(init_names()))
            .rule([](const C& c) {
                if (c.arch == "conv") conv_image(c.input, static_cast<int>(c.channels.size()), "--arch conv");
                if (c.loss == "bce" && !parse_activation(c.out_act).range().bounded())
                    usage_fail("--loss bce needs a bounded output (--out-act sigmoid or tanh); with --out-act ",
                               c.out_act, " use --loss mse");
            });
    return spec;
}

ValueRange data_range(const AutoencoderConfig& cfg) {
    const ValueRange r = parse_activation(cfg.out_act).range();
    return r.bounded() ? r : ValueRange{0.f, 1.f};
}

size_t code_layer(const AutoencoderConfig& cfg) { return cfg.arch == "conv" ? cfg.channels.size() : cfg.hidden.size(); }

// --- model

namespace {

const AutoencoderConfig& validated(const AutoencoderConfig& cfg) {
    autoencoder_config_spec().validate(cfg);
    return cfg;
}

std::vector<int> encoder_sizes(const AutoencoderConfig& cfg) {
    std::vector<int> sizes{cfg.input};
    sizes.insert(sizes.end(), cfg.hidden.begin(), cfg.hidden.end());
    sizes.push_back(cfg.variational ? 2 * cfg.latent : cfg.latent);
    return sizes;
}

std::vector<int> decoder_sizes(const AutoencoderConfig& cfg) {
    std::vector<int> sizes{cfg.latent};
    sizes.insert(sizes.end(), cfg.hidden.rbegin(), cfg.hidden.rend());
    sizes.push_back(cfg.input);
    return sizes;
}

// Plain AE: the code is a hidden layer of the whole network and gets the hidden activation.
Activation encoder_out(const AutoencoderConfig& cfg) {
    return parse_activation(cfg.variational ? "identity" : cfg.act);
}

std::unique_ptr<Net> make_encoder(const AutoencoderConfig& cfg, Rng& rng) {
    if (cfg.arch == "conv") {
        const int stages = static_cast<int>(cfg.channels.size());
        return std::make_unique<ConvEncoder>(conv_image(cfg.input, stages, "--arch conv"), cfg.channels,
                                             cfg.variational ? 2 * cfg.latent : cfg.latent, parse_activation(cfg.act),
                                             encoder_out(cfg), rng, parse_init(cfg.init));
    }
    return std::make_unique<MLP>(encoder_sizes(cfg), parse_activation(cfg.act), encoder_out(cfg), rng,
                                 parse_init(cfg.init));
}

std::unique_ptr<Net> make_decoder(const AutoencoderConfig& cfg, Rng& rng) {
    // The output activation is applied by the loss (fused into bce_with_logits) or by decode().
    const Activation raw = parse_activation("identity");
    if (cfg.arch == "conv") {
        const int stages = static_cast<int>(cfg.channels.size());
        const std::vector<int> up(cfg.channels.rbegin(), cfg.channels.rend());  // the encoder's maps, smallest first
        return std::make_unique<ConvDecoder>(cfg.latent, up, conv_image(cfg.input, stages, "--arch conv"),
                                             parse_activation(cfg.act), raw, rng, parse_init(cfg.init));
    }
    return std::make_unique<MLP>(decoder_sizes(cfg), parse_activation(cfg.act), raw, rng, parse_init(cfg.init));
}

}  // namespace

Autoencoder::Autoencoder(const AutoencoderConfig& cfg, Rng& rng)
    : encoder(register_module("encoder", make_encoder(validated(cfg), rng))),
      decoder(register_module("decoder", make_decoder(cfg, rng))),
      cfg_(cfg),
      out_act_(parse_activation(cfg.out_act)) {}

MemoryEstimate memory_estimate(const AutoencoderConfig& cfg, int batch) {
    const ShapesOnly dry;  // the model and its step as shapes: nothing of their size is allocated
    Rng rng(0);
    const Autoencoder model(cfg, rng);
    // The experiment's step (experiments/ae/ae_experiment.cpp) on its one tape, at batch b.
    const auto step = [&](int b) {
        const Tensor x(Shape{b, cfg.input});  // (B, P)
        Rng noise(0);
        Tape t;
        t.backward(model.loss(t, t.constant(x), &noise).objective);
        return t.held_floats();
    };
    return {.parameters = model.num_parameters(),
            .buffers = model.num_buffer_values(),
            .step_floats = measured_step_floats(batch, step)};
}

Var Autoencoder::encode(Tape& t, Var x, LayerRecord* record) const {
    if (!cfg_.variational) return encoder(t, x, record);  // (B, Z)
    Var mu, logvar;
    encode_gaussian(t, x, &mu, &logvar, record);
    return mu;
}

void Autoencoder::encode_gaussian(Tape& t, Var x, Var* mu, Var* logvar, LayerRecord* record) const {
    if (!cfg_.variational) fail("Autoencoder::encode_gaussian: the model is not variational");
    Var h = encoder(t, x, record);                       // (B, 2Z) = [mu | logvar]
    *mu = slice(t, h, 1, 0, cfg_.latent);                // (B, Z)
    *logvar = slice(t, h, 1, cfg_.latent, cfg_.latent);  // (B, Z)
}

Var Autoencoder::decode_raw(Tape& t, Var z, LayerRecord* record) const { return decoder(t, z, record); }  // (B, P)

Var Autoencoder::decode(Tape& t, Var z, LayerRecord* record) const {
    Var raw = decode_raw(t, z, record);  // (B, P)
    return out_act_.is_identity() ? raw : activate(t, raw, out_act_);
}

// Per-pixel loss on the [0, 1] scale, whatever the data range r: p = (y - lo) / (hi - lo) against
// x01 = (x - lo) / (hi - lo), so runs with different output activations compare directly.
Var Autoencoder::recon_loss(Tape& t, Var raw, Var x) const {
    const ValueRange r = data_range(cfg_);
    const float width = r.hi - r.lo;
    auto to_unit = [&](Var v) {
        return r == ValueRange{0.f, 1.f} ? v : add_scalar(t, scale(t, v, 1.f / width), -r.lo / width);
    };
    if (cfg_.loss == "bce") {
        // f(r) = lo + width * sigmoid(k r) (sigmoid, tanh): the sigmoid folds into the loss, which
        // is stable and one pass instead of activation + log + log1p.
        const float k = out_act_.def->logistic_slope;
        if (k > 0.f) return bce_with_logits(t, k == 1.f ? raw : scale(t, raw, k), to_unit(x));
        return bce(t, to_unit(activate(t, raw, out_act_)), to_unit(x));
    }
    Var y = out_act_.is_identity() ? raw : activate(t, raw, out_act_);  // (B, P)
    return width == 1.f ? mse(t, y, x) : scale(t, mse(t, y, x), 1.f / (width * width));
}

AeLosses Autoencoder::loss(Tape& t, Var x, Rng* noise, LayerRecord* record) const {
    const Shape xs = t.shape(x);
    if (xs.rank != 2 || xs[1] != cfg_.input)
        fail("Autoencoder::loss: batch ", xs.str(), " does not match the model (expected (B, ", cfg_.input, "))");
    AeLosses l;
    if (!cfg_.variational) {
        Var code = encoder(t, x, record);  // (B, Z)
        l.recon = recon_loss(t, decode_raw(t, code, record), x);
        l.objective = l.recon;
        return l;
    }
    if (!noise) fail("Autoencoder::loss: a variational model needs a noise Rng for the reparameterisation");
    Var mu, logvar;
    encode_gaussian(t, x, &mu, &logvar, record);  // (B, Z) each
    Var eps = t.input(t.shape(mu));               // (B, Z) ~ N(0, I)
    noise->fill_normal(t.value(eps));
    Var z = add(t, mu, mul(t, exp(t, scale(t, logvar, 0.5f)), eps));  // mu + sigma * eps, (B, Z)
    l.recon = recon_loss(t, decode_raw(t, z, record), x);
    l.kl = kl_normal(t, mu, logvar);
    // Per-image sums (P * per-pixel mean) so that beta = 1 is the negative ELBO.
    l.objective = add(t, scale(t, l.recon, static_cast<float>(cfg_.input)), scale(t, l.kl, cfg_.beta));
    return l;
}

// --- inference helpers

namespace {

void require_images(const Autoencoder& m, const RowSource& images, const char* what) {
    if (images.cols() != m.config().input)
        fail(what, ": images (", images.rows(), ", ", images.cols(), ") do not match the model (expected (N, ",
             m.config().input, "))");
}

// f(tape, x) -> Var (n, D_out) over batches of src, gathered into one (N, D_out) tensor.
template <class F>
Tensor map_batches(const RowSource& src, int batch, int d_out, F&& f) {
    const int n = static_cast<int>(src.rows());
    Tensor out(Shape{n, d_out});
    Tape t;
    NoGradGuard ng(t);
    Tensor scratch;  // a batch decoded from bytes
    for (int r0 = 0; r0 < n; r0 += batch) {
        const int b = std::min(batch, n - r0);
        t.reset();
        Tensor xb = src.block(static_cast<size_t>(r0), static_cast<size_t>(b), scratch);
        Var y = f(t, t.constant(xb));
        std::memcpy(out.data() + static_cast<size_t>(r0) * static_cast<size_t>(d_out), t.value(y).data(),
                    static_cast<size_t>(b) * static_cast<size_t>(d_out) * sizeof(float));
    }
    return out;
}

}  // namespace

AeEvaluation evaluate(Autoencoder& model, const RowSource& images, uint64_t noise_seed, int batch) {
    require_images(model, images, "evaluate");
    if (batch <= 0) fail("evaluate: batch must be positive, got ", batch);
    const int n = static_cast<int>(images.rows());
    if (n == 0) fail("evaluate: empty test set");
    Rng noise(noise_seed);
    const EvalGuard eval(model);
    Tape t;
    NoGradGuard ng(t);
    double recon_sum = 0, kl_sum = 0;
    Tensor scratch;  // a batch decoded from bytes
    for (int r0 = 0; r0 < n; r0 += batch) {
        const int b = std::min(batch, n - r0);
        t.reset();
        Tensor xb = images.block(static_cast<size_t>(r0), static_cast<size_t>(b), scratch);
        AeLosses l = model.loss(t, t.constant(xb), &noise);
        recon_sum += static_cast<double>(t.item(l.recon)) * b;  // batch means back to sums: exact weighting
        if (l.kl.valid()) kl_sum += static_cast<double>(t.item(l.kl)) * b;
    }
    AeEvaluation e;
    e.loss = recon_sum / n;
    e.kl = kl_sum / n;
    e.elbo = -(static_cast<double>(model.config().input) * e.loss + e.kl);
    return e;
}

Tensor encode_all(Autoencoder& model, const RowSource& images, int batch) {
    require_images(model, images, "encode_all");
    const EvalGuard eval(model);
    return map_batches(images, batch, model.config().latent, [&](Tape& t, Var x) { return model.encode(t, x); });
}

Tensor decode_all(Autoencoder& model, const Tensor& codes) {
    const Shape& s = codes.shape();
    if (s.rank != 2 || s[1] != model.config().latent)
        fail("decode_all: codes ", s.str(), " do not match the model (expected (N, ", model.config().latent, "))");
    const EvalGuard eval(model);
    return map_batches(codes, 500, model.config().input, [&](Tape& t, Var z) { return model.decode(t, z); });
}

Tensor reconstruct(Autoencoder& model, const Tensor& images) { return decode_all(model, encode_all(model, images)); }

Tensor interpolate(Autoencoder& model, const Tensor& a, const Tensor& b, int steps) {
    if (a.shape() != b.shape())
        fail("interpolate: endpoint batches differ: ", a.shape().str(), " vs ", b.shape().str());
    if (steps < 2) fail("interpolate: steps must be >= 2, got ", steps);
    const Tensor za = encode_all(model, a), zb = encode_all(model, b);  // (pairs, Z)
    const int pairs = a.shape()[0], z = model.config().latent;
    Tensor codes(Shape{pairs * steps, z});
    for (int p = 0; p < pairs; ++p)
        for (int s = 0; s < steps; ++s) {
            const float w = static_cast<float>(s) / static_cast<float>(steps - 1);
            for (int k = 0; k < z; ++k) {
                const size_t src = static_cast<size_t>(p) * static_cast<size_t>(z) + static_cast<size_t>(k);
                codes[static_cast<size_t>(p * steps + s) * static_cast<size_t>(z) + static_cast<size_t>(k)] =
                    (1.f - w) * za[src] + w * zb[src];
            }
        }
    return decode_all(model, codes);
}

Tensor sample_prior(Autoencoder& model, int n, Rng& rng) {
    if (!model.config().variational) fail("sample_prior: only a variational autoencoder has a prior to sample");
    if (n <= 0) fail("sample_prior: n must be positive, got ", n);
    Tensor codes(Shape{n, model.config().latent});  // (N, Z)
    rng.fill_normal(codes);
    return decode_all(model, codes);
}

}  // namespace genlab::models
