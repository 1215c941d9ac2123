// GPT-style character transformer (nanoGPT / makemore): token + learned position embeddings,
// pre-LayerNorm blocks (causal self-attention, then an MLP of 4*C with a swappable activation),
// a final LayerNorm and an output layer tied to the token embedding. Embeddings start N(0, 0.02)
// whatever the Linear init: the output layer is tied to wte.
#pragma once
#include <string>
#include <vector>

#include "models/text_model.h"

namespace genlab::models {

// One pre-LN block: x + attn(ln_1(x)), then + mlp(ln_2(x)). PyTorch/nanoGPT parameter names.
class TransformerBlock : public Module {
public:
    TransformerBlock(const CharModelConfig& cfg, Rng& rng);
    Var operator()(Tape& t, Var x, bool train, Rng& rng, LayerRecord* record) const;  // (B, T, C)

private:
    const CharModelConfig& cfg_;
    Activation act_;
    LayerNorm& ln_1_;
    Linear& c_attn_;     // C -> 3C: [q | k | v]
    Linear& attn_proj_;  // C -> C
    LayerNorm& ln_2_;
    Linear& c_fc_;      // C -> 4C
    Linear& mlp_proj_;  // 4C -> C
};

class CharTransformer : public CharModel {
public:
    // Reads vocab_size, block_size, n_layer, n_head, n_embd, act, dropout, init.
    CharTransformer(const CharModelConfig& cfg, Rng& rng);
    // (B, T) -> (B, T, V), T <= block_size. record: each block's MLP pre/post activation (B, T, 4C).
    Var logits(Tape& t, Var x, LayerRecord* record = nullptr) const override;
    TextInput input() const override { return TextInput::Blocks; }
    int context() const override { return cfg_.block_size; }
    int vocab_size() const override { return cfg_.vocab_size; }
    const CharModelConfig& config() const override { return cfg_; }
    bool uses_dropout() const override { return cfg_.dropout > 0.f; }

private:
    CharModelConfig cfg_;
    Parameter& wte_;  // (V, C), also the output layer's weight (tied)
    Parameter& wpe_;  // (T, C)
    std::vector<TransformerBlock*> blocks_;
    LayerNorm* ln_f_ = nullptr;
    Parameter* head_bias_ = nullptr;  // (V)
};

}  // namespace genlab::models
