#!/bin/bash
# take.sh: PNGs of each main screen of the real casevault window, under a
# virtual X display, against a demo vault of invented clients. Run from the
# module root:  bash docs/screenshots/take.sh
# Needs Xvfb, xdotool and ImageMagick (apt-get install xvfb xdotool imagemagick).
# Clicks are relative to the window (1100x720), so they do not depend on where
# the window manager puts it.
set -euo pipefail
out=docs/screenshots
tmp=$(mktemp -d)
xp="" ap=""
cleanup() {
	[[ -n $ap ]] && kill "$ap" 2>/dev/null && wait "$ap" 2>/dev/null || true
	[[ -n $xp ]] && kill "$xp" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
export LANG=${LANG:-en_US.UTF-8}
go build -tags migrated_fynedo -o "$tmp/casevault" .
"$tmp/casevault" demo --vault "$tmp/demo" --clients 300 >/dev/null
pass="demo plover quartz meadow" # app.DemoPassphrase
# A backup folder chosen (app.BackupSettings in backup.json; the window's
# folder dialog is hard to drive) and the reminder banner hidden, so that it
# does not move the screens down; the last shot shows it.
mkdir "$tmp/usb"
printf '{"target": "%s", "dismissed_until": "2099-01-01T00:00:00Z"}\n' "$tmp/usb" >"$tmp/demo/backup.json"

disp=""
for n in $(seq 60 99); do [[ -e /tmp/.X$n-lock ]] || { disp=:$n; break; }; done
[[ -n $disp ]] || { echo "no free display" >&2; exit 1; }
Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 & xp=$!
export DISPLAY=$disp
sleep 1

W=""
click() { xdotool mousemove --window "$W" "$1" "$2" click 1; sleep 0.8; }
typ() { xdotool type --delay 15 "$1"; sleep 0.8; }
key() { xdotool key "$1"; sleep 0.8; }
start() { # start VAULT: the window on VAULT (FYNE_THEME=light start …: the light variant)
	"$tmp/casevault" --vault "$1" 2>/dev/null & ap=$!
	W=$(xdotool search --sync --name '^casevault$' | head -1)
	sleep 1.5
}
stop() { kill "$ap" 2>/dev/null; wait "$ap" 2>/dev/null || true; ap=""; }
shot() { sleep 1; import -window root "$out/$1.png"; echo "$out/$1.png"; }
unlock() { typ "$pass"; key Return; sleep 2; }

# First run: the setup flow on an empty folder (the name first, then the
# passphrase twice: the strength meter and the rules' reasons under Create).
start "$tmp/new"
typ "Jane Roe, Esq."; key Tab; typ "password1234"; key Tab; typ "pass"
shot setup-passphrase
stop

start "$tmp/demo"
typ "wrong passphrase"; key Return; sleep 1
shot unlock-wrong
unlock
click 300 290 # a client
shot clients
click 480 70 # New client
typ "Test Person"; key Tab; key Tab; typ "not-an-email"
shot client-form
click 670 693 # Cancel
click 60 106 # Matters
click 300 190
shot matters
click 60 145 # Conflict check
click 400 300 # the names box
typ "Baizazei Nafupo"; key Return; typ "Braishounol Zimafin"
click 317 346 # Check for conflicts
shot conflict-check
click 60 184 # Conflict checks: the history
sleep 1
shot conflict-history
click 60 262 # Audit trail (below Intake)
sleep 1
click 900 73 # Verify chain
click 500 345 # the second entry: the pane shows it in full
shot audit
click 60 379 # Users (below Retention, above Settings, for the owner)
shot users
click 366 115 # the Roles tab
shot roles
click 60 67 # Clients
click 300 345 # another client, then the first one again (a click on the selected row does nothing)
click 300 290
click 1007 565 # Who can see this… (the client's)
shot who-can-see
key Escape
click 874 115 # the client's Audit trail
sleep 1
shot audit-filters
click 60 418 # Settings
shot settings
click 60 457 # Help
shot help
click 60 301 # Backups
click 561 115 # Back up now
sleep 2
key Escape # OK on the result
click 316 155 # Run restore drill…
typ "$pass"; key Return; sleep 3
shot backup-drill
key Escape # Close the report
shot backups
click 400 22 # search
typ "brai"
shot search
stop

# Client intake: the Intake screen, Start intake with the office-network
# option ticked (its warning; never started here: this machine's rule is
# loopback only), intake running on loopback, the lock screen with its
# banner, the form editor. The browser is a stand-in that opens nothing.
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/xdg-open"
chmod +x "$tmp/bin/xdg-open"
PATH="$tmp/bin:$PATH" start "$tmp/demo"
unlock
click 60 223 # Intake
shot intake
click 290 125 # Start intake
click 305 435 # Let a tablet on this office network open the form
shot intake-start
click 487 541 # Cancel: the option is off again in a new dialog
click 290 125 # Start intake
click 613 474 # Start intake (loopback)
sleep 1
shot intake-running
click 695 445 # Lock now and hand over the laptop
sleep 1
shot intake-locked
unlock
click 60 297 # Intake (below the banner)
click 398 186 # Form questions
sleep 1
shot intake-form
click 1028 39 # Stop intake, in the banner
stop

# Documents: invented files added to the first open matter from the command
# line (doc add; a second version of the letter), then its Documents tab: the
# letter's text previewed, the scan's picture, the letter's versions.
docs="$tmp/docs"
mkdir -p "$docs/Correspondence"
printf 'Dear client,\n\nThank you for asking us to act for you in this matter.\nThis letter sets out the terms of our engagement.\n\n1. Scope. We will advise you and represent you in the negotiations.\n2. Fees. Our hourly rate is as agreed at our first meeting.\n' >"$docs/Engagement letter.txt"
printf 'From the landlord: we will not extend the lease.\n' >"$docs/Correspondence/Letter from the landlord.txt"
printf 'Our reply, sent by registered post.\n' >"$docs/Correspondence/Our reply.txt"
convert -size 480x320 gradient:steelblue-ivory "$docs/Lease scan p1.png"
mid=$(printf '%s\n' "$pass" | "$tmp/casevault" --vault "$tmp/demo" --passphrase-stdin --json matter list --status open |
	sed -n 's/^ *"id": \([0-9]*\),*$/\1/p' | head -1)
[[ -n $mid ]] || { echo "no open matter" >&2; exit 1; }
printf '%s\n' "$pass" | "$tmp/casevault" --vault "$tmp/demo" --passphrase-stdin doc add --matter "$mid" \
	"$docs/Engagement letter.txt" "$docs/Lease scan p1.png" "$docs/Correspondence" >/dev/null
printf '3. Term. This engagement ends when the matter is closed.\n' >>"$docs/Engagement letter.txt"
printf '%s\n' "$pass" | "$tmp/casevault" --vault "$tmp/demo" --passphrase-stdin doc add --matter "$mid" --new-version \
	"$docs/Engagement letter.txt" >/dev/null
start "$tmp/demo"
unlock
click 60 106 # Matters
click 300 190 # the first open matter
click 700 66 # its Documents tab
sleep 1
click 800 240 # the first row: the letter
shot documents
click 800 300 # the second: the scan
shot documents-image
click 800 240
click 945 508 # Versions…
shot document-versions
stop

# Retention: three closed matters made due from the command line (their
# destroy-after date set to today with a reason: the demo closes its
# matters this year, and a date before the closing is refused), then the Due for
# destruction tab and the destroy dialog filled in (never confirmed here).
n=0
for cm in $(printf '%s\n' "$pass" | "$tmp/casevault" --vault "$tmp/demo" --passphrase-stdin --json matter list --status closed |
	sed -n 's/^ *"id": \([0-9]*\),*$/\1/p' | head -3); do
	printf '%s\n' "$pass" | "$tmp/casevault" --vault "$tmp/demo" --passphrase-stdin retention set "$cm" --date "$(date -u +%Y-%m-%d)" \
		--reason "Client file returned; nothing left to keep" >/dev/null
	n=$((n + 1))
done
[[ $n -gt 0 ]] || { echo "no closed matter" >&2; exit 1; }
start "$tmp/demo"
unlock
click 60 340 # Retention (below Backups)
sleep 1
shot retention
click 285 213 # Select all
click 1008 213 # Destroy selected…
click 258 370 # Keep names for conflict checks
click 550 597 # the confirmation field
typ "DESTROY"
shot retention-destroy
key Escape
stop

# The light variant of the theme: the same contrast rules.
FYNE_THEME=light start "$tmp/demo"
unlock
click 300 290
shot clients-light
click 60 262 # Audit trail
sleep 1
click 500 345
shot audit-light
stop

# The reminder banner: the last backup ten days ago, nothing dismissed.
ago=$(date -u -d '10 days ago' +%Y-%m-%dT%H:%M:%SZ)
sed -i -e 's/"dismissed_until": *"[^"]*"/"dismissed_until": "0001-01-01T00:00:00Z"/' \
	-e "s/\"last_backup\": *\"[^\"]*\"/\"last_backup\": \"$ago\"/" "$tmp/demo/backup.json"
start "$tmp/demo"
unlock
shot backup-reminder
stop

# A paralegal: added by the owner (CLI), chooses a passphrase at the first
# unlock, then sees a client's page with what the role may not do said.
one=$(printf '%s\n' "$pass" | "$tmp/casevault" --vault "$tmp/demo" --passphrase-stdin user add "Pat Jones" --role Paralegal |
	awk 'NF == 1 && $1 ~ /^[a-z0-9]+(-[a-z0-9]+)+$/ {print $1; exit}')
[[ -n $one ]] || { echo "no one-time passphrase" >&2; exit 1; }
start "$tmp/demo"
key shift+Tab; typ "Pat Jones"; key Tab; typ "$one"; key Return; sleep 3
typ "copper kettle winter orchard"; key Tab; typ "copper kettle winter orchard"
shot must-change
key Return; sleep 3
key Escape # the "Passphrase saved" message
click 300 290
shot paralegal-client
stop
