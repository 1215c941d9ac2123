// What the pages embed from the folders they show: only regular files a genlab program wrote, never
// the target of a link planted there (a root-only file would end up in a readable page), and the
// page is no more readable than those folders.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "sweep/demo_page.h"
#include "sweep/report.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

using genlab::testing::write_file;

namespace fs = std::filesystem;

// A text run's folder whose samples.txt is a link to `target`.
std::string linked_text_run(const testing::TempDir& dir, const std::string& target) {
    const std::string run = dir.file("run");
    fs::create_directories(run);
    write_file(run + "/config.json", R"({"experiment": "text", "run": {"steps": 1, "seed": 1}, "config": {}})");
    fs::create_symlink(target, run + "/samples.txt");
    return run;
}

TEST(DemoPage, ALinkedSamplesFileIsNotShown) {
    testing::TempDir dir;
    write_file(dir.file("secret.txt"), "TOP SECRET\n");
    const std::string run = linked_text_run(dir, dir.file("secret.txt"));
    write_demo_page(dir.file("index.html"), {run});
    const std::string page = testing::read_file(dir.file("index.html"));
    EXPECT_NE(page.find("Character-level"), std::string::npos) << "the run is on the page";
    EXPECT_EQ(page.find("TOP SECRET"), std::string::npos);
}

TEST(DemoPage, IsNoMoreReadableThanTheFoldersItShows) {
    testing::TempDir dir;
    const std::string run = dir.file("run");
    fs::create_directories(run);
    write_file(run + "/config.json", R"({"experiment": "text", "run": {"steps": 1, "seed": 1}, "config": {}})");
    write_file(run + "/samples.txt", "# step 1\nhello\n");
    fs::permissions(run, fs::perms::owner_all);  // 0700: a private run
    write_demo_page(dir.file("index.html"), {run});
    struct stat st {};
    ASSERT_EQ(::stat(dir.file("index.html").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << std::oct << (st.st_mode & 0777);
    EXPECT_NE(testing::read_file(dir.file("index.html")).find("hello"), std::string::npos);
}

// A sweep's report shows each arm's sample: not through a link either.
TEST(SweepReport, ALinkedSampleIsNotShown) {
    testing::TempDir dir;
    write_file(dir.file("secret.txt"), "TOP SECRET\n");
    write_file(dir.file("ablation.json"),
               R"({"tool": "genlab-ablate", "sweep": {"model": "text", "steps": 2, "config": {}},
        "quality": [{"metric": "val_loss", "better": "lower"}]})");
    write_file(dir.file("summary.json"),
               R"({"arms": [{"arm": "relu", "activation": "relu", "seeds": [1], "rank": 1}]})");
    write_file(dir.file("results.csv"), "arm,activation,init,lr,seed,status,diverged_step,resumed_from,steps,wall_s,"
                                        "ms_per_step,val_loss\nrelu,relu,,,1,done,,0,2,1,500,2.5\n");
    fs::create_directories(dir.file("runs/relu/seed1"));
    fs::create_symlink(dir.file("secret.txt"), dir.file("runs/relu/seed1/samples.txt"));
    const std::string path = write_sweep_report(dir.path().string());
    const std::string page = testing::read_file(path);
    EXPECT_NE(page.find("relu"), std::string::npos);
    EXPECT_EQ(page.find("TOP SECRET"), std::string::npos);
}

}  // namespace
}  // namespace genlab::experiments
