#
# t_video.sh - room video end to end: the signalling in room.c (-6010,
# -6012, -6020, -6030, -6150; 0x17d4, 0x17de, 0x17e8, 0x0138) and the
# voice child's video server (vidsrv.c), with tests/h_client as 5.0
# clients that each come from an address of their own on loopback
# (alice 127.0.0.2, bob 127.0.0.3, carol 127.0.0.4, dave 127.0.0.6; eve,
# 127.0.0.5, is not in the room).  pald listens on 127.0.0.1.  Every
# wait is bounded.
#

. "$(atf_get_srcdir)/common.sh"

R=127.0.0.1
A=127.0.0.2
B=127.0.0.3
C=127.0.0.4
E=127.0.0.5
D=127.0.0.6

# vstart [conf lines] - the accounts, a picture, pald; VP is the video
# port, a, b, c, e the uids
vstart()
{
	conf "$@"
	a=$(adduser alice alice-pw)
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	adduser dave dave-pw >/dev/null
	e=$(adduser eve eve-pw)
	# a JPEG as far as the server looks: FF D8 first
	printf '\377\330' >pic.jpg
	head -c 3000 /dev/urandom >>pic.jpg
	printf '\377\330' >other.jpg
	head -c 1000 /dev/urandom >>other.jpg
	pald_start
	wait_for pald.log "video: serving room video on port"
	VP=$(sed -n 's/.*video: serving room video on port \([0-9]*\).*/\1/p' \
	    pald.log | tail -1)
}

# one ADDR - a script on stdin from ADDR, in the foreground; must pass
one()
{
	"$H" -b "$1" -t 20 "$PORT" || atf_fail "script from $1 failed"
}

atf_test_case publish_view cleanup
publish_view_head()
{
	atf_set "descr" "a camera on: 0x17d4 names the video server, every member and a late joiner see the icon, a viewer let view it gets the picture as published; a camera off and a logout put the icon out for all"
	atf_set "timeout" 90
}
publish_view_body()
{
	vstart
	cat >bob.in <<IN
login bob bob-pw
uid alice
join 50001
expect 0x0154
echo IN
expect 0x0138 uid=$a on=1
roomtick
waitfile published
view alice 50001
expect 0x17e8 uid=$a room=50001 flags=1 ip=$R port=$VP
vvinit alice bob
vview alice bob of-alice.jpg
echo VIEWED
expect 0x0138 uid=$a on=0
echo SEENOFF
waitfile gone
vview alice bob none.jpg
echo OFF
expect 0x0138 uid=$a on=1
expect 0x0138 uid=$a on=0
expect 0x0140 uid=$a
quit
IN
	cat >carol.in <<IN
login carol carol-pw
join 50001
expect 0x0154
echo IN
expect 0x0138 uid=$a on=1
expect 0x0138 uid=$a on=0
expect 0x0138 uid=$a on=1
expect 0x0138 uid=$a on=0
expect 0x0140 uid=$a
quit
IN
	party bob $B
	party carol $C
	wait_for bob.out "^IN"
	wait_for carol.out "^IN"
	cat >alice.in <<IN
login alice alice-pw
join 50001
expect 0x0154
video 50001 1
expect 0x17d4 room=50001 ip=$R port=$VP
video 50001 1
expect 0x17d4 room=50001 ip=$R port=$VP
vinit alice
vpub alice pic.jpg 2
echo PUBLISHED
waitfile off
video 50001 0
expect 0x0138 uid=$a on=0
echo STOPPED
waitfile again
video 50001 1
expect 0x17d4 room=50001
echo ON2
waitfile bye
quit
IN
	party alice $A
	wait_for alice.out "^PUBLISHED"
	wait_for pald.log "video: camera of uid $a: first picture, 3002 bytes"
	# a late joiner sees the camera after the member list
	printf 'login dave dave-pw\njoin 50001\nexpect 0x0154\nexpect 0x0138 uid=%s on=1\nquit\n' "$a" |
	    one $D
	touch published
	wait_for bob.out "^VIEWED"
	touch off
	wait_for bob.out "^SEENOFF"
	# the video server reads the table four times a second
	wait_for pald.log "video: camera of uid $a off"
	touch gone
	wait_for bob.out "^OFF"
	touch again
	wait_for alice.out "^ON2"
	touch bye
	done_ok alice
	done_ok bob
	done_ok carol
	atf_check -o match:"^VKEY 10" -o match:"^VPUB sent=2" cat alice.out
	atf_check -o match:"^VIDEO bytes=3002" -o match:"^VKEY 10" cat bob.out
	cmp -s pic.jpg of-alice.jpg || atf_fail "the picture changed on its way"
	# off: no picture
	atf_check -o match:"^VIDEO-FAIL" cat bob.out
	atf_check -o match:"alice publishes video in room 50001" \
	    -o match:"alice stops video in room 50001" cat pald.log
}
publish_view_cleanup() { parties_stop; }

atf_test_case refused cleanup
refused_head()
{
	atf_set "descr" "no picture for a viewer not let view, a non-member, or a camera that is off; pictures from a uid whose camera is not on, or from another address, are dropped; an oversize picture and a stranger's bytes close their connection with one line"
	atf_set "timeout" 90
}
refused_body()
{
	vstart "video_frame_max 2048"
	cat >alice.in <<IN
login alice alice-pw
join 50001
expect 0x0154
video 50001 1
expect 0x17d4 room=50001
vpub alice small.jpg 1
echo PUBLISHED
waitfile big
vpub alice pic.jpg 1
echo BIG
waitfile done
quit
IN
	printf '\377\330' >small.jpg
	head -c 1500 /dev/urandom >>small.jpg
	party alice $A
	wait_for alice.out "^PUBLISHED"
	wait_for pald.log "video: camera of uid $a: first picture, 1502 bytes"
	cat >bob.in <<IN
login bob bob-pw
uid alice
uid carol
join 50001
expect 0x0154
view carol 50001
expect 0x015e text=That camera is not on
expectnot 0x17e8 300
vview alice bob x.jpg $R $VP
vpub bob other.jpg 1 $R $VP
view alice 50001
expect 0x17e8 uid=$a
vpub alice other.jpg 1
vview alice bob seen.jpg
unview alice 50001
echo UNVIEWED
waitfile unviewed
quit
IN
	party bob $B
	wait_for bob.out "^UNVIEWED"
	# no more pictures for bob once the video server reads the table
	i=0
	while echo "vview alice bob late.jpg $R $VP" |
	    "$H" -b $B -t 5 "$PORT" | grep -q "^VIDEO bytes"; do
		i=$((i + 1))
		[ $i -gt 100 ] && atf_fail "bob still views alice after -6030"
		sleep 0.05
	done
	touch unviewed
	done_ok bob
	atf_check -o match:"^VIDEO-FAIL" -o match:"^VIDEO bytes=1502" cat bob.out
	cmp -s small.jpg seen.jpg || atf_fail "a dropped picture was served"
	# eve is in no room: her request is ignored, her pull refused
	printf 'login eve eve-pw\nuid alice\nview alice 50001\nexpectnot 0x17e8 300\nvvinit alice eve %s %s\nvview alice eve y.jpg %s %s\nvpub alice other.jpg 1 %s %s\nfput pic.jpg %s %s\nquit\n' \
	    $R $VP $R $VP $R $VP $R $VP | one $E >eve.out 2>&1
	atf_check -o match:"^VIDEO-FAIL" -o match:"^VKEY-FAIL" cat eve.out
	atf_check -o match:"\[$E\]: video: view init for the camera of $a by $e, not let view it; closed" cat pald.log
	atf_check -o match:"eve: type -6020 of 8 bytes ignored: not in that room" cat pald.log
	atf_check -o match:"\[$B\]: video: request for the camera of $a or $b by one not let view it; closed" cat pald.log
	atf_check -o match:"\[$E\]: video: request for the camera of $a or $e by one not let view it; closed" cat pald.log
	atf_check -o match:"\[$B\]: video: picture from uid $b, whose camera is not on from this address; closed" cat pald.log
	atf_check -o match:"\[$E\]: video: picture from uid $a, whose camera is not on from this address; closed" cat pald.log
	atf_check -o match:"\[$E\]: video: not a room video connection; closed" cat pald.log
	# too big: one line
	touch big
	wait_for alice.out "^BIG"
	wait_for pald.log "picture of 3002 bytes from uid $a, over video_frame_max 2048"
	atf_check -o inline:"1\n" grep -c "over video_frame_max" pald.log
	touch done
	done_ok alice
	intact
}
refused_cleanup() { parties_stop; }

atf_test_case moderation cleanup
moderation_head()
{
	atf_set "descr" "red-dotted members may not publish in a room that says so, and one red-dotted while publishing is cut (0x17de, the icon off); video_max bounds the cameras of a room"
	atf_set "timeout" 90
}
moderation_body()
{
	vstart "video_max 1"
	addadmin boss boss-pw 1 >/dev/null
	cat >carol.in <<IN
login carol carol-pw
join 50002
expect 0x0154
echo IN
waitfile bobon
video 50002 1
expect 0x015e text=This room has as many cameras on
expect 0x17de
echo FULL
expect 0x0138 uid=$b on=0
quit
IN
	party carol $C
	wait_for carol.out "^IN"
	cat >boss.in <<IN
login boss boss-pw
join 50002
expect 0x0154
rdvideo 50002 1
reddot 50002 $b
expect 0x017d uid=$b
echo DOTTED
waitfile refused
unreddot 50002 $b
expect 0x018d uid=$b
echo UNDOTTED
waitfile full
reddot 50002 $b
expect 0x0138 uid=$b on=0
quit
IN
	cat >bob.in <<IN
login bob bob-pw
join 50002
expect 0x0154
echo IN
waitfile dotted
video 50002 1
expect 0x015e text=You may not send video in this room while red-dotted
expect 0x17de
echo REFUSED
waitfile undotted
video 50002 1
expect 0x17d4 room=50002
echo ON
expect 0x17de
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	party boss $R
	wait_for boss.out "^DOTTED"
	touch dotted
	wait_for bob.out "^REFUSED"
	touch refused
	wait_for boss.out "^UNDOTTED"
	touch undotted
	wait_for bob.out "^ON"
	touch bobon
	wait_for carol.out "^FULL"
	touch full
	done_ok boss
	done_ok bob
	done_ok carol
	atf_check -o match:"video of $b in room 50002 cut" cat pald.log
}
moderation_cleanup() { parties_stop; }

atf_test_case malformed cleanup
malformed_head()
{
	atf_set "descr" "frames of every length from 0 to 64 of each room video type: ignored with one line, nothing breaks"
	atf_set "timeout" 120
}
malformed_body()
{
	vstart "packet_rate 100000" "packet_burst 100000"
	cat >bob.in <<'IN'
login bob bob-pw
join 50001
expect 0x0154
echo IN
expect 0x0014 text=still here
quit
IN
	exempt alice alice-pw	# the junk must reach the handlers
	vpid=$(pgrep -P "$(cat pald.pid)" -f "^pald: voice")
	# the junk before bob waits: some thousand processes, slow on a
	# busy host
	{
		echo "login alice alice-pw"
		echo "uid bob"
		echo "join 50001"
		echo "expect 0x0154"
		junk -6010 -6012 -6020 -6030 -6150
		# the right room, every other length
		junk -h 0000c351 -s 4 -6010 -6012
		junk -h "$(printf %08x "$b")0000c351" -s 8 -6020 -6030
		echo "im bob still here"
		echo "drain 500"
		echo "quit"
	} >alice.in
	party bob $B
	wait_for bob.out "^IN"
	junked alice $A -6010
	done_ok bob
	atf_check -s exit:1 grep -q "^RECV 0x17d4\|^RECV 0x17e8" alice.out
	intact "$vpid"
}
malformed_cleanup() { parties_stop; }

atf_test_case flood cleanup
flood_head()
{
	atf_set "descr" "a flood of view requests: message_burst are answered, the rest refused with a text, and limit_strikes refusals end the session"
	atf_set "timeout" 60
}
flood_body()
{
	vstart
	cat >alice.in <<IN
login alice alice-pw
join 50001
expect 0x0154
video 50001 1
expect 0x17d4
echo ON
waitfile over
quit
IN
	party alice $A
	wait_for alice.out "^ON"
	{
		echo "login bob bob-pw"
		echo "uid alice"
		echo "join 50001"
		echo "expect 0x0154"
		repeat 100 "view alice 50001"
		echo "eof"
	} >bob.in
	flooder bob $B
	touch over
	done_ok alice
	count_in bob.out "^RECV 0x17e8" 1 21	# message_burst and a refill
	atf_check -o match:"bob is over message_rate" cat pald.log
}
flood_cleanup() { parties_stop; }

atf_test_case killed cleanup
killed_head()
{
	atf_set "descr" "a publisher whose process dies: the members see the icon go out, and the camera is no longer served"
	atf_set "timeout" 60
}
killed_body()
{
	vstart
	cat >bob.in <<IN
login bob bob-pw
join 50001
expect 0x0154
echo IN
expect 0x0138 uid=$a on=1
expect 0x0138 uid=$a on=0
expect 0x0140 uid=$a
quit
IN
	party bob $B
	wait_for bob.out "^IN"
	printf 'login alice alice-pw\njoin 50001\nexpect 0x0154\nvideo 50001 1\nexpect 0x17d4\nvpub alice pic.jpg 1\necho ON\nwaitfile never\n' >alice.in
	party alice $A
	wait_for alice.out "^ON"
	wait_for pald.log "video: camera of uid $a: first picture"
	kill -9 "$(child_of alice)"
	done_ok bob
	wait_for pald.log "video: camera of uid $a off"
	atf_check -o match:"swept dead session of alice" cat pald.log
}
killed_cleanup() { parties_stop; }

atf_test_case two_rooms cleanup
two_rooms_head()
{
	atf_set "descr" "one camera per session: a start in a second room puts the icon out in the first, and the server serves it to the second room's viewers only"
	atf_set "timeout" 60
}
two_rooms_body()
{
	vstart
	cat >bob.in <<IN
login bob bob-pw
uid alice
join 50001
expect 0x0154
echo IN
expect 0x0138 room=50001 uid=$a on=1
expect 0x0138 room=50001 uid=$a on=0
view alice 50001
expect 0x015e text=That camera is not on
quit
IN
	cat >carol.in <<IN
login carol carol-pw
uid alice
join 50002
expect 0x0154
echo IN
expect 0x0138 room=50002 uid=$a on=1
waitfile pic
view alice 50002
expect 0x17e8 room=50002
vview alice carol c.jpg
quit
IN
	party bob $B
	party carol $C
	wait_for bob.out "^IN"
	wait_for carol.out "^IN"
	printf 'login alice alice-pw\njoin 50001\nexpect 0x0154\njoin 50002\nexpect 0x0154\nvideo 50001 1\nexpect 0x17d4 room=50001\nvideo 50002 1\nexpect 0x17d4 room=50002\nwaitfile moved\nvpub alice pic.jpg 1\necho ON\nwaitfile done\nquit\n' >alice.in
	party alice $A
	# the picture once the video server has the camera in 50002: one
	# taken in 50001 is dropped with the move (5.0 sends the next one)
	wait_for pald.log "video: camera of uid $a on in room 50002"
	touch moved
	wait_for alice.out "^ON"
	wait_for pald.log "video: camera of uid $a: first picture"
	touch pic
	done_ok bob
	done_ok carol
	touch done
	done_ok alice
	atf_check -o match:"^VIDEO bytes=3002" cat carol.out
	atf_check -s exit:1 grep -q "^RECV 0x17de" alice.out
}
two_rooms_cleanup() { parties_stop; }

atf_init_test_cases()
{
	atf_add_test_case publish_view
	atf_add_test_case refused
	atf_add_test_case moderation
	atf_add_test_case malformed
	atf_add_test_case flood
	atf_add_test_case killed
	atf_add_test_case two_rooms
}
