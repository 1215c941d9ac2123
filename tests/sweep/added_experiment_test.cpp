// A model the library does not ship is swept and reported like the built-in ones: everything a
// sweep needs comes from its ExperimentDef. The "curve" experiment here (an MLP fitting
// y = sin(3x) on [-1, 1]) is registered by this test alone, with no change outside it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/nn/layers.h"
#include "core/optim/optimizer.h"
#include "core/train/metrics_csv.h"
#include "experiments/probe.h"
#include "sweep/ablation.h"
#include "sweep/claims.h"
#include "sweep/demo_page.h"
#include "sweep/report.h"
#include "sweep/scoreboard.h"
#include "sweep/study.h"
#include "sweep/sweep_data.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

namespace fs = std::filesystem;

struct CurveConfig {
    std::string act = "tanh";
    int width = 16;
    float lr = 1e-2f;
    int batch = 32;
};

const ConfigSpec<CurveConfig>& curve_spec() {
    using C = CurveConfig;
    static const ConfigSpec<C> spec = ConfigSpec<C>()
                                          .field("act", &C::act, "Hidden activation", elementwise_activation())
                                          .field("width", &C::width, "Hidden units per layer", in_range(1, 256))
                                          .field("lr", &C::lr, "Adam's learning rate", learning_rate())
                                          .field("batch", &C::batch, "Points per step", in_range(1, 1024));
    return spec;
}

constexpr int kGrid = 64;  // evaluation points, evenly spaced on [-1, 1]

Tensor grid_x() {
    Tensor x(Shape{kGrid, 1});
    for (int i = 0; i < kGrid; ++i) x.data()[i] = -1.f + 2.f * static_cast<float>(i) / (kGrid - 1);
    return x;
}

Tensor targets(const Tensor& x) {
    Tensor y(x.shape());
    for (size_t i = 0; i < x.numel(); ++i) y.data()[i] = std::sin(3.f * x.data()[i]);
    return y;
}

class CurveExperiment : public Experiment {
public:
    CurveExperiment(const CurveConfig& cfg, const RunOptions& run)
        : cfg_(cfg),
          init_(stream_seed(run.seed, "init")),
          data_(stream_seed(run.seed, "data")),
          act_(parse_activation(cfg.act)),
          mlp_({1, cfg.width, cfg.width, 1}, act_, parse_activation("identity"), init_),
          opt_(mlp_.named_parameters(), {.lr = cfg.lr}),
          x_(Shape{cfg.batch, 1}) {}

    Metrics step(int) override {
        data_.fill_uniform(x_, -1.f, 1.f);
        y_ = targets(x_);  // a member: the tape holds constants by reference until backward
        tape_.reset();
        opt_.zero_grad();
        const Var loss = mse(tape_, mlp_(tape_, tape_.constant(x_)), tape_.constant(y_));
        tape_.backward(loss);
        opt_.step();
        return {{"train_mse", tape_.item(loss)}};
    }
    Metrics eval(int) override {
        Tape t;
        const Tensor x = grid_x(), y = targets(x);
        return {{"test_mse", t.item(mse(t, mlp_(t, t.constant(x)), t.constant(y)))}};
    }
    void track(Trainer& t) override {
        t.track("model.", mlp_);
        t.track("optim.", opt_);
        t.track_rng("data", data_);
    }
    void write_outputs(const std::string& dir) override {
        Tape t;
        const Tensor x = grid_x();
        const Tensor y = t.value(mlp_(t, t.constant(x)));
        std::ofstream f(dir + "/fit.txt");
        for (int i = 0; i < kGrid; i += 8) f << x.data()[i] << " " << y.data()[i] << "\n";
    }
    std::vector<PlotPanel> plots() const override { return {{"mean squared error", {"train_mse", "test_mse"}}}; }
    std::vector<LayerProbe> probe() override {
        Tape t;
        LayerRecord rec;
        const Tensor x = grid_x(), y = targets(x);
        mlp_.zero_grad();
        t.backward(mse(t, mlp_(t, t.constant(x), &rec), t.constant(y)));
        std::vector<LayerProbe> out = probe_layers(t, rec, "", [](size_t, const auto& l) { return l.hidden; });
        mlp_.zero_grad();
        return out;
    }
    nlohmann::ordered_json config() const override { return curve_spec().to_json(cfg_); }

private:
    CurveConfig cfg_;
    Rng init_, data_;
    Activation act_;
    MLP mlp_;
    Adam opt_;
    Tensor x_, y_;
    Tape tape_;
};

const ExperimentDef& curve_experiment() {
    static const ExperimentDef def{
        .name = "curve",
        .about = "Fit y = sin(3x) with an MLP (a test's experiment).",
        .default_steps = [](const ConfigBox&) { return 40; },
        .default_eval_every = 20,
        .new_config = [] { return std::make_unique<TypedConfigBox<CurveConfig>>(curve_spec(), nullptr); },
        .quality =
            [](const ConfigBox&) {
                return std::vector<QualityMetric>{{"test_mse", Better::Lower}};
            },
        .create = [](const ConfigBox& box, const RunOptions& run) -> std::unique_ptr<Experiment> {
            return std::make_unique<CurveExperiment>(config_of<CurveConfig>(box), run);
        },
        .memory = [](const ConfigBox&) { return MemoryEstimate{}; },
        .new_sample_config = nullptr,
        .sample = nullptr,
        .outputs = {{"fit.txt", "Every 8th evaluation point and the fitted value there."}},
        .sweep = {.presets = {{.name = "quick", .about = "the curve, 40 steps", .sweep = {}, .model = {}},
                              {.name = "claims",
                               .about = "saturating",
                               .part = "sat",
                               .sweep = {{"acts", "relu,sigmoid,tanh"}},
                               .model = {}},
                              {.name = "claims",
                               .about = "narrow",
                               .part = "narrow",
                               .sweep = {{"acts", "relu,gelu"}},
                               .model = {{"width", "4"}}}},
                  .title = [](const nlohmann::json& c) { return "Curve fit (" + config_text(c, "act") + ")"; },
                  .data_name = [](const nlohmann::json&) { return std::string("sin(3x)"); }},
    };
    return def;
}

TEST(AddedExperiment, IsSweptAndReportedFromItsDefinitionAlone) {
    const AddedExperiment added(curve_experiment());
    EXPECT_EQ(&find_experiment("curve"), &curve_experiment());
    testing::TempDir dir;
    const std::string out = dir.file("sweep");
    const AblationOptions opt{.model = "curve",
                              .acts = "relu,tanh,sigmoid",
                              .seeds = 2,
                              .diag_every = 20,
                              .threads = 1,
                              .out = out,
                              .quiet = true};
    const SweepResult r = run_ablation(opt, model_settings("curve", {{"width", "8"}}));
    EXPECT_EQ(r.trained, 6);

    // Every run has its row with the model's quality metric and the diagnostics of both hidden layers.
    const SweepData s = load_sweep(out);
    EXPECT_EQ(s.model, "curve");
    ASSERT_EQ(s.arms.size(), 3u);
    for (const SweepArm& a : s.arms) {
        ASSERT_EQ(a.runs.size(), 2u) << a.label;
        EXPECT_GT(a.rank, 0) << a.label;
        for (const SweepRun& run : a.runs)
            for (const char* m : {"test_mse", "train_mse", "dead_fraction_l0", "grad_norm_l1", "ms_per_step"})
                EXPECT_TRUE(run.final.count(m)) << a.label << " seed " << run.seed << ": " << m;
    }
    EXPECT_EQ(s.arms[0].stats("test_mse").n(), 2u);
    // summary.json is the loaded sweep's: the same ranks and means.
    const nlohmann::json summary = testing::read_json(out + "/summary.json");
    for (size_t a = 0; a < s.arms.size(); ++a) {
        EXPECT_EQ(summary["arms"][a]["rank"], s.arms[a].rank);
        EXPECT_EQ(summary["arms"][a]["metrics"]["test_mse"]["mean"].get<double>(), s.arms[a].stats("test_mse").mean);
    }

    // The report describes it in its own words, shows its output, and tests the claims it can.
    std::stringstream html;
    html << std::ifstream(out + "/report.html").rdbuf();
    for (const char* text : {"curve on sin(3x)", "fit.txt", "ReLU units die", "test_mse"})
        EXPECT_NE(html.str().find(text), std::string::npos) << text;
    for (const Claim& c : sweep_claims(s)) {
        if (c.claim == "ReLU units die" || c.claim == "sigmoid and tanh saturate") {
            EXPECT_NE(c.verdict, Verdict::NotTested) << c.claim << ": " << c.evidence;
        }
        if (c.claim == "Leaky ReLU keeps GAN training alive") {
            EXPECT_NE(c.evidence.find("this sweep trains the curve model"), std::string::npos) << c.evidence;
        }
    }

    // Its preset and --where are read from its definition too.
    AblationOptions quick{.model = "curve", .preset = "quick"};
    apply_preset(quick, {"model"});
    EXPECT_EQ(quick.steps, 0) << "the curve's quick preset leaves steps to the model";
    EXPECT_EQ(quick.seeds, 2);
    AblationOptions where = opt;
    where.where = "g";
    testing::expect_error([&] { run_ablation(where, model_settings("curve", {})); },
                          {"--where g", "curve model has one network"});
}

TEST(AddedExperiment, ItsPartsOfAStudyEndInOneScoreboard) {
    const AddedExperiment added(curve_experiment());
    testing::TempDir dir;
    const AblationOptions opt{.model = "curve",
                              .preset = "claims",
                              .seeds = 2,
                              .cost_steps = 2,
                              .threads = 1,
                              .out = dir.file("study"),
                              .quiet = true};
    const std::string page = run_study(opt, {"model", "preset", "seeds", "cost_steps", "threads", "out", "quiet"});
    EXPECT_EQ(page, dir.file("study") + "/scoreboard.html");
    const SweepData narrow = load_sweep(dir.file("study") + "/curve-narrow");
    EXPECT_EQ(narrow.arms.size(), 2u);
    EXPECT_EQ(narrow.config()["width"], 4) << "the part's own model settings";
    EXPECT_EQ(narrow.arms[0].runs.size(), 2u) << "--seeds given: it applies to every part";

    const std::vector<ScoreboardRow> rows = scoreboard({dir.file("study") + "/curve-sat",
                                                        dir.file("study") + "/curve-narrow"});
    const auto dies = std::find_if(rows.begin(), rows.end(),
                                   [](const ScoreboardRow& r) { return r.claim == "ReLU units die"; });
    ASSERT_NE(dies, rows.end());
    EXPECT_EQ(dies->findings.size(), 2u) << "both sweeps have a relu arm";
    const auto gan = std::find_if(rows.begin(), rows.end(), [](const ScoreboardRow& r) { return r.findings.empty(); });
    ASSERT_NE(gan, rows.end()) << "a claim no part tests";
    EXPECT_EQ(gan->verdict(), Verdict::NotTested);
    EXPECT_FALSE(gan->untested.empty());
    const std::string html = testing::read_file(page);
    for (const char* text : {"curve-sat/report.html", "curve-narrow/report.html", "ReLU units die", "not tested"})
        EXPECT_NE(html.find(text), std::string::npos) << text;

    // The demo page shows the study's verdicts and links its scoreboard.
    write_demo_page(dir.file("index.html"), {dir.file("study")});
    const std::string demo = testing::read_file(dir.file("index.html"));
    EXPECT_NE(demo.find("study/scoreboard.html"), std::string::npos);
    EXPECT_NE(demo.find("ReLU units die"), std::string::npos);

    // A study is not one sweep's preset.
    AblationOptions one = opt;
    testing::expect_error([&] { apply_preset(one, {"model"}); }, {"--preset claims", "study"});
}

TEST(AddedExperiment, LeavesTheRegistryAsItWas) {
    const size_t before = experiments().size();
    {
        const AddedExperiment added(curve_experiment());
        EXPECT_EQ(experiments().size(), before + 1);
        EXPECT_THROW(AddedExperiment again(curve_experiment()), Error) << "one name, one experiment";
    }
    EXPECT_EQ(experiments().size(), before);
    EXPECT_THROW(find_experiment("curve"), UsageError);
}

}  // namespace
}  // namespace genlab::experiments
