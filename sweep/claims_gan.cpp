// Claims about GANs: Leaky ReLU keeps training alive (claims.h).
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

}  // namespace genlab::experiments
