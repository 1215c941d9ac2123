// Full reductions: sum and mean, gradients, values and thread-count independence.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "core/ops.h"
#include "core/parallel.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

using testing::gradients_match;
using testing::normal;

TEST(Reduce, SumMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return sum(t, v[0]); },
                                {normal(Shape{3, 4}, 1)}));
}

TEST(Reduce, MeanMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return mean(t, v[0]); },
                                {normal(Shape{2, 3, 2}, 2)}));
}

TEST(Reduce, Values) {
    Tape t;
    Tensor x(Shape{2, 2}, {1.f, 2.f, 3.f, 4.5f});
    Var xv = t.constant(x);
    EXPECT_EQ(t.shape(sum(t, xv)), (Shape{1}));
    EXPECT_FLOAT_EQ(t.item(sum(t, xv)), 10.5f);
    EXPECT_FLOAT_EQ(t.item(mean(t, xv)), 2.625f);
}

TEST(Reduce, MeanGradientIsOneOverCount) {
    Parameter x("x", normal(Shape{5}, 3));
    Tape t;
    t.backward(mean(t, t.param(x)));
    for (size_t i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(x.grad[i], 0.2f);
}

TEST(Reduce, LargeSumIsAccurateAndThreadCountIndependent) {
    const int n = 200001;
    Tensor x(Shape{n}, 0.1f);
    Tape t;
    const testing::ThreadCountRestorer restore;
    set_num_threads(1);
    const float one = t.item(sum(t, t.constant(x)));
    set_num_threads(2);
    const float two = t.item(sum(t, t.constant(x)));
    uint32_t bits_one, bits_two;
    std::memcpy(&bits_one, &one, sizeof one);
    std::memcpy(&bits_two, &two, sizeof two);
    EXPECT_EQ(bits_one, bits_two);
    EXPECT_NEAR(one, 0.1 * n, 0.1 * n * 1e-5);
}

}  // namespace
}  // namespace genlab
