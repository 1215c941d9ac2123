// Claims about depth: gradients through sigmoid and tanh vanish with it (claims.h).
#include "sweep/claim_kit.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace genlab::experiments {

namespace {

// A saturating arm against the baseline in one network: their depth ratios over seeds.
struct DepthPair {
    const SweepArm* arm = nullptr;
    const Net* net = nullptr;
    Stats ratio, base;
};

// Every (saturating arm, network) pair with ratios on both sides, and the sentences that state the
// ratios: "In D, first hidden layer's weight-gradient norm over the last's: sigmoid 0.015x ...".
std::vector<DepthPair> depth_pairs(const SweepData& s, const std::vector<const SweepArm*>& sat, const SweepArm& base,
                                   std::string& ev) {
    std::vector<DepthPair> pairs;
    for (const Net& net : networks(s)) {
        const Stats b = depth_ratio(base, net);
        if (b.n() == 0) continue;
        std::string part;
        for (const SweepArm* a : sat) {
            const Stats r = depth_ratio(*a, net);
            if (r.n() == 0) continue;
            part += (part.empty() ? "" : "; ") + a->label + " " + times(r.mean) + spread(r, times);
            pairs.push_back({a, &net, r, b});
        }
        if (part.empty()) continue;
        ev += (ev.empty() ? "" : " ") + std::string("In ") + net.label +
              ", first hidden layer's weight-gradient norm over the last's: " + part + "; " + base.label + " " +
              times(b.mean) + spread(b, times) + ".";
    }
    return pairs;
}

}  // namespace

Claim gradients_vanish(const SweepData& s) {
    Claim c{.claim = "sigmoid and tanh gradients vanish with depth", .verdict = Verdict::NotTested, .evidence = {}};
    const auto sat = arms_named(s, {"sigmoid", "tanh"});
    const SweepArm* base = baseline_arm(s);
    if (sat.empty() || !base) {
        c.evidence = sat.empty() ? "No sigmoid or tanh arm with a finished run in this sweep."
                                 : "No non-saturating arm (relu, leaky_relu, gelu ...) to compare with.";
        return c;
    }
    std::string ev;
    const std::vector<DepthPair> pairs = depth_pairs(s, sat, *base, ev);
    if (pairs.empty()) {
        c.evidence = "The networks have one hidden layer: there is no depth to compare.";
        return c;
    }
    // One family: every saturating arm against the baseline in every network; a lower ratio is
    // vanishing more.
    std::vector<std::pair<Stats, Stats>> family;
    for (const DepthPair& p : pairs) family.emplace_back(p.ratio, p.base);
    const std::vector<Comparison> cs = compare_family(family, Better::Lower);
    std::map<std::string, std::vector<Separation>> seps;  // per saturating arm, one per network
    std::string tests;
    for (size_t i = 0; i < pairs.size(); ++i) {
        seps[pairs[i].arm->label].push_back(cs[i].separation);
        tests += (tests.empty() ? " " : "; ") + pairs[i].arm->label + " against " + base->label + " in " +
                 pairs[i].net->label + ": " + cs[i].text;
    }
    std::vector<std::pair<std::string, Verdict>> per_arm;
    for (const SweepArm* a : sat)
        if (seps.count(a->label)) per_arm.emplace_back(a->label, verdict_of(seps[a->label]));
    std::string note;
    c.verdict = combine(per_arm, note);
    c.evidence = ev + tests + ". Supported where the saturating arm's ratio lies below " + base->label +
                 "'s in every network (" + rules_text(cs) + ")." + note;
    return c;
}

}  // namespace genlab::experiments
