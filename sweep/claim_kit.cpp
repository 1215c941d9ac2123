// What the claims share (see claim_kit.h).
#include "sweep/claim_kit.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/number_text.h"

namespace genlab::experiments {

std::string pct(double f) { return fixed_text(100.0 * f, f > 0 && f < 0.001 ? 2 : 1) + "%"; }
std::string times(double r) { return significant_text(r, 3) + "x"; }

// Why a sweep without `t` does not test a claim, and the sweeps that would: "Only a sweep of a
// GAN tests it (genlab-ablate --model gan); this sweep trains the ae model."
std::string needs_trait(const SweepData& s, Trait t) {
    std::string how;
    for (const ExperimentDef* d : experiments())
        for (const auto& [trait, flags] : d->sweep.trait_flags)
            if (trait == t) {
                if (d->name == s.model)
                    return "This sweep's " + s.model + " model is not " + trait_text(t) + "; sweep it with " + flags +
                           " to test it.";
                how += (how.empty() ? "" : " or ") + ("--model " + d->name + (flags.empty() ? "" : " " + flags));
            }
    return "Only a sweep of " + std::string(trait_text(t)) + " tests it" +
           (how.empty() ? "" : " (genlab-ablate " + how + ")") + "; this sweep trains the " + s.model + " model.";
}

// " (seeds 0.9-1.6%)", or " (one seed)".
std::string spread(const Stats& s, const std::function<std::string(double)>& f) {
    if (s.n() == 0) return " (no finished run)";
    if (s.n() == 1) return " (one seed)";
    if (f(s.min) == f(s.max)) return " (every seed)";
    return " (seeds " + f(s.min) + "\u2013" + f(s.max) + ")";
}

std::string base_name(const std::string& spec) { return spec.substr(0, spec.find(':')); }

std::vector<const SweepArm*> arms_named(const SweepData& s, const std::vector<std::string>& names) {
    std::vector<const SweepArm*> out;
    for (const SweepArm& a : s.arms)
        if (!a.done().empty() && std::find(names.begin(), names.end(), base_name(a.act)) != names.end())
            out.push_back(&a);
    return out;
}

const std::vector<Network>& networks(const SweepData& s) { return s.facts().networks; }

// Hidden layers with `metric` in a run: <prefix><metric>_l0, _l1, ... while present.
int layer_count(const SweepRun& r, const std::string& prefix, const std::string& metric) {
    int k = 0;
    while (r.final.count(prefix + metric + "_l" + std::to_string(k))) ++k;
    return k;
}

// Per finished run, f(run) when finite, as statistics over the arm's seeds.
Stats per_run(const SweepArm& a, const std::function<double(const SweepRun&)>& f) {
    std::vector<double> v;
    for (const SweepRun* r : a.done())
        if (const double x = f(*r); std::isfinite(x)) v.push_back(x);
    return stats_of(std::move(v));
}

// The mean of metric over a network's hidden layers in one run (NaN without such layers).
double run_layer_mean(const SweepRun& r, const Net& net, const std::string& metric) {
    const int n = layer_count(r, net.prefix, metric);
    if (n == 0) return std::nan("");
    double sum = 0;
    for (int k = 0; k < n; ++k) sum += r.final.at(net.prefix + metric + "_l" + std::to_string(k));
    return sum / n;
}

Stats layer_mean(const SweepArm& a, const Net& net, const std::string& metric) {
    return per_run(a, [&](const SweepRun& r) { return run_layer_mean(r, net, metric); });
}

// Per finished run of `arms`: does the run's worst network reach `threshold` in `metric`?
// -> (runs that do, runs)
std::pair<int, int> runs_reaching(const SweepData& s, const std::vector<const SweepArm*>& arms,
                                  const std::string& metric, double threshold) {
    int yes = 0, total = 0;
    for (const SweepArm* a : arms)
        for (const SweepRun* r : a->done()) {
            double worst = std::nan("");
            for (const Net& net : networks(s))
                if (const double v = run_layer_mean(*r, net, metric); std::isfinite(v))
                    worst = std::isfinite(worst) ? std::max(worst, v) : v;
            if (!std::isfinite(worst)) continue;
            ++total;
            yes += worst >= threshold ? 1 : 0;
        }
    return {yes, total};
}

// first hidden layer's grad_norm / last hidden layer's, per run (NaN with fewer than 2 layers).
Stats depth_ratio(const SweepArm& a, const Net& net) {
    return per_run(a, [&](const SweepRun& r) {
        const int n = layer_count(r, net.prefix, "grad_norm");
        if (n < 2) return std::nan("");
        const double last = r.final.at(net.prefix + "grad_norm_l" + std::to_string(n - 1));
        return last > 0 ? r.final.at(net.prefix + "grad_norm_l0") / last : std::nan("");
    });
}

// Verdict from per-case outcomes: all true -> supported, none -> contradicted, else disagree.
Verdict from_counts(int yes, int total) {
    if (total == 0) return Verdict::NotTested;
    if (yes == total) return Verdict::Supported;
    if (yes == 0) return Verdict::Contradicted;
    return Verdict::SeedsDisagree;
}

// Every comparison better (significance.h: by test, or ranges apart): supported; all worse: not
// supported; otherwise the seeds disagree.
Verdict verdict_of(const std::vector<Separation>& seps) {
    if (seps.empty()) return Verdict::NotTested;
    if (std::all_of(seps.begin(), seps.end(), [](Separation x) { return x == Separation::Better; }))
        return Verdict::Supported;
    if (std::all_of(seps.begin(), seps.end(), [](Separation x) { return x == Separation::Worse; }))
        return Verdict::Contradicted;
    return Verdict::SeedsDisagree;
}

// One verdict from each arm's own: all alike -> that one; an arm whose seeds disagree -> seeds
// disagree; otherwise some arms hold and some do not (or tie) -> partly, naming them in `note`.
Verdict combine(const std::vector<std::pair<std::string, Verdict>>& per_arm, std::string& note) {
    std::vector<std::pair<std::string, Verdict>> tested;
    for (const auto& av : per_arm)
        if (av.second != Verdict::NotTested) tested.push_back(av);
    if (tested.empty()) return Verdict::NotTested;
    const Verdict first = tested.front().second;
    if (std::all_of(tested.begin(), tested.end(), [&](const auto& av) { return av.second == first; })) return first;
    if (std::any_of(tested.begin(), tested.end(), [](const auto& av) { return av.second == Verdict::SeedsDisagree; }))
        return Verdict::SeedsDisagree;
    std::string holds, fails, ties;
    for (const auto& [label, v] : tested) {
        std::string& list = v == Verdict::Supported ? holds : v == Verdict::Tie ? ties : fails;
        list += (list.empty() ? "" : ", ") + label;
    }
    std::vector<std::string> parts;
    if (!holds.empty()) parts.push_back("holds for " + holds);
    if (!fails.empty()) parts.push_back(std::string(holds.empty() ? "does not hold" : "not") + " for " + fails);
    if (!ties.empty()) parts.push_back("is a tie for " + ties);
    note = " It";
    for (size_t i = 0; i < parts.size(); ++i) note += (i ? "; " : " ") + parts[i];
    note += ".";
    return Verdict::Partly;
}

// The model's own note on the arm's finished runs (the GAN on 2-D data: ", k of n seeds cover
// >= m of M modes"); empty for most.
std::string runs_clause(const SweepData& s, const SweepArm& a) {
    if (!s.facts().runs_note) return {};
    std::vector<const std::map<std::string, double>*> finals;
    for (const SweepRun* r : a.done()) finals.push_back(&r->final);
    return s.facts().runs_note(s.config(), finals);
}

std::string diverged_clause(const SweepArm& a) {
    int d = 0;
    for (const SweepRun& r : a.runs) d += r.diverged ? 1 : 0;
    return d ? ", " + std::to_string(d) + " of " + std::to_string(a.runs.size()) + " seeds diverged" : std::string{};
}

ThresholdResult threshold_verdict(const SweepData& s, const std::vector<const SweepArm*>& arms,
                                  const std::string& metric, double threshold) {
    ThresholdResult r;
    std::vector<std::pair<std::string, Verdict>> per_arm;
    for (const SweepArm* a : arms) {
        const auto [yes, total] = runs_reaching(s, {a}, metric, threshold);
        per_arm.emplace_back(a->label, from_counts(yes, total));
        r.yes += yes;
        r.total += total;
    }
    r.verdict = combine(per_arm, r.note);
    return r;
}

// "relu: 17.5% dead units in D (seeds 15.0%-20.0%), 0.0% in G (every seed)": a fraction metric,
// the mean over each network's hidden layers, per network.
std::string fraction_clause(const SweepData& s, const SweepArm& a, const std::string& metric, const std::string& what) {
    std::string t = a.label + ":";
    bool first = true;
    for (const Net& net : networks(s)) {
        const Stats f = layer_mean(a, net, metric);
        if (f.n() == 0) continue;
        t += std::string(first ? " " : ", ") + pct(f.mean) + (first ? what : " in ") + net.label + spread(f, pct);
        first = false;
    }
    return t;
}

// `a` against `b` on the primary quality metric, as a sentence and a separation.
std::string quality_clause(const SweepData& s, const SweepArm& a) {
    const QualityMetric& q = s.quality.front();
    const Stats st = a.stats(q.name);
    if (st.n() == 0) return a.label + ": no finished run" + diverged_clause(a);
    return a.label + ": " + q.name + " " + values_text(st) + " (mean " + metric_text(st.mean) + ")" +
           runs_clause(s, a) + diverged_clause(a);
}

// Which of `a` and `b` is better on the primary metric, and the comparison that says so:
// "leaky_relu is better (higher is better): leaky_relu against relu, difference 2.3 [...], ...".
std::string outcome(const Comparison& cmp, const SweepArm& a, const SweepArm& b, Better better) {
    const std::string pair = a.label + " against " + b.label + ", " + cmp.text + ".";
    if (cmp.separation == Separation::Overlap) return "Not separable: " + pair;
    return (cmp.separation == Separation::Better ? a.label : b.label) + " is better (" + better_name(better) +
           " is better): " + pair;
}

// The best of `arms` by the primary metric's mean.
const SweepArm* best_of(const SweepData& s, const std::vector<const SweepArm*>& arms) {
    const QualityMetric& q = s.quality.front();
    const SweepArm* best = nullptr;
    double best_v = 0;
    for (const SweepArm* a : arms) {
        const Stats st = a->stats(q.name);
        if (st.n() == 0) continue;
        const double v = q.better == Better::Lower ? st.mean : -st.mean;
        if (!best || v < best_v) best = a, best_v = v;
    }
    return best;
}

int depth_num(const SweepArm& a) {
    int depth = -1;
    return parse_number(a.depth, depth) ? depth : -1;
}

bool same_axes(const SweepArm& a, const SweepArm& b) { return alike_but(a, b, &SweepArm::act); }

const SweepArm* partner(const SweepData& s, const SweepArm& a, const std::string& name) {
    for (const SweepArm& b : s.arms)
        if (base_name(b.act) == name && !b.done().empty() && same_axes(a, b)) return &b;
    return nullptr;
}

std::string axes_text(const SweepArm& a) {
    std::string t;
    for (const auto& [axis, value] :
         {std::pair{"lr", &a.lr}, {"depth", &a.depth}, {"output", &a.out}, {"where", &a.where}})
        if (!value->empty()) t += (t.empty() ? " at " : ", ") + std::string(axis) + " " + *value;
    return t;
}

Verdict part_verdict(Separation s) {
    if (s == Separation::Better) return Verdict::Supported;
    return s == Separation::Worse ? Verdict::Contradicted : Verdict::SeedsDisagree;
}

bool alike_but(const SweepArm& a, const SweepArm& b, std::string SweepArm::*axis) {
    for (std::string SweepArm::*m :
         {&SweepArm::act, &SweepArm::init, &SweepArm::lr, &SweepArm::depth, &SweepArm::out, &SweepArm::where})
        if (m != axis && a.*m != b.*m) return false;
    return true;
}

PairsResult compare_pairs(const SweepData& s, const std::vector<std::pair<const SweepArm*, const SweepArm*>>& pairs,
                          const std::function<std::string(const SweepArm&, const SweepArm&)>& name) {
    const QualityMetric& q = s.quality.front();
    std::vector<std::pair<Stats, Stats>> stats;
    for (const auto& [a, b] : pairs) stats.emplace_back(a->stats(q.name), b->stats(q.name));
    const std::vector<Comparison> cmps = compare_family(stats, q.better);
    PairsResult r;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const auto& [a, b] = pairs[i];
        r.per_pair.emplace_back(name(*a, *b), verdict_of({cmps[i].separation}));
        if (!r.text.empty()) r.text += " ";
        r.text += outcome(cmps[i], *a, *b, q.better);
    }
    r.rules = rules_text(cmps);
    return r;
}

}  // namespace genlab::experiments
