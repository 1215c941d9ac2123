// The activation registry: one table, one entry per activation (core/activations.cpp is the only
// place an activation is defined). Models, the ablation runner, genlab-activations, Linear's init
// gain and the tests all enumerate activation_table().
//
//     Activation a = parse_activation("leaky_relu:0.2");   // throws UsageError listing known names
//     Var h = activate(t, linear(t, x, w, b), a);          // (B, C)
//     float g = a.gain();                                  // torch.nn.init.calculate_gain
#pragma once
#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/tape.h"
#include "core/value_range.h"

namespace genlab {

// Parameter vector passed to kernels: fixed spec parameters first, then the learnable one.
using ActParams = const float*;

struct ActivationDef {
    std::string name;
    std::string formula;                                // one line for docs and plots, e.g. "x * sigmoid(beta * x)"
    std::vector<std::pair<std::string, float>> params;  // fixed, set by spec ("leaky_relu:0.2"), with defaults
    std::vector<std::pair<std::string, float>>
        learnable;            // learned per layer (prelu alpha, swish_learned beta), with init
    bool elementwise = true;  // false for softmax (an output distribution over the last dim)
                              // whose kernels and f/df are null: activate() routes it to softmax()

    // Span kernels: the indirect call happens once per tensor, the loop inside vectorises.
    void (*forward)(const float* x, float* y, size_t n, ActParams p) = nullptr;
    // dx[i] += dy[i] * f'(x[i]), or dx[i] = ... when !accumulate (dx's old contents are ignored);
    // y = f(x) is available for derivatives written in terms of it.
    void (*backward)(const float* x, const float* y, const float* dy, float* dx, size_t n, ActParams p,
                     bool accumulate) = nullptr;
    // Optional, for entries whose derivative reuses an intermediate of f (GELU: Φ(x)). The
    // forward also writes that value per element to s; the backward reads it instead of
    // recomputing it. Same results bit for bit as forward/backward; null when nothing is saved.
    void (*forward_saving)(const float* x, float* y, float* s, size_t n, ActParams p) = nullptr;
    void (*backward_saved)(const float* x, const float* y, const float* s, const float* dy, float* dx, size_t n,
                           ActParams p, bool accumulate) = nullptr;
    // Σ dy[i] * ∂f(x[i])/∂(learnable parameter); null without a learnable parameter.
    double (*dparam)(const float* x, const float* y, const float* dy, size_t n, ActParams p) = nullptr;
    // Scalar forms for plots, tables and tests.
    float (*f)(float x, ActParams p) = nullptr;
    float (*df)(float x, float y, ActParams p) = nullptr;
    // Recommended init gain (torch.nn.init.calculate_gain).
    float (*gain)(ActParams p) = nullptr;
    // The values f can take, infinite where unbounded (a learned parameter's bound is at its
    // init value). A bounded output activation tells a model where to put its data.
    ValueRange (*range)(ActParams p) = nullptr;
    // k > 0 when f(x) = lo + (hi - lo) * sigmoid(k * x) (sigmoid: 1, tanh: 2): a cross entropy
    // on f(x) can then be computed stably as bce_with_logits on k * x.
    float logistic_slope = 0.f;
    // Why fixed spec parameters are out of range ("alpha must be > 0"), or nullptr when they are
    // fine. Null when any finite value is allowed (parse_activation() rejects NaN/Inf itself).
    const char* (*check)(ActParams p) = nullptr;
};

const std::vector<ActivationDef>& activation_table();
std::vector<std::string> activation_names();                    // table names plus aliases ("silu")
const ActivationDef& find_activation(const std::string& name);  // throws UsageError

// A parsed spec string: the entry plus its parameter values.
struct Activation {
    const ActivationDef* def = nullptr;
    std::array<float, 4> params{};  // fixed params, then learnable inits
    std::string spec;               // canonical spec, e.g. "leaky_relu:0.2"

    const std::string& name() const { return def->name; }
    bool is_identity() const { return def->name == "identity"; }
    bool learnable() const { return !def->learnable.empty(); }
    ValueRange range() const { return def->range(params.data()); }
    float learnable_init() const;
    float gain() const { return def->gain(params.data()); }
    float f(float x) const { return def->f(x, params.data()); }
    float df(float x) const { return def->df(x, def->f(x, params.data()), params.data()); }
};

// "relu", "leaky_relu:0.2", "elu:0.5", "swish:1.5", "silu" ... Unknown names, wrong parameter
// counts or out-of-range values throw UsageError naming the known activations.
Activation parse_activation(const std::string& spec);

// "relu,gelu,leaky_relu:0.2,elu:0.5": comma-separated specs. A token that starts like a number
// continues the previous spec's parameter list ("name:1,2"). Empty text gives every elementwise
// entry of the table. `flag` names the source in errors (UsageError).
std::vector<Activation> parse_activation_list(const std::string& text, const std::string& flag);
// An elementwise activation for a hidden layer or an output; UsageError naming `flag` otherwise.
Activation parse_elementwise(const std::string& spec, const std::string& flag);

// y = act(x). For a learnable activation pass its parameter as `param` (shape (1)); its gradient
// is Σ dout * ∂f/∂param. Without `param` a learnable activation uses its init value as a
// constant. Softmax (not elementwise) is applied over the last dim.
Var activate(Tape& t, Var x, const Activation& act, Var param = {});

}  // namespace genlab
