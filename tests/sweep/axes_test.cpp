// The axes a sweep crosses with its activations beyond inits and learning rates: depth (hidden
// layers of every MLP network), the output activation, and the networks (--where as a list).
// Each goes to the model's own config keys, read from its SweepFacts; a crossing the model cannot
// take is a usage error naming the flag.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "sweep/ablation.h"
#include "sweep/results_table.h"
#include "sweep/study.h"
#include "sweep/sweep_data.h"
#include "sweep/sweep_plan.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

using testing::TempDir;

nlohmann::json model_config(const AblationOptions& opt, const ModelSettings& base, const Arm& arm) {
    return nlohmann::json(arm_config(opt, base, &arm)->to_json())["model"];
}

TEST(SweepAxes, DepthsOutsAndNetworksCrossEveryActivation) {
    AblationOptions opt{
        .model = "gan", .acts = "relu,tanh", .depths = "1,3", .outs = "tanh,identity", .where = "both,g"};
    const std::vector<Arm> arms = ablation_arms(opt);
    ASSERT_EQ(arms.size(), 16u);
    EXPECT_EQ(arms[0].label, "relu-depth1-out-tanh-in-both");
    EXPECT_EQ(arms[1].label, "relu-depth1-out-tanh-in-g");
    EXPECT_EQ(arms[15].label, "tanh-depth3-out-identity-in-g");
    EXPECT_EQ(arms[15].depth, "3");
    EXPECT_EQ(arms[15].out, "identity");
    EXPECT_EQ(arms[15].where, "g");

    // Into the GAN's keys: both networks' hidden widths (each as wide as its first), G's output,
    // and the activation only where the arm says.
    const ModelSettings base = model_settings("gan", {{"data", "ring8"}, {"g_hidden", "16,32"}, {"d_hidden", "24"}});
    const nlohmann::json m = model_config(opt, base, arms[15]);
    EXPECT_EQ(m["g_hidden"], nlohmann::json({16, 16, 16}));
    EXPECT_EQ(m["d_hidden"], nlohmann::json({24, 24, 24}));
    EXPECT_EQ(m["g_out"], "identity");
    EXPECT_EQ(m["g_act"], "tanh");
    EXPECT_NE(m["d_act"], "tanh") << "--where g leaves D's activation as the model's";
    const nlohmann::json both = model_config(opt, base, arms[12]);
    EXPECT_EQ(both["g_act"], "tanh");
    EXPECT_EQ(both["d_act"], "tanh");

    // One --where is the sweep's, not an arm's: no label suffix, as before the axis existed.
    opt.where = "d";
    opt.depths = opt.outs = "";
    EXPECT_EQ(ablation_arms(opt)[0].label, "relu");
    EXPECT_EQ(model_config(opt, base, ablation_arms(opt)[0])["d_act"], "relu");
}

TEST(SweepAxes, DepthZeroIsTheAutoencoderWithoutHiddenLayers) {
    const AblationOptions opt{.model = "ae", .acts = "sigmoid", .depths = "0,4", .outs = "sigmoid,identity"};
    const ModelSettings base = model_settings("ae", {{"hidden", "64,32"}, {"loss", "mse"}});
    const std::vector<Arm> arms = ablation_arms(opt);
    ASSERT_EQ(arms.size(), 4u);
    EXPECT_EQ(model_config(opt, base, arms[0])["hidden"], nlohmann::json::array());
    EXPECT_EQ(model_config(opt, base, arms[3])["hidden"], nlohmann::json({64, 64, 64, 64}));
    EXPECT_EQ(model_config(opt, base, arms[3])["out_act"], "identity");
}

TEST(SweepAxes, ACrossingTheModelCannotTakeIsAUsageErrorNamingTheFlag) {
    TempDir dir;
    auto refused = [&](AblationOptions opt, const std::vector<std::pair<std::string, std::string>>& settings,
                       std::initializer_list<std::string> parts) {
        opt.out = dir.file("sweep");
        opt.quiet = true;
        testing::expect_error([&] { run_ablation(opt, model_settings(opt.model, settings)); }, parts);
        EXPECT_FALSE(std::filesystem::exists(dir.file("sweep"))) << "nothing written";
    };
    refused({.model = "text", .acts = "relu", .outs = "tanh"}, {}, {"--outs", "no output activation"});
    refused({.model = "ae", .acts = "relu", .where = "both,g"}, {}, {"--where g", "one network"});
    refused({.model = "gan", .acts = "relu", .depths = "0"}, {{"data", "ring8"}}, {"--depths 0"});
    refused({.model = "text", .acts = "relu", .depths = "2"}, {{"arch", "transformer"}}, {"--depths", "--n-layer"});
    refused({.model = "ae", .acts = "relu", .depths = "2,x"}, {}, {"--depths", "'x'"});
    refused({.model = "ae", .acts = "relu", .depths = "2,2"}, {}, {"--depths", "listed twice"});
    refused({.model = "gan", .acts = "relu", .outs = "softmax"}, {{"data", "ring8"}}, {"--outs"});
    refused({.model = "ae", .acts = "relu", .outs = "identity"}, {},
            {"arm relu-out-identity (--outs identity)", "--loss mse"});
}

TEST(SweepAxes, AResultsTableFromBeforeTheAxesReadsThemEmpty) {
    TempDir dir;
    testing::write_file(dir.file("results.csv"),
                        "arm,activation,init,lr,seed,status,diverged_step,resumed_from,steps,wall_s,ms_per_step,q\n"
                        "relu,relu,,,1,done,,0,20,1.5,75,2\n");
    ResultsTable t = ResultsTable::read(dir.file("results.csv"));
    ASSERT_EQ(t.rows().size(), 1u);
    EXPECT_EQ(t.rows()[0].depth, "");
    EXPECT_EQ(t.rows()[0].metrics, (Metrics{{"q", 2.0}}));
    // Rewritten with the columns of today, the old row kept.
    ResultRow row = t.rows()[0];
    row.seed = 2;
    row.depth = "8";
    t.add(row);
    const ResultsTable back = ResultsTable::read(dir.file("results.csv"));
    ASSERT_EQ(back.rows().size(), 2u);
    EXPECT_EQ(back.rows()[1].depth, "8");
    EXPECT_EQ(back.rows()[0].wall_s, 1.5);
}

// first hidden layer's weight-gradient norm over the last's, at the end of the run.
double depth_ratio(const SweepRun& r) {
    int n = 0;
    while (r.final.count("grad_norm_l" + std::to_string(n))) ++n;
    return r.final.at("grad_norm_l0") / r.final.at("grad_norm_l" + std::to_string(n - 1));
}

// The check of the depth axis: on the autoencoder, sigmoid's gradients reach the first
// layer ever more weakly as the network deepens (the direction, not a number).
TEST(SweepAxes, SigmoidsGradientRatioFallsWithDepthOnTheAutoencoder) {
    TempDir dir;
    const AblationOptions opt{.model = "ae",
                              .acts = "sigmoid,relu",
                              .depths = "2,8",
                              .seeds = 1,
                              .steps = 30,
                              .diag_every = 30,
                              .threads = 1,
                              .out = dir.file("sweep"),
                              .quiet = true};
    run_ablation(opt, model_settings("ae", {{"hidden", "32"},
                                            {"latent", "8"},
                                            {"batch", "32"},
                                            {"train_limit", "512"},
                                            {"test_limit", "256"}}));
    const SweepData s = load_sweep(dir.file("sweep"));
    ASSERT_EQ(s.arms.size(), 4u);
    EXPECT_EQ(s.arms[1].depth, "8") << "the axes read back from the folder";
    EXPECT_EQ(s.arms[2].act, "relu");
    std::map<std::string, double> ratio;
    for (const SweepArm& a : s.arms) {
        ASSERT_EQ(a.done().size(), 1u) << a.label;
        ratio[a.label] = depth_ratio(*a.done()[0]);
        EXPECT_TRUE(std::isfinite(ratio[a.label])) << a.label;
    }
    EXPECT_LT(ratio.at("sigmoid-depth8"), ratio.at("sigmoid-depth2"));
    EXPECT_LT(ratio.at("sigmoid-depth8"), ratio.at("relu-depth8")) << "relu keeps more of the gradient at depth 8";
}

// The claims study's sweeps: one per model part, each a valid sweep of its model (every arm's
// config built and checked, nothing trained).
TEST(SweepAxes, EveryPartOfTheClaimsStudyIsAValidSweep) {
    const AblationOptions opt{.preset = "claims", .out = "unused"};
    const std::vector<StudySweep> sweeps = study_sweeps(opt, {"preset", "out"});
    ASSERT_GE(sweeps.size(), 4u);
    for (const StudySweep& s : sweeps) {
        EXPECT_EQ(s.opt.seeds, 3) << s.name;
        const SweepPlan plan = plan_sweep(s.opt, s.base);
        EXPECT_GE(plan.arms.size(), 2u) << s.name;
        EXPECT_EQ(plan.opt.out, "unused/" + s.name);
    }
}

}  // namespace
}  // namespace genlab::experiments
