// StateDict: named tensors plus string metadata — what a checkpoint holds. Modules, optimizers,
// RNGs and data samplers implement Stateful to put their state in and take it back out.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace genlab {

struct StateDict {
    std::vector<std::pair<std::string, Tensor>> tensors;  // in insertion order (file order)
    std::map<std::string, std::string> metadata;          // safetensors "__metadata__"

    void put(const std::string& name, const Tensor& t);  // throws on a duplicate name
    const Tensor* find(const std::string& name) const;
    // The tensor `name` with exactly `shape`, else Error naming the key, `what` (e.g. the checkpoint
    // path) and expected vs found shape.
    const Tensor& expect(const std::string& name, const Shape& shape, const std::string& what) const;
    const std::string& meta(const std::string& key, const std::string& what) const;  // throws when absent
    // The name of the first tensor holding a NaN or an infinity, or nullptr when all are finite.
    const std::string* first_non_finite() const;
};

class Stateful {
public:
    virtual ~Stateful() = default;
    virtual void save_state(StateDict& sd, const std::string& prefix) const = 0;
    virtual void load_state(const StateDict& sd, const std::string& prefix) = 0;
};

}  // namespace genlab
