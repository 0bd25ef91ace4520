/*
 * tests/fuzz_session.c - a libFuzzer harness for a session: session.c's
 * handlers, room.c's room_frame, p2p.c's signalling, admin.c's
 * slash-commands and guard.c,
 * run for real against a scratch store and a scratch table.
 *
 * Once per process: a store (the categories and rooms of data/, the
 * system user, alice with admin level 3, bob, carol with level 1), a
 * table, and a child that keeps bob logged in to it (so that IMs, kicks
 * and room lines have someone to go to; the child ends with us).  Then
 * each input is one session from connect to end.  Its first byte says
 * how it starts: before login (from 127.0.0.2), logged in as alice
 * through LYMERICK and LOGIN as the 5.0 client does (127.0.0.1),
 * or put on line at once as alice (127.0.0.3) or carol (127.0.0.4), the
 * cheap way to the handlers of a logged-in session.  The rest is frames
 * (a 6-byte header as the client sends it, then the payload); a frame
 * of type 0x7ffe is not sent by the client but taken as a message from
 * a sibling: its first byte picks the kind (TM_FRAME to TM_P2P), the
 * rest goes to the session's own inbox, and session_inbox reads it (so
 * p2p.c's events from the other side too).  What the session
 * queues for its client is taken as sent after each frame.  Every
 * FUZZ_RESET inputs the store is made anew, so that what the commands
 * add (accounts, bans) does not grow without end.  Built and run by
 * make fuzz.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lograte.h"
#include "../pald.h"
#include "../proto/wire.h"
#include "../sess.h"
#include "../session.h"
#include "../store/db.h"
#include "../store/table.h"
#include "fuzz_util.h"

#define FUZZ_RESET	20000	/* inputs between new stores */
#define T_SIBLING	0x7ffe	/* a frame taken as a sibling's message */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct pald_conf	 conf;
static struct table	*tab;
static struct db	*db;
static uint32_t		 alice, carol;
static unsigned long	 inputs;

/* keeper - bob's session in the table, in a child, until we are gone */
static void
keeper(void)
{
	pid_t	 parent = getpid();
	struct tsess me;

	switch (fork()) {
	case -1:
		err(1, "fork");
	case 0:
		tab = table_forked(tab);
		if (table_login(tab, PALD_UID_FIRST + 1, "bob", "127.0.0.9",
		    ST_ONLINE, &me) == -1)
			_exit(1);
		while (getppid() == parent)
			(void)sleep(1);
		_exit(0);
	}
}

/* store_new - a new store with the accounts; the old one goes */
static void
store_new(void)
{
	const char	*home;

	if (db != NULL)
		db_close(db);
	home = fz_dir("db");
	fz_rmtree(home);
	home = fz_dir("db");
	db = fz_store(home, &conf);
	alice = fz_user(db, "alice", "alice-pw", 3);
	if (fz_user(db, "bob", "bob-pw", 0) != PALD_UID_FIRST + 1)
		errx(1, "bob is not uid %u", PALD_UID_FIRST + 1);
	carol = fz_user(db, "carol", "carol-pw", 1);
}

static void
setup(void)
{
	fz_quiet();
	fz_conf(&conf);
	(void)strlcpy(conf.dbhome, fz_dir("db"), sizeof(conf.dbhome));
	(void)strlcpy(conf.rundir, fz_dir("run"), sizeof(conf.rundir));
	if ((tab = table_open(conf.rundir, 1)) == NULL)
		errx(1, "%s: table", conf.rundir);
	lograte_init(tab, &conf.log_rate);
	(void)signal(SIGPIPE, SIG_IGN);
	keeper();		/* before any store handle exists */
	store_new();
}

/* drain - what the session queued counts as sent */
static void
drain(struct session *s)
{
	size_t	 len;

	(void)session_out(s, &len);
	session_sent(s, len);
}

/* frame - one frame to the session; -1 when it ends the session */
static int
frame(struct session *s, int type, const void *p, size_t len)
{
	unsigned char	 b[WIRE_HDRLEN + PALD_FRAME_MAX];
	struct wire_frame f;
	size_t		 n;

	n = wire_encode(b, sizeof(b), type, p, len);
	if (n == 0 || wire_decode(b, n, sizeof(b), &f) <= 0)
		return 0;
	return session_frame(s, &f);
}

/* challenge - the one in the SERVER_KEY the session queued, or -1 */
static int
challenge(struct session *s)
{
	const unsigned char *p;
	struct wire_frame f;
	size_t		 len;
	ssize_t		 n;
	char		 d[4];

	p = session_out(s, &len);
	while (p != NULL && (n = wire_decode(p, len, 65535, &f)) > 0) {
		if (f.type == PT_SERVER_KEY && f.len == 7) {
			memcpy(d, f.payload + 4, 3);
			d[3] = '\0';
			return atoi(d) - 509;
		}
		p += n;
		len -= (size_t)n;
	}
	return -1;
}

/* login - alice's login as the 5.0 client makes it: 0, or -1 */
static int
login(struct session *s)
{
	unsigned char	 b[4 + 128];
	char		 enc[128];
	uint32_t	 seed = 7;
	int		 ch, n;

	fz_password(db, alice, "alice-pw");	/* an input may change it */
	memset(b, 0, sizeof(b));
	wire_put32(b, alice);
	if (frame(s, PT_C_LYMERICK, b, 10) == -1 ||
	    (ch = challenge(s)) < 0)
		return -1;
	drain(s);
	if ((n = lym_encode(1, ch, "alice-pw", 8, enc, sizeof(enc),
	    &seed)) <= 0)
		return -1;
	memcpy(b + 4, enc, (size_t)n);
	if (frame(s, PT_C_LOGIN, b, 4 + (size_t)n) == -1)
		return -1;
	drain(s);
	return 0;
}

/* online - the session put on line as uid at once (no bootstrap) */
static int
online(struct session *s, uint32_t uid)
{
	if (db_user_get(db, uid, &s->u) != DBR_OK ||
	    table_login(tab, uid, s->u.nick, s->addr, ST_ONLINE, &s->me) == -1)
		return -1;
	s->state = S_ONLINE;
	s->status = ST_ONLINE;
	return 0;
}

/* sibling - a message for our own inbox, then read as the child does */
static int
sibling(struct session *s, const unsigned char *p, size_t len)
{
	if (len == 0 || s->state != S_ONLINE)
		return 0;
	(void)table_send(tab, s->me.slot, s->me.gen, 1 + p[0] % 5, p + 1,
	    len - 1);
	return session_inbox(s, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const from[] = { "127.0.0.2", "127.0.0.1",
	    "127.0.0.3", "127.0.0.4" };
	struct sockaddr_in peer, local;
	struct wire_frame f;
	struct session	*s;
	unsigned char	*p;
	ssize_t		 n;
	size_t		 len;
	int		 mode, r = 0;

	if (tab == NULL)
		setup();
	if (++inputs % FUZZ_RESET == 0)
		store_new();
	if (size < 1)
		return 0;
	mode = data[0] % 4;
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	(void)inet_pton(AF_INET, from[mode], &peer.sin_addr);
	local = peer;
	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = session_new(db, tab, &conf, (struct sockaddr *)&peer,
	    (struct sockaddr *)&local)) == NULL)
		return 0;
	if (mode == 1)
		r = login(s);
	else if (mode > 1)
		r = online(s, mode == 2 ? alice : carol);
	/* a copy of exactly the frames' bytes: ASan sees overreads */
	len = size - 1;
	if (r == 0 && (p = malloc(len == 0 ? 1 : len)) != NULL) {
		memcpy(p, data + 1, len);
		for (n = 0; len > 0 && r == 0; len -= (size_t)n) {
			if ((n = wire_decode(p + (size - 1 - len), len,
			    PALD_FRAME_MAX, &f)) <= 0)
				break;
			if ((uint16_t)f.type == T_SIBLING)
				r = sibling(s, f.payload, f.len);
			else
				r = session_frame(s, &f);
			drain(s);
		}
		free(p);
	}
	(void)session_tick(s, time(NULL));
	session_end(s, "fuzz");
	session_free(s);
	return 0;
}
