# Sportello: the two commands are `make run` and `make test` (see README.md).
# Each installs what it needs when it is missing.

GO        ?= go
BIN       := bin
export LANG := en_US.UTF-8
# Keep cgo flags and -trimpath the same for every build: Fyne's go-gl C
# compile takes minutes cold and is reused only when they do not change.
GOBUILD   := $(GO) build
ARGS      ?=

.PHONY: run build test vet bench release deps-build deps-test clean

## run: build the desktop and open it on the embedded default (syncd in-process, demo data).
run: build
	./$(BIN)/sportello $(ARGS)

## build: build the desktop, syncd and loadgen binaries into bin/.
build: deps-build
	$(GOBUILD) -o $(BIN)/sportello ./cmd/sportello
	$(GOBUILD) -o $(BIN)/syncd ./cmd/syncd

## test: install the test peers (sipp, Xvfb, ...) and run every test.
test: deps-test vet
	SPORTELLO_REQUIRE_REAL=1 $(GO) test -count=1 -timeout 45m ./...
	$(GO) vet -tags opus ./softphone/...
	SPORTELLO_REQUIRE_REAL=1 $(GO) test -count=1 -tags opus ./softphone/opus/ ./softphone/ -run Opus

## vet: gofmt and go vet.
vet: deps-build
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: run the benchmarks; results go in docs/BENCHMARKS.md. Raw output in
## build/bench.txt. cmd/loadgen's BenchmarkCity runs issue 4's load model
## (1M citizens, 10M events, 2,000 desktops, 1,000 ops/s; SPORTELLO_BENCH_*
## change the scale) on SQLite, kept in build/bench/, and on PostgreSQL.
bench: deps-test
	mkdir -p build
	$(GO) test -run '^$$' -bench . -benchmem -p 1 -timeout 60m ./... 2>&1 | tee build/bench.txt

## release: build the release targets listed in fyne-cross.yml.
release: deps-build
	scripts/release.sh fyne-cross.yml

deps-build:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

clean:
	rm -rf $(BIN) build
