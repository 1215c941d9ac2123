// genlab-bench: the benchmark workloads (gan, dcgan, ae, gpt; docs/performance.md) timed as the PyTorch
// reference (tools/bench/torch_ref.py) times them; one JSON line per workload. The workloads and the
// timing are bench/bench.h.
//
//     genlab-bench --workload gpt --steps 100 --warmup 20 --threads 2
//     genlab-bench --gemm --threads 2                             # GEMM GFLOP/s per backend and shape
//     tools/bench/compare.sh build/bin/genlab-bench              # paired with PyTorch, ratios
#include <spawn.h>
#include <sys/wait.h>

#include <iostream>
#include <string>
#include <vector>

#include "bench/bench.h"
#include "bench/gemm_bench.h"
#include "experiments/cli.h"

int main(int argc, char** argv) {
    using namespace genlab::experiments;
    BenchOptions opt;
    return options_main("genlab-bench",
                        "The benchmark workloads (docs/performance.md), timed as the PyTorch reference times them",
                        bench_options_spec(), opt, argc, argv, [&] {
                            if (opt.gemm) {
                                for (const GemmBenchRow& r : run_gemm_bench(opt.threads))
                                    std::cout << gemm_bench_json(r) << std::endl;
                                return 0;
                            }
                            if (opt.workload != "all") {
                                std::cout << bench_json(run_bench(opt)) << std::endl;
                                return 0;
                            }
                            // One process per workload, so each peak_rss_mb is that workload's own.
                            for (const std::string& w : bench_workloads()) {
                                std::vector<std::string> args{"genlab-bench"};
                                for (std::string& a : bench_args(opt, w)) args.push_back(std::move(a));
                                std::vector<char*> cargs;
                                for (std::string& a : args) cargs.push_back(a.data());
                                cargs.push_back(nullptr);
                                pid_t pid = 0;
                                if (::posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, cargs.data(), environ) != 0)
                                    return 1;
                                int status = 0;
                                if (::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                                    return 1;
                            }
                            return 0;
                        });
}
