// genlab-bench --gemm: fp32 GEMM throughput of each backend (core/gemm.h) and of the entry point
// the ops call, on 2048² and on every GEMM of the benchmark workloads (docs/performance.md) (each Linear
// layer's forward x·Wᵀ and backward dout·W, doutᵀ·x at its workload's batch) and of the DCGAN's
// convolutions at batch 64 (forward, dW, dx), in GFLOP/s, best of several timed repetitions.
//
//     for (const GemmBenchRow& r : run_gemm_bench(2)) std::cout << gemm_bench_json(r) << "\n";
#pragma once
#include <string>
#include <vector>

#include "core/gemm.h"

namespace genlab::experiments {

struct GemmBenchRow {
    std::string name;          // "gpt fc forward"
    std::string op;            // "x·Wᵀ", "dout·W" or "doutᵀ·x"
    long m = 0, n = 0, k = 0;  // C (m, n) = op(A) (m, k) · op(B) (k, n)
    Trans tb = Trans::No;      // B as stored: (k, n), or (n, k) transposed
    int threads = 0;
    double eigen_gflops = 0;
    double openblas_gflops = 0;  // 0 when this build has no OpenBLAS
    double genlab_gflops = 0;    // through gemm() as the ops call it: its backend, split over the threads
    std::string used;            // what the ops run this product on here: "short-k", "openblas" or "eigen"
};

// Each figure is the best of 5 repetitions of calls filling rep_ms milliseconds.
std::vector<GemmBenchRow> run_gemm_bench(int threads, double rep_ms = 20);
std::string gemm_bench_json(const GemmBenchRow& r);  // one line

}  // namespace genlab::experiments
