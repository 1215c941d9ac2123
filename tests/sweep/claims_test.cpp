// The claims of a sweep report, on sweeps built by hand: each verdict follows the numbers
// (supported, not supported, seeds disagree) or says the sweep does not test the claim.
#include <gtest/gtest.h>

#include <string>

#include "sweep/claims.h"

namespace genlab::experiments {
namespace {

// An arm whose runs end with the given per-seed values of each metric.
SweepArm arm(const std::string& act, const std::map<std::string, std::vector<double>>& metrics, int rank = 0) {
    SweepArm a;
    a.label = a.act = act;
    a.rank = rank;
    size_t seeds = 0;
    for (const auto& [name, v] : metrics) seeds = std::max(seeds, v.size());
    for (size_t s = 0; s < seeds; ++s) {
        SweepRun r;
        r.seed = static_cast<int>(s) + 1;
        for (const auto& [name, v] : metrics)
            if (s < v.size()) r.final[name] = v[s];
        a.runs.push_back(r);
    }
    return a;
}

SweepData gan_sweep(std::vector<SweepArm> arms) {
    SweepData s;
    s.model = "gan";
    s.sweep = {{"config", {{"data", "ring8"}}}};
    s.quality = {{"modes_covered", Better::Higher}};
    s.arms = std::move(arms);
    return s;
}

const Claim& find(const std::vector<Claim>& claims, const std::string& name) {
    for (const Claim& c : claims)
        if (c.claim == name) return c;
    throw std::runtime_error("no claim " + name);
}

TEST(Claims, TwoSeedSeparationIsByMinMaxRanges) {
    const Stats hi = stats_of({7, 8}), lo = stats_of({0, 1}), mid = stats_of({1, 7});
    EXPECT_EQ(separate(hi, lo, Better::Higher), Separation::Better);
    EXPECT_EQ(separate(hi, lo, Better::Lower), Separation::Worse);
    EXPECT_EQ(separate(mid, lo, Better::Higher), Separation::Overlap) << "touching ranges overlap";
    EXPECT_EQ(separate(hi, Stats{}, Better::Higher), Separation::Overlap) << "nothing to compare with";
}

TEST(Claims, DeadReluUnitsFollowTheMeasuredFractions) {
    const SweepArm leaky = arm("leaky_relu:0.2", {{"modes_covered", {8, 8}},
                                                  {"d_dead_fraction_l0", {0, 0}},
                                                  {"d_dead_fraction_l1", {0, 0}}});
    // Every relu seed has 20% dead units in D's layers: supported, with the numbers.
    auto relu = arm("relu", {{"modes_covered", {0, 1}},
                             {"d_dead_fraction_l0", {0.1, 0.2}},
                             {"d_dead_fraction_l1", {0.3, 0.1}}});
    Claim c = find(sweep_claims(gan_sweep({relu, leaky})), "ReLU units die");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_NE(c.evidence.find("relu: 17.5% dead units in D (seeds 15.0%\u201320.0%)"), std::string::npos) << c.evidence;
    EXPECT_NE(c.evidence.find("0 of 2 seeds cover \u2265 6 of 8 modes"), std::string::npos) << c.evidence;
    EXPECT_NE(c.evidence.find("leaky_relu:0.2: 0.0% dead units in D"), std::string::npos) << c.evidence;
    EXPECT_NE(c.evidence.find("2 of 2 seeds cover"), std::string::npos) << c.evidence;

    // One seed with dead units, one without: the seeds disagree. None: not supported.
    relu = arm("relu", {{"d_dead_fraction_l0", {0.1, 0.0}}});
    EXPECT_EQ(find(sweep_claims(gan_sweep({relu})), "ReLU units die").verdict, Verdict::SeedsDisagree);
    relu = arm("relu", {{"d_dead_fraction_l0", {0.001, 0.0}}});
    EXPECT_EQ(find(sweep_claims(gan_sweep({relu})), "ReLU units die").verdict, Verdict::Contradicted);
    // No relu arm: not tested.
    EXPECT_EQ(find(sweep_claims(gan_sweep({leaky})), "ReLU units die").verdict, Verdict::NotTested);
    // A relu arm whose runs all diverged tests nothing either.
    SweepArm gone = arm("relu", {{"d_dead_fraction_l0", {0.5}}});
    gone.runs[0].diverged = true;
    EXPECT_EQ(find(sweep_claims(gan_sweep({gone})), "ReLU units die").verdict, Verdict::NotTested);
}

TEST(Claims, SaturationAndVanishingGradientsCompareWithRelu) {
    const SweepArm sigmoid = arm("sigmoid", {{"saturated_fraction_l0", {0.4, 0.5}},
                                             {"saturated_fraction_l1", {0.2, 0.3}},
                                             {"grad_norm_l0", {0.01, 0.02}},
                                             {"grad_norm_l1", {1, 1}},
                                             {"grad_norm_l2", {1, 1}},
                                             {"grad_norm_l3", {1, 1}},
                                             {"grad_norm_l4", {1, 1}},
                                             {"grad_norm_l5", {1, 1}}});
    const SweepArm relu = arm("relu", {{"saturated_fraction_l0", {0.5, 0.5}},
                                       {"saturated_fraction_l1", {0.5, 0.5}},
                                       {"grad_norm_l0", {0.8, 0.9}},
                                       {"grad_norm_l1", {1, 1}},
                                       {"grad_norm_l2", {1, 1}},
                                       {"grad_norm_l3", {1, 1}},
                                       {"grad_norm_l4", {1, 1}},
                                       {"grad_norm_l5", {1, 1}}});
    SweepData s;
    s.model = "ae";
    s.sweep = {{"config", nlohmann::json::object()}};
    s.quality = {{"test_loss", Better::Lower}};
    s.arms = {sigmoid, relu};
    const std::vector<Claim> claims = sweep_claims(s);
    const Claim& sat = find(claims, "sigmoid and tanh saturate");
    EXPECT_EQ(sat.verdict, Verdict::Supported) << sat.evidence;
    EXPECT_NE(sat.evidence.find("sigmoid: 35.0% of (example, unit) pairs saturated"), std::string::npos)
        << sat.evidence;
    const Claim& vanish = find(claims, "ReLU keeps gradients flowing where sigmoid and tanh lose them");
    EXPECT_EQ(vanish.verdict, Verdict::Supported) << vanish.evidence;
    EXPECT_NE(vanish.evidence.find("sigmoid 0.015x (seeds 0.01x\u20130.02x); relu 0.85x"), std::string::npos)
        << vanish.evidence;

    // The GAN and transformer claims are about other models.
    EXPECT_EQ(find(claims, "Leaky ReLU keeps GAN training alive").verdict, Verdict::NotTested);
    EXPECT_EQ(find(claims, "GELU suits transformers").verdict, Verdict::NotTested);

    // tanh saturates on every seed, sigmoid on none: the claim holds for one arm, and says which.
    s.arms = {arm("sigmoid", {{"saturated_fraction_l0", {0.01, 0.02}}}),
              arm("tanh", {{"saturated_fraction_l0", {0.2, 0.3}}})};
    const Claim partly = find(sweep_claims(s), "sigmoid and tanh saturate");
    EXPECT_EQ(partly.verdict, Verdict::Partly) << partly.evidence;
    EXPECT_NE(partly.evidence.find("It holds for tanh; not for sigmoid."), std::string::npos) << partly.evidence;
    s.arms[1] = arm("tanh", {{"saturated_fraction_l0", {0.2, 0.01}}});  // and one whose seeds disagree
    EXPECT_EQ(find(sweep_claims(s), "sigmoid and tanh saturate").verdict, Verdict::SeedsDisagree);

    // One hidden layer: too shallow to test.
    s.arms = {arm("tanh", {{"grad_norm_l0", {0.1}}}), arm("relu", {{"grad_norm_l0", {0.2}}})};
    EXPECT_EQ(find(sweep_claims(s), "ReLU keeps gradients flowing where sigmoid and tanh lose them").verdict,
              Verdict::NotTested);
}

TEST(Claims, LeakyReluAgainstReluAndGeluInTransformers) {
    const SweepArm leaky = arm("leaky_relu:0.2", {{"modes_covered", {8, 7}}});
    SweepArm relu = arm("relu", {{"modes_covered", {0, 2}}});
    EXPECT_EQ(find(sweep_claims(gan_sweep({leaky, relu})), "Leaky ReLU keeps GAN training alive").verdict,
              Verdict::Supported);
    const Claim two = find(sweep_claims(gan_sweep({leaky, relu})), "Leaky ReLU keeps GAN training alive");
    EXPECT_NE(two.evidence.find("leaky_relu:0.2 is better (higher is better): leaky_relu:0.2 against relu, "
                                "min\u2013max ranges over 2 seeds apart (fewer than 3 seeds: no test)."),
              std::string::npos)
        << two.evidence;
    relu = arm("relu", {{"modes_covered", {8, 3}}});
    EXPECT_EQ(find(sweep_claims(gan_sweep({leaky, relu})), "Leaky ReLU keeps GAN training alive").verdict,
              Verdict::SeedsDisagree);

    SweepData text;
    text.model = "text";
    text.sweep = {{"config", {{"model", {{"arch", "transformer"}}}}}};
    text.quality = {{"val_loss", Better::Lower}};
    text.arms = {arm("gelu", {{"val_loss", {2.03, 2.04}}}, 1), arm("relu", {{"val_loss", {2.10, 2.12}}}, 2)};
    const Claim c = find(sweep_claims(text), "GELU suits transformers");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_NE(c.evidence.find("gelu: val_loss 2.03, 2.04 (mean 2.035) (rank 1 of 2)"), std::string::npos) << c.evidence;
    text.arms[1] = arm("relu", {{"val_loss", {1.90, 1.95}}}, 1);
    EXPECT_EQ(find(sweep_claims(text), "GELU suits transformers").verdict, Verdict::Contradicted);
    text.sweep = {{"config", {{"model", {{"arch", "mlp"}}}}}};
    EXPECT_EQ(find(sweep_claims(text), "GELU suits transformers").verdict, Verdict::NotTested);
}

// With three seeds on both sides Welch's test decides, and the evidence prints it (p and
// Hedges' g from mpmath, as in significance_test.cpp).
TEST(Claims, ThreeSeedsAreComparedByWelchsTest) {
    const SweepArm leaky = arm("leaky_relu:0.2", {{"modes_covered", {8, 7, 8}}});
    Claim c = find(sweep_claims(gan_sweep({leaky, arm("relu", {{"modes_covered", {0, 2, 1}}})})),
                   "Leaky ReLU keeps GAN training alive");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_NE(c.evidence.find("leaky_relu:0.2 is better (higher is better): leaky_relu:0.2 against relu, difference "
                              "6.67 [95% CI 4.62, 8.72], g = 6.5, p = 0.0016 (Welch's t)."),
              std::string::npos)
        << c.evidence;
    // Overlapping seeds, p = 0.30: not separable.
    c = find(sweep_claims(gan_sweep({leaky, arm("relu", {{"modes_covered", {8, 3, 6}}})})),
             "Leaky ReLU keeps GAN training alive");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;
    EXPECT_NE(c.evidence.find("Not separable: leaky_relu:0.2 against relu, difference 2 "), std::string::npos)
        << c.evidence;
    EXPECT_NE(c.evidence.find("p = 0.3 (Welch's t)"), std::string::npos) << c.evidence;
}

// The vanishing-gradient claim's family: every saturating arm against relu in every network of
// six or more hidden layers, Holm-corrected together.
TEST(Claims, VanishingGradientsAreOneHolmFamily) {
    auto depth = [](const std::string& act, std::vector<double> first) {
        std::map<std::string, std::vector<double>> m{{"grad_norm_l0", first}};
        for (int k = 1; k < 6; ++k) m["grad_norm_l" + std::to_string(k)] = {1, 1, 1};  // six hidden layers
        return arm(act, m);
    };
    SweepData s;
    s.model = "ae";
    s.sweep = {{"config", nlohmann::json::object()}};
    s.quality = {{"test_loss", Better::Lower}};
    // On log10 of the ratios, p = 0.0038 and 0.011 alone; Holm multiplies the smaller by 2 and
    // keeps the larger.
    s.arms = {depth("sigmoid", {0.01, 0.02, 0.015}), depth("tanh", {0.1, 0.2, 0.15}), depth("relu", {0.8, 0.9, 0.85})};
    Claim c = find(sweep_claims(s), "ReLU keeps gradients flowing where sigmoid and tanh lose them");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_NE(c.evidence.find("sigmoid against relu in the network: on log10 of the ratio, difference -1.77 [95% CI "
                              "-2.13, -1.41], g = -13, p = 0.0038 (Welch's t, Holm-adjusted over 2 pairs; "
                              "unadjusted 0.0019)"),
              std::string::npos)
        << c.evidence;
    EXPECT_NE(c.evidence.find("(Welch's t test, Holm-adjusted p \u2264 0.05)"), std::string::npos) << c.evidence;

    // sigmoid's ratios lie below relu's on every seed (ranges apart), but with this spread the
    // test does not separate them: the seeds disagree.
    s.arms = {depth("sigmoid", {0.1, 0.5, 0.75}), depth("relu", {0.8, 0.9, 0.85})};
    c = find(sweep_claims(s), "ReLU keeps gradients flowing where sigmoid and tanh lose them");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;
    EXPECT_NE(c.evidence.find("on log10 of the ratio, difference"), std::string::npos) << c.evidence;
}

}  // namespace
}  // namespace genlab::experiments
