// Softmax sampling over a row of logits, as makemore's generate(): temperature (0 = greedy
// argmax), then top-k, then top-p (nucleus) on what top-k kept, renormalised, drawn with a
// caller-owned Rng. Pure functions over floats: no tape, no model.
//
//     SamplingOptions opt{.temperature = 0.8f, .top_k = 20, .top_p = 0.95f};
//     validate_sampling(opt);                              // UsageError naming the flag
//     int id = sample_token(logits_row, opt, rng, work);   // logits_row (V)
#pragma once
#include <span>
#include <vector>

#include "core/rng.h"

namespace genlab::models {

struct SamplingOptions {
    float temperature = 1.f;  // logits / T before softmax; 0 = greedy (argmax), < 0 is an error
    int top_k = 0;            // keep the k most likely tokens; 0 = all
    float top_p = 1.f;        // then keep the smallest most-likely set with mass >= p; in (0, 1]
};

// UsageError naming --temperature / --top-k / --top-p when a value is out of range or not finite.
void validate_sampling(const SamplingOptions& opt);

// The distribution sample_token() draws from: probs (V) sums to 1 over the kept tokens and is
// exactly 0 elsewhere. Greedy (T = 0) puts all the mass on the first maximal logit. Ties at the
// top-k / top-p cut go to the lower id, so the result never depends on sort stability.
void sampling_probs(std::span<const float> logits, const SamplingOptions& opt, std::vector<float>& probs);

// One token id drawn from sampling_probs(). `work` is scratch reused between calls (no
// allocation once it has grown to V). Greedy sampling draws nothing from rng.
int sample_token(std::span<const float> logits, const SamplingOptions& opt, Rng& rng, std::vector<float>& work);

}  // namespace genlab::models
