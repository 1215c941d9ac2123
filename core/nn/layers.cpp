// Linear, Conv2d, ConvTranspose2d, Embedding, LayerNorm, BatchNorm, ActivationLayer and MLP: parameters with
// PyTorch's names and inits, calls that put them on the tape and apply one op each.
#include "core/nn/layers.h"

#include <cmath>
#include <memory>

#include "core/error.h"

namespace genlab {

namespace {

void require_positive(const char* what, const char* field, int v) {
    if (v <= 0) fail(what, ": ", field, " must be positive, got ", v);
}

// A weight of `shape` under `opt.init` (see Init in layers.h), for a layer of `fan_in` inputs per output.
Tensor init_weight(const char* what, Shape shape, int fan_in, const LinearOptions& opt, Rng& rng) {
    Tensor w(shape);
    switch (opt.init) {
        case Init::Gpt2:
            if (!(opt.std >= 0.f) || !std::isfinite(opt.std))
                fail(what, ": init std must be >= 0 and finite, got ", opt.std);
            rng.fill_normal(w, 0.f, opt.std);
            return w;
        case Init::Gain:
        case Init::Torch: {
            // Kaiming uniform: U(-b, b) with b = gain * sqrt(3 / fan_in), so Var(w) = gain² / fan_in;
            // torch.nn.Linear's default is the same with gain 1/sqrt(3) (bound 1/sqrt(fan_in)).
            const float gain = opt.init == Init::Torch ? 0.57735026919f : opt.gain;
            if (!(gain > 0.f) || !std::isfinite(gain))
                fail(what, ": init gain must be positive and finite, got ", gain);
            const float bound = gain * std::sqrt(3.f / static_cast<float>(fan_in));
            rng.fill_uniform(w, -bound, bound);
            return w;
        }
    }
    return w;
}

// A bias (out) under `opt.init`: torch's bound is 1/sqrt(fan_in) whatever the weight's gain; GPT-2
// starts biases at zero.
Tensor init_bias(int out, int fan_in, const LinearOptions& opt, Rng& rng) {
    Tensor b(Shape{out}, 0.f);  // (out)
    if (opt.init != Init::Gpt2) {
        const float bound = 1.f / std::sqrt(static_cast<float>(fan_in));
        rng.fill_uniform(b, -bound, bound);
    }
    return b;
}

Tensor linear_weight(int out, int in, const LinearOptions& opt, Rng& rng) {
    require_positive("Linear", "in_features", in);
    require_positive("Linear", "out_features", out);
    return init_weight("Linear", Shape{out, in}, in, opt, rng);  // (out, in)
}

// A convolution's weight: (out, in, k, k) for Conv2d, (in, out, k, k) for ConvTranspose2d, whose
// fan_in is the second dim times k².
Tensor conv_weight(const char* what, int in, int out, int kernel, bool transposed, const ConvOptions& opt, Rng& rng) {
    require_positive(what, "in_channels", in);
    require_positive(what, "out_channels", out);
    require_positive(what, "kernel_size", kernel);
    require_positive(what, "stride", opt.stride);
    if (opt.padding < 0) fail(what, ": padding must be >= 0, got ", opt.padding);
    const Shape shape = transposed ? Shape{in, out, kernel, kernel} : Shape{out, in, kernel, kernel};
    return init_weight(what, shape, shape[1] * kernel * kernel, opt.weights, rng);
}

Tensor normal_table(int num, int dim, float std, Rng& rng) {
    require_positive("Embedding", "num_embeddings", num);
    require_positive("Embedding", "embedding_dim", dim);
    if (!(std >= 0.f) || !std::isfinite(std)) fail("Embedding: init std must be >= 0 and finite, got ", std);
    Tensor w(Shape{num, dim});  // (V, C)
    rng.fill_normal(w, 0.f, std);
    return w;
}

Tensor filled(const char* what, int dim, float v) {
    require_positive(what, "dim", dim);
    return Tensor(Shape{dim}, v);
}

}  // namespace

// --- Init

Init parse_init(const std::string& name) {
    if (name == "torch") return Init::Torch;
    if (name == "gain") return Init::Gain;
    if (name == "gpt2") return Init::Gpt2;
    usage_fail("init \"", name, "\": expected torch, gain or gpt2");
}

const char* init_name(Init init) {
    switch (init) {
        case Init::Torch: return "torch";
        case Init::Gain: return "gain";
        case Init::Gpt2: return "gpt2";
    }
    return "torch";
}

const std::vector<std::string>& init_names() {
    static const std::vector<std::string> names{"torch", "gain", "gpt2"};
    return names;
}

// --- Linear

Linear::Linear(int in, int out, Rng& rng, LinearOptions opt)
    : weight(register_parameter("weight", linear_weight(out, in, opt, rng))),  // (out, in)
      bias(nullptr),
      in_(in),
      out_(out) {
    if (opt.bias) bias = &register_parameter("bias", init_bias(out, in, opt, rng));
}

Var Linear::operator()(Tape& t, Var x) const {
    Var w = t.param(weight);
    return bias ? linear(t, x, w, t.param(*bias)) : linear(t, x, w);  // (N.., out)
}

// --- Conv2d, ConvTranspose2d

Conv2d::Conv2d(int in, int out, int kernel, Rng& rng, ConvOptions opt)
    : weight(register_parameter("weight", conv_weight("Conv2d", in, out, kernel, false, opt, rng))),
      bias(nullptr),
      stride_(opt.stride),
      padding_(opt.padding) {
    if (opt.weights.bias) bias = &register_parameter("bias", init_bias(out, in * kernel * kernel, opt.weights, rng));
}

Var Conv2d::operator()(Tape& t, Var x) const {
    return conv2d(t, x, t.param(weight), bias ? t.param(*bias) : Var{}, stride_, padding_);
}

ConvTranspose2d::ConvTranspose2d(int in, int out, int kernel, Rng& rng, ConvOptions opt)
    : weight(register_parameter("weight", conv_weight("ConvTranspose2d", in, out, kernel, true, opt, rng))),
      bias(nullptr),
      stride_(opt.stride),
      padding_(opt.padding) {
    if (opt.weights.bias) bias = &register_parameter("bias", init_bias(out, out * kernel * kernel, opt.weights, rng));
}

Var ConvTranspose2d::operator()(Tape& t, Var x) const {
    return conv_transpose2d(t, x, t.param(weight), bias ? t.param(*bias) : Var{}, stride_, padding_);
}

// --- Embedding

Embedding::Embedding(int num, int dim, Rng& rng, EmbeddingOptions opt)
    : weight(register_parameter("weight", normal_table(num, dim, opt.std, rng))) {}

Var Embedding::operator()(Tape& t, Var ids) const { return embedding(t, t.param(weight), ids); }  // (S.., C)

// --- LayerNorm

LayerNorm::LayerNorm(int dim, float eps)
    : gamma(register_parameter("weight", filled("LayerNorm", dim, 1.f))),  // (C); PyTorch's key names
      beta(register_parameter("bias", filled("LayerNorm", dim, 0.f))),     // (C)
      eps_(eps) {
    if (!(eps > 0.f)) fail("LayerNorm: eps must be positive, got ", eps);
}

Var LayerNorm::operator()(Tape& t, Var x) const { return layer_norm(t, x, t.param(gamma), t.param(beta), eps_); }

// --- BatchNorm

BatchNorm::BatchNorm(int channels, BatchNormOptions opt)
    : gamma(register_parameter("weight", filled("BatchNorm", channels, 1.f))),  // (C); PyTorch's key names
      beta(register_parameter("bias", filled("BatchNorm", channels, 0.f))),     // (C)
      running_mean(register_buffer("running_mean", filled("BatchNorm", channels, 0.f))),
      running_var(register_buffer("running_var", filled("BatchNorm", channels, 1.f))),
      opt_(opt) {
    if (!(opt.eps > 0.f)) fail("BatchNorm: eps must be positive, got ", opt.eps);
    if (!(opt.momentum >= 0.f && opt.momentum <= 1.f))
        fail("BatchNorm: momentum must be in [0, 1], got ", opt.momentum);
}

Var BatchNorm::operator()(Tape& t, Var x) {
    return batch_norm(t, x, t.param(gamma), t.param(beta), running_mean, running_var, training(), opt_.momentum,
                      opt_.eps);
}

// --- ActivationLayer

ActivationLayer::ActivationLayer(const Activation& act) : act_(act) {
    if (!act.def) fail("ActivationLayer: activation not set (build it with parse_activation)");
    if (act.learnable())
        param_ = &register_parameter(act.def->learnable.front().first, Tensor(Shape{1}, act.learnable_init()));
}

Var ActivationLayer::operator()(Tape& t, Var pre) const {
    if (act_.is_identity()) return pre;
    return param_ ? activate(t, pre, act_, t.param(*param_)) : activate(t, pre, act_);
}

// --- MLP

MLP::MLP(const std::vector<int>& sizes, const Activation& hidden_act, const Activation& out_act, Rng& rng, Init init)
    : sizes_(sizes) {
    if (sizes.size() < 2)
        fail("MLP: sizes must list at least an input and an output size, got ", sizes.size(), " entries");
    if (!hidden_act.def || !out_act.def) fail("MLP: activation not set (build it with parse_activation)");
    for (size_t i = 0; i < sizes.size(); ++i)
        if (sizes[i] <= 0) fail("MLP: sizes[", i, "] must be positive, got ", sizes[i]);
    const size_t n_layers = sizes.size() - 1;
    for (size_t i = 0; i < n_layers; ++i) {
        const Activation& act = i + 1 < n_layers ? hidden_act : out_act;
        // Init::Gain uses the gain of the activation this layer feeds (torch.nn.init.calculate_gain).
        layers_.push_back(&register_module("fc" + std::to_string(i),
                                           std::make_unique<Linear>(sizes[i], sizes[i + 1], rng,
                                                                    LinearOptions{.init = init, .gain = act.gain()})));
        // A learnable activation's key reads "act1.alpha"; the others add no state.
        acts_.push_back(&register_module("act" + std::to_string(i), std::make_unique<ActivationLayer>(act)));
    }
}

Var MLP::operator()(Tape& t, Var x, LayerRecord* record) const {
    Var h = x;  // (N.., sizes[0])
    for (size_t i = 0; i < layers_.size(); ++i) {
        Var pre = (*layers_[i])(t, h);   // (N.., sizes[i+1])
        Var post = (*acts_[i])(t, pre);  // (N.., sizes[i+1])
        if (record)
            record->add({.pre = pre,
                         .post = post,
                         .act = &acts_[i]->act(),
                         .weight = &layers_[i]->weight,
                         .act_param = acts_[i]->param(),
                         .hidden = i + 1 < layers_.size()});
        h = post;
    }
    return h;
}

}  // namespace genlab
