// PNG output and image grids: what save_png writes decodes (with stb_image, an independent
// decoder) to the same pixels, grids have make_grid's geometry, and failures throw.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "core/error.h"
#include "core/tensor.h"
#include "tests/test_util.h"
#include "viz/image.h"

#include "tests/stb_image_impl.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

struct Decoded {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> pixels;  // RGB
};

Decoded decode(const std::string& path) {
    Decoded d;
    unsigned char* p = stbi_load(path.c_str(), &d.width, &d.height, &d.channels, 3);
    if (!p) return d;
    d.pixels.assign(p, p + static_cast<size_t>(d.width) * d.height * 3);
    stbi_image_free(p);
    return d;
}

TEST(SavePng, DecodesToTheSamePixels) {
    TempDir dir;
    Image img(7, 5);
    for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 7; ++x)
            img.set(x, y,
                    {static_cast<uint8_t>(x * 36), static_cast<uint8_t>(y * 60), static_cast<uint8_t>(x * y * 7)});
    const std::string path = dir.file("a.png");
    save_png(path, img);
    const Decoded d = decode(path);
    ASSERT_EQ(d.width, 7);
    ASSERT_EQ(d.height, 5);
    EXPECT_EQ(d.channels, 3);
    EXPECT_EQ(d.pixels, img.pixels);
}

TEST(SavePng, ReplacesAnExistingFileAndLeavesNoTempFile) {
    TempDir dir;
    const std::string path = dir.file("b.png");
    save_png(path, Image(3, 3, {255, 0, 0}));
    save_png(path, Image(4, 2, {0, 0, 255}));
    const Decoded d = decode(path);
    ASSERT_EQ(d.width, 4);
    ASSERT_EQ(d.height, 2);
    EXPECT_EQ(d.pixels[2], 255);
    EXPECT_EQ(d.pixels[0], 0);
    int entries = 0;
    for (const auto& e : fs::directory_iterator(dir.path())) entries += e.is_regular_file() ? 1 : 0;
    EXPECT_EQ(entries, 1);
}

TEST(SavePng, ThrowsOnAnUnwritablePathAndKeepsTheOldFile) {
    TempDir dir;
    EXPECT_THROW(save_png(dir.file("missing-folder/x.png"), Image(2, 2)), Error);
    // A folder where the file should go: the rename fails, the folder survives.
    fs::create_directories(dir.file("taken.png"));
    EXPECT_THROW(save_png(dir.file("taken.png"), Image(2, 2)), Error);
    EXPECT_TRUE(fs::is_directory(dir.file("taken.png")));
    try {
        save_png(dir.file("missing-folder/x.png"), Image(2, 2));
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("missing-folder/x.png"), std::string::npos) << e.what();
    }
}

TEST(SavePng, ThrowsOnAnEmptyOrInconsistentImage) {
    TempDir dir;
    EXPECT_THROW(save_png(dir.file("e.png"), Image()), Error);
    Image broken(4, 4);
    broken.pixels.resize(10);
    EXPECT_THROW(save_png(dir.file("f.png"), broken), Error);
    EXPECT_FALSE(fs::exists(dir.file("f.png")));
}

TEST(EncodePng, StartsWithThePngSignature) {
    const std::vector<uint8_t> bytes = encode_png(Image(2, 2, {1, 2, 3}));
    ASSERT_GT(bytes.size(), 8u);
    const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (int i = 0; i < 8; ++i) EXPECT_EQ(bytes[static_cast<size_t>(i)], sig[i]);
}

TEST(ImageGrid, SixtyFourDigitsMakeAnEightByEightGrid) {
    Tensor batch(Shape{64, 784}, 0.5f);  // (N, P) 28x28
    const Image g = image_grid(batch, {.cols = 8, .upscale = 3, .gutter = 2});
    EXPECT_EQ(g.width, 8 * (28 * 3 + 2) + 2);  // 690
    EXPECT_EQ(g.height, 8 * (28 * 3 + 2) + 2);
    EXPECT_EQ(g.get(0, 0), (Rgb{90, 90, 90}));       // border gutter
    EXPECT_EQ(g.get(2, 2), (Rgb{128, 128, 128}));    // first pixel of the first tile: 0.5 -> 128
    EXPECT_EQ(g.get(2 + 84, 2), (Rgb{90, 90, 90}));  // gutter between tiles
    EXPECT_EQ(g.get(2 + 86, 2), (Rgb{128, 128, 128}));
}

TEST(ImageGrid, PlacesTilesMapsValuesAndFillsEmptyCells) {
    // Three 2x2 images in 2 columns: the fourth cell stays gutter-coloured.
    Tensor batch(Shape{3, 2, 2}, {0.f, 1.f, -5.f, 7.f,      // image 0: black, white, clamped low/high
                                  0.25f, 0.5f, 0.75f, 1.f,  // image 1
                                  std::numeric_limits<float>::quiet_NaN(), 0.f, 0.f, 0.f});
    const Image g = image_grid(batch, {.cols = 2, .upscale = 2, .gutter = 1, .gutter_color = {10, 20, 30}});
    ASSERT_EQ(g.width, 2 * (4 + 1) + 1);
    ASSERT_EQ(g.height, 2 * (4 + 1) + 1);
    auto px = [&](int tile, int x, int y, int sx = 0, int sy = 0) {
        return g.get(1 + (tile % 2) * 5 + x * 2 + sx, 1 + (tile / 2) * 5 + y * 2 + sy);
    };
    EXPECT_EQ(px(0, 0, 0), (Rgb{0, 0, 0}));
    EXPECT_EQ(px(0, 1, 0), (Rgb{255, 255, 255}));
    EXPECT_EQ(px(0, 1, 0, 1, 1), (Rgb{255, 255, 255}));  // nearest-neighbour upscale
    EXPECT_EQ(px(0, 0, 1), (Rgb{0, 0, 0}));              // -5 clamps to lo
    EXPECT_EQ(px(0, 1, 1), (Rgb{255, 255, 255}));        // 7 clamps to hi
    EXPECT_EQ(px(1, 0, 0), (Rgb{64, 64, 64}));           // 0.25 * 255 = 63.75
    EXPECT_EQ(px(1, 1, 0), (Rgb{128, 128, 128}));
    EXPECT_EQ(px(2, 0, 0), (Rgb{0, 0, 0}));             // NaN draws as lo
    EXPECT_EQ(g.get(1 + 5, 1 + 5), (Rgb{10, 20, 30}));  // the empty fourth cell
    EXPECT_EQ(g.get(0, 0), (Rgb{10, 20, 30}));
}

TEST(ImageGrid, MapsTheGivenValueRange) {
    Tensor batch(Shape{1, 4}, {-1.f, 0.f, 1.f, 0.5f});  // one 2x2 image in [-1, 1] (tanh output)
    const Image g = image_grid(batch, {.upscale = 1, .gutter = 0, .range = {-1.f, 1.f}});
    ASSERT_EQ(g.width, 2);
    EXPECT_EQ(g.get(0, 0).r, 0);
    EXPECT_EQ(g.get(1, 0).r, 128);
    EXPECT_EQ(g.get(0, 1).r, 255);
    EXPECT_EQ(g.get(1, 1).r, 191);
}

TEST(ImageGrid, DrawsRgbImagesStoredChannelFirst) {
    // (N, C, H, W) = (1, 3, 1, 2): pixel 0 red, pixel 1 cyan.
    Tensor batch(Shape{1, 3, 1, 2}, {1.f, 0.f, 0.f, 1.f, 0.f, 1.f});
    const Image g = image_grid(batch, {.upscale = 1, .gutter = 0});
    ASSERT_EQ(g.width, 2);
    ASSERT_EQ(g.height, 1);
    EXPECT_EQ(g.get(0, 0), (Rgb{255, 0, 0}));
    EXPECT_EQ(g.get(1, 0), (Rgb{0, 255, 255}));
    // The same data flattened to (N, P) with channels = 3 and an explicit tile size.
    Tensor flat(Shape{1, 6}, {1.f, 0.f, 0.f, 1.f, 0.f, 1.f});
    const Image h = image_grid(flat, {.upscale = 1, .gutter = 0, .channels = 3, .height = 1, .width = 2});
    EXPECT_EQ(h.pixels, g.pixels);
}

TEST(ImageGrid, RejectsBadShapesAndOptions) {
    EXPECT_THROW(image_grid(Tensor(Shape{4, 783})), Error);  // not square
    EXPECT_THROW(image_grid(Tensor(Shape{4, 784}), {.channels = 2}), Error);
    EXPECT_THROW(image_grid(Tensor(Shape{4, 784}), {.height = 27, .width = 28}), Error);
    EXPECT_THROW(image_grid(Tensor(Shape{4, 2, 5, 5})), Error);  // C must be 1 or 3
    EXPECT_THROW(image_grid(Tensor(Shape{784})), Error);
    EXPECT_THROW(image_grid(Tensor(Shape{4, 784}), {.cols = 0}), Error);
    EXPECT_THROW(image_grid(Tensor(Shape{4, 784}), {.range = {1.f, 1.f}}), Error);
    EXPECT_THROW(image_grid(Tensor(Shape{4, 784}), {.upscale = 0}), Error);
    EXPECT_THROW(image_grid(Tensor(Shape{2000, 784}), {.cols = 2000}), Error);  // absurdly wide
}

}  // namespace
}  // namespace genlab
