#include "core/gemm.h"

#include <omp.h>
#include <strings.h>

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "core/gemm_short_k.h"
#include "core/parallel.h"
#include "genlab_build_options.h"

#if GENLAB_OPENBLAS
#include <cblas.h>
#endif

namespace genlab {

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;
using ConstView = Eigen::Map<const Matrix, 0, Stride>;
using View = Eigen::Map<Matrix, 0, Stride>;

template <class A, class B>
void eigen_product(const A& a, const B& b, float beta, View& c) {
    if (beta == 0.f)
        c.noalias() = a * b;
    else
        c.noalias() += a * b;
}

void eigen_gemm(Trans ta, Trans tb, long m, long n, long k, const float* a, long lda, const float* b, long ldb,
                float beta, float* c, long ldc) {
    // op(A) is (m, k): stored (m, k), or (k, m) and transposed; likewise op(B) (k, n).
    const ConstView as(a, ta == Trans::No ? m : k, ta == Trans::No ? k : m, Stride(lda));
    const ConstView bs(b, tb == Trans::No ? k : n, tb == Trans::No ? n : k, Stride(ldb));
    View cs(c, m, n, Stride(ldc));
    if (ta == Trans::No && tb == Trans::No) eigen_product(as, bs, beta, cs);
    if (ta == Trans::No && tb == Trans::Yes) eigen_product(as, bs.transpose(), beta, cs);
    if (ta == Trans::Yes && tb == Trans::No) eigen_product(as.transpose(), bs, beta, cs);
    if (ta == Trans::Yes && tb == Trans::Yes) eigen_product(as.transpose(), bs.transpose(), beta, cs);
}

#if GENLAB_OPENBLAS
// OpenBLAS kernels that use AVX2 or wider. Any other name on an x86-64 machine built with
// -march=native means OpenBLAS did not recognise the CPU and took a slow generic path.
bool openblas_kernel_is_vector() {
    const char* core = openblas_get_corename();
    for (const char* ok : {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"})
        if (core && strcasecmp(core, ok) == 0) return true;
    return false;
}
#endif

GemmBackend choose_backend() {
    if (const char* env = std::getenv("GENLAB_GEMM"); env && *env) {
        if (strcasecmp(env, "eigen") == 0) return GemmBackend::Eigen;
        if (strcasecmp(env, "openblas") == 0) {
            if (!openblas_linked())
                usage_fail("GENLAB_GEMM=openblas, but this build of genlab has no OpenBLAS (configure with "
                           "-DGENLAB_OPENBLAS=ON)");
            return GemmBackend::OpenBlas;
        }
        // A bad setting is the user's, as a bad GENLAB_MEMORY_LIMIT is: a usage error (exit 2).
        usage_fail("GENLAB_GEMM must be eigen or openblas, not '", clipped(env, 40), "'");
    }
#if GENLAB_OPENBLAS
    if (openblas_kernel_is_vector()) return GemmBackend::OpenBlas;
#endif
    return GemmBackend::Eigen;
}

}  // namespace

bool openblas_linked() {
#if GENLAB_OPENBLAS
    return true;
#else
    return false;
#endif
}

GemmBackend gemm_backend() {
    static const GemmBackend backend = choose_backend();
    return backend;
}

std::string gemm_backend_description(GemmBackend backend) {
#if GENLAB_OPENBLAS
    if (backend == GemmBackend::OpenBlas) return std::string("OpenBLAS (") + openblas_get_corename() + " kernel)";
#endif
    return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
           std::to_string(EIGEN_MINOR_VERSION);
}

void gemm_set_num_threads(int n) {
    gemm_backend();  // chosen now, so that a bad GENLAB_GEMM fails before any work
#if GENLAB_OPENBLAS
    openblas_set_num_threads(n);
#endif
    (void)n;
}

void gemm(GemmBackend backend, Trans ta, Trans tb, long m, long n, long k, const float* a, long lda, const float* b,
          long ldb, float beta, float* c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {  // an empty sum; OpenBLAS would also reject the leading dimension 0 of a (m, 0) A
        if (beta == 0.f)
            for (long i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.f);
        return;
    }
#if GENLAB_OPENBLAS
    if (backend == GemmBackend::OpenBlas) {
        cblas_sgemm(CblasRowMajor, ta == Trans::No ? CblasNoTrans : CblasTrans,
                    tb == Trans::No ? CblasNoTrans : CblasTrans, static_cast<blasint>(m), static_cast<blasint>(n),
                    static_cast<blasint>(k), 1.f, a, static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
                    static_cast<blasint>(ldc));
        return;
    }
#else
    if (backend == GemmBackend::OpenBlas) fail("gemm: this build of genlab has no OpenBLAS");
#endif
    eigen_gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

GemmBackend gemm_backend_for(long m, long n, long k) {
    if (std::min(m, n) <= 1) return GemmBackend::Eigen;  // a matrix-vector product
    return gemm_backend();
}

const char* gemm_kernel_for(Trans tb, long m, long n, long k) {
    if (short_k_pays(tb, m, n, k)) return "short-k";
    return gemm_backend_for(m, n, k) == GemmBackend::OpenBlas ? "openblas" : "eigen";
}

namespace {

// A product on several threads, split by genlab: C's rows (or, when it has fewer rows than
// columns, its columns) in one contiguous band per thread, each band one single-threaded call
// product(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc): the short-k kernel, or a backend
// (inside a parallel region OpenBLAS does not thread) for a product below kSmallGemm, where
// OpenBLAS's own split was slower on 2 threads (gemm.h). Every element is still one call's sum
// over all of k, so the result does not depend on the split.
template <class Product>
void gemm_in_bands(const Product& product, Trans ta, Trans tb, long m, long n, long k, const float* a, long lda,
                   const float* b, long ldb, float beta, float* c, long ldc, int threads) {
    const bool by_rows = m >= n;
    const long extent = by_rows ? m : n;
    const long band = (extent + threads - 1) / threads;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int t = 0; t < threads; ++t) {
        const long lo = t * band, len = std::min(extent, lo + band) - lo;
        if (len <= 0) continue;
        if (by_rows)  // rows lo.. of op(A) and of C
            product(ta, tb, len, n, k, ta == Trans::No ? a + lo * lda : a + lo, lda, b, ldb, beta, c + lo * ldc, ldc);
        else  // columns lo.. of op(B) and of C
            product(ta, tb, m, len, k, a, lda, tb == Trans::No ? b + lo : b + lo * ldb, ldb, beta, c + lo, ldc);
    }
}

// A product below kSmallGemm whose C is small and whose k is long (a thin convolution's dW: 64×16
// summed over 12,544 pixels): each thread sums its own slice of k, thread 0 straight into C and
// the others into partial Cs that the calling thread then adds in order. Bands of C's rows would
// leave each thread a sliver of C and the whole of op(B) to pack again.
bool split_k_pays(long m, long n, long k) { return std::max(m, n) <= kSplitKMaxSide && k >= 16 * std::max(m, n); }

template <class Product>
void gemm_split_k(const Product& product, Trans ta, Trans tb, long m, long n, long k, const float* a, long lda,
                  const float* b, long ldb, float beta, float* c, long ldc, int threads) {
    static thread_local std::vector<float> partials;  // (threads - 1) partial Cs of m·n; kept between calls
    partials.resize(static_cast<size_t>((threads - 1) * m * n));
    float* const scratch = partials.data();  // the calling thread's: a worker's thread_local is its own
    const long slice = (k + threads - 1) / threads;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int t = 0; t < threads; ++t) {
        const long lo = t * slice, len = std::max(0L, std::min(k, lo + slice) - lo);
        float* out = t == 0 ? c : scratch + (t - 1) * m * n;
        const long ld = t == 0 ? ldc : n;
        // op(A)'s columns lo.. are A's columns (No) or rows (Yes); op(B)'s rows lo.. B's rows or columns.
        product(ta, tb, m, n, len, ta == Trans::No ? a + lo : a + lo * lda, lda,
                tb == Trans::No ? b + lo * ldb : b + lo, ldb, t == 0 ? beta : 0.f, out, ld);
    }
    for (int t = 1; t < threads; ++t)
        for (long i = 0; i < m; ++i) {
            const float* p = scratch + (t - 1) * m * n + i * n;
            for (long j = 0; j < n; ++j) c[i * ldc + j] += p[j];
        }
}

std::atomic<uint64_t> g_flops{0};

}  // namespace

double gemm_flops() { return static_cast<double>(g_flops.load(std::memory_order_relaxed)); }

void gemm(Trans ta, Trans tb, long m, long n, long k, const float* a, long lda, const float* b, long ldb, float beta,
          float* c, long ldc) {
    g_flops.fetch_add(2 * static_cast<uint64_t>(m) * static_cast<uint64_t>(n) * static_cast<uint64_t>(k),
                      std::memory_order_relaxed);
    const int threads = omp_in_parallel() ? 1 : num_threads();
    if (short_k_pays(tb, m, n, k)) {  // genlab's own kernel, one band of C's columns per thread
        const auto product = [](Trans ta, Trans, long m, long n, long k, const float* a, long lda, const float* b,
                                long ldb, float beta, float* c,
                                long ldc) { gemm_short_k(ta, m, n, k, a, lda, b, ldb, beta, c, ldc); };
        if (threads > 1 && m * n * k >= kTinyGemm)
            gemm_in_bands(product, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, threads);
        else
            product(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    const GemmBackend backend = gemm_backend_for(m, n, k);
    const auto product = [backend](Trans ta, Trans tb, long m, long n, long k, const float* a, long lda, const float* b,
                                   long ldb, float beta, float* c,
                                   long ldc) { gemm(backend, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc); };
    const long size = m * n * k;
    if (backend == GemmBackend::OpenBlas && threads > 1 && size >= kTinyGemm && size < kSmallGemm) {
        if (split_k_pays(m, n, k))
            gemm_split_k(product, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, threads);
        else
            gemm_in_bands(product, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, threads);
    } else
        product(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace genlab
