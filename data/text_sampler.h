// Training examples from one split of a corpus, written as float ids into caller-owned tensors
// (no allocation per batch). Two shapes of example serve the two character models:
//  - blocks (transformer): x (B, T) and y (B, T), y[t] the token after x[t].
//      stream: a uniformly random window of T + 1 symbols (nanoGPT's get_batch).
//      lines:  a uniformly random sample as makemore: x = [END, c1, c2, ...], y = [c1, c2, ..., END],
//              x padded with END and y with -1 (ignored by cross_entropy); a sample longer than T
//              gives a random window of it.
//  - contexts (MLP): x (B, K) the K previous tokens, y (B) the next one (makemore's MLP).
//      stream: a uniformly random position with at least K symbols before it.
//      lines:  a uniformly random position of a sample, its END included, the context padded with
//              END before the sample start (so every name starts from [END, END, END]).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/io/state_dict.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "data/corpus.h"

namespace genlab::data {

enum class CorpusSplit { Train, Val };

class TextSampler : public Stateful {
public:
    // `context` is T for blocks and K for contexts. Error when a stream split is shorter than
    // context + 1 symbols. The corpus must outlive the sampler.
    TextSampler(const Corpus& corpus, CorpusSplit split, int context, uint64_t seed);

    void next_blocks(Tensor& x, Tensor& y);    // x (B, T), y (B, T)
    void next_contexts(Tensor& x, Tensor& y);  // x (B, K), y (B)

    // Deterministic full passes (evaluation): example `first + r` into row r; rows past the end
    // get targets -1 so a fixed-shape last batch adds nothing to the loss.
    // Blocks: stream = consecutive windows of T targets; lines = sample i from its start.
    size_t num_blocks() const;
    void blocks_at(size_t first, Tensor& x, Tensor& y) const;
    // Contexts: stream = every position from K on; lines = every position.
    size_t num_contexts() const;
    void contexts_at(size_t first, Tensor& x, Tensor& y) const;

    int context() const { return context_; }
    const Corpus& corpus() const { return corpus_; }

    void save_state(StateDict& sd, const std::string& prefix) const override;  // "<prefix>rng"
    void load_state(const StateDict& sd, const std::string& prefix) override;

private:
    void check_shapes(const Tensor& x, const Tensor& y, bool blocks) const;
    void fill_window(size_t start, float* x, float* y) const;                             // stream
    void fill_sample(size_t begin, size_t end, size_t offset, float* x, float* y) const;  // lines
    void fill_context(size_t target, float* x, float* y) const;

    const Corpus& corpus_;
    const TextSplit& split_;
    int context_;
    bool lines_;
    float pad_;  // input padding id: END in lines mode, 0 in stream mode (its targets are -1)
    Rng rng_;
};

}  // namespace genlab::data
