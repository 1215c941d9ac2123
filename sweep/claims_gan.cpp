// Claims about GANs: Leaky ReLU keeps training alive; the activation matters in both networks
// (claims.h).
#include "sweep/claim_kit.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace genlab::experiments {

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

namespace {

// The arms of a where-crossed sweep: each "both" arm with the arms alike it but for `where`, one
// per single network. -> pairs (both, single).
std::vector<std::pair<const SweepArm*, const SweepArm*>> where_pairs(const SweepData& s) {
    std::vector<std::pair<const SweepArm*, const SweepArm*>> pairs;
    for (const SweepArm& b : s.arms) {
        if (b.where != "both" || b.done().empty()) continue;
        for (const Net& net : networks(s))
            for (const SweepArm& one : s.arms)
                if (one.where == net.name && !one.done().empty() && alike_but(b, one, &SweepArm::where))
                    pairs.emplace_back(&b, &one);
    }
    return pairs;
}

std::string where_names(const SweepData& s) {
    std::string t = "both";
    for (const Net& net : networks(s)) t += "," + net.name;
    return t;
}

std::string network_label(const SweepData& s, const std::string& where) {
    for (const Net& net : networks(s))
        if (net.name == where) return net.label;
    return where;
}

}  // namespace

Claim both_networks_matter(const SweepData& s) {
    Claim c{.claim = "In a GAN the activation matters in both networks", .verdict = Verdict::NotTested, .evidence = {}};
    if (!s.facts().has(Trait::Adversarial, s.config())) {
        c.evidence = needs_trait(s, Trait::Adversarial);
        return c;
    }
    const auto pairs = where_pairs(s);
    if (pairs.empty() || s.quality.empty()) {
        c.evidence = s.quality.empty() ? "This sweep's model config has no quality metric."
                                       : "It needs arms alike but for where the activation goes, in both networks "
                                         "and in one (sweep with --where " +
                                             where_names(s) + ").";
        return c;
    }
    std::string ev;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const auto& [both, one] = pairs[i];
        if (i == 0 || pairs[i - 1].first != both) ev += (ev.empty() ? "" : "; ") + quality_clause(s, *both);
        ev += "; " + quality_clause(s, *one);
    }
    const PairsResult r = compare_pairs(s, pairs, [&](const SweepArm& b, const SweepArm& one) {
        return b.act + " in both (against only " + network_label(s, one.where) + ")";
    });
    std::string note;
    c.verdict = combine(r.per_pair, note);
    c.evidence = ev + ". " + r.text + " Supported when the activation in both networks beats it in each one alone on " +
                 s.quality.front().name + " (" + r.rules + "; a family of " + std::to_string(pairs.size()) +
                 " pairs)." + note;
    return c;
}

}  // namespace genlab::experiments
