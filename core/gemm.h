// fp32 matrix product on row-major storage, the one GEMM entry point of every op:
//
//     C(m, n) = op(A)·op(B) + beta·C      op(X) = X or Xᵀ, beta 0 (overwrite) or 1 (accumulate)
//
//     gemm(Trans::No, Trans::Yes, n_rows, out, in, x, in, w, in, 0.f, y, out);   // y = x·Wᵀ
//
// Two backends compute it: Eigen's own kernel (always built) and OpenBLAS's sgemm (when the build
// links it, GENLAB_OPENBLAS). OpenBLAS is used when its kernel for this CPU is a vector one (AVX2 or
// newer): Debian's 0.3.21 does not know every newer CPU and falls back there to a generic kernel
// several times slower than Eigen's, so on such a machine Eigen is kept. The choice is made once
// per process; GENLAB_GEMM=eigen|openblas in the environment overrides it. Matrix-vector products
// always run on Eigen, which measured faster there (genlab-bench --gemm: a 64×256 · 256×1 layer,
// 42 GFLOP/s against 6.5). On OpenBLAS with several threads, products of kTinyGemm to kSmallGemm
// multiply-adds are split by gemm() itself, one band of C's rows (or columns) per thread, each a
// single-threaded call: on 2 threads OpenBLAS's own split of them was slower, up to slower than
// its kernel on 1 (128×32 · 32×128: 54 GFLOP/s against 75; gpt's 768×128 · 128×65: 72 against
// 131 banded). kSmallGemm lies above every workload layer (the largest is 768×512×128, 2^25.6).
// A split product whose C is at most kSplitKMaxSide on a side and whose k is 16 times that is
// split along k instead, each thread summing a slice into its own C, added in order at the end:
// a thin convolution's dW (64×16 over 12,544 pixels) ran at 174 GFLOP/s so against 87 in OpenBLAS
// (Cooperlake kernel, 2 threads), since bands would each pack the whole of op(B) again.
// Above it OpenBLAS splits the product itself, sharing each packed block between the threads:
// at 2048³ on 2 threads that matched the bands (155-178 GFLOP/s against 158-181), and it packs
// less on many threads.
// Products with a short inner dimension and a long C (C(m, n) = op(A)·B, m and k at most 64, n at
// least 512: a convolution to or from one channel) run on neither backend but on genlab's own
// kernel, core/gemm_short_k.h, one band of C's columns per thread: at 2 threads it ran them at
// 63-90% of the 2048² rate, against OpenBLAS's 52-68% (banded) or 37-63% (its own threads).
// Results of one backend with one thread count are bit-identical from run to run.
#pragma once
#include <string>

namespace genlab {

enum class Trans { No, Yes };
enum class GemmBackend { Eigen, OpenBlas };

// lda, ldb, ldc: row strides (elements) of A, B, C as stored; beta must be 0 or 1.
void gemm(Trans ta, Trans tb, long m, long n, long k, const float* a, long lda, const float* b, long ldb, float beta,
          float* c, long ldc);
void gemm(GemmBackend backend, Trans ta, Trans tb, long m, long n, long k, const float* a, long lda, const float* b,
          long ldb, float beta, float* c, long ldc);  // one backend, for benchmarks and tests

inline constexpr long kSmallGemm = 1L << 28;  // m·n·k below this: split into bands by gemm(),
inline constexpr long kTinyGemm = 1 << 16;    // unless below this: one thread (waking more costs more)
inline constexpr long kSplitKMaxSide = 128;   // and with C at most this on a side and k >= 16x that side:
                                              // split along k instead (a thin layer's dW)

GemmBackend gemm_backend();                            // the one gemm() uses here, but for matrix-vector products
GemmBackend gemm_backend_for(long m, long n, long k);  // the one gemm() uses for this product, but a short-k one
// What gemm() runs this product on: "short-k" (genlab's own kernel, core/gemm_short_k.h),
// "openblas" or "eigen".
const char* gemm_kernel_for(Trans tb, long m, long n, long k);
bool openblas_linked();                                     // this build can use OpenBLAS
std::string gemm_backend_description(GemmBackend backend);  // "OpenBLAS (Zen kernel)", "Eigen 3.4.0"
void gemm_set_num_threads(int n);                           // called by set_num_threads (core/parallel.h)
// 2·m·n·k summed over every gemm(Trans, ...) call of this process so far, on any thread: the
// floating-point work of the ops' products (genlab-bench's gemm_gflop_per_step). Attention's
// per-head products do not go through gemm() and are not in it.
double gemm_flops();

}  // namespace genlab
