// The benchmark workloads (docs/performance.md), timed as tools/bench/torch_ref.py times PyTorch:
// W untimed warm-up steps, then N timed steps in blocks of 10; ms_per_step is the median over
// blocks of (block time / block size). Each workload is an experiment of the registry with its
// defaults (which are the benchmark shapes, optimizers, losses and data), run step by step without
// the Trainer's logging, evaluation or checkpoints.
//
//     BenchResult r = run_bench({.workload = "gan", .steps = 300, .warmup = 20, .threads = 2});
//     std::cout << bench_json(r) << "\n";   // one JSON line, the keys compare.sh reads
#pragma once
#include <string>
#include <vector>

#include "config/config.h"
#include "core/train/metrics_csv.h"

namespace genlab::experiments {

struct BenchOptions {
    std::string workload = "all";  // gan, dcgan, ae, gpt, or all (each in a process of its own)
    int steps = 300;               // timed steps
    int warmup = 20;               // untimed steps first (they count for the LR schedule)
    int threads = 2;               // OpenMP threads
    int block = 10;                // steps per timing block
    uint64_t seed = 1337;
    std::string corpus{};  // gpt: a corpus name or file; "": shakespeare (data/corpora/)
    bool gemm = false;     // time the GEMM backends instead (bench/gemm_bench.h)
};
const ConfigSpec<BenchOptions>& bench_options_spec();

const std::vector<std::string>& bench_workloads();  // gan, dcgan, ae, gpt

struct BenchResult {
    BenchOptions opt;
    double ms_per_step = 0;       // median over blocks
    double ms_per_step_mean = 0;  // timed wall time / steps
    double block_ms_min = 0, block_ms_max = 0;
    Metrics final_metrics;  // the last step's (losses)
    uint64_t n_params = 0;
    int batch = 0;
    double peak_rss_mb = 0;          // of the whole process so far
    double gemm_gflop_per_step = 0;  // GEMM work of a timed step (core/gemm.h's gemm_flops)
};

BenchResult run_bench(const BenchOptions& opt);  // one workload (not "all")
std::string bench_json(const BenchResult& r);    // one line
// The options as command-line arguments ("--steps", "300", ...), for running one workload in a
// process of its own; `workload` replaces opt.workload.
std::vector<std::string> bench_args(const BenchOptions& opt, const std::string& workload);

}  // namespace genlab::experiments
