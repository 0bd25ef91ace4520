#!/bin/sh
# mkusers.sh - create the benchmark accounts PREFIX0 .. PREFIX(N-1), all
# with the same password, in a pald data home, with ../palpasswd -p (one
# process per account: palpasswd has no bulk mode).
#
# usage: mkusers.sh -h dbhome -n count [-P prefix] [-w password] [-j jobs]
#
#	-h dbhome	the data home (created if missing, mode 0700)
#	-n count	accounts to create (1..100000)
#	-P prefix	nickname prefix (default bench)
#	-w password	the password of every account (default benchpw1)
#	-j jobs		palpasswd processes at a time (default 1: on this
#			2-core machine 2 jobs were no faster, 4 slower)
#
# PALD_HASH_COST sets the bcrypt cost of the stored hashes (default 4
# here, the smallest; palpasswd's own default is 8).  The cost of every
# later login follows the cost stored in the hash, so a benchmark made
# on cost-4 accounts measures the server, not bcrypt.
#
# Accounts that already exist are counted and left alone, so the script
# can be run again on the same data home.  It prints one line:
#	users created=C existed=E failed=F seconds=S ms_per_user=M
# and exits 1 when any account could not be made.
set -u

here=$(cd "$(dirname "$0")" && pwd)
PALPASSWD=${PALPASSWD:-$here/../palpasswd}
PALD_HASH_COST=${PALD_HASH_COST:-4}
export PALD_HASH_COST

dbhome= n= prefix=bench pw=benchpw1 jobs=1
usage() {
	echo "usage: mkusers.sh -h dbhome -n count [-P prefix] [-w password]" \
	    "[-j jobs]" >&2
	exit 2
}
while getopts h:n:P:w:j: opt; do
	case $opt in
	h) dbhome=$OPTARG ;;
	n) n=$OPTARG ;;
	P) prefix=$OPTARG ;;
	w) pw=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] && [ -n "$dbhome" ] && [ -n "$n" ] || usage
case $n in ''|*[!0-9]*) usage ;; esac
case $jobs in ''|*[!0-9]*) usage ;; esac
[ "$n" -ge 1 ] && [ "$n" -le 100000 ] || usage
[ "$jobs" -ge 1 ] && [ "$jobs" -le 64 ] || usage
[ -x "$PALPASSWD" ] || { echo "mkusers.sh: $PALPASSWD: not built" >&2; exit 1; }

mkdir -p "$dbhome" && chmod 700 "$dbhome" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/mkusers.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# one account; the outcome goes to a file of its own (jobs run in parallel)
one() {
	if printf '%s\n' "$pw" | "$PALPASSWD" -h "$dbhome" -p -c "$prefix$1" \
	    >/dev/null 2>"$work/err.$1"; then
		rm -f "$work/err.$1"
	elif grep -q 'nickname taken' "$work/err.$1"; then
		mv "$work/err.$1" "$work/taken.$1"
	fi
}

start=$(date +%s.%N)
# The first account alone: two palpasswd creating a new environment at
# the same moment collide (BDB "mmap: Invalid argument").
one 0
i=1
while [ "$i" -lt "$n" ]; do		# bounded: i grows by one each turn
	k=0
	while [ "$k" -lt "$jobs" ] && [ "$i" -lt "$n" ]; do
		one "$i" &
		i=$((i + 1))
		k=$((k + 1))
	done
	wait
done
end=$(date +%s.%N)

existed=$(find "$work" -name 'taken.*' | wc -l)
failed=$(find "$work" -name 'err.*' | wc -l)
created=$((n - existed - failed))
if [ "$failed" -gt 0 ]; then
	echo "mkusers.sh: $failed accounts failed, for example:" >&2
	cat "$(find "$work" -name 'err.*' | head -1)" >&2
fi
awk -v s="$start" -v e="$end" -v c="$created" -v x="$existed" \
    -v f="$failed" -v n="$n" 'BEGIN {
	printf "users created=%d existed=%d failed=%d seconds=%.1f " \
	    "ms_per_user=%.1f\n", c, x, f, e - s, (e - s) * 1000 / n }'
[ "$failed" -eq 0 ]
