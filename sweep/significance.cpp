// Comparing two arms' per-seed values (see significance.h): Student's t distribution through the
// regularized incomplete beta function, Welch's test and interval, Hedges' g, Holm's step-down
// correction, and the min-max rule for arms with too few seeds to test.
#include "sweep/significance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "core/number_text.h"

namespace genlab::experiments {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The continued fraction 1 / (1 + d1 / (1 + d2 / (1 + ...))) in
//   I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) * fraction,
//   d(2m + 1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),  d(2m) = m (b - m) x / ((a + 2m - 1)(a + 2m)),
// evaluated front to back by the modified Lentz method (no term is ever divided by zero: a
// vanishing partial value is replaced by `tiny`). It converges in a few dozen terms for
// x < (a + 1) / (a + b + 2); incomplete_beta uses the symmetry I_x(a, b) = 1 - I_(1-x)(b, a) beyond.
double beta_fraction(double a, double b, double x) {
    constexpr double tiny = 1e-300, eps = 1e-15;
    double f = 1, c = 1, d = 0;  // f: the value of 1 + d1 / (1 + ...) so far
    for (int j = 1; j <= 10000; ++j) {
        const double m = static_cast<double>(j / 2);
        const double dj = j % 2 ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                                : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
        d = 1 + dj * d;
        d = 1 / (std::abs(d) < tiny ? tiny : d);
        c = 1 + dj / c;
        if (std::abs(c) < tiny) c = tiny;
        f *= c * d;
        if (std::abs(c * d - 1) < eps) break;
    }
    return 1 / f;
}

std::string num(double v) { return significant_text(v, 3); }
std::string two(double v) { return significant_text(v, 2); }

// "over 3 seeds", or "over 2 and 3 seeds" when the arms differ.
std::string seeds_text(const Stats& a, const Stats& b) {
    const std::string n = std::to_string(a.n());
    return "over " + (a.n() == b.n() ? n : n + " and " + std::to_string(b.n())) + " seeds";
}

bool all_finite(const Stats& s) {
    return std::all_of(s.values.begin(), s.values.end(), [](double v) { return std::isfinite(v); });
}

// Why a pair is left to the min-max rule; empty when Welch's test applies.
std::string untested_reason(const Stats& a, const Stats& b) {
    if (a.n() < kMinTestSeeds || b.n() < kMinTestSeeds) return "fewer than " + std::to_string(kMinTestSeeds) + " seeds";
    if (!all_finite(a) || !all_finite(b)) return "a value is not finite";
    if (!std::isfinite(a.std) || !std::isfinite(b.std) || !std::isfinite(a.mean - b.mean)) return "the values overflow";
    return {};
}

// The min-max rule, and why it is the one used.
Comparison by_ranges(const Stats& a, const Stats& b, Better better) {
    Comparison c;
    c.separation = separate(a, b, better);
    c.diff = c.lo = c.hi = c.g = c.p = c.p_adjusted = kNaN;
    if (a.n() == 0 || b.n() == 0) {
        c.text = "no finished seed on one side: nothing to compare";
        return c;
    }
    c.text = "min\u2013max ranges " + seeds_text(a, b) + (c.separation == Separation::Overlap ? " overlap" : " apart") +
             " (" + untested_reason(a, b) + ": no test)";
    return c;
}

// Every seed gave the same value. Compared exactly: three 0.1s have a mean of 0.10000000000000002
// and a standard deviation of about 1e-17, which would make a t of 1e16 out of rounding.
bool constant(const Stats& s) { return s.min == s.max; }

// Welch's statistics of a tested pair; its separation and text wait for the family's correction.
Comparison by_welch(const Stats& a, const Stats& b) {
    Comparison c;
    c.rule = Rule::Welch;
    if (constant(a) && constant(b)) {  // no spread on either side: the values are equal or not
        c.diff = c.lo = c.hi = a.min - b.min;
        c.g = kNaN;
        c.p = c.diff == 0 ? 1.0 : 0.0;
        return c;
    }
    const WelchTest w = welch_test(a, b);
    c.diff = w.diff, c.lo = w.lo, c.hi = w.hi, c.g = hedges_g(a, b), c.p = w.p;
    if (std::isnan(c.p)) c.p = 1;  // the standard error overflows: nothing separates them
    return c;
}

// The evidence of a tested pair once p_adjusted is known.
std::string welch_text(const Comparison& c, const Stats& a, const Stats& b) {
    if (constant(a) && constant(b))
        return c.diff == 0 ? "every seed of both arms gives " + num(a.min) + ": no difference"
                           : "difference " + num(c.diff) + ", with every seed of each arm at one value (" + num(a.min) +
                                 " against " + num(b.min) + "): apart without a test";
    std::string t = "difference " + num(c.diff) + " [95% CI " + num(c.lo) + ", " + num(c.hi) + "], ";
    if (std::isfinite(c.g)) t += "g = " + two(c.g) + ", ";
    t += "p = " + two(c.p_adjusted);
    return t + (c.family > 1 ? " (Welch's t, Holm-adjusted over " + std::to_string(c.family) + " pairs; unadjusted " +
                                   two(c.p) + ")"
                             : " (Welch's t)");
}

}  // namespace

Separation separate(const Stats& a, const Stats& b, Better better) {
    if (a.n() == 0 || b.n() == 0) return Separation::Overlap;
    const bool a_above = a.min > b.max, a_below = a.max < b.min;
    if (!a_above && !a_below) return Separation::Overlap;
    return (a_above == (better == Better::Higher)) ? Separation::Better : Separation::Worse;
}

double incomplete_beta(double a, double b, double x) {
    if (!(a > 0) || !(b > 0)) fail("incomplete_beta: a and b must be > 0, got a = ", a, ", b = ", b);
    if (std::isnan(x)) return kNaN;
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    // x^a (1 - x)^b / B(a, b), in logs: the powers alone underflow for large a or b.
    const double front = std::exp(a * std::log(x) + b * std::log1p(-x) + std::lgamma(a + b) - std::lgamma(a) -
                                  std::lgamma(b));
    if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
    return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

double student_t_cdf(double t, double df) {
    if (!(df > 0)) fail("student_t_cdf: df must be > 0, got ", df);
    if (std::isnan(t)) return kNaN;
    // P(|T| > |t|) = I_(df / (df + t^2))(df / 2, 1 / 2); each tail holds half of it.
    const double tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
    return t > 0 ? 1 - tail : tail;
}

double student_t_quantile(double q, double df) {
    if (!(q > 0 && q < 1)) fail("student_t_quantile: q must be in (0, 1), got ", q);
    if (q < 0.5) return -student_t_quantile(1 - q, df);
    double lo = 0, hi = 1;
    while (student_t_cdf(hi, df) < q && hi < 1e300) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {  // bisection: the cdf is monotone, no derivative needed
        const double mid = 0.5 * (lo + hi);
        (student_t_cdf(mid, df) < q ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

WelchTest welch_test(const Stats& a, const Stats& b) {
    if (a.n() < 2 || b.n() < 2) fail("welch_test: needs 2 or more values per arm, got ", a.n(), " and ", b.n());
    WelchTest w;
    w.diff = a.mean - b.mean;
    const double va = a.std * a.std / static_cast<double>(a.n()), vb = b.std * b.std / static_cast<double>(b.n());
    w.se = std::sqrt(va + vb);
    w.lo = w.hi = w.diff;
    if (!(w.se > 0) || !std::isfinite(w.se)) {  // no spread (or an overflow): nothing to test with
        w.t = w.p = w.df = kNaN;
        return w;
    }
    w.df = (va + vb) * (va + vb) /
           (va * va / static_cast<double>(a.n() - 1) + vb * vb / static_cast<double>(b.n() - 1));
    w.t = w.diff / w.se;
    w.p = incomplete_beta(w.df / 2, 0.5, w.df / (w.df + w.t * w.t));  // two-sided, without 1 - cdf's cancellation
    const double half = student_t_quantile(0.975, w.df) * w.se;
    w.lo = w.diff - half;
    w.hi = w.diff + half;
    return w;
}

double hedges_g(const Stats& a, const Stats& b) {
    const double na = static_cast<double>(a.n()), nb = static_cast<double>(b.n());
    if (na + nb < 3 || na == 0 || nb == 0) return kNaN;
    const double pooled = std::sqrt(((na - 1) * a.std * a.std + (nb - 1) * b.std * b.std) / (na + nb - 2));
    if (!(pooled > 0) || !std::isfinite(pooled)) return kNaN;
    return (a.mean - b.mean) / pooled * (1 - 3 / (4 * (na + nb) - 9));
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
    const size_t m = p.size();
    auto clean = [](double x) { return std::isnan(x) ? 1.0 : std::clamp(x, 0.0, 1.0); };
    std::vector<size_t> order(m);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return clean(p[i]) < clean(p[j]); });
    std::vector<double> adjusted(m);
    double running = 0;  // the step-down keeps adjusted values in the order of the raw ones
    for (size_t k = 0; k < m; ++k) {
        running = std::max(running, std::min(1.0, static_cast<double>(m - k) * clean(p[order[k]])));
        adjusted[order[k]] = running;
    }
    return adjusted;
}

std::vector<Comparison> compare_family(const std::vector<std::pair<Stats, Stats>>& pairs, Better better) {
    std::vector<Comparison> out;
    std::vector<size_t> tested;
    std::vector<double> ps;
    for (const auto& [a, b] : pairs) {
        const bool test = untested_reason(a, b).empty();
        if (test) tested.push_back(out.size()), ps.push_back(0);
        out.push_back(test ? by_welch(a, b) : by_ranges(a, b, better));
        if (test) ps.back() = out.back().p;
    }
    const std::vector<double> adjusted = holm_adjust(ps);
    for (size_t k = 0; k < tested.size(); ++k) {
        Comparison& c = out[tested[k]];
        c.p_adjusted = adjusted[k];
        c.family = tested.size();
        if (c.p_adjusted <= kAlpha)
            c.separation = (c.diff > 0) == (better == Better::Higher) ? Separation::Better : Separation::Worse;
        c.text = welch_text(c, pairs[tested[k]].first, pairs[tested[k]].second);
    }
    return out;
}

Comparison compare(const Stats& a, const Stats& b, Better better) { return compare_family({{a, b}}, better).front(); }

std::string rules_text(const std::vector<Comparison>& cs) {
    const bool welch = std::any_of(cs.begin(), cs.end(), [](const Comparison& c) { return c.rule == Rule::Welch; });
    const bool ranges = std::any_of(cs.begin(), cs.end(), [](const Comparison& c) { return c.rule == Rule::MinMax; });
    const std::string test = "Welch's t test, Holm-adjusted p \u2264 " + two(kAlpha);
    const std::string n = std::to_string(kMinTestSeeds);
    if (welch && ranges)
        return test + " where both arms have " + n + " or more seeds, min\u2013max ranges apart elsewhere";
    return welch ? test : "min\u2013max ranges over seeds apart; fewer than " + n + " seeds allow no test";
}

}  // namespace genlab::experiments
