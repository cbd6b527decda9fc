#!/usr/bin/env bash
# Makes the two downloads of casevault from a built program:
#   OUTDIR/casevault_VERSION_ARCH.deb              a Debian/Ubuntu package (dpkg-deb)
#   OUTDIR/casevault-VERSION-linux-ARCH.tar.gz     for other Linux systems, with install.sh for ~/.local
# Usage: bash packaging/dist.sh VERSION BINARY OUTDIR     (`make dist` runs it)
# Needs dpkg-deb and dpkg-shlibdeps (dpkg-dev): `bash .ci/install-deps.sh dist`.
set -euo pipefail

(($# == 3)) || { echo "usage: dist.sh VERSION BINARY OUTDIR" >&2; exit 2; }
version=$1 binary=$2 out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
app_id=io.github.casevault.CaseVault

# A Debian version starts with a digit and holds only these characters.
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || { echo "dist.sh: version $version is not a package version (like 1.2.0 or 0.0.20261202+g1a2b3c4)" >&2; exit 1; }
[[ -x $binary ]] || { echo "dist.sh: no program at $binary (make build first)" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps; do
	command -v "$tool" >/dev/null || { echo "dist.sh: $tool is missing (bash .ci/install-deps.sh dist)" >&2; exit 1; }
done
arch=$(dpkg --print-architecture)
binary=$(readlink -f "$binary")
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the Debian package: the same files as install.sh puts, under /usr ---
stage=$work/deb
DESTDIR=$stage PREFIX=/usr bash "$here/install.sh" --binary "$binary" >/dev/null
install -D -m 0644 "$root/LICENSE" "$stage/usr/share/doc/casevault/copyright"

# The shared libraries the program links (libGL, libX11, libc) come from
# dpkg-shlibdeps, which reads them from the binary. GLFW loads the X
# extension libraries below at run time (dlopen), so no tool can see them:
# they are listed by hand. xdg-utils opens printable reports in the browser.
mkdir -p "$work/shlibs/debian"
printf 'Source: casevault\n\nPackage: casevault\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$stage/usr/bin/casevault" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[[ -n $shlibs ]] || { echo "dist.sh: dpkg-shlibdeps found no libraries in $binary" >&2; exit 1; }
depends="$shlibs, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"

mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: casevault
Version: $version
Architecture: $arch
Maintainer: casevault authors <dev@casevault.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Recommends: xdg-utils
Section: misc
Priority: optional
Description: encrypted client files for a solo lawyer
 casevault keeps a lawyer's clients, matters, parties, notes and conflict
 checks encrypted on their own computer, and works fully offline: a
 desktop window and a command line, an audit trail, encrypted backups and
 restore drills. The vault lives in ~/.local/share/casevault; removing
 the package never removes it.
CONTROL
deb=$out/casevault_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null

# --- the tarball: the program, install.sh and what it installs ---
name=casevault-$version-linux-$arch
tdir=$work/$name
mkdir -p "$tdir/icons"
install -m 0755 "$binary" "$tdir/casevault"
install -m 0755 "$here/install.sh" "$tdir/install.sh"
install -m 0644 "$here/$app_id.desktop" "$tdir/"
install -m 0644 "$here"/icons/casevault.svg "$here"/icons/casevault-*.png "$tdir/icons/"
install -m 0644 "$root/LICENSE" "$tdir/LICENSE"
cat >"$tdir/README.txt" <<README
casevault $version for Linux ($arch)

To install it for yourself (no administrator needed):

    ./install.sh

It puts the program in ~/.local/bin and adds casevault to your applications
menu (Office). Start it from the menu, or by typing casevault in a terminal.

To remove it:

    ./install.sh --uninstall

Your vault (the encrypted client files) is kept in ~/.local/share/casevault
and is never removed by uninstalling. Keep backups of it (Backups in the window).

It needs the usual desktop libraries (OpenGL and X11), which every Linux
desktop has.
README
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"

echo "$deb"
echo "$out/$name.tar.gz"
