// Plain and variational MLP autoencoders: config validation and JSON, the model's forward and
// losses, and the no-gradient helpers behind the pictures and the test-set metrics.
#include "models/autoencoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops.h"

namespace genlab::models {

// --- config

void AutoencoderConfig::validate() const {
    if (input <= 0) usage_fail("autoencoder: input size must be positive, got ", input);
    for (size_t i = 0; i < hidden.size(); ++i)
        if (hidden[i] <= 0 || hidden[i] > 1 << 16)
            usage_fail("--hidden: width ", hidden[i], " at position ", i + 1, " must be in 1..65536 (e.g. --hidden 512,128)");
    if (latent <= 0 || latent > 1 << 16) usage_fail("--latent ", latent, ": must be in 1..65536 (e.g. 32, or 2 for latent.png)");
    const Activation a = parse_activation(act);  // UsageError listing the known names
    if (!a.def->elementwise) usage_fail("--act ", act, ": not elementwise (a distribution over the last dim); pick e.g. gelu");
    if (out_act != "sigmoid" && out_act != "tanh" && out_act != "identity")
        usage_fail("--out-act '", out_act, "': expected sigmoid, tanh or identity");
    if (loss != "bce" && loss != "mse") usage_fail("--loss '", loss, "': expected bce or mse");
    if (loss == "bce" && out_act == "identity")
        usage_fail("--loss bce needs outputs in (0, 1): use --out-act sigmoid or tanh, or --loss mse with --out-act identity");
    if (!std::isfinite(beta) || beta < 0.f) usage_fail("--beta ", beta, ": must be finite and >= 0");
}

std::string AutoencoderConfig::to_json() const {
    nlohmann::ordered_json j;
    j["input"] = input;
    j["hidden"] = hidden;
    j["latent"] = latent;
    j["act"] = act;
    j["out_act"] = out_act;
    j["loss"] = loss;
    j["variational"] = variational;
    j["beta"] = beta;
    return j.dump();
}

AutoencoderConfig AutoencoderConfig::from_json(const std::string& text, const std::string& what) {
    AutoencoderConfig c;
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        if (!j.is_object()) fail(what, ": autoencoder config is not a JSON object");
        for (const auto& [key, v] : j.items()) {
            if (key == "input") c.input = v.get<int>();
            else if (key == "hidden") c.hidden = v.get<std::vector<int>>();
            else if (key == "latent") c.latent = v.get<int>();
            else if (key == "act") c.act = v.get<std::string>();
            else if (key == "out_act") c.out_act = v.get<std::string>();
            else if (key == "loss") c.loss = v.get<std::string>();
            else if (key == "variational") c.variational = v.get<bool>();
            else if (key == "beta") c.beta = v.get<float>();
            else fail(what, ": unknown autoencoder config key '", key, "' (written by a newer genlab?)");
        }
    } catch (const nlohmann::json::exception& e) {
        fail(what, ": bad autoencoder config: ", e.what());
    }
    try {
        c.validate();
    } catch (const UsageError& e) {
        fail(what, ": stored config is invalid: ", e.what());
    }
    return c;
}

DataRange data_range(const AutoencoderConfig& cfg) {
    return cfg.out_act == "tanh" ? DataRange{-1.f, 1.f} : DataRange{0.f, 1.f};
}

// --- model

namespace {

const AutoencoderConfig& validated(const AutoencoderConfig& cfg) {
    cfg.validate();
    return cfg;
}

std::unique_ptr<MLP> make_encoder(const AutoencoderConfig& cfg, Rng& rng) {
    std::vector<int> sizes{cfg.input};
    sizes.insert(sizes.end(), cfg.hidden.begin(), cfg.hidden.end());
    sizes.push_back(cfg.variational ? 2 * cfg.latent : cfg.latent);
    const Activation act = parse_activation(cfg.act);
    // Plain AE: the code is a hidden layer of the whole network and gets the hidden activation.
    return std::make_unique<MLP>(sizes, act, cfg.variational ? parse_activation("identity") : act, rng);
}

std::unique_ptr<MLP> make_decoder(const AutoencoderConfig& cfg, Rng& rng) {
    std::vector<int> sizes{cfg.latent};
    sizes.insert(sizes.end(), cfg.hidden.rbegin(), cfg.hidden.rend());
    sizes.push_back(cfg.input);
    // The output activation is applied by the loss (fused into bce_with_logits) or by decode().
    return std::make_unique<MLP>(sizes, parse_activation(cfg.act), parse_activation("identity"), rng);
}

}  // namespace

Autoencoder::Autoencoder(const AutoencoderConfig& cfg, Rng& rng)
    : encoder(register_module("encoder", make_encoder(validated(cfg), rng))),
      decoder(register_module("decoder", make_decoder(cfg, rng))),
      cfg_(cfg),
      out_act_(parse_activation(cfg.out_act)) {}

Var Autoencoder::encode(Tape& t, Var x, LayerRecord* record) const {
    if (!cfg_.variational) return encoder(t, x, record);  // (B, Z)
    Var mu, logvar;
    encode_gaussian(t, x, &mu, &logvar, record);
    return mu;
}

void Autoencoder::encode_gaussian(Tape& t, Var x, Var* mu, Var* logvar, LayerRecord* record) const {
    if (!cfg_.variational) fail("Autoencoder::encode_gaussian: the model is not variational");
    Var h = encoder(t, x, record);                 // (B, 2Z) = [mu | logvar]
    *mu = slice(t, h, 1, 0, cfg_.latent);          // (B, Z)
    *logvar = slice(t, h, 1, cfg_.latent, cfg_.latent);  // (B, Z)
}

Var Autoencoder::decode_raw(Tape& t, Var z, LayerRecord* record) const { return decoder(t, z, record); }  // (B, P)

Var Autoencoder::decode(Tape& t, Var z, LayerRecord* record) const {
    Var raw = decode_raw(t, z, record);  // (B, P)
    return cfg_.out_act == "identity" ? raw : activate(t, raw, out_act_);
}

Var Autoencoder::recon_loss(Tape& t, Var raw, Var x) const {
    const bool tanh_out = cfg_.out_act == "tanh";
    if (cfg_.loss == "bce") {
        // sigmoid folded into the loss: stable, and one pass instead of sigmoid + log + log1p.
        if (!tanh_out) return bce_with_logits(t, raw, x);
        // (tanh(r) + 1) / 2 = sigmoid(2r): BCE of the [0, 1]-scaled output against (x + 1) / 2.
        return bce_with_logits(t, scale(t, raw, 2.f), add_scalar(t, scale(t, x, 0.5f), 0.5f));
    }
    if (cfg_.out_act == "identity") return mse(t, raw, x);
    Var y = activate(t, raw, out_act_);  // (B, P)
    // On [-1, 1] data the squared error is 4x its [0, 1]-scale value.
    return tanh_out ? scale(t, mse(t, y, x), 0.25f) : mse(t, y, x);
}

AeLosses Autoencoder::loss(Tape& t, Var x, Rng* noise, LayerRecord* record) const {
    const Shape xs = t.shape(x);
    if (xs.rank != 2 || xs[1] != cfg_.input)
        fail("Autoencoder::loss: batch ", xs.str(), " does not match the model (expected (B, ", cfg_.input, "))");
    AeLosses l;
    if (!cfg_.variational) {
        Var code = encoder(t, x, record);                       // (B, Z)
        l.recon = recon_loss(t, decode_raw(t, code, record), x);
        l.objective = l.recon;
        return l;
    }
    if (!noise) fail("Autoencoder::loss: a variational model needs a noise Rng for the reparameterisation");
    Var mu, logvar;
    encode_gaussian(t, x, &mu, &logvar, record);                // (B, Z) each
    Var eps = t.input(t.shape(mu));                             // (B, Z) ~ N(0, I)
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

void require_images(const Autoencoder& m, const Tensor& images, const char* what) {
    const Shape& s = images.shape();
    if (s.rank != 2 || s[1] != m.config().input)
        fail(what, ": images ", s.str(), " do not match the model (expected (N, ", m.config().input, "))");
}

// Rows [r0, r0 + n) of a (N, D) tensor as a view (no copy).
Tensor rows_view(const Tensor& src, int r0, int n) {
    const int d = src.shape()[1];
    return Tensor::view(const_cast<float*>(src.data()) + static_cast<size_t>(r0) * static_cast<size_t>(d), Shape{n, d});
}

// f(tape, x) -> Var (n, D_out) over batches of src, gathered into one (N, D_out) tensor.
template <class F>
Tensor map_batches(const Tensor& src, int batch, int d_out, F&& f) {
    const int n = src.shape()[0];
    Tensor out(Shape{n, d_out});
    Tape t;
    NoGradGuard ng(t);
    for (int r0 = 0; r0 < n; r0 += batch) {
        const int b = std::min(batch, n - r0);
        t.reset();
        Tensor xb = rows_view(src, r0, b);
        Var y = f(t, t.constant(xb));
        std::memcpy(out.data() + static_cast<size_t>(r0) * static_cast<size_t>(d_out), t.value(y).data(),
                    static_cast<size_t>(b) * static_cast<size_t>(d_out) * sizeof(float));
    }
    return out;
}

}  // namespace

AeEvaluation evaluate(const Autoencoder& model, const Tensor& images, uint64_t noise_seed, int batch) {
    require_images(model, images, "evaluate");
    if (batch <= 0) fail("evaluate: batch must be positive, got ", batch);
    const int n = images.shape()[0];
    if (n == 0) fail("evaluate: empty test set");
    Rng noise(noise_seed);
    Tape t;
    NoGradGuard ng(t);
    double recon_sum = 0, kl_sum = 0;
    for (int r0 = 0; r0 < n; r0 += batch) {
        const int b = std::min(batch, n - r0);
        t.reset();
        Tensor xb = rows_view(images, r0, b);
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

Tensor encode_all(const Autoencoder& model, const Tensor& images, int batch) {
    require_images(model, images, "encode_all");
    return map_batches(images, batch, model.config().latent, [&](Tape& t, Var x) { return model.encode(t, x); });
}

Tensor decode_all(const Autoencoder& model, const Tensor& codes) {
    const Shape& s = codes.shape();
    if (s.rank != 2 || s[1] != model.config().latent)
        fail("decode_all: codes ", s.str(), " do not match the model (expected (N, ", model.config().latent, "))");
    return map_batches(codes, 500, model.config().input, [&](Tape& t, Var z) { return model.decode(t, z); });
}

Tensor reconstruct(const Autoencoder& model, const Tensor& images) { return decode_all(model, encode_all(model, images)); }

Tensor interpolate(const Autoencoder& model, const Tensor& a, const Tensor& b, int steps) {
    if (a.shape() != b.shape()) fail("interpolate: endpoint batches differ: ", a.shape().str(), " vs ", b.shape().str());
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

Tensor sample_prior(const Autoencoder& model, int n, Rng& rng) {
    if (!model.config().variational) fail("sample_prior: only a variational autoencoder has a prior to sample");
    if (n <= 0) fail("sample_prior: n must be positive, got ", n);
    Tensor codes(Shape{n, model.config().latent});  // (N, Z)
    rng.fill_normal(codes);
    return decode_all(model, codes);
}

}  // namespace genlab::models
