// Module: named parameters and named child modules, recursively. The dotted names from
// named_parameters() ("generator.fc1.weight") are the checkpoint keys and optimizer state names.
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

class Module : public Stateful {
public:
    Module() = default;
    ~Module() override = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    NamedParameters named_parameters(const std::string& prefix = "") const;
    std::vector<Parameter*> parameters() const;
    size_t num_parameters() const;  // total scalar count
    void zero_grad();
    // Frozen parameters enter the tape as constants (Tape::param): the module still passes
    // gradients to its input, but computes none for itself.
    void set_frozen(bool frozen);

    // Every parameter under prefix + its dotted name; load checks each is present with its shape.
    void save_state(StateDict& sd, const std::string& prefix) const override;
    void load_state(const StateDict& sd, const std::string& prefix) override;

protected:
    Parameter& register_parameter(const std::string& name, Tensor init);
    template <class M>
    M& register_module(const std::string& name, std::unique_ptr<M> child) {
        check_new_name(name);
        M& ref = *child;
        children_.emplace_back(name, std::move(child));
        return ref;
    }

private:
    // Throws unless `name` is non-empty, has no '.', and names no parameter or child yet.
    void check_new_name(const std::string& name) const;

    std::deque<Parameter> params_;  // a deque: references handed out stay valid
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

}  // namespace genlab
