// Image datasets: the real Fashion-MNIST from Debian's dataset-fashion-mnist (loaded once per
// suite), a --data-dir in the MNIST four-file layout written by the test, and bad layouts.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "data/image_dataset.h"
#include "tests/data_test_files.h"

namespace genlab::data {
namespace {

using genlab::testing::expect_error;
using genlab::testing::gzip_bytes;
using genlab::testing::idx_header;
using genlab::testing::ramp;
using genlab::testing::TempDir;
using genlab::testing::write_bytes;

Tensor image(const ImageDataset& ds, size_t i) {  // image i as floats (1, P)
    Tensor out(Shape{1, ds.pixels()});
    ds.images().copy_rows(i, 1, out.data());
    return out;
}

class FashionMnist : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!std::filesystem::exists(kFashionMnistDir)) return;
        train_ = std::make_unique<ImageDataset>(load_images({}));
        test_ = std::make_unique<ImageDataset>(load_images({.split = ImageSplit::Test, .range = {0.f, 1.f}}));
    }
    static void TearDownTestSuite() {
        train_.reset();
        test_.reset();
    }
    void SetUp() override {
        if (!train_) GTEST_SKIP() << kFashionMnistDir << " missing: install " << kFashionMnistPackage;
    }
    static std::unique_ptr<ImageDataset> train_, test_;
};
std::unique_ptr<ImageDataset> FashionMnist::train_, FashionMnist::test_;

// Reference numbers from Python's gzip module over the same files (first train image: pixel sum
// 76247, max 255; first test image: sum 33456; 6000 images per class).
TEST_F(FashionMnist, TrainSplitHas60000ImagesOf28x28) {
    EXPECT_EQ(train_->name, "fashion-mnist");
    EXPECT_EQ(train_->size(), 60000u);
    EXPECT_EQ(train_->images().rows(), 60000u);
    EXPECT_EQ(train_->images().cols(), 784);
    EXPECT_EQ(train_->pixel_bytes.size(), 60000u * 784u);  // kept as bytes: 47 MB, not 188 MB of floats
    EXPECT_EQ(train_->rows, 28);
    EXPECT_EQ(train_->cols, 28);
    EXPECT_EQ(train_->num_classes, 10);
}

TEST_F(FashionMnist, FirstImageIsAnAnkleBoot) {
    EXPECT_EQ(train_->labels[0], 9);
    EXPECT_EQ(fashion_mnist_classes()[train_->labels[0]], "Ankle boot");
    EXPECT_EQ(train_->labels[59999], 5);
}

TEST_F(FashionMnist, PixelsScaledToMinusOneOne) {
    // p / 127.5 - 1 summed over image 0: 2 * 76247 / 255 - 784.
    double sum = 0;
    float lo = 1e9f, hi = -1e9f;
    const Tensor first = image(*train_, 0);
    for (int j = 0; j < 784; ++j) {
        const float v = first[static_cast<size_t>(j)];
        sum += v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    EXPECT_NEAR(sum, 2.0 * 76247 / 255.0 - 784.0, 1e-3);
    EXPECT_EQ(lo, -1.f);
    EXPECT_EQ(hi, 1.f);
}

TEST_F(FashionMnist, TestSplitHas10000ImagesScaledToZeroOne) {
    EXPECT_EQ(test_->size(), 10000u);
    EXPECT_EQ(test_->labels[0], 9);
    EXPECT_NEAR(image(*test_, 0).flat().sum(), 33456 / 255.0, 1e-3);
    const Tensor all = test_->images().to_tensor();
    EXPECT_GE(all.flat().minCoeff(), 0.f);
    EXPECT_LE(all.flat().maxCoeff(), 1.f);
}

TEST_F(FashionMnist, ClassFilterKeepsOnlyThatClass) {
    ImageDataset sevens = load_images({.class_filter = 7, .limit = 100});
    EXPECT_EQ(sevens.size(), 100u);
    for (uint8_t l : sevens.labels) EXPECT_EQ(l, 7);
    // The first 7 in the file is image 6 (pixel sum 32526): the filter keeps file order.
    EXPECT_NEAR(image(sevens, 0).flat().sum(), 2.0 * 32526 / 255.0 - 784.0, 1e-3);
}

TEST_F(FashionMnist, EveryClassHas6000TrainImages) {
    std::array<int, 10> count{};
    for (uint8_t l : train_->labels) ++count[l];
    for (int c : count) EXPECT_EQ(c, 6000);
}

TEST_F(FashionMnist, ClassFilterOutOfRangeIsUsageError) {
    EXPECT_THROW(load_images({.class_filter = 10}), UsageError);
    EXPECT_THROW(load_images({.class_filter = -3}), UsageError);
}

TEST(ImageDataset, MissingDefaultDatasetNamesTheDebianPackage) {
    TempDir dir;
    expect_error([&] { load_images({.default_dir = dir.file("absent")}); },
                 {"fashion-mnist", "dataset-fashion-mnist", "--data-dir"});
}

TEST(ImageDataset, DefaultFolderWithoutTheFilesNamesThePackage) {
    TempDir dir;
    expect_error([&] { load_images({.default_dir = dir.path().string()}); },
                 {"train-images-idx3-ubyte.gz", "dataset-fashion-mnist"});
}

// A 4-file MNIST-layout folder: 5 train images of 3x2 (labels 0..4), 2 test images.
void write_mnist_like(const TempDir& dir, bool gzip_train) {
    const std::string train_img = idx_header({5, 3, 2}) + ramp(30, 200);  // pixels 200..229 (wrap at 256)
    const std::string train_lab = idx_header({5}) + ramp(5);
    write_bytes(dir.file(gzip_train ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte"),
                gzip_train ? gzip_bytes(train_img) : train_img);
    write_bytes(dir.file("train-labels-idx1-ubyte"), train_lab);
    write_bytes(dir.file("t10k-images.idx3-ubyte"), idx_header({2, 3, 2}) + ramp(12));  // MNIST's dotted spelling
    write_bytes(dir.file("t10k-labels.idx1-ubyte"), idx_header({2}) + ramp(2, 3));
}

TEST(ImageDataset, ReadsDataDirInMnistLayout) {
    TempDir dir;
    write_mnist_like(dir, true);
    ImageDataset ds = load_images({.data_dir = dir.path().string(), .range = {0.f, 1.f}});
    const Tensor images = ds.images().to_tensor();
    EXPECT_EQ(images.shape(), (Shape{5, 6}));
    EXPECT_EQ(ds.rows, 3);
    EXPECT_EQ(ds.cols, 2);
    EXPECT_EQ(ds.num_classes, 5);
    EXPECT_EQ(ds.labels, (std::vector<uint8_t>{0, 1, 2, 3, 4}));
    EXPECT_FLOAT_EQ(images[0], 200.f / 255.f);
    EXPECT_FLOAT_EQ(images[29], ((200 + 29) % 256) / 255.f);
    ImageDataset test = load_images({.data_dir = dir.path().string(), .split = ImageSplit::Test});
    EXPECT_EQ(test.size(), 2u);
    EXPECT_EQ(test.labels, (std::vector<uint8_t>{3, 4}));
    const Tensor test_images = test.images().to_tensor();
    EXPECT_FLOAT_EQ(test_images[0], -1.f);
    EXPECT_FLOAT_EQ(test_images[11], 11.f / 255.f * 2.f - 1.f);
}

TEST(ImageDataset, LimitAndClassFilter) {
    TempDir dir;
    write_mnist_like(dir, false);
    ImageDataset two = load_images({.data_dir = dir.path().string(), .limit = 2});
    EXPECT_EQ(two.labels, (std::vector<uint8_t>{0, 1}));
    ImageDataset three = load_images({.data_dir = dir.path().string(), .class_filter = 3});
    ASSERT_EQ(three.size(), 1u);
    EXPECT_EQ(three.labels[0], 3);
    EXPECT_FLOAT_EQ(image(three, 0)[0], (200 + 18) / 127.5f - 1.f);  // image 3 starts at pixel 18
}

TEST(ImageDataset, CountMismatchBetweenImagesAndLabels) {
    TempDir dir;
    write_mnist_like(dir, false);
    write_bytes(dir.file("train-labels-idx1-ubyte"), idx_header({4}) + ramp(4));
    expect_error([&] { load_images({.data_dir = dir.path().string()}); },
                 {"train-images-idx3-ubyte", "5 images", "4 labels"});
}

TEST(ImageDataset, MissingFileInDataDir) {
    TempDir dir;
    write_mnist_like(dir, false);
    std::filesystem::remove(dir.file("train-labels-idx1-ubyte"));
    expect_error([&] { load_images({.data_dir = dir.path().string()}); },
                 {dir.path().string(), "train-labels-idx1-ubyte[.gz]"});
}

TEST(ImageDataset, DataDirThatDoesNotExist) {
    TempDir dir;
    expect_error([&] { load_images({.data_dir = dir.file("nowhere")}); }, {dir.file("nowhere"), "no such directory"});
}

TEST(ImageDataset, DirectoryWhereAFileShouldBe) {
    TempDir dir;
    write_mnist_like(dir, false);
    std::filesystem::remove(dir.file("train-images-idx3-ubyte"));
    std::filesystem::create_directory(dir.file("train-images-idx3-ubyte"));
    expect_error([&] { load_images({.data_dir = dir.path().string()}); },
                 {"train-images-idx3-ubyte", "is a directory"});
}

TEST(ImageDataset, ClassWithNoImagesIsUsageError) {
    TempDir dir;
    write_mnist_like(dir, false);
    write_bytes(dir.file("train-labels-idx1-ubyte"), idx_header({5}) + std::string("\x00\x00\x04\x04\x04", 5));
    EXPECT_THROW(load_images({.data_dir = dir.path().string(), .class_filter = 2}), UsageError);
}

// A gzip "bomb": a small file that inflates to 20,000 images (15.7 MB), image i all pixel i % 256,
// with labels 0..9 repeating. Under a 5 MB cap only a limit makes it loadable.
void write_bomb(const TempDir& dir) {
    constexpr uint32_t kCount = 20'000;
    std::string pixels(size_t{kCount} * 784, '\0');
    for (size_t i = 0; i < kCount; ++i)
        std::fill_n(pixels.begin() + static_cast<std::ptrdiff_t>(i * 784), 784, static_cast<char>(i % 256));
    std::string labels(kCount, '\0');
    for (size_t i = 0; i < kCount; ++i) labels[i] = static_cast<char>(i % 10);
    write_bytes(dir.file("train-images-idx3-ubyte.gz"), gzip_bytes(idx_header({kCount, 28, 28}) + pixels));
    write_bytes(dir.file("train-labels-idx1-ubyte.gz"), gzip_bytes(idx_header({kCount}) + labels));
}

TEST(ImageDataset, ALimitReadsOnlyTheImagesItKeeps) {
    TempDir dir;
    write_bomb(dir);
    ::setenv("GENLAB_MEMORY_LIMIT", "5M", 1);
    const ImageDataset first = load_images({.data_dir = dir.path().string(), .limit = 10});
    const ImageDataset threes = load_images({.data_dir = dir.path().string(), .class_filter = 3, .limit = 2});
    expect_error([&] { load_images({.data_dir = dir.path().string()}); },
                 {"20000x28x28 images", "needs about 16 MB", "5 MB available"});
    ::unsetenv("GENLAB_MEMORY_LIMIT");
    ASSERT_EQ(first.size(), 10u);
    EXPECT_EQ(first.pixel_bytes.size(), 10u * 784u);
    EXPECT_EQ(first.pixel_bytes[9 * 784 + 5], 9);
    EXPECT_EQ(first.labels[9], 9);
    ASSERT_EQ(threes.size(), 2u);  // images 3 and 13
    EXPECT_EQ(threes.pixel_bytes[0], 3);
    EXPECT_EQ(threes.pixel_bytes[784], 13);
    EXPECT_EQ(threes.labels, (std::vector<uint8_t>{3, 3}));
}

}  // namespace
}  // namespace genlab::data
