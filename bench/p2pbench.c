/*
 * p2pbench.c - the relay of calls and files in pald's voice child, timed:
 * call audio (latency and loss) for many calls at once, and the bytes a
 * second of one relayed file.  Loopback only: the parties speak from
 * 127.0.0.2, pald listens on 127.0.0.1.
 *
 * usage: p2pbench -c pairs [-d] [-n units] [-k runs] [-i interval_ms]
 *	      [-o dump] [-T secs]
 *	  p2pbench -f portfile [-s megabytes] [-l listen_port] [-T secs]
 *
 * -c: the calls were set up by run-p2p.sh (tests/h_client on both sides,
 * relayed); each line of pairs is "portA portB", the relay ports the
 * two sides were given in 0x01c1.  A side sends RTP to 127.0.0.1:its
 * port from a socket of its own on 127.0.0.2 (the first datagram makes
 * that the source the relay takes) and receives on 127.0.0.2:its port,
 * where the relay sends the other side's, as the 5.0 client does.  Each
 * side sends one 144-byte packet (four GSM frames) every interval ms (80,
 * as the 5.0 client), the sides spread evenly over the interval; after a
 * warm-up in which every side must hear the other, n measured units.
 * The payload carries the run, the side and the send time
 * (CLOCK_MONOTONIC), so a unit's latency is its arrival time minus its
 * send time: the relay's added time plus two loopback hops.  With -d the
 * same packets go straight to the other side's port, without the relay:
 * one loopback hop, the baseline.  Per run and then the medians of the
 * runs:
 *	run=K calls=C units=N delivered=D lost=X dup=Y p50_us= p99_us= max_us=
 * -o dump: also one line per unit delivered, "run send_ns latency_ns"
 * (CLOCK_MONOTONIC), to see when the slow ones were sent.
 *
 * -f: one file transfer through the relay.  Listens on 127.0.0.2:
 * listen_port (default 2090, the receiver's port of the -444 the script
 * sends), waits for portfile to hold the relay port of the sender (from
 * 0x01bc), connects to it from 127.0.0.2 and sends a file header (name
 * length LE, name, size LE) and megabytes MiB (default 200), while it
 * reads what the relay delivers on the listener.  Prints
 *	file bytes=B got=G seconds=S mib_per_s=R
 * Bounded: -T seconds in all (default 120).  libc only.
 */
#include <sys/types.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RTPLEN		144
#define MAXSIDES	1000
#define MAXN		2000
#define MAXRUNS		10
#define MAGIC		0x70327062u	/* "p2pb" */
#define CHUNK		65536

struct side {
	int		 rfd, sfd;	/* receive on our port, send from */
	uint16_t	 port;		/* our relay port */
	int		 warm;		/* heard the other side */
	uint32_t	 got[MAXN / 32 + 1];	/* units heard, by sequence */
};

static struct side	*sd;
static int		 nsides, nunits = 200, runs = 3, interval = 80, direct;
static int64_t		 deadline;
static int64_t		*lat, *sentat;	/* latency, send time (-o) */
static int		 nlat, lost, dups;
static FILE		*dump;		/* -o: one line per unit */
static int		 ep = -1;	/* epoll of the receiving sockets */

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* sock - a socket of type bound to addr:port, non-blocking */
static int
sock(int type, const char *addr, int port)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if ((fd = socket(AF_INET, type, 0)) == -1)
		err(1, "socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind %s:%d", addr, port);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* send_unit - side i's unit seq of run (seq 0xffffffff: warm-up) */
static void
send_unit(int i, uint32_t run, uint32_t seq)
{
	struct sockaddr_in	 to;
	unsigned char		 p[RTPLEN];
	int64_t			 t = now_ns();

	memset(p, 0, sizeof(p));
	p[0] = 0x80;
	p[1] = 3;
	put32(p + 8, (uint32_t)i);
	put32(p + 12, MAGIC);
	put32(p + 16, run);
	put32(p + 20, seq);
	put32(p + 24, (uint32_t)i);
	put32(p + 28, (uint32_t)(t >> 32));
	put32(p + 32, (uint32_t)t);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(sd[direct ? i ^ 1 : i].port);
	inet_pton(AF_INET, direct ? "127.0.0.2" : "127.0.0.1", &to.sin_addr);
	(void)sendto(sd[i].sfd, p, sizeof(p), 0, (struct sockaddr *)&to,
	    sizeof(to));
}

/* drain - read what side i received; count this run's units */
static void
drain(int i, uint32_t run, int64_t t)
{
	unsigned char	 p[2048];
	ssize_t		 n;
	uint32_t	 seq;

	while ((n = recv(sd[i].rfd, p, sizeof(p), 0)) > 0) {
		if (n != RTPLEN || get32(p + 12) != MAGIC ||
		    get32(p + 16) != run)
			continue;
		sd[i].warm = 1;
		if ((seq = get32(p + 20)) >= (uint32_t)nunits)
			continue;
		if (sd[i].got[seq / 32] & (1u << seq % 32)) {
			dups++;
			continue;
		}
		sd[i].got[seq / 32] |= 1u << seq % 32;
		sentat[nlat] = (int64_t)get32(p + 28) << 32 | get32(p + 32);
		lat[nlat] = t - sentat[nlat];
		nlat++;
	}
}

/*
 * wait_in - wait for up to ns for the receiving sockets; drain the ready
 * ones.  With epoll (Linux) only the ready ones are looked at.  The wait
 * is to the nanosecond: in ms, the 0.4 ms between two sends of 100 calls
 * was 0, and p2pbench spun, polling 200 sockets, on a core the relay
 * needs (bench/README).
 */
static void
wait_in(struct pollfd *pf, int64_t ns, uint32_t run)
{
	struct timespec	 ts = { ns / 1000000000, ns % 1000000000 };
	int		 i;
#ifdef __linux__
	struct epoll_event evs[64];
	int		 n;

	if (ep != -1) {
		if ((n = epoll_pwait2(ep, evs, 64, &ts, NULL)) <= 0)
			return;
		for (i = 0; i < n; i++)
			drain((int)evs[i].data.u32, run, now_ns());
		return;
	}
#endif
	if (ppoll(pf, nsides, &ts, NULL) <= 0)
		return;
	for (i = 0; i < nsides; i++)
		if (pf[i].revents & POLLIN)
			drain(i, run, now_ns());
}

/* ep_init - the receiving sockets in one epoll set (Linux; else poll) */
static void
ep_init(void)
{
#ifdef __linux__
	struct epoll_event ev;
	int	 i;

	if ((ep = epoll_create1(0)) == -1)
		err(1, "epoll_create1");
	for (i = 0; i < nsides; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, sd[i].rfd, &ev) == -1)
			err(1, "epoll_ctl");
	}
#endif
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* one_run - warm-up, then n units from every side; r: p50 p99 max lost */
static void
one_run(struct pollfd *pf, uint32_t run, int64_t *r)
{
	int64_t		 t, step, next, end;
	int		 i, k, warm;
	uint32_t	 u;

	for (i = 0; i < nsides; i++) {
		memset(sd[i].got, 0, sizeof(sd[i].got));
		sd[i].warm = 0;
	}
	nlat = dups = 0;
	end = now_ns() + 10000000000LL;
	do {
		for (i = 0; i < nsides; i++)
			send_unit(i, run, 0xffffffffu);
		wait_in(pf, 100000000, run);
		for (warm = i = 0; i < nsides; i++)
			warm += sd[i].warm;
	} while (warm < nsides && now_ns() < end && now_ns() < deadline);
	if (warm < nsides)
		errx(1, "run %u: %d of %d sides heard nothing", run,
		    nsides - warm, nsides);
	wait_in(pf, 200000000, run);
	step = (int64_t)interval * 1000000 / nsides;
	next = now_ns();
	for (u = 0; u < (uint32_t)nunits; u++)
		for (k = 0; k < nsides; k++) {
			while ((t = now_ns()) < next)
				wait_in(pf, next - t, run);
			send_unit(k, run, u);
			next += step;
			if (ep != -1)
				wait_in(pf, 0, run);
			for (i = 0; i < nsides && ep == -1; i++)
				if (pf[i].revents & POLLIN)
					drain(i, run, now_ns());
		}
	end = now_ns() + 1000000000LL;
	while (nlat < nsides * nunits && now_ns() < end)
		wait_in(pf, 50000000, run);
	lost = nsides * nunits - nlat;
	for (i = 0; dump != NULL && i < nlat; i++)
		fprintf(dump, "%u %lld %lld\n", run, (long long)sentat[i],
		    (long long)lat[i]);
	qsort(lat, nlat, sizeof(*lat), cmp64);
	r[0] = nlat ? lat[nlat / 2] / 1000 : -1;
	r[1] = nlat ? lat[(int64_t)nlat * 99 / 100] / 1000 : -1;
	r[2] = nlat ? lat[nlat - 1] / 1000 : -1;
	r[3] = lost;
	printf("%srun=%u calls=%d units=%d delivered=%d lost=%d dup=%d "
	    "p50_us=%lld p99_us=%lld max_us=%lld\n", direct ? "direct " : "",
	    run, nsides / 2, nunits,
	    nlat, lost, dups, (long long)r[0], (long long)r[1],
	    (long long)r[2]);
	fflush(stdout);
}

static int64_t
median(int64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp64);
	return v[n / 2];
}

static void
calls(const char *path)
{
	FILE		*f;
	struct pollfd	*pf;
	int64_t		 res[MAXRUNS][4], col[MAXRUNS];
	int		 a, b, i, k, c;

	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	if ((sd = calloc(MAXSIDES, sizeof(*sd))) == NULL ||
	    (pf = calloc(MAXSIDES, sizeof(*pf))) == NULL)
		err(1, "calloc");
	while (nsides + 2 <= MAXSIDES && fscanf(f, "%d %d", &a, &b) == 2) {
		sd[nsides++].port = a;
		sd[nsides++].port = b;
	}
	fclose(f);
	if (nsides == 0)
		errx(1, "%s: no pairs", path);
	if ((lat = calloc((size_t)nsides * nunits, sizeof(*lat))) == NULL ||
	    (sentat = calloc((size_t)nsides * nunits, sizeof(*sentat))) == NULL)
		err(1, "calloc");
	for (i = 0; i < nsides; i++) {
		sd[i].rfd = sock(SOCK_DGRAM, "127.0.0.2", sd[i].port);
		sd[i].sfd = sock(SOCK_DGRAM, "127.0.0.2", 0);
		pf[i].fd = sd[i].rfd;
		pf[i].events = POLLIN;
	}
	ep_init();
	for (k = 0; k < runs && now_ns() < deadline; k++)
		one_run(pf, k + 1, res[k]);
	printf("%smedian of %d runs: calls=%d units=%d", direct ? "direct " : "", k,
	    nsides / 2, nunits);
	for (c = 0; c < 4; c++) {
		for (i = 0; i < k; i++)
			col[i] = res[i][c];
		printf(" %s=%lld", c == 0 ? "p50_us" : c == 1 ? "p99_us" :
		    c == 2 ? "max_us" : "lost", (long long)median(col, k));
	}
	printf("\n");
}

/* file - one transfer through the relay, timed */
static void
file(const char *portfile, long long mib, int lport)
{
	static unsigned char	 buf[CHUNK], in[CHUNK];
	struct sockaddr_in	 to;
	struct pollfd		 pf[3];
	FILE			*f;
	long long		 size = mib * 1048576, sent = -1, got = 0, hlen;
	unsigned char		 hdr[2 + 8 + 4];
	int			 lfd, s, r = -1, port = 0, tries;
	int64_t			 t0, t1;
	ssize_t			 n;

	lfd = sock(SOCK_STREAM, "127.0.0.2", lport);
	if (listen(lfd, 1) == -1)
		err(1, "listen");
	while (now_ns() < deadline) {
		if ((f = fopen(portfile, "r")) != NULL) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (port > 0)
			break;
		usleep(20000);
	}
	if (port <= 0)
		errx(1, "%s: no port", portfile);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	/* the relay binds the sender's port at its next tick: retry */
	for (tries = 0; ; tries++) {
		s = sock(SOCK_STREAM, "127.0.0.2", 0);
		(void)fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);
		if (connect(s, (struct sockaddr *)&to, sizeof(to)) == 0)
			break;
		if (tries == 50 || now_ns() > deadline)
			err(1, "connect to port %d", port);
		close(s);
		usleep(100000);
	}
	(void)fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	hdr[0] = 8;
	hdr[1] = 0;
	memcpy(hdr + 2, "big.file", 8);
	hdr[10] = size;
	hdr[11] = size >> 8;
	hdr[12] = size >> 16;
	hdr[13] = size >> 24;
	hlen = sizeof(hdr);
	memset(buf, 0x5a, sizeof(buf));
	t0 = now_ns();
	while (got < size + hlen && now_ns() < deadline) {
		pf[0].fd = lfd;
		pf[0].events = r == -1 ? POLLIN : 0;
		pf[1].fd = r;
		pf[1].events = POLLIN;
		pf[2].fd = s;
		pf[2].events = sent < size ? POLLOUT : 0;
		if (poll(pf, 3, 1000) <= 0)
			continue;
		if (pf[0].revents & POLLIN &&
		    (r = accept(lfd, NULL, NULL)) != -1)
			(void)fcntl(r, F_SETFL, fcntl(r, F_GETFL) | O_NONBLOCK);
		if (r != -1 && pf[1].revents & (POLLIN | POLLHUP)) {
			while ((n = read(r, in, sizeof(in))) > 0)
				got += n;
			if (n == 0)
				break;
		}
		if (pf[2].revents & POLLOUT) {
			if (sent == -1) {
				if (write(s, hdr, hlen) != hlen)
					err(1, "write header");
				sent = 0;
			}
			while (sent < size && (n = write(s, buf,
			    size - sent < CHUNK ? size - sent : CHUNK)) > 0)
				sent += n;
			if (sent == size)
				(void)shutdown(s, SHUT_WR);
		}
	}
	t1 = now_ns();
	printf("file bytes=%lld got=%lld seconds=%.3f mib_per_s=%.1f\n",
	    size + hlen, got, (t1 - t0) / 1e9,
	    got / 1048576.0 / ((t1 - t0) / 1e9));
	close(s);
	if (r != -1)
		close(r);
	close(lfd);
}

static long long
num(const char *s, long long min, long long max)
{
	char		*end;
	long long	 v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		errx(1, "bad number '%s' (%lld..%lld)", s, min, max);
	return v;
}

int
main(int argc, char *argv[])
{
	const char	*pairs = NULL, *portfile = NULL;
	long long	 mib = 200;
	int		 ch, lport = 2090, secs = 120;

	while ((ch = getopt(argc, argv, "c:df:i:k:l:n:o:s:T:")) != -1)
		switch (ch) {
		case 'c':
			pairs = optarg;
			break;
		case 'd':
			direct = 1;
			break;
		case 'f':
			portfile = optarg;
			break;
		case 'i':
			interval = num(optarg, 1, 1000);
			break;
		case 'k':
			runs = num(optarg, 1, MAXRUNS);
			break;
		case 'l':
			lport = num(optarg, 1, 65535);
			break;
		case 'n':
			nunits = num(optarg, 1, MAXN);
			break;
		case 'o':
			if ((dump = fopen(optarg, "w")) == NULL)
				err(1, "%s", optarg);
			break;
		case 's':
			mib = num(optarg, 1, 2000);
			break;
		case 'T':
			secs = num(optarg, 1, 3600);
			break;
		default:
			goto usage;
		}
	if ((pairs == NULL) == (portfile == NULL))
		goto usage;
	deadline = now_ns() + (int64_t)secs * 1000000000;
	if (pairs != NULL)
		calls(pairs);
	else
		file(portfile, mib, lport);
	if (dump != NULL && fclose(dump) == EOF)
		err(1, "-o");
	return 0;
usage:
	fprintf(stderr, "usage: p2pbench -c pairs [-d] [-n units] [-k runs] "
	    "[-i interval_ms] [-o dump] [-T secs]\n"
	    "       p2pbench -f portfile [-s megabytes] [-l listen_port] "
	    "[-T secs]\n");
	return 2;
}
