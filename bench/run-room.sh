#!/bin/sh
# run-room.sh - room fan-out: M members in one room, S senders saying K
# lines each at a paced rate; deliveries/s, send-to-delivered latency,
# lost lines, and the server's CPU per delivery.
#
# usage: run-room.sh			(settings from the environment)
#
#	MLIST="10 100 250 1000"	room sizes (members = users logged in)
#	SLIST="1 4"		senders per run (users 0 .. S-1)
#	K=50			lines per sender
#	RATE=10			lines per second per sender
#	REPS=3			repetitions of every run; medians printed
#	ROOM=50001		the room to join (a permanent room of the
#				seed), or "new": user 0 makes a temporary one
#	CONC=16			logins and joins in flight (loadclient -c)
#	PALD_HASH_COST=4	bcrypt cost of the benchmark accounts
#	BENCH_CACHE=/var/tmp/pald-bench	where the accounts are made once
#	KEEP=1			keep the temporary directory (logs)
#	PERF=/tmp/p		perf record -a -g of each send round into
#				/tmp/p.M.S.REP (root; perf report -i ...)
#
# Every run starts a fresh pald (-d -p 0 -W portfile -P pidfile) on a
# private copy of the account store, with a pald.conf that lifts the
# per-address and session limits and sets room_size 1000.  loadclient
# logs the M users in, joins them all to the room, and holds; the
# server's CPU (schedstat run time of the master and every child) is
# read, the S senders say their lines, the deliveries are drained, and
# the CPU is read again.  pald is stopped by the pid in its pidfile,
# that pid only, after every run and on any exit.  Only 127.0.0.1.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MLIST=${MLIST:-"10 100 250 1000"}
SLIST=${SLIST:-"1 4"}
K=${K:-50}
RATE=${RATE:-10}
REPS=${REPS:-3}
ROOM=${ROOM:-50001}
CONC=${CONC:-16}
prog=run-room.sh
. "$here/common.sh"

mmax=0
for m in $MLIST; do
	[ "$m" -gt "$mmax" ] && mmax=$m
done
[ "$mmax" -le 1000 ] || die "MLIST: a room has 1000 members at most"

workdir pald-room

accounts "$mmax"

cat >"$tmp/pald.conf" <<EOF
# run-room.sh: every bench connection comes from 127.0.0.1
max_per_address $((mmax + 64))
max_sessions $((mmax + 64))
max_prelogin $((mmax + 64))
max_prelogin_per_address $((mmax + 64))
room_size 1000
# the senders say K lines at RATE/s: above pald's default per-session
# message limit (60/min, burst 20), which would refuse most of them
message_rate 100000
message_burst 100000
join_rate 100000
categories $top/data/categories.txt
rooms $top/data/rooms.txt
EOF

# server_ns - run time in ns (schedstat) of the master and its children
server_ns() {
	m=$(cat "$tmp/pald.pid")
	{ echo "$m"; pgrep -P "$m"; } | sed 's|.*|/proc/&/schedstat|' |
	    xargs cat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# reps M S - one_run M S REP for REP = 1 .. REPS
reps() {
	rr=1
	while [ $rr -le "$REPS" ]; do
		one_run "$1" "$2" "$rr"
		rr=$((rr + 1))
	done
}

# one_run M S REP - pald up, loadclient, CPU, pald down; appends
# "dps p50 p99 max lost cpu_us_per_delivery client_us members"
one_run() {
	m=$1 s=$2 rep=$3
	plog=$tmp/pald.$m.$s.$rep.log
	out=$tmp/lc.$m.$s.$rep.out
	start_pald
	rm -f "$tmp/ready" "$tmp/done"
	# logins, O(M^2) join deltas; one join may wait minutes at M=1000
	# (each member's join is a 0x0137 to all before it), hence -t
	dl=$((m / 4 + m * m / 5000 + 120))
	"$LOADCLIENT" -q -p "$port" -n "$m" -c "$CONC" -P "$PREFIX" \
	    -w "$PASSWORD" -J "$ROOM" -s "$s" -k "$K" -m "$RATE" \
	    -H "$dl" -T "$dl" -t "$dl" -R "$tmp/ready" -E "$tmp/done" \
	    >"$out" 2>"$tmp/lc.$m.$s.$rep.err" &
	lcpid=$!
	wait_file "$tmp/ready" "$lcpid" $(( (dl + 10) * 10 ))
	c0=$(server_ns)
	load=$(cut -d' ' -f1 /proc/loadavg)
	if [ -n "${PERF:-}" ]; then
		perf record -q -a -g -o "$PERF.$m.$s.$rep" 2>/dev/null &
		perfpid=$!
	fi
	kill -USR1 "$lcpid" 2>/dev/null
	wait_file "$tmp/done" "$lcpid" $(( (dl + 10) * 10 ))
	c1=$(server_ns)
	if [ -n "${PERF:-}" ]; then
		kill -INT "$perfpid" 2>/dev/null
		wait "$perfpid" 2>/dev/null
	fi
	kill -USR1 "$lcpid" 2>/dev/null
	end_lc 300
	# the members leave one by one, each with a 0x0140 to all others
	# (O(M^2) for the last of them); let them, bounded, then stop pald
	pm=$(cat "$tmp/pald.pid")
	i=0
	while [ -n "$(pgrep -P "$pm")" ] && [ $i -lt $((300 + m)) ]; do
		sleep 0.2
		i=$((i + 1))
	done
	stop_pald
	f() { v=$(field "$1" "$out" round=room); echo "${v:--}"; }
	rcv=$(f received)
	cpd=-
	[ "$rcv" != - ] && [ "$rcv" -gt 0 ] && cpd=$(awk -v a="$c0" \
	    -v b="$c1" -v n="$rcv" 'BEGIN { printf "%.1f", (b - a) / n / 1000 }')
	printf 'M=%-4s S=%s rep %d: members %s  sent %s  deliveries %s/%s  ' \
	    "$m" "$s" "$rep" "$(f members)" "$(f sent)" "$rcv" "$(f expected)"
	printf 'lost %s  %s/s  p50 %s  p99 %s  max %s ms  ' "$(f lost)" \
	    "$(f deliveries_per_s)" "$(f p50_ms)" "$(f p99_ms)" "$(f max_ms)"
	printf 'server %s us/delivery  client %s us/delivery  (load %s)\n' \
	    "$cpd" "$(f client_cpu_us)" "$load"
	grep -h '^join' "$out" | grep -v ' fail=0 ' | sed 's/^/        /'
	echo "$(f deliveries_per_s) $(f p50_ms) $(f p99_ms) $(f max_ms)" \
	    "$(f lost) $cpd $(f client_cpu_us) $(f members)" \
	    >>"$tmp/results.$m.$s"
}

echo "pald $(cd "$top" && git rev-parse --short HEAD 2>/dev/null)," \
    "$(nproc) cores, room $ROOM, $K lines per sender at $RATE/s," \
    "$REPS repetitions; $(uptime)"
for m in $MLIST; do
	for s in $SLIST; do
		rm -f "$tmp/results.$m.$s"
		reps "$m" "$s"
	done
done

echo
echo "medians (of $REPS); $(uptime)"
printf '%-5s %3s %11s %8s %8s %8s %5s %12s %12s\n' M S deliveries/s \
    p50_ms p99_ms max_ms lost server_us/d client_us/d
for m in $MLIST; do
	for s in $SLIST; do
		f=$tmp/results.$m.$s
		[ -s "$f" ] || continue
		printf '%-5s %3s %11s %8s %8s %8s %5s %12s %12s\n' "$m" "$s" \
		    "$(col "$f" 1)" "$(col "$f" 2)" "$(col "$f" 3)" \
		    "$(col "$f" 4)" "$(col "$f" 5)" "$(col "$f" 6)" \
		    "$(col "$f" 7)"
	done
done
