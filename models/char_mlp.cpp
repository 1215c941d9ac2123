// CharMlp: embeddings of K characters, concatenated, through an MLP to logits.
#include "models/char_mlp.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace genlab::models {

std::string CharMlpConfig::to_json() const {
    nlohmann::ordered_json j;
    j["vocab_size"] = vocab_size;
    j["context"] = context;
    j["n_embd"] = n_embd;
    j["hidden"] = hidden;
    j["act"] = act;
    return j.dump();
}

CharMlpConfig CharMlpConfig::from_json(const std::string& json, const std::string& what) {
    CharMlpConfig c;
    try {
        const nlohmann::json j = nlohmann::json::parse(json);
        c.vocab_size = j.at("vocab_size").get<int>();
        c.context = j.at("context").get<int>();
        c.n_embd = j.at("n_embd").get<int>();
        c.hidden = j.at("hidden").get<std::vector<int>>();
        c.act = j.at("act").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        fail(what, ": invalid mlp config (", e.what(), ")");
    }
    try {
        c.validate();
    } catch (const Error& e) {
        fail(what, ": ", e.what());
    }
    return c;
}

void CharMlpConfig::validate() const {
    if (vocab_size < 1) usage_fail("mlp: vocab_size must be >= 1, got ", vocab_size);
    if (context < 1 || context > 1024) usage_fail("--context ", context, ": expected 1..1024 previous characters");
    if (n_embd < 1 || n_embd > 4096) usage_fail("--n-embd ", n_embd, ": expected 1..4096");
    if (hidden.empty()) usage_fail("--hidden: expected at least one layer width, e.g. 256,256");
    for (int h : hidden)
        if (h < 1 || h > 65536) usage_fail("--hidden: layer width ", h, " out of range 1..65536");
    parse_activation(act);  // UsageError listing the known names
}

namespace {

std::vector<int> mlp_sizes(const CharMlpConfig& c) {
    c.validate();
    std::vector<int> s{c.context * c.n_embd};
    s.insert(s.end(), c.hidden.begin(), c.hidden.end());
    s.push_back(c.vocab_size);
    return s;
}

}  // namespace

CharMlp::CharMlp(const CharMlpConfig& cfg, Rng& rng)
    : cfg_(cfg),
      // N(0, 1) embeddings as torch.nn.Embedding (makemore's C table).
      wte_(register_module("wte", std::make_unique<Embedding>((cfg.validate(), cfg.vocab_size), cfg.n_embd, rng))),
      mlp_(register_module("mlp", std::make_unique<MLP>(mlp_sizes(cfg), parse_activation(cfg.act),
                                                        parse_activation("identity"), rng))) {
    // A near-uniform first prediction (loss ~ ln V instead of a confident wrong guess), as
    // makemore and Karpathy's "Zero to Hero" scale the output layer down at init.
    const std::string last = "fc" + std::to_string(cfg_.hidden.size());
    for (const auto& [name, p] : mlp_.named_parameters())
        if (name == last + ".weight" || name == last + ".bias") p->value.flat() *= 0.1f;
}

Var CharMlp::logits(Tape& t, Var x, LayerRecord* record) const {
    const Shape s = t.shape(x);  // (B, K)
    if (s.rank != 2 || s[1] != cfg_.context)
        fail("CharMlp: expected ids (B, ", cfg_.context, "), got ", s.str());
    Var e = wte_(t, x);                                            // (B, K, C)
    Var h = reshape(t, e, Shape{s[0], cfg_.context * cfg_.n_embd});  // (B, K*C)
    return mlp_(t, h, record);                                     // (B, V)
}

}  // namespace genlab::models
