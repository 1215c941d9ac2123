// The benchmark workloads at their full sizes, where the GEMMs, the elementwise kernels
// and the reductions all split their work over the threads: a few training steps on one thread
// and on two end at the same losses, within float rounding, and count the same GEMM work.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "bench/bench.h"
#include "core/parallel.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

const bool kImages = std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
const std::string kShakespeare = std::string(GENLAB_SOURCE_DIR) + "/data/corpora/tinyshakespeare.txt";

void expect_threads_agree(const std::string& workload) {
    const testing::ThreadCountRestorer restore;
    BenchOptions opt{.workload = workload, .steps = 4, .warmup = 0, .threads = 1, .block = 4, .corpus = kShakespeare};
    const BenchResult one = run_bench(opt);
    opt.threads = 2;
    const BenchResult two = run_bench(opt);
    EXPECT_GT(one.gemm_gflop_per_step, 0.0);
    EXPECT_DOUBLE_EQ(one.gemm_gflop_per_step, two.gemm_gflop_per_step) << "the work does not depend on the threads";
    ASSERT_EQ(one.final_metrics.size(), two.final_metrics.size());
    ASSERT_FALSE(one.final_metrics.empty());
    for (size_t i = 0; i < one.final_metrics.size(); ++i) {
        const auto& [name, a] = one.final_metrics[i];
        const double b = two.final_metrics[i].second;
        EXPECT_TRUE(std::isfinite(a)) << workload << " " << name;
        EXPECT_NEAR(a, b, 1e-4 * (1 + std::abs(a))) << workload << " " << name;
    }
}

TEST(BenchThreads, GanOnOneAndTwoThreadsAgree) {
    if (!kImages) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    expect_threads_agree("gan");
}

TEST(BenchThreads, GemmWorkOfAGanStepIsItsLayersProducts) {
    if (!kImages) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    // G 64-256-512-784 and D 784-512-256-1 at batch 64, counted by hand (2·m·n·k per product):
    // D's update: G forward (64 rows), D forward and dW (128 rows), D's dx but the first layer's;
    // G's update: G and D forward (64 rows), D's dx (frozen: no dW), G's dW and dx but the first's.
    const double g = 64 * 256 + 256 * 512 + 512 * 784, d = 784 * 512 + 512 * 256 + 256 * 1;
    const double d_step = 2 * 64 * g + 2 * 128 * d * 2 + 2 * 128 * (d - 784 * 512);
    const double g_step = 2 * 64 * g * 2 + 2 * 64 * d * 2 + 2 * 64 * (g - 64 * 256);
    // In a 4-step run each step also records a progress.png snapshot: G on its 8 fixed latents.
    const double progress = 2 * 8 * g;
    const BenchResult r = run_bench({.workload = "gan", .steps = 3, .warmup = 1, .threads = 1, .block = 3});
    EXPECT_NEAR(r.gemm_gflop_per_step, (d_step + g_step + progress) / 1e9, 1e-12);
}

TEST(BenchThreads, AeOnOneAndTwoThreadsAgree) {
    if (!kImages) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    expect_threads_agree("ae");
}

TEST(BenchThreads, GptOnOneAndTwoThreadsAgree) { expect_threads_agree("gpt"); }

}  // namespace
}  // namespace genlab::experiments
