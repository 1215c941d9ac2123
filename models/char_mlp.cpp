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

MemoryEstimate CharMlp::memory_estimate(const CharModelConfig& cfg, int batch) {
    const std::vector<int> sizes = mlp_sizes(cfg);
    const uint64_t v = static_cast<uint64_t>(cfg.vocab_size), c = static_cast<uint64_t>(cfg.n_embd);
    // Embedding rows (value and gradient), the MLP, and the loss's softmax over V.
    const uint64_t per_row = 2 * static_cast<uint64_t>(cfg.context) * c + MLP::tape_floats_per_row(sizes) + 2 * v;
    return {.parameters = v * c + MLP::parameter_count(sizes, parse_activation(cfg.act), parse_activation("identity")),
            .step_floats = static_cast<uint64_t>(batch) * per_row};
}

CharMlp::CharMlp(const CharModelConfig& cfg, Rng& rng)
    : cfg_(cfg),
      // N(0, 1) embeddings as torch.nn.Embedding (makemore's C table).
      wte_(register_module("wte", std::make_unique<Embedding>(cfg.vocab_size, cfg.n_embd, rng))),
      mlp_(register_module("mlp", std::make_unique<MLP>(mlp_sizes(cfg), parse_activation(cfg.act),
                                                        parse_activation("identity"), rng, parse_init(cfg.init)))) {
    // A near-uniform first prediction (loss ~ ln V instead of a confident wrong guess), as
    // makemore and Karpathy's "Zero to Hero" scale the output layer down at init.
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
