# binlake — see README.md. Every target works from a fresh clone.

GO        ?= go
BIN       := bin
GOTEST    ?= $(GO) test
TESTFLAGS ?= -p 2 -timeout 40m
TOOLS_BIN ?= $(or $(BINLAKE_TOOLS),$(HOME)/.cache/binlake/bin)
TFLINT    ?= $(TOOLS_BIN)/tflint
STATICCHECK ?= $(TOOLS_BIN)/staticcheck
TERRAFORM ?= $(shell command -v terraform 2>/dev/null || echo $(TOOLS_BIN)/terraform)

.PHONY: all build test test-short tools demo bench lint fmt fixture lambda tf-check tf-validate clean

all: build

build:
	$(GO) build -o $(BIN)/binlake ./cmd/binlake

## tools: install the servers the tests start (MariaDB, sysbench, MinIO) and the tools
## tf-check and lint run (tflint, terraform, staticcheck)
tools:
	bash tests/tools/install.sh

## test: every test, against real MariaDB and MinIO started by the tests, plus the offline Terraform checks
test: tools tf-check
	$(GOTEST) $(TESTFLAGS) ./...

## tf-check: offline Terraform checks: terraform fmt, tflint (bundled terraform ruleset), the module's security test
tf-check: tools
	$(TERRAFORM) fmt -check -recursive -diff infra/terraform localstack
	cd infra/terraform && "$(TFLINT)" --recursive --config="$(CURDIR)/infra/terraform/.tflint.hcl"
	$(GOTEST) -count=1 ./tests/infra/

## test-short: unit tests only: under -short every test that needs MariaDB, MinIO or a Lambda
## process skips (tests/testenv), so nothing is started and no server need be installed
test-short:
	$(GOTEST) -short ./...

## demo: ingest the bundled binlog fixture into a local store and query it
demo: build
	bash tests/demo.sh $(BIN)/binlake

## tf-validate: deeper Terraform tier (not in `make test`): validate, terraform test with a mocked AWS provider, a real apply against MinIO. Needs the AWS provider built from source (--build, about 40 min the first time)
tf-validate: tools
	TERRAFORM="$(TERRAFORM)" bash tests/tools/tf-validate.sh --build

## lambda: static bootstrap binaries for provided.al2023, zipped, in bin/lambda
lambda:
	bash tests/tools/build-lambda.sh $(BIN)/lambda

## fixture: re-record the demo binlog from a private MariaDB
fixture:
	$(GO) run ./tests/fixtures/record -out tests/fixtures/demo

## bench: run the benchmarks and write docs/BENCHMARKS.md
bench: tools
	$(GO) run ./tests/bench -out docs/BENCHMARKS.md

## lint: no tracked file over 1 MiB, gofmt, go vet, staticcheck (installed by `make tools`, which
## lint does not run: on a fresh machine that builds every test server)
lint:
	bash tests/tools/check-sizes.sh
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@[ -x "$(STATICCHECK)" ] || { echo "staticcheck not found at $(STATICCHECK): run \`make tools\` first"; exit 1; }
	$(STATICCHECK) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)
