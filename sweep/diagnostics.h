// What a sweep measures inside the network: from the diagnostics hook's LayerProbes (pre-activations
// and their gradients on the fixed evaluation batch), per hidden layer,
//   dead_fraction       share of units whose activation derivative is exactly 0 for every example
//                       of the batch (a dead ReLU unit: no gradient reaches its weights);
//   saturated_fraction  share of (example, unit) pairs where |f'(pre)| < 0.01 * max_x |f'(x)|
//                       (sigmoid and tanh at large |x|);
//   grad_norm           || d loss / d W || of the layer's weights (vanishing / exploding with depth);
//   pre_mean, pre_std   of the pre-activation values;
//   act_param           the learned PReLU alpha / swish_learned beta (learnable activations only).
// As metrics they are named <metric>_l<k>, with the GAN's g_ / d_ prefix in front:
// "dead_fraction_l0", "g_saturated_fraction_l1".
#pragma once
#include <string>
#include <vector>

#include "core/train/metrics_csv.h"
#include "experiments/experiment.h"

namespace genlab::experiments {

struct LayerStats {
    std::string prefix;  // "" or the GAN's "g_" / "d_"
    std::string layer;   // "l0", "l1", ...
    double dead_fraction = 0;
    double saturated_fraction = 0;
    double grad_norm = 0;
    double pre_mean = 0, pre_std = 0;
    float act_param = 0;  // NaN when the activation learns no parameter
};

// The activation as the layer applies it: a learned parameter (the probe's act_param) replaces
// the spec's init value.
Activation effective_activation(const LayerProbe& p);
// max over x of |f'(x)|, on a fine grid over [-30, 30] (relu 1, sigmoid 0.25, selu 1.758...).
double max_abs_slope(const Activation& act);

LayerStats layer_stats(const LayerProbe& p);
// Every layer's stats as named metrics, layer by layer.
Metrics diagnostics_metrics(const std::vector<LayerProbe>& probes);

}  // namespace genlab::experiments
