// PNG encoding through stb_image_write (this is the one translation unit that holds its
// implementation) and the tile grid used by every image-producing demo.
#include "viz/image.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/tensor.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC  // keep stb's symbols private to this file
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#include <stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace genlab {

namespace {

// PNG and stb both cope with far more, but a bigger picture from a demo is a bug (a wrong shape
// read as a huge tile), and refusing it beats allocating gigabytes.
constexpr int kMaxSide = 1 << 15;

void append_bytes(void* context, void* data, int size) {
    std::vector<uint8_t>& out = *static_cast<std::vector<uint8_t>*>(context);
    const uint8_t* p = static_cast<const uint8_t*>(data);
    out.insert(out.end(), p, p + size);
}

}  // namespace

Image::Image(int w, int h, Rgb fill) : width(w), height(h) {
    if (w < 0 || h < 0 || w > kMaxSide || h > kMaxSide)
        fail("Image: size ", w, "x", h, " out of range (expected 0..", kMaxSide, " per side)");
    pixels.resize(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
    for (size_t i = 0; i < pixels.size(); i += 3) {
        pixels[i] = fill.r;
        pixels[i + 1] = fill.g;
        pixels[i + 2] = fill.b;
    }
}

std::vector<uint8_t> encode_png(const Image& image) {
    if (image.width <= 0 || image.height <= 0) fail("encode_png: empty image (", image.width, "x", image.height, ")");
    const size_t expected = static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3;
    if (image.pixels.size() != expected)
        fail("encode_png: image ", image.width, "x", image.height, " needs ", expected, " bytes, holds ",
             image.pixels.size(), " (was `pixels` resized by hand?)");
    std::vector<uint8_t> out;
    out.reserve(expected / 2 + 1024);
    const int ok = stbi_write_png_to_func(append_bytes, &out, image.width, image.height, 3, image.pixels.data(),
                                          image.width * 3);
    if (!ok || out.empty()) fail("encode_png: stb_image_write failed on a ", image.width, "x", image.height, " image");
    return out;
}

void save_png(const std::string& path, const Image& image) {
    std::vector<uint8_t> bytes;
    try {
        bytes = encode_png(image);
    } catch (const Error& e) {
        fail(path, ": ", e.what());
    }
    AtomicFile f(path);
    f.write(bytes.data(), bytes.size());
    f.commit();
}

Image image_grid(const Tensor& images, const GridOptions& o) {
    const Shape& s = images.shape();
    if (o.cols < 1) fail("image_grid: cols must be >= 1, got ", o.cols);
    if (o.upscale < 1 || o.upscale > 64) fail("image_grid: upscale must be in 1..64, got ", o.upscale);
    if (o.gutter < 0 || o.gutter > 256) fail("image_grid: gutter must be in 0..256 px, got ", o.gutter);
    if (!(std::isfinite(o.range.lo) && std::isfinite(o.range.hi) && o.range.hi > o.range.lo))
        fail("image_grid: value range [", o.range.lo, ", ", o.range.hi, "] must be finite with hi > lo");

    int n = 0, c = 1, h = 0, w = 0;
    if (s.rank == 2) {
        n = s[0];
        c = o.channels;
        if (c != 1 && c != 3) fail("image_grid: channels must be 1 or 3, got ", c);
        const int p = s[1];
        if (p % c != 0) fail("image_grid: ", p, " values per image do not split into ", c, " channels");
        if (o.height > 0 || o.width > 0) {
            h = o.height;
            w = o.width;
            if (h <= 0 || w <= 0 || static_cast<long>(h) * w * c != p)
                fail("image_grid: tile ", o.height, "x", o.width, "x", c, " does not match ", p,
                     " values per image (shape ", s.str(), ")");
        } else {
            const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(p / c))));
            if (side * side * c != p)
                fail("image_grid: ", p, " values per image is not a square image with ", c,
                     " channel(s); set GridOptions height and width (shape ", s.str(), ")");
            h = w = side;
        }
    } else if (s.rank == 3) {
        n = s[0];
        h = s[1];
        w = s[2];
    } else if (s.rank == 4) {
        n = s[0];
        c = s[1];
        h = s[2];
        w = s[3];
        if (c != 1 && c != 3) fail("image_grid: expected (N, C, H, W) with C 1 or 3, got ", s.str());
    } else {
        fail("image_grid: expected images as (N, P), (N, H, W) or (N, C, H, W), got ", s.str());
    }
    if (n < 1 || h < 1 || w < 1) fail("image_grid: no images to draw (shape ", s.str(), ")");

    const int cols = std::min(o.cols, n);
    const int rows = (n + cols - 1) / cols;
    const long tile_w = static_cast<long>(w) * o.upscale, tile_h = static_cast<long>(h) * o.upscale;
    const long gw = cols * (tile_w + o.gutter) + o.gutter;
    const long gh = rows * (tile_h + o.gutter) + o.gutter;
    if (gw > kMaxSide || gh > kMaxSide)
        fail("image_grid: the grid would be ", gw, "x", gh, " px (more than ", kMaxSide,
             " per side); draw fewer images or a smaller upscale");

    Image out(static_cast<int>(gw), static_cast<int>(gh), o.gutter_color);
    const float scale = 255.f / (o.range.hi - o.range.lo);
    const size_t plane = static_cast<size_t>(h) * static_cast<size_t>(w);
    const float* data = images.data();
    for (int k = 0; k < n; ++k) {
        const float* img = data + static_cast<size_t>(k) * plane * static_cast<size_t>(c);  // (C, H, W)
        const long x0 = o.gutter + (k % cols) * (tile_w + o.gutter);
        const long y0 = o.gutter + (k / cols) * (tile_h + o.gutter);
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                uint8_t rgb[3];
                for (int ch = 0; ch < 3; ++ch) {
                    const float v = img[static_cast<size_t>(c == 3 ? ch : 0) * plane + static_cast<size_t>(y) * w + x];
                    // NaN fails both comparisons and lands on 0: a diverged model shows black tiles.
                    float u = (v - o.range.lo) * scale;
                    u = u > 0.f ? (u < 255.f ? u : 255.f) : 0.f;
                    rgb[ch] = static_cast<uint8_t>(u + 0.5f);
                }
                for (int dy = 0; dy < o.upscale; ++dy) {
                    uint8_t* row = out.at(static_cast<int>(x0 + static_cast<long>(x) * o.upscale),
                                          static_cast<int>(y0 + static_cast<long>(y) * o.upscale + dy));
                    for (int dx = 0; dx < o.upscale; ++dx, row += 3) {
                        row[0] = rgb[0];
                        row[1] = rgb[1];
                        row[2] = rgb[2];
                    }
                }
            }
        }
    }
    return out;
}

}  // namespace genlab
