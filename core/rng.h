// Seeded random numbers owned by the caller (no global state). xoshiro256** with SplitMix64
// seeding; normals by Box-Muller with the spare kept in the state, so the state round-trips
// exactly through a checkpoint and a resumed run draws the same numbers.
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace genlab {

class Tensor;

class Rng {
public:
    explicit Rng(uint64_t seed = 0);
    uint64_t next_u64();
    float uniform();                  // [0, 1)
    float uniform(float lo, float hi);
    float normal();                   // N(0, 1)
    uint64_t below(uint64_t n);       // uniform in [0, n), unbiased
    void fill_normal(Tensor& t, float mean = 0.f, float std = 1.f);
    void fill_uniform(Tensor& t, float lo, float hi);

    // Exact state as text ("s0 s1 s2 s3 has_spare spare_bits"), for checkpoint metadata.
    std::string state() const;
    void set_state(const std::string& s);  // throws Error on malformed text

private:
    std::array<uint64_t, 4> s_{};
    bool has_spare_ = false;
    float spare_ = 0.f;
};

}  // namespace genlab
