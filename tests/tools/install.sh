#!/usr/bin/env bash
# Installs what the tests and `make lint` need and the machine lacks: MariaDB
# and sysbench from Debian packages; MinIO, tflint, staticcheck and terraform
# built from the Go module proxy into a cache outside the repo. Safe to run
# again: it only installs what is missing or at another version.
set -euo pipefail

BIN="${BINLAKE_TOOLS:-$HOME/.cache/binlake/bin}"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
mkdir -p "$BIN"

need_apt=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server)
command -v mariadb-install-db >/dev/null 2>&1 || need_apt+=(mariadb-server)
command -v sysbench >/dev/null 2>&1 || need_apt+=(sysbench)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v minio >/dev/null 2>&1 && [ ! -x "$BIN/minio" ]; then
  echo "building MinIO $MINIO_VERSION into $BIN (about 4 minutes the first time)"
  (cd / && GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$MINIO_VERSION")
fi
TFLINT_VERSION="v0.64.0"
# (no pipe into grep -q: with pipefail its early exit would fail the check)
tflint_version="$("$BIN/tflint" --version 2>/dev/null || true)"
if [[ "$tflint_version" != *"version ${TFLINT_VERSION#v}"* ]]; then
  echo "building tflint $TFLINT_VERSION into $BIN (about 3 minutes the first time)"
  (cd / && GOBIN="$BIN" GOFLAGS=-buildvcs=false nice -n 19 go install "github.com/terraform-linters/tflint@$TFLINT_VERSION")
fi
STATICCHECK_VERSION="v0.8.2"
# `staticcheck -version` prints "staticcheck 2026.2.2 (0.8.2)".
staticcheck_version="$("$BIN/staticcheck" -version 2>/dev/null || true)"
if [[ "$staticcheck_version" != *"(${STATICCHECK_VERSION#v})"* ]]; then
  echo "building staticcheck $STATICCHECK_VERSION into $BIN (about 2 minutes the first time)"
  (cd / && GOBIN="$BIN" GOFLAGS=-buildvcs=false nice -n 19 go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION")
fi
if ! command -v terraform >/dev/null 2>&1 && [ ! -x "$BIN/terraform" ]; then
  echo "building terraform v1.5.7 into $BIN (about 10 minutes the first time)"
  (cd / && GOBIN="$BIN" GOFLAGS=-buildvcs=false nice -n 19 go install github.com/hashicorp/terraform@v1.5.7)
fi
echo "tools ready: mariadbd $(/usr/sbin/mariadbd --version 2>/dev/null | awk '{print $3}'), sysbench $(sysbench --version | awk '{print $2}'), minio, tflint and staticcheck in ${BIN}"
