// Pixels stay bytes; the 256-entry table that converts them is computed as PyTorch's ToTensor
// (p / 255) and Normalize(0.5, 0.5) would, so genlab's inputs match a torchvision pipeline bit for bit.
#include "data/image_dataset.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/error.h"
#include "data/idx.h"

namespace genlab::data {

namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string join(const std::string& dir, const std::string& file) {
    return !dir.empty() && dir.back() == '/' ? dir + file : dir + "/" + file;
}

const char* split_prefix(ImageSplit s) { return s == ImageSplit::Train ? "train" : "t10k"; }

std::string expected_name(ImageSplit split, const std::string& kind) {
    return str(split_prefix(split), "-", kind, kind == "images" ? "-idx3-ubyte" : "-idx1-ubyte");
}

}  // namespace

std::string find_idx_file(const std::string& dir, ImageSplit split, const std::string& kind) {
    const std::string base = expected_name(split, kind);  // train-images-idx3-ubyte
    const std::string dotted = str(split_prefix(split), "-", kind, kind == "images" ? ".idx3-ubyte" : ".idx1-ubyte");
    for (const std::string& f : {base + ".gz", base, dotted + ".gz", dotted})
        if (exists(join(dir, f))) return join(dir, f);
    return "";
}

const std::vector<std::string>& fashion_mnist_classes() {
    static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

ImageDataset load_images(const ImageOptions& opt) {
    const bool is_default = opt.data_dir.empty();
    const std::string dir = is_default ? opt.default_dir : opt.data_dir;
    if (!is_dir(dir)) {
        if (is_default)
            fail("fashion-mnist: dataset folder ", dir, " not found - install the Debian package ",
                 kFashionMnistPackage, " (apt-get install ", kFashionMnistPackage, ") or pass --data-dir DIR");
        fail("--data-dir ", dir, ": ", exists(dir) ? "not a directory" : "no such directory",
             " (expected a folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
             "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz])");
    }
    std::array<std::string, 2> paths;
    const std::array<const char*, 2> kinds = {"images", "labels"};
    for (size_t k = 0; k < 2; ++k) {
        paths[k] = find_idx_file(dir, opt.split, kinds[k]);
        if (paths[k].empty()) {
            const std::string want = expected_name(opt.split, kinds[k]);
            if (is_default)
                fail("fashion-mnist: ", join(dir, want + ".gz"),
                     " not found - install (or reinstall) the Debian package ", kFashionMnistPackage,
                     " or pass --data-dir DIR");
            fail("--data-dir ", dir, ": no ", want, "[.gz] (expected the MNIST four-file layout: ",
                 "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
                 "t10k-labels-idx1-ubyte[.gz])");
        }
    }

    // Labels first: they are small, and the class filter can be checked before the big read.
    IdxArray labels = read_idx(paths[1], 1);
    const int num_classes = 1 + *std::max_element(labels.data.begin(), labels.data.end());
    if (opt.class_filter != -1) {
        if (opt.class_filter < 0 || opt.class_filter >= num_classes)
            usage_fail("class filter ", opt.class_filter, " is out of range: ", paths[1], " has labels 0..",
                       num_classes - 1);
        if (std::find(labels.data.begin(), labels.data.end(), opt.class_filter) == labels.data.end())
            usage_fail("class filter ", opt.class_filter, ": no image of that class in ", paths[1]);
    }
    // Only the images the options keep are read: up to the limit-th kept one. A small gzip file
    // that inflates to millions of images then costs what --limit asks for, not what it holds.
    uint64_t needed = labels.dims[0];
    if (opt.limit > 0) {
        size_t kept = 0;
        for (size_t i = 0; i < labels.data.size(); ++i)
            if ((opt.class_filter < 0 || labels.data[i] == opt.class_filter) && ++kept == opt.limit) {
                needed = i + 1;
                break;
            }
    }
    IdxArray images = read_idx(paths[0], 3, needed);
    if (images.dims[0] != labels.dims[0])
        fail(paths[0], ": holds ", images.dims[0], " images but ", paths[1], " holds ", labels.dims[0],
             " labels - the two files must come from the same dataset split");

    ImageDataset ds;
    ds.name = is_default ? "fashion-mnist" : dir;
    ds.rows = static_cast<int>(images.dims[1]);
    ds.cols = static_cast<int>(images.dims[2]);
    ds.num_classes = num_classes;
    const size_t count = images.items;  // the images read: all, or as many as the options keep
    const size_t pixels = static_cast<size_t>(ds.rows) * static_cast<size_t>(ds.cols);

    if (!opt.range.bounded() || !(opt.range.hi > opt.range.lo))
        fail("load_images: pixel range [", opt.range.lo, ", ", opt.range.hi, "] must be bounded with hi > lo");
    for (int p = 0; p < 256; ++p) {
        const float x = static_cast<float>(p) / 255.f;
        // [-1, 1] as (x - 0.5) / 0.5 exactly (torchvision's Normalize), others by the linear map.
        ds.table[static_cast<size_t>(p)] = opt.range == ValueRange{-1.f, 1.f}
                                               ? (x - 0.5f) / 0.5f
                                               : remap(x, ValueRange{0.f, 1.f}, opt.range);
    }

    if (opt.class_filter < 0 && (opt.limit == 0 || opt.limit >= count)) {  // every image: keep the file's bytes
        ds.pixel_bytes = std::move(images.data);
        ds.labels = std::move(labels.data);
        ds.labels.resize(count);  // as many as the images read
        return ds;
    }
    std::vector<uint32_t> keep;  // indices of the kept images, in file order
    for (size_t i = 0; i < count && (opt.limit == 0 || keep.size() < opt.limit); ++i)
        if (opt.class_filter < 0 || labels.data[i] == opt.class_filter) keep.push_back(static_cast<uint32_t>(i));
    ds.pixel_bytes.resize(keep.size() * pixels);
    ds.labels.resize(keep.size());
    for (size_t r = 0; r < keep.size(); ++r) {
        const uint8_t* src = images.data.data() + static_cast<size_t>(keep[r]) * pixels;
        std::memcpy(ds.pixel_bytes.data() + r * pixels, src, pixels);
        ds.labels[r] = labels.data[keep[r]];
    }
    return ds;
}

}  // namespace genlab::data
