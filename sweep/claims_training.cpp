// Claims about training: GELU suits transformers; tanh trains faster than sigmoid; GELU trains
// more stably as the learning rate rises (claims.h).
#include "sweep/claim_kit.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

namespace genlab::experiments {

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

Claim tanh_sigmoid(const SweepData& s) {
    Claim c{.claim = "tanh, zero-centred, trains faster than sigmoid", .verdict = Verdict::NotTested, .evidence = {}};
    std::vector<std::pair<const SweepArm*, const SweepArm*>> at;  // (tanh, sigmoid) per setting
    for (const SweepArm* t : arms_named(s, {"tanh"}))
        if (const SweepArm* g = partner(s, *t, "sigmoid");
            g && t->depth != "0" && t->stats("curve_auc").n() && g->stats("curve_auc").n())
            at.emplace_back(t, g);
    if (at.empty()) {
        c.evidence = "It needs tanh and sigmoid arms at the same settings (with hidden layers) whose runs have a "
                     "curve_auc (the quality metric's mean over training).";
        return c;
    }
    const QualityMetric& q = s.quality.front();
    std::vector<std::pair<Stats, Stats>> family;
    for (const auto& [t, g] : at) family.emplace_back(t->stats("curve_auc"), g->stats("curve_auc"));
    const std::vector<Comparison> cs = compare_family(family, q.better);  // curve_auc is q over training
    std::vector<Separation> seps;
    std::string ev;
    for (size_t i = 0; i < at.size(); ++i) {
        seps.push_back(cs[i].separation);
        const std::string where = axes_text(*at[i].first);
        ev += (i ? " " : "") + std::string(where.empty() ? "Mean " : "At" + where.substr(3) + ", mean ") + q.name +
              " over training (curve_auc): " + at[i].first->label + " " + values_text(family[i].first) + ", " +
              at[i].second->label + " " + values_text(family[i].second) + "; " +
              outcome(cs[i], *at[i].first, *at[i].second, q.better);
    }
    c.verdict = verdict_of(seps);
    c.evidence = ev + " Supported when tanh's curve is better at every setting (" + rules_text(cs) + ").";
    return c;
}

namespace {

// Per seed: the run's loss spikes, plus one when it diverged.
Stats instability(const SweepArm& a) {
    std::vector<double> v;
    for (const SweepRun& r : a.runs) {
        const auto it = r.final.find("loss_spikes");
        v.push_back((it == r.final.end() || !std::isfinite(it->second) ? 0.0 : it->second) + (r.diverged ? 1 : 0));
    }
    return stats_of(std::move(v));
}

bool has_spikes(const SweepArm& a) {
    return std::any_of(a.runs.begin(), a.runs.end(), [](const SweepRun& r) { return r.final.count("loss_spikes"); });
}

}  // namespace

Claim gelu_stable(const SweepData& s) {
    Claim c{
        .claim = "GELU trains more stably as the learning rate rises", .verdict = Verdict::NotTested, .evidence = {}};
    std::vector<std::pair<const SweepArm*, const SweepArm*>> at;  // (gelu, relu) per rate, rising
    for (const SweepArm* g : arms_named(s, {"gelu"}))
        if (const SweepArm* r = partner(s, *g, "relu"); r && !g->lr.empty() && (has_spikes(*g) || has_spikes(*r)))
            at.emplace_back(g, r);
    std::sort(at.begin(), at.end(), [](const auto& x, const auto& y) {
        return std::strtod(x.first->lr.c_str(), nullptr) < std::strtod(y.first->lr.c_str(), nullptr);
    });
    if (at.size() < 2) {
        c.evidence = "It needs gelu and relu arms at 2 or more learning rates (--lrs) with loss_spikes measured; "
                     "this sweep has " +
                     std::to_string(at.size()) + " such rate" + (at.size() == 1 ? "" : "s") + ".";
        return c;
    }
    bool lower_ok = true;  // gelu no worse than relu below the highest rate
    std::string ev;
    for (size_t i = 0; i < at.size(); ++i) {
        const Stats g = instability(*at[i].first), r = instability(*at[i].second);
        if (i + 1 < at.size()) lower_ok = lower_ok && g.mean <= r.mean;
        ev += (i ? " " : "") + std::string("lr ") + at[i].first->lr + ": loss spikes + divergences per seed " +
              at[i].first->label + " " + values_text(g) + diverged_clause(*at[i].first) + ", " + at[i].second->label +
              " " + values_text(r) + diverged_clause(*at[i].second) + ".";
    }
    const Stats top_g = instability(*at.back().first), top_r = instability(*at.back().second);
    const Comparison top = compare(top_g, top_r, Better::Lower);
    // Neither arm spiked or diverged on any seed at the highest rate: gelu has no fewer, on every
    // seed alike (no spread for seeds to disagree over), and the lower rates cannot rescue it.
    const bool calm = top_g.max == 0 && top_r.max == 0;
    std::string note;
    c.verdict = calm ? Verdict::Contradicted
                     : combine({{"fewer at the highest rate", part_verdict(top.separation)},
                                {"no more at the lower rates", lower_ok ? Verdict::Supported : Verdict::Contradicted}},
                               note);
    c.evidence = ev +
                 (calm ? " At the highest rate neither arm spiked or diverged on any seed: nothing for gelu to have "
                         "fewer of."
                       : " At the highest rate, gelu against relu: " + top.text + ".") +
                 " Supported when gelu has no more "
                 "spikes and divergences than relu at every rate (by the mean over seeds) and fewer at the highest "
                 "(" +
                 rules_text({top}) + ")." + note;
    return c;
}

}  // namespace genlab::experiments
