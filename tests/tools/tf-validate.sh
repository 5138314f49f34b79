#!/usr/bin/env bash
# make tf-validate: the deeper Terraform tier, with the real AWS provider but
# no AWS account. Not part of `make test`: the first run builds the provider.
#
#   1. terraform validate of infra/terraform/modules/binlake and of
#      infra/terraform/examples/complete;
#   2. terraform test in modules/binlake: tests/*.tftest.hcl plan (and once
#      apply) the module against mock_provider "aws";
#   3. a real apply of the module's bucket resources against a MinIO started
#      here (infra/terraform/tests/minio), a plan that must find no changes
#      (bar the S3 Bucket Key flag, which MinIO does not keep), and a destroy.
#
# The AWS provider cannot be downloaded here, so it is built from the Go
# module proxy into a cache outside the repository and used through a
# dev_overrides CLI configuration written for this run only.
#
#   tests/tools/tf-validate.sh [--build] [--keep]
#     --build  build the provider if it is missing (about 30 minutes on 2 cores)
#     --keep   keep the work directory (state, logs, MinIO data) for inspection
#
# Environment: BINLAKE_TOOLS (default ~/.cache/binlake/bin) holds the
# provider, MinIO and tflint; TERRAFORM and TF_PROVIDER_AWS override the
# terraform and provider binaries.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${BINLAKE_TOOLS:-$HOME/.cache/binlake/bin}"
TERRAFORM="${TERRAFORM:-$(command -v terraform 2>/dev/null || echo "$BIN/terraform")}"
PROVIDER_MODULE="github.com/hashicorp/terraform-provider-aws"
PROVIDER_VERSION="v1.60.1-0.20260602190131-5f2286d6d836"
PROVIDER="${TF_PROVIDER_AWS:-$BIN/terraform-provider-aws}"
MINIO="$(command -v minio 2>/dev/null || echo "$BIN/minio")"
TF_MIN="1.7.0" # mock_provider in .tftest.hcl files

# The bucket resources MinIO implements. Not applied: the public access
# blocks and ownership controls (MinIO answers NotImplemented), the bucket
# policies (they depend on the public access blocks, and MinIO rejects the
# s3:if-none-match condition key of the store's), the lifecycle rules (MinIO
# keeps neither transition_default_minimum_object_size nor
# abort_incomplete_multipart_upload, so the provider's wait for the rules to
# read back as written times out), and everything that is not S3.
# modules/binlake/tests/*.tftest.hcl plan those.
MINIO_TARGETS=(
  module.binlake.aws_s3_bucket.store
  module.binlake.aws_s3_bucket_versioning.store
  module.binlake.aws_s3_bucket_object_lock_configuration.store
  module.binlake.aws_s3_bucket_server_side_encryption_configuration.store
  module.binlake.aws_s3_bucket.results
  module.binlake.aws_s3_bucket_server_side_encryption_configuration.results
)

build=0 keep=0
for arg in "$@"; do
  case "$arg" in
  --build) build=1 ;;
  --keep) keep=1 ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "tf-validate: unknown argument $arg (try --help)" >&2
    exit 2
    ;;
  esac
done

say() { printf '\n== %s\n' "$*"; }
die() {
  printf 'tf-validate: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------- prerequisites

[ -x "$TERRAFORM" ] || die "terraform not found (PATH or $BIN/terraform); \`make tools\` builds one, but this tier needs $TF_MIN or later"
tf_version="$("$TERRAFORM" version 2>/dev/null | sed -n '1s/^Terraform v//p' || true)"
[ -n "$tf_version" ] || die "cannot tell the version of $TERRAFORM"
if [ "$(printf '%s\n%s\n' "$TF_MIN" "$tf_version" | sort -V | head -1)" != "$TF_MIN" ]; then
  die "terraform $tf_version is too old: terraform test with mock_provider needs $TF_MIN or later (set TERRAFORM=/path/to/terraform)"
fi

# The module version the provider binary was built from (go version -m reads
# it from the binary), or "" if there is none or go cannot tell.
provider_built_from() {
  [ -x "$PROVIDER" ] || return 0
  go version -m "$PROVIDER" 2>/dev/null | awk -v m="$PROVIDER_MODULE" '$1 == "mod" && $2 == m { print $3 }' || true
}
built_from="$(provider_built_from)"
if [ ! -x "$PROVIDER" ] || { [ "$build" -eq 1 ] && [ "$built_from" != "$PROVIDER_VERSION" ]; }; then
  if [ "$build" -eq 0 ]; then
    cat >&2 <<EOF
tf-validate: the AWS provider is missing: $PROVIDER
It cannot be downloaded here; build it from the Go module proxy (about 30
minutes on 2 cores, ~900 MB, cached outside the repository):

  (cd / && GOBIN="$BIN" GOFLAGS=-buildvcs=false nice -n 19 \\
     go install -ldflags='-s -w' $PROVIDER_MODULE@$PROVIDER_VERSION)

or run this script with --build to do exactly that.
EOF
    exit 1
  fi
  [ "$PROVIDER" = "$BIN/terraform-provider-aws" ] || die "--build writes $BIN/terraform-provider-aws, but TF_PROVIDER_AWS points to $PROVIDER"
  say "building $PROVIDER_MODULE@$PROVIDER_VERSION into $BIN (about 30 minutes)"
  mkdir -p "$BIN"
  (cd / && GOBIN="$BIN" GOFLAGS=-buildvcs=false nice -n 19 go install -ldflags='-s -w' "$PROVIDER_MODULE@$PROVIDER_VERSION")
  built_from="$(provider_built_from)"
fi
if [ "$built_from" != "$PROVIDER_VERSION" ]; then
  echo "tf-validate: warning: $PROVIDER was built from ${built_from:-an unknown version}, not $PROVIDER_VERSION (--build rebuilds it)" >&2
fi
[ -x "$MINIO" ] || die "minio not found (PATH or $BIN/minio): run \`make tools\`"
for cmd in curl jq python3; do
  command -v "$cmd" >/dev/null || die "$cmd not found (the MinIO stage needs curl, jq and python3)"
done

# ---------------------------------------------------------------- work directory

# Terraform runs on a copy of infra/terraform, so that .terraform/, state and
# the test's files never land in the repository (nor race other checkouts).
WORK="$(mktemp -d "${TMPDIR:-/tmp}/binlake-tf-validate.XXXXXX")"
MINIO_PID=
cleanup() {
  if [ -n "$MINIO_PID" ] && kill -0 "$MINIO_PID" 2>/dev/null; then
    kill "$MINIO_PID" 2>/dev/null || true
    wait "$MINIO_PID" 2>/dev/null || true
  fi
  if [ "$keep" -eq 1 ]; then
    echo "tf-validate: kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tar -C "$ROOT/infra" --exclude=.terraform --exclude=.terraform.lock.hcl \
  --exclude='*.tfstate' --exclude='*.tfstate.*' --exclude=terraform.tfvars -cf - terraform |
  tar -C "$WORK" -xf -
TF="$WORK/terraform"

# dev_overrides takes a directory holding terraform-provider-aws; it skips
# the registry, version constraints and the lock file for that provider.
mkdir -p "$WORK/plugins"
ln -s "$(cd "$(dirname "$PROVIDER")" && pwd)/$(basename "$PROVIDER")" "$WORK/plugins/terraform-provider-aws"
cat >"$WORK/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "hashicorp/aws" = "$WORK/plugins"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR TF_WORKSPACE TF_DATA_DIR

# Every terraform command warns that dev_overrides are in effect, and
# `terraform test` repeats each provider warning for every run: print the
# former not at all and each distinct warning once.
tf() {
  local dir="$1"
  shift
  "$TERRAFORM" -chdir="$dir" "$@" 2>&1 | awk '
    BEGIN { RS = ""; ORS = "\n\n" }
    /^Warning: Provider development overrides are in effect/ { devo = 2; next }
    /^Warnings:$/ { pendw = $0; next }
    pendw != "" && /^- Provider development overrides are in effect$/ { pendw = ""; note = 1; next }
    pendw != "" { print pendw; pendw = "" }
    note && /^To see the full warning notes/ {
      note = 0
      i = index($0, "\n")
      if (i == 0) next
      $0 = substr($0, i + 1)
    }
    { note = 0 }
    devo > 0 && /^(The following provider development overrides|The behavior may therefore not match)/ { devo--; next }
    { devo = 0 }
    skipping && /^\(and / { skipping = 0; next }
    skipping && !/^(  run "|tests\/|Error: |Warning: |Success!|Failure!)/ { next }
    { skipping = 0 }
    /^Warning: / { pending = $0; inwarn = 1; next }
    inwarn {
      inwarn = 0
      key = pending "\n" $0
      if (key in seen) { skipping = 1; hidden++; next }
      seen[key] = 1
      print pending
    }
    { print }
    END {
      if (inwarn) print pending
      if (hidden) printf "(%d repeated warnings not shown)\n\n", hidden
    }'
  return "${PIPESTATUS[0]}"
}

# With dev_overrides, `terraform init` still asks the registry for
# hashicorp/aws (unreachable here) and fails; nothing but the local module
# calls needs installing, which `terraform get` does.
tf_get() {
  tf "$1" get >"$WORK/get.log" || {
    cat "$WORK/get.log"
    return 1
  }
}

results=()
failed=0
started=$SECONDS
record() { # name status seconds [detail]
  results+=("$(printf '  %-40s %-5s %4ss  %s' "$1" "$2" "$3" "${4:-}")")
  [ "$2" = ok ] || failed=1
}

echo "tf-validate: terraform $tf_version, provider $PROVIDER ($(du -m "$(readlink -f "$PROVIDER")" | cut -f1) MB, dev_overrides), work dir $WORK"

# ---------------------------------------------------------------- 1. validate

for dir in modules/binlake examples/complete; do
  say "terraform validate $dir"
  t=$SECONDS
  if tf_get "$TF/$dir" && tf "$TF/$dir" validate -no-color; then
    record "validate $dir" ok $((SECONDS - t))
  else
    record "validate $dir" FAIL $((SECONDS - t))
  fi
done

# ---------------------------------------------------------------- 2. terraform test

say "terraform test modules/binlake (mock_provider \"aws\")"
t=$SECONDS
if tf "$TF/modules/binlake" test -no-color | tee "$WORK/test.log"; then
  record "test modules/binlake" ok $((SECONDS - t)) "$(grep -E '^(Success|Failure)!' "$WORK/test.log" | tail -1)"
else
  record "test modules/binlake" FAIL $((SECONDS - t)) "$(grep -E '^(Success|Failure)!' "$WORK/test.log" | tail -1)"
fi

# ---------------------------------------------------------------- 3. MinIO apply, no-drift plan, destroy

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

minio_stage() {
  local port console t n
  port="$(free_port)" console="$(free_port)"
  export MINIO_ROOT_USER=binlake MINIO_ROOT_PASSWORD="binlake-$RANDOM$RANDOM"
  # MinIO's built-in single key stands in for AWS KMS: SSE-KMS with key id
  # binlake-minio works once it is set.
  MINIO_KMS_SECRET_KEY="binlake-minio:$(head -c 32 /dev/urandom | base64)"
  export MINIO_KMS_SECRET_KEY
  say "MinIO on 127.0.0.1:$port ($MINIO)"
  "$MINIO" server "$WORK/minio-data" --address "127.0.0.1:$port" --console-address "127.0.0.1:$console" --quiet \
    >"$WORK/minio.log" 2>&1 &
  MINIO_PID=$!
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$port/minio/health/ready" >/dev/null 2>&1 && break
    kill -0 "$MINIO_PID" 2>/dev/null || {
      cat "$WORK/minio.log"
      record "minio start" FAIL 0
      return 1
    }
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/minio/health/ready" >/dev/null || {
    record "minio start" FAIL 30
    return 1
  }

  local dir="$TF/tests/minio" all=() strict=() sse=() r rc
  for r in "${MINIO_TARGETS[@]}"; do
    all+=("-target=$r")
    case "$r" in
    *server_side_encryption*) sse+=("-target=$r") ;;
    *) strict+=("-target=$r") ;;
    esac
  done
  export TF_VAR_endpoint="http://127.0.0.1:$port" TF_VAR_access_key="$MINIO_ROOT_USER" TF_VAR_secret_key="$MINIO_ROOT_PASSWORD"

  say "terraform apply tests/minio: ${MINIO_TARGETS[*]#module.binlake.}"
  t=$SECONDS
  if ! tf_get "$dir" || ! tf "$dir" apply -auto-approve -no-color -compact-warnings "${all[@]}" >"$WORK/apply.log"; then
    cat "$WORK/apply.log"
    record "minio apply" FAIL $((SECONDS - t))
    return 1
  fi
  grep -E 'Creation complete|^Apply complete|^(bucket_name|results_bucket_name|store_url) = ' "$WORK/apply.log"
  n="$(tf "$dir" state list | grep -c '^module\.binlake\.aws_s3_' || true)"
  record "minio apply" ok $((SECONDS - t)) "$n bucket resources"

  # Everything but the encryption settings must read back exactly as applied.
  say "terraform plan -detailed-exitcode tests/minio, all but SSE (must find no changes)"
  t=$SECONDS
  rc=0
  tf "$dir" plan -detailed-exitcode -no-color -compact-warnings "${strict[@]}" || rc=$?
  case $rc in
  0) record "minio plan, no drift" ok $((SECONDS - t)) "exit 0: no changes" ;;
  2) record "minio plan, no drift" FAIL $((SECONDS - t)) "exit 2: drift after apply" ;;
  *) record "minio plan, no drift" FAIL $((SECONDS - t)) "exit $rc" ;;
  esac

  # MinIO stores SSE-KMS with its key but not the S3 Bucket Key flag, so the
  # provider reads bucket_key_enabled back as false. Accept exactly that
  # difference and nothing else: algorithm and key must read back as applied.
  say "terraform plan -detailed-exitcode tests/minio, SSE (only bucket_key_enabled may differ)"
  t=$SECONDS
  rc=0
  tf "$dir" plan -detailed-exitcode -no-color -compact-warnings -out="$WORK/sse.plan" "${sse[@]}" >"$WORK/sse-plan.log" || rc=$?
  grep -E 'Refreshing state|^No changes|^Plan:' "$WORK/sse-plan.log" || true
  case $rc in
  0) record "minio plan, SSE" ok $((SECONDS - t)) "exit 0: no changes" ;;
  2)
    local unexpected
    unexpected="$("$TERRAFORM" -chdir="$dir" show -json "$WORK/sse.plan" | jq -r '
      def strip: (.rule // []) | map(del(.bucket_key_enabled, .blocked_encryption_types));
      .resource_changes[]
      | select(.change.actions != ["no-op"])
      | select((.type == "aws_s3_bucket_server_side_encryption_configuration"
                and .change.actions == ["update"]
                and (.change.before | del(.rule)) == (.change.after | del(.rule))
                and (.change.before | strip) == (.change.after | strip)
                and ([.change.before.rule[].bucket_key_enabled] | all(. == false))
                and ([.change.after.rule[].bucket_key_enabled] | all(. == true))) | not)
      | .address')" || unexpected="terraform show -json | jq failed"
    if [ -z "$unexpected" ]; then
      echo "only bucket_key_enabled differs (true applied, MinIO keeps false): a MinIO gap, not drift"
      record "minio plan, SSE" ok $((SECONDS - t)) "exit 2, only bucket_key_enabled (MinIO gap)"
    else
      cat "$WORK/sse-plan.log"
      record "minio plan, SSE" FAIL $((SECONDS - t)) "drift: $(echo "$unexpected" | tr '\n' ' ')"
    fi
    ;;
  *)
    cat "$WORK/sse-plan.log"
    record "minio plan, SSE" FAIL $((SECONDS - t)) "exit $rc"
    ;;
  esac

  # The buckets hold no object, so Object Lock does not stand in the way. The
  # versioning of an Object Lock bucket cannot be suspended: on AWS the
  # provider then just forgets the resource, MinIO words the refusal
  # differently, so forget it first here.
  say "terraform destroy tests/minio"
  t=$SECONDS
  if tf "$dir" state rm module.binlake.aws_s3_bucket_versioning.store >"$WORK/destroy.log" &&
    tf "$dir" destroy -auto-approve -no-color -compact-warnings "${all[@]}" >>"$WORK/destroy.log"; then
    grep -E 'Destruction complete|^Destroy complete' "$WORK/destroy.log"
    record "minio destroy" ok $((SECONDS - t)) "$(grep -E '^Destroy complete' "$WORK/destroy.log")"
  else
    cat "$WORK/destroy.log"
    record "minio destroy" FAIL $((SECONDS - t))
  fi
}
minio_stage || true

# ---------------------------------------------------------------- summary

printf '\n== tf-validate summary (terraform %s, %ss)\n' "$tf_version" $((SECONDS - started))
printf '%s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
  echo "tf-validate: FAILED"
  exit 1
fi
echo "tf-validate: all passed"
