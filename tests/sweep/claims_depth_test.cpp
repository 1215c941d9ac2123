// The depth claims on sweeps built by hand (claims_depth.cpp, claims_depth_quality.cpp): each
// supported, contradicted, with seeds that disagree, and not tested.
#include <gtest/gtest.h>

#include <string>

#include "sweep/claims.h"

namespace genlab::experiments::claims_depth_test {
namespace {

// An arm at a crossed depth whose runs end with the given per-seed values of each metric.
SweepArm arm(const std::string& act, const std::string& depth, const std::map<std::string, std::vector<double>>& m) {
    SweepArm a;
    a.act = act;
    a.depth = depth;
    a.label = act + (depth.empty() ? "" : "-depth" + depth);
    size_t seeds = 0;
    for (const auto& [name, v] : m) seeds = std::max(seeds, v.size());
    for (size_t s = 0; s < seeds; ++s) {
        SweepRun r;
        r.seed = static_cast<int>(s) + 1;
        for (const auto& [name, v] : m)
            if (s < v.size()) r.final[name] = v[s];
        a.runs.push_back(r);
    }
    return a;
}

// test_loss and `layers` hidden layers' grad_norm: the first `first`, the others 1 (so the
// first-over-last ratio is `first`).
SweepArm net(const std::string& act, const std::string& depth, std::vector<double> loss, std::vector<double> first,
             int layers) {
    std::map<std::string, std::vector<double>> m{{"test_loss", loss}, {"grad_norm_l0", first}};
    for (int k = 1; k < layers; ++k) m["grad_norm_l" + std::to_string(k)] = std::vector<double>(first.size(), 1.0);
    return arm(act, depth, m);
}

SweepData ae(std::vector<SweepArm> arms) {
    SweepData s;
    s.model = "ae";
    s.sweep = {{"config", nlohmann::json::object()}};
    s.quality = {{"test_loss", Better::Lower}};
    s.arms = std::move(arms);
    return s;
}

Claim judge(const SweepData& s, const std::string& id) {
    for (const Claim& c : sweep_claims(s))
        if (c.id == id) return c;
    throw std::runtime_error("no claim " + id);
}

bool has(const Claim& c, const std::string& text) { return c.evidence.find(text) != std::string::npos; }

const std::vector<double> kGood{0.30, 0.31, 0.32}, kMid{0.50, 0.51, 0.52}, kBad{0.70, 0.71, 0.72};

TEST(ClaimsDepth, GradientFlowComparesSigmoidAndTanhWithReluSixLayersDeep) {
    const auto relu = net("relu", "8", kGood, {0.8, 0.9, 0.85}, 8);
    Claim c = judge(ae({net("sigmoid", "8", kBad, {0.01, 0.02, 0.015}, 8), net("tanh", "8", kMid, {0.1, 0.2, 0.15}, 8),
                        relu}),
                    "gradient-flow");
    EXPECT_EQ(c.claim, "ReLU keeps gradients flowing where sigmoid and tanh lose them");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "In the network at depth 8, first hidden layer's weight-gradient norm over the last's: "
                       "sigmoid-depth8 0.015x (seeds 0.01x\u20130.02x); relu-depth8 0.85x"))
        << c.evidence;
    EXPECT_TRUE(has(c, "Holm-adjusted over 2 pairs")) << c.evidence;

    c = judge(ae({net("sigmoid", "8", kBad, {0.9, 0.95, 0.92}, 8), net("relu", "8", kGood, {0.1, 0.2, 0.15}, 8)}),
              "gradient-flow");
    EXPECT_EQ(c.verdict, Verdict::Contradicted) << c.evidence;

    c = judge(ae({net("sigmoid", "8", kBad, {0.1, 0.5, 0.75}, 8), relu}), "gradient-flow");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;
    EXPECT_TRUE(has(c, "on log10 of the ratio, difference")) << c.evidence;

    // Ratios are compared as logarithms: ten orders of magnitude below relu separate, however
    // unevenly the sigmoid seeds spread (on the raw ratios the relu seeds' spread hid them).
    c = judge(ae({net("sigmoid", "8", kBad, {3e-10, 1.5e-10, 2e-12}, 8), net("relu", "8", kGood, {0.5, 0.9, 0.73}, 8)}),
              "gradient-flow");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    // A first layer whose gradient underflowed to 0 counts as vanished, not as missing.
    c = judge(ae({net("sigmoid", "8", kBad, {0, 0, 0}, 8), relu}), "gradient-flow");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;

    // Depth 2 crossed, or 3 layers counted from the metrics: too shallow, and says how deep.
    c = judge(ae({net("sigmoid", "2", kBad, {0.01, 0.02, 0.015}, 2), net("relu", "2", kGood, {0.8, 0.9, 0.85}, 2)}),
              "gradient-flow");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "at most 2 hidden layers; the claim is about 6 or more")) << c.evidence;
    c = judge(ae({net("tanh", "", kBad, {0.01, 0.02, 0.015}, 3), net("relu", "", kGood, {0.8, 0.9, 0.85}, 3)}),
              "gradient-flow");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "at most 3 hidden layers")) << c.evidence;
    // Six layers counted from the metrics are deep enough.
    c = judge(ae({net("tanh", "", kBad, {0.01, 0.02, 0.015}, 6), net("relu", "", kGood, {0.8, 0.9, 0.85}, 6)}),
              "gradient-flow");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
}

TEST(ClaimsDepth, LinearBaselineIsNoBetterWithoutNonlinearity) {
    const auto flat = arm("identity", "0", {{"test_loss", kMid}});
    Claim c = judge(ae({flat, arm("identity", "8", {{"test_loss", kBad}})}), "linear-baseline");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "identity-depth0: test_loss 0.5, 0.51, 0.52 (mean 0.51) (no hidden layer)")) << c.evidence;

    c = judge(ae({flat, arm("identity", "2", {{"test_loss", kGood}})}), "linear-baseline");
    EXPECT_EQ(c.verdict, Verdict::Contradicted) << c.evidence;
    EXPECT_TRUE(has(c, "identity-depth2 is better (lower is better)")) << c.evidence;

    // Seeds that overlap do not separate the arms, and "does no better" is what the claim says.
    c = judge(ae({flat, arm("identity", "2", {{"test_loss", {0.40, 0.60, 0.50}}})}), "linear-baseline");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "Not separable: identity-depth2 against identity-depth0")) << c.evidence;

    // Better at depth 2, worse at 8: it holds for one depth only.
    c = judge(ae({flat, arm("identity", "2", {{"test_loss", kGood}}), arm("identity", "8", {{"test_loss", kBad}})}),
              "linear-baseline");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(has(c, "It holds for identity-depth8; not for identity-depth2.")) << c.evidence;

    c = judge(ae({arm("identity", "2", {{"test_loss", kGood}}), arm("relu", "0", {{"test_loss", kGood}})}),
              "linear-baseline");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "identity arms are at depths: 2.")) << c.evidence;
}

TEST(ClaimsDepth, SigmoidStallsAtTheDeepestDepth) {
    const auto shallow = net("relu", "2", kMid, {0.9, 0.9, 0.9}, 2);
    const auto relu = net("relu", "8", kGood, {0.8, 0.9, 0.85}, 8);
    Claim c = judge(ae({net("sigmoid", "2", kGood, {0.9, 0.9, 0.9}, 2), shallow,
                        net("sigmoid", "8", kBad, {0.01, 0.02, 0.015}, 8), relu}),
                    "sigmoid-stalls");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "At the deepest setting, at depth 8: sigmoid-depth8: test_loss 0.7, 0.71, 0.72")) << c.evidence;
    EXPECT_TRUE(has(c, "relu-depth8 is better (lower is better)")) << c.evidence;

    c = judge(ae({net("sigmoid", "8", {0.1, 0.11, 0.12}, {1.5, 1.6, 1.55}, 8), relu}), "sigmoid-stalls");
    EXPECT_EQ(c.verdict, Verdict::Contradicted) << c.evidence;
    // Ratios orders of magnitude apart, however unevenly spread: compared as logarithms.
    c = judge(ae({net("sigmoid", "8", kBad, {3e-10, 1.5e-10, 2e-12}, 8), net("relu", "8", kGood, {0.5, 0.9, 0.73}, 8)}),
              "sigmoid-stalls");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "on log10 of the ratio, difference")) << c.evidence;

    // Worse, but its gradients do not vanish more than relu's: one part holds.
    c = judge(ae({net("sigmoid", "8", kBad, {1.5, 1.6, 1.55}, 8), relu}), "sigmoid-stalls");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(has(c, "It holds for sigmoid's worse quality; not for its lower gradient ratio.")) << c.evidence;

    c = judge(ae({net("sigmoid", "8", {0.2, 0.5, 0.35}, {0.01, 0.02, 0.015}, 8), relu}), "sigmoid-stalls");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;
    EXPECT_TRUE(has(c, "Not separable: sigmoid-depth8 against relu-depth8")) << c.evidence;

    c = judge(ae({net("sigmoid", "8", kBad, {0.01}, 1), net("relu", "8", kGood, {0.8}, 1)}), "sigmoid-stalls");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "no network with 2 or more hidden layers")) << c.evidence;
}

TEST(ClaimsDepth, SwishGainsOnReluAsDepthGrows) {
    const auto relu2 = arm("relu", "2", {{"test_loss", kMid}}), relu8 = arm("relu", "8", {{"test_loss", kMid}});
    auto sweep = [&](std::vector<double> at2, std::vector<double> at8) {
        return ae({arm("swish", "2", {{"test_loss", at2}}), relu2, arm("swish", "8", {{"test_loss", at8}}), relu8});
    };
    Claim c = judge(sweep({0.50, 0.52, 0.51}, kGood), "swish-depth");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "Depth 8: swish's gap over relu 0.2 (positive: swish better); swish-depth8 is better"))
        << c.evidence;
    EXPECT_TRUE(has(c, "The gap grows with depth.")) << c.evidence;

    c = judge(sweep({0.40, 0.41, 0.42}, kBad), "swish-depth");
    EXPECT_EQ(c.verdict, Verdict::Contradicted) << c.evidence;

    // Better at 8 but by less than at 2: one part holds.
    c = judge(sweep({0.10, 0.11, 0.12}, kGood), "swish-depth");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(has(c, "The gap does not grow with depth.")) << c.evidence;

    c = judge(sweep({0.50, 0.52, 0.51}, {0.30, 0.60, 0.45}), "swish-depth");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;

    c = judge(ae({arm("swish", "8", {{"test_loss", kGood}}), relu8}), "swish-depth");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "2 or more depths with hidden layers (--depths 2,8); this sweep has 1 such depth."))
        << c.evidence;
}

}  // namespace
}  // namespace genlab::experiments::claims_depth_test
