/*
 * store/db.c - record families of the store (see db.h and dbint.h):
 * room bans, the room action log and server bans (users and nicknames:
 * user.c; buddies and blocks: buddy.c; offline IMs: offline.c;
 * categories and rooms: rooms.c).
 *
 * Every operation is a function op_*(db, txn, arg) that txn_run calls
 * inside a transaction of its own (txn.c).  To keep deadlocks rare, a
 * writer visits the files in one order (meta, users, nicks, buddies,
 * blocks, offline, categories, rooms, roombans, roomlog, bans) and reads
 * what it is about to change with DB_RMW, so that no read lock is ever
 * upgraded.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <db.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbint.h"
#include "slog.h"

#define DB_BAN_VAL	(PALD_REASON_MAX * 3 + 128)

/* room_num - a numeric field of a room value within 0..max, or dflt */
static long long
room_num(const char *v, size_t n, const char *key, long long max,
    long long dflt)
{
	long long	 x;

	if (kv_getll(v, n, key, &x) != 0 || x < 0 || x > max)
		return dflt;
	return x;
}

/* Room bans and bounces. */

static const char *
rban_kind(int kind)
{
	return kind == RBAN_BAN ? "ban" : "bounce";
}

struct rban_arg {
	const struct rban *in;
	struct rban	*out;
	uint32_t	 room, uid;
	int		 kind, max, n;
	int64_t		 now;
};

/* ban_fields - the by/time/until/reason fields of a ban value */
static size_t
ban_enc(uint32_t by, int64_t when, int64_t until, const char *reason,
    char *v, size_t cap)
{
	struct kvbuf	 b;

	kv_init(&b, v, cap, 1);
	kv_addll(&b, "by", by);
	kv_addll(&b, "time", when);
	kv_addll(&b, "until", until);
	if (reason[0] != '\0')
		kv_add(&b, "reason", reason);
	if (kv_len(&b) < 0)
		slog_fatalx("%s: value too long", __func__);
	return b.len;
}

/* ban_dec - by/time/until/reason of a ban value */
static void
ban_dec(const DBT *val, uint32_t *by, int64_t *when, int64_t *until,
    char *reason, size_t cap)
{
	const char	*v = val->data;
	size_t		 n = val->size;

	*by = (uint32_t)room_num(v, n, "by", UINT32_MAX, 0);
	*when = room_num(v, n, "time", INT64_MAX, 0);
	*until = room_num(v, n, "until", INT64_MAX, 0);
	if (kv_get(v, n, "reason", reason, cap) < 0)
		reason[0] = '\0';
}

static int
op_rban_add(struct db *db, DB_TXN *t, void *arg)
{
	struct rban_arg	*a = arg;
	const struct rban *b = a->in;
	char		 key[DB_KEY_MAX], v[DB_BAN_VAL];
	size_t		 n;

	fixed_fmt(key, sizeof(key), "%010u:%s:%010u", b->room,
	    rban_kind(b->kind), b->uid);
	n = ban_enc(b->by, b->time, b->until, b->reason, v, sizeof(v));
	return row_put(db, t, F_RBANS, key, v, n, 0);
}

int
db_rban_add(struct db *db, const struct rban *b)
{
	struct rban_arg	 a;

	if ((b->kind != RBAN_BAN && b->kind != RBAN_BOUNCE) ||
	    strlen(b->reason) > PALD_REASON_MAX)
		return DBR_LIMIT;
	memset(&a, 0, sizeof(a));
	a.in = b;
	return txn_run(db, 0, FM_RBANS, op_rban_add, &a);
}

static int
op_rban_del(struct db *db, DB_TXN *t, void *arg)
{
	struct rban_arg	*a = arg;
	char		 key[DB_KEY_MAX];

	fixed_fmt(key, sizeof(key), "%010u:%s:%010u", a->room,
	    rban_kind(a->kind), a->uid);
	return row_del(db, t, F_RBANS, key);
}

int
db_rban_del(struct db *db, uint32_t room, int kind, uint32_t uid)
{
	struct rban_arg	 a;

	memset(&a, 0, sizeof(a));
	a.room = room;
	a.kind = kind;
	a.uid = uid;
	return txn_run(db, 0, FM_RBANS, op_rban_del, &a);
}

/* op_rban_check - an active ban or bounce; expired ones are removed */
static int
op_rban_check(struct db *db, DB_TXN *t, void *arg)
{
	struct rban_arg	*a = arg;
	struct rban	*o = a->out;
	char		 key[DB_KEY_MAX], v[DB_BAN_VAL];
	size_t		 n;
	DBT		 val;
	int		 kind, r;

	for (kind = RBAN_BAN; kind <= RBAN_BOUNCE; kind++) {
		fixed_fmt(key, sizeof(key), "%010u:%s:%010u", a->room,
		    rban_kind(kind), a->uid);
		r = row_get(db, t, F_RBANS, key, v, sizeof(v), &n, DB_RMW);
		if (r == DBR_NOTFOUND)
			continue;
		if (r != DBR_OK)
			return r;
		memset(o, 0, sizeof(*o));
		dbt_set(&val, v, n);
		ban_dec(&val, &o->by, &o->time, &o->until, o->reason,
		    sizeof(o->reason));
		if (o->until != 0 && o->until <= a->now) {
			if ((r = row_del(db, t, F_RBANS, key)) != DBR_OK)
				return r;
			continue;
		}
		o->room = a->room;
		o->kind = kind;
		o->uid = a->uid;
		a->n = 1;
		return DBR_OK;
	}
	return DBR_OK;
}

int
db_rban_check(struct db *db, uint32_t room, uint32_t uid, int64_t now,
    struct rban *out)
{
	struct rban_arg	 a;
	int		 r;

	memset(&a, 0, sizeof(a));
	a.room = room;
	a.uid = uid;
	a.now = now;
	a.out = out;
	if ((r = txn_run(db, 0, FM_RBANS, op_rban_check, &a)) != DBR_OK)
		return r;
	return a.n ? DBR_OK : DBR_NOTFOUND;
}

static int
op_rban_list(struct db *db, DB_TXN *t, void *arg)
{
	struct rban_arg	*a = arg;
	struct rban	*o;
	struct walk	 w;
	char		 pfx[DB_KEY_MAX];
	long long	 uid;
	int		 r;

	a->n = 0;
	fixed_fmt(pfx, sizeof(pfx), "%010u:%s:", a->room, rban_kind(a->kind));
	if ((r = walk_open(&w, db, t, F_RBANS, pfx, 0)) != DBR_OK)
		return r;
	while (a->n < a->max && (r = walk_next(&w)) == DBR_OK) {
		if ((uid = key_num(&w.k, w.plen)) < 1 || uid > UINT32_MAX)
			continue;
		o = &a->out[a->n];
		memset(o, 0, sizeof(*o));
		ban_dec(&w.v, &o->by, &o->time, &o->until, o->reason,
		    sizeof(o->reason));
		if (o->until != 0 && o->until <= a->now)
			continue;
		o->room = a->room;
		o->kind = a->kind;
		o->uid = (uint32_t)uid;
		a->n++;
	}
	return walk_close(&w, r);
}

int
db_rban_list(struct db *db, uint32_t room, int kind, struct rban *out,
    int max)
{
	struct rban_arg	 a;

	if (max <= 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.room = room;
	a.kind = kind;
	a.out = out;
	a.max = max;
	a.now = time(NULL);
	if (txn_run(db, 1, FM_RBANS, op_rban_list, &a) != DBR_OK)
		return DBR_FATAL;
	return a.n;
}

/* The room action log. */

struct rlog_arg {
	uint32_t	 room;
	const struct raction *in;
	struct raction	*out;
	int		 max, n;
};

/* op_rlog_add - append, then drop the oldest beyond PALD_ROOMLOG_MAX */
static int
op_rlog_add(struct db *db, DB_TXN *t, void *arg)
{
	struct rlog_arg	*a = arg;
	struct kvbuf	 b;
	struct walk	 w;
	char		 key[DB_KEY_MAX], v[DB_BAN_VAL];
	long long	 seq;
	int		 n, r;

	if ((r = seq_next(db, t, "seq:roomlog", 1, DB_NUM_MAX, &seq)) !=
	    DBR_OK)
		return r;
	kv_init(&b, v, sizeof(v), 1);
	kv_addll(&b, "time", a->in->time);
	kv_addll(&b, "by", a->in->by);
	kv_add(&b, "what", a->in->what);
	kv_addll(&b, "whom", a->in->whom);
	if (a->in->reason[0] != '\0')
		kv_add(&b, "reason", a->in->reason);
	if (kv_len(&b) < 0)
		slog_fatalx("%s: value too long", __func__);
	fixed_fmt(key, sizeof(key), "%010u:%010lld", a->room, seq);
	if ((r = row_put(db, t, F_RLOG, key, v, b.len, 0)) != DBR_OK)
		return r;
	fixed_fmt(key, sizeof(key), "%010u:", a->room);
	if ((r = walk_count(db, t, F_RLOG, key, PALD_ROOMLOG_MAX + 1, &n,
	    DB_RMW)) != DBR_OK || n <= PALD_ROOMLOG_MAX)
		return r;
	if ((r = walk_open(&w, db, t, F_RLOG, key, DB_RMW)) != DBR_OK)
		return r;
	if ((r = walk_next(&w)) == DBR_OK)
		r = walk_del(&w);
	return walk_close(&w, r);
}

int
db_rlog_add(struct db *db, uint32_t room, const struct raction *act)
{
	struct rlog_arg	 a;

	if (strlen(act->reason) > PALD_REASON_MAX)
		return DBR_LIMIT;
	memset(&a, 0, sizeof(a));
	a.room = room;
	a.in = act;
	return txn_run(db, 0, FM_META | FM_RLOG, op_rlog_add, &a);
}

/* op_rlog_list - the newest max entries, kept in a ring, oldest first */
static int
op_rlog_list(struct db *db, DB_TXN *t, void *arg)
{
	struct rlog_arg	*a = arg;
	struct raction	*o, tmp;
	struct walk	 w;
	char		 pfx[DB_KEY_MAX];
	const char	*v;
	long long	 seq;
	int		 r, total = 0, i, start;

	a->n = 0;
	fixed_fmt(pfx, sizeof(pfx), "%010u:", a->room);
	if ((r = walk_open(&w, db, t, F_RLOG, pfx, 0)) != DBR_OK)
		return r;
	while ((r = walk_next(&w)) == DBR_OK) {
		if ((seq = key_num(&w.k, w.plen)) < 0)
			continue;
		o = &a->out[total % a->max];
		memset(o, 0, sizeof(*o));
		v = w.v.data;
		o->seq = (uint64_t)seq;
		o->time = room_num(v, w.v.size, "time", INT64_MAX, 0);
		o->by = (uint32_t)room_num(v, w.v.size, "by", UINT32_MAX, 0);
		o->whom = (uint32_t)room_num(v, w.v.size, "whom", UINT32_MAX,
		    0);
		if (kv_get(v, w.v.size, "what", o->what, sizeof(o->what)) < 0)
			(void)strlcpy(o->what, "?", sizeof(o->what));
		if (kv_get(v, w.v.size, "reason", o->reason,
		    sizeof(o->reason)) < 0)
			o->reason[0] = '\0';
		total++;
	}
	if ((r = walk_close(&w, r)) != DBR_OK)
		return r;
	a->n = total < a->max ? total : a->max;
	/* rotate the ring so that the oldest kept entry comes first */
	start = total > a->max ? total % a->max : 0;
	for (i = 0; i < start; i++) {
		tmp = a->out[0];
		memmove(&a->out[0], &a->out[1], sizeof(tmp) *
		    (size_t)(a->max - 1));
		a->out[a->max - 1] = tmp;
	}
	return DBR_OK;
}

int
db_rlog_list(struct db *db, uint32_t room, struct raction *out, int max)
{
	struct rlog_arg	 a;

	if (max <= 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.room = room;
	a.out = out;
	a.max = max;
	if (txn_run(db, 1, FM_RLOG, op_rlog_list, &a) != DBR_OK)
		return DBR_FATAL;
	return a.n;
}

/* Server-wide bans. */

static const char *const ban_kinds[] = { NULL, "nick", "addr", "cidr" };

struct ban_arg {
	const struct ban *in;
	struct ban	*out;
	const char	*nick, *addr;
	int		 kind, max, n;
	int64_t		 now;
};

/* lower_copy - src lower-cased into dst[0..cap), cut to fit */
static void
lower_copy(char *dst, const char *src, size_t cap)
{
	size_t	 i;

	for (i = 0; i + 1 < cap && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* cidr_parse - "a.b.c.d/n" or "v6/n" into bytes, length and prefix */
static int
cidr_parse(const char *s, unsigned char *net, int *len, int *bits)
{
	const char	*errstr;
	char		 a[64], *slash;

	if (strlcpy(a, s, sizeof(a)) >= sizeof(a) ||
	    (slash = strchr(a, '/')) == NULL)
		return -1;
	*slash++ = '\0';
	if (inet_pton(AF_INET, a, net) == 1)
		*len = 4;
	else if (inet_pton(AF_INET6, a, net) == 1)
		*len = 16;
	else
		return -1;
	*bits = (int)strtonum(slash, 0, *len * 8, &errstr);
	return errstr == NULL ? 0 : -1;
}

/* cidr_has - is the address addr inside the block cidr? */
static int
cidr_has(const char *cidr, const char *addr)
{
	unsigned char	 net[16], ip[16];
	int		 len, bits, i, m;

	if (cidr_parse(cidr, net, &len, &bits) == -1)
		return 0;
	if (inet_pton(len == 4 ? AF_INET : AF_INET6, addr, ip) != 1)
		return 0;
	for (i = 0; i < len && bits > 0; i++, bits -= 8) {
		m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
		if ((ip[i] & m) != (net[i] & m))
			return 0;
	}
	return 1;
}

/* ban_valid - the text of a ban of kind, as stored (lower case) */
static int
ban_valid(int kind, const char *what)
{
	unsigned char	 b[16];
	int		 len, bits;

	switch (kind) {
	case BAN_NICK:
		return db_nick_valid(what);
	case BAN_ADDR:
		return inet_pton(AF_INET, what, b) == 1 ||
		    inet_pton(AF_INET6, what, b) == 1;
	case BAN_CIDR:
		return cidr_parse(what, b, &len, &bits) == 0;
	default:
		return 0;
	}
}

static int
op_ban_add(struct db *db, DB_TXN *t, void *arg)
{
	struct ban_arg	*a = arg;
	char		 key[DB_KEY_MAX + 64], v[DB_BAN_VAL], what[64];
	size_t		 n;

	lower_copy(what, a->in->what, sizeof(what));
	fixed_fmt(key, sizeof(key), "%s:%s", ban_kinds[a->in->kind], what);
	n = ban_enc(a->in->by, a->in->time, a->in->until, a->in->reason, v,
	    sizeof(v));
	return row_put(db, t, F_BANS, key, v, n, 0);
}

int
db_ban_add(struct db *db, const struct ban *b)
{
	struct ban_arg	 a;

	if (b->kind < BAN_NICK || b->kind > BAN_CIDR ||
	    strnlen(b->what, sizeof(b->what)) >= sizeof(b->what) ||
	    !ban_valid(b->kind, b->what) ||
	    strlen(b->reason) > PALD_REASON_MAX)
		return DBR_LIMIT;
	memset(&a, 0, sizeof(a));
	a.in = b;
	return txn_run(db, 0, FM_BANS, op_ban_add, &a);
}

static int
op_ban_del(struct db *db, DB_TXN *t, void *arg)
{
	struct ban_arg	*a = arg;
	char		 key[DB_KEY_MAX + 64], what[64];

	lower_copy(what, a->nick, sizeof(what));
	fixed_fmt(key, sizeof(key), "%s:%s", ban_kinds[a->kind], what);
	return row_del(db, t, F_BANS, key);
}

int
db_ban_del(struct db *db, int kind, const char *what)
{
	struct ban_arg	 a;

	if (kind < BAN_NICK || kind > BAN_CIDR || strlen(what) >= 64)
		return DBR_NOTFOUND;
	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.nick = what;
	return txn_run(db, 0, FM_BANS, op_ban_del, &a);
}

/* ban_walk_one - the ban record under the walk as *o; -1 if not one */
static int
ban_from(const DBT *k, const DBT *v, struct ban *o)
{
	const char	*key = k->data, *colon;
	size_t		 kl;
	int		 i;

	memset(o, 0, sizeof(*o));
	if ((colon = memchr(key, ':', k->size)) == NULL)
		return -1;
	kl = (size_t)(colon - key);
	for (i = BAN_NICK; i <= BAN_CIDR; i++)
		if (strlen(ban_kinds[i]) == kl &&
		    memcmp(key, ban_kinds[i], kl) == 0)
			o->kind = i;
	if (o->kind == 0 || k->size - kl - 1 >= sizeof(o->what))
		return -1;
	memcpy(o->what, colon + 1, k->size - kl - 1);
	o->what[k->size - kl - 1] = '\0';
	ban_dec(v, &o->by, &o->time, &o->until, o->reason,
	    sizeof(o->reason));
	return 0;
}

/* op_ban_scan - list unexpired bans, or find the first that matches */
static int
op_ban_scan(struct db *db, DB_TXN *t, void *arg)
{
	struct ban_arg	*a = arg;
	struct ban	 b;
	struct walk	 w;
	int		 r, hit;

	a->n = 0;
	if ((r = walk_open(&w, db, t, F_BANS, "", 0)) != DBR_OK)
		return r;
	while (a->n < a->max && (r = walk_next(&w)) == DBR_OK) {
		if (ban_from(&w.k, &w.v, &b) == -1 ||
		    (b.until != 0 && b.until <= a->now))
			continue;
		if (a->addr != NULL || a->nick != NULL) {
			hit = (b.kind == BAN_NICK && a->nick != NULL &&
			    strcasecmp(b.what, a->nick) == 0) ||
			    (b.kind == BAN_ADDR && a->addr != NULL &&
			    strcasecmp(b.what, a->addr) == 0) ||
			    (b.kind == BAN_CIDR && a->addr != NULL &&
			    cidr_has(b.what, a->addr));
			if (!hit)
				continue;
		}
		a->out[a->n++] = b;
	}
	return walk_close(&w, r);
}

int
db_ban_list(struct db *db, struct ban *out, int max)
{
	struct ban_arg	 a;

	if (max <= 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.out = out;
	a.max = max;
	a.now = time(NULL);
	if (txn_run(db, 1, FM_BANS, op_ban_scan, &a) != DBR_OK)
		return DBR_FATAL;
	return a.n;
}

int
db_ban_check(struct db *db, const char *nick, const char *addr, int64_t now,
    struct ban *out)
{
	struct ban_arg	 a;
	int		 r;

	if (nick == NULL && addr == NULL)
		return DBR_NOTFOUND;
	memset(&a, 0, sizeof(a));
	a.nick = nick;
	a.addr = addr;
	a.out = out;
	a.max = 1;
	a.now = now;
	if ((r = txn_run(db, 1, FM_BANS, op_ban_scan, &a)) != DBR_OK)
		return r;
	return a.n == 1 ? DBR_OK : DBR_NOTFOUND;
}
