# rc-lib.sh - what tools/rc-*.sh share: sourced, not run.
#
# Outside the namespace (needs top, OUT, WORK set; prog is the caller):
#	rc_prepare PREFIXNAME	checks root, the build and the realclient
#				cache; a fresh OUT (shots/, srv/) and a fresh
#				Wine prefix WORK/PREFIXNAME (pfx) with the
#				client and its registry settings
#	rc_verdict		prints OUT/verdict and "N passed, N failed";
#				its status is 0 only if nothing failed
# Inside (needs top, OUT, pfx, DISPLAY_NUM exported):
#	rc_start_x		Xvfb on DISPLAY_NUM (pid in xvfb), the
#				environment Wine and the helpers need
#	rc_start_pald		pald on 127.0.0.1:5001 with a store in
#				OUT/srv/db (made by the caller first)
#	log TEXT, res PASS|FAIL STEP [WHY], shot NAME
#	wait_win REGEX SECONDS, click WIN X Y, dclick WIN X Y (offsets
#	inside WIN, raised first), error_box (the no-sound Error box)

rc_prepare()
{
	local exe f
	[ "$(id -u)" = 0 ] || { echo "$prog: run as root (unshare)" >&2; exit 2; }
	for f in pald palpasswd tests/h_client; do
		[ -x "$top/$f" ] || { echo "$prog: build $f first" >&2; exit 2; }
	done
	exe=$(find "$WORK/client" -iname paltalk.exe 2>/dev/null | head -1)
	[ -f "$WORK/prefix-base/system.reg" ] && [ -n "$exe" ] ||
	    { echo "$prog: no prepared realclient cache in $WORK" >&2; exit 2; }
	rm -rf "$OUT"
	mkdir -p "$OUT/shots" "$OUT/srv"
	OUT=$(cd "$OUT" && pwd)
	pfx=$WORK/$1
	rm -rf "$pfx"
	cp -a "$WORK/prefix-base" "$pfx"
	cp -r "$(dirname "$exe")" "$pfx/drive_c/Paltalk"
	# the server the client reads first; no sound device (an Error box
	# at logon, dismissed)
	printf '\n[Software\\\\PalTalk] 1700000000\n"host"="127.0.0.1"\n"port"=dword:00001389\n"ver10_router"=dword:00000001\n' >>"$pfx/user.reg"
	printf '\n[Software\\\\Wine\\\\Drivers] 1700000000\n"Audio"=""\n' >>"$pfx/user.reg"
}

rc_verdict()
{
	local p f
	[ -f "$OUT/verdict" ] || echo "FAIL run: no verdict" >"$OUT/verdict"
	cat "$OUT/verdict"
	p=$(grep -c '^PASS' "$OUT/verdict")
	f=$(grep -c '^FAIL' "$OUT/verdict")
	echo "$p passed, $f failed"
	[ "$f" = 0 ]
}

rc_start_x()
{
	ip link set lo up
	T0=$(date +%s)
	srv=$OUT/srv
	export PALD_HASH_COST=4 WINEARCH=win32 WINEDEBUG=-all \
	    WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d" \
	    DISPLAY=":$DISPLAY_NUM" WINEPREFIX="$pfx" HOME="$srv/home"
	mkdir -p "$HOME" "$srv/db"; chmod 700 "$srv/db"
	Xvfb ":$DISPLAY_NUM" -screen 0 1024x768x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
	xvfb=$!
}

rc_start_pald()
{
	local i
	printf 'categories %s/data/categories.txt\nrooms %s/data/rooms.txt\nvoice_port 0\n' \
	    "$top" "$top" >"$srv/pald.conf"
	"$top/pald" -d -f "$srv/pald.conf" -l 127.0.0.1 -p 5001 -h "$srv/db" \
	    -r "$srv/run" -P "$srv/pald.pid" >"$OUT/pald.log" 2>&1 &
	for i in $(seq 100); do grep -q 'listening on' "$OUT/pald.log" && break; sleep 0.1; done
}

log() { echo "[$(( $(date +%s) - T0 ))s] $*" | tee -a "$OUT/steps.log"; }
res() { echo "$1 $2${3:+: $3}" >>"$OUT/verdict"; }
n=0
shot() { n=$((n + 1)); import -window root "$OUT/shots/$(printf %02d $n)-$1.png"; log "shot $(printf %02d $n)-$1"; }
wait_win() { local t=0 w; while [ $t -lt "$2" ]; do
	w=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1)
	[ -n "$w" ] && { echo "$w"; return 0; }; sleep 1; t=$((t + 1)); done
	return 1; }
at() { local X Y WIDTH HEIGHT SCREEN WINDOW
	eval "$(xdotool getwindowgeometry --shell "$1")"
	xdotool windowraise "$1"; sleep 0.3; xdotool mousemove $((X + $2)) $((Y + $3)); }
click() { at "$1" "$2" "$3" && xdotool click 1; }
dclick() { at "$1" "$2" "$3" && xdotool click --repeat 2 --delay 120 1; }
error_box() { local w; w=$(xdotool search --onlyvisible --name '^Error$' 2>/dev/null | head -1)
	[ -n "$w" ] && { xdotool key --window "$w" Return; sleep 1; log "Error box (no sound device) dismissed"; }; }
