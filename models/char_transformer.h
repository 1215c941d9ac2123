// GPT-style character transformer (nanoGPT / makemore): token + learned position embeddings,
// pre-LayerNorm blocks (causal self-attention, then an MLP of 4*C with a swappable activation),
// a final LayerNorm and an output layer tied to the token embedding. GPT-2 or PyTorch-default init.
#pragma once
#include <string>
#include <vector>

#include "models/text_model.h"

namespace genlab::models {

struct CharTransformerConfig {
    int vocab_size = 0;     // V: symbols of the corpus (+ the end token in lines mode)
    int block_size = 64;    // T: longest context (position embeddings)
    int n_layer = 4;        // transformer blocks
    int n_head = 4;         // attention heads; must divide n_embd
    int n_embd = 128;       // C: residual stream width
    std::string act = "gelu";  // activation of the 4*C MLP
    float dropout = 0.f;    // after embeddings, attention projection and MLP (training only)
    // Linear layers' init: "gpt2" (nanoGPT: N(0, 0.02), residual projections scaled by
    // 1/sqrt(2 * n_layer), zero biases) or "torch" (torch.nn.Linear's default, as makemore's
    // transformer). Embeddings are N(0, 0.02) either way: the output layer is tied to wte.
    std::string init = "gpt2";

    std::string to_json() const;
    static CharTransformerConfig from_json(const std::string& json, const std::string& what);  // validates
    void validate() const;  // UsageError naming the flag
};

// One pre-LN block: x + attn(ln_1(x)), then + mlp(ln_2(x)). PyTorch/nanoGPT parameter names.
class TransformerBlock : public Module {
public:
    TransformerBlock(const CharTransformerConfig& cfg, Rng& rng);
    Var operator()(Tape& t, Var x, bool train, Rng& rng, LayerRecord* record) const;  // (B, T, C)

private:
    const CharTransformerConfig& cfg_;
    Activation act_;
    LayerNorm& ln_1_;
    Linear& c_attn_;     // C -> 3C: [q | k | v]
    Linear& attn_proj_;  // C -> C
    LayerNorm& ln_2_;
    Linear& c_fc_;       // C -> 4C
    Linear& mlp_proj_;   // 4C -> C
};

class CharTransformer : public CharModel {
public:
    CharTransformer(const CharTransformerConfig& cfg, Rng& rng);
    // (B, T) -> (B, T, V), T <= block_size. record: each block's MLP pre/post activation (B, T, 4C).
    Var logits(Tape& t, Var x, LayerRecord* record = nullptr) const override;
    TextInput input() const override { return TextInput::Blocks; }
    int context() const override { return cfg_.block_size; }
    int vocab_size() const override { return cfg_.vocab_size; }
    const char* arch() const override { return "transformer"; }
    std::string config_json() const override { return cfg_.to_json(); }
    const CharTransformerConfig& config() const { return cfg_; }

private:
    CharTransformerConfig cfg_;
    Parameter& wte_;   // (V, C), also the output layer's weight (tied)
    Parameter& wpe_;   // (T, C)
    std::vector<TransformerBlock*> blocks_;
    LayerNorm* ln_f_ = nullptr;
    Parameter* head_bias_ = nullptr;  // (V)
};

}  // namespace genlab::models
