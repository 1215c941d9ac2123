// The interface of the character-level language models (CharMlp, CharTransformer): their one
// config, logits for a batch of token ids, the mean cross-entropy loss, and generation with
// softmax sampling.
//
//     std::unique_ptr<CharModel> m = make_char_model(cfg, rng);   // cfg.arch: mlp or transformer
//     Var loss = m->loss(t, x, y);                         // x (B, T) ids as floats, y (B, T)
//     std::vector<int> ids = generate(*m, prompt, {.max_tokens = 200}, rng);
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/memory.h"
#include "core/nn/layers.h"
#include "core/nn/module.h"
#include "core/rng.h"
#include "models/sampling.h"

namespace genlab::models {

// One config for both architectures; each reads the fields it uses.
struct CharModelConfig {
    int vocab_size = 0;                 // V: symbols of the corpus (+ the end token in lines mode)
    std::string arch = "mlp";           // "mlp" (makemore's MLP) or "transformer" (nanoGPT's GPT)
    int context = 3;                    // mlp: K previous characters seen
    std::vector<int> hidden{256, 256};  // mlp: hidden layer widths
    int block_size = 32;                // transformer: T, the longest context (position embeddings)
    int n_layer = 4;                    // transformer: blocks
    int n_head = 4;                     // transformer: attention heads; must divide n_embd
    int n_embd = 32;                    // C: embedding width (mlp: per character; transformer: residual stream)
    std::string act = "gelu";           // hidden activation (mlp layers, the transformer's 4C MLP)
    float dropout = 0.f;                // transformer: after embeddings, attention projection and MLP
    // Linear init (core/nn/layers.h). The transformer's gpt2 is nanoGPT's (N(0, 0.02), residual
    // projections scaled by 1/sqrt(2 n_layer)); its torch is makemore's transformer's.
    std::string init = "gain";
};

// Fields, flags, JSON and validation of CharModelConfig (config/config.h).
const ConfigSpec<CharModelConfig>& char_model_config_spec();

// Which batch shape a model eats (data::TextSampler's next_contexts or next_blocks).
enum class TextInput {
    Contexts,  // x (B, K) the K previous ids, y (B) the next one
    Blocks,    // x (B, T), y (B, T) with y[t] the id after x[t]
};

class CharModel : public Module {
public:
    // Logits of the next id: contexts (B, K) -> (B, V); blocks (B, T) -> (B, T, V), T <= context().
    // With `record`, each hidden layer's pre- and post-activation Vars are appended (after
    // backward, t.grad(record->pre[i]) is the gradient reaching layer i).
    virtual Var logits(Tape& t, Var x, LayerRecord* record = nullptr) const = 0;
    virtual TextInput input() const = 0;
    virtual int context() const = 0;     // K (MLP) or the block size T (transformer)
    virtual int vocab_size() const = 0;  // V
    virtual const CharModelConfig& config() const = 0;

    // Mean cross entropy in nats per counted target (targets < 0 are padding and ignored) -> (1).
    Var loss(Tape& t, Var x, Var y, LayerRecord* record = nullptr) const;

    // Dropout is active only while training; its mask stream is the model's own RNG (track it
    // in the Trainer so a resumed run draws the same masks).
    void set_training(bool on) { training_ = on; }
    bool training() const { return training_; }
    Rng& dropout_rng() const { return dropout_rng_; }
    // Whether a training forward draws dropout masks (and so cannot run in concurrent shards).
    virtual bool uses_dropout() const { return false; }

protected:
    bool training_ = true;
    mutable Rng dropout_rng_{0x5eed};
};

// Builds cfg.arch (validated: UsageError naming the flag). Parameters are initialised from rng.
std::unique_ptr<CharModel> make_char_model(const CharModelConfig& cfg, Rng& rng);
// Parameters and a training step's tape floats at `batch` (rows of K ids, or blocks of T), measured
// on a shapes-only build and a dry step of it (core/memory.h): nothing of the model's size is allocated.
MemoryEstimate memory_estimate(const CharModelConfig& cfg, int batch);

struct GenerateOptions {
    SamplingOptions sampling{};  // temperature, top-k, top-p
    int max_tokens = 200;        // new ids to produce at most
    int eos = -1;                // lines mode: the end-of-sample id; the sequence starts with it
                                 // and generation stops when it is drawn (not returned). -1: none
    int pad = 0;                 // id standing in for missing history (empty prompt, short context)
};

// Continues `prompt` (ids; only its last context() ids are seen) and returns the new ids, calling
// on_token(id) as each is produced (streaming output). Runs without gradients, dropout off.
std::vector<int> generate(const CharModel& model, std::span<const int> prompt, const GenerateOptions& opt, Rng& rng,
                          const std::function<void(int)>& on_token = {});

}  // namespace genlab::models
