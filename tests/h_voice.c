/*
 * h_voice.c - a room voice client for the tests (PROTOCOL.md 6).
 *
 * usage: h_voice -p port -r room -u uid [-s seconds] [-n units]
 *	      [-i interval_ms] [-t tailuid] [-l]
 *
 * It connects to 127.0.0.1:port (no option names another host) and writes
 * the handshake as the 5.0 client does: room(4) then uid(4), big-endian,
 * in two writes.  Then:
 *
 *   without -l	it talks: n units (-n, default 10), one every interval_ms
 *		(-i, default 80), each a big-endian length 148 and a
 *		148-byte RTP packet: 0x80 0x03, seq (0, 1, ...), timestamp
 *		(0, +640 a unit), SSRC = uid big-endian, 4 x 33 bytes of the
 *		GSM 06.10 silence frame, and the uid little-endian (or
 *		tailuid, -t, to see which of the two a receiver believes).
 *		It then stays connected for -s seconds (default 0), reading,
 *		and prints "SENT n".
 *   with -l	it listens for -s seconds (default 5).
 *
 * In both it reads the socket all the time and prints one line per unit
 * received, flushed:
 *	UNIT len=<n> seq=<n> ssrc=<n> tail=<n>
 * (tail: the last 4 bytes of the RTP packet, little-endian), and for
 * bytes that are not a well-formed unit, once a unit or the end comes:
 *	BYTES <n>
 * A well-formed unit is a big-endian length 16..MAXRTP and that many
 * bytes of RTP beginning 0x80 0x03 (version 2, no padding, extension or
 * CSRC, marker 0, payload type 3 = GSM).  Anything else is skipped a
 * byte at a time until a unit begins again; what is left over at the end
 * (a unit cut short, too) counts as BYTES.  "EOF" when the server closes
 * the connection (which ends the run), then at the end "UNITS <n>", the
 * units received.  "# write: <error>" when a write fails (sending stops).
 *
 * Every wait is bounded: a write by 10 s (then it fails), the run by
 * MAXRUN_MS (15 minutes) in all.  Exit status 0 when the run ended as
 * planned (EOF included), 2 on a usage, connect or system error (message
 * on standard error).  libc only.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "h_util.h"

#define RTPLEN		148		/* 12 header + 4 x 33 GSM + 4 uid */
#define GSMLEN		33
#define NGSM		4
#define TSSTEP		640		/* 80 ms at 8 kHz */
#define MINRTP		16		/* a header and the trailing uid */
#define MAXRTP		1024
#define MAXUNITS	100000
#define MAXINTERVAL	10000
#define MAXSECONDS	600
#define MAXRUN_MS	900000LL	/* 15 minutes, whatever the options */
#define BUFLEN		(4 * (4 + MAXRTP))
#define SNDTIMEO_S	10		/* a write that long fails */

/* GSM 06.10 silence, as the 5.0 client sends it between words */
static const unsigned char silence[GSMLEN] = {
	0xd8, 0x20, 0xa2, 0xe1, 0x5a, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49,
	0x24, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49,
	0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24
};

const char		 h_prog[] = "h_voice";
static unsigned char	 inbuf[BUFLEN];
static size_t		 inlen;
static unsigned long	 junk, units;

static void
usage(void)
{
	fprintf(stderr, "usage: h_voice -p port -r room -u uid [-s seconds] "
	    "[-n units] [-i interval_ms] [-t tailuid] [-l]\n");
	exit(2);
}

/* arg - a decimal option argument in [min, max], or usage */
static long long
arg(const char *s, long long min, long long max)
{
	char		*end;
	long long	 v;

	if (*s < '0' || *s > '9')
		usage();
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* send_all - all n bytes; 0, or -1 after a "# write:" line */
static int
send_all(int fd, const void *buf, size_t n)
{
	const unsigned char	*p = buf;
	ssize_t			 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			say("# write: %s", strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* unit - the k-th unit of a speaker, length prefix included */
static void
unit(unsigned char *u, uint32_t k, uint32_t uid, uint32_t tail)
{
	unsigned char	*r = u + 4;
	size_t		 i;

	put32(u, RTPLEN);
	r[0] = 0x80;
	r[1] = 0x03;
	r[2] = (unsigned char)(k >> 8);
	r[3] = (unsigned char)k;
	put32(r + 4, k * TSSTEP);
	put32(r + 8, uid);
	for (i = 0; i < NGSM; i++)
		memcpy(r + 12 + i * GSMLEN, silence, GSMLEN);
	for (i = 0; i < 4; i++)
		r[12 + NGSM * GSMLEN + i] = (unsigned char)(tail >> (8 * i));
}

static void
flush_junk(void)
{
	if (junk > 0)
		say("BYTES %lu", junk);
	junk = 0;
}

/* parse - the units in inbuf, printed; junk skipped a byte at a time */
static void
parse(void)
{
	const unsigned char	*r;
	size_t			 off = 0;
	uint32_t		 len;

	while (inlen - off >= 4) {
		len = get32(inbuf + off);
		r = inbuf + off + 4;
		if (len < MINRTP || len > MAXRTP ||
		    (inlen - off > 4 && r[0] != 0x80) ||
		    (inlen - off > 5 && r[1] != 0x03)) {
			junk++;
			off++;
			continue;
		}
		if (inlen - off < 4 + len)
			break;
		flush_junk();
		units++;
		say("UNIT len=%lu seq=%u ssrc=%lu tail=%lu",
		    (unsigned long)len, (unsigned)r[2] << 8 | r[3],
		    (unsigned long)get32(r + 8), (unsigned long)(
		    (uint32_t)r[len - 4] | (uint32_t)r[len - 3] << 8 |
		    (uint32_t)r[len - 2] << 16 | (uint32_t)r[len - 1] << 24));
		off += 4 + len;
	}
	memmove(inbuf, inbuf + off, inlen - off);
	inlen -= off;
}

/* receive - what there is to read before the deadline; -1 at EOF */
static int
receive(int fd, long long deadline)
{
	struct pollfd	 pfd;
	long long	 left;
	ssize_t		 r;
	int		 n;

	if ((left = deadline - now_ms()) < 0)
		left = 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if ((n = poll(&pfd, 1, (int)left)) == -1) {
		if (errno == EINTR)
			return 0;
		die("poll: %s", strerror(errno));
	}
	if (n == 0)
		return 0;
	r = read(fd, inbuf + inlen, sizeof(inbuf) - inlen);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r == -1)
		say("# read: %s", strerror(errno));
	if (r <= 0)
		return -1;
	inlen += (size_t)r;
	parse();
	return 0;
}

static int
dial(int port)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { SNDTIMEO_S, 0 };
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	/* the handshake's two writes leave as two segments */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		die("TCP_NODELAY: %s", strerror(errno));
	/* a server that reads nothing cannot hold a write for ever */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		die("SO_SNDTIMEO: %s", strerror(errno));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		if (errno != EINTR)
			die("connect 127.0.0.1:%d: %s", port, strerror(errno));
	return fd;
}

/* handshake - room(4) then uid(4), in two writes as the 5.0 client */
static int
handshake(int fd, uint32_t room, uint32_t uid)
{
	unsigned char	 b[4];

	put32(b, room);
	if (send_all(fd, b, sizeof(b)) == -1)
		return -1;
	put32(b, uid);
	return send_all(fd, b, sizeof(b));
}

/*
 * talk - send n units (every ival ms) and read meanwhile, then read for
 * secs seconds more; the units sent
 */
static unsigned long
talk(int fd, long long n, long long ival, long long secs, uint32_t uid,
    uint32_t tail, int *eof)
{
	unsigned char	 u[4 + RTPLEN];
	unsigned long	 sent = 0;
	long long	 next, end = LLONG_MAX, t0;
	int		 mute = 0;

	t0 = next = now_ms();
	while (!*eof) {
		if (!mute && sent < (unsigned long)n && now_ms() >= next) {
			unit(u, (uint32_t)sent, uid, tail);
			if (send_all(fd, u, sizeof(u)) == -1)
				mute = 1;
			else
				sent++;
			next += ival;
		}
		if (end == LLONG_MAX && (mute || sent == (unsigned long)n))
			end = now_ms() + secs * 1000;
		if (now_ms() >= end || now_ms() - t0 > MAXRUN_MS)
			break;
		if (receive(fd, end != LLONG_MAX ? end : next) == -1)
			*eof = 1;
	}
	return sent;
}

int
main(int argc, char *argv[])
{
	long long	 port = -1, room = -1, uid = -1, tail = -1, secs = -1;
	long long	 n = 10, ival = 80;
	const struct {
		int		 c;
		long long	*v;
		long long	 min, max;
	} opts[] = {
		{ 'p', &port, 1, 65535 },
		{ 'r', &room, 0, UINT32_MAX },
		{ 'u', &uid, 0, UINT32_MAX },
		{ 's', &secs, 0, MAXSECONDS },
		{ 'n', &n, 0, MAXUNITS },
		{ 'i', &ival, 0, MAXINTERVAL },
		{ 't', &tail, 0, UINT32_MAX },
	};
	unsigned long	 sent;
	size_t		 i;
	int		 ch, fd, listen_only = 0, eof = 0;

	while ((ch = getopt(argc, argv, "p:r:u:s:n:i:t:l")) != -1) {
		if (ch == 'l') {
			listen_only = 1;
			continue;
		}
		for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
			if (opts[i].c == ch)
				break;
		if (i == sizeof(opts) / sizeof(opts[0]))
			usage();
		*opts[i].v = arg(optarg, opts[i].min, opts[i].max);
	}
	if (optind != argc || port == -1 || room == -1 || uid == -1)
		usage();
	if (secs == -1)
		secs = listen_only ? 5 : 0;
	if (tail == -1)
		tail = uid;
	if (listen_only)
		n = 0;
	if (n * ival + secs * 1000 > MAXRUN_MS)
		die("a run of over %lld s", MAXRUN_MS / 1000);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal: %s", strerror(errno));

	fd = dial((int)port);
	if (handshake(fd, (uint32_t)room, (uint32_t)uid) == -1)
		n = 0;		/* a write failed: nothing more to send */
	sent = talk(fd, n, ival, secs, (uint32_t)uid, (uint32_t)tail, &eof);
	junk += inlen;
	flush_junk();
	if (eof)
		say("EOF");
	if (!listen_only)
		say("SENT %lu", sent);
	say("UNITS %lu", units);
	if (close(fd) == -1)
		die("close: %s", strerror(errno));
	return 0;
}
