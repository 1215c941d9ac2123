#include "core/parallel.h"

#include <omp.h>

#include <Eigen/Core>

namespace genlab {

void set_num_threads(int n) {
    if (n <= 0) return;
    omp_set_num_threads(n);
    Eigen::setNbThreads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace genlab
