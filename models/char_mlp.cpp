// CharMlp: embeddings of K characters, concatenated, through an MLP to logits.
#include "models/char_mlp.h"

#include <memory>

#include "core/error.h"

namespace genlab::models {

namespace {

std::vector<int> mlp_sizes(const CharModelConfig& c) {
    std::vector<int> s{c.context * c.n_embd};
    s.insert(s.end(), c.hidden.begin(), c.hidden.end());
    s.push_back(c.vocab_size);
    return s;
}

}  // namespace

CharMlp::CharMlp(const CharModelConfig& cfg, Rng& rng)
    : cfg_(cfg),
      // N(0, 1) embeddings as torch.nn.Embedding (makemore's C table).
      wte_(register_module("wte", std::make_unique<Embedding>(cfg.vocab_size, cfg.n_embd, rng))),
      mlp_(register_module("mlp", std::make_unique<MLP>(mlp_sizes(cfg), parse_activation(cfg.act),
                                                        parse_activation("identity"), rng, parse_init(cfg.init)))) {
    // A near-uniform first prediction (loss ~ ln V instead of a confident wrong guess), as
    // makemore and Karpathy's "Zero to Hero" scale the output layer down at init.
    if (shapes_only()) return;  // no values to scale
    const std::string last = "fc" + std::to_string(cfg_.hidden.size());
    for (const auto& [name, p] : mlp_.named_parameters())
        if (name == last + ".weight" || name == last + ".bias") p->value.flat() *= 0.1f;
}

Var CharMlp::logits(Tape& t, Var x, LayerRecord* record) const {
    const Shape s = t.shape(x);  // (B, K)
    if (s.rank != 2 || s[1] != cfg_.context) fail("CharMlp: expected ids (B, ", cfg_.context, "), got ", s.str());
    Var e = wte_(t, x);                                              // (B, K, C)
    Var h = reshape(t, e, Shape{s[0], cfg_.context * cfg_.n_embd});  // (B, K*C)
    return mlp_(t, h, record);                                       // (B, V)
}

}  // namespace genlab::models
