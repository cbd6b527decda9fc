#!/usr/bin/env bash
# Runs govulncheck on casevault against a vulnerability database built offline.
# Used by `make check`.
#
# vuln.go.dev cannot be reached from these machines; the Go module proxy can. The
# database's source, golang.org/x/vulndb, is a Go module whose data/osv/ holds every
# Go vulnerability report as OSV JSON, and its cmd/indexdb writes the v1 database
# layout govulncheck reads with -db file://. So: fetch that module at a pinned
# version through the proxy, build the database once into a cache folder, and point
# govulncheck at it. Nothing is fetched from anywhere but the module proxy.
#
# The database is as new as VULNDB_VERSION. To move it forward, set VULNDB_VERSION to a
# newer pseudo-version (`go list -m golang.org/x/vulndb@master` prints the newest) and
# update the default below. Exit status: 0 clean, 3 vulnerabilities that the code calls
# (govulncheck's own), other non-zero: the check could not run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GOVULNCHECK_VERSION=${GOVULNCHECK_VERSION:-v1.9.0}
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018} # reports up to 2026-11-05
export GOFLAGS=-buildvcs=false

govulncheck="$(go env GOPATH)/bin/govulncheck"
if [[ ! -x $govulncheck ]] || ! "$govulncheck" -version 2>/dev/null | grep -q "govulncheck@$GOVULNCHECK_VERSION"; then
	echo "govulncheck: installing golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION"
	go install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" </dev/null
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/casevault/vulndb-$VULNDB_VERSION"
if [[ ! -f $cache/index/db.json ]]; then
	echo "govulncheck: building the vulnerability database from golang.org/x/vulndb@$VULNDB_VERSION (once; a few minutes)"
	src=$(GOFLAGS=-mod=mod go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" </dev/null |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [[ -z $src || ! -d $src/data/osv ]]; then
		echo "govulncheck: golang.org/x/vulndb@$VULNDB_VERSION has no data/osv folder" >&2
		exit 1
	fi
	rm -rf "$cache.tmp"
	mkdir -p "$(dirname "$cache")"
	# `go run pkg@version` builds indexdb with vulndb's own go.mod, outside this module.
	go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$cache.tmp" </dev/null
	rm -rf "$cache"
	mv "$cache.tmp" "$cache"
fi
echo "govulncheck: $(find "$cache/ID" -name '*.json' | wc -l) reports from golang.org/x/vulndb@$VULNDB_VERSION; $(go version)"

status=0
"$govulncheck" -db "file://$cache" -tags migrated_fynedo ./... || status=$?
if ((status == 3)); then
	echo "govulncheck: the code calls known vulnerabilities (above). \"Fixed in\" says the way out:" \
		"for the standard library a newer Go release, for a module 'go get MODULE@VERSION' then 'go mod tidy'." >&2
fi
exit "$status"
