// Image datasets in MNIST's four-file IDX layout (Fashion-MNIST by default): pixels kept as the
// file's bytes (N, P) with the table that maps them onto a range ([-1, 1] or [0, 1]), labels
// beside them, an optional class filter. images() reads them as floats a block at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/row_source.h"
#include "core/value_range.h"

namespace genlab::data {

enum class ImageSplit { Train, Test };  // train-* (60k for MNIST-likes) or t10k-* (10k)

// Debian's dataset-fashion-mnist installs the four .gz files here.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr const char* kFashionMnistPackage = "dataset-fashion-mnist";

struct ImageOptions {
    std::string data_dir = "";             // "" = Fashion-MNIST from the Debian package
    ImageSplit split = ImageSplit::Train;  // which pair of files
    // Pixels 0..255 map linearly onto this bounded range: [-1, 1] is torchvision's ToTensor +
    // Normalize(0.5, 0.5) (a tanh output), [0, 1] plain ToTensor (a sigmoid output).
    ValueRange range{-1.f, 1.f};
    int class_filter = -1;                       // keep only this label; -1 keeps every class
    size_t limit = 0;                            // keep the first N images after filtering; 0 = all
    std::string default_dir = kFashionMnistDir;  // where data_dir "" looks (tests point it elsewhere)
};

struct ImageDataset {
    std::string name;                  // "fashion-mnist" or the data dir
    std::vector<uint8_t> pixel_bytes;  // (N, P) bytes, P = rows * cols, row-major pixels
    ByteTable table{};                 // byte -> float in the requested range
    std::vector<uint8_t> labels;       // (N) class ids
    int rows = 0, cols = 0;
    int num_classes = 0;  // 1 + the largest label in the file (before filtering)

    size_t size() const { return labels.size(); }
    int pixels() const { return rows * cols; }
    // The images as an (N, P) float source (valid while the dataset is neither moved nor changed).
    RowSource images() const { return RowSource(pixel_bytes.data(), size(), pixels(), table); }
};

// Loads images and labels of one split; validates both files fully and that their counts match.
// With a limit, the images file is read (and, gzip, inflated) only as far as the kept images reach.
// A missing default dataset names the Debian package to install; a bad class filter is a UsageError.
ImageDataset load_images(const ImageOptions& opt);

// The file of `split` in `dir` ("train-images-idx3-ubyte.gz", then without .gz, then MNIST's
// "train-images.idx3-ubyte" spelling); "" when none exists. kind is "images" or "labels".
std::string find_idx_file(const std::string& dir, ImageSplit split, const std::string& kind);

// Fashion-MNIST's class names in label order: 0 "T-shirt/top" ... 9 "Ankle boot".
const std::vector<std::string>& fashion_mnist_classes();

}  // namespace genlab::data
