#
# t_pald.sh - pald end to end: a private daemon on a kernel-chosen port,
# accounts made with palpasswd, and tests/h_client speaking the protocol
# as the 5.0 client does.  Every wait is bounded; no fixed sleeps.
#

# shellcheck source=tests/common.sh
. "$(atf_get_srcdir)/common.sh"

atf_test_case login_ok cleanup
login_ok_head()
{
	atf_set "descr" "the 5.0 login sequence: uid lookup, key, password"
}
login_ok_body()
{
	uid=$(adduser alice alice-pw)
	atf_check_equal "$uid" 1000002
	pald_start
	cat >script <<EOF
login alice alice-pw
expect 0x019a nickname=alice
expect 0x019c
expect 0x0043
expect 0x01fe
quit
EOF
	atf_check -s exit:0 -o save:out "$H" -t 10 "$PORT" <script
	atf_check -o match:"^LOGIN-OK uid=1000002" cat out
	atf_check -o match:"uid=1000002" -o match:"ei=" -o match:"smtp=" \
	    grep "^RECV 0x019a" out
	# the 29 categories of 2002, Top Rooms first
	atf_check -o match:"code=30001.value=Top Rooms" \
	    -o match:"code=30029.value=Adult Oriented" grep "^RECV 0x019c" out
	wait_for pald.log "login alice uid 1000002"
}
login_ok_cleanup() { pald_stop; }

atf_test_case login_wrong_password cleanup
login_wrong_password_head()
{
	atf_set "descr" "a wrong password gets the client's error text"
}
login_wrong_password_body()
{
	adduser alice alice-pw >/dev/null
	pald_start
	echo "login alice wrong-pw" >script
	atf_check -s exit:0 -o match:"LOGIN-FAIL.*password you entered is incorrect" \
	    "$H" -t 10 "$PORT" <script
	wait_for pald.log "login failed for uid 1000002.*wrong password"
	# the password never reaches the log
	atf_check -s exit:1 grep -e "wrong-pw" -e "alice-pw" pald.log
}
login_wrong_password_cleanup() { pald_stop; }

atf_test_case login_unknown_user cleanup
login_unknown_user_head()
{
	atf_set "descr" "an unknown nickname gets uid=-1"
}
login_unknown_user_body()
{
	adduser alice alice-pw >/dev/null
	pald_start
	printf 'uid nobody\nlogin nobody pw12\n' >script
	atf_check -s exit:0 -o match:"UID nick=nobody uid=-1" \
	    -o match:"LOGIN-FAIL" "$H" -t 10 "$PORT" <script
	# a forged uid on the login connection gets "Unknown user"
	printf 'connect\nhello 1000099\nsend -1130 000f4263000000010001\nexpect 0x0474\nsend -1148 000f42633235383032383130\nexpect 0x0064 Unknown user\n' >script
	atf_check -s exit:0 -o match:"rc type=0xfb84 code=99 text=Unknown user" \
	    "$H" -t 10 "$PORT" <script
}
login_unknown_user_cleanup() { pald_stop; }

atf_test_case im_online cleanup
im_online_head()
{
	atf_set "descr" "an IM reaches an online user through that user's child"
}
im_online_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	printf 'login bob bob-pw\necho READY\nexpect 0x0014 hello bob\nquit\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	printf 'login alice alice-pw\nim 1000003 hello bob\ndrain 200\nquit\n' |
	    client >alice.out
	wait $cpid
	atf_check -o match:"^RECV 0x0014 .*from=1000002 text=hello bob" cat bob.out
}
im_online_cleanup() { pald_stop; }

atf_test_case im_offline cleanup
im_offline_head()
{
	atf_set "descr" "an IM to an offline user is delivered once, at login"
}
im_offline_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	printf 'login alice alice-pw\nim 1000003 while you were away\nim 1000003 second one\ndrain 200\nquit\n' |
	    client >alice.out
	atf_check -o not-match:"0x0064" cat alice.out
	printf 'login bob bob-pw\nexpect 0x0014 second one\nquit\n' | client >bob1.out
	atf_check -o match:"from=1000002 text=<<\([0-9-]* [0-9:]* UTC\)>>while you were away" \
	    cat bob1.out
	# first before second
	atf_check -o match:"away" sed -n '/0x0014/{p;q;}' bob1.out
	printf 'login bob bob-pw\nexpectnot 0x0014 500\nquit\n' | client >bob2.out
	atf_check -s exit:0 -o match:LOGIN-OK cat bob2.out
}
im_offline_cleanup() { pald_stop; }

atf_test_case presence cleanup
presence_head()
{
	atf_set "descr" "buddies see a user come online, go away, come back and leave"
}
presence_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	cat >alice.in <<EOF
login alice alice-pw
add 1000003
expect 0x0043 nickname=bob
expect 0x0190 uid=1000003 status=0
echo READY
expect 0x0190 uid=1000003 status=30
expect 0x0190 uid=1000003 status=70
expect 0x0190 uid=1000003 status=30
expect 0x0190 uid=1000003 status=0
quit
EOF
	client <alice.in >alice.out &
	cpid=$!
	wait_for alice.out READY
	printf 'login bob bob-pw\naway\nonline\ndrain 300\nquit\n' | client >bob.out
	wait $cpid
	atf_check -o match:"status=0" tail -2 alice.out
	atf_check -s exit:0 grep -q "LOGIN-OK" bob.out
	# bob's buddy list at his next login still shows alice as offline
	printf 'login alice alice-pw\nexpect 0x0043 bob\nexpect 0x0190 uid=1000003\nquit\n' |
	    client >a2.out
	atf_check -o match:"RECV 0x0190 8 uid=1000003 status=0" cat a2.out
}
presence_cleanup() { pald_stop; }

atf_test_case away cleanup
away_head()
{
	atf_set "descr" "away: status 70, the text back once per spell, never to an auto-reply; back: 30"
}
away_body()
{
	adduser alice alice-pw >/dev/null
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	pald_start
	cat >bob.in <<EOF
login bob bob-pw
away I am away at the moment...
echo AWAY
waitfile back
online
echo BACK
waitfile again
away I am away at the moment...
echo AGAIN
waitfile done
quit
EOF
	client <bob.in >bob.out 2>&1 &
	bpid=$!
	wait_for bob.out "^AWAY"
	cat >alice.in <<EOF
login alice alice-pw
add $b
expect 0x0190 uid=$b status=70
im $b are you there
expect 0x0014 from=$b text=[Auto-Response] I am away at the moment...
im $b hello?
expectnot 0x0014 500
quit
EOF
	atf_check -s exit:0 -o save:alice.out "$H" -t 10 "$PORT" <alice.in
	# carol, away too, gets it; her own session does not answer it
	cat >carol.in <<EOF
login carol carol-pw
away I am away at the moment...
im $b hi bob
expect 0x0014 from=$b text=[Auto-Response]
drain 500
quit
EOF
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <carol.in
	touch back
	wait_for bob.out "^BACK"
	printf 'login alice alice-pw\nexpect 0x0190 uid=%s status=30\nim %s back?\nexpectnot 0x0014 500\nquit\n' "$b" "$b" |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	touch again
	wait_for bob.out "^AGAIN"
	printf 'login alice alice-pw\nexpect 0x0190 uid=%s status=70\nim %s and now?\nexpect 0x0014 from=%s text=[Auto-Response]\nquit\n' "$b" "$b" "$b" |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	touch done
	wait $bpid || atf_fail "bob: $(cat bob.out)"
	# bob got carol's line and no auto-reply from her
	atf_check -o inline:"1\n" grep -c "^RECV 0x0014 .*from=$c" bob.out
	# the away text is never logged
	atf_check -s exit:1 grep "away at the moment" pald.log
}
away_cleanup() { pald_stop; }

atf_test_case presence_later cleanup
presence_later_head()
{
	atf_set "descr" "a user who adds an online user sees it leave; one who removes it hears no more"
}
presence_later_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	adduser carol carol-pw >/dev/null
	pald_start
	# carol lists bob before he comes; alice adds him while he is on
	printf 'login carol carol-pw\nadd 1000003\nexpect 0x0043 nickname=bob\nquit\n' |
	    client >c0.out
	atf_check -s exit:0 grep -q "LOGIN-OK" c0.out
	printf 'login bob bob-pw\necho BOBON\nwaitfile go\naway\nwaitfile go2\nquit\n' |
	    client >bob.out &
	bpid=$!
	wait_for bob.out BOBON
	cat >alice.in <<EOF
login alice alice-pw
add 1000003
expect 0x0043 nickname=bob
expect 0x0190 uid=1000003 status=30
echo ADDED
expect 0x0190 uid=1000003 status=70
expect 0x0190 uid=1000003 status=0
quit
EOF
	client <alice.in >alice.out &
	apid=$!
	cat >carol.in <<EOF
login carol carol-pw
expect 0x0190 uid=1000003 status=30
remove 1000003
expect 0x0043
echo REMOVED
expectnot 0x0190 3000
quit
EOF
	client <carol.in >carol.out &
	cpid=$!
	wait_for alice.out ADDED
	wait_for carol.out REMOVED
	touch go
	wait_for alice.out "status=70"
	touch go2
	wait $apid
	atf_check -s exit:0 -o match:"uid=1000003 status=0" tail -2 alice.out
	wait $cpid
	atf_check -s exit:0 grep -q "REMOVED" carol.out
	wait $bpid
}
presence_later_cleanup() { pald_stop; }

atf_test_case block cleanup
block_head()
{
	atf_set "descr" "a blocked user's IMs are not delivered and presence hides"
}
block_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	cat >bob.in <<EOF
login bob bob-pw
block 1000002
expect 0x01fe nickname=alice
echo READY
expectnot 0x0014 1500
unblock 1000002
expect 0x01fe
send -510
expect 0x01fe
block 1999999
expect 0x01f4 uid=1999999 disp=0 text=No such user.
quit
EOF
	client <bob.in >bob.out &
	cpid=$!
	wait_for bob.out READY
	printf 'login alice alice-pw\nadd 1000003\nexpect 0x0190 uid=1000003 status=0\nim 1000003 let me in\ndrain 300\nquit\n' |
	    client >alice.out
	wait $cpid || atf_fail "bob: $(cat bob.out)"
	# a block that worked is not answered: 5.0 takes 0x01f4 for a failure
	atf_check -o not-match:"uid=1000002 disp" grep "^RECV 0x01f4" bob.out
	# the blocked user is shown off line (5.0 ignores 0xffffffff)
	atf_check -o match:"RECV 0x0190 8 uid=1000002 status=0" cat bob.out
	# 0x01fe at login, after the block, after the unblock, and for
	# -510, the Privacy dialog's question for the block list
	atf_check -o inline:"4\n" grep -c "^RECV 0x01fe" bob.out
	# not stored for later either
	printf 'login bob bob-pw\nexpectnot 0x0014 500\nquit\n' | client >bob2.out
	atf_check -s exit:0 grep -q LOGIN-OK bob2.out
}
block_cleanup() { pald_stop; }

atf_test_case privacy cleanup
privacy_head()
{
	atf_set "descr" "-410 P, T, A: who may IM or invite a user, on line and off; refusals in a RETURN_CODE"
}
privacy_body()
{
	a=$(adduser alice alice-pw)
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	addadmin boss boss-pw 1 >/dev/null
	pald_start
	# alice lists carol; she accepts pals only
	printf 'login alice alice-pw\nadd %s\nexpect 0x0043 carol\nprivacy P\ndrain 200\nquit\n' "$c" |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	atf_check -o match:"privacy=P" db5.3_dump -p -h db users.db
	# off line: bob is refused and nothing is kept; carol and boss not
	cat >bob.in <<EOF
login bob bob-pw
im $a are you there
expect 0x0064 type=0xffec code=99 text=This user accepts messages and invitations only from people on their pal list.
quit
EOF
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <bob.in
	printf 'login carol carol-pw\nim %s from carol\nexpectnot 0x0064 300\nquit\n' "$a" |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	printf 'login boss boss-pw\nim %s from boss\nexpectnot 0x0064 300\nquit\n' "$a" |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	cat >alice.in <<EOF
login alice alice-pw
expect 0x019a privacy=P
expect 0x0014 from carol
expect 0x0014 from boss
join 50001
expect 0x0154
echo ON
expect 0x0014 from carol again
waitfile t
privacy T
echo T
expect 0x0014 text=bob now
expect 0x0168 group_id=50001
waitfile done
quit
EOF
	client <alice.in >alice.out 2>&1 &
	apid=$!
	wait_for alice.out "^ON"
	# on line the same: bob's IM and invitation are refused
	cat >bob.in <<EOF
login bob bob-pw
im $a are you there
expect 0x0064 type=0xffec code=99 text=This user accepts
join 50001
expect 0x0154
invite 50001 $a
expect 0x0064 type=0xfe98 code=99 text=This user accepts
quit
EOF
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <bob.in
	printf 'login carol carol-pw\nim %s from carol again\nexpectnot 0x0064 300\nquit\n' "$a" |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	# T: text from anyone
	touch t
	wait_for alice.out "^T"
	cat >bob.in <<EOF
login bob bob-pw
im $a bob now
join 50001
expect 0x0154
invite 50001 $a
expect 0x0064 type=0xfe98 code=0
quit
EOF
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <bob.in
	touch done
	wait $apid || atf_fail "alice: $(cat alice.out)"
	atf_check -s exit:1 grep "are you there" alice.out
}
privacy_cleanup() { pald_stop; }

atf_test_case search cleanup
search_head()
{
	atf_set "descr" "user search: exact (any case) and by prefix"
}
search_body()
{
	adduser alice alice-pw >/dev/null
	adduser alicia alicia-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	cat >script <<EOF
login bob bob-pw
searchx ALICE
expect 0x0045 nickname=alice
search ali
expect 0x0045 nickname=alicia
searchx nobody
expect 0xffbb
quit
EOF
	atf_check -s exit:0 -o save:out "$H" -t 10 "$PORT" <script
	atf_check -o match:"nickname=alice" -o not-match:"alicia" \
	    sed -n '/0x0045/{p;q;}' out
	atf_check -o match:"nickname=alice\|.*nickname=alicia" -o not-match:bob \
	    sed -n '/0x0045/{n;/0x0045/p;}' out
}
search_cleanup() { pald_stop; }

atf_test_case pal_names cleanup
pal_names_head()
{
	atf_set "descr" "-167 names a pal, sent back as display= at the next login; first and last as a search shows them"
}
pal_names_body()
{
	adduser alice alice-pw >/dev/null
	b=$(adduser bob bob-pw)
	c=$(adduser carol carol-pw)
	d=$(adduser dave dave-pw)
	pald_start
	printf 'login bob bob-pw\nprofile first=Bob,last=Builder\nexpect 0x0064 code=0\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	printf 'login carol carol-pw\nprofile first=Carol,last=Secret\nexpect 0x0064 code=0\nprivacy T\ndrain 100\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	cat >alice.in <<EOF
login alice alice-pw
add $b
expect 0x0043 nickname=bob
add $c
expect 0x0043 nickname=carol
display $b Bobby B.
display $c Cee
display $d Not a pal
display $c bad=name
drain 300
quit
EOF
	atf_check -s exit:0 -o save:alice.out "$H" -t 10 "$PORT" <alice.in
	# no answer to -167, which 5.0 does not expect
	atf_check -s exit:1 grep -q "^RECV 0x0064" alice.out
	atf_check -o match:"display=Bobby%20B." db5.3_dump -p -h db buddies.db
	atf_check -s exit:1 grep -q "Not a pal" db/buddies.db
	wait_for pald.log "type -167 of .* ignored"
	printf 'login alice alice-pw\nexpect 0x0043\nquit\n' |
	    atf_check -s exit:0 -o save:a2.out "$H" -t 10 "$PORT"
	atf_check -o match:"uid=$b[|]nickname=bob[|]first=Bob[|]last=Builder[|]display=Bobby B.[|];" \
	    -o match:"uid=$c[|]nickname=carol[|]display=Cee[|];" grep "^RECV 0x0043" a2.out
	# Reset: the client's "*default*"
	printf 'login alice alice-pw\ndisplay %s *default*\ndrain 200\nquit\nlogin alice alice-pw\nexpect 0x0043\nquit\n' "$b" |
	    atf_check -s exit:0 -o save:a3.out "$H" -t 10 "$PORT"
	atf_check -o match:"nickname=bob[|]first=Bob[|]last=Builder[|];" \
	    grep "^RECV 0x0043" a3.out
}
pal_names_cleanup() { pald_stop; }

atf_test_case password_hint cleanup
password_hint_head()
{
	atf_set "descr" "-71 keeps the question, the hint and the answer hashed; a few per session"
}
password_hint_body()
{
	adduser alice alice-pw >/dev/null
	pald_start
	cat >alice.in <<EOF
login alice alice-pw
hint 3 Pizza Italian food
hint 0 Pizza no question
send -71 0004 50697a7a61
drain 300
quit
EOF
	atf_check -s exit:0 -o save:alice.out "$H" -t 10 "$PORT" <alice.in
	atf_check -s exit:1 grep -q "^RECV 0x0064" alice.out
	wait_for pald.log "alice set a password hint"
	atf_check -o match:"hintq=3 hinta=[$]2b[$].* hint=Italian%20food" \
	    db5.3_dump -p -h db users.db
	atf_check -s exit:1 -o ignore sh -c "db5.3_dump -p -h db users.db | grep -i pizza"
	# the question 0 and the one without a newline: logged, not kept
	atf_check -o match:"type -71 of .* ignored" cat pald.log
	atf_check -o inline:"1\n" grep -c "set a password hint" pald.log
	# at most 4 a session: each costs a hash
	for i in 1 2 3 4 5 6; do echo "hint 1 answer$i hint$i"; done |
	    sed '1i login alice alice-pw' | sed '$a drain 500' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	atf_check -o match:"hint=hint4" db5.3_dump -p -h db users.db
	atf_check -o inline:"5\n" grep -c "set a password hint" pald.log
}
password_hint_cleanup() { pald_stop; }

atf_test_case invite_friends cleanup
invite_friends_head()
{
	atf_set "descr" "-200 queues addresses in invites.db, answered in 0x00c8: added, already, failed"
}
invite_friends_body()
{
	a=$(adduser alice alice-pw)
	pald_start
	cat >alice.in <<EOF
login alice alice-pw
friends Bob@Example.com
expect 0x00c8 rec email=Bob@Example.com|status=0|
friends bob@example.com
expect 0x00c8 rec email=bob@example.com|status=1|
friends carol@example.org not-an-address dave@example.net
expect 0x00c8 rec email=carol@example.org|status=0|;email=not-an-address|status=-1|;email=dave@example.net|status=0|;
quit
EOF
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <alice.in
	db5.3_dump -p -h db invites.db >dump || atf_fail "db_dump"
	atf_check -o match:"^ $(printf %010d "$a"):bob@example.com$" cat dump
	atf_check -o match:"origin=255" -o match:"origin=2" cat dump
	atf_check -o inline:"3\n" grep -c "^ $(printf %010d "$a"):" dump
	atf_check -s exit:1 grep "not-an-address" dump
	wait_for pald.log "alice asked for 3 invitations"
}
invite_friends_cleanup() { pald_stop; }

atf_test_case unknown_user cleanup
unknown_user_head()
{
	atf_set "descr" "-68: who is the uid that wrote to me, and how is it"
}
unknown_user_body()
{
	adduser alice alice-pw >/dev/null
	b=$(adduser bob bob-pw)
	pald_start
	printf 'login bob bob-pw\necho IN\nwaitfile done\nquit\n' | client >bob.out &
	bpid=$!
	wait_for bob.out "^IN"
	printf 'login alice alice-pw\nsend -68 %08x\nexpect 0x0044 rec uid=%s|nickname=bob\nexpect 0x0190 uid=%s status=30\nquit\n' "$b" "$b" "$b" |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	touch done
	wait $bpid
}
unknown_user_cleanup() { pald_stop; }

atf_test_case client_disconnect cleanup
client_disconnect_head()
{
	atf_set "descr" "-1100: the server ends the session at once; buddies see it go"
}
client_disconnect_body()
{
	adduser alice alice-pw >/dev/null
	b=$(adduser bob bob-pw)
	pald_start
	printf 'login alice alice-pw\nadd %s\nexpect 0x0190 uid=%s status=30\nexpect 0x0190 uid=%s status=0\nquit\n' "$b" "$b" "$b" >alice.in
	printf 'login bob bob-pw\necho IN\nwaitfile added\nsend -1100\neof\n' |
	    client >bob.out 2>&1 &
	bpid=$!
	wait_for bob.out "^IN"
	client <alice.in >alice.out 2>&1 &
	apid=$!
	wait_for alice.out "status=30"
	touch added
	wait $bpid || atf_fail "bob: $(cat bob.out)"
	wait $apid || atf_fail "alice: $(cat alice.out)"
	atf_check -o match:"^EOF" cat bob.out
}
client_disconnect_cleanup() { pald_stop; }

atf_test_case duplicate_login cleanup
duplicate_login_head()
{
	atf_set "descr" "a second login of an account ends the first with 0x044c"
}
duplicate_login_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	printf 'login alice alice-pw\necho READY\nexpect 0x044c logged in from another client\neof\n' |
	    client >first.out &
	fpid=$!
	wait_for first.out READY
	# bob lists alice: he must not see her go offline in between
	printf 'login bob bob-pw\nadd 1000002\nexpect 0x0190 uid=1000002 status=30\necho BOBREADY\nexpectnot 0x0190 1500\nquit\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out BOBREADY
	printf 'login alice alice-pw\nim 1000003 still here\ndrain 300\nquit\n' |
	    client >second.out
	wait $cpid $fpid
	atf_check -o match:"^EOF" cat first.out
	atf_check -o match:"LOGIN-OK" cat second.out
	atf_check -s exit:0 grep -q "logged in again" pald.log
}
duplicate_login_cleanup() { pald_stop; }

atf_test_case killed_child cleanup
killed_child_head()
{
	atf_set "descr" "SIGKILL of a child leaves no stale slot: buddies see it go"
}
killed_child_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	printf 'login bob bob-pw\nadd 1000002\nexpect 0x0190 uid=1000002 status=0\necho READY\nexpect 0x0190 uid=1000002 status=30\necho ALICEON\nexpect 0x0190 uid=1000002 status=0\nquit\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	printf 'login alice alice-pw\necho READY\ndrain 8000\n' | client >alice.out &
	apid=$!
	wait_for bob.out ALICEON
	pid=$(child_of "alice 127.0.0.1") || atf_fail "no child for alice"
	kill -9 "$pid"
	wait $cpid $apid
	atf_check -o match:"status=0" tail -2 bob.out
	wait_for pald.log "killed by signal 9"
	wait_for pald.log "swept dead session of alice"
	# alice can log in again, and is online once
	printf 'login alice alice-pw\nquit\n' | client >again.out
	atf_check -o match:LOGIN-OK cat again.out
}
killed_child_cleanup() { pald_stop; }

atf_test_case bad_frames cleanup
bad_frames_head()
{
	atf_set "descr" "oversize and junk frames close only that connection"
}
bad_frames_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	printf 'login bob bob-pw\necho READY\nexpect 0x0014 after the storm\nquit\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	# a header that announces 65535 bytes: closed, one log line
	printf 'connect\nsendraw ff9c0047ffff\neof\n' | client >big.out
	atf_check -o match:EOF cat big.out
	wait_for pald.log "announces 65535 bytes, over the limit"
	# a header split across writes, then an unknown type: drained
	printf 'login alice alice-pw\nsendraw 7777\nsendraw 00470003414243\nsend 0x1234 00\nsendraw ff9c\nsendraw 004700\nsendraw 0400000000\nexpect 0xff8b\nim 1000003 after the storm\ndrain 200\nquit\n' |
	    client >alice.out
	atf_check -o match:LOGIN-OK cat alice.out
	# a lying LYMERICK length closes that connection only
	printf 'connect\nsend -1130 00\neof\n' | client >lym.out
	atf_check -o match:EOF cat lym.out
	wait $cpid
	atf_check -o match:"after the storm" cat bob.out
	atf_check -s exit:0 kill -0 "$(cat pald.pid)"
}
bad_frames_cleanup() { pald_stop; }

atf_test_case flood cleanup
flood_head()
{
	atf_set "descr" "a packet flood cuts that client with one log line"
}
flood_body()
{
	adduser alice alice-pw >/dev/null
	conf "packet_rate 5" "packet_burst 20"
	pald_start
	{
		echo "login alice alice-pw"
		i=0
		while [ $i -lt 100 ]; do echo "away"; i=$((i + 1)); done
		echo "eof"
	} | client >alice.out
	atf_check -o match:"0x044c.*too much too fast" -o match:EOF cat alice.out
	atf_check -o inline:"1\n" grep -c "packet flood" pald.log
}
flood_cleanup() { pald_stop; }

atf_test_case log_flood cleanup
log_flood_head()
{
	atf_set "descr" "one hostile address gets at most log_rate lines into the log, whatever it sends; other addresses are not held back"
}
log_flood_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	conf "log_rate 8" "packet_rate 5" "packet_burst 20" "join_rate 1000"
	rm -f voice.port
	pald_start -w "$PWD/voice.port"
	wait_for voice.port .
	# from 127.0.0.1: bad joins, then a packet flood (about 60 lines)
	{
		echo "login alice alice-pw"
		i=0
		while [ $i -lt 15 ]; do
			echo "join 899999"
			i=$((i + 1))
		done
		while [ $i -lt 100 ]; do echo "away"; i=$((i + 1)); done
		echo "eof"
	} | client >alice.out
	atf_check -o match:"too much too fast" cat alice.out
	# oversize headers, lying lymericks, wrong logins, bad voice hellos
	i=0
	while [ $i -lt 10 ]; do
		printf 'connect\nsendraw ff9c0047ffff\neof\n' | client >>big.out
		printf 'connect\nsend -1130 00\neof\n' | client >>lym.out
		printf 'login bob guess-%d\n' $i | client >>guess.out
		"$(atf_get_srcdir)/h_voice" -p "$(cat voice.port)" -r 50077 \
		    -u 1000002 -l -s 1 >>voice.out
		i=$((i + 1))
	done
	atf_check -o inline:"10\n" grep -c EOF big.out
	atf_check -o inline:"10\n" grep -c EOF lym.out
	atf_check -o inline:"10\n" grep -c LOGIN-FAIL guess.out
	# another address is logged as usual
	printf 'login bob bob-pw\nquit\n' | client_from 127.0.0.2 >bob.out
	atf_check -o match:LOGIN-OK cat bob.out
	wait_for pald.log "\\[127.0.0.2\\]: logout bob"
	n=$(grep -c "\\[127.0.0.1\\]" pald.log)
	[ "$n" -le 8 ] || atf_fail "$n lines about 127.0.0.1: $(cat pald.log)"
	[ "$n" -ge 5 ] || atf_fail "only $n lines about 127.0.0.1"
	atf_check -o inline:"1\n" grep -c "packet flood" pald.log
}
log_flood_cleanup() { pald_stop; }

atf_test_case password_change cleanup
password_change_head()
{
	atf_set "descr" "the client's password change needs the old password"
}
password_change_body()
{
	adduser alice alice-pw >/dev/null
	pald_start
	printf 'login alice alice-pw\npasswd wrong-old new-pw-1\nexpect 0x0064 code=1\npasswd alice-pw new-pw-1\nexpect 0x0064 code=0\nquit\n' |
	    client >out
	atf_check -o match:"rc type=0xfb78 code=1 text=Incorrect password" cat out
	printf 'login alice alice-pw\n' | client >old.out
	atf_check -o match:LOGIN-FAIL cat old.out
	printf 'login alice new-pw-1\nquit\n' | client >new.out
	atf_check -o match:LOGIN-OK cat new.out
}
password_change_cleanup() { pald_stop; }

atf_test_case password_guesses cleanup
password_guesses_head()
{
	atf_set "descr" "60 guesses of the old password with -1160 are held back as failed logins are; the owner logs in from another address"
}
password_guesses_body()
{
	adduser alice alice-pw >/dev/null
	conf "login_failures 3" "login_window 60"
	pald_start
	{
		echo "login alice alice-pw"
		i=0
		while [ $i -lt 60 ]; do
			echo "passwd guess-$i new-pw-1"
			echo "expect 0x0064 type=0xfb78"
			i=$((i + 1))
		done
		echo "quit"
	} | client >out
	atf_check -o inline:"60\n" grep -c "rc type=0xfb78 code=1" out
	n=$(grep -c "code=1 text=Incorrect password" out)
	[ "$n" -ge 3 ] && [ "$n" -le 6 ] || atf_fail "$n guesses checked"
	[ "$(grep -c "code=1 text=Too many wrong passwords" out)" -ge 54 ] ||
	    atf_fail "guesses not held back: $(cat out)"
	printf 'login alice alice-pw\nquit\n' | client_from 127.0.0.2 >owner.out
	atf_check -o match:LOGIN-OK cat owner.out
	atf_check -o inline:"1\n" grep -c \
	    "failed password checks of uid 1000002 from this address" pald.log
}
password_guesses_cleanup() { pald_stop; }

atf_test_case profile cleanup
profile_head()
{
	atf_set "descr" "a profile update is stored and shown at the next login"
}
profile_body()
{
	adduser alice alice-pw >/dev/null
	pald_start
	printf 'login alice alice-pw\nprofile first=Alice,last=Liddell,email=a@example.org\nexpect 0x0064 type=0xffbf code=0\nquit\n' |
	    client >out
	printf 'login alice alice-pw\nexpect 0x019a first=Alice\nquit\n' | client >out2
	atf_check -o match:"last=Liddell" -o match:"email=a@example.org" \
	    grep 0x019a out2
}
profile_cleanup() { pald_stop; }

atf_test_case registration cleanup
registration_head()
{
	atf_set "descr" "new accounts from the client, throttled per address"
}
registration_body()
{
	pald_start
	printf 'register newbie newbie-pw n@example.org\nexpect 0x0064 type=0xfb6e code=0\nexpect 0xffb1\n' |
	    client >reg.out
	printf 'login newbie newbie-pw\nquit\n' | client >login.out
	atf_check -o match:"LOGIN-OK uid=1000002" cat login.out
	# the same address again, at once: refused with a reason
	printf 'register second second-pw\nexpect 0x0064 type=0xfb6e\n' | client >reg2.out
	atf_check -o match:"wait a while" cat reg2.out
	# a taken nickname, any case
	conf "registration_interval 0"
	kill -HUP "$(cat pald.pid)"
	wait_for pald.log "configuration reloaded"
	printf 'register NEWBIE other-pw\nexpect 0x0064 type=0xfb6e code=99\n' |
	    client >reg3.out
	atf_check -s exit:0 grep -q "code=99 text=NEWBIE1$" reg3.out
}
registration_cleanup() { pald_stop; }

atf_test_case registration_taken cleanup
registration_taken_head()
{
	atf_set "descr" "a taken nickname: 0x63 with a free one suggested," \
	    "and no registration used up"
}
registration_taken_body()
{
	pald_start
	printf 'register bob bob-pw\nexpect 0x0064 type=0xfb6e code=0\n' |
	    client >reg.out
	# taken, any case: BOB1 suggested, at once, as the spacing is
	# for new accounts only
	printf 'register BOB other-pw\nexpect 0x0064 type=0xfb6e code=99\n' |
	    client >reg2.out
	atf_check -s exit:0 grep -q "code=99 text=BOB1$" reg2.out
	printf 'register carol carol-pw\nexpect 0x0064 type=0xfb6e code=1\n' |
	    client >reg3.out
	atf_check -o match:"wait a while" cat reg3.out
	# a nickname no account can have: a reason, not a suggestion
	printf 'register 9lives nine-pw\nexpect 0x0064 type=0xfb6e code=1\n' |
	    client >reg4.out
	atf_check -o match:"begins with a letter" cat reg4.out
	conf "registration_interval 0"
	kill -HUP "$(cat pald.pid)"
	wait_for pald.log "configuration reloaded"
	printf 'register bob1 bob1-pw\nexpect 0x0064 type=0xfb6e code=0\n' |
	    client >reg5.out
	# bob and bob1 are taken: bob2
	printf 'register bob other-pw\nexpect 0x0064 type=0xfb6e code=99\n' |
	    client >reg6.out
	atf_check -s exit:0 grep -q "code=99 text=bob2$" reg6.out
}
registration_taken_cleanup() { pald_stop; }

atf_test_case registration_wizard cleanup
registration_wizard_head()
{
	atf_set "descr" "the 5.0 way in: logging on as <New User> opens the" \
	    "registration wizard (RETURN_CODE for -1170, code 1)"
}
registration_wizard_body()
{
	pald_start
	printf 'newuser\nexpect 0x0064 type=0xfb6e code=1\n' | client >nu.out
	atf_check -o match:"UID nick=<New User> uid=1000000" \
	    -o match:"code=1 text=Press 'OK' to begin New User registration" \
	    cat nu.out
	# what the wizard sends then: -1170 on a new connection, then the
	# login that -79 asks for, with a PASSWORD_HINT first (ignored)
	printf 'register newbie newbie-pw\nexpect 0x0064 type=0xfb6e code=0\nexpect 0xffb1\nsend -71 0001 626c75650a6d792068696e74\nquit\n' |
	    client >reg.out
	printf 'login newbie newbie-pw\nquit\n' | client >login.out
	atf_check -o match:"LOGIN-OK uid=1000002" cat login.out
	atf_check -o match:"registered newbie uid 1000002" cat pald.log
}
registration_wizard_cleanup() { pald_stop; }

atf_test_case registration_off cleanup
registration_off_head()
{
	atf_set "descr" "registration can be switched off"
}
registration_off_body()
{
	conf "registration no"
	pald_start
	printf 'register newbie newbie-pw\nexpect 0x0064 type=0xfb6e code=1\n' |
	    client >reg.out
	atf_check -o match:"cannot be created" cat reg.out
	printf 'uid newbie\n' | client >uid.out
	atf_check -o match:"uid=-1" cat uid.out
	# the wizard's way in says why, as a failed login does
	printf 'newuser\nexpect 0x0064 type=0xfb84 code=99\n' | client >nu.out
	atf_check -o match:"text=New accounts cannot be created" cat nu.out
	atf_check -s exit:1 grep -q "code=1 " nu.out
}
registration_off_cleanup() { pald_stop; }

atf_test_case inetd_mode cleanup
inetd_mode_head()
{
	atf_set "descr" "pald -i serves a connection on fds 0-2 with the same code"
}
inetd_mode_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	conf
	mkdir -p run
	# what rc.d/pald_recover does at boot
	atf_check -s exit:0 -e ignore "$PALD" -d -f "$PWD/pald.conf" \
	    -h "$PWD/db" -r "$PWD/run" -R
	# bob's login takes two connections, alice's two more
	"$HI" inetd.port 4 "$PALD" -i -f "$PWD/pald.conf" -h "$PWD/db" \
	    -r "$PWD/run" &
	wait_for inetd.port .
	PORT=$(cat inetd.port)
	printf 'login bob bob-pw\necho READY\nexpect 0x0014 via inetd\nquit\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	printf 'login alice alice-pw\nim 1000003 via inetd\ndrain 200\nquit\n' |
	    client >alice.out
	wait $cpid
	atf_check -o match:"from=1000002 text=via inetd" cat bob.out
}
inetd_mode_cleanup() { return 0; }

atf_test_case sigterm cleanup
sigterm_head()
{
	atf_set "descr" "SIGTERM tells the clients, stops the children, removes the pidfile"
}
sigterm_body()
{
	adduser alice alice-pw >/dev/null
	pald_start
	printf 'login alice alice-pw\necho READY\nexpect 0x044c shutting down\neof\n' |
	    client >alice.out &
	cpid=$!
	wait_for alice.out READY
	pid=$(cat pald.pid)
	kill "$pid"
	wait $cpid
	atf_check -o match:EOF cat alice.out
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && atf_fail "master still running"
		sleep 0.05
	done
	atf_check -s exit:1 test -f pald.pid
	wait_for pald.log "stopped"
	# nobody was killed: the store was checkpointed and closed
	atf_check -s exit:1 grep -q "will be recovered at the next start" pald.log
	# the store is consistent afterwards
	atf_check -s exit:0 -o ignore -e ignore db5.3_verify -h db users.db
}
sigterm_cleanup() { pald_stop; }

atf_test_case sigterm_stuck_child cleanup
sigterm_stuck_child_head()
{
	atf_set "descr" "SIGTERM with a store process stuck in a lock wait: the master kills it, leaves the store to recovery and exits; nothing stored is lost"
}
sigterm_stuck_child_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	# an offline IM, acknowledged: it is in the store
	printf 'login alice alice-pw\nim 1000003 kept across the crash\ndrain 200\nquit\n' |
	    client >alice.out
	atf_check -o not-match:"0x0064" cat alice.out
	# an administrator's load holds a write lock on offline.db
	hold_offline
	# bob's login reads his offline IMs: the store process that runs
	# the read waits for the lock, inside Berkeley DB, and so cannot
	# stop when told
	printf 'login bob bob-pw\neof\n' | client >bob.out &
	bpid=$!
	locked "WAIT *offline.db"
	pid=$(cat pald.pid)
	kill "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 400 ] && atf_fail "master still running 20 s after SIGTERM"
		sleep 0.05
	done
	wait_for pald.log "stopped"
	# it killed the stuck store process and left the store to the next
	# start
	atf_check -s exit:0 grep -q "store processes did not stop" pald.log
	atf_check -s exit:0 grep -q "will be recovered at the next start" pald.log
	# killed before its input ends: at end of file it would commit
	kill -9 "$lpid" "$bpid" 2>/dev/null
	exec 3>&-
	wait "$lpid" "$bpid"
	# the next start recovers: the load, never committed, is undone;
	# the account and the IM are there
	pald_start
	# (a dump that joins the environment while the store processes
	# open theirs may fail once: mmap of a region not yet sized)
	i=0
	until db5.3_dump -p -h db offline.db >offline.dump 2>dump.err; do
		i=$((i + 1))
		[ $i -gt 50 ] && atf_fail "db5.3_dump: $(cat dump.err)"
		sleep 0.1
	done
	atf_check -s exit:1 grep -q 0001000099 offline.dump
	printf 'login bob bob-pw\nexpect 0x0014 kept across the crash\nquit\n' |
	    client >bob2.out
	atf_check -o match:"from=1000002 text=.*kept across the crash" \
	    cat bob2.out
	printf 'login alice alice-pw\nquit\n' | client >alice2.out
	atf_check -o match:LOGIN-OK cat alice2.out
}
sigterm_stuck_child_cleanup()
{
	[ -f load.pid ] && kill -9 "$(cat load.pid)" 2>/dev/null
	pald_stop
}

atf_test_case kill_lock_waiter cleanup
kill_lock_waiter_head()
{
	atf_set "descr" "SIGKILL of the store processes, one waiting for a BDB lock: the master stays up (the keeper's failchk may wedge: then the store is recovered in place), the session waiting for it stays connected and nothing stored is lost"
}
kill_lock_waiter_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	master=$(cat pald.pid)
	printf 'login alice alice-pw\nim 1000003 kept across the recovery\ndrain 200\nquit\n' |
	    client >alice.out
	atf_check -o not-match:"0x0064" cat alice.out
	hold_offline
	# bob's login reads his offline IMs: a store process waits for the
	# lock; his session waits for it, and is still there afterwards
	printf 'login bob bob-pw\necho IN\nwaitfile done\nsearch alice\nexpect 0x0045\necho STILL\nquit\n' |
	    "$H" -t 60 "$PORT" >bob.out &
	bpid=$!
	locked "WAIT *offline.db"
	stores=$(pgrep -P "$master" -f "pald: store") ||
	    atf_fail "no store processes"
	# shellcheck disable=SC2086
	kill -9 $stores
	for p in $stores; do
		wait_for pald.log "store process $p killed by signal 9"
	done
	# the lock holder goes too (recovery wants the store to itself)
	kill -9 "$lpid" 2>/dev/null
	exec 3>&-
	wait "$lpid"
	# within 40 s the master answers again
	until=$(($(date +%s) + 40))
	until printf 'login alice alice-pw\nquit\n' | "$H" -t 5 "$PORT" \
	    >again.out 2>&1 && grep -q LOGIN-OK again.out; do
		if [ "$(date +%s)" -ge "$until" ]; then
			cat pald.log >&2
			atf_fail "no login 40 s after the kill"
		fi
		sleep 1
	done
	atf_check -s exit:0 kill -0 "$master"
	if grep -q "recovering the store in place" pald.log; then
		wait_for pald.log "store recovered in place"
	fi
	# bob's session went on, and had its offline IM once the store was
	# back (or, if the wait for it ran out, has it at the next login)
	touch done
	wait "$bpid" || atf_fail "bob's session: $(cat bob.out)"
	atf_check -o match:STILL cat bob.out
	if ! grep -q "kept across the recovery" bob.out; then
		printf 'login bob bob-pw\nexpect 0x0014 kept across the recovery\nquit\n' |
		    client >bob2.out
		atf_check -o match:"from=1000002 text=.*kept across the recovery" \
		    cat bob2.out
	fi
}
kill_lock_waiter_cleanup()
{
	[ -f load.pid ] && kill -9 "$(cat load.pid)" 2>/dev/null
	pald_stop
}

atf_test_case keeper_restart cleanup
keeper_restart_head()
{
	atf_set "descr" "SIGKILL of the store keeper: the master restarts it, sessions go on, and later dead children are still swept"
}
keeper_restart_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	pald_start
	master=$(cat pald.pid)
	printf 'login bob bob-pw\nadd 1000002\nexpect 0x0190 uid=1000002 status=0\necho READY\nexpect 0x0190 uid=1000002 status=30\necho ALICEON\nexpect 0x0014 still there\necho IM\nexpect 0x0190 uid=1000002 status=0\nquit\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	printf 'login alice alice-pw\necho READY\nwaitfile go\nim 1000003 still there\ndrain 8000\n' |
	    client >alice.out &
	apid=$!
	wait_for bob.out ALICEON
	keeper=$(pgrep -P "$master" -f "pald: keeper") ||
	    atf_fail "no child titled pald: keeper"
	kill -9 "$keeper"
	wait_for pald.log "store keeper $keeper killed by signal 9"
	i=0
	until grep -q "store keeper restarted" pald.log; do
		i=$((i + 1))
		[ $i -gt 200 ] && atf_fail "keeper not restarted in 10 s"
		sleep 0.05
	done
	touch go
	wait_for bob.out IM
	pid=$(child_of "alice 127.0.0.1") || atf_fail "no child for alice"
	kill -9 "$pid"
	wait $cpid $apid
	atf_check -o match:"status=0" tail -2 bob.out
	wait_for pald.log "swept dead session of alice"
	atf_check -s exit:0 kill -0 "$master"
}
keeper_restart_cleanup() { pald_stop; }

atf_test_case daemon_mode cleanup
daemon_mode_head()
{
	atf_set "descr" "detached, with relative paths, pald still finds its files"
}
daemon_mode_body()
{
	adduser alice alice-pw >/dev/null
	conf
	atf_check -s exit:0 "$PALD" -f pald.conf -l 127.0.0.1 -p 0 -h db \
	    -r run -P pald.pid -W pald.port
	wait_for pald.port .
	wait_for pald.pid .
	PORT=$(cat pald.port)
	# one line: the number and a newline
	atf_check -o match:"^[0-9]+$" cat pald.pid
	atf_check -o inline:"1\n" sh -c "wc -l <pald.pid | tr -d ' '"
	printf 'login alice alice-pw\nquit\n' | client >out
	atf_check -o match:LOGIN-OK cat out
	atf_check -s exit:0 test -S run/s.0 -o -f run/table
	# SIGHUP re-reads the configuration from its absolute path
	conf "idle_timeout 31"
	atf_check -s exit:0 kill -HUP "$(cat pald.pid)"
	printf 'login alice alice-pw\nquit\n' | client >out2
	atf_check -o match:LOGIN-OK cat out2
}
daemon_mode_cleanup() { pald_stop; }

atf_test_case tree_seeds cleanup
tree_seeds_head()
{
	atf_set "descr" "pald run from its build tree seeds the tree's categories and rooms"
}
tree_seeds_body()
{
	adduser alice alice-pw >/dev/null
	# no categories or rooms keyword: the defaults
	printf 'hash_cost 4\nvoice_port 0\n' >pald.conf
	pald_start
	wait_for pald.log "29 categories seeded"
	atf_check -o match:"data/rooms.txt: [0-9]+ rooms seeded" cat pald.log
	printf 'login alice alice-pw\nrooms 30001\nexpect 0x014c id=50001\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
}
tree_seeds_cleanup() { pald_stop; }

atf_test_case config_check
config_check_head()
{
	atf_set "descr" "pald -n accepts a good file and names the bad line"
}
config_check_body()
{
	conf "max_sessions 100"
	atf_check -s exit:0 -e match:"configuration OK" "$PALD" -n -f "$PWD/pald.conf"
	printf 'port 5001\n# a comment\nidle_timeout 5\n' >bad.conf
	atf_check -s exit:1 -e match:"bad.conf:3: idle_timeout: too small" \
	    "$PALD" -n -f "$PWD/bad.conf"
	printf 'user_color 000128000\nadmin_color 000256000\n' >bad3.conf
	atf_check -s exit:1 -e match:"bad3.conf:2: admin_color: expected RRRGGGBBB" \
	    "$PALD" -n -f "$PWD/bad3.conf"
	printf 'no_such_key 1\n' >bad2.conf
	atf_check -s exit:1 -e match:"bad2.conf:1: no_such_key: unknown keyword" \
	    "$PALD" -n -f "$PWD/bad2.conf"
	atf_check -s exit:1 -e match:"usage: pald" "$PALD" -x
}

atf_test_case palpasswd_tool
palpasswd_tool_head()
{
	atf_set "descr" "palpasswd creates, changes, levels and deletes accounts"
}
palpasswd_tool_body()
{
	mkdir db
	echo alice-pw | atf_check -o inline:"1000002\n" env PALD_HASH_COST=4 \
	    "$PALPASSWD" -h "$PWD/db" -p -c alice
	echo other-pw | atf_check -s exit:1 -e match:"taken" \
	    "$PALPASSWD" -h "$PWD/db" -p -c ALICE
	echo x-pw | atf_check -s exit:0 env PALD_HASH_COST=4 "$PALPASSWD" \
	    -h "$PWD/db" -a 2 alice
	atf_check -o match:"admin=2" db5.3_dump -p -h db users.db
	atf_check -o match:"alice" db5.3_dump -p -h db nicks.db
	# no password is stored in the clear
	atf_check -s exit:1 -o ignore sh -c "db5.3_dump -p -h db users.db | grep alice-pw"
	atf_check -s exit:0 "$PALPASSWD" -h "$PWD/db" -d alice
	atf_check -s exit:1 -e match:"no such user" "$PALPASSWD" -h "$PWD/db" -d alice
}

atf_test_case half_junk cleanup
half_junk_head()
{
	atf_set "descr" "issue 15's handlers (-600 -610 -410 -510 -167 -71 -200 -310 -305 -911 -921) with payloads of every length from 0 to 64 of random bytes: one log line, no crash, no store write, the session goes on"
	atf_set "timeout" 120
}
half_junk_body()
{
	# the junk first: some thousand processes, slow on a busy host
	{
		junk -600 -610 -510 -167 -200 -310 -305 -911 -921
		# no question 1..9; not A, T or P
		junk -f 's/^00/80/' -71
		junk -f 's/^\(41\|54\|50\)$/78/' -410
	} >junk.in
	adduser alice alice-pw >/dev/null
	b=$(adduser bob bob-pw)
	e=$(adduser eve eve-pw)
	f=$(adduser frank frank-pw)
	# the default log_rate: the lines about one address stay few
	conf "packet_rate 100000" "packet_burst 100000" "log_rate 8"
	pald_start
	# alice skips the rate limits: the junk must reach the handlers
	echo alice-pw | PALD_HASH_COST=4 "$PALPASSWD" -h "$PWD/db" -e alice
	printf 'login bob bob-pw\necho IN\nexpect 0x0014 text=still here\nquit\n' >bob.in
	"$H" -t 60 "$PORT" <bob.in >bob.out 2>&1 &
	bpid=$!
	wait_for bob.out "^IN"
	# alice owns a room with a bounce and a ban: -911 and -921 reach
	# the console's code
	{
		echo "login alice alice-pw"
		echo "create 30006 G Den"
		echo "expect 0x0136 admin=1"
		echo "echo CREATED"
		wait_for alice.out "^CREATED"
		r=$(sed -n 's/^RECV 0x0136 .*room=\([0-9]*\).*/\1/p' alice.out)
		echo "bounce $r $e"
		echo "expect 0x0384"
		echo "ban $r $f"
		echo "expect 0x0384 ban=$f,frank"
		# the room's id, then anything but a uid's 4 bytes
		junk -h "$(printf %08x "$r")" -s 8 -911 -921 >>junk.in
		echo "echo READY"
		echo "waitfile go"
		cat junk.in
		echo "im $b still here"
		echo "drain 300"
		echo "echo SENT"
		echo "waitfile dumped"
		echo "quit"
	} | "$H" -t 60 "$PORT" >alice.out 2>&1 &
	apid=$!
	wait_for alice.out "^READY" 60
	for d in db/*.db; do db5.3_dump -p -h db "${d#db/}"; done >before.dump
	n0=$(wc -l <pald.log)
	touch go
	wait $bpid || atf_fail "bob: $(tail -3 bob.out)"
	wait_for alice.out "^SENT"
	for d in db/*.db; do db5.3_dump -p -h db "${d#db/}"; done >after.dump
	n1=$(wc -l <pald.log)
	touch dumped
	wait $apid || atf_fail "alice: $(tail -3 alice.out)"
	# nothing written, a few lines, everyone still there
	atf_check -s exit:0 cmp before.dump after.dump
	[ -s before.dump ] || atf_fail "no dump"
	[ $((n1 - n0)) -le 8 ] || atf_fail "$((n1 - n0)) log lines"
	atf_check -o match:"alice: type -[0-9]* of [0-9]* bytes ignored" \
	    cat pald.log
	kill -0 "$(cat pald.pid)" || atf_fail "the master is gone"
	atf_check -s exit:1 grep -q "killed by signal" pald.log
}
half_junk_cleanup() { pald_stop; }

atf_init_test_cases()
{
	atf_add_test_case login_ok
	atf_add_test_case login_wrong_password
	atf_add_test_case login_unknown_user
	atf_add_test_case im_online
	atf_add_test_case im_offline
	atf_add_test_case presence
	atf_add_test_case away
	atf_add_test_case presence_later
	atf_add_test_case block
	atf_add_test_case privacy
	atf_add_test_case search
	atf_add_test_case pal_names
	atf_add_test_case password_hint
	atf_add_test_case invite_friends
	atf_add_test_case unknown_user
	atf_add_test_case client_disconnect
	atf_add_test_case duplicate_login
	atf_add_test_case killed_child
	atf_add_test_case bad_frames
	atf_add_test_case flood
	atf_add_test_case log_flood
	atf_add_test_case password_change
	atf_add_test_case password_guesses
	atf_add_test_case profile
	atf_add_test_case registration
	atf_add_test_case registration_taken
	atf_add_test_case registration_wizard
	atf_add_test_case registration_off
	atf_add_test_case inetd_mode
	atf_add_test_case sigterm
	atf_add_test_case sigterm_stuck_child
	atf_add_test_case kill_lock_waiter
	atf_add_test_case keeper_restart
	atf_add_test_case daemon_mode
	atf_add_test_case tree_seeds
	atf_add_test_case config_check
	atf_add_test_case palpasswd_tool
	atf_add_test_case half_junk
}
