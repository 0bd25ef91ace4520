#
# t_client.sh - the test clients themselves: h_client's room encoders and
# decoders (selftest, and over a socket against canned frames served by
# h_inetd) and h_voice against an echo service.  No pald here; every wait
# is bounded.
#

H="$(atf_get_srcdir)/h_client"
HI="$(atf_get_srcdir)/h_inetd"
HV="$(atf_get_srcdir)/h_voice"

# hexbin HEX - the bytes
hexbin()
{
	h=$1
	o=
	while [ -n "$h" ]; do
		o="$o\\$(printf %03o "0x${h%"${h#??}"}")"
		h=${h#??}
	done
	printf "$o"
}

# frame TYPE FILE - a server frame (version 0x001d) with FILE as payload
frame()
{
	hexbin "${1}001d$(printf %04x "$(wc -c <"$2")")"
	cat "$2"
}

# serve COUNT COMMAND... - h_inetd in the background on $PORT
serve()
{
	rm -f inetd.port
	"$HI" inetd.port "$@" &
	INETD=$!
	i=0
	while [ ! -s inetd.port ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "h_inetd did not start"
		sleep 0.05
	done
	PORT=$(cat inetd.port)
}

tohex()
{
	od -An -v -tx1 "$1" | tr -d ' \n'
}

atf_test_case selftest
selftest_head()
{
	atf_set "descr" "h_client's encoders and decoders against vectors"
}
selftest_body()
{
	echo selftest >script
	atf_check -o inline:"selftest ok\n" "$H" 1 <script
}

atf_test_case script_errors
script_errors_head()
{
	atf_set "descr" "room commands refuse bad arguments (exit 2)"
}
script_errors_body()
{
	for l in "join x" "join" "rooms 4294967296" "joinname" \
	    "joinadmin 1000002" "joinadmin 1000002 -1" "create 70000 G x" \
	    "create 1 GG x" "create 1 G x lw voice more" "create 1 G x lw lw2" \
	    "leave 1 2" "say" "invite 1" "invite 1 nobody" "report 1 2" \
	    "reason 1 2" "bannick 1" "bannick 1 a b" "newmic 1 2" \
	    "allmics 1" "video 1 on" "handup" "close 1 2" "admininfo -2"; do
		echo "$l" >script
		atf_check -s exit:2 -e match:"line 1: " "$H" 1 <script
	done
}

atf_test_case room_frames_sent
room_frames_sent_head()
{
	atf_set "descr" "room commands go out as PROTOCOL.md 5.6-5.12 says"
}
room_frames_sent_body()
{
	serve 1 /bin/sh -c "exec cat >'$PWD/got'"
	cat >script <<EOF
connect
rooms 30001
join 50001 invisible pw
create 30002 A Loud lw voice
say 50001 hi there
handup 50001
video 50001 0
quit
EOF
	atf_check -s exit:0 "$H" -t 10 "$PORT" <script
	wait "$INETD"
	atf_check_equal "$(tohex got)" "\
feb60047000c000000010000000100007531\
feca0047000c0000c35100010000082a7077\
fed400470012000300007532\
0000082a414c6f75640a6c77\
fea20047000c0000c3516869207468657265\
fe72004700040000c351\
e884004700040000c351\
fbb400470000"
}

atf_test_case room_frames_decoded
room_frames_decoded_head()
{
	atf_set "descr" "room frames from a server are decoded on RECV lines"
}
room_frames_decoded_body()
{
	{
		hexbin 0000c35100030001000000000bb823280001000600034754
		printf 'uck\nva=Y'
	} >p1
	printf 'group_id=50001\nuid=1000002\nnickname=alice\n\310' >p2
	printf 'group_id=50001\nuid=1000003\nnickname=bob\neof=Y\n\310' >>p2
	hexbin 0000c3517f0000010001869f0000082a >p3
	{ hexbin 0000c35100000000; printf 'welcome'; } >p4
	{ hexbin 0000c351000f4243; printf 'You have been bounced.'; } >p5
	hexbin 0000c3510001000f4242 >p6
	{ frame 0136 p1; frame 0154 p2; frame 013b p3; frame 015e p4;
	    frame 017c p5; frame 0163 p6; } >frames
	serve 1 /bin/cat "$PWD/frames"
	cat >script <<EOF
connect
expect 0x0136 room=50001 kind=3 admin=1 rating=G name=Tuck text=va=Y
expect 0x0154 nickname=alice | group_id=50001 uid=1000003 nickname=bob eof=Y
expect 0x013b room=50001 ip=127.0.0.1 port=2090 raw=0001869f0000
expect 0x015e room=50001 from=0 text=welcome
expect 0x017c room=50001 uid=1000003 text=You have been bounced.
expect 0x0163 room=50001 on=1 by=1000002
eof
EOF
	atf_check -s exit:0 -o save:out "$H" -t 10 "$PORT" <script
	wait "$INETD"
	atf_check -o match:"^RECV 0x0154 [0-9]* group_id=50001 uid=1000002" \
	    cat out
}

atf_test_case voice_echo
voice_echo_head()
{
	atf_set "descr" "h_voice: handshake, units, and the units read back"
}
voice_echo_body()
{
	serve 1 /bin/sh -c "exec tee '$PWD/got'"
	atf_check -o save:out "$HV" -p "$PORT" -r 50001 -u 1000002 -n 3 \
	    -i 10 -s 1 -t 7
	wait "$INETD"
	# the echoed handshake is 8 bytes that are no unit
	atf_check -o inline:"BYTES 8
UNIT len=148 seq=0 ssrc=1000002 tail=7
UNIT len=148 seq=1 ssrc=1000002 tail=7
UNIT len=148 seq=2 ssrc=1000002 tail=7
SENT 3
UNITS 3
" cat out
	g="d820a2e15a50004924924924500049249249245000492492492450004924924924"
	atf_check_equal "$(tohex got)" "0000c351000f4242\
000000948003000000000000000f4242$g$g$g${g}07000000\
000000948003000100000280000f4242$g$g$g${g}07000000\
000000948003000200000500000f4242$g$g$g${g}07000000"
}

atf_test_case voice_junk
voice_junk_head()
{
	atf_set "descr" "h_voice -l: BYTES for what is no unit, EOF, UNITS"
}
voice_junk_body()
{
	# a server that answers the handshake with 00000000, then a unit
	# cut short (the 5.0 client would loop reconnecting)
	{ hexbin 00000000; hexbin 000000948003; } >answer
	serve 1 /bin/sh -c "head -c 8 >/dev/null; exec cat '$PWD/answer'"
	atf_check -o inline:"BYTES 10\nEOF\nUNITS 0\n" \
	    "$HV" -p "$PORT" -r 1 -u 2 -l -s 10
	wait "$INETD"
}

atf_test_case voice_usage
voice_usage_head()
{
	atf_set "descr" "h_voice takes a port only, and bounded numbers"
}
voice_usage_body()
{
	atf_check -s exit:2 -e match:usage "$HV" -r 1 -u 2
	atf_check -s exit:2 -e match:usage "$HV" -p 1 -r 1 -u 2 127.0.0.2
	atf_check -s exit:2 -e match:usage "$HV" -p 1 -r 1 -u 2 -s 601
	atf_check -s exit:2 -e match:usage "$HV" -p 1 -r 1 -u -2
	atf_check -s exit:2 -e match:usage "$HV" -p 1 -r 1 -u 2 -n 100001
	atf_check -s exit:2 -e match:"run of over" \
	    "$HV" -p 1 -r 1 -u 2 -n 100000 -i 10000
}

atf_test_case packets_sent
packets_sent_head()
{
	atf_set "descr" "tools/packets: every client packet type the server dispatches is sent by some test; it names a type none sends"
}
packets_sent_body()
{
	top="$(atf_get_srcdir)/.."
	atf_check -s exit:0 -o empty "$top/tools/packets" -q
	atf_check -s exit:0 -o match:"PT_C_ROOM_UNBOUNCE .*t_room:console" \
	    "$top/tools/packets"
	# with t_room alone, the types only other programs send are named
	atf_check -s exit:1 -o match:"-68 PT_C_UNKNOWN_USER +UNTESTED" \
	    -o not-match:"PT_C_ROOM_UNBAN +UNTESTED" \
	    "$top/tools/packets" -q tests/t_room.sh
}

atf_init_test_cases()
{
	atf_add_test_case selftest
	atf_add_test_case script_errors
	atf_add_test_case room_frames_sent
	atf_add_test_case room_frames_decoded
	atf_add_test_case voice_echo
	atf_add_test_case voice_junk
	atf_add_test_case voice_usage
	atf_add_test_case packets_sent
}
