#!/bin/sh
# run-crash.sh - the crash drill (issue 14, item 8): pald's processes
# killed with SIGKILL while clients chat and write, and what it cost.
#
# usage: run-crash.sh			(settings from the environment)
#
#	W=8		writers: sessions that write all through the drill
#	M=300		pals each writer adds, one a round (its writes)
#	K=20		kills of a writing session child, at random moments
#	REPS=3		drills; medians printed
#	BENCH_CACHE=/var/tmp/pald-bench	accounts, as run-login.sh
#	KEEP=1		keep the temporary directory (logs)
#
# One drill: a fresh pald on a private copy of the accounts (see
# common.sh), W writer sessions, each looping: a pal added (a write,
# for its first M rounds: answered by the pal list when stored, by a
# return code when not), a search (a read) and an IM to the next writer
# (delivered on line).  Meanwhile, in turn:
#   K times, a victim logs in and adds, removes and IMs (writes); at a
#	random point of that (after 1 to 40 of its pal lists) its session
#	child gets SIGKILL;
#   a store process ("pald: store"), the store keeper and the voice child
#	get SIGKILL;
# after each kill a probe logs in and adds a pal (its time from the
# kill to the write's answer is "write again": login included).  Then
# the writers stop: each that did not end by itself was disconnected.
# Last, the master gets SIGKILL; once every process of it is gone a new
# master starts on the same store; "login again" is the time from its
# start to the first login served.  Then pald stops, db5.3_verify checks
# every file, and every pal a writer had acknowledged must be in
# buddies.db.  Only 127.0.0.1 is used; only pids this script started,
# or pald's children found under its master's pid, are signalled.
#
# Printed per drill and as medians: disconnected (writers that lost
# their session), acked (pal adds acknowledged), lost (acknowledged, not
# stored), again_p50/again_max (ms, the probes after session kills),
# store_ms, keeper_ms, voice_ms (probes), panic (PANIC lines of both
# masters' logs), relogin_ms, verify (files db5.3_verify failed).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
W=${W:-8}
M=${M:-300}
K=${K:-20}
REPS=${REPS:-3}
H=${H:-$top/tests/h_client}
prog=run-crash.sh
. "$here/common.sh"
[ -x "$H" ] || die "$H: not built (cd $top && make tests/h_client)"
command -v db5.3_verify >/dev/null || die "db5.3_verify: missing"

workdir pald-crash
accounts $((W + K + 2 + 8 + M))
TGT=$W			# the off-line user every probe IMs
VIC0=$((W + 1))		# the victims, then the probes, then the pals
PROBE0=$((W + 1 + K))
PAL0=$((PROBE0 + 8))

cat >"$tmp/pald.conf" <<EOF
# run-crash.sh: no rate limit in the way of the writers, and every
# connection comes from 127.0.0.1
max_per_address 256
max_prelogin 256
max_prelogin_per_address 256
packet_rate 100000
packet_burst 100000
message_rate 100000
message_burst 100000
nonbuddy_im_rate 100000
limit_strikes 1000
categories $top/data/categories.txt
EOF

# ms - milliseconds since the epoch
ms() { date +%s%3N; }

# uids - "N uid" for every account PREFIX<N>, from the store's nicks.db
uids() {
	db5.3_dump -p -h "$tmp/db" nicks.db 2>/dev/null |
	    awk -v p=" $PREFIX" 'k != "" { sub(/.*uid=/, ""); print k, $0;
		k = ""; next }
		index($0, p) == 1 { k = substr($0, length(p) + 1) }' >"$tmp/uids"
}

# uid N - the uid of account PREFIX<N>
uid() { awk -v n="$1" '$1 == n { print $2; exit }' "$tmp/uids"; }

# master_kids - the current master's children, by pid
master_kids() { pgrep -P "$(cat "$tmp/pald.pid")"; }

# titled T - the master's children whose title starts with "pald: T"
titled() {
	for p in $(master_kids); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
		    grep -q "^pald: $1" && echo "$p"
	done
}

# until_line FILE PATTERN TENTHS - wait for a line, bounded; 1 if none
until_line() {
	i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$3" ] && return 1
		sleep 0.1
	done
}

# writer I - writer I's script, until $tmp/stop exists
writer() {
	me=$1
	nuid=$(eval echo "\$wuid_$(( ($1 + 1) % W ))")
	echo "login $PREFIX$me $PASSWORD"
	echo "echo READY"
	awk -v a="$PAL0" -v m="$M" '$1 >= a && $1 < a + m { print $2 }' \
	    "$tmp/uids" | sort -n >"$tmp/pals.$me"
	i=0
	while [ ! -e "$tmp/stop" ]; do
		[ $i -lt "$M" ] &&
		    printf 'add %s\nexpect 0x0043,0x0064\n' \
		    "$(sed -n "$((i + 1))p" "$tmp/pals.$me")"
		printf 'searchx %s%d\nexpect 0x0045,0xffbb\nim %s chat %d\ndrain 20\n' \
		    "$PREFIX" "$TGT" "$nuid" "$i"
		i=$((i + 1))
	done
	echo "echo DONE"
	echo "quit"
}

# probe N SINCE - a login and one write (a pal added) by PREFIX<N>;
# prints the ms from SINCE to the write's answer, or "-" if it failed
probe() {
	printf 'login %s%d %s\necho GO\nadd %s\nexpect 0x0043,0x0064\necho DONE\nquit\n' \
	    "$PREFIX" "$1" "$PASSWORD" "$tuid" |
	    "$H" -t 30 "$port" >"$tmp/probe.out" 2>&1
	if sed -n '/^GO/,/^DONE/p' "$tmp/probe.out" | grep -q 'RECV 0x0043'
	then
		echo $(( $(ms) - $2 ))
	else
		echo "-"
	fi
}

# victim N - a session that writes until killed
victim() {
	echo "login $PREFIX$1 $PASSWORD"
	i=0
	while [ $i -lt 2000 ]; do
		printf 'add %s\nexpect 0x0043\nremove %s\nexpect 0x0043\nim %s v%d-%d\n' \
		    "$tuid" "$tuid" "$tuid" "$1" "$i"
		i=$((i + 1))
	done
}

# kill_probe PID WHAT N - SIGKILL PID (a child of the master), then the
# probe's time
kill_probe() {
	[ -n "$1" ] || { echo "-"; return; }
	t0=$(ms)
	kill -KILL "$1"
	probe "$3" "$t0"
}

# one_drill REP - appends one line of figures to $tmp/figures
one_drill() {
	rep=$1
	plog=$tmp/pald.$rep.log
	load=$(cut -d' ' -f1 /proc/loadavg)
	rm -f "$tmp/stop" "$tmp"/w*.out "$tmp"/again
	start_pald
	uids
	tuid=$(uid "$TGT")
	[ -n "$tuid" ] || die "no uid for $PREFIX$TGT"
	for w in $(seq 0 $((W - 1))); do
		eval "wuid_$w=$(uid "$w")"
	done
	wpids=
	for w in $(seq 0 $((W - 1))); do
		writer "$w" | "$H" -t 600 "$port" >"$tmp/w$w.out" 2>&1 &
		wpids="$wpids $!"
	done
	for w in $(seq 0 $((W - 1))); do
		until_line "$tmp/w$w.out" LOGIN-OK 300 ||
		    die "writer $w did not log in (KEEP=1: $tmp)"
	done
	# K session children killed while they write
	k=0
	while [ $k -lt "$K" ]; do
		v=$((VIC0 + k))
		victim "$v" | "$H" -t 120 "$port" >"$tmp/v.out" 2>&1 &
		vpid=$!
		at=$(( $(od -An -N2 -tu2 /dev/urandom) % 40 + 1 ))
		i=0
		while [ "$(grep -c 'RECV 0x0043' "$tmp/v.out")" -lt "$at" ] &&
		    [ $i -lt 300 ]; do
			sleep 0.01
			i=$((i + 1))
		done
		pid=$(titled "$PREFIX$v ")
		kill_probe "$pid" session "$((PROBE0 + k % 4))" >>"$tmp/again"
		wait "$vpid" 2>/dev/null
		k=$((k + 1))
	done
	store_ms=$(kill_probe "$(titled store | head -1)" store "$((PROBE0 + 4))")
	keeper_ms=$(kill_probe "$(titled keeper)" keeper "$((PROBE0 + 5))")
	voice_ms=$(kill_probe "$(titled voice)" voice "$((PROBE0 + 6))")
	# the writers stop; one that does not end with DONE lost its session
	touch "$tmp/stop"
	for p in $wpids; do
		wait "$p" 2>/dev/null
	done
	disc=0
	for w in $(seq 0 $((W - 1))); do
		grep -q DONE "$tmp/w$w.out" || disc=$((disc + 1))
	done
	# the master: SIGKILL, its processes leave, a new one on the store
	old=$(master_kids | tr '\n' ' ')
	kill -KILL "$(cat "$tmp/pald.pid")"
	i=0
	while [ -n "$(ps -o pid= -p "${old:-0}" 2>/dev/null)" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	plog1=$plog
	plog=$tmp/pald.$rep.restart.log
	rm -f "$tmp/port" "$tmp/pald.pid"
	t0=$(ms)
	"$PALD" -d -f "$tmp/pald.conf" -h "$tmp/db" -r "$tmp/run" -p 0 \
	    -W "$tmp/port" -P "$tmp/pald.pid" >"$plog" 2>&1 &
	relogin=-
	i=0
	while [ $i -lt 300 ]; do
		if [ -s "$tmp/port" ]; then
			port=$(cat "$tmp/port")
			printf 'login %s%d %s\nquit\n' "$PREFIX" "$((PROBE0 + 7))" \
			    "$PASSWORD" | "$H" -t 5 "$port" >"$tmp/relogin.out" 2>&1
			if grep -q LOGIN-OK "$tmp/relogin.out"; then
				relogin=$(( $(ms) - t0 ))
				break
			fi
		fi
		sleep 0.05
		i=$((i + 1))
	done
	panic=$(cat "$plog1" "$plog" | grep -ci 'panic')
	stop_pald
	# every file verifies; every acknowledged IM is stored
	verify=0
	for f in "$tmp"/db/*.db; do
		db5.3_verify -h "$tmp/db" "$(basename "$f")" >/dev/null 2>&1 ||
		    verify=$((verify + 1))
	done
	db5.3_dump -p -h "$tmp/db" buddies.db 2>/dev/null |
	    sed -n 's/^ \(has:[0-9]*:[0-9]*\)$/\1/p' | sort >"$tmp/stored"
	# the i-th answer after READY (pal list or return code) is the i-th
	# add's; a pal list means stored
	for w in $(seq 0 $((W - 1))); do
		awk -v me="$(uid "$w")" -v m="$M" 'NR == FNR { pal[NR] = $1; next }
		    /^READY/ { on = 1; next }
		    on && /^RECV 0x0043/ && n < m { n++; printf "has:%010d:%010d\n", me, pal[n] }
		    on && /^RECV 0x0064/ && n < m { n++ }' \
		    "$tmp/pals.$w" "$tmp/w$w.out"
	done | sort >"$tmp/acked"
	acked=$(wc -l <"$tmp/acked")
	lost=$(comm -23 "$tmp/acked" "$tmp/stored" | wc -l)
	a50=$(grep -v -- - "$tmp/again" | median)
	amax=$(grep -v -- - "$tmp/again" | sort -g | tail -1)
	afail=$(grep -c -- - "$tmp/again")
	echo "$disc $acked $lost $a50 ${amax:--} $afail $store_ms $keeper_ms $voice_ms $panic $relogin $verify $load" |
	    tee -a "$tmp/figures"
}

echo "W=$W writers, K=$K session kills, REPS=$REPS"
echo "disc acked lost again_p50 again_max again_fail store_ms keeper_ms voice_ms panic relogin_ms verify load"
: >"$tmp/figures"
r=1
while [ $r -le "$REPS" ]; do
	one_drill "$r"
	r=$((r + 1))
done
printf 'medians: '
for c in 1 2 3 4 5 6 7 8 9 10 11 12; do
	printf '%s ' "$(col "$tmp/figures" $c)"
done
echo
