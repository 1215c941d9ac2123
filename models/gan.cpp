// GAN modules, losses, the preallocated training step and sampling (see gan.h).
#include "models/gan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops.h"

namespace genlab::models {

namespace {

// Holds one learnable activation parameter (shape (1)) so its key reads "act1.alpha", as MLP's.
class ActParam : public Module {
public:
    ActParam(const std::string& name, float init) : param(register_parameter(name, Tensor(Shape{1}, init))) {}
    Parameter& param;
};

Activation parse_flag_activation(const char* flag, const std::string& spec) {
    try {
        return parse_activation(spec);
    } catch (const Error& e) {
        usage_fail(flag, " ", spec, ": ", e.what());
    }
}

void check_widths(const char* flag, const std::vector<int>& w) {
    if (w.empty()) usage_fail(flag, ": expected at least one hidden width, e.g. 256,512");
    for (int v : w)
        if (v <= 0 || v > 65536) usage_fail(flag, ": width ", v, " out of range (expected 1..65536)");
}

}  // namespace

GanLoss parse_gan_loss(const std::string& name) {
    if (name == "ns") return GanLoss::NonSaturating;
    if (name == "minimax") return GanLoss::Minimax;
    if (name == "lsgan") return GanLoss::LeastSquares;
    usage_fail("--loss ", name, ": unknown GAN loss (expected ns, minimax or lsgan)");
}

std::string gan_loss_name(GanLoss loss) {
    switch (loss) {
        case GanLoss::NonSaturating: return "ns";
        case GanLoss::Minimax: return "minimax";
        case GanLoss::LeastSquares: return "lsgan";
    }
    return "ns";
}

void GanConfig::validate() const {
    if (data_dim <= 0) usage_fail("GanConfig: data_dim must be positive, got ", data_dim);
    if (latent <= 0 || latent > 65536) usage_fail("--latent ", latent, ": expected 1..65536");
    check_widths("--g-hidden", g_hidden);
    check_widths("--d-hidden", d_hidden);
    const Activation ga = parse_flag_activation("--g-act", g_act);
    const Activation da = parse_flag_activation("--d-act", d_act);
    if (!ga.def->elementwise) usage_fail("--g-act ", g_act, ": not elementwise (softmax is an output distribution)");
    if (!da.def->elementwise) usage_fail("--d-act ", d_act, ": not elementwise (softmax is an output distribution)");
    if (g_out != "tanh" && g_out != "sigmoid" && g_out != "identity")
        usage_fail("--g-out ", g_out, ": expected tanh, sigmoid or identity (the data is scaled to match)");
    parse_gan_loss(loss);
    if (batch <= 0 || batch > 1 << 20) usage_fail("--batch ", batch, ": expected 1..1048576");
    if (!(lr > 0.f) || !std::isfinite(lr)) usage_fail("--lr ", lr, ": expected a positive number");
    if (!(beta1 >= 0.f && beta1 < 1.f)) usage_fail("--beta1 ", beta1, ": expected 0 <= beta1 < 1");
    if (!(beta2 >= 0.f && beta2 < 1.f)) usage_fail("--beta2 ", beta2, ": expected 0 <= beta2 < 1");
    if (d_steps < 1 || d_steps > 100) usage_fail("--d-steps ", d_steps, ": expected 1..100");
    if (init != "torch" && init != "gain") usage_fail("--init ", init, ": expected torch or gain");
}

std::string gan_config_to_json(const GanConfig& c) {
    nlohmann::ordered_json j;
    j["data_dim"] = c.data_dim;
    j["latent"] = c.latent;
    j["g_hidden"] = c.g_hidden;
    j["d_hidden"] = c.d_hidden;
    j["g_act"] = c.g_act;
    j["d_act"] = c.d_act;
    j["g_out"] = c.g_out;
    j["loss"] = c.loss;
    j["batch"] = c.batch;
    j["lr"] = c.lr;
    j["beta1"] = c.beta1;
    j["beta2"] = c.beta2;
    j["d_steps"] = c.d_steps;
    j["init"] = c.init;
    return j.dump();
}

GanConfig gan_config_from_json(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        fail("GAN config: not valid JSON (", e.what(), ")");
    }
    if (!j.is_object()) fail("GAN config: expected a JSON object");
    GanConfig c;
    auto get = [&](const char* key, auto& field) {
        if (!j.contains(key)) fail("GAN config: missing field '", key, "' (not a genlab-gan checkpoint?)");
        try {
            j.at(key).get_to(field);
        } catch (const std::exception& e) {
            fail("GAN config: field '", key, "' has the wrong type (", e.what(), ")");
        }
    };
    get("data_dim", c.data_dim);
    get("latent", c.latent);
    get("g_hidden", c.g_hidden);
    get("d_hidden", c.d_hidden);
    get("g_act", c.g_act);
    get("d_act", c.d_act);
    get("g_out", c.g_out);
    get("loss", c.loss);
    get("batch", c.batch);
    get("lr", c.lr);
    get("beta1", c.beta1);
    get("beta2", c.beta2);
    get("d_steps", c.d_steps);
    get("init", c.init);
    try {
        c.validate();
    } catch (const Error& e) {
        fail("GAN config: ", e.what());
    }
    return c;
}

// --- networks

GanNet::GanNet(const std::vector<int>& sizes, const Activation& hidden_act, const Activation& out_act, bool act_gain,
               Rng& rng)
    : sizes_(sizes), hidden_act_(hidden_act), out_act_(out_act) {
    if (sizes.size() < 2) fail("GanNet: sizes must list at least an input and an output size");
    const size_t n_layers = sizes.size() - 1;
    for (size_t i = 0; i < n_layers; ++i) {
        const Activation& act = i + 1 < n_layers ? hidden_act_ : out_act_;
        // Init gain of the activation the layer feeds (torch.nn.init.calculate_gain), as MLP, or
        // LinearOptions' default, which is torch.nn.Linear's.
        LinearOptions lo;
        if (act_gain) lo.gain = act.gain();
        layers_.push_back(
            &register_module("fc" + std::to_string(i), std::make_unique<Linear>(sizes[i], sizes[i + 1], rng, lo)));
        Parameter* p = nullptr;
        if (act.learnable())
            p = &register_module("act" + std::to_string(i),
                                 std::make_unique<ActParam>(act.def->learnable.front().first, act.learnable_init()))
                     .param;
        act_params_.push_back(p);
    }
}

Var GanNet::operator()(Tape& t, Var x, LayerRecord* record, bool frozen) const {
    auto put = [&](Parameter& p) { return frozen ? t.constant(p.value) : t.param(p); };
    Var h = x;  // (B, sizes[0])
    for (size_t i = 0; i < layers_.size(); ++i) {
        const Activation& act = i + 1 < layers_.size() ? hidden_act_ : out_act_;
        const Linear& fc = *layers_[i];
        Var pre = fc.bias ? linear(t, h, put(fc.weight), put(*fc.bias)) : linear(t, h, put(fc.weight));  // (B, sizes[i+1])
        Var post = act.name() == "identity" ? pre
                   : act_params_[i]         ? activate(t, pre, act, put(*act_params_[i]))
                                            : activate(t, pre, act);
        if (record) {
            record->pre.push_back(pre);
            record->post.push_back(post);
        }
        h = post;
    }
    return h;
}

static std::vector<int> net_sizes(int in, const std::vector<int>& hidden, int out) {
    std::vector<int> s{in};
    s.insert(s.end(), hidden.begin(), hidden.end());
    s.push_back(out);
    return s;
}

Gan::Gan(const GanConfig& cfg, Rng& rng)
    : generator(register_module("generator",
                                std::make_unique<GanNet>(net_sizes(cfg.latent, cfg.g_hidden, cfg.data_dim),
                                                         parse_activation(cfg.g_act), parse_activation(cfg.g_out),
                                                         cfg.init == "gain", rng))),
      discriminator(register_module("discriminator",
                                    std::make_unique<GanNet>(net_sizes(cfg.data_dim, cfg.d_hidden, 1),
                                                             parse_activation(cfg.d_act), parse_activation("identity"),
                                                             cfg.init == "gain", rng))),
      cfg_(cfg) {}

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

// --- the training step

GanStep::GanStep(Gan& gan, const GanConfig& cfg)
    : gan_(gan),
      cfg_(cfg),
      loss_(parse_gan_loss(cfg.loss)),
      g_params_(gan.generator.named_parameters("generator.")),
      d_params_(gan.discriminator.named_parameters("discriminator.")) {
    const AdamOptions ao{.lr = cfg.lr, .beta1 = cfg.beta1, .beta2 = cfg.beta2};
    opt_g_ = std::make_unique<Adam>(g_params_, ao);
    opt_d_ = std::make_unique<Adam>(d_params_, ao);
    const int b = cfg.batch;
    d_input_ = Tensor(Shape{2 * b, cfg.data_dim});  // (2B, P)
    real_view_ = Tensor::view(d_input_.data(), Shape{b, cfg.data_dim});  // (B, P)
    d_targets_ = Tensor(Shape{2 * b, 1}, 0.f);  // (2B, 1)
    std::fill(d_targets_.data(), d_targets_.data() + b, 1.f);
    ones_ = Tensor(Shape{b, 1}, 1.f);  // (B, 1)
    z_ = Tensor(Shape{b, cfg.latent});  // (B, Z)
}

float GanStep::d_update(Rng& noise) {
    Tape& t = tape_d_;
    t.reset();
    d_record_.clear();
    const int b = cfg_.batch;
    const size_t half = static_cast<size_t>(b) * static_cast<size_t>(cfg_.data_dim);
    noise.fill_normal(z_);
    {
        NoGradGuard no_grad(t);  // the fake half is a constant for D's update (detach)
        Var fake = gan_.generator(t, t.constant(z_));  // (B, P)
        std::memcpy(d_input_.data() + half, t.value(fake).data(), half * sizeof(float));
    }
    // One pass over the concatenated batch: a GEMM with 2B rows runs closer to peak than two
    // with B, and D has no batch statistics, so this is exactly D(real) and D(fake).
    Var logits = gan_.discriminator(t, t.constant(d_input_), &d_record_);  // (2B, 1)
    Var loss = gan_d_loss(t, logits, t.constant(d_targets_), loss_);
    opt_d_->zero_grad();
    t.backward(loss);
    opt_d_->step();

    const float* s = t.value(logits).data();
    double real = 0, fake = 0;
    for (int i = 0; i < b; ++i) {
        const float r = s[i], f = s[b + i];
        real += loss_ == GanLoss::LeastSquares ? r : 1.0 / (1.0 + std::exp(-static_cast<double>(r)));
        fake += loss_ == GanLoss::LeastSquares ? f : 1.0 / (1.0 + std::exp(-static_cast<double>(f)));
    }
    d_real_ = static_cast<float>(real / b);
    d_fake_ = static_cast<float>(fake / b);
    return t.item(loss);
}

float GanStep::g_update(Rng& noise) {
    Tape& t = tape_g_;
    t.reset();
    g_record_.clear();
    noise.fill_normal(z_);
    Var fake = gan_.generator(t, t.constant(z_), &g_record_);                 // (B, P)
    Var logits = gan_.discriminator(t, fake, nullptr, /*frozen=*/true);       // (B, 1)
    Var loss = gan_g_loss(t, logits, t.constant(ones_), loss_);
    opt_g_->zero_grad();
    t.backward(loss);
    opt_g_->step();
    return t.item(loss);
}

// --- sampling

Tensor sample_latent(int n, int latent, Rng& rng) {
    if (n < 0 || latent <= 0) fail("sample_latent: bad size (", n, ", ", latent, ")");
    Tensor z(Shape{n, latent});  // (N, Z)
    if (n) rng.fill_normal(z);
    return z;
}

Tensor generate(const Gan& gan, const Tensor& z) {
    const int latent = gan.config().latent, p = gan.config().data_dim;
    if (z.shape().rank != 2 || z.shape()[1] != latent)
        fail("generate: latent batch ", z.shape().str(), " does not match the generator (expected (N, ", latent, "))");
    const int n = z.shape()[0];
    Tensor out(Shape{n, p});  // (N, P)
    constexpr int kChunk = 1000;
    Tape t;
    NoGradGuard no_grad(t);
    for (int r0 = 0; r0 < n; r0 += kChunk) {
        const int rows = std::min(kChunk, n - r0);
        t.reset();
        Tensor zc = Tensor::view(const_cast<float*>(z.data()) + static_cast<size_t>(r0) * latent, Shape{rows, latent});
        Var x = gan.generator(t, t.constant(zc));  // (rows, P)
        std::memcpy(out.data() + static_cast<size_t>(r0) * p, t.value(x).data(),
                    static_cast<size_t>(rows) * p * sizeof(float));
    }
    return out;
}

Tensor interpolate_latent(const Tensor& z0, const Tensor& z1, int steps) {
    if (z0.shape() != z1.shape() || z0.shape().rank != 2) fail("interpolate_latent: z0 and z1 must have one shape (R, Z)");
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
