// The ablation runner on the tiny ring8 GAN: rows, summary, per-run folders and diagnostics;
// an interrupted sweep finishing only what is missing; divergence as a result; folder safety.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <unistd.h>

#include "core/train/folder_lock.h"
#include "core/train/metrics_csv.h"
#include "experiments/runner.h"
#include "sweep/ablation.h"
#include "tests/experiments/experiment_cases.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

// A cell of a results.csv row by column name.
std::string cell(const CsvTable& t, const std::vector<std::string>& row, const std::string& column) {
    const auto it = std::find(t.columns.begin(), t.columns.end(), column);
    if (it == t.columns.end()) return "<no column " + column + ">";
    return row[static_cast<size_t>(it - t.columns.begin())];
}

const std::vector<std::pair<std::string, std::string>> kTinyRing8{
    {"data", "ring8"}, {"g_hidden", "16,16"}, {"d_hidden", "16,16"}, {"batch", "32"}};

AblationOptions tiny(const std::string& out) {
    return {.model = "gan",
            .acts = "relu,leaky_relu:0.2",
            .seeds = 2,
            .steps = 20,
            .diag_every = 10,
            .cost_steps = 0,  // the cost has its own test (arm_cost_test.cpp)
            .threads = 1,
            .out = out,
            .quiet = true};
}

TEST(Ablation, ATinySweepWritesEveryRunSummaryAndDiagnostics) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    AblationOptions opt = tiny(out);
    opt.jobs = 2;  // two runs at once, one thread each
    opt.threads = 2;
    const SweepResult r = run_ablation(opt, model_settings("gan", kTinyRing8));
    EXPECT_EQ(r.trained, 4);
    EXPECT_EQ(r.skipped, 0);
    const CsvTable results = read_csv(out + "/results.csv");
    const std::vector<std::string>& header = results.columns;
    const auto& rows = results.rows;
    ASSERT_EQ(rows.size(), 4u);
    for (const char* col : {"arm", "seed", "status", "ms_per_step", "modes_covered", "high_quality_fraction", "d_loss",
                            "g_dead_fraction_l0", "d_saturated_fraction_l1", "g_grad_norm_l1", "d_pre_std_l0"})
        EXPECT_NE(std::find(header.begin(), header.end(), col), header.end()) << col;
    const size_t status = static_cast<size_t>(std::find(header.begin(), header.end(), "status") - header.begin());
    ASSERT_LT(status, header.size());
    for (const auto& row : rows) EXPECT_EQ(row[status], "done");

    const nlohmann::json s = testing::read_json(out + "/summary.json");
    ASSERT_EQ(s["arms"].size(), 2u);
    EXPECT_EQ(s["arms"][0]["arm"], "relu");
    EXPECT_EQ(s["arms"][1]["arm"], "leaky_relu:0.2");
    const nlohmann::json& m = s["arms"][0]["metrics"]["modes_covered"];
    ASSERT_EQ(m["values"].size(), 2u);
    EXPECT_DOUBLE_EQ(m["mean"].get<double>(), (m["values"][0].get<double>() + m["values"][1].get<double>()) / 2);
    EXPECT_LE(m["min"].get<double>(), m["max"].get<double>());
    EXPECT_EQ(s["ranking"].size(), 2u);
    EXPECT_EQ(s["quality"][0]["metric"], "modes_covered");
    EXPECT_EQ(s["quality"][0]["better"], "higher");

    // Each run keeps its own outputs, and its diagnostics at steps 10 and 20.
    for (const char* arm : {"relu", "leaky_relu:0.2"})
        for (const char* seed : {"seed1", "seed2"}) {
            const fs::path run = fs::path(out) / "runs" / arm / seed;
            EXPECT_TRUE(fs::exists(run / "scatter.png")) << run;
            const MetricsTable d = read_metrics_csv((run / "diagnostics.csv").string());
            EXPECT_EQ(d.steps(), (std::vector<double>{10, 20})) << run;
            EXPECT_TRUE(d.has("g_dead_fraction_l1"));
        }

    // report.html: one self-contained page whose ranking table has the 2 arms.
    const std::string html = read_file(out + "/report.html");
    const size_t table = html.find("<table class=\"ranking\">");
    ASSERT_NE(table, std::string::npos);
    const std::string ranking = html.substr(table, html.find("</table>", table) - table);
    EXPECT_EQ(testing::occurrences(ranking, "<tr"), 3u) << "header + 2 arms";
    EXPECT_NE(ranking.find("relu"), std::string::npos);
    EXPECT_NE(ranking.find("leaky_relu:0.2"), std::string::npos);
    EXPECT_NE(html.find("ReLU units die"), std::string::npos);
    EXPECT_GE(testing::occurrences(html, "<svg"), 6u) << "curves, diagnostics, gradient by depth, an f/f' per arm";
    EXPECT_EQ(testing::occurrences(html, "src=\"data:image/png;base64,"), 2u) << "one scatter per arm";
    EXPECT_EQ(html.find("<script"), std::string::npos);
    for (const char* remote :
         {"src=\"http", "href=\"http", "url(http", "@import"})  // (SVG's xmlns is a name, not a fetch)
        EXPECT_EQ(html.find(remote), std::string::npos) << remote;
}

TEST(Ablation, ARunIsTheSameAsTheModelsOwnRunWithThatSeed) {
    TempDir dir;
    AblationOptions opt = tiny(dir.file("sweep"));
    opt.acts = "relu";
    opt.seeds = 1;
    run_ablation(opt, model_settings("gan", kTinyRing8));
    std::unique_ptr<ConfigBox> cfg = model_settings("gan", kTinyRing8).make();
    cfg->set("act", "relu");
    std::set<std::string> given{"act", "data", "g_hidden", "d_hidden", "batch"};
    cfg->resolve([&](const std::string& k) { return given.count(k) > 0; });
    // The diagnostics hook must not change training: the same config and seed, trained alone,
    // log the same metrics.csv (a sweep logs a run 100 times over its steps: each of these 20).
    const std::string alone = dir.file("alone");
    train(find_experiment("gan"), *cfg,
          {.steps = 20, .seed = 1, .threads = 1, .out = alone, .log_every = 1, .quiet = true});
    EXPECT_EQ(read_file(dir.file("sweep") + "/runs/relu/seed1/metrics.csv"), read_file(alone + "/metrics.csv"));
}

TEST(Ablation, AnInterruptedSweepTrainsOnlyWhatIsMissingAndResumesFromCheckpoints) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    run_ablation(tiny(out), model_settings("gan", kTinyRing8));

    // As if killed while the last run trained: its result never written, its checkpoint at step 10.
    const CsvTable complete = read_csv(out + "/results.csv");
    const std::vector<std::string>& header = complete.columns;
    const auto& rows = complete.rows;
    std::string text = csv_line(header);
    for (size_t i = 0; i + 1 < rows.size(); ++i) text += csv_line(rows[i]);
    std::ofstream(out + "/results.csv", std::ios::trunc) << text;
    const std::vector<std::string> last = rows.back();
    const std::string arm = cell(complete, last, "arm"), seed = cell(complete, last, "seed");
    const fs::path run = fs::path(out) / "runs" / arm / ("seed" + seed);
    fs::remove(run / "result.csv");
    AblationOptions half = tiny(dir.file("half"));
    half.acts = cell(complete, last, "activation");
    half.seeds = std::stoi(seed);
    half.steps = 10;  // the same run stopped at step 10 (a checkpoint every diag_every steps)
    // A sweep with other steps is another sweep: make the checkpoint in its own folder, then move it in.
    run_ablation(half, model_settings("gan", kTinyRing8));
    fs::copy_file(fs::path(dir.file("half")) / "runs" / arm / ("seed" + seed) / "checkpoint.safetensors",
                  run / "checkpoint.safetensors", fs::copy_options::overwrite_existing);

    const SweepResult r = run_ablation(tiny(out), model_settings("gan", kTinyRing8));
    EXPECT_EQ(r.trained, 1);
    EXPECT_EQ(r.skipped, 3);
    const CsvTable after = read_csv(out + "/results.csv");
    const auto& again = after.rows;
    ASSERT_EQ(again.size(), 4u);
    EXPECT_EQ(cell(after, again.back(), "resumed_from"), "10");
    // Resumed, the run ends exactly where the uninterrupted one did: every metric column agrees.
    const size_t first_metric = static_cast<size_t>(std::find(header.begin(), header.end(), "ms_per_step") -
                                                    header.begin()) +
                                1;
    for (size_t c = first_metric; c < header.size(); ++c) EXPECT_EQ(again.back()[c], last[c]) << header[c];

    // A complete sweep run again trains nothing.
    const SweepResult done = run_ablation(tiny(out), model_settings("gan", kTinyRing8));
    EXPECT_EQ(done.trained, 0);
    EXPECT_EQ(done.skipped, 4);
}

TEST(Ablation, ADivergedRunIsARowAndTheSweepGoesOn) {
    TempDir dir;
    auto settings = kTinyRing8;
    settings.emplace_back("lr", "1e6");
    AblationOptions opt = tiny(dir.file("sweep"));
    opt.seeds = 1;
    const SweepResult r = run_ablation(opt, model_settings("gan", settings));
    EXPECT_EQ(r.trained, 2);
    EXPECT_EQ(r.diverged, 2);
    const CsvTable results = read_csv(dir.file("sweep") + "/results.csv");
    for (const auto& row : results.rows) {
        EXPECT_EQ(cell(results, row, "status"), "diverged");
        EXPECT_GE(std::stoi(cell(results, row, "diverged_step")), 1);
        EXPECT_LE(std::stoi(cell(results, row, "diverged_step")), 20);
    }
    const nlohmann::json s = testing::read_json(dir.file("sweep") + "/summary.json");
    EXPECT_EQ(s["arms"][0]["diverged_seeds"], nlohmann::json::array({1}));
    EXPECT_FALSE(s.contains("ranking")) << "no arm finished a run";
    // The report still renders: the arms unranked, marked as diverged.
    const std::string html = read_file(dir.file("sweep") + "/report.html");
    EXPECT_NE(html.find("class=\"diverged\""), std::string::npos);
}

TEST(Ablation, RefusesAForeignFolderAndAnotherSweepsFolder) {
    TempDir dir;
    fs::create_directories(dir.file("mine"));
    std::ofstream(dir.file("mine/notes.txt")) << "keep me";
    EXPECT_THROW(run_ablation(tiny(dir.file("mine")), model_settings("gan", kTinyRing8)), UsageError);
    EXPECT_EQ(read_file(dir.file("mine/notes.txt")), "keep me");

    AblationOptions opt = tiny(dir.file("sweep"));
    opt.acts = "relu";
    opt.seeds = 1;
    run_ablation(opt, model_settings("gan", kTinyRing8));
    opt.steps = 30;
    try {
        run_ablation(opt, model_settings("gan", kTinyRing8));
        ADD_FAILURE() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("steps"), std::string::npos) << e.what();
    }
}

// Drops the last run's result (its result.csv and its row of results.csv), as if killed while
// that run trained, after its checkpoint at step 10, and returns that run's folder.
fs::path unfinish_last_run(const std::string& out) {
    const CsvTable complete = read_csv(out + "/results.csv");
    std::string text = csv_line(complete.columns);
    for (size_t i = 0; i + 1 < complete.rows.size(); ++i) text += csv_line(complete.rows[i]);
    std::ofstream(out + "/results.csv", std::ios::trunc) << text;
    const std::vector<std::string>& last = complete.rows.back();
    const fs::path run = fs::path(out) / "runs" / cell(complete, last, "arm") / ("seed" + cell(complete, last, "seed"));
    fs::remove(run / "result.csv");
    return run;
}

TEST(Ablation, ACheckpointThatFailsToLoadForAnotherReasonStopsTheSweepAndKeepsTheRun) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    // About 10k parameters: 80 kB to load, above the cap below, while the sweep's own files are under it.
    const std::vector<std::pair<std::string, std::string>> wider{
        {"data", "ring8"}, {"g_hidden", "64,64"}, {"d_hidden", "64,64"}, {"batch", "32"}};
    run_ablation(tiny(out), model_settings("gan", wider));
    const fs::path run = unfinish_last_run(out);
    const std::string ckpt = read_file((run / "checkpoint.safetensors").string());
    ASSERT_FALSE(ckpt.empty());
    // Too little memory to load it says nothing against the file.
    ::setenv("GENLAB_MEMORY_LIMIT", "50000", 1);
    try {
        run_ablation(tiny(out), model_settings("gan", wider));
        ADD_FAILURE() << "the sweep went on";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("memory"), std::string::npos) << msg;
        EXPECT_NE(msg.find("keeps"), std::string::npos) << msg;
    }
    ::unsetenv("GENLAB_MEMORY_LIMIT");
    EXPECT_EQ(read_file((run / "checkpoint.safetensors").string()), ckpt) << "the run's progress was discarded";
    EXPECT_TRUE(fs::exists(run / "metrics.csv"));
    const SweepResult r = run_ablation(tiny(out), model_settings("gan", wider));
    EXPECT_EQ(r.trained, 1);
    EXPECT_EQ(cell(read_csv(out + "/results.csv"), read_csv(out + "/results.csv").rows.back(), "resumed_from"), "20")
        << "resumed from the kept checkpoint";
}

TEST(Ablation, ADamagedCheckpointIsTrainedAgainFromTheStart) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    run_ablation(tiny(out), model_settings("gan", kTinyRing8));
    const fs::path run = unfinish_last_run(out);
    const std::string ckpt = read_file((run / "checkpoint.safetensors").string());
    std::ofstream(run / "checkpoint.safetensors", std::ios::trunc | std::ios::binary)
        << ckpt.substr(0, ckpt.size() / 2);
    const SweepResult r = run_ablation(tiny(out), model_settings("gan", kTinyRing8));
    EXPECT_EQ(r.trained, 1);
    const CsvTable after = read_csv(out + "/results.csv");
    EXPECT_EQ(cell(after, after.rows.back(), "resumed_from"), "0");
    EXPECT_EQ(cell(after, after.rows.back(), "status"), "done");
}

TEST(Ablation, ASweepFolderInUseIsRefusedNamingTheHolder) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    const FolderLock other(out, "--out");  // as another genlab-ablate on this --out holds it
    try {
        run_ablation(tiny(out), model_settings("gan", kTinyRing8));
        ADD_FAILURE() << "the second sweep was not refused";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(::getpid())), std::string::npos) << e.what();
    }
    EXPECT_TRUE(folder_is_empty(out));
}

TEST(Ablation, TheLrColumnIsTheArmsRateNotTheScheduledRateAtTheEnd) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    const AblationOptions opt{.model = "text",
                              .acts = "relu",
                              .lrs = "1e-3,3e-3",
                              .seeds = 1,
                              .steps = 4,
                              .diag_every = 2,
                              .threads = 1,
                              .out = out,
                              .quiet = true};
    run_ablation(opt, model_settings("text", {{"corpus", testing::kNames},
                                              {"hidden", "32"},
                                              {"n_embd", "8"},
                                              {"eval_batches", "2"},
                                              {"num_samples", "3"}}));
    const CsvTable t = read_csv(out + "/results.csv");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(cell(t, t.rows[0], "lr"), "0.001");
    EXPECT_EQ(cell(t, t.rows[1], "lr"), "0.003");
    EXPECT_NE(cell(t, t.rows[0], "final_lr"), "<no column final_lr>") << "the schedule's last rate, under its own name";
    const nlohmann::json s = testing::read_json(out + "/summary.json");
    EXPECT_EQ(s["arms"][1]["lr"], "0.003");
}

TEST(Ablation, ARerunWithOtherStepsNamesStepsNotTheDiagnosticsIntervalDerivedFromThem) {
    TempDir dir;
    AblationOptions opt = tiny(dir.file("sweep"));
    opt.acts = "relu";
    opt.seeds = 1;
    opt.diag_every = 0;  // steps / 10: differs whenever steps does
    run_ablation(opt, model_settings("gan", kTinyRing8));
    opt.steps = 30;
    try {
        run_ablation(opt, model_settings("gan", kTinyRing8));
        ADD_FAILURE() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--steps 20 vs 30"), std::string::npos) << e.what();
    }
}

TEST(Ablation, AModelFlagOnlyTheDataCanJudgeLeavesNoSweepFolder) {
    TempDir dir;
    auto settings = kTinyRing8;
    settings[0] = {"data_dir", dir.file("no-such-folder")};  // images, from a folder that is not there
    EXPECT_THROW(run_ablation(tiny(dir.file("sweep")), model_settings("gan", settings)), UsageError);
    EXPECT_FALSE(fs::exists(dir.file("sweep")));
}

TEST(Ablation, ArmsAndOptionsAreCheckedBeforeAnythingRuns) {
    TempDir dir;
    AblationOptions opt = tiny(dir.file("sweep"));
    opt.acts = "relu,relu";
    EXPECT_THROW(run_ablation(opt, model_settings("gan", kTinyRing8)), UsageError);
    opt.acts = "relu,softmax";
    EXPECT_THROW(run_ablation(opt, model_settings("gan", kTinyRing8)), UsageError);
    opt.acts = "relu";
    opt.inits = "torch,xavier";
    EXPECT_THROW(run_ablation(opt, model_settings("gan", kTinyRing8)), UsageError);
    AblationOptions ae = tiny(dir.file("sweep"));
    ae.model = "ae";
    ae.where = "g";
    EXPECT_THROW(run_ablation(ae, model_settings("ae", {})), UsageError);
    EXPECT_FALSE(fs::exists(dir.file("sweep")));

    opt.inits = "torch,gain";
    opt.acts = "relu,tanh";
    const std::vector<Arm> arms = ablation_arms(opt);
    ASSERT_EQ(arms.size(), 4u);
    EXPECT_EQ(arms[0].label, "relu-torch");
    EXPECT_EQ(arms[3].label, "tanh-gain");
    opt.acts = "";
    opt.inits = "";
    EXPECT_GE(ablation_arms(opt).size(), 11u) << "every elementwise activation of the registry";

    // Learning rates cross like inits; one spelling per rate.
    opt.acts = "gelu,relu";
    opt.lrs = "1e-3,0.0001";
    const std::vector<Arm> lr_arms = ablation_arms(opt);
    ASSERT_EQ(lr_arms.size(), 4u);
    EXPECT_EQ(lr_arms[0].label, "gelu-lr0.001");
    EXPECT_EQ(lr_arms[1].label, "gelu-lr0.0001");
    EXPECT_EQ(lr_arms[1].lr, "0.0001");
    opt.lrs = "1e-3,0.001";
    EXPECT_THROW(ablation_arms(opt), UsageError) << "the same rate twice";
    for (const char* bad : {"fast", "-1", "0", "1e-3,", "nan"}) {
        opt.lrs = bad;
        EXPECT_THROW(ablation_arms(opt), UsageError) << bad;
    }
}

TEST(Ablation, PresetsFillWhatTheUserLeftOut) {
    AblationOptions opt;
    opt.preset = "paper";
    opt.seeds = 5;  // given by the user: kept
    const auto model = apply_preset(opt, {"seeds"});
    EXPECT_EQ(opt.model, "ae");
    EXPECT_EQ(opt.acts, "gelu,elu,relu");
    EXPECT_EQ(opt.lrs, "1e-3,1e-4");
    EXPECT_EQ(opt.seeds, 5);
    EXPECT_EQ(ablation_arms(opt).size(), 6u);
    // The paper's autoencoder: 784-1000-500-250-30 and back, MSE, batch 64.
    const std::map<std::string, std::string> m(model.begin(), model.end());
    EXPECT_EQ(m.at("hidden"), "1000,500,250");
    EXPECT_EQ(m.at("latent"), "30");
    EXPECT_EQ(m.at("loss"), "mse");
    EXPECT_EQ(m.at("batch"), "64");
    std::unique_ptr<ConfigBox> cfg = model_settings("ae", model).make();
    cfg->resolve([](const std::string&) { return true; });  // the settings are valid flags of the model

    AblationOptions quick;
    quick.preset = "quick";
    const auto ring = apply_preset(quick, {});
    EXPECT_EQ(quick.model, "gan");
    EXPECT_EQ(ablation_arms(quick).size(), 10u) << "ten activations";
    EXPECT_EQ(quick.seeds, 2);
    EXPECT_EQ(ring, (std::vector<std::pair<std::string, std::string>>{{"data", "ring8"}}));

    // quick is for any one model; paper only for the autoencoder.
    AblationOptions quick_ae;
    quick_ae.preset = "quick";
    quick_ae.model = "ae";
    EXPECT_TRUE(apply_preset(quick_ae, {"model"}).empty());
    EXPECT_EQ(quick_ae.model, "ae");
    EXPECT_EQ(quick_ae.steps, 1000);
    EXPECT_EQ(ablation_arms(quick_ae).size(), 10u);
    AblationOptions clash;
    clash.preset = "paper";
    clash.model = "text";
    EXPECT_THROW(apply_preset(clash, {"model"}), UsageError) << "the paper preset is an ae sweep";
    AblationOptions none;
    EXPECT_TRUE(apply_preset(none, {}).empty());
}

}  // namespace
}  // namespace genlab::experiments
