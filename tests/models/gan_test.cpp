// GAN model pieces: network shapes and parameter names, the three losses (values by hand and
// finite-difference gradients), the concatenated D batch equal to two passes, the frozen-D
// forward, D learning against a fixed G, config JSON and validation. The training step itself is
// the experiment's (tests/experiments/gan_experiment_test.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops.h"
#include "core/optim/optimizer.h"
#include "data/toy2d.h"
#include "models/gan.h"
#include "models/gan_metrics.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

namespace genlab::models {
namespace {

GanConfig tiny_config() {
    GanConfig c;
    c.data_dim = 6;
    c.latent = 3;
    c.g_hidden = {8};
    c.d_hidden = {7, 5};
    return c;
}

TEST(Gan, NetworksHaveTheConfiguredShapesAndNames) {
    GanConfig c = tiny_config();
    Rng rng(1);
    Gan gan(c, rng);
    NamedParameters ps = gan.named_parameters();
    ASSERT_EQ(ps.size(), 10u);  // G: 2 layers, D: 3 layers, weight + bias each
    EXPECT_EQ(ps[0].first, "g.fc0.weight");
    EXPECT_EQ(ps[0].second->value.shape(), (Shape{8, 3}));
    EXPECT_EQ(ps[4].first, "d.fc0.weight");
    EXPECT_EQ(ps[9].first, "d.fc2.bias");
    EXPECT_EQ(ps[9].second->value.shape(), (Shape{1}));

    Tape t;
    Tensor z(Shape{5, 3}, 0.5f);
    LayerRecord rec;
    Var x = gan.g(t, t.constant(z), &rec);
    EXPECT_EQ(t.shape(x), (Shape{5, 6}));
    for (size_t i = 0; i < t.value(x).numel(); ++i) EXPECT_LE(std::abs(t.value(x)[i]), 1.f);  // tanh output
    EXPECT_EQ(rec.layers.size(), 2u);
    EXPECT_EQ(t.shape(gan.d(t, x)), (Shape{5, 1}));
}

TEST(Gan, LearnableActivationGetsItsOwnParameter) {
    GanConfig c = tiny_config();
    c.d_act = "prelu";
    Rng rng(1);
    Gan gan(c, rng);
    int found = 0;
    for (const auto& [name, p] : gan.named_parameters()) found += name.find("d.act") == 0;
    EXPECT_EQ(found, 2);  // one per hidden layer of D
}

// PyTorch: bce_with_logits(s, y) = max(s, 0) - s y + log(1 + exp(-|s|)).
double bce(double s, double y) { return std::max(s, 0.0) - s * y + std::log1p(std::exp(-std::abs(s))); }

TEST(GanLosses, DiscriminatorLossIsRealPlusFakeMeans) {
    Tape t;
    Tensor logits(Shape{4, 1}, {1.5f, -0.5f, 0.25f, -2.f});  // 2 real rows, then 2 fake rows
    Tensor targets(Shape{4, 1}, {1.f, 1.f, 0.f, 0.f});
    const double want = (bce(1.5, 1) + bce(-0.5, 1)) / 2 + (bce(0.25, 0) + bce(-2, 0)) / 2;
    EXPECT_NEAR(t.item(gan_d_loss(t, t.constant(logits), t.constant(targets), GanLoss::NonSaturating)), want, 1e-6);
    EXPECT_NEAR(t.item(gan_d_loss(t, t.constant(logits), t.constant(targets), GanLoss::Minimax)), want, 1e-6);
    const double ls = 0.5 * ((0.25 + 2.25) / 2) + 0.5 * ((0.0625 + 4) / 2);  // ½E(s-1)² + ½E s²
    EXPECT_NEAR(t.item(gan_d_loss(t, t.constant(logits), t.constant(targets), GanLoss::LeastSquares)), ls, 1e-6);
}

TEST(GanLosses, GeneratorLossesMatchTheirDefinitions) {
    Tape t;
    Tensor logits(Shape{2, 1}, {0.5f, -3.f});
    Tensor ones(Shape{2, 1}, 1.f);
    EXPECT_NEAR(t.item(gan_g_loss(t, t.constant(logits), t.constant(ones), GanLoss::NonSaturating)),
                (bce(0.5, 1) + bce(-3, 1)) / 2, 1e-6);
    // minimax: E log(1 - sigmoid(s))
    auto log1m_sig = [](double s) { return std::log(1 - 1 / (1 + std::exp(-s))); };
    EXPECT_NEAR(t.item(gan_g_loss(t, t.constant(logits), t.constant(ones), GanLoss::Minimax)),
                (log1m_sig(0.5) + log1m_sig(-3)) / 2, 1e-6);
    EXPECT_NEAR(t.item(gan_g_loss(t, t.constant(logits), t.constant(ones), GanLoss::LeastSquares)),
                0.5 * (0.25 + 16) / 2, 1e-6);
}

class GanLossGrad : public ::testing::TestWithParam<GanLoss> {};

TEST_P(GanLossGrad, MatchesCentralDifferences) {
    const GanLoss loss = GetParam();
    Tensor logits(Shape{6, 1}, {1.2f, -0.7f, 0.3f, 2.1f, -1.4f, 0.6f});
    Tensor targets(Shape{6, 1}, {1.f, 1.f, 1.f, 0.f, 0.f, 0.f});
    Tensor ones(Shape{6, 1}, 1.f);
    EXPECT_TRUE(testing::gradients_match(
        [&](Tape& t, const std::vector<Var>& v) { return gan_d_loss(t, v[0], t.constant(targets), loss); }, {logits}));
    EXPECT_TRUE(testing::gradients_match(
        [&](Tape& t, const std::vector<Var>& v) { return gan_g_loss(t, v[0], t.constant(ones), loss); }, {logits}));
}

INSTANTIATE_TEST_SUITE_P(AllLosses, GanLossGrad,
                         ::testing::Values(GanLoss::NonSaturating, GanLoss::Minimax, GanLoss::LeastSquares),
                         [](const ::testing::TestParamInfo<GanLoss>& i) {
                             return i.param == GanLoss::NonSaturating ? std::string("Ns")
                                    : i.param == GanLoss::Minimax     ? std::string("Minimax")
                                                                      : std::string("Lsgan");
                         });

TEST(Gan, ConcatenatedDiscriminatorBatchEqualsTwoPasses) {
    GanConfig c = tiny_config();
    Rng rng(2);
    Gan gan(c, rng);
    Tensor both(Shape{8, 6});
    rng.fill_normal(both);
    Tensor real = Tensor::view(both.data(), Shape{4, 6}), fake = Tensor::view(both.data() + 24, Shape{4, 6});
    Tape t;
    const Tensor s_both = t.value(gan.d(t, t.constant(both)));
    const Tensor s_real = t.value(gan.d(t, t.constant(real)));
    const Tensor s_fake = t.value(gan.d(t, t.constant(fake)));
    for (int i = 0; i < 4; ++i) {
        EXPECT_NEAR(s_both[static_cast<size_t>(i)], s_real[static_cast<size_t>(i)], 1e-5);
        EXPECT_NEAR(s_both[static_cast<size_t>(4 + i)], s_fake[static_cast<size_t>(i)], 1e-5);
    }
}

TEST(Gan, FrozenDiscriminatorPassesTheSameInputGradientAndNoWeightGradient) {
    GanConfig c = tiny_config();
    Rng rng(3);
    Gan gan(c, rng);
    Parameter x("x", Tensor(Shape{4, 6}));
    rng.fill_normal(x.value);
    Tensor seed(Shape{4, 1}, {0.3f, -1.f, 0.5f, 2.f});

    Tape t;
    t.backward(gan.d(t, t.param(x)), seed);
    const Tensor dx_full = x.grad;
    double wgrad = 0;
    for (Parameter* p : gan.d.parameters()) wgrad += p->grad.flat().abs().sum();
    EXPECT_GT(wgrad, 0.0);

    gan.zero_grad();
    x.zero_grad();
    t.reset();
    {
        FreezeGuard frozen(gan.d);
        t.backward(gan.d(t, t.param(x)), seed);
    }
    for (size_t i = 0; i < x.grad.numel(); ++i) EXPECT_FLOAT_EQ(x.grad[i], dx_full[i]);
    for (Parameter* p : gan.d.parameters()) EXPECT_EQ(p->grad.flat().abs().sum(), 0.f);
}

TEST(Gan, DiscriminatorLearnsToSeparateAFixedGenerator) {
    // D alone trained on [real; G(z)] with the loss the experiment uses: with G fixed, its loss must
    // fall well below log 4 (chance).
    GanConfig c = tiny_config();
    c.data_dim = 2;
    c.g_out = "identity";
    Rng rng(7), noise(8), data_rng(9);
    Gan gan(c, rng);
    Adam opt(gan.d.named_parameters(), {.lr = 2e-3f, .beta1 = 0.5f});
    const data::Toy2d toy = data::make_toy2d("ring8");
    constexpr int kB = 64;
    Tensor input(Shape{2 * kB, 2}), targets(Shape{2 * kB, 1}, 0.f), z(Shape{kB, c.latent});
    std::fill(targets.data(), targets.data() + kB, 1.f);
    Tensor real = Tensor::view(input.data(), Shape{kB, 2});
    float loss = 0.f;
    for (int s = 0; s < 300; ++s) {
        toy.sample(data_rng, real);
        noise.fill_normal(z);
        const Tensor fake = generate(gan, z);
        std::copy(fake.data(), fake.data() + fake.numel(), input.data() + 2 * kB);
        Tape t;
        Var l = gan_d_loss(t, gan.d(t, t.constant(input)), t.constant(targets), GanLoss::NonSaturating);
        opt.zero_grad();
        t.backward(l);
        opt.step();
        loss = t.item(l);
    }
    EXPECT_LT(loss, 0.5 * std::log(4.0));
}

TEST(GanConfig, JsonRoundTripsEveryField) {
    GanConfig c;
    c.data_dim = 2;
    c.latent = 16;
    c.g_hidden = {128, 64};
    c.d_act = "elu:0.5";
    c.init = "gain";
    const ConfigSpec<GanConfig>& spec = gan_config_spec();
    const GanConfig r = spec.from_json(spec.to_json(c), "test");
    EXPECT_EQ(spec.to_json(r), spec.to_json(c));
    EXPECT_EQ(r.g_hidden, c.g_hidden);
    EXPECT_EQ(r.d_act, "elu:0.5");
    EXPECT_THROW(spec.from_json(nlohmann::json{{"latent", 3}}, "test"), Error);
}

TEST(GanConfig, ValidateNamesTheBadFlag) {
    auto message = [](GanConfig c) { return testing::error_of([&] { gan_config_spec().validate(c); }); };
    GanConfig c;
    c.g_act = "nosuch";
    EXPECT_NE(message(c).find("--g-act"), std::string::npos);
    c = {};
    c.g_out = "softmax";
    EXPECT_NE(message(c).find("--g-out"), std::string::npos);
    c = {};
    c.d_hidden = {};
    EXPECT_NE(message(c).find("--d-hidden"), std::string::npos);
    c = {};
    c.init = "xavier";
    EXPECT_NE(message(c).find("--init"), std::string::npos);
    EXPECT_EQ(message(GanConfig{}), "(no error)");
    EXPECT_THROW(parse_gan_loss("wasserstein"), UsageError);
}

TEST(Sampling, InterpolationRunsFromZ0ToZ1) {
    Tensor z0(Shape{2, 3}, {0.f, 0.f, 0.f, 1.f, 1.f, 1.f});
    Tensor z1(Shape{2, 3}, {1.f, 2.f, 3.f, -1.f, -1.f, -1.f});
    Tensor p = interpolate_latent(z0, z1, 5);
    ASSERT_EQ(p.shape(), (Shape{10, 3}));
    EXPECT_FLOAT_EQ(p[0], 0.f);
    EXPECT_FLOAT_EQ(p[4 * 3 + 2], 3.f);     // row 0, last step = z1
    EXPECT_FLOAT_EQ(p[2 * 3 + 1], 1.f);     // row 0, middle: (0 + 2) / 2
    EXPECT_FLOAT_EQ(p[(5 + 4) * 3], -1.f);  // row 1, last step
}

TEST(Sampling, GenerateMatchesTheTapeForwardInChunks) {
    GanConfig c = tiny_config();
    Rng rng(4);
    Gan gan(c, rng);
    Tensor z = sample_latent(2500, c.latent, rng);  // more than one chunk
    Tensor x = generate(gan, z);
    ASSERT_EQ(x.shape(), (Shape{2500, 6}));
    Tape t;
    Tensor last = Tensor::view(z.data() + 2499 * 3, Shape{1, 3});
    const Tensor one = t.value(gan.g(t, t.constant(last)));
    for (int j = 0; j < 6; ++j) EXPECT_NEAR(x[2499 * 6 + static_cast<size_t>(j)], one[static_cast<size_t>(j)], 1e-6);
}

}  // namespace
}  // namespace genlab::models
