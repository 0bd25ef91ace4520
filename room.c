/*
 * room.c - rooms: the Groups window's lists, joining and leaving, room
 * chat, and room moderation (PROTOCOL.md sections 3.7, 3.8, 5.6 to 5.9
 * and 5.12).
 *
 * The live state of a room (members, their flags, topic, mic settings)
 * is in the shared table (store/table.c); what outlives it (permanent
 * rooms, bans, bounces, the admin action log) is in the store.  A line
 * said in a room is built once as a frame and appended to the inbox of
 * every other member in one pass; each member's own child writes it to
 * its client.  Nothing here touches the store per member.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guard.h"
#include "log.h"
#include "out.h"
#include "pald.h"
#include "proto/wire.h"
#include "room.h"
#include "sess.h"
#include "store/db.h"
#include "store/table.h"

#define ALL_UIDS	0xffffffffu
#define BOUNCE_SECS	(24 * 3600)
#define LIST_FRAME	60000		/* bytes of records per list frame */
#define OWNER_LOG	5		/* actions shown to an owner at join */
/* 0x17e8's flags: with bit 0 a 5.0 viewer of paid1 Y pulls pictures on
 * and on; without, it waits (a free one takes one picture a view either
 * way; tools/rc-roomvid.sh) */
#define VIEW_FLAGS	1

#define TXT_NOROOM	"That room does not exist any more."
#define TXT_CLOSED	"This room has been closed by its administrator."
#define TXT_FULL	"This room is full. Please try again later."
#define TXT_LOCKED	"This room is locked: the password you gave is wrong."
#define TXT_BANNED	"You have been banned from this room."
#define TXT_BOUNCED	"You have been bounced from this room."
#define TXT_TOOMANY	"You are in as many rooms as you may be at once."
#define TXT_NOSPACE	"The server cannot open another room right now."
#define TXT_NOTADMIN	"Only the room's administrators may do that."
#define TXT_REDDOT	"You may not type in this room while red-dotted."
#define TXT_NOINVIS	"Only administrators may join a room invisibly."
#define TXT_NOVIDEO	"You may not send video in this room while red-dotted."
#define TXT_CAMSFULL	"This room has as many cameras on as it may have. " \
			"Please try again later."
#define TXT_NOCAM	"That camera is not on in this room."
#define TXT_VIDEOOFF	"This server has no room video."
#define TXT_VIEWS	"You are watching as many cameras as you may."

/* A room admin: owner, holder of the admin code, or a server admin. */
static int
is_admin(const struct tmember *m)
{
	return (m->flags & TMF_ADMIN) != 0;
}

/* myroom - the room id we are in: room, our member record; -1 if not */
static int
myroom(struct session *s, uint32_t id, struct troom *tr, struct tmember *me)
{
	int		 idx[PALD_JOINS_MAX], i, n;
	uint32_t	 rgen[PALD_JOINS_MAX];

	n = room_myrooms(s->tab, idx, rgen);
	for (i = 0; i < n; i++) {
		if (room_get(s->tab, idx[i], rgen[i], tr) == -1 ||
		    tr->id != id)
			continue;
		if (room_member(s->tab, idx[i], rgen[i], s->u.uid, me) == 0)
			return 0;
	}
	return -1;
}

/* kind - the room kind of ROOM_JOINED: 0 text, 3 voice, 1/5 private */
static int
kind(const struct troom *tr)
{
	if (tr->flags & ROOM_F_PRIVATE)
		return (tr->flags & ROOM_F_VOICE) ? 1 : 5;
	return (tr->flags & ROOM_F_VOICE) ? 3 : 0;
}

/* sys_line - a room line from "Paltalk" (uid 0) to our client only */
static void
sys_line(struct session *s, uint32_t room, const char *text)
{
	unsigned char	 b[8 + 512];
	size_t		 n = strlen(text);

	if (n > sizeof(b) - 8)
		n = sizeof(b) - 8;
	wire_put32(b, room);
	wire_put32(b + 4, 0);
	memcpy(b + 8, text, n);
	out_frame(s, PT_ROOM_MESSAGE, b, 8 + n);
}

/* to_room - one frame to every member but except (a slot, or -1) */
static int
to_room(struct session *s, const struct troom *tr, int except, int type,
    const void *p, size_t len)
{
	unsigned char	 b[WIRE_HDRLEN + 8 + PALD_ROOMMSG_MAX + 512];
	size_t		 n;

	if ((n = wire_encode(b, sizeof(b), type, p, len)) == 0)
		return -1;
	return room_send(s->tab, tr->idx, tr->rgen, except, TM_FRAME, b, n);
}

/* room_uid_frame - room(4) uid(4), the payload of many room packets */
static void
pack2(unsigned char *b, uint32_t room, uint32_t uid)
{
	wire_put32(b, room);
	wire_put32(b + 4, uid);
}

/*
 * user_rec - a member's record of USERLIST / USER_JOINED.  first and
 * last come from u (NULL: none) when its names are shown, as a search
 * shows them (privacy 'A'): 5.0's "View UID" box reads them from here
 * (CLIENT.md 5.2), and shows them empty without.
 */
static void
user_rec(struct session *s, struct rec *r, uint32_t room,
    const struct tmember *m, const struct user *u, int away, int last)
{
	rec_addu(r, "group_id", room);
	rec_addu(r, "uid", m->uid);
	if (u != NULL && u->privacy == 'A') {
		if (u->first[0] != '\0')
			rec_add(r, "first", u->first);
		if (u->last[0] != '\0')
			rec_add(r, "last", u->last);
	}
	rec_add(r, "nickname", m->nick);
	rec_addi(r, "admin", is_admin(m) ? 1 : 0);
	rec_add(r, "color", is_admin(m) ? s->conf->admin_color :
	    s->conf->user_color);
	rec_addi(r, "mic", (m->flags & TMF_REDDOT) ? 0 : 1);
	/* 5.0 reads the first character: 'Y' publishes (CLIENT.md 8) */
	rec_add(r, "pub", (m->flags & TMF_VIDEO) ? "Y" : "N");
	rec_addi(r, "away", away ? 1 : 0);
	if (m->flags & TMF_HAND)
		rec_addi(r, "req", 1);
	if (last)
		rec_add(r, "eof", "Y");
	rec_sep(r);
}

/* away_of - is member m away? (its slot's status, no scan) */
static int
away_of(struct session *s, const struct tmember *m)
{
	return table_status(s->tab, m->slot, m->gen) == ST_AWAY;
}

/* send_userlist - USERLIST of the visible members, eof=Y at the end */
static void
send_userlist(struct session *s, const struct troom *tr)
{
	struct tmember	*m;
	struct user	 u;
	struct rec	 r;
	int		 i, n, shown, got, last = -1;
	size_t		 mark;

	if ((m = reallocarray(NULL, PALD_ROOM_MEMBERS_MAX, sizeof(*m))) ==
	    NULL) {
		log_warn("%s", __func__);
		return;
	}
	n = room_members(s->tab, tr->idx, tr->rgen, m, PALD_ROOM_MEMBERS_MAX);
	for (i = 0; i < n; i++)
		if (!(m[i].flags & TMF_INVIS) || m[i].uid == s->u.uid)
			last = i;
	rec_init(&r, s->scratch, SCRATCH);
	for (i = shown = 0; i < n; i++) {
		if ((m[i].flags & TMF_INVIS) && m[i].uid != s->u.uid)
			continue;
		mark = r.len;
		got = db_user_get(s->db, m[i].uid, &u) == DBR_OK;
		user_rec(s, &r, tr->id, &m[i], got ? &u : NULL,
		    away_of(s, &m[i]), i == last);
		explicit_bzero(&u, sizeof(u));
		if (r.len > LIST_FRAME && shown > 0) {
			/* this record goes into the next frame */
			out_frame(s, PT_ROOM_USERLIST, s->scratch, mark);
			memmove(s->scratch, s->scratch + mark, r.len - mark);
			r.len -= mark;
		}
		shown++;
	}
	if (rec_len(&r) > 0)
		out_frame(s, PT_ROOM_USERLIST, s->scratch, r.len);
	free(m);
}

/*
 * Room video (proto/P2P.md section 5).  A member who publishes has
 * TMF_VIDEO in the room (the camera icon, and "pub" in the user list)
 * and a TP_RPUB entry in the table naming the room; a member let view a
 * camera has a TP_RVIEW entry naming the room and the publisher.  The
 * voice child's video server (vidsrv.c) takes pictures and requests on
 * those alone, and checks both memberships itself, so an entry that
 * outlives its member (bounced, the room closed) lets nothing through.
 */

/* cam_frame - ROOM_VIDEO: room(4) uid(4) on(2), the camera icon */
static size_t
cam_frame(unsigned char *b, uint32_t room, uint32_t uid, int on)
{
	pack2(b, room, uid);
	wire_put16(b + 8, (uint16_t)on);
	return 10;
}

/*
 * each_member - fn on each member of tr, with arg; the count of members,
 * or -1 (the room is gone, or no memory for the copy)
 */
static int
each_member(struct session *s, const struct troom *tr,
    void (*fn)(struct session *, const struct troom *,
    const struct tmember *, void *), void *arg)
{
	struct tmember	*m;
	int		 i, n;

	if ((m = reallocarray(NULL, PALD_ROOM_MEMBERS_MAX, sizeof(*m))) ==
	    NULL) {
		log_warn("%s", __func__);
		return -1;
	}
	n = room_members(s->tab, tr->idx, tr->rgen, m, PALD_ROOM_MEMBERS_MAX);
	for (i = 0; i < n; i++)
		fn(s, tr, &m[i], arg);
	free(m);
	return n;
}

static void
camera_of(struct session *s, const struct troom *tr, const struct tmember *m,
    void *arg)
{
	unsigned char	 b[10];

	(void)arg;
	if (m->flags & TMF_VIDEO)
		out_frame(s, PT_ROOM_VIDEO, b, cam_frame(b, tr->id, m->uid, 1));
}

/* send_cameras - the icons of the cameras on in tr, after its list */
static void
send_cameras(struct session *s, const struct troom *tr)
{
	(void)each_member(s, tr, camera_of, NULL);
}

/* cam_off - the icon of uid in tr goes off for those in the room */
static void
cam_off(struct session *s, const struct troom *tr, uint32_t uid)
{
	unsigned char	 b[10];

	(void)to_room(s, tr, -1, PT_ROOM_VIDEO, b, cam_frame(b, tr->id, uid,
	    0));
}

/*
 * video_cut - member m of tr stops publishing: the flag off, the icon
 * off, and, when tell, 0x17de (stop) to its client, which stops sending
 */
static void
video_cut(struct session *s, const struct troom *tr, const struct tmember *m,
    int tell)
{
	struct tsess	 ts;

	if (room_mflags(s->tab, tr->idx, tr->rgen, m->uid, 0, TMF_VIDEO) <= 0)
		return;
	cam_off(s, tr, m->uid);
	ts.slot = m->slot;
	ts.gen = m->gen;
	if (tell)
		(void)deliver(s, &ts, TM_FRAME, PT_VIDEO_UNPUBLISH, NULL, 0);
	log_info("[%s]: %s: video of %u in room %u cut", s->addr, s->u.nick,
	    m->uid, tr->id);
}

static void
cut_reddotted(struct session *s, const struct troom *tr,
    const struct tmember *m, void *arg)
{
	uint32_t	 uid = *(uint32_t *)arg;

	if ((uid == ALL_UIDS || m->uid == uid) &&
	    (m->flags & (TMF_VIDEO | TMF_REDDOT)) ==
	    (TMF_VIDEO | TMF_REDDOT) && !is_admin(m))
		video_cut(s, tr, m, 1);
}

/*
 * video_reddot - red-dotted members may not send video in tr (its
 * option): each of uid (ALL_UIDS: everybody) who does is cut
 */
static void
video_reddot(struct session *s, const struct troom *tr, uint32_t uid)
{
	if (tr->video)
		(void)each_member(s, tr, cut_reddotted, &uid);
}

static void
count_camera(struct session *s, const struct troom *tr,
    const struct tmember *m, void *arg)
{
	(void)s;
	(void)tr;
	if (m->flags & TMF_VIDEO)
		(*(int *)arg)++;
}

/* cameras - how many members of tr publish; -1 if it is gone */
static int
cameras(struct session *s, const struct troom *tr)
{
	int	 c = 0;

	return each_member(s, tr, count_camera, &c) < 0 ? -1 : c;
}

/* log_action - the room's admin log (read by its owner), and syslog */
static void
log_action(struct session *s, const struct troom *tr, const char *what,
    uint32_t whom, const char *reason)
{
	struct raction	 a;

	memset(&a, 0, sizeof(a));
	a.time = time(NULL);
	a.by = s->u.uid;
	a.whom = whom;
	(void)strlcpy(a.what, what, sizeof(a.what));
	if (reason != NULL)
		(void)strlcpy(a.reason, reason, sizeof(a.reason));
	if (db_rlog_add(s->db, tr->id, &a) != DBR_OK)
		log_warnx("[%s]: room %u: action log not written", s->addr,
		    tr->id);
	log_info("[%s]: room %u: %s by %s uid %u on uid %u", s->addr, tr->id,
	    what, s->u.nick, s->u.uid, whom);
}

/* show_owner_log - the newest admin actions, to the owner at join */
static void
show_owner_log(struct session *s, const struct troom *tr)
{
	struct raction	 a[OWNER_LOG];
	struct user	 u;
	struct tm	 tm;
	time_t		 t;
	char		 line[PALD_REASON_MAX + 160], when[32], by[40];
	int		 i, n;

	if ((n = db_rlog_list(s->db, tr->id, a, OWNER_LOG)) <= 0)
		return;
	sys_line(s, tr->id, "Latest actions of this room's admins:");
	for (i = 0; i < n; i++) {
		t = (time_t)a[i].time;
		(void)gmtime_r(&t, &tm);
		(void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
		if (db_user_get(s->db, a[i].by, &u) == DBR_OK)
			(void)strlcpy(by, u.nick, sizeof(by));
		else
			(void)snprintf(by, sizeof(by), "uid %u", a[i].by);
		(void)snprintf(line, sizeof(line), "%s %s: %s %u%s%s", when,
		    by, a[i].what, a[i].whom, a[i].reason[0] ? ": " : "",
		    a[i].reason);
		sys_line(s, tr->id, line);
	}
}

/* load - the room id as the table has it, else from the store */
static int
load(struct session *s, uint32_t id, struct troom *tr)
{
	struct room	 r;

	if (room_find(s->tab, id, tr) == 0)
		return 0;
	if (id == 0 || id >= PALD_ROOM_TEMP_FIRST ||
	    db_room_get(s->db, id, &r) != DBR_OK)
		return -1;
	memset(tr, 0, sizeof(*tr));
	tr->id = r.id;
	tr->category = r.category;
	tr->owner = r.owner;
	tr->flags = r.flags;
	tr->rating = r.rating;
	(void)strlcpy(tr->name, r.name, sizeof(tr->name));
	(void)strlcpy(tr->topic, r.topic, sizeof(tr->topic));
	(void)strlcpy(tr->lockword, r.lockword, sizeof(tr->lockword));
	tr->mike = r.mike;
	tr->text = r.text;
	tr->video = r.video;
	tr->created = r.created;
	return 0;
}

/* save - write a permanent room's settings back to the store */
static void
save(struct session *s, const struct troom *tr)
{
	struct room	 r;

	if (tr->flags & TRF_TEMP)
		return;
	if (db_room_get(s->db, tr->id, &r) != DBR_OK)
		return;
	(void)strlcpy(r.topic, tr->topic, sizeof(r.topic));
	r.flags = tr->flags & ~TRF_TEMP;
	r.mike = tr->mike;
	r.text = tr->text;
	r.video = tr->video;
	if (db_room_put(s->db, &r) != DBR_OK)
		log_warnx("[%s]: room %u: settings not saved", s->addr, r.id);
}

/* send_media - ROOM_MEDIA_SERVER: where the voice child listens */
static void
send_media(struct session *s, const struct troom *tr)
{
	unsigned char	 b[16];
	uint32_t	 ip;

	if (s->conf->voice_port == 0)
		return;
	ip = out_voiceip(s);
	wire_put32(b, tr->id);
	memcpy(b + 4, &ip, 4);
	wire_put32(b + 8, 0x0001869fu);
	wire_put16(b + 12, 0);
	wire_put16(b + 14, (uint16_t)s->conf->voice_port);
	out_frame(s, PT_ROOM_MEDIA, b, sizeof(b));
}

/*
 * send_joined - ROOM_JOINED: the 23-byte head, then the name.  The word
 * at 10 is "you are invisible" (the room window says so: CLIENT.md 4);
 * the other bytes from 8 to 21 are not understood (PROTOCOL.md 5.7):
 * these are the values of a capture of a real server.
 */
static void
send_joined(struct session *s, const struct troom *tr, int admin, int invis)
{
	unsigned char	 b[23 + PALD_ROOMNAME_MAX + 2];
	size_t		 n = strlen(tr->name);

	wire_put32(b, tr->id);
	wire_put16(b + 4, (uint16_t)kind(tr));
	wire_put16(b + 6, admin ? 1 : 0);
	wire_put16(b + 8, 0);
	wire_put16(b + 10, invis ? 1 : 0);
	wire_put16(b + 12, 3000);
	wire_put16(b + 14, 9000);
	wire_put16(b + 16, 1);
	wire_put16(b + 18, 6);
	wire_put16(b + 20, 3);
	b[22] = (unsigned char)(tr->rating ? tr->rating : 'G');
	/* no terminator: the 5.0 client takes the rest as the name */
	memcpy(b + 23, tr->name, n);
	out_frame(s, PT_ROOM_JOINED, b, 23 + n);
}

/* send_topic - ROOM_TOPIC: room, who set it, the text */
static void
send_topic(struct session *s, const struct troom *tr)
{
	unsigned char	 b[8 + PALD_TOPIC_MAX];
	size_t		 n = strnlen(tr->topic, PALD_TOPIC_MAX);

	wire_put32(b, tr->id);
	wire_put32(b + 4, tr->topicby);
	memcpy(b + 8, tr->topic, n);
	out_frame(s, PT_ROOM_TOPIC, b, 8 + n);
}

/* join_fail - the join refused: a RETURN_CODE with a clear text */
static int
join_fail(struct session *s, int type, uint32_t id, const char *text)
{
	log_info("[%s]: %s: join %u refused: %s", s->addr, s->u.nick, id,
	    text);
	out_rc(s, type, 0x63, text);
	return 0;
}

/*
 * join - the common part of -310, -311, -316 and -300: checks, the
 * table, then the burst of PROTOCOL.md 5.7 to us and USER_JOINED to
 * everyone else.
 */
static int
join(struct session *s, int type, struct troom *tr, int invisible,
    const char *lockword, int admin)
{
	struct tmember	 me;
	struct rban	 ban;
	struct troom	 now;
	struct rec	 r;
	unsigned char	 rb[512];
	char		 text[160];
	uint32_t	 mflags = 0;
	int		 res, limit;

	/*
	 * The 5.0 client offers an invisible join to site admins only; a
	 * request from anyone else comes from another program: refused.
	 */
	if (invisible && s->u.admin < 1)
		return join_fail(s, type, tr->id, TXT_NOINVIS);
	if (tr->owner == s->u.uid || s->u.admin >= 1)
		admin = 1;
	if (myroom(s, tr->id, &now, &me) == 0) {
		/* already in: the client re-opens its window */
		send_joined(s, &now, is_admin(&me), me.flags & TMF_INVIS);
		send_userlist(s, &now);
		send_cameras(s, &now);
		return 0;
	}
	if ((tr->flags & ROOM_F_CLOSED) && !admin)
		return join_fail(s, type, tr->id, TXT_CLOSED);
	if (!admin && db_rban_check(s->db, tr->id, s->u.uid, time(NULL),
	    &ban) == DBR_OK)
		return join_fail(s, type, tr->id, ban.kind == RBAN_BAN ?
		    TXT_BANNED : TXT_BOUNCED);
	if (!admin && tr->lockword[0] != '\0' &&
	    (lockword == NULL || strcmp(lockword, tr->lockword) != 0))
		return join_fail(s, type, tr->id, TXT_LOCKED);
	limit = tr->lockword[0] != '\0' ? s->conf->room_size_locked :
	    s->conf->room_size;
	if (admin) {
		mflags |= TMF_ADMIN;
		limit = 0;
	} else if (!tr->mike && !tr->allmics)
		mflags |= TMF_REDDOT;
	if (invisible)
		mflags |= TMF_INVIS;
	switch ((res = room_join(s->tab, tr, mflags, limit, &now))) {
	case TR_OK:
		break;
	case TR_FULL:
		return join_fail(s, type, tr->id, TXT_FULL);
	case TR_TOOMANY:
		return join_fail(s, type, tr->id, TXT_TOOMANY);
	default:
		return join_fail(s, type, tr->id, TXT_NOSPACE);
	}
	if ((now.flags & ROOM_F_CLOSED) && admin) {
		/* an admin's join opens a closed room again */
		now.flags &= ~ROOM_F_CLOSED;
		(void)room_update(s->tab, now.idx, now.rgen, &now, RU_FLAGS);
		save(s, &now);
	}
	log_info("[%s]: %s joined room %u (%d members)", s->addr, s->u.nick,
	    now.id, now.nmembers);
	send_joined(s, &now, admin, invisible);
	(void)snprintf(text, sizeof(text), "%s, welcome to the room %s.",
	    s->u.nick, now.name);
	sys_line(s, now.id, text);
	send_topic(s, &now);
	send_userlist(s, &now);
	send_cameras(s, &now);
	if (!(mflags & TMF_INVIS) && room_member(s->tab, now.idx, now.rgen,
	    s->u.uid, &me) == 0) {
		rec_init(&r, rb, sizeof(rb));
		user_rec(s, &r, now.id, &me, &s->u, s->status == ST_AWAY, 1);
		if (rec_len(&r) > 0)
			(void)to_room(s, &now, s->me.slot, PT_ROOM_USER_JOINED,
			    rb, r.len);
	}
	if (now.flags & ROOM_F_VOICE)
		send_media(s, &now);
	if (now.owner == s->u.uid && !(now.flags & TRF_TEMP))
		show_owner_log(s, &now);
	return 0;
}

/* leave_notify - USER_LEFT to those still in the room */
static void
leave_notify(struct session *s, const struct troom *tr, uint32_t uid)
{
	unsigned char	 b[8];

	pack2(b, tr->id, uid);
	(void)to_room(s, tr, -1, PT_ROOM_USER_LEFT, b, sizeof(b));
}

/* forget - a room that was emptied: a temporary one leaves nothing */
static void
forget(struct db *db, const struct troom *tr)
{
	if (tr->flags & TRF_TEMP)
		(void)db_room_delete(db, tr->id);
}

/*
 * Room lists.
 */

struct active {
	uint32_t	 id;
	uint32_t	 category;
	int		 members;
	int		 temp;
	struct troom	 tr;		/* temporary rooms only */
};

struct actives {
	struct active	*a;
	int		 n;
};

static void
collect(void *arg, const struct troom *tr)
{
	struct actives	*as = arg;
	struct active	*a;

	if (as->n >= PALD_TROOMS)
		return;
	a = &as->a[as->n++];
	a->id = tr->id;
	a->category = tr->category;
	a->members = tr->nmembers;
	a->temp = (tr->flags & TRF_TEMP) != 0;
	if (a->temp)
		a->tr = *tr;
}

/* members_of - the live member count of a permanent room */
static int
members_of(const struct actives *as, uint32_t id)
{
	int	 i;

	for (i = 0; i < as->n; i++)
		if (as->a[i].id == id)
			return as->a[i].members;
	return 0;
}

/* room_rec - one room of ROOM_LIST */
static void
room_rec(struct rec *r, uint32_t id, const char *name, int members,
    unsigned flags, int locked, char rating)
{
	char	 rt[2] = { rating ? rating : 'G', '\0' };

	rec_addu(r, "id", id);
	rec_add(r, "nm", name);
	rec_addi(r, "#", members);
	rec_addi(r, "v", (flags & ROOM_F_VOICE) ? 1 : 0);
	rec_addi(r, "l", locked ? 1 : 0);
	rec_add(r, "r", rt);
	rec_addi(r, "p", (flags & ROOM_F_PRIVATE) ? 1 : 0);
	rec_add(r, "c", "000000000");
	rec_sep(r);
}

/* shown - does a room appear in the lists for us? */
static int
shown(struct session *s, unsigned flags)
{
	if (s->u.admin >= 1)
		return 1;
	return !(flags & (ROOM_F_PRIVATE | ROOM_F_CLOSED));
}

/* handle_list - LIST_CATEGORY: category counts, or one category's rooms */
static int
handle_list(struct session *s, const struct wire_frame *f)
{
	struct actives	 as;
	struct category	*cats = NULL;
	struct room	*rooms = NULL;
	struct rec	 r;
	uint32_t	 cat = 0;
	int		 i, k, nc, nr, *count = NULL;

	if (f->len >= 12)
		cat = wire_get32(f->payload + 8);
	if (f->len >= 8 && wire_get32(f->payload + 4) == 0)
		cat = 0;
	if (cat == ALL_UIDS)
		cat = 0;
	as.n = 0;
	if ((as.a = reallocarray(NULL, PALD_TROOMS, sizeof(*as.a))) == NULL ||
	    (rooms = reallocarray(NULL, PALD_ROOMS_MAX, sizeof(*rooms))) ==
	    NULL)
		goto fail;
	(void)room_list(s->tab, collect, &as);
	if ((nr = db_room_list(s->db, cat, rooms, PALD_ROOMS_MAX)) < 0)
		goto fail;
	rec_init(&r, s->scratch, SCRATCH);
	if (cat == 0) {
		if ((cats = reallocarray(NULL, PALD_CATEGORIES_MAX,
		    sizeof(*cats))) == NULL ||
		    (count = calloc(PALD_CATEGORIES_MAX, sizeof(int))) == NULL)
			goto fail;
		if ((nc = db_category_list(s->db, cats, PALD_CATEGORIES_MAX)) <
		    0)
			goto fail;
		for (i = 0; i < nr; i++)
			for (k = 0; k < nc; k++)
				if (rooms[i].category == cats[k].code &&
				    shown(s, rooms[i].flags))
					count[k]++;
		for (i = 0; i < as.n; i++)
			for (k = 0; k < nc; k++)
				if (as.a[i].temp &&
				    as.a[i].category == cats[k].code &&
				    shown(s, as.a[i].tr.flags))
					count[k]++;
		for (k = 0; k < nc; k++) {
			rec_addu(&r, "id", cats[k].code);
			rec_addi(&r, "#", count[k]);
			rec_sep(&r);
		}
		if (rec_len(&r) >= 0)
			out_frame(s, PT_CATEGORY_COUNTS, s->scratch, r.len);
	} else {
		rec_addu(&r, "catg", cat);
		rec_sep(&r);
		for (i = 0; i < nr; i++)
			if (shown(s, rooms[i].flags))
				room_rec(&r, rooms[i].id, rooms[i].name,
				    members_of(&as, rooms[i].id),
				    rooms[i].flags, rooms[i].lockword[0] != '\0',
				    rooms[i].rating);
		for (i = 0; i < as.n; i++)
			if (as.a[i].temp && as.a[i].category == cat &&
			    shown(s, as.a[i].tr.flags))
				room_rec(&r, as.a[i].id, as.a[i].tr.name,
				    as.a[i].members, as.a[i].tr.flags,
				    as.a[i].tr.lockword[0] != '\0',
				    as.a[i].tr.rating);
		if (rec_len(&r) >= 0)
			out_frame(s, PT_ROOM_LIST, s->scratch, r.len);
		else
			log_warnx("[%s]: room list of %u too long", s->addr,
			    cat);
	}
	free(count);
	free(cats);
	free(rooms);
	free(as.a);
	return 0;
fail:
	log_warnx("[%s]: room list failed", s->addr);
	free(count);
	free(cats);
	free(rooms);
	free(as.a);
	return 0;
}

/*
 * Joining, creating, leaving.
 */

/* text_arg - bytes from..len of a payload as a bounded C string */
static void
text_arg(const struct wire_frame *f, size_t from, char *dst, size_t cap)
{
	size_t	 n = f->len > from ? f->len - from : 0;

	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(dst, f->payload + from, n);
	dst[n] = '\0';
	dst[strcspn(dst, "\r\n")] = '\0';
}

/* handle_join - ROOM_JOIN: room(4) invisible(2) port(4) [lockword] */
static int
handle_join(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	char		 lock[PALD_LOCKWORD_MAX + 1];
	uint32_t	 id;
	int		 invis = 0;

	if (f->len < 4)
		return 0;
	id = wire_get32(f->payload);
	if (f->len >= 6)
		invis = wire_get16(f->payload + 4) != 0;
	text_arg(f, 10, lock, sizeof(lock));
	if (load(s, id, &tr) == -1)
		return join_fail(s, f->type, id, TXT_NOROOM);
	return join(s, f->type, &tr, invis, lock, 0);
}

struct byname {
	const char	*name;
	uint32_t	 owner;		/* or 0 */
	int		 found;
	struct troom	 tr;
};

static void
match_name(void *arg, const struct troom *tr)
{
	struct byname	*b = arg;

	if (b->found || !(tr->flags & TRF_TEMP))
		return;
	if ((b->name != NULL && strcasecmp(tr->name, b->name) == 0) ||
	    (b->name == NULL && tr->owner == b->owner)) {
		b->tr = *tr;
		b->found = 1;
	}
}

/* temp_by_name - an active temporary room by name; -1 if none */
static int
temp_by_name(struct session *s, const char *name, struct troom *tr)
{
	struct byname	 b;

	memset(&b, 0, sizeof(b));
	b.name = name;
	(void)room_list(s->tab, match_name, &b);
	if (!b.found)
		return -1;
	*tr = b.tr;
	return 0;
}

/* handle_join_name - ROOM_JOIN by name: record aff name invis port lock */
static int
handle_join_name(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct room	 r;
	char		 name[PALD_ROOMNAME_MAX + 1], lock[PALD_LOCKWORD_MAX + 1];
	char		 inv[8];
	int		 invis = 0;

	if (rec_get(f->payload, f->len, "name", name, sizeof(name)) < 0)
		return join_fail(s, f->type, 0, TXT_NOROOM);
	if (rec_get(f->payload, f->len, "lock", lock, sizeof(lock)) < 0)
		lock[0] = '\0';
	if (rec_get(f->payload, f->len, "invis", inv, sizeof(inv)) > 0)
		invis = atoi(inv) != 0;
	if (db_room_by_name(s->db, name, &r) == DBR_OK) {
		if (load(s, r.id, &tr) == -1)
			return join_fail(s, f->type, r.id, TXT_NOROOM);
	} else if (temp_by_name(s, name, &tr) == -1)
		return join_fail(s, f->type, 0, TXT_NOROOM);
	return join(s, f->type, &tr, invis, lock, 0);
}

/*
 * handle_join_admin - ROOM_JOIN_AS_ADMIN: owner(4) code(4) port(4).
 * Sources disagree whether the first word is the owner's uid or the
 * room's id (PROTOCOL.md 8): a room id is tried first.
 */
static int
handle_join_admin(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct room	*rooms;
	uint32_t	 who, code;
	int		 i, n, found = -1;

	if (f->len < 8)
		return 0;
	who = wire_get32(f->payload);
	code = wire_get32(f->payload + 4);
	if (code == 0)
		return join_fail(s, f->type, who, TXT_NOTADMIN);
	if ((rooms = reallocarray(NULL, PALD_ROOMS_MAX, sizeof(*rooms))) ==
	    NULL)
		return 0;
	n = db_room_list(s->db, 0, rooms, PALD_ROOMS_MAX);
	for (i = 0; i < n && found == -1; i++)
		if (rooms[i].id == who && rooms[i].admincode == code)
			found = i;
	for (i = 0; i < n && found == -1; i++)
		if (rooms[i].owner == who && rooms[i].admincode == code)
			found = i;
	if (found == -1 || load(s, rooms[found].id, &tr) == -1) {
		free(rooms);
		log_notice("[%s]: %s: wrong admin code for %u", s->addr,
		    s->u.nick, who);
		return join_fail(s, f->type, who,
		    "No room of that owner has that admin code.");
	}
	free(rooms);
	return join(s, f->type, &tr, 0, NULL, 1);
}

/*
 * handle_create - ROOM_CREATE: flags(4) category(2) port(4) rating(1)
 * name [\n lockword].  A temporary room, owned by its creator, that
 * vanishes with its last member.
 */
static int
handle_create(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct room	 r;
	char		 buf[PALD_ROOMNAME_MAX + PALD_LOCKWORD_MAX + 4], *nl;
	uint32_t	 fl, k;
	size_t		 n;

	if (f->len < 12)
		return 0;
	memset(&tr, 0, sizeof(tr));
	fl = wire_get32(f->payload);
	tr.category = wire_get16(f->payload + 4);
	tr.rating = (char)toupper(f->payload[10]);
	if (strchr("GAR", tr.rating) == NULL || tr.rating == '\0')
		tr.rating = 'G';
	n = f->len - 11;
	if (n >= sizeof(buf))
		return join_fail(s, f->type, 0, "That room name is too long.");
	memcpy(buf, f->payload + 11, n);
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL) {
		*nl++ = '\0';
		nl[strcspn(nl, "\r\n")] = '\0';
		(void)strlcpy(tr.lockword, nl, sizeof(tr.lockword));
	}
	buf[strcspn(buf, "\r")] = '\0';
	if (buf[0] == '\0' || strlen(buf) > PALD_ROOMNAME_MAX)
		return join_fail(s, f->type, 0, "That room name is not valid.");
	(void)strlcpy(tr.name, buf, sizeof(tr.name));
	if (db_room_by_name(s->db, tr.name, &r) == DBR_OK ||
	    temp_by_name(s, tr.name, &tr) == 0)
		return join_fail(s, f->type, 0,
		    "A room of that name exists already.");
	/* the room kind of ROOM_JOINED, in the high half (or alone) */
	k = (fl >> 16) != 0 ? fl >> 16 : fl;
	tr.flags = TRF_TEMP;
	if (k == 1 || k == 3)
		tr.flags |= ROOM_F_VOICE;
	if (k == 1 || k == 5)
		tr.flags |= ROOM_F_PRIVATE;
	tr.owner = s->u.uid;
	tr.mike = 1;
	log_info("[%s]: %s creates room \"%s\"", s->addr, s->u.nick,
	    tr.name);
	return join(s, f->type, &tr, 0, tr.lockword, 1);
}

/* leave - take us out of tr and tell the others (our camera off first) */
static void
leave(struct session *s, const struct troom *tr)
{
	struct troom	 was;
	struct tmember	 me;
	int		 empty, cam;

	cam = room_member(s->tab, tr->idx, tr->rgen, s->u.uid, &me) == 0 &&
	    (me.flags & TMF_VIDEO);
	table_p2p_drop_in(s->tab, TP_RPUB, tr->id, 0);
	table_p2p_drop_in(s->tab, TP_RVIEW, tr->id, 0);
	if (room_leave(s->tab, tr->idx, tr->rgen, &was, &empty) != TR_OK)
		return;
	if (empty) {
		forget(s->db, &was);
		return;
	}
	if (cam)
		cam_off(s, &was, s->u.uid);
	leave_notify(s, &was, s->u.uid);
}

/* handle_leave - ROOM_LEAVE room(4) */
static int
handle_leave(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;

	if (f->len < 4 || myroom(s, wire_get32(f->payload), &tr, &me) == -1)
		return 0;
	leave(s, &tr);
	return 0;
}

/* room_logout - our session ends: leave every room */
void
room_logout(struct session *s)
{
	int		 idx[PALD_JOINS_MAX], i, n;
	uint32_t	 rgen[PALD_JOINS_MAX];
	struct troom	 tr;

	n = room_myrooms(s->tab, idx, rgen);
	for (i = 0; i < n; i++)
		if (room_get(s->tab, idx[i], rgen[i], &tr) == 0)
			leave(s, &tr);
}

/* room_gone - a dead session found by a sweep leaves its rooms */
void
room_gone(struct db *db, struct table *tab, const struct tsess *dead)
{
	unsigned char	 b[WIRE_HDRLEN + 10], p[10];
	struct troom	 was;
	struct tmember	 m;
	int		 k, empty, cam;
	size_t		 n;

	for (k = 0; k < PALD_JOINS_MAX; k++) {
		if (dead->rooms[k] == 0)
			continue;
		cam = room_member(tab, dead->rooms[k] - 1, dead->rgens[k],
		    dead->uid, &m) == 0 && m.slot == dead->slot &&
		    m.gen == dead->gen && (m.flags & TMF_VIDEO);
		if (room_drop(tab, dead->rooms[k] - 1, dead->slot, dead->gen,
		    &was, &empty) != TR_OK || was.rgen != dead->rgens[k])
			continue;
		if (empty) {
			forget(db, &was);
			continue;
		}
		if (cam && (n = wire_encode(b, sizeof(b), PT_ROOM_VIDEO, p,
		    cam_frame(p, was.id, dead->uid, 0))) > 0)
			(void)room_send(tab, was.idx, was.rgen, -1, TM_FRAME, b,
			    n);
		pack2(p, was.id, dead->uid);
		if ((n = wire_encode(b, sizeof(b), PT_ROOM_USER_LEFT, p,
		    8)) > 0)
			(void)room_send(tab, was.idx, was.rgen, -1, TM_FRAME, b,
			    n);
	}
}

/*
 * Room chat.
 */

/* skip_tags - past the leading PHTML tags (<pfont ...>, <pb> ...) */
static const char *
skip_tags(const char *p)
{
	while (*p == '<' && strchr(p, '>') != NULL)
		p = strchr(p, '>') + 1;
	while (*p == ' ')
		p++;
	return p;
}

/*
 * whisper - "/w nick: text" said in a room goes to that member only
 * (PROTOCOL.md 3.6).  Returns 1 when the line was a whisper.
 */
static int
whisper(struct session *s, const struct troom *tr, const char *line)
{
	struct tmember	 to;
	struct tsess	 ts;
	const char	*p = skip_tags(line), *colon;
	char		 nick[PALD_NICK_MAX + 1];
	const char	*msg;
	unsigned char	*b;
	size_t		 n, ml;
	int		 i, nm;
	struct tmember	*m;

	if (strncasecmp(p, "/w ", 3) != 0)
		return 0;
	p += 3;
	if ((colon = strchr(p, ':')) == NULL ||
	    (size_t)(colon - p) > PALD_NICK_MAX) {
		sys_line(s, tr->id, "To whisper: /w nickname: message");
		return 1;
	}
	memcpy(nick, p, (size_t)(colon - p));
	nick[colon - p] = '\0';
	for (n = strlen(nick); n > 0 && nick[n - 1] == ' '; n--)
		nick[n - 1] = '\0';
	if ((m = reallocarray(NULL, PALD_ROOM_MEMBERS_MAX, sizeof(*m))) ==
	    NULL)
		return 1;
	nm = room_members(s->tab, tr->idx, tr->rgen, m, PALD_ROOM_MEMBERS_MAX);
	for (i = 0; i < nm; i++)
		if (strcasecmp(m[i].nick, nick) == 0)
			break;
	if (i == nm || nm < 0) {
		free(m);
		sys_line(s, tr->id, "Nobody of that name is in this room.");
		return 1;
	}
	to = m[i];
	free(m);
	for (msg = colon + 1; *msg == ' '; msg++)
		;
	ml = strnlen(msg, PALD_ROOMMSG_MAX);
	if ((b = malloc(8 + ml + 128)) == NULL)
		return 1;
	pack2(b, tr->id, s->u.uid);
	n = (size_t)snprintf((char *)b + 8, ml + 128,
	    "<pb><pi>***** Start Whisper</pi></pb>\n%.*s\n"
	    "<pi><pb>***** End Whisper</pi></pb>", (int)ml, msg);
	if (n >= ml + 128)
		n = ml + 127;
	ts.slot = to.slot;
	ts.gen = to.gen;
	if (deliver(s, &ts, TM_FRAME, PT_ROOM_MESSAGE, b, 8 + n) == 0)
		sys_line(s, tr->id, "Whisper sent.");
	free(b);
	return 1;
}

/*
 * rtp_cmd - "/rtp listen|speak|both PORT" or "/rtp off" said in a voice
 * room registers (or drops) a plain RTP endpoint on the member's own
 * address with the voice child for an hour.  Returns 1 when the line
 * was such a command.
 */
static int
rtp_cmd(struct session *s, const struct troom *tr, const char *line)
{
	const char	*p = skip_tags(line), *errstr;
	char		 mode[8], port[8], text[160];
	int		 m = 0, n;
	long long	 pn = 0;

	if (strncasecmp(p, "/rtp", 4) != 0 || (p[4] != ' ' && p[4] != '\0'))
		return 0;
	mode[0] = port[0] = '\0';
	n = sscanf(p + 4, " %7s %7s", mode, port);
	if (n >= 1 && strcasecmp(mode, "off") == 0)
		m = 0;
	else if (n == 2 && (strcasecmp(mode, "listen") == 0 ||
	    strcasecmp(mode, "speak") == 0 || strcasecmp(mode, "both") == 0)) {
		m = strcasecmp(mode, "listen") == 0 ? TV_LISTEN :
		    strcasecmp(mode, "speak") == 0 ? TV_SPEAK :
		    TV_LISTEN | TV_SPEAK;
		pn = strtonum(port, 1024, 65535, &errstr);
		if (errstr != NULL)
			m = -1;
	} else
		m = -1;
	if (m == -1 || !(tr->flags & ROOM_F_VOICE)) {
		sys_line(s, tr->id, "In a voice room: /rtp listen|speak|both "
		    "PORT (1024-65535), or /rtp off");
		return 1;
	}
	if (table_vep(s->tab, tr->id, s->addr, (uint16_t)pn, m, 3600) ==
	    -1) {
		sys_line(s, tr->id, "No room for another RTP endpoint now.");
		return 1;
	}
	if (m == 0)
		(void)snprintf(text, sizeof(text), "RTP endpoint dropped.");
	else
		(void)snprintf(text, sizeof(text), "RTP to and from %s port "
		    "%lld (%s) for an hour, on the voice port.", s->addr, pn,
		    mode);
	log_info("[%s]: %s: rtp %s %lld in room %u", s->addr, s->u.nick,
	    m ? mode : "off", pn, tr->id);
	sys_line(s, tr->id, text);
	return 1;
}

/* handle_message - ROOM_MESSAGE_OUT: room(4) text, to the others */
static int
handle_message(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	unsigned char	 b[8 + PALD_ROOMMSG_MAX];
	char		 line[PALD_ROOMMSG_MAX + 1];
	const char	*why;
	size_t		 n;

	if (f->len < 5 || myroom(s, wire_get32(f->payload), &tr, &me) == -1)
		return 0;
	if ((why = guard_line(s)) != NULL) {
		sys_line(s, tr.id, why);
		return guard_strike(s);
	}
	n = f->len - 4;
	if (n > PALD_ROOMMSG_MAX) {
		sys_line(s, tr.id, "That message is too long; it was not "
		    "sent.");
		return 0;
	}
	if (tr.text && (me.flags & TMF_REDDOT) && !is_admin(&me)) {
		sys_line(s, tr.id, TXT_REDDOT);
		return 0;
	}
	memcpy(line, f->payload + 4, n);
	line[n] = '\0';
	if (strlen(line) == n && (whisper(s, &tr, line) ||
	    rtp_cmd(s, &tr, line)))
		return 0;
	pack2(b, tr.id, s->u.uid);
	memcpy(b + 8, f->payload + 4, n);
	(void)to_room(s, &tr, s->me.slot, PT_ROOM_MESSAGE, b, 8 + n);
	table_count(s->tab, TC_IM);
	return 0;
}

/* handle_topic - ROOM_SET_TOPIC: room admins; kept for permanent rooms */
static int
handle_topic(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	unsigned char	 b[8 + PALD_TOPIC_MAX];

	if (f->len < 4 || myroom(s, wire_get32(f->payload), &tr, &me) == -1)
		return 0;
	if (!is_admin(&me)) {
		sys_line(s, tr.id, TXT_NOTADMIN);
		return 0;
	}
	text_arg(f, 4, tr.topic, sizeof(tr.topic));
	tr.topicby = s->u.uid;
	if (room_update(s->tab, tr.idx, tr.rgen, &tr, RU_TOPIC) == -1)
		return 0;
	save(s, &tr);
	log_action(s, &tr, "topic", 0, NULL);
	pack2(b, tr.id, tr.topicby);
	memcpy(b + 8, tr.topic, strlen(tr.topic));
	(void)to_room(s, &tr, -1, PT_ROOM_TOPIC, b, 8 + strlen(tr.topic));
	return 0;
}

/*
 * handle_invite - ROOM_INVITE_OUT: room(4) uid(4) -> ROOM_INVITE_IN to
 * the target.  The 5.0 client (its 0x0168 handler, 0x4126ec in the
 * binary) shows "Group Invite!" only when group_id, first, last and
 * nickname all have values; on Yes it joins group_id, as a locked room
 * if lock is set (type is the room's kind).  Empty names go as the
 * nickname.
 */
static int
handle_invite(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	struct tsess	 ts;
	struct user	 u;
	struct rec	 r;
	unsigned char	 b[512];
	const char	*why = NULL;
	uint32_t	 to;
	int		 blocked;

	if (f->len != 8)
		return guard_malformed(s, f, "not room(4) uid(4)");
	if (myroom(s, wire_get32(f->payload), &tr, &me) == -1)
		return 0;
	to = wire_get32(f->payload + 4);
	/* the invitee's privacy setting; a block stays silent */
	blocked = db_blocks(s->db, to, s->u.uid) != 0;
	if (!blocked && db_user_get(s->db, to, &u) == DBR_OK) {
		why = guard_contact(s, &u, CONTACT_TEXT);
		explicit_bzero(&u, sizeof(u));
	}
	if (why != NULL) {
		out_rc(s, f->type, 0x63, why);
		return 0;
	}
	if (!blocked && table_find(s->tab, to, 0, &ts) == 0) {
		rec_init(&r, b, sizeof(b));
		rec_addu(&r, "group_id", tr.id);
		rec_add(&r, "group_name", tr.name);
		rec_add(&r, "first", s->u.first[0] ? s->u.first : s->u.nick);
		rec_add(&r, "last", s->u.last[0] ? s->u.last : s->u.nick);
		rec_add(&r, "nickname", s->u.nick);
		rec_addu(&r, "uid", s->u.uid);
		rec_addi(&r, "type", kind(&tr));
		if (tr.lockword[0] != '\0')
			rec_addi(&r, "lock", 1);
		if (rec_len(&r) > 0)
			(void)deliver(s, &ts, TM_FRAME, PT_ROOM_INVITE, b,
			    r.len);
	}
	out_rc(s, f->type, 0, NULL);
	return 0;
}

/*
 * Alert Admin of Misconduct (-305).
 */

struct alert {
	uint32_t	 to[PALD_ALERT_ADMINS + PALD_ROOM_MEMBERS_MAX + 1];
	int		 n;
};

/* alert_add - a recipient, once, never the one who alerts */
static void
alert_add(struct session *s, struct alert *a, uint32_t uid)
{
	int	 i;

	if (uid == 0 || uid == s->u.uid || uid == PALD_UID_SYSTEM)
		return;
	for (i = 0; i < a->n; i++)
		if (a->to[i] == uid)
			return;
	if (a->n < (int)(sizeof(a->to) / sizeof(a->to[0])))
		a->to[a->n++] = uid;
}

/*
 * alert_who - who hears an alert about room tr: the site admins (level
 * 1 or more, from the store), the room's owner and its admins now in it
 */
static void
alert_who(struct session *s, const struct troom *tr, struct alert *a)
{
	struct tmember	*m;
	uint32_t	 admins[PALD_ALERT_ADMINS];
	int		 i, n;

	a->n = 0;
	n = db_user_admins(s->db, admins, PALD_ALERT_ADMINS);
	for (i = 0; i < n; i++)
		alert_add(s, a, admins[i]);
	alert_add(s, a, tr->owner);
	if ((m = reallocarray(NULL, PALD_ROOM_MEMBERS_MAX, sizeof(*m))) ==
	    NULL)
		return;
	n = room_members(s->tab, tr->idx, tr->rgen, m, PALD_ROOM_MEMBERS_MAX);
	for (i = 0; i < n; i++)
		if (is_admin(&m[i]))
			alert_add(s, a, m[i].uid);
	free(m);
}

/* alert_text - the IM the admins get: who, where, about whom, what */
static size_t
alert_text(struct session *s, const struct troom *tr, uint32_t whom,
    const struct wire_frame *f, char *out, size_t cap)
{
	struct user	 u;
	char		 about[PALD_NICK_MAX + 16];
	size_t		 i, n, k;
	int		 w;

	if (db_user_get(s->db, whom, &u) == DBR_OK)
		(void)strlcpy(about, u.nick, sizeof(about));
	else
		(void)snprintf(about, sizeof(about), "uid %u", whom);
	explicit_bzero(&u, sizeof(u));
	w = snprintf(out, cap, "Alert from %s in room %u (%s) about %s: ",
	    s->u.nick, tr->id, tr->name, about);
	if (w < 0 || (size_t)w >= cap)
		return 0;
	n = f->len - 8 > PALD_ALERT_TEXT ? PALD_ALERT_TEXT : f->len - 8;
	for (i = 0, k = (size_t)w; i < n && k + 1 < cap; i++)
		out[k++] = f->payload[8 + i] < 0x20 || f->payload[8 + i] ==
		    0x7f ? ' ' : (char)f->payload[8 + i];
	out[k] = '\0';
	return k;
}

/*
 * handle_report - ROOM_REPORT_USER room(4) uid(4) text, the "Paltalk
 * Support Alert!" of a member's menu: in the room's log, and to every
 * administrator on line (alert_who) as an IM from the system user.  One
 * alert a minute per user; the client is told in "Paltalk Bulletin!"
 * whether it went out (5.0 waits for nothing, CLIENT.md 5.6).
 */
static int
handle_report(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	struct tsess	 ts;
	struct alert	*a;
	unsigned char	 b[4 + PALD_ALERT_TEXT + 160];
	char		 why[PALD_REASON_MAX + 1], key[32], text[128];
	uint32_t	 whom;
	time_t		 now = time(NULL);
	size_t		 n;
	int		 i, sent = 0;

	if (f->len < 9 || f->len > 8 + PALD_ALERT_TEXT)
		return guard_malformed(s, f, "not room(4) uid(4) text");
	if (myroom(s, wire_get32(f->payload), &tr, &me) == -1)
		return guard_malformed(s, f, "not in that room");
	whom = wire_get32(f->payload + 4);
	(void)snprintf(key, sizeof(key), "alert:%u", s->u.uid);
	if ((s->alerted != 0 && now - s->alerted < PALD_ALERT_INTERVAL) ||
	    !table_once(s->tab, key, PALD_ALERT_INTERVAL)) {
		out_rc(s, f->type, 0x63, "You alerted the administrators a "
		    "moment ago. Please wait a minute before the next alert.");
		return guard_strike(s);
	}
	s->alerted = now;
	text_arg(f, 8, why, sizeof(why));
	log_action(s, &tr, "report", whom, why);
	if ((a = malloc(sizeof(*a))) == NULL)
		return 0;
	alert_who(s, &tr, a);
	wire_put32(b, PALD_UID_SYSTEM);
	n = alert_text(s, &tr, whom, f, (char *)b + 4, sizeof(b) - 4);
	for (i = 0; i < a->n && n > 0; i++)
		if (table_find(s->tab, a->to[i], 0, &ts) == 0 &&
		    deliver(s, &ts, TM_FRAME, PT_IM_IN, b, 4 + n) == 0)
			sent++;
	free(a);
	log_info("[%s]: %s: alert about uid %u in room %u to %d "
	    "administrator%s", s->addr, s->u.nick, whom, tr.id, sent,
	    sent == 1 ? "" : "s");
	if (sent > 0)
		(void)snprintf(text, sizeof(text), "Your alert went to %d "
		    "administrator%s on line.", sent, sent == 1 ? "" : "s");
	else
		(void)strlcpy(text, "No administrator is on line now; your "
		    "alert is in the room's log.", sizeof(text));
	out_rc(s, f->type, 0x63, text);
	return 0;
}

/*
 * Moderation: room admins only.
 */

/* admin_room - our room of an admin packet room(4) ...; -1 if not admin */
static int
admin_room(struct session *s, const struct wire_frame *f, size_t min,
    struct troom *tr, struct tmember *me)
{
	if (f->len < min || myroom(s, wire_get32(f->payload), tr, me) == -1)
		return -1;
	if (!is_admin(me)) {
		log_notice("[%s]: %s: admin packet %d in room %u without "
		    "rights", s->addr, s->u.nick, f->type, tr->id);
		sys_line(s, tr->id, TXT_NOTADMIN);
		return -1;
	}
	return 0;
}

/*
 * send_admin_info - ROOM_ADMIN_INFO.  Each list entry is
 * "uid,nickname\n": the 5.0 client splits the lists at newlines, each
 * entry at the comma, shows the nickname in the admin console and keeps
 * the uid for Unbounce / Unban (the client binary, 0x409ec4).  Any
 * ROOM_ADMIN_INFO empties and refills the console's lists, which the
 * client never asks for again by itself after a change (CLIENT.md 1):
 * it follows every change made from the console; with the console
 * closed the client reads and ignores it.
 */
static void
send_admin_info(struct session *s, const struct troom *tr)
{
	struct rban	*b;
	struct rec	 r;
	struct user	 u;
	char		 ent[16 + PALD_NICK_MAX + 2];
	int		 i, n, k;

	if ((b = reallocarray(NULL, 500, sizeof(*b))) == NULL)
		return;
	rec_init(&r, s->scratch, SCRATCH);
	rec_addu(&r, "group", tr->id);
	rec_addi(&r, "mike", tr->mike);
	rec_addi(&r, "text", tr->text);
	rec_addi(&r, "video", tr->video);
	for (k = RBAN_BOUNCE; k >= RBAN_BAN; k--) {
		n = db_rban_list(s->db, tr->id, k, b, 500);
		rec_raw(&r, k == RBAN_BOUNCE ? "bounce=" : "ban=",
		    k == RBAN_BOUNCE ? 7 : 4);
		for (i = 0; i < n; i++) {
			if (db_user_get(s->db, b[i].uid, &u) != DBR_OK)
				(void)snprintf(u.nick, sizeof(u.nick), "%u",
				    b[i].uid);
			(void)snprintf(ent, sizeof(ent), "%u,%s\n", b[i].uid,
			    u.nick);
			rec_raw(&r, ent, strlen(ent));
		}
		rec_sep(&r);
	}
	free(b);
	if (rec_len(&r) > 0)
		out_frame(s, PT_ROOM_ADMIN_INFO, s->scratch, r.len);
}

/* handle_admin_info - ROOM_GET_ADMIN_INFO: the console opens, Refresh */
static int
handle_admin_info(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;

	if (admin_room(s, f, 4, &tr, &me) == 0)
		send_admin_info(s, &tr);
	return 0;
}

/* remove_member - 0x017c to the victim, out of the room, others told */
static void
remove_member(struct session *s, const struct troom *tr,
    const struct tmember *v, const char *text)
{
	unsigned char	 b[8 + 128];
	struct troom	 was;
	struct tsess	 ts;
	size_t		 n = strlen(text);
	int		 empty;

	/* out first, so that a quick re-join finds the victim out */
	if (room_drop(s->tab, tr->idx, v->slot, v->gen, &was, &empty) !=
	    TR_OK)
		return;
	pack2(b, tr->id, s->u.uid);
	memcpy(b + 8, text, n);
	ts.slot = v->slot;
	ts.gen = v->gen;
	(void)deliver(s, &ts, TM_FRAME, PT_ROOM_CLOSED, b, 8 + n);
	if (v->flags & TMF_VIDEO)
		(void)deliver(s, &ts, TM_FRAME, PT_VIDEO_UNPUBLISH, NULL, 0);
	if (empty) {
		forget(s->db, &was);
		return;
	}
	if (v->flags & TMF_VIDEO)
		cam_off(s, &was, v->uid);
	leave_notify(s, &was, v->uid);
}

/* target - the member uid of tr, not an admin; -1 with a line if not */
static int
target(struct session *s, const struct troom *tr, uint32_t uid,
    struct tmember *v)
{
	if (room_member(s->tab, tr->idx, tr->rgen, uid, v) == -1)
		return -1;
	if (is_admin(v)) {
		sys_line(s, tr->id, "Room administrators cannot be removed.");
		return -1;
	}
	return 0;
}

/* ban_one - a ban or a 24-hour bounce of uid, stored and applied */
static void
ban_one(struct session *s, const struct troom *tr, int kind, uint32_t uid,
    const char *reason)
{
	struct rban	 rb;
	struct tmember	 v;

	if (uid == s->u.uid)
		return;
	memset(&rb, 0, sizeof(rb));
	rb.room = tr->id;
	rb.kind = kind;
	rb.uid = uid;
	rb.by = s->u.uid;
	rb.time = time(NULL);
	rb.until = kind == RBAN_BOUNCE ? rb.time + BOUNCE_SECS : 0;
	if (reason != NULL)
		(void)strlcpy(rb.reason, reason, sizeof(rb.reason));
	if (room_member(s->tab, tr->idx, tr->rgen, uid, &v) == 0 &&
	    is_admin(&v)) {
		sys_line(s, tr->id, "Room administrators cannot be removed.");
		return;
	}
	if (db_rban_add(s->db, &rb) != DBR_OK) {
		sys_line(s, tr->id, "That could not be stored; try again.");
		return;
	}
	log_action(s, tr, kind == RBAN_BAN ? "ban" : "bounce", uid, reason);
	if (target(s, tr, uid, &v) == 0)
		remove_member(s, tr, &v, kind == RBAN_BAN ? TXT_BANNED :
		    TXT_BOUNCED);
}

/* handle_ban - BOUNCE / BAN room(4) uid(4) (0xffffffff: all but admins) */
static int
handle_ban(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me, *m;
	uint32_t	 uid;
	int		 i, n, kind;

	if (admin_room(s, f, 8, &tr, &me) == -1)
		return 0;
	kind = f->type == PT_C_ROOM_BAN ? RBAN_BAN : RBAN_BOUNCE;
	if ((uid = wire_get32(f->payload + 4)) != ALL_UIDS)
		ban_one(s, &tr, kind, uid, NULL);
	else if ((m = reallocarray(NULL, PALD_ROOM_MEMBERS_MAX,
	    sizeof(*m))) != NULL) {
		n = room_members(s->tab, tr.idx, tr.rgen, m,
		    PALD_ROOM_MEMBERS_MAX);
		for (i = 0; i < n; i++)
			if (!is_admin(&m[i]))
				ban_one(s, &tr, kind, m[i].uid, NULL);
		free(m);
	}
	send_admin_info(s, &tr);
	return 0;
}

/* handle_ban_nick - ROOM_BAN_NICK room(4) nickname */
static int
handle_ban_nick(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	struct user	 u;
	char		 nick[PALD_NICK_MAX + 1];

	if (admin_room(s, f, 5, &tr, &me) == -1)
		return 0;
	text_arg(f, 4, nick, sizeof(nick));
	if (db_user_by_nick(s->db, nick, &u) != DBR_OK) {
		sys_line(s, tr.id, "There is no user of that name.");
		return 0;
	}
	ban_one(s, &tr, RBAN_BAN, u.uid, NULL);
	send_admin_info(s, &tr);
	return 0;
}

/* handle_reason - BOUNCE_REASON room(4) uid(4) "BR: why" */
static int
handle_reason(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	struct rban	 rb;
	char		 why[PALD_REASON_MAX + 1], *p = why;
	uint32_t	 uid;

	if (admin_room(s, f, 8, &tr, &me) == -1)
		return 0;
	uid = wire_get32(f->payload + 4);
	text_arg(f, 8, why, sizeof(why));
	if (strncmp(p, "BR:", 3) == 0)
		for (p += 3; *p == ' '; p++)
			;
	if (db_rban_check(s->db, tr.id, uid, time(NULL), &rb) == DBR_OK &&
	    rb.kind == RBAN_BOUNCE) {
		(void)strlcpy(rb.reason, p, sizeof(rb.reason));
		(void)db_rban_add(s->db, &rb);
	}
	log_action(s, &tr, "reason", uid, p);
	return 0;
}

/*
 * handle_unban - UNBOUNCE / UNBAN room(4) uid(4); uid 0xffffffff is the
 * console's "Clear All Bounces" / "Clear All Bans": every one of the
 * room's, one action in the log.  The console is sent its lists again.
 * Any other length is malformed (one log line, nothing written).
 */
static int
handle_unban(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	uint32_t	 uid;
	int		 ban, r;

	/* exactly the console's 8 bytes: more would be an action logged */
	if (f->len != 8)
		return guard_malformed(s, f, "not room(4) uid(4)");
	if (admin_room(s, f, 8, &tr, &me) == -1)
		return 0;
	uid = wire_get32(f->payload + 4);
	ban = f->type == PT_C_ROOM_UNBAN;
	if (uid == ALL_UIDS) {
		if ((r = db_rban_clear(s->db, tr.id, ban ? RBAN_BAN :
		    RBAN_BOUNCE)) == DBR_OK)
			log_action(s, &tr, ban ? "clearbans" : "clearbounces",
			    0, NULL);
	} else if ((r = db_rban_del(s->db, tr.id, ban ? RBAN_BAN :
	    RBAN_BOUNCE, uid)) == DBR_OK)
		log_action(s, &tr, ban ? "unban" : "unbounce", uid, NULL);
	else if (r == DBR_NOTFOUND)
		r = DBR_OK;	/* not on the list: nothing done, nothing logged */
	if (r != DBR_OK)
		sys_line(s, tr.id, "That could not be stored; try again.");
	send_admin_info(s, &tr);
	return 0;
}

/* handle_close - ROOM_CLOSE: everyone out; a permanent room is hidden */
static int
handle_close(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me, *m;
	int		 i, n;

	if (admin_room(s, f, 4, &tr, &me) == -1)
		return 0;
	log_action(s, &tr, "close", 0, NULL);
	if (!(tr.flags & TRF_TEMP)) {
		tr.flags |= ROOM_F_CLOSED;
		(void)room_update(s->tab, tr.idx, tr.rgen, &tr, RU_FLAGS);
		save(s, &tr);
	}
	if ((m = reallocarray(NULL, PALD_ROOM_MEMBERS_MAX, sizeof(*m))) ==
	    NULL)
		return 0;
	n = room_members(s->tab, tr.idx, tr.rgen, m, PALD_ROOM_MEMBERS_MAX);
	for (i = 0; i < n; i++)
		remove_member(s, &tr, &m[i], TXT_CLOSED);
	free(m);
	return 0;
}

/* handle_reddot - RED DOT on / off room(4) uid(4) (0xffffffff: all) */
static int
handle_reddot(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	unsigned char	 b[8];
	uint32_t	 uid;
	int		 on = f->type == PT_C_ROOM_REDDOT;

	if (admin_room(s, f, 8, &tr, &me) == -1)
		return 0;
	uid = wire_get32(f->payload + 4);
	if (room_mflags(s->tab, tr.idx, tr.rgen, uid, on ? TMF_REDDOT : 0,
	    on ? 0 : TMF_REDDOT) <= 0)
		return 0;
	if (on) {	/* the voice child sees it and drops the mic */
		(void)room_drop_speaker(s->tab, tr.idx, tr.rgen, uid);
		video_reddot(s, &tr, uid);
	}
	log_action(s, &tr, on ? "reddot" : "unreddot", uid, NULL);
	pack2(b, tr.id, uid);
	(void)to_room(s, &tr, -1, on ? PT_ROOM_REDDOT_ON : PT_ROOM_REDDOT_OFF,
	    b, sizeof(b));
	return 0;
}

/* handle_switch - NEW_USER_MIC, RED-DOT TEXT / VIDEO, SET_ALL_MICS */
static int
handle_switch(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	unsigned char	 b[10];
	const char	*what;
	int		 on;

	if (admin_room(s, f, 6, &tr, &me) == -1)
		return 0;
	on = wire_get16(f->payload + 4) != 0;
	switch (f->type) {
	case PT_C_ROOM_NEW_USER_MIC:
		tr.mike = on;
		what = "newusermic";
		break;
	case PT_C_ROOM_RD_TEXT:
		tr.text = on;
		what = "reddottext";
		break;
	case PT_C_ROOM_RD_VIDEO:
		tr.video = on;
		what = "reddotvideo";
		break;
	default:
		tr.allmics = on;
		what = "allmics";
		break;
	}
	if (room_update(s->tab, tr.idx, tr.rgen, &tr, RU_OPTS) == -1)
		return 0;
	save(s, &tr);
	log_action(s, &tr, what, 0, on ? "on" : "off");
	if (f->type == PT_C_ROOM_RD_VIDEO && on)
		video_reddot(s, &tr, ALL_UIDS);
	if (f->type == PT_C_ROOM_ALLMICS) {
		wire_put32(b, tr.id);
		wire_put16(b + 4, (uint16_t)on);
		wire_put32(b + 6, s->u.uid);
		(void)to_room(s, &tr, -1, PT_ROOM_SET_MIC, b, sizeof(b));
	}
	return 0;
}

/* handle_hand - HAND_UP / HAND_DOWN room(4), or LOWER_ALL_HANDS */
static int
handle_hand(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	unsigned char	 b[8];
	uint32_t	 uid = s->u.uid;
	int		 up = f->type == PT_C_ROOM_HAND_UP;

	if (f->type == PT_C_ROOM_LOWER_HANDS) {
		if (admin_room(s, f, 4, &tr, &me) == -1)
			return 0;
		uid = ALL_UIDS;
		(void)room_mflags(s->tab, tr.idx, tr.rgen, ALL_UIDS, 0,
		    TMF_HAND);
		(void)room_mflags(s->tab, tr.idx, tr.rgen, s->u.uid, 0,
		    TMF_HAND);
		log_action(s, &tr, "lowerhands", 0, NULL);
	} else {
		if (f->len < 4 ||
		    myroom(s, wire_get32(f->payload), &tr, &me) == -1)
			return 0;
		if (room_mflags(s->tab, tr.idx, tr.rgen, uid,
		    up ? TMF_HAND : 0, up ? 0 : TMF_HAND) <= 0)
			return 0;
	}
	pack2(b, tr.id, uid);
	(void)to_room(s, &tr, -1, up ? PT_ROOM_HAND_UP : PT_ROOM_HAND_DOWN, b,
	    sizeof(b));
	return 0;
}

/* video_refuse - a refused room video request: a line in the room */
static int
video_refuse(struct session *s, const struct troom *tr, const char *text,
    int stop)
{
	sys_line(s, tr->id, text);
	if (stop)	/* the client may have started: it stops */
		out_frame(s, PT_VIDEO_UNPUBLISH, NULL, 0);
	return 0;
}

/*
 * video_start - publish in tr: refused while red-dotted if the room
 * says so, over video_max, or with no video server; a camera on in
 * another room goes off.  0x17d4 gives the client the video server.
 */
static int
video_start(struct session *s, const struct troom *tr,
    const struct tmember *me)
{
	unsigned char	 b[10];
	struct troom	 other;
	struct tmember	 om;
	struct tp2p	 e;
	uint32_t	 ip;

	if (s->conf->voice_port == 0 || s->conf->video_port == 0 ||
	    s->conf->video_max == 0)
		return video_refuse(s, tr, TXT_VIDEOOFF, 1);
	if (tr->video && (me->flags & TMF_REDDOT) && !is_admin(me))
		return video_refuse(s, tr, TXT_NOVIDEO, 1);
	if (!(me->flags & TMF_VIDEO) && cameras(s, tr) >= s->conf->video_max)
		return video_refuse(s, tr, TXT_CAMSFULL, 1);
	if (table_p2p_get(s->tab, s->me.slot, s->me.gen, TP_RPUB, &e) == 0 &&
	    e.room != tr->id && myroom(s, e.room, &other, &om) == 0)
		/* one camera at a time; its client moves it, no 0x17de */
		video_cut(s, &other, &om, 0);
	memset(&e, 0, sizeof(e));
	e.kind = TP_RPUB;
	e.state = TPS_ON;
	e.room = tr->id;
	e.since = time(NULL);
	if (table_p2p_put(s->tab, &e, 0) == -1)
		return video_refuse(s, tr, TXT_NOSPACE, 1);
	if (!(me->flags & TMF_VIDEO)) {
		/* 0: we left meanwhile (a repeated start changes nothing) */
		if (room_mflags(s->tab, tr->idx, tr->rgen, s->u.uid, TMF_VIDEO,
		    0) <= 0) {
			table_p2p_drop(s->tab, TP_RPUB);
			return 0;
		}
		log_info("[%s]: %s publishes video in room %u", s->addr,
		    s->u.nick, tr->id);
		(void)to_room(s, tr, -1, PT_ROOM_VIDEO, b, cam_frame(b, tr->id,
		    s->u.uid, 1));
	}
	ip = out_voiceip(s);
	wire_put32(b, tr->id);
	memcpy(b + 4, &ip, 4);
	wire_put16(b + 8, (uint16_t)s->conf->video_port);
	out_frame(s, PT_VIDEO_PUBLISH, b, 10);
	return 0;
}

/* handle_video - -6010 / -6012 room(4): start / stop publishing */
static int
handle_video(struct session *s, const struct wire_frame *f)
{
	struct troom	 tr;
	struct tmember	 me;
	const char	*why;

	if (f->len != 4)
		return guard_malformed(s, f, "not room(4)");
	if (myroom(s, wire_get32(f->payload), &tr, &me) == -1)
		return guard_malformed(s, f, "not in that room");
	if ((why = guard_line(s)) != NULL) {
		sys_line(s, tr.id, why);
		return guard_strike(s);
	}
	if (f->type == PT_C_VIDEO_START)
		return video_start(s, &tr, &me);
	table_p2p_drop_in(s->tab, TP_RPUB, tr.id, 0);
	if (room_mflags(s->tab, tr.idx, tr.rgen, s->u.uid, 0, TMF_VIDEO) > 0 &&
	    (me.flags & TMF_VIDEO)) {
		log_info("[%s]: %s stops video in room %u", s->addr, s->u.nick,
		    tr.id);
		cam_off(s, &tr, s->u.uid);
	}
	return 0;
}

/*
 * handle_view - -6020 / -6030 uid(4) room(4): start / stop viewing the
 * camera of uid in room.  A start is let through while uid publishes
 * there (a TP_RVIEW entry for the video server, 0x17e8 to the client);
 * else a line in the room says the camera is not on.
 */
static int
handle_view(struct session *s, const struct wire_frame *f)
{
	unsigned char	 b[18];
	struct troom	 tr;
	struct tmember	 me, pm;
	struct tp2p	 e, pe;
	const char	*why;
	uint32_t	 uid, ip;

	if (f->len != 8)
		return guard_malformed(s, f, "not uid(4) room(4)");
	uid = wire_get32(f->payload);
	if (myroom(s, wire_get32(f->payload + 4), &tr, &me) == -1)
		return guard_malformed(s, f, "not in that room");
	if (f->type == PT_C_VIDEO_UNVIEW) {
		table_p2p_drop_in(s->tab, TP_RVIEW, tr.id, uid);
		return 0;
	}
	if ((why = guard_line(s)) != NULL) {
		sys_line(s, tr.id, why);
		return guard_strike(s);
	}
	if (room_member(s->tab, tr.idx, tr.rgen, uid, &pm) == -1 ||
	    !(pm.flags & TMF_VIDEO) ||
	    table_p2p_get(s->tab, pm.slot, pm.gen, TP_RPUB, &pe) == -1 ||
	    pe.room != tr.id)
		return video_refuse(s, &tr, TXT_NOCAM, 0);
	memset(&e, 0, sizeof(e));
	e.kind = TP_RVIEW;
	e.state = TPS_ON;
	e.peer = uid;
	e.pslot = pm.slot;
	e.pgen = pm.gen;
	e.room = tr.id;
	e.since = time(NULL);
	if (table_p2p_put(s->tab, &e, 0) == -1)
		return video_refuse(s, &tr, TXT_VIEWS, 0);
	log_info("[%s]: %s views the camera of %u in room %u", s->addr,
	    s->u.nick, uid, tr.id);
	ip = out_voiceip(s);
	pack2(b, uid, tr.id);
	wire_put32(b + 8, VIEW_FLAGS);
	memcpy(b + 12, &ip, 4);
	wire_put16(b + 16, (uint16_t)s->conf->video_port);
	out_frame(s, PT_VIDEO_VIEW, b, sizeof(b));
	return 0;
}

/*
 * join_limited - join_rate, before any work for a join or creation:
 * -1 or 0 when refused (as guard_strike), 1 to go on
 */
static int
join_limited(struct session *s, const struct wire_frame *f)
{
	const char	*why;

	if ((why = guard_join(s)) == NULL)
		return 1;
	out_rc(s, f->type, 0x63, why);
	return guard_strike(s);
}

/* room_frame - a room packet: 0 or -1 as session_frame; 1: not ours */
int
room_frame(struct session *s, const struct wire_frame *f)
{
	int	 r;

	switch (f->type) {
	case PT_C_ROOM_JOIN:
	case PT_C_ROOM_JOIN_NAME:
	case PT_C_ROOM_JOIN_ADMIN:
	case PT_C_ROOM_CREATE:
		if ((r = join_limited(s, f)) != 1)
			return r;
		break;
	}
	switch (f->type) {
	case PT_C_LIST_CATEGORY:
		return handle_list(s, f);
	case PT_C_ROOM_JOIN:
		return handle_join(s, f);
	case PT_C_ROOM_JOIN_NAME:
		return handle_join_name(s, f);
	case PT_C_ROOM_JOIN_ADMIN:
		return handle_join_admin(s, f);
	case PT_C_ROOM_CREATE:
		return handle_create(s, f);
	case PT_C_ROOM_LEAVE:
		return handle_leave(s, f);
	case PT_C_ROOM_MESSAGE:
		return handle_message(s, f);
	case PT_C_ROOM_TOPIC:
		return handle_topic(s, f);
	case PT_C_ROOM_INVITE:
		return handle_invite(s, f);
	case PT_C_ROOM_REPORT:
		return handle_report(s, f);
	case PT_C_ROOM_ADMIN_INFO:
		return handle_admin_info(s, f);
	case PT_C_ROOM_BOUNCE:
	case PT_C_ROOM_BAN:
		return handle_ban(s, f);
	case PT_C_ROOM_BAN_NICK:
		return handle_ban_nick(s, f);
	case PT_C_ROOM_BOUNCE_REASON:
		return handle_reason(s, f);
	case PT_C_ROOM_UNBOUNCE:
	case PT_C_ROOM_UNBAN:
		return handle_unban(s, f);
	case PT_C_ROOM_CLOSE:
		return handle_close(s, f);
	case PT_C_ROOM_REDDOT:
	case PT_C_ROOM_UNREDDOT:
		return handle_reddot(s, f);
	case PT_C_ROOM_NEW_USER_MIC:
	case PT_C_ROOM_RD_TEXT:
	case PT_C_ROOM_RD_VIDEO:
	case PT_C_ROOM_ALLMICS:
		return handle_switch(s, f);
	case PT_C_ROOM_HAND_UP:
	case PT_C_ROOM_HAND_DOWN:
	case PT_C_ROOM_LOWER_HANDS:
		return handle_hand(s, f);
	case PT_C_VIDEO_START:
	case PT_C_VIDEO_STOP:
		return handle_video(s, f);
	case PT_C_VIDEO_VIEW:
	case PT_C_VIDEO_UNVIEW:
		return handle_view(s, f);
	case PT_C_ROOM_TICK:
		return 0;	/* the room window's timer: nothing to do */
	default:
		return 1;
	}
}

/*
 * The system user's room commands (admin.c's table).
 */

struct rooms_reply {
	struct reply	 rp;
	int		 n;
};

static void
rooms_line(void *arg, const struct troom *tr)
{
	struct rooms_reply *r = arg;

	admin_line(&r->rp, "%u %s: %d member%s%s%s%s", tr->id, tr->name,
	    tr->nmembers, tr->nmembers == 1 ? "" : "s",
	    (tr->flags & ROOM_F_VOICE) ? ", voice" : "",
	    (tr->flags & TRF_TEMP) ? ", temporary" : "",
	    tr->lockword[0] ? ", locked" : "");
	r->n++;
}

/* /rooms - the rooms that have members now */
int
admin_cmd_rooms(struct session *s, int argc, char **argv)
{
	struct rooms_reply r;

	memset(&r, 0, sizeof(r));
	r.rp.s = s;
	(void)room_list(s->tab, rooms_line, &r);
	if (r.n == 0)
		admin_line(&r.rp, "No room has anybody in it.");
	admin_flush(&r.rp);
	return 0;
}

/* /log room - a room's admin actions: its owner, or admins of level 1 */
int
admin_cmd_log(struct session *s, int argc, char **argv)
{
	struct reply	 rp;
	struct raction	*a;
	struct room	 r;
	struct troom	 tr;
	struct user	 u;
	struct tm	 tm;
	const char	*errstr;
	char		 when[32], by[PALD_NICK_MAX + 16];
	uint32_t	 id;
	time_t		 t;
	int		 i, n;

	id = (uint32_t)strtonum(argv[1], 1, UINT32_MAX, &errstr);
	if (errstr != NULL && db_room_by_name(s->db, argv[1], &r) == DBR_OK)
		id = r.id;
	if (id == 0 || load(s, id, &tr) == -1) {
		admin_reply(s, "No room %s.", argv[1]);
		return 0;
	}
	if (s->u.admin < 1 && (tr.owner == 0 || tr.owner != s->u.uid)) {
		admin_reply(s, "Only the room's owner and administrators may "
		    "read its log.");
		return 0;
	}
	if ((a = reallocarray(NULL, PALD_ROOMLOG_MAX, sizeof(*a))) == NULL)
		return 0;
	memset(&rp, 0, sizeof(rp));
	rp.s = s;
	n = db_rlog_list(s->db, id, a, PALD_ROOMLOG_MAX);
	if (n <= 0)
		admin_line(&rp, "Room %u: no admin actions logged.", id);
	for (i = 0; i < n; i++) {
		t = (time_t)a[i].time;
		(void)gmtime_r(&t, &tm);
		(void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		if (db_user_get(s->db, a[i].by, &u) == DBR_OK)
			(void)strlcpy(by, u.nick, sizeof(by));
		else
			(void)snprintf(by, sizeof(by), "uid %u", a[i].by);
		admin_line(&rp, "%s %s %s%s%.0u%s%s", when, by, a[i].what,
		    a[i].whom ? " uid " : "", a[i].whom,
		    a[i].reason[0] ? ": " : "", a[i].reason);
	}
	admin_flush(&rp);
	free(a);
	return 0;
}
