// Elementwise ops (same shape and row broadcasting) and the tape's accumulation contract.
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
using testing::uniform;
using testing::error_of;

using BinaryOp = Var (*)(Tape&, Var, Var);

Var binary_graph(BinaryOp op, Tape& t, const std::vector<Var>& v) { return op(t, v[0], v[1]); }

// --- gradient checks: same shape and both broadcast forms, for each binary op

struct BinaryCase {
    const char* name;
    BinaryOp op;
};

void PrintTo(const BinaryCase& c, std::ostream* os) { *os << c.name; }

class BinaryGrad : public ::testing::TestWithParam<BinaryCase> {};

TEST_P(BinaryGrad, SameShapeMatchesCentralDifferences) {
    const BinaryOp op = GetParam().op;
    // b in [0.5, 2]: away from div's pole.
    EXPECT_TRUE(gradients_match([op](Tape& t, const std::vector<Var>& v) { return binary_graph(op, t, v); },
                                {normal(Shape{3, 4}, 1), uniform(Shape{3, 4}, 0.5f, 2.f, 2)}));
}

TEST_P(BinaryGrad, RowBroadcastMatchesCentralDifferences) {
    const BinaryOp op = GetParam().op;
    EXPECT_TRUE(gradients_match([op](Tape& t, const std::vector<Var>& v) { return binary_graph(op, t, v); },
                                {normal(Shape{5, 4}, 3), uniform(Shape{4}, 0.5f, 2.f, 4)}));
}

TEST_P(BinaryGrad, OneByCBroadcastMatchesCentralDifferences) {
    const BinaryOp op = GetParam().op;
    EXPECT_TRUE(gradients_match([op](Tape& t, const std::vector<Var>& v) { return binary_graph(op, t, v); },
                                {normal(Shape{2, 3, 4}, 5), uniform(Shape{1, 4}, -2.f, -0.5f, 6)}));
}

TEST_P(BinaryGrad, TrailingBlockBroadcastMatchesCentralDifferences) {
    const BinaryOp op = GetParam().op;
    EXPECT_TRUE(gradients_match([op](Tape& t, const std::vector<Var>& v) { return binary_graph(op, t, v); },
                                {normal(Shape{2, 3, 4}, 7), uniform(Shape{3, 4}, 0.5f, 2.f, 8)}));
}

INSTANTIATE_TEST_SUITE_P(AllBinaryOps, BinaryGrad,
                         ::testing::Values(BinaryCase{"Add", add}, BinaryCase{"Sub", sub}, BinaryCase{"Mul", mul},
                                           BinaryCase{"Div", div}),
                         [](const ::testing::TestParamInfo<BinaryCase>& info) { return std::string(info.param.name); });

TEST(UnaryGrad, ScaleMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return scale(t, v[0], -1.5f); },
                                {normal(Shape{3, 5}, 9)}));
}

TEST(UnaryGrad, AddScalarMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return add_scalar(t, v[0], 0.75f); },
                                {normal(Shape{4}, 10)}));
}

TEST(UnaryGrad, ExpMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return exp(t, v[0]); },
                                {normal(Shape{2, 5}, 11)}));
}

TEST(UnaryGrad, LogMatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return log(t, v[0]); },
                                {uniform(Shape{2, 5}, 0.3f, 3.f, 12)}));
}

// --- values

TEST(Elementwise, RowBroadcastAddsTheRowToEveryRow) {
    Tape t;
    Tensor a(Shape{2, 3}, {1, 2, 3, 4, 5, 6}), b(Shape{3}, {10, 20, 30});
    Var y = add(t, t.constant(a), t.constant(b));
    ASSERT_EQ(t.shape(y), (Shape{2, 3}));
    const float want[] = {11, 22, 33, 14, 25, 36};
    for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(t.value(y)[i], want[i]);
}

TEST(Elementwise, TrailingBlockRepeatsOverTheBatch) {
    Tape t;
    Tensor a(Shape{2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}), b(Shape{2, 2}, {1, 2, 3, 4});
    Var y = mul(t, t.constant(a), t.constant(b));
    const float want[] = {1, 4, 9, 16, 5, 12, 21, 32};
    for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(t.value(y)[i], want[i]);
}

TEST(Elementwise, BroadcastOperandGradientSumsOverRows) {
    Parameter b("b", Tensor(Shape{2}, {1.f, 1.f}));
    Tensor a(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
    Tape t;
    Var y = mul(t, t.constant(a), t.param(b));
    t.backward(sum(t, y));
    EXPECT_FLOAT_EQ(b.grad[0], 1 + 3 + 5);
    EXPECT_FLOAT_EQ(b.grad[1], 2 + 4 + 6);
}

TEST(Elementwise, UnaryValues) {
    Tape t;
    Tensor x(Shape{3}, {0.5f, 1.f, 2.f});
    Var xv = t.constant(x);
    for (int i = 0; i < 3; ++i) {
        EXPECT_FLOAT_EQ(t.value(exp(t, xv))[i], std::exp(x[i]));
        EXPECT_FLOAT_EQ(t.value(log(t, xv))[i], std::log(x[i]));
        EXPECT_FLOAT_EQ(t.value(scale(t, xv, 3.f))[i], 3.f * x[i]);
        EXPECT_FLOAT_EQ(t.value(add_scalar(t, xv, -1.f))[i], x[i] - 1.f);
        EXPECT_FLOAT_EQ(t.value(div(t, xv, xv))[i], 1.f);
        EXPECT_FLOAT_EQ(t.value(sub(t, xv, xv))[i], 0.f);
    }
}

TEST(Elementwise, LargeTensorsTakeTheParallelPathCorrectly) {
    // Above kParallelGrain the blocked loops run on the thread pool; values must not change.
    Tape t;
    Tensor a = normal(Shape{300, 257}, 13), b = normal(Shape{257}, 14);
    Var y = sub(t, t.constant(a), t.constant(b));
    for (size_t i = 0; i < a.numel(); i += 997) EXPECT_FLOAT_EQ(t.value(y)[i], a[i] - b[i % 257]);
}

// --- errors

TEST(Elementwise, RejectsMismatchedShapesNamingBoth) {
    Tape t;
    Var a = t.constant_fill(Shape{2, 3}, 1.f);
    Var b = t.constant_fill(Shape{4}, 1.f);
    const std::string msg = error_of([&] { add(t, a, b); });
    EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(4)"), std::string::npos) << msg;
    EXPECT_THROW(mul(t, a, t.constant_fill(Shape{3, 3}, 1.f)), Error);
    EXPECT_THROW(div(t, b, a), Error);  // only the second operand broadcasts
}

// --- the tape itself

TEST(Tape, VarUsedTwiceByOneOpGetsBothContributions) {
    Parameter x("x", Tensor(Shape{3}, {1.f, -2.f, 3.f}));
    Tape t;
    Var xv = t.param(x);
    t.backward(sum(t, mul(t, xv, xv)));  // d(x²)/dx = 2x
    EXPECT_FLOAT_EQ(x.grad[0], 2.f);
    EXPECT_FLOAT_EQ(x.grad[1], -4.f);
    EXPECT_FLOAT_EQ(x.grad[2], 6.f);
}

TEST(Tape, VarFeedingTwoOpsAccumulates) {
    Parameter x("x", Tensor(Shape{2}, {2.f, 5.f}));
    Tape t;
    Var xv = t.param(x);
    t.backward(sum(t, add(t, exp(t, xv), scale(t, xv, 3.f))));  // d/dx (e^x + 3x) = e^x + 3
    EXPECT_FLOAT_EQ(x.grad[0], std::exp(2.f) + 3.f);
    EXPECT_FLOAT_EQ(x.grad[1], std::exp(5.f) + 3.f);
}

TEST(Tape, HeaderWorkedExampleHolds) {
    // core/tape.h: y = 2x² + 1, x = {1, 2, 3} -> x.grad = {4, 8, 12}.
    Parameter x("x", Tensor(Shape{3}, {1.f, 2.f, 3.f}));
    Tape t;
    Var xv = t.param(x);
    Var y = add_scalar(t, scale(t, mul(t, xv, xv), 2.f), 1.f);
    EXPECT_FLOAT_EQ(t.value(y)[2], 19.f);
    t.backward(sum(t, y));
    EXPECT_FLOAT_EQ(x.grad[0], 4.f);
    EXPECT_FLOAT_EQ(x.grad[1], 8.f);
    EXPECT_FLOAT_EQ(x.grad[2], 12.f);
    // Reset and rebuild: the same slots are reused and gradients keep accumulating in x.grad.
    const size_t slots = t.num_slots();
    t.reset();
    xv = t.param(x);
    y = add_scalar(t, scale(t, mul(t, xv, xv), 2.f), 1.f);
    t.backward(sum(t, y));
    EXPECT_EQ(t.num_slots(), slots);
    EXPECT_FLOAT_EQ(x.grad[2], 24.f);
}

// Op outputs' gradients are not zero-filled at emit: the first backward writer stores, later ones
// add, and a read before any write zero-fills. A reused tape holds the last step's gradients in
// those buffers, so every case is run on a second step over stale slots.
TEST(Tape, LazyGradientsAreExactOverStaleSlots) {
    Parameter x("x", Tensor(Shape{2, 3}, {0.5f, -1.f, 2.f, 1.5f, -0.25f, 3.f}));
    Tape t;
    Var h, unused, flat;
    auto build = [&] {
        Var xv = t.param(x);
        h = exp(t, scale(t, xv, 0.5f));           // h feeds three ops: stored once, added twice
        flat = reshape(t, h, Shape{6});           // a view: shares h's gradient storage
        unused = scale(t, h, 7.f);                // never reaches the loss: its gradient reads 0
        Var s = slice(t, add(t, h, h), 1, 0, 2);  // a partial writer into add's output
        return add(t, sum(t, s), sum(t, mul(t, flat, flat)));
    };
    for (int step = 0; step < 2; ++step) {
        t.reset();
        x.grad.fill(0.f);
        t.backward(build());
        // d/dx of Σ_{cols<2} 2h + Σ h², h = e^{x/2}: (2·[col<2] + 2h) · h/2.
        for (int i = 0; i < 6; ++i) {
            const float hi = std::exp(0.5f * x.value[i]);
            EXPECT_FLOAT_EQ(x.grad[i], ((i % 3 < 2 ? 2.f : 0.f) + 2.f * hi) * 0.5f * hi)
                << "step " << step << " i " << i;
            EXPECT_EQ(t.grad(unused)[i], 0.f) << "step " << step;
            EXPECT_FLOAT_EQ(t.grad(flat)[i], t.grad(h)[i]) << "the view shares its source's gradient";
        }
    }
}

TEST(Tape, GradWriteIsFreshOnlyForTheFirstWriter) {
    Parameter x("x", Tensor(Shape{4}, 1.f));
    Tape t;
    Var xv = t.param(x);
    Var y = scale(t, xv, 2.f);
    Var view = reshape(t, y, Shape{2, 2});
    EXPECT_FALSE(t.grad_write(xv).fresh) << "a parameter's gradient accumulates across steps";
    EXPECT_TRUE(t.grad_write(view).fresh);
    EXPECT_FALSE(t.grad_write(y).fresh) << "written through its view already";
    t.reset();
    xv = t.param(x);
    y = scale(t, xv, 2.f);
    t.grad(y);  // a read zero-fills: nothing to store over any more
    EXPECT_FALSE(t.grad_write(y).fresh);
    EXPECT_EQ(t.grad(y)[3], 0.f);
}

TEST(Tape, NoGradGuardRecordsNothing) {
    Parameter x("x", Tensor(Shape{2}, {1.f, 2.f}));
    Tape t;
    NoGradGuard guard(t);
    Var y = mul(t, t.param(x), t.param(x));
    EXPECT_EQ(t.num_nodes(), 0u);
    EXPECT_FALSE(t.requires_grad(y));
    EXPECT_FLOAT_EQ(t.value(y)[1], 4.f);
}

}  // namespace
}  // namespace genlab
