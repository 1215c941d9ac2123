#include "core/parallel.h"

#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <thread>

#include <Eigen/Core>

#include "core/gemm.h"

namespace genlab {

namespace {

// The cores this process may run on (its CPU affinity, which a container or taskset narrows).
int available_cores() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

void set_num_threads(int n) {
    if (n <= 0) {
        // The OpenMP default follows OMP_NUM_THREADS, which may ask for far more threads than
        // there are cores (OMP_NUM_THREADS=1000): beyond the cores they only contend.
        const int cores = available_cores();
        if (omp_get_max_threads() <= cores) return;
        n = cores;
    }
    omp_set_num_threads(n);
    Eigen::setNbThreads(n);
    gemm_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace genlab
