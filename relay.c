/*
 * relay.c - the voice child's relay of calls, file transfers and video
 * calls between two users (set up by p2p.c; proto/P2P.md section 6).
 *
 * Four times a second relay_tick reads the person-to-person entries of
 * the shared table.  For each one with a relay port it keeps what that
 * side needs: for a call, UDP sockets on the port and the one after it
 * (RTP, RTCP); for the sender of a file and for each side of a video
 * call, a TCP listener on the port.  They are bound while the entry
 * waits for its answer, so that they are there when it comes, and
 * closed when the entry goes.
 *
 * Forwarding happens only between the two entries of a pair that name
 * each other and are both accepted, while both sessions are logged in.
 * A datagram is taken on a side's port only from the address its
 * owner's session comes from and, once one came, only from that source
 * port (the first wins); it leaves from the other side's socket, to the
 * other owner's address at the other side's own port, where the 5.0
 * client listens (P2P.md 2.3).  Anything else is counted and dropped,
 * and never answered: nothing is reflected to a third party.
 *
 * Files and pictures go through pipes: a connection taken on a listener
 * from the one address that may use it, and one made to where the bytes
 * go: the receiver's address and the port of its -444 for a file, the
 * owner's web port for a picture of the owner.  A file's header is read
 * on the way: a size over file_max, or more bytes than the header
 * announced, cuts the transfer; file_rate bounds its bytes a second.
 * Nothing is written to disk: a pipe holds one buffer of PIPE_BUFSZ
 * bytes, and the sender is not read while it is full.
 *
 * Where epoll(7) exists (Linux), the calls' UDP sockets sit in one epoll
 * descriptor, and only that descriptor is in the voice child's poll set:
 * a poll over every call's two sockets cost the voice child more than
 * all its relaying (bench/README: 100 calls are 400 sockets, polled
 * 2,500 times a second).  Elsewhere they are polled one by one.  On
 * Linux, recvmmsg also takes what a socket holds in one call.
 *
 * No Berkeley DB: everything comes from the shared table.
 */
#include <sys/types.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif
#include <sys/socket.h>
#include <sys/uio.h>
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
#include "relay.h"
#include "store/table.h"

#define DGRAM_MAX	1500		/* larger datagrams are dropped */
#define DGRAMS		64		/* read per socket and poll round */
#define PKT_RATE	100		/* datagrams a second per side and port */
#define PKT_BURST	200		/* (5.0 sends 12.5) */
#define PIPE_BUFSZ	65536
#define PIPE_IDLE	60000		/* ms without progress: closed */
#define CONNECT_TRIES	20		/* 250 ms apart: the receiver races */
#define CONNECT_GAP	250
#define VIDEO_MAX	(256000 + 4096)	/* a picture and its header */
#define VIDEO_PIPES	2		/* pulls of one side at once */
#define OTHER_MAX	4096		/* bytes taken the other way */
#define FILE_HDR	(2 + 255 + 4)	/* name length, name, size */
#define LOG_WINDOW	10000		/* ms between repeated lines */

/* One entry of the table: one side of a call, transfer or video call. */
struct side {
	struct tp2p	 e;		/* as last read; kind 0: none */
	int		 seen;		/* in this tick's read */
	int		 peer;		/* the other side's index, or -1 */
	int		 on;		/* both accepted and logged in */
	uint32_t	 ip;		/* the owner's IPv4, network order */
	int		 ufd[2];	/* a call: RTP and RTCP */
	uint16_t	 latch[2];	/* the owner's source ports */
	int		 lfd;		/* a file's sender, video: listener */
	int		 failed;	/* a bind failed: not again */
	int		 npipes;
	int		 used;		/* a file: its one transfer came */
	int64_t		 tokens[2], stamp[2];
	uint64_t	 in, out, stray;
	int64_t		 straylog;
};

/* A file or picture on its way: a -> b (file) or b -> a (picture). */
struct pipe {
	int		 side;		/* whose listener took a */
	int		 kind;
	int		 a, b;		/* taken; made by us (-1: not yet) */
	int		 dir;		/* 0: a -> b, 1: b -> a */
	int		 connecting;
	int		 tries;
	int64_t		 retry_at;
	struct sockaddr_in to;
	unsigned char	*buf;
	size_t		 off, len;
	int		 eof;		/* the source closed */
	const char	*over;		/* the source sent more than due */
	int		 dead;
	const char	*why;
	uint64_t	 moved, limit, other;
	int64_t		 last;
	int64_t		 tokens, stamp;	/* file_rate */
	unsigned char	 hdr[FILE_HDR];
	size_t		 hlen;
};

/* What a pollfd of relay_poll is for. */
#define R_UDP		1
#define R_LISTEN	2
#define R_PIPE		3
#define R_EPOLL		4

#define EP_EVENTS	64		/* ready sockets taken at a time */

struct ref {
	int		 what;
	int		 i;		/* side or pipe */
	int		 k;		/* UDP: 0 RTP, 1 RTCP; pipe: 0 a, 1 b */
};

static struct table	*tab;
static struct side	 sides[TABLE_P2P];
static struct tp2p	 ebuf[TABLE_P2P];
static struct pipe	*pipes[RELAY_PIPES];
static struct ref	 refs[RELAY_FDS];
static struct sockaddr_in bindaddr;	/* the voice port's address */
static int		 nfds;		/* descriptors held */
static int		 hiside;	/* no side at or above has a socket */
static int		 nlisten;	/* sides with a TCP listener */
static int		 ep = -1;	/* epoll: the calls' UDP sockets */
static int		 file_max, file_rate;
static uint64_t		 total_dgrams, total_stray, total_bytes;

static const char *
kindname(int kind)
{
	return kind == TP_CALL ? "call" : kind == TP_FILE ? "file" : "video";
}

/* ipstr - an IPv4 address in dotted form, in one of two buffers */
static const char *
ipstr(uint32_t ip)
{
	static char	 b[2][INET_ADDRSTRLEN];
	static int	 k;

	k ^= 1;
	if (inet_ntop(AF_INET, &ip, b[k], sizeof(b[k])) == NULL)
		(void)snprintf(b[k], sizeof(b[k]), "?");
	return b[k];
}

void
relay_init(struct table *t, const struct pald_conf *c, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t	 sl = sizeof(ss);
	int		 i;

	tab = t;
	relay_conf(c);
	memset(&bindaddr, 0, sizeof(bindaddr));
	bindaddr.sin_family = AF_INET;
	if (getsockname(lfd, (struct sockaddr *)&ss, &sl) == 0 &&
	    ss.ss_family == AF_INET)
		bindaddr.sin_addr = ((struct sockaddr_in *)&ss)->sin_addr;
	for (i = 0; i < TABLE_P2P; i++) {
		sides[i].ufd[0] = sides[i].ufd[1] = sides[i].lfd = -1;
		sides[i].peer = -1;
	}
#ifdef __linux__
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		log_warn("relay: epoll_create1 (the calls' sockets are polled "
		    "one by one)");
#endif
}

/* ep_add - side i's UDP socket k into the epoll set; -1 if it failed */
static int
ep_add(int i, int k)
{
#ifdef __linux__
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = (uint32_t)(i << 1 | k);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sides[i].ufd[k], &ev) == -1) {
		log_warn("relay: epoll_ctl");
		return -1;
	}
#endif
	return 0;
}

void
relay_conf(const struct pald_conf *c)
{
	file_max = c->file_max;
	file_rate = c->file_rate;
}

/* sock - a non-blocking socket of type bound to our address:port; -1 */
static int
sock(int type, int port)
{
	struct sockaddr_in	 sin = bindaddr;
	int			 fd, one = 1;

	if (nfds >= RELAY_FDS) {
		errno = EMFILE;
		return -1;
	}
	if ((fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	sin.sin_port = htons((uint16_t)port);
	if ((type == SOCK_STREAM && port != 0 && setsockopt(fd, SOL_SOCKET,
	    SO_REUSEADDR, &one, sizeof(one)) == -1) ||
	    ((port != 0 || bindaddr.sin_addr.s_addr != INADDR_ANY) &&
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) ||
	    (type == SOCK_STREAM && port != 0 && listen(fd, 8) == -1)) {
		(void)close(fd);
		return -1;
	}
	nfds++;
	return fd;
}

static void
sock_close(int *fd)
{
	if (*fd == -1)
		return;
	(void)close(*fd);
	*fd = -1;
	nfds--;
}

/* side_log - one line about side i */
static void
side_log(const struct side *sd, const char *what)
{
	log_info("[%s]: relay: %s of uid %u with uid %u, port %u: %s",
	    ipstr(sd->ip), kindname(sd->e.kind), sd->e.uid, sd->e.peer,
	    sd->e.rport, what);
}

/* side_close - side i's sockets closed, its pipes cut, it forgotten */
static void
side_close(int i)
{
	struct side	*sd = &sides[i];
	char		 b[128];
	int		 k;

	if (sd->ufd[0] != -1 || sd->lfd != -1) {
		(void)snprintf(b, sizeof(b), "off; %llu in, %llu out, %llu "
		    "dropped", (unsigned long long)sd->in,
		    (unsigned long long)sd->out,
		    (unsigned long long)sd->stray);
		side_log(sd, b);
	}
	sock_close(&sd->ufd[0]);
	sock_close(&sd->ufd[1]);
	if (sd->lfd != -1)
		nlisten--;
	sock_close(&sd->lfd);
	for (k = 0; k < RELAY_PIPES; k++)
		if (pipes[k] != NULL && pipes[k]->side == i &&
		    !pipes[k]->dead) {
			pipes[k]->dead = 1;
			pipes[k]->why = "the call or transfer ended";
		}
	memset(sd, 0, sizeof(*sd));
	sd->ufd[0] = sd->ufd[1] = sd->lfd = -1;
	sd->peer = -1;
}

/* side_open - the sockets the side needs, if it has a relay port */
static void
side_open(int i)
{
	struct side	*sd = &sides[i];
	int		 k;

	if (sd->failed || sd->e.rport == 0 || sd->e.rport > 32766)
		return;
	if (sd->e.kind == TP_CALL && sd->ufd[0] == -1) {
		for (k = 0; k < 2; k++)
			if ((sd->ufd[k] = sock(SOCK_DGRAM,
			    sd->e.rport + k)) == -1 ||
			    (ep != -1 && ep_add(i, k) == -1))
				break;
		if (k < 2) {
			log_warn("relay: UDP port %d", sd->e.rport + k);
			sock_close(&sd->ufd[0]);
			sock_close(&sd->ufd[1]);
			sd->failed = 1;
		} else
			side_log(sd, "ready");
	} else if ((sd->e.kind == TP_VIDEO ||
	    (sd->e.kind == TP_FILE && sd->e.asker)) && sd->lfd == -1) {
		if ((sd->lfd = sock(SOCK_STREAM, sd->e.rport)) == -1) {
			log_warn("relay: TCP port %d", sd->e.rport);
			sd->failed = 1;
		} else {
			nlisten++;
			side_log(sd, "ready");
		}
	}
}

/* same_entry - is e the entry side sd had (not a new one there)? */
static int
same_entry(const struct side *sd, const struct tp2p *e)
{
	return sd->e.serial == e->serial && sd->e.kind == e->kind &&
	    sd->e.slot == e->slot && sd->e.gen == e->gen &&
	    sd->e.rport == e->rport;
}

/* owner_ip - the IPv4 address of e's session; 0 if gone or not IPv4 */
static uint32_t
owner_ip(const struct tp2p *e)
{
	struct tsess	 ts;
	struct in_addr	 ia;
	const char	*a;

	if (table_session(tab, e->slot, e->gen, &ts) == -1)
		return 0;
	a = strncmp(ts.addr, "::ffff:", 7) == 0 ? ts.addr + 7 : ts.addr;
	return inet_pton(AF_INET, a, &ia) == 1 ? ia.s_addr : 0;
}

/* pair - the index of the entry that is e's other side, or -1 */
static int
pair(const struct tp2p *e)
{
	const struct side *o;
	int		 i;

	for (i = 0; i < TABLE_P2P; i++) {
		o = &sides[i];
		if (o->seen && o->e.kind == e->kind && o->e.slot == e->pslot &&
		    o->e.gen == e->pgen && o->e.pslot == e->slot &&
		    o->e.pgen == e->gen)
			return i;
	}
	return -1;
}

void
relay_tick(int64_t now)
{
	struct side	*sd;
	int		 i, n, was;

	n = table_p2ps(tab, ebuf, TABLE_P2P);
	for (i = 0; i < TABLE_P2P; i++)
		sides[i].seen = 0;
	for (i = 0; i < n; i++) {
		if (ebuf[i].idx < 0 || ebuf[i].idx >= TABLE_P2P ||
		    ebuf[i].rport == 0)
			continue;
		sd = &sides[ebuf[i].idx];
		if (sd->e.kind != 0 && !same_entry(sd, &ebuf[i]))
			side_close(ebuf[i].idx);
		sd->e = ebuf[i];
		sd->seen = 1;
	}
	for (i = 0; i < TABLE_P2P; i++) {
		sd = &sides[i];
		if (sd->e.kind == 0)
			continue;
		if (!sd->seen || (sd->ip = owner_ip(&sd->e)) == 0) {
			side_close(i);
			continue;
		}
		side_open(i);
		was = sd->on;
		sd->peer = pair(&sd->e);
		sd->on = sd->peer != -1 && sd->e.state == TPS_ON &&
		    sides[sd->peer].e.state == TPS_ON;
		if (sd->on && !was) {
			sd->stamp[0] = sd->stamp[1] = now;
			sd->tokens[0] = sd->tokens[1] = PKT_BURST * 1000;
			side_log(sd, "on");
		}
	}
	/* relay_poll looks no further (sockets change only in the tick) */
	for (hiside = TABLE_P2P; hiside > 0; hiside--) {
		sd = &sides[hiside - 1];
		if (sd->ufd[0] != -1 || sd->ufd[1] != -1 || sd->lfd != -1)
			break;
	}
}

/* rate_ok - the side's datagram cap on port k: a token bucket */
static int
rate_ok(struct side *sd, int k, int64_t now)
{
	sd->tokens[k] += (now - sd->stamp[k]) * PKT_RATE;
	sd->stamp[k] = now;
	if (sd->tokens[k] > PKT_BURST * 1000)
		sd->tokens[k] = PKT_BURST * 1000;
	if (sd->tokens[k] < 1000)
		return 0;
	sd->tokens[k] -= 1000;
	return 1;
}

/* dgram_ok - RTP (k 0) or RTCP (k 1) of version 2, of a sane size */
static int
dgram_ok(const unsigned char *p, ssize_t n, int k)
{
	return n >= (k == 0 ? 12 : 8) && n <= DGRAM_MAX &&
	    (p[0] & 0xc0) == 0x80;
}

/* stray - a datagram or connection nobody may send: counted, logged */
static void
stray(struct side *sd, uint32_t ip, int port, int64_t now, const char *what)
{
	sd->stray++;
	total_stray++;
	if (now - sd->straylog < LOG_WINDOW)
		return;
	sd->straylog = now;
	log_warnx("[%s]: relay: %s on port %u of uid %u's %s from %s:%d, "
	    "dropped (logged once in 10 s)", ipstr(sd->ip), what,
	    sd->e.rport, sd->e.uid, kindname(sd->e.kind), ipstr(ip), port);
}

/* dgram_in - datagram p of n bytes from on side i's port k: passed on */
static void
dgram_in(int i, int k, const unsigned char *p, ssize_t n,
    const struct sockaddr_in *from, int64_t now)
{
	struct side		*sd = &sides[i], *o;
	struct sockaddr_in	 to;

	if (!sd->on || from->sin_family != AF_INET ||
	    from->sin_addr.s_addr != sd->ip ||
	    (sd->latch[k] != 0 && from->sin_port != sd->latch[k])) {
		stray(sd, from->sin_addr.s_addr, ntohs(from->sin_port), now,
		    "datagram");
		return;
	}
	if (!dgram_ok(p, n, k) || !rate_ok(sd, k, now)) {
		sd->stray++;
		return;
	}
	sd->latch[k] = from->sin_port;
	sd->in++;
	o = &sides[sd->peer];
	if (o->ufd[k] == -1)
		return;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = o->ip;
	to.sin_port = htons((uint16_t)(o->e.rport + k));
	if (sendto(o->ufd[k], p, (size_t)n, 0, (struct sockaddr *)&to,
	    sizeof(to)) == n) {
		o->out++;
		total_dgrams++;
	}
}

#ifdef __linux__
#define MMSG		8		/* datagrams taken by one recvmmsg */

/*
 * udp_in - what came on side i's port k: to the other side, or dropped.
 * recvmmsg takes what is queued in one call, and a short count says the
 * queue is empty, so the usual one datagram costs no recvfrom that
 * fails with EAGAIN.
 */
static void
udp_in(int i, int k, int64_t now)
{
	static unsigned char	 p[MMSG][DGRAM_MAX + 1];
	static struct sockaddr_in from[MMSG];
	struct mmsghdr		 mm[MMSG];
	struct iovec		 iov[MMSG];
	int			 d, j, n;

	for (d = 0; d < DGRAMS; d += n) {
		memset(mm, 0, sizeof(mm));
		for (j = 0; j < MMSG; j++) {
			iov[j].iov_base = p[j];
			iov[j].iov_len = sizeof(p[j]);
			mm[j].msg_hdr.msg_iov = &iov[j];
			mm[j].msg_hdr.msg_iovlen = 1;
			mm[j].msg_hdr.msg_name = &from[j];
			mm[j].msg_hdr.msg_namelen = sizeof(from[j]);
		}
		if ((n = recvmmsg(sides[i].ufd[k], mm, MMSG, MSG_DONTWAIT,
		    NULL)) <= 0)
			return;
		for (j = 0; j < n; j++)
			dgram_in(i, k, p[j], (ssize_t)mm[j].msg_len, &from[j],
			    now);
		if (n < MMSG)
			return;
	}
}
#else
/* udp_in - what came on side i's port k: to the other side, or dropped */
static void
udp_in(int i, int k, int64_t now)
{
	struct sockaddr_in	 from;
	unsigned char		 p[DGRAM_MAX + 1];
	socklen_t		 sl;
	ssize_t			 n;
	int			 d;

	for (d = 0; d < DGRAMS; d++) {
		sl = sizeof(from);
		n = recvfrom(sides[i].ufd[k], p, sizeof(p), 0,
		    (struct sockaddr *)&from, &sl);
		if (n == -1)
			return;
		dgram_in(i, k, p, n, &from, now);
	}
}
#endif

/* pipe_target - where a pipe of side sd goes: 0, or -1 if nowhere */
static int
pipe_target(const struct side *sd, struct sockaddr_in *to)
{
	const struct side *o = &sides[sd->peer];

	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	if (sd->e.kind == TP_FILE) {
		/* the receiver, at the port it listens on */
		to->sin_addr.s_addr = o->ip;
		to->sin_port = htons(o->e.cport);
	} else {
		/* the owner's web server, for a picture of the owner */
		to->sin_addr.s_addr = sd->ip;
		to->sin_port = htons(sd->e.cport);
	}
	return to->sin_port != 0 ? 0 : -1;
}

/* pipe_retry - a try to reach the target failed: later, or never */
static void
pipe_retry(struct pipe *pp, int64_t now)
{
	sock_close(&pp->b);
	pp->connecting = 0;
	if (pp->tries >= CONNECT_TRIES) {
		pp->dead = 1;
		pp->why = "no connection to the other side";
	} else
		pp->retry_at = now + CONNECT_GAP;
}

/* pipe_connect - a (new) connection to the pipe's target */
static void
pipe_connect(struct pipe *pp, int64_t now)
{
	sock_close(&pp->b);
	pp->tries++;
	if ((pp->b = sock(SOCK_STREAM, 0)) == -1) {
		pp->dead = 1;
		pp->why = "no socket";
		return;
	}
	if (connect(pp->b, (struct sockaddr *)&pp->to, sizeof(pp->to)) == 0 ||
	    errno == EINPROGRESS)
		pp->connecting = 1;
	else
		pipe_retry(pp, now);
}

/* pipe_alloc - a pipe and its buffer, or NULL */
static struct pipe *
pipe_alloc(void)
{
	struct pipe	*pp;

	if ((pp = calloc(1, sizeof(*pp))) == NULL)
		return NULL;
	if ((pp->buf = malloc(PIPE_BUFSZ)) == NULL) {
		free(pp);
		return NULL;
	}
	return pp;
}

/* pipe_new - side i's listener took a connection: a pipe for it */
static void
pipe_new(int i, int64_t now)
{
	struct side		*sd = &sides[i];
	struct sockaddr_in	 from;
	struct pipe		*pp = NULL;
	socklen_t		 sl = sizeof(from);
	uint32_t		 may = 0;
	int			 fd, k;

	if ((fd = accept4(sd->lfd, (struct sockaddr *)&from, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	nfds++;
	/* the entries as they are now: this may be a new transfer's port */
	relay_tick(now);
	/* a file comes from its sender; a picture is for the other side */
	if (sd->on)
		may = sd->e.kind == TP_FILE ? sd->ip : sides[sd->peer].ip;
	for (k = 0; k < RELAY_PIPES && pipes[k] != NULL; k++)
		;
	if (!sd->on || from.sin_addr.s_addr != may || k == RELAY_PIPES ||
	    (sd->e.kind == TP_FILE && sd->used) ||
	    (sd->e.kind == TP_VIDEO && sd->npipes >= VIDEO_PIPES) ||
	    (pp = pipe_alloc()) == NULL) {
		stray(sd, from.sin_addr.s_addr, ntohs(from.sin_port), now,
		    "connection");
		sock_close(&fd);
		return;
	}
	pp->side = i;
	pp->kind = sd->e.kind;
	pp->a = fd;
	pp->b = -1;
	pp->dir = sd->e.kind == TP_FILE ? 0 : 1;
	pp->limit = sd->e.kind == TP_FILE ? (uint64_t)FILE_HDR +
	    (uint64_t)file_max : VIDEO_MAX;
	pp->last = pp->stamp = now;
	pp->tokens = file_rate;
	if (pipe_target(sd, &pp->to) == -1) {
		pp->dead = 1;
		pp->why = "no port to go to";
	}
	pipes[k] = pp;
	sd->npipes++;
	sd->used = 1;
	if (!pp->dead)
		pipe_connect(pp, now);
	if (pp->kind == TP_FILE)
		log_info("[%s]: relay: file of uid %u to uid %u at %s:%u",
		    ipstr(from.sin_addr.s_addr), sd->e.uid, sd->e.peer,
		    ipstr(pp->to.sin_addr.s_addr), ntohs(pp->to.sin_port));
}

/*
 * file_hdr - the first bytes of a file: name length (2, LE), name, size
 * (4, LE).  Sets the pipe's limit from the size.  NULL, or why the
 * transfer is cut: the bytes due then are what came before (a bad name
 * length) or the header (a size over file_max), so that the receiver
 * learns from a short file that it ended.
 */
static const char *
file_hdr(struct pipe *pp, const unsigned char *p, size_t n)
{
	size_t		 need, take;
	uint32_t	 size;

	while (n > 0) {
		need = pp->hlen < 2 ? 2 : 2 + (pp->hdr[0] | pp->hdr[1] << 8) +
		    4;
		if (need > FILE_HDR) {
			pp->limit = pp->moved;
			return "a file name of over 255 bytes";
		}
		if (pp->hlen >= need)
			return NULL;
		take = need - pp->hlen < n ? need - pp->hlen : n;
		memcpy(pp->hdr + pp->hlen, p, take);
		pp->hlen += take;
		p += take;
		n -= take;
		if (pp->hlen == need && need > 2) {
			size = (uint32_t)pp->hdr[need - 4] |
			    (uint32_t)pp->hdr[need - 3] << 8 |
			    (uint32_t)pp->hdr[need - 2] << 16 |
			    (uint32_t)pp->hdr[need - 1] << 24;
			pp->limit = need;
			if (size > (uint32_t)file_max)
				return "over file_max";
			pp->limit += size;
			return NULL;
		}
	}
	return NULL;
}

/* pipe_allow - bytes the pipe may read now (buffer room, file_rate) */
static size_t
pipe_allow(struct pipe *pp, int64_t now)
{
	size_t	 room = PIPE_BUFSZ - (pp->len - pp->off), burst;

	if (pp->kind != TP_FILE || file_rate == 0)
		return room;
	burst = (size_t)file_rate / 4 > PIPE_BUFSZ ? (size_t)file_rate / 4 :
	    PIPE_BUFSZ;
	pp->tokens += (now - pp->stamp) * file_rate / 1000;
	pp->stamp = now;
	if (pp->tokens > (int64_t)burst)
		pp->tokens = (int64_t)burst;
	if (pp->tokens <= 0)
		return 0;
	return (size_t)pp->tokens < room ? (size_t)pp->tokens : room;
}

/* pipe_read - from the source into the buffer */
static void
pipe_read(struct pipe *pp, int64_t now)
{
	int		 src = pp->dir == 0 ? pp->a : pp->b;
	size_t		 want = pipe_allow(pp, now);
	ssize_t		 n;

	if (want == 0)
		return;
	if (pp->off > 0 && pp->len + want > PIPE_BUFSZ) {
		memmove(pp->buf, pp->buf + pp->off, pp->len - pp->off);
		pp->len -= pp->off;
		pp->off = 0;
	}
	if (want > PIPE_BUFSZ - pp->len)
		want = PIPE_BUFSZ - pp->len;
	if ((n = read(src, pp->buf + pp->len, want)) == -1) {
		if (errno != EAGAIN && errno != EINTR) {
			pp->dead = 1;
			pp->why = "read error";
		}
		return;
	}
	if (n == 0) {
		pp->eof = 1;
		return;
	}
	if (pp->kind == TP_FILE && pp->over == NULL)
		pp->over = file_hdr(pp, pp->buf + pp->len, (size_t)n);
	if (pp->moved + (uint64_t)n > pp->limit) {
		/* what is due goes on; the rest, and the source, are cut */
		n = (ssize_t)(pp->limit - pp->moved);
		if (pp->over == NULL)
			pp->over = pp->kind == TP_FILE ?
			    "more than the file's size" : "picture too large";
	}
	pp->moved += (uint64_t)n;
	pp->len += (size_t)n;
	pp->tokens -= n;
	pp->last = now;
}

/* pipe_write - from the buffer to the destination */
static void
pipe_write(struct pipe *pp, int64_t now)
{
	int	 dst = pp->dir == 0 ? pp->b : pp->a;
	ssize_t	 n;

	if (pp->len == pp->off)
		return;
	if ((n = write(dst, pp->buf + pp->off, pp->len - pp->off)) == -1) {
		if (errno != EAGAIN && errno != EINTR) {
			pp->dead = 1;
			pp->why = "write error";
		}
		return;
	}
	pp->off += (size_t)n;
	if (pp->off == pp->len)
		pp->off = pp->len = 0;
	pp->last = now;
	total_bytes += (uint64_t)n;
}

/* pipe_other - bytes the wrong way (none are due): read, dropped */
static void
pipe_other(struct pipe *pp, int fd)
{
	unsigned char	 sink[512];
	ssize_t		 n;

	n = read(fd, sink, sizeof(sink));
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		pp->dead = 1;
		pp->why = "closed by the other end";
	} else if (n > 0 && (pp->other += (uint64_t)n) > OTHER_MAX) {
		pp->dead = 1;
		pp->why = "bytes the wrong way";
	}
}

/* pipe_connected - the connection to the target is made, or failed */
static void
pipe_connected(struct pipe *pp, int64_t now)
{
	socklen_t	 sl = sizeof(int);
	int		 err = 0;

	pp->connecting = 0;
	if (getsockopt(pp->b, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
		err = errno;
	if (err != 0)
		pipe_retry(pp, now);
}

/* pipe_event - poll's news for descriptor k (0: a, 1: b) of pipe pp */
static void
pipe_event(struct pipe *pp, int k, short rev, int64_t now)
{
	int	 src = pp->dir == 0 ? 0 : 1;

	if (pp->dead)
		return;
	if (k == 1 && pp->connecting) {
		if (rev & (POLLOUT | POLLERR | POLLHUP))
			pipe_connected(pp, now);
		return;
	}
	if (rev & POLLOUT)
		pipe_write(pp, now);
	if (!(rev & (POLLIN | POLLHUP | POLLERR)) || pp->dead)
		return;
	if (k == src)
		pipe_read(pp, now);
	else
		pipe_other(pp, k == 0 ? pp->a : pp->b);
}

/* pipe_close - the pipe is done: closed, logged, forgotten */
static void
pipe_close(int k)
{
	struct pipe	*pp = pipes[k];
	struct side	*sd = &sides[pp->side];

	/* a file is worth a line; a picture (several a second) is not */
	if (pp->kind == TP_FILE)
		log_info("[%s]: relay: file of uid %u to uid %u: %llu bytes, "
		    "%s", ipstr(sd->ip), sd->e.uid, sd->e.peer,
		    (unsigned long long)pp->moved,
		    pp->why != NULL ? pp->why : "done");
	else
		log_debug("relay: picture of uid %u: %llu bytes, %s",
		    sd->e.uid, (unsigned long long)pp->moved,
		    pp->why != NULL ? pp->why : "done");
	if ((pp->eof || pp->over != NULL) && pp->b != -1 && pp->dir == 0)
		(void)shutdown(pp->b, SHUT_WR);
	sock_close(&pp->a);
	sock_close(&pp->b);
	if (sd->npipes > 0)
		sd->npipes--;
	free(pp->buf);
	free(pp);
	pipes[k] = NULL;
}

/* pipe_check - finished (the source closed, all passed on), idle, or due
 * another try at its target */
static void
pipe_check(struct pipe *pp, int64_t now)
{
	if (pp->dead)
		return;
	if ((pp->eof || pp->over != NULL) && pp->off == pp->len &&
	    !pp->connecting && pp->b != -1) {
		pp->dead = 1;
		pp->why = pp->over;
	} else if (now - pp->last > PIPE_IDLE) {
		pp->dead = 1;
		pp->why = "idle";
	} else if (pp->b == -1 && now >= pp->retry_at)
		pipe_connect(pp, now);
}

/* ref - note what pollfd n is for */
static void
ref(int n, int what, int i, int k)
{
	refs[n].what = what;
	refs[n].i = i;
	refs[n].k = k;
}

/* pipe_poll - the pollfds of pipe k: its two ends, as it needs them */
static int
pipe_poll(struct pollfd *pfd, int n, int max, int k, int64_t now)
{
	struct pipe	*pp = pipes[k];
	int		 i, fd, src, m = n;
	short		 ev;

	if (pp->dead)
		return n;
	src = pp->dir == 0 ? 0 : 1;
	for (i = 0; i < 2 && m < max; i++) {
		fd = i == 0 ? pp->a : pp->b;
		if (fd == -1)
			continue;
		if (i == 1 && pp->connecting)
			ev = POLLOUT;
		else if (i == src)
			ev = !pp->eof && pp->over == NULL &&
			    pipe_allow(pp, now) > 0 ? POLLIN : 0;
		else
			/* POLLIN too: a close of the destination */
			ev = POLLIN | (pp->len > pp->off ? POLLOUT : 0);
		if (ev == 0)
			continue;
		pfd[m].fd = fd;
		pfd[m].events = ev;
		pfd[m].revents = 0;
		ref(m++, R_PIPE, k, i);
	}
	return m;
}

int
relay_poll(struct pollfd *pfd, int max, int64_t now)
{
	struct side	*sd;
	int		 i, k, n = 0;

	if (max > RELAY_FDS)
		max = RELAY_FDS;
	if (ep != -1 && n < max) {
		pfd[n].fd = ep;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		ref(n++, R_EPOLL, 0, 0);
	}
	/*
	 * Every poll round comes here: with epoll and no listener there is
	 * nothing to walk (the walk was most of the voice child's user CPU).
	 */
	for (i = 0; i < hiside && n < max && (ep == -1 || nlisten > 0); i++) {
		sd = &sides[i];
		for (k = 0; k < 2 && n < max && ep == -1; k++)
			if (sd->ufd[k] != -1) {
				pfd[n].fd = sd->ufd[k];
				pfd[n].events = POLLIN;
				pfd[n].revents = 0;
				ref(n++, R_UDP, i, k);
			}
		if (sd->lfd != -1 && n < max) {
			pfd[n].fd = sd->lfd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			ref(n++, R_LISTEN, i, 0);
		}
	}
	for (k = 0; k < RELAY_PIPES; k++)
		if (pipes[k] != NULL)
			n = pipe_poll(pfd, n, max, k, now);
	return n;
}

/* ep_input - the calls' sockets that epoll says are ready */
static void
ep_input(int64_t now)
{
#ifdef __linux__
	struct epoll_event evs[EP_EVENTS];
	int		 i, k, n, r, round = 0;

	do {	/* a few rounds at most: the rest waits for the next poll */
		if ((n = epoll_wait(ep, evs, EP_EVENTS, 0)) == -1)
			return;
		for (r = 0; r < n; r++) {
			i = (int)(evs[r].data.u32 >> 1);
			k = (int)(evs[r].data.u32 & 1);
			if (i < TABLE_P2P && sides[i].ufd[k] != -1)
				udp_in(i, k, now);
		}
	} while (n == EP_EVENTS && ++round < 4);
#else
	(void)now;
#endif
}

void
relay_input(const struct pollfd *pfd, int n, int64_t now)
{
	int	 i, k;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		switch (refs[i].what) {
		case R_EPOLL:
			ep_input(now);
			break;
		case R_UDP:
			if (sides[refs[i].i].ufd[refs[i].k] == pfd[i].fd)
				udp_in(refs[i].i, refs[i].k, now);
			break;
		case R_LISTEN:
			if (sides[refs[i].i].lfd == pfd[i].fd)
				pipe_new(refs[i].i, now);
			break;
		case R_PIPE:
			if (pipes[refs[i].i] != NULL)
				pipe_event(pipes[refs[i].i], refs[i].k,
				    pfd[i].revents, now);
			break;
		}
	}
	for (k = 0; k < RELAY_PIPES; k++) {
		if (pipes[k] == NULL)
			continue;
		pipe_check(pipes[k], now);
		if (pipes[k]->dead)
			pipe_close(k);
	}
}

int
relay_wait(int64_t now)
{
	struct pipe	*pp;
	int64_t		 w = -1, d;
	int		 k;

	for (k = 0; k < RELAY_PIPES; k++) {
		if ((pp = pipes[k]) == NULL || pp->dead)
			continue;
		if (pp->b == -1)
			d = pp->retry_at - now;
		else if (pp->kind == TP_FILE && file_rate > 0 &&
		    pp->tokens <= 0)
			d = (1 - pp->tokens) * 1000 / file_rate + 1;
		else
			continue;
		if (d < 0)
			d = 0;
		if (w == -1 || d < w)
			w = d;
	}
	return w > 1000 ? 1000 : (int)w;
}

void
relay_stop(void)
{
	int	 i;

	for (i = 0; i < RELAY_PIPES; i++)
		if (pipes[i] != NULL) {
			pipes[i]->dead = 1;
			pipes[i]->why = "server shutdown";
			pipe_close(i);
		}
	for (i = 0; i < TABLE_P2P; i++)
		side_close(i);
	log_info("relay: stopping; %llu datagrams, %llu bytes relayed, %llu "
	    "dropped", (unsigned long long)total_dgrams,
	    (unsigned long long)total_bytes, (unsigned long long)total_stray);
}
