// Embedding lookup: values, scatter-add gradient, id validation.
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
using testing::error_of;

TEST(Embedding, GathersRows) {
    Tensor table(Shape{3, 2}, {0, 1, 10, 11, 20, 21}), ids(Shape{2, 2}, {2, 0, 1, 2});
    Tape t;
    Var y = embedding(t, t.constant(table), t.constant(ids));
    ASSERT_EQ(t.shape(y), (Shape{2, 2, 2}));
    const float want[] = {20, 21, 0, 1, 10, 11, 20, 21};
    for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(t.value(y)[i], want[i]);
}

TEST(Embedding, MatchesCentralDifferences) {
    static const Tensor ids(Shape{2, 3}, {1, 4, 1, 0, 3, 1});  // repeated ids accumulate
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return embedding(t, v[0], t.constant(ids)); },
                                {normal(Shape{5, 3}, 1)}));
}

TEST(Embedding, BackwardScatterAddsRepeatedIds) {
    Parameter table("table", Tensor(Shape{3, 2}, 0.f));
    Tensor ids(Shape{4}, {1, 1, 2, 1});
    Tape t;
    t.backward(sum(t, embedding(t, t.param(table), t.constant(ids))));
    const float want[] = {0, 0, 3, 3, 1, 1};
    for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(table.grad[static_cast<size_t>(i)], want[i]);
}

TEST(Embedding, RejectsOutOfRangeIdNamingIt) {
    Tensor table(Shape{65, 4}), ids(Shape{3}, {3, 70, 1});
    Tape t;
    const std::string msg = error_of([&] { embedding(t, t.constant(table), t.constant(ids)); });
    EXPECT_NE(msg.find("70"), std::string::npos) << msg;
    EXPECT_NE(msg.find("65"), std::string::npos) << msg;
}

TEST(Embedding, RejectsNegativeAndFractionalIds) {
    Tensor table(Shape{5, 2}), neg(Shape{2}, {-1, 0}), frac(Shape{2}, {1.5f, 0});
    Tape t;
    EXPECT_THROW(embedding(t, t.constant(table), t.constant(neg)), Error);
    const std::string msg = error_of([&] { embedding(t, t.constant(table), t.constant(frac)); });
    EXPECT_NE(msg.find("1.5"), std::string::npos) << msg;
}

TEST(Embedding, RejectsBadTableShape) {
    Tensor table(Shape{5}), ids(Shape{2}, {0, 1});
    Tape t;
    EXPECT_THROW(embedding(t, t.constant(table), t.constant(ids)), Error);
}

}  // namespace
}  // namespace genlab
