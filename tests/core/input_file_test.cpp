// The one bounded reader (core/io/input_file.h): regular files only, checked before and after the
// open, sizes over the caller's limit refused before anything is allocated, links refused where the
// caller reads its own output back.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/io/input_file.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

using testing::TempDir;

TEST(InputFile, ReadsARegularFileWholeOrInPart) {
    TempDir dir;
    std::ofstream(dir.file("a.txt")) << "one\ntwo\nthree\n";
    EXPECT_EQ(read_whole_file(dir.file("a.txt"), 100, "text"), "one\ntwo\nthree\n");
    EXPECT_EQ(read_file_part(dir.file("a.txt"), FilePart::Head, 5, "text"), "one\nt");
    EXPECT_EQ(read_file_part(dir.file("a.txt"), FilePart::Tail, 8, "text"), "three\n") << "from the first full line";
    EXPECT_EQ(read_file_part(dir.file("a.txt"), FilePart::Tail, 100, "text"), "one\ntwo\nthree\n");
}

TEST(InputFile, AFifoIsRefusedWithoutBlocking) {
    TempDir dir;
    ASSERT_EQ(::mkfifo(dir.file("p").c_str(), 0600), 0);
    testing::expect_error([&] { read_whole_file(dir.file("p"), 100, "table"); }, {"table", "pipe"});
    testing::expect_error([&] { open_input_file(dir.file("p"), "checkpoint"); }, {"checkpoint", "pipe"});
}

TEST(InputFile, ADeviceIsRefusedAlsoBehindALink) {
    TempDir dir;
    std::filesystem::create_symlink("/dev/zero", dir.file("zero"));
    testing::expect_error([&] { read_whole_file("/dev/zero", 100, "table"); }, {"/dev/zero", "not a regular file"});
    testing::expect_error([&] { read_whole_file(dir.file("zero"), 100, "table"); }, {"zero", "not a regular file"});
    testing::expect_error([&] { read_whole_file(dir.file("zero"), 100, "table", "", Links::Refuse); },
                          {"symbolic link"});
}

TEST(InputFile, ALinkIsFollowedOnlyWhenTheCallerSaysSo) {
    TempDir dir;
    std::ofstream(dir.file("target")) << "secret";
    std::filesystem::create_symlink(dir.file("target"), dir.file("link"));
    EXPECT_EQ(read_whole_file(dir.file("link"), 100, "corpus"), "secret");
    testing::expect_error([&] { read_whole_file(dir.file("link"), 100, "samples", "", Links::Refuse); },
                          {dir.file("link"), "symbolic link"});
    testing::expect_error([&] { read_file_part(dir.file("link"), FilePart::Head, 100, "samples", Links::Refuse); },
                          {"symbolic link"});
}

TEST(InputFile, ASparseFileOverTheLimitIsRefusedBeforeReading) {
    TempDir dir;
    std::ofstream(dir.file("big")) << "x";
    ASSERT_EQ(::truncate(dir.file("big").c_str(), off_t{5} << 30), 0);  // 5 GB, no disk used
    testing::expect_error([&] { read_whole_file(dir.file("big"), kMaxCsvFileBytes, "table"); },
                          {"big", "5368709120 bytes", "limit"});
    // A part of it is still shown, bounded.
    EXPECT_EQ(read_file_part(dir.file("big"), FilePart::Head, 4, "text").size(), 4u);
}

TEST(InputFile, AFolderIsRefused) {
    TempDir dir;
    testing::expect_error([&] { read_whole_file(dir.path().string(), 100, "table"); }, {"is a directory"});
}

// /sys gives every file a size of one page and holds less: read to its end, not "read 23 of 4096
// bytes". A regular file is what it says it is (ReadsARegularFileWholeOrInPart).
TEST(InputFile, AGeneratedFileShorterThanItsSizeIsReadToItsEnd) {
    const std::string online = "/sys/devices/system/cpu/online";
    if (!std::filesystem::exists(online)) GTEST_SKIP() << "no " << online << " on this system";
    const std::string text = read_whole_file(online, 1 << 16, "cpu list");
    EXPECT_FALSE(text.empty());
    EXPECT_LT(text.size(), 4096u);
    EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace genlab
