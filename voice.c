/*
 * voice.c - the voice child: the rooms' audio over the voice port.
 *
 * NAME
 *	voice_main - relay room audio between the members of a room
 * DESCRIPTION
 *	One process, one poll loop, non-blocking sockets.  A 5.0 client
 *	connects after ROOM_MEDIA_SERVER and writes room(4) uid(4); it is
 *	never answered (an answer makes it reconnect in a loop).  The
 *	connection is kept only if the shared table says that uid is logged
 *	in from the same address and is a member of that active room; it is
 *	closed as soon as the member leaves.  Units (length + RTP) are
 *	checked, their SSRC and trailing uid set to the sender's uid, and
 *	each is written once to every other voice connection of the room;
 *	a listener that does not keep up loses units, never memory.
 *
 *	The mic: a red-dotted member is never heard; with all mics open
 *	everyone else is; otherwise one speaker holds the mic (the room's
 *	speaker in the table) until 1.5 s of silence, or mic_time seconds
 *	when hands are raised, and then it passes to the first raised hand,
 *	which gets 10 s to start talking.  proto/rtp.c decides; this file
 *	reads and writes the table and the sockets.
 *
 *	The calls, transfers and video calls between two users go through
 *	relay.c, and room video through vidsrv.c, which this loop polls
 *	and ticks.
 *
 *	No Berkeley DB handle: everything comes from the shared table.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "lograte.h"
#include "pald.h"
#include "proc.h"
#include "proto/rtp.h"
#include "proto/wire.h"
#include "relay.h"
#include "store/table.h"
#include "vidsrv.h"
#include "voice.h"

#define UNIT_WIRE	(4 + 148)		/* what 5.0 sends */
#define QBYTES		(VOICE_QUNITS * UNIT_WIRE)
#define READ_CHUNK	4096
#define ACCEPTS		32			/* per poll round */
#define LOG_WINDOW	10000			/* ms between repeated logs */

struct vroom;

struct bucket {					/* the per-source rate cap */
	int64_t		 tokens, stamp;		/* 1000 tokens per unit */
	int64_t		 logged;
};

struct vconn {
	LIST_ENTRY(vconn) link;			/* in its room */
	int		 fd;
	int		 dead;
	const char	*why;			/* why it is dead */
	struct vroom	*room;			/* NULL until the handshake */
	uint32_t	 uid;
	int64_t		 opened;
	char		 peer[48];
	struct bucket	 rate;
	int64_t		 badlog;
	uint64_t	 in, out, dropped, bad;
	size_t		 qoff, qlen;
	uint8_t		 q[QBYTES];
	struct rtp_reader rd;
};

struct vroom {
	int		 used;
	uint32_t	 id;
	int		 idx;
	uint32_t	 rgen;
	int		 nconns;
	struct mic	 mic;
	LIST_HEAD(vconns, vconn) conns;
};

/* A registered UDP endpoint (table_vep), checked and resolved. */
struct uep {
	struct tvep	 e;
	struct sockaddr_storage sa;
	socklen_t	 salen;
	struct vroom	*room;
	struct bucket	 rate;
};

static volatile sig_atomic_t quit, hup;
static struct table	*tab;
static struct pald_conf	 vconf;
static struct mic_rules	 rules;
static struct vconn	**conns;
static int		 nconns, nhellos, maxconns;
static struct vroom	 rooms[PALD_TROOMS];
static struct tmember	 mbuf[PALD_ROOM_MEMBERS_MAX];
static struct uep	 ueps[TABLE_VEPS], unew[TABLE_VEPS];
static struct tvep	 vbuf[TABLE_VEPS];
static int		 nueps, ufd = -1;
static uint64_t		 ustray;	/* datagrams nobody registered */

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		quit = 1;
}

static void
voice_signals(void)
{
	proc_signals(on_signal);
	proc_signal(SIGCHLD, SIG_DFL);
}

/* set_rules - the mic rules from the configuration */
static void
set_rules(const struct pald_conf *c)
{
	rules.idle = VOICE_IDLE_MS;
	rules.grace = VOICE_GRACE_MS;
	rules.maxtalk = (int64_t)c->mic_time * 1000;
}

/* reload - SIGHUP: mic_time, log_rate, file_max, file_rate and the video_*
 * limits are what the voice child reads (video_port: at a restart) */
static void
reload(const char *conffile)
{
	struct pald_conf nc = vconf;
	char		 errbuf[512];

	hup = 0;
	if (conffile == NULL)
		return;
	if (conf_load(&nc, conffile, errbuf, sizeof(errbuf)) == -1) {
		log_warnx("voice: reload failed: %s", errbuf);
		return;
	}
	vconf.mic_time = nc.mic_time;
	vconf.log_rate = nc.log_rate;
	set_rules(&vconf);
	vconf.file_max = nc.file_max;
	vconf.file_rate = nc.file_rate;
	relay_conf(&vconf);
	vconf.video_frame = nc.video_frame;
	vconf.video_rate = nc.video_rate;
	vidsrv_conf(&vconf);
	log_info("voice: mic_time %d, log_rate %d, file_max %d, file_rate %d, "
	    "video_frame_max %d, video_rate %d", vconf.mic_time,
	    vconf.log_rate, vconf.file_max, vconf.file_rate,
	    vconf.video_frame, vconf.video_rate);
}

/* plainaddr - an address as the session table has it (no v4-mapped) */
static const char *
plainaddr(const char *a)
{
	return strncmp(a, "::ffff:", 7) == 0 && strchr(a + 7, '.') != NULL ?
	    a + 7 : a;
}

/* vroom_get - the voice room for an active room, made on first use */
static struct vroom *
vroom_get(const struct troom *tr)
{
	struct vroom	*vr, *fr = NULL;
	int		 i;

	for (i = 0; i < PALD_TROOMS; i++) {
		vr = &rooms[i];
		if (!vr->used) {
			if (fr == NULL)
				fr = vr;
			continue;
		}
		if (vr->idx == tr->idx && vr->rgen == tr->rgen)
			return vr;
	}
	if (fr == NULL)
		return NULL;
	memset(fr, 0, sizeof(*fr));
	fr->used = 1;
	fr->id = tr->id;
	fr->idx = tr->idx;
	fr->rgen = tr->rgen;
	LIST_INIT(&fr->conns);
	return fr;
}

/* conn_close - log, close and forget a connection */
static void
conn_close(struct vconn *c)
{
	const char	*why = c->why != NULL ? c->why : "closed";
	int	 i;

	if (c->room != NULL) {
		log_notice("[%s]: voice uid %u room %u closed: %s; units in "
		    "%llu, out %llu, dropped %llu", c->peer, c->uid,
		    c->room->id, why, (unsigned long long)c->in,
		    (unsigned long long)c->out,
		    (unsigned long long)c->dropped);
		LIST_REMOVE(c, link);
		if (--c->room->nconns == 0) {
			c->room->used = 0;
			for (i = 0; i < nueps; i++)
				if (ueps[i].room == c->room)
					ueps[i].room = NULL;
		}
	} else
		nhellos--;
	(void)close(c->fd);
	for (i = 0; i < nconns; i++)
		if (conns[i] == c) {
			conns[i] = conns[--nconns];
			break;
		}
	free(c);
}

/* conn_kill - mark for closing at the end of the round */
static void
conn_kill(struct vconn *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = 1;
	c->why = why;
	if (c->room == NULL)
		log_warnx("[%s]: voice: %s, closing", c->peer, why);
}

/* flush - write what is queued; -1 on a dead socket */
static int
flush(struct vconn *c)
{
	ssize_t	 n;

	while (c->qlen > 0) {
		n = write(c->fd, c->q + c->qoff, c->qlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->qoff += (size_t)n;
		c->qlen -= (size_t)n;
	}
	c->qoff = 0;
	return 0;
}

/*
 * put - one unit to a listener: straight to the socket when nothing
 * waits, else into the bounded queue, else dropped.  A unit is queued
 * whole or not at all, so the stream stays framed.
 */
static void
put(struct vconn *c, const uint8_t *u, size_t n)
{
	ssize_t	 w = 0;

	if (c->qlen == 0) {
		w = write(c->fd, u, n);
		if (w == (ssize_t)n) {
			c->out++;
			return;
		}
		if (w == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				conn_kill(c, "write error");
				return;
			}
			w = 0;
		}
		c->qoff = 0;
	} else if (c->qlen + n > QBYTES) {
		c->dropped++;
		return;
	}
	if (c->qoff + c->qlen + n - (size_t)w > QBYTES) {
		memmove(c->q, c->q + c->qoff, c->qlen);
		c->qoff = 0;
	}
	memcpy(c->q + c->qoff + c->qlen, u + w, n - (size_t)w);
	c->qlen += n - (size_t)w;
	c->out++;
}

/*
 * relay - a checked unit to every other voice member of the room: the
 * TCP connections with the length, the UDP listeners without
 */
static void
relay(struct vroom *vr, uint32_t from, const uint8_t *u, size_t n)
{
	struct vconn	*c;
	int		 i;

	for (c = LIST_FIRST(&vr->conns); c != NULL; c = LIST_NEXT(c, link))
		if (c->uid != from && !c->dead)
			put(c, u, n);
	for (i = 0; i < nueps; i++)
		if (ueps[i].room == vr && (ueps[i].e.mode & TV_LISTEN) &&
		    ueps[i].e.uid != from)
			(void)sendto(ufd, u + 4, rtp_to_udp(n - 4), 0,
			    (struct sockaddr *)&ueps[i].sa, ueps[i].salen);
}

/* members - copy the room's members into mbuf; count, -1 if gone */
static int
members(struct vroom *vr)
{
	return room_members(tab, vr->idx, vr->rgen, mbuf,
	    PALD_ROOM_MEMBERS_MAX);
}

/* member - uid's entry in mbuf[0..n), or NULL */
static const struct tmember *
member(int n, uint32_t uid)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (mbuf[i].uid == uid)
			return &mbuf[i];
	return NULL;
}

/*
 * ahead - is a hand raised by someone other than uid, and ahead of uid's
 * own (if uid's is up)?  The mic then goes down the queue, not to uid.
 */
static int
ahead(int n, uint32_t uid)
{
	const struct tmember *me = member(n, uid);
	int		 i;

	for (i = 0; i < n; i++) {
		if (mbuf[i].uid == uid || !(mbuf[i].flags & TMF_HAND) ||
		    (mbuf[i].flags & TMF_REDDOT))
			continue;
		if (me == NULL || !(me->flags & TMF_HAND) ||
		    (int32_t)(mbuf[i].handseq - me->handseq) < 0)
			return 1;
	}
	return 0;
}

/* set_speaker - the table's speaker */
static void
set_speaker(struct vroom *vr, uint32_t uid)
{
	struct troom	 tr;

	memset(&tr, 0, sizeof(tr));
	tr.speaker = uid;
	(void)room_update(tab, vr->idx, vr->rgen, &tr, RU_SPEAKER);
}

/* hand_down - lower uid's hand and tell the room (0x018f) */
static void
hand_down(struct vroom *vr, uint32_t uid)
{
	uint8_t		 pl[8], fr[WIRE_HDRLEN + 8];
	size_t		 n;

	if (room_mflags(tab, vr->idx, vr->rgen, uid, 0, TMF_HAND) <= 0)
		return;
	wire_put32(pl, vr->id);
	wire_put32(pl + 4, uid);
	if ((n = wire_encode(fr, sizeof(fr), PT_ROOM_HAND_DOWN, pl,
	    sizeof(pl))) > 0)
		(void)room_send(tab, vr->idx, vr->rgen, -1, TM_FRAME, fr, n);
}

/* pass - the mic to the first raised hand, or free; mbuf[0..n) fresh */
static void
pass(struct vroom *vr, int n, int64_t now)
{
	const struct tmember *first = NULL;
	int		 i;

	for (i = 0; i < n; i++) {
		if (!(mbuf[i].flags & TMF_HAND) ||
		    (mbuf[i].flags & TMF_REDDOT) ||
		    mbuf[i].uid == vr->mic.speaker)
			continue;
		if (first == NULL ||
		    (int32_t)(mbuf[i].handseq - first->handseq) < 0)
			first = &mbuf[i];
	}
	if (first == NULL) {
		mic_give(&vr->mic, 0, now);
		set_speaker(vr, 0);
		return;
	}
	mic_give(&vr->mic, first->uid, now);
	set_speaker(vr, first->uid);
	hand_down(vr, first->uid);
	log_debug("voice: room %u: mic to uid %u", vr->id, first->uid);
}

/* bucket_init - a full bucket */
static void
bucket_init(struct bucket *b, int64_t now)
{
	b->tokens = VOICE_BURST * 1000;
	b->stamp = now;
	b->logged = now - LOG_WINDOW;
}

/* rate_ok - the per-source cap: a token bucket */
static int
rate_ok(struct bucket *b, const char *peer, uint32_t uid, int64_t now)
{
	b->tokens += (now - b->stamp) * VOICE_RATE;
	b->stamp = now;
	if (b->tokens > VOICE_BURST * 1000)
		b->tokens = VOICE_BURST * 1000;
	if (b->tokens >= 1000) {
		b->tokens -= 1000;
		return 1;
	}
	if (now - b->logged >= LOG_WINDOW) {
		log_warnx("[%s]: voice uid %u over %d units/s, dropping",
		    peer, uid, VOICE_RATE);
		b->logged = now;
	}
	return 0;
}

/*
 * hear - a checked unit (length + RTP) from uid in room vr: relay it if
 * the mic rules allow.  0, or -1 if uid is no longer in the room.
 */
static int
hear(struct vroom *vr, uint32_t uid, uint8_t *u, size_t len, int64_t now)
{
	const struct tmember *me;
	struct mic_who	 w;
	struct troom	 tr;
	int		 n;

	if (room_get(tab, vr->idx, vr->rgen, &tr) == -1 ||
	    (n = members(vr)) == -1 || (me = member(n, uid)) == NULL)
		return -1;
	w.uid = uid;
	w.reddot = (me->flags & TMF_REDDOT) != 0;
	w.allmics = tr.allmics;
	w.waiting = ahead(n, uid);
	mic_sync(&vr->mic, tr.speaker, now);
	switch (mic_unit(&vr->mic, &rules, &w, now)) {
	case MIC_CLAIM:
		set_speaker(vr, uid);
		if (me->flags & TMF_HAND)
			hand_down(vr, uid);
		/* FALLTHROUGH */
	case MIC_RELAY:
		rtp_rewrite(u + 4, len - 4, uid);
		relay(vr, uid, u, len);
		break;
	}
	return 0;
}

/* unit - a whole unit from a live connection */
static void
unit(struct vconn *c, int64_t now)
{
	uint8_t		*u = c->rd.unit;
	size_t		 len = c->rd.unitlen;
	int		 e;

	c->in++;
	if ((e = rtp_check(u + 4, len - 4)) != RTP_OK) {
		c->bad++;
		if (now - c->badlog >= LOG_WINDOW) {
			log_warnx("[%s]: voice uid %u: %s, dropped", c->peer,
			    c->uid, rtp_strerror(e));
			c->badlog = now;
		}
		return;
	}
	if (rate_ok(&c->rate, c->peer, c->uid, now) &&
	    hear(c->room, c->uid, u, len, now) == -1)
		conn_kill(c, "left the room");
}

/* uep_find - the endpoint registered to speak from sa, or NULL */
static struct uep *
uep_find(const struct sockaddr_storage *sa)
{
	const struct sockaddr_in *a = (const struct sockaddr_in *)sa, *b;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa, *b6;
	int		 i;

	for (i = 0; i < nueps; i++) {
		if (!(ueps[i].e.mode & TV_SPEAK) || ueps[i].room == NULL ||
		    ueps[i].sa.ss_family != sa->ss_family)
			continue;
		b = (const struct sockaddr_in *)&ueps[i].sa;
		b6 = (const struct sockaddr_in6 *)&ueps[i].sa;
		if (sa->ss_family == AF_INET && a->sin_port == b->sin_port &&
		    a->sin_addr.s_addr == b->sin_addr.s_addr)
			return &ueps[i];
		if (sa->ss_family == AF_INET6 &&
		    a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0)
			return &ueps[i];
	}
	return NULL;
}

/*
 * udp_input - plain RTP datagrams from registered speakers; anything
 * else is dropped without a word (no reflector)
 */
static void
udp_input(int64_t now)
{
	struct sockaddr_storage ss;
	uint8_t		 buf[4 + RTP_LEN_MAX + 1];
	struct uep	*ue;
	socklen_t	 sl;
	ssize_t		 n;
	size_t		 len;
	int		 k;

	for (k = 0; k < ACCEPTS; k++) {
		sl = sizeof(ss);
		n = recvfrom(ufd, buf + 4, RTP_LEN_MAX + 1, 0,
		    (struct sockaddr *)&ss, &sl);
		if (n == -1)
			return;
		if ((ue = uep_find(&ss)) == NULL || n > RTP_LEN_MAX ||
		    (len = rtp_from_udp(buf + 4, (size_t)n,
		    sizeof(buf) - 4)) == 0) {
			ustray++;
			continue;
		}
		if (!rate_ok(&ue->rate, ue->e.addr, ue->e.uid, now))
			continue;
		wire_put32(buf, (uint32_t)len);
		(void)hear(ue->room, ue->e.uid, buf, 4 + len, now);
	}
}

/* uep_check - e still valid (session, address, room)?  Fill u. */
static int
uep_check(const struct tvep *e, struct uep *u)
{
	struct addrinfo	 hints, *res;
	struct tsess	 ts;
	struct tmember	 m;
	char		 port[8];
	int		 i;

	if (table_find(tab, e->uid, 0, &ts) == -1 || ts.slot != e->slot ||
	    ts.gen != e->gen ||
	    strcmp(plainaddr(ts.addr), plainaddr(e->addr)) != 0)
		return -1;
	for (i = 0; i < PALD_TROOMS; i++)
		if (rooms[i].used && rooms[i].id == e->room)
			break;
	if (i == PALD_TROOMS || room_member(tab, rooms[i].idx,
	    rooms[i].rgen, e->uid, &m) == -1)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	(void)snprintf(port, sizeof(port), "%u", e->port);
	if (getaddrinfo(plainaddr(e->addr), port, &hints, &res) != 0)
		return -1;
	memset(u, 0, sizeof(*u));
	u->e = *e;
	memcpy(&u->sa, res->ai_addr, res->ai_addrlen);
	u->salen = res->ai_addrlen;
	u->room = &rooms[i];
	freeaddrinfo(res);
	return 0;
}

/* uep_same - the same registration (session, room, port, mode)? */
static int
uep_same(const struct uep *a, const struct uep *b)
{
	return a->e.slot == b->e.slot && a->e.gen == b->e.gen &&
	    a->e.room == b->e.room && a->e.port == b->e.port &&
	    a->e.mode == b->e.mode;
}

/* uep_log - an endpoint taken on or let go */
static void
uep_log(const struct uep *u, const char *what)
{
	log_notice("[%s]: voice uid %u room %u: RTP endpoint port %u%s%s %s",
	    u->e.addr, u->e.uid, u->e.room, u->e.port,
	    (u->e.mode & TV_LISTEN) ? " listen" : "",
	    (u->e.mode & TV_SPEAK) ? " speak" : "", what);
}

/* ueps_refresh - the registered endpoints, checked; buckets carried */
static void
ueps_refresh(int64_t now)
{
	int	 i, k, n, nn = 0;

	if (ufd == -1)
		return;
	n = table_veps(tab, vbuf, TABLE_VEPS);
	for (i = 0; i < n; i++) {
		if (uep_check(&vbuf[i], &unew[nn]) == -1)
			continue;
		bucket_init(&unew[nn].rate, now);
		for (k = 0; k < nueps; k++)
			if (uep_same(&ueps[k], &unew[nn]))
				break;
		if (k < nueps)
			unew[nn].rate = ueps[k].rate;
		else
			uep_log(&unew[nn], "on");
		nn++;
	}
	for (k = 0; k < nueps; k++) {
		for (i = 0; i < nn; i++)
			if (uep_same(&ueps[k], &unew[i]))
				break;
		if (i == nn)
			uep_log(&ueps[k], "off");
	}
	memcpy(ueps, unew, sizeof(ueps[0]) * (size_t)nn);
	nueps = nn;
}

/*
 * voice_check - may uid, connected from peer, have the voice of room
 * (the handshake's two numbers)?  NULL and *tr the room, or why not.
 * Reads only the table: what a voice connection's first bytes can reach.
 */
const char *
voice_check(struct table *t, uint32_t room, uint32_t uid, const char *peer,
    struct troom *tr)
{
	struct tmember	 m;
	struct tsess	 ts;

	if (room_find(t, room, tr) == -1)
		return "room not active";
	if (room_member(t, tr->idx, tr->rgen, uid, &m) == -1 ||
	    table_find(t, uid, 0, &ts) == -1 ||
	    strcmp(plainaddr(ts.addr), peer) != 0)
		return "not a member of the room from this address";
	return NULL;
}

/* hello - the handshake: a logged-in member of that active room? */
static void
hello(struct vconn *c)
{
	struct troom	 tr;
	struct vroom	*vr;
	struct vconn	*o;
	const char	*why;
	uint32_t	 room = c->rd.room, uid = c->rd.uid;

	if ((why = voice_check(tab, room, uid, c->peer, &tr)) != NULL) {
		log_warnx("[%s]: voice uid %u room %u: %s, closing", c->peer,
		    uid, room, why);
		c->dead = 1;
		return;
	}
	if ((vr = vroom_get(&tr)) == NULL) {
		log_warnx("[%s]: voice: no room slot, closing", c->peer);
		c->dead = 1;
		return;
	}
	for (o = LIST_FIRST(&vr->conns); o != NULL; o = LIST_NEXT(o, link))
		if (o->uid == uid && !o->dead)
			conn_kill(o, "replaced by a new connection");
	nhellos--;
	c->room = vr;
	c->uid = uid;
	vr->nconns++;
	LIST_INSERT_HEAD(&vr->conns, c, link);
	log_notice("[%s]: voice uid %u room %u", c->peer, uid, room);
}

/* input - read what is there and act on each complete item */
static void
input(struct vconn *c, int64_t now)
{
	uint8_t		 buf[READ_CHUNK];
	ssize_t		 n;
	size_t		 off = 0, used;
	int		 r;

	n = read(c->fd, buf, sizeof(buf));
	if (n == 0) {
		conn_kill(c, "closed by the client");
		return;
	}
	if (n == -1) {
		if (errno != EINTR && errno != EAGAIN)
			conn_kill(c, "read error");
		return;
	}
	while (off < (size_t)n && !c->dead) {
		r = rtp_read(&c->rd, buf + off, (size_t)n - off, &used);
		off += used;
		switch (r) {
		case RTP_HELLO:
			hello(c);
			break;
		case RTP_UNIT:
			unit(c, now);
			break;
		case RTP_BADLEN:
			log_warnx("[%s]: voice uid %u: unit length %u, "
			    "closing", c->peer, c->uid, c->rd.len);
			c->dead = 1;
			c->why = "bad unit length";
			break;
		}
	}
}

/*
 * stalled_from - connections from addr that have owed the handshake for
 * a second (the 5.0 client sends it at once, so a burst of new ones from
 * one address is fine; connections that sit idle are not)
 */
static int
stalled_from(const char *addr, int64_t now)
{
	int	 i, n = 0;

	for (i = 0; i < nconns; i++)
		if (conns[i]->room == NULL && now - conns[i]->opened >= 1000 &&
		    strcmp(conns[i]->peer, addr) == 0)
			n++;
	return n;
}

/* accept_one - a new connection, within the limits; -1 to stop */
static int
accept_one(int lfd, int64_t now)
{
	struct sockaddr_storage ss;
	socklen_t	 len = sizeof(ss);
	struct vconn	*c;
	char		 host[48];
	int		 fd, on = 1;
	static int64_t	 fulllog;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		/* the listener stays readable: once a window, not per poll */
		if ((errno == EMFILE || errno == ENFILE) &&
		    now - fulllog >= LOG_WINDOW) {
			log_warn("voice: accept");
			fulllog = now;
		}
		return -1;
	}
	if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
	    NULL, 0, NI_NUMERICHOST) != 0)
		(void)strlcpy(host, "unknown", sizeof(host));
	if (nconns >= maxconns || nhellos >= VOICE_HELLOS ||
	    stalled_from(plainaddr(host), now) >= VOICE_HELLOS_ADDR ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		if (now - fulllog >= LOG_WINDOW) {
			log_warnx("[%s]: voice: %d connections, %d in the "
			    "handshake: refusing", host, nconns, nhellos);
			fulllog = now;
		}
		(void)close(fd);
		return 0;
	}
	/* audio: every unit out at once, never held for coalescing */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	c->fd = fd;
	c->opened = now;
	bucket_init(&c->rate, now);
	c->badlog = now - LOG_WINDOW;
	(void)strlcpy(c->peer, plainaddr(host), sizeof(c->peer));
	rtp_reader_init(&c->rd, 1);
	conns[nconns++] = c;
	nhellos++;
	return 0;
}

/* room_tick - mic hand-over and membership of one voice room */
static void
room_tick(struct vroom *vr, int64_t now)
{
	struct troom	 tr;
	struct vconn	*c;
	int		 n, waiting, hands = 0, i;

	if (room_get(tab, vr->idx, vr->rgen, &tr) == -1 ||
	    (n = members(vr)) == -1) {
		for (c = LIST_FIRST(&vr->conns); c != NULL;
		    c = LIST_NEXT(c, link))
			conn_kill(c, "room gone");
		return;
	}
	for (c = LIST_FIRST(&vr->conns); c != NULL; c = LIST_NEXT(c, link))
		if (member(n, c->uid) == NULL)
			conn_kill(c, "left the room");
	if (tr.allmics)
		return;
	for (i = 0; i < n; i++)
		if ((mbuf[i].flags & (TMF_HAND | TMF_REDDOT)) == TMF_HAND &&
		    mbuf[i].uid != tr.speaker)
			hands++;
	mic_sync(&vr->mic, tr.speaker, now);
	waiting = hands > 0;
	if ((vr->mic.speaker != 0 && mic_over(&vr->mic, &rules, waiting,
	    now)) || (vr->mic.speaker == 0 && hands > 0))
		pass(vr, n, now);
}

/* tick - every VOICE_TICK_MS: rooms, handshake timeouts, the master */
static void
tick(int64_t now, pid_t parent)
{
	int	 i;

	if (parent != 0 && getppid() != parent) {
		log_warnx("voice: the master is gone, stopping");
		quit = 1;
	}
	if (parent == 0)
		log_tick();	/* -V: no master to sum log_rate's windows up */
	for (i = 0; i < PALD_TROOMS; i++)
		if (rooms[i].used)
			room_tick(&rooms[i], now);
	ueps_refresh(now);
	relay_tick(now);
	vidsrv_tick(now);
	for (i = 0; i < nconns; i++)
		if (conns[i]->room == NULL &&
		    now - conns[i]->opened >= VOICE_HELLO_SECS * 1000)
			conn_kill(conns[i], "no handshake");
}

/* reap_dead - close what the round marked */
static void
reap_dead(void)
{
	int	 i;

	for (i = 0; i < nconns;)
		if (conns[i]->dead)
			conn_close(conns[i]);
		else
			i++;
}

/* fd_limit - as many descriptors as the connection limits need */
static void
fd_limit(void)
{
	struct rlimit	 rl;
	rlim_t		 want = (rlim_t)VOICE_CONNS + RELAY_FDS + VS_FDS + 32;

	maxconns = VOICE_CONNS;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < want && rl.rlim_max > rl.rlim_cur) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* the relay takes what it can get (relay.c counts its own) */
	if (rl.rlim_cur < want)
		maxconns = rl.rlim_cur > RELAY_FDS + VS_FDS + 96 ?
		    (int)(rl.rlim_cur - RELAY_FDS - VS_FDS - 32) : 64;
}

__dead void
voice_main(int lfd, int udp, int vfd, struct table *t,
    const struct pald_conf *c, const char *conffile, pid_t parent)
{
	struct pollfd	*pfd;
	int64_t		 now, nexttick, paused = 0;
	int		 i, n, k, np, lp, up, nr, nv, w;

	tab = t;
	ufd = udp;
	vconf = *c;
	lograte_init(tab, &vconf.log_rate);
	set_rules(&vconf);
	voice_signals();
	fd_limit();
	relay_init(tab, &vconf, lfd);
	vidsrv_init(tab, &vconf, vfd);
	if ((conns = calloc((size_t)maxconns, sizeof(*conns))) == NULL ||
	    (pfd = calloc((size_t)maxconns + 2 + RELAY_FDS + VS_FDS,
	    sizeof(*pfd))) == NULL)
		fatal("voice: calloc");
	log_info("voice: serving, up to %d connections, mic_time %d",
	    maxconns, vconf.mic_time);
	nexttick = now_ms() + VOICE_TICK_MS;
	while (!quit) {
		if (hup)
			reload(conffile);
		now = now_ms();
		np = 0;
		lp = -1;
		if (now >= paused) {
			lp = np;
			pfd[np].fd = lfd;
			pfd[np].events = POLLIN;
			pfd[np++].revents = 0;
		}
		up = -1;
		if (ufd != -1) {
			up = np;
			pfd[np].fd = ufd;
			pfd[np].events = POLLIN;
			pfd[np++].revents = 0;
		}
		for (i = 0; i < nconns; i++) {
			pfd[np + i].fd = conns[i]->fd;
			pfd[np + i].events = POLLIN |
			    (conns[i]->qlen > 0 ? POLLOUT : 0);
			pfd[np + i].revents = 0;
		}
		n = nconns;
		nr = relay_poll(pfd + np + n, RELAY_FDS, now);
		nv = vidsrv_poll(pfd + np + n + nr, VS_FDS, now);
		k = (int)(nexttick - now);
		if ((w = relay_wait(now)) >= 0 && w < k)
			k = w;
		if (poll(pfd, (nfds_t)(np + n + nr + nv), k < 0 ? 0 : k) ==
		    -1) {
			if (errno != EINTR)
				fatal("voice: poll");
			continue;
		}
		now = now_ms();
		for (i = 0; i < n; i++) {
			if ((pfd[np + i].revents & POLLOUT) &&
			    flush(conns[i]) == -1)
				conn_kill(conns[i], "write error");
			if ((pfd[np + i].revents &
			    (POLLIN | POLLHUP | POLLERR)) && !conns[i]->dead)
				input(conns[i], now);
		}
		if (up != -1 && (pfd[up].revents & POLLIN))
			udp_input(now);
		relay_input(pfd + np + n, nr, now);
		vidsrv_input(pfd + np + n + nr, nv, now);
		if (lp != -1 && (pfd[lp].revents & POLLIN))
			for (k = 0; k < ACCEPTS; k++)
				if (accept_one(lfd, now) == -1) {
					if (errno == EMFILE || errno == ENFILE)
						paused = now + 1000;
					break;
				}
		if (now >= nexttick) {
			tick(now, parent);
			nexttick = now + VOICE_TICK_MS;
		}
		reap_dead();
	}
	log_info("voice: stopping, %d connections, %llu stray datagrams",
	    nconns, (unsigned long long)ustray);
	relay_stop();
	vidsrv_stop();
	while (nconns > 0) {
		conns[0]->why = "server shutdown";
		conn_close(conns[0]);
	}
	exit(0);
}
