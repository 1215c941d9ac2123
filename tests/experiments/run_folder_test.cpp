// What train() does with its output folder beyond the Trainer's files: one writer per folder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/train/folder_lock.h"
#include "experiments/runner.h"
#include "tests/experiments/experiment_cases.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

namespace fs = std::filesystem;

const testing::ExperimentCase kRing8{
    "", "gan", {{"data", "ring8"}, {"g_hidden", "16,16"}, {"d_hidden", "16,16"}, {"batch", "32"}}};

RunOptions tiny_run(const std::string& out) { return {.steps = 4, .seed = 1, .threads = 1, .out = out, .quiet = true}; }

TEST(RunFolder, ASecondRunOnAFolderInUseIsRefusedNamingTheHolder) {
    testing::TempDir tmp;
    const std::string out = tmp.file("run");
    const FolderLock other(out, "--out");  // as another training on this --out holds it
    try {
        train(gan_experiment(), *testing::case_config(kRing8), tiny_run(out));
        ADD_FAILURE() << "the second run was not refused";
    } catch (const UsageError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("pid " + std::to_string(::getpid())), std::string::npos) << msg;
        EXPECT_NE(msg.find("--out"), std::string::npos) << msg;
    }
    EXPECT_TRUE(folder_is_empty(out)) << "nothing written beside the holder's files";
}

TEST(RunFolder, TheLockIsReleasedWhenTheRunEnds) {
    testing::TempDir tmp;
    const std::string out = tmp.file("run");
    train(gan_experiment(), *testing::case_config(kRing8), tiny_run(out));
    EXPECT_FALSE(fs::exists(out + "/" + kFolderLockName));
    RunOptions again = tiny_run(out);
    again.steps = 6;
    again.resume = out + "/checkpoint.safetensors";
    train(gan_experiment(), *testing::case_config(kRing8), again);  // free for the next run
}

}  // namespace
}  // namespace genlab::experiments
