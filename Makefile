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
BINARY      := casevault
FUZZTIME    ?= 30s

# Fyne reads the locale from LANG; without it, it logs an error about locale "C".
test check run bench screenshots: export LANG := en_US.UTF-8

.PHONY: deps build run test check bench screenshots fmt clean goversion

## deps: install the system packages and tools that are missing (Debian 12)
deps:
	bash .ci/install-deps.sh

## build: build the casevault binary
build:
	go build -tags $(TAGS) -o $(BINARY) .

## run: build and start casevault
run: deps build
	./$(BINARY)

## test: vet, staticcheck (when installed; required under CI=true) and the tests with the race detector
test: deps
	go test -count=1 ./layers_test.go # the layering rules first: needs no other package to compile
	@# go.mod/go.sum must be what `go mod tidy` makes them (direct dependencies not marked indirect).
	if ! diff="$$(go mod tidy -diff)"; then \
		printf '%s\n' "$$diff"; \
		echo "go.mod/go.sum are not tidy (or go mod tidy failed): run 'go mod tidy' and commit the result" >&2; \
		exit 1; \
	fi
	bash .ci/vectors.sh # the independent readers of the test vectors (docs/FORMAT.md)
	go vet -tags $(TAGS) ./...
	staticcheck="$$(go env GOPATH)/bin/staticcheck"; \
	if [[ -x "$$staticcheck" ]]; then \
		"$$staticcheck" -tags $(TAGS) ./...; \
	elif [[ "$${CI:-}" == true ]]; then \
		echo "staticcheck not installed ($$staticcheck); under CI it must run" >&2; exit 1; \
	else \
		echo "staticcheck not installed ($$staticcheck); skipping it"; \
	fi
	go test -tags $(TAGS) -race -count=1 -timeout 20m ./...

## check: test, then fuzz every Fuzz target for FUZZTIME, then the heavy tests, then govulncheck
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

## bench: run the benchmark report (BENCHFLAGS="-only people" for one section; see app/internal/benchreport)
bench: deps
	go run -tags $(TAGS) ./app/internal/benchreport $(BENCHFLAGS)

## screenshots: PNGs of every main screen of the real window (Xvfb, demo vault) into docs/screenshots/
screenshots: deps
	bash docs/screenshots/take.sh

## fmt: gofmt every Go file
fmt:
	gofmt -l -w $$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './vendor/*')

## clean: remove the built binary
clean:
	rm -f $(BINARY)

## goversion: the Go release the other targets build with (GOTOOLCHAIN above)
goversion:
	go version
