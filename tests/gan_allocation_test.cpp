// The GAN training step in steady state: after two warm-up steps, GanStep::run (D update on the
// concatenated real+fake batch, G update through the frozen D, both Adams, the grad norms and the
// per-layer records) allocates nothing but the one vector of the Metrics it returns (counted by
// tests/alloc_counter.h).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "data/toy2d.h"
#include "models/gan.h"
#include "tests/alloc_counter.h"

namespace genlab::models {
namespace {

long allocations(GanConfig c, bool grad_norms) {
    Rng rng(1), noise(2), data_rng(3);
    Gan gan(c, rng);
    GanStep step(gan, c);
    const data::Toy2d toy = data::make_toy2d("ring8");
    auto one = [&] { return step.run([&](Tensor& b) { toy.sample(data_rng, b); }, noise, grad_norms); };
    one();
    one();
    testing::AllocationCounter count;
    size_t reported = 0;
    for (int i = 0; i < 3; ++i) reported += one().size();
    const long n = count.stop();
    EXPECT_EQ(reported, 18u);
    return n;
}

GanConfig toy_config() {
    GanConfig c;
    c.data_dim = 2;
    c.latent = 8;
    c.g_hidden = {32, 32};
    c.d_hidden = {32, 32};
    c.batch = 16;
    c.g_out = "identity";
    return c;
}

TEST(GanSteadyState, StepAllocatesOnlyItsMetricsVector) {
    // 3 steps, one std::vector of 6 (name, value) pairs each; the names fit in std::string's
    // small buffer, so nothing else may allocate.
    EXPECT_EQ(allocations(toy_config(), true), 3);
}

TEST(GanSteadyState, EveryLossAndLearnableActivationStaysAllocationFree) {
    for (const char* loss : {"ns", "minimax", "lsgan"}) {
        GanConfig c = toy_config();
        c.loss = loss;
        c.d_act = "prelu";
        c.d_steps = 2;
        EXPECT_EQ(allocations(c, false), 3) << loss;
    }
}

}  // namespace
}  // namespace genlab::models
