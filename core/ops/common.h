// Shared validation and loop helpers for op implementations (core/ops/*.cpp only; not part of the public API).
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>

#include "core/error.h"
#include "core/parallel.h"
#include "core/tape.h"

namespace genlab::ops_detail {

inline void require_same_shape(const char* op, const Shape& a, const Shape& b) {
    if (a != b) fail(op, ": shapes differ: ", a.str(), " vs ", b.str());
}

inline void require_rank(const char* op, const Shape& s, int lo, int hi) {
    if (s.rank < lo || s.rank > hi) fail(op, ": expected rank ", lo, "..", hi, ", got shape ", s.str());
}

// True when b is one row of a (shape (C) or (1, C) with C = a's last dim) rather than a's shape.
inline bool is_row_broadcast(const char* op, const Shape& a, const Shape& b) {
    if (a == b) return false;
    bool row = (b.rank == 1 || (b.rank == 2 && b[0] == 1)) && b.last() == a.last();
    if (!row)
        fail(op, ": cannot broadcast ", b.str(), " onto ", a.str(), " (expected the same shape or one row of ",
             a.last(), ")");
    return true;
}

}  // namespace genlab::ops_detail

// --- loop helpers (shared by the op files; deterministic for any thread count)
namespace genlab::ops_detail {

// Elementwise work in fixed blocks: f(begin, end). Parallel (static schedule) only above
// kParallelGrain, where waking threads pays off; blocks never overlap, so no races.
template <class F>
void for_blocks(size_t n, F&& f) {
    constexpr size_t kBlock = 1 << 13;
    if (n < kParallelGrain) {
        if (n) f(size_t{0}, n);
        return;
    }
    const long nblocks = static_cast<long>((n + kBlock - 1) / kBlock);
#pragma omp parallel for schedule(static)
    for (long k = 0; k < nblocks; ++k) {
        const size_t b = static_cast<size_t>(k) * kBlock;
        f(b, std::min(n, b + kBlock));
    }
}

// Row-wise work f(r) over `rows` rows of `cols` elements, parallel when the whole is large.
template <class F>
void for_rows(size_t rows, size_t cols, F&& f) {
    if (rows < 2 || rows * cols < kParallelGrain) {
        for (size_t r = 0; r < rows; ++r) f(r);
        return;
    }
#pragma omp parallel for schedule(static)
    for (long r = 0; r < static_cast<long>(rows); ++r) f(static_cast<size_t>(r));
}

// Σ over [0, n) of partial(begin, end) -> double. The split into chunks depends on n only and
// the partials are added in chunk order, so the result is bit-identical for any thread count
// (an OpenMP reduction clause leaves the combination order unspecified).
template <class F>
double chunked_sum(size_t n, F&& partial) {
    if (n < kParallelGrain) return n ? static_cast<double>(partial(size_t{0}, n)) : 0.0;
    constexpr long kMaxChunks = 256;
    const size_t chunk = std::max<size_t>(1 << 13, (n + kMaxChunks - 1) / kMaxChunks);
    const long nchunks = static_cast<long>((n + chunk - 1) / chunk);
    std::array<double, kMaxChunks> parts{};
#pragma omp parallel for schedule(static)
    for (long k = 0; k < nchunks; ++k) {
        const size_t b = static_cast<size_t>(k) * chunk;
        parts[static_cast<size_t>(k)] = static_cast<double>(partial(b, std::min(n, b + chunk)));
    }
    double s = 0;
    for (long k = 0; k < nchunks; ++k) s += parts[static_cast<size_t>(k)];
    return s;
}

template <bool Store, class G>
void full_pass(float* dst, size_t n, size_t w, G g) {
    auto put = [](float& d, float v) {
        if constexpr (Store)
            d = v;
        else
            d += v;
    };
    if (w == 0) {
        for_blocks(n, [&](size_t lo, size_t hi) {
            for (size_t i = lo; i < hi; ++i) put(dst[i], g(i, i));
        });
        return;
    }
    for_rows(n / w, w, [&](size_t r) {
        float* dr = dst + r * w;
        const size_t base = r * w;
        for (size_t c = 0; c < w; ++c) put(dr[c], g(base + c, c));
    });
}

// dst[i] += g(i, i mod w): the gradient of an operand of the output's shape (w == 0 means plain
// i). Every element is written, so a fresh buffer (Tape::grad_write) is stored, not added to.
template <class G>
void write_full(Tape::GradWrite d, size_t n, size_t w, G g) {
    if (d.fresh)
        full_pass<true>(d.data, n, w, g);
    else
        full_pass<false>(d.data, n, w, g);
}

}  // namespace genlab::ops_detail
