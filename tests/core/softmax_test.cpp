// Softmax and log-softmax over the last dim: gradients, PyTorch values, large logits.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "core/ops.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

using testing::gradients_match;
using testing::normal;

TEST(Softmax, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return softmax(t, v[0]); },
                                {normal(Shape{3, 5}, 1)}));
}

TEST(LogSoftmax, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return log_softmax(t, v[0]); },
                                {normal(Shape{2, 2, 4}, 2)}));
}

// torch.softmax / torch.log_softmax of [[1, 2, 3], [1000, 1000, 999]] over dim -1.
const float kInput[] = {1.f, 2.f, 3.f, 1000.f, 1000.f, 999.f};

TEST(Softmax, MatchesPyTorchIncludingLargeLogits) {
    const float want[] = {0.09003057f, 0.24472848f, 0.66524094f, 0.42231882f, 0.42231882f, 0.15536241f};
    Tensor x(Shape{2, 3}, {kInput[0], kInput[1], kInput[2], kInput[3], kInput[4], kInput[5]});
    Tape t;
    Var y = softmax(t, t.constant(x));
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(t.value(y)[i], want[i], 1e-6f) << i;
}

TEST(LogSoftmax, MatchesPyTorchIncludingLargeLogits) {
    const float want[] = {-2.40760589f, -1.40760589f, -0.40760595f, -0.86199480f, -0.86199480f, -1.86199474f};
    Tensor x(Shape{2, 3}, {kInput[0], kInput[1], kInput[2], kInput[3], kInput[4], kInput[5]});
    Tape t;
    Var y = log_softmax(t, t.constant(x));
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(t.value(y)[i], want[i], 1e-5f) << i;
}

TEST(Softmax, RowsSumToOneOnTheParallelPath) {
    Tensor x = normal(Shape{400, 97}, 3);
    Tape t;
    Var y = softmax(t, t.constant(x));
    Var ly = log_softmax(t, t.constant(x));
    MatMap ym = t.value(y).matrix();
    for (int r = 0; r < 400; r += 41) {
        EXPECT_NEAR(ym.row(r).sum(), 1.f, 1e-5f);
        EXPECT_NEAR(std::exp(t.value(ly)[static_cast<size_t>(r * 97)]), ym(r, 0), 1e-6f);
    }
}

TEST(Softmax, RejectsAnEmptyLastDim) {
    Tensor x(Shape{2, 0});
    Tape t;
    EXPECT_THROW(softmax(t, t.constant(x)), Error);
    EXPECT_THROW(log_softmax(t, t.constant(x)), Error);
}

}  // namespace
}  // namespace genlab
