#!/usr/bin/env bash
# Starts the real casevault window on a virtual X display (Xvfb), with an
# empty home folder and an xdg-user-dir that defines no user folder, and
# checks that:
#   - nothing is printed on the terminal while the window starts and runs
#     (no Fyne warning about the app ID, no "VIDEOS folder" noise);
#   - the window's X class is what the desktop entry's StartupWMClass says,
#     so that desktops match the running window to its menu entry, and the
#     window carries the icon itself (_NET_WM_ICON);
#   - the vault stays where it was asked to be, and Fyne's folder is the
#     one named by the app ID.
# Usage: bash .ci/window-quiet.sh [BINARY]   (default: builds ./casevault)
# Needs Xvfb and xprop (`bash .ci/install-deps.sh screenshots`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in Xvfb xprop; do
	command -v "$tool" >/dev/null || { echo "window-quiet: $tool is missing (bash .ci/install-deps.sh screenshots)" >&2; exit 1; }
done
bin=${1:-}
if [[ -z $bin ]]; then
	make -s build
	bin=./casevault
fi
bin=$(readlink -f "$bin")
desktop=$(ls packaging/*.desktop)
wmclass=$(sed -n 's/^StartupWMClass=//p' "$desktop")
appid=$(basename "$desktop" .desktop)

tmp=$(mktemp -d)
xp="" ap=""
cleanup() {
	[[ -n $ap ]] && { kill -KILL "$ap" 2>/dev/null; wait "$ap" 2>/dev/null || true; }
	[[ -n $xp ]] && { kill "$xp" 2>/dev/null; wait "$xp" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT

disp=""
for n in $(seq 90 130); do [[ -e /tmp/.X$n-lock ]] || { disp=:$n; break; }; done
[[ -n $disp ]] || { echo "window-quiet: no free display number" >&2; exit 1; }
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xp=$!

mkdir -p "$tmp/home" "$tmp/bin"
printf '#!/bin/sh\necho "$HOME"\n' >"$tmp/bin/xdg-user-dir" # defines no folder, as on a bare desktop
chmod +x "$tmp/bin/xdg-user-dir"
for i in $(seq 50); do DISPLAY=$disp xprop -root >/dev/null 2>&1 && break; sleep 0.1; done

env -i HOME="$tmp/home" PATH="$tmp/bin:/usr/bin:/bin" DISPLAY="$disp" LANG=en_US.UTF-8 \
	"$bin" --vault "$tmp/vault" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null & ap=$!

class="" icon=""
for i in $(seq 100); do
	kill -0 "$ap" 2>/dev/null || { echo "window-quiet: casevault exited early:" >&2; cat "$tmp/stderr" >&2; exit 1; }
	# Xvfb has no window manager: look for the top-level window by its name.
	id=$(DISPLAY=$disp xwininfo -root -tree 2>/dev/null | awk '/"casevault"/ {print $1; exit}' || true)
	if [[ -n $id ]]; then
		class=$(DISPLAY=$disp xprop -id "$id" WM_CLASS 2>/dev/null || true)
		break
	fi
	sleep 0.1
done
[[ -n $class ]] || { echo "window-quiet: no casevault window appeared" >&2; exit 1; }
sleep 3 # let it settle: fonts, the setup screen, the first tick
icon=$(DISPLAY=$disp xprop -id "$id" _NET_WM_ICON 2>/dev/null | head -c 200 || true)

fail=0
if [[ -s $tmp/stderr || -s $tmp/stdout ]]; then
	echo "window-quiet: FAIL: the window printed on the terminal:" >&2
	cat "$tmp/stdout" "$tmp/stderr" >&2
	fail=1
fi
if [[ $class != *"\"$wmclass\""* ]]; then
	echo "window-quiet: FAIL: the window's class is $class; the desktop entry says StartupWMClass=$wmclass" >&2
	fail=1
fi
if [[ $icon != *"_NET_WM_ICON(CARDINAL)"* ]]; then
	echo "window-quiet: FAIL: the window has no icon (_NET_WM_ICON): $icon" >&2
	fail=1
fi
if [[ -e $tmp/home/.local/share/casevault ]]; then
	echo "window-quiet: FAIL: something was made in the default vault folder though --vault was given" >&2
	fail=1
fi
if [[ ! -d $tmp/home/.config/fyne/$appid ]]; then
	echo "window-quiet: FAIL: Fyne's folder is not named by the app ID ($appid):" >&2
	find "$tmp/home" >&2
	fail=1
fi
((fail == 0)) && echo "window-quiet: ok (nothing on the terminal; $class)"
exit $fail
