#!/usr/bin/env bash
# rc-roomvid.sh - room video with the real Paltalk 5.0 client on this
# tree's pald: the GUI (alice) creates a room, a second user (bob,
# tests/h_client fed through a FIFO) joins it, turns his camera on and
# publishes JPEG pictures to the video server as Palvideo.dll does; the
# GUI must show the camera icon, and when it asks to view bob's camera
# (the room window's "See Video", then bob in the first viewer slot's
# list) it must fetch and paint the picture, and drop it when bob's
# camera goes off.  All inside
# a network namespace with only loopback.
#
#   usage: sudo tools/rc-roomvid.sh [OUTDIR]      (default /tmp/rc-roomvid)
#
# Needs the realclient cache and the builds as tools/rc-admin.sh says.
# Evidence: OUTDIR/shots/*.png (look at them), rc.pcap, pald.log,
# bot.out, steps.log.  One PASS/FAIL line per step, then "N passed, N
# failed".
#
# The GUI's account has paid1 PAID (default Y): a free account's
# viewer takes one picture per view, a paid one pulls them on and on.
#
# Settings: WORK=/tmp/paltalk-realclient DISPLAY_NUM=93 WAIT=60 PAID=Y
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/rc-lib.sh"
DISPLAY_NUM=${DISPLAY_NUM:-93}
rc_setup roomvid /tmp/rc-roomvid "$@"

PAID=${PAID:-Y}
export top OUT pfx WORK DISPLAY_NUM WAIT PAID
timeout -s TERM -k 30 600 unshare -n bash -s <<'INNER'
set -u
ip link set lo up
. "$top/tools/rc-lib.sh"
rc_env
rc_user alice alice-pw -s "$PAID"
rc_user bob bob-pw
rc_pald || log "pald did not start"
convert -size 160x120 gradient:yellow-green -fill black \
    -draw "rectangle 40,30 120,90" "$OUT/pic.jpg"

# the bot: one h_client for the whole run, fed through a FIFO
mkfifo "$OUT/bot.fifo"
sleep 1000 >"$OUT/bot.fifo" &
holder=$!
rc_client 600 <"$OUT/bot.fifo" >"$OUT/bot.out" 2>&1 &
bot() { printf '%s\n' "$@" >"$OUT/bot.fifo"; }
wait_line() { local t=0; while [ $t -lt $(($2 * 5)) ]; do
	grep -q "$1" "$OUT/bot.out" && return 0; sleep 0.2; t=$((t + 1)); done
	return 1; }
finish() {
	bot "quit"
	sleep 1
	kill "$holder" 2>/dev/null
	rc_end
}

NAME="Alices Cams"
rc_logon alice alice-pw || { finish; exit 0; }
sleep 2
click "$main" 135 40			# groups
g=$(wait_win '^Groups$' "$WAIT") && { sleep 3; click "$g" 75 297; }	# create
if c=$(wait_win '^Create Your Own Group' "$WAIT"); then
	sleep 1
	click "$c" 230 303; xdotool type --delay 50 "$NAME"
	click "$c" 203 373
fi
if ! r=$(wait_win "^$NAME Group" "$WAIT"); then
	res FAIL create "no window titled '$NAME Group'"; shot no-room
	finish; exit 0
fi
room=$(sed -n 's/.*alice joined room \([0-9]*\) .*/\1/p' "$OUT/pald.log" | tail -1)
log "room id $room"

# bob joins and turns his camera on: the icon in the GUI's list
bot "login bob bob-pw" "join $room" "expect 0x0154 eof=Y" "video $room 1" \
    "expect 0x17d4 room=$room" "vinit bob" "vpub bob $OUT/pic.jpg 1" "echo CAM"
if wait_line '^CAM' 30; then
	sleep 3; shot camera-on
	res PASS camera-on "bob got $(grep 'RECV 0x17d4' "$OUT/bot.out" | cut -c6-); $(grep '^VKEY' "$OUT/bot.out")"
else
	shot camera-failed; res FAIL camera-on "see bot.out"
fi
# keep pictures coming while the GUI looks
( for i in $(seq 60); do bot "vpub bob $OUT/pic.jpg 1"; sleep 1; done ) &
feeder=$!
# bob, first in the user list: select, then "See Video"
click "$r" 436 137; sleep 1
click "$r" 440 365
sleep 4; shot video-pane
# the pane's first viewer slot: its list of the cameras on, bob in it
click "$r" 143 162; sleep 2; shot camera-list
xdotool key Down Return
for i in $(seq 30); do grep -q 'alice views the camera' "$OUT/pald.log" && break; sleep 1; done
grep -q 'alice views the camera' "$OUT/pald.log" &&
    res PASS view "the slot's list, bob: $(grep 'alice views the camera' "$OUT/pald.log" | sed 's/.*: alice/alice/')" ||
    res FAIL view "no -6020 from the client (pald.log)"
sleep 5; shot viewer
sleep 10; shot viewer-later
bot "video $room 0" "echo OFF"
wait_line '^OFF' 20
sleep 3; shot camera-off
kill "$feeder" 2>/dev/null
served=$(sed -n 's/.*video: camera of uid [0-9]* off: .*, \([0-9]*\) served.*/\1/p' "$OUT/pald.log" | tail -1)
[ "${served:-0}" -ge 2 ] &&
    res PASS pictures "$served pictures served to the client (look at shots/*viewer*)" ||
    res FAIL pictures "${served:-0} pictures served (paid1 N takes one a view)"
finish
INNER
rc_verdict
