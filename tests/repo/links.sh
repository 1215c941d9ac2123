#!/usr/bin/env bash
# Every relative link and image in the tracked Markdown files (README.md, docs/, the folders'
# READMEs) resolves to a tracked file or folder. Web links and in-page anchors are not followed.
#   usage: tests/repo/links.sh SOURCE_DIR
set -euo pipefail
cd "${1:?usage: links.sh SOURCE_DIR}"
tracked=$(git ls-files)
bad=0 checked=0
while IFS= read -r md; do
    dir=$(dirname "$md")
    # [text](target) and ![alt](target), and <img src="target">; a target ends at ')' or a space
    # (a title may follow it). Fenced code blocks are skipped.
    targets=$(awk '/^```/ {fence = !fence; next} !fence' "$md" |
              grep -oE '\]\([^) ]+|<img [^>]*src="[^"]+"' | sed -E 's/^\]\(//; s/.*src="//; s/"$//' || true)
    while IFS= read -r t; do
        [[ -z $t || $t =~ ^[a-z]+: || $t == \#* ]] && continue
        t=${t%%#*}
        path=$(realpath -m --relative-to=. "$dir/$t")
        checked=$((checked + 1))
        if ! grep -qxF "$path" <<<"$tracked" && ! grep -q "^$path/" <<<"$tracked"; then
            echo "$md: link to $t: $path is not a file of the repository" >&2
            bad=$((bad + 1))
        fi
    done <<<"$targets"
done < <(git ls-files '*.md')
((checked > 0)) || { echo "no links found: the parser is broken" >&2; exit 1; }
((bad == 0)) || exit 1
echo "$checked relative links in $(git ls-files '*.md' | wc -l) Markdown files resolve"
