// Whether one arm's per-seed values of a metric are better than another's. With three or more
// seeds on both sides it is Welch's two-sample t test, Holm-corrected over the family of
// comparisons one question makes; with fewer, the arms' min-max ranges over seeds (apart or
// overlapping). Effect size is Hedges' g; the interval is Welch's 95% t interval of the mean
// difference (not corrected for the family; the decision is by the adjusted p).
//
//     const Stats a = stats_of({0.91, 0.95, 0.93}), b = stats_of({0.70, 0.74, 0.69}), c = ...;
//     Comparison ab = compare(a, b, Better::Higher);  // a family of one
//     ab.separation;  // Separation::Better
//     ab.text;        // "difference 0.22 [95% CI 0.165, 0.275], g = 7.5, p = 0.00048 (Welch's t)"
//     std::vector<Comparison> both = compare_family({{a, b}, {a, c}}, Better::Higher);  // Holm over the two
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "sweep/sweep_data.h"

namespace genlab::experiments {

constexpr size_t kMinTestSeeds = 3;  // fewer on either side: min-max ranges decide
constexpr double kAlpha = 0.05;      // family-wise error rate of a Holm family

// Where a comparison puts arm a against arm b for a metric.
enum class Separation { Better, Worse, Overlap };
// The min-max rule: a's range over seeds lies wholly above or below b's (touching ranges overlap).
Separation separate(const Stats& a, const Stats& b, Better better);

// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and x in [0, 1].
double incomplete_beta(double a, double b, double x);
// P(T <= t) for Student's t with df > 0 degrees of freedom (df need not be an integer).
double student_t_cdf(double t, double df);
// The t with student_t_cdf(t, df) = q, for q in (0, 1).
double student_t_quantile(double q, double df);

// Welch's test of mean(a) = mean(b); n >= 2 on both sides. Without spread on either side (or when
// the standard error overflows) t, df and p are NaN and the interval is the difference alone.
struct WelchTest {
    double diff = 0;        // mean(a) - mean(b)
    double se = 0;          // its standard error, sqrt(sa^2/na + sb^2/nb)
    double df = 0;          // Welch-Satterthwaite degrees of freedom
    double t = 0;           // diff / se
    double p = 1;           // two-sided
    double lo = 0, hi = 0;  // 95% t interval of diff
};
WelchTest welch_test(const Stats& a, const Stats& b);

// Hedges' g: (mean(a) - mean(b)) over the pooled standard deviation, times the small-sample
// correction 1 - 3 / (4 (na + nb) - 9). NaN when it is undefined (na + nb < 3, or no spread).
double hedges_g(const Stats& a, const Stats& b);

// Holm-Bonferroni step-down: adjusted p-values in the input's order; H_i is rejected at level
// alpha when adjusted[i] <= alpha. A NaN p counts as 1.
std::vector<double> holm_adjust(const std::vector<double>& p);

enum class Rule { MinMax, Welch };

struct Comparison {
    Separation separation = Separation::Overlap;
    Rule rule = Rule::MinMax;
    // Welch's rule only (NaN under the min-max rule; g also NaN without spread). Arms whose every
    // seed gives one value are not tested: p is 1 when the two values are equal, 0 when not.
    double diff = 0, lo = 0, hi = 0;  // mean(a) - mean(b) and its 95% interval
    double g = 0;                     // Hedges' g
    double p = 1, p_adjusted = 1;     // two-sided; Holm-adjusted over `family` tested pairs
    size_t family = 1;
    std::string text;  // the evidence: "difference ... g = ..., p = ..." or "min-max ranges over 2 seeds apart"
};

// Each pair (a, b) compared for a metric where `better` is better; Holm's correction runs over the
// pairs that have kMinTestSeeds seeds on both sides.
std::vector<Comparison> compare_family(const std::vector<std::pair<Stats, Stats>>& pairs, Better better);
// One pair, a family of one.
Comparison compare(const Stats& a, const Stats& b, Better better);

// How a set of comparisons separates arms, for a closing sentence: "Welch's t test, Holm-adjusted
// p <= 0.05", "min-max ranges over seeds apart; fewer than 3 seeds allow no test", or both.
std::string rules_text(const std::vector<Comparison>& cs);

}  // namespace genlab::experiments
