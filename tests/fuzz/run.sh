#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (if needed) and runs each for DURATION
# seconds from a seed corpus generated here. Exits 1 if any target finds a crash, a sanitizer
# error, a leak, a hang (> 10 s on one input) or runs out of memory (> 2 GB); crashing inputs are
# kept under $BUILD/fuzz/artifacts/. Once fixed, a crashing input goes into
# tests/fuzz/regressions/<target>/ (target without _fuzz): the unit tests replay it in every
# build (FuzzRegressions), and the fuzzer starts from it too.
#   usage: tests/fuzz/run.sh [DURATION_SECONDS]      (default 60)
#   env:   GENLAB_FUZZ_BUILD  build folder (default build-fuzz/ at the repository root); an existing
#                             clang tree (such as ./genlab.sh test's build-asan/) is reused as it is
#          GENLAB_FUZZ_CXX    the clang++ to use (default clang++)
set -euo pipefail
DURATION=${1:-60}
[[ $DURATION =~ ^[0-9]+$ && $DURATION -gt 0 ]] || { echo "usage: $0 [DURATION_SECONDS > 0]" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${GENLAB_FUZZ_BUILD:-$ROOT/build-fuzz}
CXX=${GENLAB_FUZZ_CXX:-clang++}
JOBS=$(nproc 2>/dev/null || echo 2)
TARGETS=(idx_fuzz corpus_fuzz safetensors_fuzz activation_spec_fuzz run_config_fuzz csv_fuzz)

log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }

if ! command -v "$CXX" >/dev/null; then
    log "error: $CXX not found - libFuzzer needs clang (apt-get install clang libclang-rt-dev)"
    exit 1
fi
if [[ -f $BUILD/CMakeCache.txt ]]; then
    # An existing tree (./genlab.sh test passes its clang ASan/UBSan tree): keep its compiler and
    # sanitizers, add the fuzz targets.
    log "building ${TARGETS[*]} in $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DGENLAB_FUZZ=ON >/dev/null
else
    log "building ${TARGETS[*]} with $CXX in $BUILD"
    cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$CXX" \
          -DGENLAB_SANITIZE=ON -DGENLAB_FUZZ=ON -DGENLAB_TESTS=OFF -DGENLAB_DEMOS=OFF >/dev/null
fi
cmake --build "$BUILD" -j"$JOBS" --target "${TARGETS[@]}"

# --- seed corpora (regenerated every run; what the fuzzer finds goes to corpus-<target>/) ---------
SEEDS=$BUILD/fuzz/seeds
rm -rf "$SEEDS"
for t in "${TARGETS[@]}"; do mkdir -p "$SEEDS/$t"; done
mkdir -p "$BUILD/fuzz/artifacts"
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }
pixels() { head -c "$1" /dev/zero | tr '\000' '\177'; }  # content does not matter, size does

s=$SEEDS/idx_fuzz
{ be32 0x803; be32 3; be32 4; be32 5; pixels 60; } > "$s/images-3x4x5"
{ be32 0x801; be32 6; printf '\x09\x00\x00\x03\x00\x02'; } > "$s/labels-6"
{ be32 0x803; be32 2; be32 28; be32 28; pixels 1568; } > "$s/images-2x28x28"
gzip -c -n "$s/images-2x28x28" > "$s/images-2x28x28.gz"
gzip -c -n "$s/labels-6" > "$s/labels-6.gz"
cat "$s/labels-6.gz" "$s/labels-6.gz" > "$s/labels-two-members.gz"
{ be32 0x803; be32 1; be32 2; pixels 3; } > "$s/images-truncated"
FMNIST=/usr/share/datasets/fashion-mnist
if [[ -r $FMNIST/t10k-labels-idx1-ubyte.gz ]]; then
    head -c 1500 "$FMNIST/t10k-labels-idx1-ubyte.gz" > "$s/fashion-labels-head.gz"   # a truncated real file
    (gzip -dc "$FMNIST/t10k-labels-idx1-ubyte.gz" 2>/dev/null || true) | head -c 200 > "$s/fashion-labels-head"
fi

s=$SEEDS/corpus_fuzz   # byte 0: bit 0 stream, bit 1 --bytes, bits 2-4 context - 1, bits 5-7 split seed
printf '\x08emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn\nabigail\n' > "$s/names"
printf '\x0dFirst Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n' > "$s/stream"
printf '\x00caf\xc3\xa9\nna\xc3\xafve\n\xe2\x82\xac uro\n\xf0\x9f\x98\x80\r\nA\n' > "$s/utf8-lines"
printf '\x02caf\xe9\nna\xefve\n\xff\xfe\n' > "$s/latin1-bytes"
printf '\x01ab\xc0\xafcd' > "$s/overlong"
printf '\x00{"format":"genlab-vocab","version":1,"encoding":"utf-8","eos":true,"symbols":[97,98,233]}' > "$s/vocab-json"
for f in "$ROOT/data/corpora/names.txt" "$ROOT/data/corpora/tinyshakespeare.txt" /usr/share/dict/words; do
    if [[ -r $f ]]; then
        { printf '\x1d'; head -c 3000 "$f"; } > "$s/head-$(basename "$f")"
    fi
done

s=$SEEDS/safetensors_fuzz   # 8-byte little-endian header length, JSON header, then the data
le64() { local n=$1 i; for i in 0 1 2 3 4 5 6 7; do printf "\\x$(printf %02x $((n >> (8 * i) & 255)))"; done; }
safetensors() {  # safetensors FILE HEADER DATA_BYTES
    { le64 ${#2}; printf '%s' "$2"; head -c "$3" /dev/zero; } > "$1"
}
safetensors "$s/empty" '{}' 0
safetensors "$s/one" '{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}' 24
safetensors "$s/meta" '{"__metadata__":{"kind":"gan","step":"3","config":"{}"},"a.b":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,4],"data_offsets":[4,4]}}' 4
safetensors "$s/nested" '{"__metadata__":{"kind":[[[[[[[[[["x"]]]]]]]]]]}}' 0

s=$SEEDS/activation_spec_fuzz   # one spec, or a comma-separated list as --acts takes
for spec in relu leaky_relu:0.2 prelu elu:1.0 selu gelu gelu_tanh swish:1.5 silu swish_learned sigmoid tanh \
            softplus mish identity softmax 'relu,gelu,leaky_relu:0.2,elu:0.5' 'swish:1,2' 'elu:-1' 'leaky_relu:nan'; do
    printf '%s' "$spec" > "$s/$(printf '%s' "$spec" | tr -c 'a-z0-9_.' '_')"
done

s=$SEEDS/run_config_fuzz   # a checkpoint's "config" metadata, as config.json holds it
printf '%s' '{"experiment":"gan","run":{"steps":2,"seed":1},"config":{"data":"ring8","data_dir":"","class":-1,"limit":0,"act":"leaky_relu:0.2","loss":"ns","batch":256,"lr":0.0002,"beta1":0.5,"beta2":0.999,"d_steps":1,"upscale":3,"progress_rows":8,"fd_samples":10000,"classifier":"","classifier_steps":2000,"image_rows":0,"image_cols":0,"model":{"data_dim":2,"latent":16,"g_hidden":[128,128],"d_hidden":[128,128],"g_act":"leaky_relu:0.2","d_act":"leaky_relu:0.2","g_out":"identity","init":"torch"}}}' > "$s/gan-ring8"
printf '%s' '{"run":{},"config":{"model":{"hidden":[512,128],"latent":32,"act":"gelu","variational":true}}}' > "$s/ae-partial"
printf '%s' '{"experiment":"ae","run":{"steps":1,"seed":1},"config":{"data_dir":"","class":-1,"train_limit":200,"test_limit":100,"batch":128,"lr":0.001,"model":{"input":784,"hidden":[512,128],"latent":32,"act":"gelu","out_act":"sigmoid","loss":"bce","variational":false,"beta":1.0,"init":"gain"}}}' > "$s/ae"
printf '%s' '{"experiment":"text","run":{"steps":1,"seed":1},"config":{"corpus":"words","mode":"lines","bytes":false,"batch":32,"lr":0.001,"min_lr":0.0001,"warmup":100,"weight_decay":0.01,"beta2":0.99,"clip":1.0,"eval_batches":20,"sample_every":0,"num_samples":20,"sample_chars":500,"temperature":1.0,"top_k":0,"top_p":1.0,"model":{"vocab_size":70,"arch":"transformer","context":3,"hidden":[256,256],"block_size":32,"n_layer":4,"n_head":4,"n_embd":32,"act":"gelu","dropout":0.0,"init":"gain"}}}' > "$s/text"
printf '%s' '{"run":{},"config":{"model":{"arch":"transformer","n_layer":[[[[4]]]],"n_embd":1e300}}}' > "$s/text-hostile"
printf '%s' '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' > "$s/nested"

s=$SEEDS/csv_fuzz   # metrics.csv, diagnostics.csv and results.csv as genlab writes them, and damaged ones
printf 'step,loss,val_loss\n1,0.6931472,\n2,0.5,\n3,0.25,0.75\n' > "$s/metrics"
printf 'step,dead_fraction_l0,saturated_fraction_l0,grad_norm_l0,pre_mean_l0,pre_std_l0\n5,0,0.125,0.01,-0.25,1\n10,0.5,0,1e-05,0,2\n' > "$s/diagnostics"
printf 'arm,activation,init,lr,seed,status,diverged_step,resumed_from,steps,wall_s,ms_per_step,fd,modes\n' > "$s/results"
printf 'relu,relu,,,1,done,,0,10,0.5,50,0.25,8\nrelu,relu,,,2,done,,0,10,0.5,50,0.5,7\n' >> "$s/results"
printf 'tanh,tanh,,,1,done,,5,10,0.25,,1.5,4\ntanh,tanh,,,2,diverged,7,0,10,0.1,,,\n' >> "$s/results"
printf 'arm,activation,init,lr,seed,status,diverged_step\n"a,b",relu,,,1,done,\n"x""y",relu,,,1e30,diverged,-9999999999\n' > "$s/quoted"
printf 'step,loss\n1,2\n3,4,5\n' > "$s/wide-row"
printf 'step,loss\n99999999999999999999,1\n' > "$s/huge-step"
printf 'step,loss\r\n1,"unterminated\n2,3' > "$s/cut-short"

# --- run -----------------------------------------------------------------------------------------
# The targets run side by side (one core each on a 2-core machine), each logging to its own file.
run_target() {
    local t=$1 work=$BUILD/fuzz/corpus-$1
    mkdir -p "$work"
    "$BUILD/fuzz/$t" -max_total_time="$DURATION" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/artifacts/$t-" "$work" "$SEEDS/$t" \
        "$ROOT/tests/fuzz/regressions/${t%_fuzz}" \
        > "$BUILD/fuzz/$t.log" 2>&1
}
log "running ${TARGETS[*]} for ${DURATION}s each, side by side"
pids=()
for t in "${TARGETS[@]}"; do
    run_target "$t" &
    pids+=($!)
done
failed=()
for i in "${!TARGETS[@]}"; do
    t=${TARGETS[$i]}
    if ! wait "${pids[$i]}"; then
        tail -n 60 "$BUILD/fuzz/$t.log" >&2
        failed+=("$t")
    else
        log "$t: $(grep -E '^stat::number_of_executed_units' "$BUILD/fuzz/$t.log" | tail -n 1 || true)"
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
    log "FAILED: ${failed[*]} (inputs in $BUILD/fuzz/artifacts/, logs in $BUILD/fuzz/*.log)"
    exit 1
fi
log "all fuzz targets ran ${DURATION}s each without a finding"
