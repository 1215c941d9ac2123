// Thread control: one OpenMP pool shared by the GEMM backends (core/gemm.h) and genlab's own loops.
// Same thread count => same reduction order => bit-identical results.
#pragma once
#include <cstddef>

namespace genlab {

void set_num_threads(int n);  // n <= 0: the OpenMP default, capped at the cores available
int num_threads();

// Below this many elements an elementwise loop stays serial: thread wake-up costs more.
inline constexpr size_t kParallelGrain = 1 << 15;

}  // namespace genlab
