// Every experiment's training step in steady state (what the executables and the benchmarks run)
// allocates nothing on the heap but the one vector of the Metrics it returns: after two warm-up
// steps, the tapes, optimizers, samplers and batch buffers are all reused (alloc_counter.h).
#include <gtest/gtest.h>

#include "core/parallel.h"
#include "tests/alloc_counter.h"
#include "tests/experiments/experiment_cases.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

long allocations_in_warm_steps(const testing::ExperimentCase& c) {
    std::unique_ptr<ConfigBox> cfg = testing::case_config(c);
    RunOptions run;
    run.steps = 100;
    run.log_every = 1000;  // the GAN computes its gradient norms on logged steps only
    std::unique_ptr<Experiment> exp = find_experiment(c.experiment).create(*cfg, run);
    exp->step(0);
    exp->step(1);
    testing::AllocationCounter count;
    for (int s = 2; s < 5; ++s) exp->step(s);
    return count.stop();
}

TEST(StepAllocation, CounterSeesAnAllocation) {
    testing::AllocationCounter count;
    float* volatile p = new float[8];  // volatile: the compiler may not elide the allocation
    const long n = count.stop();
    delete[] p;
    EXPECT_EQ(n, 1);
}

TEST(StepAllocation, EveryExperimentAllocatesOnlyItsMetricsVector) {
    for (const testing::ExperimentCase& c : testing::experiment_cases())
        EXPECT_EQ(allocations_in_warm_steps(c), 3) << c.label;  // 3 steps, one vector each
}

TEST(StepAllocation, EveryExperimentOnTwoThreadsToo) {
    // The transformer's steps then split the batch over two tapes (core/train/data_parallel.h).
    const testing::ThreadCountRestorer restore;
    set_num_threads(2);
    for (const testing::ExperimentCase& c : testing::experiment_cases())
        EXPECT_EQ(allocations_in_warm_steps(c), 3) << c.label;
}

TEST(StepAllocation, EveryGanLossAndALearnableActivationStayAllocationFree) {
    for (const char* loss : {"ns", "minimax", "lsgan"}) {
        testing::ExperimentCase c{"",
                                  "gan",
                                  {{"data", "ring8"},
                                   {"g_hidden", "32,32"},
                                   {"d_hidden", "32,32"},
                                   {"batch", "16"},
                                   {"loss", loss},
                                   {"d_act", "prelu"},
                                   {"d_steps", "2"}}};
        EXPECT_EQ(allocations_in_warm_steps(c), 3) << loss;
    }
}

}  // namespace
}  // namespace genlab::experiments
