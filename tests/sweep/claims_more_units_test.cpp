// The claims about slopes, outputs and where the activation goes (issue 26), on sweeps built by
// hand: each supported, not supported, split over seeds, and not tested.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sweep/claims.h"

namespace genlab::experiments {
namespace {

// An arm whose runs end with the given per-seed values of each metric; `out` and `where` are its
// crossed axes, and the label names them.
SweepArm axis_arm(const std::string& act, const std::map<std::string, std::vector<double>>& metrics,
                  const std::string& out = "", const std::string& where = "") {
    SweepArm a;
    a.act = act;
    a.out = out;
    a.where = where;
    a.label = act + (out.empty() ? "" : "-out-" + out) + (where.empty() ? "" : "-in-" + where);
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

SweepData axis_sweep(const std::string& model, const std::string& quality, Better better, std::vector<SweepArm> arms) {
    SweepData s;
    s.model = model;
    s.sweep = {{"config", {{"data", "ring8"}}}};
    s.quality = {{quality, better}};
    s.arms = std::move(arms);
    return s;
}

SweepData axis_gan(std::vector<SweepArm> arms) {
    return axis_sweep("gan", "modes_covered", Better::Higher, std::move(arms));
}

Claim axis_claim(const SweepData& s, const std::string& id) {
    for (const Claim& c : sweep_claims(s))
        if (c.id == id) return c;
    throw std::runtime_error("no claim " + id);
}

bool cites(const Claim& c, const std::string& text) { return c.evidence.find(text) != std::string::npos; }

TEST(ClaimsSlopes, ASmallNegativeSlopePreventsDeadUnits) {
    const SweepArm relu = axis_arm("relu", {{"d_dead_fraction_l0", {0.1, 0.2}}});
    const SweepArm small = axis_arm("leaky_relu:0.01", {{"d_dead_fraction_l0", {0, 0}}});
    const SweepArm large = axis_arm("leaky_relu:0.2", {{"d_dead_fraction_l0", {0, 0.001}}});
    Claim c = axis_claim(axis_gan({relu, small, large}), "leaky-prevents-dead");
    EXPECT_EQ(c.claim, "A small negative slope prevents dead units");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(cites(c, "relu: 15.0% dead units in D (seeds 10.0%\u201320.0%)")) << c.evidence;
    EXPECT_TRUE(cites(c, "2 of 2 relu runs reach 1.0%")) << c.evidence;
    EXPECT_TRUE(cites(c, "leaky_relu:0.01 (slope 0.01): 0.0% dead units in D (every seed)")) << c.evidence;
    EXPECT_TRUE(cites(c, "leaky_relu:0.2 (slope 0.2)")) << c.evidence;

    // The slope keeps dead units on every seed: not supported; on one of two: seeds disagree.
    SweepArm dead = axis_arm("leaky_relu:0.01", {{"d_dead_fraction_l0", {0.05, 0.03}}});
    EXPECT_EQ(axis_claim(axis_gan({relu, dead}), "leaky-prevents-dead").verdict, Verdict::Contradicted);
    dead = axis_arm("leaky_relu:0.01", {{"d_dead_fraction_l0", {0.05, 0.0}}});
    EXPECT_EQ(axis_claim(axis_gan({relu, dead}), "leaky-prevents-dead").verdict, Verdict::SeedsDisagree);
    // One slope holds, the other not: which.
    c = axis_claim(axis_gan({relu, axis_arm("leaky_relu:0.01", {{"d_dead_fraction_l0", {0.05, 0.03}}}), large}),
                   "leaky-prevents-dead");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(cites(c, "It holds for leaky_relu:0.2; not for leaky_relu:0.01.")) << c.evidence;
    // Neither has dead units: the slope prevents nothing here.
    const SweepArm alive = axis_arm("relu", {{"d_dead_fraction_l0", {0, 0.001}}});
    EXPECT_EQ(axis_claim(axis_gan({alive, small}), "leaky-prevents-dead").verdict, Verdict::Contradicted);

    // Not tested without a relu arm (or a leaky one), and it says what is missing.
    c = axis_claim(axis_gan({small}), "leaky-prevents-dead");
    EXPECT_EQ(c.verdict, Verdict::NotTested);
    EXPECT_TRUE(cites(c, "It needs a relu arm and a leaky_relu arm")) << c.evidence;
    EXPECT_TRUE(cites(c, "To test it: genlab-ablate")) << c.evidence;
}

TEST(ClaimsSlopes, WithThreeSeedsTheDeadFractionsAreCompared) {
    // relu's runs split on the threshold; with three seeds each, Welch's test separates the arms.
    const SweepArm relu = axis_arm("relu", {{"d_dead_fraction_l0", {0.009, 0.012, 0.011}}});
    const SweepArm leaky = axis_arm("leaky_relu:0.2", {{"d_dead_fraction_l0", {0, 0.0001, 0}}});
    Claim c = axis_claim(axis_gan({relu, leaky}), "leaky-prevents-dead");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(cites(c, "(Welch's t)")) << c.evidence;
    // Spread too wide to separate, and relu split: the seeds disagree.
    const SweepArm wide = axis_arm("relu", {{"d_dead_fraction_l0", {0.0, 0.3, 0.001}}});
    c = axis_claim(axis_gan({wide, leaky}), "leaky-prevents-dead");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;
}

TEST(ClaimsSlopes, PreluLearnsItsSlope) {
    SweepArm prelu = axis_arm("prelu", {{"g_act_param_l0", {0.1, 0.12}},
                                        {"g_act_param_l1", {0.4, 0.5}},
                                        {"d_act_param_l0", {0.3, 0.31}}});
    Claim c = axis_claim(axis_gan({prelu}), "prelu-slope");
    EXPECT_EQ(c.claim, "PReLU learns its slope");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(cites(c,
                      "prelu (alpha starts at 0.25): G layer 0 alpha 0.110 (seeds 0.100\u20130.120), moved on 2 of 2"))
        << c.evidence;
    EXPECT_TRUE(cites(c, "D layer 0 alpha 0.305")) << c.evidence;
    EXPECT_TRUE(cites(c, "more than 0.010 from its start")) << c.evidence;

    prelu = axis_arm("prelu", {{"g_act_param_l0", {0.25, 0.255}}, {"d_act_param_l0", {0.245, 0.25}}});
    EXPECT_EQ(axis_claim(axis_gan({prelu}), "prelu-slope").verdict, Verdict::Contradicted);
    prelu = axis_arm("prelu", {{"g_act_param_l0", {0.25, 0.3, 0.1}}});
    EXPECT_EQ(axis_claim(axis_gan({prelu}), "prelu-slope").verdict, Verdict::SeedsDisagree);
    prelu = axis_arm("prelu", {{"g_act_param_l0", {0.1, 0.1}}, {"d_act_param_l0", {0.25, 0.25}}});
    c = axis_claim(axis_gan({prelu}), "prelu-slope");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(cites(c, "It holds for G layer 0; not for D layer 0.")) << c.evidence;

    c = axis_claim(axis_gan({axis_arm("relu", {{"d_dead_fraction_l0", {0}}})}), "prelu-slope");
    EXPECT_EQ(c.verdict, Verdict::NotTested);
    EXPECT_TRUE(cites(c, "No prelu arm")) << c.evidence;
    c = axis_claim(axis_gan({axis_arm("prelu", {{"d_dead_fraction_l0", {0}}})}), "prelu-slope");
    EXPECT_EQ(c.verdict, Verdict::NotTested);
    EXPECT_TRUE(cites(c, "no learned alpha")) << c.evidence;
}

SweepData outs_sweep(const std::vector<double>& tanh, const std::vector<double>& sigmoid,
                     const std::vector<double>& id) {
    return axis_sweep("ae", "test_loss", Better::Lower,
                      {axis_arm("relu", {{"test_loss", tanh}}, "tanh"),
                       axis_arm("relu", {{"test_loss", sigmoid}}, "sigmoid"),
                       axis_arm("relu", {{"test_loss", id}}, "identity")});
}

TEST(ClaimsOutputs, ABoundedOutputHelps) {
    Claim c = axis_claim(outs_sweep({0.010, 0.011, 0.012}, {0.013, 0.012, 0.014}, {0.030, 0.031, 0.029}),
                         "bounded-output");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(cites(c, "relu-out-tanh is better (lower is better): relu-out-tanh against relu-out-identity"))
        << c.evidence;
    EXPECT_TRUE(cites(c, "a family of 2 pairs")) << c.evidence;
    EXPECT_TRUE(cites(c, "(Welch's t, Holm-adjusted over 2 pairs")) << c.evidence;

    c = axis_claim(outs_sweep({0.03, 0.031, 0.032}, {0.033, 0.032, 0.034}, {0.010, 0.011, 0.009}), "bounded-output");
    EXPECT_EQ(c.verdict, Verdict::Contradicted) << c.evidence;
    c = axis_claim(outs_sweep({0.01, 0.04, 0.02}, {0.03, 0.01, 0.05}, {0.02, 0.03, 0.025}), "bounded-output");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;
    EXPECT_TRUE(cites(c, "Not separable")) << c.evidence;
    c = axis_claim(outs_sweep({0.010, 0.011}, {0.05, 0.06}, {0.030, 0.031}), "bounded-output");  // 2 seeds: ranges
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(cites(c, "It holds for tanh (against identity); not for sigmoid (against identity).")) << c.evidence;

    // No out axis, or only bounded outputs: not tested, and why.
    c = axis_claim(axis_sweep("ae", "test_loss", Better::Lower, {axis_arm("relu", {{"test_loss", {0.1}}})}),
                   "bounded-output");
    EXPECT_EQ(c.verdict, Verdict::NotTested);
    EXPECT_TRUE(cites(c, "does not cross the output activation")) << c.evidence;
    c = axis_claim(axis_sweep("ae", "test_loss", Better::Lower,
                              {axis_arm("relu", {{"test_loss", {0.1}}}, "tanh"),
                               axis_arm("relu", {{"test_loss", {0.1}}}, "sigmoid")}),
                   "bounded-output");
    EXPECT_EQ(c.verdict, Verdict::NotTested);
    EXPECT_TRUE(cites(c, "has only bounded ones")) << c.evidence;
}

SweepData where_sweep(const std::vector<double>& both, const std::vector<double>& g, const std::vector<double>& d) {
    return axis_gan({axis_arm("leaky_relu:0.2", {{"modes_covered", both}}, "", "both"),
                     axis_arm("leaky_relu:0.2", {{"modes_covered", g}}, "", "g"),
                     axis_arm("leaky_relu:0.2", {{"modes_covered", d}}, "", "d")});
}

TEST(ClaimsGan, TheActivationMattersInBothNetworks) {
    Claim c = axis_claim(where_sweep({8, 7, 8}, {3, 4, 2}, {5, 4, 6}), "both-networks");
    EXPECT_EQ(c.claim, "In a GAN the activation matters in both networks");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(cites(c, "leaky_relu:0.2-in-both: modes_covered 8, 7, 8")) << c.evidence;
    EXPECT_TRUE(cites(c, "leaky_relu:0.2-in-both is better (higher is better): leaky_relu:0.2-in-both against "
                         "leaky_relu:0.2-in-g"))
        << c.evidence;
    EXPECT_TRUE(cites(c, "a family of 2 pairs")) << c.evidence;
    EXPECT_TRUE(cites(c, "(Welch's t, Holm-adjusted over 2 pairs")) << c.evidence;

    EXPECT_EQ(axis_claim(where_sweep({2, 3, 2}, {7, 8, 8}, {6, 7, 6}), "both-networks").verdict, Verdict::Contradicted);
    EXPECT_EQ(axis_claim(where_sweep({8, 2, 6}, {3, 4, 2}, {5, 7, 1}), "both-networks").verdict,
              Verdict::SeedsDisagree);
    c = axis_claim(where_sweep({8, 8}, {3, 4}, {8, 8}), "both-networks");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << "tied with D alone: not separable";
    c = axis_claim(where_sweep({6, 6}, {3, 4}, {8, 8}), "both-networks");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(cites(c, "It holds for leaky_relu:0.2 in both (against only G); not for leaky_relu:0.2 in both "
                         "(against only D)."))
        << c.evidence;

    // Not a GAN, or no where axis: not tested, and why.
    c = axis_claim(axis_sweep("ae", "test_loss", Better::Lower, {axis_arm("relu", {{"test_loss", {0.1}}})}),
                   "both-networks");
    EXPECT_EQ(c.verdict, Verdict::NotTested);
    EXPECT_TRUE(cites(c, "Only a sweep of a GAN tests it")) << c.evidence;
    c = axis_claim(axis_gan({axis_arm("relu", {{"modes_covered", {8}}})}), "both-networks");
    EXPECT_EQ(c.verdict, Verdict::NotTested);
    EXPECT_TRUE(cites(c, "--where both,g,d")) << c.evidence;
}

}  // namespace
}  // namespace genlab::experiments
