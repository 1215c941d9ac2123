// genlab-report end to end, and the pages in a real browser: a tiny sweep's report.html and a demo
// page over a run, the activation table and the sweep are rendered by headless Chromium; the
// screenshots must show something and the pages must log nothing to the console. Every picture a
// page links must exist.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "tests/stb_image_impl.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

namespace fs = std::filesystem;

const std::string kBin = GENLAB_BINARY_DIR "/bin/";
const std::string kTinyGan = " --data ring8 --g-hidden 16,16 --d-hidden 16,16 --batch 32 --steps 30 --threads 1";

// The Chromium of Debian's `chromium` package (or a chromium-browser), "" when there is none.
std::string chromium() {
    for (const char* name : {"chromium", "chromium-browser"}) {
        const std::string cmd = std::string("command -v ") + name + " > /dev/null 2>&1";
        if (std::system(cmd.c_str()) == 0) return name;
    }
    return "";
}

class ReportPages : public ::testing::Test {
protected:
    // One tiny sweep, one run and one activation table, shared by the tests below.
    static void SetUpTestSuite() {
        dir_ = new testing::TempDir();
        auto run = [](const std::string& program, const std::string& args) {
            const int rc = testing::run_program(kBin + program, args, dir_->file("out.txt"), dir_->file("err.txt"));
            ASSERT_EQ(rc, 0) << program << args << "\n" << testing::read_file(dir_->file("err.txt"));
        };
        run("genlab-ablate",
            "--model gan --acts relu,tanh --seeds 2 --diag-every 10 --quiet --out " + dir_->file("sweep") + kTinyGan);
        run("genlab-gan", "--quiet --out " + dir_->file("gan") + kTinyGan);
        run("genlab-activations", "--acts relu,gelu,tanh --points 61 --table --out " + dir_->file("acts"));
        run("genlab-report", "page --out " + dir_->file("index.html") + " " + dir_->file("acts") + " " +
                                 dir_->file("gan") + " " + dir_->file("sweep"));
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::string file(const std::string& name) { return dir_->file(name); }

    static testing::TempDir* dir_;
};
testing::TempDir* ReportPages::dir_ = nullptr;

TEST_F(ReportPages, TheDemoPageShowsRunsTablesAndTheSweep) {
    const std::string page = testing::read_file(file("index.html"));
    EXPECT_NE(page.find("GAN on ring8"), std::string::npos);
    EXPECT_NE(page.find("<figcaption><b>scatter.png</b>: 2-D data"), std::string::npos)
        << "captions say what a picture shows";
    EXPECT_NE(page.find("<td>modes_covered</td>"), std::string::npos) << "metrics as an HTML table";
    EXPECT_NE(page.find("<table class=\"ranking\">"), std::string::npos);
    EXPECT_NE(page.find("report.html\"><b>Open the full report"), std::string::npos);
    EXPECT_NE(page.find("<td>gelu</td>"), std::string::npos) << "the activation table";
    EXPECT_EQ(page.find("<pre>{"), std::string::npos) << "no raw JSON";
    // Every picture it links is there, relative to the page.
    const std::regex src("src=\"([^\"]+)\"");
    int images = 0;
    for (auto it = std::sregex_iterator(page.begin(), page.end(), src); it != std::sregex_iterator(); ++it, ++images)
        EXPECT_TRUE(fs::is_regular_file(fs::path(file("index.html")).parent_path() / (*it)[1].str())) << (*it)[1];
    EXPECT_GE(images, 3);
}

TEST_F(ReportPages, ReportIsRewrittenBySweepAndBadFoldersAreClearErrors) {
    fs::remove(file("sweep/report.html"));
    ASSERT_EQ(testing::run_program(kBin + "genlab-report", "sweep " + file("sweep"), file("o.txt"), file("e.txt")), 0);
    EXPECT_TRUE(fs::exists(file("sweep/report.html")));
    EXPECT_EQ(testing::run_program(kBin + "genlab-report", "sweep " + file("nope"), file("o.txt"), file("e.txt")), 2);
    EXPECT_NE(testing::read_file(file("e.txt")).find("no such folder"), std::string::npos);
    EXPECT_EQ(testing::run_program(kBin + "genlab-report", "sweep " + file("gan"), file("o.txt"), file("e.txt")), 1);
    EXPECT_NE(testing::read_file(file("e.txt")).find("ablation.json"), std::string::npos)
        << testing::read_file(file("e.txt"));
    fs::create_directories(file("empty"));
    EXPECT_EQ(testing::run_program(kBin + "genlab-report", "page --out " + file("p.html") + " " + file("empty"),
                                   file("o.txt"), file("e.txt")),
              1);
    EXPECT_NE(testing::read_file(file("e.txt")).find("not a genlab output folder"), std::string::npos);
    EXPECT_FALSE(fs::exists(file("p.html")));
}

// `page --out` writes a new file or over an earlier genlab page, never over anything else (a run's
// config.json): that is refused with one line and exit status 2, the file left as it was.
TEST_F(ReportPages, PageWritesOnlyANewFileOrOverItsOwnPage) {
    auto page = [&](const std::string& out) {
        return testing::run_program(kBin + "genlab-report", "page --out " + out + " " + file("gan"), file("o.txt"),
                                    file("e.txt"));
    };
    const std::string config = file("gan/config.json");
    const std::string before = testing::read_file(config);
    EXPECT_EQ(page(config), 2);
    const std::string err = testing::read_file(file("e.txt"));
    EXPECT_NE(err.find("not a page genlab wrote"), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_EQ(testing::read_file(config), before);
    ASSERT_EQ(page(file("mine.html")), 0) << testing::read_file(file("e.txt"));
    EXPECT_EQ(page(file("mine.html")), 0) << "over its own page: " << testing::read_file(file("e.txt"));
}

// Without --out the page goes to outputs/index.html, and outputs/ is made when it is not there.
TEST_F(ReportPages, PageWithoutOutCreatesOutputs) {
    testing::TempDir cwd;
    const std::string cmd = "cd '" + cwd.path().string() + "' && '" + kBin + "genlab-report' page '" + file("gan") +
                            "' > '" + file("o.txt") + "' 2> '" + file("e.txt") + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << testing::read_file(file("e.txt"));
    EXPECT_TRUE(fs::is_regular_file(cwd.path() / "outputs/index.html"));
}

// Renders `page` in headless Chromium; expects a screenshot that is not blank and no console output.
void expect_renders(const std::string& browser, const std::string& page, const std::string& shot,
                    const std::string& log) {
    const std::string cmd = "timeout 120 " + browser +
                            " --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 "
                            "--enable-logging=stderr --v=0 --user-data-dir='" +
                            shot + ".profile' --screenshot='" + shot + "' 'file://" + page + "' > '" + log + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << testing::read_file(log);
    const std::string out = testing::read_file(log);
    EXPECT_EQ(out.find(":CONSOLE"), std::string::npos) << "the page logged to the console:\n" << out;
    int w = 0, h = 0, ch = 0;
    unsigned char* px = stbi_load(shot.c_str(), &w, &h, &ch, 3);
    ASSERT_NE(px, nullptr) << "no screenshot " << shot;
    size_t inked = 0, colourful = 0;
    for (size_t i = 0; i < static_cast<size_t>(w) * static_cast<size_t>(h); ++i) {
        const unsigned char r = px[3 * i], g = px[3 * i + 1], b = px[3 * i + 2];
        inked += (r < 200 || g < 200 || b < 200) ? 1 : 0;
        colourful += (std::max({r, g, b}) - std::min({r, g, b}) > 60) ? 1 : 0;
    }
    stbi_image_free(px);
    EXPECT_EQ(w, 1200);
    EXPECT_GT(inked, static_cast<size_t>(w) * h / 100) << "the screenshot is (nearly) blank";
    EXPECT_GT(colourful, 500u) << "no coloured chart or picture drawn";
}

TEST_F(ReportPages, BothPagesRenderInHeadlessChromium) {
    const std::string browser = chromium();
    if (browser.empty()) GTEST_SKIP() << "Chromium is not installed (./genlab.sh test installs Debian's chromium)";
    expect_renders(browser, file("sweep/report.html"), file("report.png"), file("report.log"));
    expect_renders(browser, file("index.html"), file("index.png"), file("index.log"));
}

}  // namespace
}  // namespace genlab
