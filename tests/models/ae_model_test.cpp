// The autoencoder model (models/autoencoder.h): shapes and layer records, the VAE's KL against
// the closed form, the objective's composition, gradients through the whole chain (finite
// differences), deterministic prior sampling, config validation, and a linear autoencoder
// trained with the shared Trainer reaching the PCA reconstruction error (Eigen's SVD).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/optim/optimizer.h"
#include "core/train/trainer.h"
#include "models/autoencoder.h"
#include "tests/gradcheck.h"

namespace genlab {
namespace {

using models::AeLosses;
using models::Autoencoder;
using models::AutoencoderConfig;

AutoencoderConfig tiny(bool vae) {
    AutoencoderConfig c;
    c.input = 12;
    c.hidden = {10, 6};
    c.latent = 3;
    c.act = "tanh";
    c.variational = vae;
    return c;
}

Tensor random_images(int n, int p, uint64_t seed, float lo = 0.f, float hi = 1.f) {
    Tensor x(Shape{n, p});
    Rng rng(seed);
    rng.fill_uniform(x, lo, hi);
    return x;
}

Parameter& param(const Autoencoder& m, const std::string& name) {
    for (const auto& [n, p] : m.named_parameters())
        if (n == name) return *p;
    throw std::runtime_error("no parameter " + name);
}

TEST(AutoencoderModel, DefaultIsTheBenchmarkNetwork) {
    Rng rng(1);
    Autoencoder m(AutoencoderConfig{}, rng);
    EXPECT_EQ(dynamic_cast<const MLP&>(m.encoder).sizes(), (std::vector<int>{784, 512, 128, 32}));
    EXPECT_EQ(dynamic_cast<const MLP&>(m.decoder).sizes(), (std::vector<int>{32, 128, 512, 784}));
    // 784*512+512 + 512*128+128 + 128*32+32, mirrored.
    EXPECT_EQ(m.num_parameters(), size_t{2 * (784 * 512 + 512 * 128 + 128 * 32) + 512 + 128 + 32 + 128 + 512 + 784});
}

TEST(AutoencoderModel, RecordsEveryLayerAndItsGradient) {
    Rng rng(2);
    Autoencoder m(tiny(false), rng);
    Tensor x = random_images(5, 12, 3);
    Tape t;
    LayerRecord rec;
    AeLosses l = m.loss(t, t.constant(x), nullptr, &rec);
    ASSERT_EQ(rec.layers.size(), 6u);                        // 3 encoder + 3 decoder layers
    EXPECT_EQ(t.shape(rec.layers[2].pre), (Shape{5, 3}));    // the code
    EXPECT_EQ(t.shape(rec.layers[5].post), (Shape{5, 12}));  // raw output
    // The plain AE's code goes through the hidden activation (as the benchmark MLP).
    for (size_t i = 0; i < 15; ++i)
        EXPECT_NEAR(t.value(rec.layers[2].post)[i], std::tanh(t.value(rec.layers[2].pre)[i]), 1e-6f);
    t.backward(l.objective);
    for (size_t i = 0; i < rec.layers.size(); ++i)
        EXPECT_GT(t.grad(rec.layers[i].pre).flat().abs().sum(), 0.f) << "layer " << i;
    EXPECT_FALSE(l.kl.valid());
}

TEST(AutoencoderModel, KlEqualsClosedFormForKnownMeanAndLogVariance) {
    AutoencoderConfig c = tiny(true);
    Rng rng(4);
    Autoencoder m(c, rng);
    // Zero weights in the encoder's last layer: mu and logvar are its bias, whatever the input.
    param(m, "encoder.fc2.weight").value.fill(0.f);
    const std::vector<float> mu = {0.5f, -1.2f, 0.f}, lv = {0.3f, -0.7f, 1.1f};
    Tensor& b = param(m, "encoder.fc2.bias").value;
    for (int k = 0; k < 3; ++k) {
        b[static_cast<size_t>(k)] = mu[static_cast<size_t>(k)];
        b[static_cast<size_t>(k + 3)] = lv[static_cast<size_t>(k)];
    }
    double closed = 0;  // KL(N(mu, e^lv) || N(0, 1)) = ½ Σ (mu² + e^lv − 1 − lv)
    for (int k = 0; k < 3; ++k) closed += 0.5 * (mu[k] * mu[k] + std::exp(static_cast<double>(lv[k])) - 1.0 - lv[k]);
    Tensor x = random_images(7, 12, 5);
    Tape t;
    Rng noise(6);
    AeLosses l = m.loss(t, t.constant(x), &noise);
    EXPECT_NEAR(t.item(l.kl), closed, 1e-5);
    // objective = P * recon + beta * kl
    EXPECT_NEAR(t.item(l.objective), 12.0 * t.item(l.recon) + t.item(l.kl), 1e-4);

    c.beta = 0.25f;
    Rng rng2(4);
    Autoencoder m2(c, rng2);
    param(m2, "encoder.fc2.weight").value.fill(0.f);
    param(m2, "encoder.fc2.bias").value = b;
    Tape t2;
    Rng noise2(6);
    AeLosses l2 = m2.loss(t2, t2.constant(x), &noise2);
    EXPECT_NEAR(t2.item(l2.objective), 12.0 * t2.item(l2.recon) + 0.25 * closed, 1e-4);
}

// d(objective)/d(x) through encoder, reparameterisation, decoder, KL and the loss (x is both the
// input and the target), for each output/loss pairing.
TEST(AutoencoderModel, GradientsMatchCentralDifferences) {
    struct Case {
        bool vae;
        const char* out_act;
        const char* loss;
    };
    for (const Case& k : {Case{true, "sigmoid", "bce"}, Case{true, "tanh", "bce"}, Case{false, "tanh", "mse"},
                          Case{false, "sigmoid", "mse"}, Case{true, "identity", "mse"}}) {
        AutoencoderConfig c = tiny(k.vae);
        c.out_act = k.out_act;
        c.loss = k.loss;
        Rng rng(8);
        Autoencoder m(c, rng);
        const bool pm1 = c.out_act == std::string("tanh");
        Tensor x = random_images(4, 12, 9, pm1 ? -0.9f : 0.1f, 0.9f);
        auto build = [&](Tape& t, const std::vector<Var>& in) {
            Rng noise(10);  // the same draw on every evaluation
            return m.loss(t, in[0], &noise).objective;
        };
        testing::GradCheckOptions gc;
        gc.tol = 3e-2;
        gc.floor = 5e-2;  // float32 noise of a summed VAE objective, relative to tiny gradients
        EXPECT_TRUE(testing::gradients_match(build, {x}, gc)) << (k.vae ? "vae " : "ae ") << k.out_act << " " << k.loss;
    }
}

TEST(AutoencoderModel, LossesAreOnTheUnitPixelScale) {
    // tanh output on [-1, 1] data: mse is reported as on [0, 1] pixels, so it is a quarter of the
    // raw squared error.
    AutoencoderConfig c = tiny(false);
    c.out_act = "tanh";
    c.loss = "mse";
    Rng rng(11);
    Autoencoder m(c, rng);
    Tensor x = random_images(6, 12, 12, -1.f, 1.f);
    Tape t;
    Var xv = t.constant(x);
    AeLosses l = m.loss(t, xv, nullptr);
    Var y = m.decode(t, m.encode(t, xv));
    double se = 0;
    for (size_t i = 0; i < x.numel(); ++i) se += std::pow(static_cast<double>(t.value(y)[i]) - x[i], 2);
    EXPECT_NEAR(t.item(l.recon), se / static_cast<double>(x.numel()) / 4.0, 1e-5);
}

TEST(AutoencoderModel, PriorSamplingIsDeterministicForASeed) {
    Rng rng(13);
    Autoencoder m(tiny(true), rng);
    Rng a(21), b(21), c(22);
    const Tensor sa = models::sample_prior(m, 9, a), sb = models::sample_prior(m, 9, b),
                 sc = models::sample_prior(m, 9, c);
    ASSERT_EQ(sa.shape(), (Shape{9, 12}));
    bool differs = false;
    for (size_t i = 0; i < sa.numel(); ++i) {
        EXPECT_EQ(sa[i], sb[i]);
        differs |= sa[i] != sc[i];
        EXPECT_TRUE(sa[i] > 0.f && sa[i] < 1.f);  // sigmoid output
    }
    EXPECT_TRUE(differs);
    // Evaluation is reproducible too: its noise has its own fixed seed.
    Tensor x = random_images(30, 12, 14);
    const models::AeEvaluation e1 = models::evaluate(m, x, 3, 7), e2 = models::evaluate(m, x, 3, 7);
    EXPECT_EQ(e1.loss, e2.loss);
    EXPECT_EQ(e1.kl, e2.kl);
    EXPECT_NEAR(e1.elbo, -(12 * e1.loss + e1.kl), 1e-9);
    Rng plain_rng(15);
    Autoencoder plain(tiny(false), plain_rng);
    Rng r(1);
    EXPECT_THROW(models::sample_prior(plain, 4, r), Error);
}

TEST(AutoencoderModel, EvaluationCoversEveryRowWhateverTheBatch) {
    Rng rng(16);
    Autoencoder m(tiny(false), rng);
    Tensor x = random_images(23, 12, 17);
    const double whole = models::evaluate(m, x, 0, 23).loss;
    EXPECT_NEAR(models::evaluate(m, x, 0, 5).loss, whole, 1e-6);  // 4 full batches + a partial one
    Tape t;
    EXPECT_NEAR(t.item(m.loss(t, t.constant(x), nullptr).recon), whole, 1e-6);
}

TEST(AutoencoderModel, InterpolationEndsAtTheEndpointsReconstructions) {
    Rng rng(18);
    Autoencoder m(tiny(false), rng);
    Tensor a = random_images(2, 12, 19), b = random_images(2, 12, 20);
    const Tensor walk = models::interpolate(m, a, b, 5);  // (10, 12)
    const Tensor ra = models::reconstruct(m, a), rb = models::reconstruct(m, b);
    ASSERT_EQ(walk.shape(), (Shape{10, 12}));
    for (int p = 0; p < 2; ++p)
        for (int i = 0; i < 12; ++i) {
            EXPECT_NEAR(walk[static_cast<size_t>((p * 5) * 12 + i)], ra[static_cast<size_t>(p * 12 + i)], 1e-6);
            EXPECT_NEAR(walk[static_cast<size_t>((p * 5 + 4) * 12 + i)], rb[static_cast<size_t>(p * 12 + i)], 1e-6);
        }
}

TEST(AutoencoderModel, RejectsBadConfigsWithTheFlagName) {
    auto expect_usage = [](AutoencoderConfig c, const std::string& part) {
        try {
            models::autoencoder_config_spec().validate(c);
            ADD_FAILURE() << "no error for " << part;
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
    };
    AutoencoderConfig c;
    c.act = "nope";
    expect_usage(c, "nope");
    c = {};
    c.latent = 0;
    expect_usage(c, "--latent");
    c = {};
    c.hidden = {512, -3};
    expect_usage(c, "--hidden");
    c = {};
    c.out_act = "relu";
    expect_usage(c, "--out-act");
    c = {};
    c.loss = "l1";
    expect_usage(c, "--loss");
    c = {};
    c.out_act = "identity";
    expect_usage(c, "--loss bce");
    c = {};
    c.beta = -1.f;
    expect_usage(c, "--beta");
    Rng rng(1);
    c = {};
    c.act = "softmax";
    EXPECT_THROW(Autoencoder(c, rng), UsageError);
}

TEST(AutoencoderModel, ConfigRoundTripsThroughJson) {
    AutoencoderConfig c = tiny(true);
    c.beta = 0.5f;
    c.act = "leaky_relu:0.2";
    const ConfigSpec<AutoencoderConfig>& spec = models::autoencoder_config_spec();
    const nlohmann::ordered_json j = spec.to_json(c);
    EXPECT_EQ(spec.to_json(spec.from_json(j, "test")), j);
    nlohmann::json typo = j;
    typo.erase("latent");
    typo["latnet"] = 3;
    EXPECT_THROW(spec.from_json(typo, "test"), Error);  // a missing and an unknown field
    nlohmann::json bad = j;
    bad["latent"] = -3;
    EXPECT_THROW(spec.from_json(bad, "test"), Error);
    EXPECT_THROW(spec.from_json(nlohmann::json::array({1}), "test"), Error);
}

// A linear autoencoder (identity activations) with code size k, trained by MSE on centred data,
// spans the top-k principal subspace (Baldi & Hornik 1989): its reconstruction error reaches the
// PCA error, the energy of the discarded singular values.
TEST(AutoencoderModel, LinearAutoencoderReachesPcaError) {
    constexpr int kN = 400, kD = 16, kK = 4;
    // Data with a decaying spectrum: x = (s ⊙ g) R, g ~ N(0, I), s_j = 1 / (1 + j/2), R random.
    Rng rng(30);
    Tensor g(Shape{kN, kD}), rot(Shape{kD, kD});
    rng.fill_normal(g);
    rng.fill_normal(rot, 0.f, 1.f / std::sqrt(static_cast<float>(kD)));
    Eigen::MatrixXd x(kN, kD);
    for (int i = 0; i < kN; ++i)
        for (int j = 0; j < kD; ++j) {
            double v = 0;
            for (int l = 0; l < kD; ++l)
                v += g[static_cast<size_t>(i * kD + l)] / (1.0 + l / 2.0) * rot[static_cast<size_t>(l * kD + j)];
            x(i, j) = v;
        }
    x.rowwise() -= x.colwise().mean();
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(x);
    const Eigen::VectorXd sv = svd.singularValues();
    const double pca_mse = sv.tail(kD - kK).squaredNorm() / (kN * kD);
    const double total_mse = sv.squaredNorm() / (kN * kD);

    Tensor data(Shape{kN, kD});
    for (int i = 0; i < kN; ++i)
        for (int j = 0; j < kD; ++j) data[static_cast<size_t>(i * kD + j)] = static_cast<float>(x(i, j));
    AutoencoderConfig c;
    c.input = kD;
    c.hidden = {};
    c.latent = kK;
    c.act = "identity";
    c.out_act = "identity";
    c.loss = "mse";
    Rng init(31);
    Autoencoder m(c, init);
    Adam opt(m.named_parameters(), {.lr = 1e-2f});
    TrainerOptions topt;
    topt.steps = 1500;
    topt.log_every = 1500;
    topt.quiet = true;
    Trainer trainer(topt);
    Tape t;
    const LrSchedule lr{.kind = LrSchedule::Kind::Cosine, .base_lr = 1e-2f, .min_lr = 1e-4f, .total = 1500};
    trainer.run([&](int step) -> Metrics {
        opt.set_lr(lr.at(step));
        t.reset();
        opt.zero_grad();
        AeLosses l = m.loss(t, t.constant(data), nullptr);  // full batch
        t.backward(l.objective);
        opt.step();
        return {{"loss", t.item(l.recon)}};
    });
    const double ae_mse = models::evaluate(m, data, 0, kN).loss;
    EXPECT_LT(pca_mse, 0.5 * total_mse);  // the test means something: k components carry most energy
    EXPECT_GE(ae_mse, pca_mse * (1 - 1e-3)) << "no linear rank-k map beats PCA";
    EXPECT_LE(ae_mse, pca_mse * 1.05) << "ae " << ae_mse << " pca " << pca_mse;
}

}  // namespace
}  // namespace genlab
