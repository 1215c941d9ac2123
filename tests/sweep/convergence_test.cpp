// How a sweep's runs behaved over training: loss spikes, the quality curve's area and steps to
// target on hand-built metrics tables, a sweep folder's arms against its target, and a tiny real
// sweep recording them in results.csv, summary.json and report.html.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "experiments/runner.h"
#include "sweep/ablation.h"
#include "sweep/convergence.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

MetricsTable table(const std::string& csv) { return metrics_table(parse_csv(csv, "test"), "test"); }

// "step,<column>" with one row per value, steps 100, 200, ...
std::string loss_csv(const std::string& column, const std::vector<double>& values) {
    std::string csv = "step," + column + "\n";
    for (size_t i = 0; i < values.size(); ++i)
        csv += std::to_string(100 * (i + 1)) + "," + std::to_string(values[i]) + "\n";
    return csv;
}

const std::vector<QualityMetric> kValLoss{{"val_loss", Better::Lower}};

TEST(LossSpikes, TrainingLossesAreStepLossesNotQualityMetricsOrEvalFigures) {
    const MetricsTable m = table("step,d_loss,g_loss,d_real,val_loss,train_loss\n"
                                 "100,1,2,0.5,,\n"
                                 "200,1,2,0.5,3,3\n");
    EXPECT_EQ(training_loss_columns(m, kValLoss), (std::vector<std::string>{"d_loss", "g_loss"}));
}

TEST(LossSpikes, ASmoothCurveHasNone) {
    std::vector<double> falling;
    for (int i = 0; i < 40; ++i) falling.push_back(2.0 / (1 + i) + 0.01 * (i % 3));
    EXPECT_EQ(loss_spikes(table(loss_csv("loss", falling)), kValLoss), 0);
}

TEST(LossSpikes, AJumpAboveThreeTimesTheRunningMedianIsOneSpikeWhateverLossesJump) {
    // Both losses jump at the 9th row: one step counted. 2.9x is no spike, 3.1x is.
    const MetricsTable m = table("step,d_loss,g_loss\n"
                                 "1,1,2\n2,1,2\n3,1,2\n4,1,2\n5,1,2\n6,1,2\n7,1,2\n8,2.9,2\n9,3.5,6.5\n10,1,2\n");
    EXPECT_EQ(loss_spikes(m, kValLoss), 1);
}

TEST(LossSpikes, TheWarmUpIsNotChecked) {
    EXPECT_EQ(loss_spikes(table(loss_csv("loss", {1, 1, 1, 9, 1, 1})), kValLoss), 0) << "the 4th value, in the warm-up";
    EXPECT_EQ(loss_spikes(table(loss_csv("loss", {1, 1, 1, 1, 1, 9})), kValLoss), 1) << "the 6th, the first checked";
}

TEST(LossSpikes, TheMedianIsOfRecentValuesSoALateSpikeAfterTheLossFellCounts) {
    // A median of every earlier value (10) would not see 3.5 as a spike; of the last 10 (1) it does.
    std::vector<double> v(20, 10.0);
    v.insert(v.end(), 10, 1.0);
    v.push_back(3.5);
    EXPECT_EQ(loss_spikes(table(loss_csv("loss", v)), kValLoss), 1);
}

TEST(LossSpikes, ALossWithoutAPositiveMedianHasNoScale) {
    EXPECT_EQ(loss_spikes(table(loss_csv("loss", {-1, -1, -1, -1, -1, -1, 5})), kValLoss), 0);
}

TEST(CurveAuc, IsTheTrapezoidAreaOverTheEvaluatedSpanOnUnevenSteps) {
    // Evaluated at 100, 200 and 400 (the rows between have no value): (100 * 3 + 200 * 4) / 300.
    const MetricsTable m = table("step,loss,val_loss\n100,1,2\n200,1,4\n300,1,\n400,1,4\n");
    const std::optional<double> auc = curve_auc(m, "val_loss");
    ASSERT_TRUE(auc);
    EXPECT_NEAR(*auc, 1100.0 / 300.0, 1e-12);
    EXPECT_NEAR(*curve_auc(table(loss_csv("val_loss", {0, 1, 2, 3})), "val_loss"), 1.5, 1e-12) << "a line's mean";
}

TEST(CurveAuc, NeedsTwoEvaluations) {
    EXPECT_FALSE(curve_auc(table("step,loss,val_loss\n100,1,\n200,1,3\n"), "val_loss"));
    const Metrics m = curve_metrics(table("step,loss,val_loss\n100,1,\n200,1,3\n"), kValLoss);
    ASSERT_EQ(m.size(), 1u) << "loss_spikes only";
    EXPECT_EQ(m[0].first, "loss_spikes");
}

TEST(StepsToTarget, LowerIsBetterWithinFivePercentAbove) {
    const Target t{.metric = "val_loss", .better = Better::Lower, .best = 0.2};
    EXPECT_NEAR(t.bound(), 0.21, 1e-12);
    const MetricsTable m = table(loss_csv("val_loss", {0.5, 0.3, 0.215, 0.205, 0.25, 0.2}));
    EXPECT_EQ(steps_to_target(m, t), 400);
}

TEST(StepsToTarget, HigherIsBetterWithinFivePercentBelowAndTheFirstStepCountsEvenIfItFallsBack) {
    const Target t{.metric = "modes_covered", .better = Better::Higher, .best = 8};
    EXPECT_NEAR(t.bound(), 7.6, 1e-12);
    EXPECT_EQ(steps_to_target(table(loss_csv("modes_covered", {2, 7, 8, 6})), t), 300);
    EXPECT_FALSE(steps_to_target(table(loss_csv("modes_covered", {2, 7, 7.5, 6})), t)) << "not reached";
    EXPECT_FALSE(steps_to_target(table(loss_csv("loss", {1, 1})), t)) << "never evaluated";
}

TEST(StepsToTarget, ANegativeBestIsJudgedByItsMagnitude) {
    const Target t{.metric = "nll", .better = Better::Lower, .best = -100};  // bound -95
    EXPECT_EQ(steps_to_target(table(loss_csv("nll", {-50, -94, -96})), t), 300);
    const Target h{.metric = "elbo", .better = Better::Higher, .best = -100};  // bound -105
    EXPECT_EQ(steps_to_target(table(loss_csv("elbo", {-200, -104})), h), 200);
}

// A sweep folder as genlab-ablate leaves it: tanh seeds 1 and 2 finished at 8 and 6; relu seed 1
// finished at 2 and seed 2 diverged; each run's metrics.csv evaluated at steps 10 and 20.
void write_folder(const TempDir& dir) {
    write_file(dir.file("ablation.json"), R"({"sweep": {"model": "gan", "steps": 20, "config": {"data": "ring8"}},
        "quality": [{"metric": "modes_covered", "better": "higher"}]})");
    write_file(dir.file("summary.json"), R"({"arms": [{"arm": "tanh", "activation": "tanh", "seeds": [1, 2]},
        {"arm": "relu", "activation": "relu", "seeds": [1], "diverged_seeds": [2]}]})");
    write_file(dir.file("results.csv"),
               "arm,activation,init,lr,seed,status,diverged_step,resumed_from,steps,wall_s,ms_per_step,modes_covered\n"
               "tanh,tanh,,,1,done,,0,20,1,50,8\n"
               "tanh,tanh,,,2,done,,0,20,1,50,6\n"
               "relu,relu,,,1,done,,0,20,1,50,2\n"
               "relu,relu,,,2,diverged,15,0,20,1,,\n");
    const auto run = [&](const std::string& arm, int seed, const std::string& csv) {
        const fs::path d = dir.path() / "runs" / arm / ("seed" + std::to_string(seed));
        fs::create_directories(d);
        write_file((d / "metrics.csv").string(), csv);
    };
    run("tanh", 1, "step,d_loss,modes_covered\n10,1,4\n20,1,8\n");
    run("tanh", 2, "step,d_loss,modes_covered\n10,1,8\n20,1,6\n");  // reached at 10, then fell back
    run("relu", 1, "step,d_loss,modes_covered\n10,1,1\n20,1,2\n");
    run("relu", 2, "step,d_loss,modes_covered\n10,1,8\n");  // diverged: not reached whatever it logged
}

TEST(ConvergenceOf, CountsTheRunsThatReachedTheTargetAndTheDivergedFraction) {
    TempDir dir;
    write_folder(dir);
    const Convergence c = convergence_of(load_sweep(dir.path().string()));
    ASSERT_TRUE(c.target);
    EXPECT_EQ(c.target->best, 8);
    ASSERT_EQ(c.arms.size(), 2u);
    EXPECT_EQ(c.arms[0].reached, 2);
    EXPECT_EQ(c.arms[0].runs[0].steps_to_target, 20);
    EXPECT_EQ(c.arms[0].runs[1].steps_to_target, 10);
    EXPECT_EQ(c.arms[0].median_steps, 15.0) << "the mean of the middle two";
    EXPECT_EQ(c.arms[0].diverged_fraction, 0);
    EXPECT_EQ(c.arms[1].reached, 0);
    EXPECT_FALSE(c.arms[1].median_steps);
    EXPECT_TRUE(c.arms[1].runs[1].diverged);
    EXPECT_FALSE(c.arms[1].runs[1].steps_to_target);
    EXPECT_EQ(c.arms[1].diverged_fraction, 0.5);
}

TEST(ConvergenceOf, SummaryJsonGainsStepsToTargetAndDivergedFractionAfterItsOwnKeys) {
    TempDir dir;
    write_folder(dir);
    const nlohmann::ordered_json j = sweep_summary(load_sweep(dir.path().string()));
    const nlohmann::ordered_json& relu = j["arms"][1];
    EXPECT_TRUE(relu["steps_to_target"]["median"].is_null());
    EXPECT_EQ(relu["steps_to_target"]["reached"], 0);
    EXPECT_EQ(relu["steps_to_target"]["runs"], 2);
    EXPECT_EQ(relu["steps_to_target"]["seeds"], nlohmann::ordered_json::array({1, 2}));
    EXPECT_EQ(relu["steps_to_target"]["values"], nlohmann::ordered_json::array({nullptr, nullptr}));
    EXPECT_EQ(relu["diverged_fraction"], 0.5);
    EXPECT_EQ(j["arms"][0]["steps_to_target"]["values"], nlohmann::ordered_json::array({20, 10}));
    EXPECT_EQ(j["target"]["bound"], 7.6);
    EXPECT_EQ(j["target"]["better"], "higher");
    std::vector<std::string> keys;
    for (const auto& [k, v] : relu.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"arm", "activation", "init", "lr", "seeds", "diverged_seeds", "metrics",
                                              "rank", "steps_to_target", "diverged_fraction"}));
}

TEST(ConvergenceOf, ASweepOfATinyGanRecordsItsCurvesInEveryFile) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    const AblationOptions opt{.model = "gan",
                              .acts = "relu,tanh",
                              .seeds = 2,
                              .steps = 30,
                              .eval_every = 10,
                              .diag_every = 10,
                              .cost_steps = 0,
                              .threads = 1,
                              .out = out,
                              .quiet = true};
    run_ablation(opt,
                 model_settings("gan", {{"data", "ring8"}, {"g_hidden", "16"}, {"d_hidden", "16"}, {"batch", "32"}}));

    const CsvTable results = read_csv(out + "/results.csv");
    const auto& cols = results.columns;
    const auto at = [&](const std::string& c) { return std::find(cols.begin(), cols.end(), c) - cols.begin(); };
    ASSERT_LT(static_cast<size_t>(at("curve_auc")), cols.size());
    ASSERT_LT(static_cast<size_t>(at("loss_spikes")), cols.size());
    EXPECT_LT(at("d_loss"), at("loss_spikes")) << "after the model's own metrics";
    EXPECT_LT(at("curve_auc"), at("g_dead_fraction_l0")) << "before the diagnostics";
    for (const auto& row : results.rows)
        EXPECT_EQ(row[static_cast<size_t>(at("loss_spikes"))], "0") << "3 logged values: all warm-up";

    const nlohmann::json s = testing::read_json(out + "/summary.json");
    int reached = 0;
    for (const auto& arm : s["arms"]) {
        EXPECT_EQ(arm["steps_to_target"]["values"].size(), 2u);
        EXPECT_EQ(arm["diverged_fraction"], 0.0);
        EXPECT_TRUE(arm["metrics"].contains("curve_auc"));
        reached += arm["steps_to_target"]["reached"].get<int>();
    }
    EXPECT_GE(reached, 1) << "the best run reaches its own final value";
    EXPECT_EQ(s["target"]["metric"], "modes_covered");

    const std::string html = read_file(out + "/report.html");
    const size_t table_at = html.find("<table class=\"convergence\">");
    ASSERT_NE(table_at, std::string::npos);
    EXPECT_EQ(testing::occurrences(html.substr(table_at, html.find("</table>", table_at) - table_at), "<tr"), 3u);
}

}  // namespace
}  // namespace genlab::experiments
