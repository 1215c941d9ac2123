#!/usr/bin/env bash
# genlab's one entry point on a fresh Debian machine:
#   ./genlab.sh demo    install what is missing, build, run the demos and a small activation
#                       ablation, write outputs/index.html
#   ./genlab.sh test    install what is missing, build, run every test (optimised + ASan/UBSan)
#   ./genlab.sh build   install what is missing and build (build/bin/)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

# Debian packages the build, tests and demos need (docs/design.md).
PACKAGES=(g++ cmake ninja-build pkg-config
          libeigen3-dev libstb-dev libcli11-dev libgtest-dev nlohmann-json3-dev zlib1g-dev
          dataset-fashion-mnist wamerican
          libopenblas-openmp-dev libbenchmark-dev   # GEMM (core/gemm.h); micro-benchmarks (tests/bench)
          clang libclang-rt-dev libomp-dev    # the sanitizer + libFuzzer build (clang, its OpenMP)
          clang-format git)                   # the repository checks (tests/repo/)
# The browser test renders the HTML pages in headless Chromium; the cluster tests start a one-node
# SLURM (tests/cluster/slurm.sh). Each is skipped (saying why) only where it cannot be installed
# or started.
TEST_PACKAGES=(chromium slurm-wlm munge)

START=$SECONDS
log() { printf '\033[1m[genlab %3ds]\033[0m %s\n' "$((SECONDS - START))" "$*" >&2; }

install_deps() {  # install_deps PACKAGE...: apt-get the ones not installed yet; 1 when it cannot
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            log "error: missing packages (${missing[*]}) and not root, and sudo is unavailable."
            log "hint: run as root: apt-get install -y ${missing[*]}"
            return 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq || return 1
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

build() {  # build DIR [cmake args...]; TARGETS (optional): only these targets
    local dir=$1; shift
    # Ninja: a target's files compile while the libraries it links are still building. A tree
    # configured earlier with another generator is one of ours; start it afresh.
    if [[ -f $dir/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
        rm -rf "$dir"
    fi
    cmake -G Ninja -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    cmake --build "$dir" -j"$JOBS" ${TARGETS:+--target $TARGETS}
}

# One clang tree serves both the sanitizer run and the fuzzers: the library is compiled once with
# ASan + UBSan, and the libFuzzer targets link against it.
build_asan() {
    build build-asan -DCMAKE_CXX_COMPILER=clang++ -DGENLAB_SANITIZE=ON -DGENLAB_DEMOS=OFF -DGENLAB_FUZZ=ON
}

FUZZ_SECONDS=10

run_tests() {
    install_deps "${PACKAGES[@]}" || exit 1
    install_deps "${TEST_PACKAGES[@]}" ||
        log "warning: ${TEST_PACKAGES[*]} could not be installed; the browser or cluster tests will be skipped"
    # The sanitizer tree (build_asan) builds in the background at the lowest priority, in the time
    # the optimised build and tests leave a core idle (links, the cluster tests' waits on SLURM).
    # It stays in this session (with setsid, Linux's autogroups would share the cores between
    # the two sessions evenly, nice or not) but in a process group of its own (set -m), which is
    # stopped if this run ends first.
    log "building (optimised) in build/, and with AddressSanitizer + UndefinedBehaviorSanitizer (clang) in build-asan/ behind it"
    mkdir -p build-asan
    local asan_log="$ROOT/build-asan/build.log"
    set -m
    nice -n 19 bash "$ROOT/genlab.sh" build-asan >"$asan_log" 2>&1 &
    local asan_pid=$!
    set +m
    trap "kill -- -$asan_pid 2>/dev/null || true" EXIT
    build build
    log "running tests (optimised build)"
    (cd build && ctest --output-on-failure -j"$JOBS" --timeout 900)
    log "waiting for the ASan/UBSan build"
    if ! wait "$asan_pid"; then
        tail -n 40 "$asan_log" >&2
        log "error: the ASan/UBSan build failed (all of its output: $asan_log)"
        exit 1
    fi
    trap - EXIT
    log "ASan/UBSan build done (its output: $asan_log)"
    # The sanitizer tree runs each test executable in shards, without the demos' end-to-end tests
    # (it builds no executables) and the full-size benchmarks (tests/CMakeLists.txt). genlab
    # handles a failed allocation (an error naming the tensor), so ASan returns null instead of
    # aborting.
    log "running tests under ASan/UBSan"
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 ctest --output-on-failure -j"$JOBS" --timeout 900)
    log "fuzzing the IDX, corpus, checkpoint, CSV, activation-spec and run-config parsers (libFuzzer, ${FUZZ_SECONDS}s each; longer: tests/fuzz/run.sh 60)"
    GENLAB_FUZZ_BUILD="$ROOT/build-asan" tests/fuzz/run.sh "$FUZZ_SECONDS"
    log "all tests passed"
}

run_demo() {
    install_deps "${PACKAGES[@]}" || exit 1
    log "building the executables in build/"
    TARGETS="genlab-activations genlab-gan genlab-ae genlab-text genlab-ablate genlab-report" build build
    local stamp; stamp=$(date +%Y%m%d-%H%M%S)
    local act_out=outputs/activations/$stamp
    log "genlab-activations: f and f' of every registered activation"
    build/bin/genlab-activations --out "$act_out" --table
    log "genlab-gan: Leaky ReLU MLP GAN on Fashion-MNIST (3,000 steps)"
    build/bin/genlab-gan train --steps 3000 --out "outputs/gan/$stamp"
    # Half the MLP's steps keep the demo near 5 minutes; docs/gan.md has the DCGAN at 3,000.
    log "genlab-gan --arch conv: the DCGAN on the same data (1,500 steps), shown beside it"
    build/bin/genlab-gan train --arch conv --steps 1500 --out "outputs/gan-conv/$stamp"
    log "genlab-ae: GELU autoencoder (2,000 steps) and a 2-D variational autoencoder"
    build/bin/genlab-ae train --out "outputs/ae/$stamp"
    build/bin/genlab-ae train --variational --latent 2 --out "outputs/ae-vae/$stamp"
    log "genlab-text: character-level MLP inventing words (wamerican's word list)"
    # One thread: the matrices of this small model are too small for a second one to pay off.
    build/bin/genlab-text train --steps 30000 --batch 64 --eval-every 5000 --eval-batches 100 \
        --threads 1 --out "outputs/text/$stamp"
    log "genlab-ablate: the ring-of-8 GAN with 5 hidden activations x 2 seeds"
    build/bin/genlab-ablate --model gan --data ring8 --acts relu,leaky_relu:0.2,tanh,sigmoid,gelu --seeds 2 \
        --steps 3000 --jobs 2 --out "outputs/ablate/$stamp"
    build/bin/genlab-report page --out outputs/index.html "$act_out" "outputs/ablate/$stamp" "outputs/gan/$stamp" \
        "outputs/gan-conv/$stamp" "outputs/ae/$stamp" "outputs/ae-vae/$stamp" "outputs/text/$stamp"
    log "open $ROOT/outputs/index.html (the ablation's own report: outputs/ablate/$stamp/report.html)"
}

case "${1:-}" in
    demo) run_demo ;;
    test) run_tests ;;
    build) install_deps "${PACKAGES[@]}" || exit 1; build build ;;
    build-asan) install_deps "${PACKAGES[@]}" || exit 1; build_asan ;;
    *) echo "usage: ./genlab.sh demo | test | build | build-asan" >&2; exit 2 ;;
esac
