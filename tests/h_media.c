/*
 * h_media.c - the media side of calls, transfers and video calls for
 * h_client, as the 5.0 client makes it (proto/P2P.md): RTP over UDP, the
 * file stream over TCP, the video web server and its pull.  Code of its
 * own, libc only.  Every wait is bounded by the deadline it is given.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "h_media.h"
#include "h_util.h"

#define GSM_FRAME	33
#define RTP_HDR		12
#define RTP_FRAMES	4
#define RTCP_LEN	28
#define DGRAM_MAX	2048
#define CHUNK		4096
#define LINE_MAX_HTTP	256
#define VIDEO_MAX	256000		/* the 5.0 client's picture buffer */

/* GSM 06.10 of digital silence, as the 5.0 encoder makes it */
static const unsigned char silence[GSM_FRAME] = {
	0xd8, 0x20, 0xa2, 0xe1, 0x5a, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49,
	0x24, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49,
	0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24,
};

/* sin_of - addr:port, or die */
static void
sin_of(struct sockaddr_in *sin, const char *addr, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		die("bad address '%s'", addr);
}

int
hm_bind(int type, const char *addr, int port)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	sin_of(&sin, addr, port);
	if ((fd = socket(AF_INET, type, 0)) == -1)
		die("socket: %s", strerror(errno));
	if (type == SOCK_STREAM && port != 0 && setsockopt(fd, SOL_SOCKET,
	    SO_REUSEADDR, &one, sizeof(one)) == -1)
		die("SO_REUSEADDR: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("bind %s:%d: %s", addr, port, strerror(errno));
	return fd;
}

int
hm_listen(const char *addr, int port, int *bound)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	int			 fd = hm_bind(SOCK_STREAM, addr, port);

	if (listen(fd, 4) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == -1)
		die("listen %s:%d: %s", addr, port, strerror(errno));
	*bound = ntohs(sin.sin_port);
	return fd;
}

/* pause_ms - a pause between two datagrams or connection tries */
static void
pause_ms(long long ms)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* waitfd - poll fd for events until the deadline; 1 ready, 0 timeout */
static int
waitfd(int fd, short events, long long deadline)
{
	struct pollfd	 pfd;
	long long	 left;
	int		 n;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		pfd.fd = fd;
		pfd.events = events;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("poll: %s", strerror(errno));
		return n;
	}
}

void
hm_rtp_send(int fd, const char *addr, int port, const unsigned *seqs, int n,
    uint32_t ssrc, int rtcp, int gap)
{
	struct sockaddr_in	 sin;
	unsigned char		 p[RTP_HDR + RTP_FRAMES * GSM_FRAME];
	size_t			 len;
	int			 i, k, sent = 0;

	sin_of(&sin, addr, port);
	for (i = 0; i < n; i++) {
		if (rtcp) {
			/* an SDES packet's shape: V=2, SC=1, PT 202 */
			memset(p, 0, RTCP_LEN);
			p[0] = 0x81;
			p[1] = 202;
			put16(p + 2, RTCP_LEN / 4 - 1);
			put32(p + 4, ssrc);
			p[8] = 1;
			p[9] = 4;
			put32(p + 10, seqs[i]);
			len = RTCP_LEN;
		} else {
			p[0] = 0x80;
			p[1] = 3;
			put16(p + 2, seqs[i] & 0xffff);
			put32(p + 4, seqs[i] * 640u);
			put32(p + 8, ssrc);
			for (k = 0; k < RTP_FRAMES; k++)
				memcpy(p + RTP_HDR + k * GSM_FRAME, silence,
				    GSM_FRAME);
			len = sizeof(p);
		}
		if (sendto(fd, p, len, 0, (struct sockaddr *)&sin,
		    sizeof(sin)) == (ssize_t)len)
			sent++;
		else
			say("# sendto: %s", strerror(errno));
		if (gap > 0 && i + 1 < n)
			pause_ms(gap);
	}
	say("SENT %d", sent);
}

/* rtp_line - one datagram received on the socket of local port lp */
static void
rtp_line(const unsigned char *p, ssize_t n, const struct sockaddr_in *from,
    int lp)
{
	char	 a[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &from->sin_addr, a, sizeof(a)) == NULL)
		(void)snprintf(a, sizeof(a), "?");
	if (n >= RTP_HDR && (p[0] & 0xc0) == 0x80 && (p[1] & 0x7f) == 3)
		say("RTP seq=%u ssrc=%lu len=%zd from=%s:%u port=%d",
		    get16(p + 2), (unsigned long)get32(p + 8), n, a,
		    ntohs(from->sin_port), lp);
	else
		say("RTCP len=%zd from=%s:%u port=%d", n, a,
		    ntohs(from->sin_port), lp);
}

void
hm_rtp_recv(const int *fds, int nfd, long long ms, int max)
{
	struct pollfd		 pfd[4];
	struct sockaddr_in	 from, me;
	unsigned char		 p[DGRAM_MAX];
	long long		 deadline = now_ms() + ms, left;
	socklen_t		 sl;
	ssize_t			 n;
	int			 i, got = 0, lp[4];

	if (nfd > 4)
		nfd = 4;
	for (i = 0; i < nfd; i++) {
		sl = sizeof(me);
		lp[i] = getsockname(fds[i], (struct sockaddr *)&me, &sl) == 0 ?
		    ntohs(me.sin_port) : 0;
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	while ((max <= 0 || got < max) && (left = deadline - now_ms()) > 0) {
		if (poll(pfd, (nfds_t)nfd, left > INT_MAX ? INT_MAX :
		    (int)left) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (i = 0; i < nfd; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			sl = sizeof(from);
			n = recvfrom(fds[i], p, sizeof(p), 0,
			    (struct sockaddr *)&from, &sl);
			if (n == -1)
				continue;
			rtp_line(p, n, &from, lp[i]);
			got++;
		}
	}
	say("RTPS %d", got);
}

/* connect_to - a TCP connection from local (or any) to addr:port, with
 * tries 1 s apart; the descriptor or -1 */
static int
connect_to(const char *local, const char *addr, int port, int tries,
    long long deadline)
{
	struct sockaddr_in	 sin;
	int			 fd, i;

	sin_of(&sin, addr, port);
	for (i = 0; i < tries && now_ms() < deadline; i++) {
		if (i > 0)
			pause_ms(1000);
		fd = local != NULL ? hm_bind(SOCK_STREAM, local, 0) :
		    socket(AF_INET, SOCK_STREAM, 0);
		if (fd == -1)
			die("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			return fd;
		say("# connect %s:%d: %s", addr, port, strerror(errno));
		(void)close(fd);
	}
	return -1;
}

/* write_all - n bytes to fd; 0, or -1 (and a line saying why) */
static int
write_all(int fd, const void *buf, size_t n, const char *what)
{
	const unsigned char	*p = buf;
	ssize_t			 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			say("%s write: %s", what, strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void
hm_file_send(const char *local, const char *addr, int port, const char *path,
    const char *name, long long lie, long long deadline)
{
	unsigned char	 h[2 + 255 + 4], buf[CHUNK];
	FILE		*fp;
	long long	 size, total = 0;
	size_t		 nl = strlen(name), n;
	int		 fd;

	if (nl == 0 || nl > 255)
		die("file name of %zu bytes", nl);
	if ((fp = fopen(path, "rb")) == NULL)
		die("%s: %s", path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) == -1 || (size = ftell(fp)) == -1 ||
	    fseek(fp, 0, SEEK_SET) == -1)
		die("%s: %s", path, strerror(errno));
	if ((fd = connect_to(local, addr, port, 6, deadline)) == -1) {
		say("FSEND-FAIL no connection");
		(void)fclose(fp);
		return;
	}
	/* name length and size are little-endian: the client's own order */
	h[0] = (unsigned char)(nl & 0xff);
	h[1] = (unsigned char)(nl >> 8);
	memcpy(h + 2, name, nl);
	size = lie >= 0 ? lie : size;
	h[2 + nl] = (unsigned char)(size & 0xff);
	h[3 + nl] = (unsigned char)(size >> 8 & 0xff);
	h[4 + nl] = (unsigned char)(size >> 16 & 0xff);
	h[5 + nl] = (unsigned char)(size >> 24 & 0xff);
	if (write_all(fd, h, 6 + nl, "FSEND-FAIL") == 0) {
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
			if (write_all(fd, buf, n, "FSEND-FAIL") == -1)
				break;
			total += (long long)n;
		}
		if (n == 0)
			say("FSENT bytes=%lld", total);
	}
	(void)fclose(fp);
	(void)close(fd);
}

/* accept_one - a connection on lfd before the deadline, or -1 */
static int
accept_one(int lfd, char *from, size_t cap, long long deadline)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	int			 fd;

	if (!waitfd(lfd, POLLIN, deadline))
		return -1;
	if ((fd = accept(lfd, (struct sockaddr *)&sin, &sl)) == -1)
		return -1;
	if (inet_ntop(AF_INET, &sin.sin_addr, from, (socklen_t)cap) == NULL)
		(void)snprintf(from, cap, "?");
	return fd;
}

/* read_some - up to n bytes before the deadline; 0 at EOF, -1 timeout */
static ssize_t
read_some(int fd, void *buf, size_t n, long long deadline)
{
	ssize_t	 r;

	for (;;) {
		if (!waitfd(fd, POLLIN, deadline))
			return -1;
		if ((r = read(fd, buf, n)) >= 0)
			return r;
		if (errno != EINTR && errno != EAGAIN)
			return 0;
	}
}

/* read_full - exactly n bytes; 0, or -1 at EOF or timeout */
static int
read_full(int fd, void *buf, size_t n, long long deadline)
{
	unsigned char	*p = buf;
	ssize_t		 r;

	while (n > 0) {
		if ((r = read_some(fd, p, n, deadline)) <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

void
hm_file_recv(int lfd, const char *path, long long deadline)
{
	unsigned char	 h[4], buf[CHUNK];
	char		 name[256], from[INET_ADDRSTRLEN];
	FILE		*fp;
	long long	 got = 0;
	unsigned long	 size;
	size_t		 nl;
	ssize_t		 r;
	int		 fd;

	if ((fd = accept_one(lfd, from, sizeof(from), deadline)) == -1) {
		say("FILE-FAIL no connection");
		return;
	}
	if (read_full(fd, h, 2, deadline) == -1 ||
	    (nl = (size_t)(h[0] | h[1] << 8)) > 255 ||
	    read_full(fd, name, nl, deadline) == -1 ||
	    read_full(fd, h, 4, deadline) == -1) {
		say("FILE-FAIL short header from=%s", from);
		(void)close(fd);
		return;
	}
	name[nl] = '\0';
	size = (unsigned long)h[0] | (unsigned long)h[1] << 8 |
	    (unsigned long)h[2] << 16 | (unsigned long)h[3] << 24;
	if ((fp = fopen(path, "wb")) == NULL)
		die("%s: %s", path, strerror(errno));
	while ((r = read_some(fd, buf, sizeof(buf), deadline)) > 0) {
		if (fwrite(buf, 1, (size_t)r, fp) != (size_t)r)
			die("%s: %s", path, strerror(errno));
		got += r;
	}
	if (fclose(fp) == EOF)
		die("%s: %s", path, strerror(errno));
	(void)close(fd);
	say("FILE name=%s size=%lu got=%lld from=%s%s", name, size, got, from,
	    r < 0 ? " timeout" : "");
}

/* slurp - the bytes of path (at most VIDEO_MAX) into buf; the count */
static size_t
slurp(const char *path, unsigned char *buf)
{
	FILE	*fp;
	size_t	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		die("%s: %s", path, strerror(errno));
	n = fread(buf, 1, VIDEO_MAX, fp);
	(void)fclose(fp);
	return n;
}

void
hm_video_serve(int lfd, const char *path, int n, long long deadline)
{
	static unsigned char	 pic[VIDEO_MAX];
	unsigned char		 sink[CHUNK];
	char			 hdr[512], from[INET_ADDRSTRLEN];
	size_t			 len = slurp(path, pic);
	int			 fd, i, hl;

	hl = snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nServer: "
	    "www.paltalk.com/perry\r\nExpires: 0\r\nContent-Length: %zu\r\n"
	    "Accept-Ranges: bytes\r\nConnection: close\r\nContent-type: "
	    "image/jpeg\r\nX-pad: avoid browser bug\r\n\r\n", len);
	for (i = 0; i < n; i++) {
		if ((fd = accept_one(lfd, from, sizeof(from), deadline)) ==
		    -1) {
			say("VSERVE-FAIL no connection");
			return;
		}
		if (write_all(fd, hdr, (size_t)hl, "VSERVE-FAIL") == 0 &&
		    write_all(fd, pic, len, "VSERVE-FAIL") == 0)
			while (read_some(fd, sink, sizeof(sink), deadline) > 0)
				;
		(void)close(fd);
		say("VSERVED from=%s", from);
	}
}

/* http_line - one header line (CR LF or LF cut off); its length or -1 */
static int
http_line(int fd, char *line, long long deadline)
{
	size_t	 n = 0;
	char	 c;

	for (;;) {
		if (read_some(fd, &c, 1, deadline) <= 0)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 < LINE_MAX_HTTP)
			line[n++] = c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return (int)n;
}

void
hm_video_get(const char *local, const char *addr, int port, const char *path,
    const char *req, long long deadline)
{
	static unsigned char	 pic[VIDEO_MAX];
	char			 line[LINE_MAX_HTTP], *c;
	FILE			*fp;
	long			 len = -1;
	int			 fd, n;

	if ((fd = connect_to(local, addr, port, 3, deadline)) == -1) {
		say("VIDEO-FAIL no connection");
		return;
	}
	if (req != NULL && write_all(fd, req, strlen(req), "VIDEO-FAIL") ==
	    -1) {
		(void)close(fd);
		return;
	}
	while ((n = http_line(fd, line, deadline)) >= 3)
		if ((c = strstr(line, "Content-Length:")) != NULL)
			len = strtol(c + 15, NULL, 10);
	if (n < 0 || len < 0 || len > VIDEO_MAX ||
	    read_full(fd, pic, (size_t)len, deadline) == -1) {
		say("VIDEO-FAIL header or picture");
		(void)close(fd);
		return;
	}
	(void)close(fd);
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(pic, 1, (size_t)len, fp) != (size_t)len || fclose(fp) == EOF)
		die("%s: %s", path, strerror(errno));
	say("VIDEO bytes=%ld", len);
}

void
hm_room_init(const char *local, const char *addr, int port, uint32_t a,
    uint32_t b, long long deadline)
{
	unsigned char	 m[12], key[2];
	int		 fd;

	if ((fd = connect_to(local, addr, port, 3, deadline)) == -1) {
		say("VKEY-FAIL no connection");
		return;
	}
	put32(m, b != 0 ? 910 : 900);
	put32(m + 4, a);
	put32(m + 8, b);
	if (write_all(fd, m, b != 0 ? 12 : 8, "VKEY-FAIL") == 0) {
		if (read_full(fd, key, sizeof(key), deadline) == -1)
			say("VKEY-FAIL no key");
		else
			say("VKEY %u", get16(key));
	}
	(void)close(fd);
}

void
hm_room_publish(const char *local, const char *addr, int port, uint32_t uid,
    const char *path, int n, long long deadline)
{
	static unsigned char	 pic[VIDEO_MAX];
	static const char	 tok[] = "1000";
	unsigned char		 b[14 + sizeof(tok)];
	size_t			 len = slurp(path, pic), hl;
	int			 fd, i, sent = 0;

	put32(b, 1000);
	put32(b + 4, uid);
	put16(b + 8, sizeof(tok) - 1);
	memcpy(b + 10, tok, sizeof(tok) - 1);
	hl = 10 + sizeof(tok) - 1;
	put32(b + hl, (uint32_t)len);
	hl += 4;
	for (i = 0; i < n; i++) {
		if ((fd = connect_to(local, addr, port, 1, deadline)) == -1)
			break;
		if (write_all(fd, b, hl, "# VPUB") == 0 &&
		    write_all(fd, pic, len, "# VPUB") == 0)
			sent++;
		(void)shutdown(fd, SHUT_WR);
		(void)close(fd);
	}
	say("VPUB sent=%d", sent);
}
