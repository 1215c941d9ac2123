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
        fail(config().arch, ": targets ", t.shape(y).str(), " do not match logits ", s.str());
    return cross_entropy(t, reshape(t, lg, Shape{n, v}), reshape(t, y, Shape{n}));  // (1)
}

const ConfigSpec<CharModelConfig>& char_model_config_spec() {
    using C = CharModelConfig;
    static const ConfigSpec<C> spec =
        ConfigSpec<C>()
            .derived("vocab_size", &C::vocab_size, in_range(1, 65536 + 1))
            .field("arch", &C::arch, "mlp or transformer (default: transformer for --mode stream)",
                   one_of({"mlp", "transformer"}))
            .field("context", &C::context, "MLP: previous characters seen", in_range(1, 1024))
            .field("hidden", &C::hidden, "MLP: hidden layer widths", widths(1, 1, 65536))
            .field("block_size", &C::block_size, "Transformer: context length (64 for --mode stream)",
                   in_range(1, 4096))
            .field("n_layer", &C::n_layer, "Transformer blocks", in_range(1, 64))
            .field("n_head", &C::n_head, "Attention heads (divide --n-embd)", in_range(1, 4096))
            .field("n_embd", &C::n_embd, "Embedding width (transformer: 64, or 128 for --mode stream)",
                   in_range(1, 4096))
            .field("act", &C::act, "Hidden activation (e.g. gelu, relu, swish:1.0)", elementwise_activation())
            .field("dropout", &C::dropout, "Transformer dropout", in_range(0.f, 0.99f))
            .field("init", &C::init, "Linear init: gain, torch or gpt2 (transformer: torch, or gpt2 for --mode stream)",
                   one_of(init_names()))
            .rule([](const C& c) {
                if (c.arch != "transformer") return;
                if (c.n_embd % c.n_head != 0) usage_fail("--n-head ", c.n_head, ": must divide --n-embd ", c.n_embd);
                if (parse_activation(c.act).learnable())
                    usage_fail("--act ", c.act, ": learnable activations are supported by --arch mlp only");
            });
    return spec;
}

std::unique_ptr<CharModel> make_char_model(const CharModelConfig& cfg, Rng& rng) {
    char_model_config_spec().validate(cfg);
    if (cfg.arch == "transformer") return std::make_unique<CharTransformer>(cfg, rng);
    return std::make_unique<CharMlp>(cfg, rng);
}

MemoryEstimate memory_estimate(const CharModelConfig& cfg, int batch) {
    const ShapesOnly dry;  // the model and its step as shapes: nothing of their size is allocated
    Rng rng(0);
    const std::unique_ptr<CharModel> model = make_char_model(cfg, rng);
    // The experiment's step (experiments/text/text_experiment.cpp) on one tape, at batch b: b rows
    // of K ids (MLP) or b blocks of T (transformer), with dropout on as in training.
    const auto step = [&](int b) {
        const int k = model->context();
        const Tensor x(Shape{b, k}), y(model->input() == TextInput::Blocks ? Shape{b, k} : Shape{b});
        Tape t;
        t.backward(model->loss(t, t.constant(x), t.constant(y)));
        return t.held_floats();
    };
    return {.parameters = model->num_parameters(), .step_floats = measured_step_floats(batch, step)};
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
