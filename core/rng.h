// Seeded random numbers owned by the caller (no global state). xoshiro256** with SplitMix64
// seeding; normals by Box-Muller with the spare kept in the state, so the state round-trips
// exactly through a checkpoint and a resumed run draws the same numbers.
//
// Named streams: a run draws each kind of randomness from its own stream, seeded by
// stream_seed(seed, name) (a hash of both), so --seed 1's noise is never --seed 2's init:
//
//     Rng init(stream_seed(run_seed, "init")), noise(stream_seed(run_seed, "noise"));
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace genlab {

class Tensor;

// The seed of stream `name` of a run seeded with `seed`: a 64-bit hash of (seed, name). Distinct
// pairs give unrelated streams; the same pair always gives the same one.
uint64_t stream_seed(uint64_t seed, std::string_view name);

class Rng {
public:
    explicit Rng(uint64_t seed = 0);
    uint64_t next_u64();
    float uniform();  // [0, 1)
    float uniform(float lo, float hi);
    float normal();              // N(0, 1)
    uint64_t below(uint64_t n);  // uniform in [0, n), unbiased
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
