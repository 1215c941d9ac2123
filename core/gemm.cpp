#include "core/gemm.h"

#include <strings.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstdlib>

#include "core/error.h"
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
                fail("GENLAB_GEMM=openblas, but this build of genlab has no OpenBLAS (configure with -DGENLAB_OPENBLAS=ON)");
            return GemmBackend::OpenBlas;
        }
        fail("GENLAB_GEMM must be eigen or openblas, not '", env, "'");
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

void gemm(GemmBackend backend, Trans ta, Trans tb, long m, long n, long k, const float* a, long lda,
          const float* b, long ldb, float beta, float* c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {  // an empty sum; OpenBLAS would also reject the leading dimension 0 of a (m, 0) A
        if (beta == 0.f)
            for (long i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.f);
        return;
    }
#if GENLAB_OPENBLAS
    if (backend == GemmBackend::OpenBlas) {
        cblas_sgemm(CblasRowMajor, ta == Trans::No ? CblasNoTrans : CblasTrans, tb == Trans::No ? CblasNoTrans : CblasTrans,
                    static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.f, a,
                    static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
        return;
    }
#else
    if (backend == GemmBackend::OpenBlas) fail("gemm: this build of genlab has no OpenBLAS");
#endif
    eigen_gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

GemmBackend gemm_backend_for(long m, long n, long k) {
    if (std::min(m, n) <= 1) return GemmBackend::Eigen;  // a matrix-vector product
    if (m * n * k < kSmallGemm && num_threads() > 1) return GemmBackend::Eigen;
    return gemm_backend();
}

void gemm(Trans ta, Trans tb, long m, long n, long k, const float* a, long lda, const float* b, long ldb, float beta,
          float* c, long ldc) {
    gemm(gemm_backend_for(m, n, k), ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace genlab
