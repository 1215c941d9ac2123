// What train() does with its output folder beyond the Trainer's files: one writer per folder,
// --force over an earlier run never leaving the new config beside the old checkpoint, and the
// memory check repeated once the data has decided the model's size.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "core/io/safetensors.h"
#include "core/train/folder_lock.h"
#include "core/train/run_dir.h"
#include "experiments/runner.h"
#include "tests/data_test_files.h"
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

// A sample writes its folder under the same lock as a run: a second writer on that --out is
// refused, naming the holder, before anything is written, and the lock goes when the sample ends.
TEST(RunFolder, ASampleLocksItsFolderAndIsRefusedWhenItIsInUse) {
    testing::TempDir tmp;
    const std::string trained = tmp.file("run"), out = tmp.file("s");
    train(gan_experiment(), *testing::case_config(kRing8), tiny_run(trained));
    const LoadedRun run = load_run(trained + "/checkpoint.safetensors", "gan");
    const SampleOptions opt{.checkpoint = trained + "/checkpoint.safetensors", .threads = 1, .out = out};
    const std::unique_ptr<ConfigBox> flags = gan_experiment().new_sample_config();
    {
        const FolderLock other(out, "--out");  // as another sample or training on this --out holds it
        try {
            gan_experiment().sample(run, opt, *flags);
            ADD_FAILURE() << "the sample into a folder in use was not refused";
        } catch (const FolderInUse& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("pid " + std::to_string(::getpid())), std::string::npos) << msg;
        }
        EXPECT_TRUE(folder_is_empty(out)) << "nothing written beside the holder's files";
    }
    gan_experiment().sample(run, opt, *flags);
    EXPECT_TRUE(fs::exists(out + "/config.json"));
    EXPECT_TRUE(fs::exists(out + "/scatter.png"));
    EXPECT_FALSE(fs::exists(out + "/" + kFolderLockName));
}

// Without --out a run picks outputs/<experiment>/<stamp>; a second run started in the same
// second finds that folder locked and takes the next name instead of being refused.
TEST(RunFolder, ADefaultFolderInUseMovesOnToTheNextName) {
    testing::TempDir tmp;
    const fs::path cwd = fs::current_path();
    fs::current_path(tmp.path());
    std::string taken, got;
    {
        taken = default_out_dir("gan");
        const FolderLock other(taken, "--out");  // the first run's, if the clock has not moved on
        RunOptions run = tiny_run("");
        try {
            got = train(gan_experiment(), *testing::case_config(kRing8), run).out_dir;
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
        }
    }
    fs::current_path(cwd);
    EXPECT_NE(got, taken);
    EXPECT_TRUE(fs::exists(tmp.file(got + "/checkpoint.safetensors"))) << got;
}

// A forced run that dies before its first checkpoint (here a hook throws at step 1, which leaves
// the folder as a kill at that moment would) must not leave the old run's checkpoint and pictures
// beside its own config.json: the old run is moved aside before anything new is written.
TEST(RunFolder, ForceMovesTheEarlierRunAsideBeforeWritingAnything) {
    testing::TempDir tmp;
    const std::string out = tmp.file("run");
    train(gan_experiment(), *testing::case_config(kRing8), tiny_run(out));
    ASSERT_TRUE(fs::exists(out + "/checkpoint.safetensors"));
    ASSERT_TRUE(fs::exists(out + "/scatter.png"));

    fs::create_directories(tmp.file(".run.replaced/old"));  // left by a replacement killed while removing

    testing::ExperimentCase other = kRing8;
    other.settings.emplace_back("latent", "4");
    RunOptions forced = tiny_run(out);
    forced.force = true;
    TrainHooks killed;
    killed.after_step = [](int, Experiment&) { throw std::runtime_error("killed"); };
    EXPECT_THROW(train(gan_experiment(), *testing::case_config(other), forced, killed), std::runtime_error);
    EXPECT_FALSE(fs::exists(out + "/checkpoint.safetensors")) << "the old checkpoint beside the new config.json";
    EXPECT_FALSE(fs::exists(out + "/scatter.png"));
    EXPECT_NE(testing::read_file(out + "/config.json").find("\"latent\": 4"), std::string::npos);
    for (const auto& e : fs::directory_iterator(tmp.path()))
        EXPECT_EQ(e.path().filename(), "run") << "nothing left beside the folder: " << e.path();

    // The forced run, rerun with --force, trains to its end.
    train(gan_experiment(), *testing::case_config(other), forced);
    EXPECT_EQ(load_safetensors(out + "/checkpoint.safetensors").meta("step", "ckpt"), "4");
}

// An IDX folder with one `side` x `side` image per split.
std::string write_images(const testing::TempDir& tmp, int side) {
    const std::string dir = tmp.file("idx");
    fs::create_directories(dir);
    const uint32_t s = static_cast<uint32_t>(side);
    for (const char* split : {"train", "t10k"}) {
        testing::write_bytes(dir + "/" + split + "-images-idx3-ubyte",
                             testing::idx_header({1, s, s}) + testing::ramp(static_cast<size_t>(side) * side));
        testing::write_bytes(dir + "/" + split + "-labels-idx1-ubyte", testing::idx_header({1}) + std::string(1, '\0'));
    }
    return dir;
}

// 96x96 images make both image models about ten times their 28x28 size (some 270 MB to train):
// the estimate made from the config alone (28x28) fits under a 100 MB cap, the real one does not.
class MemoryOnceTheDataIsKnown : public ::testing::TestWithParam<testing::ExperimentCase> {};

TEST_P(MemoryOnceTheDataIsKnown, AModelTheImagesMakeTooLargeIsRefusedBeforeItIsBuilt) {
    testing::TempDir tmp;
    testing::ExperimentCase c = GetParam();
    c.settings.emplace_back("data_dir", write_images(tmp, 96));
    const std::string out = tmp.file("run");
    ::setenv("GENLAB_MEMORY_LIMIT", "100M", 1);
    try {
        train(find_experiment(c.experiment), *testing::case_config(c), tiny_run(out));
        ADD_FAILURE() << "trained a model larger than the memory cap";
    } catch (const UsageError& e) {
        const std::string msg = e.what();
        for (const char* part : {"96x96 images", "needs about", "100 MB", "smaller images"})
            EXPECT_NE(msg.find(part), std::string::npos) << part << " in: " << msg;
    }
    ::unsetenv("GENLAB_MEMORY_LIMIT");
    EXPECT_FALSE(fs::exists(out)) << "refused before anything was written";
}

INSTANTIATE_TEST_SUITE_P(ImageModels, MemoryOnceTheDataIsKnown,
                         ::testing::Values(testing::ExperimentCase{"Gan", "gan", {{"batch", "1"}, {"fd_samples", "0"}}},
                                           testing::ExperimentCase{"Ae", "ae", {{"batch", "1"}}}),
                         [](const ::testing::TestParamInfo<testing::ExperimentCase>& i) { return i.param.label; });

}  // namespace
}  // namespace genlab::experiments
