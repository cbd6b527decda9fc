#!/usr/bin/env bash
# Installs what one task needs on Debian 12, and only what is missing. Never prompts.
#   bash .ci/install-deps.sh [PROFILE]
# PROFILE (default test):
#   build        compile casevault (cgo + Fyne's OpenGL/X11 driver): make build, make run, make install
#   test         build + what the tests use (python3 for .ci/vectors.sh, dbus-daemon, chromium, staticcheck): make test, .ci/run
#   bench        build + the programs the benchmarks compare with (sqlcipher, restic): make bench
#   screenshots  build + a virtual display and screen capture (xvfb, xdotool, x11-utils, imagemagick): make screenshots
#   dist         build + the Debian packaging tools (dpkg-dev, desktop-file-utils): make dist
#   all          all of the above
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

profile=${1:-test}
build=(gcc pkg-config make libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev libxkbcommon-dev)
test_=(python3 python3-cryptography python3-argon2 # .ci/vectors.sh
	dbus-daemon # app/desktop's test of the D-Bus watcher on a private bus
	chromium)   # app/intake/e2e drives a real headless browser through the intake form (fails under CI=true without it)
bench=(sqlcipher restic)
screenshots=(xvfb xdotool x11-utils imagemagick)
dist=(dpkg-dev desktop-file-utils)
want_staticcheck=false
case $profile in
build) required=("${build[@]}") ;;
test) required=("${build[@]}" "${test_[@]}") want_staticcheck=true ;;
bench) required=("${build[@]}" "${bench[@]}") ;;
screenshots) required=("${build[@]}" "${screenshots[@]}") ;;
dist) required=("${build[@]}" "${dist[@]}") ;;
all) required=("${build[@]}" "${test_[@]}" "${bench[@]}" "${screenshots[@]}" "${dist[@]}") want_staticcheck=true ;;
*)
	echo "install-deps: unknown profile $profile (build, test, bench, screenshots, dist or all)" >&2
	exit 2
	;;
esac

# The staticcheck release checked to work with Go 1.26.
STATICCHECK_VERSION=${STATICCHECK_VERSION:-v0.8.2}

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

missing=()
for p in "${required[@]}"; do installed "$p" || missing+=("$p"); done

if ((${#missing[@]} > 0)); then
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
			"please install: ${missing[*]}" >&2
		exit 1
	fi
	echo "install-deps ($profile): installing ${missing[*]}"
	apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	"${apt_get[@]}" update </dev/null # once, and only because something is missing
	"${apt_get[@]}" install --no-install-recommends "${missing[@]}" </dev/null
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

# staticcheck (test profile), if it is not there yet. Not fatal here: `make test` skips it when missing, except under CI (CI=true).
staticcheck="$(go env GOPATH)/bin/staticcheck"
if $want_staticcheck && [[ ! -x $staticcheck ]]; then
	echo "install-deps: installing staticcheck $STATICCHECK_VERSION"
	GOFLAGS=-buildvcs=false go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" </dev/null ||
		echo "install-deps: warning: could not install staticcheck; make test will skip it (and fail under CI=true)" >&2
fi
