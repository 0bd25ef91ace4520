#!/bin/sh
#
# run-voice.sh - the voice relay benchmark: a private pald (voice port
# chosen by the kernel) on a scratch directory, then voicebench for one
# speaker and L = 10, 100 and 250 listeners, RUNS runs of UNITS units
# each (medians printed last).  127.0.0.1 only; every wait is bounded.
#
#	bench/run-voice.sh [RUNS [UNITS]]	(defaults 5 and 100)
#	LLIST="10 100 250"	the listener counts
#	PERF=file		perf record -g of the voice child (root)
#
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
units=${2:-100}
dir=$(mktemp -d /tmp/pald-voicebench.XXXXXX)
trap 'kill "$(cat "$dir/pald.pid" 2>/dev/null)" 2>/dev/null || :; rm -rf "$dir"' EXIT INT TERM

printf 'categories %s/data/categories.txt\nvoice_port 0\n' "$top" >"$dir/pald.conf"
"$top/pald" -d -f "$dir/pald.conf" -l 127.0.0.1 -p 0 -h "$dir/db" \
    -r "$dir/run" -P "$dir/pald.pid" -W "$dir/pald.port" \
    -w "$dir/voice.port" 2>"$dir/pald.log" &
i=0
until grep -q "voice: serving" "$dir/pald.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "pald did not start" >&2; exit 1; }
	sleep 0.05
done
vport=$(cat "$dir/voice.port")
echo "# $(uname -sr), $(nproc) cores; load before: $(uptime | sed 's/.*load/load/')"
room=61000
vpid=$(pgrep -P "$(cat "$dir/pald.pid")" -f 'pald: voice' | head -1)
if [ -n "${PERF:-}" ] && [ -n "$vpid" ]; then	# the voice child's profile
	perf record -q -g -p "$vpid" -o "$PERF" 2>/dev/null &
	perfpid=$!
fi
for l in ${LLIST:-10 100 250}; do
	room=$((room + 1))
	"$top/bench/voicebench" -p "$vport" -r "$dir/run" \
	    -M "$top/tests/h_member" -R "$room" -U $((2000000 + room * 1000)) \
	    -L "$l" -n "$units" -k "$runs" -T 300
done
[ -n "${perfpid:-}" ] && { kill -INT "$perfpid"; wait "$perfpid"; }
echo "# load after: $(uptime | sed 's/.*load/load/')"
n=$(grep -c "dropped [1-9]" "$dir/pald.log" || :)
echo "# voice connections that had drops: $n"
