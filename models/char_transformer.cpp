// CharTransformer: nanoGPT's GPT at character level, built from core ops (embedding, layer_norm,
// linear, the fused causal_self_attention, activate, dropout, a tied output layer).
#include "models/char_transformer.h"

#include <cmath>
#include <memory>

#include "core/error.h"

namespace genlab::models {

namespace {

// The options of one Linear under cfg.init: with gpt2, N(0, std) weights and zero biases, where
// residual projections use std 0.02 / sqrt(2 n_layer) so the residual stream's variance does not
// grow with depth; with gain, the gain of what the layer feeds (the MLP's activation, else 1);
// with torch, torch.nn.Linear's default, which makemore's transformer uses: at its lr 5e-4 the
// larger weights train faster than GPT-2's (names.txt, 5000 steps of 32: val 2.030 vs 2.087).
LinearOptions linear_options(const CharModelConfig& cfg, bool residual, float gain) {
    const float std = residual ? 0.02f / std::sqrt(2.f * static_cast<float>(cfg.n_layer)) : 0.02f;
    return {.init = parse_init(cfg.init), .gain = gain, .std = std};
}

Tensor normal(Shape s, float std, Rng& rng) {
    Tensor w(s);
    rng.fill_normal(w, 0.f, std);
    return w;
}

constexpr float kInitStd = 0.02f;

}  // namespace

// --- block

TransformerBlock::TransformerBlock(const CharModelConfig& cfg, Rng& rng)
    : cfg_(cfg),
      act_(parse_activation(cfg.act)),
      ln_1_(register_module("ln_1", std::make_unique<LayerNorm>(cfg.n_embd))),
      c_attn_(register_module("c_attn", std::make_unique<Linear>(cfg.n_embd, 3 * cfg.n_embd, rng,
                                                                 linear_options(cfg, false, 1.f)))),
      attn_proj_(register_module("attn_proj", std::make_unique<Linear>(cfg.n_embd, cfg.n_embd, rng,
                                                                       linear_options(cfg, true, 1.f)))),
      ln_2_(register_module("ln_2", std::make_unique<LayerNorm>(cfg.n_embd))),
      c_fc_(register_module("c_fc", std::make_unique<Linear>(cfg.n_embd, 4 * cfg.n_embd, rng,
                                                             linear_options(cfg, false, act_.gain())))),
      mlp_proj_(register_module("mlp_proj", std::make_unique<Linear>(4 * cfg.n_embd, cfg.n_embd, rng,
                                                                     linear_options(cfg, true, 1.f)))) {}

Var TransformerBlock::operator()(Tape& t, Var x, bool train, Rng& rng, LayerRecord* record) const {
    const bool drop = train && cfg_.dropout > 0.f;
    Var qkv = c_attn_(t, ln_1_(t, x));                                  // (B, T, 3C)
    Var a = attn_proj_(t, causal_self_attention(t, qkv, cfg_.n_head));  // (B, T, C)
    if (drop) a = dropout(t, a, cfg_.dropout, rng, true);
    x = add(t, x, a);                   // (B, T, C)
    Var pre = c_fc_(t, ln_2_(t, x));    // (B, T, 4C)
    Var post = activate(t, pre, act_);  // (B, T, 4C)
    if (record) record->add({.pre = pre, .post = post, .act = &act_, .weight = &c_fc_.weight});
    Var m = mlp_proj_(t, post);  // (B, T, C)
    if (drop) m = dropout(t, m, cfg_.dropout, rng, true);
    return add(t, x, m);  // (B, T, C)
}

// --- model

CharTransformer::CharTransformer(const CharModelConfig& cfg, Rng& rng)
    : cfg_(cfg),
      wte_(register_parameter("wte", normal(Shape{cfg.vocab_size, cfg.n_embd}, kInitStd, rng))),   // (V, C)
      wpe_(register_parameter("wpe", normal(Shape{cfg.block_size, cfg.n_embd}, kInitStd, rng))) {  // (T, C)
    for (int i = 0; i < cfg_.n_layer; ++i)
        // append(), not "h" + ...: GCC 12 reports a false -Wrestrict on operator+ here.
        blocks_.push_back(&register_module(std::string("h").append(std::to_string(i)),
                                           std::make_unique<TransformerBlock>(cfg_, rng)));
    ln_f_ = &register_module("ln_f", std::make_unique<LayerNorm>(cfg_.n_embd));
    head_bias_ = &register_parameter("head_bias", Tensor(Shape{cfg_.vocab_size}, 0.f));  // (V)
}

Var CharTransformer::logits(Tape& t, Var x, LayerRecord* record) const {
    const Shape s = t.shape(x);  // (B, T)
    if (s.rank != 2 || s[1] < 1 || s[1] > cfg_.block_size)
        fail("CharTransformer: expected ids (B, T) with 1 <= T <= block size ", cfg_.block_size, ", got ", s.str());
    const int bt = s[1];
    Var pos = t.input(Shape{bt});  // (T) position ids 0..T-1
    float* p = t.value(pos).data();
    for (int i = 0; p && i < bt; ++i) p[i] = static_cast<float>(i);  // none to write under ShapesOnly

    Var wte = t.param(wte_);  // (V, C): one leaf for both uses, so the tied gradient sums on the tape
    Var h = add(t, embedding(t, wte, x), embedding(t, t.param(wpe_), pos));  // (B, T, C) + (T, C)
    if (training_ && cfg_.dropout > 0.f) h = dropout(t, h, cfg_.dropout, dropout_rng_, true);
    for (const TransformerBlock* b : blocks_) h = (*b)(t, h, training_, dropout_rng_, record);
    h = (*ln_f_)(t, h);                              // (B, T, C)
    return linear(t, h, wte, t.param(*head_bias_));  // (B, T, V)
}

}  // namespace genlab::models
