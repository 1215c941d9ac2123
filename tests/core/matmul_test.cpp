// Matrix products, 2-D and batched: gradients, values and shape errors.
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

TEST(Matmul, TwoDMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return matmul(t, v[0], v[1]); },
                                {normal(Shape{3, 4}, 1), normal(Shape{4, 5}, 2)}));
}

TEST(Matmul, BatchedMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return matmul(t, v[0], v[1]); },
                                {normal(Shape{2, 3, 4}, 3), normal(Shape{2, 4, 2}, 4)}));
}

TEST(Matmul, TwoDValues) {
    Tape t;
    Tensor a(Shape{2, 3}, {1, 2, 3, 4, 5, 6}), b(Shape{3, 2}, {7, 8, 9, 10, 11, 12});
    Var y = matmul(t, t.constant(a), t.constant(b));
    ASSERT_EQ(t.shape(y), (Shape{2, 2}));
    EXPECT_FLOAT_EQ(t.value(y)[0], 58.f);
    EXPECT_FLOAT_EQ(t.value(y)[1], 64.f);
    EXPECT_FLOAT_EQ(t.value(y)[2], 139.f);
    EXPECT_FLOAT_EQ(t.value(y)[3], 154.f);
}

TEST(Matmul, BatchedEqualsPerBatchProducts) {
    // Large enough for the batch loop to run on the thread pool.
    const int B = 4, M = 33, K = 31, N = 35;
    Tensor a = normal(Shape{B, M, K}, 5), b = normal(Shape{B, K, N}, 6);
    Tape t;
    Var y = matmul(t, t.constant(a), t.constant(b));
    ASSERT_EQ(t.shape(y), (Shape{B, M, N}));
    for (int i = 0; i < B; ++i) {
        Tensor ai = a.reshaped(Shape{B * M, K}), bi = b.reshaped(Shape{B * K, N});
        MatrixRM want = ai.matrix().middleRows(i * M, M) * bi.matrix().middleRows(i * K, K);
        MatrixRM got = t.value(y).reshaped(Shape{B * M, N}).matrix().middleRows(i * M, M);
        EXPECT_LT((want - got).cwiseAbs().maxCoeff(), 1e-4f) << "batch " << i;
    }
}

TEST(Matmul, SkipsInputsWithoutGradient) {
    Parameter w("w", normal(Shape{3, 2}, 7));
    Tensor x = normal(Shape{4, 3}, 8);
    Tape t;
    Var y = matmul(t, t.constant(x), t.param(w));
    t.backward(sum(t, y));  // must not touch the constant's (absent) gradient
    // dW = xᵀ·1: column sums of x repeated over the two outputs.
    for (int k = 0; k < 3; ++k) {
        float col = 0;
        for (int r = 0; r < 4; ++r) col += x[static_cast<size_t>(r * 3 + k)];
        EXPECT_NEAR(w.grad[static_cast<size_t>(k * 2)], col, 1e-5f);
        EXPECT_NEAR(w.grad[static_cast<size_t>(k * 2 + 1)], col, 1e-5f);
    }
}

TEST(Matmul, RejectsMismatchedShapesNamingBoth) {
    Tape t;
    Var a = t.constant_fill(Shape{2, 3}, 1.f);
    Var b = t.constant_fill(Shape{4, 5}, 1.f);
    try {
        matmul(t, a, b);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("(4, 5)"), std::string::npos) << msg;
    }
    EXPECT_THROW(matmul(t, t.constant_fill(Shape{2, 3, 4}, 1.f), t.constant_fill(Shape{3, 4, 5}, 1.f)), Error);
    EXPECT_THROW(matmul(t, t.constant_fill(Shape{2, 3, 4}, 1.f), t.constant_fill(Shape{4, 5}, 1.f)), Error);
}

}  // namespace
}  // namespace genlab
