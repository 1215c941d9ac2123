// Softmax and log-softmax over the last dim. The row max is subtracted before exp so large logits
// never overflow. Backward works from the saved output alone:
//   softmax:     dx = y ⊙ (dy - Σ dy⊙y)
//   log_softmax: dx = dy - exp(y) · Σ dy
#include <cmath>

#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

struct Rows {
    size_t rows;
    Eigen::Index c;
};

Rows rows_of(const Shape& s) { return {s.rows(), s.last()}; }

void require_nonempty(const char* op, const Shape& s) {
    if (s.rank < 1 || s.last() == 0) fail(op, ": expected a non-empty last dim, got shape ", s.str());
}

}  // namespace

static void softmax_backward(Tape& t, const Node& n) {
    const Rows d = rows_of(t.shape(n.out));
    const float* y = t.value(n.out).data();
    const float* dout = t.grad(n.out).data();
    float* dx = t.grad(n.in[0]).data();
    for_rows(d.rows, static_cast<size_t>(d.c), [&](size_t r) {
        const Eigen::Index off = static_cast<Eigen::Index>(r) * d.c;
        ConstFlatMap yr(y + off, d.c), dyr(dout + off, d.c);
        const float dot = (dyr * yr).sum();
        FlatMap(dx + off, d.c) += yr * (dyr - dot);
    });
}

Var softmax(Tape& t, Var x) {
    const Shape xs = t.shape(x);
    require_nonempty("softmax", xs);
    Var out = t.emit(xs, {x}, softmax_backward);
    if (shapes_only()) return out;
    const Rows d = rows_of(xs);
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    for_rows(d.rows, static_cast<size_t>(d.c), [&](size_t r) {
        const Eigen::Index off = static_cast<Eigen::Index>(r) * d.c;
        ConstFlatMap xr(xp + off, d.c);
        FlatMap yr(y + off, d.c);
        yr = (xr - xr.maxCoeff()).exp();
        yr *= 1.f / yr.sum();
    });
    return out;
}

static void log_softmax_backward(Tape& t, const Node& n) {
    const Rows d = rows_of(t.shape(n.out));
    const float* y = t.value(n.out).data();
    const float* dout = t.grad(n.out).data();
    float* dx = t.grad(n.in[0]).data();
    for_rows(d.rows, static_cast<size_t>(d.c), [&](size_t r) {
        const Eigen::Index off = static_cast<Eigen::Index>(r) * d.c;
        ConstFlatMap yr(y + off, d.c), dyr(dout + off, d.c);
        const float total = dyr.sum();
        FlatMap(dx + off, d.c) += dyr - yr.exp() * total;
    });
}

Var log_softmax(Tape& t, Var x) {
    const Shape xs = t.shape(x);
    require_nonempty("log_softmax", xs);
    Var out = t.emit(xs, {x}, log_softmax_backward);
    if (shapes_only()) return out;
    const Rows d = rows_of(xs);
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    for_rows(d.rows, static_cast<size_t>(d.c), [&](size_t r) {
        const Eigen::Index off = static_cast<Eigen::Index>(r) * d.c;
        ConstFlatMap xr(xp + off, d.c);
        FlatMap yr(y + off, d.c);
        const float m = xr.maxCoeff();
        const float lse = m + std::log((xr - m).exp().sum());
        yr = xr - lse;
    });
    return out;
}

}  // namespace genlab
