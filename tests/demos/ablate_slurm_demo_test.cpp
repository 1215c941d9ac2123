// genlab-ablate --slurm without a cluster: --dry-run plans the sweep, writes the two batch scripts
// (valid bash, with the options asked for) and prints the sbatch lines; SLURM flags without
// --slurm, and --slurm where sbatch cannot run, are one-line usage errors. The submission itself
// is tested on a real cluster (tests/cluster/slurm_test.cpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/test_util.h"

namespace genlab {
namespace {

const std::string kSweep = "--model gan --data ring8 --g-hidden 16,16 --d-hidden 16,16 --acts relu,gelu --seeds 2 "
                           "--steps 20 ";

class AblateSlurmDemoTest : public testing::ProgramTest {
protected:
    AblateSlurmDemoTest() : ProgramTest("genlab-ablate") {}
    std::string out() const { return read("stdout.txt"); }
    std::string err() const { return read("stderr.txt"); }
};

TEST_F(AblateSlurmDemoTest, DryRunWritesTheBatchScriptsAndPrintsTheSbatchLines) {
    ASSERT_EQ(run("--slurm --dry-run --out " + path("s") + " " + kSweep +
                  "--time 30 --cpus-per-task 2 --mem-gb 3 --array-parallelism 2 --partition short "
                  "--sbatch-arg=--account=lab"),
              0)
        << err();
    const std::string tasks = read("s/slurm/tasks.sbatch"), collect = read("s/slurm/collect.sbatch");
    for (const char* line : {"#SBATCH --array=0-3%2\n", "#SBATCH --time=30\n", "#SBATCH --cpus-per-task=2\n",
                             "#SBATCH --mem=3000M\n", "#SBATCH --partition=short\n", "#SBATCH --account=lab\n",
                             "#SBATCH --signal=B:USR1@120\n", "#SBATCH --requeue\n"})
        EXPECT_NE(tasks.find(line), std::string::npos) << line << tasks;
    EXPECT_NE(collect.find(" collect --out "), std::string::npos) << collect;
    EXPECT_NE(collect.find("#SBATCH --account=lab\n"), std::string::npos) << collect;
    for (const std::string script : {"s/slurm/tasks.sbatch", "s/slurm/collect.sbatch"})
        EXPECT_EQ(std::system(("bash -n '" + path(script) + "'").c_str()), 0) << script;
    // The plan is there for the tasks, and the lines to submit by hand are printed.
    EXPECT_NE(read("s/tasks.txt").find("task --out"), std::string::npos);
    EXPECT_NE(out().find("sbatch --parsable " + path("s/slurm/tasks.sbatch")), std::string::npos) << out();
    EXPECT_NE(out().find("--dependency=afterany:"), std::string::npos) << out();

    // Without --mem-gb, the memory is genlab's estimate, in MB; a short limit halves the warning.
    ASSERT_EQ(run("--slurm --dry-run --out " + path("s") + " " + kSweep + "--time 2"), 0) << err();
    EXPECT_NE(read("s/slurm/tasks.sbatch").find("#SBATCH --mem=1100M\n"), std::string::npos)
        << read("s/slurm/tasks.sbatch");
    EXPECT_NE(read("s/slurm/tasks.sbatch").find("#SBATCH --signal=B:USR1@60\n"), std::string::npos);
}

TEST_F(AblateSlurmDemoTest, SlurmFlagsAreUsageErrorsOnOneLine) {
    auto one_line_error = [&](const std::string& args, const std::string& says) {
        EXPECT_EQ(run(args), 2) << args;
        const std::string e = err();
        EXPECT_NE(e.find(says), std::string::npos) << e;
        EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
    };
    one_line_error("--out " + path("a") + " " + kSweep + "--time 5", "--slurm");
    one_line_error("--slurm --dry-run --out " + path("b") + " " + kSweep + "--time 1 --signal-before 90",
                   "--signal-before 90");
    one_line_error("--slurm --dry-run " + kSweep, "--out");
    one_line_error("--slurm --dry-run --out " + path("c") + " " + kSweep + "--sbatch-arg=account", "--sbatch-arg");
    // Not on a cluster: sbatch cannot be found on PATH.
    const char* saved = std::getenv("PATH");
    const std::string old = saved ? saved : "";
    ::setenv("PATH", "/nonexistent", 1);
    const int rc = run("--slurm --out " + path("d") + " " + kSweep);
    ::setenv("PATH", old.c_str(), 1);
    EXPECT_EQ(rc, 2);
    EXPECT_NE(err().find("cannot run sbatch"), std::string::npos) << err();
}

}  // namespace
}  // namespace genlab
