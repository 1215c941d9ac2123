// Fused causal self-attention: gradient check, causality, and agreement (values and gradients)
// with a naive composition of slice + matmul + mask + softmax + concat.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/ops.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

using testing::gradients_match;
using testing::normal;

// (T, T): 0 where j <= i, a large negative number above the diagonal (softmax gives ~0 there).
Tensor causal_mask(int T) {
    Tensor m(Shape{T, T}, 0.f);
    for (int i = 0; i < T; ++i)
        for (int j = i + 1; j < T; ++j) m[static_cast<size_t>(i * T + j)] = -1e9f;
    return m;
}

// The textbook attention from primitive ops, head by head, batch by batch.
Var naive_attention(Tape& t, Var qkv, int n_head, const Tensor& mask) {
    const Shape s = t.shape(qkv);
    const int B = s[0], T = s[1], C = s[2] / 3, D = C / n_head;
    Var m = t.constant(mask);
    Var out;
    for (int b = 0; b < B; ++b) {
        Var xb = reshape(t, slice(t, qkv, 0, b, 1), Shape{T, 3 * C});  // (T, 3C)
        Var heads;
        for (int h = 0; h < n_head; ++h) {
            Var q = slice(t, xb, 1, h * D, D);  // (T, D)
            Var k = slice(t, xb, 1, C + h * D, D);
            Var v = slice(t, xb, 1, 2 * C + h * D, D);
            Var att = scale(t, matmul(t, q, transpose(t, k)), 1.f / std::sqrt(static_cast<float>(D)));  // (T, T)
            Var y = matmul(t, softmax(t, add(t, att, m)), v);                                           // (T, D)
            heads = h == 0 ? y : concat(t, heads, y, 1);
        }
        Var yb = reshape(t, heads, Shape{1, T, C});
        out = b == 0 ? yb : concat(t, out, yb, 0);
    }
    return out;  // (B, T, C)
}

TEST(Attention, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return causal_self_attention(t, v[0], 2); },
                                {normal(Shape{2, 3, 12}, 1)}));
}

TEST(Attention, AddsToAGradientAnotherOpWroteFirst) {
    // qkv is an op output (its gradient zeroed lazily) read again by an op made after the
    // attention: that op's backward runs first and stores into qkv's gradient, so attention's
    // backward must add to it, not store (the transformer, where qkv comes from one linear, only
    // ever gives it a fresh buffer).
    const Tensor c = normal(Shape{2, 3, 12}, 12);
    EXPECT_TRUE(gradients_match(
        [&](Tape& t, const std::vector<Var>& v) {
            Var qkv = scale(t, v[0], 1.5f);                             // (B, T, 3C)
            Var y = causal_self_attention(t, qkv, 2);                   // (B, T, C)
            Var other = slice(t, mul(t, qkv, t.constant(c)), 2, 4, 4);  // (B, T, C), made after the attention
            return add(t, y, other);
        },
        {normal(Shape{2, 3, 12}, 11)}));
}

TEST(Attention, OutputShapeAndFirstPositionCopiesItsValue) {
    // Position 0 attends only to itself: its output is its own v.
    Tensor x = normal(Shape{1, 4, 6}, 2);
    Tape t;
    Var y = causal_self_attention(t, t.constant(x), 1);
    ASSERT_EQ(t.shape(y), (Shape{1, 4, 2}));
    EXPECT_FLOAT_EQ(t.value(y)[0], x[4]);
    EXPECT_FLOAT_EQ(t.value(y)[1], x[5]);
}

TEST(Attention, FuturePositionsDoNotChangeEarlierOutputs) {
    const int B = 2, T = 5, C = 8;
    Tensor x = normal(Shape{B, T, 3 * C}, 3);
    Tensor x2 = x;
    for (int b = 0; b < B; ++b)
        for (int c = 0; c < 3 * C; ++c) x2[static_cast<size_t>((b * T + 3) * 3 * C + c)] += 5.f;  // change position 3
    Tape t;
    Var y = causal_self_attention(t, t.constant(x), 2);
    Var y2 = causal_self_attention(t, t.constant(x2), 2);
    for (int b = 0; b < B; ++b)
        for (int i = 0; i < T; ++i) {
            bool same = true;
            for (int c = 0; c < C; ++c) {
                const size_t k = static_cast<size_t>((b * T + i) * C + c);
                same = same && t.value(y)[k] == t.value(y2)[k];
            }
            if (i < 3)
                EXPECT_TRUE(same) << "batch " << b << " position " << i << " saw the future";
            else
                EXPECT_FALSE(same) << "batch " << b << " position " << i << " ignored its past";
        }
}

// Values and input gradients of the fused op against the naive composition.
void expect_matches_naive(int B, int T, int C, int H, uint64_t seed) {
    const Tensor mask = causal_mask(T);
    Parameter fused("qkv", normal(Shape{B, T, 3 * C}, seed)), naive("qkv", fused.value);
    Tensor dy = normal(Shape{B, T, C}, seed + 1);
    Tape t;
    Var yf = causal_self_attention(t, t.param(fused), H);
    Var yn = naive_attention(t, t.param(naive), H, mask);
    ASSERT_EQ(t.shape(yf), t.shape(yn));
    float max_value = 0, max_grad = 0;
    for (size_t i = 0; i < dy.numel(); ++i) max_value = std::max(max_value, std::abs(t.value(yf)[i] - t.value(yn)[i]));
    t.backward(yf, dy);
    t.reset();
    yn = naive_attention(t, t.param(naive), H, mask);
    t.backward(yn, dy);
    for (size_t i = 0; i < fused.grad.numel(); ++i)
        max_grad = std::max(max_grad, std::abs(fused.grad[i] - naive.grad[i]));
    EXPECT_LT(max_value, 1e-5f);
    EXPECT_LT(max_grad, 1e-4f);
}

TEST(Attention, MatchesNaiveCompositionOnASmallCase) { expect_matches_naive(2, 4, 6, 3, 4); }

TEST(Attention, MatchesNaiveCompositionOnTheParallelPath) { expect_matches_naive(2, 32, 32, 4, 5); }

// The per-head products in 4 × 16 register tiles, at gpt's shape (T 64, D 32), and at sizes that
// leave partial row blocks, short row tiles and a column remainder (T 37: blocks of 16, 16, 5; D 20).
TEST(Attention, MatchesNaiveCompositionAtTheBenchmarkShape) { expect_matches_naive(2, 64, 128, 4, 6); }

TEST(Attention, MatchesNaiveCompositionAtOddSizes) { expect_matches_naive(2, 37, 60, 3, 7); }

TEST(Attention, RejectsBadShapesNamingThem) {
    Tape t;
    Tensor bad(Shape{2, 4, 10}), rank2(Shape{4, 12}), ok(Shape{2, 4, 12});
    try {
        causal_self_attention(t, t.constant(bad), 2);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("(2, 4, 10)"), std::string::npos) << msg;
    }
    EXPECT_THROW(causal_self_attention(t, t.constant(rank2), 2), Error);
    EXPECT_THROW(causal_self_attention(t, t.constant(ok), 3), Error);  // 3 does not divide C = 4
    EXPECT_THROW(causal_self_attention(t, t.constant(ok), 0), Error);
}

}  // namespace
}  // namespace genlab
