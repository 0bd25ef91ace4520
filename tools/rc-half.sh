#!/usr/bin/env bash
# rc-half.sh - issue 15's fixes tried with the real Paltalk 5.0 client on
# this tree's pald, inside a network namespace that has only loopback:
# a pal's display name and a pal away in the pal list, the client's own
# Away mode (a pal's IM gets the auto-response), "Allow Contact from Pal
# List Only" set in the Privacy dialog (a stranger's IM is refused and
# never shows), then a room of the GUI's own: its Administrative Console
# with a bounce and a ban, Clear All Bounces and Clear All Bans; a
# member's first and last name in "View UID"; "Alert Admin of
# Misconduct" about that member, which a site admin on line receives.
#
#   usage: sudo tools/rc-half.sh [OUTDIR]          (default /tmp/rc-half)
#
# Needs the realclient cache and the builds as tools/rc-admin.sh says.
# The GUI is alice (1000002).  The others are tests/h_client scripts:
# bob (1000003), her pal, named "Bobby B." beforehand with -167 as the
# client's Customize dialog sends it, away at first; carol (1000004), a
# stranger; boss (1000005), a site admin; dave (1000006), Dave Doe, a
# member of her room; eve (1000007) and frank (1000008), bounced and
# banned there by mod (1000009), another site admin.  Evidence: OUTDIR/shots/*.png (look at them), rc.pcap
# and its decoding pcap.txt, pald.log, NAME.out (what each h_client
# got), steps.log.  One PASS/FAIL line per step, then "N passed, N
# failed".  Steps judged on a screenshot alone say "look at" it.
#
# Settings: WORK=/tmp/paltalk-realclient DISPLAY_NUM=96 WAIT=60
# ROOM_ONLY=1 (only the room's steps: the console, View UID, the alert)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/rc-lib.sh"
DISPLAY_NUM=${DISPLAY_NUM:-96}
rc_setup half /tmp/rc-half "$@"
pcapsum=$top/../shared/realclient/pcap_summary.py

ROOM_ONLY=${ROOM_ONLY:-0}
export top OUT pfx WORK DISPLAY_NUM WAIT pcapsum ROOM_ONLY
timeout -s TERM -k 30 900 unshare -n bash -s <<'INNER'
set -u
ip link set lo up
. "$top/tools/rc-lib.sh"
rc_env
trap rc_end EXIT	# also when a window vanished under a click (set -u)
rc_user alice alice-pw		# 1000002
rc_user bob bob-pw		# 1000003
rc_user carol carol-pw		# 1000004
rc_user boss boss-pw -a 1	# 1000005
rc_user dave dave-pw		# 1000006
rc_user eve eve-pw		# 1000007
rc_user frank frank-pw		# 1000008
rc_user mod mod-pw -a 1		# 1000009
rc_pald || log "pald did not start"
A=1000002 B=1000003 C=1000004 D=1000006 E=1000007 F=1000008
NAME="Alices Den"
wait_for_line() {	# FILE PATTERN SECONDS
	local i
	for i in $(seq "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 1; done
	return 1
}
say() {	# WINDOW TEXT - type into the IM window's input, press send
	click "$1" 284 274; xdotool type --delay 40 "$2"; click "$1" 264 324; }
rmenu() {	# WINDOW X Y - right-click there, the menu shown
	at "$1" "$2" "$3"; xdotool mousedown 3; sleep 0.2; xdotool mouseup 3
	sleep 1.5
}
# alice's pal bob, named as the Customize Pal Name dialog does; Dave Doe
printf 'login bob bob-pw\nprofile first=Bob,last=Builder\nexpect 0x0064 code=0\nquit\n' |
    rc_client 10 >"$OUT/prep.out" 2>&1
printf 'login dave dave-pw\nprofile first=Dave,last=Doe\nexpect 0x0064 code=0\nquit\n' |
    rc_client 10 >>"$OUT/prep.out" 2>&1
printf 'login alice alice-pw\nadd %s\nexpect 0x0043\ndisplay %s Bobby B.\ndrain 200\nquit\n' \
    $B $B | rc_client 10 >>"$OUT/prep.out" 2>&1
# bob lists alice; away first, then back, then sees her go away and IMs
cat >"$OUT/bob.in" <<EOF
login bob bob-pw
add $A
expect 0x0043
away I am away at the moment...
echo AWAY
waitfile $OUT/bob-back
online
echo BACK
expect 0x0190 uid=$A status=70
im $A are you there, alice?
expect 0x0014 from=$A text=[Auto-Response]
echo GOT-AUTO
expect 0x0190 uid=$A status=30
echo ALICE-BACK
waitfile $OUT/done
quit
EOF
rc_client 800 <"$OUT/bob.in" >"$OUT/bob.out" 2>&1 &
bob=$!
# boss, a site admin on line, waits for the alert
printf 'login boss boss-pw\necho IN\nexpect 0x0014 from=1000001 text=Alert from alice\necho ALERT\nwaitfile %s/done\nquit\n' \
    "$OUT" | rc_client 800 >"$OUT/boss.out" 2>&1 &
boss=$!
wait_for_line "$OUT/bob.out" '^AWAY' 30
wait_for_line "$OUT/boss.out" '^IN' 30
if ! rc_logon alice alice-pw; then exit 0; fi
sleep 4; shot pal-list
if [ "$ROOM_ONLY" = 0 ]; then
# 1. the name given to bob and his away state, in the pal list
res PASS pal-list "look at shots/01-pal-list.png: 'Bobby B.' with the away icon"
BOB=75
dclick "$main" 43 $BOB
if im=$(wait_win '^Bobby B\. - ' "$WAIT"); then
	sleep 2
	t=$(xdotool getwindowname "$im")
	case $t in *Away*) res PASS pal-away "IM window: $t" ;;
	*) res FAIL pal-away "IM window: $t" ;; esac
	shot im-to-away-pal
	xdotool windowclose "$im" 2>/dev/null || xdotool windowunmap "$im"
else
	res FAIL pal-away "no IM window"; shot no-im-window
fi
touch "$OUT/bob-back"
wait_for_line "$OUT/bob.out" '^BACK' 20
sleep 2; shot pal-back
# 2. the GUI goes away (File, Away Mode): bob sees 70, gets the text
click "$main" 60 10; sleep 1; click "$main" 100 30; sleep 3
shot away-mode
wait_for_line "$OUT/bob.out" '^GOT-AUTO' 20 &&
    res PASS away "bob saw status 70 and got: $(grep 'RECV 0x0014' "$OUT/bob.out" | tail -1 | grep -o 'text=.*')" ||
    res FAIL away "see bob.out"
sleep 2; shot away-im-from-bob
for w in $(xdotool search --onlyvisible --name '^Bobby B\. - ' 2>/dev/null); do
	xdotool windowclose "$w" 2>/dev/null
done
sleep 1
click "$main" 60 10; sleep 1; click "$main" 100 30; sleep 3	# I'm back
wait_for_line "$OUT/bob.out" '^ALICE-BACK' 20 &&
    res PASS back "bob saw status 30" || res FAIL back "see bob.out"
# 3. Privacy: "Allow Contact from Pal List Only"; carol's IM refused
click "$main" 22 37
if st=$(wait_win '^Paltalk Setup' "$WAIT"); then
	sleep 2; click "$st" 150 35; sleep 2
	click "$st" 74 134; sleep 2; shot privacy-pals-only
	click "$st" 277 365; sleep 2	# Cancel: its OK takes Wine down
fi
printf 'login carol carol-pw\nim %s hello from carol\nexpect 0x0064 type=0xffec\nquit\n' $A |
    rc_client 20 >"$OUT/carol.out" 2>&1
sleep 3; shot after-stranger-im
if grep -q 'RECV 0x0064.*code=99.*pal list' "$OUT/carol.out"; then
	if wait_win 'carol' 3 >/dev/null; then
		res FAIL privacy "carol refused, but a window for carol"
	else
		res PASS privacy "no window for carol; she got: $(grep 'RECV 0x0064' "$OUT/carol.out" | grep -o 'text=.*')"
	fi
else
	res FAIL privacy "see carol.out"
fi
fi
# 4. a room of alice's own (Groups, Create)
click "$main" 135 40
g=$(wait_win '^Groups$' "$WAIT") && { sleep 3; click "$g" 75 297; }
if c=$(wait_win '^Create Your Own Group' "$WAIT"); then
	sleep 1
	click "$c" 230 303; xdotool type --delay 50 "$NAME"
	click "$c" 203 373
fi
if r=$(wait_win "^$NAME Group" "$WAIT"); then
	sleep 3; res PASS create "$(xdotool getwindowname "$r")"
else
	res FAIL create "no window titled '$NAME Group'"; shot no-room
	exit 0
fi
room=$(sed -n 's/.*alice joined room \([0-9]*\) .*/\1/p' "$OUT/pald.log" | tail -1)
log "room id $room"
# a site admin bounces eve and bans frank there, then leaves
printf 'login mod mod-pw\njoin %s\nexpect 0x0154 eof=Y\nbounce %s %s\nexpect 0x0384\nban %s %s\nexpect 0x0384\nleave %s\ndrain 200\nquit\n' \
    "$room" "$room" $E "$room" $F "$room" | rc_client 20 >"$OUT/mod.out" 2>&1
log "mod: $(grep -c 'RECV 0x0384' "$OUT/mod.out") console answers"
# dave joins and stays
printf 'login dave dave-pw\njoin %s\nexpect 0x0154 eof=Y\necho IN\nwaitfile %s/done\nquit\n' \
    "$room" "$OUT" | rc_client 800 >"$OUT/dave.out" 2>&1 &
dave=$!
wait_for_line "$OUT/dave.out" '^IN' 30
sleep 3; shot room
# 5. the Administrative Console (room menu Admin): Clear All
click "$r" 261 10; sleep 1.5; click "$r" 321 30
if a=$(wait_win '^Administrative Console' "$WAIT"); then
	sleep 3; shot console-lists
	log "console: $(xdotool getwindowgeometry "$a" | tr '\n' ' ')"
	click "$a" 84 173; sleep 2		# Clear All Bounces
	shot console-bounces-cleared
	click "$a" 243 173; sleep 2		# Clear All Bans
	shot console-cleared
	click "$a" 245 273; sleep 3		# Refresh
	shot console-refreshed
	xdotool windowclose "$a" 2>/dev/null
else
	res FAIL console "no Administrative Console window"
fi
grep -q "room $room: clearbounces by alice" "$OUT/pald.log" &&
    res PASS clear-bounces "pald: clearbounces by alice" ||
    res FAIL clear-bounces "no clearbounces in pald.log"
grep -q "room $room: clearbans by alice" "$OUT/pald.log" &&
    res PASS clear-bans "pald: clearbans by alice" ||
    res FAIL clear-bans "no clearbans in pald.log"
printf 'login eve eve-pw\njoin %s\nexpect 0x0136\nquit\nlogin frank frank-pw\njoin %s\nexpect 0x0136\nquit\n' \
    "$room" "$room" | rc_client 20 >"$OUT/evefrank.out" 2>&1 &&
    res PASS let-in-again "eve and frank joined again" ||
    res FAIL let-in-again "see evefrank.out"
# 6. dave, second in the user list: View UID, his first and last name
rmenu "$r" 436 154; shot user-menu
click "$r" 481 301				# View UID
if v=$(wait_win '^Group Member Info' 15); then
	sleep 1; shot view-uid
	log "view uid: $(xdotool getwindowgeometry "$v" | tr '\n' ' ')"
	res PASS view-uid-box "look at shots/$(printf %02d $n)-view-uid.png: First Dave, Last Doe"
	xdotool key --window "$v" Return; sleep 1
else
	res FAIL view-uid "no Group Member Info box"; shot no-view-uid
fi
# 7. Alert Admin of Misconduct about dave: boss gets it
rmenu "$r" 436 154
click "$r" 530 216				# Alert Admin of Misconduct
if al=$(wait_win 'Alert' 15); then
	sleep 1; shot alert-dialog
	log "alert: $(xdotool getwindowname "$al") $(xdotool getwindowgeometry "$al" | tr '\n' ' ')"
	click "$al" 174 145; xdotool type --delay 40 "dave is flooding the room"
	sleep 0.5; shot alert-typed
	click "$al" 121 206; sleep 2		# OK
	shot alert-sent
else
	res FAIL alert-admin "no alert dialog"; shot no-alert-dialog
fi
wait_for_line "$OUT/boss.out" '^ALERT' 15 &&
    res PASS alert-admin "boss got: $(grep 'RECV 0x0014' "$OUT/boss.out" | tail -1 | grep -o 'text=.*')" ||
    res FAIL alert-admin "see boss.out, pald.log"
echo done >"$OUT/done"
wait "$bob" "$boss" "$dave" 2>/dev/null
INNER
python3 "$pcapsum" "$OUT/rc.pcap" >"$OUT/pcap.txt" 2>&1
# the names View UID shows came in dave's record of the GUI's room
python3 "$pcapsum" "$OUT/rc.pcap" --hex 400 2>/dev/null | grep 'S->C .*0x013[67]\|S->C .*0x0154' |
    grep -q '66697273743d446176650a6c6173743d446f650a' &&
    echo "PASS view-uid-names: dave's room record has first=Dave last=Doe" >>"$OUT/verdict" ||
    echo "FAIL view-uid-names: no first=Dave last=Doe in a room record" >>"$OUT/verdict"
rc_verdict
