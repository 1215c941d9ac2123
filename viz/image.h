// RGB8 pictures and PNG output: Image (row-major, 3 bytes per pixel), save_png / encode_png, and
// image_grid (a batch of images held in a tensor -> one picture with gutters, as make_grid).
//
//     Tensor samples(Shape{64, 784});                        // (N, P) generator output in [-1, 1]
//     Image grid = image_grid(samples, {.range = {-1.f, 1.f}});   // 8 x 8 tiles, x3, 2-px gutters
//     save_png("outputs/gan/run/samples.png", grid);         // atomic: old file or new, never half
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/value_range.h"

namespace genlab {

class Tensor;

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb&) const = default;
};

struct Image {
    int width = 0, height = 0;
    std::vector<uint8_t> pixels;  // (height, width, 3) row-major, R G B

    Image() = default;
    Image(int width, int height, Rgb fill = {});  // throws Error for negative or absurd sizes

    // Unchecked pixel access (0 <= x < width, 0 <= y < height): the inner loops of drawing code.
    size_t offset(int x, int y) const {
        return (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3;
    }
    uint8_t* at(int x, int y) { return pixels.data() + offset(x, y); }
    const uint8_t* at(int x, int y) const { return pixels.data() + offset(x, y); }
    Rgb get(int x, int y) const {
        const uint8_t* p = at(x, y);
        return {p[0], p[1], p[2]};
    }
    void set(int x, int y, Rgb c) {
        uint8_t* p = at(x, y);
        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
    }
};

// PNG bytes in memory (for data: URIs in HTML reports). Throws Error for an empty/inconsistent image.
std::vector<uint8_t> encode_png(const Image& image);
// Writes path atomically (temp file + rename); throws Error naming the path on failure, leaving
// any previous file untouched.
void save_png(const std::string& path, const Image& image);

struct GridOptions {
    int cols = 8;                // tiles per row; rows = ceil(N / cols)
    int upscale = 3;             // nearest-neighbour magnification of every tile
    int gutter = 2;              // pixels between tiles and around the border (as make_grid's padding)
    ValueRange range{0.f, 1.f};  // values mapped to black..white (outside clamped, NaN black)
    int channels = 1;            // for (N, P) input: 1 grey or 3 RGB (each image stored C, H, W as PyTorch)
    int height = 0, width = 0;   // for (N, P) input: tile size; 0 = square, side sqrt(P / channels)
    Rgb gutter_color{90, 90, 90};
};

// images: (N, P) with P = C*H*W, (N, H, W) grey, or (N, C, H, W) with C in {1, 3}.
// Result size: cols*(W*upscale + gutter) + gutter by rows*(H*upscale + gutter) + gutter; empty
// trailing cells keep the gutter colour. Throws Error on bad shapes or options.
Image image_grid(const Tensor& images, const GridOptions& options = {});

}  // namespace genlab
