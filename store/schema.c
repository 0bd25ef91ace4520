/*
 * store/schema.c - opening the store, and meta.db's schema record.
 *
 * db_open is env_start (env.c: the environment and the files) and then,
 * unless the store is lazy, a look at the schema record: a store of a
 * newer schema is refused, one of an older schema upgraded (by the
 * process that creates, i.e. recovers), a new store gets its schema
 * record and seq:uid.  Touches meta.db ("schema", "seq:uid") and reads
 * users.db (a store with accounts but no schema record is refused).
 */
#include <sys/types.h>

#include <db.h>
#include <limits.h>

#include "dbint.h"
#include "slog.h"

#define DB_SMALL_VAL	128	/* the schema record */

struct meta_arg {
	const char	*home;
	int		 create;
};

/* The schema record in meta.db. */
struct schema {
	long long	 version;
};

static const struct kvfield schema_fields[] = {
	KV_NUM("version", struct schema, version, 1, LLONG_MAX, 0, KV_NEED),
	KV_END
};

/* schema_read - the version of a schema record (of any tag), or -1 */
static long long
schema_read(const char *v, size_t n)
{
	struct schema	 s;

	if (kv_version(v, n) < 1 || kv_getrec(v, n, schema_fields, &s) == -1)
		return -1;
	return s.version;
}

/* op_meta - check the schema; in a new store, write it and seq:uid */
static int
op_meta(struct db *db, DB_TXN *t, void *arg)
{
	struct meta_arg	*m = arg;
	struct schema	 now = { DB_SCHEMA_VERSION };
	char		 key[DB_KEY_MAX], v[DB_SMALL_VAL];
	size_t		 n;
	long long	 ver;
	int		 r, users;

	fixed_fmt(key, sizeof(key), "schema");
	r = row_get(db, t, F_META, key, v, sizeof(v), &n,
	    m->create ? DB_RMW : 0);
	if (r == DBR_OK) {
		if ((ver = schema_read(v, n)) == -1) {
			slog_warnx("db: %s: bad schema record", m->home);
			return DBR_FATAL;
		}
		if (ver > DB_SCHEMA_VERSION) {
			slog_warnx("db: %s: the store has schema version %lld, "
			    "this program knows up to %d: use a newer pald",
			    m->home, ver, DB_SCHEMA_VERSION);
			return DBR_FATAL;
		}
		if (ver == DB_SCHEMA_VERSION || !m->create)
			return DBR_OK;
		/*
		 * version 1 lacked the room and ban files, 2 invites.db:
		 * env_start created them; the records of users.db and
		 * buddies.db of older versions are read as they are
		 */
		if ((r = row_write(db, t, F_META, key, schema_fields, &now,
		    0)) == DBR_OK)
			slog_info("db: %s: schema version %lld upgraded to %d",
			    m->home, ver, DB_SCHEMA_VERSION);
		return r;
	}
	if (r != DBR_NOTFOUND)
		return r;
	if (!m->create) {
		slog_warnx("db: %s: no schema record: not a pald store",
		    m->home);
		return DBR_FATAL;
	}
	if ((r = walk_count(db, t, F_USERS, "", 1, &users, 0)) != DBR_OK)
		return r;
	if (users > 0) {
		slog_warnx("db: %s: accounts but no schema record", m->home);
		return DBR_FATAL;
	}
	if ((r = row_write(db, t, F_META, key, schema_fields, &now, 0)) !=
	    DBR_OK)
		return r;
	if ((r = seq_start(db, t, "seq:uid", PALD_UID_FIRST)) == DBR_OK)
		slog_info("db: %s: new store, schema version %d", m->home,
		    DB_SCHEMA_VERSION);
	return r == DBR_EXISTS ? DBR_OK : r;
}

int
db_open(struct db **dbp, const char *home, int flags)
{
	struct meta_arg	 m;
	struct db	*db;
	int		 r;

	*dbp = NULL;
	r = env_start(&db, home, flags);
	if (r == DBR_OK && !(flags & (DBO_LAZY | DBO_REMOTE))) {
		m.home = home;
		m.create = (flags & DBO_CREATE) != 0;
		r = txn_run(db, m.create ? TXN_WRITE : TXN_READ,
		    FM_META | FM_USERS, op_meta, &m);
	}
	if (r != DBR_OK) {
		db_close(db);
		return r == DBR_AGAIN ? DBR_AGAIN : DBR_FATAL;
	}
	*dbp = db;
	return DBR_OK;
}

/* op_schema - the stored schema version */
static int
op_schema(struct db *db, DB_TXN *t, void *arg)
{
	char		 key[DB_KEY_MAX], v[DB_SMALL_VAL];
	size_t		 n;
	long long	 ver;
	int		 r;

	fixed_fmt(key, sizeof(key), "schema");
	if ((r = row_get(db, t, F_META, key, v, sizeof(v), &n, 0)) !=
	    DBR_OK)
		return r;
	if ((ver = schema_read(v, n)) == -1 || ver > INT_MAX)
		return DBR_FATAL;
	*(int *)arg = (int)ver;
	return DBR_OK;
}

int
db_schema(struct db *db, int *version)
{
	return txn_run(db, TXN_READ, FM_META, op_schema, version);
}
