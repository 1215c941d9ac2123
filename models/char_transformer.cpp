// CharTransformer: nanoGPT's GPT at character level, built from core ops (embedding, layer_norm,
// linear, the fused causal_self_attention, activate, dropout, a tied output layer).
#include "models/char_transformer.h"

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace genlab::models {

std::string CharTransformerConfig::to_json() const {
    nlohmann::ordered_json j;
    j["vocab_size"] = vocab_size;
    j["block_size"] = block_size;
    j["n_layer"] = n_layer;
    j["n_head"] = n_head;
    j["n_embd"] = n_embd;
    j["act"] = act;
    j["dropout"] = dropout;
    j["init"] = init;
    return j.dump();
}

CharTransformerConfig CharTransformerConfig::from_json(const std::string& json, const std::string& what) {
    CharTransformerConfig c;
    try {
        const nlohmann::json j = nlohmann::json::parse(json);
        c.vocab_size = j.at("vocab_size").get<int>();
        c.block_size = j.at("block_size").get<int>();
        c.n_layer = j.at("n_layer").get<int>();
        c.n_head = j.at("n_head").get<int>();
        c.n_embd = j.at("n_embd").get<int>();
        c.act = j.at("act").get<std::string>();
        c.dropout = j.at("dropout").get<float>();
        c.init = j.value("init", std::string("gpt2"));  // absent in checkpoints written before the field
    } catch (const nlohmann::json::exception& e) {
        fail(what, ": invalid transformer config (", e.what(), ")");
    }
    try {
        c.validate();
    } catch (const Error& e) {
        fail(what, ": ", e.what());
    }
    return c;
}

void CharTransformerConfig::validate() const {
    if (vocab_size < 1) usage_fail("transformer: vocab_size must be >= 1, got ", vocab_size);
    if (block_size < 1 || block_size > 4096) usage_fail("--block-size ", block_size, ": expected 1..4096");
    if (n_layer < 1 || n_layer > 64) usage_fail("--n-layer ", n_layer, ": expected 1..64");
    if (n_embd < 1 || n_embd > 4096) usage_fail("--n-embd ", n_embd, ": expected 1..4096");
    if (n_head < 1 || n_embd % n_head != 0)
        usage_fail("--n-head ", n_head, ": must be >= 1 and divide --n-embd ", n_embd);
    if (!(dropout >= 0.f && dropout < 1.f)) usage_fail("--dropout ", dropout, ": expected a value in [0, 1)");
    if (init != "gpt2" && init != "torch") usage_fail("--init ", init, ": expected gpt2 or torch");
    parse_activation(act);
}

namespace {

// GPT-2 init: N(0, 0.02) weights, zero biases; `std` lets residual projections use
// 0.02 / sqrt(2 * n_layer) so the residual stream's variance does not grow with depth.
// "torch" keeps Linear's own torch.nn.Linear default (U(+-1/sqrt(fan_in)) weights and biases),
// which makemore's transformer uses: at its lr 5e-4 the larger weights train faster than
// GPT-2's (names.txt, lr 5e-4, 5000 steps of 32: val 2.030 vs 2.087).
Linear& gpt_linear(Linear& l, const std::string& init, float std, Rng& rng) {
    if (init == "torch") return l;
    rng.fill_normal(l.weight.value, 0.f, std);
    if (l.bias) l.bias->value.fill(0.f);
    return l;
}

Tensor normal(Shape s, float std, Rng& rng) {
    Tensor w(s);
    rng.fill_normal(w, 0.f, std);
    return w;
}

constexpr float kInitStd = 0.02f;

}  // namespace

// --- block

TransformerBlock::TransformerBlock(const CharTransformerConfig& cfg, Rng& rng)
    : cfg_(cfg),
      act_(parse_activation(cfg.act)),
      ln_1_(register_module("ln_1", std::make_unique<LayerNorm>(cfg.n_embd))),
      c_attn_(gpt_linear(register_module("c_attn", std::make_unique<Linear>(cfg.n_embd, 3 * cfg.n_embd, rng)),
                         cfg.init, kInitStd, rng)),
      attn_proj_(gpt_linear(register_module("attn_proj", std::make_unique<Linear>(cfg.n_embd, cfg.n_embd, rng)),
                            cfg.init, kInitStd / std::sqrt(2.f * static_cast<float>(cfg.n_layer)), rng)),
      ln_2_(register_module("ln_2", std::make_unique<LayerNorm>(cfg.n_embd))),
      c_fc_(gpt_linear(register_module("c_fc", std::make_unique<Linear>(cfg.n_embd, 4 * cfg.n_embd, rng)),
                       cfg.init, kInitStd, rng)),
      mlp_proj_(gpt_linear(register_module("mlp_proj", std::make_unique<Linear>(4 * cfg.n_embd, cfg.n_embd, rng)),
                           cfg.init, kInitStd / std::sqrt(2.f * static_cast<float>(cfg.n_layer)), rng)) {
    if (act_.learnable())
        usage_fail("--act ", cfg.act, ": learnable activations are supported by --arch mlp only");
}

Var TransformerBlock::operator()(Tape& t, Var x, bool train, Rng& rng, LayerRecord* record) const {
    const bool drop = train && cfg_.dropout > 0.f;
    Var qkv = c_attn_(t, ln_1_(t, x));                    // (B, T, 3C)
    Var a = attn_proj_(t, causal_self_attention(t, qkv, cfg_.n_head));  // (B, T, C)
    if (drop) a = dropout(t, a, cfg_.dropout, rng, true);
    x = add(t, x, a);                                     // (B, T, C)
    Var pre = c_fc_(t, ln_2_(t, x));                      // (B, T, 4C)
    Var post = activate(t, pre, act_);                    // (B, T, 4C)
    if (record) {
        record->pre.push_back(pre);
        record->post.push_back(post);
    }
    Var m = mlp_proj_(t, post);                           // (B, T, C)
    if (drop) m = dropout(t, m, cfg_.dropout, rng, true);
    return add(t, x, m);                                  // (B, T, C)
}

// --- model

CharTransformer::CharTransformer(const CharTransformerConfig& cfg, Rng& rng)
    : cfg_((cfg.validate(), cfg)),
      wte_(register_parameter("wte", normal(Shape{cfg.vocab_size, cfg.n_embd}, kInitStd, rng))),  // (V, C)
      wpe_(register_parameter("wpe", normal(Shape{cfg.block_size, cfg.n_embd}, kInitStd, rng))) {  // (T, C)
    for (int i = 0; i < cfg_.n_layer; ++i)
        // append(), not "h" + ...: GCC 12 reports a false -Wrestrict on operator+ here.
        blocks_.push_back(&register_module(std::string("h").append(std::to_string(i)), std::make_unique<TransformerBlock>(cfg_, rng)));
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
    for (int i = 0; i < bt; ++i) p[i] = static_cast<float>(i);

    Var wte = t.param(wte_);  // (V, C): one leaf for both uses, so the tied gradient sums on the tape
    Var h = add(t, embedding(t, wte, x), embedding(t, t.param(wpe_), pos));  // (B, T, C) + (T, C)
    if (training_ && cfg_.dropout > 0.f) h = dropout(t, h, cfg_.dropout, dropout_rng_, true);
    for (const TransformerBlock* b : blocks_) h = (*b)(t, h, training_, dropout_rng_, record);
    h = (*ln_f_)(t, h);                                  // (B, T, C)
    return linear(t, h, wte, t.param(*head_bias_));    // (B, T, V)
}

}  // namespace genlab::models
