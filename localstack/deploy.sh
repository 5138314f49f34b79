#!/usr/bin/env bash
# Runs the binlake Terraform module against LocalStack on a laptop:
#   1. starts LocalStack and a MariaDB primary (docker-compose.yml);
#   2. builds bin/binlake and the Lambda packages (make build lambda);
#   3. applies infra/terraform/examples/complete with providers_override.tf
#      and localstack.tfvars, in a working copy under localstack/.work/;
#   4. ingests the primary into the store with `binlake ingest
#      --exit-when-caught-up` on the host (ECS is not in LocalStack's free
#      plan), makes a bad change on the primary and ingests it too;
#   5. invokes the query function ({"op":"log"}) and the recover function.
#
# Needs docker (with compose), terraform >= 1.5, the AWS CLI v2, go, make.
# Run it again at will: the working copy keeps its Terraform state.
# `localstack/deploy.sh down` stops the containers and forgets the state.
#
# Override the events with QUERY_EVENT and RECOVER_EVENT (JSON), the MariaDB
# port with MARIADB_PORT.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$here/.work"
compose=(docker compose -f "$here/docker-compose.yml")
endpoint="http://localhost:4566"
mariadb_port="${MARIADB_PORT:-3306}"
default_query_event='{"op":"log"}'
default_recover_event='{"op":"revert","commits":["HEAD"]}'
query_event="${QUERY_EVENT:-$default_query_event}"
recover_event="${RECOVER_EVENT:-$default_recover_event}"

# LocalStack accepts any credentials; these never reach AWS.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL="$endpoint" # binlake and the AWS CLI both honour it

say() { printf '\n== %s\n' "$*"; }

if [ "${1:-}" = "down" ]; then
  "${compose[@]}" down --volumes
  rm -rf "$work"
  exit 0
fi

for tool in docker terraform aws go make; do
  command -v "$tool" >/dev/null || { echo "deploy.sh: $tool not found on PATH" >&2; exit 1; }
done

say "starting LocalStack and MariaDB"
"${compose[@]}" up -d --wait

say "building bin/binlake and bin/lambda/*.zip"
make -C "$repo" build lambda

say "applying the Terraform module to LocalStack"
# A working copy of infra/terraform (so that the example's relative module
# source still resolves) plus the provider override; state stays in $work.
mkdir -p "$work/examples/complete"
rm -rf "$work/modules"
cp -R "$repo/infra/terraform/modules" "$work/modules"
rm -f "$work/examples/complete/"*.tf
cp "$repo/infra/terraform/examples/complete/"*.tf "$work/examples/complete/"
cp "$here/providers_override.tf" "$work/examples/complete/"
tf=(terraform -chdir="$work/examples/complete")
"${tf[@]}" init -input=false
"${tf[@]}" apply -input=false -auto-approve \
  -var-file="$here/localstack.tfvars" \
  -var "lambda_dir=$repo/bin/lambda"

store="$("${tf[@]}" output -raw store_url)"
functions="$("${tf[@]}" output -json function_names | tr -d ' \n')"
query_fn="$(sed -n 's/.*"query":"\([^"]*\)".*/\1/p' <<<"$functions")"
recover_fn="$(sed -n 's/.*"recover":"\([^"]*\)".*/\1/p' <<<"$functions")"
source_url="mysql://binlake:binlake@127.0.0.1:$mariadb_port"
echo "store: $store; functions: $query_fn, $recover_fn"

say "ingesting the primary (initial snapshot and binlog) into $store"
"$repo/bin/binlake" ingest --source "$source_url" --store "$store" --exit-when-caught-up

say "a bad change on the primary: every order cancelled"
"${compose[@]}" exec -T mariadb mariadb -uroot -proot shop \
  -e "UPDATE orders SET status = 'cancelled'"
"$repo/bin/binlake" ingest --source "$source_url" --store "$store" --exit-when-caught-up

invoke() { # function, event, output file
  aws lambda invoke --endpoint-url "$endpoint" --function-name "$1" \
    --cli-binary-format raw-in-base64-out --payload "$2" "$3" >/dev/null
  cat "$3"; echo
}

say "query function: $query_event"
invoke "$query_fn" "$query_event" "$work/query.json"

say "recover function: $recover_event"
invoke "$recover_fn" "$recover_event" "$work/recover.json"

cat <<EOF

Done. The same store from the CLI:
  export AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  bin/binlake log --store $store -n 5
  bin/binlake asof shop.orders --store $store --at HEAD~1
Stop everything: localstack/deploy.sh down
EOF
