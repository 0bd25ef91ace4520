#
# t_p2p.sh - voice calls, file transfers and video calls between two
# users, end to end: their signalling (p2p.c) and the voice child's
# relay of their media (relay.c), with tests/h_client as 5.0 clients
# that each come from an address of their own on loopback (alice
# 127.0.0.2, bob 127.0.0.3, carol 127.0.0.4; eve, 127.0.0.5, is a third
# party).  pald listens on 127.0.0.1, which is the relay's address.
# Every wait is bounded.
#

. "$(atf_get_srcdir)/common.sh"

R=127.0.0.1
A=127.0.0.2
B=127.0.0.3
C=127.0.0.4
E=127.0.0.5

# p2p_start [conf lines] - the four accounts, pald with relay ports of
# this run's own (suites elsewhere may hold others)
p2p_start()
{
	# a base whose first 64 ports no socket on this host uses (other
	# suites and benchmarks may run beside this one)
	n=0
	while :; do
		BASE=$((10000 + ($$ + n * 337) % 1000 * 20))
		ss -Hantu '( sport >= :'$BASE' and sport < :'$((BASE + 64))' )' \
		    2>/dev/null | grep -q . || break
		n=$((n + 1))
		[ $n -lt 20 ] || break
	done
	conf "p2p_port $BASE" "$@"
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	adduser carol carol-pw >/dev/null
	adduser eve eve-pw >/dev/null
	pald_start
	wait_for pald.log "voice: serving"
}

# p2p_stop - the parties still running, then pald
p2p_stop()
{
	parties_stop
}

# relays N KIND WHAT - until pald.log has N lines "relay: KIND ...: WHAT"
relays()
{
	i=0
	while [ "$(grep -c "relay: $2 of .*: $3" pald.log)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "no $1 '$2 ... $3' lines: $(cat pald.log)"
		sleep 0.05
	done
}

# port_of NAME TYPE - the port of the last TYPE packet NAME received
port_of()
{
	sed -n "s/^RECV $2 10 uid=[0-9]* ip=[0-9.]* port=\([0-9]*\)$/\1/p" \
	    "$1.out" | tail -1
}

# eve ADDR ARGS... - one media command from a third party at ADDR
eve()
{
	a=$1
	shift
	echo "$*" | "$H" -b "$a" -t 10 "$PORT"
}

atf_test_case call_relay cleanup
call_relay_head()
{
	atf_set "descr" "a voice call through the relay: the invitation, the connection packets with the relay's address and each side's port, RTP and RTCP both ways from the relay's address, a hang-up that ends the relay"
	atf_set "timeout" 60
}
call_relay_body()
{
	p2p_start
	cat >bob.in <<'IN'
login bob bob-pw
uid alice
echo IN
expect 0x01c2
answer alice
expect 0x01c1
rtpopen
echo OPEN
waitfile go
rtprecv 3000 7
rtpsend 3
echo SENT
waitfile over
hangup alice
echo HUNG
waitfile off
rtprecv 800
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	cat >alice.in <<'IN'
uid bob
login alice alice-pw
call bob
expect 0x01c1
rtpopen
echo OPEN
waitfile go
rtpsend 5
rtcpsend 2
rtprecv 3000 3
expect 0x01c3
waitfile off
rtpsend 2
quit
IN
	party alice $A
	wait_for alice.out "^OPEN"
	wait_for bob.out "^OPEN"
	relays 2 call on
	touch go
	wait_for bob.out "^SENT"
	wait_for alice.out "^RTPS"
	# the media stop with the call: alice's last two go nowhere
	touch over
	wait_for bob.out "^HUNG"
	relays 2 call off
	touch off
	done_ok alice
	done_ok bob
	atf_check -o match:"uid=1000002\|ip=2130706433\|port=2090\|nickname=alice" \
	    grep "^RECV 0x01c2" bob.out
	pa=$(port_of alice 0x01c1)
	pb=$(port_of bob 0x01c1)
	atf_check -o match:"uid=1000003 ip=$R port=$pa" grep "^RECV 0x01c1" alice.out
	atf_check -o match:"uid=1000002 ip=$R port=$pb" grep "^RECV 0x01c1" bob.out
	[ "$pa" != "$pb" ] || atf_fail "one port for both sides"
	for p in $pa $pb; do
		[ "$p" -ge "$BASE" ] && [ "$p" -lt $((BASE + 2048)) ] &&
		    [ $((p % 2)) -eq $((BASE % 2)) ] ||
		    atf_fail "port $p is not a relay port of $BASE"
	done
	# each side hears the other, from the relay, on its own port
	atf_check -o inline:"5\n" grep -c \
	    "^RTP seq=[0-4] ssrc=1000002 len=144 from=$R:$pb port=$pb\$" bob.out
	atf_check -o inline:"2\n" grep -c "^RTCP len=28 from=$R:$((pb + 1)) port=$((pb + 1))\$" bob.out
	atf_check -o inline:"3\n" grep -c \
	    "^RTP seq=[0-2] ssrc=1000003 len=144 from=$R:$pa port=$pa\$" alice.out
	atf_check -o match:"^RTPS 0" tail -1 bob.out
	atf_check -o match:"uid=1000003" grep "^RECV 0x01c3" alice.out
}
call_relay_cleanup() { p2p_stop; }

atf_test_case call_direct cleanup
call_direct_head()
{
	atf_set "descr" "p2p_relay no: each side is given the other's address as pald sees it, port 2090, and nothing is relayed"
}
call_direct_body()
{
	p2p_start "p2p_relay no"
	cat >bob.in <<'IN'
login bob bob-pw
uid alice
echo IN
expect 0x01c2
answer alice
expect 0x01c1
hangup alice
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	printf 'uid bob\nlogin alice alice-pw\ncall bob\nexpect 0x01c1\nexpect 0x01c3\nquit\n' |
	    "$H" -b $A -t 20 "$PORT" >alice.out 2>&1 ||
	    atf_fail "alice: $(cat alice.out)"
	done_ok bob
	# 127.0.0.2 is 2130706434
	atf_check -o match:"uid=1000002\|ip=2130706434\|port=2090\|" \
	    grep "^RECV 0x01c2" bob.out
	atf_check -o match:"uid=1000003 ip=$B port=2090" grep "^RECV 0x01c1" alice.out
	atf_check -o match:"uid=1000002 ip=$A port=2090" grep "^RECV 0x01c1" bob.out
	atf_check -s exit:1 grep -q "relay:" pald.log
}
call_direct_cleanup() { p2p_stop; }

atf_test_case refused cleanup
refused_head()
{
	atf_set "descr" "a call to someone off line, unknown, oneself or the system user, a declined call, and one to someone already in a call get 'did not accept' (0x01c3) at once"
	atf_set "timeout" 60
}
refused_body()
{
	p2p_start
	cat >bob.in <<'IN'
login bob bob-pw
uid alice
uid carol
echo IN
expect 0x01c2 uid=1000002
decline alice
expect 0x01c2 uid=1000004
answer carol
expect 0x01c1
echo BUSY
waitfile over
hangup carol
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	printf 'uid bob\nlogin carol carol-pw\necho IN\nwaitfile declined\ncall bob\nexpect 0x01c1\nexpect 0x01c3\nquit\n' >carol.in
	party carol $C
	wait_for carol.out "^IN"
	cat >alice.in <<'IN'
uid bob
uid carol
login alice alice-pw
call 1000005
expect 0x01c3 uid=1000005
call 1000099
expect 0x01c3 uid=1000099
call alice
expect 0x01c3 uid=1000002
call 1000001
expect 0x01c3 uid=1000001
call bob
expect 0x01c3 uid=1000003
echo DECLINED
waitfile busy
call bob
expect 0x01c3 uid=1000003
call carol
expect 0x01c3 uid=1000004
echo REFUSED
quit
IN
	party alice $A
	wait_for alice.out "^DECLINED"
	touch declined
	wait_for bob.out "^BUSY"
	touch busy
	wait_for alice.out "^REFUSED"
	touch over
	done_ok alice
	done_ok bob
	done_ok carol
	# bob was rung by alice, then by carol; nobody rang carol
	atf_check -o inline:"2\n" grep -c "^RECV 0x01c2" bob.out
	atf_check -s exit:1 grep -q "^RECV 0x01c2" carol.out
	atf_check -s exit:1 grep -q "^RECV 0x0064" alice.out
}
refused_cleanup() { p2p_stop; }

atf_test_case refused_kinds cleanup
refused_kinds_head()
{
	atf_set "descr" "a file or video call to someone off line, unknown, oneself or the system user gets the refusal of its kind (0x01bb, 0x02bd) at once, and no text"
	atf_set "timeout" 60
}
refused_kinds_body()
{
	p2p_start
	{
		echo "login alice alice-pw"
		for u in 1000005 1000099 1000002 1000001; do
			echo "offer $u"
			echo "expect 0x01bb uid=$u"
			echo "vcall $u 2091"
			echo "expect 0x02bd uid=$u"
		done
		echo "echo REFUSED"
		echo "quit"
	} >alice.in
	"$H" -b $A -t 20 "$PORT" <alice.in >alice.out 2>&1 ||
	    atf_fail "alice: $(cat alice.out)"
	atf_check -o inline:"4\n" grep -c "^RECV 0x01bb" alice.out
	atf_check -o inline:"4\n" grep -c "^RECV 0x02bd" alice.out
	atf_check -s exit:1 grep -q "^RECV 0x0064" alice.out
}
refused_kinds_cleanup() { p2p_stop; }

atf_test_case unasked cleanup
unasked_head()
{
	atf_set "descr" "answers, declines and hang-ups of every kind that name someone who asked nothing reach nobody; the session goes on and its next call rings"
	atf_set "timeout" 60
}
unasked_body()
{
	p2p_start
	printf 'login bob bob-pw\necho IN\nexpect 0x01c2 uid=1000002\necho RUNG\nquit\n' >bob.in
	party bob $B
	wait_for bob.out "^IN"
	cat >alice.in <<'IN'
uid bob
login alice alice-pw
answer bob
decline bob
hangup bob
acceptfile bob
refuse bob
vaccept bob 2091
vdecline bob
vhangup bob
drain 500
call bob
echo CALLED
waitfile rung
quit
IN
	party alice $A
	wait_for bob.out "^RUNG"
	done_ok bob
	touch rung
	done_ok alice
	atf_check -s exit:1 grep -E "^RECV 0x0(1c[013]|1b[bc]|2(c6|bd|d0))" bob.out
	atf_check -o inline:"1\n" grep -c "^RECV 0x01c2" bob.out
}
unasked_cleanup() { p2p_stop; }

atf_test_case blocked cleanup
blocked_head()
{
	atf_set "descr" "a call, file or video from someone the user blocked is refused like any other, and the user sees nothing of it"
}
blocked_body()
{
	p2p_start
	cat >bob.in <<'IN'
login bob bob-pw
uid alice
block alice
expect 0x01fe nickname=alice
echo BLOCKED
waitfile over
expectnot 0x01c2,0x01bd,0x02bc 300
quit
IN
	party bob $B
	wait_for bob.out "^BLOCKED"
	printf 'uid bob\nlogin alice alice-pw\ncall bob\nexpect 0x01c3 uid=1000003\noffer bob\nexpect 0x01bb uid=1000003\nvcall bob 2091\nexpect 0x02bd uid=1000003\nquit\n' |
	    "$H" -b $A -t 20 "$PORT" >alice.out 2>&1 ||
	    atf_fail "alice: $(cat alice.out)"
	touch over
	done_ok bob
	atf_check -s exit:1 grep -q "^RECV 0x0064" alice.out
}
blocked_cleanup() { p2p_stop; }

atf_test_case privacy cleanup
privacy_head()
{
	atf_set "descr" "privacy T or P: calls, files and video only from pals; a stranger is told why in a RETURN_CODE; a pal gets through"
}
privacy_body()
{
	p2p_start
	cat >bob.in <<'IN'
login bob bob-pw
uid alice
send -410 54
echo PRIVATE
waitfile refused
add alice
expect 0x0043
echo PAL
expect 0x01c2 uid=1000002
decline alice
quit
IN
	party bob $B
	wait_for bob.out "^PRIVATE"
	cat >alice.in <<'IN'
uid bob
login alice alice-pw
call bob
expect 0x0064 type=0xfe3e code=99 text=This user accepts calls and file transfers only from people on their pal list.
offer bob
expect 0x0064 type=0xfe43 code=99
expect 0x01bb uid=1000003
vcall bob 2091
expect 0x0064 type=0xfd44 code=99
expect 0x02bd uid=1000003
echo REFUSED
waitfile pal
call bob
expect 0x01c3 uid=1000003
quit
IN
	party alice $A
	wait_for alice.out "^REFUSED"
	touch refused
	wait_for bob.out "^PAL"
	touch pal
	done_ok alice
	done_ok bob
	atf_check -o inline:"1\n" grep -c "^RECV 0x01c2" bob.out
}
privacy_cleanup() { p2p_stop; }

atf_test_case malformed cleanup
malformed_head()
{
	atf_set "descr" "each request type with payloads of every length from 0 to 64 of random bytes: one log line, no crash, nothing reaches anyone, the session goes on"
	atf_set "timeout" 120
}
malformed_body()
{
	# the junk first, before bob waits: some thousand processes, slow
	# on a busy host
	{
		echo "uid bob"
		echo "login alice alice-pw"
		junk -450 -449 -452 -448 -445 -444 -443 -700 -710 -701 -720
		echo "im bob still here"
		echo "drain 500"
		echo "quit"
	} >alice.in
	p2p_start "packet_rate 100000" "packet_burst 100000"
	exempt alice alice-pw	# the junk must reach the handlers
	cat >bob.in <<'IN'
login bob bob-pw
echo IN
expect 0x0014 text=still here
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	vpid=$(pgrep -P "$(cat pald.pid)" -f "^pald: voice")
	junked alice $A -450
	done_ok bob
	atf_check -s exit:1 grep -q "^RECV 0x01c2\|^RECV 0x01bd\|^RECV 0x02bc" bob.out
	intact "$vpid"
}
malformed_cleanup() { p2p_stop; }

atf_test_case flood cleanup
flood_head()
{
	atf_set "descr" "a flood of call requests: message_burst of them ring, the rest are refused with a text, and limit_strikes refusals end the session"
	atf_set "timeout" 60
}
flood_body()
{
	p2p_start
	cat >bob.in <<'IN'
login bob bob-pw
echo IN
waitfile over
drain 300
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	{
		echo "uid bob"
		echo "login alice alice-pw"
		repeat 100 "call bob"
		echo "eof"
	} >alice.in
	flooder alice $A
	touch over
	done_ok bob
	atf_check -o match:"You are sending" grep "^RECV 0x0064 .*type=0xfe3e code=99" alice.out
	count_in bob.out "^RECV 0x01c2" 1 20
	atf_check -o match:"alice is over" cat pald.log
}
flood_cleanup() { p2p_stop; }

atf_test_case relay_packets cleanup
relay_packets_head()
{
	atf_set "descr" "the call relay passes lost, duplicated and reordered packets as they come; nothing before the answer; a third party, from another address or from a side's address but another port, gets nothing through"
	atf_set "timeout" 60
}
relay_packets_body()
{
	p2p_start
	# a fresh table: alice's call is entry 0, bob's entry 1
	pa=$BASE
	pb=$((BASE + 2))
	cat >bob.in <<IN
login bob bob-pw
uid alice
echo IN
expect 0x01c2
rtpopen $pb
echo RUNG
waitfile early
answer alice
expect 0x01c1 port=$pb
echo OPEN
rtprecv 4000 7
echo HEARD
waitfile spoofed
rtprecv 1000
echo QUIET
waitfile over
hangup alice
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	cat >alice.in <<IN
uid bob
login alice alice-pw
call bob
waitfile ringing
rtpsend 4 $R $pa
echo EARLY
expect 0x01c1 port=$pa
waitfile go
rtpsend 1,2,2,5,4,3,7
expect 0x01c3
quit
IN
	party alice $A
	wait_for bob.out "^RUNG"
	relays 2 call ready
	touch ringing
	# before the answer nothing passes
	wait_for alice.out "^EARLY"
	touch early
	wait_for bob.out "^OPEN"
	relays 2 call on
	touch go
	wait_for bob.out "^HEARD"
	# eve, from her own address, to both ports; then from alice's
	# address but another source port (alice's is latched), and from
	# bob's to alice's port for RTCP
	eve $E "rtpsend 5 $R $pb" >eve1.out 2>&1
	eve $E "rtpsend 5 $R $pa" >eve2.out 2>&1
	eve $A "rtpsend 5 $R $pa" >eve3.out 2>&1
	eve $B "rtcpsend 3 $R $pa" >eve4.out 2>&1
	atf_check -o match:"^SENT 5" cat eve1.out eve2.out eve3.out
	touch spoofed
	wait_for bob.out "^QUIET"
	touch over
	done_ok alice
	done_ok bob
	# exactly what alice sent after the answer, in her order, and
	# nothing else
	seqs=$(sed -n 's/^RTP seq=\([0-9]*\) ssrc=1000002 .*/\1/p' bob.out |
	    tr '\n' ' ')
	[ "$seqs" = "1 2 2 5 4 3 7 " ] || atf_fail "bob heard '$seqs'"
	atf_check -o inline:"7\n" grep -c "^RTP seq=" bob.out
	atf_check -s exit:1 grep -q "^RTCP" bob.out
	atf_check -o match:"relay: datagram on port $pa of uid 1000002's call from $A" cat pald.log
	atf_check -o match:"relay: datagram on port $pb of uid 1000003's call from $E" cat pald.log
}
relay_packets_cleanup() { p2p_stop; }

atf_test_case file_relay cleanup
file_relay_head()
{
	atf_set "descr" "a file of 200 KB through the relay arrives byte for byte; a refused transfer is told; a third party's connection to the relay port is dropped"
	atf_set "timeout" 60
}
file_relay_body()
{
	p2p_start
	head -c 204800 /dev/urandom >f200k.bin
	head -c 5000 /dev/urandom >other.bin
	cat >bob.in <<'IN'
login bob bob-pw
uid alice
echo IN
expect 0x01bd uid=1000002
refuse alice
expect 0x01bd uid=1000002
flisten 0
acceptfile alice
fget got.bin
refuse alice
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	cat >alice.in <<'IN'
uid bob
login alice alice-pw
offer bob
expect 0x01bb uid=1000003
echo REFUSED
offer bob
expect 0x01bc uid=1000003
echo ACCEPTED
waitfile eve.done
fput f200k.bin
expect 0x01bb uid=1000003
quit
IN
	party alice $A
	wait_for alice.out "^ACCEPTED"
	relays 1 file ready
	pf=$(port_of alice 0x01bc)
	# a stranger tries the sender's relay port first: dropped
	eve $E "fput other.bin $R $pf" >eve.out 2>&1
	touch eve.done
	done_ok alice
	done_ok bob
	atf_check -o match:"ip=$R port=$pf" grep "^RECV 0x01bc" alice.out
	atf_check -o match:"^FILE name=f200k.bin size=204800 got=204800 from=$R\$" \
	    cat bob.out
	cmp -s f200k.bin got.bin || atf_fail "the file changed on its way"
	atf_check -o match:"relay: connection on port $pf of uid 1000002's file from $E" \
	    cat pald.log
	atf_check -o match:"relay: file of uid 1000002 to uid 1000003: 204815 bytes, done" \
	    cat pald.log
}
file_relay_cleanup() { p2p_stop; }

atf_test_case file_limits cleanup
file_limits_head()
{
	atf_set "descr" "file_max: a file announced larger is cut after its header; a sender that sends more than it announced is cut at what it announced"
	atf_set "timeout" 60
}
file_limits_body()
{
	p2p_start "file_max 100000"
	head -c 204800 /dev/urandom >f200k.bin
	for round in big lie; do
		cat >bob.in <<'IN'
login bob bob-pw
uid alice
echo IN
expect 0x01bd uid=1000002
flisten 0
acceptfile alice
fget got.bin
refuse alice
quit
IN
		party bob $B
		wait_for bob.out "^IN"
		if [ $round = big ]; then
			put="fput f200k.bin"
		else
			put="fputlie 1000 f200k.bin"
		fi
		printf 'uid bob\nlogin alice alice-pw\noffer bob\nexpect 0x01bc\n%s\nexpect 0x01bb\nquit\n' \
		    "$put" >alice.in
		party alice $A
		done_ok alice
		done_ok bob
		mv bob.out bob.$round
		mv alice.out alice.$round
	done
	atf_check -o match:"relay: file of uid 1000002 to uid 1000003: .* over file_max" cat pald.log
	# the receiver gets the header, then the end: a short file
	atf_check -o match:"^FILE name=f200k.bin size=204800 got=0 " cat bob.big
	atf_check -o match:"relay: file of uid 1000002 to uid 1000003: .* more than the file's size" cat pald.log
	atf_check -o match:"^FILE name=f200k.bin size=1000 got=1000 " cat bob.lie
}
file_limits_cleanup() { p2p_stop; }

atf_test_case video cleanup
video_head()
{
	atf_set "descr" "a video call: the invitation names the relay and the caller's port, 0x02c6 the callee's; each side pulls the other's picture through the relay; a decline is 0x02bd, a hang-up 0x02d0"
	atf_set "timeout" 60
}
video_body()
{
	p2p_start
	head -c 30000 /dev/urandom >alice.jpg
	head -c 20000 /dev/urandom >bob.jpg
	cat >bob.in <<'IN'
login bob bob-pw
uid alice
echo IN
expect 0x02bc uid=1000002
vdecline alice
expect 0x02bc uid=1000002
vlisten
vaccept alice
echo ACCEPTED
waitfile go
vget of-alice.jpg
vserve bob.jpg 1
vhangup alice
waitfile saw
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	cat >alice.in <<'IN'
uid bob
login alice alice-pw
vcall bob 2091
expect 0x02bd uid=1000003
echo DECLINED
vlisten
vcall bob
expect 0x02c6 uid=1000003
waitfile go
vserve alice.jpg 1
vget of-bob.jpg
expect 0x02d0 uid=1000003
echo SAW
quit
IN
	party alice $A
	wait_for bob.out "^ACCEPTED"
	relays 2 video on
	touch go
	# bob's hang-up, not his logout, tells alice (-720's handler)
	wait_for alice.out "^SAW"
	touch saw
	done_ok alice
	done_ok bob
	pa=$(sed -n 's/^RECV 0x02bc .*port=\([0-9]*\)|.*/\1/p' bob.out | tail -1)
	pb=$(port_of alice 0x02c6)
	[ "$pa" -ge "$BASE" ] && [ "$pb" -ge "$BASE" ] && [ "$pa" != "$pb" ] ||
	    atf_fail "ports $pa and $pb"
	atf_check -o match:"ip=2130706433\|port=$pa\|" grep "^RECV 0x02bc" bob.out
	atf_check -o match:"^VIDEO bytes=30000" cat bob.out
	atf_check -o match:"^VIDEO bytes=20000" cat alice.out
	cmp -s alice.jpg of-alice.jpg && cmp -s bob.jpg of-bob.jpg ||
	    atf_fail "a picture changed on its way"
	# the web servers were reached from the relay's address only
	atf_check -o match:"^VSERVED from=$R" cat alice.out bob.out
}
video_cleanup() { p2p_stop; }

atf_test_case ends cleanup
ends_head()
{
	atf_set "descr" "a call ends for the other side when a side cancels while ringing, answers too late, logs out, or its process dies"
	atf_set "timeout" 90
}
ends_body()
{
	p2p_start
	# cancelled while ringing: bob is told, and his late answer too
	cat >bob.in <<'IN'
login bob bob-pw
uid alice
echo IN
expect 0x01c2
echo RUNG
expect 0x01c3 uid=1000002
answer alice
expect 0x01c3 uid=1000002
expectnot 0x01c1 300
echo CANCELLED
expect 0x01c2
answer alice
expect 0x01c1
echo TALKING
expect 0x01c3 uid=1000002
echo ENDED
expect 0x01c2
answer alice
expect 0x01c1
echo AGAIN
expect 0x01c3 uid=1000002
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	printf 'uid bob\nlogin alice alice-pw\ncall bob\nwaitfile rung\nhangup bob\nwaitfile cancelled\ncall bob\nexpect 0x01c1\nquit\n' >alice.in
	party alice $A
	wait_for bob.out "^RUNG"
	touch rung
	wait_for bob.out "^CANCELLED"
	touch cancelled
	# alice logs out in the call
	wait_for bob.out "^ENDED"
	done_ok alice
	# alice's process is killed in a call
	printf 'uid bob\nlogin alice alice-pw\ncall bob\nexpect 0x01c1\necho TALKING\nwaitfile never\n' >alice.in
	party alice $A
	wait_for alice.out "^TALKING"
	wait_for bob.out "^AGAIN"
	kill -9 "$(child_of alice)"
	done_ok bob
	kill "$(cat alice.party)" 2>/dev/null
	atf_check -o match:"swept dead session of alice" cat pald.log
}
ends_cleanup() { p2p_stop; }

atf_init_test_cases()
{
	atf_add_test_case call_relay
	atf_add_test_case call_direct
	atf_add_test_case refused
	atf_add_test_case refused_kinds
	atf_add_test_case unasked
	atf_add_test_case blocked
	atf_add_test_case privacy
	atf_add_test_case malformed
	atf_add_test_case flood
	atf_add_test_case relay_packets
	atf_add_test_case file_relay
	atf_add_test_case file_limits
	atf_add_test_case video
	atf_add_test_case ends
}
