// Building blocks: Linear, Embedding, LayerNorm, MLP. A module's call is
// `Var operator()(Tape&, Var) const`; it puts its parameters on the tape with t.param().
#pragma once
#include <string>
#include <vector>

#include "core/activations.h"
#include "core/nn/module.h"
#include "core/ops.h"
#include "core/rng.h"

namespace genlab {

struct LinearOptions {
    bool bias = true;  // add a bias vector
    // Weight ~ U(-b, b), b = gain * sqrt(3 / fan_in) (Kaiming uniform). The default 1/sqrt(3)
    // reproduces torch.nn.Linear's default init (bound 1/sqrt(fan_in)); pass the following
    // activation's gain() (torch.nn.init.calculate_gain) to scale for it.
    float gain = 0.57735026919f;
    // Bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as torch.nn.Linear; set false for zeros.
    bool bias_uniform = true;
};

class Linear : public Module {
public:
    Linear(int in, int out, Rng& rng, LinearOptions opt = {});
    Var operator()(Tape& t, Var x) const;  // (N.., in) -> (N.., out)
    int in_features() const { return in_; }
    int out_features() const { return out_; }
    Parameter& weight;  // (out, in)
    Parameter* bias;    // (out) or null

private:
    int in_, out_;
};

struct EmbeddingOptions {
    float std = 1.f;  // N(0, std²) init; torch.nn.Embedding uses 1, GPT-2 uses 0.02
};

class Embedding : public Module {
public:
    Embedding(int num, int dim, Rng& rng, EmbeddingOptions opt = {});
    Var operator()(Tape& t, Var ids) const;  // ids (S..) integer ids as floats -> (S.., dim)
    Parameter& weight;                      // (num, dim)
};

class LayerNorm : public Module {
public:
    explicit LayerNorm(int dim, float eps = 1e-5f);
    Var operator()(Tape& t, Var x) const;  // over the last dim
    Parameter& gamma;  // (dim), ones  -- checkpoint key "weight" as PyTorch
    Parameter& beta;   // (dim), zeros -- checkpoint key "bias"

private:
    float eps_;
};

// Per-layer record of hidden activations for analysis (dead units, saturation, gradient flow):
// after the forward, pre[i]/post[i] are layer i's pre- and post-activation Vars; after
// backward, t.grad(pre[i]) is the gradient reaching that layer (when it requires grad).
struct LayerRecord {
    std::vector<Var> pre;
    std::vector<Var> post;
    void clear() { pre.clear(); post.clear(); }
};

// sizes {in, h1, ..., out}: Linear layers with hidden_act after every hidden layer and out_act
// (often "identity") after the last. Layers are named "fc0".."fc<n-1>"; a learnable activation
// after layer i gets its own (1)-shaped parameter "act<i>.<name>" ("act1.alpha"), initialised
// from the registry. Each Linear's init gain is the gain() of the activation that follows it.
class MLP : public Module {
public:
    MLP(const std::vector<int>& sizes, const Activation& hidden_act, const Activation& out_act, Rng& rng);
    Var operator()(Tape& t, Var x, LayerRecord* record = nullptr) const;
    const std::vector<int>& sizes() const { return sizes_; }

private:
    std::vector<int> sizes_;
    Activation hidden_act_, out_act_;
    std::vector<Linear*> layers_;
    std::vector<Parameter*> act_params_;  // per layer; null when the activation has none
};

}  // namespace genlab
