/*
 * vidsrv.c - the voice child's room video server (proto/P2P.md section
 * 5).  A publisher sends each picture of its camera on a TCP connection
 * of its own; a viewer fetches the latest picture of a camera, one per
 * connection, in the reply of the 5.0 client's own web server (4.3).
 *
 * Who may do what comes from the shared table alone.  Four times a
 * second vidsrv_tick reads the room video entries that room.c puts
 * (TP_RPUB: the owner publishes in a room; TP_RVIEW: the owner was let
 * view a publisher there) and keeps those whose session is still a
 * member of the room they name, a publisher only while its camera is on
 * there (TMF_VIDEO).  A publisher's connection is taken only from the
 * address its session comes from, a viewer's only from its own
 * session's, and only for a camera it was let view in the room where
 * that camera is on.  Anything else is closed, with one log line (the
 * lines about an address are held back by log_rate).
 *
 * The latest picture of each publisher is kept in memory and replaced
 * by the next; nothing is written to disk.  A picture over
 * video_frame_max bytes closes its connection; pictures over video_rate
 * a second are refused unread.  Memory: a picture per connection being
 * read or written (VS_CONNS), and one per publisher (VS_PUBS).  Every
 * socket is non-blocking, so the voice child's loop never waits here; a
 * connection without progress for VS_IDLE ms, or open for VS_LIFE ms, is
 * closed.
 *
 * No Berkeley DB: everything comes from the shared table.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pald.h"
#include "proto/wire.h"
#include "store/table.h"
#include "vidsrv.h"

#define VS_PUBS		256		/* cameras on at once, server-wide */
#define VS_PERADDR	8		/* connections from one address */
#define VS_IDLE		10000		/* ms without progress: closed */
#define VS_LIFE		30000		/* ms a connection may last */
#define VS_LINE		256		/* a viewer's request line */
#define VS_TOKEN	64		/* a publisher's token */
#define VS_KEY		10		/* the key an init is given */
#define VS_ACCEPTS	16		/* per poll round */
#define VS_SINK		512
#define MISS_READS	100		/* table reads a second for misses */

#define M_INIT		0x00000384u	/* publisher: init, uid(4) */
#define M_FRAME		0x000003e8u	/* publisher: uid tok jpeglen jpeg */
#define M_VIEW		0x0000038eu	/* viewer: init, the camera's uid(4) */

#define S_HEAD		0		/* reading the first bytes */
#define S_BODY		1		/* a publisher's picture */
#define S_SEND		2		/* a viewer's reply */
#define S_LINGER	3		/* sent: until the viewer closes */

/* The reply of 5.0's web server (Palvideo send1Image), byte for byte. */
#define REPLY_HEAD	"HTTP/1.1 200 OK\r\nServer: www.paltalk.com/perry\r\n" \
			"Expires: 0\r\nContent-Length: %zu\r\n" \
			"Accept-Ranges: bytes\r\nConnection: close\r\n" \
			"Content-type: image/jpeg\r\n" \
			"X-pad: avoid browser bug\r\n\r\n"
#define REPLY_MAX	(sizeof(REPLY_HEAD) + 16)

/* A camera on: its session, room, address and latest picture. */
struct pub {
	uint32_t	 uid;		/* 0: free */
	int		 slot;
	uint32_t	 gen;
	uint32_t	 room;
	uint32_t	 ip;		/* network order */
	int		 seen;		/* in this tick's read */
	unsigned char	*pic;
	size_t		 piclen;
	int64_t		 tokens, stamp;	/* video_rate, 1000 per picture */
	uint64_t	 frames, refused, served;
};

/* A viewer let view a camera. */
struct view {
	uint32_t	 viewer;
	uint32_t	 pub;
	uint32_t	 room;
	uint32_t	 ip;
};

struct conn {
	int		 fd;		/* -1: free */
	int		 state;		/* S_* */
	uint32_t	 ip;
	char		 peer[INET_ADDRSTRLEN];
	unsigned char	 hdr[VS_LINE];
	size_t		 hlen;
	unsigned char	*buf;		/* a picture, or a reply */
	size_t		 len, off;
	uint32_t	 uid;		/* a publisher's */
	int64_t		 opened, last;
};

static struct table	*tab;
static int		 lfd = -1;
static struct conn	 conns[VS_CONNS];
static int		 refs[VS_FDS];	/* pollfd -> conn; -1: listener */
static struct pub	 pubs[VS_PUBS];
static struct view	 views[TABLE_P2P];
static int		 nviews;
static struct tp2p	 ebuf[TABLE_P2P];
static int		 frame_max, rate;
static uint64_t		 total_in, total_out, total_bad;
static int64_t		 fulllog = -60000;	/* VS_PUBS reached: logged */
static int64_t		 misswin;	/* refresh: the second's start */
static int		 misses;	/* and its reads for misses */

void
vidsrv_init(struct table *t, const struct pald_conf *c, int vfd)
{
	int	 i;

	tab = t;
	vidsrv_conf(c);
	for (i = 0; i < VS_CONNS; i++)
		conns[i].fd = -1;
	if ((lfd = vfd) != -1)
		log_info("video: serving room video on port %d",
		    c->video_port);
}

void
vidsrv_conf(const struct pald_conf *c)
{
	frame_max = c->video_frame;
	rate = c->video_rate;
}

/*
 * vidsrv_request - "GET /ab?1&A&B&TOKEN": the first field is skipped,
 * A and B are decimal uids; what follows B (the token, " HTTP/1.x")
 * is not read.
 */
int
vidsrv_request(const char *line, size_t n, uint32_t *a, uint32_t *b)
{
	static const char pre[] = "GET /ab?";
	uint32_t	*v[2] = { a, b };
	uint64_t	 x;
	size_t		 i = sizeof(pre) - 1;
	int		 k, digits;

	if (n < i || memcmp(line, pre, i) != 0)
		return -1;
	while (i < n && line[i] != '&')
		i++;
	for (k = 0; k < 2; k++) {
		if (i >= n || line[i] != '&')
			return -1;
		for (i++, x = 0, digits = 0; i < n && line[i] >= '0' &&
		    line[i] <= '9'; i++, digits++) {
			x = x * 10 + (uint64_t)(line[i] - '0');
			if (x > UINT32_MAX)
				return -1;
		}
		if (digits == 0 || (i < n && line[i] != '&' &&
		    line[i] != ' ' && line[i] != '\r'))
			return -1;
		*v[k] = (uint32_t)x;
	}
	return 0;
}

/* sess_ip - the IPv4 address of session (slot, gen); 0: gone, not v4 */
static uint32_t
sess_ip(int slot, uint32_t gen)
{
	struct tsess	 ts;
	struct in_addr	 ia;
	size_t		 skip;

	if (table_session(tab, slot, gen, &ts) == -1)
		return 0;
	skip = strncmp(ts.addr, "::ffff:", 7) == 0 ? 7 : 0;
	if (inet_pton(AF_INET, ts.addr + skip, &ia) != 1)
		return 0;
	return ia.s_addr;
}

/* member_ok - e's owner is in e's room, with the member flags need */
static int
member_ok(const struct tp2p *e, uint32_t need)
{
	struct troom	 tr;
	struct tmember	 m;

	return room_find(tab, e->room, &tr) == 0 &&
	    room_member(tab, tr.idx, tr.rgen, e->uid, &m) == 0 &&
	    m.slot == e->slot && m.gen == e->gen && (m.flags & need) == need;
}

/* pub_find - the camera of uid; its index or -1 */
static int
pub_find(uint32_t uid)
{
	int	 i;

	for (i = 0; uid != 0 && i < VS_PUBS; i++)
		if (pubs[i].uid == uid)
			return i;
	return -1;
}

static void
pub_free(int i)
{
	struct pub	*p = &pubs[i];

	log_info("video: camera of uid %u off: %llu pictures in, %llu "
	    "served, %llu refused over video_rate", p->uid,
	    (unsigned long long)p->frames, (unsigned long long)p->served,
	    (unsigned long long)p->refused);
	free(p->pic);
	memset(p, 0, sizeof(*p));
}

/* pub_seen - e, a camera on, from address ip */
static void
pub_seen(const struct tp2p *e, uint32_t ip, int64_t now)
{
	struct pub	*p;
	int		 i;

	if ((i = pub_find(e->uid)) != -1 && (pubs[i].slot != e->slot ||
	    pubs[i].gen != e->gen || pubs[i].room != e->room)) {
		pub_free(i);	/* a new login, or another room: anew */
		i = -1;
	}
	for (i = i == -1 ? 0 : i; i < VS_PUBS; i++)
		if (pubs[i].uid == e->uid || pubs[i].uid == 0)
			break;
	if (i == VS_PUBS) {
		if (now - fulllog >= 60000) {
			log_warnx("video: more than %d cameras on; uid %u's "
			    "not served", VS_PUBS, e->uid);
			fulllog = now;
		}
		return;
	}
	p = &pubs[i];
	if (p->uid == 0) {
		p->uid = e->uid;
		p->slot = e->slot;
		p->gen = e->gen;
		p->room = e->room;
		p->tokens = (int64_t)rate * 1000;
		p->stamp = now;
		log_info("video: camera of uid %u on in room %u", p->uid,
		    p->room);
	}
	p->ip = ip;
	p->seen = 1;
}

/* view_ok - may viewer, from ip, view pub?  The camera's index, or -1 */
static int
view_ok(uint32_t viewer, uint32_t pub, uint32_t ip)
{
	int	 i, p;

	for (i = 0; i < nviews; i++)
		if (views[i].viewer == viewer && views[i].pub == pub &&
		    views[i].ip == ip && (p = pub_find(pub)) != -1 &&
		    pubs[p].room == views[i].room)
			return p;
	return -1;
}

static void
conn_end(struct conn *c, const char *why)
{
	if (why != NULL) {
		log_warnx("[%s]: video: %s; closed", c->peer, why);
		total_bad++;
	}
	(void)close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/*
 * refresh - the publishers and viewers read again from the table: each
 * tick, and on a request that finds none (miss), so that a camera just
 * turned on, or a viewer just let in, is not refused until the next
 * tick; misses read it MISS_READS times a second at most
 */
static void
refresh(int64_t now, int miss)
{
	const struct tp2p *e;
	uint32_t	 ip;
	int		 i, n;

	if (miss) {
		if (now - misswin >= 1000) {
			misswin = now;
			misses = 0;
		}
		if (++misses > MISS_READS)
			return;
	}
	n = table_p2ps(tab, ebuf, TABLE_P2P);
	for (i = 0; i < VS_PUBS; i++)
		pubs[i].seen = 0;
	nviews = 0;
	for (i = 0; i < n; i++) {
		e = &ebuf[i];
		if (e->kind != TP_RPUB && e->kind != TP_RVIEW)
			continue;
		if (!member_ok(e, e->kind == TP_RPUB ? TMF_VIDEO : 0) ||
		    (ip = sess_ip(e->slot, e->gen)) == 0)
			continue;
		if (e->kind == TP_RPUB)
			pub_seen(e, ip, now);
		else {
			views[nviews].viewer = e->uid;
			views[nviews].pub = e->peer;
			views[nviews].room = e->room;
			views[nviews++].ip = ip;
		}
	}
	for (i = 0; i < VS_PUBS; i++)
		if (pubs[i].uid != 0 && !pubs[i].seen)
			pub_free(i);
}

void
vidsrv_tick(int64_t now)
{
	int	 i;

	if (lfd == -1)
		return;
	refresh(now, 0);
	for (i = 0; i < VS_CONNS; i++)
		if (conns[i].fd != -1 && (now - conns[i].last > VS_IDLE ||
		    now - conns[i].opened > VS_LIFE))
			conn_end(&conns[i], conns[i].state == S_LINGER ? NULL :
			    "timed out");
}

/* accept_new - new connections, VS_PERADDR at most from one address */
static void
accept_new(int64_t now)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t	 sl;
	struct conn	*c;
	uint32_t	 ip;
	int		 i, k, fd, same;

	for (k = 0; k < VS_ACCEPTS; k++) {
		for (i = 0; i < VS_CONNS && conns[i].fd != -1; i++)
			;
		if (i == VS_CONNS)
			return;
		c = &conns[i];
		sl = sizeof(ss);
		if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
			return;
		if (ss.ss_family == AF_INET)
			ip = ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
		else if (ss.ss_family == AF_INET6 &&
		    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			memcpy(&ip, s6->sin6_addr.s6_addr + 12, 4);
		else {	/* the 5.0 client has IPv4 only */
			(void)close(fd);
			continue;
		}
		for (i = same = 0; i < VS_CONNS; i++)
			if (conns[i].fd != -1 && conns[i].ip == ip)
				same++;
		c->fd = fd;
		c->ip = ip;
		if (inet_ntop(AF_INET, &ip, c->peer, sizeof(c->peer)) == NULL)
			(void)strlcpy(c->peer, "?", sizeof(c->peer));
		c->opened = c->last = now;
		if (same >= VS_PERADDR)
			conn_end(c, "too many connections from the address");
	}
}

/*
 * need - how many bytes of the head c needs in all: VS_LINE for a
 * request line (up to its \n), or -1 if it is no request of ours
 */
static int
need(const struct conn *c)
{
	uint32_t	 magic;
	size_t		 tok;

	if (c->hlen < 4)
		return 4;
	if (memcmp(c->hdr, "GET ", 4) == 0)
		return VS_LINE;
	magic = wire_get32(c->hdr);
	if (magic == M_INIT)
		return 8;
	if (magic == M_VIEW)
		return 12;
	if (magic != M_FRAME)
		return -1;
	if (c->hlen < 10)
		return 10;
	if ((tok = wire_get16(c->hdr + 8)) > VS_TOKEN)
		return -1;
	return (int)(10 + tok + 4);
}

/* rate_ok - a picture of camera p within video_rate */
static int
rate_ok(struct pub *p, int64_t now)
{
	p->tokens += (now - p->stamp) * rate;
	p->stamp = now;
	if (p->tokens > (int64_t)rate * 1000)
		p->tokens = (int64_t)rate * 1000;
	if (p->tokens < 1000)
		return 0;
	p->tokens -= 1000;
	return 1;
}

/*
 * view_init - a viewer's init (Palvideo HandleViewGet): 00 00 03 8e,
 * the camera's uid, the viewer's; the key, as to a publisher, when that
 * viewer may view that camera from this address
 */
static void
view_init(struct conn *c, int64_t now)
{
	unsigned char	 key[2];
	char		 why[128];
	uint32_t	 uid = wire_get32(c->hdr + 4);
	uint32_t	 viewer = wire_get32(c->hdr + 8);

	if (view_ok(viewer, uid, c->ip) == -1) {
		refresh(now, 1);
		if (view_ok(viewer, uid, c->ip) == -1) {
			(void)snprintf(why, sizeof(why), "view init for the "
			    "camera of %u by %u, not let view it", uid, viewer);
			conn_end(c, why);
			return;
		}
	}
	wire_put16(key, VS_KEY);
	(void)write(c->fd, key, sizeof(key));
	conn_end(c, NULL);
}

/* pub_head - a publisher's head came: the key of an init, or a picture */
static void
pub_head(struct conn *c, int64_t now)
{
	unsigned char	 key[2];
	char		 why[128];
	uint32_t	 len;
	int		 p;

	c->uid = wire_get32(c->hdr + 4);
	if ((p = pub_find(c->uid)) == -1 || pubs[p].ip != c->ip) {
		refresh(now, 1);
		p = pub_find(c->uid);
	}
	if (p == -1 || pubs[p].ip != c->ip) {
		(void)snprintf(why, sizeof(why), "%s from uid %u, whose "
		    "camera is not on from this address",
		    c->hlen == 8 ? "init" : "picture", c->uid);
		conn_end(c, why);
		return;
	}
	if (c->hlen == 8) {	/* init: the key, then close */
		wire_put16(key, VS_KEY);
		(void)write(c->fd, key, sizeof(key));
		conn_end(c, NULL);
		return;
	}
	len = wire_get32(c->hdr + c->hlen - 4);
	if (len > (uint32_t)frame_max) {
		(void)snprintf(why, sizeof(why), "picture of %u bytes from "
		    "uid %u, over video_frame_max %d", len, c->uid, frame_max);
		conn_end(c, why);
		return;
	}
	if (len == 0 || !rate_ok(&pubs[p], now)) {
		pubs[p].refused++;
		conn_end(c, NULL);
		return;
	}
	if ((c->buf = malloc(len)) == NULL) {
		log_warn("video: picture of %u bytes", len);
		conn_end(c, NULL);
		return;
	}
	c->len = len;
	c->off = 0;
	c->state = S_BODY;
}

/* pub_body - a picture came whole: the camera's latest */
static void
pub_body(struct conn *c)
{
	int	 p;

	if ((p = pub_find(c->uid)) == -1 || pubs[p].ip != c->ip) {
		conn_end(c, NULL);	/* the camera went off meanwhile */
		return;
	}
	if (c->len < 2 || c->buf[0] != 0xff || c->buf[1] != 0xd8) {
		conn_end(c, "a picture that is not a JPEG");
		return;
	}
	if (pubs[p].frames == 0)
		log_info("video: camera of uid %u: first picture, %zu bytes",
		    c->uid, c->len);
	free(pubs[p].pic);
	pubs[p].pic = c->buf;
	pubs[p].piclen = c->len;
	pubs[p].frames++;
	total_in += c->len;
	c->buf = NULL;
	conn_end(c, NULL);
}

static void send_out(struct conn *);

/*
 * get_line - a viewer's request: A the camera's uid and B the viewer's
 * (P2P.md 5: guessed; the other order is taken too), the latest picture
 * of a camera it may view, else closed
 */
static void
get_line(struct conn *c, size_t n, int64_t now)
{
	char		 why[128];
	uint32_t	 a, b;
	size_t		 hl;
	int		 p;

	if (vidsrv_request((const char *)c->hdr, n, &a, &b) == -1) {
		conn_end(c, "not a picture request");
		return;
	}
	if ((p = view_ok(b, a, c->ip)) == -1 &&
	    (p = view_ok(a, b, c->ip)) == -1) {
		refresh(now, 1);
		if ((p = view_ok(b, a, c->ip)) == -1)
			p = view_ok(a, b, c->ip);
	}
	if (p == -1) {
		(void)snprintf(why, sizeof(why), "request for the camera of "
		    "%u or %u by one not let view it", a, b);
		conn_end(c, why);
		return;
	}
	if (pubs[p].piclen == 0 ||
	    (c->buf = malloc(REPLY_MAX + pubs[p].piclen)) == NULL) {
		conn_end(c, NULL);	/* no picture yet: 5.0 asks again */
		return;
	}
	hl = (size_t)snprintf((char *)c->buf, REPLY_MAX, REPLY_HEAD,
	    pubs[p].piclen);
	memcpy(c->buf + hl, pubs[p].pic, pubs[p].piclen);
	c->len = hl + pubs[p].piclen;
	c->off = 0;
	c->state = S_SEND;
	pubs[p].served++;
	send_out(c);
}

/* head_in - the first bytes: what the connection is */
static void
head_in(struct conn *c, int64_t now)
{
	unsigned char	*nl;
	ssize_t		 n;
	int		 want;

	for (;;) {
		if ((want = need(c)) == -1) {
			conn_end(c, "not a room video connection");
			return;
		}
		if (want == VS_LINE &&
		    (nl = memchr(c->hdr, '\n', c->hlen)) != NULL) {
			get_line(c, (size_t)(nl - c->hdr), now);
			return;
		}
		if (want != VS_LINE && (size_t)want <= c->hlen) {
			if (wire_get32(c->hdr) == M_VIEW)
				view_init(c, now);
			else
				pub_head(c, now);
			return;
		}
		if (c->hlen >= VS_LINE) {
			conn_end(c, "request line too long");
			return;
		}
		n = read(c->fd, c->hdr + c->hlen, (size_t)want - c->hlen);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			conn_end(c, c->hlen > 0 ? "closed inside a request" :
			    NULL);
			return;
		}
		c->hlen += (size_t)n;
		c->last = now;
	}
}

/* conn_in - c is readable */
static void
conn_in(struct conn *c, int64_t now)
{
	unsigned char	 sink[VS_SINK];
	ssize_t		 n;

	switch (c->state) {
	case S_HEAD:
		head_in(c, now);
		return;
	case S_BODY:
		n = read(c->fd, c->buf + c->off, c->len - c->off);
		break;
	default:	/* nothing more is asked: read and dropped */
		n = read(c->fd, sink, sizeof(sink));
		break;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_end(c, c->state == S_BODY ? "picture cut short" : NULL);
		return;
	}
	c->last = now;
	if (c->state == S_BODY && (c->off += (size_t)n) == c->len)
		pub_body(c);
}

/* send_out - more of a viewer's reply; when it is out, we shut down */
static void
send_out(struct conn *c)
{
	ssize_t		 n;

	while (c->off < c->len) {
		n = write(c->fd, c->buf + c->off, c->len - c->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_end(c, NULL);
			return;
		}
		c->off += (size_t)n;
		total_out += (uint64_t)n;
	}
	free(c->buf);
	c->buf = NULL;
	c->state = S_LINGER;
	(void)shutdown(c->fd, SHUT_WR);
}

int
vidsrv_poll(struct pollfd *pfd, int max, int64_t now)
{
	int	 i, n = 0, room = 0;

	(void)now;
	if (lfd == -1)
		return 0;
	for (i = 0; i < VS_CONNS && n < max; i++) {
		if (conns[i].fd == -1) {
			room = 1;
			continue;
		}
		pfd[n].fd = conns[i].fd;
		pfd[n].events = conns[i].state == S_SEND ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		refs[n++] = i;
	}
	if (room && n < max) {	/* full: new ones wait in the backlog */
		pfd[n].fd = lfd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		refs[n++] = -1;
	}
	return n;
}

void
vidsrv_input(const struct pollfd *pfd, int n, int64_t now)
{
	struct conn	*c;
	int		 i;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (refs[i] == -1) {
			accept_new(now);
			continue;
		}
		c = &conns[refs[i]];
		if (c->fd != pfd[i].fd)
			continue;
		if (c->state == S_SEND)
			send_out(c);
		else
			conn_in(c, now);
	}
}

void
vidsrv_stop(void)
{
	int	 i;

	for (i = 0; i < VS_CONNS; i++)
		if (conns[i].fd != -1)
			conn_end(&conns[i], NULL);
	for (i = 0; i < VS_PUBS; i++)
		if (pubs[i].uid != 0)
			pub_free(i);
	if (lfd != -1)
		(void)close(lfd);
	lfd = -1;
	log_info("video: stopping; %llu bytes of pictures in, %llu out, %llu "
	    "connections refused", (unsigned long long)total_in,
	    (unsigned long long)total_out, (unsigned long long)total_bad);
}
