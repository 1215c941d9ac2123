// Claims about a model's output activation: a bounded one helps image generators (claims.h).
#include <string>
#include <utility>
#include <vector>

#include "core/activations.h"
#include "sweep/claim_kit.h"

namespace genlab::experiments {

namespace {

// Is the arm's output activation bounded, as the registry's range says?
bool bounded_out(const SweepArm& a) { return parse_activation(a.out).range().bounded(); }

// Why the sweep does not compare bounded outputs with unbounded ones ("" when it does).
std::string outs_missing(const SweepData& s, const std::vector<const SweepArm*>& bounded,
                         const std::vector<const SweepArm*>& open) {
    if (s.facts().out_key.empty())
        return "The " + s.model + " model has no output activation a sweep can swap (no --outs).";
    if (bounded.empty() && open.empty())
        return "This sweep does not cross the output activation; sweep it with --outs tanh,sigmoid,identity.";
    if (bounded.empty() || open.empty())
        return std::string("It needs a bounded output arm (tanh, sigmoid) and an unbounded one (identity); this "
                           "sweep has only ") +
               (bounded.empty() ? "unbounded" : "bounded") + " ones.";
    if (s.quality.empty()) return "This sweep's model config has no quality metric to compare the outputs on.";
    return {};
}

}  // namespace

Claim bounded_output_helps(const SweepData& s) {
    Claim c{.claim = "A bounded output (tanh, sigmoid) helps image generators",
            .verdict = Verdict::NotTested,
            .evidence = {}};
    std::vector<const SweepArm*> bounded, open;
    for (const SweepArm& a : s.arms)
        if (!a.out.empty() && !a.done().empty()) (bounded_out(a) ? bounded : open).push_back(&a);
    if (const std::string why = outs_missing(s, bounded, open); !why.empty()) {
        c.evidence = why;
        return c;
    }
    std::vector<std::pair<const SweepArm*, const SweepArm*>> pairs;
    for (const SweepArm* b : bounded)
        for (const SweepArm* o : open)
            if (alike_but(*b, *o, &SweepArm::out)) pairs.emplace_back(b, o);
    if (pairs.empty()) {
        c.evidence = "No bounded output arm is alike an unbounded one but for its output.";
        return c;
    }
    std::string ev;
    for (const SweepArm* a : bounded) ev += (ev.empty() ? "" : "; ") + quality_clause(s, *a);
    for (const SweepArm* a : open) ev += "; " + quality_clause(s, *a);
    const PairsResult r = compare_pairs(s, pairs, [](const SweepArm& b, const SweepArm& o) {
        return b.out + " (against " + o.out + ")";
    });
    std::string note;
    c.verdict = combine(r.per_pair, note);
    c.evidence = ev + ". " + r.text + " Supported when every bounded output beats the unbounded one on " +
                 s.quality.front().name + " (" + r.rules + "; a family of " + std::to_string(pairs.size()) +
                 " pairs)." + note;
    return c;
}

}  // namespace genlab::experiments
