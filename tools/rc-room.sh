#!/usr/bin/env bash
# rc-room.sh - the real Paltalk 5.0 client creates a room of its own on
# this tree's pald and moderates it: a second user (tests/h_client) joins
# and talks, the GUI bounces it with a reason from the user list's menu,
# the Administrative Console lists the bounce, bans a nickname typed in
# it and lists the ban (that user is kept out), and lifts the bounce
# (the bounced user comes back); then a user in another room invites the
# GUI, which accepts in the "Group Invite!" dialog and joins.  All inside a
# network namespace with only loopback.
#
#   usage: sudo tools/rc-room.sh [OUTDIR]         (default /tmp/rc-room)
#
# Needs the realclient cache and the builds as tools/rc-admin.sh says.
# Evidence: OUTDIR/shots/*.png (look at them), rc.pcap, pald.log, bob.out (what
# the second user received), bob2.out (its attempt to come back),
# steps.log.  One PASS/FAIL line per step, then "N passed, N failed".
#
# Settings: WORK=/tmp/paltalk-realclient DISPLAY_NUM=94 WAIT=60
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/rc-lib.sh"
DISPLAY_NUM=${DISPLAY_NUM:-94}
rc_setup room /tmp/rc-room "$@"

export top OUT pfx WORK DISPLAY_NUM WAIT
timeout -s TERM -k 30 600 unshare -n bash -s <<'INNER'
set -u
ip link set lo up
. "$top/tools/rc-lib.sh"
rc_env
rc_user alice alice-pw
rc_user bob bob-pw
rc_user eve eve-pw
rc_user carol carol-pw
rc_pald || log "pald did not start"
NAME="Alices Place"
rc_logon alice alice-pw || { rc_end; exit 0; }
sleep 2
click "$main" 135 40			# groups
g=$(wait_win '^Groups$' "$WAIT") && { sleep 3; click "$g" 75 297; }	# create
if c=$(wait_win '^Create Your Own Group' "$WAIT"); then
	sleep 1
	click "$c" 230 303; xdotool type --delay 50 "$NAME"
	shot create-dialog
	click "$c" 203 373
fi
if r=$(wait_win "^$NAME Group" "$WAIT"); then
	sleep 3; shot room-created
	res PASS create "$(xdotool getwindowname "$r")"
else
	res FAIL create "no window titled '$NAME Group'"; shot no-room
	rc_end; exit 0
fi
room=$(sed -n 's/.*alice joined room \([0-9]*\) .*/\1/p' "$OUT/pald.log" | tail -1)
log "room id $room"
printf 'login bob bob-pw\njoin %s\nexpect 0x0154 eof=Y\nsay %s hello alice, nice room\necho IN\nexpect 0x017c bounced\necho BOUNCED\nquit\n' \
    "$room" "$room" | rc_client 120 >"$OUT/bob.out" 2>&1 &
bob=$!
for i in $(seq 30); do grep -q '^IN' "$OUT/bob.out" && break; sleep 1; done
sleep 3; shot second-user
# bob, second in the user list: select, the context menu, "Bounce"
click "$r" 436 154; sleep 0.5; xdotool click 3; sleep 1.5; shot user-menu
click "$r" 476 182
if b=$(wait_win '^Ready to bounce' "$WAIT"); then
	sleep 1
	click "$b" 230 175; xdotool type --delay 40 "spamming the room"
	shot bounce-reason
	click "$b" 209 226
fi
for i in $(seq 20); do grep -q '^BOUNCED' "$OUT/bob.out" && break; sleep 1; done
sleep 2; shot bounced
grep -q '^BOUNCED' "$OUT/bob.out" && grep -q "room $room: bounce by alice" "$OUT/pald.log" &&
    grep -q "room $room: reason by alice" "$OUT/pald.log" &&
    res PASS bounce "bob got 0x017c; pald logged the bounce and its reason" ||
    res FAIL bounce "see bob.out and pald.log"
printf 'login bob bob-pw\njoin %s\nexpect 0x0064\nquit\n' "$room" |
    rc_client 20 >"$OUT/bob2.out" 2>&1
grep -q 'RECV 0x0064.*bounced' "$OUT/bob2.out" &&
    res PASS kept-out "$(grep 'RECV 0x0064' "$OUT/bob2.out" | grep -o 'text=.*')" ||
    res FAIL kept-out "see bob2.out"
# the Administrative Console (room menu Admin): bounce list, ban by nick
click "$r" 261 10; sleep 1.5; click "$r" 321 30
if a=$(wait_win '^Administrative Console' "$WAIT"); then
	sleep 3; shot console-bounce
	click "$a" 60 207; xdotool type --delay 50 eve
	click "$a" 245 206; sleep 2		# Ban This User
	shot ban-confirm
	xdotool key Return; sleep 2		# "Proceed with banning eve": Yes
	click "$a" 245 272; sleep 3		# Refresh
	shot console-ban
	res PASS console "$(xdotool getwindowname "$a")"
	click "$a" 84 32; sleep 0.5		# bob in the bounce list
	click "$a" 84 152; sleep 2		# Unbounce
	xdotool key Return; sleep 1		# a confirmation, if any
	click "$a" 245 272; sleep 3		# Refresh
	shot console-unbounced
else
	res FAIL console "no Administrative Console window"
fi
grep -q "room $room: ban.* by alice" "$OUT/pald.log" &&
    res PASS ban "$(grep "room $room: ban" "$OUT/pald.log" | tail -1 | sed 's/.*: room/room/')" ||
    res FAIL ban "no ban in pald.log"
printf 'login eve eve-pw\njoin %s\nexpect 0x0064\nquit\n' "$room" |
    rc_client 20 >"$OUT/eve.out" 2>&1
grep -q 'RECV 0x0064.*banned' "$OUT/eve.out" &&
    res PASS ban-kept-out "$(grep 'RECV 0x0064' "$OUT/eve.out" | grep -o 'text=.*')" ||
    res FAIL ban-kept-out "see eve.out"
grep -q "room $room: unbounce by alice" "$OUT/pald.log" &&
    printf 'login bob bob-pw\njoin %s\nexpect 0x0136\nquit\n' "$room" |
    rc_client 20 >"$OUT/bob3.out" 2>&1 &&
    res PASS unbounce "bob joined again" ||
    res FAIL unbounce "see pald.log, bob3.out"
# an invitation from a member of another room (0x0168 to the GUI)
printf 'login carol carol-pw\njoin 50001\nexpect 0x0154 eof=Y\ninvite 50001 1000002\nexpect 0x0064 type=0xfe98\necho INVITED\nwaitfile %s/done\nquit\n' \
    "$OUT" | rc_client 120 >"$OUT/carol.out" 2>&1 &
carol=$!
for i in $(seq 20); do grep -q '^INVITED' "$OUT/carol.out" && break; sleep 1; done
if iw=$(wait_win '^Group Invite' "$WAIT"); then
	sleep 1; shot invited
	log "invite dialog: $(xdotool getwindowgeometry "$iw" | tr '\n' ' ')"
	click "$iw" 134 57			# Yes: join that room
	for i in $(seq 30); do
		grep -q 'alice joined room 50001 ' "$OUT/pald.log" && break
		sleep 1
	done
	sleep 3; shot joined-by-invite
	grep -q 'alice joined room 50001 ' "$OUT/pald.log" &&
	    res PASS invite "Group Invite! shown; Yes joined room 50001" ||
	    res FAIL invite "the dialog came, no join of 50001"
else
	res FAIL invite "no 'Group Invite!' window"; shot no-invite
fi
echo done >"$OUT/done"
wait "$carol" 2>/dev/null
wait "$bob" 2>/dev/null
rc_end
INNER
rc_verdict
