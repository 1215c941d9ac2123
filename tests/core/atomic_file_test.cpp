// AtomicFile's temp files: created new (a link planted under a temp name is never written through)
// and named so that a killed save's leftover is told from a live save, also when an unrelated live
// process was given the killed writer's pid.
#include <gtest/gtest.h>

#include <sys/stat.h>
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

}  // namespace
}  // namespace genlab
