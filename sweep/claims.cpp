// The claims section of a sweep report (see claims.h): each claim's evidence is built from the
// runs' final metrics, one clause per arm, with the spread over seeds and, where arms are
// compared, the comparison's statistic (significance.h).
#include "sweep/claims.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "core/number_text.h"

namespace genlab::experiments {

const char* verdict_text(Verdict v) {
    switch (v) {
        case Verdict::Supported: return "supported here";
        case Verdict::Contradicted: return "not supported here";
        case Verdict::SeedsDisagree: return "seeds disagree";
        case Verdict::Partly: return "holds for some arms only";
        case Verdict::NotTested: return "not tested by this sweep";
    }
    return "";
}

const char* verdict_class(Verdict v) {
    switch (v) {
        case Verdict::Supported: return "supported";
        case Verdict::Contradicted: return "contradicted";
        case Verdict::SeedsDisagree: return "disagree";
        case Verdict::Partly: return "partly";
        case Verdict::NotTested: return "untested";
    }
    return "";
}

namespace {

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

using Net = Network;
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
// disagree; otherwise some arms hold and some do not -> partly, naming them in `note`.
Verdict combine(const std::vector<std::pair<std::string, Verdict>>& per_arm, std::string& note) {
    std::vector<std::pair<std::string, Verdict>> tested;
    for (const auto& av : per_arm)
        if (av.second != Verdict::NotTested) tested.push_back(av);
    if (tested.empty()) return Verdict::NotTested;
    const Verdict first = tested.front().second;
    if (std::all_of(tested.begin(), tested.end(), [&](const auto& av) { return av.second == first; })) return first;
    if (std::any_of(tested.begin(), tested.end(), [](const auto& av) { return av.second == Verdict::SeedsDisagree; }))
        return Verdict::SeedsDisagree;
    std::string holds, fails;
    for (const auto& [label, v] : tested) {
        std::string& list = v == Verdict::Supported ? holds : fails;
        list += (list.empty() ? "" : ", ") + label;
    }
    note = " It holds for " + holds + "; not for " + fails + ".";
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

// Per arm: all its runs reach `threshold` in `metric` (supported), none do (not supported), or
// some (seeds disagree); then combined over the arms. Also how many runs of all the arms do.
struct ThresholdResult {
    Verdict verdict = Verdict::NotTested;
    int yes = 0, total = 0;  // runs reaching the threshold, runs
    std::string note;        // combine()'s note on arms that differ
};
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

// The arm a saturating one is compared with: relu, else leaky_relu, else gelu, else any other.
const SweepArm* baseline_arm(const SweepData& s) {
    for (const char* name : {"relu", "leaky_relu", "gelu", "elu", "swish", "mish", "selu", "prelu", "softplus"})
        if (const auto a = arms_named(s, {name}); !a.empty()) return a.front();
    return nullptr;
}

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

Claim leaky_keeps_gan_alive(const SweepData& s) {
    Claim c{.claim = "Leaky ReLU keeps GAN training alive", .verdict = Verdict::NotTested, .evidence = {}};
    if (!s.facts().has(Trait::Adversarial, s.config())) {
        c.evidence = needs_trait(s, Trait::Adversarial);
        return c;
    }
    const auto leaky = arms_named(s, {"leaky_relu"}), relu = arms_named(s, {"relu"});
    if (leaky.empty() || relu.empty() || s.quality.empty()) {
        c.evidence = "It needs a leaky_relu and a relu arm with finished runs" +
                     std::string(s.quality.empty() ? " and a quality metric (this sweep's model config has none)"
                                                   : "") +
                     ".";
        return c;
    }
    const SweepArm* l = best_of(s, leaky);
    const SweepArm* r = best_of(s, relu);
    if (!l || !r) {
        c.evidence = "The leaky_relu or relu runs have no " + s.quality.front().name + ".";
        return c;
    }
    const QualityMetric& q = s.quality.front();
    const Comparison cmp = compare(l->stats(q.name), r->stats(q.name), q.better);  // a family of one
    c.verdict = verdict_of({cmp.separation});
    c.evidence = quality_clause(s, *l) + "; " + quality_clause(s, *r) + ". " + outcome(cmp, *l, *r, q.better);
    return c;
}

Claim gelu_suits_transformers(const SweepData& s) {
    Claim c{.claim = "GELU suits transformers", .verdict = Verdict::NotTested, .evidence = {}};
    if (!s.facts().has(Trait::Transformer, s.config())) {
        c.evidence = needs_trait(s, Trait::Transformer);
        return c;
    }
    const auto gelu = arms_named(s, {"gelu"});
    std::vector<const SweepArm*> others;
    for (const SweepArm& a : s.arms)
        if (base_name(a.act) != "gelu" && !a.done().empty()) others.push_back(&a);
    const SweepArm* g = best_of(s, gelu);
    const auto relu = arms_named(s, {"relu"});
    const SweepArm* o = relu.empty() ? best_of(s, others) : best_of(s, relu);
    if (!g || !o) {
        c.evidence = "It needs a gelu arm and another one with finished runs.";
        return c;
    }
    const QualityMetric& q = s.quality.front();
    const Comparison cmp = compare(g->stats(q.name), o->stats(q.name), q.better);  // a family of one
    c.verdict = verdict_of({cmp.separation});
    c.evidence = quality_clause(s, *g) + " (rank " + std::to_string(g->rank) + " of " + std::to_string(s.arms.size()) +
                 "); " + quality_clause(s, *o) + ". " + outcome(cmp, *g, *o, q.better);
    return c;
}

}  // namespace

std::vector<Claim> sweep_claims(const SweepData& s) {
    return {relu_dies(s), sigmoid_tanh_saturate(s), gradients_vanish(s), leaky_keeps_gan_alive(s),
            gelu_suits_transformers(s)};
}

}  // namespace genlab::experiments
