# phases.awk - one run's phases.so log (F, R and C lines, see phases.c)
# as per-login rows; run-profile.sh takes the medians of the runs.
#
#	awk -v master_ns=N -v keeper_ns=N -f phases.awk LOG
#
# master_ns, keeper_ns: the CPU the master and the store keeper used
# during the run (schedstat).  Every figure is per login: the sums over
# the LOGIN children and over the GET_UIN children, divided by the number
# of LOGIN children (each login has one GET_UIN connection before it).
# Output, one line each:
#	row NAME getuin_ms login_ms total_ms delay_ms blocked_getuin_ms
#	    blocked_login_ms mwait_ms faults calls
# getuin_ms and login_ms: CPU in that phase in the GET_UIN and in the
# LOGIN child; total_ms their sum (or the master's or keeper's share);
# delay_ms: runnable but waiting for a CPU (both children); blocked_*:
# neither running nor runnable (wall - cpu - delay), in the GET_UIN and
# in the LOGIN child; mwait_ms: of that (both children),
# in BDB's pthread mutexes, rwlocks and condition waits; faults: minor
# page faults; calls: times the phase was entered (both children).
# Then "n getuin=G login=L other=O unmatched=U files_getuin=.. ..." and
# "check children_ms=.. phases_ms=..": the children's CPU from wait4
# against the sum of their phases (the difference is what the phases
# miss: the start of the child before fork() returned in it).

function add(kind, ph, f,    k) {
	k = kind SUBSEP ph
	cpu[k] += f[1]; dly[k] += f[2]; wall[k] += f[3]; flt[k] += f[4]
	calls[k] += f[5]; mw[k] += f[6]
	seen[ph] = 1
}

$1 == "F" {
	split($2, a, "="); split($3, b, "=")
	fork_ns[a[2]] = b[2]; allfork += b[2]
	split($4, c, "="); forkflt[a[2]] = c[2]
	next
}
$1 == "R" {
	split($2, a, "="); split($3, b, "="); split($4, c, "=")
	reaped[a[2]] = b[2]; rflt[a[2]] = c[2]
	next
}
$1 == "C" {
	split($2, a, "="); pid = a[2]
	split($3, b, "="); kind = b[2]
	split($4, c, "="); nf = c[2]
	if (kind != "login" && kind != "getuin") { nother++; next }
	kindof[pid] = kind
	n[kind]++; files[kind] += nf
	for (i = 5; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "atexit_ns") { atexit[pid] = kv[2]; continue }
		split(kv[2], f, "/")
		add(kind, kv[1], f)
		phsum[pid] += f[1]
	}
}
END {
	L = n["login"]
	if (L == 0) { print "no login children in the log" > "/dev/stderr"; exit 1 }
	unmatched = 0
	for (pid in kindof) {
		kind = kindof[pid]
		if (!(pid in reaped)) { unmatched++; continue }
		ex = reaped[pid] - atexit[pid]
		cpu[kind SUBSEP "exit"] += ex; seen["exit"] = 1
		calls[kind SUBSEP "exit"]++
		childns += reaped[pid]; phasens += phsum[pid] + ex
		if (pid in fork_ns) {
			fk += fork_ns[pid]; fflt += forkflt[pid]; nfk++
		}
	}
	ms = 1e6 * L
	printf "row fork 0 0 %.4f 0 0 0 0 %.1f %.2f\n", fk / ms, fflt / L,
	    nfk / L
	printf "row master 0 0 %.4f 0 0 0 0 0 0\n", (master_ns - allfork) / ms
	split("start proto teardown io poll envopen fopen txn_r commit_r txn_w commit_w abort bcrypt flock flock_end sleep fclose envclose exit", order, " ")
	for (i = 1; i in order; i++) {
		ph = order[i]
		if (!(ph in seen)) continue
		g = "getuin" SUBSEP ph; l = "login" SUBSEP ph
		bg = wall[g] - cpu[g] - dly[g]; bl = wall[l] - cpu[l] - dly[l]
		if (ph == "exit") bg = bl = 0
		printf "row %s %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.1f %.2f\n",
		    ph, cpu[g] / ms, cpu[l] / ms, (cpu[g] + cpu[l]) / ms,
		    (dly[g] + dly[l]) / ms, bg / ms, bl / ms,
		    (mw[g] + mw[l]) / ms, (flt[g] + flt[l]) / L,
		    (calls[g] + calls[l]) / L
	}
	printf "row keeper 0 0 %.4f 0 0 0 0 0 0\n", keeper_ns / ms
	printf "n getuin=%d login=%d other=%d unmatched=%d keeper_ms=%.1f files_getuin=%.1f files_login=%.1f\n",
	    n["getuin"], L, nother, unmatched, keeper_ns / 1e6,
	    n["getuin"] ? files["getuin"] / n["getuin"] : 0, files["login"] / L
	printf "check children_ms=%.3f phases_ms=%.3f per_login\n",
	    childns / ms, phasens / ms
}
