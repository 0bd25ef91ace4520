/*
 * t_table.c - the shared-memory session table: slots, inboxes, sweep.
 * Each case maps a table in its own Kyua work directory.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../store/table.h"

static struct table *
open_here(void)
{
	struct table	*t;

	t = table_open(".", 1);
	ATF_REQUIRE(t != NULL);
	return t;
}

ATF_TC_WITHOUT_HEAD(login_find_logout);
ATF_TC_BODY(login_find_logout, tc)
{
	struct table	*t = open_here();
	struct tsess	 me, ts;

	ATF_CHECK_EQ(table_find(t, 1000002, 0, &ts), -1);
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "127.0.0.1",
	    0x1e, &me), 0);
	ATF_CHECK(table_bellfd(t) >= 0);
	ATF_REQUIRE_EQ(table_find(t, 1000002, 0, &ts), 0);
	ATF_CHECK_EQ(ts.slot, me.slot);
	ATF_CHECK_EQ(ts.gen, me.gen);
	ATF_CHECK_STREQ(ts.nick, "alice");
	ATF_CHECK_STREQ(ts.addr, "127.0.0.1");
	ATF_CHECK_EQ(ts.status, 0x1e);
	ATF_CHECK_EQ(table_find(t, 1000002, 1, &ts), -1);	/* not self */
	table_set_status(t, 0x46);
	ATF_REQUIRE_EQ(table_find(t, 1000002, 0, &ts), 0);
	ATF_CHECK_EQ(ts.status, 0x46);
	/* a second login in the same process is refused */
	ATF_CHECK_EQ(table_login(t, 1000003, "bob", "x", 0x1e, NULL), -1);
	table_logout(t);
	ATF_CHECK_EQ(table_find(t, 1000002, 0, &ts), -1);
	ATF_CHECK_EQ(table_bellfd(t), -1);
	table_close(t);
}

ATF_TC_WITHOUT_HEAD(inbox_roundtrip);
ATF_TC_BODY(inbox_roundtrip, tc)
{
	struct table	*t = open_here();
	struct tsess	 me;
	char		 buf[4096], msg[100];
	int		 kind, i;
	ssize_t		 n;

	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, &me), 0);
	ATF_CHECK_EQ(table_recv(t, &kind, buf, sizeof(buf)), 0);
	/* many more messages than fit at once: the ring wraps */
	for (i = 0; i < 2000; i++) {
		n = snprintf(msg, sizeof(msg), "message %d with padding%.*s",
		    i, i % 13, "xxxxxxxxxxxxx");
		ATF_REQUIRE_EQ(table_send(t, me.slot, me.gen, TM_FRAME, msg,
		    (size_t)n), 0);
		n = table_recv(t, &kind, buf, sizeof(buf));
		ATF_REQUIRE(n > 0);
		ATF_CHECK_EQ(kind, TM_FRAME);
		buf[n] = '\0';
		ATF_CHECK_STREQ(buf, msg);
	}
	ATF_CHECK_EQ(table_send(t, me.slot, me.gen, TM_OFFLINE, NULL, 0), 0);
	ATF_CHECK_EQ(table_recv(t, &kind, buf, sizeof(buf)), 0);
	/* a message to an older generation of the slot is refused */
	ATF_CHECK_EQ(table_send(t, me.slot, me.gen - 1, TM_FRAME, "x", 1),
	    -1);
	table_close(t);
}

ATF_TC_WITHOUT_HEAD(inbox_overflow);
ATF_TC_BODY(inbox_overflow, tc)
{
	struct table	*t = open_here();
	struct tsess	 me;
	char		 msg[1000], buf[2000];
	int		 kind, i, r = 0;

	memset(msg, 'm', sizeof(msg));
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, &me), 0);
	for (i = 0; i < 1000 && r == 0; i++)
		r = table_send(t, me.slot, me.gen, TM_FRAME, msg, sizeof(msg));
	ATF_CHECK_EQ(r, -2);
	ATF_CHECK(i > PALD_INBOX_SIZE / 1100 && i <= PALD_INBOX_SIZE / 1000 + 1);
	/* once overflowed, the owner learns it and nothing more goes in */
	ATF_CHECK_EQ(table_recv(t, &kind, buf, sizeof(buf)), -1);
	ATF_CHECK_EQ(table_send(t, me.slot, me.gen, TM_FRAME, "x", 1), -2);
	table_close(t);
}

ATF_TC_WITHOUT_HEAD(doorbell_rings);
ATF_TC_BODY(doorbell_rings, tc)
{
	struct table	*t = open_here();
	struct tsess	 me;
	char		 b[8];

	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, &me), 0);
	ATF_CHECK_EQ(read(table_bellfd(t), b, 1), -1);	/* nothing yet */
	ATF_REQUIRE_EQ(table_send(t, me.slot, me.gen, TM_FRAME, "x", 1), 0);
	ATF_REQUIRE_EQ(table_send(t, me.slot, me.gen, TM_FRAME, "y", 1), 0);
	ATF_CHECK_EQ(read(table_bellfd(t), b, sizeof(b)), 1);
	ATF_CHECK_EQ(read(table_bellfd(t), b, sizeof(b)), -1); /* one ring */
	table_clearbell(t);
	ATF_REQUIRE_EQ(table_send(t, me.slot, me.gen, TM_FRAME, "z", 1), 0);
	ATF_CHECK_EQ(read(table_bellfd(t), b, sizeof(b)), 1);
	table_close(t);
}

/* A child logs in and is killed: the sweep frees its slot, once. */
ATF_TC_WITHOUT_HEAD(sweep_dead_child);
static int	swept;
static uint32_t	swept_uid;
static void
count_cb(void *arg, const struct tsess *ts)
{
	swept++;
	swept_uid = ts->uid;
}
ATF_TC_BODY(sweep_dead_child, tc)
{
	struct table	*t = open_here();
	struct tsess	 ts;
	int		 p[2], st;
	char		 c;
	pid_t		 pid;

	ATF_REQUIRE_EQ(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct table	*ct = table_open(".", 0);

		if (ct == NULL || table_login(ct, 1000007, "carol", "c",
		    0x1e, NULL) == -1)
			_exit(1);
		(void)write(p[1], "x", 1);
		for (;;)
			pause();
	}
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 1);
	/* alive: a sweep leaves it alone */
	ATF_CHECK_EQ(table_sweep(t, count_cb, NULL), 0);
	ATF_CHECK_EQ(table_find(t, 1000007, 0, &ts), 0);
	ATF_REQUIRE_EQ(kill(pid, SIGKILL), 0);
	ATF_REQUIRE_EQ(waitpid(pid, &st, 0), pid);
	ATF_CHECK_EQ(table_sweep(t, count_cb, NULL), 1);
	ATF_CHECK_EQ(swept, 1);
	ATF_CHECK_EQ(swept_uid, 1000007);
	ATF_CHECK_EQ(table_find(t, 1000007, 0, &ts), -1);
	ATF_CHECK_EQ(table_sweep(t, count_cb, NULL), 0);
	table_close(t);
}

/* Two sessions of one uid: the newest login is the one found. */
ATF_TC_WITHOUT_HEAD(newest_login_wins);
ATF_TC_BODY(newest_login_wins, tc)
{
	struct table	*t = open_here();
	struct tsess	 ts, me;
	int		 p[2], q[2];
	char		 c;
	pid_t		 pid;

	ATF_REQUIRE_EQ(pipe(p), 0);
	ATF_REQUIRE_EQ(pipe(q), 0);
	if ((pid = fork()) == 0) {
		struct table	*ct = table_open(".", 0);

		if (ct == NULL || table_login(ct, 1000002, "alice", "old",
		    0x1e, NULL) == -1)
			_exit(1);
		(void)write(p[1], "x", 1);
		(void)read(q[0], &c, 1);
		_exit(0);
	}
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 1);
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "new", 0x1e, &me), 0);
	ATF_REQUIRE_EQ(table_find(t, 1000002, 0, &ts), 0);
	ATF_CHECK_EQ(ts.slot, me.slot);
	ATF_CHECK_STREQ(ts.addr, "new");
	ATF_REQUIRE_EQ(table_find(t, 1000002, 1, &ts), 0);
	ATF_CHECK_STREQ(ts.addr, "old");
	(void)write(q[1], "x", 1);
	(void)waitpid(pid, NULL, 0);
	table_close(t);
}

ATF_TC_WITHOUT_HEAD(registration_spacing);
ATF_TC_BODY(registration_spacing, tc)
{
	struct table	*t = open_here();

	ATF_CHECK_EQ(table_reg_allow(t, "10.0.0.1", 60), 1);
	ATF_CHECK_EQ(table_reg_allow(t, "10.0.0.1", 60), 0);
	ATF_CHECK_EQ(table_reg_allow(t, "10.0.0.2", 60), 1);
	ATF_CHECK_EQ(table_reg_allow(t, "10.0.0.1", 0), 1);
	table_close(t);
}

/* A file with a foreign header is re-initialised, never trusted. */
ATF_TC_WITHOUT_HEAD(bad_header_reinit);
ATF_TC_BODY(bad_header_reinit, tc)
{
	struct table	*t;
	struct tsess	 ts;
	FILE		*fp;

	ATF_REQUIRE((fp = fopen(TABLE_FILE, "w")) != NULL);
	ATF_REQUIRE(fprintf(fp, "garbage garbage garbage") > 0);
	ATF_REQUIRE_EQ(fclose(fp), 0);
	t = open_here();
	ATF_CHECK_EQ(table_find(t, 0, 0, &ts), -1);
	ATF_CHECK_EQ(table_login(t, 1000002, "alice", "a", 0x1e, NULL), 0);
	table_close(t);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, login_find_logout);
	ATF_TP_ADD_TC(tp, inbox_roundtrip);
	ATF_TP_ADD_TC(tp, inbox_overflow);
	ATF_TP_ADD_TC(tp, doorbell_rings);
	ATF_TP_ADD_TC(tp, sweep_dead_child);
	ATF_TP_ADD_TC(tp, newest_login_wins);
	ATF_TP_ADD_TC(tp, registration_spacing);
	ATF_TP_ADD_TC(tp, bad_header_reinit);
	return atf_no_error();
}
