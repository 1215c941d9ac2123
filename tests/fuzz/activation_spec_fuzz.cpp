// libFuzzer target for the activation spec parser behind --act, --g-act, --acts and stored
// configs: arbitrary text through parse_activation and parse_activation_list. A spec that parses
// must re-parse from its canonical form to the same entry and parameters, and its kernels must
// run on extreme inputs without a sanitizer report. Anything else but a genlab::Error is a bug.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"
#include "core/activations.h"
#include "core/error.h"

using namespace genlab;

static void exercise(const Activation& a) {
    const Activation again = parse_activation(a.spec);  // the canonical spec must parse back
    if (again.def != a.def || again.params != a.params || again.spec != a.spec) __builtin_trap();
    if (!a.def->elementwise) return;
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> x{0.f,
                               -0.f,
                               1.f,
                               -1.f,
                               1e-30f,
                               -1e30f,
                               1e30f,
                               88.f,
                               -88.f,
                               inf,
                               -inf,
                               std::numeric_limits<float>::quiet_NaN(),
                               std::numeric_limits<float>::denorm_min()};
    std::vector<float> y(x.size()), dy(x.size(), 1.f), dx(x.size(), 0.f);
    std::array<float, 4> p = a.params;
    a.def->forward(x.data(), y.data(), x.size(), p.data());
    a.def->backward(x.data(), y.data(), dy.data(), dx.data(), x.size(), p.data(), true);
    if (a.def->dparam) (void)a.def->dparam(x.data(), y.data(), dy.data(), x.size(), p.data());
    for (float v : x) (void)a.df(v);
    (void)a.gain();
    (void)a.range();
}

GENLAB_FUZZ_TARGET(activation_spec) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        exercise(parse_activation(text));
    } catch (const Error&) {
    }
    try {
        for (const Activation& a : parse_activation_list(text, "--acts")) exercise(a);
    } catch (const Error&) {
    }
    return 0;
}
