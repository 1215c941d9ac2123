// The report's ranking table on sweeps built by hand: which arms it marks as not separable from
// their neighbour in rank, by Welch's test (3 seeds) or min-max ranges (2 seeds), and what its
// note says about the rule.
#include <gtest/gtest.h>

#include <string>

#include "sweep/report.h"
#include "tests/test_util.h"

namespace genlab::experiments {
namespace {

SweepData ranked_sweep(const std::vector<std::vector<double>>& per_arm) {
    SweepData s;
    s.model = "ae";
    s.sweep = {{"config", nlohmann::json::object()}};
    s.quality = {{"score", Better::Higher}};
    for (size_t i = 0; i < per_arm.size(); ++i) {
        SweepArm a;
        a.label = a.act = std::string(1, static_cast<char>('a' + i));
        a.rank = static_cast<int>(i) + 1;  // given in order of the means
        for (size_t k = 0; k < per_arm[i].size(); ++k) {
            SweepRun r;
            r.seed = static_cast<int>(k) + 1;
            r.final["score"] = per_arm[i][k];
            a.runs.push_back(r);
        }
        s.arms.push_back(a);
    }
    return s;
}

TEST(ReportRanking, ThreeSeedArmsTieByWelchsTestOverAdjacentPairs) {
    // a lies far above b (p < 0.001); b and c overlap (p = 0.7).
    const std::string html =
        ranking_table_html(ranked_sweep({{0.91, 0.95, 0.93}, {0.72, 0.74, 0.69}, {0.71, 0.73, 0.70}}));
    EXPECT_EQ(testing::occurrences(html, "<tr class=\"tie\">"), 2u) << html;
    EXPECT_NE(html.find("\">c (p = 0.86, |g| = 0.13)</span></td>"), std::string::npos) << html;
    EXPECT_NE(html.find("\">b (p = 0.86, |g| = 0.13)</span></td>"), std::string::npos) << html;
    EXPECT_EQ(html.find("\">a (p"), std::string::npos) << "a is separated from b" << html;
    // The whole comparison, interval included, on hover.
    EXPECT_NE(html.find("<span title=\"b against c: difference 0.00333 [95% CI "), std::string::npos) << html;
    EXPECT_NE(html.find("Welch's t test, Holm-adjusted p \u2264 0.05 (Holm's family: the 2 tested adjacent pairs"),
              std::string::npos)
        << html;
}

TEST(ReportRanking, TwoSeedArmsTieByMinMaxRanges) {
    // b's and c's ranges overlap; a's lies above both.
    const std::string html = ranking_table_html(ranked_sweep({{8, 9}, {5, 7}, {4, 6}}));
    EXPECT_EQ(testing::occurrences(html, "<tr class=\"tie\">"), 2u) << html;
    EXPECT_NE(html.find("\">c</span></td>"), std::string::npos) << html;
    EXPECT_NE(html.find("\">b</span></td>"), std::string::npos) << html;
    EXPECT_NE(html.find("title=\"b against c: min\u2013max ranges over 2 seeds overlap"), std::string::npos) << html;
    EXPECT_NE(html.find("min\u2013max ranges over seeds apart; fewer than 3 seeds allow no test."), std::string::npos)
        << html;
    EXPECT_EQ(html.find("Holm's family"), std::string::npos) << html;
}

}  // namespace
}  // namespace genlab::experiments
