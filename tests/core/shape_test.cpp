// Shape ops: reshape is a view, transpose of the last two dims, slice and concat along any dim.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/ops.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

using testing::gradients_match;
using testing::normal;

Tensor iota(Shape s) {
    Tensor x(s);
    for (size_t i = 0; i < x.numel(); ++i) x[i] = static_cast<float>(i);
    return x;
}

// --- reshape

TEST(Reshape, IsAViewSharingValueAndGradient) {
    Parameter x("x", iota(Shape{2, 3}));
    Tape t;
    Var xv = t.param(x);
    Var y = reshape(t, xv, Shape{3, 2});
    EXPECT_EQ(t.shape(y), (Shape{3, 2}));
    EXPECT_EQ(t.value(y).data(), t.value(xv).data());  // no copy
    t.backward(sum(t, mul(t, y, y)));
    for (size_t i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(x.grad[i], 2.f * x.value[i]);
}

TEST(Reshape, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match(
        [](Tape& t, const std::vector<Var>& v) {
            return exp(t, reshape(t, v[0], Shape{2, 2, 3}));
        },
        {normal(Shape{4, 3}, 1)}));
}

TEST(Reshape, RejectsAnotherElementCount) {
    Tape t;
    Var x = t.constant_fill(Shape{2, 3}, 1.f);
    try {
        reshape(t, x, Shape{4, 2});
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("(4, 2)"), std::string::npos) << msg;
    }
}

// --- transpose

TEST(Transpose, SwapsTheLastTwoDims) {
    Tape t;
    Tensor x = iota(Shape{2, 2, 3});  // a batch of two (2, 3) matrices
    Var y = transpose(t, t.constant(x));
    ASSERT_EQ(t.shape(y), (Shape{2, 3, 2}));
    const float want[] = {0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11};
    for (int i = 0; i < 12; ++i) EXPECT_FLOAT_EQ(t.value(y)[i], want[i]);
}

TEST(Transpose, TwoDMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return transpose(t, v[0]); },
                                {normal(Shape{3, 4}, 2)}));
}

TEST(Transpose, ThreeDMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return transpose(t, v[0]); },
                                {normal(Shape{2, 3, 4}, 3)}));
}

TEST(Transpose, RejectsOtherRanks) {
    Tape t;
    EXPECT_THROW(transpose(t, t.constant_fill(Shape{4}, 1.f)), Error);
    EXPECT_THROW(transpose(t, t.constant_fill(Shape{2, 2, 2, 2}, 1.f)), Error);
}

// --- slice

TEST(Slice, CutsAlongEachDim) {
    Tape t;
    Tensor xs = iota(Shape{2, 3, 4});
    Var x = t.constant(xs);
    Var a = slice(t, x, 0, 1, 1);  // x[1:2]
    ASSERT_EQ(t.shape(a), (Shape{1, 3, 4}));
    EXPECT_FLOAT_EQ(t.value(a)[0], 12.f);
    Var b = slice(t, x, 1, 1, 2);  // x[:, 1:3]
    ASSERT_EQ(t.shape(b), (Shape{2, 2, 4}));
    const float wb[] = {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23};
    for (int i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(t.value(b)[i], wb[i]);
    Var c = slice(t, x, -1, 2, 1);  // x[..., 2:3]
    ASSERT_EQ(t.shape(c), (Shape{2, 3, 1}));
    const float wc[] = {2, 6, 10, 14, 18, 22};
    for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(t.value(c)[i], wc[i]);
}

TEST(Slice, MatchesCentralDifferencesOnEveryDim) {
    for (int dim = 0; dim < 3; ++dim)
        EXPECT_TRUE(gradients_match([dim](Tape& t, const std::vector<Var>& v) { return slice(t, v[0], dim, 1, 2); },
                                    {normal(Shape{3, 4, 3}, 4)}))
            << "dim " << dim;
}

TEST(Slice, RejectsOutOfRangeCuts) {
    Tape t;
    Var x = t.constant_fill(Shape{2, 3}, 1.f);
    EXPECT_THROW(slice(t, x, 1, 2, 2), Error);
    EXPECT_THROW(slice(t, x, 2, 0, 1), Error);
    EXPECT_THROW(slice(t, x, 0, -1, 1), Error);
}

// --- concat

TEST(Concat, JoinsAlongEachDim) {
    Tape t;
    Tensor as = iota(Shape{2, 2});  // 0 1 / 2 3
    Var a = t.constant(as);
    Var b = t.constant_fill(Shape{2, 1}, 9.f);
    Var y = concat(t, a, b, 1);
    ASSERT_EQ(t.shape(y), (Shape{2, 3}));
    const float want[] = {0, 1, 9, 2, 3, 9};
    for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(t.value(y)[i], want[i]);
    Var z = concat(t, a, t.constant_fill(Shape{1, 2}, 7.f), 0);
    ASSERT_EQ(t.shape(z), (Shape{3, 2}));
    EXPECT_FLOAT_EQ(t.value(z)[4], 7.f);
}

TEST(Concat, MatchesCentralDifferencesOnEveryDim) {
    for (int dim = 0; dim < 3; ++dim) {
        Shape sb{2, 3, 2};
        sb.dims[static_cast<size_t>(dim)] = 1;
        EXPECT_TRUE(gradients_match([dim](Tape& t, const std::vector<Var>& v) { return concat(t, v[0], v[1], dim); },
                                    {normal(Shape{2, 3, 2}, 5), normal(sb, 6)}))
            << "dim " << dim;
    }
}

TEST(Concat, SliceUndoesConcat) {
    Tape t;
    Tensor a = normal(Shape{2, 3, 4}, 7), b = normal(Shape{2, 2, 4}, 8);
    Var y = concat(t, t.constant(a), t.constant(b), 1);
    Var back = slice(t, y, 1, 3, 2);
    for (size_t i = 0; i < b.numel(); ++i) EXPECT_FLOAT_EQ(t.value(back)[i], b[i]);
}

TEST(Concat, RejectsMismatchedShapesNamingBoth) {
    Tape t;
    try {
        concat(t, t.constant_fill(Shape{2, 3}, 1.f), t.constant_fill(Shape{3, 2}, 1.f), 1);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("(3, 2)"), std::string::npos) << msg;
    }
    EXPECT_THROW(concat(t, t.constant_fill(Shape{2, 3}, 1.f), t.constant_fill(Shape{2, 3, 1}, 1.f), 0), Error);
}

}  // namespace
}  // namespace genlab
