// StateDict: ordered named tensors + string metadata. The dict owns its data: a view handed to
// put() is copied, so a checkpoint in memory never dangles once the model is gone.
#include "core/io/state_dict.h"

#include <cmath>

#include <algorithm>

#include "core/error.h"

namespace genlab {

void StateDict::put(const std::string& name, const Tensor& t) {
    if (name.empty()) fail("StateDict: empty tensor name (names are checkpoint keys)");
    if (find(name)) fail("StateDict: tensor '", name, "' is already present (two states saved under the same prefix?)");
    if (t.is_view()) {
        Tensor owned(t.shape());
        std::copy(t.data(), t.data() + t.numel(), owned.data());
        tensors.emplace_back(name, std::move(owned));
    } else {
        tensors.emplace_back(name, t);
    }
}

const Tensor* StateDict::find(const std::string& name) const {
    // Linear: a checkpoint holds a few hundred tensors at most, and this keeps file order simple.
    for (const auto& [n, t] : tensors)
        if (n == name) return &t;
    return nullptr;
}

const Tensor& StateDict::expect(const std::string& name, const Shape& shape, const std::string& what) const {
    const Tensor* t = find(name);
    if (!t)
        fail(what, ": missing tensor '", name, "' (expected shape ", shape.str(), "; ", tensors.size(),
             " tensors present) - was it saved by another model or config?");
    if (t->shape() != shape)
        fail(what, ": tensor '", name, "' has shape ", t->shape().str(), ", expected ", shape.str(),
             " - was it saved with another model config?");
    return *t;
}

const std::string& StateDict::meta(const std::string& key, const std::string& what) const {
    auto it = metadata.find(key);
    if (it == metadata.end())
        fail(what, ": missing metadata '", key, "' (not a genlab checkpoint, or written by another program?)");
    return it->second;
}

const std::string* StateDict::first_non_finite() const {
    for (const auto& [name, t] : tensors) {
        const float* p = t.data();
        for (size_t i = 0, n = t.numel(); i < n; ++i)
            if (!std::isfinite(p[i])) return &name;
    }
    return nullptr;
}

}  // namespace genlab
