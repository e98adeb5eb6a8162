#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format makes of it under the tree's .clang-format.
# To fix: `tests/style/check_format.sh --fix` (rewrites the files in place).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mode=(--dry-run --Werror)
[ "${1:-}" = --fix ] && mode=(-i)
files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.h' '*.cc')
else  # an exported tree: no index to ask
  mapfile -t files < <(find services cli sdk tests \( -name '*.cpp' -o -name '*.h' -o -name '*.cc' \) -not -path '*/node_modules/*')
fi
printf '%s\0' "${files[@]}" | xargs -0 -n 64 clang-format "${mode[@]}"
[ "${1:-}" = --fix ] || echo "clang-format: ${#files[@]} files formatted as .clang-format says"
