// Softmax sampling (models/sampling.h): greedy limits, top-k, top-p, their composition, and the
// empirical distribution of 100k draws against the softmax probabilities.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "models/sampling.h"

namespace genlab::models {
namespace {

// Logits whose softmax is exactly `p` (up to rounding): log p.
std::vector<float> logits_of(const std::vector<float>& p) {
    std::vector<float> l;
    for (float x : p) l.push_back(std::log(x));
    return l;
}

const std::vector<float> kLogits{0.3f, -1.2f, 2.5f, 0.9f, 2.4f, -0.1f, 1.7f, -3.f};  // argmax 2

TEST(Sampling, TemperatureZeroIsArgmax) {
    Rng rng(1);
    std::vector<float> work;
    for (int i = 0; i < 50; ++i) EXPECT_EQ(sample_token(kLogits, {.temperature = 0.f}, rng, work), 2);
    sampling_probs(kLogits, {.temperature = 0.f}, work);
    EXPECT_EQ(work[2], 1.f);
    EXPECT_EQ(std::accumulate(work.begin(), work.end(), 0.f), 1.f);
}

TEST(Sampling, TemperatureTowardZeroConvergesToArgmax) {
    std::vector<float> p;
    sampling_probs(kLogits, {.temperature = 1.f}, p);
    const float at_one = p[2];
    sampling_probs(kLogits, {.temperature = 0.01f}, p);  // gap 0.1 / 0.01 = 10 nats to the runner-up
    EXPECT_LT(at_one, 0.5f);
    EXPECT_GT(p[2], 0.9999f);
}

TEST(Sampling, GreedyTiesGoToTheLowestId) {
    std::vector<float> p;
    sampling_probs(std::vector<float>{1.f, 3.f, 3.f, 0.f}, {.temperature = 0.f}, p);
    EXPECT_EQ(p[1], 1.f);
    EXPECT_EQ(p[2], 0.f);
}

TEST(Sampling, TopKOneEqualsGreedy) {
    Rng rng(7), data(3);
    std::vector<float> work, logits(30);
    for (int trial = 0; trial < 200; ++trial) {
        for (float& x : logits) x = 2.f * data.normal();
        const int greedy = sample_token(logits, {.temperature = 0.f}, rng, work);
        EXPECT_EQ(sample_token(logits, {.temperature = 1.3f, .top_k = 1}, rng, work), greedy);
    }
}

TEST(Sampling, TopKKeepsTheKMostLikelyRenormalised) {
    std::vector<float> p;
    sampling_probs(logits_of({0.1f, 0.4f, 0.2f, 0.3f}), {.top_k = 2}, p);
    EXPECT_NEAR(p[1], 0.4f / 0.7f, 1e-6f);
    EXPECT_NEAR(p[3], 0.3f / 0.7f, 1e-6f);
    EXPECT_EQ(p[0], 0.f);
    EXPECT_EQ(p[2], 0.f);
}

TEST(Sampling, TopPKeepsTheSmallestSetWithMassAtLeastP) {
    const std::vector<float> l = logits_of({0.05f, 0.5f, 0.15f, 0.3f});
    std::vector<float> p;
    sampling_probs(l, {.top_p = 0.75f}, p);  // 0.5 < 0.75 <= 0.5 + 0.3: two tokens
    EXPECT_NEAR(p[1], 0.5f / 0.8f, 1e-6f);
    EXPECT_NEAR(p[3], 0.3f / 0.8f, 1e-6f);
    EXPECT_EQ(p[2], 0.f);
    EXPECT_EQ(p[0], 0.f);
    sampling_probs(l, {.top_p = 0.85f}, p);  // needs the 0.15 too
    EXPECT_NEAR(p[2], 0.15f / 0.95f, 1e-6f);
    EXPECT_EQ(p[0], 0.f);
    sampling_probs(l, {.top_p = 0.4f}, p);  // the top token alone already has 0.5
    EXPECT_EQ(p[1], 1.f);
    sampling_probs(l, {.top_p = 1.f}, p);  // no cut
    EXPECT_NEAR(p[0], 0.05f, 1e-6f);
}

TEST(Sampling, TopKThenTopPCompose) {
    // k = 3 keeps {0.5, 0.3, 0.15} (mass 0.95); p = 0.8 of that is 0.76 > 0.5: {0.5, 0.3}.
    // Applied the other way round (p first on the full distribution) 0.8 would keep the same two,
    // so also check a p where the order matters: p = 0.83 -> 0.7885 of the top-k mass: still two,
    // whereas 0.83 of the full mass would need three.
    const std::vector<float> l = logits_of({0.05f, 0.5f, 0.15f, 0.3f});
    std::vector<float> p;
    sampling_probs(l, {.top_k = 3, .top_p = 0.83f}, p);
    EXPECT_GT(p[1], 0.f);
    EXPECT_GT(p[3], 0.f);
    EXPECT_EQ(p[2], 0.f);
    EXPECT_EQ(p[0], 0.f);
    sampling_probs(l, {.top_p = 0.83f}, p);
    EXPECT_GT(p[2], 0.f);
}

TEST(Sampling, EmpiricalFrequenciesMatchSoftmax) {
    const float temperature = 0.8f;
    std::vector<double> expect(kLogits.size());
    double z = 0.0;
    for (size_t i = 0; i < kLogits.size(); ++i)
        z += expect[i] = std::exp(static_cast<double>(kLogits[i]) / temperature);
    for (double& e : expect) e /= z;
    constexpr int kDraws = 100000;
    std::vector<int> count(kLogits.size(), 0);
    Rng rng(42);
    std::vector<float> work;
    for (int i = 0; i < kDraws; ++i)
        ++count[static_cast<size_t>(sample_token(kLogits, {.temperature = temperature}, rng, work))];
    // Pearson chi-square with 7 degrees of freedom: P(chi2 > 24.32) = 0.001.
    double chi2 = 0.0;
    for (size_t i = 0; i < count.size(); ++i) {
        const double e = expect[i] * kDraws;
        chi2 += (count[i] - e) * (count[i] - e) / e;
    }
    EXPECT_LT(chi2, 24.32) << "frequencies do not follow softmax(logits / T)";
    // And a coarse bound that catches a wrong temperature even where chi-square is borderline.
    for (size_t i = 0; i < count.size(); ++i) EXPECT_NEAR(count[i] / double(kDraws), expect[i], 0.006) << "id " << i;
}

TEST(Sampling, NeverDrawsTokensOutsideTheKeptSet) {
    Rng rng(5);
    std::vector<float> work;
    for (int i = 0; i < 20000; ++i) {
        const int id = sample_token(kLogits, {.temperature = 2.f, .top_k = 3}, rng, work);
        EXPECT_TRUE(id == 2 || id == 4 || id == 6) << id;
    }
}

TEST(Sampling, SameSeedSameTokens) {
    Rng a(9), b(9);
    std::vector<float> w;
    for (int i = 0; i < 100; ++i) EXPECT_EQ(sample_token(kLogits, {}, a, w), sample_token(kLogits, {}, b, w));
}

TEST(Sampling, InvalidOptionsAreUsageErrors) {
    EXPECT_THROW(validate_sampling({.temperature = -0.1f}), UsageError);
    EXPECT_THROW(validate_sampling({.temperature = NAN}), UsageError);
    EXPECT_THROW(validate_sampling({.top_k = -1}), UsageError);
    EXPECT_THROW(validate_sampling({.top_p = 0.f}), UsageError);
    EXPECT_THROW(validate_sampling({.top_p = 1.01f}), UsageError);
    EXPECT_NO_THROW(validate_sampling({.temperature = 0.f, .top_k = 0, .top_p = 1.f}));
    std::vector<float> w;
    EXPECT_THROW(sampling_probs(std::vector<float>{1.f, NAN}, {}, w), Error);
}

}  // namespace
}  // namespace genlab::models
