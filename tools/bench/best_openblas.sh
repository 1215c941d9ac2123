#!/bin/bash
# best_openblas.sh [THREADS] — which OPENBLAS_CORETYPE makes PyTorch's fp32 GEMM fastest here.
#
# Debian's OpenBLAS (0.3.21) picks its kernels from the CPU model it detects, and it does not know
# every recent CPU: on some it falls back to a generic kernel several times slower than the AVX-512
# one. Which setting is fastest is therefore measured, not assumed: for each candidate core type a
# fresh python process times a 2048x2048 sgemm (torch.mm) at THREADS threads (default 2).
#
#   stdout: the fastest core type, or an empty line when OpenBLAS's own detection is fastest
#   stderr: the GFLOP/s of every candidate, then the winner
#
#   CORE=$(tools/bench/best_openblas.sh 2)
#   env -u OPENBLAS_L2_SIZE -u OPENBLAS_CORETYPE ${CORE:+OPENBLAS_CORETYPE=$CORE} some-program
#
# The machine's environment may set OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE; every probe runs with
# both removed, then (except for "detect") only OPENBLAS_CORETYPE put back.
set -u
threads=${1:-2}

probe() {  # probe CORETYPE ("" = detect) -> prints integer GFLOP/s, or nothing on failure
    local core=$1
    local -a env_args=(-u OPENBLAS_L2_SIZE -u OPENBLAS_CORETYPE)
    [[ -n $core ]] && env_args+=("OPENBLAS_CORETYPE=$core")
    env "${env_args[@]}" OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
        /usr/bin/python3 - "$threads" 2>/dev/null <<'PY'
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
n = 2048
a, b = torch.randn(n, n), torch.randn(n, n)
flop = 2.0 * n ** 3
best = 0.0
torch.mm(a, b)                        # first call: thread pool start, buffers
for _ in range(3):                    # best of 3 rounds of 4 products each
    t = time.perf_counter()
    for _ in range(4):
        torch.mm(a, b)
    best = max(best, 4 * flop / (time.perf_counter() - t) / 1e9)
print(int(best))
PY
}

best_core="" best_gflops=0 found=0
for core in "" SkylakeX Cooperlake Haswell Zen; do
    g=$(probe "$core")
    echo "OPENBLAS_CORETYPE=${core:-(detect)}: ${g:-failed} GFLOP/s" >&2
    if [[ $g =~ ^[0-9]+$ ]]; then
        if ((found == 0 || g > best_gflops)); then best_core=$core best_gflops=$g; fi
        found=1
    fi
done

if ((found == 0)); then
    echo "best_openblas.sh: every probe failed; is python3-torch installed (tools/bench/setup.sh)?" >&2
    exit 1
fi
echo "fastest: OPENBLAS_CORETYPE=${best_core:-(detect)} ($best_gflops GFLOP/s, sgemm 2048², $threads threads)" >&2
echo "$best_core"
