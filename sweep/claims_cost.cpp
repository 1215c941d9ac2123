// Claims about cost: ReLU is the cheapest activation; ELU converges faster than ReLU but costs
// more per step (claims.h). Costs are each arm's timing alone (arm_cost.h): one measurement, no
// seeds, so figures within kCostTolerance of each other are a tie.
#include <cmath>
#include <limits>

#include "core/number_text.h"
#include "sweep/claim_kit.h"

namespace genlab::experiments {

namespace {

// `mine` against `other`, where lower is the claim: clearly lower -> supported, clearly higher ->
// not, within the tolerance -> a tie (one timing each: nothing finer can separate them).
Verdict lower_by_tolerance(double mine, double other) {
    if (mine < other * (1 - kCostTolerance)) return Verdict::Supported;
    if (mine > other * (1 + kCostTolerance)) return Verdict::Contradicted;
    return Verdict::Tie;
}

std::string cost_text(const SweepArm& a) {
    return a.label + " " + significant_text(a.cost->step_ms, 3) + " ms/step, " +
           significant_text(a.cost->ns_per_element, 3) + " ns/element";
}

const char* const kTie = "within 5% counts as a tie";

// relu against the other costed arms at its settings: two parts (step time, ns per element).
void judge_group(const SweepData& s, const SweepArm& relu, std::vector<std::pair<std::string, Verdict>>& parts,
                 std::string& ev) {
    double step = std::numeric_limits<double>::infinity(), ns = step;
    std::string figures = cost_text(relu);
    for (const SweepArm& b : s.arms)
        if (&b != &relu && b.cost && !b.done().empty() && same_axes(relu, b)) {
            step = std::min(step, b.cost->step_ms), ns = std::min(ns, b.cost->ns_per_element);
            figures += "; " + cost_text(b);
        }
    if (!std::isfinite(step)) return;
    const std::string at = axes_text(relu);
    parts.emplace_back("step time" + at, lower_by_tolerance(relu.cost->step_ms, step));
    parts.emplace_back("ns per element" + at, lower_by_tolerance(relu.cost->ns_per_element, ns));
    ev += (ev.empty() ? "" : " ") + std::string(at.empty() ? "Each" : "At" + at.substr(3) + ", each") +
          " arm timed alone on one thread: " + figures + ".";
}

}  // namespace

Claim relu_cheapest(const SweepData& s) {
    Claim c{.claim = "ReLU is the cheapest activation", .verdict = Verdict::NotTested, .evidence = {}};
    std::vector<std::pair<std::string, Verdict>> parts;
    std::string ev;
    bool costed = false;
    for (const SweepArm* r : arms_named(s, {"relu"}))
        if (r->cost && r->depth != "0") costed = true, judge_group(s, *r, parts, ev);
    if (parts.empty()) {
        c.evidence = costed ? "No other arm has a measured cost at relu's settings."
                            : "No relu arm has a measured cost (cost.csv: genlab-ablate times each arm alone after "
                              "the runs unless --cost-steps 0; networks without hidden layers are left out).";
        return c;
    }
    std::string note;
    c.verdict = combine(parts, note);
    c.evidence = ev +
                 " Supported when relu's step time and its kernels' ns per element are the lowest at its "
                 "settings, by more than 5% (a timing has no seeds: " +
                 kTie + ")." + note;
    return c;
}

Claim elu_converges(const SweepData& s) {
    Claim c{.claim = "ELU converges faster than ReLU but costs more per step",
            .verdict = Verdict::NotTested,
            .evidence = {}};
    std::vector<std::pair<const SweepArm*, const SweepArm*>> at;  // (elu, relu) with curves and costs
    for (const SweepArm* e : arms_named(s, {"elu"}))
        if (const SweepArm* r = partner(s, *e, "relu");
            r && e->depth != "0" && e->cost && r->cost && e->stats("curve_auc").n() && r->stats("curve_auc").n())
            at.emplace_back(e, r);
    if (at.empty()) {
        c.evidence = "It needs elu and relu arms at the same settings with a curve_auc (the quality metric's mean "
                     "over training) and a measured cost (cost.csv) each.";
        return c;
    }
    const QualityMetric& q = s.quality.front();
    std::vector<std::pair<Stats, Stats>> family;
    for (const auto& [e, r] : at) family.emplace_back(e->stats("curve_auc"), r->stats("curve_auc"));
    const std::vector<Comparison> cs = compare_family(family, q.better);  // curve_auc is q over training
    std::vector<std::pair<std::string, Verdict>> parts;
    std::string ev;
    for (size_t i = 0; i < at.size(); ++i) {
        const auto [e, r] = at[i];
        const std::string where = axes_text(*e);
        parts.emplace_back("faster convergence" + where, part_verdict(cs[i].separation));
        parts.emplace_back("higher cost per step" + where, lower_by_tolerance(r->cost->step_ms, e->cost->step_ms));
        ev += (i ? " " : "") + std::string(where.empty() ? "Mean " : "At" + where.substr(3) + ", mean ") + q.name +
              " over training (curve_auc): " + e->label + " " + values_text(family[i].first) + ", " + r->label + " " +
              values_text(family[i].second) + "; " + outcome(cs[i], *e, *r, q.better) +
              " Cost, each timed alone: " + cost_text(*e) + "; " + cost_text(*r) + ".";
    }
    std::string note;
    c.verdict = combine(parts, note);
    c.evidence = ev + " Supported when elu's curve is better (" + rules_text(cs) +
                 ") and its step time is higher by "
                 "more than 5% (" +
                 kTie + ")." + note;
    return c;
}

}  // namespace genlab::experiments
