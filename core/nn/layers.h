// Building blocks: Linear, Conv2d, ConvTranspose2d, Embedding, LayerNorm, BatchNorm, ActivationLayer, MLP. A
// module's call is `Var operator()(Tape&, Var) const`; it puts its parameters on the tape with t.param(). A Net
// is a whole network a model can swap (MLP, models/conv_nets.h).
#pragma once
#include <string>
#include <vector>

#include "core/activations.h"
#include "core/nn/module.h"
#include "core/ops.h"
#include "core/rng.h"

namespace genlab {

// How a Linear's weights start, one option for every model (--init):
//   torch  torch.nn.Linear's default: weight and bias ~ U(±1/sqrt(fan_in))
//   gain   Kaiming uniform scaled for the activation the layer feeds: weight ~ U(±gain·sqrt(3/fan_in)),
//          so Var(w) = gain²/fan_in with gain = torch.nn.init.calculate_gain; bias as torch
//   gpt2   GPT-2 / nanoGPT: weight ~ N(0, std²) (0.02, residual projections scaled down), bias 0
enum class Init { Torch, Gain, Gpt2 };
Init parse_init(const std::string& name);  // "torch" | "gain" | "gpt2", else UsageError
const char* init_name(Init init);
const std::vector<std::string>& init_names();

struct LinearOptions {
    bool bias = true;         // add a bias vector
    Init init = Init::Torch;  // see Init
    float gain = 1.f;         // Init::Gain: the gain of the following activation (Activation::gain())
    float std = 0.02f;        // Init::Gpt2: the weights' standard deviation
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

// A convolution's geometry and its parameters' init. `weights` applies as to a Linear (bias or
// none, init, gain, std) with fan_in = C·kh·kw for Conv2d and Cout·kh·kw for ConvTranspose2d, as
// PyTorch computes it (so Init::Torch is nn.Conv2d's default, kaiming_uniform with a = sqrt(5)).
struct ConvOptions {
    int stride = 1;
    int padding = 0;
    LinearOptions weights = {};
};

// NCHW (core/ops.h): (N, in, H, W) -> (N, out, (H + 2p − k)/s + 1, ..).
class Conv2d : public Module {
public:
    Conv2d(int in, int out, int kernel, Rng& rng, ConvOptions opt = {});
    Var operator()(Tape& t, Var x) const;
    Parameter& weight;  // (out, in, k, k)
    Parameter* bias;    // (out) or null

private:
    int stride_, padding_;
};

// (N, in, H, W) -> (N, out, (H − 1)·s − 2p + k, ..): k 4, s 2, p 1 doubles H and W.
class ConvTranspose2d : public Module {
public:
    ConvTranspose2d(int in, int out, int kernel, Rng& rng, ConvOptions opt = {});
    Var operator()(Tape& t, Var x) const;
    Parameter& weight;  // (in, out, k, k), as PyTorch's
    Parameter* bias;    // (out) or null

private:
    int stride_, padding_;
};

struct EmbeddingOptions {
    float std = 1.f;  // N(0, std²) init; torch.nn.Embedding uses 1, GPT-2 uses 0.02
};

class Embedding : public Module {
public:
    Embedding(int num, int dim, Rng& rng, EmbeddingOptions opt = {});
    Var operator()(Tape& t, Var ids) const;  // ids (S..) integer ids as floats -> (S.., dim)
    Parameter& weight;                       // (num, dim)
};

class LayerNorm : public Module {
public:
    explicit LayerNorm(int dim, float eps = 1e-5f);
    Var operator()(Tape& t, Var x) const;  // over the last dim
    Parameter& gamma;                      // (dim), ones  -- checkpoint key "weight" as PyTorch
    Parameter& beta;                       // (dim), zeros -- checkpoint key "bias"

private:
    float eps_;
};

// BatchNorm1d and BatchNorm2d of PyTorch in one: per channel over (N) of features (N, C), or over
// (N, H, W) of images (N, C, H, W). Training mode normalises by the batch's statistics and moves
// the running ones towards them; evaluation mode (Module::set_training(false)) uses the running
// ones. The running statistics are buffers: in checkpoints, never optimized.
struct BatchNormOptions {
    float eps = 1e-5f;
    float momentum = 0.1f;  // running ← (1 − momentum)·running + momentum·batch
};

class BatchNorm : public Module {
public:
    explicit BatchNorm(int channels, BatchNormOptions opt = {});
    // Not const: training mode updates the running statistics.
    Var operator()(Tape& t, Var x);
    Parameter& gamma;      // (C), ones  -- checkpoint key "weight" as PyTorch
    Parameter& beta;       // (C), zeros -- checkpoint key "bias"
    Tensor& running_mean;  // (C), zeros
    Tensor& running_var;   // (C), ones

private:
    BatchNormOptions opt_;
};

// Per-layer record for analysis (dead units, saturation, gradient flow): one entry per layer in
// forward order. After backward, t.grad(layer.pre) is the gradient reaching the layer (when it
// requires grad) and layer.weight->grad that of its weight.
struct LayerRecord {
    struct Layer {
        Var pre;                               // (N.., units) input of the activation
        Var post;                              // (N.., units) its output (pre itself for identity)
        const Activation* act = nullptr;       // post = act(pre)
        const Parameter* weight = nullptr;     // the Linear that computed pre: (units, fan_in)
        const Parameter* act_param = nullptr;  // the learnable activation parameter (1), or null
        bool hidden = true;                    // false for a network's output layer
    };
    std::vector<Layer> layers;
    void clear() { layers.clear(); }
    void add(const Layer& l) { layers.push_back(l); }
};

// A network a model can swap for another of the same input and output (an MLP or a convolutional net):
// (N, in) -> (N, out) on flat rows, recording every layer when asked.
class Net : public Module {
public:
    virtual Var operator()(Tape& t, Var x, LayerRecord* record = nullptr) const = 0;
};

// An activation as a layer: act(pre), with the activation's learnable parameter (shape (1), named
// as the registry names it: "alpha"), initialised from the registry, when it has one.
class ActivationLayer : public Module {
public:
    explicit ActivationLayer(const Activation& act);
    Var operator()(Tape& t, Var pre) const;  // pre itself for identity: a logit head costs nothing extra
    const Activation& act() const { return act_; }
    const Parameter* param() const { return param_; }  // null when the activation has none

private:
    Activation act_;
    Parameter* param_ = nullptr;
};

// sizes {in, h1, ..., out}: Linear layers with hidden_act after every hidden layer and out_act
// (often "identity") after the last. Layers are named "fc0".."fc<n-1>"; a learnable activation
// after layer i gets its own (1)-shaped parameter "act<i>.<name>" ("act1.alpha"), initialised
// from the registry. With Init::Gain each Linear's gain is that of the activation following it.
// Freeze it (Module::set_frozen) to use it as a constant function whose input still gets a
// gradient: a GAN's generator update through the discriminator.
class MLP : public Net {
public:
    MLP(const std::vector<int>& sizes, const Activation& hidden_act, const Activation& out_act, Rng& rng,
        Init init = Init::Gain);
    Var operator()(Tape& t, Var x, LayerRecord* record = nullptr) const override;
    const std::vector<int>& sizes() const { return sizes_; }

private:
    std::vector<int> sizes_;
    std::vector<Linear*> layers_;
    std::vector<ActivationLayer*> acts_;  // per layer
};

}  // namespace genlab
