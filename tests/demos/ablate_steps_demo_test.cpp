// End-to-end tests of genlab-ablate's steps on the tiny ring8 GAN: plan, task (by --index or
// SLURM_ARRAY_TASK_ID), status and collect from the command line; two processes given one index
// never both train it; a failed run exits 1 and status names its error; wrong input exits 2 with
// one clear line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "core/train/folder_lock.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

class AblateStepsDemoTest : public testing::ProgramTest {
protected:
    AblateStepsDemoTest() : ProgramTest("genlab-ablate") {}
    void SetUp() override {
        ProgramTest::SetUp();
        ::unsetenv("SLURM_ARRAY_TASK_ID");
    }
    std::string out() const { return read("stdout.txt"); }
    std::string err() const { return read("stderr.txt"); }
    // Plans the tiny sweep (`acts` x 1 seed, `steps` steps) into folder "s".
    void plan(const std::string& acts, int steps = 20) {
        ASSERT_EQ(run("plan --acts " + acts + " --seeds 1 --steps " + std::to_string(steps) + " --out " + path("s") +
                      " --cost-steps 0 --model gan --data ring8 --g-hidden 16,16 --d-hidden 16,16 --batch 32 "
                      "--threads 1"),
                  0)
            << err();
    }
};

TEST_F(AblateStepsDemoTest, PlanTasksStatusAndCollectFromTheCommandLine) {
    plan("relu,tanh");
    EXPECT_EQ(out(), "genlab-ablate: planned 2 runs in " + path("s") + "; run each with: genlab-ablate task --out " +
                         path("s") + " --index K (K = 0..1)\n");
    ASSERT_EQ(run("status --out " + path("s")), 0) << err();
    EXPECT_NE(out().find("2 runs: 0 done, 0 diverged, 0 running, 2 pending, 0 failed"), std::string::npos) << out();

    ASSERT_EQ(run("task --out " + path("s") + " --index 1"), 0) << err();
    EXPECT_NE(out().find("run 1 (tanh seed 1): modes_covered"), std::string::npos) << out();
    EXPECT_TRUE(fs::exists(path("s/runs/tanh/seed1/result.csv")));
    ::setenv("SLURM_ARRAY_TASK_ID", "0", 1);  // a SLURM array's task gives its index so
    ASSERT_EQ(run("task --out " + path("s")), 0) << err();
    ::unsetenv("SLURM_ARRAY_TASK_ID");
    EXPECT_NE(out().find("run 0 (relu seed 1)"), std::string::npos) << out();
    ASSERT_EQ(run("task --out " + path("s") + " --index 1"), 0) << err();
    EXPECT_EQ(out(), "genlab-ablate: run 1 (tanh seed 1) already done\n");

    ASSERT_EQ(run("collect --out " + path("s")), 0) << err();
    EXPECT_NE(out().find("collected 2 of 2 runs"), std::string::npos) << out();
    const std::string csv = testing::read_file(path("s/results.csv"));
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;
    EXPECT_TRUE(fs::exists(path("s/report.html")));
    ASSERT_EQ(run("status --out " + path("s")), 0) << err();
    EXPECT_NE(out().find("2 done"), std::string::npos) << out();
}

TEST_F(AblateStepsDemoTest, ARunClaimedByAnotherProcessIsLeftToIt) {
    plan("relu");
    {
        const FolderLock other(path("s/runs/relu/seed1"), "--out");  // as a task training it holds it
        ASSERT_EQ(run("task --out " + path("s") + " --index 0"), 0) << err();
        EXPECT_NE(out().find("run 0 (relu seed 1) is claimed by host "), std::string::npos) << out();
        EXPECT_NE(out().find(" pid " + std::to_string(::getpid()) + "; leaving it"), std::string::npos) << out();
        EXPECT_FALSE(fs::exists(path("s/runs/relu/seed1/result.csv")));
        ASSERT_EQ(run("status --out " + path("s")), 0) << err();
        EXPECT_NE(out().find("1 running"), std::string::npos) << out();
    }
    ASSERT_EQ(run("collect --out " + path("s")), 0) << err();
    EXPECT_NE(out().find("the sweep is partial"), std::string::npos) << out();
    EXPECT_NE(err().find("partial: 0 of 1 runs done; pending: relu seed 1"), std::string::npos) << err();
}

TEST_F(AblateStepsDemoTest, TwoProcessesGivenOneIndexTrainItOnce) {
    plan("relu", 300);  // about a second of training: the two overlap
    // Both at once, each writing its output to <name>.txt and its exit status to <name>.rc.
    const auto task = [&](const std::string& name) {
        return "('" + binary_ + "' task --out " + path("s") + " --index 0 > " + path(name + ".txt") +
               " 2>&1; echo $? > " + path(name + ".rc") + ")";
    };
    ASSERT_EQ(std::system((task("a") + " & " + task("b") + " & wait").c_str()), 0);
    const std::string a = read("a.txt"), b = read("b.txt");
    EXPECT_EQ(read("a.rc"), "0\n") << a;
    EXPECT_EQ(read("b.rc"), "0\n") << b;
    const auto trained = [](const std::string& t) { return t.find("; wrote ") != std::string::npos; };
    const auto left = [](const std::string& t) {  // claimed while the other trained, or found it done
        return t.find("; leaving it") != std::string::npos || t.find("already done") != std::string::npos;
    };
    EXPECT_TRUE((trained(a) && left(b)) || (trained(b) && left(a))) << a << "\n" << b;
    ASSERT_EQ(run("task --out " + path("s") + " --index 0"), 0) << err();
    EXPECT_NE(out().find("already done"), std::string::npos) << out();
}

TEST_F(AblateStepsDemoTest, AFailedRunExitsOneAndStatusNamesItsError) {
    plan("relu");
    // A folder where the run's checkpoint would be: the run cannot resume from it, nor start over.
    fs::create_directories(path("s/runs/relu/seed1/checkpoint.safetensors"));
    EXPECT_EQ(run("task --out " + path("s") + " --index 0"), 1) << err();
    EXPECT_NE(err().find("run 0 (relu seed 1) failed: "), std::string::npos) << err();
    EXPECT_TRUE(fs::exists(path("s/runs/relu/seed1/error.txt")));
    ASSERT_EQ(run("status --out " + path("s")), 0) << err();
    EXPECT_NE(out().find("1 failed"), std::string::npos) << out();
    EXPECT_NE(out().find("failed: run 0 (relu seed 1): "), std::string::npos) << out();
    EXPECT_NE(out().find("checkpoint.safetensors"), std::string::npos) << out();
}

TEST_F(AblateStepsDemoTest, WrongInputIsOneLineAndExitTwo) {
    plan("relu");
    const auto one_line_with = [&](const std::string& args, const std::string& what) {
        EXPECT_EQ(run(args), 2) << args << ": " << err();
        const std::string e = err();
        EXPECT_NE(e.find(what), std::string::npos) << args << ": " << e;
        EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << args << ": " << e;
    };
    one_line_with("task --out " + path("s"), "give --index K (or set SLURM_ARRAY_TASK_ID)");
    one_line_with("task --out " + path("s") + " --index two", "--index two: not a run index");
    one_line_with("task --out " + path("s") + " --index 1", "has 1 runs (0..0)");
    one_line_with("task --index 0", "--out");
    one_line_with("task --out " + path("none") + " --index 0", "no such folder");
    one_line_with("collect --out " + path("none"), "no such folder");
    one_line_with("status --out " + path(""), "no plan.json");
    testing::write_file(path("s/plan.json"), "{\"tool\": \"genlab-ablate\", \"options\": {");
    one_line_with("task --out " + path("s") + " --index 0", "plan.json");
    one_line_with("plan --acts relu --preset claims --out " + path("p"), "study");
}

}  // namespace
}  // namespace genlab
