// Fused linear layer: out = x·Wᵀ + b in one GEMM plus a broadcast add, no temporaries.
#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

static void linear_backward(Tape& t, const Node& n) {
    MatMap dout = t.grad(n.out).matrix();   // (N, out)
    MatMap x = t.value(n.in[0]).matrix();   // (N, in)
    MatMap w = t.value(n.in[1]).matrix();   // (out, in)
    if (t.requires_grad(n.in[0])) t.grad(n.in[0]).matrix().noalias() += dout * w;           // dx = dout·W
    if (t.requires_grad(n.in[1])) t.grad(n.in[1]).matrix().noalias() += dout.transpose() * x;  // dW = doutᵀ·x
    if (n.in[2].valid() && t.requires_grad(n.in[2]))
        t.grad(n.in[2]).flat().matrix().transpose() += dout.colwise().sum();                // db = Σ_rows dout
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
    MatMap y = t.value(out).matrix();                                   // (N, out)
    y.noalias() = t.value(x).matrix() * t.value(w).matrix().transpose();
    if (b.valid()) y.rowwise() += t.value(b).flat().matrix().transpose();
    return out;
}

}  // namespace genlab
