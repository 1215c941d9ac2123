// Bengio / makemore-style character MLP: the K previous characters are embedded (C each),
// concatenated, passed through hidden layers with a swappable activation, and mapped to logits
// over the vocabulary (softmax in the loss / sampler).
#pragma once
#include "models/text_model.h"

namespace genlab::models {

class CharMlp : public CharModel {
public:
    CharMlp(const CharModelConfig& cfg, Rng& rng);  // reads vocab_size, context, n_embd, hidden, act, init
    Var logits(Tape& t, Var x, LayerRecord* record = nullptr) const override;  // (B, K) -> (B, V)
    TextInput input() const override { return TextInput::Contexts; }
    int context() const override { return cfg_.context; }
    int vocab_size() const override { return cfg_.vocab_size; }
    const CharModelConfig& config() const override { return cfg_; }

private:
    CharModelConfig cfg_;
    Embedding& wte_;  // (V, C)
    MLP& mlp_;        // K*C -> hidden... -> V
};

}  // namespace genlab::models
