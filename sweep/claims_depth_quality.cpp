// Claims about quality and depth: without a nonlinearity a deep network is a linear model; swish
// gains on relu as depth grows (claims.h).
#include <algorithm>
#include <utility>

#include "sweep/claim_kit.h"

namespace genlab::experiments {

namespace {

// The depths the arms `a` of a sweep sit at, "0, 2 and 8" style.
std::string depths_text(const std::vector<const SweepArm*>& arms) {
    std::string t;
    for (const SweepArm* a : arms) t += (t.empty() ? "" : ", ") + (a->depth.empty() ? "uncrossed" : a->depth);
    return t.empty() ? "none" : t;
}

}  // namespace

Claim linear_baseline(const SweepData& s) {
    Claim c{.claim = "Without a nonlinearity a deep network is just a linear model",
            .verdict = Verdict::NotTested,
            .evidence = {}};
    const auto ids = arms_named(s, {"identity"});
    const SweepArm* flat = nullptr;
    std::vector<const SweepArm*> deep;
    for (const SweepArm* a : ids) {
        if (a->depth == "0" && !flat) flat = a;
        if (depth_num(*a) >= 1) deep.push_back(a);
    }
    if (!flat || deep.empty()) {
        c.evidence = "It needs identity arms at depth 0 (no hidden layer) and at depth 1 or more (--acts identity "
                     "--depths 0,2); this sweep's identity arms are at depths: " +
                     depths_text(ids) + ".";
        return c;
    }
    const QualityMetric& q = s.quality.front();
    std::vector<std::pair<Stats, Stats>> family;
    for (const SweepArm* d : deep) family.emplace_back(d->stats(q.name), flat->stats(q.name));
    const std::vector<Comparison> cs = compare_family(family, q.better);
    std::vector<std::pair<std::string, Verdict>> per_depth;
    std::string ev = quality_clause(s, *flat) + " (no hidden layer)";
    std::string tests;
    for (size_t i = 0; i < deep.size(); ++i) {
        // Better than the linear model: the nonlinearity-free depth bought something.
        per_depth.emplace_back(deep[i]->label,
                               cs[i].separation == Separation::Better ? Verdict::Contradicted : Verdict::Supported);
        ev += "; " + quality_clause(s, *deep[i]);
        tests += " " + outcome(cs[i], *deep[i], *flat, q.better);
    }
    std::string note;
    c.verdict = combine(per_depth, note);
    c.evidence = ev + "." + tests +
                 " Supported unless a deeper identity network is better than the one without a "
                 "hidden layer; not separable counts as no better (" +
                 rules_text(cs) + ")." + note;
    return c;
}

Claim swish_depth(const SweepData& s) {
    Claim c{.claim = "Swish beats ReLU in deep networks (gap grows with depth)",
            .verdict = Verdict::NotTested,
            .evidence = {}};
    std::vector<std::pair<const SweepArm*, const SweepArm*>> at;  // (swish, relu) per depth
    for (const SweepArm* a : arms_named(s, {"swish"}))
        if (const SweepArm* b = partner(s, *a, "relu"); b && depth_num(*a) >= 1) at.emplace_back(a, b);
    std::sort(at.begin(), at.end(),
              [](const auto& x, const auto& y) { return depth_num(*x.first) < depth_num(*y.first); });
    if (at.size() < 2) {
        c.evidence = "It needs swish and relu arms at 2 or more depths with hidden layers (--depths 2,8); this "
                     "sweep has " +
                     std::to_string(at.size()) + " such depth" + (at.size() == 1 ? "" : "s") + ".";
        return c;
    }
    const QualityMetric& q = s.quality.front();
    std::vector<std::pair<Stats, Stats>> family;
    for (const auto& [sw, re] : at) family.emplace_back(sw->stats(q.name), re->stats(q.name));
    const std::vector<Comparison> cs = compare_family(family, q.better);
    const double sign = q.better == Better::Higher ? 1 : -1;
    bool grows = true;
    double prev = 0;
    std::string ev;
    for (size_t i = 0; i < at.size(); ++i) {
        const double gap = sign * (family[i].first.mean - family[i].second.mean);
        grows = grows && (i == 0 || gap > prev);
        prev = gap;
        ev += (i ? " " : "") + std::string("Depth ") + at[i].first->depth + ": swish's gap over relu " +
              metric_text(gap) + " (positive: swish better); " + outcome(cs[i], *at[i].first, *at[i].second, q.better);
    }
    std::string note;
    c.verdict = combine({{"swish better at the deepest", part_verdict(cs.back().separation)},
                         {"the gap growing with depth", grows ? Verdict::Supported : Verdict::Contradicted}},
                        note);
    c.evidence = ev + " The gap " + (grows ? "grows" : "does not grow") +
                 " with depth. Supported when swish is "
                 "better at the deepest and its gap grows at every step (" +
                 rules_text(cs) + ")." + note;
    return c;
}

}  // namespace genlab::experiments
