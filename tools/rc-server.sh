#!/bin/sh
# rc-server.sh - the server for ../shared/realclient/run-client.sh: a
# fresh store in $RC_TMP/rc-rdb (RC_TMP: /tmp; for parallel runs give
# each its own, "RC_TMP=/tmp/x sh .../rc-server.sh" as the command) with alice/alice-pw and bob/bob-pw, who
# list each other as pals (so the client shows the bot come and go),
# the seeded categories and rooms, the default voice port (12718), then pald in
# the foreground on 127.0.0.1:5001 until run-client.sh ends it.
#
#	cd ../shared/realclient && NICK=alice PASS=alice-pw BOT_NICK=bob \
#	    BOT_PASS=bob-pw CATEGORY_ROW=1 ROOM_ROW=1 ROOM_ID=50001 \
#	    ./run-client.sh /tmp/Paltalk.zip \
#	    "sh /path/to/pald/tools/rc-server.sh" OUT
#	(voice: CATEGORY_ROW=1 ROOM_ROW=2 ROOM_ID=50002 VOICE=1)
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
D=${RC_TMP:-/tmp}/rc-rdb
R=${RC_TMP:-/tmp}/rc-rrun
rm -rf "$D" "$R"
mkdir -p "$D"
cd "$top"
echo alice-pw | PALD_HASH_COST=4 ./palpasswd -h "$D" -p -c alice
echo bob-pw | PALD_HASH_COST=4 ./palpasswd -h "$D" -p -c bob
printf 'categories %s/data/categories.txt\nrooms %s/data/rooms.txt\n' \
    "$top" "$top" >"$D.conf"
./pald -d -f "$D.conf" -l 127.0.0.1 -h "$D" -r "$R" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM INT
i=0
until ss -ltn | grep -q '127.0.0.1:5001 ' || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
printf 'uid bob\nlogin alice alice-pw\nadd bob\nexpect 0x0043\nquit\n' |
    tests/h_client 5001 >&2
printf 'uid alice\nlogin bob bob-pw\nadd alice\nexpect 0x0043\nquit\n' |
    tests/h_client 5001 >&2
wait "$pid"
