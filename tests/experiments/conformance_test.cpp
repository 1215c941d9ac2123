// The conformance test every experiment passes, driven through the one interface: train a few
// steps, evaluate, save; load_run gives back the kind, the config and a state on which eval()
// reproduces the run's figures exactly; a run interrupted at a checkpoint and resumed ends
// bit-identical to an uninterrupted one; the diagnostics hook reports every hidden layer and
// leaves training untouched.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/io/safetensors.h"
#include "core/train/metrics_csv.h"
#include "experiments/runner.h"
#include "tests/experiments/experiment_cases.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

using testing::ExperimentCase;

class Conformance : public ::testing::TestWithParam<ExperimentCase> {
protected:
    const ExperimentDef& def() const { return find_experiment(GetParam().experiment); }
    std::unique_ptr<ConfigBox> config() const { return testing::case_config(GetParam()); }
    RunOptions run(int steps, const std::string& out) const {
        RunOptions r;
        r.steps = steps;
        r.seed = 3;
        r.threads = 1;
        r.out = dir_.file(out);
        r.save_every = 3;
        r.log_every = 1;
        r.eval_every = 3;
        r.quiet = true;
        return r;
    }
    std::string ckpt(const std::string& out) const { return dir_.file(out) + "/checkpoint.safetensors"; }

    testing::TempDir dir_;
};

double metric(const Metrics& m, const std::string& name) {
    for (const auto& [k, v] : m)
        if (k == name) return v;
    ADD_FAILURE() << "no metric " << name;
    return NAN;
}

TEST_P(Conformance, SavedRunLoadsBackAndEvaluatesTheSame) {
    std::unique_ptr<ConfigBox> cfg = config();
    const TrainResult r = train(def(), *cfg, run(6, "a"));
    const std::vector<QualityMetric> quality = def().quality(*cfg);
    ASSERT_FALSE(quality.empty());
    for (const QualityMetric& q : quality) EXPECT_TRUE(std::isfinite(metric(r.metrics, q.name))) << q.name;
    const nlohmann::json mj = testing::read_json(r.out_dir + "/metrics.json");
    EXPECT_EQ(mj.at("quality").at(0).at("metric"), quality[0].name);
    EXPECT_TRUE(std::filesystem::exists(r.out_dir + "/loss.png"));

    const LoadedRun loaded = load_run(ckpt("a"), def().name);
    EXPECT_EQ(loaded.step, 6);
    const nlohmann::json written = testing::read_json(r.out_dir + "/config.json");
    EXPECT_EQ(loaded.config, written.at("config"));  // config.json and the checkpoint agree
    std::unique_ptr<ConfigBox> again = def().new_config();
    again->from_json(loaded.config, loaded.path);
    RunOptions ro = run(6, "unused");
    std::unique_ptr<Experiment> exp = def().create(*again, ro);
    Trainer trainer({.steps = 6, .kind = def().name, .quiet = true});
    exp->track(trainer);
    EXPECT_EQ(trainer.load_checkpoint(loaded.path), 6);
    const Metrics ev = exp->eval(6);
    for (const QualityMetric& q : quality) EXPECT_EQ(metric(ev, q.name), metric(r.metrics, q.name)) << q.name;

    // A checkpoint holding NaN/Inf weights is refused for sampling and resuming alike.
    StateDict poisoned = load_safetensors(ckpt("a"));
    for (auto& [name, t] : poisoned.tensors)
        if (name.rfind("model.", 0) == 0) {
            t.data()[0] = std::numeric_limits<float>::quiet_NaN();
            break;
        }
    save_safetensors(dir_.file("poisoned.safetensors"), poisoned);
    testing::expect_error([&] { load_run(dir_.file("poisoned.safetensors"), def().name); },
                          {"poisoned.safetensors", "nan or inf"});

    // Every other kind names the program that reads this one.
    for (const ExperimentDef* other : experiments())
        if (other->name != def().name)
            testing::expect_error([&] { load_run(ckpt("a"), other->name); },
                                  {"holds a '" + def().name + "' run", def().program()});
}

// A sweep reads the diagnostics after each evaluation, through the runner's hook.
TEST_P(Conformance, AfterEvalHookSeesEveryEvaluationAndCanProbe) {
    std::unique_ptr<ConfigBox> cfg = config();
    std::vector<int> steps;
    size_t layers = 0;
    TrainHooks hooks{.after_eval = [&](int step, Experiment& exp) {
        steps.push_back(step);
        layers = exp.probe().size();
    }};
    train(def(), *cfg, run(6, "hooked"), hooks);
    EXPECT_EQ(steps, (std::vector<int>{3, 6}));
    EXPECT_GT(layers, 0u);
}

TEST_P(Conformance, ResumingAtACheckpointEqualsAnUninterruptedRun) {
    std::unique_ptr<ConfigBox> cfg = config();
    train(def(), *cfg, run(6, "full"));
    train(def(), *cfg, run(3, "part"));
    RunOptions resumed = run(6, "part");
    resumed.resume = ckpt("part");
    train(def(), *cfg, resumed);

    const StateDict a = load_safetensors(ckpt("full")), b = load_safetensors(ckpt("part"));
    ASSERT_EQ(a.tensors.size(), b.tensors.size());
    int compared = 0;
    for (size_t i = 0; i < a.tensors.size(); ++i) {
        ASSERT_EQ(a.tensors[i].first, b.tensors[i].first);
        if (a.tensors[i].first.rfind("progress.", 0) == 0) continue;  // a picture on the run's own schedule
        const Tensor &x = a.tensors[i].second, &y = b.tensors[i].second;
        ASSERT_EQ(x.shape(), y.shape()) << a.tensors[i].first;
        EXPECT_EQ(std::memcmp(x.data(), y.data(), x.numel() * sizeof(float)), 0) << a.tensors[i].first;
        compared += a.tensors[i].first.rfind("model.", 0) == 0 || a.tensors[i].first.rfind("optim.", 0) == 0;
    }
    EXPECT_GE(compared, 6);  // weights, biases and optimizer moments, at least
    for (const auto& [key, value] : a.metadata) {
        if (key.rfind("rng.", 0) == 0 || key.rfind("data.", 0) == 0) {
            EXPECT_EQ(value, b.metadata.at(key)) << key;
        }
    }

    const MetricsTable ta = read_metrics_csv(dir_.file("full") + "/metrics.csv");
    const MetricsTable tb = read_metrics_csv(dir_.file("part") + "/metrics.csv");
    ASSERT_EQ(ta.columns, tb.columns);
    ASSERT_EQ(ta.rows.size(), 6u);
    ASSERT_EQ(tb.rows.size(), 6u);
    for (size_t c = 0; c < ta.columns.size(); ++c) {
        // A timing, and text novelty: measured on the samples of a run's last step, and the
        // interrupted run did end (and sample) at step 3.
        if (ta.columns[c] == "tokens_per_s" || ta.columns[c] == "novelty") continue;
        for (size_t r = 0; r < ta.rows.size(); ++r)
            EXPECT_EQ(ta.rows[r][c], tb.rows[r][c]) << ta.columns[c] << " row " << r;
    }
}

TEST_P(Conformance, ResumeRefusesAnotherConfigOrSeed) {
    std::unique_ptr<ConfigBox> cfg = config();
    train(def(), *cfg, run(3, "a"));
    RunOptions other_seed = run(6, "b");
    other_seed.resume = ckpt("a");
    other_seed.seed = 4;
    testing::expect_error([&] { train(def(), *cfg, other_seed); }, {"--seed"});
    cfg->set("lr", "0.5");
    RunOptions r = run(6, "c");
    r.resume = ckpt("a");
    testing::expect_error([&] { train(def(), *cfg, r); }, {"--lr", "other flags"});
    EXPECT_FALSE(std::filesystem::exists(dir_.file("b")));
    EXPECT_FALSE(std::filesystem::exists(dir_.file("c")));
}

// --out: an earlier run of the same model is replaced only with --force, resumed in place with
// --resume; another model's run folder and a folder of other files are never written into.
TEST_P(Conformance, OutNeverMixesRunsOrOverwritesOtherFiles) {
    std::unique_ptr<ConfigBox> cfg = config();
    train(def(), *cfg, run(3, "a"));
    const std::string before = testing::read_file(ckpt("a"));
    testing::expect_error([&] { train(def(), *cfg, run(3, "a")); }, {"--out", "earlier", "--force", "--resume"});
    EXPECT_EQ(testing::read_file(ckpt("a")), before);
    RunOptions again = run(4, "a");
    again.resume = ckpt("a");
    EXPECT_NO_THROW(train(def(), *cfg, again));  // continuing it in place
    RunOptions forced = run(1, "a");
    forced.force = true;
    EXPECT_NO_THROW(train(def(), *cfg, forced));

    for (const ExperimentDef* other : experiments()) {
        if (other->name == def().name) continue;
        std::unique_ptr<ConfigBox> ocfg = other->new_config();
        ocfg->resolve([](const std::string&) { return false; });
        RunOptions into = run(1, "a");
        into.force = true;
        testing::expect_error([&] { train(*other, *ocfg, into); }, {"--out", "another model's folder"});
    }
    std::filesystem::create_directories(dir_.file("mine"));
    std::ofstream(dir_.file("mine/notes.txt")) << "keep";
    RunOptions mine = run(1, "mine");
    mine.force = true;
    testing::expect_error([&] { train(def(), *cfg, mine); }, {"--out", "holds no genlab training run"});
    EXPECT_EQ(testing::read_file(dir_.file("mine/notes.txt")), "keep");
}

// The diagnostics hook: every hidden layer, at least 256 examples, the loss gradient reaching it,
// and nothing of the training state changed.
TEST_P(Conformance, ProbeReportsEveryHiddenLayerAndLeavesTrainingAlone) {
    std::unique_ptr<ConfigBox> cfg = config();
    RunOptions ro = run(4, "unused");
    std::unique_ptr<Experiment> probed = def().create(*cfg, ro), plain = def().create(*cfg, ro);
    probed->step(0);
    plain->step(0);
    const std::vector<LayerProbe> layers = probed->probe();
    ASSERT_FALSE(layers.empty());
    for (const LayerProbe& l : layers) {
        EXPECT_GE(l.pre.shape()[0], 256) << l.name;
        EXPECT_EQ(l.pre.shape(), l.grad.shape()) << l.name;
        EXPECT_GT(l.grad.flat().abs().sum(), 0.f) << l.name;
        EXPECT_GT(l.weight_grad_norm, 0.0) << l.name;
        EXPECT_NE(l.act.def, nullptr) << l.name;
        EXPECT_EQ(std::isnan(l.act_param), !l.act.learnable()) << l.name;
    }
    // Twice the same: the batch is fixed.
    const std::vector<LayerProbe> again = probed->probe();
    ASSERT_EQ(again.size(), layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        EXPECT_EQ(again[i].name, layers[i].name);
        EXPECT_EQ(std::memcmp(again[i].pre.data(), layers[i].pre.data(), layers[i].pre.numel() * sizeof(float)), 0);
    }
    for (int s = 1; s < 3; ++s) EXPECT_EQ(probed->step(s), plain->step(s)) << "step " << s;
}

TEST_P(Conformance, SameSeedReproducesAndAnotherSeedDiffers) {
    std::unique_ptr<ConfigBox> cfg = config();
    RunOptions a = run(3, "unused"), b = a;
    b.seed = 4;
    std::unique_ptr<Experiment> x = def().create(*cfg, a), y = def().create(*cfg, a), z = def().create(*cfg, b);
    const Metrics mx = x->step(0), my = y->step(0), mz = z->step(0);
    EXPECT_EQ(mx, my);
    EXPECT_NE(mx[0].second, mz[0].second);
}

std::string case_name(const ::testing::TestParamInfo<ExperimentCase>& info) { return info.param.label; }

INSTANTIATE_TEST_SUITE_P(EveryExperiment, Conformance, ::testing::ValuesIn(testing::experiment_cases()), case_name);

TEST(Experiments, RegistryNamesEachOnceAndFindsThem) {
    std::set<std::string> names;
    for (const ExperimentDef* d : experiments()) {
        EXPECT_TRUE(names.insert(d->name).second) << d->name;
        EXPECT_EQ(&find_experiment(d->name), d);
        EXPECT_EQ(d->program(), "genlab-" + d->name);
    }
    EXPECT_EQ(names, (std::set<std::string>{"gan", "ae", "text"}));
    testing::expect_error([] { find_experiment("vae"); }, {"vae", "gan, ae, text"});
}

TEST(Experiments, EveryModelTakesTheHiddenActivationFromAct) {
    for (const ExperimentDef* d : experiments()) {
        std::unique_ptr<ConfigBox> c = d->new_config();
        c->set("act", "elu:0.5");
        c->resolve([](const std::string& key) { return key == "act"; });
        const std::string json = json_text(c->to_json());
        EXPECT_NE(json.find("elu:0.5"), std::string::npos) << d->name << ": " << json;
        c->set("act", "relu:3");  // relu takes no parameter
        EXPECT_THROW(c->resolve([](const std::string& key) { return key == "act"; }), UsageError) << d->name;
    }
    // The GAN: both networks, unless one side is given.
    std::unique_ptr<ConfigBox> g = gan_experiment().new_config();
    g->set("act", "relu");
    g->set("d_act", "tanh");
    g->resolve([](const std::string& key) { return key == "act" || key == "d_act"; });
    const nlohmann::ordered_json j = g->to_json();
    EXPECT_EQ(j["model"]["g_act"], "relu");
    EXPECT_EQ(j["model"]["d_act"], "tanh");
}

}  // namespace
}  // namespace genlab::experiments
