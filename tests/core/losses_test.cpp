// Losses: gradient checks (inputs and targets), PyTorch values, extreme inputs, shape errors.
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

// --- gradient checks

TEST(Mse, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return mse(t, v[0], v[1]); },
                                {normal(Shape{3, 4}, 1), normal(Shape{3, 4}, 2)}));
}

TEST(Bce, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return bce(t, v[0], v[1]); },
                                {uniform(Shape{3, 4}, 0.1f, 0.9f, 3), uniform(Shape{3, 4}, 0.f, 1.f, 4)}));
}

TEST(BceWithLogits, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return bce_with_logits(t, v[0], v[1]); },
                                {normal(Shape{3, 4}, 5), uniform(Shape{3, 4}, 0.f, 1.f, 6)}));
}

TEST(CrossEntropy, MatchesCentralDifferences) {
    static const Tensor targets(Shape{4}, {2, 0, -1, 4});  // one ignored row
    EXPECT_TRUE(gradients_match([](Tape& t,
                                   const std::vector<Var>& v) { return cross_entropy(t, v[0], t.constant(targets)); },
                                {normal(Shape{4, 5}, 7)}));
}

TEST(CrossEntropy, Rank3MatchesCentralDifferences) {
    static const Tensor targets(Shape{2, 3}, {1, 0, 3, 2, 2, 0});
    EXPECT_TRUE(gradients_match([](Tape& t,
                                   const std::vector<Var>& v) { return cross_entropy(t, v[0], t.constant(targets)); },
                                {normal(Shape{2, 3, 4}, 8)}));
}

TEST(KlNormal, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return kl_normal(t, v[0], v[1]); },
                                {normal(Shape{3, 4}, 9), normal(Shape{3, 4}, 10)}));
}

// --- values

TEST(Mse, Value) {
    Tensor p(Shape{3}, {1, 2, 3}), y(Shape{3}, {0.5f, 2.5f, 5});
    Tape t;
    EXPECT_FLOAT_EQ(t.item(mse(t, t.constant(p), t.constant(y))), 1.5f);
}

TEST(CrossEntropy, MatchesPyTorchWithAnIgnoredRow) {
    // F.cross_entropy(logits, [1, 2, -1], ignore_index=-1) and its gradient.
    Parameter logits("logits",
                     Tensor(Shape{3, 4}, {1.0f, 2.0f, 0.5f, -1.0f, 0.3f, -0.2f, 2.5f, 1.0f, -1.0f, 0.0f, 1.0f, 3.0f}));
    Tensor targets(Shape{3}, {1, 2, -1});
    const float want_grad[] = {0.11210391f,  -0.19526997f, 0.06799445f, 0.01517162f, 0.03954040f, 0.02398246f,
                               -0.14314741f, 0.07962458f,  0.f,         0.f,         0.f,         0.f};
    Tape t;
    Var loss = cross_entropy(t, t.param(logits), t.constant(targets));
    EXPECT_NEAR(t.item(loss), 0.41623360f, 1e-6f);
    t.backward(loss);
    for (int i = 0; i < 12; ++i) EXPECT_NEAR(logits.grad[static_cast<size_t>(i)], want_grad[i], 1e-6f) << i;
}

TEST(CrossEntropy, AllRowsIgnoredGivesZero) {
    Parameter logits("logits", normal(Shape{2, 3}, 11));
    Tensor targets(Shape{2}, {-1, -100});
    Tape t;
    Var loss = cross_entropy(t, t.param(logits), t.constant(targets));
    EXPECT_EQ(t.item(loss), 0.f);
    t.backward(loss);
    for (size_t i = 0; i < 6; ++i) EXPECT_EQ(logits.grad[i], 0.f);
}

TEST(CrossEntropy, LargeLogitsStayFiniteAndThreadedRowsAgree) {
    // 600 x 97 takes the parallel row loop; logits up to ±1000 would overflow a naive exp.
    Tensor logits = normal(Shape{600, 97}, 12);
    Tensor targets(Shape{600});
    for (size_t r = 0; r < 600; ++r) {
        targets[r] = static_cast<float>(r % 97);
        logits[r * 97 + r % 97] += 1000.f;  // the target dominates: loss ~ 0
    }
    Tape t;
    const float loss = t.item(cross_entropy(t, t.constant(logits), t.constant(targets)));
    EXPECT_TRUE(std::isfinite(loss));
    EXPECT_NEAR(loss, 0.f, 1e-6f);
}

TEST(BceWithLogits, MatchesPyTorchAtLargeMagnitudes) {
    // F.binary_cross_entropy_with_logits at |x| = 100 (finite) and ordinary points, with gradient.
    Parameter x("x", Tensor(Shape{5}, {100.f, -100.f, 0.5f, -2.f, 3.f}));
    Tensor y(Shape{5}, {0.f, 1.f, 1.f, 0.25f, 1.f});
    const float want_grad[] = {0.2f, -0.2f, -0.07550813f, -0.02615942f, -0.00948517f};
    Tape t;
    Var loss = bce_with_logits(t, t.param(x), t.constant(y));
    EXPECT_TRUE(std::isfinite(t.item(loss)));
    EXPECT_NEAR(t.item(loss), 40.22991562f, 1e-4f);
    t.backward(loss);
    for (int i = 0; i < 5; ++i) EXPECT_NEAR(x.grad[static_cast<size_t>(i)], want_grad[i], 1e-6f) << i;
}

TEST(Bce, ClampsLogsAtMinusHundredAsPyTorch) {
    // F.binary_cross_entropy([0, 1, 0.3, 0.9, 0.5], [1, 0, 0, 1, 0.7]) = 40.23103714
    Parameter p("p", Tensor(Shape{5}, {0.f, 1.f, 0.3f, 0.9f, 0.5f}));
    Tensor y(Shape{5}, {1.f, 0.f, 0.f, 1.f, 0.7f});
    Tape t;
    Var loss = bce(t, t.param(p), t.constant(y));
    EXPECT_NEAR(t.item(loss), 40.23103714f, 1e-4f);
    t.backward(loss);
    for (size_t i = 0; i < 5; ++i) EXPECT_TRUE(std::isfinite(p.grad[i])) << i;
}

TEST(Bce, MatchesPyTorchGradient) {
    Parameter p("p", Tensor(Shape{3}, {0.2f, 0.7f, 0.45f}));
    Tensor y(Shape{3}, {0.f, 1.f, 0.3f});
    const float want_grad[] = {0.41666663f, -0.47619048f, 0.20202017f};
    Tape t;
    Var loss = bce(t, t.param(p), t.constant(y));
    EXPECT_NEAR(t.item(loss), 0.41261888f, 1e-6f);
    t.backward(loss);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(p.grad[static_cast<size_t>(i)], want_grad[i], 1e-6f) << i;
}

TEST(KlNormal, EqualsTheClosedForm) {
    // Per row: ½ Σ (σ² + μ² - 1 - log σ²); the mean over rows.
    Tensor mu(Shape{2, 3}, {0.f, 1.f, -2.f, 0.5f, 0.f, 0.3f});
    Tensor lv(Shape{2, 3}, {0.f, 0.5f, -1.f, 2.f, 0.f, -0.2f});
    double want = 0;
    for (size_t i = 0; i < 6; ++i) want += 0.5 * (std::exp(lv[i]) + mu[i] * mu[i] - 1.0 - lv[i]);
    want /= 2;
    Tape t;
    EXPECT_NEAR(t.item(kl_normal(t, t.constant(mu), t.constant(lv))), want, 1e-5);
    // KL of N(0, 1) to itself is zero.
    Tensor zero(Shape{4, 2}, 0.f);
    EXPECT_FLOAT_EQ(t.item(kl_normal(t, t.constant(zero), t.constant(zero))), 0.f);
}

// --- errors

TEST(CrossEntropy, RejectsBadTargetNamingIt) {
    Tensor logits(Shape{2, 3}), targets(Shape{2}, {1, 3});
    Tape t;
    const std::string msg = error_of([&] { cross_entropy(t, t.constant(logits), t.constant(targets)); });
    EXPECT_NE(msg.find("target 3"), std::string::npos) << msg;
    Tensor frac(Shape{2}, {0.5f, 1});
    EXPECT_THROW(cross_entropy(t, t.constant(logits), t.constant(frac)), Error);
}

TEST(Losses, RejectMismatchedShapesNamingBoth) {
    Tensor a(Shape{2, 3}), b(Shape{3, 2}), ids(Shape{3});
    Tape t;
    const std::string msg = error_of([&] { mse(t, t.constant(a), t.constant(b)); });
    EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(3, 2)"), std::string::npos) << msg;
    EXPECT_THROW(bce(t, t.constant(a), t.constant(b)), Error);
    EXPECT_THROW(bce_with_logits(t, t.constant(a), t.constant(b)), Error);
    EXPECT_THROW(kl_normal(t, t.constant(a), t.constant(b)), Error);
    const std::string ce = error_of([&] { cross_entropy(t, t.constant(a), t.constant(ids)); });
    EXPECT_NE(ce.find("(2, 3)"), std::string::npos) << ce;
    EXPECT_NE(ce.find("(3)"), std::string::npos) << ce;
}

}  // namespace
}  // namespace genlab
