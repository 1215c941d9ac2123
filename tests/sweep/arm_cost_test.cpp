// Each arm's cost, measured alone after the runs: cost.csv with every arm, kept across reruns,
// in summary.json and the report; a cost.csv that is not genlab's is an error, not a guess.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "sweep/ablation.h"
#include "sweep/sweep_data.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

using testing::TempDir;

TEST(ArmCost, EveryArmIsTimedAloneOnceAndReported) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    AblationOptions opt{.model = "gan",
                        .acts = "relu,tanh",
                        .seeds = 1,
                        .steps = 10,
                        .cost_steps = 5,
                        .threads = 1,
                        .out = out,
                        .quiet = true};
    const ModelSettings base = model_settings("gan", {{"data", "ring8"}, {"g_hidden", "8"}, {"d_hidden", "8"}});
    run_ablation(opt, base);
    const std::map<std::string, ArmCost> costs = read_arm_costs(out);
    ASSERT_EQ(costs.size(), 2u);
    for (const auto& [arm, c] : costs) {
        EXPECT_GT(c.step_ms, 0) << arm;
        EXPECT_EQ(c.steps, 5) << arm;
        EXPECT_GT(c.ns_per_element, 0) << arm;
    }
    const SweepData s = load_sweep(out);
    ASSERT_TRUE(s.arms[0].cost.has_value());
    EXPECT_EQ(s.arms[0].cost->step_ms, costs.at("relu").step_ms);
    const nlohmann::json summary = testing::read_json(out + "/summary.json");
    EXPECT_EQ(summary["arms"][1]["cost"]["step_ms_alone"].get<double>(), costs.at("tanh").step_ms);

    // A rerun with one more arm measures only that one.
    const std::string before = testing::read_file(out + "/cost.csv");
    opt.acts = "relu,tanh,gelu";
    run_ablation(opt, base);
    const std::string after = testing::read_file(out + "/cost.csv");
    EXPECT_EQ(after.substr(0, before.size()), before) << "relu and tanh kept as measured";
    EXPECT_EQ(read_arm_costs(out).size(), 3u);

    // cost_steps 0: nothing measured, nothing written.
    TempDir other;
    opt.out = other.file("sweep");
    opt.cost_steps = 0;
    run_ablation(opt, base);
    EXPECT_TRUE(read_arm_costs(opt.out).empty());
}

TEST(ArmCost, ACostFileThatIsNotGenlabsIsAnError) {
    TempDir dir;
    testing::write_file(dir.file("cost.csv"), "arm,price\nrelu,3\n");
    testing::expect_error([&] { read_arm_costs(dir.path().string()); }, {"cost.csv", "not a genlab-ablate cost.csv"});
    testing::write_file(dir.file("cost.csv"), "arm,step_ms,steps,ns_per_element\nrelu,fast,5,1\n");
    testing::expect_error([&] { read_arm_costs(dir.path().string()); }, {"cost.csv", "line 2"});
}

}  // namespace
}  // namespace genlab::experiments
