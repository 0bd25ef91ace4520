#!/bin/sh
# run-stall.sh - stalled connections (issue 14): STALL connections from
# ADDRS source addresses (127.0.0.2 ..) that send nothing (HALF=1: half
# a header), opened again as pald closes them, against pald with its
# default caps, while N users log in from 127.0.0.1, CONC at a time.
# Prints the login rate and p99 of those users, the connections the
# stalled side had refused with a text or closed, and the log lines of
# the caps; medians of REPS.
#
#	STALL=1000 ADDRS=40 N=200 CONC=4 REPS=3 HALF=0
#	PALD_HASH_COST=4 BENCH_CACHE=/var/tmp/pald-bench KEEP=1
#
# CONC stays within the default max_prelogin_per_address (8): the
# users all come from 127.0.0.1, whose max_per_address is raised to hold
# all N (loadclient holds every connection).  Only the pald this script starts (its
# pidfile) and the stall client it starts (by pid) are ever signalled;
# only loopback is used.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
STALL=${STALL:-1000}
ADDRS=${ADDRS:-40}
N=${N:-200}
CONC=${CONC:-4}
REPS=${REPS:-3}
HALF=${HALF:-0}
prog=run-stall.sh
. "$here/common.sh"
[ -x "$here/stall" ] || die "$here/stall: not built (make -C bench)"

workdir pald-stall
accounts "$N"
# the default caps, but the users' N held connections from 127.0.0.1
cat >"$tmp/pald.conf" <<EOC
categories $top/data/categories.txt
max_per_address $((N + 64))
EOC
h=
[ "$HALF" = 1 ] && h=-h

echo "pald $(cd "$top" && git rev-parse --short HEAD 2>/dev/null)," \
    "$(nproc) cores, $STALL stalled connections from $ADDRS addresses," \
    "$N logins at $CONC in flight, bcrypt cost $PALD_HASH_COST"
r=1
while [ $r -le "$REPS" ]; do
	plog=$tmp/pald.$r.log
	load=$(cut -d' ' -f1 /proc/loadavg)
	start_pald
	dl=$((N / 5 + 60))
	"$here/stall" -p "$port" -k "$STALL" -a "$ADDRS" -d $((dl + 15)) $h \
	    >"$tmp/stall.$r.out" 2>&1 &
	spid=$!
	# the stalled side is in place once the pool has refused some
	i=0
	while ! grep -q 'refusing connections' "$plog" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	out=$tmp/lc.$r.out
	"$LOADCLIENT" -q -p "$port" -n "$N" -c "$CONC" -P "$PREFIX" \
	    -w "$PASSWORD" -H 1 -T "$dl" >"$out" 2>"$tmp/lc.$r.err" &
	lcpid=$!
	end_lc $(( (dl + 10) * 10 ))
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	stop_pald
	lps=$(field logins_per_s "$out" round=login)
	p99=$(field p99_ms "$out" round=login)
	fl=$(field fail "$out" round=login)
	caps=$(grep -c 'refusing connections' "$plog")
	first=$(grep -c 'nothing sent in' "$plog")
	printf 'rep %d: logins/s %s  p99 %s ms  fail %s  log: %s refusal ' \
	    "$r" "${lps:--}" "${p99:--}" "${fl:--}" "$caps"
	printf 'lines, %s first-frame closes  (load %s)\n' "$first" "$load"
	grep -h 'refusing connections' "$plog" | sed 's/^[^:]*: /        /' |
	    sort | uniq -c | sort -rn | head -3
	echo "        $(cat "$tmp/stall.$r.out" 2>/dev/null)"
	echo "${lps:--} ${p99:--} ${fl:--}" >>"$tmp/results"
	r=$((r + 1))
done
echo
echo "medians of $REPS: logins/s $(col "$tmp/results" 1)" \
    "p99 $(col "$tmp/results" 2) ms fail $(col "$tmp/results" 3)" \
    "(target: p99 <= 1000 ms)"
