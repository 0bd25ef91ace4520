#
# t_pool.sh - the pool of session processes (issue 13) and the master's
# caps before login (issue 14): a child serves one session after
# another and nothing of one reaches the next; max_use; the pool grows
# under a burst and shrinks back; a killed idle child is replaced;
# SIGHUP changes the pool's sizes; caps on connections not logged in,
# the first-frame deadline, a full server that says so; and session
# children that see the master die.  Every wait is bounded; no fixed
# sleeps.
#

# shellcheck source=tests/common.sh
. "$(atf_get_srcdir)/common.sh"

MEMSCAN="$(atf_get_srcdir)/h_memscan"

# kids TITLE - the master's children whose title starts with "pald: TITLE"
kids()
{
	for p in $(pgrep -P "$(cat pald.pid)"); do
		if tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null |
		    grep -q "^pald: $1"; then
			echo "$p"
		fi
	done
}

# wait_kids TITLE OP N - until the count of kids TITLE is OP N (-eq,
# -le, -ge), at most 20 seconds
wait_kids()
{
	i=0
	while ! [ "$(kids "$1" | wc -l)" "$2" "$3" ]; do
		i=$((i + 1))
		[ $i -gt 400 ] && atf_fail "$1 children: $(kids "$1" | wc -l), not $2 $3"
		sleep 0.05
	done
}

# gone PID - until PID has exited, at most 10 seconds
gone()
{
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "process $1 still there"
		sleep 0.05
	done
}

# idle_again PID - until PID's title is "pald: idle", at most 10 seconds
idle_again()
{
	i=0
	while ! tr '\0' ' ' </proc/"$1"/cmdline | grep -q "pald: idle"; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "child $1 not idle"
		sleep 0.05
	done
}

# silent NAME - a connection that sends nothing until the file release
# exists (output in NAME.out, its pid added to spids), once it is open
silent()
{
	printf 'connect\necho C\nwaitfile release\n' | client >"$1.out" &
	spids="$spids $!"
	wait_for "$1.out" C
}

atf_test_case reuse_isolation cleanup
reuse_isolation_head()
{
	atf_set "descr" "a child serves alice, then bob: bob sees nothing of alice, alice's password is wiped"
	atf_set "require.progs" "pgrep"
}
reuse_isolation_body()
{
	[ -r /proc/self/maps ] || atf_skip "no /proc"
	adduser alice alice-secret-pw >/dev/null
	adduser bob bob-pw >/dev/null
	adduser carol carol-pw >/dev/null
	conf "min_spare 1" "max_spare 1"
	pald_start
	# carol lists alice, and is there all along
	printf 'login carol carol-pw\nadd 1000002\nexpect 0x0190 uid=1000002 status=0\necho READY\nexpect 0x0190 uid=1000002 status=30\nexpect 0x0190 uid=1000002 status=0\necho OFF\nwaitfile bob.done\nim 1000002 for alice only\nexpectnot 0x0190 300\nquit\n' |
	    client >carol.out &
	cpid=$!
	wait_for carol.out READY
	printf 'login alice alice-secret-pw\nprofile email=alice-marker-mail\nexpect 0x0064\ncreate 30001 G alicesroom\nexpect 0x0136\necho ALICE\nwaitfile alice.quit\nquit\n' |
	    client >alice.out &
	apid=$!
	wait_for alice.out ALICE
	pid=$(child_of "alice") || atf_fail "no child for alice"
	touch alice.quit
	wait $apid
	wait_for carol.out OFF
	# the same process, back in the pool: no trace of the password
	idle_again "$pid"
	atf_check -o match:"^clean" "$MEMSCAN" "$pid" "alice-secret-pw"
	atf_check -o match:"^clean" "$MEMSCAN" "$pid" "alice-marker-mail"
	atf_check -o match:"^clean" "$MEMSCAN" "$pid" "alicesroom"
	# bob: his uid lookup and, once alice's child is idle again (the
	# newest idle child takes the next connection), his login
	printf 'login bob bob-pw looked\nexpect 0x019a\necho BOB\nwaitfile bob.quit\nexpectnot 0x0014 200\nquit\n' |
	    client >bob.out &
	bpid=$!
	wait_for bob.out LOOKED-UP
	idle_again "$pid"
	touch looked
	wait_for bob.out BOB
	atf_check_equal "$(child_of bob)" "$pid"
	atf_check -o match:"nickname=bob" -o not-match:"alice" cat bob.out
	touch bob.done
	touch bob.quit
	wait $bpid $cpid
	# carol's IM for alice went to the store, not to bob
	atf_check -o not-match:"for alice only" cat bob.out
	atf_check -o not-match:"uid=1000002 status=30" sed -n '/OFF/,$p' carol.out
	wait_for pald.log "logout bob"
}
reuse_isolation_cleanup() { pald_stop; }

atf_test_case max_use cleanup
max_use_head()
{
	atf_set "descr" "a child exits after max_use sessions and the pool replaces it"
}
max_use_body()
{
	adduser alice alice-pw >/dev/null
	conf "min_spare 1" "max_spare 1" "max_use 2"
	pald_start -v
	wait_kids idle -eq 1
	first=$(kids idle)
	# one connection each; the newest idle child takes the next
	for i in 1 2 3 4; do
		printf 'uid alice\n' | client >uid.$i.out
		atf_check -o match:"uid=1000002" cat uid.$i.out
	done
	wait_for pald.log "pool: 2 sessions served, exiting"
	gone "$first"
	wait_kids idle -eq 1
	atf_check -s exit:1 grep -q "exited with status" pald.log
}
max_use_cleanup() { pald_stop; }

atf_test_case burst cleanup
burst_head()
{
	atf_set "descr" "the pool grows for a burst of logins and shrinks back to max_spare"
}
burst_body()
{
	i=0
	while [ $i -lt 12 ]; do
		adduser "user$i" "pw-$i" >/dev/null
		i=$((i + 1))
	done
	conf "min_spare 1" "max_spare 3" "max_prelogin_per_address 64"
	pald_start
	wait_kids idle -eq 1
	i=0 cl=
	while [ $i -lt 12 ]; do
		printf 'login user%d pw-%d\necho IN\nwaitfile release\nquit\n' \
		    $i $i | client >"c.$i.out" &
		cl="$cl $!"
		i=$((i + 1))
	done
	j=0
	while [ $j -lt 12 ]; do
		wait_for "c.$j.out" IN
		atf_check -o match:LOGIN-OK cat "c.$j.out"
		j=$((j + 1))
	done
	# twelve sessions, each its own process, and spares beside them
	atf_check test "$(kids user | wc -l)" -eq 12
	wait_kids idle -ge 1
	touch release
	wait $cl
	# back in the pool, then ended one a second down to max_spare
	wait_kids idle -ge 4
	wait_kids idle -le 3
	wait_kids idle -ge 1
}
burst_cleanup() { pald_stop; }

atf_test_case killed_idle cleanup
killed_idle_head()
{
	atf_set "descr" "kill -9 of an idle pooled child: logged, replaced, the store intact"
	atf_set "require.progs" "db5.3_verify"
}
killed_idle_body()
{
	adduser alice alice-pw >/dev/null
	conf "min_spare 2" "max_spare 2"
	pald_start
	wait_kids idle -eq 2
	# one that has served (its store open) and one fresh
	printf 'login alice alice-pw\nprofile first=Alice\ndrain 200\nquit\n' |
	    client >a.out
	atf_check -o match:LOGIN-OK cat a.out
	wait_kids idle -eq 2
	for victim in $(kids idle); do
		kill -9 "$victim"
		gone "$victim"
	done
	wait_for pald.log "killed by signal 9"
	wait_kids idle -eq 2
	printf 'login alice alice-pw\nexpect 0x019a first=Alice\nquit\n' |
	    client >b.out
	atf_check -o match:LOGIN-OK cat b.out
	pald_stop
	for f in db/*.db; do
		atf_check -o ignore -e ignore db5.3_verify -h db "${f#db/}"
	done
}
killed_idle_cleanup() { pald_stop; }

atf_test_case hup_sizes cleanup
hup_sizes_head()
{
	atf_set "descr" "SIGHUP changes min_spare and max_spare"
}
hup_sizes_body()
{
	conf "min_spare 1" "max_spare 2"
	pald_start
	wait_kids idle -eq 1
	conf "min_spare 5" "max_spare 8"
	kill -HUP "$(cat pald.pid)"
	wait_for pald.log "configuration reloaded"
	wait_kids idle -eq 5
	conf "min_spare 1" "max_spare 2"
	kill -HUP "$(cat pald.pid)"
	wait_kids idle -eq 2
}
hup_sizes_cleanup() { pald_stop; }

atf_test_case prelogin_caps cleanup
prelogin_caps_head()
{
	atf_set "descr" "connections not logged in are capped per address and in all; a full server says so"
}
prelogin_caps_body()
{
	adduser alice alice-pw >/dev/null
	conf "max_prelogin_per_address 2" "max_prelogin 3" "max_sessions 4"
	pald_start
	# two silent connections from 127.0.0.1: the third is refused
	silent s1
	silent s2
	wait_kids client -ge 2
	printf 'connect\nexpect 0x044c\neof\n' | client >s3.out
	atf_check -o match:"Too many logins in progress" cat s3.out
	wait_for pald.log "not logged in yet (max_prelogin_per_address), refusing"
	touch release
	wait $spids
	# logged-in sessions do not count: alice gets in past the cap
	printf 'login alice alice-pw\necho IN\nwaitfile out\nquit\n' | client >a.out &
	p1=$!
	wait_for a.out IN
	atf_check -o match:LOGIN-OK cat a.out
	touch out
	wait $p1
	atf_check -s exit:0 kill -0 "$(cat pald.pid)"
}
prelogin_caps_cleanup() { pald_stop; }

atf_test_case server_full cleanup
server_full_head()
{
	atf_set "descr" "a full server answers 'server full' at once, with one log line"
}
server_full_body()
{
	adduser alice alice-pw >/dev/null
	conf "max_sessions 2"
	pald_start
	silent s1
	silent s2
	wait_kids client -ge 2
	printf 'connect\nexpect 0x044c\neof\n' | client >b1.out
	printf 'connect\nexpect 0x044c\neof\n' | client >b2.out
	atf_check -o match:"The server is full" cat b1.out
	atf_check -o match:"The server is full" cat b2.out
	atf_check -o inline:"1\n" grep -c "server full" pald.log
	touch release
	wait $spids
	printf 'login alice alice-pw\nquit\n' | client >a.out
	atf_check -o match:LOGIN-OK cat a.out
}
server_full_cleanup() { pald_stop; }

atf_test_case first_frame cleanup
first_frame_head()
{
	atf_set "descr" "a connection that sends nothing is closed after first_frame_timeout"
}
first_frame_body()
{
	conf "first_frame_timeout 1"
	pald_start
	printf 'connect\neof\n' | client >s.out
	atf_check -o match:"^EOF" cat s.out
	wait_for pald.log "nothing sent in 1 seconds"
}
first_frame_cleanup() { pald_stop; }

atf_test_case master_death cleanup
master_death_head()
{
	atf_set "descr" "kill -9 of the master: session children tell their clients and exit"
}
master_death_body()
{
	adduser alice alice-pw >/dev/null
	conf "min_spare 2"
	pald_start
	wait_kids idle -eq 2
	printf 'login alice alice-pw\necho IN\nexpect 0x044c\neof\n' | client >a.out &
	p1=$!
	wait_for a.out IN
	m=$(cat pald.pid)
	pgrep -P "$m" >others
	pids=$(kids idle; child_of alice)
	kill -9 "$m"
	wait $p1
	atf_check -o match:"0x044c.*server is restarting" -o match:"^EOF" cat a.out
	for p in $pids; do
		gone "$p"
	done
}
master_death_cleanup()
{
	# the master is dead: the rest of its children (the store keeper,
	# the voice child) are ours to end, by pid
	[ -f others ] && for p in $(cat others); do kill -9 "$p" 2>/dev/null; done
	return 0
}

atf_init_test_cases()
{
	atf_add_test_case reuse_isolation
	atf_add_test_case max_use
	atf_add_test_case burst
	atf_add_test_case killed_idle
	atf_add_test_case hup_sizes
	atf_add_test_case prelogin_caps
	atf_add_test_case server_full
	atf_add_test_case first_frame
	atf_add_test_case master_death
}
