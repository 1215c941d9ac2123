// im2col, col2im and the batch/channel swap of the convolutions; the formulas are in im2col.h.
#include "core/ops/im2col.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "core/ops/common.h"

namespace genlab::ops_detail {

namespace {

// Both transforms work in units of one channel of a block of consecutive images. A unit reads
// its images' planes of that channel (kUnitFloats floats at most, unless one plane is larger, so
// they stay in cache across the kh·kw taps) and owns the matching stretch of each of the
// channel's kh·kw column rows. The blocks depend on the geometry only, so col2im adds each pixel's
// terms in one order for any thread count.
constexpr long kUnitFloats = 8192;

template <class F>
void for_units(const ConvGeometry& g, F&& f) {  // f(channel, first image, end image)
    const long plane = static_cast<long>(g.h) * g.w, per_image = static_cast<long>(g.oh) * g.ow;
    const long block = std::clamp(kUnitFloats / std::max(1L, plane), 1L, static_cast<long>(g.n));
    const long blocks = (g.n + block - 1) / block;
    for_rows(static_cast<size_t>(g.c * blocks), static_cast<size_t>(g.rows() * per_image * block), [&](size_t unit) {
        const long ch = static_cast<long>(unit) / blocks, b0 = static_cast<long>(unit) % blocks * block;
        f(ch, b0, std::min(b0 + block, static_cast<long>(g.n)));
    });
}

// The index table of one geometry, so that im2col is a gather with contiguous writes and col2im
// a scatter with contiguous reads, rather than strided loops of a few elements around the
// padding. It lives in a per-thread buffer that only grows, so a steady-state step does not
// allocate.
long padded_width(const ConvGeometry& g) { return g.w + 2L * g.pad; }

// (kh·kw, OH·OW): where window position e of tap (i, j) reads in the image padded with `pad`
// zeros on every side, a (H + 2·pad) × padded_width(g) plane.
const int* tap_table(const ConvGeometry& g) {
    thread_local std::vector<int> t;
    const long wp = padded_width(g), per_image = static_cast<long>(g.oh) * g.ow;
    if ((g.h + 2L * g.pad) * wp > std::numeric_limits<int>::max())
        fail("im2col: image plane ", g.h, "x", g.w, " is too large");
    t.resize(static_cast<size_t>(g.kh * g.kw * per_image));
    for (int i = 0, k = 0; i < g.kh; ++i)
        for (int j = 0; j < g.kw; ++j, ++k)
            for (long oy = 0; oy < g.oh; ++oy)
                for (long ox = 0; ox < g.ow; ++ox)
                    t[static_cast<size_t>(k * per_image + oy * g.ow + ox)] = static_cast<int>((oy * g.stride + i) * wp +
                                                                                              ox * g.stride + j);
    return t.data();
}

// One thread's (H + 2·pad) × padded_width(g) plane, zeroed: the plane both transforms index
// through tap_table, each image's (H, W) plane copied into its interior.
float* padded_plane(const ConvGeometry& g) {
    thread_local std::vector<float> plane;
    plane.assign(static_cast<size_t>((g.h + 2L * g.pad) * padded_width(g)), 0.f);
    return plane.data();
}

// The interior of a padded plane from an (H, W) plane (pad), or back into it (unpad).
void pad(const ConvGeometry& g, const float* xp, float* plane) {
    const long wp = padded_width(g);
    for (long y = 0; y < g.h; ++y) std::copy(xp + y * g.w, xp + (y + 1) * g.w, plane + (y + g.pad) * wp + g.pad);
}
void unpad(const ConvGeometry& g, const float* plane, float* xp) {
    const long wp = padded_width(g);
    for (long y = 0; y < g.h; ++y) {
        const float* row = plane + (y + g.pad) * wp + g.pad;
        std::copy(row, row + g.w, xp + y * g.w);
    }
}

void gather(float* __restrict dst, const float* __restrict src, const int* __restrict at, long n) {
    for (long e = 0; e < n; ++e) dst[e] = src[at[e]];
}

// The positions of one tap read distinct pixels, so its adds do not depend on each other.
void scatter_add(float* __restrict dst, const float* __restrict src, const int* __restrict at, long n) {
    for (long e = 0; e < n; ++e) dst[at[e]] += src[e];
}

}  // namespace

void im2col(const ConvGeometry& g, const float* x, float* cols) {
    const int* tap = tap_table(g);
    const long image = static_cast<long>(g.h) * g.w, per_image = static_cast<long>(g.oh) * g.ow;
    const long taps = static_cast<long>(g.kh) * g.kw;
    for_units(g, [&](long ch, long b0, long b1) {
        float* plane = padded_plane(g);  // the border stays 0
        for (long b = b0; b < b1; ++b) {
            pad(g, x + (b * g.c + ch) * image, plane);
            for (long k = 0; k < taps; ++k)
                gather(cols + (ch * taps + k) * g.cols() + b * per_image, plane, tap + k * per_image, per_image);
        }
    });
}

void col2im_add(const ConvGeometry& g, const float* cols, float* x) {
    const int* tap = tap_table(g);
    const long image = static_cast<long>(g.h) * g.w, per_image = static_cast<long>(g.oh) * g.ow;
    const long taps = static_cast<long>(g.kh) * g.kw;
    for_units(g, [&](long ch, long b0, long b1) {
        // Each plane of x goes into the padded plane, each tap's column row is added onto it (a
        // contiguous read, adds in L1), and the interior comes back: each pixel gets its terms in
        // tap order after its own value, as the loop formula adds them. What lands on the border
        // (the padding's share) is dropped.
        float* plane = padded_plane(g);
        for (long b = b0; b < b1; ++b) {
            float* xp = x + (b * g.c + ch) * image;
            pad(g, xp, plane);
            for (long k = 0; k < taps; ++k)
                scatter_add(plane, cols + (ch * taps + k) * g.cols() + b * per_image, tap + k * per_image, per_image);
            unpad(g, plane, xp);
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
