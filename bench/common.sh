# common.sh - shell functions shared by run-login.sh and run-room.sh;
# sourced, not run.  The caller sets: prog (its name, for messages),
# top (the source tree), PALD, tmp (its temporary directory), plog (the
# pald log of the current run), and for accounts() PREFIX, PASSWORD,
# BENCH_CACHE, PALD_HASH_COST.  Only pids this script started are ever
# signalled: the one in $tmp/pald.pid.  Sourcing it sets the settings
# both scripts share and checks that everything is built.

PALD=${PALD:-$top/pald}
LOADCLIENT=${LOADCLIENT:-$top/bench/loadclient}
PALD_HASH_COST=${PALD_HASH_COST:-4}
BENCH_CACHE=${BENCH_CACHE:-/var/tmp/pald-bench}
PREFIX=bench
PASSWORD=benchpw1
export PALD_HASH_COST

die() { echo "$prog: $*" >&2; exit 1; }

[ -x "$PALD" ] || die "$PALD: not built (cd $top && make)"
[ -x "$top/palpasswd" ] || die "$top/palpasswd: not built"
[ -x "$LOADCLIENT" ] || die "$LOADCLIENT: not built (make -C bench)"

# workdir NAME - make the temporary directory tmp; on exit stop the
# loadclient ($lcpid) and pald this script started, and remove tmp
# (unless KEEP=1)
workdir() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	lcpid=
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

cleanup() {
	if [ -n "$lcpid" ] && kill -0 "$lcpid" 2>/dev/null; then
		kill "$lcpid" 2>/dev/null
		wait "$lcpid" 2>/dev/null
	fi
	stop_pald
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}

# stop_pald - TERM the pid in the pidfile, that one only; bounded wait
stop_pald() {
	[ -s "$tmp/pald.pid" ] || return 0
	pid=$(cat "$tmp/pald.pid")
	case $pid in ''|*[!0-9]*) return 0 ;; esac
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "$prog: pald $pid still up after 30 s, KILL" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	fi
	rm -f "$tmp/pald.pid"
}

# accounts N - at least N accounts PREFIX0.. in the cache (made once,
# then recovered once, see README); sets users
accounts() {
	users=$BENCH_CACHE/$PREFIX-cost$PALD_HASH_COST
	have=0
	[ -s "$users/count" ] && have=$(cat "$users/count")
	if [ "$have" -lt "$1" ]; then
		echo "making $1 accounts in $users (once; palpasswd per account)"
		mkdir -p "$users" || exit 1
		"$top/bench/mkusers.sh" -h "$users/db" -n "$1" -P "$PREFIX" \
		    -w "$PASSWORD" || die "mkusers.sh failed"
		echo "$1" >"$users/count"
		rm -f "$users/recovered"
	fi
	# palpasswd never checkpoints: everything is in the log until a
	# recovery writes the pages and a checkpoint.  Without this, every
	# pald started on a copy replays all the accounts.
	if [ ! -e "$users/recovered" ]; then
		mkdir -p "$tmp/rrun" &&
		    "$PALD" -R -h "$users/db" -r "$tmp/rrun" \
		    >"$tmp/recover.log" 2>&1 ||
		    die "pald -R on $users/db failed: $(cat "$tmp/recover.log")"
		touch "$users/recovered"
	fi
}

# start_pald - a fresh pald on a private copy of the store, with
# $tmp/pald.conf, its log in $plog; sets port
start_pald() {
	rm -rf "$tmp/db" "$tmp/run" "$tmp/port" "$tmp/pald.pid"
	cp -a "$users/db" "$tmp/db" || die "cannot copy the store"
	rm -f "$tmp"/db/__db.*		# regions are made afresh
	mkdir -m 755 "$tmp/run" || exit 1
	chmod 700 "$tmp/db"
	"$PALD" -d -f "$tmp/pald.conf" -h "$tmp/db" -r "$tmp/run" -p 0 \
	    -W "$tmp/port" -P "$tmp/pald.pid" >"$plog" 2>&1 &
	i=0
	while { [ ! -s "$tmp/port" ] || [ ! -s "$tmp/pald.pid" ]; } &&
	    [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$tmp/port" ] && [ -s "$tmp/pald.pid" ] ||
	    die "pald did not start; see $plog (KEEP=1)"
	port=$(cat "$tmp/port")
	# the master is listening once it logs so (store open, table mapped)
	i=0
	while ! grep -q 'listening on' "$plog" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_file FILE PID TENTHS - until FILE is not empty, PID has gone, or
# TENTHS tenths of a second have passed
wait_file() {
	i=0
	while [ ! -s "$1" ] && kill -0 "$2" 2>/dev/null && [ $i -lt "$3" ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# end_lc TENTHS - let the loadclient $lcpid end by itself within TENTHS
# tenths of a second, else TERM it; reaped either way
end_lc() {
	wait_file /dev/null "$lcpid" "$1"
	kill "$lcpid" 2>/dev/null
	wait "$lcpid" 2>/dev/null
	lcpid=
}

# field KEY FILE LINE-PREFIX - the value of KEY= on the first line that
# starts with LINE-PREFIX
field() {
	awk -v k="$1" -v p="$3" 'index($0, p) == 1 {
		for (i = 1; i <= NF; i++)
			if (index($i, k "=") == 1) {
				print substr($i, length(k) + 2); exit
			}
	}' "$2"
}

# median of the numbers on stdin
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2];
		else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# col FILE K - median of column K
col() { awk -v k="$2" '$k != "-" { print $k }' "$1" | median; }
