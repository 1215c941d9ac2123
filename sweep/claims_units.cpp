// Claims about units: ReLU units die; sigmoid and tanh saturate (claims.h).
#include "sweep/claim_kit.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace genlab::experiments {

Claim relu_dies(const SweepData& s) {
    Claim c{.claim = "ReLU units die", .verdict = Verdict::NotTested, .evidence = {}};
    const auto relus = arms_named(s, {"relu"});
    if (relus.empty()) {
        c.evidence = "No relu arm with a finished run in this sweep.";
        return c;
    }
    auto clause = [&](const SweepArm& a) {
        return fraction_clause(s, a, "dead_fraction", " dead units in ") + runs_clause(s, a) + diverged_clause(a);
    };
    std::string ev;
    for (const SweepArm* a : relus) ev += (ev.empty() ? "" : "; ") + clause(*a);
    std::string others;
    for (const SweepArm& a : s.arms)
        if (base_name(a.act) != "relu" && !a.done().empty()) others += (others.empty() ? "" : "; ") + clause(a);
    const ThresholdResult t = threshold_verdict(s, relus, "dead_fraction", kDeadThreshold);
    c.verdict = t.verdict;
    c.evidence =
        ev + ". " + (others.empty() ? "" : "For comparison, " + others + ". ") + "At the end of training, " +
        std::to_string(t.yes) + " of " + std::to_string(t.total) +
        " relu runs have at least 1% dead units in a network (mean over its hidden layers); a unit is dead when "
        "no example of the fixed evaluation batch gives it a non-zero derivative." +
        t.note;
    return c;
}

Claim sigmoid_tanh_saturate(const SweepData& s) {
    Claim c{.claim = "sigmoid and tanh saturate", .verdict = Verdict::NotTested, .evidence = {}};
    const auto sat = arms_named(s, {"sigmoid", "tanh"});
    if (sat.empty()) {
        c.evidence = "No sigmoid or tanh arm with a finished run in this sweep.";
        return c;
    }
    auto clause = [&](const SweepArm& a) {
        return fraction_clause(s, a, "saturated_fraction", " of (example, unit) pairs saturated in ");
    };
    std::string ev;
    for (const SweepArm* a : sat) ev += (ev.empty() ? "" : "; ") + clause(*a);
    std::string base;
    for (const SweepArm* a : arms_named(s, {"relu"}))
        base += "; " + clause(*a) + " (relu's flat negative side counts too)";
    const ThresholdResult t = threshold_verdict(s, sat, "saturated_fraction", kSaturatedThreshold);
    c.verdict = t.verdict;
    c.evidence =
        ev + base + ". " + std::to_string(t.yes) + " of " + std::to_string(t.total) +
        " sigmoid/tanh runs end with at least 10% of pairs saturated (|f'(x)| below 1% of f's steepest slope), "
        "mean over a network's hidden layers." +
        t.note;
    return c;
}

}  // namespace genlab::experiments
