#!/bin/bash
# compare.sh GENLAB_BENCH [WORKLOAD...] — genlab against the PyTorch reference, paired runs.
#
# For each workload (default: gan dcgan ae gpt) it runs PAIRS pairs, each pair being one genlab-bench
# process then one torch_ref.py process with the same --steps/--warmup/--threads, so that slow
# drift of the machine (other load, clocks, thermals) hits both sides alike. Per pair it prints both
# steps/s and the ratio genlab/pytorch (> 1: genlab faster); per workload the median ratio.
# A single run is not a measurement: process-to-process noise is tens of percent on small machines.
#
# Both programs run with the OpenBLAS core type best_openblas.sh finds fastest on this machine
# (OPENBLAS_L2_SIZE removed), so PyTorch is compared at its best here.
#
# environment:
#   PAIRS    pairs per workload                 (default 5)
#   THREADS  threads of both programs           (default 2)
#   STEPS    timed steps; gpt runs STEPS/3      (default 300)
#   WARMUP   untimed steps before them          (default 20)
#
#   PAIRS=3 tools/bench/compare.sh build/bin/genlab-bench
#   tools/bench/compare.sh build/bin/genlab-bench gpt
set -u

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
    echo "usage: [PAIRS=5] [THREADS=2] [STEPS=300] [WARMUP=20] $0 path/to/genlab-bench [gan dcgan ae gpt]" >&2
    exit 2
fi
bench=$1; shift
workloads=("$@"); ((${#workloads[@]})) || workloads=(gan dcgan ae gpt)
pairs=${PAIRS:-5} threads=${THREADS:-2} steps=${STEPS:-300} warmup=${WARMUP:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=/usr/bin/python3

if [[ ! -x $bench ]]; then echo "compare.sh: $bench is not an executable (build genlab-bench first)" >&2; exit 2; fi

# --- the machine: CPU model and the fastest OpenBLAS core type --------------------------------------
cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
[[ -n $cpu ]] || cpu=$(lscpu 2>/dev/null | grep -m1 '^Model name' | cut -d: -f2- | sed 's/^ *//')
echo "cpu: ${cpu:-unknown} ($(nproc) CPUs online), $threads threads per program"

probe_log=$(mktemp); err_log=$(mktemp)
trap 'rm -f "$probe_log" "$err_log"' EXIT
if ! core=$("$here/best_openblas.sh" "$threads" 2>"$probe_log"); then
    cat "$probe_log" >&2
    exit 1
fi
# best_openblas.sh's last stderr line: "fastest: OPENBLAS_CORETYPE=X (N GFLOP/s, ...)"
echo "openblas: $(tail -n 1 "$probe_log" | sed 's/^fastest: //')"

# --- helpers ------------------------------------------------------------------------------------------
run() {  # run COMMAND... -> its stdout; on failure its last stderr lines go to our stderr
    local -a env_args=(-u OPENBLAS_L2_SIZE -u OPENBLAS_CORETYPE)
    [[ -n $core ]] && env_args+=("OPENBLAS_CORETYPE=$core")
    if ! env "${env_args[@]}" "$@" 2>"$err_log"; then
        { echo "FAILED: $*"; tail -n 5 "$err_log" | sed 's/^/  | /'; } >&2
    fi
}

steps_per_s() {  # stdin: a program's stdout -> steps_per_s of its last JSON line, or nothing
    "$python" -c '
import json, sys
for line in reversed(sys.stdin.read().splitlines()):
    line = line.strip()
    if line.startswith("{"):
        try:
            print(json.loads(line)["steps_per_s"])
        except (ValueError, KeyError):
            pass
        break
'
}

# --- the pairs ---------------------------------------------------------------------------------------
status=0
for w in "${workloads[@]}"; do
    st=$steps; [[ $w == gpt ]] && st=$((steps / 3 > 0 ? steps / 3 : 1))
    args=(--workload "$w" --steps "$st" --warmup "$warmup" --threads "$threads")
    ratios=()
    for ((i = 1; i <= pairs; i++)); do
        g=$(run "$bench" "${args[@]}" | steps_per_s)
        p=$(run "$python" "$here/torch_ref.py" "${args[@]}" | steps_per_s)
        if [[ -n $g && -n $p ]]; then
            r=$("$python" -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$g" "$p")
            ratios+=("$r")
        else
            r="n/a"; status=1
        fi
        printf '%s pair %d: genlab %s steps/s, pytorch %s steps/s, ratio %s\n' "$w" "$i" "${g:-FAILED}" "${p:-FAILED}" "$r"
    done
    if ((${#ratios[@]})); then
        med=$("$python" -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "${ratios[@]}")
        echo "$w: median genlab/pytorch steps/s ratio $med over ${#ratios[@]} pairs ($threads threads, $st steps)"
    else
        echo "$w: no successful pair"
    fi
done
exit $status
