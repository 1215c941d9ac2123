// Claims about depth: ReLU keeps gradients flowing where sigmoid and tanh lose them; sigmoid's
// gradients vanish in deep networks and learning stalls (claims.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "sweep/claim_kit.h"

namespace genlab::experiments {

namespace {

constexpr int kDeepLayers = 6;  // the gradient claim is about networks this deep or deeper

// The most hidden layers with a grad_norm any finished run of the arm has in `net`.
int layers_of(const SweepArm& a, const Net& net) {
    int n = 0;
    for (const SweepRun* r : a.done()) n = std::max(n, layer_count(*r, net.prefix, "grad_norm"));
    return n;
}

// The arm's hidden layers in `net`: its crossed depth, else as many as its metrics count.
int depth_in(const SweepArm& a, const Net& net) { return a.depth.empty() ? layers_of(a, net) : depth_num(a); }

// A ratio's base-10 logarithm per seed. Gradient ratios span orders of magnitude (sigmoid 1e-10
// against relu 0.7), so they are compared as logarithms: on the raw ratios one relu seed's spread
// would swamp ten orders of magnitude. A ratio of 0 (the first layer's gradient underflowed) counts
// as the smallest positive float: vanished at least that far.
Stats log10_of(const Stats& ratios) {
    std::vector<double> logs;
    for (double r : ratios.values)
        logs.push_back(std::log10(std::max<double>(r, std::numeric_limits<float>::denorm_min())));
    return stats_of(logs);
}

// The comparison's text says what was compared: "on log10 of the ratio: difference ...".
Comparison on_logs(Comparison c) {
    c.text = "on log10 of the ratio, " + c.text;
    return c;
}

// A saturating arm against relu at the same axes in one network: their depth ratios over seeds.
struct DepthPair {
    const SweepArm* arm = nullptr;
    const SweepArm* base = nullptr;
    const Net* net = nullptr;
    Stats ratio, base_ratio;
};

// Every (saturating arm at depth >= 6, network) pair with ratios on both sides, and the
// sentences that state them: "In the network at depth 8, first hidden layer's ... sigmoid 0.015x".
std::vector<DepthPair> deep_pairs(const SweepData& s, const std::vector<const SweepArm*>& sat, std::string& ev) {
    std::vector<DepthPair> pairs;
    for (const Net& net : networks(s))
        for (const SweepArm* a : sat) {
            const SweepArm* base = partner(s, *a, "relu");
            if (!base || depth_in(*a, net) < kDeepLayers) continue;
            const Stats r = depth_ratio(*a, net), b = depth_ratio(*base, net);
            if (r.n() == 0 || b.n() == 0) continue;
            pairs.push_back({a, base, &net, r, b});
            ev += (ev.empty() ? "" : " ") + std::string("In ") + net.label + axes_text(*a) +
                  ", first hidden layer's weight-gradient norm over the last's: " + a->label + " " + times(r.mean) +
                  spread(r, times) + "; " + base->label + " " + times(b.mean) + spread(b, times) + ".";
        }
    return pairs;
}

// Why no pair is deep enough: the most hidden layers the sweep's arms have.
std::string too_shallow(const SweepData& s) {
    int most = 0;
    for (const SweepArm& a : s.arms)
        for (const Net& net : networks(s)) most = std::max(most, depth_in(a, net));
    return "The networks here have at most " + std::to_string(most) + " hidden layer" + (most == 1 ? "" : "s") +
           "; the claim is about " + std::to_string(kDeepLayers) +
           " or more (a sigmoid or tanh arm and a relu arm that deep, with per-layer gradient norms).";
}

}  // namespace

Claim gradients_vanish(const SweepData& s) {
    Claim c{.claim = "ReLU keeps gradients flowing where sigmoid and tanh lose them",
            .verdict = Verdict::NotTested,
            .evidence = {}};
    const auto sat = arms_named(s, {"sigmoid", "tanh"});
    if (sat.empty() || arms_named(s, {"relu"}).empty()) {
        c.evidence = sat.empty() ? "No sigmoid or tanh arm with a finished run in this sweep."
                                 : "No relu arm with a finished run to compare with.";
        return c;
    }
    std::string ev;
    const std::vector<DepthPair> pairs = deep_pairs(s, sat, ev);
    if (pairs.empty()) {
        c.evidence = too_shallow(s);
        return c;
    }
    // One family: every saturating arm against relu in every deep network; a lower ratio is
    // vanishing more.
    std::vector<std::pair<Stats, Stats>> family;
    for (const DepthPair& p : pairs) family.emplace_back(log10_of(p.ratio), log10_of(p.base_ratio));
    std::vector<Comparison> cs = compare_family(family, Better::Lower);
    for (Comparison& x : cs) x = on_logs(x);
    std::map<std::string, std::vector<Separation>> seps;  // per saturating arm
    std::string tests;
    for (size_t i = 0; i < pairs.size(); ++i) {
        seps[pairs[i].arm->label].push_back(cs[i].separation);
        tests += (tests.empty() ? " " : "; ") + pairs[i].arm->label + " against " + pairs[i].base->label + " in " +
                 pairs[i].net->label + ": " + cs[i].text;
    }
    std::vector<std::pair<std::string, Verdict>> per_arm;
    for (const SweepArm* a : sat)
        if (seps.count(a->label)) per_arm.emplace_back(a->label, verdict_of(seps[a->label]));
    std::string note;
    c.verdict = combine(per_arm, note);
    c.evidence = ev + tests + ". Supported where the saturating arm's ratio lies below relu's in every network of " +
                 std::to_string(kDeepLayers) + " or more hidden layers (" + rules_text(cs) + ")." + note;
    return c;
}

Claim sigmoid_stalls(const SweepData& s) {
    Claim c{.claim = "Sigmoid's gradients vanish in deep networks and learning stalls",
            .verdict = Verdict::NotTested,
            .evidence = {}};
    // The deepest sigmoid arm with a relu arm at the same axes.
    const SweepArm *sig = nullptr, *relu = nullptr;
    for (const SweepArm* a : arms_named(s, {"sigmoid"}))
        if (const SweepArm* b = partner(s, *a, "relu"); b && (!sig || depth_num(*a) > depth_num(*sig)))
            sig = a, relu = b;
    const Net* net = nullptr;
    for (const Net& n : networks(s))
        if (sig && depth_ratio(*sig, n).n() > 0 && depth_ratio(*relu, n).n() > 0) net = &n;
    if (!sig || !net) {
        c.evidence = !sig ? "It needs a sigmoid arm and a relu arm at the same settings, with finished runs."
                          : "The sigmoid and relu arms have no network with 2 or more hidden layers to compare "
                            "gradients over.";
        return c;
    }
    const QualityMetric& q = s.quality.front();
    const Comparison quality = compare(sig->stats(q.name), relu->stats(q.name), q.better);
    const Stats rs = depth_ratio(*sig, *net), rr = depth_ratio(*relu, *net);
    const Comparison ratio = on_logs(compare(log10_of(rs), log10_of(rr), Better::Lower));
    // Quality: sigmoid worse is the claim; the comparison is oriented sigmoid against relu.
    const Verdict vq = quality.separation == Separation::Worse    ? Verdict::Supported
                       : quality.separation == Separation::Better ? Verdict::Contradicted
                                                                  : Verdict::SeedsDisagree;
    std::string note;
    c.verdict = combine({{"sigmoid's worse quality", vq}, {"its lower gradient ratio", part_verdict(ratio.separation)}},
                        note);
    c.evidence = "At the deepest setting" + (sig->depth.empty() ? std::string() : "," + axes_text(*sig)) + ": " +
                 quality_clause(s, *sig) + "; " + quality_clause(s, *relu) + ". " +
                 outcome(quality, *sig, *relu, q.better) + " In " + net->label +
                 ", first hidden layer's weight-gradient norm over the last's: " + sig->label + " " + times(rs.mean) +
                 spread(rs, times) + ", " + relu->label + " " + times(rr.mean) + spread(rr, times) + "; " + ratio.text +
                 ". Supported when sigmoid is both worse and lower." + note;
    return c;
}

}  // namespace genlab::experiments
