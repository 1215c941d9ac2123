// The CSV reader behind metrics.csv and a sweep's results.csv, and the writer's resume.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/input_file.h"
#include "core/train/metrics_csv.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

using testing::read_file;
using testing::TempDir;

std::string write(const TempDir& dir, const std::string& text) {
    const std::string path = dir.file("t.csv");
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

TEST(Csv, ReadsHeaderAndRowsPaddedToTheHeader) {
    TempDir dir;
    const CsvTable t = read_csv(write(dir, "a,b,c\n1,\"x,y\",3\r\n\n4\n"));
    EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "b", "c"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0], (std::vector<std::string>{"1", "x,y", "3"}));
    EXPECT_EQ(t.rows[1], (std::vector<std::string>{"4", "", ""}));
}

TEST(Csv, DropsALastLineCutShortAndGivesNoColumnsForAnEmptyFile) {
    TempDir dir;
    EXPECT_EQ(read_csv(write(dir, "a,b\n1,2\n3,")).rows.size(), 1u);
    EXPECT_TRUE(read_csv(write(dir, "")).columns.empty());
}

TEST(Csv, ARowWiderThanTheHeaderIsAnError) {
    TempDir dir;
    const std::string path = write(dir, "a,b\n1,2,3\n");
    testing::expect_error([&] { read_csv(path); }, {path, "3 cells for 2 columns"});
    testing::expect_error([&] { read_csv(dir.file("missing.csv")); }, {"missing.csv", "does not exist"});
}

TEST(MetricsCsv, NeedsAStepColumnAndStepNumbers) {
    TempDir dir;
    testing::expect_error([&] { read_metrics_csv(write(dir, "loss\n1\n")); },
                          {"first column is 'loss'", "expected 'step'"});
    testing::expect_error([&] { read_metrics_csv(write(dir, "step,loss\nten,1\n")); }, {"'ten'", "step number"});
    const MetricsTable t = read_metrics_csv(write(dir, "step,loss\n10,1\n20,0.5\n30,0.25\n"), 20);
    EXPECT_EQ(t.steps(), (std::vector<double>{10, 20}));
}

TEST(MetricsCsv, AResumedWriterKeepsTheRowsUpToItsStepAndAppends) {
    TempDir dir;
    const std::string path = write(dir, "step,loss\n10,1\n20,0.5\n30,0.25\n");
    {
        MetricsCsvWriter w(path);
        w.resume(20);
        w.write(30, {{"loss", 0.375}}, {{"val", 2.0}});
    }
    EXPECT_EQ(read_file(path), "step,loss,val\n10,1,\n20,0.5,\n30,0.375,2\n");
}

// After a failure the file is cut back in place (same inode: no new file, so no free space needed).
TEST(MetricsCsv, RollBackCutsTheRowsAfterTheCheckpointInPlace) {
    TempDir dir;
    const std::string path = write(dir, "step,loss\n10,1\n20,0.5\n");
    MetricsCsvWriter w(path);
    w.resume(20);
    w.write(30, {{"loss", 0.25}});
    w.write(40, {{"loss", 0.125}});
    struct stat before = {}, after = {};
    ASSERT_EQ(::stat(path.c_str(), &before), 0);
    w.roll_back(20);
    ASSERT_EQ(::stat(path.c_str(), &after), 0);
    EXPECT_EQ(read_file(path), "step,loss\n10,1\n20,0.5\n");
    EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST(ShortenFile, TruncatesAPrefixAndRewritesAnythingElse) {
    TempDir dir;
    const std::string path = write(dir, "abcdef");
    struct stat before = {}, after = {};
    ASSERT_EQ(::stat(path.c_str(), &before), 0);
    shorten_file(path, "abc");
    ASSERT_EQ(::stat(path.c_str(), &after), 0);
    EXPECT_EQ(read_file(path), "abc");
    EXPECT_EQ(before.st_ino, after.st_ino);  // truncated, not replaced
    shorten_file(path, "xyz!");              // not a prefix: rewritten atomically
    EXPECT_EQ(read_file(path), "xyz!");
}

// A sweep or resume reads these tables back from folders anyone may have written into: what is
// not a regular file is refused before it is read (a FIFO would block the open forever, a link to
// /dev/zero would grow to the memory cap), and so is a file over kMaxCsvFileBytes.
TEST(CsvHostile, AFifoIsRefusedWithoutWaitingForAWriter) {
    TempDir dir;
    ASSERT_EQ(::mkfifo(dir.file("metrics.csv").c_str(), 0600), 0);
    testing::expect_error([&] { read_metrics_csv(dir.file("metrics.csv")); },
                          {"metrics.csv", "pipe", "not a regular file"});
}

// Refused by what it is, a link, before its target is looked at (a link to /dev/zero included:
// InputFile.ADeviceIsRefusedAlsoBehindALink).
TEST(CsvHostile, ALinkIsRefusedEvenToARegularFile) {
    TempDir dir;
    write(dir, "step,loss\n1,2\n");
    std::filesystem::create_symlink(dir.file("t.csv"), dir.file("results.csv"));
    testing::expect_error([&] { read_csv(dir.file("results.csv")); }, {"results.csv", "symbolic link"});
    std::filesystem::create_symlink(dir.file("t.csv"), dir.file("diagnostics.csv"));
    testing::expect_error([&] { read_metrics_csv(dir.file("diagnostics.csv")); }, {"diagnostics.csv", "symbolic link"});
}

TEST(CsvHostile, AFileOverTheLimitIsRefusedBeforeReading) {
    TempDir dir;
    const std::string path = write(dir, "step,loss\n");
    ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(kMaxCsvFileBytes + 1)), 0);  // sparse: no disk used
    testing::expect_error([&] { read_csv(path); }, {path, std::to_string(kMaxCsvFileBytes + 1) + " bytes", "limit"});
}

// The writer appends through a descriptor of the regular file it wrote: a link swapped in for the
// file is refused, and what it points at is left as it was.
TEST(CsvHostile, TheWriterNeverAppendsThroughALink) {
    TempDir dir;
    std::ofstream(dir.file("victim")) << "keep me";
    std::filesystem::create_symlink(dir.file("victim"), dir.file("metrics.csv"));
    testing::expect_error([&] { std::fclose(open_for_append(dir.file("metrics.csv"))); },
                          {"metrics.csv", "symbolic link"});
    EXPECT_EQ(read_file(dir.file("victim")), "keep me");
}

}  // namespace
}  // namespace genlab
