// Matrix products: (M, K)·(K, N) -> (M, N) and batched (B, M, K)·(B, K, N) -> (B, M, N).
// GEMMs (core/gemm.h) on the slots, written straight into the output, no temporaries.
#include "core/gemm.h"
#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

struct Dims {
    Eigen::Index batch, m, k, n;
};

Dims dims_of(const Shape& as, const Shape& bs) {
    if (as.rank == 2) return {1, as[0], as[1], bs[1]};
    return {as[0], as[1], as[2], bs[2]};
}

// Batches run in parallel only when each is small enough that the threaded GEMM would not
// already use the pool (inside a parallel region both backends run single-threaded).
bool parallel_batches(const Dims& d) {
    return d.batch > 1 && static_cast<size_t>(d.batch * d.m * d.k * d.n) >= kParallelGrain * 4;
}

template <class F>
void for_batches(const Dims& d, F&& f) {
    if (!parallel_batches(d)) {
        for (Eigen::Index i = 0; i < d.batch; ++i) f(i);
        return;
    }
#pragma omp parallel for schedule(static)
    for (Eigen::Index i = 0; i < d.batch; ++i) f(i);
}

}  // namespace

static void matmul_backward(Tape& t, const Node& n) {
    const Dims d = dims_of(t.shape(n.in[0]), t.shape(n.in[1]));
    const bool need_a = t.requires_grad(n.in[0]), need_b = t.requires_grad(n.in[1]);
    const float* a = t.value(n.in[0]).data();
    const float* b = t.value(n.in[1]).data();
    const float* dout = t.grad(n.out).data();
    // Every batch writes its own block of dA and dB whole: a fresh buffer is stored, not added to.
    const Tape::GradWrite da = need_a ? t.grad_write(n.in[0]) : Tape::GradWrite{nullptr, false};
    const Tape::GradWrite db = need_b ? t.grad_write(n.in[1]) : Tape::GradWrite{nullptr, false};
    for_batches(d, [&](Eigen::Index i) {
        const float* ai = a + i * d.m * d.k;        // (M, K)
        const float* bi = b + i * d.k * d.n;        // (K, N)
        const float* douti = dout + i * d.m * d.n;  // (M, N)
        if (need_a)                                 // dA = dout·Bᵀ
            gemm(Trans::No, Trans::Yes, d.m, d.k, d.n, douti, d.n, bi, d.n, da.fresh ? 0.f : 1.f,
                 da.data + i * d.m * d.k, d.k);
        if (need_b)  // dB = Aᵀ·dout
            gemm(Trans::Yes, Trans::No, d.k, d.n, d.m, ai, d.k, douti, d.n, db.fresh ? 0.f : 1.f,
                 db.data + i * d.k * d.n, d.n);
    });
}

Var matmul(Tape& t, Var a, Var b) {
    const Shape as = t.shape(a), bs = t.shape(b);
    const bool ok = (as.rank == 2 && bs.rank == 2 && as[1] == bs[0]) ||
                    (as.rank == 3 && bs.rank == 3 && as[0] == bs[0] && as[2] == bs[1]);
    if (!ok)
        fail("matmul: cannot multiply ", as.str(), " by ", bs.str(),
             " (expected (M, K)x(K, N) or (B, M, K)x(B, K, N); use linear() for x·Wᵀ)");
    const Dims d = dims_of(as, bs);
    const Shape os = as.rank == 2 ? Shape{as[0], bs[1]} : Shape{as[0], as[1], bs[2]};
    Var out = t.emit(os, {a, b}, matmul_backward);
    if (shapes_only()) return out;
    const float* ap = t.value(a).data();
    const float* bp = t.value(b).data();
    float* y = t.value(out).data();
    for_batches(d, [&](Eigen::Index i) {
        gemm(Trans::No, Trans::No, d.m, d.n, d.k, ap + i * d.m * d.k, d.k, bp + i * d.k * d.n, d.n, 0.f,
             y + i * d.m * d.n, d.n);
    });
    return out;
}

}  // namespace genlab
