#!/usr/bin/env bash
# The repository stands alone: a clone into an empty folder holds everything its tests, demos,
# benchmarks and docs use, and no tracked file names a path beside or above the checkout.
#   usage: tests/repo/stands_alone.sh SOURCE_DIR
set -euo pipefail
src=$(cd "${1:?usage: stands_alone.sh SOURCE_DIR}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone --quiet "$src" "$tmp/genlab"
cd "$tmp/genlab"

# What a stranger's clone lacks: the folder that sat beside the checkout (named here with a class
# so that this line does not match itself), and the absolute paths of the machine it came from.
fixed=(-e "$src/")
[[ $(dirname "$src") == / ]] || fixed+=(-e "$(dirname "$src")/")
hits=$(git grep -n -I -F "${fixed[@]}" -- . ':!tests/repo/stands_alone.sh' || true)
hits+=$'\n'$(git grep -n -I -E -e '\.\./shar[e]d' -e '(^|[^A-Za-z0-9_.~-])/(work|home|root|mnt|media|srv|scratch)/' \
        -- . ':!tests/repo/stands_alone.sh' || true)
if [[ -n ${hits//$'\n'/} ]]; then
    echo "files that reach outside the repository:" >&2
    echo "$hits" | head -20 >&2
    exit 1
fi

# The shipped corpora are in the clone, with the sizes data/corpora/README.md states.
for f in data/corpora/names.txt:228145 data/corpora/tinyshakespeare.txt:1115394; do
    path=${f%%:*} size=${f##*:}
    [[ -f $path ]] || { echo "$path is not in a clone" >&2; exit 1; }
    [[ $(stat -c %s "$path") == "$size" ]] || { echo "$path is not $size bytes" >&2; exit 1; }
done
echo "a clone of $src stands alone: $(git ls-files | wc -l) files, none reaching outside it"
