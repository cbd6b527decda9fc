#!/usr/bin/env bash
# Installs what building, testing and benchmarking casevault needs on Debian 12,
# and only what is missing. Used by `make deps` and by .ci/run. Never prompts.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# Needed to build and test (cgo + Fyne's OpenGL/X11 driver, and make itself).
required=(gcc pkg-config make libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev libxkbcommon-dev
	python3 python3-cryptography python3-argon2 # .ci/vectors.sh
	dbus-daemon) # app/desktop's test of the D-Bus watcher on a private bus
# Used by benchmarks and screenshots, not by the tests.
optional=(sqlcipher restic xvfb xdotool imagemagick)

# The staticcheck release checked to work with Go 1.26.
STATICCHECK_VERSION=${STATICCHECK_VERSION:-v0.8.2}

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

missing_required=()
missing_optional=()
for p in "${required[@]}"; do installed "$p" || missing_required+=("$p"); done
for p in "${optional[@]}"; do installed "$p" || missing_optional+=("$p"); done

if ((${#missing_required[@]} + ${#missing_optional[@]} > 0)); then
	as_root=()
	can_install=true
	if ! command -v apt-get >/dev/null 2>&1; then
		can_install=false
	elif [[ $(id -u) -ne 0 ]]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			as_root=(sudo -n)
		else
			can_install=false
		fi
	fi

	if ! $can_install; then
		echo "install-deps: cannot install packages here (needs apt-get and root or password-less sudo);" \
			"please install: ${missing_required[*]} ${missing_optional[*]}" >&2
		((${#missing_required[@]} == 0)) || exit 1
	else
		echo "install-deps: installing ${missing_required[*]} ${missing_optional[*]}"
		apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
			-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
		"${apt_get[@]}" update </dev/null # once, and only because something is missing
		if ((${#missing_required[@]} > 0)); then
			"${apt_get[@]}" install --no-install-recommends "${missing_required[@]}" </dev/null
		fi
		if ((${#missing_optional[@]} > 0)); then
			"${apt_get[@]}" install --no-install-recommends "${missing_optional[@]}" </dev/null ||
				echo "install-deps: warning: could not install ${missing_optional[*]} (not needed by the tests)" >&2
		fi
	fi
fi

# Go: the toolchain lives in /usr/local/go on these machines.
if ! command -v go >/dev/null 2>&1; then
	if [[ -x /usr/local/go/bin/go ]]; then
		export PATH="$PATH:/usr/local/go/bin"
	else
		echo "install-deps: Go is not installed (expected /usr/local/go/bin/go); install Go 1.26 or later" >&2
		exit 1
	fi
fi

# staticcheck, if it is not there yet. Not fatal here: `make test` skips it when missing, except under CI (CI=true).
staticcheck="$(go env GOPATH)/bin/staticcheck"
if [[ ! -x $staticcheck ]]; then
	echo "install-deps: installing staticcheck $STATICCHECK_VERSION"
	GOFLAGS=-buildvcs=false go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" </dev/null ||
		echo "install-deps: warning: could not install staticcheck; make test will skip it (and fail under CI=true)" >&2
fi
