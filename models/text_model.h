// The interface of the character-level language models (CharMlp, CharTransformer): logits for a
// batch of token ids, the mean cross-entropy loss, and generation with softmax sampling.
//
//     std::unique_ptr<CharModel> m = make_char_model("transformer", cfg_json, rng);
//     Var loss = m->loss(t, x, y);                         // x (B, T) ids as floats, y (B, T)
//     std::vector<int> ids = generate(*m, prompt, {.max_tokens = 200}, rng);
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/nn/layers.h"
#include "core/nn/module.h"
#include "core/rng.h"
#include "models/sampling.h"

namespace genlab::models {

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
    virtual const char* arch() const = 0;            // "mlp" / "transformer"
    virtual std::string config_json() const = 0;     // the model's Config as JSON

    // Mean cross entropy in nats per counted target (targets < 0 are padding and ignored) -> (1).
    Var loss(Tape& t, Var x, Var y, LayerRecord* record = nullptr) const;

    // Dropout is active only while training; its mask stream is the model's own RNG (track it
    // in the Trainer so a resumed run draws the same masks).
    void set_training(bool on) { training_ = on; }
    bool training() const { return training_; }
    Rng& dropout_rng() const { return dropout_rng_; }

protected:
    bool training_ = true;
    mutable Rng dropout_rng_{0x5eed};
};

// Builds "mlp" or "transformer" from its Config JSON (as config_json() wrote it; Error naming
// `what` when a field is missing or invalid). Parameters are initialised from rng.
std::unique_ptr<CharModel> make_char_model(const std::string& arch, const std::string& config_json, Rng& rng,
                                           const std::string& what = "model config");

struct GenerateOptions {
    SamplingOptions sampling{};  // temperature, top-k, top-p
    int max_tokens = 200;      // new ids to produce at most
    int eos = -1;              // lines mode: the end-of-sample id; the sequence starts with it
                               // and generation stops when it is drawn (not returned). -1: none
    int pad = 0;               // id standing in for missing history (empty prompt, short context)
};

// Continues `prompt` (ids; only its last context() ids are seen) and returns the new ids, calling
// on_token(id) as each is produced (streaming output). Runs without gradients, dropout off.
std::vector<int> generate(const CharModel& model, std::span<const int> prompt, const GenerateOptions& opt, Rng& rng,
                          const std::function<void(int)>& on_token = {});

}  // namespace genlab::models
