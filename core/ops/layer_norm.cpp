// Fused layer norm over the last dim: y = (x - mean) * rstd * gamma + beta, rstd = 1/sqrt(var + eps)
// with the biased variance (as torch.nn.LayerNorm). Mean and rstd are cached per row in scratch
// slots so backward does not recompute the reductions.
#include <cmath>

#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

static void layer_norm_backward(Tape& t, const Node& n) {
    const Shape& xs = t.shape(n.in[0]);
    const size_t rows = xs.rows();
    const Eigen::Index c = xs.last();
    const float* x = t.value(n.in[0]).data();            // (N, C)
    const float* gamma = t.value(n.in[1]).data();        // (C)
    const float* mean = t.value(n.saved.aux[0]).data();  // (N)
    const float* rstd = t.value(n.saved.aux[1]).data();  // (N)
    const float* dout = t.grad(n.out).data();            // (N, C)
    ConstFlatMap g(gamma, c);

    if (t.requires_grad(n.in[0])) {
        const Tape::GradWrite dx = t.grad_write(n.in[0]);
        for_rows(rows, static_cast<size_t>(c), [&](size_t r) {
            const Eigen::Index off = static_cast<Eigen::Index>(r) * c;
            ConstFlatMap xr(x + off, c), dyr(dout + off, c);
            FlatMap dxr(dx.data + off, c);
            const float mu = mean[r], rs = rstd[r];
            // With xhat = (x - mean)·rstd and dxhat = dy·gamma:
            // dx = rstd · (dxhat - mean(dxhat) - xhat · mean(dxhat · xhat)).
            const float m1 = (dyr * g).mean();
            const float m2 = (dyr * g * (xr - mu) * rs).mean();
            if (dx.fresh)
                dxr = rs * ((dyr * g - m1) - (xr - mu) * rs * m2);
            else
                dxr += rs * ((dyr * g - m1) - (xr - mu) * rs * m2);
        });
    }
    // Parameter gradients sum over rows: serial in row order (deterministic), vectorised per row.
    const bool need_g = t.requires_grad(n.in[1]), need_b = t.requires_grad(n.in[2]);
    if (need_g || need_b) {
        for (size_t r = 0; r < rows; ++r) {
            const Eigen::Index off = static_cast<Eigen::Index>(r) * c;
            ConstFlatMap xr(x + off, c), dyr(dout + off, c);
            if (need_g) t.grad(n.in[1]).flat() += dyr * (xr - mean[r]) * rstd[r];
            if (need_b) t.grad(n.in[2]).flat() += dyr;
        }
    }
}

Var layer_norm(Tape& t, Var x, Var gamma, Var beta, float eps) {
    const Shape xs = t.shape(x), gs = t.shape(gamma), bs = t.shape(beta);
    if (xs.rank < 1) fail("layer_norm: input must have at least one dim, got ", xs.str());
    if (gs.rank != 1 || gs[0] != xs.last())
        fail("layer_norm: gamma ", gs.str(), " does not match input ", xs.str(), " (expected (", xs.last(), "))");
    if (bs.rank != 1 || bs[0] != xs.last())
        fail("layer_norm: beta ", bs.str(), " does not match input ", xs.str(), " (expected (", xs.last(), "))");
    if (!(eps > 0.f)) fail("layer_norm: eps must be > 0, got ", eps);
    const size_t rows = xs.rows();
    const Eigen::Index c = xs.last();
    Saved s;
    s.aux[0] = t.scratch(Shape{static_cast<int>(rows)});  // mean (N)
    s.aux[1] = t.scratch(Shape{static_cast<int>(rows)});  // rstd (N)
    s.f[0] = eps;
    Var out = t.emit(xs, {x, gamma, beta}, layer_norm_backward, s);
    if (shapes_only()) return out;
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    float* mean = t.value(s.aux[0]).data();
    float* rstd = t.value(s.aux[1]).data();
    ConstFlatMap g(t.value(gamma).data(), c), b(t.value(beta).data(), c);
    for_rows(rows, static_cast<size_t>(c), [&](size_t r) {
        const Eigen::Index off = static_cast<Eigen::Index>(r) * c;
        ConstFlatMap xr(xp + off, c);
        // Two passes (mean, then centred squares): no cancellation for rows with a large mean.
        const float mu = xr.mean();
        const float var = (xr - mu).square().mean();
        const float rs = 1.f / std::sqrt(var + eps);
        mean[r] = mu;
        rstd[r] = rs;
        FlatMap(y + off, c) = (xr - mu) * rs * g + b;
    });
    return out;
}

}  // namespace genlab
