// Claims about training: GELU suits transformers (claims.h).
#include "sweep/claim_kit.h"

#include <algorithm>
#include <cmath>
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

}  // namespace genlab::experiments
