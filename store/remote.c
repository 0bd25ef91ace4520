/*
 * store/remote.c - the store's calls as requests (see remote.h and
 * db.h, DBO_REMOTE).
 *
 * Owns the table of the calls a session makes (RQ_*): for each, the
 * size of its argument, the size and the number of the elements of its
 * result, and whether it may run twice; the caller's side of each call
 * (rm_*, which every db_* of the record families hands its arguments to
 * when its store is remote); and db_serve, a store process's side of one
 * connection: the request read and checked, the call run directly, the
 * result written back.
 *
 * A store process must survive any bytes a session's process sends it
 * (that process is driven by a client): a request whose magic, call or
 * length is wrong, or that is cut short, is refused with a log line (at
 * most one a minute) and the connection closed; a call whose argument
 * has a string that does not end inside its array is answered DBR_LIMIT
 * without being run, and a list is cut to the call's bound.  What the call itself checks (a nickname, a
 * room, a limit) it checks in the store process as it would in any.
 *
 * A new db_* call is a few lines here: an RQ_ name, its row in ops[],
 * its case in run, and its rm_* function (and the two lines in its
 * db_* that hand it over).
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbint.h"
#include "remote.h"
#include "slog.h"

#define RQ_STR_MAX	128	/* a string argument, with its NUL */
#define RQ_U32_MAX	65536	/* uids in one list */
#define RQ_BANS_MAX	1024	/* bans or room bans in one list */
#define RQ_USERS_MAX	256	/* accounts found by one search */

enum {
	RQ_USER_GET, RQ_USER_BY_NICK, RQ_USER_CREATE, RQ_USER_PUT,
	RQ_USER_RESERVE, RQ_USER_DELETE, RQ_USER_SEARCH,
	RQ_BUDDY_ADD, RQ_BUDDY_DEL, RQ_BUDDY_LIST, RQ_BUDDY_OF, RQ_BUDDY_HAS,
	RQ_BLOCK_ADD, RQ_BLOCK_DEL, RQ_BLOCK_LIST, RQ_BLOCKS,
	RQ_OFFLINE_PUT, RQ_OFFLINE_LIST, RQ_OFFLINE_DEL, RQ_CATEGORY_LIST,
	RQ_ROOM_GET, RQ_ROOM_BY_NAME, RQ_ROOM_PUT, RQ_ROOM_DELETE,
	RQ_ROOM_LIST, RQ_RBAN_ADD, RQ_RBAN_DEL, RQ_RBAN_CHECK, RQ_RBAN_LIST,
	RQ_RLOG_ADD, RQ_RLOG_LIST, RQ_BAN_ADD, RQ_BAN_DEL, RQ_BAN_LIST,
	RQ_BAN_CHECK, RQ_USER_PAID, RQ_USER_HINT, RQ_USER_ADMINS,
	RQ_BUDDY_DISPLAY, RQ_BUDDY_NAMES, RQ_RBAN_CLEAR, RQ_INVITE_ADD,
	RQ_COUNT
};

/* Arguments: numbers; numbers and strings; an offline IM; a log entry. */
struct rq_num {
	uint32_t	 a, b;
	int32_t		 k;
	int64_t		 t;
};

#define RQS_S	0x01	/* s is given (else NULL) */
#define RQS_S2	0x02	/* s2 is given */
struct rq_str {
	struct rq_num	 n;
	int32_t		 set;		/* RQS_* */
	char		 s[RQ_STR_MAX];
	char		 s2[RQ_STR_MAX];
};

struct rq_offline {
	uint32_t	 to, from;
	int64_t		 time;
	uint32_t	 len;
	char		 text[PALD_IM_MAX];
};

struct rq_rlog {
	uint32_t	 room;
	struct raction	 act;
};

/* Every argument, and every single result: aligned for any of them. */
union rq_arg {
	struct rq_num	 num;
	struct rq_str	 str;
	struct rq_offline off;
	struct rq_rlog	 rlog;
	struct user	 user;
	struct room	 room;
	struct rban	 rban;
	struct ban	 ban;
};
_Static_assert(sizeof(union rq_arg) <= RQ_ARG_MAX, "arguments fit");
_Static_assert((size_t)PALD_ROOMS_MAX * sizeof(struct room) <= RQ_REPLY_MAX,
    "a room list fits");

#define RQ_RETRY	0x01	/* may run twice: sent again if need be */
#define RQ_LIST		0x02	/* returns a count of elements, or < 0 */
#define RQ_PRED		0x04	/* returns 1, 0, or < 0 */

struct rqop {
	size_t		 in;		/* the argument: exactly this size */
	size_t		 out;		/* an element of the result */
	int		 max;		/* elements: 0, 1, or a list's bound */
	int		 flags;		/* RQ_* */
	int		(*ok)(const void *); /* its strings end in their arrays */
};

static int	 ok_str(const void *);
static int	 ok_user(const void *);
static int	 ok_room(const void *);
static int	 ok_rban(const void *);
static int	 ok_rlog(const void *);
static int	 ok_ban(const void *);

#define NUM	sizeof(struct rq_num)
#define STR	sizeof(struct rq_str)
#define R	RQ_RETRY
#define L	(RQ_LIST | RQ_RETRY)
#define P	(RQ_PRED | RQ_RETRY)

static const struct rqop ops[RQ_COUNT] = {
	[RQ_USER_GET] = { NUM, sizeof(struct user), 1, R, NULL },
	[RQ_USER_BY_NICK] = { STR, sizeof(struct user), 1, R, ok_str },
	[RQ_USER_CREATE] = { sizeof(struct user), sizeof(struct user), 1, 0,
	    ok_user },
	[RQ_USER_PUT] = { sizeof(struct user), 0, 0, R, ok_user },
	[RQ_USER_RESERVE] = { sizeof(struct user), 0, 0, R, ok_user },
	[RQ_USER_DELETE] = { NUM, 0, 0, 0, NULL },
	[RQ_USER_SEARCH] = { STR, sizeof(struct user), RQ_USERS_MAX, L,
	    ok_str },
	[RQ_BUDDY_ADD] = { NUM, 0, 0, R, NULL },
	[RQ_BUDDY_DEL] = { NUM, 0, 0, R, NULL },
	[RQ_BUDDY_LIST] = { NUM, sizeof(uint32_t), RQ_U32_MAX, L, NULL },
	[RQ_BUDDY_OF] = { NUM, sizeof(uint32_t), RQ_U32_MAX, L, NULL },
	[RQ_BUDDY_HAS] = { NUM, 0, 0, P, NULL },
	[RQ_BLOCK_ADD] = { NUM, 0, 0, R, NULL },
	[RQ_BLOCK_DEL] = { NUM, 0, 0, R, NULL },
	[RQ_BLOCK_LIST] = { NUM, sizeof(uint32_t), RQ_U32_MAX, L, NULL },
	[RQ_BLOCKS] = { NUM, 0, 0, P, NULL },
	[RQ_OFFLINE_PUT] = { sizeof(struct rq_offline), 0, 0, 0, NULL },
	[RQ_OFFLINE_LIST] = { NUM, sizeof(struct offline), PALD_OFFLINE_MAX,
	    L, NULL },
	[RQ_OFFLINE_DEL] = { NUM, 0, 0, 0, NULL },
	[RQ_CATEGORY_LIST] = { NUM, sizeof(struct category),
	    PALD_CATEGORIES_MAX, L, NULL },
	[RQ_ROOM_GET] = { NUM, sizeof(struct room), 1, R, NULL },
	[RQ_ROOM_BY_NAME] = { STR, sizeof(struct room), 1, R, ok_str },
	[RQ_ROOM_PUT] = { sizeof(struct room), 0, 0, R, ok_room },
	[RQ_ROOM_DELETE] = { NUM, 0, 0, 0, NULL },
	[RQ_ROOM_LIST] = { NUM, sizeof(struct room), PALD_ROOMS_MAX, L,
	    NULL },
	[RQ_RBAN_ADD] = { sizeof(struct rban), 0, 0, R, ok_rban },
	[RQ_RBAN_DEL] = { NUM, 0, 0, 0, NULL },
	[RQ_RBAN_CHECK] = { NUM, sizeof(struct rban), 1, R, NULL },
	[RQ_RBAN_LIST] = { NUM, sizeof(struct rban), RQ_BANS_MAX, L, NULL },
	[RQ_RLOG_ADD] = { sizeof(struct rq_rlog), 0, 0, 0, ok_rlog },
	[RQ_RLOG_LIST] = { NUM, sizeof(struct raction), PALD_ROOMLOG_MAX, L,
	    NULL },
	[RQ_BAN_ADD] = { sizeof(struct ban), 0, 0, R, ok_ban },
	[RQ_BAN_DEL] = { STR, 0, 0, 0, ok_str },
	[RQ_BAN_LIST] = { NUM, sizeof(struct ban), RQ_BANS_MAX, L, NULL },
	[RQ_BAN_CHECK] = { STR, sizeof(struct ban), 1, R, ok_str },
	[RQ_USER_PAID] = { NUM, 0, 0, R, NULL },
	[RQ_USER_HINT] = { STR, 0, 0, R, ok_str },
	[RQ_USER_ADMINS] = { NUM, sizeof(uint32_t), RQ_U32_MAX, L, NULL },
	[RQ_BUDDY_DISPLAY] = { STR, 0, 0, R, ok_str },
	[RQ_BUDDY_NAMES] = { NUM, sizeof(struct buddy), PALD_BUDDIES_MAX, L,
	    NULL },
	[RQ_RBAN_CLEAR] = { NUM, 0, 0, R, NULL },
	[RQ_INVITE_ADD] = { STR, 0, 0, 0, ok_str },
};

/* Whether every string of an argument ends inside its array. */
#define ENDED(a)	(memchr((a), '\0', sizeof(a)) != NULL)

static int
ok_str(const void *p)
{
	const struct rq_str *s = p;

	return ENDED(s->s) && ENDED(s->s2);
}

static int
ok_user(const void *p)
{
	const struct user *u = p;

	return ENDED(u->nick) && ENDED(u->hash) && ENDED(u->first) &&
	    ENDED(u->last) && ENDED(u->email) && ENDED(u->hinta) &&
	    ENDED(u->hint);
}

static int
ok_room(const void *p)
{
	const struct room *r = p;

	return ENDED(r->name) && ENDED(r->topic) && ENDED(r->lockword);
}

static int
ok_rban(const void *p)
{
	return ENDED(((const struct rban *)p)->reason);
}

static int
ok_rlog(const void *p)
{
	const struct rq_rlog *l = p;

	return ENDED(l->act.what) && ENDED(l->act.reason);
}

static int
ok_ban(const void *p)
{
	const struct ban *b = p;

	return ENDED(b->what) && ENDED(b->reason);
}

/* A store process's side. */

/* run - a checked request's call, run directly; out takes its result */
static int
run(struct db *db, uint32_t op, union rq_arg *in, void *out, int max)
{
	struct rq_num	*n = &in->num;
	struct rq_str	*s = &in->str;

	switch (op) {
	case RQ_USER_GET:
		return db_user_get(db, n->a, out);
	case RQ_USER_BY_NICK:
		return db_user_by_nick(db, s->s, out);
	case RQ_USER_CREATE:
		memcpy(out, &in->user, sizeof(in->user));
		return db_user_create(db, out);
	case RQ_USER_PUT:
		return db_user_put(db, &in->user);
	case RQ_USER_RESERVE:
		return db_user_reserve(db, &in->user);
	case RQ_USER_DELETE:
		return db_user_delete(db, n->a);
	case RQ_USER_SEARCH:
		return db_user_search(db, s->s, s->n.k, out, max);
	case RQ_BUDDY_ADD:
		return db_buddy_add(db, n->a, n->b);
	case RQ_BUDDY_DEL:
		return db_buddy_del(db, n->a, n->b);
	case RQ_BUDDY_LIST:
		return db_buddy_list(db, n->a, out, max);
	case RQ_BUDDY_OF:
		return db_buddy_of(db, n->a, out, max);
	case RQ_BUDDY_HAS:
		return db_buddy_has(db, n->a, n->b);
	case RQ_BLOCK_ADD:
		return db_block_add(db, n->a, n->b);
	case RQ_BLOCK_DEL:
		return db_block_del(db, n->a, n->b);
	case RQ_BLOCK_LIST:
		return db_block_list(db, n->a, out, max);
	case RQ_BLOCKS:
		return db_blocks(db, n->a, n->b);
	case RQ_OFFLINE_PUT:
		if (in->off.len > sizeof(in->off.text))
			return DBR_LIMIT;
		return db_offline_put(db, in->off.to, in->off.from,
		    in->off.time, in->off.text, in->off.len);
	case RQ_OFFLINE_LIST:
		return db_offline_list(db, n->a, out, max);
	case RQ_OFFLINE_DEL:
		return db_offline_del(db, n->a, (uint64_t)n->t);
	case RQ_CATEGORY_LIST:
		return db_category_list(db, out, max);
	case RQ_ROOM_GET:
		return db_room_get(db, n->a, out);
	case RQ_ROOM_BY_NAME:
		return db_room_by_name(db, s->s, out);
	case RQ_ROOM_PUT:
		return db_room_put(db, &in->room);
	case RQ_ROOM_DELETE:
		return db_room_delete(db, n->a);
	case RQ_ROOM_LIST:
		return db_room_list(db, n->a, out, max);
	case RQ_RBAN_ADD:
		return db_rban_add(db, &in->rban);
	case RQ_RBAN_DEL:
		return db_rban_del(db, n->a, n->k, n->b);
	case RQ_RBAN_CHECK:
		return db_rban_check(db, n->a, n->b, n->t, out);
	case RQ_RBAN_LIST:
		return db_rban_list(db, n->a, n->k, out, max);
	case RQ_RLOG_ADD:
		return db_rlog_add(db, in->rlog.room, &in->rlog.act);
	case RQ_RLOG_LIST:
		return db_rlog_list(db, n->a, out, max);
	case RQ_BAN_ADD:
		return db_ban_add(db, &in->ban);
	case RQ_BAN_DEL:
		return db_ban_del(db, s->n.k, s->s);
	case RQ_BAN_LIST:
		return db_ban_list(db, out, max);
	case RQ_BAN_CHECK:
		return db_ban_check(db, (s->set & RQS_S) ? s->s : NULL,
		    (s->set & RQS_S2) ? s->s2 : NULL, s->n.t, out);
	case RQ_USER_PAID:
		return db_user_paid(db, n->a, (char)n->k);
	case RQ_USER_HINT:
		return db_user_hint(db, s->n.a, s->n.k, s->s, s->s2);
	case RQ_USER_ADMINS:
		return db_user_admins(db, out, max);
	case RQ_BUDDY_DISPLAY:
		return db_buddy_display(db, s->n.a, s->n.b,
		    (s->set & RQS_S) ? s->s : NULL);
	case RQ_BUDDY_NAMES:
		return db_buddy_names(db, n->a, out, max);
	case RQ_RBAN_CLEAR:
		return db_rban_clear(db, n->a, n->k);
	case RQ_INVITE_ADD:
		return db_invite_add(db, s->n.a, s->s, s->n.k, s->n.t);
	}
	return DBR_FATAL;
}

/* bad - a request refused: one log line a minute at most */
static int
bad(const char *why)
{
	static time_t	 last;
	static unsigned	 more;
	time_t		 now = time(NULL);

	if (last != 0 && now - last < 60) {
		more++;
		return -1;
	}
	slog_warnx("db: store: bad request (%s), closing the connection; "
	    "%u more since the last such line", why, more);
	last = now;
	more = 0;
	return -1;
}

/* reply - the result of a call: its header and n elements of out */
static int
reply(int fd, int r, const struct rqop *o, unsigned char *buf, int n,
    const struct timespec *until)
{
	struct rp_hdr	 p;

	p.magic = RP_MAGIC;
	p.r = r;
	p.n = (uint32_t)n;
	p.size = (uint32_t)o->out;
	memcpy(buf, &p, sizeof(p));
	return rq_io(fd, buf, sizeof(p) + (size_t)n * o->out, 1, until);
}

int
db_serve(struct db *db, int fd)
{
	union rq_arg	 in;
	struct {
		struct rp_hdr	 p;
		union rq_arg	 one;
	}		 single;
	unsigned char	*buf = (unsigned char *)&single;
	struct rq_hdr	 q;
	struct timespec	 until;
	const struct rqop *o;
	int		 max, r, n, e;

	rq_deadline(&until, RQ_IO_WAIT * 1000);
	if (rq_io(fd, &q, sizeof(q), 0, &until) == -1)
		return 0;	/* gone before a word: nothing to do */
	if (q.magic != RQ_MAGIC)
		return bad("not a request");
	if (q.op >= RQ_COUNT)
		return bad("unknown call");
	o = &ops[q.op];
	if (q.len != o->in)
		return bad("wrong length");
	memset(&in, 0, sizeof(in));
	if (rq_io(fd, &in, q.len, 0, &until) == -1)
		return bad("cut short");
	max = o->max;
	if ((o->flags & RQ_LIST) && q.max < max)
		max = q.max < 0 ? 0 : q.max;
	if ((o->flags & RQ_LIST) && max > 0 && (buf = calloc(1,
	    sizeof(struct rp_hdr) + (size_t)max * o->out)) == NULL) {
		slog_warn("db: store: request %u", q.op);
		return -1;
	}
	if (!(o->flags & RQ_LIST))
		memset(&single, 0, sizeof(single));
	if (o->ok != NULL && !o->ok(&in))
		r = DBR_LIMIT;	/* what a call says of a string too long */
	else
		r = run(db, q.op, &in, buf + sizeof(struct rp_hdr), max);
	n = !(o->flags & RQ_LIST) ? max : r < 0 ? 0 : r > max ? max : r;
	r = reply(fd, r, o, buf, n, &until);
	e = errno;
	if (buf != (unsigned char *)&single) {
		explicit_bzero(buf, sizeof(struct rp_hdr) +
		    (size_t)max * o->out);
		free(buf);
	}
	explicit_bzero(&in, sizeof(in));
	explicit_bzero(&single, sizeof(single));
	return r == -1 && e != EPIPE ? bad("answer not taken") : 0;
}

/* A caller's side. */

/* call - op with the argument in; up to max elements of its result */
static int
call(struct db *db, int op, const void *in, void *out, int max)
{
	const struct rqop *o = &ops[op];

	if (!(o->flags & RQ_LIST))
		max = o->max;
	else if (max <= 0)
		return 0;
	else if (max > o->max)
		max = o->max;
	return rq_call(db, (uint32_t)op, in, o->in, out, o->out, max,
	    o->flags & RQ_RETRY,
	    o->flags & (RQ_LIST | RQ_PRED) ? DBR_FATAL : DBR_AGAIN);
}

static int	 strn(struct db *, int, uint32_t, uint32_t, const char *,
		    const char *, int, int64_t, void *, int, int);

/* num - a call whose arguments are numbers */
static int
num(struct db *db, int op, uint32_t a, uint32_t b, int k, int64_t t,
    void *out, int max)
{
	struct rq_num	 q;

	memset(&q, 0, sizeof(q));
	q.a = a;
	q.b = b;
	q.k = k;
	q.t = t;
	return call(db, op, &q, out, max);
}

/*
 * str - a call with up to two strings (NULL: not given) and a number;
 * -1 when a string does not fit, which no call takes
 */
static int
str(struct db *db, int op, const char *s, const char *s2, int k, int64_t t,
    void *out, int max, int toolong)
{
	return strn(db, op, 0, 0, s, s2, k, t, out, max, toolong);
}

/* strn - str, with two numbers more */
static int
strn(struct db *db, int op, uint32_t a, uint32_t b, const char *s,
    const char *s2, int k, int64_t t, void *out, int max, int toolong)
{
	struct rq_str	 q;

	memset(&q, 0, sizeof(q));
	q.n.a = a;
	q.n.b = b;
	q.n.k = k;
	q.n.t = t;
	if (s != NULL) {
		q.set |= RQS_S;
		if (strlcpy(q.s, s, sizeof(q.s)) >= sizeof(q.s))
			return toolong;
	}
	if (s2 != NULL) {
		q.set |= RQS_S2;
		if (strlcpy(q.s2, s2, sizeof(q.s2)) >= sizeof(q.s2))
			return toolong;
	}
	return call(db, op, &q, out, max);
}

int
rm_user_get(struct db *db, uint32_t uid, struct user *u)
{
	return num(db, RQ_USER_GET, uid, 0, 0, 0, u, 1);
}

int
rm_user_by_nick(struct db *db, const char *nick, struct user *u)
{
	return str(db, RQ_USER_BY_NICK, nick, NULL, 0, 0, u, 1,
	    DBR_NOTFOUND);
}

int
rm_user_create(struct db *db, struct user *u)
{
	return call(db, RQ_USER_CREATE, u, u, 1);
}

int
rm_user_put(struct db *db, const struct user *u)
{
	return call(db, RQ_USER_PUT, u, NULL, 0);
}

int
rm_user_reserve(struct db *db, const struct user *u)
{
	return call(db, RQ_USER_RESERVE, u, NULL, 0);
}

int
rm_user_delete(struct db *db, uint32_t uid)
{
	return num(db, RQ_USER_DELETE, uid, 0, 0, 0, NULL, 0);
}

int
rm_user_search(struct db *db, const char *q, int exact, struct user *out,
    int max)
{
	return str(db, RQ_USER_SEARCH, q, NULL, exact, 0, out, max, 0);
}

int
rm_buddy_add(struct db *db, uint32_t owner, uint32_t buddy)
{
	return num(db, RQ_BUDDY_ADD, owner, buddy, 0, 0, NULL, 0);
}

int
rm_buddy_del(struct db *db, uint32_t owner, uint32_t buddy)
{
	return num(db, RQ_BUDDY_DEL, owner, buddy, 0, 0, NULL, 0);
}

int
rm_buddy_list(struct db *db, uint32_t owner, uint32_t *out, int max)
{
	return num(db, RQ_BUDDY_LIST, owner, 0, 0, 0, out, max);
}

int
rm_buddy_of(struct db *db, uint32_t buddy, uint32_t *out, int max)
{
	return num(db, RQ_BUDDY_OF, buddy, 0, 0, 0, out, max);
}

int
rm_buddy_has(struct db *db, uint32_t owner, uint32_t buddy)
{
	return num(db, RQ_BUDDY_HAS, owner, buddy, 0, 0, NULL, 0);
}

int
rm_block_add(struct db *db, uint32_t owner, uint32_t target)
{
	return num(db, RQ_BLOCK_ADD, owner, target, 0, 0, NULL, 0);
}

int
rm_block_del(struct db *db, uint32_t owner, uint32_t target)
{
	return num(db, RQ_BLOCK_DEL, owner, target, 0, 0, NULL, 0);
}

int
rm_block_list(struct db *db, uint32_t owner, uint32_t *out, int max)
{
	return num(db, RQ_BLOCK_LIST, owner, 0, 0, 0, out, max);
}

int
rm_blocks(struct db *db, uint32_t owner, uint32_t target)
{
	return num(db, RQ_BLOCKS, owner, target, 0, 0, NULL, 0);
}

int
rm_offline_put(struct db *db, uint32_t to, uint32_t from, int64_t when,
    const char *text, size_t len)
{
	struct rq_offline q;
	int		 r;

	if (len > sizeof(q.text))
		return DBR_LIMIT;
	memset(&q, 0, sizeof(q));
	q.to = to;
	q.from = from;
	q.time = when;
	q.len = (uint32_t)len;
	memcpy(q.text, text, len);
	r = call(db, RQ_OFFLINE_PUT, &q, NULL, 0);
	explicit_bzero(&q, sizeof(q));
	return r;
}

int
rm_offline_list(struct db *db, uint32_t to, struct offline *out, int max)
{
	return num(db, RQ_OFFLINE_LIST, to, 0, 0, 0, out, max);
}

int
rm_offline_del(struct db *db, uint32_t to, uint64_t seq)
{
	if (seq > INT64_MAX)
		return DBR_NOTFOUND;
	return num(db, RQ_OFFLINE_DEL, to, 0, 0, (int64_t)seq, NULL, 0);
}

int
rm_category_list(struct db *db, struct category *out, int max)
{
	return num(db, RQ_CATEGORY_LIST, 0, 0, 0, 0, out, max);
}

int
rm_room_get(struct db *db, uint32_t id, struct room *out)
{
	return num(db, RQ_ROOM_GET, id, 0, 0, 0, out, 1);
}

int
rm_room_by_name(struct db *db, const char *name, struct room *out)
{
	return str(db, RQ_ROOM_BY_NAME, name, NULL, 0, 0, out, 1,
	    DBR_NOTFOUND);
}

int
rm_room_put(struct db *db, const struct room *room)
{
	return call(db, RQ_ROOM_PUT, room, NULL, 0);
}

int
rm_room_delete(struct db *db, uint32_t id)
{
	return num(db, RQ_ROOM_DELETE, id, 0, 0, 0, NULL, 0);
}

int
rm_room_list(struct db *db, uint32_t category, struct room *out, int max)
{
	return num(db, RQ_ROOM_LIST, category, 0, 0, 0, out, max);
}

int
rm_rban_add(struct db *db, const struct rban *b)
{
	return call(db, RQ_RBAN_ADD, b, NULL, 0);
}

int
rm_rban_del(struct db *db, uint32_t room, int kind, uint32_t uid)
{
	return num(db, RQ_RBAN_DEL, room, uid, kind, 0, NULL, 0);
}

int
rm_rban_check(struct db *db, uint32_t room, uint32_t uid, int64_t now,
    struct rban *out)
{
	return num(db, RQ_RBAN_CHECK, room, uid, 0, now, out, 1);
}

int
rm_rban_list(struct db *db, uint32_t room, int kind, struct rban *out,
    int max)
{
	return num(db, RQ_RBAN_LIST, room, 0, kind, 0, out, max);
}

int
rm_rlog_add(struct db *db, uint32_t room, const struct raction *act)
{
	struct rq_rlog	 q;

	memset(&q, 0, sizeof(q));
	q.room = room;
	q.act = *act;
	return call(db, RQ_RLOG_ADD, &q, NULL, 0);
}

int
rm_rlog_list(struct db *db, uint32_t room, struct raction *out, int max)
{
	return num(db, RQ_RLOG_LIST, room, 0, 0, 0, out, max);
}

int
rm_ban_add(struct db *db, const struct ban *b)
{
	return call(db, RQ_BAN_ADD, b, NULL, 0);
}

int
rm_ban_del(struct db *db, int kind, const char *what)
{
	return str(db, RQ_BAN_DEL, what, NULL, kind, 0, NULL, 0,
	    DBR_NOTFOUND);
}

int
rm_ban_list(struct db *db, struct ban *out, int max)
{
	return num(db, RQ_BAN_LIST, 0, 0, 0, 0, out, max);
}

int
rm_ban_check(struct db *db, const char *nick, const char *addr, int64_t now,
    struct ban *out)
{
	return str(db, RQ_BAN_CHECK, nick, addr, 0, now, out, 1,
	    DBR_NOTFOUND);
}

int
rm_user_paid(struct db *db, uint32_t uid, char paid)
{
	return num(db, RQ_USER_PAID, uid, 0, (unsigned char)paid, 0, NULL, 0);
}

int
rm_user_hint(struct db *db, uint32_t uid, int question, const char *hash,
    const char *hint)
{
	return strn(db, RQ_USER_HINT, uid, 0, hash, hint, question, 0, NULL, 0,
	    DBR_LIMIT);
}

int
rm_user_admins(struct db *db, uint32_t *out, int max)
{
	return num(db, RQ_USER_ADMINS, 0, 0, 0, 0, out, max);
}

int
rm_buddy_display(struct db *db, uint32_t owner, uint32_t buddy,
    const char *name)
{
	return strn(db, RQ_BUDDY_DISPLAY, owner, buddy, name, NULL, 0, 0, NULL,
	    0, DBR_LIMIT);
}

int
rm_buddy_names(struct db *db, uint32_t owner, struct buddy *out, int max)
{
	return num(db, RQ_BUDDY_NAMES, owner, 0, 0, 0, out, max);
}

int
rm_rban_clear(struct db *db, uint32_t room, int kind)
{
	return num(db, RQ_RBAN_CLEAR, room, 0, kind, 0, NULL, 0);
}

int
rm_invite_add(struct db *db, uint32_t from, const char *email, int origin,
    int64_t now)
{
	return strn(db, RQ_INVITE_ADD, from, 0, email, NULL, origin, now, NULL,
	    0, DBR_LIMIT);
}
