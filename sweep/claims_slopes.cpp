// Claims about negative slopes: a small one prevents dead units; PReLU learns its own (claims.h).
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/activations.h"
#include "core/number_text.h"
#include "sweep/claim_kit.h"

namespace genlab::experiments {

namespace {

// The worst network's dead fraction (mean over its hidden layers) in one run; NaN without layers.
double worst_dead(const SweepData& s, const SweepRun& r) {
    double worst = std::nan("");
    for (const Net& net : networks(s))
        if (const double v = run_layer_mean(r, net, "dead_fraction"); std::isfinite(v))
            worst = std::isfinite(worst) ? std::max(worst, v) : v;
    return worst;
}

// "leaky_relu:0.01 (slope 0.01)": the arm's negative slope as the registry parses its spec.
std::string slope_label(const SweepArm& a) {
    const Activation act = parse_activation(a.act);
    return a.label + " (slope " + significant_text(act.params[0], 3) + ")";
}

// One leaky arm's verdict: its own runs below the threshold, and relu's above it (or, where relu's
// runs split, the comparison of their dead fractions).
Verdict leaky_verdict(std::pair<int, int> leaky, std::pair<int, int> relu, Separation sep) {
    const auto [dead, runs] = leaky;
    if (runs == 0) return Verdict::NotTested;        // no dead_fraction in its runs
    if (dead == runs) return Verdict::Contradicted;  // dead units with the slope too
    if (dead > 0) return Verdict::SeedsDisagree;
    if (relu.first == relu.second || sep == Separation::Better) return Verdict::Supported;
    if (relu.first == 0) return Verdict::Contradicted;  // relu keeps its units too: nothing prevented
    return Verdict::SeedsDisagree;
}

std::string count_text(std::pair<int, int> c) { return std::to_string(c.first) + " of " + std::to_string(c.second); }

}  // namespace

Claim leaky_prevents_dead(const SweepData& s) {
    Claim c{.claim = "A small negative slope prevents dead units", .verdict = Verdict::NotTested, .evidence = {}};
    const auto leaky = arms_named(s, {"leaky_relu"}), relu = arms_named(s, {"relu"});
    if (leaky.empty() || relu.empty()) {
        c.evidence = "It needs a relu arm and a leaky_relu arm (any slope) with finished runs.";
        return c;
    }
    const auto relu_dead = runs_reaching(s, relu, "dead_fraction", kDeadThreshold);
    if (relu_dead.second == 0) {
        c.evidence = "The runs record no dead_fraction of hidden layers.";
        return c;
    }
    const SweepArm& r = *relu.front();
    auto worst = [&](const SweepArm& a) { return per_run(a, [&](const SweepRun& x) { return worst_dead(s, x); }); };
    std::vector<std::pair<Stats, Stats>> pairs;
    for (const SweepArm* a : leaky) pairs.emplace_back(worst(*a), worst(r));
    const std::vector<Comparison> cmps = compare_family(pairs, Better::Lower);
    std::vector<std::pair<std::string, Verdict>> per_arm;
    std::string ev = fraction_clause(s, r, "dead_fraction", " dead units in ") + "; " + count_text(relu_dead) +
                     " relu runs reach " + pct(kDeadThreshold) + " in some network";
    for (size_t i = 0; i < leaky.size(); ++i) {
        const SweepArm& a = *leaky[i];
        const auto dead = runs_reaching(s, {&a}, "dead_fraction", kDeadThreshold);
        per_arm.emplace_back(a.label, leaky_verdict(dead, relu_dead, cmps[i].separation));
        ev += ". " + slope_label(a) + fraction_clause(s, a, "dead_fraction", " dead units in ").substr(a.label.size()) +
              "; " + count_text(dead) + " runs reach " + pct(kDeadThreshold) +
              "; worst network's dead fraction against " + r.label + " (lower is better): " + cmps[i].text;
    }
    std::string note;
    c.verdict = combine(per_arm, note);
    c.evidence = ev + ". Supported for a slope when none of its runs has " + pct(kDeadThreshold) +
                 " dead units in a network (mean over its hidden layers) while relu's do, on every run or by the "
                 "comparison (" +
                 rules_text(cmps) + ")." + note;
    return c;
}

namespace {

constexpr double kSlopeMoved = 0.01;  // an alpha has moved when it ends this far from its start

// Per network and hidden layer of the arm: the alpha's per-seed values at the end.
struct LayerAlpha {
    std::string where;  // "D layer 0"
    Stats alpha;
};

std::vector<LayerAlpha> layer_alphas(const SweepData& s, const SweepArm& a) {
    std::vector<LayerAlpha> out;
    for (const Net& net : networks(s)) {
        int layers = 0;
        for (const SweepRun* r : a.done()) layers = std::max(layers, layer_count(*r, net.prefix, "act_param"));
        for (int k = 0; k < layers; ++k) {
            const std::string m = net.prefix + "act_param_l" + std::to_string(k);
            out.push_back({net.label + " layer " + std::to_string(k), a.stats(m)});
        }
    }
    return out;
}

std::string alpha_text(double v) { return fixed_text(v, 3); }

// One prelu arm: per layer, did every seed's alpha move from `init`? -> (layer, verdict), and text.
std::vector<std::pair<std::string, Verdict>> alphas_moved(const std::vector<LayerAlpha>& layers, double init,
                                                          std::string& text) {
    std::vector<std::pair<std::string, Verdict>> out;
    for (const LayerAlpha& l : layers) {
        int moved = 0;
        for (double v : l.alpha.values) moved += std::abs(v - init) > kSlopeMoved ? 1 : 0;
        out.emplace_back(l.where, from_counts(moved, static_cast<int>(l.alpha.n())));
        text += (text.empty() ? "" : "; ") + l.where + " alpha " + alpha_text(l.alpha.mean) +
                spread(l.alpha, alpha_text) + ", moved on " + std::to_string(moved) + " of " +
                std::to_string(l.alpha.n()) + " seeds";
    }
    return out;
}

}  // namespace

Claim prelu_learns_slope(const SweepData& s) {
    Claim c{.claim = "PReLU learns its slope", .verdict = Verdict::NotTested, .evidence = {}};
    const auto prelu = arms_named(s, {"prelu"});
    if (prelu.empty()) {
        c.evidence = "No prelu arm with a finished run in this sweep.";
        return c;
    }
    std::vector<std::pair<std::string, Verdict>> all;
    std::string ev;
    for (const SweepArm* a : prelu) {
        const std::vector<LayerAlpha> layers = layer_alphas(s, *a);
        if (layers.empty()) continue;
        const double init = parse_activation(a->act).learnable_init();
        std::string text;
        for (auto& [where, v] : alphas_moved(layers, init, text))
            all.emplace_back(prelu.size() > 1 ? a->label + " " + where : where, v);
        ev += (ev.empty() ? "" : ". ") + a->label + " (alpha starts at " + shortest_text(init) + "): " + text;
    }
    if (all.empty()) {
        c.evidence = "The prelu runs record no learned alpha (act_param_l<k>) of their hidden layers.";
        return c;
    }
    std::string note;
    c.verdict = combine(all, note);
    c.evidence = ev + ". An alpha has moved when it ends more than " + alpha_text(kSlopeMoved) +
                 " from its start; supported when it has in every layer on every seed." + note;
    return c;
}

}  // namespace genlab::experiments
