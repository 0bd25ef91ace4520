/*
 * store/buddy.c - buddy lists and blocks (see db.h).
 *
 * Owns buddies.db and blocks.db: the same code over two layouts, a pair
 * of uids a key.  A buddy has a mirror, so that who lists a user is one
 * walk too; a block has none:
 *	buddies.db	"has:0001000002:0001000003"	(owner has buddy)
 *			-> "v2 display=Bob"	(the name owner gives it)
 *			"of:0001000003:0001000002" -> "v1"	(the mirror)
 *	blocks.db	"0001000002:0001000003" -> "v1"	(owner blocks)
 * A buddy's record is of version 2 since it may hold a display name
 * (-167); version 1 had none.  An add needs the other's account (reads
 * users.db) and stays within PALD_BUDDIES_MAX; adds and deletes are
 * idempotent, and an add keeps a name given before.  pair_purge, for
 * db_user_delete, takes an account out of both files.
 */
#include <sys/types.h>

#include <db.h>
#include <stdint.h>
#include <string.h>

#include "dbint.h"
#include "remote.h"

enum { PAIR_BUDDY, PAIR_BLOCK };

#define BUDDY_VERSION	2	/* 2: display */

static const struct kvfield buddy_fields[] = {
	KV_STR("display", struct buddy, display, NULL, KV_OMIT),
	KV_END
};

struct pair_arg {
	int		 kind;
	uint32_t	 owner, other;
};

/* pair_file - the file of a kind of pair */
static int
pair_file(int kind)
{
	return kind == PAIR_BLOCK ? F_BLOCKS : F_BUDDIES;
}

/* pair_key - the record of owner -> other, or with other < 0 its prefix */
static void
pair_key(int kind, int reverse, uint32_t owner, long long other, char *key,
    size_t cap)
{
	const char	*pfx = kind == PAIR_BLOCK ? "" :
	    reverse ? "of:" : "has:";

	if (other < 0)
		fixed_fmt(key, cap, "%s%010u:", pfx, owner);
	else
		fixed_fmt(key, cap, "%s%010u:%010lld", pfx, owner, other);
}

/* op_pair_add - an idempotent add, for users only, within the limit */
static int
op_pair_add(struct db *db, DB_TXN *t, void *arg)
{
	struct pair_arg	*p = arg;
	struct buddy	 none;
	int		 f = pair_file(p->kind), n, r;
	char		 key[DB_KEY_MAX];

	fixed_fmt(key, sizeof(key), "%010u", p->other);
	if ((r = row_exists(db, t, F_USERS, key, 0)) != DBR_OK)
		return r;
	pair_key(p->kind, 0, p->owner, p->other, key, sizeof(key));
	if ((r = row_exists(db, t, f, key, DB_RMW)) != DBR_NOTFOUND)
		return r;
	pair_key(p->kind, 0, p->owner, -1, key, sizeof(key));
	if ((r = walk_count(db, t, f, key, PALD_BUDDIES_MAX, &n, DB_RMW)) !=
	    DBR_OK)
		return r;
	if (n >= PALD_BUDDIES_MAX)
		return DBR_LIMIT;
	pair_key(p->kind, 0, p->owner, p->other, key, sizeof(key));
	if (p->kind == PAIR_BLOCK)
		return row_put(db, t, f, key, "v1", 2, 0);
	memset(&none, 0, sizeof(none));
	if ((r = row_writev(db, t, f, key, buddy_fields, &none, 0,
	    BUDDY_VERSION)) != DBR_OK)
		return r;
	pair_key(p->kind, 1, p->other, p->owner, key, sizeof(key));
	return row_put(db, t, f, key, "v1", 2, 0);
}

/* op_pair_del - remove a record and its mirror; absent is success */
static int
op_pair_del(struct db *db, DB_TXN *t, void *arg)
{
	struct pair_arg	*p = arg;
	int		 f = pair_file(p->kind), r;
	char		 key[DB_KEY_MAX];

	pair_key(p->kind, 0, p->owner, p->other, key, sizeof(key));
	if ((r = row_del(db, t, f, key)) != DBR_OK && r != DBR_NOTFOUND)
		return r;
	if (p->kind == PAIR_BLOCK)
		return DBR_OK;
	pair_key(p->kind, 1, p->other, p->owner, key, sizeof(key));
	r = row_del(db, t, f, key);
	return r == DBR_NOTFOUND ? DBR_OK : r;
}

/* pair_change - op_pair_add or op_pair_del in a transaction */
static int
pair_change(struct db *db, int kind, uint32_t owner, uint32_t other,
    int add)
{
	struct pair_arg	 p = { kind, owner, other };

	if (add)
		return txn_run(db, TXN_WRITE, FM_USERS | FM_BUDDIES |
		    FM_BLOCKS, op_pair_add, &p);
	return txn_run(db, TXN_WRITE, FM_BUDDIES | FM_BLOCKS, op_pair_del,
	    &p);
}

/* pair_take - the uid that ends a key of the list */
static int
pair_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	long long	 uid;

	if ((uid = key_num(k, s->plen)) < 1 || uid > UINT32_MAX)
		return 0;
	*(uint32_t *)slot = (uint32_t)uid;
	return 1;
}

/* pair_list - the uids under owner's prefix, ascending; DBR_FATAL */
static int
pair_list(struct db *db, int kind, int reverse, uint32_t owner,
    uint32_t *out, int max)
{
	struct scan	 s = SCAN(pair_file(kind), pair_take, out, max);

	pair_key(kind, reverse, owner, -1, s.pfx, sizeof(s.pfx));
	return txn_list(db, &s);
}

/* pair_has - 1 if owner's list of kind holds other, 0 if not, DBR_FATAL */
static int
pair_has(struct db *db, int kind, uint32_t owner, uint32_t other)
{
	char	 key[DB_KEY_MAX];

	pair_key(kind, 0, owner, other, key, sizeof(key));
	switch (txn_exists(db, pair_file(kind), key)) {
	case DBR_OK:
		return 1;
	case DBR_NOTFOUND:
		return 0;
	default:
		return DBR_FATAL;
	}
}

int
db_buddy_add(struct db *db, uint32_t owner, uint32_t buddy)
{
	if (db->remote)
		return rm_buddy_add(db, owner, buddy);
	return pair_change(db, PAIR_BUDDY, owner, buddy, 1);
}

int
db_buddy_del(struct db *db, uint32_t owner, uint32_t buddy)
{
	if (db->remote)
		return rm_buddy_del(db, owner, buddy);
	return pair_change(db, PAIR_BUDDY, owner, buddy, 0);
}

int
db_buddy_list(struct db *db, uint32_t owner, uint32_t *out, int max)
{
	if (db->remote)
		return rm_buddy_list(db, owner, out, max);
	return pair_list(db, PAIR_BUDDY, 0, owner, out, max);
}

int
db_buddy_of(struct db *db, uint32_t buddy, uint32_t *out, int max)
{
	if (db->remote)
		return rm_buddy_of(db, buddy, out, max);
	return pair_list(db, PAIR_BUDDY, 1, buddy, out, max);
}

int
db_buddy_has(struct db *db, uint32_t owner, uint32_t buddy)
{
	if (db->remote)
		return rm_buddy_has(db, owner, buddy);
	return pair_has(db, PAIR_BUDDY, owner, buddy);
}

struct display_arg {
	uint32_t	 owner, buddy;
	const char	*name;
};

/* op_buddy_display - the name in owner's record of buddy, if it has one */
static int
op_buddy_display(struct db *db, DB_TXN *t, void *arg)
{
	const struct display_arg *a = arg;
	struct buddy	 b;
	char		 key[DB_KEY_MAX];
	int		 r;

	pair_key(PAIR_BUDDY, 0, a->owner, a->buddy, key, sizeof(key));
	if ((r = row_exists(db, t, F_BUDDIES, key, DB_RMW)) != DBR_OK)
		return r;
	memset(&b, 0, sizeof(b));
	(void)strlcpy(b.display, a->name, sizeof(b.display));
	return row_writev(db, t, F_BUDDIES, key, buddy_fields, &b, 0,
	    BUDDY_VERSION);
}

int
db_buddy_display(struct db *db, uint32_t owner, uint32_t buddy,
    const char *name)
{
	struct display_arg a = { owner, buddy, name != NULL ? name : "" };

	if (db->remote)
		return rm_buddy_display(db, owner, buddy, name);
	if (strlen(a.name) > PALD_DISPLAY_MAX)
		return DBR_LIMIT;
	return txn_run(db, TXN_WRITE, FM_BUDDIES, op_buddy_display, &a);
}

/* names_take - a buddy and the name given it (none in version 1) */
static int
names_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	struct buddy	*b = slot;
	long long	 uid;
	int		 ver;

	if ((uid = key_num(k, s->plen)) < 1 || uid > UINT32_MAX)
		return 0;
	memset(b, 0, sizeof(*b));
	b->uid = (uint32_t)uid;
	ver = kv_version(v->data, v->size);
	if (ver >= 1 && ver <= BUDDY_VERSION)
		(void)kv_getrec(v->data, v->size, buddy_fields, b);
	return 1;
}

int
db_buddy_names(struct db *db, uint32_t owner, struct buddy *out, int max)
{
	struct scan	 s = SCAN(F_BUDDIES, names_take, out, max);

	if (db->remote)
		return rm_buddy_names(db, owner, out, max);
	pair_key(PAIR_BUDDY, 0, owner, -1, s.pfx, sizeof(s.pfx));
	return txn_list(db, &s);
}

int
db_block_add(struct db *db, uint32_t owner, uint32_t target)
{
	if (db->remote)
		return rm_block_add(db, owner, target);
	return pair_change(db, PAIR_BLOCK, owner, target, 1);
}

int
db_block_del(struct db *db, uint32_t owner, uint32_t target)
{
	if (db->remote)
		return rm_block_del(db, owner, target);
	return pair_change(db, PAIR_BLOCK, owner, target, 0);
}

int
db_block_list(struct db *db, uint32_t owner, uint32_t *out, int max)
{
	if (db->remote)
		return rm_block_list(db, owner, out, max);
	return pair_list(db, PAIR_BLOCK, 0, owner, out, max);
}

int
db_blocks(struct db *db, uint32_t owner, uint32_t target)
{
	if (db->remote)
		return rm_blocks(db, owner, target);
	return pair_has(db, PAIR_BLOCK, owner, target);
}

/* buddies_purge - every buddy record of uid, both ways, with mirrors */
static int
buddies_purge(struct db *db, DB_TXN *t, uint32_t uid)
{
	struct walk	 w;
	char		 pfx[DB_KEY_MAX], key[DB_KEY_MAX];
	long long	 other;
	int		 has, r;

	for (has = 1; has >= 0; has--) {
		pair_key(PAIR_BUDDY, !has, uid, -1, pfx, sizeof(pfx));
		if ((r = walk_open(&w, db, t, F_BUDDIES, pfx, DB_RMW)) !=
		    DBR_OK)
			return r;
		while ((r = walk_next(&w)) == DBR_OK) {
			other = key_num(&w.k, w.plen);
			if (other != -1 && other <= UINT32_MAX) {
				pair_key(PAIR_BUDDY, has, (uint32_t)other,
				    uid, key, sizeof(key));
				r = row_del(db, t, F_BUDDIES, key);
				if (r != DBR_OK && r != DBR_NOTFOUND)
					break;
			}
			if ((r = walk_del(&w)) != DBR_OK)
				break;
		}
		if ((r = walk_close(&w, r)) != DBR_OK)
			return r;
	}
	return DBR_OK;
}

/*
 * blocks_purge - blocks by uid, then blocks of uid.  blocks.db has no
 * reverse index, so the second part reads the whole file: only an
 * account's deletion does that.
 */
static int
blocks_purge(struct db *db, DB_TXN *t, uint32_t uid)
{
	struct walk	 w;
	char		 pfx[DB_KEY_MAX];
	int		 r;

	pair_key(PAIR_BLOCK, 0, uid, -1, pfx, sizeof(pfx));
	if ((r = prefix_purge(db, t, F_BLOCKS, pfx)) != DBR_OK)
		return r;
	if ((r = walk_open(&w, db, t, F_BLOCKS, "", 0)) != DBR_OK)
		return r;
	while ((r = walk_next(&w)) == DBR_OK)
		if (key_num(&w.k, 11) == uid && (r = walk_del(&w)) != DBR_OK)
			break;
	return walk_close(&w, r);
}

/* pair_purge - every buddy and block record that names uid */
int
pair_purge(struct db *db, DB_TXN *t, uint32_t uid)
{
	int	 r;

	if ((r = buddies_purge(db, t, uid)) != DBR_OK)
		return r;
	return blocks_purge(db, t, uid);
}
