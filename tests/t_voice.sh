#
# t_voice.sh - the voice child end to end: a private pald whose voice port
# is chosen by the kernel, room members made through the chat (h_client)
# or directly in the shared table (tests/h_member, for what the chat side
# cannot set up as quickly: many members, flags, the table's speaker), and
# tests/h_voice speaking the 5.0 voice framing.  Every wait is bounded.
#

. "$(atf_get_srcdir)/common.sh"

M="$(atf_get_srcdir)/h_member"
V="$(atf_get_srcdir)/h_voice"
ROOM=50101

need_voice()
{
	[ -x "$V" ] || atf_skip "tests/h_voice is not built"
}

# voice_start - pald with the voice port in voice.port ($VPORT)
voice_start()
{
	need_voice
	[ -f pald.conf ] || conf
	rm -f voice.port
	pald_start -w "$PWD/voice.port"
	wait_for voice.port .
	VPORT=$(cat voice.port)
	wait_for pald.log "voice: serving"
}

# voice_stop - the members, a pald -V, then pald
voice_stop()
{
	if [ -f members.pid ]; then
		for p in $(cat members.pid); do
			kill "$p" 2>/dev/null
		done
	fi
	if [ -f vpald.pid ]; then
		kill "$(cat vpald.pid)" 2>/dev/null
	fi
	pald_stop
}

# member N UID - a member of $ROOM in the table, commands on descriptor N
# (3 to 7); its answers go to m.UID
member()
{
	rm -f "m.$2.in"
	mkfifo "m.$2.in"
	"$M" -r "$PWD/run" -R "$ROOM" -u "$2" <"m.$2.in" >"m.$2" &
	echo $! >>members.pid
	eval "exec $1>m.$2.in"
	wait_for "m.$2" "^JOINED $ROOM"
}

# ask N UID CMD - a command to member UID (on descriptor N); wait for
# the answer line and leave it in $ANSWER
ask()
{
	n=$(grep -c . "m.$2")
	eval "echo '$3' >&$1"
	k=0
	while [ "$(grep -c . "m.$2")" -le "$n" ]; do
		k=$((k + 1))
		[ $k -gt 200 ] && atf_fail "member $2: no answer to $3"
		sleep 0.05
	done
	ANSWER=$(tail -1 "m.$2")
}

# say N UID CMD ANSWER - ask, and the answer must match
say()
{
	ask "$1" "$2" "$3"
	echo "$ANSWER" | grep -q -- "$4" || atf_fail "member $2: $3: $ANSWER"
}

# listen UID SECONDS - a voice listener in the background, output l.UID;
# returns once the voice child has taken its handshake
listen()
{
	n=$(grep -c "voice uid $1 room $ROOM\$" pald.log)
	"$V" -p "$VPORT" -r "$ROOM" -u "$1" -l -s "$2" >"l.$1" &
	echo $! >"l.$1.pid"
	i=0
	while [ "$(grep -c "voice uid $1 room $ROOM\$" pald.log)" -le "$n" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "listener $1 not taken"
		sleep 0.05
	done
}

# talk UID UNITS [args] - speak UNITS units, output s.UID
talk()
{
	u=$1
	n=$2
	shift 2
	"$V" -p "$VPORT" -r "$ROOM" -u "$u" -n "$n" -i 80 "$@" >"s.$u" ||
	    atf_fail "h_voice $u failed"
}

# heard UID COUNT - wait for listener UID to end; it got COUNT units
heard()
{
	wait "$(cat "l.$1.pid")"
	got=$(sed -n 's/^UNITS //p' "l.$1")
	[ "$got" = "$2" ] || atf_fail "listener $1: $got units, not $2"
}

# voice_pid - the master's voice child (by its title)
voice_pid()
{
	pgrep -P "$(cat pald.pid)" -f "^pald: voice"
}

atf_test_case relay cleanup
relay_head()
{
	atf_set "descr" "two listeners get each unit once, the speaker none; SSRC and tail are the speaker's uid"
}
relay_body()
{
	voice_start
	member 3 1000002
	member 4 1000003
	member 5 1000004
	listen 1000003 3
	listen 1000004 3
	# the speaker lies about its uid in the tail: the relay corrects it
	talk 1000002 5 -t 1000007 -s 1
	heard 1000003 5
	heard 1000004 5
	atf_check -o match:"^UNITS 0" cat s.1000002
	atf_check -s exit:1 grep -v -e "^UNIT len=148 seq=[0-4] ssrc=1000002 tail=1000002\$" \
	    -e "^UNITS" l.1000003
	atf_check -o save:a sed -n 's/^UNIT //p' l.1000003
	atf_check -o file:a sed -n 's/^UNIT //p' l.1000004
	# nobody answered the handshakes
	atf_check -s exit:1 grep -q BYTES l.1000003 s.1000002
}
relay_cleanup() { voice_stop; }

atf_test_case not_member cleanup
not_member_head()
{
	atf_set "descr" "a handshake for a room one is not in, or a room that is not active, is closed"
}
not_member_body()
{
	voice_start
	member 3 1000002
	atf_check -o match:"^EOF" -o match:"^UNITS 0" \
	    "$V" -p "$VPORT" -r "$ROOM" -u 1000009 -l -s 5
	wait_for pald.log "voice uid 1000009 room $ROOM: not a member of the room"
	atf_check -o match:"^EOF" \
	    "$V" -p "$VPORT" -r 50077 -u 1000002 -l -s 5
	wait_for pald.log "voice uid 1000002 room 50077: room not active"
	# a non-member cannot speak either
	listen 1000002 2
	talk 1000009 3
	heard 1000002 0
}
not_member_cleanup() { voice_stop; }

atf_test_case reddot cleanup
reddot_head()
{
	atf_set "descr" "a red-dotted member is not heard; the red dot removed, it is"
}
reddot_body()
{
	voice_start
	member 3 1000002
	member 4 1000003
	say 3 1000002 reddot OK
	listen 1000003 2
	talk 1000002 4
	heard 1000003 0
	say 3 1000002 speaker "SPEAKER 0"
	say 3 1000002 unreddot OK
	listen 1000003 2
	talk 1000002 4
	heard 1000003 4
}
reddot_cleanup() { voice_stop; }

atf_test_case chat_room cleanup
chat_room_head()
{
	atf_set "descr" "members who joined a voice room through the chat: 0x013b names the voice port, one hears the other, a red dot from an admin silences"
	atf_set "timeout" 60
}
chat_room_body()
{
	addadmin boss boss-pw 1 >/dev/null
	a=$(adduser alice alice-pw)
	b=$(adduser bob bob-pw)
	voice_start
	for u in alice bob; do
		printf 'login %s %s-pw\njoin 50002\nexpect 0x013b port=%s\necho JOINED\nwaitfile %s/done\nquit\n' \
		    $u $u "$VPORT" "$PWD" | "$H" -t 50 "$PORT" >$u.out &
		echo $! >>members.pid
		wait_for $u.out "^JOINED"
	done
	atf_check -o match:"room=50002 ip=127.0.0.1 port=$VPORT" \
	    grep "^RECV 0x013b" alice.out
	ROOM=50002
	listen "$b" 3
	talk "$a" 4
	heard "$b" 4
	atf_check -s exit:1 grep -v -e "ssrc=$a tail=$a\$" -e "^UNITS" \
	    "l.$b"
	printf 'login boss boss-pw\njoin 50002\nreddot 50002 %s\nexpect 0x017d uid=%s\necho DOTTED\nwaitfile %s/done\nquit\n' \
	    "$a" "$a" "$PWD" | "$H" -t 50 "$PORT" >boss.out &
	echo $! >>members.pid
	wait_for boss.out "^DOTTED"
	listen "$b" 2
	talk "$a" 4
	heard "$b" 0
	touch ./done
}
chat_room_cleanup() { voice_stop; }

atf_test_case one_speaker cleanup
one_speaker_head()
{
	atf_set "descr" "one speaker at a time; the mic passes to the first raised hand (0x018f) after 1.5 s of silence"
	atf_set "timeout" 60
}
one_speaker_body()
{
	voice_start
	member 3 1000002
	member 4 1000003
	member 5 1000004
	member 6 1000005
	member 7 1000006
	# the room's voice goes on while 1000006 listens (the 5.0 client
	# stays connected as long as it is in the room)
	listen 1000006 30
	listen 1000005 4
	# 1000002 holds the mic while 1000003 tries to talk at the same time
	talk 1000002 20 &
	tp=$!
	sleep 0.3
	talk 1000003 5
	wait $tp
	say 3 1000002 speaker "SPEAKER 1000002"
	heard 1000005 20
	atf_check -s exit:1 grep -q "ssrc=1000003" l.1000005
	# hands: 1000004, then 1000003; the mic goes to 1000004 first
	say 5 1000004 hand OK
	say 4 1000003 hand OK
	i=0
	while ask 3 1000002 speaker && [ "$ANSWER" != "SPEAKER 1000004" ]; do
		i=$((i + 1))
		[ $i -gt 60 ] && atf_fail "the mic did not pass to 1000004: $ANSWER"
		sleep 0.1
	done
	say 5 1000004 inbox END
	atf_check -o match:"^FRAME 0x018f 1000004" cat m.1000004
	# it is 1000004's turn: 1000003 (still waiting) is not heard
	listen 1000005 2
	talk 1000003 3
	heard 1000005 0
	listen 1000005 2
	talk 1000004 3
	heard 1000005 3
	# all mics open: anyone is heard
	say 3 1000002 "allmics 1" OK
	listen 1000005 2
	talk 1000003 3
	heard 1000005 3
}
one_speaker_cleanup() { voice_stop; }

atf_test_case left_room cleanup
left_room_head()
{
	atf_set "descr" "a member who leaves the room loses its voice connection"
}
left_room_body()
{
	voice_start
	member 3 1000002
	member 4 1000003
	listen 1000003 10
	say 4 1000003 leave LEFT
	wait "$(cat l.1000003.pid)"
	atf_check -o match:"^EOF" cat l.1000003
	wait_for pald.log "voice uid 1000003 room $ROOM closed: left the room"
}
left_room_cleanup() { voice_stop; }

atf_test_case restart cleanup
restart_head()
{
	atf_set "descr" "SIGKILL of the voice child: chat sessions go on, voice comes back"
	atf_set "timeout" 60
}
restart_body()
{
	adduser alice alice-pw >/dev/null
	voice_start
	printf 'login alice alice-pw\necho READY\nwaitfile %s\nsearchx alice\nexpect 0x0045 nickname=alice\nquit\n' \
	    "$PWD/voice.back" | "$H" -t 30 "$PORT" >alice.out &
	apid=$!
	wait_for alice.out READY
	member 3 1000010
	member 4 1000011
	old=$(voice_pid) || atf_fail "no voice child"
	kill -9 "$old"
	wait_for pald.log "voice child $old killed by signal 9"
	i=0
	while ! new=$(voice_pid) || [ "$new" = "$old" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "the voice child did not come back"
		sleep 0.05
	done
	touch voice.back
	wait $apid || atf_fail "the chat session ended: $(cat alice.out)"
	atf_check -o match:"nickname=alice" grep "^RECV 0x0045" alice.out
	# the same port, a new process
	listen 1000011 2
	talk 1000010 3
	heard 1000011 3
}
restart_cleanup() { voice_stop; }

# units_from FILE UID N - wait until FILE has N units from UID (SSRC and
# tail both UID), at most 10 seconds
units_from()
{
	k=0
	while [ "$(grep -c "ssrc=$2 tail=$2\$" "$1")" -lt "$3" ]; do
		k=$((k + 1))
		[ $k -gt 200 ] && atf_fail "$1: fewer than $3 units from $2"
		sleep 0.05
	done
}

atf_test_case udp cleanup
udp_head()
{
	atf_set "descr" "plain RTP over UDP for registered endpoints, converted both ways: heard over TCP, hears TCP; an unregistered source is dropped and never answered"
	atf_set "timeout" 60
}
udp_body()
{
	voice_start
	member 3 1000002
	member 4 1000003
	member 5 1000004
	say 3 1000002 "allmics 1" OK
	listen 1000004 30
	say 4 1000003 "udp 3 $VPORT" "^UDP "
	wait_for pald.log "voice uid 1000003 room $ROOM: RTP endpoint port [0-9]* listen speak on"
	# a UDP speaker (plain RTP, 4 GSM frames) is heard over TCP as 5.0
	# units, with SSRC and tail set
	say 4 1000003 "usend 4" "^SENT 4"
	units_from l.1000004 1000003 4
	# a UDP listener hears a TCP speaker, as plain RTP (no uid tail)
	n=$(grep -c . m.1000003)
	echo "urecv 3000" >&4
	talk 1000002 3
	k=0
	while [ "$(grep -c . m.1000003)" -le "$n" ]; do
		k=$((k + 1))
		[ $k -gt 200 ] && atf_fail "no URECV"
		sleep 0.05
	done
	atf_check -o match:"^URECV 3 ssrc=1000002 len=144\$" tail -1 m.1000003
	units_from l.1000004 1000002 3
	# unregistered: its datagrams go nowhere and get no answer
	say 4 1000003 "udp 0 $VPORT" "^UDP "
	wait_for pald.log "voice uid 1000003 room $ROOM: RTP endpoint port [0-9]* listen speak off"
	say 4 1000003 "usend 3" "^SENT 3"
	say 4 1000003 "urecv 1000" "^URECV 0 "
	atf_check -o inline:"4\n" grep -c "ssrc=1000003 tail=1000003\$" l.1000004
}
udp_cleanup() { voice_stop; }

atf_test_case voice_only cleanup
voice_only_head()
{
	atf_set "descr" "pald -V: the voice relay alone on the same run directory"
}
voice_only_body()
{
	need_voice
	conf
	"$PALD" -V -d -f "$PWD/pald.conf" -l 127.0.0.1 -p 0 -r "$PWD/run" \
	    -P "$PWD/vpald.pid" -W "$PWD/voice.port" 2>>pald.log &
	wait_for voice.port .
	wait_for pald.log "voice: serving"
	VPORT=$(cat voice.port)
	member 3 1000002
	member 4 1000003
	listen 1000003 2
	talk 1000002 3
	heard 1000003 3
	# SIGTERM: it stops and takes its pid file away
	vpid=$(cat vpald.pid)
	kill "$vpid"
	i=0
	while kill -0 "$vpid" 2>/dev/null && [ $i -lt 200 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	atf_check -s exit:1 -e ignore kill -0 "$vpid"
	atf_check -s exit:1 test -e vpald.pid
}
voice_only_cleanup() { voice_stop; }

atf_init_test_cases()
{
	atf_add_test_case relay
	atf_add_test_case not_member
	atf_add_test_case reddot
	atf_add_test_case chat_room
	atf_add_test_case one_speaker
	atf_add_test_case left_room
	atf_add_test_case restart
	atf_add_test_case udp
	atf_add_test_case voice_only
}
