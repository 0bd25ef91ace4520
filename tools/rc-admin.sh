#!/usr/bin/env bash
# rc-admin.sh - the real Paltalk 5.0 client, logged in as a server admin,
# IMs the system user "/help" and "/who" against this tree's pald, inside
# a network namespace that has only loopback; screenshots of the IM window.
#
#   usage: sudo tools/rc-admin.sh [OUTDIR]        (default /tmp/rc-admin)
#
# It needs the prepared cache of ../shared/realclient (the base Wine
# prefix and the unpacked, patched client under WORK): run
# `SETUP_ONLY=1 ../shared/realclient/run-client.sh CLIENT_ZIP x` once.
# Build first: make pald palpasswd tests/h_client.
#
# In the namespace: a fresh store with an admin account (level 3) whose
# pal list holds the system user (added over the protocol by
# tests/h_client, as a user would), and a second user "bob" held in room
# 50001 so that /who has a room to show; pald on 127.0.0.1:5001; Xvfb;
# the client.  The GUI logs in, double-clicks the system user in its pal
# list, types /help and sends it, then /who.  Evidence: OUTDIR/shots/*.png
# (look at them), pald.log (pald logs every command with who ran it),
# steps.log.  Prints one PASS/FAIL line per step and "N passed, N failed".
#
# Settings: WORK=/tmp/paltalk-realclient DISPLAY_NUM=97 NICK=boss
# PASS=boss-pw WAIT=60 (seconds for a window the server causes).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-/tmp/rc-admin}
WORK=${WORK:-/tmp/paltalk-realclient}
DISPLAY_NUM=${DISPLAY_NUM:-97}
NICK=${NICK:-boss}
PASS=${PASS:-boss-pw}
WAIT=${WAIT:-60}

prog=rc-admin.sh
. "$top/tools/rc-lib.sh"
rc_prepare prefix-admin

export top OUT pfx DISPLAY_NUM NICK PASS WAIT
timeout -s TERM -k 30 600 unshare -n bash -s <<'INNER'
set -u
. "$top/tools/rc-lib.sh"
rc_start_x
echo "$PASS" | "$top/palpasswd" -h "$srv/db" -p -c -a 3 "$NICK" >/dev/null
echo bob-pw | "$top/palpasswd" -h "$srv/db" -p -c bob >/dev/null
rc_start_pald
# the system user on the admin's pal list, the way a user adds a pal
printf 'login %s %s\nadd 1000001\nexpect 0x01f4\nquit\n' "$NICK" "$PASS" |
    "$top/tests/h_client" -t 10 5001 >"$OUT/addpal.out" 2>&1
log "system user added to $NICK's pals: $(tail -1 "$OUT/addpal.out")"
printf 'login bob bob-pw\njoin 50001\nexpect 0x0154 eof=Y\necho IN\nwaitfile %s/done\nquit\n' \
    "$OUT" | "$top/tests/h_client" -t 300 5001 >"$OUT/bob.out" 2>&1 &
bob=$!
sleep 2
say() {	# say WINDOW TEXT - type into the IM window's input, press send
	click "$1" 284 274; xdotool type --delay 40 "$2"; click "$1" 264 324; }

(cd "$pfx/drive_c/Paltalk" && exec wine Paltalk.exe) >"$OUT/wine.log" 2>&1 &
log "client started"
if w=$(wait_win "License Agreement" 90); then sleep 1; click "$w" 248 352; fi
if w=$(wait_win "Installation Complete" 20); then sleep 1; click "$w" 21 119; sleep 0.5; click "$w" 183 156; fi
if w=$(wait_win "Paltalk Logon" 40); then
	sleep 1
	click "$w" 195 74; xdotool key End shift+Home BackSpace; xdotool type --delay 50 "$NICK"
	click "$w" 199 105; xdotool key End shift+Home BackSpace; xdotool type --delay 50 "$PASS"
	click "$w" 250 162; log "sign on clicked"
fi
for i in $(seq 1 $((WAIT * 2))); do
	w=$(xdotool search --onlyvisible --name '^Error$' 2>/dev/null | head -1)
	[ -n "$w" ] && { xdotool key --window "$w" Return; sleep 1; log "Error box (no sound device) dismissed"; }
	w=$(xdotool search --onlyvisible --name 'Get your friends' 2>/dev/null | head -1)
	[ -n "$w" ] && { sleep 1; click "$w" 225 211; break; }
	xdotool search --onlyvisible --name '^PalTalk$' >/dev/null 2>&1 && [ "$i" -gt 8 ] && break
	sleep 1
done
if main=$(wait_win '^PalTalk$' "$WAIT"); then
	sleep 3; shot pal-list; res PASS logon
	log "main window: $(xdotool getwindowgeometry "$main" | tr '\n' ' ')"
	# the first pal of "Online Pals:", the system user
	dclick "$main" 38 76
	if im=$(wait_win '^Paltalk - ' "$WAIT"); then
		sleep 2; res PASS im-window "$(xdotool getwindowname "$im")"
		say "$im" "/help"; sleep 4; shot im-help
		say "$im" "/who"; sleep 4
		# to the end of the conversation: the scroll bar's down arrow
		for i in 1 2 3 4 5 6; do click "$im" 551 228; done
		sleep 1; shot im-who
	else res FAIL im-window "no window titled 'Paltalk - ...'"; shot no-im-window; fi
else res FAIL logon "no main window"; shot no-main-window; fi
grep -q 'ran /help' "$OUT/pald.log" && res PASS help "pald ran /help" ||
    res FAIL help "no /help in pald.log"
grep -q 'ran /who' "$OUT/pald.log" && res PASS who "pald ran /who" ||
    res FAIL who "no /who in pald.log"
echo done >"$OUT/done"
wineserver -k 2>/dev/null; sleep 1
wait "$bob" 2>/dev/null
kill "$(cat "$srv/pald.pid")" "$xvfb" 2>/dev/null
sleep 1
INNER
rc_verdict
