# binlake — see README.md. Every target works from a fresh clone.

GO        ?= go
BIN       := bin
GOTEST    ?= $(GO) test
TESTFLAGS ?= -p 2 -timeout 40m
DEMO_DIR  ?= $(shell mktemp -d /tmp/binlake-demo.XXXXXX)

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
	@echo "== store: $(DEMO_DIR)/store"
	$(BIN)/binlake ingest --store $(DEMO_DIR)/store --source file://$(CURDIR)/tests/fixtures/demo --exit-when-caught-up
	@echo; echo "== binlake log -n 8"
	$(BIN)/binlake log --store $(DEMO_DIR)/store --cache $(DEMO_DIR)/cache -n 8
	@echo; echo "== binlake asof shop.customers --at HEAD"
	$(BIN)/binlake asof shop.customers --store $(DEMO_DIR)/store --cache $(DEMO_DIR)/cache --at HEAD
	@echo; echo "== binlake asof shop.orders --at 5 (an earlier commit)"
	$(BIN)/binlake asof shop.orders --store $(DEMO_DIR)/store --cache $(DEMO_DIR)/cache --at 5
	@echo; echo "== binlake sql: revenue per customer at HEAD"
	$(BIN)/binlake sql --store $(DEMO_DIR)/store --cache $(DEMO_DIR)/cache --at HEAD \
	  "SELECT c.name, count(*) AS orders, sum(CAST(o.total AS DECIMAL(12,2))) AS revenue FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY revenue DESC"
	@echo; echo "== binlake verify"
	$(BIN)/binlake verify --store $(DEMO_DIR)/store

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
