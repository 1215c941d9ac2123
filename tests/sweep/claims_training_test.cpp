// The training and cost claims on sweeps built by hand (claims_training.cpp, claims_cost.cpp):
// each supported, contradicted, with seeds (or timings) that disagree, and not tested.
#include <gtest/gtest.h>

#include <string>

#include "sweep/claims.h"

namespace genlab::experiments::claims_training_test {
namespace {

// An arm at a crossed depth or rate whose runs end with the given per-seed values of each metric.
SweepArm arm(const std::string& act, const std::map<std::string, std::vector<double>>& m, const std::string& depth = "",
             const std::string& lr = "") {
    SweepArm a;
    a.act = act;
    a.depth = depth;
    a.lr = lr;
    a.label = act + (lr.empty() ? "" : "-lr" + lr) + (depth.empty() ? "" : "-depth" + depth);
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

SweepArm costed(SweepArm a, double step_ms, double ns) {
    a.cost = ArmCost{.step_ms = step_ms, .steps = 10, .ns_per_element = ns};
    return a;
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

TEST(ClaimsTraining, TanhTrainsFasterThanSigmoidAtEveryDepth) {
    auto sweep = [](std::vector<double> tanh2, std::vector<double> tanh8) {
        return ae({arm("tanh", {{"curve_auc", tanh2}}, "2"), arm("sigmoid", {{"curve_auc", kMid}}, "2"),
                   arm("tanh", {{"curve_auc", tanh8}}, "8"), arm("sigmoid", {{"curve_auc", kMid}}, "8")});
    };
    Claim c = judge(sweep(kGood, kGood), "tanh-sigmoid");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "At depth 8, mean test_loss over training (curve_auc): tanh-depth8 0.3, 0.31, 0.32, "
                       "sigmoid-depth8 0.5, 0.51, 0.52; tanh-depth8 is better"))
        << c.evidence;
    EXPECT_TRUE(has(c, "Holm-adjusted over 2 pairs")) << c.evidence;
    EXPECT_EQ(judge(sweep(kBad, kBad), "tanh-sigmoid").verdict, Verdict::Contradicted);
    c = judge(sweep(kGood, {0.3, 0.7, 0.5}), "tanh-sigmoid");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;
    EXPECT_TRUE(has(c, "Not separable: tanh-depth8 against sigmoid-depth8")) << c.evidence;
    // Without curve_auc (or without a sigmoid arm) nothing is tested.
    c = judge(ae({arm("tanh", {{"test_loss", kGood}}), arm("sigmoid", {{"test_loss", kMid}})}), "tanh-sigmoid");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "curve_auc")) << c.evidence;
}

TEST(ClaimsTraining, GeluStabilityCountsSpikesAndDivergencesPerRate) {
    auto sweep = [](std::vector<double> gelu_lo, std::vector<double> relu_lo, std::vector<double> gelu_hi,
                    std::vector<double> relu_hi) {
        return ae({arm("gelu", {{"loss_spikes", gelu_lo}}, "", "1e-3"),
                   arm("relu", {{"loss_spikes", relu_lo}}, "", "1e-3"),
                   arm("gelu", {{"loss_spikes", gelu_hi}}, "", "1e-2"),
                   arm("relu", {{"loss_spikes", relu_hi}}, "", "1e-2")});
    };
    SweepData s = sweep({0, 0, 0}, {0, 1, 0}, {0, 1, 0}, {4, 5, 5});
    s.arms[3].runs[0].diverged = true;  // a diverged run counts one more
    Claim c = judge(s, "gelu-stable");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "lr 1e-2: loss spikes + divergences per seed gelu-lr1e-2 0, 1, 0, relu-lr1e-2 5, 5, 5, 1 of 3 "
                       "seeds diverged."))
        << c.evidence;
    EXPECT_TRUE(has(c, "(Welch's t)")) << c.evidence;

    c = judge(sweep({1, 1, 1}, {0, 0, 0}, {4, 5, 6}, {0, 1, 0}), "gelu-stable");
    EXPECT_EQ(c.verdict, Verdict::Contradicted) << c.evidence;
    c = judge(sweep({0, 0, 0}, {0, 0, 0}, {0, 5, 2}, {3, 4, 2}), "gelu-stable");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;
    // No spike nor divergence anywhere: gelu has no fewer, on every seed alike.
    c = judge(sweep({0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}), "gelu-stable");
    EXPECT_EQ(c.verdict, Verdict::Contradicted) << c.evidence;
    EXPECT_TRUE(has(c, "neither arm spiked or diverged on any seed")) << c.evidence;
    // Fewer at the highest rate but more at the lowest: one part holds.
    c = judge(sweep({2, 2, 3}, {0, 0, 0}, {0, 1, 0}, {4, 5, 6}), "gelu-stable");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(has(c, "It holds for fewer at the highest rate; not for no more at the lower rates.")) << c.evidence;

    c = judge(ae({arm("gelu", {{"loss_spikes", {0, 0, 0}}}, "", "1e-3"),
                  arm("relu", {{"loss_spikes", {1, 1, 1}}}, "", "1e-3")}),
              "gelu-stable");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "2 or more learning rates (--lrs)")) << c.evidence;
}

TEST(ClaimsTraining, ReluCheapestByTimingsWithATolerance) {
    auto sweep = [](double relu_ms, double relu_ns, double sig_ms, double sig_ns) {
        return ae({costed(arm("relu", {{"test_loss", kGood}}, "8"), relu_ms, relu_ns),
                   costed(arm("sigmoid", {{"test_loss", kMid}}, "8"), sig_ms, sig_ns),
                   costed(arm("tanh", {{"test_loss", kMid}}, "8"), 1.6, 6.5)});
    };
    Claim c = judge(sweep(1.0, 2.0, 1.5, 6.0), "relu-cheapest");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "At depth 8, each arm timed alone on one thread: relu-depth8 1 ms/step, 2 ns/element; "
                       "sigmoid-depth8 1.5 ms/step, 6 ns/element"))
        << c.evidence;
    EXPECT_TRUE(has(c, "within 5% counts as a tie")) << c.evidence;
    EXPECT_EQ(judge(sweep(2.0, 7.0, 1.0, 2.0), "relu-cheapest").verdict, Verdict::Contradicted);
    // 3% apart in step time: a tie, which one timing cannot settle; in both figures: a tie.
    c = judge(sweep(1.0, 2.0, 1.03, 6.0), "relu-cheapest");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(has(c, "It holds for ns per element at depth 8; is a tie for step time at depth 8.")) << c.evidence;
    c = judge(sweep(1.0, 2.0, 1.03, 2.04), "relu-cheapest");
    EXPECT_EQ(c.verdict, Verdict::Tie) << c.evidence;
    EXPECT_STREQ(verdict_text(c.verdict), "a tie");
    c = judge(sweep(1.0, 7.0, 1.5, 6.0), "relu-cheapest");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(has(c, "It holds for step time at depth 8; not for ns per element at depth 8.")) << c.evidence;

    c = judge(ae({arm("relu", {{"test_loss", kGood}}), arm("sigmoid", {{"test_loss", kMid}})}), "relu-cheapest");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "No relu arm has a measured cost")) << c.evidence;
}

TEST(ClaimsTraining, EluConvergesFasterButCostsMore) {
    auto sweep = [](std::vector<double> elu_auc, double elu_ms) {
        return ae({costed(arm("elu", {{"curve_auc", elu_auc}}), elu_ms, 5.0),
                   costed(arm("relu", {{"curve_auc", kMid}}), 1.0, 2.0)});
    };
    Claim c = judge(sweep(kGood, 1.5), "elu-converges");
    EXPECT_EQ(c.verdict, Verdict::Supported) << c.evidence;
    EXPECT_TRUE(has(c, "Mean test_loss over training (curve_auc): elu 0.3, 0.31, 0.32, relu 0.5, 0.51, 0.52; elu is "
                       "better (lower is better)"))
        << c.evidence;
    EXPECT_TRUE(has(c, "Cost, each timed alone: elu 1.5 ms/step, 5 ns/element; relu 1 ms/step")) << c.evidence;
    EXPECT_EQ(judge(sweep(kBad, 0.8), "elu-converges").verdict, Verdict::Contradicted);
    c = judge(sweep(kGood, 0.8), "elu-converges");
    EXPECT_EQ(c.verdict, Verdict::Partly) << c.evidence;
    EXPECT_TRUE(has(c, "It holds for faster convergence; not for higher cost per step.")) << c.evidence;
    c = judge(sweep({0.3, 0.7, 0.5}, 1.5), "elu-converges");
    EXPECT_EQ(c.verdict, Verdict::SeedsDisagree) << c.evidence;

    c = judge(ae({arm("elu", {{"curve_auc", kGood}}), arm("relu", {{"curve_auc", kMid}})}), "elu-converges");
    EXPECT_EQ(c.verdict, Verdict::NotTested) << c.evidence;
    EXPECT_TRUE(has(c, "a measured cost (cost.csv)")) << c.evidence;
}

}  // namespace
}  // namespace genlab::experiments::claims_training_test
