/*
 * t_table.c - the shared-memory session table: slots, inboxes, sweep.
 * Each case maps a table in its own Kyua work directory.
 */
#include <sys/types.h>
#include <sys/stat.h>
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
	ATF_CHECK(ts.seen >= ts.since && ts.since > 0);
	table_touch(t, ts.since + 75);
	ATF_REQUIRE_EQ(table_find(t, 1000002, 0, &ts), 0);
	ATF_CHECK_EQ(ts.seen, ts.since + 75);
	/* a second login in the same process is refused */
	ATF_CHECK_EQ(table_login(t, 1000003, "bob", "x", 0x1e, NULL), -1);
	table_logout(t);
	ATF_CHECK_EQ(table_find(t, 1000002, 0, &ts), -1);
	ATF_CHECK_EQ(table_bellfd(t), -1);
	table_close(t);
}

/*
 * capacity - room for 10,000 held sessions and the logins in flight (the
 * reconnect target of bench/run-login.sh), in a file that stays sparse:
 * a fresh table has written its header, not its slots or inboxes.
 */
ATF_TC_WITHOUT_HEAD(capacity);
ATF_TC_BODY(capacity, tc)
{
	struct table	*t = open_here();
	struct stat	 st;

	ATF_CHECK(PALD_MAX_SESSIONS >= 10000 + 2 * 64);
	ATF_REQUIRE_EQ(stat(TABLE_FILE, &st), 0);
	ATF_CHECK(st.st_size >= (off_t)PALD_MAX_SESSIONS * PALD_INBOX_SIZE);
	ATF_CHECK_MSG((off_t)st.st_blocks * 512 < 4 * 1024 * 1024,
	    "table file not sparse: %lld bytes allocated",
	    (long long)st.st_blocks * 512);
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
	table_clearbell(t, 1);
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

/* table_once: the first time a key comes in its window, and only then */
ATF_TC_WITHOUT_HEAD(once_per_window);
ATF_TC_BODY(once_per_window, tc)
{
	struct table	*t = open_here();
	char		 key[32], lng[80];
	int		 i;

	ATF_CHECK_EQ(table_once(t, "limit:10.0.0.1", 60), 1);
	ATF_CHECK_EQ(table_once(t, "limit:10.0.0.1", 60), 0);
	ATF_CHECK_EQ(table_once(t, "cut:10.0.0.1", 60), 1);
	ATF_CHECK_EQ(table_once(t, "limit:10.0.0.2", 60), 1);
	/* a window of 0 seconds has always passed */
	ATF_CHECK_EQ(table_once(t, "limit:10.0.0.3", 0), 1);
	ATF_CHECK_EQ(table_once(t, "limit:10.0.0.3", 0), 1);
	/* many keys: the oldest entries are reused, nothing breaks */
	for (i = 0; i < 1000; i++) {
		(void)snprintf(key, sizeof(key), "limit:10.1.%d.%d", i / 256,
		    i % 256);
		ATF_CHECK_EQ(table_once(t, key, 60), 1);
	}
	memset(lng, 'x', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	ATF_CHECK_EQ(table_once(t, lng, 60), 0);	/* too long to keep */
	table_close(t);
}

/* decide callbacks for fail_counts: go on, or wait, keeping what came */
static struct tcount	 seen[4];

static int
go_on(void *arg, const struct tcount *q, int n)
{
	memcpy(seen, q, sizeof(*q) * (size_t)n);
	return 0;
}

static int
hold(void *arg, const struct tcount *q, int n)
{
	memcpy(seen, q, sizeof(*q) * (size_t)n);
	return *(int *)arg;
}

/*
 * table_fail_try counts every key before the attempt, only when decide
 * says go on; undo takes one back; clear forgets a key; a count is
 * forgotten window seconds after it last grew
 */
ATF_TC_WITHOUT_HEAD(fail_counts);
ATF_TC_BODY(fail_counts, tc)
{
	struct table	*t = open_here();
	struct tcount	 q[2] = { { "a:10.0.0.1", 60, 0, 0 },
			    { "p:1000002:10.0.0.1", 60, 0, 0 } };
	char		 lng[TABLE_KEY_MAX + 8];
	int		 wait = 7, i;

	ATF_CHECK_EQ(table_fail_try(t, q, 2, go_on, NULL), 0);
	ATF_CHECK_EQ(seen[0].count, 0);		/* as it was before */
	ATF_CHECK_EQ(seen[1].last, 0);
	ATF_CHECK_EQ(table_fail_try(t, q, 2, go_on, NULL), 0);
	ATF_CHECK_EQ(seen[0].count, 1);
	ATF_CHECK(seen[1].last > 0);
	/* held back: nothing counted */
	ATF_CHECK_EQ(table_fail_try(t, q, 2, hold, &wait), 7);
	ATF_CHECK_EQ(seen[1].count, 2);
	ATF_CHECK_EQ(table_fail_try(t, q, 2, hold, &wait), 7);
	ATF_CHECK_EQ(seen[1].count, 2);
	/* a right password: one back from each, then the pair cleared */
	table_fail_undo(t, q, 2);
	(void)table_fail_try(t, q, 2, hold, &wait);
	ATF_CHECK_EQ(seen[0].count, 1);
	ATF_CHECK_EQ(seen[1].count, 1);
	table_fail_clear(t, q[1].key);
	(void)table_fail_try(t, q, 2, hold, &wait);
	ATF_CHECK_EQ(seen[0].count, 1);
	ATF_CHECK_EQ(seen[1].count, 0);
	/* add gives the count after; undo stops at 0 */
	ATF_CHECK_EQ(table_fail_add(t, "a:10.0.0.9", 60), 1);
	ATF_CHECK_EQ(table_fail_add(t, "a:10.0.0.9", 60), 2);
	for (i = 0; i < 3; i++)
		table_fail_undo(t, &(struct tcount){ "a:10.0.0.9", 60, 0, 0 },
		    1);
	ATF_CHECK_EQ(table_fail_add(t, "a:10.0.0.9", 60), 1);
	/* a window of 0 seconds: forgotten at once */
	q[0].window = 0;
	(void)table_fail_try(t, q, 1, go_on, NULL);
	(void)table_fail_try(t, q, 1, go_on, NULL);
	ATF_CHECK_EQ(seen[0].count, 0);
	/* the longest key fits; a longer one is not kept, nothing breaks */
	memset(lng, 'x', sizeof(lng) - 1);
	lng[TABLE_KEY_MAX] = '\0';
	ATF_CHECK_EQ(table_fail_add(t, lng, 60), 0);
	lng[TABLE_KEY_MAX - 1] = '\0';
	ATF_CHECK_EQ(table_fail_add(t, lng, 60), 1);
	table_close(t);
}

/* Many keys: the entries that grew least recently are reused. */
ATF_TC_WITHOUT_HEAD(fail_reuse);
ATF_TC_BODY(fail_reuse, tc)
{
	struct table	*t = open_here();
	char		 key[32];
	int		 i;

	ATF_CHECK_EQ(table_fail_add(t, "a:keep", 60), 1);
	for (i = 0; i < 2000; i++) {
		(void)snprintf(key, sizeof(key), "a:10.1.%d.%d", i / 256,
		    i % 256);
		ATF_CHECK_EQ(table_fail_add(t, key, 60), 1);
		if (i % 100 == 0)	/* kept fresh: never reused */
			(void)table_fail_add(t, "a:keep", 60);
	}
	ATF_CHECK_EQ(table_fail_add(t, "a:keep", 60), 22);
	table_close(t);
}

/*
 * table_lines: per address, perkind lines of a kind and perall in all in
 * a window; what is held back is handed on once, when the window ends
 */
ATF_TC_WITHOUT_HEAD(lines_per_address);
ATF_TC_BODY(lines_per_address, tc)
{
	struct table	*t = open_here();
	struct tlines	 e[4];
	int		 i, n = 0;

	for (i = 0; i < 10; i++)
		n += table_lines(t, "10.0.0.1", 1, 3, 5, 60);
	ATF_CHECK_EQ(n, 3);			/* 3 of kind 1 */
	ATF_CHECK_EQ(table_lines(t, "10.0.0.1", 2, 3, 5, 60), 1);
	ATF_CHECK_EQ(table_lines(t, "10.0.0.1", 3, 3, 5, 60), 1);
	ATF_CHECK_EQ(table_lines(t, "10.0.0.1", 4, 3, 5, 60), 0); /* 5 */
	ATF_CHECK_EQ(table_lines(t, "10.0.0.2", 1, 3, 5, 60), 1);
	ATF_CHECK_EQ(table_lines_ended(t, 60, e, 4), 0);	/* not yet */
	/* a window of 2 s: its count handed on once, when it is over */
	ATF_CHECK_EQ(table_lines(t, "10.0.0.3", 1, 1, 1, 2), 1);
	ATF_CHECK_EQ(table_lines(t, "10.0.0.3", 1, 1, 1, 2), 0);
	ATF_CHECK_EQ(table_lines(t, "10.0.0.3", 1, 1, 1, 2), 0);
	for (i = 0; (n = table_lines_ended(t, 2, e, 4)) == 0 && i < 50; i++)
		(void)usleep(100000);
	/* with 10.0.0.1's, whose 60 s are over when asked about 2 s */
	ATF_REQUIRE_EQ(n, 2);
	i = strcmp(e[0].addr, "10.0.0.3") == 0 ? 0 : 1;
	ATF_CHECK_STREQ(e[i].addr, "10.0.0.3");
	ATF_CHECK_EQ(e[i].dropped, 2);
	ATF_CHECK_STREQ(e[1 - i].addr, "10.0.0.1");
	ATF_CHECK_EQ(e[1 - i].dropped, 8);
	ATF_CHECK_EQ(table_lines_ended(t, 2, e, 4), 0);
	/* and a new window begins */
	ATF_CHECK_EQ(table_lines(t, "10.0.0.3", 1, 1, 1, 2), 1);
	table_close(t);
}

/* More addresses than entries: the rest share TABLE_LINES_OTHER. */
ATF_TC_WITHOUT_HEAD(lines_full);
ATF_TC_BODY(lines_full, tc)
{
	struct table	*t = open_here();
	struct tlines	 e[8];
	char		 addr[32];
	int		 i, n = 0, k, found = 0;

	for (i = 0; i < 1000; i++) {
		(void)snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 256,
		    i % 256);
		n += table_lines(t, addr, 1, 3, 8, 60);
	}
	ATF_CHECK_EQ(n, 128 + 3);	/* one each; the rest 3 of a kind */
	ATF_CHECK_EQ(table_lines_ended(t, 60, e, 8), 0);
	k = table_lines_ended(t, 0, e, 8);
	for (i = 0; i < k; i++)
		if (strcmp(e[i].addr, TABLE_LINES_OTHER) == 0) {
			found = 1;
			ATF_CHECK_EQ(e[i].dropped, (uint32_t)(1000 - n));
		}
	ATF_CHECK_EQ(k, 1);
	ATF_CHECK(found);
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

/* tmpl - a room template */
static struct troom
tmpl(uint32_t id, const char *name)
{
	struct troom	 r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.category = 30001;
	r.rating = 'G';
	r.mike = 1;
	(void)strlcpy(r.name, name, sizeof(r.name));
	(void)strlcpy(r.topic, "hello", sizeof(r.topic));
	if (id == 0)
		r.flags = TRF_TEMP;
	return r;
}

/*
 * member - fork a process that logs in as uid and joins room id, then
 * waits for a byte on its pipe (or is killed).  Returns its pid.
 */
static pid_t
member(uint32_t uid, uint32_t id, int limit, int *ctl)
{
	int	 p[2], q[2];
	char	 c = 0;
	pid_t	 pid;

	ATF_REQUIRE_EQ(pipe(p), 0);
	ATF_REQUIRE_EQ(pipe(q), 0);
	if ((pid = fork()) == 0) {
		struct table	*ct = table_open(".", 0);
		struct troom	 tr = tmpl(id, "room"), out;
		char		 nick[16];

		(void)snprintf(nick, sizeof(nick), "u%u", uid);
		if (ct == NULL || table_login(ct, uid, nick, "a", 0x1e,
		    NULL) == -1)
			_exit(1);
		c = (char)room_join(ct, &tr, 0, limit, &out);
		(void)write(p[1], &c, 1);
		(void)read(q[0], &c, 1);
		_exit(0);
	}
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 1);
	*ctl = q[1];
	return pid;
}

ATF_TC_WITHOUT_HEAD(room_speaker_drop);
ATF_TC_BODY(room_speaker_drop, tc)
{
	struct table	*t = open_here();
	struct troom	 r = tmpl(50002, "Voices"), out, got, v;

	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, NULL), 0);
	ATF_REQUIRE_EQ(room_join(t, &r, 0, 0, &out), TR_OK);
	memset(&v, 0, sizeof(v));
	v.speaker = 1000007;
	ATF_REQUIRE_EQ(room_update(t, out.idx, out.rgen, &v, RU_SPEAKER), 0);
	/* red dot on someone who no longer speaks: the mic stays */
	ATF_CHECK_EQ(room_drop_speaker(t, out.idx, out.rgen, 1000008), 0);
	ATF_REQUIRE_EQ(room_get(t, out.idx, out.rgen, &got), 0);
	ATF_CHECK_EQ(got.speaker, 1000007);
	ATF_CHECK_EQ(room_drop_speaker(t, out.idx, out.rgen, 1000007), 1);
	ATF_REQUIRE_EQ(room_get(t, out.idx, out.rgen, &got), 0);
	ATF_CHECK_EQ(got.speaker, 0);
	ATF_CHECK_EQ(room_drop_speaker(t, out.idx, out.rgen, 0xffffffffU), 0);
	v.speaker = 1000009;
	ATF_REQUIRE_EQ(room_update(t, out.idx, out.rgen, &v, RU_SPEAKER), 0);
	ATF_CHECK_EQ(room_drop_speaker(t, out.idx, out.rgen, 0xffffffffU), 1);
	ATF_REQUIRE_EQ(room_get(t, out.idx, out.rgen, &got), 0);
	ATF_CHECK_EQ(got.speaker, 0);
	ATF_CHECK_EQ(room_drop_speaker(t, out.idx, out.rgen + 1, 0xffffffffU),
	    -1);
	table_close(t);
}

ATF_TC_WITHOUT_HEAD(room_join_leave);
ATF_TC_BODY(room_join_leave, tc)
{
	struct table	*t = open_here();
	struct troom	 r = tmpl(50001, "Lobby"), out, got;
	struct tmember	 m[4];
	int		 empty, idx[PALD_JOINS_MAX];
	uint32_t	 rg[PALD_JOINS_MAX];

	ATF_CHECK_EQ(room_join(t, &r, 0, 0, &out), TR_GONE); /* not logged in */
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, NULL), 0);
	ATF_CHECK_EQ(room_find(t, 50001, &got), -1);
	ATF_REQUIRE_EQ(room_join(t, &r, TMF_ADMIN, 0, &out), TR_OK);
	ATF_CHECK_EQ(out.id, 50001);
	ATF_CHECK_EQ(out.nmembers, 1);
	ATF_CHECK_STREQ(out.topic, "hello");
	ATF_CHECK_EQ(room_join(t, &r, 0, 0, &got), TR_ALREADY);
	ATF_REQUIRE_EQ(room_find(t, 50001, &got), 0);
	ATF_CHECK_EQ(got.idx, out.idx);
	ATF_CHECK_EQ(room_members(t, out.idx, out.rgen, m, 4), 1);
	ATF_CHECK_EQ(m[0].uid, 1000002);
	ATF_CHECK_STREQ(m[0].nick, "alice");
	ATF_CHECK_EQ(m[0].flags, TMF_ADMIN);
	ATF_CHECK_EQ(room_myrooms(t, idx, rg), 1);
	ATF_CHECK_EQ(idx[0], out.idx);
	/* settings and member flags */
	(void)strlcpy(out.topic, "new topic", sizeof(out.topic));
	out.topicby = 1000002;
	ATF_CHECK_EQ(room_update(t, out.idx, out.rgen, &out, RU_TOPIC), 0);
	ATF_CHECK_EQ(room_mflags(t, out.idx, out.rgen, 1000002, TMF_HAND, 0),
	    1);
	ATF_CHECK_EQ(room_member(t, out.idx, out.rgen, 1000002, &m[0]), 0);
	ATF_CHECK_EQ(m[0].flags, TMF_ADMIN | TMF_HAND);
	ATF_CHECK(m[0].handseq > 0);
	/* all-members changes spare admins */
	ATF_CHECK_EQ(room_mflags(t, out.idx, out.rgen, 0xffffffffu,
	    TMF_REDDOT, 0), 0);
	ATF_REQUIRE_EQ(room_get(t, out.idx, out.rgen, &got), 0);
	ATF_CHECK_STREQ(got.topic, "new topic");
	/* the last one out frees the record; the old generation is gone */
	ATF_CHECK_EQ(room_leave(t, out.idx, out.rgen, &got, &empty), TR_OK);
	ATF_CHECK_EQ(empty, 1);
	ATF_CHECK_EQ(room_get(t, out.idx, out.rgen, &got), -1);
	ATF_CHECK_EQ(room_find(t, 50001, &got), -1);
	ATF_CHECK_EQ(room_myrooms(t, idx, rg), 0);
	ATF_CHECK_EQ(room_leave(t, out.idx, out.rgen, &got, &empty),
	    TR_NOTIN);
	table_close(t);
}

ATF_TC_WITHOUT_HEAD(room_temp_and_limits);
ATF_TC_BODY(room_temp_and_limits, tc)
{
	struct table	*t = open_here();
	struct troom	 r = tmpl(0, "mine"), a, b, out;
	int		 i, ctl, ctl2;
	pid_t		 pid, pid2;
	char		 name[8];

	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, NULL), 0);
	ATF_REQUIRE_EQ(room_join(t, &r, TMF_ADMIN, 2, &a), TR_OK);
	ATF_CHECK(a.id >= PALD_ROOM_TEMP_FIRST);
	ATF_CHECK(a.flags & TRF_TEMP);
	/* a second temporary room gets another id */
	r = tmpl(0, "other");
	ATF_REQUIRE_EQ(room_join(t, &r, 0, 0, &b), TR_OK);
	ATF_CHECK(b.id != a.id);
	/* the limit: one more fits into a (limit 2), the next does not */
	pid = member(1000003, a.id, 2, &ctl);
	pid2 = member(1000004, a.id, 2, &ctl2);
	ATF_REQUIRE_EQ(room_get(t, a.idx, a.rgen, &out), 0);
	ATF_CHECK_EQ(out.nmembers, 2);
	(void)write(ctl, "x", 1);
	(void)write(ctl2, "x", 1);
	(void)waitpid(pid, NULL, 0);
	(void)waitpid(pid2, NULL, 0);
	/* at most PALD_JOINS_MAX rooms per session */
	for (i = 2; i < PALD_JOINS_MAX; i++) {
		(void)snprintf(name, sizeof(name), "r%d", i);
		r = tmpl(0, name);
		ATF_CHECK_EQ(room_join(t, &r, 0, 0, &out), TR_OK);
	}
	r = tmpl(0, "toomany");
	ATF_CHECK_EQ(room_join(t, &r, 0, 0, &out), TR_TOOMANY);
	table_close(t);
}

ATF_TC_WITHOUT_HEAD(room_fanout);
ATF_TC_BODY(room_fanout, tc)
{
	struct table	*t = open_here();
	struct troom	 r = tmpl(50002, "Chat"), out;
	struct tsess	 me;
	pid_t		 pid[3];
	int		 ctl[3], i, kind;
	char		 buf[64];

	for (i = 0; i < 3; i++)
		pid[i] = member(1000010 + (uint32_t)i, 50002, 0, &ctl[i]);
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, &me), 0);
	ATF_REQUIRE_EQ(room_join(t, &r, 0, 0, &out), TR_OK);
	ATF_CHECK_EQ(out.nmembers, 4);
	/* to everyone but ourselves; then to everyone */
	ATF_CHECK_EQ(room_send(t, out.idx, out.rgen, me.slot, TM_FRAME, "hi",
	    2), 3);
	ATF_CHECK_EQ(table_recv(t, &kind, buf, sizeof(buf)), 0);
	ATF_CHECK_EQ(room_send(t, out.idx, out.rgen, -1, TM_FRAME, "all", 3),
	    4);
	ATF_CHECK_EQ(table_recv(t, &kind, buf, sizeof(buf)), 3);
	ATF_CHECK_EQ(room_send(t, out.idx, out.rgen + 1, -1, TM_FRAME, "x",
	    1), -1);
	for (i = 0; i < 3; i++) {
		(void)write(ctl[i], "x", 1);
		(void)waitpid(pid[i], NULL, 0);
	}
	table_close(t);
}

/* A member put out by someone else does not keep its join entry. */
ATF_TC_WITHOUT_HEAD(room_put_out);
ATF_TC_BODY(room_put_out, tc)
{
	struct table	*t = open_here();
	struct troom	 r = tmpl(50004, "Out"), out, was;
	struct tsess	 me;
	char		 name[8];
	int		 i, empty;

	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, &me), 0);
	ATF_REQUIRE_EQ(room_join(t, &r, 0, 0, &out), TR_OK);
	/* as a bounce by another member's child does it */
	ATF_REQUIRE_EQ(room_drop(t, out.idx, me.slot, me.gen, &was, &empty),
	    TR_OK);
	ATF_CHECK_EQ(empty, 1);
	for (i = 0; i < PALD_JOINS_MAX; i++) {
		(void)snprintf(name, sizeof(name), "t%d", i);
		r = tmpl(0, name);
		ATF_CHECK_EQ(room_join(t, &r, 0, 0, &out), TR_OK);
	}
	table_close(t);
}

static struct table *sweep_t;
static int room_swept;

static void
room_sweep_cb(void *arg, const struct tsess *ts)
{
	struct troom	 was;
	int		 k, empty;

	for (k = 0; k < PALD_JOINS_MAX; k++)
		if (ts->rooms[k] != 0 && room_drop(sweep_t, ts->rooms[k] - 1,
		    ts->slot, ts->gen, &was, &empty) == TR_OK)
			room_swept++;
}

/* A member killed in a room: the sweep takes it out. */
ATF_TC_WITHOUT_HEAD(room_sweep_dead);
ATF_TC_BODY(room_sweep_dead, tc)
{
	struct table	*t = open_here();
	struct troom	 r = tmpl(50003, "Chat"), out;
	struct tmember	 m[4];
	int		 ctl;
	pid_t		 pid;

	sweep_t = t;
	pid = member(1000020, 50003, 0, &ctl);
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, NULL), 0);
	ATF_REQUIRE_EQ(room_join(t, &r, 0, 0, &out), TR_OK);
	ATF_CHECK_EQ(out.nmembers, 2);
	ATF_REQUIRE_EQ(kill(pid, SIGKILL), 0);
	ATF_REQUIRE_EQ(waitpid(pid, NULL, 0), pid);
	ATF_CHECK_EQ(table_sweep(t, room_sweep_cb, NULL), 1);
	ATF_CHECK_EQ(room_swept, 1);
	ATF_CHECK_EQ(room_members(t, out.idx, out.rgen, m, 4), 1);
	ATF_CHECK_EQ(m[0].uid, 1000002);
	table_close(t);
}

ATF_TC_WITHOUT_HEAD(voice_endpoints);
ATF_TC_BODY(voice_endpoints, tc)
{
	struct table	*t = open_here();
	struct tvep	 v[4];

	/* only a logged-in session registers */
	ATF_CHECK_EQ(table_vep(t, 50001, "127.0.0.1", 4000, TV_LISTEN, 60),
	    -1);
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "127.0.0.1", 0x1e,
	    NULL), 0);
	ATF_CHECK_EQ(table_veps(t, v, 4), 0);
	ATF_CHECK_EQ(table_vep(t, 50001, "127.0.0.1", 4000, TV_LISTEN, 60),
	    0);
	/* one per session and room: the second replaces the first */
	ATF_CHECK_EQ(table_vep(t, 50001, "127.0.0.1", 4002,
	    TV_LISTEN | TV_SPEAK, 60), 0);
	ATF_CHECK_EQ(table_vep(t, 50002, "127.0.0.1", 4004, TV_SPEAK, 60),
	    0);
	ATF_REQUIRE_EQ(table_veps(t, v, 4), 2);
	ATF_CHECK_EQ(v[0].room, 50001);
	ATF_CHECK_EQ(v[0].uid, 1000002);
	ATF_CHECK_EQ(v[0].port, 4002);
	ATF_CHECK_EQ(v[0].mode, TV_LISTEN | TV_SPEAK);
	ATF_CHECK_STREQ(v[0].addr, "127.0.0.1");
	ATF_CHECK_EQ(v[1].room, 50002);
	/* dropped, and expired ones are not listed */
	ATF_CHECK_EQ(table_vep(t, 50001, "127.0.0.1", 0, 0, 0), 0);
	ATF_CHECK_EQ(table_vep(t, 50002, "127.0.0.1", 4004, TV_SPEAK, 0), 0);
	ATF_CHECK_EQ(table_veps(t, v, 4), 0);
	table_close(t);
}

/* p2p_child - a session in a process of its own with a call entry */
static pid_t
p2p_child(uint32_t uid, int *ctl)
{
	int	 p[2], q[2];
	char	 c = 0;
	pid_t	 pid;

	ATF_REQUIRE_EQ(pipe(p), 0);
	ATF_REQUIRE_EQ(pipe(q), 0);
	if ((pid = fork()) == 0) {
		struct table	*ct = table_open(".", 0);
		struct tp2p	 e;

		memset(&e, 0, sizeof(e));
		e.kind = TP_CALL;
		e.state = TPS_ASKED;
		e.peer = 1000002;
		if (ct == NULL || table_login(ct, uid, "kid", "a", 0x1e,
		    NULL) == -1)
			_exit(1);
		c = (char)table_p2p_put(ct, &e, 20000);
		(void)write(p[1], &c, 1);
		(void)read(q[0], &c, 1);
		_exit(0);
	}
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 1);
	ATF_REQUIRE(c >= 0);
	*ctl = q[1];
	return pid;
}

ATF_TC_WITHOUT_HEAD(p2p_entries);
ATF_TC_BODY(p2p_entries, tc)
{
	struct table	*t = open_here();
	struct tp2p	 e, got, v[8];
	struct tsess	 me, ts;
	uint32_t	 serial;
	int		 i, k, ctl;
	pid_t		 pid;

	memset(&e, 0, sizeof(e));
	e.kind = TP_CALL;
	e.state = TPS_ASKING;
	e.peer = 1000003;
	ATF_CHECK_EQ(table_p2p_put(t, &e, 20000), -1);	/* not logged in */
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, &me), 0);
	ATF_REQUIRE_EQ(table_session(t, me.slot, me.gen, &ts), 0);
	ATF_CHECK_EQ(ts.uid, 1000002);
	ATF_CHECK_EQ(table_session(t, me.slot, me.gen + 1, &ts), -1);
	ATF_REQUIRE((i = table_p2p_put(t, &e, 20000)) >= 0);
	ATF_REQUIRE_EQ(table_p2p_get(t, me.slot, me.gen, TP_CALL, &got), 0);
	ATF_CHECK_EQ(got.idx, i);
	ATF_CHECK_EQ(got.uid, 1000002);
	ATF_CHECK_EQ(got.peer, 1000003);
	ATF_CHECK_EQ(got.state, TPS_ASKING);
	ATF_CHECK_EQ(got.rport, 20000 + 2 * i);
	/* the same kind again: the same entry, its relay port kept */
	serial = got.serial;
	got.state = TPS_ON;
	got.serial = 0;
	ATF_CHECK_EQ(table_p2p_put(t, &got, 0), i);
	ATF_REQUIRE_EQ(table_p2p_get(t, me.slot, me.gen, TP_CALL, &got), 0);
	ATF_CHECK_EQ(got.state, TPS_ON);
	ATF_CHECK_EQ(got.rport, 20000 + 2 * i);
	ATF_CHECK_EQ(got.serial, serial);
	/* dropped and made again: the same place, a new serial */
	table_p2p_drop(t, TP_CALL);
	ATF_CHECK_EQ(table_p2p_put(t, &e, 20000), i);
	ATF_REQUIRE_EQ(table_p2p_get(t, me.slot, me.gen, TP_CALL, &got), 0);
	ATF_CHECK(got.serial != serial);
	/* another kind: another entry, without a relay port (direct) */
	e.kind = TP_FILE;
	ATF_REQUIRE((k = table_p2p_put(t, &e, 0)) >= 0);
	ATF_CHECK(k != i);
	ATF_CHECK_EQ(table_p2ps(t, v, 8), 2);
	ATF_REQUIRE_EQ(table_p2p_get(t, me.slot, me.gen, TP_FILE, &got), 0);
	ATF_CHECK_EQ(got.rport, 0);
	table_p2p_drop(t, TP_CALL);
	ATF_CHECK_EQ(table_p2p_get(t, me.slot, me.gen, TP_CALL, &got), -1);
	ATF_CHECK_EQ(table_p2ps(t, v, 8), 1);
	/* another process's entry, gone with it once its slot is swept */
	pid = p2p_child(1000003, &ctl);
	ATF_REQUIRE_EQ(table_p2ps(t, v, 8), 2);
	ATF_REQUIRE_EQ(table_find(t, 1000003, 0, &ts), 0);
	ATF_CHECK_EQ(table_p2p_get(t, ts.slot, ts.gen, TP_CALL, &got), 0);
	ATF_CHECK_EQ(got.state, TPS_ASKED);
	ATF_REQUIRE_EQ(kill(pid, SIGKILL), 0);
	ATF_REQUIRE_EQ(waitpid(pid, NULL, 0), pid);
	(void)close(ctl);
	ATF_CHECK_EQ(table_sweep(t, NULL, NULL), 1);
	ATF_CHECK_EQ(table_p2p_get(t, ts.slot, ts.gen, TP_CALL, &got), -1);
	ATF_CHECK_EQ(table_p2ps(t, v, 8), 1);
	/* and our own go with our logout */
	table_logout(t);
	ATF_CHECK_EQ(table_p2ps(t, v, 8), 0);
	table_close(t);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, login_find_logout);
	ATF_TP_ADD_TC(tp, once_per_window);
	ATF_TP_ADD_TC(tp, fail_counts);
	ATF_TP_ADD_TC(tp, fail_reuse);
	ATF_TP_ADD_TC(tp, lines_per_address);
	ATF_TP_ADD_TC(tp, lines_full);
	ATF_TP_ADD_TC(tp, capacity);
	ATF_TP_ADD_TC(tp, inbox_roundtrip);
	ATF_TP_ADD_TC(tp, inbox_overflow);
	ATF_TP_ADD_TC(tp, doorbell_rings);
	ATF_TP_ADD_TC(tp, sweep_dead_child);
	ATF_TP_ADD_TC(tp, newest_login_wins);
	ATF_TP_ADD_TC(tp, registration_spacing);
	ATF_TP_ADD_TC(tp, bad_header_reinit);
	ATF_TP_ADD_TC(tp, room_join_leave);
	ATF_TP_ADD_TC(tp, room_temp_and_limits);
	ATF_TP_ADD_TC(tp, room_fanout);
	ATF_TP_ADD_TC(tp, room_sweep_dead);
	ATF_TP_ADD_TC(tp, voice_endpoints);
	ATF_TP_ADD_TC(tp, room_put_out);
	ATF_TP_ADD_TC(tp, room_speaker_drop);
	ATF_TP_ADD_TC(tp, p2p_entries);
	return atf_no_error();
}
