// Batch norm per channel (torch.nn.functional.batch_norm): x (N, C, ...) has its channels on dim 1,
// and each channel's statistics run over the M = N·P values of that channel in every example
// (P = H·W for an image batch (N, C, H, W), 1 for features (N, C)):
//
//     y = (x − mean) · rstd · gamma + beta          rstd = 1 / sqrt(var + eps)
//
// train: mean and biased var of the batch, and the running averages move towards them,
//        running_mean ← (1 − m)·running_mean + m·mean, running_var ← (1 − m)·running_var + m·var·M/(M − 1)
//        (the unbiased variance, as PyTorch);
// eval:  mean = running_mean, var = running_var, nothing updated.
// Backward, with xhat = (x − mean)·rstd and the channel sums dbeta = Σ dy, dgamma = Σ dy·xhat:
// train dx = gamma·rstd·(dy − dbeta/M − xhat·dgamma/M) (the batch statistics depend on x),
// eval dx = gamma·rstd·dy. Mean and rstd are cached per channel in scratch slots. Channel sums
// accumulate in double, in a fixed order, one channel per thread.
#include <cmath>

#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

// The (example, channel) segments of x (N, C, P...): segment b of channel ch starts at (b·C + ch)·P.
struct ChannelSegments {
    long n, c, p;
    explicit ChannelSegments(const Shape& xs)
        : n(xs[0]), c(xs[1]), p(static_cast<long>(xs.numel()) / (static_cast<long>(xs[0]) * xs[1])) {}
    long offset(long b, long ch) const { return (b * c + ch) * p; }
    long m() const { return n * p; }  // values per channel
};

}  // namespace

static void batch_norm_backward(Tape& t, const Node& n) {
    const ChannelSegments seg(t.shape(n.in[0]));
    const float* x = t.value(n.in[0]).data();
    const float* gamma = t.value(n.in[1]).data();        // (C)
    const float* mean = t.value(n.saved.aux[0]).data();  // (C)
    const float* rstd = t.value(n.saved.aux[1]).data();  // (C)
    const float* dy = t.grad(n.out).data();
    const bool train = n.saved.i[0] != 0;
    const bool need_x = t.requires_grad(n.in[0]);
    float* dgamma = t.requires_grad(n.in[1]) ? t.grad(n.in[1]).data() : nullptr;
    float* dbeta = t.requires_grad(n.in[2]) ? t.grad(n.in[2]).data() : nullptr;
    const Tape::GradWrite dx = need_x ? t.grad_write(n.in[0]) : Tape::GradWrite{nullptr, false};
    const double m = static_cast<double>(seg.m());
    for_rows(static_cast<size_t>(seg.c), static_cast<size_t>(seg.m()), [&](size_t chu) {
        const long ch = static_cast<long>(chu);
        const float mu = mean[ch], rs = rstd[ch];
        double sdy = 0, sdyx = 0;  // Σ dy, Σ dy·xhat
        for (long b = 0; b < seg.n; ++b) {
            ConstFlatMap xs(x + seg.offset(b, ch), seg.p), dys(dy + seg.offset(b, ch), seg.p);
            sdy += static_cast<double>(dys.sum());
            sdyx += static_cast<double>((dys * (xs - mu)).sum()) * rs;
        }
        if (dgamma) dgamma[ch] += static_cast<float>(sdyx);
        if (dbeta) dbeta[ch] += static_cast<float>(sdy);
        if (!need_x) return;
        const float a = gamma[ch] * rs;
        const float c0 = train ? static_cast<float>(sdy / m) : 0.f,
                    c1 = train ? static_cast<float>(sdyx / m) * rs : 0.f;
        for (long b = 0; b < seg.n; ++b) {
            ConstFlatMap xs(x + seg.offset(b, ch), seg.p), dys(dy + seg.offset(b, ch), seg.p);
            FlatMap dxs(dx.data + seg.offset(b, ch), seg.p);
            if (dx.fresh)
                dxs = a * (dys - c0 - (xs - mu) * c1);
            else
                dxs += a * (dys - c0 - (xs - mu) * c1);
        }
    });
}

Var batch_norm(Tape& t, Var x, Var gamma, Var beta, Tensor& running_mean, Tensor& running_var, bool train,
               float momentum, float eps) {
    const Shape xs = t.shape(x), gs = t.shape(gamma), bs = t.shape(beta);
    require_rank("batch_norm", xs, 2, 4);
    const int c = xs[1];
    for (const Shape* s : {&gs, &bs, &running_mean.shape(), &running_var.shape()})
        if (s->rank != 1 || (*s)[0] != c)
            fail("batch_norm: gamma, beta and the running statistics must be (", c, ") for input ", xs.str(), ", got ",
                 s->str());
    if (!(eps > 0.f)) fail("batch_norm: eps must be > 0, got ", eps);
    if (!(momentum >= 0.f && momentum <= 1.f)) fail("batch_norm: momentum must be in [0, 1], got ", momentum);
    const ChannelSegments seg(xs);
    // A dry step computes nothing, and memory estimates measure one at batch 1 (core/memory.h).
    if (train && seg.m() < 2 && !shapes_only())
        fail("batch_norm: training needs more than one value per channel, got input ", xs.str());
    Saved s;
    s.aux[0] = t.scratch(Shape{c});  // mean (C)
    s.aux[1] = t.scratch(Shape{c});  // rstd (C)
    s.i[0] = train;
    Var out = t.emit(xs, {x, gamma, beta}, batch_norm_backward, s);
    if (shapes_only()) return out;
    const float* xp = t.value(x).data();
    const float* g = t.value(gamma).data();
    const float* bt = t.value(beta).data();
    float* y = t.value(out).data();
    float* mean = t.value(s.aux[0]).data();
    float* rstd = t.value(s.aux[1]).data();
    float* rm = running_mean.data();
    float* rv = running_var.data();
    const double m = static_cast<double>(seg.m());
    for_rows(static_cast<size_t>(c), static_cast<size_t>(seg.m()), [&](size_t chu) {
        const long ch = static_cast<long>(chu);
        if (train) {
            // Two passes (mean, then centred squares): no cancellation for channels with a large mean.
            double sum = 0, sq = 0;
            for (long b = 0; b < seg.n; ++b)
                sum += static_cast<double>(ConstFlatMap(xp + seg.offset(b, ch), seg.p).sum());
            const float mu = static_cast<float>(sum / m);
            for (long b = 0; b < seg.n; ++b)
                sq += static_cast<double>((ConstFlatMap(xp + seg.offset(b, ch), seg.p) - mu).square().sum());
            const double var = sq / m;
            mean[ch] = mu;
            rstd[ch] = static_cast<float>(1.0 / std::sqrt(var + eps));
            rm[ch] = (1.f - momentum) * rm[ch] + momentum * mu;
            rv[ch] = (1.f - momentum) * rv[ch] + momentum * static_cast<float>(var * m / (m - 1));
        } else {
            mean[ch] = rm[ch];
            rstd[ch] = 1.f / std::sqrt(rv[ch] + eps);
        }
        const float a = rstd[ch] * g[ch], shift = bt[ch] - mean[ch] * a;
        for (long b = 0; b < seg.n; ++b)
            FlatMap(y + seg.offset(b, ch), seg.p) = ConstFlatMap(xp + seg.offset(b, ch), seg.p) * a + shift;
    });
    return out;
}

}  // namespace genlab
