# binlake — see README.md. Every target works from a fresh clone.

GO        ?= go
BIN       := bin
GOTEST    ?= $(GO) test
TESTFLAGS ?= -p 2 -timeout 40m

.PHONY: all build test test-short tools demo bench lint fmt fixture clean

all: build

build:
	$(GO) build -o $(BIN)/binlake ./cmd/binlake

## tools: install the servers the tests start (MariaDB, sysbench, MinIO)
tools:
	bash tests/tools/install.sh

## test: every test, against real MariaDB and MinIO started by the tests
test: tools
	$(GOTEST) $(TESTFLAGS) ./...

## test-short: unit tests only (no servers)
test-short:
	$(GOTEST) -short ./...

## demo: ingest the bundled binlog fixture into a local store and query it
demo: build
	bash tests/demo.sh $(BIN)/binlake

## fixture: re-record the demo binlog from a private MariaDB
fixture:
	$(GO) run ./tests/fixtures/record -out tests/fixtures/demo

## bench: run the benchmarks and write docs/BENCHMARKS.md
bench: tools
	$(GO) run ./tests/bench -out docs/BENCHMARKS.md

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)
