#!/usr/bin/env bash
# The libraries keep to their edges (docs/design.md draws them):
#   core/ is the engine: it includes nothing of the pictures library (viz/), the config library
#        or CLI11, nor any library above it;
#   sweep/ never names a model: what it knows of one comes from the model's ExperimentDef, so a
#        model's name is never a string literal there;
#   no function in sweep/ is longer than 60 lines.
#   usage: tests/repo/boundaries.sh SOURCE_DIR
set -euo pipefail
cd "${1:?usage: boundaries.sh SOURCE_DIR}"
status=0
report() {  # report WHAT HITS
    [[ -z $2 ]] && return 0
    echo "$1:" >&2
    echo "$2" | head -20 >&2
    status=1
}

report "core/ includes a library above the engine" \
    "$(grep -rnE '#include [<"](viz|config|data|models|experiments|bench|sweep)/|#include [<"]CLI/' core || true)"

# The registered models' names, read from their definitions (.name = "...").
names=$(grep -rhoE '^\s+\.name = "[a-z0-9_]+",' experiments/*/*_experiment.cpp | sed -E 's/.*"(.*)".*/\1/')
[[ -n $names ]] || { echo "no experiment names found under experiments/" >&2; exit 1; }
for n in $names; do
    report "sweep/ names the model \"$n\"" "$(grep -rnF "\"$n\"" sweep || true)"
done

# Function bodies: from a line at column 0 that starts a definition to the closing brace at column 0.
long=$(awk '
    /^(namespace|struct|class|enum|union|extern|template|using|#|\/\/|static_assert)/ { next }
    /^[A-Za-z].*;$/ { start = 0; next }
    /^[A-Za-z]/ { if (!start) { start = FNR; name = $0 } next }
    /^\}/ { if (start && FNR - start + 1 > 60) printf "%s:%d: %d lines: %s\n", FILENAME, start, FNR - start + 1, name; start = 0 }
' sweep/*.cpp)
report "functions over 60 lines in sweep/" "$long"
exit $status
