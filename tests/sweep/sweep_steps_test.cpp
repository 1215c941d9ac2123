// A sweep in steps on the tiny ring8 GAN: planning is idempotent and refuses another sweep, tasks
// in any order then collect write the local sweep's results.csv, a task skips a finished run and
// leaves a claimed one, a partial sweep says so, status counts, an older sweep folder still reads,
// and a plan file that is not genlab's is a usage error.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "core/train/folder_lock.h"
#include "core/train/metrics_csv.h"
#include "sweep/ablation.h"
#include "sweep/collect.h"
#include "sweep/plan_file.h"
#include "sweep/sweep_task.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

const std::vector<std::pair<std::string, std::string>> kTinyRing8{
    {"data", "ring8"}, {"g_hidden", "16,16"}, {"d_hidden", "16,16"}, {"batch", "32"}};

AblationOptions tiny(const std::string& out) {
    return {.model = "gan",
            .acts = "relu,tanh",
            .seeds = 2,
            .steps = 20,
            .diag_every = 10,
            .cost_steps = 0,
            .threads = 1,
            .out = out,
            .quiet = true};
}

// The plan step as genlab-ablate plan takes it: the folder's lock, then the files.
SweepPlan plan_into(const AblationOptions& opt) {
    SweepPlan plan = plan_sweep(opt, model_settings("gan", kTinyRing8));
    const FolderLock lock(plan.opt.out, "--out");
    write_plan(plan);
    return plan;
}

SweepStatus collect_into(const std::string& dir) {
    const SweepPlan plan = read_plan(dir);
    const FolderLock lock(dir, "--out");
    return collect_sweep(plan);
}

// results.csv without the columns that time the runs.
std::vector<std::vector<std::string>> untimed(const std::string& path) {
    const CsvTable t = read_csv(path);
    std::vector<std::vector<std::string>> rows{t.columns};
    for (const auto& row : t.rows) rows.push_back(row);
    for (auto& row : rows)
        for (size_t c = t.columns.size(); c-- > 0;)
            if (t.columns[c] == "wall_s" || t.columns[c] == "ms_per_step") row.erase(row.begin() + c);
    return rows;
}

TEST(SweepSteps, PlanningAgainChangesNothingAndAnotherSweepIsRefused) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    const SweepPlan plan = plan_into(tiny(out));
    const std::string plan_json = read_file(out + "/plan.json"), tasks = read_file(out + "/tasks.txt");
    EXPECT_NE(tasks.find("3\ttanh\t2\tgenlab-ablate task --out " + out + " --index 3\n"), std::string::npos) << tasks;
    EXPECT_EQ(tasks[0], '#');
    const auto written = fs::last_write_time(out + "/plan.json");
    plan_into(tiny(out));
    EXPECT_EQ(read_file(out + "/plan.json"), plan_json);
    EXPECT_EQ(read_file(out + "/tasks.txt"), tasks);
    EXPECT_EQ(fs::last_write_time(out + "/plan.json"), written) << "not even rewritten";

    // The folder alone gives the same plan back.
    const SweepPlan back = read_plan(out);
    ASSERT_EQ(back.runs.size(), 4u);
    for (size_t k = 0; k < back.runs.size(); ++k) EXPECT_EQ(back.runs[k].dir, plan.runs[k].dir);
    EXPECT_EQ(back.identity, plan.identity);
    EXPECT_EQ(back.settings.values, plan.settings.values);

    AblationOptions other = tiny(out);
    other.steps = 30;
    testing::expect_error([&] { plan_into(other); }, {"--steps 20 vs 30"});
    EXPECT_THROW(plan_into(other), UsageError);
    EXPECT_EQ(read_file(out + "/plan.json"), plan_json);
}

TEST(SweepSteps, TasksInAnyOrderThenCollectWriteTheLocalSweepsResults) {
    TempDir dir;
    AblationOptions local = tiny(dir.file("local"));
    local.jobs = 2;  // two runs at once, one thread each
    local.threads = 2;
    run_ablation(local, model_settings("gan", kTinyRing8));

    plan_into(tiny(dir.file("tasks")));
    const SweepPlan plan = read_plan(dir.file("tasks"));
    for (size_t k : {3, 0, 2, 1}) EXPECT_EQ(run_task(plan, k, 1).result, TaskResult::Trained) << k;
    EXPECT_TRUE(collect_into(dir.file("tasks")).complete());
    EXPECT_EQ(untimed(dir.file("tasks/results.csv")), untimed(dir.file("local/results.csv")));
    EXPECT_EQ(read_csv(dir.file("tasks/results.csv")).rows.size(), 4u);
    EXPECT_EQ(read_file(dir.file("tasks/runs/tanh/seed1/result.csv")).empty(), false);
}

TEST(SweepSteps, ATaskSkipsAFinishedRunAndLeavesAClaimedOne) {
    TempDir dir;
    AblationOptions opt = tiny(dir.file("sweep"));
    opt.seeds = 1;
    const SweepPlan plan = plan_into(opt);
    const TaskOutcome first = run_task(plan, 0, 1);
    ASSERT_EQ(first.result, TaskResult::Trained) << first.detail;
    const std::string result = read_file(plan.runs[0].dir + "/result.csv");
    const TaskOutcome again = run_task(plan, 0, 1);
    EXPECT_EQ(again.result, TaskResult::Skipped);
    ASSERT_TRUE(again.row.has_value());
    EXPECT_EQ(again.row->seed, 1);
    EXPECT_EQ(read_file(plan.runs[0].dir + "/result.csv"), result);

    const FolderLock other(plan.runs[1].dir, "--index");  // as another task training run 1 holds it
    const TaskOutcome claimed = run_task(plan, 1, 1);
    EXPECT_EQ(claimed.result, TaskResult::Claimed);
    EXPECT_NE(claimed.detail.find("pid " + std::to_string(::getpid())), std::string::npos) << claimed.detail;
    EXPECT_FALSE(fs::exists(plan.runs[1].dir + "/result.csv"));
    EXPECT_TRUE(fs::exists(other.path())) << "the other process's lock is left alone";
}

TEST(SweepSteps, AFailedRunKeepsItsErrorUntilATaskTrainsItAgain) {
    TempDir dir;
    AblationOptions opt = tiny(dir.file("sweep"));
    opt.acts = "relu";
    opt.seeds = 1;
    const SweepPlan plan = plan_into(opt);
    ::setenv("GENLAB_MEMORY_LIMIT", "1000", 1);  // far too little for the model
    const TaskOutcome failed = run_task(plan, 0, 1);
    ::unsetenv("GENLAB_MEMORY_LIMIT");
    ASSERT_EQ(failed.result, TaskResult::Failed);
    EXPECT_NE(failed.detail.find("memory"), std::string::npos) << failed.detail;
    EXPECT_THROW(std::rethrow_exception(failed.error), Error);
    EXPECT_NE(read_file(plan.runs[0].dir + "/error.txt").find("memory"), std::string::npos);
    const RunStatus s = run_status(plan, plan.runs[0]);
    EXPECT_EQ(s.state, RunState::Failed);
    EXPECT_NE(s.detail.find("memory"), std::string::npos) << s.detail;

    EXPECT_EQ(run_task(plan, 0, 1).result, TaskResult::Trained);
    EXPECT_FALSE(fs::exists(plan.runs[0].dir + "/error.txt"));
    EXPECT_EQ(run_status(plan, plan.runs[0]).state, RunState::Done);
}

// Runs 0..3 of the tiny sweep left as: done, running (its lock held here), failed, pending.
struct MixedSweep {
    TempDir dir;
    std::string out = dir.file("sweep");
    SweepPlan plan;
    std::optional<FolderLock> running;

    MixedSweep() {
        AblationOptions opt = tiny(out);
        opt.cost_steps = 2;
        plan = plan_into(opt);
        run_task(plan, 0, 1);
        running.emplace(plan.runs[1].dir, "--index");
        fs::create_directories(plan.runs[2].dir);
        write_run_error(plan.runs[2], "out of memory: an allocation failed");
    }
};

TEST(SweepSteps, CollectingAPartialSweepListsTheUnfinishedRunsAndSaysSo) {
    MixedSweep m;
    const SweepStatus s = collect_into(m.out);
    EXPECT_EQ(s.finished(), 1u);
    EXPECT_EQ(read_csv(m.out + "/results.csv").rows.size(), 1u);
    EXPECT_FALSE(fs::exists(m.out + "/cost.csv")) << "costs wait for every run";
    const nlohmann::json summary = testing::read_json(m.out + "/summary.json");
    const nlohmann::json& partial = summary["partial"];
    EXPECT_EQ(partial["done"], 1);
    EXPECT_EQ(partial["runs"], 4);
    EXPECT_EQ(partial["running"], nlohmann::json::array({"relu seed 2"}));
    EXPECT_EQ(partial["pending"], nlohmann::json::array({"tanh seed 2"}));
    EXPECT_EQ(partial["failed"][0]["run"], "tanh seed 1");
    EXPECT_EQ(partial["failed"][0]["error"], "out of memory: an allocation failed");
    const std::string html = read_file(m.out + "/report.html");
    EXPECT_NE(html.find("partial: 1 of 4 runs done; running: relu seed 2; pending: tanh seed 2; failed: tanh seed 1 "
                        "(out of memory: an allocation failed)"),
              std::string::npos);

    // Collecting again writes the same files.
    const std::string results = read_file(m.out + "/results.csv"), sum = read_file(m.out + "/summary.json");
    collect_into(m.out);
    EXPECT_EQ(read_file(m.out + "/results.csv"), results);
    EXPECT_EQ(read_file(m.out + "/summary.json"), sum);
    EXPECT_EQ(read_file(m.out + "/report.html"), html);

    // Once every run has finished: no partial, and each arm's cost measured.
    m.running.reset();
    for (size_t k = 1; k < 4; ++k) EXPECT_EQ(run_task(m.plan, k, 1).result, TaskResult::Trained) << k;
    EXPECT_TRUE(collect_into(m.out).complete());
    EXPECT_FALSE(testing::read_json(m.out + "/summary.json").contains("partial"));
    EXPECT_EQ(read_file(m.out + "/report.html").find("partial:"), std::string::npos);
    EXPECT_TRUE(fs::exists(m.out + "/cost.csv"));
}

TEST(SweepSteps, StatusCountsEveryState) {
    MixedSweep m;
    const SweepStatus s = sweep_status(m.plan);
    for (RunState state : {RunState::Done, RunState::Running, RunState::Failed, RunState::Pending})
        EXPECT_EQ(s.count(state), 1u) << state_name(state);
    EXPECT_NE(s.runs[1].detail.find(" pid " + std::to_string(::getpid())), std::string::npos) << s.runs[1].detail;
    EXPECT_EQ(s.runs[2].detail, "out of memory: an allocation failed");

    TempDir dir;  // a run that diverges has finished, as diverged
    AblationOptions opt = tiny(dir.file("sweep"));
    opt.acts = "relu";
    opt.seeds = 1;
    SweepPlan plan = plan_sweep(opt, model_settings("gan", {{"data", "ring8"}, {"batch", "32"}, {"lr", "1e6"}}));
    {
        const FolderLock lock(plan.opt.out, "--out");
        write_plan(plan);
    }
    EXPECT_EQ(run_task(plan, 0, 1).result, TaskResult::Trained);
    EXPECT_EQ(sweep_status(plan).count(RunState::Diverged), 1u);
}

TEST(SweepSteps, AnOlderSweepFolderCountsTheRowsOfItsResultsAsDone) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    run_ablation(tiny(out), model_settings("gan", kTinyRing8));
    const std::string results = read_file(out + "/results.csv");
    // As the sweeps before plan.json wrote them: results.csv, no result per run.
    for (const char* file : {"plan.json", "tasks.txt"}) fs::remove(fs::path(out) / file);
    for (const auto& e : fs::recursive_directory_iterator(out))
        if (e.path().filename() == "result.csv") fs::remove(e.path());
    EXPECT_THROW(read_plan(out), UsageError) << "tasks need a plan";
    const SweepResult r = run_ablation(tiny(out), model_settings("gan", kTinyRing8));
    EXPECT_EQ(r.trained, 0);
    EXPECT_EQ(r.skipped, 4);
    EXPECT_EQ(read_file(out + "/results.csv"), results);
    EXPECT_TRUE(fs::exists(out + "/runs/relu/seed2/result.csv")) << "its row adopted";
}

TEST(SweepSteps, APlanFileThatIsNotGenlabsIsAUsageErrorNamingIt) {
    TempDir dir;
    const std::string out = dir.file("sweep");
    plan_into(tiny(out));
    const std::string good = read_file(out + "/plan.json");
    const std::string huge = "{\"tool\": \"genlab-ablate\", \"pad\": \"" + std::string(2 << 20, 'x') + "\"}";
    std::string wrong_type = good;
    wrong_type.replace(wrong_type.find("\"seeds\": 2"), 10, "\"seeds\": \"two\"");
    std::string bad_model = good;
    bad_model.replace(bad_model.find("\"data\": \"ring8\""), 15, "\"data\": 8");
    std::string unknown_flag = good;
    unknown_flag.replace(unknown_flag.find("\"data\""), 6, "\"nope\"");
    for (const std::string& text : {good.substr(0, good.size() / 2), std::string("[]"), std::string("not json"),
                                    std::string(100, '['), wrong_type, bad_model, unknown_flag, huge}) {
        testing::write_file(out + "/plan.json", text);
        testing::expect_error([&] { read_plan(out); }, {out + "/plan.json"});
        EXPECT_THROW(read_plan(out), UsageError) << text.substr(0, 80);
    }
    fs::remove(out + "/plan.json");
    fs::create_symlink(dir.file("elsewhere.json"), out + "/plan.json");
    testing::write_file(dir.file("elsewhere.json"), good);
    EXPECT_THROW(read_plan(out), UsageError) << "a link planted in the folder is not followed";

    testing::expect_error([&] { read_plan(dir.file("none")); }, {"no such folder"});
    fs::create_directories(dir.file("empty"));
    testing::expect_error([&] { read_plan(dir.file("empty")); }, {"no plan.json"});
}

}  // namespace
}  // namespace genlab::experiments
