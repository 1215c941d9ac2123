// ValueRange: the one type for "where values lie". An activation's output range (the registry
// declares it), the range a model puts its data in (images in [-1, 1] for a tanh output, [0, 1]
// for sigmoid), the range an image grid maps to black..white.
#pragma once
#include <cmath>
#include <limits>

namespace genlab {

// A closed interval, infinite on an unbounded side.
struct ValueRange {
    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();
    bool bounded() const { return std::isfinite(lo) && std::isfinite(hi); }
    bool operator==(const ValueRange&) const = default;
};

// v mapped linearly from `from` onto `to` (both bounded): from.lo to to.lo, from.hi to to.hi.
inline float remap(float v, const ValueRange& from, const ValueRange& to) {
    return to.lo + (v - from.lo) * ((to.hi - to.lo) / (from.hi - from.lo));
}

}  // namespace genlab
