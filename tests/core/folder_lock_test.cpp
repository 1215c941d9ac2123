// One writer per folder: a second lock on a folder is refused naming the holder, a lock is
// released however its holder's scope ends, a dead holder's lock on this host is taken over,
// another host's never is, a folder made only for the lock goes when nothing was written, and
// the new holder clears the temp files dead writers left in the folder. A folder in use says who
// holds it (FolderInUse), and whether a holder still runs can be asked.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/train/folder_lock.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

std::string host() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

// A pid that belonged to a process which has exited and been reaped.
long dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

void write_lock(const std::string& dir, const std::string& host_name, long pid) {
    fs::create_directories(dir);
    std::ofstream(dir + "/" + kFolderLockName) << "host=" << host_name << " pid=" << pid << " start=0\n";
}

TEST(FolderLock, ASecondLockIsRefusedNamingTheHolder) {
    testing::TempDir tmp;
    const std::string dir = tmp.file("run");
    const FolderLock first(dir, "--out");
    LockHolder h;
    ASSERT_TRUE(read_lock_holder(first.path(), h));
    EXPECT_EQ(h.pid, static_cast<long>(::getpid()));
    EXPECT_EQ(h.host, host());
    try {
        const FolderLock second(dir, "--out");
        ADD_FAILURE() << "the second lock was granted";
    } catch (const UsageError& e) {
        const std::string msg = e.what();
        for (const std::string& part :
             {std::string("--out"), dir, "host " + host(), "pid " + std::to_string(::getpid())})
            EXPECT_NE(msg.find(part), std::string::npos) << part << " in: " << msg;
    }
    EXPECT_TRUE(fs::exists(first.path())) << "the refused lock must leave the holder's file alone";
}

TEST(FolderLock, IsReleasedWhenItsScopeEndsAlsoByAnException) {
    testing::TempDir tmp;
    const std::string dir = tmp.file("run");
    fs::create_directories(dir);
    std::ofstream(dir + "/metrics.csv") << "step\n";  // a folder in use, so it stays
    try {
        const FolderLock lock(dir, "--out");
        throw std::runtime_error("a failing run");
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(fs::exists(dir + "/" + kFolderLockName));
    EXPECT_TRUE(fs::exists(dir + "/metrics.csv"));
    const FolderLock again(dir, "--out");  // free again
    EXPECT_TRUE(fs::exists(again.path()));
}

TEST(FolderLock, AStaleLockOfADeadProcessOnThisHostIsTakenOver) {
    testing::TempDir tmp;
    const std::string dir = tmp.file("run");
    write_lock(dir, host(), dead_pid());  // a SIGKILLed run leaves its lock behind
    const FolderLock lock(dir, "--out");
    LockHolder h;
    ASSERT_TRUE(read_lock_holder(lock.path(), h));
    EXPECT_EQ(h.pid, static_cast<long>(::getpid()));
    EXPECT_FALSE(fs::exists(lock.path() + ".takeover"));
}

// A run killed during one save and then during another leaves two files' temps; the next holder
// of the folder removes every temp of a dead writer, whichever file it was for, and nothing else.
TEST(FolderLock, TheHolderRemovesTheTempFilesOfDeadWriters) {
    testing::TempDir dir;
    const std::string d = dir.path().string();
    const std::string dead = std::to_string(dead_pid());
    for (const char* name : {"checkpoint.safetensors.tmp-", "config.json.tmp-", "metrics.json.tmp-"})
        std::ofstream(d + "/" + name + dead + "-1-0") << "torn";
    std::ofstream(d + "/notes.tmp-draft") << "a user's file";  // not a name genlab writes
    {
        const FolderLock lock(d, "--out");
        std::vector<std::string> left;
        for (const auto& e : fs::directory_iterator(d)) left.push_back(e.path().filename().string());
        std::sort(left.begin(), left.end());
        EXPECT_EQ(left, (std::vector<std::string>{kFolderLockName, "notes.tmp-draft"}));
    }
}

TEST(FolderLock, ALockFromAnotherHostIsNeverTakenOver) {
    testing::TempDir tmp;
    const std::string dir = tmp.file("run");
    write_lock(dir, "elsewhere.example", dead_pid());  // its pid says nothing about that host's processes
    testing::expect_error([&] { FolderLock lock(dir, "--out"); }, {"host elsewhere.example", "pid ", "remove"});
    EXPECT_TRUE(fs::exists(dir + "/" + kFolderLockName));
}

TEST(FolderLock, AFolderInUseCarriesItsHolderWhoseLifeCanBeJudgedHere) {
    testing::TempDir tmp;
    const std::string dir = tmp.file("run");
    const FolderLock first(dir, "--index");
    try {
        const FolderLock second(dir, "--index");
        ADD_FAILURE() << "the second lock was granted";
    } catch (const FolderInUse& e) {
        EXPECT_EQ(e.holder.pid, static_cast<long>(::getpid()));
        EXPECT_EQ(e.holder.host, host());
        EXPECT_TRUE(lock_holder_alive(e.holder));
    }
    EXPECT_FALSE(lock_holder_alive({.host = host(), .pid = dead_pid(), .start = 0}));
    EXPECT_TRUE(lock_holder_alive({.host = "elsewhere.example", .pid = dead_pid(), .start = 0}))
        << "another host's process is never judged from here";
}

TEST(FolderLock, AFolderMadeForTheLockGoesWhenNothingWasWrittenInIt) {
    testing::TempDir tmp;
    const std::string dir = tmp.file("outputs/gan/run");
    {
        const FolderLock lock(dir, "--out");
        EXPECT_TRUE(fs::is_directory(dir));
        EXPECT_TRUE(folder_is_empty(dir)) << "the lock file alone does not count";
    }
    EXPECT_FALSE(fs::exists(tmp.file("outputs"))) << "every folder it created, innermost first";
    {
        const FolderLock lock(dir, "--out");
        std::ofstream(dir + "/config.json") << "{}";
    }
    EXPECT_TRUE(fs::exists(dir + "/config.json")) << "a folder with the run's files stays";
    EXPECT_FALSE(folder_is_empty(dir));
}

TEST(FolderLock, AFolderThatCannotBeMadeIsAUsageErrorNamingTheFlag) {
    testing::TempDir tmp;
    std::ofstream(tmp.file("file")) << "x";
    try {
        const FolderLock lock(tmp.file("file") + "/x", "--out");
        ADD_FAILURE() << "no error";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--out"), std::string::npos) << e.what();
    }
    testing::expect_error([&] { FolderLock lock(tmp.file("file"), "--out"); }, {"--out", "not a folder"});
}

}  // namespace
}  // namespace genlab
