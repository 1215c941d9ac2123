#include "core/parallel.h"

#include <omp.h>

#include <Eigen/Core>

#include "core/gemm.h"

namespace genlab {

void set_num_threads(int n) {
    if (n <= 0) return;
    omp_set_num_threads(n);
    Eigen::setNbThreads(n);
    gemm_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace genlab
