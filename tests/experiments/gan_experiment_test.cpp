// The GAN experiment's own contract, beyond the conformance test: the metrics its step reports,
// the data put in the output activation's range, the diagnostics of both networks (D's on
// the concatenated real + fake batch), and each kind of data behind the same experiment.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>

#include "data/toy2d.h"
#include "experiments/gan/gan_config.h"
#include "tests/experiments/experiment_cases.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

std::unique_ptr<Experiment> ring8(std::vector<std::pair<std::string, std::string>> extra = {}) {
    testing::ExperimentCase c{
        "", "gan", {{"data", "ring8"}, {"g_hidden", "16,16"}, {"d_hidden", "16,16,16"}, {"batch", "32"}}};
    c.settings.insert(c.settings.end(), extra.begin(), extra.end());
    RunOptions run;
    run.steps = 10;
    run.log_every = 1;
    return gan_experiment().create(*testing::case_config(c), run);
}

// --arch conv takes DCGAN's settings for the keys no flag gives, and its own learning rate; the
// MLP keeps the common defaults, and a given flag always wins.
TEST(GanExperiment, ConvArchResolvesItsDefaultsForTheKeysNotGiven) {
    auto resolved = [](std::vector<std::pair<std::string, std::string>> flags) {
        std::unique_ptr<ConfigBox> c = gan_experiment().new_config();
        for (const auto& [k, v] : flags) c->set(k, v);
        c->resolve([&](const std::string& key) {
            return std::any_of(flags.begin(), flags.end(), [&](const auto& f) { return f.first == key; });
        });
        return c->to_json();
    };
    const nlohmann::ordered_json conv = resolved({{"arch", "conv"}});
    EXPECT_FLOAT_EQ(conv["lr"].get<float>(), kDcganLr);
    EXPECT_EQ(conv["model"]["g_act"], kDcganGAct);
    EXPECT_EQ(conv["model"]["init"], "gpt2");
    const nlohmann::ordered_json given = resolved({{"arch", "conv"}, {"lr", "0.001"}, {"act", "elu"}});
    EXPECT_FLOAT_EQ(given["lr"].get<float>(), 1e-3f);
    EXPECT_EQ(given["model"]["g_act"], "elu");
    const nlohmann::ordered_json mlp = resolved({});
    EXPECT_FLOAT_EQ(mlp["lr"].get<float>(), GanExpConfig{}.lr);
    EXPECT_EQ(mlp["model"]["init"], "torch");
}

TEST(GanExperiment, StepReportsTheDocumentedMetrics) {
    std::unique_ptr<Experiment> exp = ring8();
    const Metrics m = exp->step(0);
    const std::vector<std::string> names{"d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm", "d_grad_norm"};
    ASSERT_EQ(m.size(), names.size());
    for (size_t i = 0; i < m.size(); ++i) {
        EXPECT_EQ(m[i].first, names[i]);
        EXPECT_TRUE(std::isfinite(m[i].second)) << names[i];
    }
    EXPECT_GT(m[2].second, 0.0);  // mean D(real), a probability
    EXPECT_LT(m[2].second, 1.0);
    EXPECT_GT(m[4].second, 0.0);
    const Metrics ev = exp->eval(1);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].first, "modes_covered");
    EXPECT_GE(ev[0].second, 0.0);
    EXPECT_LE(ev[0].second, 8.0);
}

TEST(GanExperiment, ProbeCoversBothNetworksOnTheConcatenatedBatch) {
    std::unique_ptr<Experiment> exp = ring8({{"g_act", "prelu"}});
    const std::vector<LayerProbe> layers = exp->probe();
    std::vector<std::string> names;
    for (const LayerProbe& l : layers) names.push_back(l.name);
    EXPECT_EQ(names, (std::vector<std::string>{"g_l0", "g_l1", "d_l0", "d_l1", "d_l2"}));
    EXPECT_EQ(layers[0].pre.shape(), (Shape{256, 16}));
    EXPECT_EQ(layers[2].pre.shape(), (Shape{512, 16}));  // 256 real rows, then 256 generated
    EXPECT_EQ(layers[0].act.name(), "prelu");
    EXPECT_FLOAT_EQ(layers[0].act_param, 0.25f);  // PReLU's init alpha, before any step
    EXPECT_EQ(layers[2].act.spec, "leaky_relu:0.2");
    EXPECT_TRUE(std::isnan(layers[2].act_param));
}

TEST(GanExperiment, BoundedOutputsPutTheToyDataInTheirRange) {
    // With a sigmoid output, real 2-D points are mapped into (0, 1); the mode metrics are computed
    // back in data coordinates, so a run still reports modes of the ring.
    std::unique_ptr<Experiment> exp = ring8({{"g_out", "sigmoid"}});
    exp->step(0);
    const std::vector<LayerProbe> layers = exp->probe();
    EXPECT_EQ(layers.size(), 5u);
    const Metrics ev = exp->eval(1);
    EXPECT_LE(ev[0].second, 8.0);
    EXPECT_THROW(ring8({{"g_out", "softmax"}}), UsageError);
}

std::vector<std::string> metric_names(const std::vector<QualityMetric>& q) {
    std::vector<std::string> names;
    for (const QualityMetric& m : q) names.push_back(m.name);
    return names;
}

TEST(GanExperiment, EveryToyMixtureIsADataValueAndReportsItsModeMetrics) {
    CLI::App app;
    gan_experiment().new_config()->add_flags(app);
    const std::string help = app.get_option("--data")->get_description();
    for (const std::string& name : data::toy2d_names()) {
        EXPECT_NE(help.find(name), std::string::npos) << help;
        const std::unique_ptr<ConfigBox> box =
            testing::case_config({"", "gan", {{"data", name}, {"g_hidden", "8"}, {"d_hidden", "8"}, {"batch", "16"}}});
        const std::vector<QualityMetric> quality = gan_experiment().quality(*box);
        EXPECT_EQ(metric_names(quality), (std::vector<std::string>{"modes_covered", "high_quality_fraction"}));
        RunOptions run;
        run.steps = 2;
        std::unique_ptr<Experiment> exp = gan_experiment().create(*box, run);
        exp->step(0);
        const Metrics ev = exp->eval(1);
        ASSERT_EQ(ev.size(), quality.size()) << name;
        for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i].first, quality[i].name) << name;
        EXPECT_LE(ev[0].second, static_cast<double>(data::make_toy2d(name).centres.size())) << name;
    }
}

TEST(GanExperiment, ImagesWithoutFrechetSamplesDeclareAndReportNoQualityMetrics) {
    // fd_samples 0 skips the classifier: no quality metric is declared, none is reported, and
    // loss.png has no panel for one.
    const testing::ExperimentCase c{
        "", "gan", {{"class", "7"}, {"limit", "64"}, {"g_hidden", "8"}, {"d_hidden", "8"}, {"batch", "16"}}};
    std::unique_ptr<ConfigBox> box = testing::case_config(c);
    box->set("fd_samples", "0");
    EXPECT_TRUE(gan_experiment().quality(*box).empty());
    RunOptions run;
    run.steps = 2;
    std::unique_ptr<Experiment> exp = gan_experiment().create(*box, run);
    exp->step(0);
    EXPECT_TRUE(exp->eval(1).empty());
    EXPECT_EQ(exp->plots().size(), 3u);  // losses, mean D output, gradient norms
    // With the default fd_samples the Fréchet metrics rank image runs.
    const std::unique_ptr<ConfigBox> fd = testing::case_config({"", "gan", {}});
    EXPECT_EQ(metric_names(gan_experiment().quality(*fd)),
              (std::vector<std::string>{"fd_features", "class_histogram_kl"}));
}

}  // namespace
}  // namespace genlab::experiments
