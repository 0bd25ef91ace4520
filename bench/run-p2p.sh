#!/bin/sh
#
# run-p2p.sh - the relay of calls and files (relay.c) timed: a private
# pald (voice port chosen by the kernel, relay ports from 21000, file_rate
# 0, file_max 2 GiB), 2 x CALLS accounts; tests/h_client logs each pair
# in from 127.0.0.2 and sets up a relayed call (-450, -449, 0x01c1 to
# both), then p2pbench sends and times the audio of all the calls at
# once (RUNS runs of UNITS units per side, medians last), and the same
# packets sent straight to the other side (-d, the baseline).  Then RUNS
# transfers of MIB MiB, each set up by a fresh pair (-445, -444 with
# port 2090, 0x01bc), timed by p2pbench, with the voice child's RSS
# before, at its highest during, and after.  Loopback only; every wait is
# bounded.  P2P_DUMP=file: the relayed units' send times and latencies
# (p2pbench -o); PALD=binary: another pald (A/B runs); P2PBENCH=binary:
# another p2pbench.
#
#	bench/run-p2p.sh [CALLS [RUNS [UNITS [MIB]]]]	(100 3 200 200)
#
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
calls=${1:-100}
runs=${2:-3}
units=${3:-200}
mib=${4:-200}
dir=$(mktemp -d /tmp/pald-p2pbench.XXXXXX)
pids=
trap 'kill $pids "$(cat "$dir/pald.pid" 2>/dev/null)" 2>/dev/null || :; rm -rf "$dir"' EXIT INT TERM
pbench=${P2PBENCH:-$top/bench/p2pbench}
hc() { "$top/tests/h_client" -s 127.0.0.2 -t "$1" "$(cat "$dir/pald.port")"; }

"$top/bench/mkusers.sh" -h "$dir/db" -n $((2 * calls + 2)) -P pb >/dev/null
printf 'categories %s/data/categories.txt\nvoice_port 0\np2p_port 21000\nfile_rate 0\nfile_max 2147483647\nmax_per_address 1000\nmax_prelogin_per_address 1000\n' \
    "$top" >"$dir/pald.conf"
"${PALD:-$top/pald}" -d -f "$dir/pald.conf" -l 127.0.0.1 -p 0 -h "$dir/db" \
    -r "$dir/run" -P "$dir/pald.pid" -W "$dir/pald.port" \
    -w "$dir/voice.port" 2>"$dir/pald.log" &
i=0
until grep -q "voice: serving" "$dir/pald.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "pald did not start" >&2; exit 1; }
	sleep 0.05
done
vpid=$(pgrep -P "$(cat "$dir/pald.pid")" -f 'pald: voice' | head -1)
rss() { sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$vpid/status"; }
echo "# $(uname -sr), $(nproc) cores; load before: $(uptime | sed 's/.*load/load/')"

# sides SIDE WHAT - one h_client per call, in the background, for side
# SIDE (a the caller, b the callee): the other's uid, our login, WHAT
# (printf lines, %s the other), READY and the wait for the end
sides() {
	i=0
	while [ $i -lt "$calls" ]; do
		if [ "$1" = a ]; then me=pb$((2 * i)) other=pb$((2 * i + 1))
		else me=pb$((2 * i + 1)) other=pb$((2 * i)); fi
		printf "uid %s\nlogin %s benchpw1\n$2\necho READY\nholdfile %s/done\nquit\n" \
		    "$other" "$me" "$other" "$dir" | hc 600 >"$dir/$1$i.out" 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
	done
}
# until_n COUNT RE TEXT - until the sides have COUNT lines RE, else TEXT
until_n() {
	j=0
	until [ "$(cat "$dir"/[ab]*.out | grep -c "$2")" -ge "$1" ]; do
		j=$((j + 1)); [ $j -gt 1200 ] && { echo "$3" >&2; exit 1; }
		sleep 0.1
	done
}

# the calls: B answers A's call; both print the 0x01c1 they get
sides b 'expect 0x01c2\nanswer %s\nexpect 0x01c1'
until_n "$calls" '^LOGIN-OK' "logins timed out"
sides a 'call %s\nexpect 0x01c1'
until_n $((2 * calls)) '^READY' "calls not set up"
port() { sed -n 's/^RECV 0x01c1 .* port=\([0-9]*\).*/\1/p' "$1"; }
i=0
while [ $i -lt "$calls" ]; do
	echo "$(port "$dir/a$i.out") $(port "$dir/b$i.out")"
	i=$((i + 1))
done >"$dir/pairs"
echo "# voice child RSS with $calls calls set up: $(rss); pid $vpid"
cpu() { cut -d' ' -f1 "/proc/$vpid/schedstat"; }	# ns on a CPU
c0=$(cpu)
"$pbench" -c "$dir/pairs" -n "$units" -k "$runs" -T 300 \
    ${P2P_DUMP:+-o "$P2P_DUMP"}
c1=$(cpu)
echo "# voice child CPU during the relayed runs: $(((c1 - c0) / 1000000)) ms;" \
    "$(((c1 - c0) / (2 * calls * units * runs))) ns per unit relayed" \
    "(warm-up units included in the ms, not in the count)"
"$pbench" -c "$dir/pairs" -d -n "$units" -k "$runs" -T 300
echo "# voice child RSS after the calls' audio: $(rss)"
echo "# load: $(uptime | sed 's/.*load/load/')"
touch "$dir/done"
wait $pids 2>/dev/null || :
pids=
grep 'relay: call.*: off' "$dir/pald.log" | grep -v ' 0 dropped' | head -3 || :

# wait_re RE FILE TEXT - until FILE has a line RE (30 s), else TEXT
wait_re() {
	j=0
	until grep -q "$1" "$2"; do
		j=$((j + 1)); [ $j -gt 300 ] && { echo "$3" >&2; exit 1; }
		sleep 0.1
	done
}

# the files, one at a time: A offers, B accepts with port 2090
a=pb$((2 * calls)) b=pb$((2 * calls + 1))
k=0
while [ $k -lt "$runs" ]; do
	k=$((k + 1))
	rm -f "$dir/fport" "$dir/fdone"
	printf 'uid %s\nlogin %s benchpw1\nexpect 0x01bd\nacceptfile %s\nwaitfile %s/fdone\nquit\n' \
	    "$a" "$b" "$a" "$dir" | hc 120 >"$dir/fb.out" 2>&1 &
	fb=$!
	wait_re '^LOGIN-OK' "$dir/fb.out" "no login"
	printf 'uid %s\nlogin %s benchpw1\noffer %s\nexpect 0x01bc\nwaitfile %s/fdone\nquit\n' \
	    "$b" "$a" "$b" "$dir" | hc 120 >"$dir/fa.out" 2>&1 &
	fa=$!
	pids="$fa $fb"
	before=$(rss)
	"$pbench" -f "$dir/fport" -s "$mib" -T 100 >"$dir/file.out" &
	pb=$!
	wait_re '^RECV 0x01bc' "$dir/fa.out" "no 0x01bc"
	sed -n 's/^RECV 0x01bc .* port=\([0-9]*\).*/\1/p' "$dir/fa.out" >"$dir/fport.tmp"
	mv "$dir/fport.tmp" "$dir/fport"
	peak=0
	while kill -0 $pb 2>/dev/null; do
		r=$(rss | sed 's/ kB//')
		[ "$r" -gt "$peak" ] && peak=$r
		sleep 0.05
	done
	wait $pb || :
	echo "run=$k $(cat "$dir/file.out") voice_rss_kb before=$(echo "$before" | sed 's/ kB//') peak=$peak after=$(rss | sed 's/ kB//')"
	touch "$dir/fdone"
	wait $fa $fb 2>/dev/null || :
	pids=
	sleep 0.5
done
echo "# load after: $(uptime | sed 's/.*load/load/')"
