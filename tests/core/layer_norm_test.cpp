// Fused layer norm: gradients of x, gamma and beta, PyTorch values, shape errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/ops.h"
#include "tests/gradcheck.h"

namespace genlab {
namespace {

using testing::gradients_match;

Tensor scaled_normal(Shape s, uint64_t seed, float mean = 0.f, float std = 1.f) {
    Tensor x(s);
    Rng rng(seed);
    rng.fill_normal(x, mean, std);
    return x;
}

TEST(LayerNorm, MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return layer_norm(t, v[0], v[1], v[2]); },
                                {scaled_normal(Shape{4, 5}, 1), scaled_normal(Shape{5}, 2, 1.f, 0.5f),
                                 scaled_normal(Shape{5}, 3)}));
}

TEST(LayerNorm, Rank3MatchesCentralDifferences) {
    EXPECT_TRUE(gradients_match([](Tape& t, const std::vector<Var>& v) { return layer_norm(t, v[0], v[1], v[2]); },
                                {scaled_normal(Shape{2, 3, 4}, 4, 2.f, 3.f), scaled_normal(Shape{4}, 5),
                                 scaled_normal(Shape{4}, 6)}));
}

TEST(LayerNorm, MatchesPyTorch) {
    // torch.nn.functional.layer_norm(x, (4,), gamma, beta, 1e-5)
    Tensor x(Shape{2, 4}, {1.0f, 2.0f, 4.0f, -1.0f, 0.5f, 0.5f, 0.1f, 3.0f});
    Tensor g(Shape{4}, {1.0f, 0.5f, -1.0f, 2.0f}), b(Shape{4}, {0.0f, 0.1f, 0.2f, -0.3f});
    const float want[] = {-0.27734965f, 0.23867485f,  -1.18674839f, -3.07349658f,
                          -0.45576677f, -0.12788337f, 1.00301766f,  3.12910247f};
    Tape t;
    Var y = layer_norm(t, t.constant(x), t.constant(g), t.constant(b));
    for (int i = 0; i < 8; ++i) EXPECT_NEAR(t.value(y)[i], want[i], 1e-5f) << i;
}

TEST(LayerNorm, RowsHaveZeroMeanUnitVarianceWithIdentityAffine) {
    Tensor x = scaled_normal(Shape{300, 128}, 7, 5.f, 3.f);  // large enough for the parallel row loop
    Tensor g(Shape{128}, 1.f), b(Shape{128}, 0.f);
    Tape t;
    Var y = layer_norm(t, t.constant(x), t.constant(g), t.constant(b));
    MatMap ym = t.value(y).matrix();
    for (int r = 0; r < 300; r += 37) {
        const float mu = ym.row(r).mean();
        const float var = (ym.row(r).array() - mu).square().mean();
        EXPECT_NEAR(mu, 0.f, 1e-5f);
        EXPECT_NEAR(var, 1.f, 1e-3f);
    }
}

TEST(LayerNorm, RejectsMismatchedGammaNamingBothShapes) {
    Tensor x(Shape{2, 4}), g(Shape{3}), b(Shape{4});
    Tape t;
    try {
        layer_norm(t, t.constant(x), t.constant(g), t.constant(b));
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("(3)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("(2, 4)"), std::string::npos) << msg;
    }
    Tensor g4(Shape{4}), b3(Shape{3});
    EXPECT_THROW(layer_norm(t, t.constant(x), t.constant(g4), t.constant(b3)), Error);
}

}  // namespace
}  // namespace genlab
