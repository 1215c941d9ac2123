// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d) of an NCHW batch:
//
//     y[n][o][oy][ox] = b[o] + Σ_{c,i,j} W[o][c][i][j] · x[n][c][oy·s − p + i][ox·s − p + j]
//
// as one GEMM over the whole batch: Y' (Cout, N·OH·OW) = W (Cout, C·kh·kw) · cols, cols = im2col(x)
// (core/ops/im2col.h), then Y' swapped to (N, Cout, OH·OW). Backward, with dY' the gradient in that
// channel-major layout: dW = dY'·colsᵀ, db = Σ dY' over its columns, dx = col2im(Wᵀ·dY').
// Scratch slots: cols (kept from the forward for dW, then overwritten by Wᵀ·dY') and Y' / dY'.
#include "core/gemm.h"
#include "core/ops.h"
#include "core/ops/common.h"
#include "core/ops/im2col.h"

namespace genlab {

using namespace ops_detail;

namespace {

// The geometry of conv2d's input as its forward checked it, from the shapes on the tape.
ConvGeometry conv2d_geometry(const Shape& xs, const Shape& ws, int stride, int pad) {
    ConvGeometry g{
        .n = xs[0], .c = xs[1], .h = xs[2], .w = xs[3], .kh = ws[2], .kw = ws[3], .stride = stride, .pad = pad};
    g.oh = ConvGeometry::out_size(g.h, g.kh, stride, pad);
    g.ow = ConvGeometry::out_size(g.w, g.kw, stride, pad);
    return g;
}

}  // namespace

static void conv2d_backward(Tape& t, const Node& n) {
    const ConvGeometry g = conv2d_geometry(t.shape(n.in[0]), t.shape(n.in[1]), static_cast<int>(n.saved.i[0]),
                                           static_cast<int>(n.saved.i[1]));
    const long cout = t.shape(n.in[1])[0], k = g.rows(), cols = g.cols(), p = static_cast<long>(g.oh) * g.ow;
    const float* w = t.value(n.in[1]).data();     // (Cout, C·kh·kw)
    float* col = t.value(n.saved.aux[0]).data();  // (C·kh·kw, N·OH·OW)
    float* dyc = t.value(n.saved.aux[1]).data();  // (Cout, N·OH·OW)
    swap_leading_dims(t.grad(n.out).data(), g.n, static_cast<int>(cout), p, dyc, false);
    if (t.requires_grad(n.in[1])) {  // dW = dY'·colsᵀ
        const Tape::GradWrite dw = t.grad_write(n.in[1]);
        gemm(Trans::No, Trans::Yes, cout, k, cols, dyc, cols, col, cols, dw.fresh ? 0.f : 1.f, dw.data, k);
    }
    if (n.in[2].valid() && t.requires_grad(n.in[2]))  // db = Σ_columns dY'
        t.grad(n.in[2]).flat().matrix() += ConstMatMap(dyc, cout, cols).rowwise().sum();
    if (t.requires_grad(n.in[0])) {  // dx = col2im(Wᵀ·dY'), into cols, which dW no longer needs
        gemm(Trans::Yes, Trans::No, k, cols, cout, w, k, dyc, cols, 0.f, col, cols);
        const Tape::GradWrite dx = t.grad_write(n.in[0]);
        if (dx.fresh) std::fill(dx.data, dx.data + t.shape(n.in[0]).numel(), 0.f);
        col2im_add(g, col, dx.data);
    }
}

Var conv2d(Tape& t, Var x, Var w, Var b, int stride, int padding) {
    const Shape xs = t.shape(x), ws = t.shape(w);
    const Shape bs = b.valid() ? t.shape(b) : Shape{};
    check_conv_args("conv2d", xs, ws, b.valid() ? &bs : nullptr, 1, stride, padding);
    if (xs[2] + 2 * padding < ws[2] || xs[3] + 2 * padding < ws[3])
        fail("conv2d: kernel ", ws[2], "x", ws[3], " is larger than the padded input ", xs.str(), " (padding ", padding,
             ")");
    const ConvGeometry g = conv2d_geometry(xs, ws, stride, padding);
    const long cout = ws[0], k = g.rows(), cols = g.cols();
    Saved s;
    s.i[0] = stride;
    s.i[1] = padding;
    s.aux[0] = t.scratch(Shape{static_cast<int>(k), static_cast<int>(cols)});     // cols (C·kh·kw, N·OH·OW)
    s.aux[1] = t.scratch(Shape{static_cast<int>(cout), static_cast<int>(cols)});  // Y' (Cout, N·OH·OW)
    const Shape os{g.n, ws[0], g.oh, g.ow};
    Var out = b.valid() ? t.emit(os, {x, w, b}, conv2d_backward, s) : t.emit(os, {x, w}, conv2d_backward, s);
    if (shapes_only()) return out;
    float* col = t.value(s.aux[0]).data();
    float* yc = t.value(s.aux[1]).data();
    im2col(g, t.value(x).data(), col);
    // As in linear: the bias is written first and the GEMM adds onto it.
    if (b.valid()) MatMap(yc, cout, cols).colwise() = t.value(b).flat().matrix();
    gemm(Trans::No, Trans::No, cout, cols, k, t.value(w).data(), k, col, cols, b.valid() ? 1.f : 0.f, yc, cols);
    swap_leading_dims(yc, static_cast<int>(cout), g.n, static_cast<long>(g.oh) * g.ow, t.value(out).data(), false);
    return out;
}

}  // namespace genlab
