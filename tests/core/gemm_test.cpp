// The GEMM entry point (core/gemm.h): every backend this build has, every transpose combination,
// strided storage and both betas, against a double-precision product; and one thread against two.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/gemm.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

std::vector<GemmBackend> backends() {
    std::vector<GemmBackend> b{GemmBackend::Eigen};
    if (openblas_linked()) b.push_back(GemmBackend::OpenBlas);
    return b;
}

std::vector<float> random_floats(size_t n, uint64_t seed) {
    Rng rng(seed);
    std::vector<float> v(n);
    for (float& x : v) x = rng.normal();
    return v;
}

// A stored (rows, cols) matrix with row stride ld >= cols; the padding holds a sentinel.
struct Stored {
    long rows, cols, ld;
    std::vector<float> data;
    float at(long r, long c) const { return data[static_cast<size_t>(r * ld + c)]; }
};

Stored stored(long rows, long cols, long pad, uint64_t seed) {
    Stored s{rows, cols, cols + pad, random_floats(static_cast<size_t>(rows * (cols + pad)), seed)};
    for (long r = 0; r < rows; ++r)
        for (long c = cols; c < s.ld; ++c) s.data[static_cast<size_t>(r * s.ld + c)] = 1234.5f;
    return s;
}

// op(X)(i, j) of a stored matrix.
double op_at(const Stored& x, Trans t, long i, long j) { return t == Trans::No ? x.at(i, j) : x.at(j, i); }

// backend: one of them, or none for the entry point gemm() (whatever kernel it picks).
void check_product(std::optional<GemmBackend> backend, Trans ta, Trans tb, float beta, long m, long n, long k) {
    const Stored a = ta == Trans::No ? stored(m, k, 3, 1) : stored(k, m, 2, 1);
    const Stored b = tb == Trans::No ? stored(k, n, 1, 2) : stored(n, k, 4, 2);
    Stored c = stored(m, n, 5, 3);
    const Stored c0 = c;
    if (backend)
        gemm(*backend, ta, tb, m, n, k, a.data.data(), a.ld, b.data.data(), b.ld, beta, c.data.data(), c.ld);
    else
        gemm(ta, tb, m, n, k, a.data.data(), a.ld, b.data.data(), b.ld, beta, c.data.data(), c.ld);
    const std::string name = !backend                         ? gemm_kernel_for(tb, m, n, k)
                             : *backend == GemmBackend::Eigen ? "eigen"
                                                              : "openblas";
    const std::string what = name + (ta == Trans::Yes ? " Aᵀ" : " A") + (tb == Trans::Yes ? "·Bᵀ" : "·B") + " beta " +
                             std::to_string(beta) + " " + std::to_string(m) + "x" + std::to_string(n) + "x" +
                             std::to_string(k);
    double worst = 0;
    for (long i = 0; i < m; ++i) {
        for (long j = 0; j < n; ++j) {
            double want = beta == 0.f ? 0.0 : c0.at(i, j);
            for (long p = 0; p < k; ++p) want += op_at(a, ta, i, p) * op_at(b, tb, p, j);
            worst = std::max(worst, std::abs(c.at(i, j) - want) / (1.0 + std::abs(want)));
        }
        for (long j = n; j < c.ld; ++j) ASSERT_EQ(c.at(i, j), 1234.5f) << what << ": wrote past row " << i;
    }
    EXPECT_LT(worst, 1e-5) << what;
}

TEST(Gemm, EveryBackendAndTransposeMatchesADoubleProduct) {
    for (GemmBackend backend : backends())
        for (Trans ta : {Trans::No, Trans::Yes})
            for (Trans tb : {Trans::No, Trans::Yes})
                for (float beta : {0.f, 1.f}) {
                    check_product(backend, ta, tb, beta, 7, 5, 3);
                    check_product(backend, ta, tb, beta, 67, 45, 130);  // past the kernels' register blocks
                }
}

// genlab's short-k kernel (core/gemm_short_k.h) on every row count up to past two register blocks,
// inner dimensions from 1 to its limit, and column counts that end in a partial strip and a
// partial vector, through the entry point on one and two threads.
TEST(Gemm, ShortInnerDimensionKernelMatchesADoubleProduct) {
    const testing::ThreadCountRestorer restore;
    for (int threads : {1, 2}) {
        set_num_threads(threads);
        for (long m : {1L, 3L, 8L, 17L, 64L})
            for (long k : {1L, 5L, 16L, 64L})
                for (Trans ta : {Trans::No, Trans::Yes})
                    for (float beta : {0.f, 1.f}) {
                        const long n = m == 17 ? 1000 : 563;  // 563 = 11 strips of 48, 2 vectors of 16 and 3 (AVX-512)
                        ASSERT_STREQ(gemm_kernel_for(Trans::No, m, n, k), "short-k");
                        check_product(std::nullopt, ta, Trans::No, beta, m, n, k);
                    }
    }
}

TEST(Gemm, ShortInnerDimensionKernelTakesOnlyItsShapes) {
    EXPECT_STREQ(gemm_kernel_for(Trans::No, 32, 12544, 16), "short-k");   // D's first convolution
    EXPECT_STRNE(gemm_kernel_for(Trans::Yes, 32, 12544, 16), "short-k");  // B transposed
    EXPECT_STRNE(gemm_kernel_for(Trans::No, 65, 12544, 16), "short-k");   // too many rows
    EXPECT_STRNE(gemm_kernel_for(Trans::No, 32, 12544, 65), "short-k");   // k too long
    EXPECT_STRNE(gemm_kernel_for(Trans::No, 32, 511, 16), "short-k");     // C too short
}

// Every element of C is one sum over k in one order whatever band it falls in, so the kernel's
// result does not depend on the thread count.
TEST(Gemm, ShortInnerDimensionKernelIsTheSameOnOneAndTwoThreads) {
    const testing::ThreadCountRestorer restore;
    const long m = 32, n = 12544 / 4 + 5, k = 16;
    const std::vector<float> a = random_floats(static_cast<size_t>(m * k), 11),
                             b = random_floats(static_cast<size_t>(k * n), 12);
    std::vector<float> c1(static_cast<size_t>(m * n)), c2(c1.size());
    set_num_threads(1);
    gemm(Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, 0.f, c1.data(), n);
    set_num_threads(2);
    gemm(Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, 0.f, c2.data(), n);
    for (size_t i = 0; i < c1.size(); ++i) ASSERT_EQ(c1[i], c2[i]) << "row " << i / n << " column " << i % n;
}

TEST(Gemm, EmptyInnerDimensionOverwritesOrKeeps) {
    for (GemmBackend backend : backends()) {
        std::vector<float> c{1.f, 2.f, 3.f, 4.f};
        const float none = 0.f;
        gemm(backend, Trans::No, Trans::No, 2, 2, 0, &none, 1, &none, 2, 1.f, c.data(), 2);
        EXPECT_EQ(c, (std::vector<float>{1.f, 2.f, 3.f, 4.f}));
        gemm(backend, Trans::No, Trans::No, 2, 2, 0, &none, 1, &none, 2, 0.f, c.data(), 2);
        EXPECT_EQ(c, (std::vector<float>(4, 0.f)));
    }
}

TEST(Gemm, OneAndTwoThreadsAgree) {
    // Large enough for both backends to split the product over the threads.
    const long m = 384, n = 256, k = 300;
    const std::vector<float> a = random_floats(static_cast<size_t>(m * k), 4),
                             b = random_floats(static_cast<size_t>(n * k), 5);
    const testing::ThreadCountRestorer restore;
    for (GemmBackend backend : backends()) {
        std::vector<float> c1(static_cast<size_t>(m * n)), c2(c1.size());
        set_num_threads(1);
        gemm(backend, Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, 0.f, c1.data(), n);
        set_num_threads(2);
        gemm(backend, Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, 0.f, c2.data(), n);
        // Another split of the sums may round differently: allow k ulps of the terms' size (~1).
        for (size_t i = 0; i < c1.size(); ++i) ASSERT_NEAR(c1[i], c2[i], 1e-6f * k) << "element " << i;
    }
}

TEST(Gemm, CountsTwiceTheMultiplyAddsOfEveryCall) {
    // On two threads too: a banded product counts once, at the entry point.
    const testing::ThreadCountRestorer restore;
    set_num_threads(2);
    const long m = 128, n = 96, k = 40;
    const std::vector<float> a = random_floats(static_cast<size_t>(m * k), 9),
                             b = random_floats(static_cast<size_t>(k * n), 10);
    std::vector<float> c(static_cast<size_t>(m * n));
    const double before = gemm_flops();
    gemm(Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, 0.f, c.data(), n);
    gemm(Trans::Yes, Trans::No, k, n, 1, a.data(), k, b.data(), n, 0.f, c.data(), n);  // (k, 1)·(1, n)
    EXPECT_EQ(gemm_flops() - before, 2.0 * (m * n * k + k * n));
}

TEST(Gemm, TheChosenBackendIsDescribed) {
    const std::string d = gemm_backend_description(gemm_backend());
    EXPECT_TRUE(d.rfind("Eigen ", 0) == 0 || d.rfind("OpenBLAS (", 0) == 0) << d;
    if (!openblas_linked()) {
        EXPECT_EQ(gemm_backend(), GemmBackend::Eigen);
    }
}

TEST(Gemm, VectorProductsRunOnEigen) {
    EXPECT_EQ(gemm_backend_for(64, 1, 256), GemmBackend::Eigen);
    EXPECT_EQ(gemm_backend_for(1, 256, 64), GemmBackend::Eigen);
    EXPECT_EQ(gemm_backend_for(768, 512, 128), gemm_backend());
}

// The entry point's own split of small products over the threads (by rows, by columns when there
// are fewer rows, or along k when C is small and k long), against one thread, for every transpose
// combination.
TEST(Gemm, SmallProductsSplitOverThreadsMatchOneThread) {
    const testing::ThreadCountRestorer restore;
    for (auto [m, n, k] :
         {std::array<long, 3>{128, 32, 128}, std::array<long, 3>{32, 128, 128}, std::array<long, 3>{37, 45, 50},
          std::array<long, 3>{768, 65, 128}, std::array<long, 3>{33, 16, 3001}})
        for (Trans ta : {Trans::No, Trans::Yes})
            for (Trans tb : {Trans::No, Trans::Yes}) {
                const std::vector<float> a = random_floats(static_cast<size_t>(m * k), 6),
                                         b = random_floats(static_cast<size_t>(k * n), 7);
                const long lda = ta == Trans::No ? k : m, ldb = tb == Trans::No ? n : k;
                std::vector<float> c1 = random_floats(static_cast<size_t>(m * n), 8), c2 = c1;
                set_num_threads(1);
                gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, 1.f, c1.data(), n);
                set_num_threads(2);
                gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, 1.f, c2.data(), n);
                for (size_t i = 0; i < c1.size(); ++i)
                    ASSERT_NEAR(c1[i], c2[i], 1e-6f * k) << m << "x" << n << "x" << k << " element " << i;
            }
}

}  // namespace
}  // namespace genlab
