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

// A GAN run's folder with samples.png and fd_features `fd`, of the given --arch.
std::string gan_run(const testing::TempDir& dir, const std::string& name, const std::string& arch, double fd) {
    const std::string run = dir.file(name);
    fs::create_directories(run);
    write_file(run + "/config.json", R"({"experiment": "gan", "run": {"steps": 3000, "seed": 2}, "config": {"data": )"
                                     R"("fashion-mnist", "model": {"arch": ")" +
                                         arch + R"(", "g_act": "relu", "d_act": "relu"}}})");
    write_file(run + "/metrics.json", R"({"quality": [{"metric": "fd_features", "better": "lower"}], "fd_features": )" +
                                          std::to_string(fd) + R"(, "elapsed_s": 95})");
    write_file(run + "/samples.png", "not looked at");
    return run;
}

// Runs of one experiment given one after another get one figure of their samples side by side,
// each captioned with its run; runs of different experiments, or apart, do not.
TEST(DemoPage, ShowsConsecutiveRunsOfOneExperimentSideBySide) {
    testing::TempDir dir;
    const std::string mlp = gan_run(dir, "mlp", "mlp", 87.25), conv = gan_run(dir, "conv", "conv", 33.5);
    write_demo_page(dir.file("index.html"), {mlp, conv});
    const std::string page = testing::read_file(dir.file("index.html"));
    EXPECT_NE(page.find("Side by side: samples.png of 2 genlab-gan runs"), std::string::npos);
    const size_t side = page.find("<div class=\"side\">");
    ASSERT_NE(side, std::string::npos);
    const std::string figures = page.substr(side, page.find("</div>", side) - side);
    const size_t a = figures.find("<img src=\"mlp/samples.png\""), b = figures.find("<img src=\"conv/samples.png\"");
    ASSERT_NE(a, std::string::npos);
    ASSERT_NE(b, std::string::npos);
    EXPECT_LT(a, b) << "in the order given";
    EXPECT_NE(figures.find("MLP GAN on Fashion-MNIST"), std::string::npos);
    EXPECT_NE(figures.find("DCGAN on Fashion-MNIST"), std::string::npos);
    EXPECT_NE(figures.find("3000 steps, seed 2, fd_features 87.25"), std::string::npos) << figures;
    EXPECT_NE(figures.find("fd_features 33.5"), std::string::npos);
    EXPECT_NE(figures.find("trained in 1:35"), std::string::npos) << figures;

    const std::string text = linked_text_run(dir, dir.file("nowhere"));
    write_demo_page(dir.file("apart.html"), {mlp, text, conv});
    EXPECT_EQ(testing::read_file(dir.file("apart.html")).find("class=\"side\""), std::string::npos);
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
