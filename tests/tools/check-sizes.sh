#!/usr/bin/env bash
# Fails when a tracked file is over 1 MiB and not on the allow-list below:
# build products and large data belong in bin/ or outside the repository,
# since every clone downloads them.
set -euo pipefail
cd "$(dirname "$0")/../.."
limit=$((1024 * 1024))
# path patterns (bash globs) of large files that are allowed, one per line
allow=(
)
status=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  size=$(stat -c %s "$f")
  [ "$size" -gt "$limit" ] || continue
  ok=0
  for pat in "${allow[@]}"; do
    # shellcheck disable=SC2053
    [[ "$f" == $pat ]] && ok=1
  done
  if [ "$ok" -eq 0 ]; then
    echo "tracked file over 1 MiB: $f ($size bytes); move it out of the repository (build products go to bin/) or add it to the allow-list in $0" >&2
    status=1
  fi
done < <(git ls-files -z)
exit $status
