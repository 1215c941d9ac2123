// Fused causal self-attention: qkv (B, T, 3C) = [q | k | v] -> (B, T, C), per head h of size D:
//   P = softmax(q kᵀ / √D) with position i attending to j <= i only, y = P v.
// Heads are read and written in place through strided Maps over the (B, T, 3C) / (B, T, C)
// layouts (no head split/merge copies). P (B, H, T, T) is kept in a scratch slot for backward;
// (b, h) blocks are independent and run in parallel; their products skip the causal zeros and
// run in a small register-tiled kernel (head_product).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/ops.h"
#include "core/ops/common.h"

namespace genlab {

using namespace ops_detail;

namespace {

using Stride = Eigen::OuterStride<>;
using ConstHeadMap = Eigen::Map<const MatrixRM, 0, Stride>;  // (T, D) with row stride 3C or C
using HeadMap = Eigen::Map<MatrixRM, 0, Stride>;

struct Geometry {
    Eigen::Index b, t, c, h, d;
};

Geometry geometry(const Shape& qkv, int n_head) {
    const Eigen::Index c = qkv[2] / 3;
    return {qkv[0], qkv[1], c, n_head, c / n_head};
}

// Runs f(b, h) for every (batch, head) block; parallel when there is enough work to share.
template <class F>
void for_heads(const Geometry& g, F&& f) {
    const Eigen::Index blocks = g.b * g.h;
    if (blocks < 2 || static_cast<size_t>(blocks * g.t * g.t * g.d) < kParallelGrain) {
        for (Eigen::Index k = 0; k < blocks; ++k) f(k / g.h, k % g.h);
        return;
    }
#pragma omp parallel for schedule(static)
    for (Eigen::Index k = 0; k < blocks; ++k) f(k / g.h, k % g.h);
}

// Rows of P start 64-byte aligned (when T is a multiple of 16) and are processed in whole runs of
// kRowRun floats: Eigen's exp then runs on full SIMD packets instead of a scalar head and tail, which
// on the short causal rows (average T/2) was most of the forward time.
constexpr Eigen::Index kRowRun = 16;

float* align64(float* p) {
    return reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(p) + 63) & ~static_cast<uintptr_t>(63));
}

// A (T, T) work buffer per thread that only ever grows: no allocation in steady state.
float* thread_buffer(size_t n) {
    thread_local std::vector<float, Eigen::aligned_allocator<float>> buf;
    if (buf.size() < n) buf.resize(n);
    return buf.data();
}

// C (m, n) = alpha · op(A)·B, or C += alpha · op(A)·B, for the per-head products (at most T × T × T
// with T = 64 here). op(A)(i, p) = a[i·a_rs + p·a_ks] (any strides: A or Aᵀ), B's rows contiguous
// (row stride ldb). Tiles of 4 rows × 16 columns stay in registers over the whole sum; each
// element is one running sum over p in order, scaled once at the end. A blocked GEMM's packing
// cost more than the arithmetic on products this small: Eigen ran them at ~20 GFLOP/s.
using F8 = float __attribute__((vector_size(32)));  // 8 floats: one AVX register (two SSE ones)

inline F8 load8(const float* p) {
    F8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store8(float* p, F8 v) { std::memcpy(p, &v, sizeof v); }

void head_product(long m, long n, long k, const float* a, long a_rs, long a_ks, const float* __restrict b, long ldb,
                  float alpha, bool accumulate, float* __restrict c, long ldc) {
    constexpr long kR = 4, kW = 16;
    long j0 = 0;
    for (; j0 + kW <= n; j0 += kW) {
        for (long i0 = 0; i0 < m; i0 += kR) {
            const long rows = std::min(kR, m - i0);
            F8 acc[kR][2] = {};
            for (long p = 0; p < k; ++p) {
                const F8 b0 = load8(b + p * ldb + j0), b1 = load8(b + p * ldb + j0 + 8);
                for (long r = 0; r < kR; ++r) {
                    const float ar = r < rows ? a[(i0 + r) * a_rs + p * a_ks] : 0.f;
                    acc[r][0] += ar * b0;
                    acc[r][1] += ar * b1;
                }
            }
            for (long r = 0; r < rows; ++r)
                for (long h = 0; h < 2; ++h) {
                    float* out = c + (i0 + r) * ldc + j0 + 8 * h;
                    store8(out, accumulate ? load8(out) + alpha * acc[r][h] : alpha * acc[r][h]);
                }
        }
    }
    for (long i = 0; i < m && j0 < n; ++i)  // the last n % 16 columns
        for (long j = j0; j < n; ++j) {
            float sum = 0.f;
            for (long p = 0; p < k; ++p) sum += a[i * a_rs + p * a_ks] * b[p * ldb + j];
            float& out = c[i * ldc + j];
            out = accumulate ? out + alpha * sum : alpha * sum;
        }
}

// P's storage inside its scratch slot, which holds at least 16 spare floats for the alignment.
float* probs_of(Tape& t, Var scratch) { return align64(t.value(scratch).data()); }

}  // namespace

static void attention_backward(Tape& t, const Node& n) {
    const Geometry g = geometry(t.shape(n.in[0]), static_cast<int>(n.saved.i[0]));
    const float scale = n.saved.f[0];
    const float* qkv = t.value(n.in[0]).data();      // (B, T, 3C)
    const float* att = probs_of(t, n.saved.aux[0]);  // (B, H, T, T)
    const float* dout = t.grad(n.out).data();        // (B, T, C)
    // Every element of dQKV is written below: a fresh buffer is stored, not added to.
    const Tape::GradWrite dw = t.grad_write(n.in[0]);  // (B, T, 3C)
    float* dqkv = dw.data;
    const bool add = !dw.fresh;
    const Eigen::Index c3 = 3 * g.c;
    for_heads(g, [&](Eigen::Index b, Eigen::Index h) {
        const float* base = qkv + b * g.t * c3 + h * g.d;
        float* dbase = dqkv + b * g.t * c3 + h * g.d;
        ConstHeadMap q(base, g.t, g.d, Stride(c3)), k(base + g.c, g.t, g.d, Stride(c3)),
            v(base + 2 * g.c, g.t, g.d, Stride(c3));
        HeadMap dq(dbase, g.t, g.d, Stride(c3)), dk(dbase + g.c, g.t, g.d, Stride(c3)),
            dv(dbase + 2 * g.c, g.t, g.d, Stride(c3));
        ConstMatMap p(att + (b * g.h + h) * g.t * g.t, g.t, g.t);  // (T, T), zero above the diagonal
        float* work = thread_buffer(static_cast<size_t>(g.t * g.t + g.d * g.t));
        MatMap ds(work, g.t, g.t);
        float* vt = work + g.t * g.t;  // Vᵀ (D, T)
        MatMap(vt, g.d, g.t) = v.transpose();
        const float* dyp = dout + b * g.t * g.c + h * g.d;

        // Causal: P and dS are zero above the diagonal, so each block of kRowRun rows (columns)
        // multiplies only the columns (rows) that can be non-zero: 5/8 of the work at T = 64.
        for (Eigen::Index r0 = 0; r0 < g.t; r0 += kRowRun) {
            const Eigen::Index rb = std::min(kRowRun, g.t - r0), seen = r0 + rb;
            head_product(rb, g.d, g.t - r0, p.data() + r0 * g.t + r0, 1, g.t, dyp + r0 * g.c, g.c, 1.f, add,
                         dv.data() + r0 * c3, c3);  // dV += Pᵀ·dY
            head_product(rb, seen, g.d, dyp + r0 * g.c, g.c, 1, vt, g.t, 1.f, false, ds.data() + r0 * g.t,
                         g.t);  // dP = dY·Vᵀ
            ds.block(r0, seen, rb, g.t - seen).setZero();
        }
        // Softmax backward, dS = P ⊙ (dP - Σ_j P⊙dP), times the 1/√D of the scores. Whole rows:
        // P is exactly zero above the diagonal, so dS is too, and full rows vectorise best.
        for (Eigen::Index i = 0; i < g.t; ++i) {
            const float dot = p.row(i).dot(ds.row(i));
            ds.row(i).array() = scale * p.row(i).array() * (ds.row(i).array() - dot);
        }
        for (Eigen::Index r0 = 0; r0 < g.t; r0 += kRowRun) {
            const Eigen::Index rb = std::min(kRowRun, g.t - r0), seen = r0 + rb;
            head_product(rb, g.d, seen, ds.data() + r0 * g.t, g.t, 1, k.data(), c3, 1.f, add, dq.data() + r0 * c3,
                         c3);  // dQ += dS·K
            head_product(rb, g.d, g.t - r0, ds.data() + r0 * g.t + r0, 1, g.t, q.data() + r0 * c3, c3, 1.f, add,
                         dk.data() + r0 * c3, c3);  // dK += dSᵀ·Q
        }
    });
}

Var causal_self_attention(Tape& t, Var qkv, int n_head) {
    const Shape s = t.shape(qkv);  // (B, T, 3C)
    if (s.rank != 3 || s[2] % 3 != 0) fail("causal_self_attention: expected qkv (B, T, 3C), got ", s.str());
    if (n_head <= 0 || (s[2] / 3) % n_head != 0)
        fail("causal_self_attention: n_head ", n_head, " must divide C = ", s[2] / 3, " of qkv ", s.str());
    const Geometry g = geometry(s, n_head);
    Saved sv;
    sv.i[0] = n_head;
    sv.f[0] = 1.f / std::sqrt(static_cast<float>(g.d));
    // P (B, H, T, T), stored from the first 64-byte boundary of a slightly larger slot.
    sv.aux[0] = t.scratch(Shape{s[0] * n_head, s[1] * s[1] + 16});
    Var out = t.emit(Shape{s[0], s[1], static_cast<int>(g.c)}, {qkv}, attention_backward, sv);
    if (shapes_only()) return out;
    const float scale = sv.f[0];
    const float* x = t.value(qkv).data();
    float* att = probs_of(t, sv.aux[0]);
    float* y = t.value(out).data();
    const Eigen::Index c3 = 3 * g.c;
    for_heads(g, [&](Eigen::Index b, Eigen::Index h) {
        const float* base = x + b * g.t * c3 + h * g.d;
        ConstHeadMap q(base, g.t, g.d, Stride(c3)), k(base + g.c, g.t, g.d, Stride(c3)),
            v(base + 2 * g.c, g.t, g.d, Stride(c3));
        MatMap p(att + (b * g.h + h) * g.t * g.t, g.t, g.t);        // (T, T)
        float* kt = thread_buffer(static_cast<size_t>(g.d * g.t));  // Kᵀ (D, T)
        MatMap(kt, g.d, g.t) = k.transpose();
        for (Eigen::Index r0 = 0; r0 < g.t; r0 += kRowRun) {  // only the columns each row block sees
            const Eigen::Index rb = std::min(kRowRun, g.t - r0);
            head_product(rb, r0 + rb, g.d, q.data() + r0 * c3, c3, 1, kt, g.t, scale, false, p.data() + r0 * g.t,
                         g.t);  // S = Q·Kᵀ/√D
        }
        for (Eigen::Index i = 0; i < g.t; ++i) {
            // Row i sees positions 0..i. Its first `padded` entries go through exp (future ones set
            // to -inf, whose exp is ~0 and is then zeroed); the max is subtracted (no overflow).
            const Eigen::Index len = i + 1, padded = std::min(g.t, (len + kRowRun - 1) / kRowRun * kRowRun);
            FlatMap r(p.row(i).data(), padded);
            r.tail(padded - len).setConstant(-std::numeric_limits<float>::infinity());
            r = (r - r.maxCoeff()).exp();
            p.row(i).tail(g.t - len).setZero();
            r *= 1.f / r.sum();
        }
        float* y_h = y + b * g.t * g.c + h * g.d;  // (T, D), row stride C
        for (Eigen::Index r0 = 0; r0 < g.t; r0 += kRowRun) {
            const Eigen::Index rb = std::min(kRowRun, g.t - r0);
            head_product(rb, g.d, r0 + rb, p.data() + r0 * g.t, g.t, 1, v.data(), c3, 1.f, false, y_h + r0 * g.c,
                         g.c);  // Y = P·V
        }
    });
    return out;
}

}  // namespace genlab
