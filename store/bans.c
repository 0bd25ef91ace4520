/*
 * store/bans.c - bans and bounces from a room, the room's log of admin
 * actions, and server-wide bans (see db.h).
 *
 * Owns roombans.db, roomlog.db and bans.db; the room log's numbers come
 * from the sequence "seq:roomlog" in meta.db:
 *	roombans.db	"0000050001:ban:0001000003"
 *			-> "v1 by=U time=T until=T reason=..."
 *			"0000050001:bounce:0001000003" (until = T + 24 h)
 *	roomlog.db	"0000050001:0000000042"
 *			-> "v1 time=T by=U what=bounce whom=U reason=..."
 *	bans.db		"nick:alice" / "addr:192.0.2.7" / "cidr:192.0.2.0/24"
 *			-> "v1 by=U time=T until=T reason=..."
 * A room's ban or bounce is looked up by key and, expired, removed by
 * the lookup; a server ban's address may be a CIDR block, so a check
 * reads every ban.  The room log keeps the newest PALD_ROOMLOG_MAX
 * entries of each room.  A room's records here go with the room
 * (db_room_delete, rooms.c).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <db.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dbint.h"
#include "remote.h"

/* The fields of a ban, of a room or of the server. */
#define BAN_FIELDS(st) \
	KV_NUM("by", st, by, 0, UINT32_MAX, 0, 0), \
	KV_NUM("time", st, time, 0, INT64_MAX, 0, 0), \
	KV_NUM("until", st, until, 0, INT64_MAX, 0, 0), \
	KV_STR("reason", st, reason, NULL, KV_OMIT)

static const struct kvfield rban_fields[] = {
	BAN_FIELDS(struct rban),
	KV_END
};

static const struct kvfield ban_fields[] = {
	BAN_FIELDS(struct ban),
	KV_END
};

static const struct kvfield rlog_fields[] = {
	KV_NUM("time", struct raction, time, 0, INT64_MAX, 0, 0),
	KV_NUM("by", struct raction, by, 0, UINT32_MAX, 0, 0),
	KV_STR("what", struct raction, what, "?", 0),
	KV_NUM("whom", struct raction, whom, 0, UINT32_MAX, 0, 0),
	KV_STR("reason", struct raction, reason, NULL, KV_OMIT),
	KV_END
};

/* Room bans and bounces. */

/* rban_key - the record of uid's ban or bounce from room; uid < 0: prefix */
static void
rban_key(uint32_t room, int kind, long long uid, char *key, size_t cap)
{
	const char	*k = kind == RBAN_BAN ? "ban" : "bounce";

	if (uid < 0)
		fixed_fmt(key, cap, "%010u:%s:", room, k);
	else
		fixed_fmt(key, cap, "%010u:%s:%010lld", room, k, uid);
}

int
db_rban_add(struct db *db, const struct rban *b)
{
	char	 key[DB_KEY_MAX];

	if (db->remote)
		return rm_rban_add(db, b);
	if ((b->kind != RBAN_BAN && b->kind != RBAN_BOUNCE) ||
	    strlen(b->reason) > PALD_REASON_MAX)
		return DBR_LIMIT;
	rban_key(b->room, b->kind, b->uid, key, sizeof(key));
	return txn_put(db, F_RBANS, key, rban_fields, b);
}

int
db_rban_del(struct db *db, uint32_t room, int kind, uint32_t uid)
{
	char	 key[DB_KEY_MAX];

	if (db->remote)
		return rm_rban_del(db, room, kind, uid);
	rban_key(room, kind, uid, key, sizeof(key));
	return txn_del(db, F_RBANS, key);
}

/* op_rban_clear - every ban, or every bounce, of a room */
static int
op_rban_clear(struct db *db, DB_TXN *t, void *arg)
{
	const char	*pfx = arg;

	return prefix_purge(db, t, F_RBANS, pfx);
}

int
db_rban_clear(struct db *db, uint32_t room, int kind)
{
	char	 pfx[DB_KEY_MAX];

	if (db->remote)
		return rm_rban_clear(db, room, kind);
	if (kind != RBAN_BAN && kind != RBAN_BOUNCE)
		return DBR_LIMIT;
	rban_key(room, kind, -1, pfx, sizeof(pfx));
	return txn_run(db, TXN_WRITE, FM_RBANS, op_rban_clear, pfx);
}

struct rban_arg {
	uint32_t	 room, uid;
	int		 kind, found;
	int64_t		 now;
	struct rban	*out;
};

/* op_rban_check - an active ban or bounce; expired ones are removed */
static int
op_rban_check(struct db *db, DB_TXN *t, void *arg)
{
	struct rban_arg	*a = arg;
	struct rban	*o = a->out;
	char		 key[DB_KEY_MAX], v[DB_VAL_MAX];
	size_t		 n;
	int		 kind, r;

	for (kind = RBAN_BAN; kind <= RBAN_BOUNCE; kind++) {
		rban_key(a->room, kind, a->uid, key, sizeof(key));
		r = row_get(db, t, F_RBANS, key, v, sizeof(v), &n, DB_RMW);
		if (r == DBR_NOTFOUND)
			continue;
		if (r != DBR_OK)
			return r;
		memset(o, 0, sizeof(*o));
		(void)kv_getrec(v, n, rban_fields, o);
		if (o->until != 0 && o->until <= a->now) {
			if ((r = row_del(db, t, F_RBANS, key)) != DBR_OK)
				return r;
			continue;
		}
		o->room = a->room;
		o->kind = kind;
		o->uid = a->uid;
		a->found = 1;
		return DBR_OK;
	}
	return DBR_OK;
}

int
db_rban_check(struct db *db, uint32_t room, uint32_t uid, int64_t now,
    struct rban *out)
{
	struct rban_arg	 a = { .room = room, .uid = uid, .now = now,
	    .out = out };
	int		 r;

	if (db->remote)
		return rm_rban_check(db, room, uid, now, out);
	if ((r = txn_run(db, TXN_WRITE, FM_RBANS, op_rban_check, &a)) !=
	    DBR_OK)
		return r;
	return a.found ? DBR_OK : DBR_NOTFOUND;
}

/* rban_take - a ban or bounce of the list that has not expired */
static int
rban_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	const struct rban_arg *a = s->arg;
	struct rban	 o;
	long long	 uid;

	if ((uid = key_num(k, s->plen)) < 1 || uid > UINT32_MAX)
		return 0;
	memset(&o, 0, sizeof(o));
	(void)kv_getrec(v->data, v->size, rban_fields, &o);
	if (o.until != 0 && o.until <= a->now)
		return 0;
	o.room = a->room;
	o.kind = a->kind;
	o.uid = (uint32_t)uid;
	memcpy(slot, &o, sizeof(o));
	return 1;
}

int
db_rban_list(struct db *db, uint32_t room, int kind, struct rban *out,
    int max)
{
	struct rban_arg	 a = { .room = room, .kind = kind, .now = time(NULL) };
	struct scan	 s = SCAN(F_RBANS, rban_take, out, max);

	if (db->remote)
		return rm_rban_list(db, room, kind, out, max);
	s.arg = &a;
	rban_key(room, kind, -1, s.pfx, sizeof(s.pfx));
	return txn_list(db, &s);
}

/* The room action log. */

struct rlog_arg {
	uint32_t	 room;
	const struct raction *in;
};

/* op_rlog_add - append, then drop the oldest beyond PALD_ROOMLOG_MAX */
static int
op_rlog_add(struct db *db, DB_TXN *t, void *arg)
{
	struct rlog_arg	*a = arg;
	struct walk	 w;
	char		 key[DB_KEY_MAX];
	long long	 seq;
	int		 n, r;

	if ((r = seq_next(db, t, "seq:roomlog", 1, DB_NUM_MAX, &seq)) !=
	    DBR_OK)
		return r;
	fixed_fmt(key, sizeof(key), "%010u:%010lld", a->room, seq);
	if ((r = row_write(db, t, F_RLOG, key, rlog_fields, a->in, 0)) !=
	    DBR_OK)
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
	struct rlog_arg	 a = { room, act };

	if (db->remote)
		return rm_rlog_add(db, room, act);
	if (strlen(act->reason) > PALD_REASON_MAX)
		return DBR_LIMIT;
	return txn_run(db, TXN_WRITE, FM_META | FM_RLOG, op_rlog_add, &a);
}

/* rlog_take - an entry of the log */
static int
rlog_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	struct raction	*o = slot;
	long long	 seq;

	if ((seq = key_num(k, s->plen)) < 0)
		return 0;
	memset(o, 0, sizeof(*o));
	(void)kv_getrec(v->data, v->size, rlog_fields, o);
	o->seq = (uint64_t)seq;
	return 1;
}

int
db_rlog_list(struct db *db, uint32_t room, struct raction *out, int max)
{
	struct scan	 s = SCAN(F_RLOG, rlog_take, out, max);

	if (db->remote)
		return rm_rlog_list(db, room, out, max);
	s.ring = 1;
	fixed_fmt(s.pfx, sizeof(s.pfx), "%010u:", room);
	return txn_list(db, &s);
}

/* Server-wide bans. */

static const char *const ban_kinds[] = { NULL, "nick", "addr", "cidr" };

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

/* ban_key - the record of a ban of kind on what (lower-cased) */
static void
ban_key(int kind, const char *what, char *key, size_t cap)
{
	char	 low[64];

	lower_copy(low, what, sizeof(low));
	fixed_fmt(key, cap, "%s:%s", ban_kinds[kind], low);
}

int
db_ban_add(struct db *db, const struct ban *b)
{
	char	 key[DB_KEY_MAX + 64];

	if (db->remote)
		return rm_ban_add(db, b);
	if (b->kind < BAN_NICK || b->kind > BAN_CIDR ||
	    strnlen(b->what, sizeof(b->what)) >= sizeof(b->what) ||
	    !ban_valid(b->kind, b->what) ||
	    strlen(b->reason) > PALD_REASON_MAX)
		return DBR_LIMIT;
	ban_key(b->kind, b->what, key, sizeof(key));
	return txn_put(db, F_BANS, key, ban_fields, b);
}

int
db_ban_del(struct db *db, int kind, const char *what)
{
	char	 key[DB_KEY_MAX + 64];

	if (db->remote)
		return rm_ban_del(db, kind, what);
	if (kind < BAN_NICK || kind > BAN_CIDR || strlen(what) >= 64)
		return DBR_NOTFOUND;
	ban_key(kind, what, key, sizeof(key));
	return txn_del(db, F_BANS, key);
}

/* What a scan of bans.db keeps: unexpired bans, those that match. */
struct ban_sel {
	const char	*nick, *addr;	/* both NULL: every ban */
	int64_t		 now;
};

/* ban_from - the ban record k -> v as *o; -1 if it is not one */
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
	(void)kv_getrec(v->data, v->size, ban_fields, o);
	return 0;
}

/* ban_hit - does b name a->nick or a->addr? */
static int
ban_hit(const struct ban_sel *a, const struct ban *b)
{
	switch (b->kind) {
	case BAN_NICK:
		return a->nick != NULL && strcasecmp(b->what, a->nick) == 0;
	case BAN_ADDR:
		return a->addr != NULL && strcasecmp(b->what, a->addr) == 0;
	default:
		return a->addr != NULL && cidr_has(b->what, a->addr);
	}
}

/* ban_take - a ban that has not expired and matches, if asked to */
static int
ban_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	const struct ban_sel *a = s->arg;
	struct ban	 b;

	if (ban_from(k, v, &b) == -1 || (b.until != 0 && b.until <= a->now) ||
	    ((a->nick != NULL || a->addr != NULL) && !ban_hit(a, &b)))
		return 0;
	memcpy(slot, &b, sizeof(b));
	return 1;
}

int
db_ban_list(struct db *db, struct ban *out, int max)
{
	struct ban_sel	 a = { NULL, NULL, time(NULL) };
	struct scan	 s = SCAN(F_BANS, ban_take, out, max);

	if (db->remote)
		return rm_ban_list(db, out, max);
	s.arg = &a;
	return txn_list(db, &s);
}

int
db_ban_check(struct db *db, const char *nick, const char *addr, int64_t now,
    struct ban *out)
{
	struct ban_sel	 a = { nick, addr, now };
	struct scan	 s = SCAN(F_BANS, ban_take, out, 1);
	int		 r;

	if (db->remote)
		return rm_ban_check(db, nick, addr, now, out);
	if (nick == NULL && addr == NULL)
		return DBR_NOTFOUND;
	s.arg = &a;
	if ((r = txn_scan(db, &s)) != DBR_OK)
		return r;
	return s.n == 1 ? DBR_OK : DBR_NOTFOUND;
}
