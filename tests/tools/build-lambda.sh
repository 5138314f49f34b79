#!/usr/bin/env bash
# Builds each function as AWS Lambda's provided.al2023 runtime runs it: a
# fully static linux/amd64 executable named bootstrap (DuckDB needs cgo), in
# OUT/<function>/bootstrap, zipped as OUT/<function>.zip. Prints the sizes.
set -euo pipefail
out="${1:-bin/lambda}"
functions="${FUNCTIONS:-query recover verify checkpoint}"
mkdir -p "$out"
for fn in $functions; do
  [ -d "functions/$fn" ] || continue
  mkdir -p "$out/$fn"
  CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build -trimpath -tags netgo,osusergo \
    -ldflags '-s -w -linkmode external -extldflags "-static"' \
    -o "$out/$fn/bootstrap" "./functions/$fn" 2> >(grep -v -e 'statically linked applications requires at runtime' -e 'in function `' >&2)
  go run ./tests/tools/zipbootstrap "$out/$fn/bootstrap" "$out/$fn.zip"
  awk -v fn="$fn" -v b="$(stat -c %s "$out/$fn/bootstrap")" -v z="$(stat -c %s "$out/$fn.zip")" \
    'BEGIN { printf "%-12s bootstrap %6.1f MB   zip %6.1f MB\n", fn, b / 1048576, z / 1048576 }'
done
