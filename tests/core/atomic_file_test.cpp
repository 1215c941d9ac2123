// AtomicFile's temp files: created new (a link planted under a temp name is never written through)
// and named so that a killed save's leftover is told from a live save, also when an unrelated live
// process was given the killed writer's pid; a failed save says whether a previous file is kept.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot.
std::string start_ticks(long pid) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream in(stat.substr(stat.rfind(')') + 1));
    std::string field;
    for (int i = 3; i <= 22; ++i) in >> field;
    return field;
}

TEST(AtomicFile, ALinkPlantedUnderATempNameIsNeverWrittenThrough) {
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    std::ofstream(dir.file("victim")) << "keep me";
    // The name an earlier version used, and the next one this process would use.
    fs::create_symlink(dir.file("victim"), path + ".tmp-" + std::to_string(::getpid()));
    std::string next;
    {
        AtomicFile probe(path);
        const std::string t = probe.temp_path();
        const size_t dash = t.rfind('-');
        next = t.substr(0, dash + 1) + std::to_string(std::stoull(t.substr(dash + 1)) + 1);
    }
    fs::create_symlink(dir.file("victim"), next);
    write_file_atomic(path, "step,loss\n");
    EXPECT_EQ(read_file(path), "step,loss\n");
    EXPECT_EQ(read_file(dir.file("victim")), "keep me");
    EXPECT_TRUE(fs::is_symlink(next)) << "not ours: left as it is";
}

TEST(AtomicFile, ATempOfAnUnrelatedLiveProcessWithTheWritersPidIsRemoved) {
    if (!fs::exists("/proc/self/stat")) GTEST_SKIP() << "no /proc";
    TempDir dir;
    const std::string path = dir.file("metrics.csv");
    const std::string ppid = std::to_string(::getppid()), start = start_ticks(::getppid());
    // The parent runs, but it is not the process that wrote these (another start time) ...
    const std::string reused = path + ".tmp-" + ppid + "-" + std::to_string(std::stoull(start) + 1) + "-0";
    std::ofstream(reused) << "left by a killed save";
    // ... nor this earlier version's name, written before the parent started.
    const std::string earlier = path + ".tmp-" + ppid;
    std::ofstream(earlier) << "left by a killed save";
    const utimbuf long_ago{1, 1};
    ASSERT_EQ(::utime(earlier.c_str(), &long_ago), 0);
    // The parent's own save in progress stays.
    const std::string live = path + ".tmp-" + ppid + "-" + start + "-0";
    std::ofstream(live) << "in progress";
    write_file_atomic(path, "x");
    EXPECT_FALSE(fs::exists(reused));
    EXPECT_FALSE(fs::exists(earlier));
    EXPECT_TRUE(fs::exists(live));
}

// The message of a save that fails on a file-size limit (to the writer, a full disk), made in a
// child process so that the limit stays there.
std::string failed_save_message(const std::string& path) {
    int fds[2];
    if (::pipe(fds) != 0) return "pipe failed";
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
        const rlimit limit{8192, 8192};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        std::string message = "the save did not fail";
        try {
            write_file_atomic(path, std::string(100000, 'x'));
        } catch (const Error& e) {
            message = e.what();
        }
        const ssize_t n = ::write(fds[1], message.data(), message.size());
        ::_exit(n < 0 ? 1 : 0);
    }
    ::close(fds[1]);
    std::string message;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) message.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    return message;
}

TEST(AtomicFile, AFailedSaveSaysWhetherAPreviousFileIsKept) {
    TempDir dir;
    const std::string first = failed_save_message(dir.file("new.json"));
    EXPECT_NE(first.find("nothing was written in its place"), std::string::npos) << first;
    EXPECT_EQ(first.find("previous file is kept"), std::string::npos) << first;
    EXPECT_FALSE(fs::exists(dir.file("new.json")));

    std::ofstream(dir.file("old.json")) << "{}";
    const std::string again = failed_save_message(dir.file("old.json"));
    EXPECT_NE(again.find("the previous file is kept"), std::string::npos) << again;
    EXPECT_EQ(read_file(dir.file("old.json")), "{}");
}

}  // namespace
}  // namespace genlab
