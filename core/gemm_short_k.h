// genlab's own kernel for the products of a convolution to or from one channel that have a short
// inner dimension, where OpenBLAS runs far below its rate on square products (genlab-bench --gemm):
//
//     C(m, n) = op(A)·B      m, k <= kShortKSide, n >= kShortKLongSide, B (k, n) row-major
//
// e.g. a 1-to-32-channel convolution's W·cols (32×16 · 16×12,544) or its Wᵀ·dY (16×32 · 32×12,544).
// A BLAS copies B into its panels first, which costs as much as the 2·m flops it then does per
// element; this kernel reads B's rows where they lie, once: it holds a block of C (8 rows × 48
// columns on AVX-512) in vector registers and adds op(A)(i, p)·B(p, :) for each p, op(A) packed
// by columns (at most kShortKSide² floats) for the broadcasts. Each strip of 48 columns runs every
// block of rows while the strip of B is in the L1 cache, and fetches the next strips' B ahead.
// gemm() (core/gemm.h) sends such products here, one band of C's columns per thread.
#pragma once
#include "core/gemm.h"

namespace genlab {

inline constexpr long kShortKSide = 64;       // m and k at most this
inline constexpr long kShortKLongSide = 512;  // and n at least this

bool short_k_pays(Trans tb, long m, long n, long k);

// One thread's product C = op(A)·B + beta·C of a shape short_k_pays() took; beta 0 or 1.
void gemm_short_k(Trans ta, long m, long n, long k, const float* a, long lda, const float* b, long ldb, float beta,
                  float* c, long ldc);

}  // namespace genlab
