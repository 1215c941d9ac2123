// Comparing two arms' per-seed values: Student's t, Welch's test, Hedges' g and Holm's correction
// against values computed independently, and compare()'s rule, direction and text, degenerate
// cases included.
//
// The references are mpmath 1.3's (30 digits), from the doubles the tests use:
//   from mpmath import mp, mpf, betainc, sqrt, findroot; mp.dps = 30
//   cdf = lambda t, df: 1 - betainc(df/2, mpf(1)/2, 0, df/(df+t*t), regularized=True)/2  # t > 0; tail/2 below 0
//   welch p = betainc(df/2, 1/2, 0, df/(df+t^2), regularized=True), t = diff/se, Welch-Satterthwaite df,
//   interval diff -+ findroot(lambda x: cdf(x, df) - 0.975, 2) * se,
//   g = diff/pooled_sd * (1 - 3/(4(na+nb)-9)).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "sweep/significance.h"

namespace genlab::experiments {
namespace {

// |got - want| within `rel` of |want|.
void expect_rel(double got, double want, double rel = 1e-9) {
    EXPECT_NEAR(got, want, rel * std::abs(want)) << "want " << want;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Significance, StudentTCdfMatchesTableValues) {
    // The 5% two-sided critical values of t tables: 2.228 at df = 10, 1.96 for large df.
    EXPECT_NEAR(2 * (1 - student_t_cdf(2.228, 10)), 0.05, 1e-4);
    EXPECT_NEAR(2 * (1 - student_t_cdf(1.96, 1e6)), 0.05, 1e-4);
    EXPECT_NEAR(student_t_cdf(12.7062047, 1), 0.975, 1e-9);
    expect_rel(student_t_cdf(1.0, 1), 0.75);  // Cauchy: 1/2 + atan(1)/pi
    expect_rel(student_t_cdf(2.228, 10), 0.97499411409144432);
    expect_rel(student_t_cdf(-3.5, 2.7), 0.023262802460970662);
    expect_rel(student_t_cdf(0.3, 4.5), 0.61123322648028435);
    expect_rel(student_t_cdf(5, 30), 0.9999883516572665);
    EXPECT_EQ(student_t_cdf(0, 3), 0.5);
    EXPECT_EQ(student_t_cdf(std::numeric_limits<double>::infinity(), 3), 1.0);
    EXPECT_EQ(student_t_cdf(-std::numeric_limits<double>::infinity(), 3), 0.0);
}

TEST(Significance, StudentTQuantileInvertsTheCdf) {
    expect_rel(student_t_quantile(0.975, 2), 4.3026527297494639);
    expect_rel(student_t_quantile(0.975, 3.7), 2.8675207071911894);
    expect_rel(student_t_quantile(0.975, 10), 2.2281388519862747);
    expect_rel(student_t_quantile(0.975, 1000), 1.9623390808264085);
    expect_rel(student_t_quantile(0.025, 10), -2.2281388519862747);
    EXPECT_THROW(student_t_quantile(1.0, 10), Error);
}

TEST(Significance, IncompleteBetaHasItsClosedForms) {
    for (double x : {0.0, 0.1, 0.5, 0.73, 1.0}) {
        EXPECT_NEAR(incomplete_beta(1, 1, x), x, 1e-14);                                     // uniform
        EXPECT_NEAR(incomplete_beta(3, 1, x), x * x * x, 1e-14);                             // I_x(a, 1) = x^a
        EXPECT_NEAR(incomplete_beta(2.5, 4, x), 1 - incomplete_beta(4, 2.5, 1 - x), 1e-14);  // symmetry
    }
    EXPECT_THROW(incomplete_beta(0, 1, 0.5), Error);
}

TEST(Significance, WelchTestMatchesAnIndependentComputation) {
    WelchTest w = welch_test(stats_of({0.91, 0.95, 0.93}), stats_of({0.70, 0.74, 0.69}));
    expect_rel(w.diff, 0.22000000000000005);
    expect_rel(w.se, 0.01914854215512676);
    expect_rel(w.df, 3.7230769230769182);
    expect_rel(w.t, 11.489125293076061);
    expect_rel(w.p, 0.00048340213548859888, 1e-8);
    expect_rel(w.lo, 0.16523867269993527);
    expect_rel(w.hi, 0.27476132730006482);

    w = welch_test(stats_of({1, 2, 3, 4}), stats_of({2, 4, 6, 8, 10}));  // unequal sizes and spreads
    expect_rel(w.df, 5.5207877461706783);
    expect_rel(w.t, -2.2514363231593691);
    expect_rel(w.p, 0.069133593192392413, 1e-8);
    expect_rel(w.lo, -7.3853680805140447);
    expect_rel(w.hi, 0.38536808051404473);

    w = welch_test(stats_of({0.2, 0.2, 0.2}), stats_of({0.1, 0.3, 0.5, 0.4}));  // no spread on one side
    expect_rel(w.df, 3.0);
    expect_rel(w.p, 0.23944259863600307, 1e-8);

    w = welch_test(stats_of({1, 1, 1}), stats_of({2, 2, 2}));  // no spread on either: nothing to test with
    EXPECT_EQ(w.se, 0);
    EXPECT_TRUE(std::isnan(w.p));
    EXPECT_EQ(w.lo, -1);
    EXPECT_EQ(w.hi, -1);
    EXPECT_THROW(welch_test(stats_of({1}), stats_of({2, 3})), Error);
}

TEST(Significance, HedgesGIsThePooledStandardizedDifferenceCorrected) {
    expect_rel(hedges_g(stats_of({0.91, 0.95, 0.93}), stats_of({0.70, 0.74, 0.69})), 7.5046652157174898);
    expect_rel(hedges_g(stats_of({1, 2, 3, 4}), stats_of({2, 4, 6, 8, 10})), -1.2270387698280685);
    expect_rel(hedges_g(stats_of({1, 2, 3}), stats_of({3.5, 4.5, 5.5})), -2.0);
    EXPECT_TRUE(std::isnan(hedges_g(stats_of({1, 1, 1}), stats_of({2, 2, 2})))) << "no spread: undefined";
    EXPECT_TRUE(std::isnan(hedges_g(Stats{}, stats_of({2, 2, 2}))));
}

TEST(Significance, HolmAdjustsStepDown) {
    // Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> kept at 0.06.
    const std::vector<double> adj = holm_adjust({0.01, 0.04, 0.03, 0.005});
    ASSERT_EQ(adj.size(), 4u);
    EXPECT_NEAR(adj[0], 0.03, 1e-15);
    EXPECT_NEAR(adj[1], 0.06, 1e-15);
    EXPECT_NEAR(adj[2], 0.06, 1e-15);
    EXPECT_NEAR(adj[3], 0.02, 1e-15);
    // At 5%, the two smallest are rejected and the step-down stops at the third.
    EXPECT_LE(adj[3], kAlpha);
    EXPECT_LE(adj[0], kAlpha);
    EXPECT_GT(adj[2], kAlpha);
    EXPECT_GT(adj[1], kAlpha) << "0.04 alone is below 5%, but Holm stopped before it";

    EXPECT_EQ(holm_adjust({0.5, 0.6}), (std::vector<double>{1.0, 1.0})) << "capped at 1";
    EXPECT_EQ(holm_adjust({std::nan(""), 0.01}), (std::vector<double>{1.0, 0.02})) << "NaN counts as 1";
    EXPECT_TRUE(holm_adjust({}).empty());
}

TEST(Significance, ClearlySeparatedThreeSeedArmsAreBetter) {
    const Stats a = stats_of({0.91, 0.95, 0.93}), b = stats_of({0.70, 0.74, 0.69});
    const Comparison c = compare(a, b, Better::Higher);
    EXPECT_EQ(c.rule, Rule::Welch);
    EXPECT_EQ(c.separation, Separation::Better);
    EXPECT_EQ(c.p, c.p_adjusted) << "a family of one";
    EXPECT_EQ(c.text, "difference 0.22 [95% CI 0.165, 0.275], g = 7.5, p = 0.00048 (Welch's t)");
    EXPECT_EQ(compare(a, b, Better::Lower).separation, Separation::Worse);
    EXPECT_EQ(compare(b, a, Better::Higher).separation, Separation::Worse);
}

TEST(Significance, OverlappingWideSpreadIsNotSeparable) {
    // Ranges overlap and p = 0.42.
    const Comparison c = compare(stats_of({5.1, 4.9, 5.6, 5.0}), stats_of({4.8, 5.3, 4.7}), Better::Higher);
    EXPECT_EQ(c.rule, Rule::Welch);
    EXPECT_EQ(c.separation, Separation::Overlap);
    EXPECT_NEAR(c.p, 0.41747387801073822, 1e-8);
    EXPECT_TRUE(has(c.text, "p = 0.42 (Welch's t)")) << c.text;
    // Ranges apart yet not significant: 3 seeds each with wide spread on one side.
    const Comparison d = compare(stats_of({10, 11, 30}), stats_of({1, 2, 3}), Better::Higher);
    EXPECT_EQ(separate(stats_of({10, 11, 30}), stats_of({1, 2, 3}), Better::Higher), Separation::Better);
    EXPECT_EQ(d.separation, Separation::Overlap) << d.text;
}

TEST(Significance, TwoSeedArmsUseTheMinMaxRuleAndSaySo) {
    Comparison c = compare(stats_of({7, 8}), stats_of({0, 1}), Better::Higher);
    EXPECT_EQ(c.rule, Rule::MinMax);
    EXPECT_EQ(c.separation, Separation::Better);
    EXPECT_EQ(c.text, "min\u2013max ranges over 2 seeds apart (fewer than 3 seeds: no test)");
    EXPECT_TRUE(std::isnan(c.p));
    c = compare(stats_of({1, 7}), stats_of({0, 1, 2}), Better::Higher);
    EXPECT_EQ(c.separation, Separation::Overlap);
    EXPECT_EQ(c.text, "min\u2013max ranges over 2 and 3 seeds overlap (fewer than 3 seeds: no test)");
    c = compare(stats_of({1, 2, 3}), Stats{}, Better::Higher);
    EXPECT_EQ(c.separation, Separation::Overlap);
    EXPECT_EQ(c.text, "no finished seed on one side: nothing to compare");
}

TEST(Significance, ZeroSpreadIsDecidedByTheMeans) {
    Comparison c = compare(stats_of({0.5, 0.5, 0.5}), stats_of({0.5, 0.5, 0.5}), Better::Higher);
    EXPECT_EQ(c.rule, Rule::Welch);
    EXPECT_EQ(c.separation, Separation::Overlap);
    EXPECT_EQ(c.p, 1);
    EXPECT_EQ(c.text, "every seed of both arms gives 0.5: no difference");
    c = compare(stats_of({0.3, 0.3, 0.3}), stats_of({0.5, 0.5, 0.5}), Better::Lower);
    EXPECT_EQ(c.separation, Separation::Better);
    EXPECT_EQ(c.p, 0);
    EXPECT_EQ(c.text,
              "difference -0.2, with every seed of each arm at one value (0.3 against 0.5): apart without a test");
    // Three 0.1s have a standard deviation of about 1e-17 from rounding; still no spread.
    c = compare(stats_of({0.1, 0.1, 0.1}), stats_of({0.1, 0.1, 0.1}), Better::Higher);
    EXPECT_EQ(c.separation, Separation::Overlap);
    EXPECT_EQ(c.text, "every seed of both arms gives 0.1: no difference");
    // Spread on one side only is an ordinary test.
    c = compare(stats_of({0.2, 0.2, 0.2}), stats_of({0.1, 0.3, 0.5, 0.4}), Better::Higher);
    EXPECT_EQ(c.separation, Separation::Overlap);
    EXPECT_FALSE(has(c.text, "nan")) << c.text;
}

TEST(Significance, NonFiniteValuesFallBackToRanges) {
    const double inf = std::numeric_limits<double>::infinity();
    Comparison c = compare(stats_of({1, 2, inf}), stats_of({0, 0.1, 0.2}), Better::Higher);
    EXPECT_EQ(c.rule, Rule::MinMax);
    EXPECT_EQ(c.separation, Separation::Better);
    EXPECT_EQ(c.text, "min\u2013max ranges over 3 seeds apart (a value is not finite: no test)");
    c = compare(stats_of({1e300, -1e300, 0}), stats_of({0, 0.1, 0.2}), Better::Higher);
    EXPECT_EQ(c.rule, Rule::MinMax);
    EXPECT_EQ(c.separation, Separation::Overlap);
    EXPECT_TRUE(has(c.text, "the values overflow")) << c.text;
}

TEST(Significance, HolmRunsOverTheTestedPairsOfAFamily) {
    const Stats a = stats_of({1, 2, 3}), b = stats_of({3.5, 4.5, 5.5});                       // p = 0.0376 alone
    const Stats wide_a = stats_of({5.1, 4.9, 5.6, 5.0}), wide_b = stats_of({4.8, 5.3, 4.7});  // p = 0.42
    EXPECT_EQ(compare(a, b, Better::Lower).separation, Separation::Better);
    const std::vector<Comparison> cs = compare_family({{a, b}, {wide_a, wide_b}, {stats_of({0, 1}), stats_of({5, 6})}},
                                                      Better::Lower);
    ASSERT_EQ(cs.size(), 3u);
    EXPECT_EQ(cs[0].family, 2u) << "the min-max pair is not part of Holm's family";
    EXPECT_NEAR(cs[0].p_adjusted, 2 * 0.03759011151114647, 1e-8);
    EXPECT_EQ(cs[0].separation, Separation::Overlap) << cs[0].text;
    EXPECT_TRUE(has(cs[0].text, "p = 0.075 (Welch's t, Holm-adjusted over 2 pairs; unadjusted 0.038)")) << cs[0].text;
    EXPECT_EQ(cs[2].rule, Rule::MinMax);
    EXPECT_EQ(cs[2].separation, Separation::Better);
    EXPECT_EQ(rules_text(cs),
              "Welch's t test, Holm-adjusted p \u2264 0.05 where both arms have 3 or more seeds, min\u2013max ranges "
              "apart elsewhere");
}

}  // namespace
}  // namespace genlab::experiments
