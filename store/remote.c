/*
 * store/remote.c - the store's calls as requests (see remote.h and
 * db.h, DBO_REMOTE): the caller's side.
 *
 * Owns the table of the calls a session makes (rq_ops, by RQ_* of
 * remote.h): for each, the size of its argument, the size and the
 * number of the elements of its result, whether it may run twice, and
 * the check that its strings end inside their arrays; and the caller's
 * side of each call (rm_*, which every db_* of the record families hands
 * its arguments to when its store is remote).  The store process's side
 * is serve.c's.  What a call itself checks (a nickname, a room, a
 * limit) it checks in the store process as it would in any.
 *
 * A new db_* call is a few lines: an RQ_ name in remote.h, its row in
 * rq_ops and its rm_* function here, its case in serve.c's run (and the
 * two lines in its db_* that hand it over).
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

const struct rqop rq_ops[RQ_COUNT] = {
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

/* A caller's side. */

/* call - op with the argument in; up to max elements of its result */
static int
call(struct db *db, int op, const void *in, void *out, int max)
{
	const struct rqop *o = &rq_ops[op];

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
