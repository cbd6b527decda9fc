#!/usr/bin/env bash
# Checks casevault's installation, with a fake home folder, never the real one.
#   bash .ci/packaging.sh install       make install / make uninstall / install.sh (needs no build, no root)
#   bash .ci/packaging.sh dist BINARY   make dist's .deb (dpkg-deb --info/--contents) and tarball (its install.sh)
# `make test` runs the first, `make check` and `make dist` the second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

app_id=io.github.casevault.CaseVault
sizes=(16 24 32 48 64 128 256 512)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "packaging: FAIL: $*" >&2; exit 1; }

# expected PREFIX: the files install puts under PREFIX, one a line, sorted
expected() {
	{
		echo "$1/bin/casevault"
		echo "$1/share/applications/$app_id.desktop"
		echo "$1/share/icons/hicolor/scalable/apps/$app_id.svg"
		for n in "${sizes[@]}"; do echo "$1/share/icons/hicolor/${n}x$n/apps/$app_id.png"; done
	} | sort
}

# validate FILE: the desktop entry as a menu reads it
validate() {
	if command -v desktop-file-validate >/dev/null; then
		desktop-file-validate "$1" || fail "desktop-file-validate $1"
	fi
	grep -qx "Icon=$app_id" "$1" || fail "$1: Icon is not $app_id"
	! grep -q '@BINDIR@' "$1" || fail "$1: @BINDIR@ left in it"
}

# a fake home with a vault and a user's own files that nothing may touch
fake_home() {
	local h=$1
	mkdir -p "$h/.local/share/casevault" "$h/.local/bin" "$h/.local/share/applications" "$h/.local/share/icons/hicolor/48x48/apps"
	echo "encrypted" >"$h/.local/share/casevault/vault.key"
	echo "mine" >"$h/.local/bin/other-tool"
	echo "[Desktop Entry]" >"$h/.local/share/applications/other.desktop"
	echo "png" >"$h/.local/share/icons/hicolor/48x48/apps/other.png"
	(cd "$h" && find . -type f | sort) >"$h.before"
}

check_install() {
	local h=$tmp/home
	fake_home "$h"
	printf '#!/bin/sh\necho fake casevault\n' >"$tmp/casevault"
	chmod +x "$tmp/casevault"

	# make install with the default PREFIX (~/.local of HOME)
	HOME=$h make -s install BINARY_PREBUILT="$tmp/casevault" >"$tmp/out" || fail "make install: $(cat "$tmp/out")"
	diff <(cd "$h" && find . -type f | sort) <(sort -u "$h.before" <(expected ./.local)) >&2 ||
		fail "make install did not put exactly the expected files in ~/.local"
	[[ -x $h/.local/bin/casevault ]] || fail "the program is not executable"
	grep -qx "Exec=$h/.local/bin/casevault" "$h/.local/share/applications/$app_id.desktop" || fail "Exec is not the installed program"
	validate "$h/.local/share/applications/$app_id.desktop"
	grep -q 'applications menu' "$tmp/out" || fail "make install says nothing useful: $(cat "$tmp/out")"

	# make install twice is fine; make uninstall removes exactly that, never the vault or the user's other files
	HOME=$h make -s install BINARY_PREBUILT="$tmp/casevault" >/dev/null || fail "make install, again"
	HOME=$h make -s uninstall >"$tmp/out" || fail "make uninstall"
	diff <(cd "$h" && find . -type f | sort) "$h.before" >&2 || fail "make uninstall did not leave exactly what was there before"
	grep -q 'untouched' "$tmp/out" || fail "make uninstall: $(cat "$tmp/out")"
	HOME=$h make -s uninstall >"$tmp/out" || fail "make uninstall when not installed"
	grep -q 'nothing to remove' "$tmp/out" || fail "second uninstall: $(cat "$tmp/out")"

	# PREFIX with a space: the menu entry quotes the path
	local p="$tmp/opt/case vault"
	PREFIX=$p bash packaging/install.sh --binary "$tmp/casevault" >/dev/null || fail "install.sh with PREFIX=$p"
	diff <(find "$tmp/opt" -type f | sort) <(expected "$p") >&2 || fail "install.sh PREFIX=$p"
	grep -qx "Exec=\"$p/bin/casevault\"" "$p/share/applications/$app_id.desktop" || fail "Exec not quoted"
	validate "$p/share/applications/$app_id.desktop"
	PREFIX=$p bash packaging/install.sh --uninstall >/dev/null
	[[ -z $(find "$tmp/opt" -type f) ]] || fail "install.sh --uninstall left files in $p"

	# refused: a relative PREFIX, a path a menu entry cannot hold, a missing program
	! PREFIX=relative bash packaging/install.sh --binary "$tmp/casevault" >/dev/null 2>&1 || fail "a relative PREFIX was accepted"
	! PREFIX="$tmp/a\$b" bash packaging/install.sh --binary "$tmp/casevault" >/dev/null 2>&1 || fail "a \$ in PREFIX was accepted"
	! PREFIX="$tmp/x" bash packaging/install.sh --binary "$tmp/none" >/dev/null 2>&1 || fail "a missing program was accepted"
	[[ ! -e $tmp/x ]] || fail "a failed install left files"
	echo "packaging: install/uninstall ok"
}

check_dist() {
	local bin=$1 out=$tmp/dist
	[[ -x $bin ]] || fail "no program at $bin"
	bash packaging/dist.sh 0.0.1+gcheck "$bin" "$out" >/dev/null
	local deb
	deb=$(ls "$out"/*.deb)
	dpkg-deb --info "$deb" >"$tmp/info"
	for want in 'Package: casevault' 'Version: 0.0.1+gcheck' 'Depends: .*libc6' 'Depends: .*libgl1' 'Depends: .*libx11-6' 'Depends: .*libxcursor1'; do
		grep -q "^ $want" "$tmp/info" || fail "dpkg-deb --info: no '$want' in $(cat "$tmp/info")"
	done
	dpkg-deb --contents "$deb" | awk '$1 !~ /^d/ {print $NF}' | sed 's|^\./|/|' | sort >"$tmp/contents"
	diff "$tmp/contents" <({ expected /usr; echo /usr/share/doc/casevault/copyright; } | sort) >&2 ||
		fail "dpkg-deb --contents is not the program, the desktop entry, the icons and the copyright"
	dpkg-deb --contents "$deb" | awk '{print $2}' | grep -qvx 'root/root' && fail "files in the .deb not owned by root"
	mkdir "$tmp/x" && dpkg-deb -x "$deb" "$tmp/x"
	grep -qx "Exec=/usr/bin/casevault" "$tmp/x/usr/share/applications/$app_id.desktop" || fail ".deb Exec"
	validate "$tmp/x/usr/share/applications/$app_id.desktop"
	cmp -s "$tmp/x/usr/bin/casevault" "$bin" || fail "the .deb's program is not the one built"

	# the tarball's install.sh with a fake home, and its --uninstall
	local h=$tmp/thome
	fake_home "$h"
	tar -C "$tmp" -xzf "$out"/*.tar.gz
	local dir
	dir=$(ls -d "$tmp"/casevault-*-linux-*/)
	HOME=$h "$dir/install.sh" >/dev/null || fail "tarball install.sh"
	diff <(cd "$h" && find . -type f | sort) <(sort -u "$h.before" <(expected ./.local)) >&2 || fail "tarball install.sh files"
	cmp -s "$h/.local/bin/casevault" "$bin" || fail "the tarball's program is not the one built"
	HOME=$h "$dir/install.sh" --uninstall >/dev/null || fail "tarball install.sh --uninstall"
	diff <(cd "$h" && find . -type f | sort) "$h.before" >&2 || fail "tarball uninstall left or removed files"
	echo "packaging: dist ok ($(basename "$deb"), $(basename "$out"/*.tar.gz))"
}

case ${1:-} in
install) check_install ;;
dist) check_dist "$(readlink -f "${2:?dist needs the program}")" ;;
*) echo "usage: packaging.sh install | dist BINARY" >&2; exit 2 ;;
esac
