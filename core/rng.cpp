#include "core/rng.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "core/error.h"
#include "core/tensor.h"

namespace genlab {

// SplitMix64's output function: a bijection on 64-bit words that mixes every bit into every bit.
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t splitmix64(uint64_t& x) { return mix64(x += 0x9e3779b97f4a7c15ULL); }

// FNV-1a of the name, folded into the mixed seed and mixed again. For one name the map from seed
// is a bijection, so two seeds never share a stream; across names a collision needs a 64-bit
// hash collision.
uint64_t stream_seed(uint64_t seed, std::string_view name) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : name) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return mix64(mix64(seed + 0x9e3779b97f4a7c15ULL) ^ h);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

Rng::Rng(uint64_t seed) {
    for (auto& s : s_) s = splitmix64(seed);
}

uint64_t Rng::next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

// 24 random mantissa bits: every float in [0, 1) on a 2^-24 grid, never 1.
float Rng::uniform() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }

float Rng::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

float Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    // Box-Muller in double; u1 in (0, 1] so log never sees 0.
    double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53;
    double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
    double r = std::sqrt(-2.0 * std::log(u1));
    double th = 2.0 * M_PI * u2;
    spare_ = static_cast<float>(r * std::sin(th));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(th));
}

uint64_t Rng::below(uint64_t n) {
    if (n == 0) fail("Rng::below: empty range");
    // Rejection on the top of the range removes modulo bias.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = next_u64();
    while (x >= limit);
    return x % n;
}

// A tensor without storage (ShapesOnly) draws nothing: a shapes-only model's init is its shapes.
void Rng::fill_normal(Tensor& t, float mean, float std) {
    if (!t.data()) return;
    for (size_t i = 0; i < t.numel(); ++i) t[i] = mean + std * normal();
}

void Rng::fill_uniform(Tensor& t, float lo, float hi) {
    if (!t.data()) return;
    for (size_t i = 0; i < t.numel(); ++i) t[i] = uniform(lo, hi);
}

std::string Rng::state() const {
    uint32_t bits;
    std::memcpy(&bits, &spare_, sizeof bits);
    std::ostringstream os;
    os << s_[0] << ' ' << s_[1] << ' ' << s_[2] << ' ' << s_[3] << ' ' << (has_spare_ ? 1 : 0) << ' ' << bits;
    return os.str();
}

void Rng::set_state(const std::string& text) {
    std::istringstream is(text);
    std::array<uint64_t, 4> s{};
    int has = 0;
    uint32_t bits = 0;
    if (!(is >> s[0] >> s[1] >> s[2] >> s[3] >> has >> bits) || (has != 0 && has != 1))
        fail("RNG state: malformed text '", text.substr(0, 80),
             "' (expected 4 state words, a spare flag and its bits)");
    if ((s[0] | s[1] | s[2] | s[3]) == 0) fail("RNG state: all-zero state is invalid for xoshiro256**");
    s_ = s;
    has_spare_ = has == 1;
    std::memcpy(&spare_, &bits, sizeof bits);
}

}  // namespace genlab
