#!/bin/sh
# run-floor.sh - the floor of pald's process design on this machine
# (floor.c: the same processes and system calls with nothing of pald in
# them), REPS runs of each, medians.  Compare with run-login.sh,
# run-room.sh and run-voice.sh run just before or after.
#
# usage: run-floor.sh			(settings from the environment)
#
#	REPS=3			runs of each
#	NCONN=2000		fork: connections per run
#	MLIST="250"		fanout: members
#	LLIST="10 100 250"	relay: listeners
#	K=30			fanout: lines (one each 100 ms)
#	UNITS=100		relay: units (one each 80 ms)
#
# Only 127.0.0.1; every process floor starts is its own child.
set -u

here=$(cd "$(dirname "$0")" && pwd)
FLOOR=${FLOOR:-$here/floor}
REPS=${REPS:-3}
NCONN=${NCONN:-2000}
MLIST=${MLIST:-250}
LLIST=${LLIST:-"10 100 250"}
K=${K:-30}
UNITS=${UNITS:-100}

[ -x "$FLOOR" ] || { echo "run-floor.sh: $FLOOR: not built (make -C bench)" >&2; exit 1; }

# med FIELD - the median of FIELD=value over the lines on stdin
med() {
	sed -n "s/.*$1=\([0-9.]*\).*/\1/p" | sort -n |
	    awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}

# runs ARGS... - REPS runs of floor ARGS, each line printed, kept in $out
runs() {
	out=$(i=1; while [ $i -le "$REPS" ]; do
		timeout 300 "$FLOOR" "$@" || echo "floor $* failed" >&2
		i=$((i + 1))
	done)
	echo "$out"
}

echo "floor, $(nproc) cores, $REPS runs each, load $(cut -d' ' -f1 /proc/loadavg)"
runs fork -n "$NCONN"
echo "median fork: $(echo "$out" | med server_us_per_connection) us per connection"
for m in $MLIST; do
	runs fanout -m "$m" -k "$K"
	echo "median fanout m=$m: p50 $(echo "$out" | med p50_ms) ms" \
	    " p99 $(echo "$out" | med p99_ms) ms" \
	    " server $(echo "$out" | med server_us) us/delivery"
done
for l in $LLIST; do
	runs relay -l "$l" -k "$UNITS"
	echo "median relay l=$l: p50 $(echo "$out" | med p50_ms) ms" \
	    " p99 $(echo "$out" | med p99_ms) ms" \
	    " relay $(echo "$out" | med server_us) us/unit"
done
echo "load $(cut -d' ' -f1 /proc/loadavg)"
