// Shape ops: reshape (a view: no copy, shared gradient), transpose of the last two dims, slice and
// concat along any dim. Slice and concat see a tensor as (outer, dim, inner) blocks and move
// contiguous runs of dim*inner floats.
#include <algorithm>
#include <cstring>

#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

int normalise_dim(const char* op, const Shape& s, int dim) {
    const int d = dim < 0 ? dim + s.rank : dim;
    if (d < 0 || d >= s.rank) fail(op, ": dim ", dim, " is out of range for shape ", s.str(), " (rank ", s.rank, ")");
    return d;
}

size_t outer_of(const Shape& s, int dim) {
    size_t n = 1;
    for (int i = 0; i < dim; ++i) n *= static_cast<size_t>(s[i]);
    return n;
}

size_t inner_of(const Shape& s, int dim) {
    size_t n = 1;
    for (int i = dim + 1; i < s.rank; ++i) n *= static_cast<size_t>(s[i]);
    return n;
}

}  // namespace

// --- reshape

Var reshape(Tape& t, Var x, Shape shape) {
    if (shape.numel() != t.shape(x).numel())
        fail("reshape: cannot view ", t.shape(x).str(), " (", t.shape(x).numel(), " elements) as ", shape.str(), " (",
             shape.numel(), " elements)");
    return t.emit_view(shape, x);
}

// --- transpose

static void transpose_backward(Tape& t, const Node& n) {
    const Shape& os = t.shape(n.out);  // (B, N, M)
    const Eigen::Index batch = os.rank == 3 ? os[0] : 1, rows = os[-2], cols = os[-1];
    const float* dout = t.grad(n.out).data();
    const Tape::GradWrite dx = t.grad_write(n.in[0]);  // every element: a fresh buffer is stored
    for (Eigen::Index i = 0; i < batch; ++i) {
        MatMap dxi(dx.data + i * rows * cols, cols, rows);
        if (dx.fresh)
            dxi = ConstMatMap(dout + i * rows * cols, rows, cols).transpose();
        else
            dxi += ConstMatMap(dout + i * rows * cols, rows, cols).transpose();
    }
}

Var transpose(Tape& t, Var x) {
    const Shape xs = t.shape(x);  // (B, M, N) or (M, N)
    require_rank("transpose", xs, 2, 3);
    Shape os = xs;
    std::swap(os.dims[static_cast<size_t>(xs.rank - 2)], os.dims[static_cast<size_t>(xs.rank - 1)]);
    Var out = t.emit(os, {x}, transpose_backward);
    if (shapes_only()) return out;
    const Eigen::Index batch = xs.rank == 3 ? xs[0] : 1, rows = xs[-2], cols = xs[-1];
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    for (Eigen::Index i = 0; i < batch; ++i)
        MatMap(y + i * rows * cols, cols, rows) = ConstMatMap(xp + i * rows * cols, rows, cols).transpose();
    return out;
}

// --- slice

static void slice_backward(Tape& t, const Node& n) {
    const size_t outer = static_cast<size_t>(n.saved.i[0]), in_run = static_cast<size_t>(n.saved.i[1]),
                 out_run = static_cast<size_t>(n.saved.i[2]), offset = static_cast<size_t>(n.saved.i[3]);
    const float* dout = t.grad(n.out).data();
    float* dx = t.grad(n.in[0]).data();
    for (size_t o = 0; o < outer; ++o) {
        const float* src = dout + o * out_run;
        float* dst = dx + o * in_run + offset;
        for (size_t j = 0; j < out_run; ++j) dst[j] += src[j];
    }
}

Var slice(Tape& t, Var x, int dim, int start, int length) {
    const Shape xs = t.shape(x);
    const int d = normalise_dim("slice", xs, dim);
    if (start < 0 || length < 0 || start + length > xs[d])
        fail("slice: range [", start, ", ", start + length, ") does not fit dim ", dim, " of shape ", xs.str(),
             " (expected 0 <= start <= start + length <= ", xs[d], ")");
    Shape os = xs;
    os.dims[static_cast<size_t>(d)] = length;
    const size_t outer = outer_of(xs, d), inner = inner_of(xs, d);
    Saved s;
    s.i = {static_cast<int64_t>(outer), static_cast<int64_t>(static_cast<size_t>(xs[d]) * inner),
           static_cast<int64_t>(static_cast<size_t>(length) * inner),
           static_cast<int64_t>(static_cast<size_t>(start) * inner)};
    Var out = t.emit(os, {x}, slice_backward, s);
    if (shapes_only()) return out;
    const size_t in_run = static_cast<size_t>(s.i[1]), out_run = static_cast<size_t>(s.i[2]),
                 offset = static_cast<size_t>(s.i[3]);
    const float* xp = t.value(x).data();
    float* y = t.value(out).data();
    if (out_run)
        for (size_t o = 0; o < outer; ++o)
            std::memcpy(y + o * out_run, xp + o * in_run + offset, out_run * sizeof(float));
    return out;
}

// --- concat

static void concat_backward(Tape& t, const Node& n) {
    const size_t outer = static_cast<size_t>(n.saved.i[0]), run_a = static_cast<size_t>(n.saved.i[1]),
                 run_b = static_cast<size_t>(n.saved.i[2]);
    const size_t run = run_a + run_b;
    const float* dout = t.grad(n.out).data();
    if (t.requires_grad(n.in[0])) {
        float* da = t.grad(n.in[0]).data();
        for (size_t o = 0; o < outer; ++o)
            for (size_t j = 0; j < run_a; ++j) da[o * run_a + j] += dout[o * run + j];
    }
    if (t.requires_grad(n.in[1])) {
        float* db = t.grad(n.in[1]).data();
        for (size_t o = 0; o < outer; ++o)
            for (size_t j = 0; j < run_b; ++j) db[o * run_b + j] += dout[o * run + run_a + j];
    }
}

Var concat(Tape& t, Var a, Var b, int dim) {
    const Shape as = t.shape(a), bs = t.shape(b);
    const int d = normalise_dim("concat", as, dim);
    bool ok = as.rank == bs.rank;
    for (int i = 0; ok && i < as.rank; ++i) ok = i == d || as[i] == bs[i];
    if (!ok)
        fail("concat: cannot join ", as.str(), " and ", bs.str(), " along dim ", dim,
             " (all other dims must be equal)");
    Shape os = as;
    os.dims[static_cast<size_t>(d)] = as[d] + bs[d];
    const size_t outer = outer_of(as, d), inner = inner_of(as, d);
    const size_t run_a = static_cast<size_t>(as[d]) * inner, run_b = static_cast<size_t>(bs[d]) * inner;
    Saved s;
    s.i[0] = static_cast<int64_t>(outer);
    s.i[1] = static_cast<int64_t>(run_a);
    s.i[2] = static_cast<int64_t>(run_b);
    Var out = t.emit(os, {a, b}, concat_backward, s);
    if (shapes_only()) return out;
    const float* ap = t.value(a).data();
    const float* bp = t.value(b).data();
    float* y = t.value(out).data();
    for (size_t o = 0; o < outer; ++o) {
        if (run_a) std::memcpy(y + o * (run_a + run_b), ap + o * run_a, run_a * sizeof(float));
        if (run_b) std::memcpy(y + o * (run_a + run_b) + run_a, bp + o * run_b, run_b * sizeof(float));
    }
    return out;
}

}  // namespace genlab
