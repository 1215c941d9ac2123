// im2col, col2im and the batch/channel swap of the convolutions; the formulas are in im2col.h.
#include "core/ops/im2col.h"

#include <algorithm>
#include <string>

#include "core/ops/common.h"

namespace genlab::ops_detail {

namespace {

// The window positions o in [lo, hi) of [0, count) whose tap at offset k reads inside the image:
// 0 <= o·stride − pad + k < size. The others read padding.
struct Span {
    int lo, hi;
};
Span inside_positions(int k, int size, int stride, int pad, int count) {
    const int lo = std::min(count, pad - k <= 0 ? 0 : (pad - k + stride - 1) / stride);
    const int last = size - 1 + pad - k;  // o·stride <= last
    const int hi = last < 0 ? 0 : std::min(count, last / stride + 1);
    return {lo, std::max(lo, hi)};
}

// f(plane, i, j, row, ys, xs) for every (image, channel) plane and window offset (i, j): `row` is
// the offset of that plane's part of column row (c·kh + i)·kw + j, ys and xs the window positions
// whose tap reads inside the image.
template <class F>
void for_each_tap(const ConvGeometry& g, F&& f) {
    const long per_image = static_cast<long>(g.oh) * g.ow;
    for_rows(static_cast<size_t>(g.n) * g.c, static_cast<size_t>(g.rows() * per_image), [&](size_t plane) {
        const long b = static_cast<long>(plane) / g.c, ch = static_cast<long>(plane) % g.c;
        for (int i = 0; i < g.kh; ++i) {
            const Span ys = inside_positions(i, g.h, g.stride, g.pad, g.oh);
            for (int j = 0; j < g.kw; ++j) {
                const Span xs = inside_positions(j, g.w, g.stride, g.pad, g.ow);
                const long row = ((ch * g.kh + i) * g.kw + j) * g.cols() + b * per_image;
                f(plane, i, j, row, ys, xs);
            }
        }
    });
}

}  // namespace

void im2col(const ConvGeometry& g, const float* x, float* cols) {
    const long s = g.stride, image = static_cast<long>(g.h) * g.w;
    for_each_tap(g, [&](size_t plane, int i, int j, long row, Span ys, Span xs) {
        const float* xp = x + static_cast<long>(plane) * image;
        float* dst = cols + row;
        std::fill(dst, dst + static_cast<long>(ys.lo) * g.ow, 0.f);
        for (int oy = ys.lo; oy < ys.hi; ++oy) {
            const float* xr = xp + (oy * s - g.pad + i) * g.w;
            float* d = dst + static_cast<long>(oy) * g.ow;
            std::fill(d, d + xs.lo, 0.f);
            for (long ox = xs.lo; ox < xs.hi; ++ox) d[ox] = xr[ox * s - g.pad + j];
            std::fill(d + xs.hi, d + g.ow, 0.f);
        }
        std::fill(dst + static_cast<long>(ys.hi) * g.ow, dst + static_cast<long>(g.oh) * g.ow, 0.f);
    });
}

void col2im_add(const ConvGeometry& g, const float* cols, float* x) {
    const long s = g.stride, image = static_cast<long>(g.h) * g.w;
    for_each_tap(g, [&](size_t plane, int i, int j, long row, Span ys, Span xs) {
        float* xp = x + static_cast<long>(plane) * image;
        const float* src = cols + row;
        for (int oy = ys.lo; oy < ys.hi; ++oy) {
            float* xr = xp + (oy * s - g.pad + i) * g.w;
            const float* c = src + static_cast<long>(oy) * g.ow;
            for (long ox = xs.lo; ox < xs.hi; ++ox) xr[ox * s - g.pad + j] += c[ox];
        }
    });
}

void swap_leading_dims(const float* src, int a, int b, long p, float* dst, bool add) {
    for_rows(static_cast<size_t>(b), static_cast<size_t>(a * p), [&](size_t jb) {
        for (long ia = 0; ia < a; ++ia) {
            const float* from = src + (ia * b + static_cast<long>(jb)) * p;
            float* to = dst + (static_cast<long>(jb) * a + ia) * p;
            if (add)
                for (long e = 0; e < p; ++e) to[e] += from[e];
            else
                std::copy(from, from + p, to);
        }
    });
}

void check_conv_args(const char* op, const Shape& xs, const Shape& ws, const Shape* bias, int in_dim, int stride,
                     int padding) {
    require_rank(op, xs, 4, 4);
    require_rank(op, ws, 4, 4);
    const int out_dim = 1 - in_dim;
    if (ws[in_dim] != xs[1])
        fail(op, ": weight ", ws.str(), " does not match input ", xs.str(), " (expected (",
             in_dim == 1 ? "Cout, " + std::to_string(xs[1]) : std::to_string(xs[1]) + ", Cout", ", kh, kw))");
    if (bias && (bias->rank != 1 || (*bias)[0] != ws[out_dim]))
        fail(op, ": bias ", bias->str(), " does not match weight ", ws.str());
    if (stride < 1 || padding < 0) fail(op, ": stride must be >= 1 and padding >= 0, got ", stride, " and ", padding);
}

}  // namespace genlab::ops_detail
