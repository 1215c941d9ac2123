#!/usr/bin/env bash
# Every tracked C++ file is formatted as .clang-format says (clang-format 14, Debian's package).
#   usage: tests/repo/format.sh SOURCE_DIR      (tests/repo/format.sh . --fix reformats them)
set -euo pipefail
cd "${1:?usage: format.sh SOURCE_DIR [--fix]}"
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ ${2:-} == --fix ]]; then
    clang-format -i "${files[@]}"
    exit 0
fi
if ! out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
    echo "$out" | grep -E '^[^ ].*(error|warning):' | cut -d: -f1 | sort -u | sed 's/^/not formatted: /' >&2
    echo "$out" | head -20 >&2
    echo "fix with: tests/repo/format.sh . --fix" >&2
    exit 1
fi
echo "${#files[@]} C++ files formatted as .clang-format says"
