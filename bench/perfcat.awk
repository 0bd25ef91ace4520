# perfcat.awk - pald's samples of a "perf record -a --call-graph dwarf"
# (run-profile.sh PERF=cpu or PERF=sched), each put in one phase by its
# call chain.
#
#	perf script -i perf.C.REP --comm pald -F pid,ip,sym,dso |
#	    awk -v master=PID -v keeper=PID -v voice=PID -v logins=N \
#	    -v hz=999 -f perfcat.awk
#	perf script -i perf.C.REP -F pid,time,trace,ip,sym,dso |
#	    awk -v master=PID -v keeper=PID -v voice=PID -v logins=N \
#	    -f perfcat.awk
#
# The phase of a sample is that of the innermost frame (leaf first) that
# names one (phase_of below); the master's samples are "master" unless
# in fork, the keeper's "keeper", the voice child's "voice".
# cpu-clock samples: for each phase, ms of CPU per login (samples / hz /
# logins), the share of pald's samples, and how much of the phase ran in
# the kernel and in page faults.
# sched:sched_switch samples: where the session children went to sleep
# and for how long: each switch-out of a child that was not preempted
# (prev_state other than R) opens an interval that its next switch-in
# closes (so it includes the wait for a CPU after the wake-up); the
# intervals are summed by phase and by what the child slept in (the
# system call: futex, fcntl, poll, select, ...), as ms of wall time per
# login, with the count.  Preemptions (prev_state R) are summed apart,
# as "preempted", by phase: time runnable but off a CPU.

function phase_of(f,    s) {
	s = f
	if (s ~ /crypt|^BF_|libcrypt/) return "bcrypt"
	if (s ~ /^__txn_commit/) return "commit"
	if (s ~ /^__txn_abort/) return "abort"
	if (s ~ /^__db_close_pp|^__db_close |^__db_refresh|^__dbreg_close_id|^__dbreg_revoke_id|^__dbreg_teardown|^__dbreg_log_close|^__memp_fclose/) return "fclose"
	if (s ~ /^__env_close_pp|^__env_close |^__env_detach|^__env_refresh|^__log_env_refresh|^__dbreg_close_files/) return "envclose"
	if (s ~ /^__db_open_pp|^__db_open |^__fop_|^__memp_fopen|^__dbreg_(new_id|setup|assign_id|log_id|get_id)|^__env_setup|^__env_dbreg_setup|^__env_mpool/) return "fopen"
	if (s ~ /^__env_open|^db_env_create|^__env_attach|^__env_create/) return "envopen"
	if (s ~ /^__txn_begin/) return "txn_begin"
	if (s ~ /^__db_get|^__dbc_|^__db_put|^__db_c_|^__bam_|^__ham_/) return "reads_puts"
	if (s ~ /^(do_exit|do_group_exit|exit_mmap|exit_mm|mmput) /) return "exit"
	if (s ~ /^(copy_process|kernel_clone|__do_sys_clone|ret_from_fork|schedule_tail) /) return "fork"
	if (s ~ /^(__libc_fork|_Fork|__GI__Fork|arch_fork) /) return "fork"
	if (s ~ /^_dl_(fixup|runtime_resolve|lookup_symbol|relocate)|^do_lookup_x/) return "ld.so"
	if (s ~ /^(table_|room_|lockbyte|lk |unlk |inbox_|ring )/) return "table"
	if (s ~ /^(poll|__poll|do_sys_poll|__x64_sys_poll) /) return "poll"
	if (s ~ /^(session_end|session_free|db_close|db_idle|table_close) /) return "teardown"
	if (s ~ /^(read_frames|flush_out|flush_final|session_frame|session_inbox|session_tick|handle_|login_ok|send_|out_|listers_|broadcast_status|log_|lym_) /) return "proto"
	if (s ~ /^(child_main|session_new|close_inherited|signals_child|setproctitle|session_admit|log_procname) /) return "start"
	if (s ~ /^(serve|main) /) return "serve"
	return ""
}

# reason_of - the system call (or fault) a sleeping child is in
function reason_of(f) {
	if (f ~ /^__x64_sys_/) { sub(/^__x64_sys_/, "", f); return f }
	if (f ~ /^asm_exc_page_fault/) return "page fault"
	return ""
}

function flush(    ph, role) {
	if (pid == "") return
	if (sched) { sflush(); return }
	if (pid == keeper) role = "keeper"
	else if (pid == voice) role = "voice"
	else role = "child"
	ph = inner
	if (pid == master) { role = "master"; if (ph != "fork") ph = "master" }
	else if (role != "child") ph = role
	else if (ph == "") ph = "unknown"
	n[ph]++; all++
	if (kern) k[ph]++
	if (fault) fl[ph]++
	pid = ""; inner = ""; kern = 0; fault = 0; first = 1
}

# sflush - one sched_switch sample: close the interval of the task
# switched in, open one for the task switched out
function sflush(    t, ph) {
	t = stime
	if ((npid in out) && npid in kindof) {
		ph = phof[npid]; r = whyof[npid]
		if (kindof[npid] == "pre") r = "preempted"
		ms[ph SUBSEP r] += t - out[npid]; cnt[ph SUBSEP r]++
		rs[r] += t - out[npid]; ps[ph] += t - out[npid]
	}
	delete out[npid]; delete kindof[npid]
	if (pid != master && pid != keeper && pid != voice && prevcomm == "pald") {
		out[pid] = t
		kindof[pid] = pstate ~ /^R/ ? "pre" : "sleep"
		phof[pid] = inner == "" ? "unknown" : inner
		whyof[pid] = why == "" ? "other" : why
	}
	pid = ""; inner = ""; why = ""; first = 1
}

/^[ \t]*$/ { flush(); next }
/^ *[0-9]+ *$/ { flush(); pid = $1; first = 1; next }
/prev_pid=/ {
	flush(); sched = 1; pid = $1; stime = $2; sub(/:$/, "", stime)
	for (i = 3; i <= NF; i++) {
		if ($i ~ /^prev_comm=/) { prevcomm = substr($i, 11) }
		if ($i ~ /^prev_state=/) pstate = substr($i, 12)
		if ($i ~ /^next_pid=/) npid = substr($i, 10)
	}
	first = 1
	next
}
{
	# "addr sym+off (dso)" or "addr sym (inlined)"
	sym = $2
	if (first) { kern = ($1 ~ /^ffffffff/); first = 0 }
	if (sym == "asm_exc_page_fault") fault = 1
	if (sched && why == "") why = reason_of(sym)
	if (inner == "") {
		p = phase_of(sym " " $NF)
		if (p != "") inner = p
	}
}
END {
	flush()
	if (sched) {
		printf "%-10s %-16s %10s %8s\n", "phase", "in", "ms/login", "count"
		for (kx in ms) {
			split(kx, kk, SUBSEP)
			printf "%-10s %-16s %10.3f %8d\n", kk[1], kk[2],
			    ms[kx] * 1000 / logins, cnt[kx] | "sort -k3 -rn"
		}
		close("sort -k3 -rn")
		for (r in rs) printf "total in %-16s %10.3f ms/login\n", r,
		    rs[r] * 1000 / logins
		exit
	}
	split("fork master start ld.so serve proto table poll envopen fopen txn_begin reads_puts commit abort bcrypt teardown fclose envclose exit unknown keeper voice", order, " ")
	printf "%-10s %8s %6s %7s %7s\n", "phase", "ms/login", "share", "kernel", "faults"
	for (i = 1; i in order; i++) {
		ph = order[i]
		if (!(ph in n)) continue
		printf "%-10s %8.3f %5.1f%% %6.0f%% %6.0f%%\n", ph,
		    n[ph] / hz / logins * 1000, 100 * n[ph] / all,
		    100 * k[ph] / n[ph], 100 * fl[ph] / n[ph]
		tk += k[ph]; tf += fl[ph]
	}
	printf "%-10s %8.3f %5.1f%% %6.0f%% %6.0f%%  (%d samples)\n", "all",
	    all / hz / logins * 1000, 100, 100 * tk / all, 100 * tf / all, all
}
