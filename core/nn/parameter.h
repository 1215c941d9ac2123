// A learnable tensor with its gradient. Modules own Parameters; optimizers and the tape refer to them.
#pragma once
#include <string>

#include "core/tensor.h"

namespace genlab {

struct Parameter {
    std::string name;  // local name inside its module ("weight"); Module::named_parameters() adds the prefix
    Tensor value;
    Tensor grad;          // same shape as value; accumulates until zero_grad()
    bool frozen = false;  // Tape::param() puts it on the tape as a constant: no gradient, no backward work

    Parameter() = default;
    Parameter(std::string n, Tensor v) : name(std::move(n)), value(std::move(v)), grad(value.shape()) {}
    void zero_grad() { grad.fill(0.f); }
};

}  // namespace genlab
