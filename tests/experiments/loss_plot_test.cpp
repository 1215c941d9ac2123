// write_loss_plot: every run's loss.png / loss.svg from its metrics.csv, one panel per PlotPanel.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "experiments/runner.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

using genlab::testing::read_file;
using genlab::testing::TempDir;

void write_csv(const std::string& dir, const std::string& text) { std::ofstream(dir + "/metrics.csv") << text; }

TEST(LossPlot, DrawsEveryPanelWithData) {
    TempDir dir;
    write_csv(dir.path().string(), "step,loss,val_loss\n100,2.0,\n200,1.5,1.7\n300,1.2,\n400,1.1,1.4\n");
    write_loss_plot(dir.path().string(), "test run",
                    {{.title = "loss", .columns = {"loss"}},
                     {.title = "validation", .columns = {"val_loss"}},
                     {.title = "absent", .columns = {"not_a_column"}}});
    ASSERT_TRUE(std::filesystem::exists(dir.file("loss.png")));
    const std::string svg = read_file(dir.file("loss.svg"));
    EXPECT_NE(svg.find(">loss<"), std::string::npos);
    EXPECT_NE(svg.find(">validation<"), std::string::npos);
    EXPECT_EQ(svg.find(">absent<"), std::string::npos) << "a panel without any of its columns is left out";
    EXPECT_EQ(testing::occurrences(svg, "<polyline"), 2u)
        << "one line per series, eval points joined across empty rows";
}

TEST(LossPlot, AMetricEvaluatedOnceIsAVisibleDot) {
    TempDir dir;
    write_csv(dir.path().string(), "step,loss,fd\n100,2.0,\n200,1.5,\n300,1.2,42.5\n");
    write_loss_plot(dir.path().string(), "test run",
                    {{.title = "loss", .columns = {"loss"}}, {.title = "fd", .columns = {"fd"}}});
    const std::string svg = read_file(dir.file("loss.svg"));
    EXPECT_EQ(testing::occurrences(svg, "<polyline"), 1u);
    EXPECT_GE(testing::occurrences(svg, "<circle"), 1u);
    EXPECT_NE(svg.find("r=\"4\""), std::string::npos) << "the lone point is drawn at a readable size";
}

TEST(LossPlot, NoMetricsCsvWritesNothing) {
    TempDir dir;
    write_loss_plot(dir.path().string(), "test run", {{.title = "loss", .columns = {"loss"}}});
    EXPECT_FALSE(std::filesystem::exists(dir.file("loss.png")));
}

}  // namespace
}  // namespace genlab::experiments
