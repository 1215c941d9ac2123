// SIGKILL during training and saving, again and again: every time, the checkpoint on disk loads
// and holds finite values, --resume continues from it, temp files of killed saves do not pile
// up, and metrics.csv keeps strictly increasing steps.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/io/safetensors.h"
#include "core/train/metrics_csv.h"
#include "tests/test_util.h"

extern char** environ;

namespace genlab {
namespace {

namespace fs = std::filesystem;

const std::string kGan = GENLAB_BINARY_DIR "/bin/genlab-gan";

// Starts genlab-gan with `args` (output to /dev/null); returns its pid.
pid_t start(const std::vector<std::string>& args) {
    std::vector<std::string> all{kGan};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, kGan.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

size_t temp_files(const fs::path& dir) {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir))
        n += e.path().filename().string().find(".tmp-") != std::string::npos;
    return n;
}

// The inode of `file` (0 when absent). A save replaces the checkpoint by rename, so a new inode
// means a new save has landed.
ino_t inode(const fs::path& file) {
    struct stat st = {};
    return ::stat(file.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Waits until the run `pid` has replaced `ckpt` (its inode differs from `before`) or has exited;
// true when a save landed. Polls without a deadline of its own: however slow the machine, the
// run either saves or ends (and ctest's timeout bounds a hang).
bool wait_for_a_save(pid_t pid, const fs::path& ckpt, ino_t before) {
    while (true) {
        const ino_t now = inode(ckpt);
        if (now != 0 && now != before) return true;
        if (::waitpid(pid, nullptr, WNOHANG) == pid) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void expect_consistent(const fs::path& out, int round) {
    const fs::path ckpt = out / "checkpoint.safetensors";
    if (fs::exists(ckpt)) {
        const StateDict sd = load_safetensors(ckpt.string());  // throws on a torn file
        EXPECT_EQ(sd.first_non_finite(), nullptr) << "round " << round;
    }

    if (fs::exists(out / "metrics.csv")) {
        const std::vector<double> steps = read_metrics_csv((out / "metrics.csv").string()).steps();
        for (size_t i = 1; i < steps.size(); ++i) ASSERT_LT(steps[i - 1], steps[i]) << "round " << round;
    }
    if (fs::exists(out)) {
        EXPECT_LE(temp_files(out), 1u) << "round " << round << ": temp files pile up";
    }
}

TEST(KillDuringSaves, EveryKillLeavesALoadableCheckpointAndResumeContinues) {
    if (!fs::exists(kGan)) GTEST_SKIP() << kGan << " is not built";
    testing::TempDir dir;
    const fs::path out = dir.path() / "run";
    const std::vector<std::string> flags{"train", "--data",    "ring8", "--g-hidden",   "64,64", "--d-hidden",
                                         "64,64", "--steps",   "4000",  "--save-every", "1",     "--log-every",
                                         "1",     "--threads", "1",     "--quiet",      "--out", out.string()};
    std::mt19937 rng(7);
    int killed_after_a_save = 0;
    for (int round = 0; round < 12; ++round) {
        std::vector<std::string> args = flags;
        if (fs::exists(out / "checkpoint.safetensors")) {
            args.push_back("--resume");
            args.push_back((out / "checkpoint.safetensors").string());
        } else if (fs::exists(out)) {
            fs::remove_all(out);  // killed before its first checkpoint: start again
        }
        const ino_t before = inode(out / "checkpoint.safetensors");
        const pid_t pid = start(args);
        ASSERT_GT(pid, 0);
        // Most rounds kill after the run's first new save, at a random moment of the saves that
        // follow; every fourth kills at once, before anything is saved. What a kill lands on
        // depends on the machine's speed, never what the test expects.
        if (round % 4 != 3) {
            ASSERT_TRUE(wait_for_a_save(pid, out / "checkpoint.safetensors", before))
                << "round " << round << ": the run ended before it saved";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 200));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (WIFEXITED(status))
            ADD_FAILURE() << "round " << round << ": the run ended (exit " << WEXITSTATUS(status)
                          << ") before it was killed; raise --steps";
        killed_after_a_save += fs::exists(out / "checkpoint.safetensors") ? 1 : 0;
        expect_consistent(out, round);
    }
    EXPECT_GE(killed_after_a_save, 9) << "the rounds that waited for a save must find a checkpoint";

    // Finally the run trains 20 more steps from its last checkpoint, and the folder is clean.
    const int at = std::stoi(load_safetensors((out / "checkpoint.safetensors").string()).meta("step", "ckpt"));
    std::vector<std::string> args = flags;
    args[8] = std::to_string(at + 20);  // --steps
    args.push_back("--resume");
    args.push_back((out / "checkpoint.safetensors").string());
    std::string cmd = "'" + kGan + "'";
    for (const std::string& a : args) cmd += " '" + a + "'";
    ASSERT_EQ(std::system((cmd + " > /dev/null 2>&1").c_str()), 0) << cmd;
    expect_consistent(out, 99);
    EXPECT_EQ(temp_files(out), 0u);
    EXPECT_EQ(load_safetensors((out / "checkpoint.safetensors").string()).meta("step", "end"), std::to_string(at + 20));
}

}  // namespace
}  // namespace genlab
