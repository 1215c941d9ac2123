// DESIGN.md's benchmark workloads at their full sizes, where the GEMMs, the elementwise kernels
// and the reductions all split their work over the threads: a few training steps on one thread
// and on two end at the same losses, within float rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "core/parallel.h"
#include "experiments/bench.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

const bool kImages = std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
const std::string kShakespeare = std::string(GENLAB_SOURCE_DIR) + "/../shared/data/tinyshakespeare.txt";

void expect_threads_agree(const std::string& workload) {
    const testing::ThreadCountRestorer restore;
    BenchOptions opt{.workload = workload, .steps = 4, .warmup = 0, .threads = 1, .block = 4, .corpus = kShakespeare};
    const BenchResult one = run_bench(opt);
    opt.threads = 2;
    const BenchResult two = run_bench(opt);
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

TEST(BenchThreads, AeOnOneAndTwoThreadsAgree) {
    if (!kImages) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    expect_threads_agree("ae");
}

TEST(BenchThreads, GptOnOneAndTwoThreadsAgree) { expect_threads_agree("gpt"); }

}  // namespace
}  // namespace genlab::experiments
