// Module: recursive named parameters and buffers, modes, and their save/load into a StateDict. Loading validates every
// key and shape before copying anything, so a mismatched checkpoint leaves the model untouched.
#include "core/nn/module.h"

#include <algorithm>

#include "core/error.h"

namespace genlab {

void Module::check_new_name(const std::string& name) const {
    if (name.empty()) fail("Module: empty parameter/module name (names become checkpoint keys)");
    if (name.find('.') != std::string::npos)
        fail("Module: name '", name, "' contains '.', which separates levels of the dotted checkpoint keys (use '_')");
    for (const Parameter& p : params_)
        if (p.name == name) fail("Module: name '", name, "' is already a parameter of this module");
    for (const auto& [buffer_name, b] : buffers_)
        if (buffer_name == name) fail("Module: name '", name, "' is already a buffer of this module");
    for (const auto& [child_name, child] : children_)
        if (child_name == name) fail("Module: name '", name, "' is already a child module of this module");
}

Parameter& Module::register_parameter(const std::string& name, Tensor init) {
    check_new_name(name);
    return params_.emplace_back(name, std::move(init));
}

NamedParameters Module::named_parameters(const std::string& prefix) const {
    // Own parameters first, then children in registration order: the order of PyTorch's
    // named_parameters(), and so the order of checkpoint keys and optimizer state.
    NamedParameters out;
    for (const Parameter& p : params_) out.emplace_back(prefix + p.name, const_cast<Parameter*>(&p));
    for (const auto& [name, child] : children_) {
        NamedParameters sub = child->named_parameters(prefix + name + ".");
        out.insert(out.end(), sub.begin(), sub.end());
    }
    return out;
}

Tensor& Module::register_buffer(const std::string& name, Tensor init) {
    check_new_name(name);
    return buffers_.emplace_back(name, std::move(init)).second;
}

NamedBuffers Module::named_buffers(const std::string& prefix) const {
    NamedBuffers out;
    for (const auto& [name, b] : buffers_) out.emplace_back(prefix + name, const_cast<Tensor*>(&b));
    for (const auto& [name, child] : children_) {
        NamedBuffers sub = child->named_buffers(prefix + name + ".");
        out.insert(out.end(), sub.begin(), sub.end());
    }
    return out;
}

void Module::named_state(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out) const {
    for (const Parameter& p : params_) out.emplace_back(prefix + p.name, const_cast<Tensor*>(&p.value));
    for (const auto& [name, b] : buffers_) out.emplace_back(prefix + name, const_cast<Tensor*>(&b));
    for (const auto& [name, child] : children_) child->named_state(prefix + name + ".", out);
}

size_t Module::num_buffer_values() const {
    size_t n = 0;
    for (const auto& [name, b] : named_buffers()) n += b->numel();
    return n;
}

std::vector<Parameter*> Module::parameters() const {
    std::vector<Parameter*> out;
    for (auto& [name, p] : named_parameters()) out.push_back(p);
    return out;
}

size_t Module::num_parameters() const {
    size_t n = 0;
    for (const Parameter& p : params_) n += p.value.numel();
    for (const auto& [name, child] : children_) n += child->num_parameters();
    return n;
}

void Module::zero_grad() {
    // Walks the tree directly instead of through named_parameters(): called every step, and
    // building the dotted names would allocate.
    for (Parameter& p : params_) p.zero_grad();
    for (auto& [name, child] : children_) child->zero_grad();
}

void Module::set_frozen(bool frozen) {
    for (Parameter& p : params_) p.frozen = frozen;
    for (auto& [name, child] : children_) child->set_frozen(frozen);
}

void Module::set_training(bool training) {
    training_ = training;
    for (auto& [name, child] : children_) child->set_training(training);
}

void Module::save_state(StateDict& sd, const std::string& prefix) const {
    std::vector<std::pair<std::string, Tensor*>> state;
    named_state(prefix, state);
    for (auto& [name, value] : state) sd.put(name, *value);  // put() copies a view: the dict owns its data
}

void Module::load_state(const StateDict& sd, const std::string& prefix) {
    std::vector<std::pair<std::string, Tensor*>> state;
    named_state(prefix, state);
    std::vector<const Tensor*> found;
    found.reserve(state.size());
    for (auto& [name, value] : state) {
        const Tensor* t = sd.find(name);
        if (!t)
            fail("load_state: missing tensor '", name, "' (expected shape ", value->shape().str(), "; the state holds ",
                 sd.tensors.size(), " tensors) - was it saved from a model with another architecture or prefix?");
        if (t->shape() != value->shape())
            fail("load_state: tensor '", name, "' has shape ", t->shape().str(), ", expected ", value->shape().str(),
                 " - was it saved with another model config (sizes, vocabulary, context)?");
        found.push_back(t);
    }
    for (size_t i = 0; i < state.size(); ++i)
        std::copy(found[i]->data(), found[i]->data() + found[i]->numel(), state[i].second->data());
}

}  // namespace genlab
