# rc-lib.sh - shell functions the tools/rc-*.sh drivers of the real 5.0
# client share (sourced, bash).  They reuse the prepared cache of
# ../shared/realclient (WORK: the base Wine prefix and the unpacked,
# patched client) and run everything in a namespace with only loopback.

# rc_prefix NAME - a fresh Wine prefix WORK/prefix-NAME with the client,
# pointed at 127.0.0.1:5001, no sound device; sets pfx
rc_prefix() {
	local exe
	exe=$(find "$WORK/client" -iname paltalk.exe 2>/dev/null | head -1)
	if [ ! -f "$WORK/prefix-base/system.reg" ] || [ -z "$exe" ]; then
		echo "no prepared realclient cache in $WORK" >&2
		return 1
	fi
	pfx=$WORK/prefix-$1
	rm -rf "$pfx"
	cp -a "$WORK/prefix-base" "$pfx"
	cp -r "$(dirname "$exe")" "$pfx/drive_c/Paltalk"
	printf '\n[Software\\\\PalTalk] 1700000000\n"host"="127.0.0.1"\n"port"=dword:00001389\n"ver10_router"=dword:00000001\n' >>"$pfx/user.reg"
	printf '\n[Software\\\\Wine\\\\Drivers] 1700000000\n"Audio"=""\n' >>"$pfx/user.reg"
}

# rc_setup NAME DEFAULT_OUT [OUT] - root, the builds, a fresh OUT (made
# absolute), WORK, WAIT and the prefix WORK/prefix-NAME; exits 2 if not
rc_setup() {
	local f
	[ "$(id -u)" = 0 ] || { echo "run as root (unshare)" >&2; exit 2; }
	for f in pald palpasswd tests/h_client; do
		[ -x "$top/$f" ] || { echo "build $f first" >&2; exit 2; }
	done
	OUT=${3:-$2}
	WORK=${WORK:-/tmp/paltalk-realclient}
	WAIT=${WAIT:-60}
	rm -rf "$OUT"
	mkdir -p "$OUT/shots"
	OUT=$(cd "$OUT" && pwd)
	rc_prefix "$1" || exit 2
}

# --- inside the namespace -------------------------------------------

rc_env() {
	T0=$(date +%s)
	srv=$OUT/srv
	export PALD_HASH_COST=4 WINEARCH=win32 WINEDEBUG=-all \
	    WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d" \
	    DISPLAY=":$DISPLAY_NUM" WINEPREFIX="$pfx" HOME="$OUT/srv/home"
	mkdir -p "$HOME" "$srv/db"
	chmod 700 "$srv/db"
	tcpdump -i lo -U -s 0 -w "$OUT/rc.pcap" >/dev/null 2>&1 &
	tcpd=$!
}
log() { echo "[$(( $(date +%s) - T0 ))s] $*" | tee -a "$OUT/steps.log"; }
res() { echo "$1 $2${3:+: $3}" >>"$OUT/verdict"; }

# rc_user NICK PASS [palpasswd options] - an account in the fresh store
rc_user() {
	local n=$1 p=$2
	shift 2
	echo "$p" | "$top/palpasswd" -h "$srv/db" -p -c "$@" "$n" >/dev/null
}

# rc_pald - pald on 127.0.0.1:5001 with the tree's data files; every
# client comes from 127.0.0.1 and the drivers read pald.log: no log_rate
rc_pald() {
	printf 'categories %s/data/categories.txt\nrooms %s/data/rooms.txt\nvoice_port 0\nlog_rate 0\n' \
	    "$top" "$top" >"$srv/pald.conf"
	"$top/pald" -d -f "$srv/pald.conf" -l 127.0.0.1 -p 5001 \
	    -h "$srv/db" -r "$srv/run" -P "$srv/pald.pid" >"$OUT/pald.log" 2>&1 &
	for i in $(seq 100); do
		grep -q 'listening on' "$OUT/pald.log" && return 0
		sleep 0.1
	done
	return 1
}

# rc_client SECONDS - tests/h_client on pald, its script on stdin
rc_client() { "$top/tests/h_client" -t "$1" 5001; }

wait_win() { local t=0 w; while [ $t -lt "$2" ]; do
	w=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1)
	[ -n "$w" ] && { echo "$w"; return 0; }; sleep 1; t=$((t + 1)); done
	return 1; }
# clicks are relative to a window, raised first
at() { local X Y WIDTH HEIGHT SCREEN WINDOW
	eval "$(xdotool getwindowgeometry --shell "$1")"
	xdotool windowraise "$1"; sleep 0.3; xdotool mousemove $((X + $2)) $((Y + $3)); }
click() { at "$1" "$2" "$3" && xdotool click "${4:-1}"; }
dclick() { at "$1" "$2" "$3" && xdotool click --repeat 2 --delay 120 1; }
n=0
shot() { n=$((n + 1)); import -window root "$OUT/shots/$(printf %02d $n)-$1.png"; log "shot $(printf %02d $n)-$1"; }

# rc_x - the X server the client draws on (xvfb: its pid)
rc_x() {
	Xvfb ":$DISPLAY_NUM" -screen 0 1024x768x24 -nolisten tcp \
	    >"$OUT/xvfb.log" 2>&1 &
	xvfb=$!
	sleep 2
}

# error_box - dismiss the client's "Error" box (no sound device) if up
error_box() {
	local w
	w=$(xdotool search --onlyvisible --name '^Error$' 2>/dev/null | head -1)
	[ -n "$w" ] && { xdotool key --window "$w" Return; sleep 1
	    log "Error box (no sound device) dismissed"; }
}

# rc_logon NICK PASS - Xvfb, the client, its first-run dialogs, the logon
# window, the dialogs after it; the main window's id in main, or FAIL
rc_logon() {
	local w i
	rc_x
	(cd "$pfx/drive_c/Paltalk" && exec wine Paltalk.exe) >"$OUT/wine.log" 2>&1 &
	log "client started"
	if w=$(wait_win "License Agreement" 90); then sleep 1; click "$w" 248 352; fi
	if w=$(wait_win "Installation Complete" 20); then
		sleep 1; click "$w" 21 119; sleep 0.5; click "$w" 183 156
	fi
	if w=$(wait_win "Paltalk Logon" 40); then
		sleep 1
		click "$w" 195 74; xdotool key End shift+Home BackSpace; xdotool type --delay 50 "$1"
		click "$w" 199 105; xdotool key End shift+Home BackSpace; xdotool type --delay 50 "$2"
		click "$w" 250 162; log "sign on clicked"
	fi
	for i in $(seq 1 $((WAIT * 2))); do
		error_box
		w=$(xdotool search --onlyvisible --name 'Get your friends' 2>/dev/null | head -1)
		[ -n "$w" ] && { sleep 1; click "$w" 225 211; break; }
		xdotool search --onlyvisible --name '^PalTalk$' >/dev/null 2>&1 && [ "$i" -gt 8 ] && break
		sleep 1
	done
	sleep 2
	w=$(xdotool search --onlyvisible --name '^Welcome to Paltalk' 2>/dev/null | head -1)
	[ -n "$w" ] && { click "$w" 232 226; sleep 1; }		# its Cancel
	if main=$(wait_win '^PalTalk$' "$WAIT"); then
		res PASS logon
		return 0
	fi
	res FAIL logon "no main window"
	shot no-main-window
	return 1
}

# rc_end - stop what the run started (by pid), inside the namespace
rc_end() {
	wineserver -k 2>/dev/null
	sleep 1
	kill "$(cat "$srv/pald.pid")" "$xvfb" 2>/dev/null
	sleep 1
	kill -INT "$tcpd" 2>/dev/null
}

# rc_verdict - the PASS/FAIL lines and the count; status 0 if none failed
rc_verdict() {
	local p f
	[ -f "$OUT/verdict" ] || echo "FAIL run: no verdict" >"$OUT/verdict"
	cat "$OUT/verdict"
	p=$(grep -c '^PASS' "$OUT/verdict")
	f=$(grep -c '^FAIL' "$OUT/verdict")
	echo "$p passed, $f failed"
	[ "$f" = 0 ]
}
