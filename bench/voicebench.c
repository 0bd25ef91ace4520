/*
 * voicebench.c - relay latency and loss of pald's voice child: one
 * speaker at 12.5 units/s (152-byte units, as the 5.0 client sends) to L
 * listeners in one room, over 127.0.0.1 only.
 *
 * usage: voicebench -p vport -r rundir -M h_member [-L listeners]
 *	      [-n units] [-k runs] [-i interval_ms] [-R room] [-U uid]
 *	      [-T deadline]
 *
 * The members are made in pald's shared table by L + 1 copies of
 * tests/h_member (uids U .. U+L, U speaks), kept until the end.  Each
 * run connects the L listeners and the speaker, sends warm-up units until
 * every listener hears (so every handshake has been taken), then n
 * measured units, one every interval ms.  Each unit carries its run,
 * sequence number and send time (CLOCK_MONOTONIC, ns) in the first GSM
 * frame, bytes the relay does not inspect.  A listener's latency for a
 * unit is its arrival time minus its send time: the relay's added time
 * plus two loopback hops.  Output per run and, at the end, the medians:
 *	run=K listeners=L units=n delivered=D lost=X p50_us= p99_us= max_us=
 * Bounded: at most -T seconds (default 120) in all, 10 s of warm-up per
 * run, 1 s for stragglers after the last unit.  libc only; epoll.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RTPLEN		148
#define UNITLEN		(4 + RTPLEN)
#define MAXL		1000
#define MAXN		10000
#define MAXRUNS		20
#define MAGIC		0x766f6963u	/* "voic" in the payload */

struct listener {
	int		 fd;
	size_t		 have;
	unsigned char	 buf[4 * UNITLEN];
	int		 warm;		/* got a warm-up unit */
	int		 got;		/* measured units this run */
};

static struct listener	*ls;
static int		 nl = 10, nunits = 100, runs = 3, interval = 80;
static uint32_t		 room = 60001, uid0 = 2000000;
static int		 vport;
static int64_t		*lat;
static size_t		 nlat;
static int64_t		 deadline;

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
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

/* vconnect - a voice connection with the handshake written */
static int
vconnect(uint32_t uid)
{
	struct sockaddr_in sin;
	unsigned char	 h[8];
	int		 fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)vport);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "connect");
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	put32(h, room);
	put32(h + 4, uid);
	if (write(fd, h, 4) != 4 || write(fd, h + 4, 4) != 4)
		err(1, "handshake");
	return fd;
}

/* unit - a 5.0-shaped unit carrying run, seq and the send time */
static void
unit(unsigned char *u, uint32_t run, uint32_t seq, int64_t t)
{
	memset(u, 0, UNITLEN);
	put32(u, RTPLEN);
	u[4] = 0x80;
	u[5] = 0x03;
	u[6] = (unsigned char)(seq >> 8);
	u[7] = (unsigned char)seq;
	put32(u + 8, seq * 640);
	put32(u + 12, uid0);
	put32(u + 16, MAGIC);
	put32(u + 20, run);
	put32(u + 24, seq);
	put32(u + 28, (uint32_t)((uint64_t)t >> 32));
	put32(u + 32, (uint32_t)t);
}

/* drain - read a listener; record latencies of run's measured units */
static void
drain(struct listener *l, uint32_t run, int64_t t)
{
	ssize_t		 n;
	size_t		 off = 0;
	unsigned char	*u;
	int64_t		 sent;

	n = read(l->fd, l->buf + l->have, sizeof(l->buf) - l->have);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			errx(1, "a listener lost its connection");
		return;
	}
	l->have += (size_t)n;
	while (l->have - off >= UNITLEN) {
		u = l->buf + off;
		if (get32(u) != RTPLEN || get32(u + 16) != MAGIC)
			errx(1, "a listener got a unit it did not expect");
		off += UNITLEN;
		if (get32(u + 20) != run)
			continue;
		if (get32(u + 24) >= 0x10000) {
			l->warm = 1;
			continue;
		}
		sent = (int64_t)((uint64_t)get32(u + 28) << 32 | get32(u + 32));
		if (nlat < (size_t)nl * (size_t)nunits)
			lat[nlat++] = t - sent;
		l->got++;
	}
	memmove(l->buf, l->buf + off, l->have - off);
	l->have -= off;
}

/* num - a decimal in [min, max], or *errstr says why not (libc only) */
static long long
num(const char *s, long long min, long long max, const char **errstr)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	*errstr = NULL;
	if (end == s || *end != '\0' || errno != 0)
		*errstr = "not a number";
	else if (v < min || v > max)
		*errstr = "out of range";
	return *errstr == NULL ? v : 0;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* wait_in - epoll for up to ms, reading every listener that is ready */
static void
wait_in(int ep, int ms, uint32_t run)
{
	struct epoll_event ev[64];
	int		 i, n;

	n = epoll_wait(ep, ev, 64, ms < 0 ? 0 : ms);
	if (n == -1 && errno != EINTR)
		err(1, "epoll_wait");
	for (i = 0; i < n; i++)
		drain(&ls[ev[i].data.u32], run, now_ns());
}

/* one_run - connect, warm up, measure; results in lat[] */
static void
one_run(uint32_t run, int64_t *res)
{
	struct epoll_event e;
	unsigned char	 u[UNITLEN];
	int64_t		 next, end;
	uint32_t	 seq;
	int		 ep, sp, i, warm;

	if ((ep = epoll_create1(0)) == -1)
		err(1, "epoll_create1");
	for (i = 0; i < nl; i++) {
		memset(&ls[i], 0, sizeof(ls[i]));
		ls[i].fd = vconnect(uid0 + 1 + (uint32_t)i);
		e.events = EPOLLIN;
		e.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, ls[i].fd, &e) == -1)
			err(1, "epoll_ctl");
	}
	sp = vconnect(uid0);
	/* warm-up: until every listener has heard one (at most 10 s) */
	end = now_ns() + 10000000000LL;
	for (seq = 0x10000;; seq++) {
		for (warm = 0, i = 0; i < nl; i++)
			warm += ls[i].warm;
		if (warm == nl)
			break;
		if (now_ns() > end || now_ns() > deadline)
			errx(1, "run %u: %d of %d listeners heard the warm-up",
			    run, warm, nl);
		unit(u, run, seq, now_ns());
		if (write(sp, u, UNITLEN) != UNITLEN)
			err(1, "speaker write");
		next = now_ns() + (int64_t)interval * 1000000;
		while (now_ns() < next)
			wait_in(ep, (int)((next - now_ns()) / 1000000), run);
	}
	nlat = 0;
	next = now_ns();
	for (seq = 0; seq < (uint32_t)nunits; seq++) {
		while (now_ns() < next)
			wait_in(ep, (int)((next - now_ns()) / 1000000), run);
		unit(u, run, seq, now_ns());
		if (write(sp, u, UNITLEN) != UNITLEN)
			err(1, "speaker write");
		next += (int64_t)interval * 1000000;
	}
	end = now_ns() + 1000000000;
	while (nlat < (size_t)nl * (size_t)nunits && now_ns() < end)
		wait_in(ep, 50, run);
	qsort(lat, nlat, sizeof(*lat), cmp64);
	res[0] = (int64_t)nlat;
	res[1] = nlat ? lat[nlat / 2] / 1000 : -1;
	res[2] = nlat ? lat[(nlat * 99) / 100] / 1000 : -1;
	res[3] = nlat ? lat[nlat - 1] / 1000 : -1;
	for (i = 0; i < nl; i++)
		(void)close(ls[i].fd);
	(void)close(sp);
	(void)close(ep);
}

/* members - L + 1 copies of h_member; their stdin pipes kept open */
static void
members(const char *hm, const char *rundir, pid_t *pids)
{
	char		 r[16], u[16], line[64];
	int		 in[2], out[2], i;
	FILE		*fp;

	(void)snprintf(r, sizeof(r), "%u", room);
	for (i = 0; i <= nl; i++) {
		(void)snprintf(u, sizeof(u), "%u", uid0 + (uint32_t)i);
		if (pipe(in) == -1 || pipe(out) == -1)
			err(1, "pipe");
		switch (pids[i] = fork()) {
		case -1:
			err(1, "fork");
		case 0:
			if (dup2(in[0], 0) == -1 || dup2(out[1], 1) == -1)
				_exit(1);
			(void)close(in[1]);
			(void)close(out[0]);
			execl(hm, "h_member", "-r", rundir, "-R", r, "-u", u,
			    (char *)NULL);
			_exit(1);
		}
		(void)close(in[0]);
		(void)close(out[1]);
		if ((fp = fdopen(out[0], "r")) == NULL ||
		    fgets(line, sizeof(line), fp) == NULL ||
		    strncmp(line, "JOINED", 6) != 0)
			errx(1, "h_member %s did not join", u);
		(void)fclose(fp);
	}
}

static int64_t
median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp64);
	return v[n / 2];
}

int
main(int argc, char *argv[])
{
	struct rlimit	 rl;
	const char	*hm = NULL, *rundir = NULL, *errstr;
	int64_t		 res[MAXRUNS][4], col[MAXRUNS], lost[MAXRUNS];
	pid_t		*pids;
	int		 ch, k, j, secs = 120;

	while ((ch = getopt(argc, argv, "i:k:L:M:n:p:R:r:T:U:")) != -1) {
		switch (ch) {
		case 'i':
			interval = (int)num(optarg, 1, 1000, &errstr);
			break;
		case 'k':
			runs = (int)num(optarg, 1, MAXRUNS, &errstr);
			break;
		case 'L':
			nl = (int)num(optarg, 1, MAXL, &errstr);
			break;
		case 'M':
			hm = optarg;
			errstr = NULL;
			break;
		case 'n':
			nunits = (int)num(optarg, 1, MAXN, &errstr);
			break;
		case 'p':
			vport = (int)num(optarg, 1, 65535, &errstr);
			break;
		case 'R':
			room = (uint32_t)num(optarg, 1, 899999, &errstr);
			break;
		case 'r':
			rundir = optarg;
			errstr = NULL;
			break;
		case 'T':
			secs = (int)num(optarg, 1, 3600, &errstr);
			break;
		case 'U':
			uid0 = (uint32_t)num(optarg, 1000002, 3000000000,
			    &errstr);
			break;
		default:
			errstr = "unknown option";
			break;
		}
		if (errstr != NULL)
			errx(1, "usage: voicebench -p vport -r rundir "
			    "-M h_member [-L listeners] [-n units] [-k runs] "
			    "[-i ms] [-R room] [-U uid] [-T deadline] "
			    "(-%c: %s)", ch, errstr);
	}
	if (vport == 0 || rundir == NULL || hm == NULL)
		errx(1, "-p, -r and -M are needed");
	deadline = now_ns() + (int64_t)secs * 1000000000;
	(void)signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)(4 * nl + 64)) {
		rl.rlim_cur = (rlim_t)(4 * nl + 64);
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			err(1, "RLIMIT_NOFILE %d", 4 * nl + 64);
	}
	if ((ls = calloc((size_t)nl, sizeof(*ls))) == NULL ||
	    (lat = calloc((size_t)nl * (size_t)nunits, sizeof(*lat))) == NULL ||
	    (pids = calloc((size_t)nl + 1, sizeof(*pids))) == NULL)
		err(1, "calloc");
	members(hm, rundir, pids);
	for (k = 0; k < runs && now_ns() < deadline; k++) {
		one_run((uint32_t)k + 1, res[k]);
		lost[k] = (int64_t)nl * nunits - res[k][0];
		printf("run=%d listeners=%d units=%d delivered=%lld lost=%lld "
		    "p50_us=%lld p99_us=%lld max_us=%lld\n", k + 1, nl, nunits,
		    (long long)res[k][0], (long long)lost[k],
		    (long long)res[k][1], (long long)res[k][2],
		    (long long)res[k][3]);
		fflush(stdout);
	}
	if (k > 0) {
		printf("median listeners=%d runs=%d lost=%lld", nl, k,
		    (long long)median(lost, k));
		for (j = 1; j <= 3; j++) {
			int	 r;

			for (r = 0; r < k; r++)
				col[r] = res[r][j];
			printf(" %s=%lld", j == 1 ? "p50_us" : j == 2 ?
			    "p99_us" : "max_us", (long long)median(col, k));
		}
		printf("\n");
	}
	for (j = 0; j <= nl; j++)
		(void)kill(pids[j], SIGTERM);
	for (j = 0; j <= nl; j++)
		(void)waitpid(pids[j], NULL, 0);
	return k == runs ? 0 : 1;
}
