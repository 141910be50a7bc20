# tracecode — see README.md and CONTRIBUTING.md. Every target installs what it needs.
GO       ?= go
DATA     ?= ./data
ADDR     ?= 127.0.0.1:8080

# make builds with the toolchain go.mod names (its `toolchain` line: the
# oldest Go release without known vulnerabilities that the code reaches),
# downloading it through the module proxy when the installed go is older.
# Set GOTOOLCHAIN=local in the environment to use the installed go instead.
export GOTOOLCHAIN ?= auto

# Tools, pinned. Each is installed once per version under bin/tools, so
# changing a version here installs the new one.
STATICCHECK_VERSION := v0.8.2
# goimports comes from golang.org/x/tools.
GOIMPORTS_VERSION   := v0.53.0
# govulncheck comes from golang.org/x/vuln.
GOVULNCHECK_VERSION := v1.10.0
# The Go vulnerability database, read offline: golang.org/x/vulndb ships its
# OSV entries (data/osv) in the module, which the module proxy serves. Bump
# this pseudo-version (go list -m -versions does not list it; use
# `go list -m golang.org/x/vulndb@master`) to pick up new advisories.
VULNDB_VERSION      := v0.0.0-20261105234957-e22db6528018

TOOLS       := $(CURDIR)/bin/tools
STATICCHECK := $(TOOLS)/staticcheck-$(STATICCHECK_VERSION)
GOIMPORTS   := $(TOOLS)/goimports-$(GOIMPORTS_VERSION)
GOVULNCHECK := $(TOOLS)/govulncheck-$(GOVULNCHECK_VERSION)
VULNDB      := $(TOOLS)/vulndb-$(VULNDB_VERSION)

# Test limits: a hung test fails with its goroutine dump instead of eating
# CI's 90 minutes. -shuffle=on varies test order; the seed is printed, and
# -shuffle=SEED replays it.
TEST_FLAGS ?= -timeout=20m -shuffle=on
RACE_FLAGS ?= -timeout=45m -shuffle=on

.PHONY: all build run test check race lint vuln fmt generate check-generate bench bench-go loadtest deps-browser deps-labels tools clean

all: build

build:
	$(GO) build -o bin/tracecode ./cmd/tracecode

# run: start the server with the demo data set on the embedded store.
run: build
	./bin/tracecode serve --demo --data $(DATA) --addr $(ADDR)

# test is what CI runs: the generated-code check, the lint gate, every test,
# then every test again under the race detector (crash, model, browser and
# PostgreSQL tests included).
test: check-generate deps-browser deps-labels lint
	$(GO) test -count=1 $(TEST_FLAGS) ./...
	$(GO) test -count=1 -race $(RACE_FLAGS) ./...

# check is the fast inner loop: go vet and the unit tests, cached between
# runs, with -short (no browser, no subprocess crash tests, smaller model
# runs) and without TRACECODE_CI, so PostgreSQL and chromium are optional.
# It installs nothing.
check:
	$(GO) vet ./...
	TRACECODE_CI= $(GO) test -short ./...

race:
	$(GO) test -count=1 -race $(RACE_FLAGS) ./...

# lint: formatting and import grouping, go.mod tidiness, go vet,
# staticcheck and govulncheck.
lint: $(GOIMPORTS) $(STATICCHECK) vuln
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt: files above need formatting (run make fmt)"; exit 1)
	@test -z "$$($(GOIMPORTS) -local tracecode -l . | tee /dev/stderr)" || (echo "goimports: files above need their imports grouped (run make fmt)"; exit 1)
	@$(GO) mod tidy -diff || (echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1)
	$(GO) vet ./...
	$(STATICCHECK) ./...

# vuln reports known vulnerabilities in the code paths tracecode reaches,
# in its modules and in the Go toolchain, from the pinned offline database.
vuln: $(GOVULNCHECK) $(VULNDB)/index/db.json
	$(GOVULNCHECK) -db file://$(VULNDB) ./...

fmt: $(GOIMPORTS)
	gofmt -w .
	$(GOIMPORTS) -local tracecode -w .

tools: $(GOIMPORTS) $(STATICCHECK) $(GOVULNCHECK) $(VULNDB)/index/db.json

$(STATICCHECK):
	GOBIN=$(TOOLS)/.install $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(TOOLS)/.install/staticcheck $@

$(GOIMPORTS):
	GOBIN=$(TOOLS)/.install $(GO) install golang.org/x/tools/cmd/goimports@$(GOIMPORTS_VERSION)
	mv $(TOOLS)/.install/goimports $@

$(GOVULNCHECK):
	GOBIN=$(TOOLS)/.install $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	mv $(TOOLS)/.install/govulncheck $@

# The database govulncheck -db file:// reads is built from the OSV files of
# the pinned golang.org/x/vulndb module by its own indexdb command.
$(VULNDB)/index/db.json:
	rm -rf $(VULNDB) $(VULNDB).tmp
	cd $${TMPDIR:-/tmp} && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) \
		-vulns "$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')/data/osv" \
		-out $(VULNDB).tmp
	mv $(VULNDB).tmp $(VULNDB)

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
# with a CJK font so that screenshots of the Chinese page are legible, and
# xmllint (libxml2-utils), which validates EPCIS XML exports against GS1's XSDs.
deps-browser:
	@command -v chromium >/dev/null && test -d /usr/share/fonts/truetype/wqy && command -v xmllint >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei libxml2-utils >/dev/null)

# deps-labels installs the independent barcode decoders the label tests
# check rendered symbols with (zbar for QR, Code 128 and EAN; libdmtx for
# Data Matrix; Ghostscript rasterises a PDF sheet for them) and the CJK
# font label sheets print Chinese names in.
deps-labels:
	@command -v zbarimg >/dev/null && command -v dmtxread >/dev/null && command -v gs >/dev/null && test -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zbar-tools dmtx-utils ghostscript fonts-droid-fallback >/dev/null)

clean:
	rm -rf bin bench-out
