#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "tests/gradcheck.h"

namespace genlab {
namespace {

TEST(Linear, MatchesCentralDifferences) {
    Rng rng(1);
    Tensor x(Shape{5, 4}), w(Shape{3, 4}), b(Shape{3});
    rng.fill_normal(x);
    rng.fill_normal(w);
    rng.fill_normal(b);
    EXPECT_TRUE(testing::gradients_match([](Tape& t, const std::vector<Var>& v) { return linear(t, v[0], v[1], v[2]); },
                                         {x, w, b}));
}

TEST(Linear, WorksOnRank3WithoutBias) {
    Rng rng(2);
    Tensor x(Shape{2, 3, 4}), w(Shape{5, 4});
    rng.fill_normal(x);
    rng.fill_normal(w);
    EXPECT_TRUE(testing::gradients_match([](Tape& t, const std::vector<Var>& v) { return linear(t, v[0], v[1]); },
                                         {x, w}));
}

TEST(Linear, RejectsMismatchedWeight) {
    Tape t;
    Var x = t.constant_fill(Shape{2, 3}, 1.f);
    Var w = t.constant_fill(Shape{4, 5}, 1.f);
    EXPECT_THROW(linear(t, x, w), Error);
}

TEST(Tape, GradientAccumulatesWhenAVarFeedsTwoOps) {
    // y = x·Wᵀ used twice through the same parameter: both contributions reach W.grad.
    Parameter w("w", Tensor(Shape{1, 1}, {3.f}));
    Tensor xs(Shape{1, 1}, {2.f});
    Tape t;
    Var wv = t.param(w);
    Var x = t.constant(xs);
    Var y1 = linear(t, x, wv);
    Var y2 = linear(t, y1, wv);  // y2 = w² x, dy2/dw = 2 w x = 12
    t.backward(y2);
    EXPECT_FLOAT_EQ(w.grad[0], 12.f);
}

}  // namespace
}  // namespace genlab
