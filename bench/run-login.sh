#!/bin/sh
# run-login.sh - login throughput, login latency, memory per logged-in
# client, and the time to log everybody in again, for pald on loopback.
#
# usage: run-login.sh			(settings from the environment)
#
#	NLIST="1000 5000"	held-login runs: N users each
#	RC_N=10000		the reconnect run (capped, see below; 0: none)
#	REPS=3			repetitions of every run; medians printed
#	RC_REPS=$REPS		repetitions of the reconnect run
#	CONC=16			logins in flight (loadclient -c)
#	MAX_SESSIONS=16384	pald.conf max_sessions and max_per_address
#				(16384 = PALD_MAX_SESSIONS, the table's size)
#	SETTLE=7		seconds between "all logged in" and the
#				memory reading (a child quiet for 5 s has
#				given back its store: pald.c IDLE_SECS)
#	DEADLINE=		loadclient -T, seconds; by default n/5 + 120
#				per login round (5 logins/s at the least)
#	PALD_HASH_COST=4	bcrypt cost of the benchmark accounts
#	BENCH_CACHE=/var/tmp/pald-bench	where the accounts are made once
#	KEEP=1			keep the temporary directory (logs)
#	CONF_EXTRA=		more pald.conf lines, e.g. "store_processes 3"
#
# Every run starts a fresh pald (-d -p 0 -W portfile -P pidfile) on a
# private copy of the account store and a private run directory under a
# temporary directory, with a pald.conf that lifts the per-address limit
# (every bench connection comes from 127.0.0.1).  While all N connections
# are held, the Pss of /proc/PID/smaps_rollup is summed over the master
# and its children (pgrep -P) and divided by the number of held clients.
# pald is stopped by the pid in its pidfile, that pid only, at the end of
# every run and on any exit (trap).  Only 127.0.0.1 is used.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
NLIST=${NLIST:-"1000 5000"}
RC_N=${RC_N:-10000}
REPS=${REPS:-3}
RC_REPS=${RC_REPS:-$REPS}
CONC=${CONC:-16}
MAX_SESSIONS=${MAX_SESSIONS:-16384}
SETTLE=${SETTLE:-7}
DEADLINE=${DEADLINE:-}
prog=run-login.sh
. "$here/common.sh"
"$LOADCLIENT" -S >/dev/null || die "loadclient self test failed"

# The reconnect run holds RC_N connections and has CONC more in flight;
# the table has MAX_SESSIONS slots.  Above that, use the largest N that
# fits and say so.
rc_cap=$((MAX_SESSIONS - 2 * CONC))
RC_EFF=$RC_N
if [ "$RC_N" -gt "$rc_cap" ]; then
	echo "note: RC_N=$RC_N does not fit max_sessions $MAX_SESSIONS" \
	    "(PALD_MAX_SESSIONS caps it); reconnect run uses N=$rc_cap"
	RC_EFF=$rc_cap
fi
nmax=$RC_EFF
for n in $NLIST; do
	[ "$n" -gt "$nmax" ] && nmax=$n
done

workdir pald-bench

# --- the accounts, made once in the cache (palpasswd is ~60 ms each) ---
accounts "$nmax"

cat >"$tmp/pald.conf" <<EOF
# run-login.sh: every bench connection comes from 127.0.0.1
max_per_address $MAX_SESSIONS
max_sessions $MAX_SESSIONS
max_prelogin $MAX_SESSIONS
max_prelogin_per_address $MAX_SESSIONS
categories $top/data/categories.txt
${CONF_EXTRA:-}
EOF

# pss - "processes KiB": Pss summed over the master and its children
pss() {
	m=$(cat "$tmp/pald.pid")
	{ echo "$m"; pgrep -P "$m"; } | sed 's|.*|/proc/&/smaps_rollup|' |
	    xargs cat 2>/dev/null |
	    awk '/^Pss:/ { s += $2; n++ } END { printf "%d %d\n", n, s }'
}

# busy PID - the children of the master PID that serve a client (not
# the pool's idle ones, the store keeper or the voice child)
busy() {
	for p in $(pgrep -P "$1"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
		    grep -qv '^pald: \(idle\|store\|keeper\|voice\)' && echo "$p"
	done
}

# cpu_ms PID - CPU of PID and its reaped children (its stat, in clock
# ticks, summed exactly by the kernel as they are reaped), plus that of
# its live children (the pool's idle children stay up): their schedstat
# run time in ns (a stat in ticks would round each child's few ms down)
cpu_ms() {
	own=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk -v hz="$HZ" '{
		printf "%d\n", ($12 + $13 + $14 + $15) * 1000 / hz }')
	[ -n "$own" ] || return 0
	kids=$(pgrep -P "$1" | sed 's|.*|/proc/&/schedstat|' |
	    xargs cat 2>/dev/null | awk '{ t += $1 } END { printf "%d\n",
		t / 1000000 }')
	echo $((own + ${kids:-0}))
}
HZ=$(getconf CLK_TCK)

# one_run N REP RECONNECT - pald up, loadclient, memory, pald down;
# appends "lps p50 p99 fail pss_kib procs held [rc_s rc_ok rc_fail]"
one_run() {
	n=$1 rep=$2 rc=$3
	plog=$tmp/pald.$n.$rep.log
	load=$(cut -d' ' -f1 /proc/loadavg)
	start_pald
	vpid=$(pgrep -P "$(cat "$tmp/pald.pid")" -f voice)
	base=$(pss)
	cpu0=$(cpu_ms "$(cat "$tmp/pald.pid")")
	out=$tmp/lc.$n.$rep.out
	rm -f "$tmp/ready"
	dl=$DEADLINE
	if [ -z "$dl" ]; then
		dl=$((n / 5 + 120))
		[ -n "$rc" ] && dl=$((2 * dl))
	fi
	"$LOADCLIENT" -q -p "$port" -n "$n" -c "$CONC" -P "$PREFIX" \
	    -w "$PASSWORD" -H "$dl" -T "$dl" -R "$tmp/ready" \
	    $rc >"$out" 2>"$tmp/lc.$n.$rep.err" &
	lcpid=$!
	i=0 limit=$(( (dl + 10) * 5 ))
	while [ ! -s "$tmp/ready" ] && kill -0 "$lcpid" 2>/dev/null &&
	    [ $i -lt $limit ]; do
		sleep 0.2
		i=$((i + 1))
	done
	mem="0 0"
	if [ -s "$tmp/ready" ]; then
		sleep "$SETTLE"
		mem=$(pss)
		kill -USR1 "$lcpid" 2>/dev/null
	fi
	end_lc $((limit * 2))
	# every session over: the pool's children idle again, the rest
	# reaped (cpu_ms counts both; the voice child and the pool's spares
	# stay up until pald stops)
	m=$(cat "$tmp/pald.pid")
	i=0
	while [ -n "$(busy "$m")" ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1.2		# the master reaps on its next poll wakeup
	cpu=$(cpu_ms "$m")
	[ -n "$cpu" ] && [ -n "$cpu0" ] && cpu=$((cpu - cpu0))
	stop_pald
	lps=$(field logins_per_s "$out" round=login)
	p50=$(field p50_ms "$out" round=login)
	p99=$(field p99_ms "$out" round=login)
	fl=$(field fail "$out" round=login)
	held=$(field held "$out" hold)
	set -- $mem
	procs=$1 kib=$2
	per=-
	[ "${held:-0}" -gt 0 ] && per=$(awk -v k="$kib" -v h="$held" \
	    'BEGIN { printf "%.1f", k / h }')
	logins=$(awk '/^round=/ { for (i = 1; i <= NF; i++)
		if ($i ~ /^ok=/) s += substr($i, 4) } END { print s + 0 }' "$out")
	cpl=-
	[ -n "$cpu" ] && [ "$logins" -gt 0 ] && cpl=$(awk -v c="$cpu" \
	    -v l="$logins" 'BEGIN { printf "%.1f", c / l }')
	line="${lps:--} ${p50:--} ${p99:--} ${fl:--} $per $procs ${held:-0}"
	line="$line $cpl"
	printf 'N=%-5s rep %d: logins/s %s  p50 %s ms  p99 %s ms  fail %s  ' \
	    "$n" "$rep" "${lps:--}" "${p50:--}" "${p99:--}" "${fl:--}"
	printf 'held %s  procs %s  PSS %s KiB (idle pald %s KiB)  ' \
	    "${held:-0}" "$procs" "$kib" "$(echo "$base" | cut -d' ' -f2)"
	printf 'PSS/client %s KiB  server CPU/login %s ms  (load %s)\n' \
	    "$per" "$cpl" "$load"
	if [ -n "$rc" ]; then
		rs=$(field seconds "$out" reconnect)
		rok=$(field ok "$out" reconnect)
		rlps=$(field logins_per_s "$out" round=reconnect)
		rp99=$(field p99_ms "$out" round=reconnect)
		rfl=$(field fail "$out" round=reconnect)
		line="$line ${rs:--} ${rok:--} ${rfl:--}"
		printf '        reconnect of %s: %s s, ok %s, fail %s,' \
		    "$n" "${rs:--}" "${rok:--}" "${rfl:--}"
		printf ' %s logins/s, p99 %s ms\n' "${rlps:--}" "${rp99:--}"
	fi
	grep -h '^failures:' "$out" | grep -v none | sed 's/^/        /'
	echo "$line" >>"$tmp/results.$n"
}

echo "pald $(cd "$top" && git rev-parse --short HEAD 2>/dev/null)," \
    "$(nproc) cores, concurrency $CONC, bcrypt cost $PALD_HASH_COST," \
    "$REPS repetitions"
for n in $NLIST; do
	rm -f "$tmp/results.$n"
	r=1
	while [ $r -le "$REPS" ]; do
		one_run "$n" "$r" ""
		r=$((r + 1))
	done
done
rm -f "$tmp/results.$RC_EFF"
r=1
[ "$RC_EFF" -gt 0 ] || RC_REPS=0
while [ $r -le "$RC_REPS" ]; do
	one_run "$RC_EFF" "$r" "-r"
	r=$((r + 1))
done

echo
echo "medians (of $REPS; reconnect of $RC_REPS)"
printf '%-6s %10s %9s %9s %6s %14s %13s\n' N logins/s p50_ms p99_ms fail \
    PSS/client_KiB CPU/login_ms
for n in $NLIST $RC_EFF; do
	[ "$n" -gt 0 ] || continue
	f=$tmp/results.$n
	[ -s "$f" ] || continue
	printf '%-6s %10s %9s %9s %6s %14s %13s\n' "$n" "$(col "$f" 1)" \
	    "$(col "$f" 2)" "$(col "$f" 3)" "$(col "$f" 4)" "$(col "$f" 5)" \
	    "$(col "$f" 8)"
done
f=$tmp/results.$RC_EFF
if [ "$RC_EFF" -gt 0 ] && [ -s "$f" ]; then
	echo "reconnect of $RC_EFF: median $(col "$f" 9) s" \
	    "(target: 10000 within 30 s), ok $(col "$f" 10)," \
	    "fail $(col "$f" 11)"
fi
