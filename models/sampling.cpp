// Softmax sampling: temperature, top-k, top-p over one row of logits.
#include "models/sampling.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace genlab::models {

void validate_sampling(const SamplingOptions& opt) {
    if (!std::isfinite(opt.temperature) || opt.temperature < 0.f)
        usage_fail("--temperature ", opt.temperature,
                   ": expected a finite value >= 0 (0 = greedy, 1 = the model's distribution)");
    if (opt.top_k < 0) usage_fail("--top-k ", opt.top_k, ": expected >= 0 (0 = no top-k cut)");
    if (!(opt.top_p > 0.f && opt.top_p <= 1.f))
        usage_fail("--top-p ", opt.top_p, ": expected a value in (0, 1] (1 = no nucleus cut)");
}

void sampling_probs(std::span<const float> logits, const SamplingOptions& opt, std::vector<float>& probs) {
    const size_t v = logits.size();
    if (v == 0) fail("sampling: empty logits row");
    for (float x : logits)
        if (std::isnan(x)) fail("sampling: logits contain NaN (the model diverged?)");
    probs.assign(v, 0.f);
    if (opt.temperature == 0.f) {
        // Greedy: the limit of T -> 0, with ties resolved to the lowest id as argmax does.
        probs[static_cast<size_t>(std::max_element(logits.begin(), logits.end()) - logits.begin())] = 1.f;
        return;
    }
    const float inv_t = 1.f / opt.temperature;
    const float mx = *std::max_element(logits.begin(), logits.end());
    for (size_t i = 0; i < v; ++i) probs[i] = std::exp((logits[i] - mx) * inv_t);  // max subtracted: no overflow

    const bool cut_k = opt.top_k > 0 && static_cast<size_t>(opt.top_k) < v;
    const bool cut_p = opt.top_p < 1.f;
    if (cut_k || cut_p) {
        // Ids by decreasing probability, ties to the lower id (a total order: stable by construction).
        thread_local std::vector<int> order;
        order.resize(v);
        for (size_t i = 0; i < v; ++i) order[i] = static_cast<int>(i);
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            const float pa = probs[static_cast<size_t>(a)], pb = probs[static_cast<size_t>(b)];
            return pa != pb ? pa > pb : a < b;
        });
        size_t keep = cut_k ? static_cast<size_t>(opt.top_k) : v;
        if (cut_p) {
            // Smallest prefix of the kept tokens whose share of their mass reaches p. The total is
            // summed in the same order as the prefix, so p = 1 would keep exactly everything.
            double total = 0.0;
            for (size_t r = 0; r < keep; ++r) total += probs[static_cast<size_t>(order[r])];
            const double target = static_cast<double>(opt.top_p) * total;
            double cum = 0.0;
            size_t r = 0;
            while (r < keep) {
                cum += probs[static_cast<size_t>(order[r++])];
                if (cum >= target) break;
            }
            keep = std::max<size_t>(r, 1);
        }
        for (size_t r = keep; r < v; ++r) probs[static_cast<size_t>(order[r])] = 0.f;
    }
    double sum = 0.0;
    for (float p : probs) sum += p;
    const float inv = static_cast<float>(1.0 / sum);
    for (float& p : probs) p *= inv;
}

int sample_token(std::span<const float> logits, const SamplingOptions& opt, Rng& rng, std::vector<float>& work) {
    sampling_probs(logits, opt, work);
    if (opt.temperature == 0.f) return static_cast<int>(std::max_element(work.begin(), work.end()) - work.begin());
    const double u = rng.uniform();
    double cum = 0.0;
    int last = 0;
    for (size_t i = 0; i < work.size(); ++i) {
        if (work[i] <= 0.f) continue;
        last = static_cast<int>(i);
        cum += work[i];
        if (u < cum) return last;
    }
    return last;  // u fell in the rounding gap at the top: the last kept token
}

}  // namespace genlab::models
