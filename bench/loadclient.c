/*
 * loadclient.c - log N users in to a pald on 127.0.0.1 the way the
 * Paltalk 5.0 client does, C logins at a time, hold every connection
 * open, and report how fast and how well it went.
 *
 * NAME
 *	loadclient - login load generator for pald (benchmark only)
 * SYNOPSIS
 *	loadclient -p port [-n users] [-c concurrency] [-P prefix]
 *	    [-w password] [-H hold] [-r] [-T deadline] [-t timeout]
 *	    [-R readyfile] [-a 127.0.0.1] [-q]
 *	loadclient -S
 * DESCRIPTION
 *	Each user logs in as the 5.0 client does (PROTOCOL.md 2.3):
 *
 *	connection A: CLIENT_HELLO -100 (uid 0), wait for HELLO +-117,
 *	    GET_UIN -1131 ("00 00 00 01" + nickname), wait for
 *	    UIN_RESPONSE 0x046b, close;
 *	connection B: CLIENT_HELLO -100 (uid), wait for HELLO,
 *	    LYMERICK -1130 (10 bytes), wait for SERVER_KEY 0x0474,
 *	    challenge = atoi(bytes 4..6) - 509, LOGIN -1148 (uid and the
 *	    variant 1 encoding of the password), wait for LOGIN_SUCCESS
 *	    0x04a6.
 *
 *	The latency of a login runs from the connect of A to the arrival of
 *	LOGIN_SUCCESS on B.  Logged-in connections are held (whatever the
 *	server sends is read and thrown away) for -H seconds, or until
 *	SIGUSR1; with -r all of them are then closed and all N users log in
 *	again, and the time for that is reported as well.
 *
 *	Only 127.0.0.1 is ever connected to.  Every loop is bounded by a
 *	count or by the global deadline (-T).  Output is one line per
 *	figure, "key=value" words, for run-login.sh to read.
 *
 *	-S checks the password encoder against the worked example of
 *	PROTOCOL.md 4.4 and exits.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Packet types (PROTOCOL.md 2.3). */
#define T_CLIENT_HELLO		(-100)
#define T_HELLO_NEG		(-117)
#define T_HELLO_POS		117
#define T_GET_UIN		(-1131)
#define T_UIN_RESPONSE		0x046b
#define T_LYMERICK		(-1130)
#define T_SERVER_KEY		0x0474
#define T_LOGIN			(-1148)
#define T_LOGIN_SUCCESS		0x04a6
#define T_RETURN_CODE		0x0064
#define T_SERVER_DISCONNECT	0x044c
#define T_REDIRECT		(-119)
/* Rooms (PROTOCOL.md 5.7). */
#define T_ROOM_CREATE		(-300)
#define T_ROOM_JOIN		(-310)
#define T_ROOM_MESSAGE_OUT	(-350)
#define T_ROOM_JOINED		0x0136
#define T_ROOM_USERLIST		0x0154
#define T_ROOM_MESSAGE_IN	0x015e

#define PROTO_VERSION		0x0047	/* what the 5.0 client sends */
#define HDRLEN			6
#define KEEP_MAX		256	/* payload bytes kept per frame */
#define OUT_MAX			160	/* one client frame at most */
#define NICK_MAX		32
#define PASS_MIN		4
#define PASS_MAX		20
#define USERS_MAX		100000
#define CONC_MAX		4096
#define FD_SLACK		64	/* stdio, epoll, ready file, ... */
#define EVENTS			512
#define READBUF			65536
#define READS_PER_EVENT		4	/* reads per ready descriptor per wakeup */
#define TICK_MS			100
#define SENDERS_MAX		64
#define MSGS_MAX		100000	/* per sender */
#define RATE_MAX		1000	/* messages per second per sender */
#define TIMER_TAG		UINT64_MAX	/* epoll data of the pacing timer */
#define ROOM_CATEGORY		30001	/* of a room made with -J new */
#define QUIET_MS		300	/* join bursts drained: this long silent */
#define QUIET_MAX		10	/* seconds, at most, waiting for that */
#define DRAIN_SECS		10	/* after the last line sent */
#define MARK			"pald-bench "	/* starts every bench line */

/*
 * The 5.0 client's key (PROTOCOL.md 4.1): 354 bytes, "becuase", and a
 * line feed at the end.
 */
static const char lymerick[] =
    "Ginger was a big fat horse, a big fat horse was she. "
    "But don't tell that to MaryLou becuase in love with her is she."
    "I tell you this in private, because I thought that you should know."
    "But never say to MaryLou or both our heads will go."
    "I've said it once, I've said it twice, I'll say it once again."
    "Not a word of this to you know who or it will be our end!\n";
_Static_assert(sizeof(lymerick) - 1 == 354, "the lymerick is 354 bytes");

enum state {
	ST_IDLE,	/* not started (or closed before a new round) */
	ST_A_CONN,	/* connection A: connect in progress */
	ST_A_HELLO,	/* CLIENT_HELLO sent, waiting for HELLO */
	ST_A_UIN,	/* GET_UIN sent, waiting for UIN_RESPONSE */
	ST_B_CONN,
	ST_B_HELLO,
	ST_B_KEY,	/* LYMERICK sent, waiting for SERVER_KEY */
	ST_B_LOGIN,	/* LOGIN sent, waiting for LOGIN_SUCCESS */
	ST_HELD,	/* logged in */
	ST_FAILED,
	ST_LOST		/* logged in, then the server closed */
};

enum fail {
	F_CONNECT,	/* connect(2) failed or was refused */
	F_CLOSED,	/* the server closed before LOGIN_SUCCESS */
	F_REFUSED,	/* RETURN_CODE or SERVER_DISCONNECT instead */
	F_NOUSER,	/* uid=-1 for the nickname */
	F_TIMEOUT,	/* no LOGIN_SUCCESS within -t seconds */
	F_PROTO,	/* a reply the client cannot use */
	F_IO,		/* read or write error */
	F_NREASONS
};

static const char *const fail_name[F_NREASONS] = {
	"connect", "closed", "refused", "nouser", "timeout", "proto", "io"
};

struct user {
	int		 fd;
	uint32_t	 gen;		/* changes with every new descriptor */
	enum state	 state;
	uint32_t	 uid;
	int		 challenge;
	double		 t0;		/* login start, seconds (monotonic) */
	/* frame reader: header, then payload (first KEEP_MAX bytes kept) */
	unsigned char	 hdr[HDRLEN];
	size_t		 hdrgot;
	size_t		 plen, pgot;
	unsigned char	 keep[KEEP_MAX];
	/* one frame waiting for the socket */
	unsigned char	 out[OUT_MAX];
	size_t		 outoff, outlen;
	int		 wantout;	/* EPOLLOUT registered */
	/* room mode */
	enum {
		R_OUT, R_SENT, R_JOINED, R_IN, R_FAILED
	}		 rstate;
	int		 eofm;		/* "eof=Y" matched so far in a frame */
	int		 eofhit;	/* ... and found in this frame */
};

struct round {
	const char	*name;
	int		 ok, fail;
	int		 reasons[F_NREASONS];
	double		 start, end;
	double		*lat;		/* ms, ok entries used */
};

static struct user	*users;
static int		 nusers = 100, conc = 50, port = -1, quiet;
static const char	*prefix = "bench", *password = "benchpw1";
static double		 hold_secs = 0, deadline_secs = 120, login_timeout = 30;
static const char	*readyfile;
static double		 deadline;	/* absolute, monotonic seconds */
static int		 ep = -1;
static int		 inflight, nextuser;
static int		 lost_in_hold;
static unsigned char	 rbuf[READBUF];
static uint32_t		 lcg = 12345;
static volatile sig_atomic_t got_usr1, got_term;

/* room mode (-J) */
static int		 roommode, roomnew, nsenders = 1, nmsgs = 20, rate = 10;
static uint32_t		 roomid;
static const char	*donefile;
static int		 jinflight, jok, jfail, rmembers;
static double		 last_rx;	/* monotonic seconds of the last read */
static uint16_t		*rcount;	/* deliveries per line [s * nmsgs + q] */
static unsigned char	*rsent;		/* the line was sent */
static double		*rlat;		/* ms per delivery */
static long		 rlat_cap, rlat_n, r_dup, r_echo, r_bad;
static double		 r_first_send, r_last_rx, r_cpu0;
static int		 timer_fired;
static void
usage(void)
{
	fprintf(stderr, "usage: loadclient -p port [-n users] [-c concurrency] "
	    "[-P prefix] [-w password]\n"
	    "                  [-H hold] [-r] [-T deadline] [-t timeout] "
	    "[-R readyfile] [-a 127.0.0.1] [-q]\n"
	    "                  [-J room|new [-s senders] [-k lines] "
	    "[-m rate] [-E donefile]]\n"
	    "       loadclient -S\n");
	exit(2);
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "loadclient: %s: %s\n", what, why);
	exit(1);
}

static double
now(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static long
number(const char *s, long min, long max, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "loadclient: %s: %s: not a number in %ld..%ld\n",
		    what, s, min, max);
		exit(2);
	}
	return v;
}

static void
put16(unsigned char *p, int v)
{
	p[0] = (unsigned char)((unsigned)v >> 8);
	p[1] = (unsigned char)v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
get16s(const unsigned char *p)
{
	return (int)(int16_t)(uint16_t)((p[0] << 8) | p[1]);
}

static size_t
get16u(const unsigned char *p)
{
	return (size_t)((p[0] << 8) | p[1]);
}

/* check_digit - the 5.0 client uses rand(); any digit will do */
static char
check_digit(void)
{
	lcg = lcg * 214013u + 2531011u;
	return (char)('0' + ((lcg >> 16) & 0x7fff) % 8);
}

/*
 * encode_v1 - PROTOCOL.md 4.2 variant 1: N = 122 + s[i] + K[ch+i] +
 * i*(13-i), printed with %d as the 5.0 client does, then a check digit
 * (fixed '0' when fixed is set, for the self test).  Returns the length,
 * or -1 when the result does not fit or the key is overrun.
 */
static int
encode_v1(const char *s, int ch, char *dst, size_t size, int fixed)
{
	size_t	 i, n = strlen(s), off = 0;
	int	 v, k;

	for (i = 0; i < n; i++) {
		if (ch < 0 || (size_t)ch + i >= sizeof(lymerick) - 1)
			return -1;
		v = 122 + (signed char)s[i] + (signed char)lymerick[ch + i] +
		    (int)i * (13 - (int)i);
		k = snprintf(dst + off, size - off, "%d", v);
		if (k < 0 || (size_t)k + 1 >= size - off)
			return -1;
		off += (size_t)k;
		dst[off++] = fixed ? '0' : check_digit();
	}
	dst[off] = '\0';
	return (int)off;
}

/* selftest - PROTOCOL.md 4.4: h2kclan, challenge 10 */
static int
selftest(void)
{
	const char	*want = "2580281028303490371036203060";
	char		 b[128];

	if (encode_v1("h2kclan", 10, b, sizeof(b), 1) < 0 ||
	    strcmp(b, want) != 0) {
		printf("selftest FAILED: got %s, want %s\n", b, want);
		return 1;
	}
	if (memcmp(lymerick + 10, " a big ", 7) != 0 ||
	    lymerick[353] != '\n') {
		printf("selftest FAILED: key\n");
		return 1;
	}
	printf("selftest ok: h2kclan ch 10 -> %s\n", b);
	return 0;
}

static void
ep_set(struct user *u, int add)
{
	struct epoll_event	 ev;
	int			 idx = (int)(u - users);

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP;
	if (u->state == ST_A_CONN || u->state == ST_B_CONN ||
	    u->outlen > u->outoff)
		ev.events |= EPOLLOUT;
	u->wantout = (ev.events & EPOLLOUT) != 0;
	ev.data.u64 = ((uint64_t)u->gen << 32) | (uint32_t)idx;
	if (epoll_ctl(ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, u->fd,
	    &ev) == -1) {
		perror("loadclient: epoll_ctl");
		exit(1);
	}
}

static void
close_fd(struct user *u)
{
	if (u->fd != -1) {
		(void)close(u->fd);	/* also leaves the epoll set */
		u->fd = -1;
	}
	u->hdrgot = u->plen = u->pgot = 0;
	u->outoff = u->outlen = 0;
	u->wantout = 0;
}

static void
fail(struct round *r, struct user *u, enum fail why)
{
	close_fd(u);
	u->state = ST_FAILED;
	r->fail++;
	r->reasons[why]++;
	inflight--;
}

/* open_conn - a non-blocking connect to 127.0.0.1:port; -1 on failure */
static int
open_conn(struct user *u)
{
	struct sockaddr_in	 sin;

	u->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (u->fd == -1) {
		if (errno == EMFILE || errno == ENFILE) {
			perror("loadclient: socket (descriptor limit)");
			exit(1);
		}
		return -1;
	}
	u->gen++;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);	/* nothing else */
	if (connect(u->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		(void)close(u->fd);
		u->fd = -1;
		return -1;
	}
	ep_set(u, 1);
	return 0;
}

/* queue - one whole frame into the user's (empty) output buffer */
static int
queue(struct user *u, int type, const void *p, size_t len)
{
	if (u->outlen != u->outoff || HDRLEN + len > OUT_MAX)
		return -1;
	put16(u->out, type);
	put16(u->out + 2, PROTO_VERSION);
	put16(u->out + 4, (int)len);
	if (len > 0)
		memcpy(u->out + HDRLEN, p, len);
	u->outoff = 0;
	u->outlen = HDRLEN + len;
	return 0;
}

/* flush - write what is queued; -1 on a dead socket */
static int
flush(struct user *u)
{
	ssize_t	 n;
	int	 tries;

	for (tries = 0; tries < 4 && u->outoff < u->outlen; tries++) {
		n = write(u->fd, u->out + u->outoff, u->outlen - u->outoff);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		u->outoff += (size_t)n;
	}
	if (u->outoff == u->outlen)
		u->outoff = u->outlen = 0;
	if ((u->outlen > u->outoff) != u->wantout)
		ep_set(u, 0);
	return 0;
}

static int
send_frame(struct user *u, int type, const void *p, size_t len)
{
	if (queue(u, type, p, len) == -1)
		return -1;
	return flush(u);
}

static void
nickname(int i, char *b, size_t size)
{
	(void)snprintf(b, size, "%s%d", prefix, i);
}

/* start - begin one user's login with connection A */
static void
start(struct round *r, struct user *u)
{
	u->t0 = now();
	u->uid = 0;
	u->state = ST_A_CONN;
	inflight++;
	if (open_conn(u) == -1)
		fail(r, u, F_CONNECT);
}

/* connected - a connect finished: CLIENT_HELLO with the uid we know */
static void
connected(struct round *r, struct user *u)
{
	unsigned char	 b[4];
	int		 e = 0;
	socklen_t	 len = sizeof(e);

	if (getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1 ||
	    e != 0) {
		fail(r, u, F_CONNECT);
		return;
	}
	u->state = u->state == ST_A_CONN ? ST_A_HELLO : ST_B_HELLO;
	put32(b, u->uid);
	/* flush drops EPOLLOUT once nothing is left to write */
	if (send_frame(u, T_CLIENT_HELLO, b, 4) == -1)
		fail(r, u, F_IO);
}

static void
logged_in(struct round *r, struct user *u)
{
	r->lat[r->ok++] = (now() - u->t0) * 1000.0;
	u->state = ST_HELD;
	inflight--;
}

/*
 * scan_eof - look for "eof=Y" in a user list (0x0154) frame, which may
 * be longer than what is kept of it.  No proper prefix of the pattern is
 * also its suffix, so a mismatch only has to look at the first byte.
 */
static void
scan_eof(struct user *u, const unsigned char *p, size_t n)
{
	static const char pat[] = "eof=Y";
	size_t	 i;

	for (i = 0; i < n && !u->eofhit; i++) {
		if (p[i] == (unsigned char)pat[u->eofm])
			u->eofm++;
		else
			u->eofm = p[i] == (unsigned char)pat[0];
		if (u->eofm == (int)sizeof(pat) - 1)
			u->eofhit = 1;
	}
}

static long long
now_ns(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * delivered - a room line from a bench sender: "pald-bench s=S q=Q t=NS"
 * (sender index, sequence number, send time in CLOCK_MONOTONIC ns).
 */
static void
delivered(struct user *u, const unsigned char *p, size_t len)
{
	char		 text[KEEP_MAX];
	long long	 t, rx = now_ns();
	long		 s, q;
	uint32_t	 from;
	size_t		 n = len - 8;

	from = get32(p + 4);
	if (from == 0)
		return;		/* the room's own welcome lines */
	memcpy(text, p + 8, n);
	text[n] = '\0';
	if (strncmp(text, MARK, sizeof(MARK) - 1) != 0)
		return;
	if (sscanf(text + sizeof(MARK) - 1, "s=%ld q=%ld t=%lld", &s, &q,
	    &t) != 3 || s < 0 || s >= nsenders || q < 0 || q >= nmsgs ||
	    !rsent[s * nmsgs + q] || users[s].uid != from) {
		r_bad++;
		return;
	}
	if (u == &users[s]) {
		r_echo++;	/* the sender's own line came back */
		return;
	}
	if (rcount[s * nmsgs + q] >= rmembers - 1) {
		r_dup++;
		return;
	}
	rcount[s * nmsgs + q]++;
	if (rlat_n < rlat_cap)
		rlat[rlat_n++] = (double)(rx - t) / 1e6;
	r_last_rx = (double)rx / 1e9;
}

/* room_frame - a frame for a logged-in user in room mode */
static void
room_frame(struct user *u, int type, size_t kept)
{
	int	 done = 0;

	switch (type) {
	case T_ROOM_JOINED:
		if (kept >= 4 && roomnew && roomid == 0)
			roomid = get32(u->keep);
		if (u->rstate == R_SENT)
			u->rstate = R_JOINED;
		return;
	case T_ROOM_USERLIST:
		done = u->eofhit;
		break;
	case T_RETURN_CODE:
		if (kept >= 4 && (get16s(u->keep) == T_ROOM_JOIN ||
		    get16s(u->keep) == T_ROOM_CREATE) &&
		    get16u(u->keep + 2) != 0 &&
		    (u->rstate == R_SENT || u->rstate == R_JOINED)) {
			u->rstate = R_FAILED;
			jfail++;
			jinflight--;
		}
		return;
	case T_ROOM_MESSAGE_IN:
		if (kept >= 8 && kept < KEEP_MAX && rcount != NULL)
			delivered(u, u->keep, kept);
		return;
	default:
		return;
	}
	if (done && (u->rstate == R_SENT || u->rstate == R_JOINED)) {
		u->rstate = R_IN;
		jok++;
		jinflight--;
	}
}

/* frame - one whole frame (first KEEP_MAX payload bytes in u->keep) */
static void
frame(struct round *r, struct user *u, int type, size_t len)
{
	unsigned char	 b[OUT_MAX];
	char		 nick[NICK_MAX + 16], digits[4], *end;
	const char	*p;
	size_t		 kept = len < KEEP_MAX ? len : KEEP_MAX;
	long		 v;
	int		 n;

	if (u->state == ST_HELD) {
		if (roommode)
			room_frame(u, type, kept);
		return;		/* otherwise drained and thrown away */
	}
	if (type == T_SERVER_DISCONNECT || type == T_REDIRECT) {
		fail(r, u, F_REFUSED);
		return;
	}
	if (type == T_RETURN_CODE && kept >= 4 &&
	    get16s(u->keep) == T_LOGIN && get16u(u->keep + 2) != 0) {
		fail(r, u, F_REFUSED);
		return;
	}
	switch (u->state) {
	case ST_A_HELLO:
		if (type != T_HELLO_NEG && type != T_HELLO_POS) {
			fail(r, u, F_PROTO);
			return;
		}
		put32(b, 1);
		nickname((int)(u - users), nick, sizeof(nick));
		n = (int)strlen(nick);
		memcpy(b + 4, nick, (size_t)n);
		u->state = ST_A_UIN;
		if (send_frame(u, T_GET_UIN, b, 4 + (size_t)n) == -1)
			fail(r, u, F_IO);
		return;
	case ST_A_UIN:
		if (type != T_UIN_RESPONSE)
			return;		/* the client skips other packets */
		if (kept < 5 || memcmp(u->keep, "uid=", 4) != 0) {
			fail(r, u, F_PROTO);
			return;
		}
		u->keep[kept < KEEP_MAX ? kept : KEEP_MAX - 1] = '\0';
		p = (const char *)u->keep + 4;
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno != 0 || v > 0x7fffffffL) {
			fail(r, u, F_PROTO);
			return;
		}
		if (v <= 0) {
			fail(r, u, F_NOUSER);
			return;
		}
		u->uid = (uint32_t)v;
		close_fd(u);		/* the client closes connection A */
		u->state = ST_B_CONN;
		if (open_conn(u) == -1)
			fail(r, u, F_CONNECT);
		return;
	case ST_B_HELLO:
		if (type != T_HELLO_NEG && type != T_HELLO_POS) {
			fail(r, u, F_PROTO);
			return;
		}
		put32(b, u->uid);
		put32(b + 4, 1);
		put16(b + 8, 0);	/* not a first run */
		u->state = ST_B_KEY;
		if (send_frame(u, T_LYMERICK, b, 10) == -1)
			fail(r, u, F_IO);
		return;
	case ST_B_KEY:
		if (type != T_SERVER_KEY)
			return;		/* drained, as the 5.0 client does */
		if (kept < 7) {
			fail(r, u, F_PROTO);
			return;
		}
		memcpy(digits, u->keep + 4, 3);
		digits[3] = '\0';
		u->challenge = atoi(digits) - 509;
		put32(b, u->uid);
		if ((n = encode_v1(password, u->challenge, (char *)b + 4,
		    sizeof(b) - 4, 0)) < 0) {
			fail(r, u, F_PROTO);
			return;
		}
		u->state = ST_B_LOGIN;
		if (send_frame(u, T_LOGIN, b, 4 + (size_t)n) == -1)
			fail(r, u, F_IO);
		return;
	case ST_B_LOGIN:
		if (type == T_LOGIN_SUCCESS)
			logged_in(r, u);
		return;
	default:
		return;
	}
}

/* feed - bytes from the socket through the frame reader */
static void
feed(struct round *r, struct user *u, const unsigned char *p, size_t n)
{
	size_t		 take;
	uint32_t	 gen = u->gen;

	while (n > 0) {
		if (u->hdrgot < HDRLEN) {
			take = HDRLEN - u->hdrgot;
			if (take > n)
				take = n;
			memcpy(u->hdr + u->hdrgot, p, take);
			u->hdrgot += take;
			p += take;
			n -= take;
			if (u->hdrgot < HDRLEN)
				return;
			u->plen = get16u(u->hdr + 4);
			u->pgot = 0;
			u->eofm = u->eofhit = 0;
		}
		take = u->plen - u->pgot;
		if (take > n)
			take = n;
		if (roommode && get16s(u->hdr) == T_ROOM_USERLIST)
			scan_eof(u, p, take);
		if (u->pgot < KEEP_MAX)
			memcpy(u->keep + u->pgot, p, u->pgot + take > KEEP_MAX ?
			    KEEP_MAX - u->pgot : take);
		u->pgot += take;
		p += take;
		n -= take;
		if (u->pgot < u->plen)
			return;
		u->hdrgot = 0;
		frame(r, u, get16s(u->hdr), u->plen);
		/* the frame may have closed or replaced the descriptor */
		if (u->gen != gen || u->fd == -1)
			return;
	}
}

/* readable - read what is there (a few reads at most) */
static void
readable(struct round *r, struct user *u)
{
	ssize_t	 n;
	int	 i;
	uint32_t gen = u->gen;

	for (i = 0; i < READS_PER_EVENT; i++) {
		n = read(u->fd, rbuf, sizeof(rbuf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			n = 0;		/* a reset counts as a close */
		}
		if (n == 0) {
			if (u->state == ST_HELD) {
				close_fd(u);
				u->state = ST_LOST;
				lost_in_hold++;
			} else
				fail(r, u, F_CLOSED);
			return;
		}
		last_rx = now();
		feed(r, u, rbuf, (size_t)n);
		if (u->gen != gen || u->fd == -1 || (size_t)n < sizeof(rbuf))
			return;
	}
}

/* event - one epoll event for a user */
static void
event(struct round *r, const struct epoll_event *ev)
{
	uint32_t	 idx = (uint32_t)ev->data.u64;
	uint32_t	 gen = (uint32_t)(ev->data.u64 >> 32);
	struct user	*u;

	if (idx >= (uint32_t)nusers)
		return;
	u = &users[idx];
	if (u->fd == -1 || u->gen != gen)
		return;		/* stale: the descriptor changed */
	if (u->state == ST_A_CONN || u->state == ST_B_CONN) {
		if (ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			connected(r, u);
		return;
	}
	if ((ev->events & EPOLLOUT) && flush(u) == -1) {
		fail(r, u, F_IO);
		return;
	}
	if (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		readable(r, u);
}

/* timeouts - logins that took longer than -t */
static void
timeouts(struct round *r, double t)
{
	int	 i;

	for (i = 0; i < nusers; i++)
		if (users[i].state >= ST_A_CONN &&
		    users[i].state <= ST_B_LOGIN &&
		    t - users[i].t0 > login_timeout)
			fail(r, &users[i], F_TIMEOUT);
}

/* wait_events - one epoll_wait of at most ms, and its events handled */
static void
wait_events(struct round *r, int ms)
{
	static struct epoll_event evs[EVENTS];
	int	 n, i;

	n = epoll_wait(ep, evs, EVENTS, ms);
	if (n == -1) {
		if (errno == EINTR)
			return;
		perror("loadclient: epoll_wait");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		if (evs[i].data.u64 == TIMER_TAG)
			timer_fired = 1;
		else
			event(r, &evs[i]);
	}
}

static int
remaining_ms(double until)
{
	double	 left = until - now();

	if (left <= 0)
		return 0;
	if (left > TICK_MS / 1000.0)
		return TICK_MS;
	return (int)(left * 1000.0) + 1;
}

/* login_round - all N users logged in, C at a time; 0 unless cut short */
static int
login_round(struct round *r)
{
	double	 t, lastscan;
	int	 i, done;

	r->start = lastscan = now();
	inflight = 0;
	nextuser = 0;
	for (i = 0; i < nusers; i++)
		users[i].state = ST_IDLE;
	for (;;) {
		while (inflight < conc && nextuser < nusers && !got_term)
			start(r, &users[nextuser++]);
		done = r->ok + r->fail;
		if (done >= nusers)
			break;
		t = now();
		if (t >= deadline || got_term) {
			/* whatever is still on its way counts as a timeout */
			for (i = 0; i < nusers; i++)
				if (users[i].state != ST_HELD &&
				    users[i].state != ST_FAILED) {
					if (users[i].state == ST_IDLE) {
						users[i].state = ST_FAILED;
						r->fail++;
						r->reasons[F_TIMEOUT]++;
					} else
						fail(r, &users[i], F_TIMEOUT);
				}
			r->end = now();
			return -1;
		}
		wait_events(r, remaining_ms(deadline));
		if ((t = now()) - lastscan >= TICK_MS / 1000.0) {
			timeouts(r, t);
			lastscan = t;
		}
	}
	r->end = now();
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* pct - nearest-rank percentile of a sorted array */
static double
pct(const double *v, int n, double p)
{
	long	 k;

	if (n == 0)
		return 0;
	k = (long)(p / 100.0 * n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static void
report(struct round *r)
{
	double	 wall = r->end - r->start;
	int	 i;

	qsort(r->lat, (size_t)r->ok, sizeof(double), cmp_double);
	printf("round=%s n=%d ok=%d fail=%d wall_s=%.3f logins_per_s=%.1f "
	    "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", r->name, nusers, r->ok,
	    r->fail, wall, wall > 0 ? r->ok / wall : 0.0,
	    pct(r->lat, r->ok, 50), pct(r->lat, r->ok, 99),
	    r->ok ? r->lat[r->ok - 1] : 0.0);
	printf("failures:%s", r->fail ? "" : " none");
	for (i = 0; i < F_NREASONS; i++)
		if (r->reasons[i])
			printf(" %s=%d", fail_name[i], r->reasons[i]);
	printf("\n");
	(void)fflush(stdout);
}

static int
count_held(void)
{
	int	 i, n = 0;

	for (i = 0; i < nusers; i++)
		if (users[i].state == ST_HELD)
			n++;
	return n;
}

/* hold - keep every connection, drain, until -H, SIGUSR1 or deadline */
static void
hold(struct round *r)
{
	double	 t0 = now(), until = t0 + hold_secs;
	FILE	*fp;

	if (until > deadline) {
		until = deadline;
		if (!quiet)
			fprintf(stderr, "loadclient: the hold ends at the "
			    "deadline (-T)\n");
	}
	if (readyfile != NULL) {
		if ((fp = fopen(readyfile, "w")) == NULL ||
		    fprintf(fp, "held=%d\n", count_held()) < 0 ||
		    fclose(fp) == EOF)
			die(readyfile, "cannot write the ready file");
	}
	if (!quiet)
		fprintf(stderr, "loadclient: holding %d connections\n",
		    count_held());
	lost_in_hold = 0;
	while (!got_usr1 && !got_term && now() < until)
		wait_events(r, remaining_ms(until));
	printf("hold held=%d lost=%d seconds=%.1f\n", count_held(),
	    lost_in_hold, now() - t0);
	(void)fflush(stdout);
}

/* cpu_now - this process's user + system CPU so far, seconds */
static double
cpu_now(void)
{
	struct rusage	 ru;

	(void)getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* join_one - ROOM_JOIN -310 (or ROOM_CREATE -300 with -J new) for u */
static void
join_one(struct user *u, int create)
{
	unsigned char	 b[64];
	size_t		 n;

	u->t0 = now();
	u->rstate = R_SENT;
	jinflight++;
	if (create) {
		put32(b, 0);			/* flags: a text room */
		put16(b + 4, ROOM_CATEGORY);
		put32(b + 6, 0x0000082a);
		b[10] = 'G';
		n = 11 + (size_t)snprintf((char *)b + 11, sizeof(b) - 11,
		    "bench room %d", (int)getpid());
		if (send_frame(u, T_ROOM_CREATE, b, n) == 0)
			return;
	} else {
		put32(b, roomid);
		put16(b + 4, 0);		/* not invisible */
		put32(b + 6, 0x0000082a);
		if (send_frame(u, T_ROOM_JOIN, b, 10) == 0)
			return;
	}
	u->rstate = R_FAILED;
	jfail++;
	jinflight--;
}

/*
 * join_round - every logged-in user into the room, C joins at a time,
 * each complete when its user list (0x0154 with eof=Y) has arrived.
 * With -J new user 0 makes the room first.  Returns the members.
 */
static int
join_round(struct round *r)
{
	double	 t, start = now();
	int	 i, next = 0, want = 0;

	for (i = 0; i < nusers; i++)
		if (users[i].state == ST_HELD)
			want++;
	if (roomnew) {
		if (users[0].state != ST_HELD)
			die("-J new", "user 0 is not logged in");
		join_one(&users[0], 1);
		while (users[0].rstate == R_SENT || users[0].rstate ==
		    R_JOINED) {
			if (now() >= deadline || got_term ||
			    now() - users[0].t0 > login_timeout)
				die("-J new", "no room made (ROOM_CREATE)");
			wait_events(r, remaining_ms(deadline));
		}
		if (users[0].rstate != R_IN || roomid == 0)
			die("-J new", "ROOM_CREATE refused");
		next = 1;
	}
	for (;;) {
		while (jinflight < conc && next < nusers && !got_term) {
			if (users[next].state == ST_HELD)
				join_one(&users[next], 0);
			next++;
		}
		if (jok + jfail >= want)
			break;
		t = now();
		if (t >= deadline || got_term)
			break;
		wait_events(r, remaining_ms(deadline));
		t = now();
		for (i = 0; i < next; i++)
			if ((users[i].rstate == R_SENT ||
			    users[i].rstate == R_JOINED) &&
			    t - users[i].t0 > login_timeout) {
				users[i].rstate = R_FAILED;
				jfail++;
				jinflight--;
			}
	}
	printf("join room=%u members=%d fail=%d seconds=%.3f\n", roomid, jok,
	    want - jok, now() - start);
	(void)fflush(stdout);
	return jok;
}

/* settle - wait until nothing has been read for QUIET_MS (bounded) */
static void
settle(struct round *r)
{
	double	 until = now() + QUIET_MAX;

	if (until > deadline)
		until = deadline;
	last_rx = now();
	while (!got_term && now() < until &&
	    now() - last_rx < QUIET_MS / 1000.0)
		wait_events(r, QUIET_MS / 3);
}

/* send_line - sender s says line q in the room */
static int
send_line(int s, int q)
{
	struct user	*u = &users[s];
	unsigned char	 b[OUT_MAX];
	int		 n;

	if (u->state != ST_HELD || u->rstate != R_IN)
		return -1;
	put32(b, roomid);
	n = snprintf((char *)b + 4, sizeof(b) - 4 - HDRLEN,
	    MARK "s=%d q=%d t=%lld", s, q, now_ns());
	if (n < 0 || (size_t)n >= sizeof(b) - 4 - HDRLEN)
		return -1;
	if (send_frame(u, T_ROOM_MESSAGE_OUT, b, 4 + (size_t)n) == -1)
		return -1;
	rsent[s * nmsgs + q] = 1;
	return 0;
}

/*
 * send_round - S senders, K lines each, paced by a timer: one line every
 * 1 / (rate * S) s, the senders in turn; then the deliveries are drained
 * for at most DRAIN_SECS.  Returns the lines sent.
 */
static long
send_round(struct round *r, int members)
{
	struct itimerspec	 its;
	struct epoll_event	 ev;
	uint64_t		 exp;
	long			 tick = 0, total = (long)nsenders * nmsgs;
	long			 sent = 0, want;
	long long		 iv;
	double			 until;
	int			 tfd;

	if ((tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1) {
		perror("loadclient: timerfd_create");
		exit(1);
	}
	iv = 1000000000LL / ((long long)rate * nsenders);
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_sec = (time_t)(iv / 1000000000LL);
	its.it_interval.tv_nsec = (long)(iv % 1000000000LL);
	its.it_value.tv_nsec = 1000000;		/* the first line at once */
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = TIMER_TAG;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) == -1 ||
	    timerfd_settime(tfd, 0, &its, NULL) == -1) {
		perror("loadclient: timer");
		exit(1);
	}
	r_first_send = now();
	r_cpu0 = cpu_now();
	while (tick < total && !got_term && now() < deadline) {
		wait_events(r, remaining_ms(deadline));
		if (!timer_fired)
			continue;
		timer_fired = 0;
		if (read(tfd, &exp, sizeof(exp)) != (ssize_t)sizeof(exp))
			continue;
		/* late ticks are sent now; each line carries its own time */
		for (; exp > 0 && tick < total; exp--, tick++)
			if (send_line((int)(tick % nsenders),
			    (int)(tick / nsenders)) == 0)
				sent++;
	}
	(void)close(tfd);
	want = sent * (members - 1);
	until = now() + DRAIN_SECS;
	if (until > deadline)
		until = deadline;
	while (rlat_n + r_dup < want && !got_term && now() < until)
		wait_events(r, remaining_ms(until));
	return sent;
}

/* room_report - the figures of the send round */
static void
room_report(long sent, int members)
{
	long		 want = sent * (members - 1), lost = 0, i, k;
	double		 wall = r_last_rx - r_first_send, cpu = cpu_now() - r_cpu0;

	for (i = 0; i < (long)nsenders * nmsgs; i++) {
		if (!rsent[i])
			continue;
		k = members - 1 - (long)rcount[i];
		if (k > 0)
			lost += k;
	}
	qsort(rlat, (size_t)rlat_n, sizeof(double), cmp_double);
	printf("round=room members=%d senders=%d rate=%d sent=%ld "
	    "expected=%ld received=%ld lost=%ld dup=%ld echo=%ld bad=%ld "
	    "wall_s=%.3f deliveries_per_s=%.0f p50_ms=%.3f p99_ms=%.3f "
	    "max_ms=%.3f client_cpu_us=%.1f\n", members, nsenders, rate, sent,
	    want, rlat_n, lost, r_dup, r_echo, r_bad, wall,
	    wall > 0 ? rlat_n / wall : 0.0, pct(rlat, (int)rlat_n, 50),
	    pct(rlat, (int)rlat_n, 99), rlat_n ? rlat[rlat_n - 1] : 0.0,
	    rlat_n > 0 ? cpu * 1e6 / (double)rlat_n : 0.0);
	(void)fflush(stdout);
}

/* room - join, hold (-R), send, report, hold again (-E); 0 if clean */
static int
room(struct round *r)
{
	FILE	*fp;
	long	 sent, lines = (long)nsenders * nmsgs, lost;
	int	 members, i;

	members = rmembers = join_round(r);
	if (members < 2 || nsenders > members)
		die("-J", "too few members in the room for the senders");
	for (i = 0; i < nsenders; i++)
		if (users[i].rstate != R_IN)
			die("-s", "a sender (user 0 .. S-1) is not in the room");
	if ((rcount = calloc((size_t)lines, sizeof(*rcount))) == NULL ||
	    (rsent = calloc((size_t)lines, 1)) == NULL ||
	    (rlat = calloc((size_t)(lines * (members - 1)),
	    sizeof(double))) == NULL)
		die("room", "out of memory");
	rlat_cap = lines * (members - 1);
	settle(r);			/* the join bursts, all of them */
	hold(r);
	got_usr1 = 0;
	lost = lost_in_hold;
	sent = send_round(r, members);
	room_report(sent, members);
	if (donefile != NULL) {
		if ((fp = fopen(donefile, "w")) == NULL ||
		    fprintf(fp, "sent=%ld\n", sent) < 0 || fclose(fp) == EOF)
			die(donefile, "cannot write the done file");
		while (!got_usr1 && !got_term && now() < deadline)
			wait_events(r, remaining_ms(deadline));
	}
	free(rlat);
	free(rsent);
	free(rcount);
	return (sent != lines || lost_in_hold != lost || rlat_n !=
	    sent * (members - 1)) ? 1 : 0;
}

static void
raise_nofile(rlim_t need)
{
	struct rlimit	 rl;
	char		 b[64];

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		perror("loadclient: getrlimit");
		exit(1);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		(void)snprintf(b, sizeof(b), "%lu", (unsigned long)need);
		fprintf(stderr, "loadclient: cannot raise RLIMIT_NOFILE to %s "
		    "descriptors: %s\n(root can; otherwise raise the hard "
		    "limit, and fs.nr_open must allow it)\n", b,
		    strerror(errno));
		exit(1);
	}
}

static int
loopback_only(const char *a)
{
	struct in_addr	 in;

	return inet_pton(AF_INET, a, &in) == 1 &&
	    in.s_addr == htonl(INADDR_LOOPBACK);
}

int
main(int argc, char *argv[])
{
	struct round	 r1, r2;
	struct sigaction sa;
	double		 tclose;
	int		 ch, reconnect = 0, i, rc = 0;

	while ((ch = getopt(argc, argv, "a:c:E:H:J:k:m:n:P:p:qR:rSs:t:T:w:")) != -1) {
		switch (ch) {
		case 'a':
			if (!loopback_only(optarg))
				die(optarg, "refused: loadclient connects to "
				    "127.0.0.1 only");
			break;
		case 'c':
			conc = (int)number(optarg, 1, CONC_MAX, "-c");
			break;
		case 'E':
			donefile = optarg;
			break;
		case 'J':
			roommode = 1;
			if (strcmp(optarg, "new") == 0)
				roomnew = 1;
			else
				roomid = (uint32_t)number(optarg, 1,
				    0x7fffffffL, "-J");
			break;
		case 'k':
			nmsgs = (int)number(optarg, 1, MSGS_MAX, "-k");
			break;
		case 'm':
			rate = (int)number(optarg, 1, RATE_MAX, "-m");
			break;
		case 's':
			nsenders = (int)number(optarg, 1, SENDERS_MAX, "-s");
			break;
		case 'H':
			hold_secs = (double)number(optarg, 0, 86400, "-H");
			break;
		case 'n':
			nusers = (int)number(optarg, 1, USERS_MAX, "-n");
			break;
		case 'P':
			prefix = optarg;
			break;
		case 'p':
			port = (int)number(optarg, 1, 65535, "-p");
			break;
		case 'q':
			quiet = 1;
			break;
		case 'R':
			readyfile = optarg;
			break;
		case 'r':
			reconnect = 1;
			break;
		case 'S':
			return selftest();
		case 't':
			login_timeout = (double)number(optarg, 1, 3600, "-t");
			break;
		case 'T':
			deadline_secs = (double)number(optarg, 1, 86400, "-T");
			break;
		case 'w':
			password = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc != optind || port == -1)
		usage();
	if (strlen(prefix) + 10 > NICK_MAX || prefix[0] == '\0')
		die(prefix, "-P: the nicknames would not fit in 32 bytes");
	if (strlen(password) < PASS_MIN || strlen(password) > PASS_MAX)
		die("-w", "a password is 4 to 20 characters");
	if (strlen(password) > 13 && !quiet)
		fprintf(stderr, "loadclient: warning: past 13 characters the "
		    "5.0 encoding may print 2-digit groups\n");
	if (conc > nusers)
		conc = nusers;

	raise_nofile((rlim_t)nusers + (rlim_t)conc + FD_SLACK);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;	/* no SA_RESTART: epoll_wait wakes */
	(void)sigaction(SIGUSR1, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);

	if ((users = calloc((size_t)nusers, sizeof(*users))) == NULL) {
		perror("loadclient: users");
		return 1;
	}
	for (i = 0; i < nusers; i++)
		users[i].fd = -1;
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	r1.name = "login";
	r2.name = "reconnect";
	if ((r1.lat = calloc((size_t)nusers, sizeof(double))) == NULL ||
	    (r2.lat = calloc((size_t)nusers, sizeof(double))) == NULL) {
		perror("loadclient: latencies");
		return 1;
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("loadclient: epoll_create1");
		return 1;
	}
	lcg ^= (uint32_t)getpid();
	deadline = now() + deadline_secs;

	if (login_round(&r1) == -1)
		fprintf(stderr, "loadclient: login round cut short "
		    "(deadline -T or signal)\n");
	report(&r1);
	if (r1.fail > 0)
		rc = 1;
	if (roommode) {
		if (!got_term && room(&r2) != 0)
			rc = 1;
		reconnect = 0;
	} else
		hold(&r1);
	if (reconnect && !got_term) {
		tclose = now();
		for (i = 0; i < nusers; i++) {
			close_fd(&users[i]);
			users[i].state = ST_IDLE;
		}
		got_usr1 = 0;
		if (login_round(&r2) == -1)
			fprintf(stderr, "loadclient: reconnect round cut "
			    "short (deadline -T or signal)\n");
		report(&r2);
		printf("reconnect n=%d ok=%d seconds=%.3f\n", nusers, r2.ok,
		    r2.end - tclose);
		(void)fflush(stdout);
		if (r2.fail > 0)
			rc = 1;
	}
	for (i = 0; i < nusers; i++)
		close_fd(&users[i]);
	(void)close(ep);
	free(r1.lat);
	free(r2.lat);
	free(users);
	return rc;
}
