# casevault — common tasks. `make test` is what CI runs (via .ci/run).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# Go lives in /usr/local/go on these machines; keep any Go already on PATH first.
export PATH := $(PATH):/usr/local/go/bin
export GOFLAGS := -buildvcs=false
# Build and test with Go 1.26.10: go1.26.8, which these machines have in /usr/local/go,
# has standard-library vulnerabilities that govulncheck reports as reachable (net/http,
# crypto/tls, crypto/x509, net/textproto; fixed in 1.26.9 and 1.26.10). The go command
# fetches that toolchain once through the Go module proxy (about 10 s) and caches it.
# go.mod's toolchain line says the same; the machines' go.env sets GOTOOLCHAIN=local,
# which ignores that line, hence the export.
export GOTOOLCHAIN := go1.26.10

TAGS        := migrated_fynedo
# The tests run with the race detector. -race also turns on checkptr, which checks every
# unsafe.Pointer conversion; the SQLite engine is C translated to Go (modernc.org/sqlite/lib)
# and converts pointers at every step, so checkptr there about doubled the CPU time of the
# store tests (17.9 s against 9.0 s user on the same tests, same run). It stays on for every
# other package, ours included, and the race detector stays on everywhere.
RACEFLAGS   := -race -gcflags=modernc.org/sqlite/lib=-d=checkptr=0
BINARY      := casevault
FUZZTIME    ?= 30s
# The version the program reports (casevault --version) and the packages carry:
# 0.0.DATE+gCOMMIT of the last commit, or give one: make dist VERSION=1.0.0
VERSION     ?= $(shell d=$$(git log -1 --format=%cd --date=format:%Y%m%d 2>/dev/null) && \
                 c=$$(git rev-parse --short=7 HEAD 2>/dev/null) && echo "0.0.$$d+g$$c" || echo 0.0.0+dev)
LDFLAGS     := -X main.version=$(VERSION)
# make install/uninstall: where (default ~/.local of the user running make); see packaging/install.sh
PREFIX      ?=

# Fyne reads the locale from LANG; without it, it logs an error about locale "C".
test check run bench screenshots: export LANG := en_US.UTF-8

.PHONY: help deps build run install uninstall dist test check bench screenshots icons fmt clean goversion
.DEFAULT_GOAL := help

## help: list these targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST) | sed 's/^\([a-z]*\):/  make \1\t/' | expand -t 20

## deps: install the system packages and tools that are missing (Debian 12); PROFILE=build|test|bench|screenshots|dist|all (default test)
deps:
	bash .ci/install-deps.sh $(or $(PROFILE),test)

## build: build the casevault binary
build:
	go build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BINARY) .

## run: build and start casevault (installs only what building needs)
run:
	bash .ci/install-deps.sh build
	$(MAKE) -s build
	./$(BINARY)

## install: build, then put casevault in ~/.local/bin (or PREFIX/bin) with its menu entry and icon; never touches the vault
install: $(if $(BINARY_PREBUILT),,build)
	PREFIX="$(PREFIX)" bash packaging/install.sh --binary "$(or $(BINARY_PREBUILT),./$(BINARY))"

## uninstall: remove exactly what make install put (same PREFIX); never the vault or backups
uninstall:
	PREFIX="$(PREFIX)" bash packaging/install.sh --uninstall

## dist: a Debian package (dpkg-deb) and a tarball with install.sh, in dist/, checked
dist:
	bash .ci/install-deps.sh dist
	mkdir -p dist
	go build -trimpath -tags $(TAGS) -ldflags "-s -w $(LDFLAGS)" -o dist/$(BINARY) .
	bash packaging/dist.sh "$(VERSION)" dist/$(BINARY) dist
	bash .ci/packaging.sh dist dist/$(BINARY)

## icons: redraw the PNG icons from packaging/icons/casevault.svg
icons:
	go run packaging/icons/render.go

## test: vet, staticcheck (when installed; required under CI=true), the install check and the tests with the race detector
test:
	bash .ci/install-deps.sh test
	go test -count=1 ./layers_test.go # the layering rules first: needs no other package to compile
	@# go.mod/go.sum must be what `go mod tidy` makes them (direct dependencies not marked indirect).
	if ! diff="$$(go mod tidy -diff)"; then \
		printf '%s\n' "$$diff"; \
		echo "go.mod/go.sum are not tidy (or go mod tidy failed): run 'go mod tidy' and commit the result" >&2; \
		exit 1; \
	fi
	bash .ci/vectors.sh # the independent readers of the test vectors (docs/FORMAT.md)
	bash .ci/packaging.sh install # make install/uninstall with a fake home
	go vet -tags $(TAGS) ./...
	staticcheck="$$(go env GOPATH)/bin/staticcheck"; \
	if [[ -x "$$staticcheck" ]]; then \
		"$$staticcheck" -tags $(TAGS) ./...; \
	elif [[ "$${CI:-}" == true ]]; then \
		echo "staticcheck not installed ($$staticcheck); under CI it must run" >&2; exit 1; \
	else \
		echo "staticcheck not installed ($$staticcheck); skipping it"; \
	fi
	go test -tags $(TAGS) $(RACEFLAGS) -count=1 -timeout 20m ./...

## check: test, then fuzz every Fuzz target for FUZZTIME, then the heavy tests, govulncheck, make dist and the quiet-start check
check: test
	found=0; \
	while IFS= read -r file; do \
		dir=./$$(dirname "$$file"); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$file"); do \
			found=$$((found + 1)); \
			echo "== fuzz $$dir $$name for $(FUZZTIME)"; \
			go test -tags $(TAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$dir"; \
		done; \
	done < <(grep -rl --include='*_test.go' --exclude-dir=.git --exclude-dir=vendor --exclude-dir=testdata \
		'^func Fuzz' . | sed 's|^\./||' | sort); \
	echo "fuzzed $$found targets"
	CASEVAULT_HEAVY=1 go test -tags $(TAGS),heavy -count=1 -timeout 30m ./...
	bash .ci/govulncheck.sh # known vulnerabilities the code calls, from a database built offline
	$(MAKE) -s dist # the .deb and the tarball, checked with dpkg-deb and a fake home
	bash .ci/install-deps.sh screenshots # Xvfb and xprop, for the next line
	bash .ci/window-quiet.sh dist/$(BINARY) # the real window starts without a word on the terminal

## bench: run the benchmark report (BENCHFLAGS="-only people" for one section; see app/internal/benchreport)
bench:
	bash .ci/install-deps.sh bench
	go run -tags $(TAGS) ./app/internal/benchreport $(BENCHFLAGS)

## screenshots: PNGs of every main screen of the real window (Xvfb, demo vault) into docs/screenshots/, and the quiet-start check
screenshots:
	bash .ci/install-deps.sh screenshots
	bash docs/screenshots/take.sh
	bash .ci/window-quiet.sh # the real window starts without a word on the terminal

## fmt: gofmt every Go file
fmt:
	gofmt -l -w $$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './vendor/*')

## clean: remove the built binary and dist/
clean:
	rm -f $(BINARY)
	rm -rf dist

## goversion: the Go release the other targets build with (GOTOOLCHAIN above)
goversion:
	go version
