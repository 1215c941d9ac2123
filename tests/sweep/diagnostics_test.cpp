// Diagnostics on constructed layers (dead units, saturation, statistics, names), then on a real
// probe of a briefly trained model.
#include <gtest/gtest.h>

#include <cmath>

#include "experiments/runner.h"
#include "sweep/diagnostics.h"
#include "tests/experiments/experiment_cases.h"

namespace genlab::experiments {
namespace {

using testing::case_config;
using testing::experiment_cases;
using testing::ExperimentCase;

// A layer of `rows` x `units` pre-activations from fill(r, u), with unit gradients.
template <class Fill>
LayerProbe layer(const std::string& act, int rows, int units, Fill fill, const std::string& name = "l0") {
    LayerProbe p;
    p.name = name;
    p.act = parse_activation(act);
    p.pre = Tensor(Shape{rows, units});
    p.grad = Tensor(Shape{rows, units}, 1.f);
    for (int r = 0; r < rows; ++r)
        for (int u = 0; u < units; ++u) p.pre[static_cast<size_t>(r) * units + u] = fill(r, u);
    p.weight_grad_norm = 0.5;
    if (p.act.learnable()) p.act_param = p.act.learnable_init();
    return p;
}

float negative(int r, int u) { return -0.1f - 0.01f * static_cast<float>(r + u); }
float large(int r, int u) { return ((r + u) % 2 ? 1.f : -1.f) * (8.f + static_cast<float>(r % 5)); }

TEST(Diagnostics, AllNegativeInputsKillEveryReluUnitButNoLeakyReluUnit) {
    EXPECT_DOUBLE_EQ(layer_stats(layer("relu", 256, 16, negative)).dead_fraction, 1.0);
    EXPECT_DOUBLE_EQ(layer_stats(layer("leaky_relu:0.2", 256, 16, negative)).dead_fraction, 0.0);
    EXPECT_DOUBLE_EQ(layer_stats(layer("elu", 256, 16, negative)).dead_fraction, 0.0);
}

TEST(Diagnostics, AUnitIsDeadOnlyWhenNoExampleReachesIt) {
    // Unit 0 negative for all but one example, unit 1 always negative, units 2-3 positive.
    LayerProbe p = layer("relu", 256, 4, [](int r, int u) { return u >= 2 ? 1.f : (u == 0 && r == 17 ? 0.5f : -1.f); });
    EXPECT_DOUBLE_EQ(layer_stats(p).dead_fraction, 0.25);
}

TEST(Diagnostics, TanhAndSigmoidSaturateAtLargeInputsButNotNearZero) {
    EXPECT_GT(layer_stats(layer("tanh", 256, 16, large)).saturated_fraction, 0.99);
    EXPECT_GT(layer_stats(layer("sigmoid", 256, 16, large)).saturated_fraction, 0.99);
    auto small = [](int r, int u) { return 0.01f * static_cast<float>((r * 7 + u) % 100 - 50); };
    EXPECT_DOUBLE_EQ(layer_stats(layer("tanh", 256, 16, small)).saturated_fraction, 0.0);
    // relu "saturates" only on its flat side; gelu's derivative never falls below the threshold at +-1.
    EXPECT_DOUBLE_EQ(layer_stats(layer("relu", 256, 16, large)).saturated_fraction, 0.5);
    EXPECT_DOUBLE_EQ(
        layer_stats(layer("gelu", 256, 16, [](int, int u) { return u % 2 ? 1.f : -1.f; })).saturated_fraction, 0.0);
}

TEST(Diagnostics, MaxSlopeOfTheRegistry) {
    EXPECT_NEAR(max_abs_slope(parse_activation("relu")), 1.0, 1e-6);
    EXPECT_NEAR(max_abs_slope(parse_activation("sigmoid")), 0.25, 1e-6);
    EXPECT_NEAR(max_abs_slope(parse_activation("tanh")), 1.0, 1e-6);
    EXPECT_NEAR(max_abs_slope(parse_activation("selu")), 1.0507 * 1.67326, 1e-3);
    EXPECT_NEAR(max_abs_slope(parse_activation("gelu")), 1.1289, 1e-3);
}

TEST(Diagnostics, PreActivationMomentsAndGradNorm) {
    const LayerStats s = layer_stats(layer("identity", 2, 2,
                                           [](int r, int u) { return static_cast<float>(2 * r + u); }));
    EXPECT_DOUBLE_EQ(s.pre_mean, 1.5);               // 0 1 2 3
    EXPECT_NEAR(s.pre_std, std::sqrt(1.25), 1e-12);  // population std
    EXPECT_DOUBLE_EQ(s.grad_norm, 0.5);
    EXPECT_TRUE(std::isnan(s.act_param));
}

TEST(Diagnostics, ALearnedParameterIsReportedAndUsed) {
    LayerProbe p = layer("prelu", 64, 8, negative);
    EXPECT_DOUBLE_EQ(layer_stats(p).dead_fraction, 0.0);
    p.act_param = 0.f;  // alpha learned down to 0: PReLU is then a ReLU, and these units are dead
    const LayerStats s = layer_stats(p);
    EXPECT_DOUBLE_EQ(s.dead_fraction, 1.0);
    EXPECT_FLOAT_EQ(s.act_param, 0.f);
}

TEST(Diagnostics, MetricNamesCarryLayerAndNetwork) {
    auto one = [](int, int) { return 1.f; };
    const Metrics m = diagnostics_metrics({layer("relu", 4, 2, one, "g_l0"), layer("prelu", 4, 2, one, "d_l1")});
    std::vector<std::string> names;
    for (const auto& [name, v] : m) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"g_dead_fraction_l0", "g_saturated_fraction_l0", "g_grad_norm_l0",
                                               "g_pre_mean_l0", "g_pre_std_l0", "d_dead_fraction_l1",
                                               "d_saturated_fraction_l1", "d_grad_norm_l1", "d_pre_mean_l1",
                                               "d_pre_std_l1", "d_act_param_l1"}));
}

TEST(Diagnostics, ARealProbeGivesFiniteFiguresForEveryLayer) {
    for (const ExperimentCase& c : experiment_cases()) {
        SCOPED_TRACE(c.label);
        std::unique_ptr<ConfigBox> cfg = case_config(c);
        std::unique_ptr<Experiment> exp = find_experiment(c.experiment).create(*cfg, {.seed = 1});
        for (int s = 0; s < 2; ++s) exp->step(s);
        const std::vector<LayerProbe> probes = exp->probe();
        const Metrics m = diagnostics_metrics(probes);
        EXPECT_GE(m.size(), 5 * probes.size());
        for (const auto& [name, v] : m) {
            EXPECT_TRUE(std::isfinite(v)) << name;
            if (name.find("fraction") != std::string::npos) {
                EXPECT_GE(v, 0.0) << name;
                EXPECT_LE(v, 1.0) << name;
            }
        }
    }
}

}  // namespace
}  // namespace genlab::experiments
