// Fused linear layer: out = x·Wᵀ + b as one accumulating GEMM over the broadcast bias, no temporaries.
#include "core/gemm.h"
#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

static void linear_backward(Tape& t, const Node& n) {
    MatMap dout = t.grad(n.out).matrix();      // (N, out)
    const float* x = t.value(n.in[0]).data();  // (N, in)
    const float* w = t.value(n.in[1]).data();  // (out, in)
    const long rows = dout.rows(), out = dout.cols(), in = t.shape(n.in[1])[1];
    if (t.requires_grad(n.in[0])) {  // dx = dout·W
        const Tape::GradWrite dx = t.grad_write(n.in[0]);
        gemm(Trans::No, Trans::No, rows, in, out, dout.data(), out, w, in, dx.fresh ? 0.f : 1.f, dx.data, in);
    }
    if (t.requires_grad(n.in[1])) {  // dW = doutᵀ·x (fresh only in a data-parallel shard's own buffer)
        const Tape::GradWrite dw = t.grad_write(n.in[1]);
        gemm(Trans::Yes, Trans::No, out, in, rows, dout.data(), out, x, in, dw.fresh ? 0.f : 1.f, dw.data, in);
    }
    if (n.in[2].valid() && t.requires_grad(n.in[2]))
        t.grad(n.in[2]).flat().matrix().transpose() += dout.colwise().sum();  // db = Σ_rows dout
}

Var linear(Tape& t, Var x, Var w, Var b) {
    const Shape xs = t.shape(x), ws = t.shape(w);
    require_rank("linear", ws, 2, 2);
    if (xs.rank < 1 || xs.last() != ws[1])
        fail("linear: input ", xs.str(), " does not match weight ", ws.str(), " (expected last dim ", ws[1], ")");
    if (b.valid() && (t.shape(b).rank != 1 || t.shape(b)[0] != ws[0]))
        fail("linear: bias ", t.shape(b).str(), " does not match weight ", ws.str());
    Shape os = xs;
    os.dims[static_cast<size_t>(os.rank - 1)] = ws[0];
    Var out = b.valid() ? t.emit(os, {x, w, b}, linear_backward) : t.emit(os, {x, w}, linear_backward);
    if (shapes_only()) return out;
    MatMap y = t.value(out).matrix();  // (N, out) = b + x (N, in) · Wᵀ
    // The bias is written first and the GEMM adds onto it (beta 1): a GEMM told to overwrite
    // (beta 0) zeroes its output in a pass of its own, which was 4% of a gpt step.
    if (b.valid()) y.rowwise() = t.value(b).flat().matrix().transpose();
    gemm(Trans::No, Trans::Yes, y.rows(), y.cols(), ws[1], t.value(x).data(), ws[1], t.value(w).data(), ws[1],
         b.valid() ? 1.f : 0.f, y.data(), y.cols());
    return out;
}

}  // namespace genlab
