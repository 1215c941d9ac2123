// Module: named parameters, named buffers and named child modules, recursively. The dotted names
// from named_parameters() ("generator.fc1.weight") are the checkpoint keys and optimizer state
// names. A buffer is state that is saved and loaded but never optimized (batch norm's running
// statistics, "bn0.running_mean"). A module is in training mode or in evaluation mode (as
// torch.nn.Module's train()/eval()); only modules that behave differently (BatchNorm) read it.
// Modules are neither copyable nor movable: children and optimizers hold pointers into them.
#pragma once
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/io/state_dict.h"
#include "core/nn/parameter.h"

namespace genlab {

using NamedParameters = std::vector<std::pair<std::string, Parameter*>>;
using NamedBuffers = std::vector<std::pair<std::string, Tensor*>>;

class Module : public Stateful {
public:
    Module() = default;
    ~Module() override = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    NamedParameters named_parameters(const std::string& prefix = "") const;
    std::vector<Parameter*> parameters() const;
    NamedBuffers named_buffers(const std::string& prefix = "") const;
    size_t num_parameters() const;     // total scalar count
    size_t num_buffer_values() const;  // total scalar count of the buffers
    void zero_grad();
    // Frozen parameters enter the tape as constants (Tape::param): the module still passes
    // gradients to its input, but computes none for itself.
    void set_frozen(bool frozen);
    // Training (the default) or evaluation mode, for this module and every child.
    void set_training(bool training);
    bool training() const { return training_; }

    // Every parameter and buffer under prefix + its dotted name, in PyTorch's state_dict order (a
    // module's parameters, its buffers, then its children); load checks each is present with its shape.
    void save_state(StateDict& sd, const std::string& prefix) const override;
    void load_state(const StateDict& sd, const std::string& prefix) override;

protected:
    Parameter& register_parameter(const std::string& name, Tensor init);
    Tensor& register_buffer(const std::string& name, Tensor init);
    template <class M>
    M& register_module(const std::string& name, std::unique_ptr<M> child) {
        check_new_name(name);
        M& ref = *child;
        children_.emplace_back(name, std::move(child));
        return ref;
    }

private:
    // Throws unless `name` is non-empty, has no '.', and names no parameter, buffer or child yet.
    void check_new_name(const std::string& name) const;
    // Parameters' values and buffers under their dotted names, in state_dict order.
    void named_state(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out) const;

    std::deque<Parameter> params_;  // a deque: references handed out stay valid
    std::deque<std::pair<std::string, Tensor>> buffers_;
    bool training_ = true;
    std::vector<std::pair<std::string, std::unique_ptr<Module>>> children_;
};

// RAII: `m` is frozen while the guard lives (a GAN's discriminator during the generator update).
class FreezeGuard {
public:
    explicit FreezeGuard(Module& m) : m_(m) { m_.set_frozen(true); }
    ~FreezeGuard() { m_.set_frozen(false); }
    FreezeGuard(const FreezeGuard&) = delete;
    FreezeGuard& operator=(const FreezeGuard&) = delete;

private:
    Module& m_;
};

// RAII: `m` is in evaluation mode while the guard lives, then back in the mode it was in.
class EvalGuard {
public:
    explicit EvalGuard(Module& m) : m_(m), prev_(m.training()) { m_.set_training(false); }
    ~EvalGuard() { m_.set_training(prev_); }
    EvalGuard(const EvalGuard&) = delete;
    EvalGuard& operator=(const EvalGuard&) = delete;

private:
    Module& m_;
    bool prev_;
};

}  // namespace genlab
