// Optimizers over flat parameter spans: SGD (momentum), Adam, AdamW (decoupled decay), plus
// grad-norm clipping and learning-rate schedules. State is exposed through Stateful so checkpoints
// store it: moments as tensors "<prefix><param>.exp_avg" etc., the step count and the current lr
// (exact text) as metadata "<prefix>step" and "<prefix>lr".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/state_dict.h"
#include "core/nn/module.h"

namespace genlab {

class Optimizer : public Stateful {
public:
    explicit Optimizer(NamedParameters params, float lr);
    ~Optimizer() override = default;
    virtual void step() = 0;  // one update from the accumulated gradients; increments steps()
    void zero_grad();
    void set_lr(float lr) { lr_ = lr; }
    float lr() const { return lr_; }
    int64_t steps() const { return t_; }
    const NamedParameters& params() const { return params_; }

    void save_state(StateDict& sd, const std::string& prefix) const override;
    void load_state(const StateDict& sd, const std::string& prefix) override;

protected:
    // Per-parameter state buffers, named for the checkpoint ("exp_avg", "momentum_buffer").
    virtual std::vector<std::pair<std::string, std::vector<Tensor>*>> state_buffers() = 0;
    NamedParameters params_;
    float lr_;
    int64_t t_ = 0;
};

struct SgdOptions {
    float lr = 1e-2f;          // learning rate
    float momentum = 0.f;      // heavy-ball momentum as torch.optim.SGD (buf = m*buf + g)
    float weight_decay = 0.f;  // L2 penalty added to the gradient
};

class Sgd : public Optimizer {
public:
    Sgd(NamedParameters params, SgdOptions opt = {});
    void step() override;

private:
    std::vector<std::pair<std::string, std::vector<Tensor>*>> state_buffers() override;
    SgdOptions opt_;
    std::vector<Tensor> buf_;
};

struct AdamOptions {
    float lr = 1e-3f;                  // learning rate
    float beta1 = 0.9f;                // first-moment decay
    float beta2 = 0.999f;              // second-moment decay
    float eps = 1e-8f;                 // added to sqrt(v̂)
    float weight_decay = 0.f;          // Adam: L2 added to the gradient; AdamW: decoupled, p -= lr*wd*p
    bool decay_matrices_only = false;  // AdamW: decay only rank >= 2 weights (not biases, norms)
};

class Adam : public Optimizer {
public:
    Adam(NamedParameters params, AdamOptions opt = {});
    void step() override;

protected:
    Adam(NamedParameters params, AdamOptions opt, bool decoupled);

private:
    std::vector<std::pair<std::string, std::vector<Tensor>*>> state_buffers() override;
    AdamOptions opt_;
    bool decoupled_;
    std::vector<Tensor> m_, v_;
};

// Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW.
class AdamW : public Adam {
public:
    AdamW(NamedParameters params, AdamOptions opt = {.weight_decay = 0.01f});
};

// Global L2 norm of all gradients.
float grad_norm(const NamedParameters& params);
// Scales gradients so their global norm is at most max_norm; returns the norm before clipping.
float clip_grad_norm(const NamedParameters& params, float max_norm);

struct LrSchedule {
    enum class Kind { Constant, Cosine };
    Kind kind = Kind::Constant;
    float base_lr = 1e-3f;  // peak learning rate
    float min_lr = 0.f;     // cosine floor
    int warmup = 0;         // linear warmup steps (nanoGPT: base_lr * (step+1) / (warmup+1))
    int total = 0;          // cosine decays from warmup to total, then stays at min_lr
    float at(int step) const;
};

}  // namespace genlab
