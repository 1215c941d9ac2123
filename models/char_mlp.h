// Bengio / makemore-style character MLP: the K previous characters are embedded (C each),
// concatenated, passed through hidden layers with a swappable activation, and mapped to logits
// over the vocabulary (softmax in the loss / sampler).
#pragma once
#include <string>
#include <vector>

#include "models/text_model.h"

namespace genlab::models {

struct CharMlpConfig {
    int vocab_size = 0;             // V: symbols of the corpus (+ the end token in lines mode)
    int context = 3;                // K: previous characters seen
    int n_embd = 32;                // C: embedding size of one character
    std::vector<int> hidden{256, 256};  // hidden layer widths
    std::string act = "gelu";       // hidden activation spec (core/activations.h)

    std::string to_json() const;
    static CharMlpConfig from_json(const std::string& json, const std::string& what);  // validates
    void validate() const;  // UsageError naming the flag (--context, --n-embd, --hidden, --act)
};

class CharMlp : public CharModel {
public:
    CharMlp(const CharMlpConfig& cfg, Rng& rng);
    Var logits(Tape& t, Var x, LayerRecord* record = nullptr) const override;  // (B, K) -> (B, V)
    TextInput input() const override { return TextInput::Contexts; }
    int context() const override { return cfg_.context; }
    int vocab_size() const override { return cfg_.vocab_size; }
    const char* arch() const override { return "mlp"; }
    std::string config_json() const override { return cfg_.to_json(); }
    const CharMlpConfig& config() const { return cfg_; }

private:
    CharMlpConfig cfg_;
    Embedding& wte_;  // (V, C)
    MLP& mlp_;        // K*C -> hidden... -> V
};

}  // namespace genlab::models
