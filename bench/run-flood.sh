#!/bin/bash
# run-flood.sh - issue 14's flood probe: one hostile address (127.0.0.1)
# for SECS seconds against pald with its default log_rate, doing in turn
# what a client can do to fill a log: bad frames and joins of a missing
# room from a logged-in session, a packet flood, lying (oversize)
# headers, wrong passwords, voice connections with a bad handshake and
# datagrams and connections at the relay's ports.  Counts the log lines
# about the address (and every line after start-up); the issue's target
# is <= 10 a minute.  Medians of REPS.
#
#	SECS=60 REPS=3 KEEP=1
#
# Needs tests/h_client (make check builds it) and bash (/dev/tcp,
# /dev/udp).  Each run's loop is bounded in time (SECS) and count
# (MAXROUNDS); only loopback; only the pald this script starts (its
# pidfile) is signalled.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
SECS=${SECS:-60}
REPS=${REPS:-3}
MAXROUNDS=${MAXROUNDS:-100000}
H=$top/tests/h_client
prog=run-flood.sh
PALD=${PALD:-$top/pald}

die() { echo "$prog: $*" >&2; exit 1; }
[ -x "$PALD" ] || die "$PALD: not built (cd $top && make)"
[ -x "$H" ] || die "$H: not built (cd $top && make check, or make tests/h_client)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pald-flood.XXXXXX") || exit 1
# stop - TERM the pid in our pidfile, that one only; bounded wait
stop() {
	[ -s "$tmp/pald.pid" ] || return 0
	pid=$(cat "$tmp/pald.pid")
	kill -TERM "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -f "$tmp/pald.pid"
}
cleanup() {
	stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start - a fresh store with mallory, pald on kernel-chosen ports
start() {
	rm -rf "$tmp/db" "$tmp/run" "$tmp/port" "$tmp/vport" "$tmp/pald.pid"
	mkdir -p "$tmp/db" "$tmp/run"
	echo mallory-pw | PALD_HASH_COST=4 "$top/palpasswd" -h "$tmp/db" \
	    -p -c mallory >/dev/null || die "palpasswd"
	base=$((20000 + $$ % 1000 * 20))
	cat >"$tmp/pald.conf" <<EOC
categories $top/data/categories.txt
rooms $top/data/rooms.txt
hash_cost 4
voice_port 0
p2p_port $base
EOC
	"$PALD" -d -f "$tmp/pald.conf" -h "$tmp/db" -r "$tmp/run" -l 127.0.0.1 \
	    -p 0 -W "$tmp/port" -w "$tmp/vport" -P "$tmp/pald.pid" \
	    >"$plog" 2>&1 &
	i=0
	while ! grep -q 'voice: serving' "$plog" 2>/dev/null &&
	    [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$tmp/port" ] && [ -s "$tmp/vport" ] ||
	    die "pald did not start; see $plog (KEEP=1)"
	port=$(cat "$tmp/port")
	vport=$(cat "$tmp/vport")
}

# the hostile client's scripts
bad_session() {
	echo "login mallory mallory-pw"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo "join 99999"
		echo "send 0x7123 00"
		echo "send -450 00"
		echo "send -20"
		echo "send -310 01"
	done
	echo "close"
}
packet_flood() {
	echo "login mallory mallory-pw"
	for i in $(seq 1 400); do echo "send -160"; done
	echo "close"
}
hello=$(printf '\\x00\\x01\\x86\\x9f\\x00\\x0f\\x42\\x42')	# room 99999

round() {
	case $(($1 % 6)) in
	0) bad_session | "$H" -t 5 "$port" >/dev/null 2>&1 ;;
	1) packet_flood | "$H" -t 5 "$port" >/dev/null 2>&1 ;;
	2) echo "sendraw ff9c0047fff0" | "$H" -t 5 "$port" \
	    >/dev/null 2>&1 ;;
	3) echo "login mallory wrong-$1" | "$H" -t 5 "$port" \
	    >/dev/null 2>&1 ;;
	4) for i in 1 2 3 4 5; do
		{ exec 3<>"/dev/tcp/127.0.0.1/$vport" &&
		    printf "$hello" >&3 && exec 3>&-; } 2>/dev/null
		{ exec 3<>"/dev/tcp/127.0.0.1/$vport" &&
		    printf 'GET / HTTP/1.0\r\n\r\n' >&3 && exec 3>&-; } \
		    2>/dev/null
	   done ;;
	5) for i in 0 1 2 3 4 5 6 7; do
		{ printf 'stray' >"/dev/udp/127.0.0.1/$((base + i))"; } \
		    2>/dev/null
		{ exec 3<>"/dev/tcp/127.0.0.1/$((base + i))" &&
		    exec 3>&-; } 2>/dev/null
	   done ;;
	esac
}

echo "pald $(cd "$top" && git rev-parse --short HEAD 2>/dev/null)," \
    "$(nproc) cores, one address for $SECS s, default log_rate"
r=1
while [ "$r" -le "$REPS" ]; do
	plog=$tmp/pald.$r.log
	load=$(cut -d' ' -f1 /proc/loadavg)
	start
	from=$(wc -l <"$plog")
	end=$((SECONDS + SECS))
	n=0
	while [ $SECONDS -lt $end ] && [ $n -lt "$MAXROUNDS" ]; do
		round "$n"
		n=$((n + 1))
	done
	# the window's summary comes when it ends: wait for it, bounded
	i=0
	while ! grep -q 'suppressed' "$plog" && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	addr=$(grep -c '\[127\.0\.0\.1\]' "$plog")
	all=$(($(wc -l <"$plog") - from))
	held=$(sed -n 's/.*\[127\.0\.0\.1\]: \([0-9]*\) more lines.*/\1/p' \
	    "$plog" | awk '{ s += $1 } END { print s + 0 }')
	echo "run $r: $n rounds, $addr lines about the address," \
	    "$all lines in all, $held held back (load $load)"
	echo "$addr $all $held $n" >>"$tmp/results"
	stop
	r=$((r + 1))
done
med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "median: $(cut -d' ' -f1 "$tmp/results" | med) lines about the" \
    "address, $(cut -d' ' -f2 "$tmp/results" | med) in all," \
    "$(cut -d' ' -f3 "$tmp/results" | med) held back," \
    "$(cut -d' ' -f4 "$tmp/results" | med) rounds"
