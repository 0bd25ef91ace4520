#
# common.sh - what the atf-sh suites share, sourced by each: a private
# pald on a kernel-chosen port with every path under the test's
# directory, accounts made with palpasswd, and tests/h_client.  Every
# wait is bounded; no fixed sleeps.
#

# The suites use these; conf is called with and without lines.
# shellcheck disable=SC2034,SC2120
PALD="$(atf_get_srcdir)/../pald"
PALPASSWD="$(atf_get_srcdir)/../palpasswd"
H="$(atf_get_srcdir)/h_client"
HI="$(atf_get_srcdir)/h_inetd"

# conf [lines...] - write pald.conf with test defaults plus the lines given
conf()
{
	{
		echo "categories $(atf_get_srcdir)/../data/categories.txt"
		echo "rooms $(atf_get_srcdir)/../data/rooms.txt"
		echo "hash_cost 4"
		# no fixed port: suites may run side by side
		echo "voice_port 0"
		echo "video_port 0"
		# every test client comes from 127.0.0.1, and tests wait for
		# lines about it: no log_rate unless a test sets one
		echo "log_rate 0"
		for l in "$@"; do echo "$l"; done
	} >pald.conf
}

# wait_for FILE PATTERN - until a line matches, at most 10 seconds
wait_for()
{
	i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $((${3:-10} * 20)) ] &&
		    atf_fail "no '$2' in $1: $(cat "$1" 2>&1)"
		sleep 0.05
	done
}

pald_start()
{
	[ -f pald.conf ] || conf
	rm -f pald.port
	"$PALD" -d -f "$PWD/pald.conf" -l 127.0.0.1 -p 0 -h "$PWD/db" \
	    -r "$PWD/run" -P "$PWD/pald.pid" -W "$PWD/pald.port" \
	    "$@" 2>>pald.log &
	wait_for pald.port .
	PORT=$(cat pald.port)
	wait_for pald.log "listening on"
}

pald_stop()
{
	if [ -f pald.pid ]; then
		pid=$(cat pald.pid)
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
			i=$((i + 1))
			sleep 0.05
		done
	fi
	return 0
}

# exempt NICK PASS - the account skips the rate limits (palpasswd -e)
exempt()
{
	echo "$2" | PALD_HASH_COST=4 "$PALPASSWD" -h "$PWD/db" -e "$1"
}

# adduser NICK PASS - prints the new uid
adduser()
{
	mkdir -p db
	echo "$2" | PALD_HASH_COST=4 "$PALPASSWD" -h "$PWD/db" -p -c "$1"
}

# client - h_client on the daemon's port, the script on stdin
client()
{
	"$H" -t 10 "$PORT"
}

# client_from ADDR - the same from another loopback address (127.0.0.2)
client_from()
{
	"$H" -s "$1" -t 10 "$PORT"
}

# child_of NICK - the pid of the child serving NICK (by its title)
child_of()
{
	for p in $(pgrep -P "$(cat pald.pid)"); do
		if tr '\0' ' ' </proc/"$p"/cmdline | grep -q "$1"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# addadmin NICK PASS LEVEL - an account with an admin level; its uid
addadmin()
{
	mkdir -p db
	echo "$2" | PALD_HASH_COST=4 "$PALPASSWD" -h "$PWD/db" -p -c -a "$3" \
	    "$1"
}

# hold_offline - as an administrator's db5.3_load would: hold a write
# lock on offline.db while it waits for the rest of its input (a load is
# one transaction).  Sets lpid (also in load.pid); fd 3 is its input.
hold_offline()
{
	mkfifo load.in
	db5.3_load -h db offline.db <load.in 2>load.err &
	lpid=$!
	echo "$lpid" >load.pid
	exec 3>load.in
	printf 'VERSION=3\nformat=print\ntype=btree\nHEADER=END\n 0001000099:0000000001\n v1 from=1000002 time=1 text=x\n' >&3
	locked "WRITE .* HELD *offline.db"
}

# locked PATTERN - until db5.3_stat lists a lock that matches, at most 10 s
locked()
{
	i=0
	while ! db5.3_stat -h db -Co 2>/dev/null | grep -q -- "$1"; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "no lock '$1': $(db5.3_stat -h db -Co 2>&1)"
		sleep 0.05
	done
}

# party NAME ADDR - h_client from ADDR with the script NAME.in, in the
# background, into NAME.out
party()
{
	"$H" -b "$2" -t 20 "$PORT" <"$1.in" >"$1.out" 2>&1 &
	echo $! >"$1.party"
}

# done_ok NAME - wait for party NAME; it must have run its script to the end
done_ok()
{
	wait "$(cat "$1.party")" || atf_fail "$1 failed: $(cat "$1.out")"
	rm -f "$1.party"
}

# parties_stop - the parties still running, then pald
parties_stop()
{
	for f in *.party; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	pald_stop
}

# flooder NAME ADDR - NAME.in from ADDR in the foreground, a flood that
# must end with the session cut for sending too fast
flooder()
{
	"$H" -b "$2" -t 20 "$PORT" <"$1.in" >"$1.out" 2>&1 ||
	    atf_fail "$1: $(tail "$1.out")"
	atf_check -o match:"You kept sending too fast" grep "^RECV 0x044c" \
	    "$1.out"
}

# junked NAME ADDR TYPE - NAME.in, a script of junk frames, from ADDR;
# the first, TYPE of 0 bytes, must be the one line logged for them all
junked()
{
	"$H" -b "$2" -t 60 "$PORT" <"$1.in" >"$1.out" 2>&1 ||
	    atf_fail "$1: $(tail "$1.out")"
	atf_check -o match:"$1: type $3 of 0 bytes ignored" cat pald.log
	# one line a minute per address, for all the types together
	atf_check -o inline:"1\n" grep -c "bytes ignored" pald.log
}

# intact [VOICEPID] - the master (and the voice child) still up, and no
# process killed by a signal
intact()
{
	kill -0 "$(cat pald.pid)" || atf_fail "the master is gone"
	[ $# -eq 0 ] || kill -0 "$1" || atf_fail "the voice child is gone"
	atf_check -s exit:1 grep -q "killed by signal" pald.log
}

# count_in FILE PATTERN MIN MAX - MIN to MAX lines of FILE match
count_in()
{
	cn=$(grep -c -- "$2" "$1")
	[ "$cn" -ge "$3" ] && [ "$cn" -le "$4" ] ||
	    atf_fail "$cn lines '$2' in $1, not $3 to $4"
}

# repeat N LINE - LINE N times, for a flood in a script
repeat()
{
	rn=0
	while [ $rn -lt "$1" ]; do
		echo "$2"
		rn=$((rn + 1))
	done
}

# junk [-h HEX] [-f SED] [-s LEN] TYPE... - h_client send lines for
# each type with payloads of every length from 0 to 64: HEX (none if not
# given) then random bytes, cut to the length; SED, a sed expression,
# rewrites each payload's hex (to keep it malformed); -s skips LEN
junk()
{
	jh= jf= js=-1
	while :; do
		case $1 in
		-h) jh=$2; shift 2 ;;
		-f) jf=$2; shift 2 ;;
		-s) js=$2; shift 2 ;;
		*) break ;;
		esac
	done
	for t in "$@"; do
		n=0
		while [ $n -le 64 ]; do
			x=
			[ $n -gt 0 ] && x=$(printf %s%s "$jh" \
			    "$(head -c $n /dev/urandom | od -An -tx1 |
			    tr -d ' \n')" | cut -c1-$((2 * n)))
			[ -n "$jf" ] && x=$(printf %s "$x" | sed "$jf")
			[ $n -eq "$js" ] || printf 'send %s %s\n' "$t" "$x"
			n=$((n + 1))
		done
	done
}
