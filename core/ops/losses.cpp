// Losses, each reduced to one value (1): mse, bce, bce_with_logits, cross_entropy (fused
// log-softmax + NLL), kl_normal. Conventions follow torch.nn.functional with reduction="mean".
// Sums use ops_detail::chunked_sum, so a loss is bit-identical for any thread count.
#include <algorithm>
#include <cmath>

#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

// [lo, hi) of a flat buffer as an Eigen array: the loops below are Eigen expressions so that exp,
// log and the chunk sums vectorise (a plain float loop sum would not, without fast-math).
ConstFlatMap seg(const float* p, size_t lo, size_t hi) { return {p + lo, static_cast<Eigen::Index>(hi - lo)}; }
FlatMap seg(float* p, size_t lo, size_t hi) { return {p + lo, static_cast<Eigen::Index>(hi - lo)}; }

}  // namespace

// --- mse

static void mse_backward(Tape& t, const Node& n) {
    const size_t count = t.value(n.in[0]).numel();
    const float g = 2.f * t.grad(n.out)[0] / static_cast<float>(count);
    const float* p = t.value(n.in[0]).data();
    const float* y = t.value(n.in[1]).data();
    for (int k = 0; k < 2; ++k) {
        if (!t.requires_grad(n.in[k])) continue;
        float* d = t.grad(n.in[k]).data();
        const float gk = k == 0 ? g : -g;
        for_blocks(count, [&](size_t lo, size_t hi) { seg(d, lo, hi) += gk * (seg(p, lo, hi) - seg(y, lo, hi)); });
    }
}

Var mse(Tape& t, Var pred, Var target) {
    require_same_shape("mse", t.shape(pred), t.shape(target));
    Var out = t.emit(Shape{1}, {pred, target}, mse_backward);
    if (shapes_only()) return out;
    const float* p = t.value(pred).data();
    const float* y = t.value(target).data();
    const size_t count = t.value(pred).numel();
    const double s = chunked_sum(count, [&](size_t lo, size_t hi) {
        return (seg(p, lo, hi) - seg(y, lo, hi)).square().sum();
    });
    t.value(out)[0] = static_cast<float>(s / static_cast<double>(count));
    return out;
}

// --- bce on probabilities

static void bce_backward(Tape& t, const Node& n) {
    const size_t count = t.value(n.in[0]).numel();
    const float g = t.grad(n.out)[0] / static_cast<float>(count);
    const float* p = t.value(n.in[0]).data();
    const float* y = t.value(n.in[1]).data();
    if (t.requires_grad(n.in[0])) {
        float* dp = t.grad(n.in[0]).data();
        // As PyTorch: (p - y) / max(p (1 - p), 1e-12), finite at p = 0 or 1.
        for_blocks(count, [&](size_t lo, size_t hi) {
            ConstFlatMap pi = seg(p, lo, hi);
            seg(dp, lo, hi) += g * (pi - seg(y, lo, hi)) / (pi * (1.f - pi)).max(1e-12f);
        });
    }
    if (t.requires_grad(n.in[1])) {
        float* dy = t.grad(n.in[1]).data();
        for_blocks(count, [&](size_t lo, size_t hi) {
            ConstFlatMap pi = seg(p, lo, hi);
            seg(dy, lo, hi) += g * ((-pi).log1p().max(-100.f) - pi.log().max(-100.f));
        });
    }
}

Var bce(Tape& t, Var prob, Var target) {
    require_same_shape("bce", t.shape(prob), t.shape(target));
    Var out = t.emit(Shape{1}, {prob, target}, bce_backward);
    if (shapes_only()) return out;
    const float* p = t.value(prob).data();
    const float* y = t.value(target).data();
    const size_t count = t.value(prob).numel();
    // PyTorch clamps each log at -100 so that p = 0 or 1 gives a finite loss.
    const double s = chunked_sum(count, [&](size_t lo, size_t hi) {
        ConstFlatMap pi = seg(p, lo, hi), yi = seg(y, lo, hi);
        return -(yi * pi.log().max(-100.f) + (1.f - yi) * (-pi).log1p().max(-100.f)).sum();
    });
    t.value(out)[0] = static_cast<float>(s / static_cast<double>(count));
    return out;
}

// --- bce on logits

static void bce_with_logits_backward(Tape& t, const Node& n) {
    const size_t count = t.value(n.in[0]).numel();
    const float g = t.grad(n.out)[0] / static_cast<float>(count);
    const float* x = t.value(n.in[0]).data();
    const float* y = t.value(n.in[1]).data();
    if (t.requires_grad(n.in[0])) {
        float* dx = t.grad(n.in[0]).data();
        for_blocks(count, [&](size_t lo, size_t hi) {
            // sigmoid = 1 / (1 + exp(-x)): for x << 0 exp overflows to inf and the quotient is
            // the exact limit 0, never NaN, so no branch is needed and the loop vectorises.
            seg(dx, lo, hi) += g * (1.f / (1.f + (-seg(x, lo, hi)).exp()) - seg(y, lo, hi));
        });
    }
    if (t.requires_grad(n.in[1])) {
        float* dy = t.grad(n.in[1]).data();
        for_blocks(count, [&](size_t lo, size_t hi) { seg(dy, lo, hi) -= g * seg(x, lo, hi); });
    }
}

Var bce_with_logits(Tape& t, Var logits, Var target) {
    require_same_shape("bce_with_logits", t.shape(logits), t.shape(target));
    Var out = t.emit(Shape{1}, {logits, target}, bce_with_logits_backward);
    if (shapes_only()) return out;
    const float* x = t.value(logits).data();
    const float* y = t.value(target).data();
    const size_t count = t.value(logits).numel();
    // max(x, 0) - x y + log(1 + exp(-|x|)): never exponentiates a positive number.
    const double s = chunked_sum(count, [&](size_t lo, size_t hi) {
        ConstFlatMap xi = seg(x, lo, hi);
        return (xi.max(0.f) - xi * seg(y, lo, hi) + (-xi.abs()).exp().log1p()).sum();
    });
    t.value(out)[0] = static_cast<float>(s / static_cast<double>(count));
    return out;
}

// --- cross entropy (fused log-softmax + NLL)

static void cross_entropy_backward(Tape& t, const Node& n) {
    const Shape& ls = t.shape(n.in[0]);
    const size_t rows = ls.rows();
    const Eigen::Index v = ls.last();
    const float g = t.grad(n.out)[0] * n.saved.f[0];      // dout / count
    const float* probs = t.value(n.saved.aux[0]).data();  // (N, V), zero rows where ignored
    const float* ids = t.value(n.in[1]).data();           // (N)
    if (!t.requires_grad(n.in[0])) return;                // ids carry no gradient
    float* dx = t.grad(n.in[0]).data();                   // (N, V)
    for_rows(rows, static_cast<size_t>(v), [&](size_t r) {
        if (ids[r] < 0.f) return;
        const Eigen::Index off = static_cast<Eigen::Index>(r) * v;
        FlatMap(dx + off, v) += g * ConstFlatMap(probs + off, v);
        dx[off + static_cast<Eigen::Index>(ids[r])] -= g;  // (p - onehot) / count
    });
}

// Rows whose target is negative (padding) are ignored; with no counted row the loss is 0 and so is
// the gradient (PyTorch returns NaN there, which would trip the trainer's NaN guard on padding).
Var cross_entropy(Tape& t, Var logits, Var targets) {
    const Shape ls = t.shape(logits), ts = t.shape(targets);
    bool ok = ls.rank >= 2 && ts.rank == ls.rank - 1;
    for (int i = 0; ok && i < ts.rank; ++i) ok = ls[i] == ts[i];
    if (!ok)
        fail("cross_entropy: targets ", ts.str(), " do not match logits ", ls.str(),
             " (expected logits (N, V) with targets (N), or (B, T, V) with (B, T))");
    const size_t rows = ls.rows();
    const Eigen::Index v = ls.last();
    const float* ids = t.value(targets).data();
    size_t count = 0;
    const size_t checked = shapes_only() ? 0 : rows;  // ShapesOnly: no targets to read
    for (size_t r = 0; r < checked; ++r) {
        const float id = ids[r];
        if (id < 0.f) continue;  // ignored
        if (!(id < static_cast<float>(v)) || std::floor(id) != id)
            fail("cross_entropy: target ", id, " at row ", r, " is not a class id in [0, ", v, ") for logits ",
                 ls.str(), " (negative ids are ignored as padding)");
        ++count;
    }
    Saved s;
    s.aux[0] = t.scratch(ls);                             // probabilities (N, V)
    s.aux[1] = t.scratch(Shape{static_cast<int>(rows)});  // per-row loss (N)
    s.f[0] = count ? 1.f / static_cast<float>(count) : 0.f;
    Var out = t.emit(Shape{1}, {logits, targets}, cross_entropy_backward, s);
    if (shapes_only()) return out;
    const float* x = t.value(logits).data();
    float* probs = t.value(s.aux[0]).data();
    float* row_loss = t.value(s.aux[1]).data();
    for_rows(rows, static_cast<size_t>(v), [&](size_t r) {
        const Eigen::Index off = static_cast<Eigen::Index>(r) * v;
        FlatMap pr(probs + off, v);
        if (ids[r] < 0.f) {
            pr.setZero();
            row_loss[r] = 0.f;
            return;
        }
        ConstFlatMap xr(x + off, v);
        const float m = xr.maxCoeff();
        pr = (xr - m).exp();
        const float z = pr.sum();
        pr *= 1.f / z;
        // -log softmax[target] = logsumexp - x[target], from the max-shifted sum (stable).
        row_loss[r] = m + std::log(z) - x[off + static_cast<Eigen::Index>(ids[r])];
    });
    double total = 0;
    for (size_t r = 0; r < rows; ++r) total += row_loss[r];  // in row order: thread-count independent
    t.value(out)[0] = count ? static_cast<float>(total / static_cast<double>(count)) : 0.f;
    return out;
}

// --- KL divergence to the standard normal

static void kl_normal_backward(Tape& t, const Node& n) {
    const Shape& s = t.shape(n.in[0]);
    const size_t count = s.numel();
    const float g = t.grad(n.out)[0] / static_cast<float>(s.rows());
    const float* mu = t.value(n.in[0]).data();
    const float* lv = t.value(n.in[1]).data();
    if (t.requires_grad(n.in[0])) {
        float* dmu = t.grad(n.in[0]).data();
        for_blocks(count, [&](size_t lo, size_t hi) { seg(dmu, lo, hi) += g * seg(mu, lo, hi); });
    }
    if (t.requires_grad(n.in[1])) {
        float* dlv = t.grad(n.in[1]).data();
        for_blocks(count,
                   [&](size_t lo, size_t hi) { seg(dlv, lo, hi) += (0.5f * g) * (seg(lv, lo, hi).exp() - 1.f); });
    }
}

// KL(N(mu, σ²) || N(0, 1)) = -½ (1 + log σ² - mu² - σ²) per dim, summed over the last dim and
// averaged over rows (the VAE convention: a per-sample KL, then the batch mean).
Var kl_normal(Tape& t, Var mu, Var logvar) {
    const Shape ms = t.shape(mu);
    require_same_shape("kl_normal", ms, t.shape(logvar));
    Var out = t.emit(Shape{1}, {mu, logvar}, kl_normal_backward);
    if (shapes_only()) return out;
    const float* m = t.value(mu).data();
    const float* lv = t.value(logvar).data();
    const double s = chunked_sum(ms.numel(), [&](size_t lo, size_t hi) {
        ConstFlatMap mi = seg(m, lo, hi), li = seg(lv, lo, hi);
        return -0.5f * (1.f + li - mi.square() - li.exp()).sum();
    });
    t.value(out)[0] = static_cast<float>(s / static_cast<double>(ms.rows()));
    return out;
}

}  // namespace genlab
