#!/usr/bin/env bash
# Installs casevault for one user: the program in ~/.local/bin, its entry in
# the applications menu and its icon. Nothing else: the vault (your client
# files, in ~/.local/share/casevault) is never touched, by this script or by
# its --uninstall.
#
#   ./install.sh                 install into ~/.local
#   ./install.sh --uninstall     remove exactly what ./install.sh put there
#   PREFIX=/opt/casevault ./install.sh   install somewhere else (same for --uninstall)
#
# `make install` and `make uninstall` run this script from the source tree;
# the tarball made by `make dist` carries it next to the program.
# DESTDIR (a staging folder, for packagers) and --binary FILE are for those.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app_id=io.github.casevault.CaseVault
sizes=(16 24 32 48 64 128 256 512)

mode=install
binary=$here/casevault
while (($# > 0)); do
	case $1 in
	--uninstall) mode=uninstall ;;
	--binary)
		(($# >= 2)) || { echo "install.sh: --binary needs a file" >&2; exit 2; }
		binary=$2
		shift
		;;
	-h | --help)
		sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*) echo "install.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

if [[ -z ${PREFIX:-} ]]; then
	[[ -n ${HOME:-} && $HOME == /* ]] || { echo "install.sh: HOME is not set; give PREFIX=/some/folder" >&2; exit 1; }
	PREFIX=$HOME/.local
fi
[[ $PREFIX == /* ]] || { echo "install.sh: PREFIX must be an absolute path, not $PREFIX" >&2; exit 1; }
PREFIX=${PREFIX%/}
bindir=$PREFIX/bin
datadir=$PREFIX/share
dest=${DESTDIR:-}

# What install puts, and so what uninstall removes: these files, nothing else.
files=("$bindir/casevault" "$datadir/applications/$app_id.desktop" "$datadir/icons/hicolor/scalable/apps/$app_id.svg")
for n in "${sizes[@]}"; do files+=("$datadir/icons/hicolor/${n}x$n/apps/$app_id.png"); done

if [[ $mode == uninstall ]]; then
	removed=0
	for f in "${files[@]}"; do
		if [[ -e $dest$f || -L $dest$f ]]; then
			rm -f -- "$dest$f"
			removed=$((removed + 1))
		fi
	done
	if ((removed == 0)); then
		echo "casevault was not installed in $PREFIX: nothing to remove."
	else
		echo "casevault removed from $PREFIX ($removed files). Your vault and backups are untouched."
	fi
	exit 0
fi

[[ -f $binary && -x $binary ]] || { echo "install.sh: the program $binary is missing (run make build, or unpack the whole tarball)" >&2; exit 1; }

# The desktop entry runs the program by its full path: a menu does not
# always search ~/.local/bin. A path with a space is quoted, as the desktop
# entry format asks; characters that would need more escaping are refused.
exec_path=$bindir/casevault
case $exec_path in
*[\"\`\$\\%=\&\|]* | *$'\n'* | *$'\t'*)
	echo "install.sh: the folder $bindir has characters a menu entry cannot hold; choose another PREFIX" >&2
	exit 1
	;;
*' '*) exec_path="\"$exec_path\"" ;;
esac

install -D -m 0755 "$binary" "$dest$bindir/casevault"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed -e "s|^TryExec=@BINDIR@/casevault\$|TryExec=$bindir/casevault|" -e "s|^Exec=@BINDIR@/casevault\$|Exec=$exec_path|" \
	"$here/$app_id.desktop" >"$tmp"
install -D -m 0644 "$tmp" "$dest$datadir/applications/$app_id.desktop"
install -D -m 0644 "$here/icons/casevault.svg" "$dest$datadir/icons/hicolor/scalable/apps/$app_id.svg"
for n in "${sizes[@]}"; do
	install -D -m 0644 "$here/icons/casevault-$n.png" "$dest$datadir/icons/hicolor/${n}x$n/apps/$app_id.png"
done

echo "casevault installed in $PREFIX: the program is $bindir/casevault, and it is in your applications menu (Office)."
if [[ -z $dest ]]; then
	case ":$PATH:" in
	*":$bindir:"*) ;;
	*) echo "To run it from a terminal by name, add $bindir to your PATH (on most systems, log out and back in)." ;;
	esac
	echo "Your vault (the encrypted client files) is kept apart, in ~/.local/share/casevault unless you choose another folder; uninstalling never removes it."
fi
