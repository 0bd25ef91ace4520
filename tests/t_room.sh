#
# t_room.sh - rooms end to end: lists, joins, chat, moderation, with
# tests/h_client as several 5.0 clients against a private pald.
# The default rooms come from data/rooms.txt: 50001 is a text room in
# category 30001 (Top Rooms), 50002 a voice room there.
#

. "$(atf_get_srcdir)/common.sh"

# bg NAME - run the script NAME.in in the background into NAME.out
bg()
{
	client <"$1.in" >"$1.out" 2>&1 &
	eval "pid_$1=\$!"
}

# bgwait NAME - wait for the background client NAME; it must succeed
bgwait()
{
	eval "p=\$pid_$1"
	wait "$p" || atf_fail "client $1 failed: $(cat "$1.out")"
}

atf_test_case list_counts cleanup
list_counts_head()
{
	atf_set "descr" "category counts and room lists with live members"
}
list_counts_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	cat >bob.in <<'IN'
login bob bob-pw
rooms 0
expect 0x014b id=30001
rooms 30001
expect 0x014c id=50001
echo LISTED
waitfile joined
rooms 30001
expect 0x014c id=50001
quit
IN
	bg bob
	wait_for bob.out LISTED
	printf 'login alice alice-pw\njoin 50001\nexpect 0x0136 room=50001\nwaitfile done\nquit\n' |
	    client >alice.out &
	apid=$!
	wait_for alice.out "RECV 0x0136"
	touch joined
	bgwait bob
	touch done
	wait $apid
	# 29 categories counted; the first list shows nobody in 50001
	atf_check -o match:"id=30029" grep "^RECV 0x014b" bob.out
	grep "^RECV 0x014c" bob.out | head -1 >first
	grep "^RECV 0x014c" bob.out | tail -1 >second
	atf_check -o match:"id=50001 nm=[^|]*#=0 v=0" cat first
	atf_check -o match:"id=50001 nm=[^|]*#=1 v=0" cat second
	atf_check -o match:"id=50002 nm=[^|]*v=1" cat second
}
list_counts_cleanup() { pald_stop; }

atf_test_case chat_three cleanup
chat_three_head()
{
	atf_set "descr" "three members: join burst, joins, chat, leave"
}
chat_three_body()
{
	a=$(adduser alice alice-pw)
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	pald_start
	cat >alice.in <<IN
login alice alice-pw
join 50001
expect 0x0136 room=50001
expect 0x015e welcome
expect 0x015f room=50001
expect 0x0154 eof=Y
echo IN
expect 0x0137 nickname=bob
expect 0x0137 nickname=carol
expect 0x015e from=$c
expect 0x0140 uid=$c
echo SAW
quit
IN
	bg alice
	wait_for alice.out "^IN"
	cat >bob.in <<IN
login bob bob-pw
join 50001
expect 0x0154 nickname=alice
echo IN
expect 0x015e from=$c
quit
IN
	bg bob
	wait_for bob.out "^IN"
	cat >carol.in <<IN
login carol carol-pw
join 50001
expect 0x0154 eof=Y
say 50001 hello room
expectnot 0x015e 300
leave 50001
waitfile saw
quit
IN
	bg carol
	# carol's leave, not her logout, tells alice (-320's handler)
	wait_for alice.out "^SAW"
	touch saw
	bgwait carol
	bgwait alice
	bgwait bob
	atf_check -o match:"hello room" grep "^RECV 0x015e.*from=$c" \
	    alice.out
	atf_check -o match:"hello room" grep "^RECV 0x015e.*from=$c" bob.out
	# carol's user list has all three, the last record marked eof=Y
	atf_check -o match:"nickname=alice" -o match:"nickname=bob" \
	    -o match:"nickname=carol.*eof=Y" grep "^RECV 0x0154" carol.out
	# members' names in the default colour (pald.conf user_color)
	atf_check -o match:"nickname=bob.admin=0.color=000128000" \
	    grep "^RECV 0x0154" carol.out
	# one line in the log per join, and no room text in it
	atf_check -s exit:1 grep "hello room" pald.log
}
chat_three_cleanup() { pald_stop; }

atf_test_case topic cleanup
topic_head()
{
	atf_set "descr" "only admins set the topic; it stays with the room"
}
topic_body()
{
	addadmin boss boss-pw 2 >/dev/null
	adduser bob bob-pw >/dev/null
	conf "admin_color 255000000"
	pald_start
	cat >bob.in <<'IN'
login bob bob-pw
join 50001
expect 0x0154
topic 50001 bob was here
expect 0x015e administrators
echo IN
expect 0x015f Welcome back
leave 50001
quit
IN
	bg bob
	wait_for bob.out "^IN"
	printf 'login boss boss-pw\njoin 50001\nexpect 0x0136 admin=1\nexpect 0x0154 nickname=boss admin=1 color=255000000\ntopic 50001 Welcome back\nexpect 0x015f Welcome back\nleave 50001\nquit\n' |
	    client >boss.out 2>&1 || atf_fail "boss: $(cat boss.out)"
	bgwait bob
	# the room emptied; its topic was kept in the store
	printf 'login bob bob-pw\njoin 50001\nexpect 0x015f Welcome back\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	pald_stop
	db5.3_dump -p db/rooms.db >dump || atf_fail "db_dump failed"
	atf_check -o match:"Welcome" grep -A1 "^ 0000050001" dump
}
topic_cleanup() { pald_stop; }

atf_test_case lockword cleanup
lockword_head()
{
	atf_set "descr" "a temporary room with a lockword; it vanishes when empty"
}
lockword_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	cat >alice.in <<'IN'
login alice alice-pw
create 30006 G Hideout sesame
expect 0x0136 admin=1
echo IN
waitfile done
quit
IN
	bg alice
	wait_for alice.out "^IN"
	id=$(sed -n 's/^RECV 0x0136 .*room=\([0-9]*\).*/\1/p' alice.out)
	[ -n "$id" ] || atf_fail "no room id: $(cat alice.out)"
	cat >bob.in <<IN
login bob bob-pw
rooms 30006
expect 0x014c id=$id nm=Hideout
join $id wrong
expect 0x0064 locked
join $id sesame
expect 0x0136 room=$id
quit
IN
	atf_check -s exit:0 -o save:bob.out "$H" -t 10 "$PORT" <bob.in
	atf_check -o match:"l=1" grep "^RECV 0x014c" bob.out
	touch done
	bgwait alice
	# both gone: the room is no more
	printf 'login bob bob-pw\nrooms 30006\nexpect 0x014c catg=30006\njoin %s\nexpect 0x0064 exist\nquit\n' "$id" |
	    client >bob2.out 2>&1 || atf_fail "bob2: $(cat bob2.out)"
	atf_check -s exit:1 grep "Hideout" bob2.out
}
lockword_cleanup() { pald_stop; }

atf_test_case bounce_ban cleanup
bounce_ban_head()
{
	atf_set "descr" "a bounce keeps a user out; a ban survives a restart"
}
bounce_ban_body()
{
	addadmin boss boss-pw 1 >/dev/null
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	pald_start
	cat >bob.in <<'IN'
login bob bob-pw
join 50001
expect 0x0154
echo IN
expect 0x017c bounced
join 50001
expect 0x0064 bounced
quit
IN
	bg bob
	wait_for bob.out "^IN"
	cat >boss.in <<IN
login boss boss-pw
join 50001
expect 0x0154 nickname=bob
bounce 50001 $b
expect 0x0140 uid=$b
reason 50001 $b spamming
ban 50001 $c
admininfo 50001
expect 0x0384 group=50001
quit
IN
	atf_check -s exit:0 -o save:boss.out "$H" -t 10 "$PORT" <boss.in
	bgwait bob
	# entries "uid,nickname", as the 5.0 admin console lists them
	atf_check -o match:"bounce=$b,bob( |$)" -o match:"ban=$c,carol( |$)" \
	    grep "^RECV 0x0384" \
	    boss.out
	wait_for pald.log "room 50001: bounce by boss"
	pald_stop
	pald_start
	printf 'login carol carol-pw\njoin 50001\nexpect 0x0064 banned\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	printf 'login bob bob-pw\njoin 50001\nexpect 0x0064 bounced\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	# unban lets carol in again
	printf 'login boss boss-pw\njoin 50001\nexpect 0x0154\nunban 50001 %s\ndrain 200\nquit\n' "$c" |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	printf 'login carol carol-pw\njoin 50001\nexpect 0x0136 room=50001\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
}
bounce_ban_cleanup() { pald_stop; }

atf_test_case console cleanup
console_head()
{
	atf_set "descr" "the admin console: unbounce, unban, Clear All, ban by nick, switches; each answered with fresh lists"
}
console_body()
{
	addadmin boss boss-pw 1 >/dev/null
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	d=$(adduser dave dave-pw)
	e=$(adduser erin erin-pw)
	pald_start
	cat >boss.in <<IN
login boss boss-pw
join 50001
expect 0x0154
bounce 50001 $b
expect 0x0384 bounce=$b,bob
bounce 50001 $c
expect 0x0384 bounce=$b,bob $c,carol
ban 50001 $d
expect 0x0384 ban=$d,dave
bannick 50001 erin
expect 0x0384 ban=$d,dave $e,erin
unbounce 50001 $c
expect 0x0384 bounce=$b,bob |
unban 50001 $d
expect 0x0384 ban=$e,erin
unbounce 50001 $d
expect 0x0384 bounce=$b,bob |
bounce 50001 $c
expect 0x0384 bounce=$b,bob $c,carol
echo CLEAR
unbounce 50001 -1
expect 0x0384 bounce= | ban=$e,erin
unban 50001 -1
expect 0x0384 bounce= | ban=
newmic 50001 0
rdvideo 50001 1
admininfo 50001
expect 0x0384 mike=0 text=0 video=1
quit
IN
	atf_check -s exit:0 -o save:boss.out "$H" -t 10 "$PORT" <boss.in
	# after Clear All Bans both lists are empty
	atf_check -o match:"bounce= [|] ban=$" \
	    sh -c "sed -n '/^CLEAR/,\$p' boss.out | grep '^RECV 0x0384' | sed -n 2p"
	# one line for each Clear All, in the room's log too
	atf_check -o match:"room 50001: clearbounces by boss" cat pald.log
	atf_check -o match:"room 50001: clearbans by boss" cat pald.log
	atf_check -o match:"room 50001: newusermic by boss" cat pald.log
	atf_check -o match:"room 50001: reddotvideo by boss" cat pald.log
	# dave was never bounced: his unbounce did nothing and logged nothing
	atf_check -s exit:1 grep -q "unbounce by boss uid .* on uid $d\$" pald.log
	# everyone is let in again; a new member gets no mic
	for u in bob carol dave erin; do
		printf 'login %s %s-pw\njoin 50001\nexpect 0x0154 nickname=%s admin=0 color=000128000 mic=0\nquit\n' \
		    $u $u $u | atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	done
}
console_cleanup() { pald_stop; }

atf_test_case invisible cleanup
invisible_head()
{
	atf_set "descr" "an admin joins invisibly and is told so; anyone else is refused"
}
invisible_body()
{
	addadmin boss boss-pw 1 >/dev/null
	adduser bob bob-pw >/dev/null
	adduser carol carol-pw >/dev/null
	pald_start
	cat >bob.in <<'IN'
login bob bob-pw
join 50001
expect 0x0154
echo IN
expectnot 0x0137 1000
video 50001 1
waitfile done
quit
IN
	bg bob
	wait_for bob.out "^IN"
	cat >boss.in <<'IN'
login boss boss-pw
join 50001 invisible
expect 0x0136 admin=1 invis=1 rating=G
expect 0x0154 nickname=bob
expect 0x0138 on=1
quit
IN
	atf_check -s exit:0 -o save:boss.out "$H" -t 10 "$PORT" <boss.in
	# boss's list: bob, not publishing, and boss itself
	atf_check -o match:"nickname=bob .*pub=N" -o match:"nickname=boss" \
	    grep "^RECV 0x0154" boss.out
	# carol may not: a RETURN_CODE for -310 that 5.0 shows, no room;
	# she sees bob publishing ('Y', the letter 5.0 reads), no boss
	printf 'login carol carol-pw\njoin 50001 invisible\nexpect 0x0064 type=0xfeca code=99 text=Only administrators\nexpectnot 0x0136 300\njoinname The Front Porch\nexpect 0x0136 room=50001\nexpect 0x0154\nquit\n' |
	    atf_check -s exit:0 -o save:carol.out "$H" -t 10 "$PORT"
	touch done
	bgwait bob
	atf_check -s exit:1 grep "invis=" carol.out
	atf_check -o match:"nickname=bob .*pub=Y" -o not-match:"nickname=boss" \
	    grep "^RECV 0x0154" carol.out
}
invisible_cleanup() { pald_stop; }

atf_test_case alert_admin cleanup
alert_admin_head()
{
	atf_set "descr" "-305 Alert Admin: to the site admins and the room's admins on line, once a minute"
}
alert_admin_body()
{
	addadmin boss boss-pw 1 >/dev/null
	adduser carol carol-pw >/dev/null
	b=$(adduser bob bob-pw)
	e=$(adduser eve eve-pw)
	pald_start
	cat >carol.in <<'IN'
login carol carol-pw
create 30006 G Den
expect 0x0136 admin=1
echo IN
expect 0x0014 text=Alert from bob in room
waitfile done
quit
IN
	bg carol
	wait_for carol.out "^IN"
	id=$(sed -n 's/^RECV 0x0136 .*room=\([0-9]*\).*/\1/p' carol.out)
	printf 'login boss boss-pw\necho IN\nexpect 0x0014 from=1000001 text=Alert from bob in room %s (Den) about eve: spamming   the room\nwaitfile done\nquit\n' "$id" >boss.in
	bg boss
	printf 'login eve eve-pw\njoin %s\nexpect 0x0154\necho IN\nexpectnot 0x0014 1500\nquit\n' "$id" >eve.in
	bg eve
	wait_for boss.out "^IN"
	wait_for eve.out "^IN"
	cat >bob.in <<IN
login bob bob-pw
join $id
expect 0x0154
send -305 $(printf %08x%08x "$id" "$e") 7370616d6d696e67 20 01 20 74686520726f6f6d
expect 0x0064 type=0xfecf code=99 text=Your alert went to 2 administrators on line.
report $id $e again
expect 0x0064 type=0xfecf code=99 text=You alerted the administrators a moment ago
report 50001 $e not in that room
drain 300
quit
IN
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <bob.in
	touch done
	bgwait carol
	bgwait boss
	bgwait eve
	wait_for pald.log "bob: alert about uid $e in room $id to 2 administrators"
	atf_check -o match:"type -305 of .* ignored: not in that room" cat pald.log
	# the text is in the room's log, not in pald's
	atf_check -s exit:1 grep "spamming" pald.log
}
alert_admin_cleanup() { pald_stop; }

atf_test_case room_toggles cleanup
room_toggles_head()
{
	atf_set "descr" "a hand down, a red dot off, a camera off reach the room"
}
room_toggles_body()
{
	addadmin boss boss-pw 1 >/dev/null
	b=$(adduser bob bob-pw)
	pald_start
	cat >boss.in <<IN
login boss boss-pw
join 50002
expect 0x0154
echo IN
expect 0x018e uid=$b
reddot 50002 $b
expect 0x017d uid=$b
unreddot 50002 $b
expect 0x018d uid=$b
expect 0x018f uid=$b
expect 0x0138 uid=$b on=1
expect 0x0138 uid=$b on=0
quit
IN
	bg boss
	wait_for boss.out "^IN"
	cat >bob.in <<IN
login bob bob-pw
join 50002
expect 0x0154
handup 50002
expect 0x018d uid=$b
handdown 50002
video 50002 1
video 50002 0
drain 300
quit
IN
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <bob.in
	bgwait boss
}
room_toggles_cleanup() { pald_stop; }

atf_test_case close_room cleanup
close_room_head()
{
	atf_set "descr" "closing a room puts everyone out and keeps users out"
}
close_room_body()
{
	addadmin boss boss-pw 1 >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	cat >bob.in <<'IN'
login bob bob-pw
join 50001
expect 0x0154
echo IN
expect 0x017c closed
join 50001
expect 0x0064 closed
rooms 30001
expect 0x014c catg=30001
quit
IN
	bg bob
	wait_for bob.out "^IN"
	printf 'login boss boss-pw\njoin 50001\nexpect 0x0154\nclose 50001\nexpect 0x017c closed\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	bgwait bob
	atf_check -s exit:1 grep "^RECV 0x014c.*id=50001 " bob.out
}
close_room_cleanup() { pald_stop; }

atf_test_case reddot_text cleanup
reddot_text_head()
{
	atf_set "descr" "with text red dot on, a red-dotted member cannot type"
}
reddot_text_body()
{
	addadmin boss boss-pw 1 >/dev/null
	b=$(adduser bob bob-pw)
	pald_start
	cat >boss.in <<IN
login boss boss-pw
join 50001
expect 0x0137 nickname=bob
rdtext 50001 1
reddot 50001 $b
expect 0x017d uid=$b
echo DOTTED
expectnot 0x015e 600
quit
IN
	bg boss
	wait_for boss.out "^RECV 0x0136"
	cat >bob.in <<IN
login bob bob-pw
join 50001
expect 0x017d uid=$b
say 50001 can you hear me
expect 0x015e red-dotted
quit
IN
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <bob.in
	bgwait boss
}
reddot_text_cleanup() { pald_stop; }

atf_test_case whisper cleanup
whisper_head()
{
	atf_set "descr" "/w nick: text reaches that member only"
}
whisper_body()
{
	a=$(adduser alice alice-pw)
	adduser bob bob-pw >/dev/null
	adduser carol carol-pw >/dev/null
	pald_start
	printf 'login bob bob-pw\njoin 50001\nexpect 0x0154\necho IN\nexpect 0x015e Start Whisper\nquit\n' >bob.in
	printf 'login carol carol-pw\njoin 50001\nexpect 0x0154\necho IN\nexpectnot 0x015e 1500\nquit\n' >carol.in
	bg bob
	bg carol
	wait_for bob.out "^IN"
	wait_for carol.out "^IN"
	printf 'login alice alice-pw\njoin 50001\nexpect 0x0154\nsay 50001 /w bob: psst\nexpect 0x015e Whisper sent\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	bgwait bob
	bgwait carol
	atf_check -o match:"psst" grep "from=$a" bob.out
}
whisper_cleanup() { pald_stop; }

atf_test_case member_names cleanup
member_names_head()
{
	atf_set "descr" "a member's first and last name in USERLIST and USER_JOINED, where 5.0's View UID reads them, unless privacy hides them"
}
member_names_body()
{
	a=$(adduser alice alice-pw)
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	d=$(adduser dave dave-pw)
	pald_start
	printf 'login bob bob-pw\nprofile first=Bob,last=Builder\nexpect 0x0064 code=0\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	printf 'login carol carol-pw\nprofile first=Carol,last=Secret\nexpect 0x0064 code=0\nprivacy T\ndrain 100\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	printf 'login dave dave-pw\nprofile first=Dave\nexpect 0x0064 code=0\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	printf 'login bob bob-pw\njoin 50001\nexpect 0x0154 eof=Y\necho IN\nwaitfile done\nquit\n' >bob.in
	printf 'login carol carol-pw\njoin 50001\nexpect 0x0154 eof=Y\necho IN\nwaitfile done\nquit\n' >carol.in
	bg bob
	wait_for bob.out "^IN"
	bg carol
	wait_for carol.out "^IN"
	printf 'login alice alice-pw\njoin 50001\nexpect 0x0154 eof=Y\necho IN\nexpect 0x0137 uid=%s\nquit\n' \
	    "$d" >alice.in
	bg alice
	wait_for alice.out "^IN"
	printf 'login dave dave-pw\njoin 50001\nexpect 0x0154 eof=Y\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	bgwait alice
	touch done
	bgwait bob
	bgwait carol
	# the list alice got: bob's names, none of carol's (privacy T)
	atf_check -o match:"uid=$b first=Bob last=Builder nickname=bob " \
	    -o match:"uid=$c nickname=carol " grep "^RECV 0x0154" alice.out
	atf_check -s exit:1 grep -q "Carol\|Secret" alice.out
	# dave joining: his first name, no last
	atf_check -o match:"uid=$d first=Dave nickname=dave " \
	    grep "^RECV 0x0137" alice.out
	# a member with no names set: none
	atf_check -o match:"uid=$a nickname=alice " grep "^RECV 0x0154" alice.out
}
member_names_cleanup() { pald_stop; }

atf_test_case member_killed cleanup
member_killed_head()
{
	atf_set "descr" "SIGKILL of a member's child: the others see it leave"
}
member_killed_body()
{
	adduser alice alice-pw >/dev/null
	b=$(adduser bob bob-pw)
	pald_start
	printf 'login alice alice-pw\njoin 50001\nexpect 0x0154\necho IN\nexpect 0x0140 uid=%s\nquit\n' "$b" >alice.in
	bg alice
	wait_for alice.out "^IN"
	printf 'login bob bob-pw\njoin 50001\nexpect 0x0154\necho IN\ndrain 8000\n' |
	    client >bob.out 2>&1 &
	bpid=$!
	wait_for bob.out "^IN"
	kill -9 "$(child_of bob)"
	bgwait alice
	wait $bpid
	wait_for pald.log "swept dead session of bob"
}
member_killed_cleanup() { pald_stop; }

atf_test_case room_commands cleanup
room_commands_head()
{
	atf_set "descr" "/rooms and /log to the system user; the owner's log at join"
}
room_commands_body()
{
	addadmin boss boss-pw 1 >/dev/null
	b=$(adduser bob bob-pw)
	adduser carol carol-pw >/dev/null
	pald_start
	printf 'login bob bob-pw\njoin 50001\nexpect 0x0154\necho IN\nexpect 0x017c bounced\nquit\n' >bob.in
	bg bob
	wait_for bob.out "^IN"
	cat >boss.in <<IN
login boss boss-pw
join 50001
expect 0x0154 nickname=bob
bounce 50001 $b
reason 50001 $b too loud
expect 0x0140 uid=$b
im 1000001 /rooms
expect 0x0014 The Front Porch: 1 member
im 1000001 /log 50001
expect 0x0014 bounce uid $b
quit
IN
	atf_check -s exit:0 -o save:boss.out "$H" -t 10 "$PORT" <boss.in
	bgwait bob
	atf_check -o match:"reason uid $b: too loud" grep "^RECV 0x0014" \
	    boss.out
	# a user who owns nothing may not read it
	printf 'login carol carol-pw\nim 1000001 /log 50001\nexpect 0x0014 owner\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
}
room_commands_cleanup() { pald_stop; }

atf_test_case mic_hands_video cleanup
mic_hands_video_head()
{
	atf_set "descr" "hands, all mics, lower hands, camera flag, invite, room full"
}
mic_hands_video_body()
{
	conf "room_size 2"
	addadmin boss boss-pw 1 >/dev/null
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	adduser dave dave-pw >/dev/null
	pald_start
	cat >bob.in <<IN
login bob bob-pw
join 50002
expect 0x0154
echo IN
expect 0x0137 nickname=boss
handup 50002
expect 0x018e uid=$b
expect 0x0163 on=1
expect 0x018f uid=4294967295
waitfile lowered
video 50002 1
expect 0x0138 uid=$b
invite 50002 $c
expect 0x0064 type=0xfe98 code=0
echo INVITED
waitfile done2
quit
IN
	bg bob
	wait_for bob.out "^IN"
	cat >boss.in <<IN
login boss boss-pw
join 50002
expect 0x013b room=50002
expect 0x018e uid=$b
allmics 50002 1
expect 0x0163 on=1
lowerhands 50002
expect 0x018f
echo LOWERED
expect 0x0138 uid=$b on=1
waitfile done2
drain 300
quit
IN
	printf 'login carol carol-pw\necho IN\nexpect 0x0168 group_id=50002\nwaitfile done\njoin 50002\nexpect 0x0064 full\necho FULL\nquit\n' >carol.in
	bg carol
	wait_for carol.out "^IN"
	client <boss.in >boss.out 2>&1 &
	bpid=$!
	# bob's camera only once boss has its own 0x018f: bob sees the
	# lowered hands as soon as the room_send reaches his inbox, and could
	# answer before boss's inbox has it
	wait_for boss.out "^LOWERED"
	touch lowered
	wait_for bob.out "^INVITED"
	wait_for carol.out "^RECV 0x0168"
	touch done
	wait_for carol.out "^FULL"
	touch done2
	wait $bpid || atf_fail "boss: $(cat boss.out)"
	bgwait bob
	bgwait carol
	# the voice room names the voice port; the invitation names bob;
	# bob's video reached boss (before or after the lowered hands: bob
	# may see 0x018f first)
	atf_check -o match:"port=" grep "^RECV 0x013b" boss.out
	atf_check -o match:"uid=$b on=1" grep "^RECV 0x0138" boss.out
	atf_check -o match:"first=bob[|]last=bob[|]nickname=bob[|]uid=$b[|]type=3[|]" \
	    grep "^RECV 0x0168" carol.out
	# dave, not an admin, cannot lower hands or open mics
	printf 'login dave dave-pw\njoin 50001\nexpect 0x0154\nallmics 50001 1\nexpect 0x015e administrators\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
}
mic_hands_video_cleanup() { pald_stop; }

atf_test_case admin_code cleanup
admin_code_head()
{
	atf_set "descr" "an owner and admin code set with db_load; join as admin; join by name"
}
admin_code_body()
{
	o=$(adduser owner owner-pw)
	adduser bob bob-pw >/dev/null
	pald_start
	pald_stop
	# the operator gives room 50003 an owner and an admin code
	db5.3_dump -p -h db rooms.db >rooms.dump || atf_fail "db_dump"
	sed "s/^\( v1 cat=30001 name=Night%20Owls\)/\1 owner=$o code=4242/" \
	    rooms.dump | sed "s/ owner=0 code=0//" >rooms.new
	grep -q "owner=$o code=4242" rooms.new || atf_fail "no edit: $(grep -A1 0000050003 rooms.dump)"
	db5.3_load -h db rooms.db <rooms.new || atf_fail "db_load"
	pald_start
	cat >bob.in <<IN
login bob bob-pw
joinadmin $o 1111
expect 0x0064 admin code
joinadmin $o 4242
expect 0x0136 admin=1
joinname the front porch
expect 0x0136 room=50001
quit
IN
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <bob.in
	wait_for pald.log "wrong admin code"
}
admin_code_cleanup() { pald_stop; }

atf_test_case rtp_command cleanup
rtp_command_head()
{
	atf_set "descr" "/rtp in a voice room registers a plain RTP endpoint"
}
rtp_command_body()
{
	adduser alice alice-pw >/dev/null
	pald_start
	cat >alice.in <<'IN'
login alice alice-pw
join 50002
expect 0x0154
say 50002 /rtp listen 40000
expect 0x015e port 40000
say 50002 /rtp off
expect 0x015e dropped
say 50002 /rtp listen 80
expect 0x015e 1024-65535
join 50001
expect 0x0154
say 50001 /rtp both 40000
expect 0x015e In a voice room
quit
IN
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <alice.in
	wait_for pald.log "rtp listen 40000 in room 50002"
}
rtp_command_cleanup() { pald_stop; }

atf_test_case flood_log cleanup
flood_log_head()
{
	atf_set "descr" "one client's flood of bad requests (joins of a missing room, unknown frames, calls of the wrong length) gives at most log_rate lines about its address, 3 of one kind"
}
flood_log_body()
{
	adduser alice alice-pw >/dev/null
	conf "log_rate 8" "join_rate 1000" "packet_rate 1000" \
	    "packet_burst 1000"
	pald_start
	{
		echo "login alice alice-pw"
		i=0
		while [ $i -lt 60 ]; do
			echo "join 99999"
			echo "send 0x7123 00"
			echo "send -450 00"
			i=$((i + 1))
		done
		# every request before it has been answered or ignored
		echo "im 1000001 /help"
		echo "expect 0x0014 from=1000001"
		echo "quit"
	} | client >alice.out
	n=$(grep -c "join 99999 refused" pald.log)
	[ "$n" -ge 1 ] && [ "$n" -le 3 ] || atf_fail "$n lines of refused joins"
	n=$(grep -c "^pald.*\[127\.0\.0\.1\]" pald.log)
	[ "$n" -le 8 ] || atf_fail "$n lines about 127.0.0.1: $(cat pald.log)"
}
flood_log_cleanup() { pald_stop; }

atf_init_test_cases()
{
	atf_add_test_case list_counts
	atf_add_test_case chat_three
	atf_add_test_case topic
	atf_add_test_case lockword
	atf_add_test_case bounce_ban
	atf_add_test_case console
	atf_add_test_case invisible
	atf_add_test_case alert_admin
	atf_add_test_case room_toggles
	atf_add_test_case close_room
	atf_add_test_case reddot_text
	atf_add_test_case whisper
	atf_add_test_case member_names
	atf_add_test_case member_killed
	atf_add_test_case room_commands
	atf_add_test_case mic_hands_video
	atf_add_test_case admin_code
	atf_add_test_case rtp_command
	atf_add_test_case flood_log
}
