// genlab-bench end to end: each workload prints one JSON line with the keys
// tools/bench/compare.sh and docs/performance.md name, with the benchmark workload's parameter count and
// batch; --workload all prints one line per workload; bad flags are usage errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

const bool kBenchImages = fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
const std::string kBenchCorpus = std::string(GENLAB_SOURCE_DIR) + "/data/corpora/tinyshakespeare.txt";

class BenchDemoTest : public testing::ProgramTest {
protected:
    BenchDemoTest() : ProgramTest("genlab-bench") {}
    nlohmann::json line(const std::string& args) {
        EXPECT_EQ(run(args + " --steps 4 --warmup 1 --block 2 --threads 1"), 0) << read("stderr.txt");
        return testing::json_of(read("stdout.txt"));
    }
};

void expect_keys(const nlohmann::json& j) {
    for (const char* key : {"workload", "threads", "steps", "ms_per_step", "steps_per_s", "final_loss", "n_params",
                            "peak_rss_mb", "gemm_gflop_per_step"})
        EXPECT_TRUE(j.contains(key)) << key << " in " << json_text(j);
    EXPECT_GT(j["ms_per_step"].get<double>(), 0.0);
    EXPECT_NEAR(j["steps_per_s"].get<double>(), 1000.0 / j["ms_per_step"].get<double>(), 0.01);
    EXPECT_GT(j["peak_rss_mb"].get<double>(), 1.0);
    EXPECT_GT(j["gemm_gflop_per_step"].get<double>(), 0.0);
}

TEST_F(BenchDemoTest, GemmBackendCanBeChosenAndABadChoiceIsAnError) {
    ::setenv("GENLAB_GEMM", "eigen", 1);
    const nlohmann::json j = line("--workload gpt --corpus " + kBenchCorpus);
    EXPECT_EQ(j["gemm"].get<std::string>().rfind("Eigen ", 0), 0u) << json_text(j);
    ::setenv("GENLAB_GEMM", "mkl", 1);
    EXPECT_EQ(run("--workload gpt --steps 2 --corpus " + kBenchCorpus), 2) << "a usage error, as GENLAB_MEMORY_LIMIT's";
    ::unsetenv("GENLAB_GEMM");
    const std::string err = read("stderr.txt");
    EXPECT_NE(err.find("GENLAB_GEMM must be eigen or openblas, not 'mkl'"), std::string::npos) << err;
    EXPECT_EQ(read("stdout.txt"), "");
}

TEST_F(BenchDemoTest, ImageWorkloadsAreTheDesignNetworks) {
    if (!kBenchImages) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    const nlohmann::json gan = line("--workload gan");
    expect_keys(gan);
    // G 64-256-512-784 and D 784-512-256-1 (torch_ref.py's count).
    EXPECT_EQ(gan["n_params"],
              64 * 256 + 256 + 256 * 512 + 512 + 512 * 784 + 784 + 784 * 512 + 512 + 512 * 256 + 256 + 256 + 1);
    EXPECT_EQ(gan["batch"], 64);
    EXPECT_TRUE(gan["final_loss"].contains("D") && gan["final_loss"].contains("G"));
    const nlohmann::json ae = line("--workload ae");
    expect_keys(ae);
    EXPECT_EQ(ae["n_params"], 944176);  // 784-512-128-32-128-512-784
    EXPECT_EQ(ae["batch"], 128);
    EXPECT_EQ(ae["steps"], 4);
}

TEST_F(BenchDemoTest, GptIsTheBabyGptOnTinyShakespeare) {
    const nlohmann::json gpt = line("--workload gpt");  // the shipped corpus by default
    expect_keys(gpt);
    EXPECT_EQ(gpt["batch"], 12);
    // 4 blocks of 12·128² + 13·128, wte 65·128 (tied head), wpe 64·128, ln_f, head bias.
    EXPECT_EQ(gpt["n_params"], 65 * 128 + 64 * 128 + 4 * (12 * 128 * 128 + 13 * 128) + 2 * 128 + 65);
    const double loss = gpt["final_loss"].get<double>();
    EXPECT_GT(loss, 3.0);  // ln 65 = 4.17 at init; 5 steps barely move it
    EXPECT_LT(loss, 4.5);
}

TEST_F(BenchDemoTest, AllRunsEachWorkloadInItsOwnProcess) {
    if (!kBenchImages) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    ASSERT_EQ(run("--workload all --steps 2 --warmup 0 --block 1 --threads 1 --corpus " + kBenchCorpus), 0)
        << read("stderr.txt");
    std::istringstream out(read("stdout.txt"));
    std::vector<std::string> workloads;
    for (std::string l; std::getline(out, l);) workloads.push_back(testing::json_of(l)["workload"]);
    EXPECT_EQ(workloads, (std::vector<std::string>{"gan", "dcgan", "ae", "gpt"}));
}

TEST_F(BenchDemoTest, BadFlagsAreUsageErrors) {
    for (const char* args :
         {"--workload vae", "--steps 0", "--threads 0", "--bogus 1", "--workload gpt --corpus /nonexistent"}) {
        EXPECT_EQ(run(args), 2) << args << ": " << read("stderr.txt");
        EXPECT_NE(read("stderr.txt").find("genlab-bench"), std::string::npos) << args;
    }
}

}  // namespace
}  // namespace genlab
