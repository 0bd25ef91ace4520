/*
 * store/db.c - the Berkeley DB 5.3 transactional store (see db.h).
 *
 * Owns the environment (open, recovery, failchk, checkpoint, DB_CONFIG),
 * the seven btree files and every record in them; the text of a value
 * is kv.c's, the password hashes pw.c's.
 *
 * Every operation is a function op_*(db, txn, arg) that txn_run() calls
 * inside a transaction of its own: DBR_OK commits, anything else aborts,
 * and a deadlock aborts and runs the operation again, DB_RETRIES times
 * at most, before DBR_AGAIN.  Reads run in DB_READ_COMMITTED
 * transactions, so they hold no lock longer than they look at a page
 * and are retried on deadlock like writes.  An operation makes DB calls
 * only: no file or network I/O, no sleeping, while a transaction is
 * open.  dbr() alone sorts BDB's return codes into DBR_*.  To keep
 * deadlocks rare, a writer visits the files in one order (meta, users,
 * nicks, buddies, blocks, offline, categories) and reads what it is
 * about to change with DB_RMW, so that no read lock is ever upgraded.
 *
 * Durability: DB_TXN_WRITE_NOSYNC.  A commit writes the log into the
 * kernel without fsync, so a committed change survives the death of any
 * pald process (the kernel has it), but a crash of the machine itself
 * can lose about the last second of commits.  Handles are closed with
 * DB_NOSYNC for the same reason: the log and the master's checkpoints
 * keep the files recoverable, and a child must not flush the shared
 * cache each time it exits.
 *
 * Processes: each opens its own handles.  Recovery (DBO_RECOVER) is for
 * one process alone, before any other has the environment open: pald's
 * master before it forks, or pald -R.  Children open without recovery;
 * failchk (db_failchk, DBO_FAILCHK) cleans up after processes that died
 * inside a transaction.  Liveness is kill(pid, 0), so a dead process's
 * pid reused before failchk runs keeps its locks until the next check.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../log.h"
#include "db.h"
#include "kv.h"

#define DB_RETRIES	3	/* runs after the first, on deadlock */
#define DB_THREADS	(PALD_MAX_SESSIONS + 256) /* processes in the env */
#define DB_KEY_MAX	48
#define DB_USER_VAL	2048	/* an escaped user record fits */
#define DB_IM_VAL	(PALD_IM_MAX * 3 + 128) /* an escaped offline IM */
#define DB_SMALL_VAL	128	/* schema, sequences, nick index */
#define DB_NUM_MAX	9999999999LL	/* ten digits in a key */

enum {
	F_META, F_USERS, F_NICKS, F_BUDDIES, F_BLOCKS, F_OFFLINE, F_CATS,
	F_COUNT
};

static const char *const db_files[F_COUNT] = {
	"meta.db", "users.db", "nicks.db", "buddies.db", "blocks.db",
	"offline.db", "categories.db"
};

struct db {
	DB_ENV		*env;
	DB		*f[F_COUNT];
};

/*
 * Written once into a new data home; BDB reads it when it creates the
 * environment, that is at each recovery (pald's start), so an edit takes
 * effect at the next restart.  Sized for PALD_DEF_MAX_CHILDREN (2000)
 * processes: each keeps 7 handle locks and 8 lockers for its life, and
 * a transaction takes a few dozen page locks at most (a cascade of
 * db_user_delete more).  The lock table and the log region (one file
 * name per open handle) grow within the region; the numbers below are
 * the starting estimate.  See pald(8) and the BDB reference guide.
 */
static const char db_config[] =
    "# DB_CONFIG of pald, written when the data home was created.\n"
    "# Read when the environment is created (at pald's start, which\n"
    "# recovers it): restart pald after a change.\n"
    "set_cachesize 0 33554432 1\n"
    "set_lg_bsize 1048576\n"
    "set_lg_max 10485760\n"
    "set_lg_regionmax 4194304\n"
    "set_lk_max_lockers 40000\n"
    "set_lk_max_locks 60000\n"
    "set_lk_max_objects 40000\n"
    "set_tx_max 4096\n"
    "set_flags DB_TXN_WRITE_NOSYNC\n";

/* The environment's callbacks. */
static void	 db_errcall(const DB_ENV *, const char *, const char *);
static void	 db_msgcall(const DB_ENV *, const char *);
static void	 db_event(DB_ENV *, u_int32_t, void *);
static int	 db_isalive(DB_ENV *, pid_t, db_threadid_t, u_int32_t);

/* dbr - a BDB return code as DBR_*; logs what needs an administrator */
static int
dbr(int r, const char *what)
{
	switch (r) {
	case 0:
		return DBR_OK;
	case DB_NOTFOUND:
	case DB_KEYEMPTY:
		return DBR_NOTFOUND;
	case DB_KEYEXIST:
		return DBR_EXISTS;
	case DB_LOCK_DEADLOCK:
	case DB_LOCK_NOTGRANTED:
		return DBR_AGAIN;
	case ENOMEM:
		/* lock table or transaction table full: sizes in DB_CONFIG */
		log_warnx("db: %s: %s", what, db_strerror(r));
		return DBR_AGAIN;
	case DB_RUNRECOVERY:
		log_warnx("db: %s: %s: the store needs recovery (pald -R)",
		    what, db_strerror(r));
		return DBR_FATAL;
	default:
		log_warnx("db: %s: %s", what, db_strerror(r));
		return DBR_FATAL;
	}
}

static void
db_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	log_warnx("db: %s", msg);
}

static void
db_msgcall(const DB_ENV *env, const char *msg)
{
	log_info("db: %s", msg);
}

/* db_event - a panic leaves nothing to do but recovery: say so and exit */
static void
db_event(DB_ENV *env, u_int32_t event, void *info)
{
	switch (event) {
	case DB_EVENT_PANIC:
		fatalx("db: the environment panicked: stop pald and recover "
		    "the store (pald -R)");
		/* NOTREACHED */
	case DB_EVENT_WRITE_FAILED:
		log_warnx("db: a write to the store failed");
		break;
	default:
		break;
	}
}

/* db_isalive - for failchk: is the process that held a slot still there */
static int
db_isalive(DB_ENV *env, pid_t pid, db_threadid_t tid, u_int32_t flags)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* fixed_fmt - a key or small value that cannot be too long; its length */
static size_t __attribute__((__format__(printf, 3, 4)))
fixed_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		fatalx("%s: \"%s\" too long", __func__, fmt);
	return (size_t)n;
}

/* txn_run - op in a transaction: commit on DBR_OK, else abort; retried */
static int
txn_run(struct db *db, int rdonly, int (*op)(struct db *, DB_TXN *, void *),
    void *arg)
{
	DB_TXN	*t;
	int	 i, r, e;

	for (i = 0; i <= DB_RETRIES; i++) {
		e = db->env->txn_begin(db->env, NULL, &t,
		    rdonly ? DB_READ_COMMITTED : 0);
		if ((r = dbr(e, "txn_begin")) != DBR_OK) {
			if (r == DBR_AGAIN)
				continue;
			return r;
		}
		if ((r = op(db, t, arg)) == DBR_OK)
			r = dbr(t->commit(t, 0), "commit");
		else if ((e = t->abort(t)) != 0)
			r = dbr(e, "abort");
		if (r != DBR_AGAIN)
			return r;
		log_debug("db: deadlock, %s", i < DB_RETRIES ? "retrying" :
		    "giving up");
	}
	log_warnx("db: transaction given up after %d deadlocks", i);
	return DBR_AGAIN;
}

/* dbt_set - a DBT over n bytes of s */
static void
dbt_set(DBT *d, char *s, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->data = s;
	d->size = (u_int32_t)n;
}

/* rec_get - key's value into val[0..cap) with a NUL; *len its length */
static int
rec_get(DB *d, DB_TXN *t, char *key, char *val, size_t cap, size_t *len,
    u_int32_t flags)
{
	DBT	 k, v;
	int	 r;

	dbt_set(&k, key, strlen(key));
	memset(&v, 0, sizeof(v));
	v.data = val;
	v.ulen = (u_int32_t)(cap - 1);
	v.flags = DB_DBT_USERMEM;
	if ((r = d->get(d, t, &k, &v, flags)) == DB_BUFFER_SMALL) {
		log_warnx("db: %s: record of %lu bytes too long", key,
		    (unsigned long)v.size);
		return DBR_FATAL;
	}
	if (r != 0)
		return dbr(r, "get");
	val[v.size] = '\0';
	if (len != NULL)
		*len = v.size;
	return DBR_OK;
}

/* rec_exists - DBR_OK if key is in d, DBR_NOTFOUND if not */
static int
rec_exists(DB *d, DB_TXN *t, char *key, u_int32_t flags)
{
	DBT	 k;

	dbt_set(&k, key, strlen(key));
	return dbr(d->exists(d, t, &k, flags), "exists");
}

/* rec_put - key -> val[0..n); flags DB_NOOVERWRITE gives DBR_EXISTS */
static int
rec_put(DB *d, DB_TXN *t, char *key, char *val, size_t n, u_int32_t flags)
{
	DBT	 k, v;

	dbt_set(&k, key, strlen(key));
	dbt_set(&v, val, n);
	return dbr(d->put(d, t, &k, &v, flags), "put");
}

/* rec_del - delete key; DBR_NOTFOUND if it was not there */
static int
rec_del(DB *d, DB_TXN *t, char *key)
{
	DBT	 k;

	dbt_set(&k, key, strlen(key));
	return dbr(d->del(d, t, &k, 0), "del");
}

/*
 * A walk over the records whose keys start with a prefix, in key order:
 * walk_open, walk_next while DBR_OK (w.k and w.v then hold the record,
 * valid until the next call), walk_close with the last result, which
 * turns the end of the range into DBR_OK and closes the cursor.
 */
struct walk {
	DBC		*c;
	DBT		 k, v;
	char		 pfx[DB_KEY_MAX];
	size_t		 plen;
	u_int32_t	 flags;		/* DB_RMW when the walk deletes */
	int		 started;
};

/* walk_open - a cursor for the records under pfx */
static int
walk_open(struct walk *w, DB *d, DB_TXN *t, const char *pfx,
    u_int32_t flags)
{
	memset(w, 0, sizeof(*w));
	if ((w->plen = strlcpy(w->pfx, pfx, sizeof(w->pfx))) >=
	    sizeof(w->pfx))
		fatalx("%s: prefix too long", __func__);
	w->flags = flags;
	return dbr(d->cursor(d, t, &w->c, 0), "cursor");
}

/* walk_next - the next record under the prefix, or DBR_NOTFOUND */
static int
walk_next(struct walk *w)
{
	int	 r;

	if (w->started)
		r = w->c->get(w->c, &w->k, &w->v, DB_NEXT | w->flags);
	else {
		w->started = 1;
		dbt_set(&w->k, w->pfx, w->plen);
		memset(&w->v, 0, sizeof(w->v));
		r = w->c->get(w->c, &w->k, &w->v,
		    (w->plen > 0 ? DB_SET_RANGE : DB_FIRST) | w->flags);
	}
	if (r != 0)
		return dbr(r, "cursor get");
	if (w->k.size < w->plen || memcmp(w->k.data, w->pfx, w->plen) != 0)
		return DBR_NOTFOUND;
	return DBR_OK;
}

/* walk_del - delete the record the walk is on */
static int
walk_del(struct walk *w)
{
	return dbr(w->c->del(w->c, 0), "cursor del");
}

/* walk_close - close the cursor; the end of the range is success */
static int
walk_close(struct walk *w, int r)
{
	int	 e;

	if (w->c != NULL) {
		e = w->c->close(w->c);
		w->c = NULL;
		if (e != 0 && (r == DBR_OK || r == DBR_NOTFOUND))
			r = dbr(e, "cursor close");
	}
	return r == DBR_NOTFOUND ? DBR_OK : r;
}

/* walk_count - records under pfx, up to max; DB_RMW before a write */
static int
walk_count(DB *d, DB_TXN *t, const char *pfx, int max, int *n,
    u_int32_t flags)
{
	struct walk	 w;
	int		 r;

	*n = 0;
	if ((r = walk_open(&w, d, t, pfx, flags)) != DBR_OK)
		return r;
	while (*n < max && (r = walk_next(&w)) == DBR_OK)
		(*n)++;
	return walk_close(&w, r);
}

/* key_num - the ten digits that end a key at off, or -1 */
static long long
key_num(const DBT *k, size_t off)
{
	const char	*errstr;
	char		 num[11];
	long long	 x;

	if (k->size != off + 10)
		return -1;
	memcpy(num, (const char *)k->data + off, 10);
	num[10] = '\0';
	if (num[0] < '0' || num[0] > '9')
		return -1;
	x = strtonum(num, 0, DB_NUM_MAX, &errstr);
	return errstr == NULL ? x : -1;
}

/* val_uid - the uid field of a value (nick index), or -1 */
static long long
val_uid(const char *v, size_t n)
{
	long long	 x;

	if (kv_version(v, n) != 1 || kv_getll(v, n, "uid", &x) != 0 ||
	    x < 1 || x > UINT32_MAX)
		return -1;
	return x;
}

/* seq_next - take the next number of a sequence in meta.db */
static int
seq_next(struct db *db, DB_TXN *t, const char *name, long long first,
    long long last, long long *out)
{
	struct kvbuf	 b;
	char		 key[DB_KEY_MAX], v[DB_SMALL_VAL];
	size_t		 n;
	long long	 next = first;
	int		 r;

	fixed_fmt(key, sizeof(key), "%s", name);
	r = rec_get(db->f[F_META], t, key, v, sizeof(v), &n, DB_RMW);
	if (r == DBR_OK && (kv_version(v, n) != 1 ||
	    kv_getll(v, n, "next", &next) != 0 || next < first)) {
		log_warnx("db: meta.db %s: bad record", name);
		return DBR_FATAL;
	}
	if (r != DBR_OK && r != DBR_NOTFOUND)
		return r;
	if (next > last) {
		log_warnx("db: meta.db %s: sequence used up", name);
		return DBR_FATAL;
	}
	kv_init(&b, v, sizeof(v), 1);
	kv_addll(&b, "next", next + 1);
	if (kv_len(&b) < 0)
		fatalx("%s: value too long", __func__);
	*out = next;
	return rec_put(db->f[F_META], t, key, v, b.len, 0);
}

/* Opening and closing. */

/* config_write - a first DB_CONFIG, put in place with link(2) */
static void
config_write(const char *home)
{
	char	 path[PATH_MAX], tmp[PATH_MAX];
	size_t	 len = sizeof(db_config) - 1;
	ssize_t	 w;
	int	 fd, n;

	n = snprintf(path, sizeof(path), "%s/DB_CONFIG", home);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	n = snprintf(tmp, sizeof(tmp), "%s/DB_CONFIG.%ld", home,
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp) || access(path, F_OK) == 0)
		return;
	/* a private name first, so nobody reads a half-written file */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		log_warn("%s", tmp);
		return;
	}
	if ((w = write(fd, db_config, len)) == -1 || (size_t)w != len) {
		log_warn("%s: write", tmp);
		(void)close(fd);
	} else if (close(fd) == -1)
		log_warn("%s: close", tmp);
	else if (link(tmp, path) == -1 && errno != EEXIST)
		log_warn("%s", path);
	if (unlink(tmp) == -1)
		log_warn("%s", tmp);
}

/* env_open - db->env, configured for failchk, opened on home */
static int
env_open(struct db *db, const char *home, int flags)
{
	DB_ENV		*env;
	u_int32_t	 f;
	int		 r;

	if ((r = db_env_create(&db->env, 0)) != 0)
		return dbr(r, "db_env_create");
	env = db->env;
	env->set_errcall(env, db_errcall);
	env->set_msgcall(env, db_msgcall);
	/* the thread table must exist from creation: every open sets it */
	if ((r = env->set_event_notify(env, db_event)) != 0 ||
	    (r = env->set_lk_detect(env, DB_LOCK_DEFAULT)) != 0 ||
	    (r = env->set_thread_count(env, DB_THREADS)) != 0 ||
	    (r = env->set_isalive(env, db_isalive)) != 0 ||
	    (r = env->set_flags(env, DB_TXN_WRITE_NOSYNC, 1)) != 0)
		return dbr(r, "environment settings");
	f = DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL |
	    DB_INIT_TXN;
	if (flags & DBO_RECOVER)
		f |= DB_RECOVER;
	if (flags & DBO_FAILCHK)
		f |= DB_FAILCHK;
	if ((r = env->open(env, home, f, 0600)) != 0) {
		log_warnx("db: %s: cannot open the environment: %s", home,
		    db_strerror(r));
		return r == DB_RUNRECOVERY ? DBR_FATAL : dbr(r, "env open");
	}
	return DBR_OK;
}

/* file_open - one of the btree files, created only with DBO_CREATE */
static int
file_open(struct db *db, const char *home, int i, int create)
{
	DB	*d;
	int	 r;

	if ((r = db_create(&db->f[i], db->env, 0)) != 0)
		return dbr(r, db_files[i]);
	d = db->f[i];
	if ((r = d->open(d, NULL, db_files[i], NULL, DB_BTREE,
	    DB_AUTO_COMMIT | (create ? DB_CREATE : 0), 0600)) != 0) {
		log_warnx("db: %s/%s: %s", home, db_files[i], db_strerror(r));
		(void)d->close(d, DB_NOSYNC);
		db->f[i] = NULL;
		return r == ENOENT ? DBR_NOTFOUND : dbr(r, db_files[i]);
	}
	return DBR_OK;
}

struct meta_arg {
	const char	*home;
	int		 create;
};

/* schema_read - the version of a schema record, or -1 */
static long long
schema_read(const char *v, size_t n)
{
	long long	 x;

	if (kv_version(v, n) < 1 || kv_getll(v, n, "version", &x) != 0 ||
	    x < 1)
		return -1;
	return x;
}

/* op_meta - check the schema; in a new store, write it and seq:uid */
static int
op_meta(struct db *db, DB_TXN *t, void *arg)
{
	struct meta_arg	*m = arg;
	char		 key[DB_KEY_MAX], v[DB_SMALL_VAL];
	size_t		 n;
	long long	 ver;
	int		 r, users;

	fixed_fmt(key, sizeof(key), "schema");
	r = rec_get(db->f[F_META], t, key, v, sizeof(v), &n,
	    m->create ? DB_RMW : 0);
	if (r == DBR_OK) {
		if ((ver = schema_read(v, n)) == -1) {
			log_warnx("db: %s: bad schema record", m->home);
			return DBR_FATAL;
		}
		if (ver > DB_SCHEMA_VERSION) {
			log_warnx("db: %s: the store has schema version %lld, "
			    "this program knows up to %d: use a newer pald",
			    m->home, ver, DB_SCHEMA_VERSION);
			return DBR_FATAL;
		}
		return DBR_OK;
	}
	if (r != DBR_NOTFOUND)
		return r;
	if (!m->create) {
		log_warnx("db: %s: no schema record: not a pald store",
		    m->home);
		return DBR_FATAL;
	}
	if ((r = walk_count(db->f[F_USERS], t, "", 1, &users, 0)) != DBR_OK)
		return r;
	if (users > 0) {
		log_warnx("db: %s: accounts but no schema record", m->home);
		return DBR_FATAL;
	}
	n = fixed_fmt(v, sizeof(v), "v1 version=%d", DB_SCHEMA_VERSION);
	if ((r = rec_put(db->f[F_META], t, key, v, n, 0)) != DBR_OK)
		return r;
	fixed_fmt(key, sizeof(key), "seq:uid");
	n = fixed_fmt(v, sizeof(v), "v1 next=%d", PALD_UID_FIRST);
	r = rec_put(db->f[F_META], t, key, v, n, DB_NOOVERWRITE);
	if (r == DBR_OK)
		log_info("db: %s: new store, schema version %d", m->home,
		    DB_SCHEMA_VERSION);
	return r == DBR_EXISTS ? DBR_OK : r;
}

/* version_ok - the library is the one the headers describe */
static int
version_ok(void)
{
	int	 major, minor, patch;

	(void)db_version(&major, &minor, &patch);
	if (major == DB_VERSION_MAJOR && minor == DB_VERSION_MINOR)
		return 1;
	log_warnx("db: library version %d.%d.%d, but built for %d.%d", major,
	    minor, patch, DB_VERSION_MAJOR, DB_VERSION_MINOR);
	return 0;
}

int
db_open(struct db **dbp, const char *home, int flags)
{
	struct meta_arg	 m;
	struct db	*db;
	struct stat	 st;
	int		 i, r;

	*dbp = NULL;
	if (!version_ok())
		return DBR_FATAL;
	if (stat(home, &st) == -1) {
		log_warn("db: %s", home);
		return DBR_FATAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warnx("db: %s: not a directory", home);
		return DBR_FATAL;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		log_warn("%s", __func__);
		return DBR_FATAL;
	}
	if (flags & (DBO_CREATE | DBO_RECOVER))
		config_write(home);
	r = env_open(db, home, flags);
	for (i = 0; i < F_COUNT && r == DBR_OK; i++)
		r = file_open(db, home, i, flags & DBO_CREATE);
	if (r == DBR_OK) {
		m.home = home;
		m.create = (flags & DBO_CREATE) != 0;
		r = txn_run(db, !m.create, op_meta, &m);
	}
	if (r != DBR_OK) {
		db_close(db);
		return r == DBR_AGAIN ? DBR_AGAIN : DBR_FATAL;
	}
	*dbp = db;
	return DBR_OK;
}

void
db_close(struct db *db)
{
	int	 i, r;

	if (db == NULL)
		return;
	for (i = F_COUNT - 1; i >= 0; i--)
		if (db->f[i] != NULL &&
		    (r = db->f[i]->close(db->f[i], DB_NOSYNC)) != 0)
			(void)dbr(r, db_files[i]);
	if (db->env != NULL && (r = db->env->close(db->env, 0)) != 0)
		(void)dbr(r, "env close");
	free(db);
}

int
db_failchk(struct db *db)
{
	return dbr(db->env->failchk(db->env, 0), "failchk");
}

int
db_checkpoint(struct db *db)
{
	int	 r;

	if ((r = dbr(db->env->txn_checkpoint(db->env, 0, 0, 0),
	    "checkpoint")) != DBR_OK)
		return r;
	return dbr(db->env->log_archive(db->env, NULL, DB_ARCH_REMOVE),
	    "log_archive");
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
	if ((r = rec_get(db->f[F_META], t, key, v, sizeof(v), &n, 0)) !=
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
	return txn_run(db, 1, op_schema, version);
}

/* Users. */

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

/* user_enc - the users.db value of u */
static int
user_enc(const struct user *u, char *buf, size_t cap, size_t *len)
{
	struct kvbuf	 b;
	char		 p[2];

	p[0] = u->privacy == 'T' || u->privacy == 'P' ? u->privacy : 'A';
	p[1] = '\0';
	kv_init(&b, buf, cap, 1);
	kv_addn(&b, "nick", u->nick, strnlen(u->nick, sizeof(u->nick)));
	kv_addn(&b, "hash", u->hash, strnlen(u->hash, sizeof(u->hash)));
	kv_addn(&b, "first", u->first, strnlen(u->first, sizeof(u->first)));
	kv_addn(&b, "last", u->last, strnlen(u->last, sizeof(u->last)));
	kv_addn(&b, "email", u->email, strnlen(u->email, sizeof(u->email)));
	kv_addll(&b, "admin", u->admin);
	kv_addll(&b, "flags", u->flags);
	kv_add(&b, "privacy", p);
	kv_addll(&b, "created", u->created);
	kv_addll(&b, "lastlogin", u->lastlogin);
	if (kv_len(&b) < 0)
		return -1;
	*len = b.len;
	return 0;
}

/* user_str - an optional text field: absent is empty, too long is bad */
static int
user_str(const char *v, size_t n, const char *key, char *out, size_t cap)
{
	int	 r;

	if ((r = kv_get(v, n, key, out, cap)) == -1)
		out[0] = '\0';
	return r == -2 ? -1 : 0;
}

/* user_num - an optional number field within lo..hi, else def */
static long long
user_num(const char *v, size_t n, const char *key, long long lo,
    long long hi, long long def)
{
	long long	 x;

	if (kv_getll(v, n, key, &x) != 0 || x < lo || x > hi)
		return def;
	return x;
}

/* user_dec - a users.db value of version 1; unknown fields ignored */
static int
user_dec(uint32_t uid, const char *v, size_t n, struct user *u)
{
	char	 p[4];
	int	 ver;

	memset(u, 0, sizeof(*u));
	if ((ver = kv_version(v, n)) != 1) {
		log_warnx("db: users.db %010u: record version %d unknown", uid,
		    ver);
		return DBR_FATAL;
	}
	if (kv_get(v, n, "nick", u->nick, sizeof(u->nick)) <= 0 ||
	    user_str(v, n, "hash", u->hash, sizeof(u->hash)) == -1 ||
	    user_str(v, n, "first", u->first, sizeof(u->first)) == -1 ||
	    user_str(v, n, "last", u->last, sizeof(u->last)) == -1 ||
	    user_str(v, n, "email", u->email, sizeof(u->email)) == -1) {
		log_warnx("db: users.db %010u: bad record", uid);
		return DBR_FATAL;
	}
	u->uid = uid;
	u->admin = (int)user_num(v, n, "admin", 0, 3, 0);
	u->flags = (unsigned)user_num(v, n, "flags", 0, UINT_MAX, 0);
	u->privacy = 'A';
	if (kv_get(v, n, "privacy", p, sizeof(p)) == 1 &&
	    (p[0] == 'T' || p[0] == 'P'))
		u->privacy = p[0];
	u->created = user_num(v, n, "created", INT64_MIN, INT64_MAX, 0);
	u->lastlogin = user_num(v, n, "lastlogin", INT64_MIN, INT64_MAX, 0);
	return DBR_OK;
}

/* user_read - the user record of uid */
static int
user_read(struct db *db, DB_TXN *t, uint32_t uid, struct user *u,
    u_int32_t flags)
{
	char	 key[DB_KEY_MAX], v[DB_USER_VAL];
	size_t	 n;
	int	 r;

	fixed_fmt(key, sizeof(key), "%010u", uid);
	if ((r = rec_get(db->f[F_USERS], t, key, v, sizeof(v), &n, flags)) !=
	    DBR_OK)
		return r;
	r = user_dec(uid, v, n, u);
	explicit_bzero(v, sizeof(v));
	return r;
}

/* user_write - u's users.db record; flags DB_NOOVERWRITE for a new one */
static int
user_write(struct db *db, DB_TXN *t, const struct user *u, u_int32_t flags)
{
	char	 key[DB_KEY_MAX], v[DB_USER_VAL];
	size_t	 n;
	int	 r;

	if (user_enc(u, v, sizeof(v), &n) == -1)
		fatalx("%s: record too long", __func__);
	fixed_fmt(key, sizeof(key), "%010u", u->uid);
	r = rec_put(db->f[F_USERS], t, key, v, n, flags);
	explicit_bzero(v, sizeof(v));
	return r;
}

/* nick_read - the uid nicks.db gives for a nickname key */
static int
nick_read(struct db *db, DB_TXN *t, char *key, uint32_t *uid)
{
	char		 v[DB_SMALL_VAL];
	size_t		 n;
	long long	 x;
	int		 r;

	if ((r = rec_get(db->f[F_NICKS], t, key, v, sizeof(v), &n, 0)) !=
	    DBR_OK)
		return r;
	if ((x = val_uid(v, n)) == -1) {
		log_warnx("db: nicks.db %s: bad record", key);
		return DBR_FATAL;
	}
	*uid = (uint32_t)x;
	return DBR_OK;
}

/* nick_write - the nicks.db record of key, refused if taken */
static int
nick_write(struct db *db, DB_TXN *t, char *key, uint32_t uid)
{
	char	 v[DB_SMALL_VAL];
	size_t	 n;

	n = fixed_fmt(v, sizeof(v), "v1 uid=%u", uid);
	return rec_put(db->f[F_NICKS], t, key, v, n, DB_NOOVERWRITE);
}

/* user_ok - what a stored user must satisfy */
static int
user_ok(const struct user *u)
{
	return strnlen(u->nick, sizeof(u->nick)) < sizeof(u->nick) &&
	    db_nick_valid(u->nick) && u->admin >= 0 && u->admin <= 3;
}

struct user_arg {
	uint32_t	 uid;
	const char	*nick;
	struct user	*u;
	const struct user *cu;
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

	return txn_run(db, 1, op_user_get, &a);
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
		log_warnx("db: nicks.db %s: uid %u has no account", key, uid);
		return DBR_FATAL;
	}
	return r;
}

int
db_user_by_nick(struct db *db, const char *nick, struct user *u)
{
	struct user_arg	 a = { .nick = nick, .u = u };

	return txn_run(db, 1, op_user_by_nick, &a);
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
		log_warnx("db: users.db: uid %u exists: seq:uid is behind",
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

	if (!user_ok(u))
		return DBR_LIMIT;
	u->created = time(NULL);
	if ((r = txn_run(db, 0, op_user_create, u)) != DBR_OK)
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
	    (r = rec_del(db->f[F_NICKS], t, okey)) == DBR_NOTFOUND)
		r = DBR_OK;
	if (r == DBR_OK)
		r = user_write(db, t, u, 0);
	explicit_bzero(&old, sizeof(old));
	return r;
}

int
db_user_put(struct db *db, const struct user *u)
{
	if (!user_ok(u))
		return DBR_LIMIT;
	return txn_run(db, 0, op_user_put, (void *)(uintptr_t)u);
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
	if (!user_ok(u) || u->uid == 0 || u->uid >= PALD_UID_FIRST)
		return DBR_LIMIT;
	return txn_run(db, 0, op_user_reserve, (void *)(uintptr_t)u);
}

/* buddies_purge - every buddy record of uid, both ways, with mirrors */
static int
buddies_purge(struct db *db, DB_TXN *t, uint32_t uid)
{
	struct walk	 w;
	DB		*d = db->f[F_BUDDIES];
	char		 pfx[DB_KEY_MAX], key[DB_KEY_MAX];
	long long	 other;
	int		 has, r;

	for (has = 1; has >= 0; has--) {
		fixed_fmt(pfx, sizeof(pfx), has ? "has:%010u:" : "of:%010u:",
		    uid);
		if ((r = walk_open(&w, d, t, pfx, DB_RMW)) != DBR_OK)
			return r;
		while ((r = walk_next(&w)) == DBR_OK) {
			if ((other = key_num(&w.k, w.plen)) != -1) {
				fixed_fmt(key, sizeof(key), has ?
				    "of:%010lld:%010u" : "has:%010lld:%010u",
				    other, uid);
				r = rec_del(d, t, key);
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

/* prefix_purge - every record of d whose key starts with pfx */
static int
prefix_purge(DB *d, DB_TXN *t, const char *pfx)
{
	struct walk	 w;
	int		 r;

	if ((r = walk_open(&w, d, t, pfx, DB_RMW)) != DBR_OK)
		return r;
	while ((r = walk_next(&w)) == DBR_OK)
		if ((r = walk_del(&w)) != DBR_OK)
			break;
	return walk_close(&w, r);
}

/*
 * blocks_purge - blocks by uid, then blocks of uid.  blocks.db has no
 * reverse index (db.h), so the second part reads the whole file: only
 * an account's deletion does that.
 */
static int
blocks_purge(struct db *db, DB_TXN *t, uint32_t uid)
{
	struct walk	 w;
	char		 pfx[DB_KEY_MAX];
	int		 r;

	fixed_fmt(pfx, sizeof(pfx), "%010u:", uid);
	if ((r = prefix_purge(db->f[F_BLOCKS], t, pfx)) != DBR_OK)
		return r;
	if ((r = walk_open(&w, db->f[F_BLOCKS], t, "", 0)) != DBR_OK)
		return r;
	while ((r = walk_next(&w)) == DBR_OK)
		if (key_num(&w.k, 11) == uid && (r = walk_del(&w)) != DBR_OK)
			break;
	return walk_close(&w, r);
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
	if ((r = rec_del(db->f[F_NICKS], t, key)) != DBR_OK &&
	    r != DBR_NOTFOUND)
		return r;
	fixed_fmt(key, sizeof(key), "%010u", uid);
	if ((r = rec_del(db->f[F_USERS], t, key)) != DBR_OK ||
	    (r = buddies_purge(db, t, uid)) != DBR_OK ||
	    (r = blocks_purge(db, t, uid)) != DBR_OK)
		return r;
	fixed_fmt(key, sizeof(key), "%010u:", uid);
	return prefix_purge(db->f[F_OFFLINE], t, key);
}

int
db_user_delete(struct db *db, uint32_t uid)
{
	return txn_run(db, 0, op_user_delete, &uid);
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
	char		 key[DB_KEY_MAX];
	long long	 uid;
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
	if ((r = walk_open(&w, db->f[F_NICKS], t, key, 0)) != DBR_OK)
		return r;
	while (a->n < a->max && (r = walk_next(&w)) == DBR_OK) {
		if ((uid = val_uid(w.v.data, w.v.size)) == -1)
			continue;
		r = user_read(db, t, (uint32_t)uid, &a->out[a->n], 0);
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
	int		 r;

	if (max <= 0)
		return 0;
	if ((r = txn_run(db, 1, op_search, &a)) != DBR_OK)
		return DBR_FATAL;
	return a.n;
}

/* Buddies and blocks: the same code over two layouts. */

enum { PAIR_BUDDY, PAIR_BLOCK };

struct pair_arg {
	int		 kind;
	uint32_t	 owner, other;
	int		 reverse;	/* list: buddy_of */
	uint32_t	*out;
	int		 max, n;
};

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
	DB		*d = db->f[p->kind == PAIR_BLOCK ? F_BLOCKS : F_BUDDIES];
	char		 key[DB_KEY_MAX], v[] = "v1";
	int		 n, r;

	fixed_fmt(key, sizeof(key), "%010u", p->other);
	if ((r = rec_exists(db->f[F_USERS], t, key, 0)) != DBR_OK)
		return r;
	pair_key(p->kind, 0, p->owner, p->other, key, sizeof(key));
	if ((r = rec_exists(d, t, key, DB_RMW)) != DBR_NOTFOUND)
		return r;
	pair_key(p->kind, 0, p->owner, -1, key, sizeof(key));
	if ((r = walk_count(d, t, key, PALD_BUDDIES_MAX, &n, DB_RMW)) != DBR_OK)
		return r;
	if (n >= PALD_BUDDIES_MAX)
		return DBR_LIMIT;
	pair_key(p->kind, 0, p->owner, p->other, key, sizeof(key));
	if ((r = rec_put(d, t, key, v, 2, 0)) != DBR_OK ||
	    p->kind == PAIR_BLOCK)
		return r;
	pair_key(p->kind, 1, p->other, p->owner, key, sizeof(key));
	return rec_put(d, t, key, v, 2, 0);
}

/* op_pair_del - remove a record and its mirror; absent is success */
static int
op_pair_del(struct db *db, DB_TXN *t, void *arg)
{
	struct pair_arg	*p = arg;
	DB		*d = db->f[p->kind == PAIR_BLOCK ? F_BLOCKS : F_BUDDIES];
	char		 key[DB_KEY_MAX];
	int		 r;

	pair_key(p->kind, 0, p->owner, p->other, key, sizeof(key));
	if ((r = rec_del(d, t, key)) != DBR_OK && r != DBR_NOTFOUND)
		return r;
	if (p->kind == PAIR_BLOCK)
		return DBR_OK;
	pair_key(p->kind, 1, p->other, p->owner, key, sizeof(key));
	r = rec_del(d, t, key);
	return r == DBR_NOTFOUND ? DBR_OK : r;
}

/* op_pair_list - the uids under owner's prefix, ascending */
static int
op_pair_list(struct db *db, DB_TXN *t, void *arg)
{
	struct pair_arg	*p = arg;
	DB		*d = db->f[p->kind == PAIR_BLOCK ? F_BLOCKS : F_BUDDIES];
	struct walk	 w;
	char		 pfx[DB_KEY_MAX];
	long long	 uid;
	int		 r;

	p->n = 0;
	pair_key(p->kind, p->reverse, p->owner, -1, pfx, sizeof(pfx));
	if ((r = walk_open(&w, d, t, pfx, 0)) != DBR_OK)
		return r;
	while (p->n < p->max && (r = walk_next(&w)) == DBR_OK)
		if ((uid = key_num(&w.k, w.plen)) >= 1 && uid <= UINT32_MAX)
			p->out[p->n++] = (uint32_t)uid;
	return walk_close(&w, r);
}

/* pair_list - a list operation's count, or DBR_FATAL */
static int
pair_list(struct db *db, int kind, int reverse, uint32_t owner,
    uint32_t *out, int max)
{
	struct pair_arg	 p = { kind, owner, 0, reverse, out, max, 0 };

	if (max <= 0)
		return 0;
	if (txn_run(db, 1, op_pair_list, &p) != DBR_OK)
		return DBR_FATAL;
	return p.n;
}

int
db_buddy_add(struct db *db, uint32_t owner, uint32_t buddy)
{
	struct pair_arg	 p = { PAIR_BUDDY, owner, buddy, 0, NULL, 0, 0 };

	return txn_run(db, 0, op_pair_add, &p);
}

int
db_buddy_del(struct db *db, uint32_t owner, uint32_t buddy)
{
	struct pair_arg	 p = { PAIR_BUDDY, owner, buddy, 0, NULL, 0, 0 };

	return txn_run(db, 0, op_pair_del, &p);
}

int
db_buddy_list(struct db *db, uint32_t owner, uint32_t *out, int max)
{
	return pair_list(db, PAIR_BUDDY, 0, owner, out, max);
}

int
db_buddy_of(struct db *db, uint32_t buddy, uint32_t *out, int max)
{
	return pair_list(db, PAIR_BUDDY, 1, buddy, out, max);
}

int
db_block_add(struct db *db, uint32_t owner, uint32_t target)
{
	struct pair_arg	 p = { PAIR_BLOCK, owner, target, 0, NULL, 0, 0 };

	return txn_run(db, 0, op_pair_add, &p);
}

int
db_block_del(struct db *db, uint32_t owner, uint32_t target)
{
	struct pair_arg	 p = { PAIR_BLOCK, owner, target, 0, NULL, 0, 0 };

	return txn_run(db, 0, op_pair_del, &p);
}

int
db_block_list(struct db *db, uint32_t owner, uint32_t *out, int max)
{
	return pair_list(db, PAIR_BLOCK, 0, owner, out, max);
}

static int
op_blocks(struct db *db, DB_TXN *t, void *arg)
{
	struct pair_arg	*p = arg;
	char		 key[DB_KEY_MAX];

	pair_key(PAIR_BLOCK, 0, p->owner, p->other, key, sizeof(key));
	return rec_exists(db->f[F_BLOCKS], t, key, 0);
}

int
db_blocks(struct db *db, uint32_t owner, uint32_t target)
{
	struct pair_arg	 p = { PAIR_BLOCK, owner, target, 0, NULL, 0, 0 };

	switch (txn_run(db, 1, op_blocks, &p)) {
	case DBR_OK:
		return 1;
	case DBR_NOTFOUND:
		return 0;
	default:
		return DBR_FATAL;
	}
}

/* Offline IMs. */

struct offline_arg {
	uint32_t	 to, from;
	int64_t		 time;
	const char	*text;
	size_t		 len;
	uint64_t	 seq;
	struct offline	*out;
	int		 max, n;
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
	if ((r = rec_exists(db->f[F_USERS], t, key, 0)) != DBR_OK)
		return r;
	fixed_fmt(key, sizeof(key), "%010u:", o->to);
	if ((r = walk_count(db->f[F_OFFLINE], t, key, PALD_OFFLINE_MAX,
	    &n, DB_RMW)) != DBR_OK)
		return r;
	if (n >= PALD_OFFLINE_MAX)
		return DBR_LIMIT;
	if ((v = malloc(DB_IM_VAL)) == NULL) {
		log_warn("%s", __func__);
		return DBR_FATAL;
	}
	kv_init(&b, v, DB_IM_VAL, 1);
	kv_addll(&b, "from", o->from);
	kv_addll(&b, "time", o->time);
	kv_addn(&b, "text", o->text, o->len);
	if (kv_len(&b) < 0)
		fatalx("%s: value too long", __func__);
	fixed_fmt(key, sizeof(key), "%010u:%010lld", o->to, seq);
	r = rec_put(db->f[F_OFFLINE], t, key, v, b.len, DB_NOOVERWRITE);
	explicit_bzero(v, DB_IM_VAL);
	free(v);
	return r;
}

int
db_offline_put(struct db *db, uint32_t to, uint32_t from, int64_t when,
    const char *text, size_t len)
{
	struct offline_arg o;

	if (len > PALD_IM_MAX)
		return DBR_LIMIT;
	memset(&o, 0, sizeof(o));
	o.to = to;
	o.from = from;
	o.time = when;
	o.text = text;
	o.len = len;
	return txn_run(db, 0, op_offline_put, &o);
}

/* offline_dec - one offline.db record; a bad text is delivered empty */
static void
offline_dec(const DBT *k, const DBT *v, struct offline *m)
{
	const char	*s = v->data;
	long long	 x;
	int		 n;

	memset(m, 0, sizeof(*m));
	m->seq = (uint64_t)key_num(k, 11);
	if (kv_version(s, v->size) != 1)
		log_warnx("db: offline.db %.*s: unknown version", (int)k->size,
		    (const char *)k->data);
	if (kv_getll(s, v->size, "from", &x) == 0 && x >= 0 &&
	    x <= UINT32_MAX)
		m->from = (uint32_t)x;
	if (kv_getll(s, v->size, "time", &x) == 0)
		m->time = x;
	if ((n = kv_get(s, v->size, "text", m->text, sizeof(m->text))) < 0) {
		log_warnx("db: offline.db %.*s: bad text", (int)k->size,
		    (const char *)k->data);
		n = 0;
		m->text[0] = '\0';
	}
	m->len = (size_t)n;
}

/* op_offline_list - the oldest max IMs for o->to */
static int
op_offline_list(struct db *db, DB_TXN *t, void *arg)
{
	struct offline_arg *o = arg;
	struct walk	 w;
	char		 pfx[DB_KEY_MAX];
	int		 r;

	o->n = 0;
	fixed_fmt(pfx, sizeof(pfx), "%010u:", o->to);
	if ((r = walk_open(&w, db->f[F_OFFLINE], t, pfx, 0)) != DBR_OK)
		return r;
	while (o->n < o->max && (r = walk_next(&w)) == DBR_OK)
		if (key_num(&w.k, w.plen) >= 0)
			offline_dec(&w.k, &w.v, &o->out[o->n++]);
	return walk_close(&w, r);
}

int
db_offline_list(struct db *db, uint32_t to, struct offline *out, int max)
{
	struct offline_arg o;

	if (max <= 0)
		return 0;
	memset(&o, 0, sizeof(o));
	o.to = to;
	o.out = out;
	o.max = max;
	if (txn_run(db, 1, op_offline_list, &o) != DBR_OK)
		return DBR_FATAL;
	return o.n;
}

static int
op_offline_del(struct db *db, DB_TXN *t, void *arg)
{
	struct offline_arg *o = arg;
	char		 key[DB_KEY_MAX];

	if (o->seq > DB_NUM_MAX)
		return DBR_NOTFOUND;
	fixed_fmt(key, sizeof(key), "%010u:%010llu", o->to,
	    (unsigned long long)o->seq);
	return rec_del(db->f[F_OFFLINE], t, key);
}

int
db_offline_del(struct db *db, uint32_t to, uint64_t seq)
{
	struct offline_arg o;

	memset(&o, 0, sizeof(o));
	o.to = to;
	o.seq = seq;
	return txn_run(db, 0, op_offline_del, &o);
}

/* Categories. */

struct cat_arg {
	struct category	*c;
	int		 max, n;
};

/* op_cat_list - categories in code order; also counts them for seed */
static int
op_cat_list(struct db *db, DB_TXN *t, void *arg)
{
	struct cat_arg	*a = arg;
	struct category	*c;
	struct walk	 w;
	long long	 code;
	int		 r;

	a->n = 0;
	if ((r = walk_open(&w, db->f[F_CATS], t, "", 0)) != DBR_OK)
		return r;
	while (a->n < a->max && (r = walk_next(&w)) == DBR_OK) {
		if ((code = key_num(&w.k, 0)) < 1 || code > UINT32_MAX)
			continue;
		c = &a->c[a->n];
		c->code = (uint32_t)code;
		if (kv_version(w.v.data, w.v.size) == 1 &&
		    kv_get(w.v.data, w.v.size, "name", c->name,
		    sizeof(c->name)) > 0)
			a->n++;
	}
	return walk_close(&w, r);
}

int
db_category_list(struct db *db, struct category *out, int max)
{
	struct cat_arg	 a = { out, max, 0 };

	if (max <= 0)
		return 0;
	if (txn_run(db, 1, op_cat_list, &a) != DBR_OK)
		return DBR_FATAL;
	return a.n;
}

/* cat_line - "code name" from a seed line; 1, 0 to skip it, -1 if bad */
static int
cat_line(char *line, struct category *c)
{
	const char	*errstr;
	char		*p, *name, *end;
	size_t		 n;

	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '#' || *p == '\0' || *p == '\n' || *p == '\r')
		return 0;
	if ((name = strpbrk(p, " \t")) == NULL)
		return -1;
	*name++ = '\0';
	c->code = (uint32_t)strtonum(p, 1, UINT32_MAX, &errstr);
	if (errstr != NULL)
		return -1;
	while (*name == ' ' || *name == '\t')
		name++;
	n = strcspn(name, "\r\n");
	for (end = name + n; end > name && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		;
	*end = '\0';
	if (*name == '\0' || strlcpy(c->name, name, sizeof(c->name)) >=
	    sizeof(c->name))
		return -1;
	return 1;
}

/* cat_read - the seed file into a; DBR_NOTFOUND if it cannot be read */
static int
cat_read(const char *path, struct cat_arg *a)
{
	FILE	*fp;
	char	 line[512];
	int	 lineno = 0, r;

	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return DBR_NOTFOUND;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			log_warnx("%s:%d: line too long", path, lineno);
			while (fgets(line, sizeof(line), fp) != NULL &&
			    strchr(line, '\n') == NULL)
				;
			continue;
		}
		if ((r = cat_line(line, &a->c[a->n])) == -1)
			log_warnx("%s:%d: not a category line", path, lineno);
		else if (r == 1 && a->n == a->max)
			log_warnx("%s:%d: more than %d categories", path,
			    lineno, a->max);
		else if (r == 1)
			a->n++;
	}
	r = ferror(fp) ? DBR_NOTFOUND : DBR_OK;
	if (r != DBR_OK)
		log_warn("%s", path);
	(void)fclose(fp);
	return r;
}

/* op_cat_seed - write the categories read, if the store still has none */
static int
op_cat_seed(struct db *db, DB_TXN *t, void *arg)
{
	struct cat_arg	*a = arg;
	struct kvbuf	 b;
	char		 key[DB_KEY_MAX], v[PALD_NAME_MAX * 3 + 16];
	int		 i, n, r;

	if ((r = walk_count(db->f[F_CATS], t, "", 1, &n, DB_RMW)) != DBR_OK)
		return r;
	if (n > 0) {
		a->n = 0;
		return DBR_OK;
	}
	for (i = 0; i < a->n; i++) {
		kv_init(&b, v, sizeof(v), 1);
		kv_add(&b, "name", a->c[i].name);
		if (kv_len(&b) < 0)
			fatalx("%s: value too long", __func__);
		fixed_fmt(key, sizeof(key), "%010u", a->c[i].code);
		if ((r = rec_put(db->f[F_CATS], t, key, v, b.len, 0)) !=
		    DBR_OK)
			return r;
	}
	return DBR_OK;
}

int
db_category_seed(struct db *db, const char *path)
{
	struct category	 one;
	struct cat_arg	 a = { &one, 1, 0 };
	int		 r;

	/* seeded already: the file is not needed */
	if ((r = txn_run(db, 1, op_cat_list, &a)) != DBR_OK || a.n > 0)
		return r;
	a.max = PALD_CATEGORIES_MAX;
	if ((a.c = calloc((size_t)a.max, sizeof(*a.c))) == NULL) {
		log_warn("%s", __func__);
		return DBR_FATAL;
	}
	if ((r = cat_read(path, &a)) == DBR_OK &&
	    (r = txn_run(db, 0, op_cat_seed, &a)) == DBR_OK && a.n > 0)
		log_info("%s: %d categories seeded", path, a.n);
	free(a.c);
	return r;
}
