// Toy 2-D distributions: documented centres and sigma, samples that come from those modes, every
// mode reached, determinism for a seed, and clear errors.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "data/toy2d.h"
#include "tests/data_test_files.h"

namespace genlab::data {
namespace {

using genlab::testing::expect_error;

float dist(const std::array<float, 2>& c, float x, float y) { return std::hypot(x - c[0], y - c[1]); }

TEST(Toy2d, Ring8IsEightModesOnRadiusTwo) {
    Toy2d d = make_toy2d("ring8");
    ASSERT_EQ(d.centres.size(), 8u);
    EXPECT_FLOAT_EQ(d.sigma, 0.02f);
    for (const auto& c : d.centres) EXPECT_NEAR(std::hypot(c[0], c[1]), 2.f, 1e-5f);
    EXPECT_NEAR(d.centres[0][0], 2.f, 1e-6f);
    EXPECT_NEAR(d.centres[2][1], 2.f, 1e-6f);  // 90 degrees
}

TEST(Toy2d, Grid25IsFiveByFiveWithSpacingTwo) {
    Toy2d d = make_toy2d("grid25");
    ASSERT_EQ(d.centres.size(), 25u);
    EXPECT_FLOAT_EQ(d.sigma, 0.05f);
    std::set<std::pair<float, float>> pts;
    for (const auto& c : d.centres) pts.insert({c[0], c[1]});
    for (float x : {-4.f, -2.f, 0.f, 2.f, 4.f})
        for (float y : {-4.f, -2.f, 0.f, 2.f, 4.f}) EXPECT_TRUE(pts.count({x, y})) << x << "," << y;
}

TEST(Toy2d, CurvesHaveEvenlySpacedModesAboutTwoSigmaApart) {
    for (const char* name : {"spiral", "moons"}) {
        Toy2d d = make_toy2d(name);
        EXPECT_EQ(d.centres.size(), std::string(name) == "spiral" ? 100u : 64u);
        for (size_t i = 1; i < d.centres.size(); ++i) {
            if (std::string(name) == "moons" && i == 32) continue;  // the jump between the two moons
            const float gap = dist(d.centres[i - 1], d.centres[i][0], d.centres[i][1]);
            EXPECT_GT(gap, 1.5f * d.sigma) << name << " " << i;
            EXPECT_LT(gap, 2.2f * d.sigma) << name << " " << i;
        }
    }
    // The spiral's radius grows from 1.5 pi / 5 to 4.5 pi / 5.
    Toy2d s = make_toy2d("spiral");
    EXPECT_NEAR(std::hypot(s.centres.front()[0], s.centres.front()[1]), 1.5 * M_PI / 5, 1e-3);
    EXPECT_NEAR(std::hypot(s.centres.back()[0], s.centres.back()[1]), 4.5 * M_PI / 5, 1e-3);
}

TEST(Toy2d, SamplesComeFromTheModesAndCoverAllOfThem) {
    for (const std::string& name : toy2d_names()) {
        Toy2d d = make_toy2d(name);
        Rng rng(17);
        Tensor x(Shape{20000, 2});
        d.sample(rng, x);
        std::vector<int> hits(d.centres.size(), 0);
        int near = 0;
        double mean_sq = 0;  // squared distance to the nearest centre, per coordinate
        for (int i = 0; i < 20000; ++i) {
            const float px = x[static_cast<size_t>(2 * i)], py = x[static_cast<size_t>(2 * i + 1)];
            size_t best = 0;
            for (size_t k = 1; k < d.centres.size(); ++k)
                if (dist(d.centres[k], px, py) < dist(d.centres[best], px, py)) best = k;
            const float r = dist(d.centres[best], px, py);
            near += r < 4.f * d.sigma;
            mean_sq += r * r / 2.0;
            ++hits[best];
        }
        EXPECT_GT(near, 19900) << name;  // P(|N(0, I)| > 4) = e^-8 per sample
        for (size_t k = 0; k < hits.size(); ++k) EXPECT_GT(hits[k], 0) << name << " mode " << k;
        if (name == "ring8" || name == "grid25") {  // well-separated modes: the nearest is the true one
            EXPECT_NEAR(std::sqrt(mean_sq / 20000), d.sigma, 0.05 * d.sigma) << name;
        }
    }
}

TEST(Toy2d, SameSeedSameSamples) {
    Toy2d d = make_toy2d("grid25");
    Rng a(3), b(3), c(4);
    Tensor xa(Shape{100, 2}), xb(Shape{100, 2}), xc(Shape{100, 2});
    d.sample(a, xa);
    d.sample(b, xb);
    d.sample(c, xc);
    EXPECT_TRUE((xa.flat() == xb.flat()).all());
    EXPECT_FALSE((xa.flat() == xc.flat()).all());
}

TEST(Toy2d, UnknownNameListsTheKnownOnes) {
    EXPECT_THROW(make_toy2d("ring9"), UsageError);
    expect_error([] { make_toy2d("ring9"); }, {"ring9", "ring8, grid25, spiral, moons"});
}

TEST(Toy2d, RejectsAWrongTensorShape) {
    Toy2d d = make_toy2d("moons");
    Rng rng(1);
    Tensor x(Shape{10, 3});
    expect_error([&] { d.sample(rng, x); }, {"moons", "(N, 2)", "(10, 3)"});
}

}  // namespace
}  // namespace genlab::data
