#!/usr/bin/env bash
# rc-p2p.sh - the real Paltalk 5.0 client against this tree's pald for
# what happens between two people (proto/P2P.md): voice calls both ways
# with audio both ways, hang-ups from each side, a call declined, 200 KB
# files both ways compared byte for byte (the receiving client's Save
# File dialog driven), transfers refused each way, video calls declined
# each way and one accepted whose pictures the client shows.  The second
# party is tests/h_client ("the bot"), fed line by line through a FIFO.
#
#   usage: sudo tools/rc-p2p.sh [OUTDIR]          (default /tmp/rc-p2p)
#
# Three network namespaces joined by veth pairs, with nothing else on
# them: the client's (10.12.0.2), pald's (10.12.0.1 and 10.12.1.1, which
# routes between the other two) and the bot's (10.12.1.2).  The client
# binds UDP 2090/2091, TCP 2090 and the relay ports it is given on
# 0.0.0.0, and treats 127.0.0.1 as a local loopback call (P2P.md 2.3), so
# pald, the bot and the client each need addresses of their own.  pald
# runs with its defaults: the relay (p2p_relay), ports from 20000, and
# file_rate 0 so that the transfers are not paced.
#
# Needs the realclient cache (WORK) and the builds as tools/rc-admin.sh
# says, and PulseAudio (the client plays received call audio to a null
# sink: a playback stream that appears when the bot's audio arrives is
# the evidence; the 5.0 call window has no level meter for the other
# side).  Evidence: OUTDIR/shots/*.png (look at them), rc.pcap (taken in
# pald's namespace, every interface), pald.log, bot.out (what the bot
# did and received), steps.log.  One PASS/FAIL line per step, then
# "N passed, N failed".
#
# Settings: WORK=/tmp/paltalk-realclient DISPLAY_NUM=95 WAIT=60
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/rc-lib.sh"
DISPLAY_NUM=${DISPLAY_NUM:-95}
rc_setup p2p /tmp/rc-p2p "$@"
# the client's server is pald's address in its namespace; a sound device
sed -i 's/"host"="127.0.0.1"/"host"="10.12.0.1"/; s/"Audio"=""/"Audio"="pulse"/' \
    "$pfx/user.reg"
command -v pulseaudio >/dev/null && command -v pactl >/dev/null ||
    { echo "needs pulseaudio and pactl" >&2; exit 2; }

export top OUT pfx WORK DISPLAY_NUM WAIT
timeout -s TERM -k 30 900 unshare -n bash -s <<'INNER'
set -u
. "$top/tools/rc-lib.sh"
S=10.12.0.1 C=10.12.0.2 B=10.12.1.2
T0=$(date +%s)
srv=$OUT/srv
mkdir -p "$srv/db" "$OUT/home/run"
chmod 700 "$srv/db" "$OUT/home/run"

# --- the namespaces: ours is the client's ---------------------------
ip link set lo up
unshare -n sleep 1000 & srvns=$!
unshare -n sleep 1000 & botns=$!
sleep 0.5
ins() { nsenter -t "$srvns" -n "$@"; }
inb() { nsenter -t "$botns" -n "$@"; }
ins ip link add vs0 type veth peer name vc netns $$
ins ip link add vs1 type veth peer name vb netns "$botns"
ins sh -c "ip link set lo up; ip addr add $S/24 dev vs0;
    ip addr add 10.12.1.1/24 dev vs1; ip link set vs0 up; ip link set vs1 up;
    echo 1 >/proc/sys/net/ipv4/ip_forward"
ip addr add $C/24 dev vc; ip link set vc up; ip route add default via $S
inb sh -c "ip link set lo up; ip addr add $B/24 dev vb; ip link set vb up;
    ip route add default via 10.12.1.1"

# --- pald, the accounts (pals of each other), the capture ------------
export PALD_HASH_COST=4
rc_user alice alice-pw
rc_user bob bob-pw
printf 'categories %s/data/categories.txt\nrooms %s/data/rooms.txt\nfile_rate 0\n' \
    "$top" "$top" >"$srv/pald.conf"
nsenter -t "$srvns" -n tcpdump -i any -U -s 0 -w "$OUT/rc.pcap" >/dev/null 2>&1 &
tcpd=$!
ins "$top/pald" -d -f "$srv/pald.conf" -l $S -p 5001 -h "$srv/db" \
    -r "$srv/run" -P "$srv/pald.pid" >"$OUT/pald.log" 2>&1 &
for i in $(seq 100); do
	grep -q 'listening on' "$OUT/pald.log" && break
	sleep 0.1
done
bot1() { inb "$top/tests/h_client" -a $S -b $B -t "$1" 5001; }
printf 'uid bob\nlogin alice alice-pw\nadd bob\nexpect 0x0043\nquit\n' |
    bot1 20 >"$OUT/seed.out" 2>&1
printf 'uid alice\nlogin bob bob-pw\nadd alice\nexpect 0x0043\nquit\n' |
    bot1 20 >>"$OUT/seed.out" 2>&1

# --- sound, X, the client --------------------------------------------
export HOME=$OUT/home XDG_RUNTIME_DIR=$OUT/home/run
export PULSE_SERVER=unix:$OUT/home/run/pulse-native
pulseaudio -n --daemonize=no --exit-idle-time=-1 --use-pid-file=no \
    --disable-shm -L "module-null-sink sink_name=nullsink" \
    -L "module-native-protocol-unix auth-anonymous=1 socket=$OUT/home/run/pulse-native" \
    >"$OUT/pulseaudio.log" 2>&1 &
pulse=$!
export WINEARCH=win32 WINEDEBUG=-all WINEPREFIX="$pfx" DISPLAY=":$DISPLAY_NUM" \
    WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"

# the end: what this run started, by pid
finish() {
	echo quit >"$OUT/bot.fifo" 2>/dev/null
	sleep 1
	kill "$holder" 2>/dev/null
	wineserver -k 2>/dev/null
	sleep 1
	kill "$(cat "$srv/pald.pid" 2>/dev/null)" "$xvfb" "$pulse" 2>/dev/null
	sleep 1
	kill -INT "$tcpd" 2>/dev/null
	kill "$srvns" "$botns" 2>/dev/null
	wait 2>/dev/null
}

# --- the bot: one h_client for the whole run, fed through a FIFO ------
mkfifo "$OUT/bot.fifo"
sleep 1000 >"$OUT/bot.fifo" &
holder=$!
bot1 800 <"$OUT/bot.fifo" >"$OUT/bot.out" 2>&1 &
bot() { printf '%s\n' "$@" >"$OUT/bot.fifo"; }
# wait_line RE SECONDS - until bot.out has a line matching RE
wait_line() { local t=0; while [ $t -lt $(($2 * 5)) ]; do
	grep -q "$1" "$OUT/bot.out" && return 0; sleep 0.2; t=$((t + 1)); done
	return 1; }
# wait_gone TITLE SECONDS - until no visible window has TITLE
wait_gone() { local t=0; while [ $t -lt "$2" ]; do
	xdotool search --onlyvisible --name "$1" >/dev/null 2>&1 || return 0
	sleep 1; t=$((t + 1)); done; return 1; }
# box_ok TITLE - press Return in a message box
box_ok() { local w; w=$(wait_win "$1" 5) && xdotool key --window "$w" Return; sleep 1; }
# playing - the client's playback streams in the sound server
playing() { pactl list short sink-inputs 2>/dev/null | wc -l; }

bot "uid alice" "login bob bob-pw" "echo BOT-IN"
wait_line '^BOT-IN' 30 || log "the bot did not log in"
rc_logon alice alice-pw || { finish; exit 0; }
sleep 3
# bob in the pal list: his IM window, whose buttons are call (hangup
# during a call), send, send file, video, at these offsets
dclick "$main" 32 76
if ! im=$(wait_win '^bob - ' "$WAIT"); then
	res FAIL im-window "no window 'bob - ...'"; shot no-im; finish; exit 0
fi
sleep 2; shot im-window
CALL="216 326" FILE="313 326" VIDEO="362 326"
title() { xdotool getwindowname "$im"; }
# wait_title RE SECONDS - until the IM window's title matches RE
wait_title() { local t=0; while [ $t -lt "$2" ]; do
	title | grep -q "$1" && return 0; sleep 1; t=$((t + 1)); done
	return 1; }

# 1. the client calls the bot, which answers; audio both ways
bot "expect 0x01c2" "answer alice" "expect 0x01c1" "rtpopen" "echo ANSWERED"
click "$im" $CALL
if wait_line '^ANSWERED' 30 && wait_title 'Talking' 20; then
	sleep 1; shot call-out-talking
	res PASS call-out "$(grep 'RECV 0x01c2' "$OUT/bot.out" | tail -1 | cut -c1-60); bot answered; '$(title)'"
else
	shot call-out-failed; res FAIL call-out "'$(title)'; see bot.out"
fi
before=$(playing)
bot "rtpsend 200" "echo BOT-SPOKE"
sleep 2; during=$(playing); shot call-bot-speaking
wait_line '^BOT-SPOKE' 30
sleep 1
in=$(tcpdump -nr "$OUT/rc.pcap" "udp and dst host $C and src host $S" 2>/dev/null | wc -l)
[ "$before" = 0 ] && [ "$during" -gt 0 ] &&
    res PASS call-audio-in "bot sent 200 RTP; the client opened a playback stream ($before before, $during during); $in datagrams from the relay to the client" ||
    res FAIL call-audio-in "playback streams $before before, $during during; $in datagrams to the client"
bot "rtprecv 8000" "echo HEARD"
click "$im" 400 190
xdotool keydown ctrl; sleep 4; shot call-client-talking; sleep 2; xdotool keyup ctrl
wait_line '^HEARD' 20
got=$(grep -c "^RTP seq=.*ssrc=$(sed -n 's/^UID nick=alice uid=//p' "$OUT/bot.out")" "$OUT/bot.out")
[ "$got" -gt 0 ] &&
    res PASS call-audio-out "Ctrl held 6 s: the bot got $got RTP packets with alice's uid as SSRC through the relay" ||
    res FAIL call-audio-out "no RTP at the bot"

# 2. hang-up from the client
bot "expect 0x01c0,0x01c3" "echo HUNG-BY-CLIENT"
click "$im" $CALL
if wait_line '^HUNG-BY-CLIENT' 20 && wait_title 'Online' 10; then
	sleep 1; shot hangup-client; res PASS hangup-client "bot got $(grep 'RECV 0x01c[03]' "$OUT/bot.out" | tail -1 | cut -c6-30); '$(title)'"
else
	shot hangup-client-failed; res FAIL hangup-client "'$(title)'"
fi

# 3. the bot calls the client, which accepts; 4. the bot hangs up
bot "call alice" "expect 0x01c1" "rtpopen" "echo ACCEPTED"
if d=$(wait_win "^Someone's calling" 20); then
	sleep 1; shot call-in-ringing
	click "$d" 134 59			# Yes
fi
if wait_line '^ACCEPTED' 20 && wait_title 'Talking' 20; then
	sleep 1; shot call-in-talking
	res PASS call-in "'Someone's calling!' Yes; the bot got 0x01c1 ($(grep 'RECV 0x01c1' "$OUT/bot.out" | tail -1 | cut -c16-)); '$(title)'"
else
	shot call-in-failed; res FAIL call-in "'$(title)'; see bot.out"
fi
bot "hangup alice" "echo HUNG-BY-BOT"
if wait_line '^HUNG-BY-BOT' 10 && wait_title 'Online' 20; then
	sleep 1; shot hangup-bot; res PASS hangup-bot "'$(title)'"
else
	shot hangup-bot-failed; res FAIL hangup-bot "'$(title)'"
fi

# 5. the bot calls, the client says No
bot "call alice" "expect 0x01c0,0x01c3" "echo DECLINED"
if d=$(wait_win "^Someone's calling" 20); then
	sleep 1; click "$d" 218 59		# No
fi
wait_line '^DECLINED' 20 && { sleep 1; shot call-declined
    res PASS call-declined "No in 'Someone's calling!'; the bot got $(grep 'RECV 0x01c[03]' "$OUT/bot.out" | tail -1 | cut -c6-30)"; } ||
    { shot call-declined-failed; res FAIL call-declined "see bot.out"; }

# pick_file PATH - the send-file button, the open dialog, Send File
pick_file() {
	local f
	click "$im" $FILE
	f=$(wait_win '^File Transfer to bob' 20) || return 1
	sleep 1; click "$f" 290 189; xdotool type --delay 30 "$1"; xdotool key Return
	f=$(wait_win '^Paltalk File Transfer' 20) || return 1
	sleep 1; click "$f" 172 156		# Send File
}

# 6. a file from the client to the bot
head -c 204800 /dev/urandom >"$pfx/drive_c/f200k.bin"
head -c 204800 /dev/urandom >"$OUT/b200k.bin"
# (after the file the bot sends -443, as the 5.0 receiver does: the end)
bot "expect 0x01bd" "flisten" "acceptfile alice" "fget $OUT/from-client.bin" \
    "refuse alice" "echo GOT"
pick_file 'C:\f200k.bin'
if wait_line '^GOT' 60; then
	sleep 2; shot file-out-complete
	cmp -s "$pfx/drive_c/f200k.bin" "$OUT/from-client.bin" &&
	    res PASS file-out "$(grep '^FILE ' "$OUT/bot.out" | tail -1); byte-identical" ||
	    res FAIL file-out "the bot's copy differs"
else
	shot file-out-failed; res FAIL file-out "no file at the bot"
fi
f=$(wait_win '^Paltalk File Transfer' 5) && click "$f" 384 156	# Close
wait_gone '^Paltalk File Transfer' 10

# 7. a file from the bot to the client, saved with the Save File dialog
bot "offer alice" "expect 0x01bc" "fput $OUT/b200k.bin" "echo PUT"
if d=$(wait_win "file transfer!$" 20); then
	sleep 1; shot file-in-asked
	click "$d" 134 133			# Yes
fi
saved=$pfx/drive_c/Paltalk/ReceivedFiles/b200k.bin
if wait_line '^PUT' 60 && f=$(wait_win '^Paltalk File Transfer' 20); then
	sleep 3; shot file-in-complete
	click "$f" 172 156			# Save File
	if s=$(wait_win '^Save File' 20); then
		sleep 1; shot file-in-save-dialog
		click "$s" 435 189		# Save (ReceivedFiles\b200k.bin)
	fi
	for i in $(seq 20); do [ -s "$saved" ] && break; sleep 0.5; done
	sleep 1
	cmp -s "$saved" "$OUT/b200k.bin" &&
	    res PASS file-in "$(grep '^FSENT' "$OUT/bot.out" | tail -1); saved by the client as ReceivedFiles\\b200k.bin, byte-identical" ||
	    res FAIL file-in "the saved file is missing or differs"
else
	shot file-in-failed; res FAIL file-in "see bot.out"
fi
f=$(wait_win '^Paltalk File Transfer' 3) && click "$f" 384 156
wait_gone '^Paltalk File Transfer' 10

# 8. the bot refuses the client's file; 9. the client refuses the bot's
bot "expect 0x01bd" "refuse alice" "echo REFUSED"
pick_file 'C:\f200k.bin'
if wait_win '^Transfer rejected' 20 >/dev/null; then
	sleep 1; shot file-refused-by-bot
	res PASS file-refused-by-bot "'Transfer rejected': Transfer was not accepted by one or both parties"
	box_ok '^Transfer rejected'
else
	shot file-refused-failed; res FAIL file-refused-by-bot "no 'Transfer rejected' box"
fi
wait_gone '^Paltalk File Transfer' 10
bot "offer alice" "expect 0x01bb" "echo REJECTED"
if d=$(wait_win "file transfer!$" 20); then
	sleep 1; click "$d" 218 133		# No
fi
wait_line '^REJECTED' 20 && res PASS file-refused-by-client "No; the bot got 0x01bb" ||
    res FAIL file-refused-by-client "see bot.out"

# 10. a video call from the client, declined by the bot (no camera under
# Wine: the client still sends -700)
bot "expect 0x02bc" "vdecline alice" "echo VDECLINED"
click "$im" $VIDEO
if wait_line '^VDECLINED' 20 && w=$(wait_win '^Sorry$' 20); then
	sleep 1; shot video-out-declined
	res PASS video-out-declined "bot got $(grep 'RECV 0x02bc' "$OUT/bot.out" | tail -1 | cut -c16-70); the client shows 'did not accept your video call'"
	box_ok '^Sorry$'
else
	shot video-out-failed; res FAIL video-out-declined "see bot.out"
fi

# 11. a video call from the bot, declined by the client
bot "vcall alice 2091" "expect 0x02bd" "echo VREFUSED"
if d=$(wait_win 'requesting a video session' 20); then
	sleep 1; shot video-in-asked
	click "$d" 218 103			# No
fi
wait_line '^VREFUSED' 20 && res PASS video-in-declined "No in 'Someone's requesting a video session!'; the bot got 0x02bd" ||
    { shot video-in-failed; res FAIL video-in-declined "see bot.out"; }

# 12. a video call from the bot, accepted: the bot's pictures in the
# client's IM window through the relay (the client has no camera)
convert -size 160x120 gradient:red-blue "$OUT/pic.jpg"
bot "vlisten 2091" "vcall alice" "expect 0x02c6" "echo VACCEPTED" \
    "vserve $OUT/pic.jpg 3" "echo SERVED"
if d=$(wait_win 'requesting a video session' 20); then
	sleep 1; click "$d" 134 103		# Yes
fi
box_ok 'Camera input inaccessible'
if wait_line '^SERVED' 40; then
	sleep 2; shot video-in-picture
	res PASS video-in-accepted "Yes; $(grep -c '^VSERVED' "$OUT/bot.out") pictures pulled by the client through the relay"
else
	shot video-in-failed; res FAIL video-in-accepted "see bot.out, pald.log"
fi
bot "vhangup alice" "echo VHUNG"
wait_line '^VHUNG' 10
sleep 2; shot video-hangup
finish
INNER
rc_verdict
