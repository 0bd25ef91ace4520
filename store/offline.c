/*
 * store/offline.c - instant messages kept for users who are off line
 * (see db.h).
 *
 * Owns offline.db, one record a message, under its addressee's uid and
 * a number from the sequence "seq:offline" in meta.db, so that a walk
 * over the uid's prefix delivers them oldest first:
 *	offline.db	"0001000003:0000000042"
 *			-> "v1 from=1000002 time=T text=..."
 * A put needs the addressee's account (reads users.db) and stays within
 * PALD_OFFLINE_MAX.  The text may hold any byte, NUL too, so it is
 * written and read with its length, beside the field table.
 */
#include <sys/types.h>

#include <db.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbint.h"
#include "remote.h"
#include "slog.h"

#define DB_IM_VAL	(PALD_IM_MAX * 3 + 128) /* an escaped offline IM */

static const struct kvfield offline_fields[] = {
	KV_NUM("from", struct offline, from, 0, UINT32_MAX, 0, 0),
	KV_NUM("time", struct offline, time, INT64_MIN, INT64_MAX, 0, 0),
	KV_END
};

struct offline_arg {
	uint32_t	 to, from;
	int64_t		 time;
	const char	*text;
	size_t		 len;
};

/* op_offline_put - queue one IM under a number from seq:offline */
static int
op_offline_put(struct db *db, DB_TXN *t, void *arg)
{
	struct offline_arg *o = arg;
	struct kvbuf	 b;
	char		 key[DB_KEY_MAX], *v;
	long long	 seq;
	int		 n, r;

	if ((r = seq_next(db, t, "seq:offline", 1, DB_NUM_MAX, &seq)) !=
	    DBR_OK)
		return r;
	fixed_fmt(key, sizeof(key), "%010u", o->to);
	if ((r = row_exists(db, t, F_USERS, key, 0)) != DBR_OK)
		return r;
	fixed_fmt(key, sizeof(key), "%010u:", o->to);
	if ((r = walk_count(db, t, F_OFFLINE, key, PALD_OFFLINE_MAX,
	    &n, DB_RMW)) != DBR_OK)
		return r;
	if (n >= PALD_OFFLINE_MAX)
		return DBR_LIMIT;
	if ((v = malloc(DB_IM_VAL)) == NULL) {
		slog_warn("%s", __func__);
		return DBR_FATAL;
	}
	kv_init(&b, v, DB_IM_VAL, 1);
	kv_addll(&b, "from", o->from);
	kv_addll(&b, "time", o->time);
	kv_addn(&b, "text", o->text, o->len);
	if (kv_len(&b) < 0)
		slog_fatalx("%s: value too long", __func__);
	fixed_fmt(key, sizeof(key), "%010u:%010lld", o->to, seq);
	r = row_put(db, t, F_OFFLINE, key, v, b.len, DB_NOOVERWRITE);
	explicit_bzero(v, DB_IM_VAL);
	free(v);
	return r;
}

int
db_offline_put(struct db *db, uint32_t to, uint32_t from, int64_t when,
    const char *text, size_t len)
{
	struct offline_arg o = { to, from, when, text, len };

	if (db->remote)
		return rm_offline_put(db, to, from, when, text, len);
	if (len > PALD_IM_MAX)
		return DBR_LIMIT;
	return txn_run(db, TXN_WRITE, FM_META | FM_USERS | FM_OFFLINE,
	    op_offline_put, &o);
}

/* offline_take - one offline.db record; a bad text is delivered empty */
static int
offline_take(const struct scan *s, const DBT *k, const DBT *v, void *slot)
{
	struct offline	*m = slot;
	int		 n;

	if (key_num(k, s->plen) < 0)
		return 0;
	memset(m, 0, sizeof(*m));
	m->seq = (uint64_t)key_num(k, s->plen);
	if (kv_version(v->data, v->size) != 1)
		slog_warnx("db: offline.db %.*s: unknown version", (int)k->size,
		    (const char *)k->data);
	(void)kv_getrec(v->data, v->size, offline_fields, m);
	if ((n = kv_get(v->data, v->size, "text", m->text,
	    sizeof(m->text))) < 0) {
		slog_warnx("db: offline.db %.*s: bad text", (int)k->size,
		    (const char *)k->data);
		n = 0;
		m->text[0] = '\0';
	}
	m->len = (size_t)n;
	return 1;
}

int
db_offline_list(struct db *db, uint32_t to, struct offline *out, int max)
{
	struct scan	 s = SCAN(F_OFFLINE, offline_take, out, max);

	if (db->remote)
		return rm_offline_list(db, to, out, max);
	fixed_fmt(s.pfx, sizeof(s.pfx), "%010u:", to);
	return txn_list(db, &s);
}

int
db_offline_del(struct db *db, uint32_t to, uint64_t seq)
{
	char	 key[DB_KEY_MAX];

	if (db->remote)
		return rm_offline_del(db, to, seq);
	if (seq > DB_NUM_MAX)
		return DBR_NOTFOUND;
	fixed_fmt(key, sizeof(key), "%010u:%010llu", to,
	    (unsigned long long)seq);
	return txn_del(db, F_OFFLINE, key);
}

/* offline_purge - uid's offline IMs (db_user_delete) */
int
offline_purge(struct db *db, DB_TXN *t, uint32_t uid)
{
	char	 pfx[DB_KEY_MAX];

	fixed_fmt(pfx, sizeof(pfx), "%010u:", uid);
	return prefix_purge(db, t, F_OFFLINE, pfx);
}
