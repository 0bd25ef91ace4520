#
# t_admin.sh - administration end to end: the system user and its
# slash-commands, the login throttle, the "under attack" switch, the
# message, IM and join limits and the exempt flag, the new pald.conf
# keys, SIGHUP, and a backup and restore of the store.
#

# shellcheck source=tests/common.sh
. "$(atf_get_srcdir)/common.sh"

SYS=1000001

# level NICK LEVEL - set an account's admin level with palpasswd
level()
{
	echo x | "$PALPASSWD" -h "$PWD/db" -a "$2" "$1" ||
	    atf_fail "palpasswd -a $2 $1"
}

# accounts NICK... - an account with the password NICK-pw for each; in a
# new store they get the uids 1000002, 1000003, ... in that order
accounts()
{
	for n in "$@"; do
		adduser "$n" "$n-pw" >/dev/null || atf_fail "adduser $n"
	done
}

# offline_box NICK - log in as NICK (password NICK-pw) and read until the
# reply to /help, which comes after the offline IMs
offline_box()
{
	printf 'login %s %s-pw\nim %s /help\nexpect 0x0014 Commands\nquit\n' \
	    "$1" "$1" $SYS | client
}

# admin_cmds NICK PASS CMD... - log in, send each command to the system
# user and wait for each reply; the transcript on stdout
admin_cmds()
{
	{
		echo "login $1 $2"
		shift 2
		for c in "$@"; do
			echo "im $SYS $c"
			echo "expect 0x0014"
		done
		echo "quit"
	} | client
}

atf_test_case system_user cleanup
system_user_head()
{
	atf_set "descr" "the system user is an account: uid lookup, search, pal, always online, no login"
}
system_user_body()
{
	adduser bob bob-pw >/dev/null
	pald_start
	cat >script <<EOF
uid Paltalk
login bob bob-pw
searchx paltalk
expect 0x0045 nickname=Paltalk
add $SYS
expect 0x0190 uid=$SYS status=30
quit
EOF
	atf_check -s exit:0 -o save:out "$H" -t 10 "$PORT" <script
	atf_check -o match:"UID nick=Paltalk uid=$SYS" cat out
	# still online, and on the buddy list, at the next login
	printf 'login bob bob-pw\nexpect 0x0190 uid=%s status=30\nquit\n' $SYS |
	    client >out2
	atf_check -o match:"0x0043.*nickname=Paltalk" cat out2
	printf 'login Paltalk anything\n' | client >sys.out
	atf_check -o match:"LOGIN-FAIL.*cannot log in" cat sys.out
	# a new system_nick renames it at the next start
	pald_stop
	conf "system_nick Server"
	pald_start
	printf 'uid Server\nuid Paltalk\n' | client >ren.out
	atf_check -o match:"UID nick=Server uid=$SYS" \
	    -o match:"UID nick=Paltalk uid=-1" cat ren.out
}
system_user_cleanup() { pald_stop; }

atf_test_case help_rights cleanup
help_rights_head()
{
	atf_set "descr" "/help lists what the caller may use; rights and unknown commands get clear replies"
}
help_rights_body()
{
	adduser bob bob-pw >/dev/null
	adduser mod mod-pw >/dev/null
	level mod 1
	pald_start
	admin_cmds bob bob-pw /help /who /nosuch "plain words" >bob.out
	atf_check -o match:"/passwd old new" -o not-match:"/who" \
	    grep "text=Commands (your admin level is 0)" bob.out
	atf_check -o match:"/who needs admin level 1; you have 0" cat bob.out
	atf_check -o match:"Unknown command /nosuch" cat bob.out
	atf_check -o match:"only understand commands" cat bob.out
	# the 5.0 client wraps its text in PHTML
	admin_cmds mod mod-pw '<pfont color="#0"><pfont-size="10">/help</pfont></pfont>' \
	    "/kick" "/adduser x" >mod.out
	atf_check -o match:"/kick nick" -o match:"/who" -o not-match:"/adduser" \
	    grep "admin level is 1" mod.out
	atf_check -o match:"Usage: /kick nick \[reason\]" cat mod.out
	atf_check -o match:"/adduser needs admin level 2" cat mod.out
	wait_for pald.log "bob (uid 1000002, level 0) ran /help"
	wait_for pald.log "bob (level 0) denied /who"
	wait_for pald.log "mod (uid 1000003, level 1) ran /kick"
	wait_for pald.log "mod (level 1) denied /adduser"
}
help_rights_cleanup() { pald_stop; }

atf_test_case passwd cleanup
passwd_head()
{
	atf_set "descr" "/passwd needs the old password; the log never has the words"
}
passwd_body()
{
	adduser bob bob-pw >/dev/null
	pald_start
	admin_cmds bob bob-pw "/passwd wrong-old new-pw-9" "/passwd bob-pw x" \
	    "/passwd bob-pw new-pw-9" >out
	atf_check -o match:"old password is not right" cat out
	atf_check -o match:"4 to 20 characters" cat out
	atf_check -o match:"Your password is changed" cat out
	printf 'login bob new-pw-9\nquit\n' | client >new.out
	atf_check -o match:LOGIN-OK cat new.out
	wait_for pald.log "ran /passwd"
	atf_check -s exit:1 grep -e new-pw-9 -e wrong-old pald.log
}
passwd_cleanup() { pald_stop; }

atf_test_case who_stats cleanup
who_stats_head()
{
	atf_set "descr" "/who with a pattern, idle times and rooms, and /stats for moderators"
}
who_stats_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	level alice 1
	pald_start
	printf 'login bob bob-pw\njoin 50001\nexpect 0x0136\necho READY\ndrain 8000\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	admin_cmds alice alice-pw /who "/who B*" "/who zz*" /stats >out
	kill $cpid 2>/dev/null
	atf_check -o match:"text=2 online:" -o match:"alice  127.0.0.1  on " \
	    -o match:"bob  127.0.0.1  on " grep "online:" out
	# idle: since the session's last packet; then the rooms it is in
	atf_check -o match:"alice  127.0.0.1  on [0-9]+m[0-9]{2}s  idle [0-9]+m[0-9]{2}s(\.|$)" \
	    -o match:"bob  127.0.0.1  on [0-9]+m[0-9]{2}s  idle [0-9]+m[0-9]{2}s  in 50001 The Front Porch" \
	    grep "text=2 online:" out
	atf_check -o match:"1 online matching:.bob  127.0.0.1" cat out
	atf_check -o match:"0 online matching:$" cat out
	atf_check -o match:"up .*online now: 2 sessions.*logins.*IMs" \
	    -o match:"pool: [0-9]+ processes, [0-9]+ idle, [1-9][0-9]* busy .* forks, [0-9]+ reuses, [0-9]+ refused" \
	    -o match:"KB at most" cat out
}
who_stats_cleanup() { pald_stop; }

atf_test_case kick cleanup
kick_head()
{
	atf_set "descr" "/kick sends 0x002a with the reason and closes the session"
}
kick_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	adduser boss boss-pw >/dev/null
	level alice 1
	level boss 1
	pald_start
	printf 'login bob bob-pw\necho READY\nexpect 0x002a\neof\n' | client >bob.out &
	cpid=$!
	wait_for bob.out READY
	admin_cmds alice alice-pw "/kick bob spamming the lobby" "/kick boss" \
	    "/kick nobody" >out
	wait $cpid
	atf_check -o match:"text=You were disconnected by an administrator: spamming the lobby" \
	    cat bob.out
	atf_check -o match:"^EOF" cat bob.out
	atf_check -o match:"Kicked bob \(1 session\)" cat out
	atf_check -o match:"boss has admin level 1: only level 3" cat out
	atf_check -o match:"There is no user nobody" cat out
	wait_for pald.log "alice kicked bob"
}
kick_cleanup() { pald_stop; }

atf_test_case broadcast cleanup
broadcast_head()
{
	atf_set "descr" "/broadcast reaches every session as an announcement (-39)"
}
broadcast_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	level alice 1
	pald_start
	printf 'login bob bob-pw\necho READY\nexpect 0xffd9\nquit\n' | client >bob.out &
	cpid=$!
	wait_for bob.out READY
	admin_cmds alice alice-pw "/broadcast Maintenance at  noon" >out
	wait $cpid
	atf_check -o match:"RECV 0xffd9 .* text=Maintenance at  noon" cat bob.out
	atf_check -o match:"Sent to 2 sessions" cat out
	# the text is not logged
	atf_check -s exit:1 grep noon pald.log
}
broadcast_cleanup() { pald_stop; }

atf_test_case accounts cleanup
accounts_head()
{
	atf_set "descr" "/adduser, /setadmin, /suspend, /unsuspend, /deluser"
}
accounts_body()
{
	adduser root root-pw >/dev/null
	adduser admin admin-pw >/dev/null
	level root 3
	level admin 2
	pald_start
	admin_cmds admin admin-pw "/adduser carol" "/adduser carol" \
	    "/setadmin carol 2" "/setadmin carol 1" "/setadmin root 0" >out
	pw=$(sed -n 's/.*Created carol, uid [0-9]*, password \([a-z0-9]*\) .*/\1/p' out)
	[ -n "$pw" ] || atf_fail "no password in: $(cat out)"
	atf_check -o match:"nickname carol is taken" cat out
	atf_check -o match:"Only level 3 may give level 2" cat out
	atf_check -o match:"carol now has admin level 1" cat out
	atf_check -o match:"root has admin level 3: only level 3" cat out
	atf_check -s exit:1 grep "$pw" pald.log
	printf 'login carol %s\necho READY\nexpect 0x002a suspended\neof\n' "$pw" |
	    client >carol.out &
	cpid=$!
	wait_for carol.out READY
	admin_cmds root root-pw "/suspend carol" >sus.out
	wait $cpid
	atf_check -o match:"carol is suspended" cat sus.out
	printf 'login carol %s\n' "$pw" | client >c2.out
	atf_check -o match:"LOGIN-FAIL.*suspended" cat c2.out
	admin_cmds root root-pw "/unsuspend carol" "/deluser carol" \
	    "/deluser root" >del.out
	atf_check -o match:"carol is no longer suspended" \
	    -o match:"Deleted carol" -o match:"Not on root" cat del.out
	printf 'uid carol\n' | client >uid.out
	atf_check -o match:"uid=-1" cat uid.out
}
accounts_cleanup() { pald_stop; }

atf_test_case paid cleanup
paid_head()
{
	atf_set "descr" "the paid flag (USER_DATA paid1): palpasswd -s, /paid, from the next login"
}
paid_body()
{
	accounts alice bob admin
	level admin 2
	atf_check -s exit:1 -e match:"N, Y or 6" "$PALPASSWD" -h "$PWD/db" -s X alice
	atf_check -s exit:0 "$PALPASSWD" -h "$PWD/db" -s 6 alice
	atf_check -o match:"paid=6" db5.3_dump -p -h db users.db
	# the password is as it was
	pald_start
	printf 'login alice alice-pw\nexpect 0x019a paid1=6\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	printf 'login bob bob-pw\nexpect 0x019a paid1=N\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	admin_cmds admin admin-pw "/paid bob y" "/paid alice N" \
	    "/paid admin Y" "/paid bob 7" "/paid nobody Y" "/paid Paltalk Y" >out
	atf_check -o match:"bob has the paid flag Y" \
	    -o match:"alice has the paid flag N" \
	    -o match:"admin has the paid flag Y" \
	    -o match:"The paid flag is N, Y or 6" \
	    -o match:"There is no user nobody" \
	    -o match:"There is no user Paltalk" cat out
	printf 'login bob bob-pw\nexpect 0x019a paid1=Y\nquit\n' |
	    atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT"
	# level 1 may not
	printf 'login bob bob-pw\nim %s /paid bob 6\nexpect 0x0014\nquit\n' $SYS |
	    atf_check -s exit:0 -o not-match:"paid flag 6" "$H" -t 10 "$PORT"
	wait_for pald.log "admin set the paid flag of bob to Y"
}
paid_cleanup() { pald_stop; }

atf_test_case reload_shutdown cleanup
reload_shutdown_head()
{
	atf_set "descr" "/reload is SIGHUP; /shutdown counts down, then stops the master"
}
reload_shutdown_body()
{
	adduser root root-pw >/dev/null
	adduser bob bob-pw >/dev/null
	level root 3
	pald_start
	# the first announcement says 2 or 1 seconds: the master's tick,
	# about once a second, may come in the next second of the clock
	printf 'login bob bob-pw\necho READY\nexpect 0xffd9 : back soon\nexpect 0x044c shutting down\neof\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	# the master counts down: root may leave at once
	admin_cmds root root-pw /reload "/shutdown 9999" "/shutdown 60" \
	    "/shutdown cancel" "/shutdown 2 back soon" >out
	wait_for pald.log "configuration reloaded"
	atf_check -o match:"re-reads its configuration" cat out
	atf_check -o match:"Usage: /shutdown" -o match:"Shutting down in 2 seconds" \
	    -o match:"No shutdown" cat out
	wait $cpid
	atf_check -o match:EOF -o match:"stops in (2 seconds|1 second): back soon" \
	    cat bob.out
	wait_for pald.log "shutdown by an administrator"
	wait_for pald.log "stopped"
}
reload_shutdown_cleanup() { pald_stop; }

atf_test_case log_audit cleanup
log_audit_head()
{
	atf_set "descr" "log_rate holds back an ordinary user's lines, never a site admin's commands"
}
log_audit_body()
{
	adduser bob bob-pw >/dev/null
	addadmin root root-pw 1 >/dev/null
	conf "log_rate 3"
	pald_start
	script()
	{
		echo "login $1 $1-pw"
		i=0
		while [ $i -lt 6 ]; do
			echo "im 1000001 /help"
			echo "expect 0x0014 from=1000001"
			i=$((i + 1))
		done
		echo "quit"
	}
	script bob | client >bob.out
	script root | client_from 127.0.0.2 >root.out
	wait_for pald.log "logout root"
	atf_check -o inline:"6\n" grep -c "root (uid [0-9]*, level 1) ran /help" pald.log
	n=$(grep -c "bob (uid [0-9]*, level 0) ran /help" pald.log)
	[ "$n" -le 2 ] || atf_fail "$n lines of bob's /help"
}
log_audit_cleanup() { pald_stop; }

atf_test_case throttle cleanup
throttle_head()
{
	atf_set "descr" "failed logins hold back the guessing address on that account, longer each time; the owner logs in from another address"
}
throttle_body()
{
	adduser bob bob-pw >/dev/null
	conf "login_failures 3" "login_window 60"
	pald_start
	# guess until the wait has doubled to 4 seconds or more
	i=0
	while :; do
		printf 'login bob guess-%d\n' $i | client >>guess.out
		tail -n 1 guess.out | grep -Eq \
		    "Try again in ([4-9]|[1-9][0-9]) seconds" && break
		i=$((i + 1))
		[ $i -gt 60 ] && atf_fail "no wait of 4 seconds: $(cat guess.out)"
		tail -n 1 guess.out | grep -q "Try again" && sleep 0.5
	done
	# 3 free failures, then one after a second and one after 2 more
	atf_check -o inline:"5\n" grep -c \
	    "^LOGIN-FAIL The password you entered is incorrect" guess.out
	# from the guessing address the right password waits too
	printf 'login bob bob-pw\n' | client >held.out
	atf_check -o match:"LOGIN-FAIL Too many failed logins. Try again in [0-9]+ seconds" \
	    cat held.out
	# the owner, from an address that did not guess, gets in at once
	printf 'login bob bob-pw\nquit\n' | client_from 127.0.0.2 >owner.out
	atf_check -o match:LOGIN-OK cat owner.out
	atf_check -o inline:"1\n" grep -c \
	    "failed password checks of uid 1000002 from this address" pald.log
}
throttle_cleanup() { pald_stop; }

atf_test_case throttle_address cleanup
throttle_address_head()
{
	atf_set "descr" "failures spread over accounts lock out the address, but for site admins (login_admin_level); other addresses are not held back"
}
throttle_address_body()
{
	adduser bob bob-pw >/dev/null
	addadmin root root-pw 1 >/dev/null
	conf "login_failures 100" "login_failures_address 4" "login_window 60"
	pald_start
	for n in a1 a2 a3 a4 a5; do
		printf 'login bob %s-pw\n' $n | client >>guess.out
	done
	atf_check -o inline:"1\n" grep -c "^LOGIN-FAIL Too many failed logins" guess.out
	wait_for pald.log "4 failed password checks from this address, refusing every account"
	printf 'login bob bob-pw\n' | client >bob.out
	atf_check -o match:"LOGIN-FAIL Too many failed logins" cat bob.out
	printf 'login root root-pw\nquit\n' | client >root.out
	atf_check -o match:LOGIN-OK cat root.out
	printf 'login bob bob-pw\nquit\n' | client_from 127.0.0.2 >other.out
	atf_check -o match:LOGIN-OK cat other.out
}
throttle_address_cleanup() { pald_stop; }

atf_test_case throttle_account cleanup
throttle_account_head()
{
	atf_set "descr" "failures from many addresses on one account: every failing address waits from its first failure; a clean address does not"
}
throttle_account_body()
{
	adduser bob bob-pw >/dev/null
	conf "login_failures 5" "login_failures_account 4" "login_window 60"
	pald_start
	for a in 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5; do
		printf 'login bob wrong-pw\n' | client_from $a >>guess.out
	done
	atf_check -o inline:"4\n" grep -c \
	    "^LOGIN-FAIL The password you entered is incorrect" guess.out
	# 4 failures on bob in all: a failing address has no free ones left
	printf 'login bob bob-pw\n' | client_from 127.0.0.5 >held.out
	atf_check -o match:"LOGIN-FAIL Too many failed logins" cat held.out
	printf 'login bob bob-pw\nquit\n' | client_from 127.0.0.6 >owner.out
	atf_check -o match:LOGIN-OK cat owner.out
}
throttle_account_cleanup() { pald_stop; }

atf_test_case passwd_guesses cleanup
passwd_guesses_head()
{
	atf_set "descr" "/passwd counts its wrong old passwords with the failed logins"
}
passwd_guesses_body()
{
	adduser bob bob-pw >/dev/null
	conf "login_failures 3" "login_window 60"
	pald_start
	{
		echo "login bob bob-pw"
		i=0
		while [ $i -lt 20 ]; do
			echo "im 1000001 /passwd guess-$i newpass1"
			echo "expect 0x0014 from=1000001"
			i=$((i + 1))
		done
		echo "quit"
	} | client >out
	n=$(grep -c "old password is not right" out)
	[ "$n" -ge 3 ] && [ "$n" -le 5 ] || atf_fail "$n guesses checked: $(cat out)"
	[ "$(grep -c "Too many wrong passwords" out)" -ge 15 ] ||
	    atf_fail "not held back: $(cat out)"
	atf_check -s exit:1 grep -q "password is changed" out
}
passwd_guesses_cleanup() { pald_stop; }

atf_test_case under_attack cleanup
under_attack_head()
{
	atf_set "descr" "under attack: only accounts seen before, no registration; SIGHUP keeps sessions"
}
under_attack_body()
{
	adduser bob bob-pw >/dev/null
	adduser carol carol-pw >/dev/null
	adduser dave dave-pw >/dev/null
	pald_start
	printf 'login dave dave-pw\nquit\n' | client >dave1.out
	printf 'login bob bob-pw\necho READY\nexpect 0x0014 still here\nquit\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	conf "under_attack yes"
	kill -HUP "$(cat pald.pid)"
	wait_for pald.log "configuration reloaded"
	printf 'login carol carol-pw\n' | client >carol.out
	atf_check -o match:"LOGIN-FAIL.*only known accounts" cat carol.out
	printf 'register newbie newbie-pw\nexpect 0x0064 type=0xfb6e code=1\n' |
	    client >reg.out
	atf_check -o match:"cannot be created" cat reg.out
	# dave was on before and may log in; bob's session lives on
	printf 'login dave dave-pw\nim 1000002 still here\ndrain 200\nquit\n' |
	    client >dave2.out
	atf_check -o match:LOGIN-OK cat dave2.out
	wait $cpid
	atf_check -o match:"text=still here" cat bob.out
}
under_attack_cleanup() { pald_stop; }

atf_test_case connection_cap cleanup
connection_cap_head()
{
	atf_set "descr" "connections per address are capped with a clear text; a reload raises the cap"
}
connection_cap_body()
{
	adduser bob bob-pw >/dev/null
	conf "max_per_address 2"
	pald_start
	printf 'login bob bob-pw\necho READY\ndrain 8000\n' | client >held.out &
	cpid=$!
	wait_for held.out READY
	# bob's login connection is one; this is the second
	printf 'connect\necho READY\ndrain 8000\n' | client >held2.out &
	c2=$!
	wait_for held2.out READY
	printf 'connect\neof\n' | client >third.out
	atf_check -o match:"0x044c .*Too many connections from your address" \
	    cat third.out
	wait_for pald.log "Too many connections from your address.*refusing"
	conf "max_per_address 3"
	kill -HUP "$(cat pald.pid)"
	wait_for pald.log "configuration reloaded"
	printf 'connect\nhello 0\nexpect 0xff8b\nclose\n' | client >fourth.out
	atf_check -o match:"Hello-From" cat fourth.out
	kill $cpid $c2 2>/dev/null
	return 0
}
connection_cap_cleanup() { pald_stop; }

atf_test_case ban_nick cleanup
ban_nick_head()
{
	atf_set "descr" "/ban by nickname kicks, keeps out across a restart, /unban lets in"
}
ban_nick_body()
{
	adduser admin admin-pw >/dev/null
	adduser bob bob-pw >/dev/null
	adduser boss boss-pw >/dev/null
	level admin 2
	level boss 2
	pald_start
	printf 'login bob bob-pw\necho READY\nexpect 0x002a\neof\n' | client >bob.out &
	cpid=$!
	wait_for bob.out READY
	admin_cmds admin admin-pw "/ban bob 1d spamming   everyone" "/ban boss" \
	    "/ban 127.0.0.1" "/ban 127.0.0.0/8" "/ban 10.1.2.3/8 1w scanners" \
	    "/ban no/such" /bans >out
	wait $cpid
	atf_check -o match:"RECV 0x002a .*banned from this server until .*: spamming   everyone" \
	    cat bob.out
	atf_check -o match:"^EOF" cat bob.out
	atf_check -o match:"Banned bob until .* UTC; 1 session ended" \
	    -o match:"You cannot ban boss" \
	    -o match:"Your own address 127.0.0.1 is in 127.0.0.1" \
	    -o match:"Your own address 127.0.0.1 is in 127.0.0.0/8" \
	    -o match:"Banned 10.0.0.0/8 until" -o match:"Ban a nickname, an address" \
	    cat out
	atf_check -o match:"text=2 bans:" -o match:"bob by admin on .*: spamming   everyone" \
	    -o match:"10.0.0.0/8 by admin on .*: scanners" grep "by admin" out
	printf 'login bob bob-pw\n' | client >b2.out
	atf_check -o match:"LOGIN-FAIL You are banned from this server until .*: spamming" \
	    cat b2.out
	wait_for pald.log "login refused for bob: banned"
	# a restart keeps it
	pald_stop
	pald_start
	printf 'login bob bob-pw\n' | client >b3.out
	atf_check -o match:"LOGIN-FAIL You are banned" cat b3.out
	admin_cmds admin admin-pw "/unban BOB" "/unban bob" >un.out
	atf_check -o match:"bob is no longer banned" -o match:"bob is not banned" \
	    cat un.out
	printf 'login bob bob-pw\nquit\n' | client >b4.out
	atf_check -o match:LOGIN-OK cat b4.out
}
ban_nick_cleanup() { pald_stop; }

atf_test_case ban_expires cleanup
ban_expires_head()
{
	atf_set "descr" "a short ban stops applying by itself"
}
ban_expires_body()
{
	adduser admin admin-pw >/dev/null
	adduser bob bob-pw >/dev/null
	level admin 2
	pald_start
	admin_cmds admin admin-pw "/ban bob 2s" >out
	atf_check -o match:"Banned bob until" cat out
	printf 'login bob bob-pw\n' | client >b1.out
	atf_check -o match:"LOGIN-FAIL You are banned" cat b1.out
	i=0
	while :; do
		printf 'login bob bob-pw\nquit\n' | client >b2.out
		grep -q LOGIN-OK b2.out && break
		i=$((i + 1))
		[ $i -gt 100 ] && atf_fail "still banned: $(cat b2.out)"
		sleep 0.1
	done
}
ban_expires_cleanup() { pald_stop; }

atf_test_case ban_address cleanup
ban_address_head()
{
	atf_set "descr" "a banned address is refused when it connects, with one log line"
}
ban_address_body()
{
	adduser bob bob-pw >/dev/null
	pald_start
	pald_stop
	# loopback cannot ban itself from a session: write the record
	printf 'addr:127.0.0.1\nv1 by=1000001 time=1 until=0 reason=test%%20ban\n' |
	    atf_check -s exit:0 db5.3_load -T -t btree -h db bans.db
	pald_start
	printf 'connect\neof\n' | client >c.out
	atf_check -o match:"RECV 0x044c .*You are banned from this server for good: test ban" \
	    cat c.out
	wait_for pald.log "banned address (127.0.0.1), closing"
	atf_check -o inline:"1\n" grep -c "banned address" pald.log
}
ban_address_cleanup() { pald_stop; }

atf_test_case message_limit cleanup
message_limit_head()
{
	atf_set "descr" "message_rate: IMs and room lines share one bucket, refused with a text; the exempt flag (palpasswd -e, -E) lifts it"
}
message_limit_body()
{
	accounts alice bob bot
	bob=1000003
	conf "message_rate 1" "message_burst 3" "nonbuddy_im_rate 1000" \
	    "limit_strikes 100"
	pald_start
	printf 'login bob bob-pw\njoin 50001\nexpect 0x0136\necho READY\nexpect 0x0014 text=bot-6\nquit\n' |
	    client >bob.out &
	cpid=$!
	wait_for bob.out READY
	cat >alice.in <<EOF
login alice alice-pw
join 50001
expect 0x0136
im $bob alice-1
im $bob alice-2
say 50001 alice in the room
im $bob alice-3
say 50001 alice again
im $SYS /help
expect 0x0014 Commands
quit
EOF
	atf_check -s exit:0 -o save:alice.out "$H" -t 10 "$PORT" <alice.in
	atf_check -o match:"type=0xffec code=99 text=You are sending messages too fast; this one was not sent" \
	    cat alice.out
	atf_check -o match:"RECV 0x015e .* room=50001 from=0 text=You are sending messages too fast" \
	    cat alice.out
	# exempt, set while pald runs: no limit from the next login
	atf_check -s exit:0 "$PALPASSWD" -h "$PWD/db" -e bot
	{
		echo "login bot bot-pw"
		echo "join 50001"
		echo "expect 0x0136"
		for i in 1 2 3 4 5; do
			echo "im $bob bot-$i"
			echo "say 50001 bot line $i"
		done
		echo "im $bob bot-6"
		echo "im $SYS /help"
		echo "expect 0x0014 Commands"
		echo "quit"
	} >bot.in
	atf_check -s exit:0 -o save:bot.out "$H" -t 10 "$PORT" <bot.in
	atf_check -s exit:1 grep "too fast" bot.out
	wait $cpid
	# bob has what alice was allowed, not what was refused, and all of bot's
	atf_check -o match:"text=alice-2" -o match:"text=alice in the room" \
	    -o not-match:"alice-3" -o not-match:"alice again" cat bob.out
	atf_check -o inline:"6\n" grep -c "text=bot-" bob.out
	atf_check -o inline:"5\n" grep -c "text=bot line" bob.out
	atf_check -o inline:"1\n" grep -c "alice is over message_rate" pald.log
	# cleared again: limited again
	atf_check -s exit:0 "$PALPASSWD" -h "$PWD/db" -E bot
	printf 'login bot bot-pw\nim %s b1\nim %s b2\nim %s b3\nim %s b4\nexpect 0x0064 too fast\nquit\n' \
	    "$bob" "$bob" "$bob" "$bob" >bot2.in
	atf_check -s exit:0 -o match:"code=99 text=You are sending messages too fast" \
	    "$H" -t 10 "$PORT" <bot2.in
}
message_limit_cleanup() { pald_stop; }

atf_test_case nonbuddy_limit cleanup
nonbuddy_limit_head()
{
	atf_set "descr" "nonbuddy_im_rate counts IMs to people neither on the sender's buddy list nor listing the sender"
}
nonbuddy_limit_body()
{
	accounts alice bob carol dave
	alice=1000002 bob=1000003 carol=1000004 dave=1000005
	conf "nonbuddy_im_rate 2" "limit_strikes 100"
	pald_start
	printf 'login carol carol-pw\nadd %s\nexpect 0x0043 nickname=alice\nquit\n' \
	    "$alice" | client >carol.out
	cat >alice.in <<EOF
login alice alice-pw
add $bob
expect 0x0043 nickname=bob
im $dave d-1
im $dave d-2
im $dave d-3
im $bob b-1
im $bob b-2
im $bob b-3
im $carol c-1
im $carol c-2
im $carol c-3
im $SYS /help
expect 0x0014 Commands
quit
EOF
	atf_check -s exit:0 -o save:alice.out "$H" -t 10 "$PORT" <alice.in
	atf_check -o inline:"1\n" grep -c "code=99 text=You are sending too many messages to people who are not on your buddy list" \
	    alice.out
	atf_check -o inline:"1\n" grep -c "alice is over nonbuddy_im_rate" pald.log
	# the refused IM is not in dave's offline box; carol's are in hers
	offline_box dave >dave.out
	offline_box carol >carol2.out
	atf_check -o match:"d-1" -o match:"d-2" -o not-match:"d-3" \
	    -o not-match:"c-" cat dave.out
	atf_check -o match:"c-1" -o match:"c-3" cat carol2.out
}
nonbuddy_limit_cleanup() { pald_stop; }

atf_test_case join_limit cleanup
join_limit_head()
{
	atf_set "descr" "join_rate refuses joins and creations with a text, one log line per address; SIGHUP changes it; exempt accounts join freely"
}
join_limit_body()
{
	accounts alice bot
	atf_check -s exit:0 "$PALPASSWD" -h "$PWD/db" -e bot
	conf "join_rate 2" "limit_strikes 100"
	pald_start
	cat >alice.in <<EOF
login alice alice-pw
join 50001
expect 0x0136
join 50003
expect 0x0136
join 50002
expect 0x0064 type=0xfeca code=99 text=You are joining rooms too fast
create 0 G aliceroom
expect 0x0064 type=0xfed4 code=99 text=You are joining rooms too fast
quit
EOF
	atf_check -s exit:0 -o save:alice.out "$H" -t 10 "$PORT" <alice.in
	atf_check -o inline:"2\n" grep -c "RECV 0x0136" alice.out
	cat >bot.in <<EOF
login bot bot-pw
join 50001
expect 0x0136
join 50002
expect 0x0136
join 50003
expect 0x0136
create 0 G botroom
expect 0x0136 name=botroom
quit
EOF
	atf_check -s exit:0 -o not-match:"too fast" "$H" -t 10 "$PORT" <bot.in
	conf "join_rate 1" "limit_strikes 100"
	kill -HUP "$(cat pald.pid)"
	wait_for pald.log "configuration reloaded"
	printf 'login alice alice-pw\njoin 50001\nexpect 0x0136\njoinname Night Owls\nexpect 0x0064 type=0xfec9 code=99 text=You are joining rooms too fast\nquit\n' |
	    client >alice2.out
	atf_check -o match:"too fast" cat alice2.out
	# both sessions came from one address within a minute: one line
	atf_check -o inline:"1\n" grep -c "alice is over join_rate" pald.log
}
join_limit_cleanup() { pald_stop; }

atf_test_case reload_running cleanup
reload_running_head()
{
	atf_set "descr" "SIGHUP: a lowered limit reaches a session that was logged in before, which stays on"
}
reload_running_body()
{
	accounts alice
	conf "join_rate 100" "limit_strikes 100"
	pald_start
	printf 'login alice alice-pw\necho IN\nwaitfile hup\njoin 50001\nexpect 0x0136\njoin 50003\nexpect 0x0064 type=0xfeca code=99 text=You are joining rooms too fast\necho STILL\nquit\n' |
	    client >alice.out 2>&1 &
	apid=$!
	wait_for alice.out "^IN"
	conf "join_rate 1" "limit_strikes 100"
	kill -HUP "$(cat pald.pid)"
	wait_for pald.log "configuration reloaded"
	touch hup
	wait "$apid" || atf_fail "alice: $(cat alice.out)"
	atf_check -o inline:"1\n" grep -c "^RECV 0x0136" alice.out
	atf_check -o match:"^STILL" cat alice.out
}
reload_running_cleanup() { pald_stop; }

atf_test_case flood_cut cleanup
flood_cut_head()
{
	atf_set "descr" "a client that keeps flooding after refusals is cut; another client's IM and room line meanwhile arrive"
}
flood_cut_body()
{
	accounts alice bob carol
	bob=1000003 carol=1000004
	conf "message_rate 1" "message_burst 2" "limit_strikes 4" \
	    "nonbuddy_im_rate 1000"
	pald_start
	printf 'login bob bob-pw\njoin 50001\nexpect 0x0136\necho READY\nexpect 0x0014 from=%s text=hello from carol\nexpect 0x015e from=%s text=carol in the room\nquit\n' \
	    "$carol" "$carol" | client >bob.out &
	bpid=$!
	wait_for bob.out READY
	{
		echo "login alice alice-pw"
		for i in 1 2 3 4 5; do echo "im $bob flood-$i"; done
		echo "im $SYS /help"
		echo "expect 0x0014 Commands"
		echo "echo FLOODING"
		echo "waitfile carol.done"
		for i in 6 7 8 9 10 11 12; do echo "im $bob flood-$i"; done
		echo "eof"
	} >alice.in
	"$H" -t 10 "$PORT" <alice.in >alice.out &
	apid=$!
	wait_for alice.out FLOODING
	# alice is over her limit and still connected: carol talks meanwhile
	cat >carol.in <<EOF
login carol carol-pw
im $bob hello from carol
join 50001
expect 0x0136
say 50001 carol in the room
im $SYS /help
expect 0x0014 Commands
quit
EOF
	atf_check -s exit:0 -o ignore "$H" -t 10 "$PORT" <carol.in
	touch carol.done
	wait $apid
	wait $bpid
	atf_check -o match:"text=hello from carol" \
	    -o match:"room=50001 from=$carol text=carol in the room" cat bob.out
	atf_check -o match:"flood-2" -o not-match:"flood-3" cat bob.out
	atf_check -o inline:"4\n" grep -c "code=99 text=You are sending messages too fast" \
	    alice.out
	atf_check -o match:"RECV 0x044c .*kept sending too fast" -o match:"^EOF" \
	    cat alice.out
	atf_check -o inline:"1\n" grep -c "alice refused 4 times in a minute, closing" \
	    pald.log
}
flood_cut_cleanup() { pald_stop; }

atf_test_case palpasswd_exempt
palpasswd_exempt_head()
{
	atf_set "descr" "palpasswd -e and -E set and clear the exempt flag and nothing else"
}
palpasswd_exempt_body()
{
	adduser bot bot-pw >/dev/null
	atf_check -s exit:0 "$PALPASSWD" -h "$PWD/db" -a 1 bot
	db5.3_dump -p -h db users.db | grep "nick=bot " >before
	atf_check -s exit:0 "$PALPASSWD" -h "$PWD/db" -e bot
	db5.3_dump -p -h db users.db | grep "nick=bot " >set.out
	atf_check -o match:"admin=1 flags=2 " cat set.out
	# the password is untouched
	sed 's/.*hash=\([^ ]*\).*/\1/' before >hash.before
	atf_check -o file:hash.before sed 's/.*hash=\([^ ]*\).*/\1/' set.out
	atf_check -s exit:0 "$PALPASSWD" -h "$PWD/db" -E bot
	db5.3_dump -p -h db users.db | grep "nick=bot " >cleared
	atf_check -o match:"admin=1 flags=0 " cat cleared
	echo bot2-pw | PALD_HASH_COST=4 "$PALPASSWD" -h "$PWD/db" -p -c -e bot2 >/dev/null
	db5.3_dump -p -h db users.db | grep "nick=bot2 " >created
	atf_check -o match:"flags=2 " cat created
	atf_check -s exit:1 -e match:"usage: palpasswd .*\[-e \| -E\]" \
	    "$PALPASSWD" -h "$PWD/db" -e -E bot
	atf_check -s exit:1 -e match:"usage" "$PALPASSWD" -h "$PWD/db" -d -e bot
	atf_check -s exit:1 -e match:"nobody: no such user" \
	    "$PALPASSWD" -h "$PWD/db" -e nobody
}

atf_test_case config_keys
config_keys_head()
{
	atf_set "descr" "pald -n names the line of each new key's bad value"
}
config_keys_body()
{
	conf "login_failures 3" "login_failures_address 10" "login_window 60" \
	    "login_failures_account 30" "login_admin_level 0" \
	    "under_attack no" "system_nick Helpdesk" "syslog_facility local3" \
	    "message_rate 30" "message_burst 10" "nonbuddy_im_rate 5" \
	    "join_rate 6" "limit_strikes 20"
	atf_check -s exit:0 -e match:"configuration OK" "$PALD" -n -f "$PWD/pald.conf"
	for kv in "login_failures 0:too small" "login_failures_address x:invalid" \
	    "login_window 86401:too large" "under_attack maybe:expected yes or no" \
	    "login_failures_account 0:too small" "login_admin_level 4:too large" \
	    "system_nick 9lives:not a valid nickname" \
	    "system_nick a:not a valid nickname" \
	    "syslog_facility kern:unknown facility" \
	    "message_rate 0:too small" "message_burst 100001:too large" \
	    "nonbuddy_im_rate many:invalid" "join_rate -1:too small" \
	    "limit_strikes 1001:too large"; do
		printf '# a comment\nport 5001\n%s\n' "${kv%%:*}" >bad.conf
		atf_check -s exit:1 -e match:"bad.conf:3: ${kv%% *}: ${kv#*:}" \
		    "$PALD" -n -f "$PWD/bad.conf"
	done
}

atf_test_case backup_restore cleanup
backup_restore_head()
{
	atf_set "descr" "db5.3_dump of a live store, db5.3_load into a new home, pald on it"
}
backup_restore_body()
{
	adduser alice alice-pw >/dev/null
	adduser bob bob-pw >/dev/null
	level alice 2
	pald_start
	printf 'login alice alice-pw\nadd 1000003\nexpect 0x0043 nickname=bob\nquit\n' |
	    client >a.out
	admin_cmds alice alice-pw "/ban 10.9.8.0/24 1w restore test" >ban.out
	atf_check -o match:"Banned 10.9.8.0/24" cat ban.out
	printf 'login bob bob-pw\necho READY\ndrain 8000\n' | client >bob.out &
	cpid=$!
	wait_for bob.out READY
	# the recipe of pald(8), on the running server's home
	mkdir dump new
	for f in db/*.db; do
		b=${f#db/}
		atf_check -s exit:0 sh -c "db5.3_dump -h db $b >dump/$b.txt"
	done
	for f in dump/*.db.txt; do
		b=${f#dump/}
		atf_check -s exit:0 db5.3_load -h new "${b%.txt}" <"$f"
	done
	for f in new/*.db; do
		atf_check -s exit:0 -o ignore db5.3_verify -h new "${f#new/}"
	done
	pald_stop
	wait $cpid
	rm -f pald.port
	"$PALD" -d -f "$PWD/pald.conf" -l 127.0.0.1 -p 0 -h "$PWD/new" \
	    -r "$PWD/run2" -P "$PWD/pald2.pid" -W "$PWD/pald.port" 2>>pald2.log &
	wait_for pald.port .
	PORT=$(cat pald.port)
	wait_for pald2.log "listening on"
	printf 'login alice alice-pw\nexpect 0x0043 nickname=bob\nquit\n' | client >r.out
	atf_check -o match:"LOGIN-OK uid=1000002" -o match:"0x0043.*uid=1000003" cat r.out
	printf 'uid Paltalk\n' | client >sys.out
	atf_check -o match:"uid=1000001" cat sys.out
	admin_cmds alice alice-pw /bans >bans.out
	atf_check -o match:"10.9.8.0/24 by alice on .*: restore test" cat bans.out
}
backup_restore_cleanup()
{
	pald_stop
	[ -f pald2.pid ] && kill "$(cat pald2.pid)" 2>/dev/null
	return 0
}

atf_init_test_cases()
{
	atf_add_test_case system_user
	atf_add_test_case help_rights
	atf_add_test_case passwd
	atf_add_test_case who_stats
	atf_add_test_case kick
	atf_add_test_case broadcast
	atf_add_test_case accounts
	atf_add_test_case paid
	atf_add_test_case reload_shutdown
	atf_add_test_case log_audit
	atf_add_test_case throttle
	atf_add_test_case throttle_address
	atf_add_test_case throttle_account
	atf_add_test_case passwd_guesses
	atf_add_test_case under_attack
	atf_add_test_case connection_cap
	atf_add_test_case ban_nick
	atf_add_test_case ban_expires
	atf_add_test_case ban_address
	atf_add_test_case message_limit
	atf_add_test_case nonbuddy_limit
	atf_add_test_case join_limit
	atf_add_test_case reload_running
	atf_add_test_case flood_cut
	atf_add_test_case palpasswd_exempt
	atf_add_test_case config_keys
	atf_add_test_case backup_restore
}
