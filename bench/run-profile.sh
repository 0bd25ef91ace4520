#!/bin/sh
# run-profile.sh - where a login's CPU goes, phase by phase: pald with
# phases.so preloaded (see phases.c), N logins of loadclient at each
# concurrency of CLIST, REPS runs each; the medians of the per-login
# figures of the runs, as a table.
#
# usage: run-profile.sh			(settings from the environment)
#
#	N=200			logins per run (the accounts bench0..)
#	CLIST="1 4 16"		logins in flight (loadclient -c)
#	REPS=3			runs of each; medians
#	PHASES=1		0: plain pald, no phases.so (the total only:
#				what the wrappers themselves cost)
#	PERF=			cpu: perf record -a of each run's logins
#				(cpu-clock, 999 Hz, DWARF call graphs);
#				sched: the same of sched:sched_switch (where
#				processes go to sleep); into $tmp/perf.C.REP
#				(KEEP=1 keeps it); perfcat.awk's table of
#				each run is printed and kept as perf.C.REP.txt
#	PALD_HASH_COST=4	bcrypt cost of the accounts
#	BENCH_CACHE=/var/tmp/pald-bench	the accounts, made once
#	KEEP=1			keep the temporary directory (logs)
#
# Each run: a fresh pald (as in run-login.sh) with LD_PRELOAD=phases.so
# and PHASES_LOG; loadclient logs N in, C at a time, holds them 1 s and
# closes them; once every session child is reaped the CPU of the master
# (schedstat), of the store keeper (schedstat) and of the reaped
# children (the master's cutime+cstime) is read and pald is stopped by
# its pid (the master writes its F and R lines as it exits).  The
# per-login figures: phases.awk.  Only 127.0.0.1; only pids this script
# started are signalled.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
N=${N:-200}
CLIST=${CLIST:-"1 4 16"}
REPS=${REPS:-3}
PHASES=${PHASES:-1}
prog=run-profile.sh
. "$here/common.sh"
[ -f "$here/phases.so" ] || die "$here/phases.so: not built (make -C bench)"

workdir pald-prof
trap 'perf_stop; cleanup' EXIT
accounts "$N"

cat >"$tmp/pald.conf" <<EOF
# run-profile.sh: every bench connection comes from 127.0.0.1
max_per_address 16384
max_sessions 16384
max_prelogin 16384
max_prelogin_per_address 16384
categories $top/data/categories.txt
EOF

HZ=$(getconf CLK_TCK)

# sched_ns PID - ns PID has run (schedstat), 0 if it is gone
sched_ns() {
	[ -n "$1" ] && cut -d' ' -f1 "/proc/$1/schedstat" 2>/dev/null || echo 0
}

# own_children_ns PID - utime+stime and cutime+cstime of PID, in ns
stat_ns() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk -v hz="$HZ" '{
		printf "%.0f\n", ($12 + $13 + $14 + $15) * 1e9 / hz }'
}

PERF=${PERF:-}
perfpid=
# perf_start FILE - perf record -a into FILE while the logins run
perf_start() {
	case $PERF in
	cpu)	set -- -e cpu-clock -F 999 --call-graph dwarf,16384 -o "$1" ;;
	sched)	set -- -e sched:sched_switch --call-graph dwarf,8192 \
		    -m 4096 -o "$1" ;;
	'')	return 0 ;;
	*)	die "PERF=$PERF: cpu or sched" ;;
	esac
	perf record -q -a "$@" \
	    >"$tmp/perf.out" 2>&1 &
	perfpid=$!
	sleep 0.5		# perf is recording before the logins start
}

# perf_stop - SIGINT to the perf this script started (it writes and ends)
perf_stop() {
	[ -n "$perfpid" ] || return 0
	kill -INT "$perfpid" 2>/dev/null
	wait "$perfpid" 2>/dev/null
	perfpid=
}

# perfcat C REP - the run's perf samples by phase (perfcat.awk)
perfcat() {
	f=$tmp/perf.$1.$2
	set -- $(cat "$tmp/pids.$1.$2") && eval "$1 $2 $3"
	if [ "$PERF" = cpu ]; then
		perf script -i "$f" --comm pald -F pid,ip,sym,dso 2>/dev/null
	else
		perf script -i "$f" -F pid,time,trace,ip,sym,dso 2>/dev/null
	fi | awk -v master="$master" -v keeper="$keeper" -v voice="$voice" \
	    -v logins="$ok" -v hz=999 -f "$here/perfcat.awk" >"$f.txt"
	sed 's/^/        /' "$f.txt"
}

# one_run C REP - pald up (with phases.so), loadclient, pald down;
# appends the run's rows to $tmp/rows.C and its totals to $tmp/tot.C
one_run() {
	c=$1 rep=$2
	plog=$tmp/pald.$c.$rep.log
	log=$tmp/phases.$c.$rep.log
	load=$(cut -d' ' -f1 /proc/loadavg)
	rm -f "$log"
	if [ "$PHASES" = 1 ]; then
		LD_PRELOAD=$here/phases.so PHASES_LOG=$log
		export LD_PRELOAD PHASES_LOG
	fi
	start_pald
	unset LD_PRELOAD PHASES_LOG
	m=$(cat "$tmp/pald.pid")
	kp=$(pgrep -P "$m" -f store | head -1)
	vp=$(pgrep -P "$m" -f voice | head -1)
	echo "master=$m keeper=$kp voice=$vp" >"$tmp/pids.$c.$rep"
	m0=$(sched_ns "$m") k0=$(sched_ns "$kp") s0=$(stat_ns "$m")
	out=$tmp/lc.$c.$rep.out
	dl=$((N / 2 + 120))
	perf_start "$tmp/perf.$c.$rep"
	"$LOADCLIENT" -q -p "$port" -n "$N" -c "$c" -P "$PREFIX" \
	    -w "$PASSWORD" -H 1 -T "$dl" >"$out" 2>"$tmp/lc.$c.$rep.err" &
	lcpid=$!
	end_lc $(( (dl + 10) * 10 ))
	i=0
	while [ -n "$(pgrep -P "$m" | grep -vx -e "${kp:-0}" -e "${vp:-0}")" ] &&
	    [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1.2		# the master reaps on its next poll wakeup
	perf_stop
	m1=$(sched_ns "$m") k1=$(sched_ns "$kp") s1=$(stat_ns "$m")
	stop_pald
	ok=$(field ok "$out" round=login)
	lps=$(field logins_per_s "$out" round=login)
	p50=$(field p50_ms "$out" round=login)
	p99=$(field p99_ms "$out" round=login)
	[ "${ok:-0}" -gt 0 ] || { echo "C=$c rep $rep: no login"; return; }
	# the server's CPU per login from /proc alone: the master's own
	# and its reaped children's (as run-login.sh), and the keeper's
	tot=$(awk -v s="$((s1 - s0))" -v k="$((k1 - k0))" -v n="$ok" \
	    'BEGIN { printf "%.2f %.2f", s / n / 1e6, (s + k) / n / 1e6 }')
	echo "$tot $lps $p50 $p99" >>"$tmp/tot.$c"
	printf 'C=%-3s rep %d: ok %s  %s logins/s  p50 %s ms  p99 %s ms  ' \
	    "$c" "$rep" "$ok" "${lps:--}" "${p50:--}" "${p99:--}"
	printf 'CPU/login %s ms (+keeper %s)  (load %s)\n' ${tot} "$load"
	[ -n "$PERF" ] && [ -s "$tmp/perf.$c.$rep" ] && perfcat "$c" "$rep"
	[ "$PHASES" = 1 ] || return 0
	awk -v master_ns="$((m1 - m0))" -v keeper_ns="$((k1 - k0))" \
	    -f "$here/phases.awk" "$log" >"$tmp/ph.$c.$rep" || return 0
	grep -v '^row' "$tmp/ph.$c.$rep" | sed 's/^/        /'
	grep '^row' "$tmp/ph.$c.$rep" >>"$tmp/rows.$c"
}

# table C - the medians of the runs' rows of concurrency C
table() {
	f=$tmp/rows.$1
	[ -s "$f" ] || return 0
	awk '
	function med(s,    v, k, t) {
		k = split(s, v, " ")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
	}
	{
		if (!($2 in col)) order[++nr] = $2
		col[$2] = 1
		for (c = 3; c <= 11; c++) val[$2, c] = val[$2, c] " " $c
	}
	END {
		for (r = 1; r <= nr; r++) { m[r] = med(val[order[r], 5]); tot += m[r] }
		printf "%-9s %7s %7s %7s %6s | %7s %8s %8s %8s | %6s %5s\n",
		    "phase", "getuin", "login", "total", "share", "delay",
		    "blk_gu", "blk_lg", "mwait", "faults", "calls"
		for (r = 1; r <= nr; r++) {
			n = order[r]
			printf "%-9s %7.3f %7.3f %7.3f %5.1f%% | %7.3f %8.3f %8.3f %8.3f | %6.0f %5.1f\n",
			    n, med(val[n, 3]), med(val[n, 4]), m[r],
			    (tot > 0 ? 100 * m[r] / tot : 0), med(val[n, 6]),
			    med(val[n, 7]), med(val[n, 8]), med(val[n, 9]),
			    med(val[n, 10]), med(val[n, 11])
		}
		printf "%-9s %8s %8s %8.3f\n", "sum", "", "", tot
	}' "$f"
}

echo "pald $(cd "$top" && git rev-parse --short HEAD 2>/dev/null)," \
    "$(nproc) cores, N=$N, bcrypt cost $PALD_HASH_COST, $REPS runs," \
    "phases.so $([ "$PHASES" = 1 ] && echo on || echo off)"
for c in $CLIST; do
	rm -f "$tmp/rows.$c" "$tmp/tot.$c"
	r=1
	while [ $r -le "$REPS" ]; do
		one_run "$c" "$r"
		r=$((r + 1))
	done
done
echo
for c in $CLIST; do
	f=$tmp/tot.$c
	[ -s "$f" ] || continue
	echo "C=$c medians: CPU/login $(col "$f" 1) ms" \
	    "(+keeper $(col "$f" 2) ms), $(col "$f" 3) logins/s," \
	    "p50 $(col "$f" 4) ms, p99 $(col "$f" 5) ms"
	[ "$PHASES" = 1 ] && table "$c"
	echo
done
echo "getuin, login, total: ms of CPU per login in the GET_UIN child, the"
echo "LOGIN child, both (fork, master, keeper: those processes); delay,"
echo "blk_gu, blk_lg, mwait: ms of wall time per login, waiting for a CPU,"
echo "blocked in the GET_UIN and in the LOGIN child, in BDB mutexes (see"
echo "phases.awk); faults and calls per login.  Load at the end" \
    "$(cut -d' ' -f1 /proc/loadavg)"
