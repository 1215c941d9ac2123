// Reading a sweep folder back: arms in the sweep's order, only this sweep's rows, statistics over
// the finished seeds; files that are not a sweep's are clear errors.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "sweep/sweep_data.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

using genlab::testing::write_file;

namespace fs = std::filesystem;

void write_sweep(const testing::TempDir& dir, const std::string& arms_json) {
    write_file(dir.file("ablation.json"), R"({"tool": "genlab-ablate", "sweep": {"model": "gan", "steps": 20,
        "config": {"data": "ring8"}}, "quality": [{"metric": "modes_covered", "better": "higher"}]})");
    write_file(dir.file("summary.json"), "{\"arms\": " + arms_json + "}");
    write_file(dir.file("results.csv"),
               "arm,activation,init,lr,seed,status,diverged_step,resumed_from,steps,wall_s,ms_per_step,modes_covered\n"
               "relu,relu,,,1,done,,0,20,1.5,75,2\n"
               "relu,relu,,,2,diverged,7,0,20,1,,\n"
               "tanh,tanh,,,1,done,,0,20,1.5,75,8\n"
               "tanh,tanh,,,2,done,,0,20,1.5,75,6\n"
               "tanh,tanh,,,3,done,,0,20,1.5,75,1\n"    // a seed of an earlier, larger sweep
               "gelu,gelu,,,1,done,,0,20,1.5,75,5\n");  // an arm this sweep does not have
}

TEST(SweepData, ReadsThisSweepsArmsRowsAndStatistics) {
    testing::TempDir dir;
    write_sweep(dir, R"([{"arm": "tanh", "activation": "tanh", "seeds": [1, 2], "diverged_seeds": [], "rank": 1},
                         {"arm": "relu", "activation": "relu", "seeds": [1], "diverged_seeds": [2], "rank": 2}])");
    const SweepData s = load_sweep(dir.path().string());
    EXPECT_EQ(s.model, "gan");
    ASSERT_EQ(s.quality.size(), 1u);
    EXPECT_EQ(s.quality[0].better, Better::Higher);
    ASSERT_EQ(s.arms.size(), 2u);
    EXPECT_EQ(s.arms[0].label, "tanh");
    EXPECT_EQ(s.arms[0].runs.size(), 2u) << "seed 3 is not this sweep's";
    const Stats t = s.arms[0].stats("modes_covered");
    EXPECT_EQ(t.values, (std::vector<double>{8, 6}));
    EXPECT_DOUBLE_EQ(t.mean, 7);
    EXPECT_NEAR(t.std, std::sqrt(2.0), 1e-12);
    ASSERT_EQ(s.arms[1].runs.size(), 2u);
    EXPECT_TRUE(s.arms[1].runs[1].diverged);
    EXPECT_EQ(s.arms[1].runs[1].diverged_step, 7);
    EXPECT_EQ(s.arms[1].done().size(), 1u);
    EXPECT_EQ(s.arms[1].stats("modes_covered").n(), 1u);
    EXPECT_EQ(s.config()["data"], "ring8");
}

TEST(SweepData, FilesThatAreNotASweepsAreErrors) {
    testing::TempDir dir;
    EXPECT_THROW(load_sweep(dir.path().string()), Error) << "no ablation.json";
    write_sweep(dir, R"([{"arm": "../../etc", "activation": "relu", "seeds": [1]}])");
    testing::expect_error([&] { load_sweep(dir.path().string()); }, {"summary.json", "not a sweep's arm label"});
    write_sweep(dir, R"("no list")");
    testing::expect_error([&] { load_sweep(dir.path().string()); }, {"summary.json", "no arms"});
    write_file(dir.file("ablation.json"), std::string(100000, '[') + std::string(100000, ']'));
    testing::expect_error([&] { load_sweep(dir.path().string()); }, {"ablation.json", "nested deeper"});
    write_file(dir.file("ablation.json"), "[1, 2]");
    testing::expect_error([&] { load_sweep(dir.path().string()); }, {"ablation.json", "not a JSON object"});
}

// A rerun or a report reads the folder's tables: one that is not a regular file is an Error before
// it is read (a FIFO would block forever, a link to /dev/zero fill memory), never a hang or a
// table silently left out.
TEST(SweepDataHostile, TablesThatAreNotRegularFilesAreRefused) {
    testing::TempDir dir;
    write_sweep(dir, R"([{"arm": "tanh", "activation": "tanh", "seeds": [1, 2], "rank": 1}])");
    fs::rename(dir.file("results.csv"), dir.file("real.csv"));
    ASSERT_EQ(::mkfifo(dir.file("results.csv").c_str(), 0600), 0);
    testing::expect_error([&] { load_sweep(dir.path().string()); }, {"results.csv", "pipe"});
    fs::remove(dir.file("results.csv"));
    fs::create_symlink(dir.file("real.csv"), dir.file("results.csv"));
    testing::expect_error([&] { load_sweep(dir.path().string()); }, {"results.csv", "symbolic link"});
    fs::remove(dir.file("results.csv"));
    fs::rename(dir.file("real.csv"), dir.file("results.csv"));

    const SweepData s = load_sweep(dir.path().string());
    const SweepRun& run = s.arms[0].runs[0];
    fs::create_directories(run.dir);
    EXPECT_TRUE(run_metrics(run).columns.empty()) << "absent: no table";
    ASSERT_EQ(::mkfifo((fs::path(run.dir) / "metrics.csv").c_str(), 0600), 0);
    testing::expect_error([&] { run_metrics(run); }, {"metrics.csv", "pipe"});
    fs::create_symlink("/dev/zero", fs::path(run.dir) / "diagnostics.csv");
    testing::expect_error([&] { run_diagnostics(run); }, {"diagnostics.csv", "symbolic link"});
}

}  // namespace
}  // namespace genlab::experiments
