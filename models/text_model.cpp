// CharModel's shared pieces: the loss, the factory from a config JSON, and generation.
#include "models/text_model.h"

#include <algorithm>

#include "core/error.h"
#include "core/ops.h"
#include "models/char_mlp.h"
#include "models/char_transformer.h"

namespace genlab::models {

Var CharModel::loss(Tape& t, Var x, Var y, LayerRecord* record) const {
    Var lg = logits(t, x, record);  // (B, V) or (B, T, V)
    const Shape s = t.shape(lg);
    const int v = s.last();
    const int n = static_cast<int>(s.rows());
    if (static_cast<int>(t.shape(y).numel()) != n)
        fail(arch(), ": targets ", t.shape(y).str(), " do not match logits ", s.str());
    return cross_entropy(t, reshape(t, lg, Shape{n, v}), reshape(t, y, Shape{n}));  // (1)
}

std::unique_ptr<CharModel> make_char_model(const std::string& arch, const std::string& config_json, Rng& rng,
                                           const std::string& what) {
    if (arch == "mlp") return std::make_unique<CharMlp>(CharMlpConfig::from_json(config_json, what), rng);
    if (arch == "transformer")
        return std::make_unique<CharTransformer>(CharTransformerConfig::from_json(config_json, what), rng);
    fail(what, ": unknown architecture '", arch, "' (expected mlp or transformer)");
}

std::vector<int> generate(const CharModel& model, std::span<const int> prompt, const GenerateOptions& opt, Rng& rng,
                          const std::function<void(int)>& on_token) {
    validate_sampling(opt.sampling);
    const int v = model.vocab_size();
    for (int id : prompt)
        if (id < 0 || id >= v) fail("generate: prompt id ", id, " outside the vocabulary 0..", v - 1);
    const int k = model.context();
    // The history the model conditions on: [eos] + prompt in lines mode (makemore), else the prompt.
    std::vector<int> seq;
    if (opt.eos >= 0) seq.push_back(opt.eos);
    seq.insert(seq.end(), prompt.begin(), prompt.end());
    if (seq.empty()) seq.push_back(opt.pad);  // a stream model needs one id to start from

    const bool blocks = model.input() == TextInput::Blocks;
    const bool was_training = model.training();
    const_cast<CharModel&>(model).set_training(false);  // dropout off; restored below
    Tape t;
    NoGradGuard ng(t);
    std::vector<int> out;
    std::vector<float> work;
    for (int n = 0; n < opt.max_tokens; ++n) {
        t.reset();
        const int len = blocks ? std::min<int>(k, static_cast<int>(seq.size())) : k;
        Var x = t.input(Shape{1, len});  // (1, T) or (1, K)
        float* xp = t.value(x).data();
        for (int i = 0; i < len; ++i) {
            // Right-aligned window of the history; positions before its start get the pad id.
            const long j = static_cast<long>(seq.size()) - len + i;
            xp[i] = static_cast<float>(j >= 0 ? seq[static_cast<size_t>(j)] : opt.pad);
        }
        Var lg = model.logits(t, x);  // (1, V) or (1, T, V)
        const float* row = t.value(lg).data() + (t.value(lg).numel() - static_cast<size_t>(v));
        const int id = sample_token(std::span<const float>(row, static_cast<size_t>(v)), opt.sampling, rng, work);
        if (id == opt.eos) break;
        seq.push_back(id);
        out.push_back(id);
        if (on_token) on_token(id);
    }
    const_cast<CharModel&>(model).set_training(was_training);
    return out;
}

}  // namespace genlab::models
