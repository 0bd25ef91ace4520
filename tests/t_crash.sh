#
# t_crash.sh - one failure stays one failure: pald's processes killed
# with SIGKILL at any moment (a session's, a store process, the
# master), other users' sessions, the store and what was acknowledged.
# Timing is bench/'s (run-crash.sh); these cases check what happens.
#

# shellcheck source=tests/common.sh
. "$(atf_get_srcdir)/common.sh"

HJ="$(atf_get_srcdir)/h_junk"

# crash_conf - no rate limit in the way of a writer's burst
crash_conf()
{
	conf "packet_rate 100000" "packet_burst 100000" \
	    "message_rate 100000" "message_burst 100000" \
	    "nonbuddy_im_rate 100000" "limit_strikes 1000" "$@"
}

# writer_script N TARGET - N rounds of pal add, pal remove (each waits
# for the pal list that answers it) and an IM to TARGET (off line:
# stored), each a write to the store
writer_script()
{
	i=0
	while [ "$i" -lt "$1" ]; do
		printf 'add %s\nexpect 0x0043\nremove %s\nexpect 0x0043\nim %s write %d\n' \
		    "$2" "$2" "$2" "$i"
		i=$((i + 1))
	done
}

# count_in FILE PATTERN - lines of FILE that match
count_in()
{
	grep -c -- "$2" "$1" 2>/dev/null || true
}

# wait_count FILE PATTERN N - until N lines match, at most 20 seconds
wait_count()
{
	i=0
	while [ "$(count_in "$1" "$2")" -lt "$3" ]; do
		i=$((i + 1))
		[ $i -gt 400 ] && atf_fail "not $3 '$2' in $1: $(tail -5 "$1")"
		sleep 0.05
	done
}

# pids_of PATTERN - the master's children whose title matches
pids_of()
{
	pgrep -P "$(cat pald.pid)" -f "$1" | sort
}

atf_test_case session_kill cleanup
session_kill_head()
{
	atf_set "descr" "SIGKILL of session children while they write: no other session is disconnected, the store needs no recovery, writes go on at once"
	atf_set "timeout" "240"
}
session_kill_body()
{
	crash_conf
	adduser obs1 obs1-pw >/dev/null
	o2uid=$(adduser obs2 obs2-pw)
	tuid=$(adduser target target-pw)
	for w in 1 2 3 4 5 6; do
		adduser "wr$w" "wr$w-pw" >/dev/null
	done
	pald_start
	printf 'login obs1 obs1-pw\necho READY\nwaitfile done\nadd %s\nexpect 0x0043 obs2\nim %s after the kills\necho OK\nquit\n' \
	    "$o2uid" "$o2uid" | "$H" -t 120 "$PORT" >obs1.out &
	o1=$!
	printf 'login obs2 obs2-pw\necho READY\nexpect 0x0014 after the kills\necho OK\nquit\n' |
	    "$H" -t 120 "$PORT" >obs2.out &
	o2=$!
	wait_for obs1.out READY
	wait_for obs2.out READY
	# each writer, busy writing, is killed at some point of its loop
	for w in 1 2 3 4 5 6; do
		{ printf 'login wr%s wr%s-pw\n' "$w" "$w"; writer_script 2000 "$tuid"; } |
		    "$H" -t 60 "$PORT" >"w$w.out" 2>&1 &
		wpid=$!
		wait_count "w$w.out" "RECV 0x0043" $((5 + w * 7))
		i=0
		until pid=$(child_of "wr$w 127.0.0.1"); do
			i=$((i + 1))
			[ $i -gt 100 ] &&
			    atf_fail "no child for wr$w: $(tail -3 "w$w.out")"
			sleep 0.05
		done
		kill -9 "$pid"
		wait_for pald.log "child $pid killed by signal 9"
		wait "$wpid"
	done
	# one more, killed inside a write: its IM waits for a lock that an
	# administrator's load holds (a session that had the store open
	# itself would die inside Berkeley DB, and the store would need
	# recovery); the load then ends, and the write goes through
	hold_offline
	printf 'login wr1 wr1-pw\necho IN\nim %s held\nexpect 0x0064\n' "$tuid" |
	    "$H" -t 60 "$PORT" >held.out 2>&1 &
	hpid=$!
	wait_for held.out IN
	locked "WAIT *offline.db"
	pid=$(child_of "wr1 127.0.0.1") || atf_fail "no child for wr1"
	kill -9 "$pid"
	wait_for pald.log "child $pid killed by signal 9"
	wait "$hpid"
	exec 3>&-
	wait "$lpid"
	touch done
	wait "$o1" || atf_fail "obs1: $(cat obs1.out)"
	wait "$o2" || atf_fail "obs2: $(cat obs2.out)"
	atf_check -o match:OK cat obs1.out
	atf_check -o match:OK cat obs2.out
	atf_check -s exit:1 grep -q "recovering the store in place" pald.log
	atf_check -s exit:1 grep -q -i "needs recovery\|panic" pald.log
}
session_kill_cleanup() { pald_stop; }

atf_test_case store_kill cleanup
store_kill_head()
{
	atf_set "descr" "SIGKILL of the store processes while a session writes: it pauses and goes on, each write is either acknowledged and stored or reported as not done (try again), and the store verifies"
	atf_set "timeout" "240"
}
store_kill_body()
{
	crash_conf
	adduser writer writer-pw >/dev/null
	tuid=$(adduser target target-pw)
	pald_start
	# each IM to target (off line) is followed by a search, whose answer
	# (0x0045, or 0xffbb: none) closes the IM's turn: a return code
	# before it says that the IM was not stored
	{
		echo "login writer writer-pw"
		i=0
		while [ $i -lt 90 ]; do
			printf 'im %s m%03d\nsearchx target\nexpect 0x0045,0xffbb\n' \
			    "$tuid" "$i"
			i=$((i + 1))
		done
		echo "echo DONE"
		echo "quit"
	} | "$H" -t 60 "$PORT" >writer.out 2>&1 &
	wpid=$!
	for n in 20 50; do
		wait_count writer.out "RECV 0x0045\|RECV 0xffbb" $n
		stores=$(pids_of "pald: store") || atf_fail "no store processes"
		# shellcheck disable=SC2086
		kill -9 $stores
		for p in $stores; do
			wait_for pald.log "store process $p killed by signal 9"
		done
	done
	wait "$wpid" || atf_fail "the writer's session: $(tail -5 writer.out)"
	atf_check -o match:DONE cat writer.out
	# the IMs not reported as failed are stored; the store verifies
	awk '/RECV 0x0045|RECV 0xffbb/ { n++ } /RECV 0x0064/ { bad[n] = 1 }
	    END { for (i = 0; i < 90; i++) if (!(i in bad))
	    printf "m%03d\n", i }' writer.out >acked
	pald_stop
	db5.3_dump -p -h db offline.db >offline.dump
	for m in $(cat acked); do
		grep -q "text=$m\$" offline.dump ||
		    atf_fail "$m was acknowledged and is not stored"
	done
	echo "$(wc -l <acked) of 90 acknowledged" >&2
	for f in db/*.db; do
		atf_check -s exit:0 -o ignore -e ignore db5.3_verify -h db \
		    "$(basename "$f")"
	done
}
store_kill_cleanup() { pald_stop; }

atf_test_case master_kill cleanup
master_kill_head()
{
	atf_set "descr" "SIGKILL of the master: its children tell their users that the server is restarting and leave; a new master recovers the store without a panic and serves"
	atf_set "timeout" "120"
}
master_kill_body()
{
	conf
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	printf 'login alice alice-pw\nim 1000003 before the crash\ndrain 200\necho READY\nexpect 0x044c restarting\neof\n' |
	    client >alice.out &
	apid=$!
	wait_for alice.out READY
	master=$(cat pald.pid)
	pgrep -P "$master" >old.pids
	kill -9 "$master"
	wait "$apid" || atf_fail "alice: $(cat alice.out)"
	atf_check -o match:"EOF" cat alice.out
	# every process of the old instance leaves
	i=0
	while [ -n "$(xargs ps -o pid= -p <old.pids 2>/dev/null)" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "still running: $(xargs ps -o pid=,args= -p <old.pids)"
		sleep 0.05
	done
	mv pald.log pald1.log
	# the keeper and the store processes closed the store
	atf_check -s exit:0 grep -q "the master is gone: closing the store" \
	    pald1.log
	pald_start
	atf_check -s exit:1 grep -q -i "panic\|needs recovery\|is in use" pald.log
	printf 'login bob bob-pw\nexpect 0x0014 before the crash\nquit\n' |
	    client >bob.out
	atf_check -o match:"text=.*before the crash" cat bob.out
}
master_kill_cleanup()
{
	pald_stop
	[ -f old.pids ] && xargs kill -9 <old.pids 2>/dev/null
	return 0
}

atf_test_case second_instance cleanup
second_instance_head()
{
	atf_set "descr" "a second pald, or pald -R, on a store that another pald's processes have open waits, then refuses, naming a process; the first goes on"
	atf_set "timeout" "120"
}
second_instance_body()
{
	conf
	adduser alice alice-pw >/dev/null
	pald_start
	master=$(cat pald.pid)
	mkdir run2
	atf_check -s exit:1 -e match:"is in use by process" \
	    "$PALD" -d -f "$PWD/pald.conf" -l 127.0.0.1 -p 0 -h "$PWD/db" \
	    -r "$PWD/run2"
	atf_check -s exit:1 -e match:"is in use by process" \
	    "$PALD" -d -f "$PWD/pald.conf" -h "$PWD/db" -r "$PWD/run2" -R
	atf_check -s exit:0 kill -0 "$master"
	printf 'login alice alice-pw\nquit\n' | client >alice.out
	atf_check -o match:LOGIN-OK cat alice.out
	atf_check -s exit:1 grep -q -i "panic" pald.log
}
second_instance_cleanup() { pald_stop; }

atf_test_case store_bad_requests cleanup
store_bad_requests_head()
{
	atf_set "descr" "bad requests on the store socket (every length 0..64, random bytes, lying headers) leave the store processes running, with a log line each at most"
	atf_set "timeout" "120"
}
store_bad_requests_body()
{
	conf
	adduser alice alice-pw >/dev/null
	pald_start
	pids_of "pald: store" >before
	[ -s before ] || atf_fail "no store processes"
	atf_check -s exit:0 -o match:"requests sent" "$HJ" run/store
	pids_of "pald: store" >after
	atf_check -s exit:0 cmp before after
	printf 'login alice alice-pw\nquit\n' | client >alice.out
	atf_check -o match:LOGIN-OK cat alice.out
	n=$(count_in pald.log "bad request")
	[ "$n" -ge 1 ] && [ "$n" -le "$(wc -l <before)" ] ||
	    atf_fail "$n lines about bad requests"
}
store_bad_requests_cleanup() { pald_stop; }

atf_init_test_cases()
{
	atf_add_test_case session_kill
	atf_add_test_case store_kill
	atf_add_test_case master_kill
	atf_add_test_case second_instance
	atf_add_test_case store_bad_requests
}
