// End-to-end smoke tests of genlab-gan on tiny settings: it runs the built binary, decodes the
// PNGs (stb_image) and checks their sizes, reads metrics.json, checks that a resumed run ends
// bit-identical to an uninterrupted one, that `sample` works from a checkpoint, and that bad
// flags exit with status 2 without leaving an output folder.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/io/safetensors.h"

#include "tests/stb_image_impl.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

const bool kHaveFashionMnist = fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");

class GanDemoTest : public testing::ProgramTest {
protected:
    GanDemoTest() : ProgramTest("genlab-gan") {}
    int run(const std::string& args) { return ProgramTest::run(args + " --threads 1"); }
    nlohmann::json metrics(const std::string& run) const { return testing::json_of(read(run + "/metrics.json")); }

    // Decodes a PNG; returns false when it does not decode.
    bool png_size(const std::string& name, int* w, int* h) const {
        int c = 0;
        unsigned char* data = stbi_load(path(name).c_str(), w, h, &c, 3);
        if (!data) return false;
        stbi_image_free(data);
        return true;
    }
};

TEST_F(GanDemoTest, Ring8WritesScatterProgressAndModeMetrics) {
    ASSERT_EQ(run("train --data ring8 --steps 40 --log-every 10 --quiet --out " + path("r")), 0) << read("stderr.txt");
    int w = 0, h = 0;
    ASSERT_TRUE(png_size("r/scatter.png", &w, &h));  // one 540-px panel, legend and title above it
    EXPECT_EQ(w, 540 + 2 * 10);
    EXPECT_EQ(h, 585);
    ASSERT_TRUE(png_size("r/progress.png", &w, &h));  // 8 snapshots: 2 rows of 4 panels of 260 px
    EXPECT_EQ(w, 4 * 260 + 2 * 10);
    EXPECT_EQ(h, 2 * 260 + 71);
    ASSERT_TRUE(png_size("r/loss.png", &w, &h));
    EXPECT_GT(w, 3 * 400);
    const nlohmann::json m = metrics("r");
    for (const char* key : {"d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm", "d_grad_norm", "modes_covered",
                            "high_quality_fraction"})
        EXPECT_TRUE(m.contains(key)) << key;
    EXPECT_GE(m["modes_covered"].get<double>(), 0.0);
    EXPECT_LE(m["modes_covered"].get<double>(), 8.0);
    EXPECT_TRUE(fs::exists(path("r/config.json")));
    EXPECT_TRUE(fs::exists(path("r/checkpoint.safetensors")));
    // 4 logged rows + header.
    const std::string csv = read("r/metrics.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
    EXPECT_EQ(csv.rfind("step,d_loss,g_loss,d_real,d_fake,g_grad_norm,d_grad_norm", 0), 0u) << csv.substr(0, 80);
}

// The first `cols` comma-separated cells of every line.
std::string first_columns(const std::string& csv, int cols) {
    std::istringstream in(csv);
    std::string line, out;
    while (std::getline(in, line)) {
        size_t pos = 0;
        for (int c = 0; c < cols && pos != std::string::npos; ++c) pos = line.find(',', pos + 1);
        out += line.substr(0, pos) + "\n";
    }
    return out;
}

TEST_F(GanDemoTest, ResumeContinuesBitIdentically) {
    // "Interrupted" at step 15 (a run with --steps 15), then resumed to 30: the training state and
    // every logged training metric equal an uninterrupted 30-step run's, bit for bit. (The short
    // run's own final evaluation adds eval cells to its row 15, and its progress snapshots follow
    // a 15-step schedule; those are not training state.)
    const std::string common = "train --data ring8 --log-every 5 --quiet ";
    ASSERT_EQ(run(common + "--steps 30 --out " + path("full")), 0) << read("stderr.txt");
    ASSERT_EQ(run(common + "--steps 15 --out " + path("part")), 0) << read("stderr.txt");
    ASSERT_EQ(run(common + "--steps 30 --out " + path("part") + " --resume " + path("part/checkpoint.safetensors")), 0)
        << read("stderr.txt");
    EXPECT_EQ(first_columns(read("part/metrics.csv"), 7), first_columns(read("full/metrics.csv"), 7));
    const StateDict a = load_safetensors(path("full/checkpoint.safetensors"));
    const StateDict b = load_safetensors(path("part/checkpoint.safetensors"));
    ASSERT_EQ(a.tensors.size(), b.tensors.size());
    int compared = 0;
    for (size_t i = 0; i < a.tensors.size(); ++i) {
        ASSERT_EQ(a.tensors[i].first, b.tensors[i].first);
        if (a.tensors[i].first.rfind("progress.", 0) == 0) continue;
        const Tensor& x = a.tensors[i].second;
        const Tensor& y = b.tensors[i].second;
        ASSERT_EQ(x.shape(), y.shape()) << a.tensors[i].first;
        EXPECT_EQ(std::memcmp(x.data(), y.data(), x.numel() * sizeof(float)), 0) << a.tensors[i].first;
        ++compared;
    }
    EXPECT_GE(compared, 3 * 12);  // G and D weights and biases, plus both Adams' two moments
    EXPECT_EQ(a.metadata.at("rng.noise"), b.metadata.at("rng.noise"));
    EXPECT_EQ(a.metadata.at("rng.data"), b.metadata.at("rng.data"));
    EXPECT_EQ(metrics("full")["modes_covered"], metrics("part")["modes_covered"]);
    EXPECT_EQ(metrics("full")["high_quality_fraction"], metrics("part")["high_quality_fraction"]);
}

TEST_F(GanDemoTest, ImagesWriteGridsAndFeatureMetricsAndSampleFromTheCheckpoint) {
    if (!kHaveFashionMnist) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    // A tiny classifier (its own cache file) keeps this fast; the metric keys are what is checked.
    ASSERT_EQ(run("train --class 7 --limit 256 --steps 12 --log-every 4 --g-hidden 32 --d-hidden 32 --fd-samples 200 "
                  "--classifier-steps 20 --classifier " +
                  path("clf.safetensors") + " --quiet --out " + path("img")),
              0)
        << read("stderr.txt");
    int w = 0, h = 0;
    ASSERT_TRUE(png_size("img/samples.png", &w, &h));
    EXPECT_EQ(w, 8 * (28 * 3 + 2) + 2);  // 8 tiles of 28 px x3 with 2-px gutters
    EXPECT_EQ(h, w);
    ASSERT_TRUE(png_size("img/progress.png", &w, &h));
    EXPECT_EQ(w, 690);
    EXPECT_EQ(h, 690);  // 8 snapshots of the same 8 noise vectors
    const nlohmann::json m = metrics("img");
    for (const char* key : {"d_loss", "g_loss", "fd_features", "class_histogram_kl", "classifier_accuracy"})
        EXPECT_TRUE(m.contains(key)) << key;
    EXPECT_GT(m["fd_features"].get<double>(), 0.0);
    EXPECT_TRUE(fs::exists(path("clf.safetensors")));

    ASSERT_EQ(run("sample --checkpoint " + path("img/checkpoint.safetensors") +
                  " --num 10 --interpolate --seed 3 --out " + path("s")),
              0)
        << read("stderr.txt");
    ASSERT_TRUE(png_size("s/samples.png", &w, &h));
    EXPECT_EQ(w, 690);
    EXPECT_EQ(h, 2 * (28 * 3 + 2) + 2);  // 10 samples: 2 rows of 8
    ASSERT_TRUE(png_size("s/sample_0009.png", &w, &h));
    EXPECT_EQ(w, 84);
    ASSERT_TRUE(png_size("s/interpolation.png", &w, &h));
    EXPECT_EQ(w, 10 * 86 + 2);
    EXPECT_EQ(h, 8 * 86 + 2);

    // Sampling again into the same folder replaces the earlier sample; into the training run's
    // own folder it is refused, and the run's files stay as they were.
    EXPECT_EQ(run("sample --checkpoint " + path("img/checkpoint.safetensors") + " --num 4 --out " + path("s")), 0)
        << read("stderr.txt");
    const std::string run_config = read("img/config.json");
    EXPECT_EQ(run("sample --checkpoint " + path("img/checkpoint.safetensors") + " --num 4 --out " + path("img")), 2);
    EXPECT_NE(read("stderr.txt").find("holds no earlier gan sample"), std::string::npos) << read("stderr.txt");
    EXPECT_EQ(read("img/config.json"), run_config);
}

// --classifier only ever replaces a classifier cache: another file at that path is left alone.
TEST_F(GanDemoTest, TheClassifierCacheNeverOverwritesAnotherFile) {
    if (!kHaveFashionMnist) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    const std::string tiny = "train --class 7 --limit 64 --steps 2 --g-hidden 8 --d-hidden 8 --fd-samples 100 "
                             "--classifier-steps 2 --quiet --classifier ";
    std::ofstream(path("notes.txt")) << "my notes";
    EXPECT_EQ(run(tiny + path("notes.txt") + " --out " + path("a")), 1);
    EXPECT_NE(read("stderr.txt").find("not a readable classifier cache"), std::string::npos) << read("stderr.txt");
    EXPECT_EQ(read("notes.txt"), "my notes");
    EXPECT_FALSE(fs::exists(path("a"))) << "stopped before any output";
    // Another model's checkpoint is a readable safetensors file, but not ours to replace either.
    ASSERT_EQ(run("train --data ring8 --steps 2 --g-hidden 8 --d-hidden 8 --quiet --out " + path("ring")), 0)
        << read("stderr.txt");
    const std::string ckpt = path("ring/checkpoint.safetensors");
    const std::string before = testing::read_file(ckpt);
    EXPECT_EQ(run(tiny + ckpt + " --out " + path("b")), 1);
    EXPECT_NE(read("stderr.txt").find("a 'gan' file"), std::string::npos) << read("stderr.txt");
    EXPECT_EQ(testing::read_file(ckpt), before);
}

// An absurd learning rate: exit 1 naming the step and what went non-finite; every checkpoint
// written on the way is finite, and sampling from it works.
TEST_F(GanDemoTest, ADivergingRunStopsWithAFiniteCheckpoint) {
    const std::string out = path("div");
    ASSERT_EQ(run("train --data ring8 --g-hidden 16,16 --d-hidden 16,16 --batch 32 --lr 1e6 --steps 50 --save-every 1 "
                  "--quiet --out " +
                  out),
              1);
    const std::string err = read("stderr.txt");
    EXPECT_NE(err.find("step "), std::string::npos) << err;
    EXPECT_NE(err.find("diverged"), std::string::npos) << err;
    EXPECT_TRUE(err.find("nan") != std::string::npos || err.find("inf") != std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    const std::string ckpt = out + "/checkpoint.safetensors";
    if (fs::exists(ckpt)) {
        EXPECT_EQ(load_safetensors(ckpt).first_non_finite(), nullptr);
        EXPECT_EQ(run("sample --checkpoint " + ckpt + " --out " + path("div-sample")), 0) << read("stderr.txt");
    }
}

TEST_F(GanDemoTest, BadFlagsAreUsageErrorsWithoutAnOutputFolder) {
    const std::string out = path("bad");
    for (const std::string& args :
         {std::string("train --g-act nosuch"), std::string("train --steps -1"),
          std::string("train --batch 0 --data ring8"), std::string("train --data nosuch"),
          std::string("train --data-dir /nonexistent/genlab"), std::string("train --loss wasserstein --data ring8"),
          std::string("sample --checkpoint /nonexistent.safetensors"), std::string("train --bogus-flag 1")}) {
        EXPECT_EQ(run(args + " --out " + out), 2) << args << ": " << read("stderr.txt");
        EXPECT_FALSE(fs::exists(out)) << args << " left " << out << " behind";
        const std::string err = read("stderr.txt");
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << args << ": " << err;
    }
}

// Values that only fail deep inside (a learning rate the optimizer refuses, an activation whose
// init gain overflows, a folder that cannot be made) are usage errors naming their flag; a huge
// value is not echoed whole.
TEST_F(GanDemoTest, ValuesThatFailDeepInsideAreUsageErrorsNamingTheFlag) {
    const std::string ring = "train --data ring8 --steps 1 --quiet --out ";
    const std::pair<std::string, std::string> cases[] = {
        {"--lr 1e30", "--lr"}, {"--act leaky_relu:1e30", "--act"}, {"--g-act leaky_relu:-1e30", "--g-act"}};
    for (const auto& [flags, name] : cases) {
        EXPECT_EQ(run(ring + path("x") + " " + flags), 2) << flags << ": " << read("stderr.txt");
        EXPECT_NE(read("stderr.txt").find(name), std::string::npos) << read("stderr.txt");
        EXPECT_FALSE(fs::exists(path("x")));
    }
    EXPECT_EQ(run(ring + "/dev/null/x"), 2) << read("stderr.txt");
    EXPECT_NE(read("stderr.txt").find("--out /dev/null/x"), std::string::npos) << read("stderr.txt");
    EXPECT_EQ(run(ring + path("x") + " --act leaky_relu:" + std::string(10'000, '1') + "x"), 2);
    EXPECT_LT(read("stderr.txt").size(), 1000u) << "the value echoed whole";
    EXPECT_EQ(run(ring + path("x") + " --act leaky_relu:+0.2"), 0) << read("stderr.txt");
}

// One writer per folder: a folder whose lock names a live process (here this test) is refused
// naming it; a lock left by a process that no longer runs (SIGKILLed) is taken over.
TEST_F(GanDemoTest, AFolderInUseIsRefusedAndAStaleLockIsTakenOver) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const std::string out = path("run"), lock = path("run/.genlab.lock");
    fs::create_directories(out);
    std::ofstream(lock) << "host=" << host << " pid=" << ::getpid() << " start=0\n";
    EXPECT_EQ(run("train --data ring8 --steps 2 --quiet --out " + out), 2);
    const std::string err = read("stderr.txt");
    EXPECT_NE(err.find("in use"), std::string::npos) << err;
    EXPECT_NE(err.find("pid " + std::to_string(::getpid())), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(out + "/metrics.csv"));

    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    std::ofstream(lock, std::ios::trunc) << "host=" << host << " pid=" << child << " start=0\n";
    EXPECT_EQ(run("train --data ring8 --steps 2 --quiet --out " + out), 0) << read("stderr.txt");
    EXPECT_TRUE(fs::exists(out + "/checkpoint.safetensors"));
    EXPECT_FALSE(fs::exists(lock)) << "released at exit";
}

// Flags asking for more memory than the machine has are refused before anything is allocated,
// with both figures; GENLAB_MEMORY_LIMIT caps what counts as available.
TEST_F(GanDemoTest, AModelLargerThanMemoryIsRefusedWithBothFigures) {
    const std::string out = path("huge");
    // 65536² weights twice: about 8.6 billion parameters, over 200 GB to train. No machine here has that.
    EXPECT_EQ(run("train --data ring8 --g-hidden 65536,65536 --d-hidden 65536,65536 --steps 1 --out " + out), 2);
    std::string err = read("stderr.txt");
    for (const char* want : {"parameters", "needs about", "GB of memory", "available", "--batch"})
        EXPECT_NE(err.find(want), std::string::npos) << want << " in: " << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_FALSE(fs::exists(out));

    ::setenv("GENLAB_MEMORY_LIMIT", "20M", 1);  // a run of about 30 MB under a 20 MB cap
    EXPECT_EQ(run("train --data ring8 --g-hidden 1000,1000 --d-hidden 1000,1000 --steps 1 --out " + out), 2);
    err = read("stderr.txt");
    EXPECT_NE(err.find("20 MB available"), std::string::npos) << err;
    ::setenv("GENLAB_MEMORY_LIMIT", "1G", 1);
    EXPECT_EQ(run("train --data ring8 --g-hidden 1000,1000 --d-hidden 1000,1000 --steps 1 --quiet --out " + out), 0)
        << read("stderr.txt");
    ::setenv("GENLAB_MEMORY_LIMIT", "lots", 1);
    EXPECT_EQ(run("train --data ring8 --steps 1 --quiet --out " + path("x")), 2);
    EXPECT_NE(read("stderr.txt").find("GENLAB_MEMORY_LIMIT=lots"), std::string::npos) << read("stderr.txt");
    ::unsetenv("GENLAB_MEMORY_LIMIT");
}

// A checkpoint whose stored config asks for a model other than the weights it holds (here a
// huge one) is refused before that model is built.
TEST_F(GanDemoTest, AStoredConfigThatDoesNotMatchTheWeightsIsRefused) {
    const std::string out = path("run");
    ASSERT_EQ(run("train --data ring8 --g-hidden 16,16 --d-hidden 16,16 --steps 2 --quiet --out " + out), 0)
        << read("stderr.txt");
    StateDict sd = load_safetensors(out + "/checkpoint.safetensors");
    nlohmann::json full = testing::json_of(sd.metadata.at("config"));
    full["config"]["model"]["g_hidden"] = {65536, 65536};
    sd.metadata["config"] = json_text(full);
    const std::string edited = path("edited.safetensors");
    save_safetensors(edited, sd);
    EXPECT_EQ(run("sample --checkpoint " + edited + " --out " + path("s")), 1);
    const std::string err = read("stderr.txt");
    for (const char* want :
         {"edited.safetensors", "describes a model of", "parameters but the file holds", "do not belong together"})
        EXPECT_NE(err.find(want), std::string::npos) << want << " in: " << err;
    EXPECT_FALSE(fs::exists(path("s")));
}

// A stored config with a field nested 200,000 deep (the whole header is still small) is refused
// with a message, where quoting or comparing that value would have overflowed the stack.
TEST_F(GanDemoTest, AStoredConfigNestedDeeplyIsRefusedNotRecursedInto) {
    const std::string out = path("run");
    ASSERT_EQ(run("train --data ring8 --g-hidden 16,16 --d-hidden 16,16 --steps 2 --quiet --out " + out), 0)
        << read("stderr.txt");
    StateDict sd = load_safetensors(out + "/checkpoint.safetensors");
    std::string config = sd.metadata.at("config");
    const std::string field = "\"data\":\"ring8\"";  // a text field, quoted when its value is not text
    const size_t at = config.find(field);
    ASSERT_NE(at, std::string::npos) << config;
    config.replace(at, field.size(), "\"data\":" + std::string(200000, '[') + std::string(200000, ']'));
    sd.metadata["config"] = config;
    const std::string edited = path("deep.safetensors");
    save_safetensors(edited, sd);
    EXPECT_EQ(run("sample --checkpoint " + edited + " --out " + path("s")), 1);
    EXPECT_NE(read("stderr.txt").find("deep.safetensors: metadata 'config' is not a genlab run config"),
              std::string::npos)
        << read("stderr.txt");
    EXPECT_FALSE(fs::exists(path("s")));
}

}  // namespace
}  // namespace genlab
