# tracecode — see README.md. Every target installs what it needs.
GO       ?= go
DATA     ?= ./data
ADDR     ?= 127.0.0.1:8080
STATICCHECK_VERSION := v0.8.2
GOBIN    := $(shell $(GO) env GOPATH)/bin

.PHONY: all build run test test-short race lint fmt generate check-generate bench bench-go loadtest deps-browser clean

all: build

build:
	$(GO) build -o bin/tracecode ./cmd/tracecode

# run: start the server with the demo data set on the embedded store.
run: build
	./bin/tracecode serve --demo --data $(DATA) --addr $(ADDR)

# test: the lint gate (gofmt, go vet, staticcheck), the generated-code
# check, every test, and the race detector on the engine and server.
test: check-generate deps-browser lint
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race -short ./engine/... ./server/...

race:
	$(GO) test -count=1 -race ./engine/... ./server/...

lint:
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt: files above need formatting (run make fmt)"; exit 1)
	$(GO) vet ./...
	test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN)/staticcheck ./...

fmt:
	gofmt -w .

generate:
	$(GO) generate ./...

# check-generate fails when committed generated code is stale.
check-generate:
	$(GO) generate ./engine/code/...
	@git diff --exit-code -- engine/code || (echo "generated code is stale: run make generate and commit"; exit 1)

bench: build
	./bin/tracecode bench --scale small --out bench-out

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./engine/...

loadtest: build
	./scripts/loadtest.sh

# deps-browser installs Debian's chromium for the scan-page browser tests,
# with a CJK font so that screenshots of the Chinese page are legible.
deps-browser:
	@command -v chromium >/dev/null && test -d /usr/share/fonts/truetype/wqy || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null)

clean:
	rm -rf bin bench-out
