// End-to-end tests of --arch conv on genlab-gan and genlab-ae at tiny widths: train, resume
// bit-identically (batch norm's running statistics included), sample from the checkpoint; the
// usage errors of data the convolutional nets cannot take, and a checkpoint of one architecture
// refused by a run of the other, naming both.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/io/safetensors.h"

#include "tests/stb_image_impl.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

const bool kConvHaveFashionMnist = fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");

// Tiny DCGAN and convolutional autoencoder runs: one class, a few hundred images, a few maps.
const std::string kDcgan = "train --arch conv --class 7 --limit 256 --g-channels 8,4 --d-channels 4,8 --batch 16 "
                           "--fd-samples 0 --log-every 2 --quiet ";
const std::string kConvAe = "train --arch conv --train-limit 256 --test-limit 100 --channels 4,8 --latent 4 "
                            "--batch 16 --log-every 2 --eval-every 4 --quiet ";

class ConvArchTest : public testing::ProgramTest {
protected:
    explicit ConvArchTest(const char* program = "genlab-gan") : ProgramTest(program) {}
    int run(const std::string& args) { return ProgramTest::run(args + " --threads 1"); }

    bool png_size(const std::string& name, int* w, int* h) const {
        int c = 0;
        unsigned char* data = stbi_load(path(name).c_str(), w, h, &c, 3);
        if (!data) return false;
        stbi_image_free(data);
        return true;
    }

    // Every tensor of two checkpoints equal, bit for bit (progress snapshots aside).
    void expect_same_checkpoints(const std::string& a_run, const std::string& b_run) const {
        const StateDict a = load_safetensors(path(a_run + "/checkpoint.safetensors"));
        const StateDict b = load_safetensors(path(b_run + "/checkpoint.safetensors"));
        ASSERT_EQ(a.tensors.size(), b.tensors.size());
        bool running_stats = false;
        for (size_t i = 0; i < a.tensors.size(); ++i) {
            const std::string& name = a.tensors[i].first;
            ASSERT_EQ(name, b.tensors[i].first);
            if (name.rfind("progress.", 0) == 0) continue;
            running_stats |= name.find("running_mean") != std::string::npos;
            const Tensor &x = a.tensors[i].second, &y = b.tensors[i].second;
            ASSERT_EQ(x.shape(), y.shape()) << name;
            EXPECT_EQ(std::memcmp(x.data(), y.data(), x.numel() * sizeof(float)), 0) << name;
        }
        EXPECT_TRUE(running_stats) << "batch norm's buffers are in the checkpoint";
    }
};

class ConvAeTest : public ConvArchTest {
protected:
    ConvAeTest() : ConvArchTest("genlab-ae") {}
};

TEST_F(ConvArchTest, DcganTrainsResumesBitIdenticallyAndSamples) {
    if (!kConvHaveFashionMnist) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    ASSERT_EQ(run(kDcgan + "--steps 6 --out " + path("full")), 0) << read("stderr.txt");
    ASSERT_EQ(run(kDcgan + "--steps 3 --out " + path("part")), 0) << read("stderr.txt");
    ASSERT_EQ(run(kDcgan + "--steps 6 --out " + path("part") + " --resume " + path("part/checkpoint.safetensors")), 0)
        << read("stderr.txt");
    expect_same_checkpoints("full", "part");
    const nlohmann::json config = testing::json_of(read("full/config.json"));
    EXPECT_EQ(config["config"]["model"]["arch"], "conv");
    EXPECT_EQ(config["config"]["model"]["g_act"], "relu");  // DCGAN's defaults where no flag says otherwise
    EXPECT_EQ(config["config"]["model"]["d_act"], "leaky_relu:0.2");
    EXPECT_EQ(config["config"]["model"]["init"], "gpt2");
    EXPECT_FLOAT_EQ(config["config"]["lr"].get<float>(), 4e-4f);  // kDcganLr
    int w = 0, h = 0;
    ASSERT_TRUE(png_size("full/samples.png", &w, &h));
    EXPECT_EQ(w, 8 * (28 * 3 + 2) + 2);

    ASSERT_EQ(run("sample --checkpoint " + path("full/checkpoint.safetensors") + " --num 10 --out " + path("s")), 0)
        << read("stderr.txt");
    ASSERT_TRUE(png_size("s/samples.png", &w, &h));
    EXPECT_EQ(h, 2 * (28 * 3 + 2) + 2);  // 10 samples: 2 rows of 8
}

TEST_F(ConvArchTest, DataTheConvNetsCannotTakeIsAUsageErrorNamingTheFlag) {
    const std::string out = path("bad");
    const std::pair<std::string, std::string> cases[] = {
        {"train --arch conv --data ring8", "--arch conv: the convolutional nets take images, and --data ring8 is 2-D"},
        {"train --arch conv --g-channels 8,8,8 --d-channels 8,8,8 --fd-samples 0",
         "--arch conv: 28x28 images cannot be halved 3 times"},
        {"train --arch conv --g-channels 8 --d-channels 8,8 --fd-samples 0", "--g-channels and --d-channels"},
        {"train --arch cnn", "--arch"}};
    for (const auto& [args, want] : cases) {
        EXPECT_EQ(run(args + " --out " + out), 2) << args << ": " << read("stderr.txt");
        EXPECT_NE(read("stderr.txt").find(want), std::string::npos) << read("stderr.txt");
        EXPECT_FALSE(fs::exists(out)) << args << " left " << out << " behind";
    }
}

TEST_F(ConvArchTest, ACheckpointOfOneArchitectureIsRefusedByTheOther) {
    if (!kConvHaveFashionMnist) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    ASSERT_EQ(run(kDcgan + "--steps 2 --out " + path("conv")), 0) << read("stderr.txt");
    const std::string mlp = "train --class 7 --limit 256 --g-hidden 8 --d-hidden 8 --batch 16 --fd-samples 0 --quiet ";
    EXPECT_EQ(run(mlp + "--steps 4 --out " + path("mlp") + " --resume " + path("conv/checkpoint.safetensors")), 2);
    const std::string err = read("stderr.txt");
    EXPECT_NE(err.find("--arch \"conv\" vs \"mlp\""), std::string::npos) << err;
    EXPECT_NE(err.find("the checkpoint's vs these"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(path("mlp")));
}

TEST_F(ConvAeTest, ConvAutoencoderTrainsResumesAndSamples) {
    if (!kConvHaveFashionMnist) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    const std::string vae = kConvAe + "--variational ";
    ASSERT_EQ(run(vae + "--steps 8 --out " + path("full")), 0) << read("stderr.txt");
    ASSERT_EQ(run(vae + "--steps 4 --out " + path("part")), 0) << read("stderr.txt");
    ASSERT_EQ(run(vae + "--steps 8 --out " + path("part") + " --resume " + path("part/checkpoint.safetensors")), 0)
        << read("stderr.txt");
    expect_same_checkpoints("full", "part");
    const nlohmann::json m = testing::json_of(read("full/metrics.json"));
    EXPECT_EQ(m["test_loss"], testing::json_of(read("part/metrics.json"))["test_loss"]);
    for (const char* png : {"reconstructions.png", "interpolation.png", "samples.png"})
        EXPECT_TRUE(fs::exists(path(std::string("full/") + png))) << png;

    ASSERT_EQ(run("sample --checkpoint " + path("full/checkpoint.safetensors") + " --test-limit 100 --out " +
                  path("s")),
              0)
        << read("stderr.txt");
    EXPECT_EQ(testing::json_of(read("s/metrics.json"))["test_loss"], m["test_loss"]) << "eval mode both times";
    EXPECT_EQ(run(kConvAe + "--channels 4,4,4 --steps 1 --out " + path("bad")), 2);
    EXPECT_NE(read("stderr.txt").find("--arch conv"), std::string::npos) << read("stderr.txt");
    EXPECT_FALSE(fs::exists(path("bad")));
}

}  // namespace
}  // namespace genlab
