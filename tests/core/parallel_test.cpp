// The thread count: an OpenMP default larger than the cores (OMP_NUM_THREADS=1000) is capped
// at the cores this process may use; an explicit count is kept as given.
#include <gtest/gtest.h>
#include <omp.h>
#include <sched.h>

#include "core/parallel.h"
#include "tests/test_util.h"

namespace genlab {
namespace {

int cores() {
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

TEST(Parallel, TheDefaultIsCappedAtTheCoresAvailable) {
    testing::ThreadCountRestorer restore;
    omp_set_num_threads(1000);  // what OMP_NUM_THREADS=1000 makes the default
    set_num_threads(0);
    EXPECT_LE(num_threads(), cores());
    EXPECT_GE(num_threads(), 1);
    set_num_threads(3);
    EXPECT_EQ(num_threads(), 3) << "a count the user chose is theirs";
}

}  // namespace
}  // namespace genlab
