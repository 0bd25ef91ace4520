/*
 * store/user.c - accounts and their nicknames (see db.h).
 *
 * Owns users.db, one record an account, and nicks.db, its index by
 * nickname; the uid sequence in meta.db ("seq:uid") hands out new uids:
 *	users.db	"0001000002" -> "v2 nick=alice hash=... first=..."
 *	nicks.db	"alice" -> "v1 uid=1000002"	(lower case)
 * An account's record is of version 2 since it has the paid flag and the
 * password hint (paid, hintq, hinta, hint); one of version 1 reads as
 * without them, and is written back as version 2.  A change of nickname
 * moves the index entry in the same transaction.  Deleting an account
 * also deletes what names it in buddies.db, blocks.db, offline.db and
 * invites.db (buddy.c, offline.c, invite.c).  Search walks nicks.db and
 * reads each account it finds.
 */
#include <sys/types.h>

#include <db.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "dbint.h"
#include "remote.h"
#include "slog.h"

#define USER_VERSION	2	/* 2: paid, hintq, hinta, hint */

static const struct kvfield user_fields[] = {
	KV_STR("nick", struct user, nick, NULL, KV_NEED),
	KV_STR("hash", struct user, hash, NULL, KV_STRICT),
	KV_STR("first", struct user, first, NULL, KV_STRICT),
	KV_STR("last", struct user, last, NULL, KV_STRICT),
	KV_STR("email", struct user, email, NULL, KV_STRICT),
	KV_NUM("admin", struct user, admin, 0, 3, 0, 0),
	KV_NUM("flags", struct user, flags, 0, UINT_MAX, 0, 0),
	KV_CHR("privacy", struct user, privacy, "ATP", 'A'),
	KV_CHR("paid", struct user, paid, "NY6", 'N'),
	KV_NUM("hintq", struct user, hintq, 0, 9, 0, 0),
	KV_STR("hinta", struct user, hinta, NULL, KV_OMIT),
	KV_STR("hint", struct user, hint, NULL, KV_OMIT),
	KV_NUM("created", struct user, created, INT64_MIN, INT64_MAX, 0, 0),
	KV_NUM("lastlogin", struct user, lastlogin, INT64_MIN, INT64_MAX, 0,
	    0),
	KV_END
};

/* An entry of nicks.db. */
struct nick {
	uint32_t	 uid;
};

static const struct kvfield nick_fields[] = {
	KV_NUM("uid", struct nick, uid, 1, UINT32_MAX, 0, KV_NEED),
	KV_END
};

int
db_nick_valid(const char *nick)
{
	size_t	 i, len = strlen(nick);
	char	 c;

	if (len < PALD_NICK_MIN || len > PALD_NICK_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = nick[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if (i > 0 && ((c >= '0' && c <= '9') || c == '_' ||
		    c == '-' || c == '.'))
			continue;
		return 0;
	}
	return 1;
}

/* nick_key - a nickname as nicks.db spells it (ASCII lower case) */
static int
nick_key(const char *nick, char *key, size_t cap)
{
	size_t	 i;

	for (i = 0; nick[i] != '\0'; i++) {
		if (i + 1 >= cap || i >= PALD_NICK_MAX)
			return -1;
		key[i] = nick[i] >= 'A' && nick[i] <= 'Z' ?
		    (char)(nick[i] - 'A' + 'a') : nick[i];
	}
	key[i] = '\0';
	return i == 0 ? -1 : 0;
}

/* user_read - the user record of uid */
static int
user_read(struct db *db, DB_TXN *t, uint32_t uid, struct user *u,
    u_int32_t flags)
{
	char	 key[DB_KEY_MAX];
	int	 r;

	memset(u, 0, sizeof(*u));
	fixed_fmt(key, sizeof(key), "%010u", uid);
	if ((r = row_readv(db, t, F_USERS, key, user_fields, u, flags,
	    USER_VERSION)) == DBR_OK)
		u->uid = uid;
	return r;
}

/* user_write - u's users.db record; flags DB_NOOVERWRITE for a new one */
static int
user_write(struct db *db, DB_TXN *t, const struct user *u, u_int32_t flags)
{
	char	 key[DB_KEY_MAX];

	fixed_fmt(key, sizeof(key), "%010u", u->uid);
	return row_writev(db, t, F_USERS, key, user_fields, u, flags,
	    USER_VERSION);
}

/* nick_read - the uid nicks.db gives for a nickname key */
static int
nick_read(struct db *db, DB_TXN *t, const char *key, uint32_t *uid)
{
	struct nick	 e;
	int		 r;

	if ((r = row_read(db, t, F_NICKS, key, nick_fields, &e, 0)) ==
	    DBR_OK)
		*uid = e.uid;
	return r;
}

/* nick_write - the nicks.db record of key, refused if taken */
static int
nick_write(struct db *db, DB_TXN *t, const char *key, uint32_t uid)
{
	struct nick	 e = { uid };

	return row_write(db, t, F_NICKS, key, nick_fields, &e,
	    DB_NOOVERWRITE);
}

/* paid_ok - a value of the paid flag ('\0': as 'N', a record's default) */
static int
paid_ok(char paid)
{
	return paid == '\0' || paid == 'N' || paid == 'Y' || paid == '6';
}

/* user_ok - what a stored user must satisfy */
static int
user_ok(const struct user *u)
{
	return strnlen(u->nick, sizeof(u->nick)) < sizeof(u->nick) &&
	    db_nick_valid(u->nick) && u->admin >= 0 && u->admin <= 3 &&
	    paid_ok(u->paid) && u->hintq >= 0 && u->hintq <= 9 &&
	    strnlen(u->hint, sizeof(u->hint)) < sizeof(u->hint);
}

struct user_arg {
	uint32_t	 uid;
	const char	*nick;
	struct user	*u;
};

static int
op_user_get(struct db *db, DB_TXN *t, void *arg)
{
	struct user_arg	*a = arg;

	return user_read(db, t, a->uid, a->u, 0);
}

int
db_user_get(struct db *db, uint32_t uid, struct user *u)
{
	struct user_arg	 a = { .uid = uid, .u = u };

	if (db->remote)
		return rm_user_get(db, uid, u);
	return txn_run(db, TXN_READ, FM_USERS, op_user_get, &a);
}

static int
op_user_by_nick(struct db *db, DB_TXN *t, void *arg)
{
	struct user_arg	*a = arg;
	char		 key[DB_KEY_MAX];
	uint32_t	 uid;
	int		 r;

	if (nick_key(a->nick, key, sizeof(key)) == -1)
		return DBR_NOTFOUND;
	if ((r = nick_read(db, t, key, &uid)) != DBR_OK)
		return r;
	if ((r = user_read(db, t, uid, a->u, 0)) == DBR_NOTFOUND) {
		slog_warnx("db: nicks.db %s: uid %u has no account", key, uid);
		return DBR_FATAL;
	}
	return r;
}

int
db_user_by_nick(struct db *db, const char *nick, struct user *u)
{
	struct user_arg	 a = { .nick = nick, .u = u };

	if (db->remote)
		return rm_user_by_nick(db, nick, u);
	return txn_run(db, TXN_READ, FM_USERS | FM_NICKS, op_user_by_nick,
	    &a);
}

/* op_user_create - a uid from seq:uid, then the record and nick index */
static int
op_user_create(struct db *db, DB_TXN *t, void *arg)
{
	struct user	*u = arg;
	char		 key[DB_KEY_MAX];
	long long	 uid;
	int		 r;

	if (nick_key(u->nick, key, sizeof(key)) == -1)
		return DBR_LIMIT;
	if ((r = seq_next(db, t, "seq:uid", PALD_UID_FIRST, UINT32_MAX,
	    &uid)) != DBR_OK)
		return r;
	u->uid = (uint32_t)uid;
	if ((r = user_write(db, t, u, DB_NOOVERWRITE)) == DBR_EXISTS) {
		slog_warnx("db: users.db: uid %u exists: seq:uid is behind",
		    u->uid);
		return DBR_FATAL;
	}
	if (r != DBR_OK)
		return r;
	return nick_write(db, t, key, u->uid);
}

int
db_user_create(struct db *db, struct user *u)
{
	int	 r;

	if (db->remote)
		return rm_user_create(db, u);
	if (!user_ok(u))
		return DBR_LIMIT;
	u->created = time(NULL);
	if ((r = txn_run(db, TXN_WRITE, FM_META | FM_USERS | FM_NICKS,
	    op_user_create, u)) != DBR_OK)
		u->uid = 0;
	return r;
}

/* op_user_put - rewrite an account; a new nickname moves its index */
static int
op_user_put(struct db *db, DB_TXN *t, void *arg)
{
	const struct user *u = arg;
	struct user	 old;
	char		 okey[DB_KEY_MAX], nkey[DB_KEY_MAX];
	int		 r;

	if ((r = user_read(db, t, u->uid, &old, DB_RMW)) != DBR_OK)
		return r;
	if (nick_key(old.nick, okey, sizeof(okey)) == -1 ||
	    nick_key(u->nick, nkey, sizeof(nkey)) == -1)
		r = DBR_FATAL;
	else if (strcmp(okey, nkey) != 0 &&
	    (r = nick_write(db, t, nkey, u->uid)) == DBR_OK &&
	    (r = row_del(db, t, F_NICKS, okey)) == DBR_NOTFOUND)
		r = DBR_OK;
	if (r == DBR_OK)
		r = user_write(db, t, u, 0);
	explicit_bzero(&old, sizeof(old));
	return r;
}

int
db_user_put(struct db *db, const struct user *u)
{
	if (db->remote)
		return rm_user_put(db, u);
	if (!user_ok(u))
		return DBR_LIMIT;
	return txn_run(db, TXN_WRITE, FM_USERS | FM_NICKS, op_user_put,
	    (void *)(uintptr_t)u);
}

/*
 * op_user_reserve - a reserved uid (below PALD_UID_FIRST, so seq:uid
 * never hands it out): created if missing, else its nickname, level,
 * flags and hash set as given, the nick index moved with it.
 */
static int
op_user_reserve(struct db *db, DB_TXN *t, void *arg)
{
	const struct user *u = arg;
	struct user	 old;
	char		 key[DB_KEY_MAX];
	int		 r;

	r = user_read(db, t, u->uid, &old, DB_RMW);
	explicit_bzero(&old, sizeof(old));
	if (r == DBR_OK)
		return op_user_put(db, t, arg);
	if (r != DBR_NOTFOUND)
		return r;
	if (nick_key(u->nick, key, sizeof(key)) == -1)
		return DBR_LIMIT;
	if ((r = nick_write(db, t, key, u->uid)) != DBR_OK)
		return r;
	return user_write(db, t, u, DB_NOOVERWRITE);
}

int
db_user_reserve(struct db *db, const struct user *u)
{
	if (db->remote)
		return rm_user_reserve(db, u);
	if (!user_ok(u) || u->uid == 0 || u->uid >= PALD_UID_FIRST)
		return DBR_LIMIT;
	return txn_run(db, TXN_WRITE, FM_USERS | FM_NICKS, op_user_reserve,
	    (void *)(uintptr_t)u);
}

/* op_user_delete - an account and everything that names it */
static int
op_user_delete(struct db *db, DB_TXN *t, void *arg)
{
	struct user	 u;
	uint32_t	 uid = *(uint32_t *)arg;
	char		 key[DB_KEY_MAX];
	int		 r;

	if ((r = user_read(db, t, uid, &u, DB_RMW)) != DBR_OK)
		return r;
	r = nick_key(u.nick, key, sizeof(key));
	explicit_bzero(&u, sizeof(u));
	if (r == -1)
		return DBR_FATAL;
	if ((r = row_del(db, t, F_NICKS, key)) != DBR_OK &&
	    r != DBR_NOTFOUND)
		return r;
	fixed_fmt(key, sizeof(key), "%010u", uid);
	if ((r = row_del(db, t, F_USERS, key)) != DBR_OK ||
	    (r = pair_purge(db, t, uid)) != DBR_OK ||
	    (r = offline_purge(db, t, uid)) != DBR_OK)
		return r;
	return invite_purge(db, t, uid);
}

int
db_user_delete(struct db *db, uint32_t uid)
{
	if (db->remote)
		return rm_user_delete(db, uid);
	return txn_run(db, TXN_WRITE, FM_USERS | FM_NICKS | FM_BUDDIES |
	    FM_BLOCKS | FM_OFFLINE | FM_INVITES, op_user_delete, &uid);
}

/* The paid flag and the password hint: their own fields only. */

struct extra_arg {
	uint32_t	 uid;
	int		 hint;		/* 1: the hint, 0: the paid flag */
	char		 paid;
	int		 hintq;
	const char	*hinta, *text;
};

/* op_user_extra - read the account, change the fields, write it back */
static int
op_user_extra(struct db *db, DB_TXN *t, void *arg)
{
	const struct extra_arg *a = arg;
	struct user	 u;
	int		 r;

	if ((r = user_read(db, t, a->uid, &u, DB_RMW)) == DBR_OK) {
		if (!a->hint)
			u.paid = a->paid;
		else if (strlcpy(u.hinta, a->hinta, sizeof(u.hinta)) >=
		    sizeof(u.hinta) ||
		    strlcpy(u.hint, a->text, sizeof(u.hint)) >= sizeof(u.hint))
			r = DBR_LIMIT;
		else
			u.hintq = a->hintq;
		if (r == DBR_OK)
			r = user_write(db, t, &u, 0);
	}
	explicit_bzero(&u, sizeof(u));
	return r;
}

int
db_user_paid(struct db *db, uint32_t uid, char paid)
{
	struct extra_arg a = { .uid = uid, .paid = paid };

	if (db->remote)
		return rm_user_paid(db, uid, paid);
	if (paid == '\0' || !paid_ok(paid))
		return DBR_LIMIT;
	return txn_run(db, TXN_WRITE, FM_USERS, op_user_extra, &a);
}

int
db_user_hint(struct db *db, uint32_t uid, int question, const char *hash,
    const char *hint)
{
	struct extra_arg a = { .uid = uid, .hint = 1, .hintq = question,
	    .hinta = hash, .text = hint };

	if (db->remote)
		return rm_user_hint(db, uid, question, hash, hint);
	if (question < 1 || question > 9)
		return DBR_LIMIT;
	return txn_run(db, TXN_WRITE, FM_USERS, op_user_extra, &a);
}

/* admin_take - the uid of an account with an admin level of 1 or more */
static int
admin_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	struct user	 u;
	long long	 uid;
	int		 ver, r;

	if ((uid = key_num(k, 0)) < 1 || uid > UINT32_MAX ||
	    (ver = kv_version(v->data, v->size)) < 1 || ver > USER_VERSION)
		return 0;
	memset(&u, 0, sizeof(u));
	r = kv_getrec(v->data, v->size, user_fields, &u) == 0 && u.admin >= 1;
	explicit_bzero(&u, sizeof(u));
	if (!r)
		return 0;
	*(uint32_t *)slot = (uint32_t)uid;
	return 1;
}

int
db_user_admins(struct db *db, uint32_t *out, int max)
{
	struct scan	 s = SCAN(F_USERS, admin_take, out, max);

	if (db->remote)
		return rm_user_admins(db, out, max);
	return txn_list(db, &s);
}

/* Search. */

struct search_arg {
	const char	*q;
	int		 exact;
	struct user	*out;
	int		 max;
	int		 n;
};

/* op_search - exact: one nickname; else nicknames starting with q */
static int
op_search(struct db *db, DB_TXN *t, void *arg)
{
	struct search_arg *a = arg;
	struct walk	 w;
	struct nick	 e;
	char		 key[DB_KEY_MAX];
	uint32_t	 exact;
	int		 r;

	a->n = 0;
	if (nick_key(a->q, key, sizeof(key)) == -1)
		return DBR_OK;
	if (a->exact) {
		if ((r = nick_read(db, t, key, &exact)) == DBR_OK &&
		    (r = user_read(db, t, exact, a->out, 0)) == DBR_OK)
			a->n = 1;
		return r == DBR_NOTFOUND ? DBR_OK : r;
	}
	if ((r = walk_open(&w, db, t, F_NICKS, key, 0)) != DBR_OK)
		return r;
	while (a->n < a->max && (r = walk_next(&w)) == DBR_OK) {
		if (kv_version(w.v.data, w.v.size) != 1 ||
		    kv_getrec(w.v.data, w.v.size, nick_fields, &e) == -1)
			continue;
		r = user_read(db, t, e.uid, &a->out[a->n], 0);
		if (r == DBR_OK)
			a->n++;
		else if (r != DBR_NOTFOUND)
			break;
		r = DBR_OK;
	}
	return walk_close(&w, r);
}

int
db_user_search(struct db *db, const char *q, int exact, struct user *out,
    int max)
{
	struct search_arg a = { q, exact, out, max, 0 };

	if (db->remote)
		return rm_user_search(db, q, exact, out, max);
	if (max <= 0)
		return 0;
	if (txn_run(db, TXN_READ, FM_USERS | FM_NICKS, op_search, &a) !=
	    DBR_OK)
		return DBR_FATAL;
	return a.n;
}
