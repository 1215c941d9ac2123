// Elementwise ops. Binary ops take b of a's shape, or one row / trailing block of it that is
// repeated over a's leading dims (row broadcasting). Backward accumulates (+=): a Var may feed
// several ops (or one op twice, as in x * x), and the tape visits each consumer once.
#include <cmath>

#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

// Width of the block b repeats over a: 0 when b has a's shape, else b.numel(). b broadcasts when
// its dims (leading 1s dropped) are the trailing dims of a: (C) or (1, C) onto (N, C), (T, C)
// onto (B, T, C).
size_t broadcast_width(const char* op, const Shape& a, const Shape& b) {
    if (a == b) return 0;
    int lead = 0;
    while (lead < b.rank - 1 && b[lead] == 1) ++lead;
    bool ok = b.rank - lead <= a.rank;
    for (int i = 1; ok && i <= b.rank - lead; ++i) ok = b[b.rank - i] == a[a.rank - i];
    if (!ok)
        fail(op, ": cannot broadcast ", b.str(), " onto ", a.str(), " (expected the same shape, one row (", a.last(),
             "), or trailing dims of ", a.str(), ")");
    return b.numel();
}

// y = f(a, b) with b either aligned (w == 0) or repeated every w elements.
template <class F>
void binary_forward(const float* a, const float* b, float* y, size_t n, size_t w, F f) {
    if (w == 0) {
        for_blocks(n, [&](size_t lo, size_t hi) {
            for (size_t i = lo; i < hi; ++i) y[i] = f(a[i], b[i]);
        });
        return;
    }
    for_rows(n / w, w, [&](size_t r) {
        const float* ar = a + r * w;
        float* yr = y + r * w;
        for (size_t c = 0; c < w; ++c) yr[c] = f(ar[c], b[c]);
    });
}

// The broadcast operand's gradient: the sum over the rows it was repeated on (the reverse of a
// broadcast is a sum). Rows are added in order, serially, so the result does not depend on the
// thread count; each row's inner loop vectorises.
template <class G>
void accumulate_broadcast(float* db, size_t n, size_t w, G g) {
    for (size_t base = 0; base < n; base += w)
        for (size_t c = 0; c < w; ++c) db[c] += g(base + c, c);
}

struct Inputs {
    const float* a;
    const float* b;
    const float* y;
    const float* dy;
    size_t n, w;
};

Inputs unpack(Tape& t, const Node& n) {
    return {t.value(n.in[0]).data(), t.value(n.in[1]).data(), t.value(n.out).data(),
            t.grad(n.out).data(),    t.value(n.out).numel(),  static_cast<size_t>(n.saved.i[0])};
}

// For the b-side gradient: aligned when w == 0, summed over rows otherwise.
template <class G>
void accumulate_b(Tape& t, Var b, size_t n, size_t w, G g) {
    if (w == 0)
        write_full(t.grad_write(b), n, 0, g);
    else
        accumulate_broadcast(t.grad(b).data(), n, w, g);
}

template <class F>
Var binary(Tape& t, const char* op, Var a, Var b, BackwardFn backward, F f) {
    const Shape as = t.shape(a);
    const size_t w = broadcast_width(op, as, t.shape(b));
    Saved s;
    s.i[0] = static_cast<int64_t>(w);
    Var out = t.emit(as, {a, b}, backward, s);
    if (shapes_only()) return out;
    binary_forward(t.value(a).data(), t.value(b).data(), t.value(out).data(), as.numel(), w, f);
    return out;
}

}  // namespace

// --- add, sub, mul, div

static void add_backward(Tape& t, const Node& n) {
    const Inputs p = unpack(t, n);
    if (t.requires_grad(n.in[0])) write_full(t.grad_write(n.in[0]), p.n, 0, [&](size_t i, size_t) { return p.dy[i]; });
    if (t.requires_grad(n.in[1])) accumulate_b(t, n.in[1], p.n, p.w, [&](size_t i, size_t) { return p.dy[i]; });
}

Var add(Tape& t, Var a, Var b) {
    return binary(t, "add", a, b, add_backward, [](float x, float y) { return x + y; });
}

static void sub_backward(Tape& t, const Node& n) {
    const Inputs p = unpack(t, n);
    if (t.requires_grad(n.in[0])) write_full(t.grad_write(n.in[0]), p.n, 0, [&](size_t i, size_t) { return p.dy[i]; });
    if (t.requires_grad(n.in[1])) accumulate_b(t, n.in[1], p.n, p.w, [&](size_t i, size_t) { return -p.dy[i]; });
}

Var sub(Tape& t, Var a, Var b) {
    return binary(t, "sub", a, b, sub_backward, [](float x, float y) { return x - y; });
}

static void mul_backward(Tape& t, const Node& n) {
    const Inputs p = unpack(t, n);
    // d(a*b)/da = b, d(a*b)/db = a; j indexes b (aligned or repeated).
    if (t.requires_grad(n.in[0]))
        write_full(t.grad_write(n.in[0]), p.n, p.w, [&](size_t i, size_t j) { return p.dy[i] * p.b[j]; });
    if (t.requires_grad(n.in[1]))
        accumulate_b(t, n.in[1], p.n, p.w, [&](size_t i, size_t) { return p.dy[i] * p.a[i]; });
}

Var mul(Tape& t, Var a, Var b) {
    return binary(t, "mul", a, b, mul_backward, [](float x, float y) { return x * y; });
}

static void div_backward(Tape& t, const Node& n) {
    const Inputs p = unpack(t, n);
    // d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -y/b (reusing the output).
    if (t.requires_grad(n.in[0]))
        write_full(t.grad_write(n.in[0]), p.n, p.w, [&](size_t i, size_t j) { return p.dy[i] / p.b[j]; });
    if (t.requires_grad(n.in[1]))
        accumulate_b(t, n.in[1], p.n, p.w, [&](size_t i, size_t j) { return -p.dy[i] * p.y[i] / p.b[j]; });
}

Var div(Tape& t, Var a, Var b) {
    return binary(t, "div", a, b, div_backward, [](float x, float y) { return x / y; });
}

// --- unary: scale, add_scalar, exp, log

static void scale_backward(Tape& t, const Node& n) {
    const float s = n.saved.f[0];
    const float* dy = t.grad(n.out).data();
    write_full(t.grad_write(n.in[0]), t.value(n.out).numel(), 0, [&](size_t i, size_t) { return s * dy[i]; });
}

Var scale(Tape& t, Var x, float s) {
    Saved sv;
    sv.f[0] = s;
    Var out = t.emit(t.shape(x), {x}, scale_backward, sv);
    if (shapes_only()) return out;
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    for_blocks(t.value(out).numel(), [&](size_t lo, size_t hi) {
        for (size_t i = lo; i < hi; ++i) y[i] = s * xp[i];
    });
    return out;
}

static void add_scalar_backward(Tape& t, const Node& n) {
    const float* dy = t.grad(n.out).data();
    write_full(t.grad_write(n.in[0]), t.value(n.out).numel(), 0, [&](size_t i, size_t) { return dy[i]; });
}

Var add_scalar(Tape& t, Var x, float s) {
    Var out = t.emit(t.shape(x), {x}, add_scalar_backward);
    if (shapes_only()) return out;
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    for_blocks(t.value(out).numel(), [&](size_t lo, size_t hi) {
        for (size_t i = lo; i < hi; ++i) y[i] = xp[i] + s;
    });
    return out;
}

static void exp_backward(Tape& t, const Node& n) {
    const float* y = t.value(n.out).data();  // exp' = exp: reuse the output
    const float* dy = t.grad(n.out).data();
    write_full(t.grad_write(n.in[0]), t.value(n.out).numel(), 0, [&](size_t i, size_t) { return dy[i] * y[i]; });
}

Var exp(Tape& t, Var x) {
    Var out = t.emit(t.shape(x), {x}, exp_backward);
    if (shapes_only()) return out;
    const Tensor& xv = t.value(x);
    Tensor& yv = t.value(out);
    for_blocks(xv.numel(), [&](size_t lo, size_t hi) {
        const Eigen::Index len = static_cast<Eigen::Index>(hi - lo);
        yv.flat().segment(static_cast<Eigen::Index>(lo),
                          len) = xv.flat().segment(static_cast<Eigen::Index>(lo), len).exp();
    });
    return out;
}

static void log_backward(Tape& t, const Node& n) {
    const float* x = t.value(n.in[0]).data();
    const float* dy = t.grad(n.out).data();
    write_full(t.grad_write(n.in[0]), t.value(n.out).numel(), 0, [&](size_t i, size_t) { return dy[i] / x[i]; });
}

// IEEE semantics, as torch.log: log(0) = -inf, log(x < 0) = NaN (the trainer's NaN guard reports it).
Var log(Tape& t, Var x) {
    Var out = t.emit(t.shape(x), {x}, log_backward);
    if (shapes_only()) return out;
    const Tensor& xv = t.value(x);
    Tensor& yv = t.value(out);
    for_blocks(xv.numel(), [&](size_t lo, size_t hi) {
        const Eigen::Index len = static_cast<Eigen::Index>(hi - lo);
        yv.flat().segment(static_cast<Eigen::Index>(lo),
                          len) = xv.flat().segment(static_cast<Eigen::Index>(lo), len).log();
    });
    return out;
}

}  // namespace genlab
