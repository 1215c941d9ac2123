// 2-D transposed convolution (torch.nn.functional.conv_transpose2d, no output padding): the
// adjoint of conv2d's map from input to output, so each input pixel scatters a kernel-sized patch
//
//     y[n][o][iy·s − p + i][ix·s − p + j] += W[c][o][i][j] · x[n][c][iy][ix]      (then + b[o])
//
// onto an output of OH = (H − 1)·s − 2p + kh (OW alike). Its forward is conv2d's input gradient and
// its input gradient conv2d's forward, on the column geometry of the *output* image (im2col.h):
// with X' (C, N·H·W) the input in channel-major layout, cols (Cout·kh·kw, N·H·W) = Wᵀ·X' and
// y = col2im(cols). Backward: dcols = im2col(dy), dW = X'·dcolsᵀ, dX' = W·dcols, db = Σ dy per
// channel. Scratch slots: X' (kept from the forward for dW, then overwritten by dX') and cols / dcols.
#include "core/gemm.h"
#include "core/ops.h"
#include "core/ops/common.h"
#include "core/ops/im2col.h"

namespace genlab {

using namespace ops_detail;

namespace {

// The column geometry of conv_transpose2d's output image (N, Cout, OH, OW), whose window positions
// are the input's pixels, from the shapes on the tape.
ConvGeometry conv_transpose2d_geometry(const Shape& xs, const Shape& ws, int stride, int pad) {
    ConvGeometry g{
        .n = xs[0], .c = ws[1], .kh = ws[2], .kw = ws[3], .stride = stride, .pad = pad, .oh = xs[2], .ow = xs[3]};
    g.h = (xs[2] - 1) * stride - 2 * pad + ws[2];
    g.w = (xs[3] - 1) * stride - 2 * pad + ws[3];
    return g;
}

}  // namespace

static void conv_transpose2d_backward(Tape& t, const Node& n) {
    const Shape xs = t.shape(n.in[0]);
    const ConvGeometry g = conv_transpose2d_geometry(xs, t.shape(n.in[1]), static_cast<int>(n.saved.i[0]),
                                                     static_cast<int>(n.saved.i[1]));
    const long cin = xs[1], k = g.rows(), cols = g.cols(), p = static_cast<long>(g.oh) * g.ow;
    const float* w = t.value(n.in[1]).data();     // (C, Cout·kh·kw)
    float* xc = t.value(n.saved.aux[0]).data();   // X' (C, N·H·W)
    float* col = t.value(n.saved.aux[1]).data();  // (Cout·kh·kw, N·H·W)
    const float* dy = t.grad(n.out).data();       // (N, Cout, OH, OW)
    const bool need_x = t.requires_grad(n.in[0]), need_w = t.requires_grad(n.in[1]);
    if (need_x || need_w) im2col(g, dy, col);
    if (need_w) {  // dW = X'·dcolsᵀ
        const Tape::GradWrite dw = t.grad_write(n.in[1]);
        gemm(Trans::No, Trans::Yes, cin, k, cols, xc, cols, col, cols, dw.fresh ? 0.f : 1.f, dw.data, k);
    }
    if (n.in[2].valid() && t.requires_grad(n.in[2])) {  // db = Σ dy over images and pixels
        FlatMap db = t.grad(n.in[2]).flat();
        const long image = static_cast<long>(g.h) * g.w;
        for (long b = 0; b < g.n; ++b) db.matrix() += ConstMatMap(dy + b * g.c * image, g.c, image).rowwise().sum();
    }
    if (need_x) {  // dX' = W·dcols, into X', which dW no longer needs; then back to (N, C, H, W)
        gemm(Trans::No, Trans::No, cin, cols, k, w, k, col, cols, 0.f, xc, cols);
        const Tape::GradWrite dx = t.grad_write(n.in[0]);
        swap_leading_dims(xc, static_cast<int>(cin), g.n, p, dx.data, !dx.fresh);
    }
}

Var conv_transpose2d(Tape& t, Var x, Var w, Var b, int stride, int padding) {
    const Shape xs = t.shape(x), ws = t.shape(w);
    const Shape bs = b.valid() ? t.shape(b) : Shape{};
    check_conv_args("conv_transpose2d", xs, ws, b.valid() ? &bs : nullptr, 0, stride, padding);
    const ConvGeometry g = conv_transpose2d_geometry(xs, ws, stride, padding);
    if (g.h < 1 || g.w < 1)
        fail("conv_transpose2d: padding ", padding, " leaves no output for input ", xs.str(), " and weight ", ws.str());
    const long cin = xs[1], k = g.rows(), cols = g.cols();
    Saved s;
    s.i[0] = stride;
    s.i[1] = padding;
    s.aux[0] = t.scratch(Shape{static_cast<int>(cin), static_cast<int>(cols)});  // X' (C, N·H·W)
    s.aux[1] = t.scratch(Shape{static_cast<int>(k), static_cast<int>(cols)});    // cols (Cout·kh·kw, N·H·W)
    const Shape os{g.n, g.c, g.h, g.w};
    Var out = b.valid() ? t.emit(os, {x, w, b}, conv_transpose2d_backward, s)
                        : t.emit(os, {x, w}, conv_transpose2d_backward, s);
    if (shapes_only()) return out;
    float* xc = t.value(s.aux[0]).data();
    float* col = t.value(s.aux[1]).data();
    float* y = t.value(out).data();
    swap_leading_dims(t.value(x).data(), g.n, static_cast<int>(cin), static_cast<long>(g.oh) * g.ow, xc, false);
    gemm(Trans::Yes, Trans::No, k, cols, cin, t.value(w).data(), k, xc, cols, 0.f, col, cols);
    // y starts as the bias (or zeros) and col2im adds the patches onto it.
    const long image = static_cast<long>(g.h) * g.w;
    const float* bias = b.valid() ? t.value(b).data() : nullptr;
    for (long plane = 0; plane < static_cast<long>(g.n) * g.c; ++plane)
        std::fill(y + plane * image, y + (plane + 1) * image, bias ? bias[plane % g.c] : 0.f);
    col2im_add(g, col, y);
    return out;
}

}  // namespace genlab
