// Small helpers shared by the test files: seeded random tensors and "the message this throws".
#pragma once
#include <cstdint>
#include <string>

#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace genlab::testing {

inline Tensor normal(Shape s, uint64_t seed) {
    Tensor x(s);
    Rng rng(seed);
    rng.fill_normal(x);
    return x;
}

inline Tensor uniform(Shape s, float lo, float hi, uint64_t seed) {
    Tensor x(s);
    Rng rng(seed);
    rng.fill_uniform(x, lo, hi);
    return x;
}

// The what() of the genlab::Error that f throws, or "(no error)".
template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace genlab::testing
