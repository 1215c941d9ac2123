// GAN quality metrics on constructed inputs: VEEGAN mode coverage, the Fréchet distance and the
// class-histogram KL, against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "data/toy2d.h"
#include "models/gan_metrics.h"

namespace genlab::models {
namespace {

// n points per centre, at the centres exactly (offset 0) or pushed along x by `offset`.
Tensor points_at(const std::vector<std::array<float, 2>>& centres, int per_centre, float offset = 0.f) {
    Tensor t(Shape{static_cast<int>(centres.size()) * per_centre, 2});
    size_t i = 0;
    for (const auto& c : centres)
        for (int k = 0; k < per_centre; ++k, ++i) {
            t[2 * i] = c[0] + offset;
            t[2 * i + 1] = c[1];
        }
    return t;
}

TEST(ModeCoverage, SamplesAtEveryModeCoverAllWithFullQuality) {
    const data::Toy2d ring = data::make_toy2d("ring8");
    const ModeCoverage mc = mode_coverage(points_at(ring.centres, 5), ring.centres, ring.sigma);
    EXPECT_EQ(mc.modes_covered, 8);
    EXPECT_DOUBLE_EQ(mc.high_quality_fraction, 1.0);
    for (int c : mc.per_mode) EXPECT_EQ(c, 5);
}

TEST(ModeCoverage, SamplesFromOneModeCoverOne) {
    const data::Toy2d ring = data::make_toy2d("ring8");
    Rng rng(3);
    Tensor x(Shape{2500, 2});
    for (size_t i = 0; i < 2500; ++i) {  // mode 2 with its own noise: within 3 sigma almost always
        x[2 * i] = ring.centres[2][0] + ring.sigma * 0.5f * rng.normal();
        x[2 * i + 1] = ring.centres[2][1] + ring.sigma * 0.5f * rng.normal();
    }
    const ModeCoverage mc = mode_coverage(x, ring.centres, ring.sigma);
    EXPECT_EQ(mc.modes_covered, 1);
    EXPECT_GT(mc.per_mode[2], 2400);
    EXPECT_GT(mc.high_quality_fraction, 0.96);
}

TEST(ModeCoverage, ThreeSigmaIsTheQualityBoundary) {
    const std::vector<std::array<float, 2>> centres = {{0.f, 0.f}, {10.f, 0.f}};
    // 2.9 sigma away: high quality; 3.1 sigma: not, and the mode is not covered by it.
    const ModeCoverage in = mode_coverage(points_at(centres, 1, 0.29f), centres, 0.1f);
    EXPECT_EQ(in.modes_covered, 2);
    EXPECT_DOUBLE_EQ(in.high_quality_fraction, 1.0);
    const ModeCoverage out = mode_coverage(points_at(centres, 1, 0.31f), centres, 0.1f);
    EXPECT_EQ(out.modes_covered, 0);
    EXPECT_DOUBLE_EQ(out.high_quality_fraction, 0.0);
}

TEST(ModeCoverage, PointsBetweenModesAreLowQuality) {
    const std::vector<std::array<float, 2>> centres = {{-1.f, 0.f}, {1.f, 0.f}};
    Tensor x(Shape{4, 2}, {0.f, 0.f, 0.f, 0.5f, -1.f, 0.f, NAN, NAN});
    const ModeCoverage mc = mode_coverage(x, centres, 0.02f);
    EXPECT_EQ(mc.modes_covered, 1);  // only (-1, 0) hits a mode; NaN never counts
    EXPECT_DOUBLE_EQ(mc.high_quality_fraction, 0.25);
}

TEST(ModeCoverage, RejectsBadShapes) {
    EXPECT_THROW(mode_coverage(Tensor(Shape{4, 3}), {{0.f, 0.f}}, 0.1f), Error);
    EXPECT_THROW(mode_coverage(Tensor(Shape{4, 2}), {}, 0.1f), Error);
    EXPECT_THROW(mode_coverage(Tensor(Shape{4, 2}), {{0.f, 0.f}}, 0.f), Error);
}

Tensor gaussian_rows(int n, int f, uint64_t seed, float shift = 0.f, float scale = 1.f) {
    Rng rng(seed);
    Tensor t(Shape{n, f});
    for (size_t i = 0; i < t.numel(); ++i) t[i] = shift + scale * rng.normal();
    return t;
}

TEST(FrechetDistance, OfASetWithItselfIsZero) {
    const Tensor a = gaussian_rows(500, 16, 1);
    EXPECT_NEAR(frechet_distance(a, a), 0.0, 1e-6);
}

TEST(FrechetDistance, GrowsWithAShiftAsTheSquaredMeanDistance) {
    const Tensor a = gaussian_rows(400, 8, 2);
    double prev = 0.0;
    for (float d : {0.5f, 1.f, 2.f}) {
        Tensor b = a;
        for (size_t i = 0; i < b.numel(); ++i) b[i] += d;  // same covariance, mean moved by d in all 8 dims
        const double fd = frechet_distance(a, b);
        EXPECT_NEAR(fd, 8.0 * d * d, 1e-3 * 8.0 * d * d) << "shift " << d;
        EXPECT_GT(fd, prev);
        prev = fd;
    }
}

TEST(FrechetDistance, MatchesTheClosedFormForScaledCovariances) {
    // Same data scaled by s: S_b = s² S_a, so tr(S_a + S_b - 2 (S_a S_b)^½) = (1 - s)² tr(S_a).
    const Tensor a = gaussian_rows(300, 6, 4);
    Tensor b = a;
    const float s = 3.f;
    for (size_t i = 0; i < b.numel(); ++i) b[i] *= s;
    // Means: |mu_a - s mu_a|² = (1 - s)² |mu_a|²; together (1 - s)² (tr S_a + |mu_a|²).
    double tr = 0, mu2 = 0;
    for (int j = 0; j < 6; ++j) {
        double m = 0;
        for (int i = 0; i < 300; ++i) m += a[static_cast<size_t>(i) * 6 + j];
        m /= 300;
        double v = 0;
        for (int i = 0; i < 300; ++i) v += std::pow(a[static_cast<size_t>(i) * 6 + j] - m, 2);
        tr += v / 299;
        mu2 += m * m;
    }
    EXPECT_NEAR(frechet_distance(a, b), (1 - s) * (1 - s) * (tr + mu2), 1e-6 * (tr + mu2) * 4);
}

TEST(FrechetDistance, RejectsMismatchedSets) {
    EXPECT_THROW(frechet_distance(Tensor(Shape{10, 3}), Tensor(Shape{10, 4})), Error);
    EXPECT_THROW(frechet_distance(Tensor(Shape{1, 3}), Tensor(Shape{10, 3})), Error);
}

TEST(ClassHistogramKl, UniformIsZeroCollapseIsLogK) {
    std::vector<int> uniform;
    for (int i = 0; i < 100; ++i) uniform.push_back(i % 10);
    EXPECT_NEAR(class_histogram_kl(uniform, 10), 0.0, 1e-12);
    EXPECT_NEAR(class_histogram_kl(std::vector<int>(50, 3), 10), std::log(10.0), 1e-12);
    // Two classes equally: KL = log(10 / 2).
    EXPECT_NEAR(class_histogram_kl({1, 2, 1, 2}, 10), std::log(5.0), 1e-12);
}

TEST(ClassHistogramKl, RejectsOutOfRangeClasses) {
    EXPECT_THROW(class_histogram_kl({0, 10}, 10), Error);
    EXPECT_THROW(class_histogram_kl({}, 10), Error);
}

}  // namespace
}  // namespace genlab::models
