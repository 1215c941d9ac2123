// Inverted dropout: eval identity, keep rate, preserved expectation, reproducible masks, gradient.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "tests/gradcheck.h"

namespace genlab {
namespace {

using testing::gradients_match;

TEST(Dropout, EvalIsTheIdentity) {
    Tensor x(Shape{3, 4}, 2.f);
    Tape t;
    Rng rng(1);
    Var xv = t.constant(x);
    const size_t slots = t.num_slots();
    Var y = dropout(t, xv, 0.5f, rng, /*train=*/false);
    EXPECT_EQ(y.id, xv.id);
    EXPECT_EQ(t.num_slots(), slots);  // no mask, no output slot
    Var z = dropout(t, xv, 0.f, rng, /*train=*/true);
    EXPECT_EQ(z.id, xv.id);
}

TEST(Dropout, TrainKeepsAboutOneMinusPAndPreservesTheExpectation) {
    const int n = 20000;
    const float p = 0.3f;
    Tensor x(Shape{n}, 1.f);
    Tape t;
    Rng rng(2);
    Var y = dropout(t, t.constant(x), p, rng, true);
    int kept = 0;
    double total = 0;
    for (int i = 0; i < n; ++i) {
        const float v = t.value(y)[static_cast<size_t>(i)];
        if (v != 0.f) {
            ++kept;
            EXPECT_FLOAT_EQ(v, 1.f / (1.f - p));
        }
        total += v;
    }
    // Binomial(n, 0.7): standard deviation ~65 units, so 1% (200 units) is > 3 sigma.
    EXPECT_NEAR(static_cast<double>(kept) / n, 1.0 - p, 0.01);
    EXPECT_NEAR(total / n, 1.0, 0.02);
}

TEST(Dropout, SameSeedGivesTheSameMask) {
    Tensor x(Shape{64, 8}, 1.f);
    Tape t;
    Rng a(42), b(42), c(43);
    Var ya = dropout(t, t.constant(x), 0.5f, a, true);
    Var yb = dropout(t, t.constant(x), 0.5f, b, true);
    Var yc = dropout(t, t.constant(x), 0.5f, c, true);
    int differ = 0;
    for (size_t i = 0; i < x.numel(); ++i) {
        EXPECT_EQ(t.value(ya)[i], t.value(yb)[i]);
        differ += t.value(ya)[i] != t.value(yc)[i];
    }
    EXPECT_GT(differ, 0);
}

TEST(Dropout, MatchesCentralDifferences) {
    Tensor x(Shape{4, 6});
    Rng init(3);
    init.fill_normal(x);
    // A fresh Rng with a fixed seed per build: every re-evaluation draws the same mask.
    EXPECT_TRUE(gradients_match(
        [](Tape& t, const std::vector<Var>& v) {
            Rng rng(5);
            return dropout(t, v[0], 0.4f, rng, true);
        },
        {x}));
}

TEST(Dropout, GradientIsZeroWhereDropped) {
    Parameter x("x", Tensor(Shape{100}, 1.f));
    Tape t;
    Rng rng(6);
    Var y = dropout(t, t.param(x), 0.5f, rng, true);
    t.backward(sum(t, y));
    for (size_t i = 0; i < 100; ++i) EXPECT_FLOAT_EQ(x.grad[i], t.value(y)[i]);  // x = 1: grad = mask
}

TEST(Dropout, RejectsProbabilityOutsideZeroOne) {
    Tensor x(Shape{2}, 1.f);
    Tape t;
    Rng rng(7);
    EXPECT_THROW(dropout(t, t.constant(x), 1.f, rng, true), Error);
    EXPECT_THROW(dropout(t, t.constant(x), -0.1f, rng, false), Error);
}

}  // namespace
}  // namespace genlab
