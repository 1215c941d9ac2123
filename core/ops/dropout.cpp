// Inverted dropout: in training each unit is kept with probability 1 - p and scaled by 1/(1 - p),
// so the expectation is unchanged and evaluation is the identity (the input Var itself, no mask).
// The mask (0 or 1/(1 - p) per unit) lives in a scratch slot; backward is dx += dy * mask.
#include "core/ops.h"
#include "core/ops/common.h"
#include "core/rng.h"

namespace genlab {

using namespace ops_detail;

static void dropout_backward(Tape& t, const Node& n) {
    const float* mask = t.value(n.saved.aux[0]).data();
    const float* dout = t.grad(n.out).data();
    write_full(t.grad_write(n.in[0]), t.value(n.out).numel(), 0, [&](size_t i, size_t) { return dout[i] * mask[i]; });
}

Var dropout(Tape& t, Var x, float p, Rng& rng, bool train) {
    if (!(p >= 0.f && p < 1.f))
        fail("dropout: probability p must be in [0, 1), got ", p, " (p = 1 would drop every unit)");
    if (!train || p == 0.f) return x;
    const Shape xs = t.shape(x);
    Saved s;
    s.aux[0] = t.scratch(xs);
    s.f[0] = p;
    Var out = t.emit(xs, {x}, dropout_backward, s);
    if (shapes_only()) return out;
    float* mask = t.value(s.aux[0]).data();
    const float keep = 1.f / (1.f - p);
    // Drawn serially in element order: the mask depends only on the Rng state, never on threads.
    for (size_t i = 0; i < xs.numel(); ++i) mask[i] = rng.uniform() < p ? 0.f : keep;
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    for_blocks(xs.numel(), [&](size_t lo, size_t hi) {
        for (size_t i = lo; i < hi; ++i) y[i] = xp[i] * mask[i];
    });
    return out;
}

}  // namespace genlab
