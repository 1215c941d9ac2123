// The column transforms of the convolutions (core/ops/conv2d.cpp, core/ops/conv_transpose2d.cpp;
// ops only, not part of the public API). Images are NCHW as core/ops.h states.
//
// An image batch x (N, C, H, W) seen through a kh×kw window moved by `stride` over x padded with
// `pad` zeros on every side has OH×OW positions, OH = (H + 2·pad − kh) / stride + 1 (OW alike).
// Its column matrix holds one column per window position of every image and one row per window
// element of every channel:
//
//     cols (C·kh·kw, N·OH·OW)    cols[(c·kh + i)·kw + j][(n·OH + oy)·OW + ox] = x[n][c][oy·s − p + i][ox·s − p + j]
//
// (0 where that falls in the padding). A convolution is then one GEMM, W (Cout, C·kh·kw) · cols.
// col2im is im2col's adjoint: it adds every column entry back onto the pixel it was read from,
// so overlapping windows sum. Both go through one index table of the geometry (where each window
// position of each tap lies in the padded image), im2col gathering from a padded copy of a plane
// and col2im adding onto one, over units of one channel of a block of images, in parallel when
// large; each unit is one thread's and adds each pixel's terms in tap order, so results do not
// depend on threads.
#pragma once
#include "core/tensor.h"

namespace genlab::ops_detail {

struct ConvGeometry {
    int n = 0, c = 0, h = 0, w = 0;  // the image batch (N, C, H, W)
    int kh = 0, kw = 0, stride = 1, pad = 0;
    int oh = 0, ow = 0;  // window positions per image: out_size(h, kh, ...), out_size(w, kw, ...)

    long rows() const { return static_cast<long>(c) * kh * kw; }  // C·kh·kw
    long cols() const { return static_cast<long>(n) * oh * ow; }  // N·OH·OW
    static int out_size(int in, int k, int stride, int pad) { return (in + 2 * pad - k) / stride + 1; }
};

// cols (g.rows(), g.cols()) = the columns of x (N, C, H, W); every entry is written.
void im2col(const ConvGeometry& g, const float* x, float* cols);
// x (N, C, H, W) += the adjoint of im2col applied to cols (g.rows(), g.cols()).
void col2im_add(const ConvGeometry& g, const float* cols, float* x);

// The checks both convolutions make before anything else: x and w of rank 4; w's dimension
// `in_dim` (conv2d's 1, conv_transpose2d's 0) equal to x's channels; a bias of rank 1 matching w's
// other channel dimension when `bias` is given; stride >= 1 and padding >= 0. Error naming `op`.
void check_conv_args(const char* op, const Shape& xs, const Shape& ws, const Shape* bias, int in_dim, int stride,
                     int padding);

// dst (B, A, P) = (or +=, when add) src (A, B, P) with the first two dims swapped: an NCHW batch
// (N, C, H·W) to channel-major (C, N, H·W), the layout of a GEMM over the whole batch, and back.
void swap_leading_dims(const float* src, int a, int b, long p, float* dst, bool add);

}  // namespace genlab::ops_detail
