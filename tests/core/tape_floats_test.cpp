// The floats a tape holds: the values and gradients it owns, never the parameters and constants it
// views; kept across reset(), and counted over every live tape for the memory estimates' tests.
#include <gtest/gtest.h>

#include <memory>

#include "core/nn/parameter.h"
#include "core/ops.h"

namespace genlab {
namespace {

// y = sum(reshape(x w^T)) on x (2, 4), w (3, 4), beside an input slot of 5.
Var small_step(Tape& t, Parameter& w, const Tensor& x) {
    Var y = linear(t, t.constant(x), t.param(w));  // (2, 3): value and gradient, 12
    Var s = sum(t, reshape(t, y, Shape{6}));       // the view owns nothing; the sum 1 + 1
    t.input(Shape{5});                             // 5, without a gradient
    t.backward(s);
    return s;
}

TEST(TapeFloats, CountOwnedValuesAndGradientsNotViews) {
    Parameter w("w", Tensor(Shape{3, 4}, 0.5f));
    const Tensor x(Shape{2, 4}, 1.f);
    Tape t;
    EXPECT_EQ(t.held_floats(), 0u);
    small_step(t, w, x);
    EXPECT_EQ(t.held_floats(), 19u);
    t.reset();
    EXPECT_EQ(t.held_floats(), 19u) << "reset keeps every buffer";
    small_step(t, w, x);
    EXPECT_EQ(t.held_floats(), 19u) << "the next step reuses them";
    Tape eval;
    NoGradGuard no_grad(eval);
    linear(eval, eval.constant(x), eval.param(w));
    EXPECT_EQ(eval.held_floats(), 6u) << "no gradients without grad";
}

TEST(TapeFloats, LiveFloatsFollowEveryTapeAlive) {
    Parameter w("w", Tensor(Shape{3, 4}, 0.5f));
    const Tensor x(Shape{2, 4}, 1.f);
    const uint64_t before = Tape::live_floats();
    {
        auto first = std::make_unique<Tape>();
        Tape second;
        small_step(*first, w, x);
        small_step(second, w, x);
        EXPECT_EQ(Tape::live_floats(), before + 38);
        first = nullptr;
        EXPECT_EQ(Tape::live_floats(), before + 19) << "a tape's floats leave with it";
        second.reset();
        second.input(Shape{100});  // into the first slot, a view of x until now
        EXPECT_EQ(Tape::live_floats(), before + 19 + 100);
    }
    EXPECT_EQ(Tape::live_floats(), before);
}

}  // namespace
}  // namespace genlab
