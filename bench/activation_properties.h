// What an activation looks like and costs, measured rather than declared: f and f' on a grid
// through the autodiff op (what the models run), and properties from wide sweeps (range,
// zero-centred, monotonic, C1, saturation, f'(0)) with the kernels' cost relative to relu.
// genlab-activations plots and tabulates these; tests check them against the registry.
//
//     ActivationCurve c = activation_curve(parse_activation("gelu"), -6, 6, 241);   // x, f, f'
//     PropertyTable t = property_table({parse_activation("relu"), parse_activation("tanh")}, 1);
//     std::cout << t.markdown;
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/activations.h"

namespace genlab {

struct ActivationCurve {
    std::vector<float> x, y, dy;  // (N) each: x evenly spaced, both ends exact; y = f(x); dy = f'(x) by autodiff
};
// n >= 2 points over [lo, hi]; a learnable activation uses its init value.
ActivationCurve activation_curve(const Activation& act, double lo, double hi, int n);

struct ActivationProperties {
    std::string range;  // over x in [-1e3, 1e3]: "[0, inf)", "(-1, 1)" ('[' attained, '(' approached)
    bool zero_centred = false, monotonic = false, smooth = false;
    std::string saturates;  // f' -> 0 on which side: none, left, right, both
    float df0 = 0.f;        // f'(0)
};
ActivationProperties activation_properties(const Activation& act);

// Median wall time of the span forward + backward (+ dparam) kernels, one thread, in ns/element,
// on 2^20 inputs ~ N(0, 9) drawn from `seed` (both sides of every kink, as in a real layer).
double kernel_ns_per_element(const Activation& act, uint64_t seed);

// The properties of `acts` as a Markdown table (with a note on method and the relu baseline)
// and as CSV (activation,range,zero_centred,monotonic,smooth,saturates,df0,ns_per_element,relative_cost).
struct PropertyTable {
    std::string markdown, csv;
};
PropertyTable property_table(const std::vector<Activation>& acts, uint64_t seed);

}  // namespace genlab
