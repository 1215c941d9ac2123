// genlab-ablate --slurm on a real single-node SLURM cluster (tests/cluster/slurm.sh starts it
// before these tests and stops it after; SLURM_CONF points at it). A sweep submitted as a job
// array gives the local sweep's results.csv; a task stopped by its time limit is requeued and ends
// with the uninterrupted run's result; collect while a task runs writes a partial report. Where
// SLURM cannot start, every test is skipped with the reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/train/folder_lock.h"
#include "sweep/subprocess.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;
using experiments::run_command;

// The ring8 GAN at a small size; runs on one thread, so a local and a cluster run are bit-equal.
const std::string kSweep = "--model gan --data ring8 --g-hidden 16,16 --d-hidden 16,16 --batch 32 --cost-steps 0 ";

// A job's state from scontrol ("COMPLETED", "RUNNING", ...); "" when SLURM no longer knows it.
std::string job_state(const std::string& id) {
    const auto r = run_command({"scontrol", "show", "job", id});
    std::smatch m;
    return std::regex_search(r.out, m, std::regex("JobState=([A-Z_]+)")) ? m[1].str() : "";
}

// Waits for a job to end; its final state. A bound only so that a broken cluster fails the test
// instead of hanging it: the jobs here take seconds to a minute.
std::string wait_for_job(const std::string& id, int bound_s = 300) {
    const auto t0 = std::chrono::steady_clock::now();
    for (;;) {
        const std::string s = job_state(id);
        if (s != "PENDING" && s != "RUNNING" && s != "COMPLETING" && s != "CONFIGURING" && s != "REQUEUED") return s;
        if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(bound_s)) return "still " + s;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
}

// results.csv without the columns that time the runs (and resumed_from, which says how a run
// was trained, not what it gave).
std::string without_timing(const std::string& csv) {
    std::istringstream in(csv);
    std::string line, out;
    std::vector<bool> keep;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream ls(line);
        for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
        if (!line.empty() && line.back() == ',') cells.emplace_back();
        if (keep.empty())
            for (const std::string& c : cells)
                keep.push_back(c != "wall_s" && c != "ms_per_step" && c != "resumed_from");
        for (size_t i = 0; i < cells.size(); ++i)
            if (i >= keep.size() || keep[i]) out += cells[i] + ",";
        out += "\n";
    }
    return out;
}

class SlurmTest : public testing::ProgramTest {
protected:
    SlurmTest() : ProgramTest("genlab-ablate") {}
    void SetUp() override {
        const char* conf = std::getenv("SLURM_CONF");
        if (!conf || !fs::exists(conf)) {
            const std::string why = conf ? testing::read_file((fs::path(conf).parent_path() / "skipped.txt").string())
                                         : "";
            GTEST_SKIP() << (why.empty() ? "no SLURM cluster (SLURM_CONF unset: tests/cluster/slurm.sh start)" : why);
        }
        ProgramTest::SetUp();
    }
    std::string out() const { return read("stdout.txt"); }
    std::string err() const { return read("stderr.txt"); }

    // Submits `flags` into folder `name`; the array's and the collect job's ids.
    std::pair<std::string, std::string> submit(const std::string& name, const std::string& flags) {
        const int rc = run("--slurm --out " + path(name) + " " + flags);
        EXPECT_EQ(rc, 0) << err();
        std::smatch m;
        const std::string o = out();
        if (!std::regex_search(o, m, std::regex("job array (\\d+) and their collect as job (\\d+)"))) {
            ADD_FAILURE() << "no job ids in: " << o << err();
            return {};
        }
        return {m[1].str(), m[2].str()};
    }
    std::string log_of(const std::string& name) const {
        std::string all;
        for (const auto& e : fs::directory_iterator(path(name) + "/slurm/logs"))
            all += e.path().filename().string() + ":\n" + testing::read_file(e.path().string());
        return all;
    }
};

TEST_F(SlurmTest, ASweepSubmittedAsAJobArrayEqualsTheLocalSweep) {
    const std::string sweep = kSweep + "--acts relu,leaky_relu:0.2 --seeds 2 --steps 200";
    const auto [array, collect] = submit("cluster", sweep + " --time 5 --cpus-per-task 1");
    ASSERT_FALSE(collect.empty());
    EXPECT_NE(out().find("genlab-ablate status --out " + path("cluster")), std::string::npos) << out();
    // The same sweep here, meanwhile: one job, one thread per run.
    ASSERT_EQ(run("--out " + path("local") + " " + sweep + " --jobs 1 --threads 1 --quiet"), 0) << err();
    ASSERT_EQ(wait_for_job(collect), "COMPLETED") << log_of("cluster");
    EXPECT_EQ(job_state(array), "COMPLETED");

    const std::string cluster_csv = testing::read_file(path("cluster/results.csv"));
    EXPECT_EQ(std::count(cluster_csv.begin(), cluster_csv.end(), '\n'), 5) << "header + 4 runs";
    EXPECT_EQ(without_timing(cluster_csv), without_timing(testing::read_file(path("local/results.csv"))));
    EXPECT_TRUE(fs::exists(path("cluster/report.html")));
    // The scripts stay in the folder, for a user to read, edit and submit by hand.
    const std::string script = testing::read_file(path("cluster/slurm/tasks.sbatch"));
    EXPECT_NE(script.find("#SBATCH --array=0-3\n"), std::string::npos) << script;
    EXPECT_NE(script.find("#SBATCH --signal=B:USR1@120\n"), std::string::npos) << script;
    EXPECT_NE(script.find(" task --out \"$dir\" --index \"$SLURM_ARRAY_TASK_ID\""), std::string::npos) << script;
}

// A run under a 1-minute limit, warned 55 s before it (SLURM sends the warning at its next
// 30-second check after second 5). The test pauses the training task (SIGSTOP) so that the run,
// a few seconds of work, is still mid-way when the warning comes, and lets it go on once the batch
// script has passed the warning on: the task saves its checkpoint and is requeued, resumes, and
// ends with the result of the same run trained in one go.
TEST_F(SlurmTest, ATaskStoppedByItsTimeLimitIsRequeuedAndEndsAsIfUninterrupted) {
    const std::string sweep = kSweep + "--acts leaky_relu:0.2 --seeds 1 --steps 60000";
    const auto [array, collect] = submit("cluster", sweep + " --time 1 --signal-before 55");
    ASSERT_FALSE(collect.empty());
    // The task's pid, from the lock it holds on its run's folder ("host pid start").
    const std::string lock = path("cluster/runs/leaky_relu:0.2/seed1/") + kFolderLockName;
    pid_t task = 0;
    for (int i = 0; i < 600 && task == 0; ++i) {
        if (LockHolder h; read_lock_holder(lock, h)) task = static_cast<pid_t>(h.pid);
        if (task == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GT(task, 0) << log_of("cluster");
    ASSERT_EQ(kill(task, SIGSTOP), 0);
    // Collect while the task runs: the run is listed as unfinished and the report says so.
    ASSERT_EQ(run("collect --out " + path("cluster")), 0) << err();
    EXPECT_NE(read("cluster/report.html").find("partial: 0 of 1 runs done"), std::string::npos);
    // The same run in one go, meanwhile.
    ASSERT_EQ(run("--out " + path("local") + " " + sweep + " --jobs 1 --threads 1 --quiet"), 0) << err();
    for (int i = 0; i < 1200 && log_of("cluster").find("time limit is near") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kill(task, SIGCONT);

    ASSERT_EQ(wait_for_job(collect), "COMPLETED") << log_of("cluster");
    const std::string log = log_of("cluster");
    EXPECT_NE(log.find("interrupted at step"), std::string::npos) << log;
    EXPECT_NE(log.find("requeueing task 0"), std::string::npos) << log;
    const std::string csv = testing::read_file(path("cluster/results.csv"));
    EXPECT_NE(csv.find(",done,"), std::string::npos) << csv;
    EXPECT_EQ(without_timing(csv), without_timing(testing::read_file(path("local/results.csv")))) << log;
    EXPECT_EQ(read("cluster/report.html").find("partial:"), std::string::npos) << "the final collect is whole";
}

TEST_F(SlurmTest, RefusedSubmissionsAreOneLineAndExitTwo) {
    EXPECT_EQ(run("--slurm --out " + path("s") + " " + kSweep + "--acts relu --seeds 1 --steps 20 --partition nosuch"),
              2);
    EXPECT_NE(err().find("sbatch refused tasks.sbatch:"), std::string::npos) << err();
    const std::string e = err();
    EXPECT_NE(e.find("nosuch"), std::string::npos) << e;
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
    EXPECT_EQ(run("--slurm --out " + path("s") + " " + kSweep + "--acts relu --seeds 1 --steps 20 --time 0"), 2);
    EXPECT_NE(err().find("--time 0"), std::string::npos) << err();
}

}  // namespace
}  // namespace genlab
