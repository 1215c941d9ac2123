// End-to-end tests of genlab-ae on a small synthetic IDX dataset (8x8 images, 4 classes): the
// loss falls, the pictures decode with the expected sizes, metrics keys exist, resuming matches
// an uninterrupted run, `sample --checkpoint` redraws the same pictures, and bad flags / bad data
// exit with 2 / 1 without leaving an output folder.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "tests/data_test_files.h"

#include "tests/stb_image_impl.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const std::string kAeBinary = GENLAB_BINARY_DIR "/bin/genlab-ae";
constexpr int kSide = 8;

// Class c: a bright horizontal bar at rows 2c..2c+1 plus a faint gradient, with pixel noise.
std::string images_bytes(int n, uint64_t seed, std::vector<uint8_t>* labels) {
    Rng rng(seed);
    std::string px;
    for (int i = 0; i < n; ++i) {
        const int c = static_cast<int>(rng.below(4));
        labels->push_back(static_cast<uint8_t>(c));
        for (int r = 0; r < kSide; ++r)
            for (int col = 0; col < kSide; ++col) {
                float v = (r / 2 == c ? 220.f : 10.f * col) + rng.uniform(0.f, 30.f);
                px += static_cast<char>(static_cast<uint8_t>(std::min(255.f, v)));
            }
    }
    return px;
}

void write_split(const TempDir& dir, const std::string& prefix, int n, uint64_t seed) {
    std::vector<uint8_t> labels;
    const std::string px = images_bytes(n, seed, &labels);
    const uint32_t un = static_cast<uint32_t>(n);
    testing::write_bytes(dir.file(prefix + "-images-idx3-ubyte.gz"),
                         testing::gzip_bytes(testing::idx_header({un, kSide, kSide}) + px));
    testing::write_bytes(dir.file(prefix + "-labels-idx1-ubyte"),
                         testing::idx_header({un}) + std::string(labels.begin(), labels.end()));
}

class AeDemo : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(kAeBinary)) << kAeBinary << " is missing: build the genlab-ae target first";
        write_split(data_, "train", 512, 1);
        write_split(data_, "t10k", 96, 2);
    }

    int run(const std::string& args) {
        return testing::run_program(kAeBinary, args + " --threads 1", tmp_.file("stdout.txt"), tmp_.file("stderr.txt"));
    }
    // A small, fast training run on the synthetic data.
    std::string train_args(const std::string& out, int steps, const std::string& data_dir = "") const {
        return "train --data-dir '" + (data_dir.empty() ? data_.path().string() : data_dir) +
               "' --hidden 32 --batch 32 --lr 3e-3 --steps " + std::to_string(steps) +
               " --log-every 10 --eval-every 20 --quiet --out '" + out + "'";
    }
    std::string out(const std::string& name) const { return tmp_.file(name); }
    std::string stderr_text() const { return read(tmp_.file("stderr.txt")); }
    static std::string read(const std::string& path) { return testing::read_file(path); }
    static nlohmann::json metrics(const std::string& dir) { return testing::json_of(read(dir + "/metrics.json")); }

    TempDir data_, tmp_;
};

struct Png {
    int w = 0, h = 0;
};
Png png_size(const std::string& path) {
    Png p;
    int c = 0;
    unsigned char* px = stbi_load(path.c_str(), &p.w, &p.h, &c, 3);
    if (!px) return {};
    stbi_image_free(px);
    return p;
}

// Tiles of 8 px upscaled 2x with 2-px gutters: cols * 18 + 2 wide.
int grid_extent(int tiles) { return tiles * (2 * kSide + 2) + 2; }

TEST_F(AeDemo, PlainTrainingLowersTheLossAndDrawsPictures) {
    const std::string dir = out("plain");
    ASSERT_EQ(run(train_args(dir, 80) + " --latent 2"), 0) << stderr_text();
    // metrics.csv: train_loss falls from the first logged row to the last.
    std::ifstream csv(dir + "/metrics.csv");
    std::string header, line, first, last;
    std::getline(csv, header);
    EXPECT_EQ(header.rfind("step,train_loss", 0), 0u) << header;
    EXPECT_NE(header.find("test_loss"), std::string::npos) << header;
    while (std::getline(csv, line)) (first.empty() ? first : last) = line;
    auto loss_of = [](const std::string& row) { return std::stod(row.substr(row.find(',') + 1)); };
    EXPECT_LT(loss_of(last), 0.9 * loss_of(first)) << first << " -> " << last;

    const nlohmann::json m = metrics(dir);
    ASSERT_TRUE(m.contains("test_loss"));
    EXPECT_GT(m["test_loss"].get<double>(), 0.0);
    EXPECT_LT(m["test_loss"].get<double>(), 0.69);  // below BCE of a constant 0.5 guess
    EXPECT_FALSE(m.contains("test_kl"));
    EXPECT_TRUE(fs::exists(dir + "/config.json"));
    EXPECT_TRUE(fs::exists(dir + "/checkpoint.safetensors"));

    const Png rec = png_size(dir + "/reconstructions.png");  // 64 originals + 64 reconstructions, 16 a row
    EXPECT_EQ(rec.w, grid_extent(16));
    EXPECT_EQ(rec.h, grid_extent(8));
    const Png walk = png_size(dir + "/interpolation.png");  // 8 pairs x 10 steps
    EXPECT_EQ(walk.w, grid_extent(10));
    EXPECT_EQ(walk.h, grid_extent(8));
    EXPECT_GT(png_size(dir + "/latent.png").w, 300);
    EXPECT_FALSE(fs::exists(dir + "/samples.png"));  // no prior without --variational
}

TEST_F(AeDemo, VariationalRunReportsKlElboAndSamples) {
    const std::string dir = out("vae");
    ASSERT_EQ(run(train_args(dir, 40) + " --variational --latent 3 --beta 0.5"), 0) << stderr_text();
    const nlohmann::json m = metrics(dir);
    for (const char* key : {"test_loss", "test_kl", "test_elbo", "train_kl"}) EXPECT_TRUE(m.contains(key)) << key;
    EXPECT_NEAR(m["test_elbo"].get<double>(), -(64 * m["test_loss"].get<double>() + m["test_kl"].get<double>()), 1e-6);
    const Png s = png_size(dir + "/samples.png");
    EXPECT_EQ(s.w, grid_extent(8));
    EXPECT_EQ(s.h, grid_extent(8));
    EXPECT_FALSE(fs::exists(dir + "/latent.png"));
}

TEST_F(AeDemo, ResumeMatchesAnUninterruptedRunAndSampleRedrawsIt) {
    const std::string full = out("full"), part = out("part");
    ASSERT_EQ(run(train_args(full, 40) + " --variational"), 0) << stderr_text();
    ASSERT_EQ(run(train_args(part, 20) + " --variational"), 0) << stderr_text();
    ASSERT_EQ(run(train_args(part, 40) + " --variational --resume '" + part + "/checkpoint.safetensors'"), 0)
        << stderr_text();
    // Bit for bit: same batches, noise, moments and (64-byte aligned tensors) the same rounding.
    EXPECT_EQ(read(full + "/metrics.csv"), read(part + "/metrics.csv"));

    const std::string again = out("again");
    ASSERT_EQ(run("sample --checkpoint '" + full + "/checkpoint.safetensors' --out '" + again + "'"), 0)
        << stderr_text();
    for (const char* pic : {"reconstructions.png", "interpolation.png", "samples.png"})
        EXPECT_EQ(read(full + "/" + pic), read(again + "/" + pic)) << pic;
    EXPECT_EQ(metrics(again)["test_loss"].get<double>(), metrics(full)["test_loss"].get<double>());
    EXPECT_TRUE(fs::exists(again + "/config.json"));
}

TEST_F(AeDemo, BadFlagsExitTwoWithoutAnOutputFolder) {
    const std::string dir = out("bad");
    const std::vector<std::string> bad = {"--act nope",      "--latent 0",         "--hidden 64,x", "--out-act relu",
                                          "--loss l1",       "--out-act identity", "--batch 0",     "--batch 100000",
                                          "--steps -1",      "--beta -2",          "--class 9",     "--lr 0",
                                          "--unknown-flag 3"};
    for (const std::string& b : bad) {
        EXPECT_EQ(run(train_args(dir, 10) + " " + b), 2) << b << ": " << stderr_text();
        const std::string err = stderr_text();
        EXPECT_EQ(err.rfind("genlab-ae: ", 0), 0u) << b << ": " << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << b << ": " << err;
        EXPECT_FALSE(fs::exists(dir)) << b;
    }
    EXPECT_EQ(run("sample --out '" + dir + "'"), 2);  // --checkpoint is required
    EXPECT_FALSE(fs::exists(dir));
}

TEST_F(AeDemo, BadDataAndCheckpointsExitOneWithoutAnOutputFolder) {
    const std::string dir = out("bad");
    // A folder that does not exist is a bad flag value (2); a bad file in it is a runtime error (1).
    EXPECT_EQ(run(train_args(dir, 10, out("nowhere"))), 2);
    EXPECT_NE(stderr_text().find("--data-dir"), std::string::npos) << stderr_text();
    EXPECT_NE(stderr_text().find("nowhere"), std::string::npos) << stderr_text();
    EXPECT_FALSE(fs::exists(dir));

    // A truncated image file.
    TempDir broken;
    write_split(broken, "train", 64, 3);
    write_split(broken, "t10k", 16, 4);
    testing::write_bytes(broken.file("t10k-images-idx3-ubyte.gz"), testing::idx_header({16, kSide, kSide}) + "abc");
    EXPECT_EQ(run(train_args(dir, 10, broken.path().string())), 1);
    EXPECT_NE(stderr_text().find("t10k-images"), std::string::npos) << stderr_text();
    EXPECT_FALSE(fs::exists(dir));

    // A corrupted checkpoint, for sample and for --resume.
    const std::string ckpt = out("junk.safetensors");
    testing::write_bytes(ckpt, std::string("\x08\0\0\0\0\0\0\0{\"a\":", 13));
    EXPECT_EQ(run("sample --checkpoint '" + ckpt + "' --out '" + dir + "'"), 1);
    EXPECT_NE(stderr_text().find("junk.safetensors"), std::string::npos) << stderr_text();
    EXPECT_EQ(run(train_args(dir, 10) + " --resume '" + ckpt + "'"), 1);
    EXPECT_FALSE(fs::exists(dir));

    // A valid checkpoint of another architecture.
    const std::string other = out("other");
    ASSERT_EQ(run(train_args(other, 5) + " --latent 3"), 0) << stderr_text();
    EXPECT_EQ(run(train_args(dir, 10) + " --latent 4 --resume '" + other + "/checkpoint.safetensors'"), 2);
    EXPECT_NE(stderr_text().find("--latent 3 vs 4"), std::string::npos) << stderr_text();
    EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace genlab

namespace genlab {
namespace {

// The same run on the real default dataset (Debian's Fashion-MNIST), on a small subset: one class,
// 512 training and 256 test images, a small network.
TEST_F(AeDemo, TrainsOnASubsetOfFashionMnist) {
    const std::string dir = out("fmnist");
    ASSERT_EQ(run("train --class 7 --train-limit 512 --test-limit 256 --hidden 64 --latent 8 --batch 32 --steps 60 "
                  "--log-every 10 --quiet --out '" +
                  dir + "'"),
              0)
        << stderr_text();
    const nlohmann::json m = metrics(dir);
    ASSERT_TRUE(m.contains("test_loss"));
    EXPECT_LT(m["test_loss"].get<double>(), 0.69);           // below BCE of a constant 0.5 guess
    const Png rec = png_size(dir + "/reconstructions.png");  // 28-px tiles upscaled x2, 2-px gutters
    EXPECT_EQ(rec.w, 16 * (2 * 28 + 2) + 2);
    EXPECT_EQ(rec.h, 8 * (2 * 28 + 2) + 2);
}

}  // namespace
}  // namespace genlab
