/*
 * p2p.c - calls and transfers between two users: the signalling of voice
 * calls, file transfers and video calls (proto/P2P.md).
 *
 * A request (-450 call, -445 file, -700 video) names the user to be
 * reached.  It counts as an IM against the asker's limits (guard_im, a
 * strike when refused) and is refused at once, with the packet the
 * asker's client shows as "did not accept", when that user is off line
 * or unknown, blocks the asker (which is not announced), or already has
 * one of the same kind going; when the privacy setting of that user
 * refuses strangers (guard_contact), the text comes in a RETURN_CODE.
 * Otherwise each side gets an entry in the shared table
 * (table_p2p_put): the asker's at once, the other's when its child takes
 * the invitation from its inbox.  An answer is checked against both
 * entries, and the voice child relays the media of a pair whose entries
 * name each other and are both accepted.
 *
 * An accept sends the connection packets (0x01c1 to both sides of a
 * call, 0x01bc to a file's sender, 0x02c6 to a video caller).  With
 * p2p_relay (the default) they carry the voice child's address and a
 * relay port of the entry's own (table.h); without it, the other side's
 * address as pald sees it.  A decline, a hang-up, a logout or a session
 * found dead ends both entries and tells the other side.
 *
 * Only its owner writes an entry: the two sides' children tell each
 * other what happened through their inboxes (TM_P2P, struct p2pmsg) and
 * each changes its own.  Nothing here writes to the store.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guard.h"
#include "log.h"
#include "out.h"
#include "p2p.h"
#include "pald.h"
#include "proto/wire.h"
#include "sess.h"
#include "store/db.h"
#include "store/table.h"

#define EV_INVITE	1
#define EV_ACCEPT	2
#define EV_END		3

#define OP_ASK		1
#define OP_YES		2
#define OP_NO		3

#define CLIENT_PORT	2090	/* where the 5.0 client takes calls */
#define INVITE_FIELD	63	/* bytes of a name in an invitation */
#define BAD_WINDOW	60	/* seconds: one log line per address */

#define TXT_BUSY	"The server cannot take another call or transfer " \
			"now. Please try again later."

/* An event from the other side's child (TM_P2P). */
struct p2pmsg {
	uint8_t		 ev;		/* EV_* */
	uint8_t		 kind;		/* TP_* */
	uint16_t	 cport;		/* the sender's own port */
	uint16_t	 rport;		/* its relay port, 0: direct */
	uint16_t	 spare;
	uint32_t	 uid;		/* the sender's session */
	int32_t		 slot;
	uint32_t	 gen;
	uint32_t	 ip;		/* its IPv4 address; 0: none */
	char		 nick[PALD_NICK_MAX + 1];
	char		 first[PALD_NAME_MAX + 1];
	char		 last[PALD_NAME_MAX + 1];
};

/* Each kind: its name, the client's requests, our packets. */
static const struct kind {
	int		 kind;
	const char	*name;
	int		 ask, yes, no, end;
	int		 invite, connect, refused, ended;
} kinds[] = {
	{ TP_CALL, "call", PT_C_CALL, PT_C_CALL_ACCEPT, PT_C_CALL_DECLINE,
	    PT_C_CALL_HANGUP, PT_CALL_INVITE, PT_CALL_CONNECT,
	    PT_CALL_HANGUP, PT_CALL_HANGUP },
	{ TP_FILE, "file transfer", PT_C_FILE_OFFER, PT_C_FILE_ACCEPT,
	    PT_C_FILE_REFUSE, PT_C_FILE_REFUSE, PT_FILE_INVITE,
	    PT_FILE_ACCEPTED, PT_FILE_REFUSED, PT_FILE_REFUSED },
	{ TP_VIDEO, "video call", PT_C_VIDEO_CALL, PT_C_VIDEO_ACCEPT,
	    PT_C_VIDEO_DECLINE, PT_C_VIDEO_HANGUP, PT_VIDEO_INVITE,
	    PT_VIDEO_CONNECT, PT_VIDEO_REFUSED, PT_VIDEO_HANGUP },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* kind_of - the kind of a request type and what it asks; NULL if none */
static const struct kind *
kind_of(int type, int *op)
{
	size_t	 i;

	for (i = 0; i < NKINDS; i++) {
		*op = type == kinds[i].ask ? OP_ASK :
		    type == kinds[i].yes ? OP_YES :
		    type == kinds[i].no || type == kinds[i].end ? OP_NO : 0;
		if (*op != 0)
			return &kinds[i];
	}
	return NULL;
}

static const struct kind *
kind_by(int kind)
{
	size_t	 i;

	for (i = 0; i < NKINDS; i++)
		if (kinds[i].kind == kind)
			return &kinds[i];
	return NULL;
}

/* ipv4 - an address as the table has it, as IPv4 (network order) or 0 */
static uint32_t
ipv4(const char *a)
{
	struct in_addr	 ia;

	if (strncmp(a, "::ffff:", 7) == 0)
		a += 7;
	return inet_pton(AF_INET, a, &ia) == 1 ? ia.s_addr : 0;
}

/* relay_base - the first relay port when calls go through the voice child */
static int
relay_base(const struct session *s)
{
	return s->conf->p2p_relay && s->conf->voice_port != 0 ?
	    s->conf->p2p_port : 0;
}

/* mine - our entry of kind: 0, or -1 if we have none */
static int
mine(struct session *s, int kind, struct tp2p *e)
{
	return table_p2p_get(s->tab, s->me.slot, s->me.gen, kind, e);
}

/* malformed - a request of the wrong length: ignored, logged once */
static int
malformed(struct session *s, const struct wire_frame *f)
{
	char	 key[64];

	(void)snprintf(key, sizeof(key), "p2p:%s", s->addr);
	if (table_once(s->tab, key, BAD_WINDOW))
		log_warnx("[%s]: %s: type %d of %zu bytes ignored (logged "
		    "once a minute per address)", s->addr, s->u.nick, f->type,
		    f->len);
	return 0;
}

/* send_uid - a packet that is a uid */
static void
send_uid(struct session *s, int type, uint32_t uid)
{
	unsigned char	 b[4];

	wire_put32(b, uid);
	out_frame(s, type, b, sizeof(b));
}

/* send_conn - uid(4) ip(4, network order) port(2): exactly 10 bytes */
static void
send_conn(struct session *s, int type, uint32_t uid, uint32_t ip,
    uint16_t port)
{
	unsigned char	 b[10];

	wire_put32(b, uid);
	memcpy(b + 4, &ip, 4);
	wire_put16(b + 8, port);
	out_frame(s, type, b, sizeof(b));
}

/*
 * refuse - a request that goes no further.  A text comes in a RETURN_CODE
 * (shown in "Paltalk Bulletin!", and it ends a call on the asker's side);
 * else, or for a transfer or video, the refusal packet ends it too.
 */
static void
refuse(struct session *s, const struct kind *k, uint32_t to, const char *text)
{
	if (text != NULL)
		out_rc(s, k->ask, 0x63, text);
	if (text == NULL || k->kind != TP_CALL)
		send_uid(s, k->refused, to);
}

/* msg - an event from us to session (slot, gen); table_send's result */
static int
msg(struct session *s, int slot, uint32_t gen, int ev, const struct tp2p *e)
{
	struct p2pmsg	 m;

	memset(&m, 0, sizeof(m));
	m.ev = (uint8_t)ev;
	m.kind = (uint8_t)e->kind;
	m.cport = e->cport;
	m.rport = e->rport;
	m.uid = s->u.uid;
	m.slot = s->me.slot;
	m.gen = s->me.gen;
	m.ip = ipv4(s->addr);
	if (ev == EV_INVITE) {
		(void)strlcpy(m.nick, s->u.nick, sizeof(m.nick));
		(void)strlcpy(m.first, s->u.first, sizeof(m.first));
		(void)strlcpy(m.last, s->u.last, sizeof(m.last));
	}
	return table_send(s->tab, slot, gen, TM_P2P, &m, sizeof(m));
}

/* finish - our entry e ends: dropped, and the other side told */
static void
finish(struct session *s, const struct kind *k, const struct tp2p *e,
    const char *why)
{
	table_p2p_drop(s->tab, k->kind);
	(void)msg(s, e->pslot, e->pgen, EV_END, e);
	log_info("[%s]: %s: %s with uid %u %s", s->addr, s->u.nick, k->name,
	    e->peer, why);
}

/* reachable - 0 if uid may be asked (ts filled), else refused (told) */
static int
reachable(struct session *s, const struct kind *k, uint32_t to,
    struct tsess *ts)
{
	struct user	 u;
	struct tp2p	 pe;
	const char	*why;
	int		 r;

	if (to == s->u.uid || to == PALD_UID_SYSTEM ||
	    (r = db_user_get(s->db, to, &u)) != DBR_OK) {
		refuse(s, k, to, NULL);
		return -1;
	}
	why = guard_contact(s, &u, CONTACT_CALL);
	explicit_bzero(&u, sizeof(u));
	if (why != NULL) {
		refuse(s, k, to, why);
		return -1;
	}
	/* a block looks like any other "did not accept" */
	if (db_blocks(s->db, to, s->u.uid) != 0 ||
	    table_find(s->tab, to, 0, ts) == -1 ||
	    table_p2p_get(s->tab, ts->slot, ts->gen, k->kind, &pe) == 0) {
		refuse(s, k, to, NULL);
		return -1;
	}
	return 0;
}

/* ask - -450, -445, -700: uid(4) port(2) */
static int
ask(struct session *s, const struct kind *k, const struct wire_frame *f)
{
	struct tsess	 ts;
	struct tp2p	 e;
	const char	*why;
	uint32_t	 to;

	if (f->len != 6)
		return malformed(s, f);
	to = wire_get32(f->payload);
	if (mine(s, k->kind, &e) == 0)
		finish(s, k, &e, "ended by a new one");
	if ((why = guard_im(s, to)) != NULL) {
		refuse(s, k, to, why);
		return guard_strike(s);
	}
	if (reachable(s, k, to, &ts) == -1)
		return 0;
	memset(&e, 0, sizeof(e));
	e.kind = k->kind;
	e.state = TPS_ASKING;
	e.asker = 1;
	e.peer = to;
	e.pslot = ts.slot;
	e.pgen = ts.gen;
	e.cport = wire_get16(f->payload + 4);
	e.since = time(NULL);
	if (table_p2p_put(s->tab, &e, relay_base(s)) == -1) {
		log_warnx("[%s]: %s: no free entry for a %s", s->addr,
		    s->u.nick, k->name);
		refuse(s, k, to, TXT_BUSY);
		return 0;
	}
	if (mine(s, k->kind, &e) == -1 ||
	    msg(s, ts.slot, ts.gen, EV_INVITE, &e) != 0) {
		table_p2p_drop(s->tab, k->kind);
		refuse(s, k, to, NULL);
		return 0;
	}
	log_info("[%s]: %s: %s to uid %u", s->addr, s->u.nick, k->name, to);
	return 0;
}

/* yes - -449, -444, -710: uid(4) port(2), the answer to an invitation */
static int
yes(struct session *s, const struct kind *k, const struct wire_frame *f)
{
	struct tsess	 ts;
	struct tp2p	 e, pe;
	uint32_t	 from;

	if (f->len != 6)
		return malformed(s, f);
	from = wire_get32(f->payload);
	if (mine(s, k->kind, &e) == -1 || e.peer != from ||
	    e.state != TPS_ASKED) {
		/* it ended meanwhile: so the client is told again */
		log_debug("[%s]: %s: no %s from uid %u to accept", s->addr,
		    s->u.nick, k->name, from);
		send_uid(s, k->ended, from);
		return 0;
	}
	/* the asker's side must still be asking us */
	if (table_p2p_get(s->tab, e.pslot, e.pgen, k->kind, &pe) == -1 ||
	    pe.state != TPS_ASKING || pe.pslot != s->me.slot ||
	    pe.pgen != s->me.gen) {
		table_p2p_drop(s->tab, k->kind);
		send_uid(s, k->ended, from);
		return 0;
	}
	e.state = TPS_ON;
	e.cport = wire_get16(f->payload + 4);
	if (table_p2p_put(s->tab, &e, 0) == -1 ||
	    msg(s, e.pslot, e.pgen, EV_ACCEPT, &e) != 0) {
		finish(s, k, &e, "lost");
		send_uid(s, k->ended, from);
		return 0;
	}
	if (k->kind == TP_CALL) {
		if (e.rport != 0 && pe.rport != 0)
			send_conn(s, k->connect, from, out_voiceip(s), e.rport);
		else if (table_session(s->tab, e.pslot, e.pgen, &ts) == 0)
			send_conn(s, k->connect, from, ipv4(ts.addr),
			    CLIENT_PORT);
	}
	log_info("[%s]: %s: %s from uid %u accepted%s", s->addr, s->u.nick,
	    k->name, from, e.rport != 0 ? ", relayed" : "");
	return 0;
}

/* no - a decline, a refusal or a hang-up: uid(4) */
static int
no(struct session *s, const struct kind *k, const struct wire_frame *f)
{
	struct tp2p	 e;
	uint32_t	 uid;

	if (f->len != 4)
		return malformed(s, f);
	uid = wire_get32(f->payload);
	if (mine(s, k->kind, &e) == -1 || e.peer != uid) {
		log_debug("[%s]: %s: no %s with uid %u to end", s->addr,
		    s->u.nick, k->name, uid);
		return 0;
	}
	finish(s, k, &e, e.state == TPS_ASKED ? "declined" : "ended");
	return 0;
}

int
p2p_frame(struct session *s, const struct wire_frame *f)
{
	const struct kind *k;
	int		 op;

	if ((k = kind_of(f->type, &op)) == NULL)
		return 1;
	switch (op) {
	case OP_ASK:
		return ask(s, k, f);
	case OP_YES:
		return yes(s, k, f);
	default:
		return no(s, k, f);
	}
}

/* rec_name - a name of an invitation, cut to what the client keeps */
static void
rec_name(struct rec *r, const char *key, const char *v)
{
	char	 b[INVITE_FIELD + 1];

	(void)strlcpy(b, v, sizeof(b));
	if (b[0] != '\0')
		rec_add(r, key, b);
}

/*
 * invited - an invitation from m: our own entry, then the invitation
 * record (proto/P2P.md 1.2); "busy" back if we have one of the kind
 */
static void
invited(struct session *s, const struct kind *k, const struct p2pmsg *m)
{
	struct tp2p	 e;
	struct rec	 r;
	unsigned char	 b[512];
	uint32_t	 ip;
	int		 relayed;

	if (mine(s, k->kind, &e) == 0) {
		e.kind = k->kind;
		(void)msg(s, m->slot, m->gen, EV_END, &e);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.kind = k->kind;
	e.state = TPS_ASKED;
	e.peer = m->uid;
	e.pslot = m->slot;
	e.pgen = m->gen;
	e.since = time(NULL);
	if (table_p2p_put(s->tab, &e, relay_base(s)) == -1 ||
	    mine(s, k->kind, &e) == -1) {
		(void)msg(s, m->slot, m->gen, EV_END, &e);
		return;
	}
	relayed = e.rport != 0 && m->rport != 0;
	ip = relayed ? out_voiceip(s) : m->ip;
	rec_init(&r, b, sizeof(b));
	rec_addu(&r, "uid", m->uid);
	rec_addu(&r, "ip", ntohl(ip));	/* a number, in host order */
	rec_addu(&r, "port", k->kind != TP_VIDEO ? CLIENT_PORT :
	    relayed ? m->rport : m->cport);
	rec_name(&r, "first", m->first);
	rec_name(&r, "last", m->last);
	rec_name(&r, "nickname", m->nick);
	if (rec_len(&r) > 0)
		out_frame(s, k->invite, b, r.len);
}

/* accepted - m accepted what we asked: the connection packet */
static void
accepted(struct session *s, const struct kind *k, const struct p2pmsg *m)
{
	struct tp2p	 e;
	uint32_t	 ip;
	int		 relayed;

	if (mine(s, k->kind, &e) == -1 || e.state != TPS_ASKING ||
	    e.pslot != m->slot || e.pgen != m->gen) {
		memset(&e, 0, sizeof(e));
		e.kind = k->kind;
		(void)msg(s, m->slot, m->gen, EV_END, &e);
		return;
	}
	e.state = TPS_ON;
	if (table_p2p_put(s->tab, &e, 0) == -1)
		return;
	relayed = e.rport != 0 && m->rport != 0;
	ip = relayed ? out_voiceip(s) : m->ip;
	switch (k->kind) {
	case TP_CALL:
		send_conn(s, k->connect, m->uid, ip,
		    relayed ? e.rport : CLIENT_PORT);
		break;
	case TP_FILE:
		send_conn(s, k->connect, m->uid, ip,
		    relayed ? e.rport : m->cport);
		break;
	case TP_VIDEO:
		send_conn(s, k->connect, m->uid, ip,
		    relayed ? m->rport : m->cport);
		break;
	}
}

/* ended - m ended what we had with it: our entry goes, the client told */
static void
ended(struct session *s, const struct kind *k, const struct p2pmsg *m)
{
	struct tp2p	 e;

	if (mine(s, k->kind, &e) == -1 || e.pslot != m->slot ||
	    e.pgen != m->gen)
		return;
	table_p2p_drop(s->tab, k->kind);
	send_uid(s, e.state == TPS_ASKING ? k->refused : k->ended, m->uid);
}

void
p2p_inbox(struct session *s, const unsigned char *p, size_t n)
{
	const struct kind *k;
	struct p2pmsg	 m;

	if (n != sizeof(m))
		return;
	memcpy(&m, p, sizeof(m));
	m.nick[sizeof(m.nick) - 1] = '\0';
	m.first[sizeof(m.first) - 1] = '\0';
	m.last[sizeof(m.last) - 1] = '\0';
	if ((k = kind_by(m.kind)) == NULL)
		return;
	switch (m.ev) {
	case EV_INVITE:
		invited(s, k, &m);
		break;
	case EV_ACCEPT:
		accepted(s, k, &m);
		break;
	case EV_END:
		ended(s, k, &m);
		break;
	}
}

void
p2p_logout(struct session *s)
{
	struct tp2p	 e;
	size_t		 i;

	for (i = 0; i < NKINDS; i++)
		if (mine(s, kinds[i].kind, &e) == 0)
			finish(s, &kinds[i], &e, "ended by logout");
}

void
p2p_gone(struct table *tab, const struct tsess *dead)
{
	struct tp2p	*v;
	struct p2pmsg	 m;
	int		 i, n;

	if ((v = calloc(TABLE_P2P, sizeof(*v))) == NULL)
		return;
	n = table_p2ps(tab, v, TABLE_P2P);
	memset(&m, 0, sizeof(m));
	m.ev = EV_END;
	m.uid = dead->uid;
	m.slot = dead->slot;
	m.gen = dead->gen;
	for (i = 0; i < n; i++)
		if (v[i].pslot == dead->slot && v[i].pgen == dead->gen) {
			m.kind = (uint8_t)v[i].kind;
			(void)table_send(tab, v[i].slot, v[i].gen, TM_P2P, &m,
			    sizeof(m));
		}
	free(v);
}
