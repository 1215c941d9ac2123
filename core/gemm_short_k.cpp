#include "core/gemm_short_k.h"

#include <algorithm>
#include <cstring>

namespace genlab {

namespace {

// One vector register of floats, as wide as the build's target has (-march=native): the compiler
// maps the arithmetic on it to AVX-512, AVX or SSE instructions. Loads and stores go through
// memcpy, so no alignment is assumed.
#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
using Vec = float __attribute__((vector_size(kLanes * sizeof(float))));

inline Vec load(const float* p) {
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }

// A register block of C: 24 accumulators (AVX-512) or 12 and one step's B in the 32 or 16 vector
// registers.
constexpr int kBlockRows = kLanes == 16 ? 8 : 4;  // C's rows per block
constexpr int kBlockVecs = 3;                     // and vectors of C's columns per row

// C's rows [0, R) and columns [0, V·kLanes) of the block at c, from B's columns at b; with
// fetch_ahead, also asks for B's columns two blocks on (the strip after next) to be cached.
template <int R, int V>
void short_k_block(const float* ap, long m, long k, const float* b, long ldb, float beta, float* c, long ldc,
                   bool fetch_ahead) {
    Vec acc[R][V];
    for (int i = 0; i < R; ++i)
        for (int v = 0; v < V; ++v) acc[i][v] = beta == 0.f ? Vec{} : load(c + i * ldc + v * kLanes);
    for (long p = 0; p < k; ++p) {
        Vec bv[V];
        for (int v = 0; v < V; ++v) bv[v] = load(b + p * ldb + v * kLanes);
        if (fetch_ahead)
            for (int v = 0; v < V; ++v) __builtin_prefetch(b + p * ldb + (2 * V + v) * kLanes);
        const float* a = ap + p * m;
        for (int i = 0; i < R; ++i)
            for (int v = 0; v < V; ++v) acc[i][v] += a[i] * bv[v];
    }
    for (int i = 0; i < R; ++i)
        for (int v = 0; v < V; ++v) store(c + i * ldc + v * kLanes, acc[i][v]);
}

// Columns [0, V·kLanes) of every row: blocks of kBlockRows rows, then one row at a time.
template <int V>
void short_k_columns(const float* ap, long m, long k, const float* b, long ldb, float beta, float* c, long ldc) {
    long i = 0;
    for (; i + kBlockRows <= m; i += kBlockRows)
        short_k_block<kBlockRows, V>(ap + i, m, k, b, ldb, beta, c + i * ldc, ldc, i == 0);
    for (; i < m; ++i) short_k_block<1, V>(ap + i, m, k, b, ldb, beta, c + i * ldc, ldc, i == 0);
}

}  // namespace

bool short_k_pays(Trans tb, long m, long n, long k) {
    return tb == Trans::No && m <= kShortKSide && k <= kShortKSide && n >= kShortKLongSide;
}

void gemm_short_k(Trans ta, long m, long n, long k, const float* a, long lda, const float* b, long ldb, float beta,
                  float* c, long ldc) {
    float ap[kShortKSide * kShortKSide];  // op(A) by columns: ap[p·m + i] = op(A)(i, p)
    for (long i = 0; i < m; ++i)
        for (long p = 0; p < k; ++p) ap[p * m + i] = ta == Trans::No ? a[i * lda + p] : a[p * lda + i];
    long j = 0;
    // Each strip of columns runs every row block on the same k × strip of B, kept in the L1 cache.
    for (; j + kBlockVecs * kLanes <= n; j += kBlockVecs * kLanes)
        short_k_columns<kBlockVecs>(ap, m, k, b + j, ldb, beta, c + j, ldc);
    for (; j + kLanes <= n; j += kLanes) short_k_columns<1>(ap, m, k, b + j, ldb, beta, c + j, ldc);
    if (const long rest = n - j; rest > 0) {
        // The last columns, fewer than a vector, through the same kernel on zero-padded copies: each
        // element's sum is then the same wherever a band of columns ends (one thread or several).
        float bt[kShortKSide * kLanes] = {}, ct[kShortKSide * kLanes] = {};
        for (long p = 0; p < k; ++p) std::copy_n(b + p * ldb + j, rest, bt + p * kLanes);
        if (beta != 0.f)
            for (long i = 0; i < m; ++i) std::copy_n(c + i * ldc + j, rest, ct + i * kLanes);
        short_k_columns<1>(ap, m, k, bt, kLanes, beta, ct, kLanes);
        for (long i = 0; i < m; ++i) std::copy_n(ct + i * kLanes, rest, c + i * ldc + j);
    }
}

}  // namespace genlab
