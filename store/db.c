/*
 * store/db.c - the Berkeley DB 5.3 transactional store (see db.h).
 *
 * Every operation runs inside txn_run(): begin, do, commit; a deadlock or
 * lock timeout aborts and retries up to RETRIES times, then DBR_AGAIN.
 * One function, classify(), sorts BDB's return codes.  Keys and values
 * are text (kv.h), so db_dump -p shows them and db_load -T loads them.
 *
 * Durability: DB_TXN_WRITE_NOSYNC.  A committed write survives any crash
 * of pald's processes (the log is in the OS's hands); a crash of the
 * machine itself can lose the last second of commits.
 *
 * Each process opens its own environment handle.  Recovery (DBO_RECOVER)
 * is for one process alone, before any other opens the environment: the
 * master at start, or pald -R at boot for inetd sites.  failchk cleans up
 * after processes that died holding locks or transactions.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <db.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../log.h"
#include "db.h"
#include "kv.h"

#define RETRIES		3
#define VALMAX		(PALD_IM_MAX * 3 + 512)	/* an escaped IM fits */
#define THREADS		16384			/* processes in the env */
#define REVERSE_LIMIT	100000			/* buddy records scanned on delete */

static int	 db_blocks_purge(struct db *, DB_TXN *, uint32_t);

struct db {
	DB_ENV		*env;
	DB		*meta, *users, *nicks, *buddies, *blocks, *offline;
	DB		*cats;
};

static const char dbconfig[] =
    "# Written by pald on first start; see pald(8).\n"
    "set_cachesize 0 16777216 1\n"
    "set_lg_bsize 1048576\n"
    "set_lg_max 10485760\n"
    "set_lg_regionmax 1048576\n"
    "set_lk_max_lockers 60000\n"
    "set_lk_max_locks 60000\n"
    "set_lk_max_objects 60000\n"
    "set_tx_max 4096\n";

/* classify - BDB's answer as a DBR_* code */
static int
classify(int r, const char *what)
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
errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	log_warnx("db: %s", msg);
}

static void
msgcall(const DB_ENV *env, const char *msg)
{
	log_info("db: %s", msg);
}

static void
event(DB_ENV *env, u_int32_t ev, void *info)
{
	if (ev == DB_EVENT_PANIC)
		fatalx("db: the environment panicked; run pald -R");
}

static int
isalive(DB_ENV *env, pid_t pid, db_threadid_t tid, u_int32_t flags)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* txn_run - fn(db, txn, arg) in a transaction, retried on deadlock */
static int
txn_run(struct db *db, int (*fn)(struct db *, DB_TXN *, void *), void *arg)
{
	DB_TXN	*t;
	int	 r, c, i;

	for (i = 0; i < RETRIES; i++) {
		if ((r = db->env->txn_begin(db->env, NULL, &t, 0)) != 0)
			return classify(r, "txn_begin");
		r = fn(db, t, arg);
		if (r == DBR_OK || r == DBR_NOTFOUND) {
			if ((c = classify(t->commit(t, 0), "commit")) ==
			    DBR_AGAIN)
				continue;
			return c == DBR_OK ? r : c;
		}
		(void)t->abort(t);
		if (r != DBR_AGAIN)
			return r;
	}
	log_warnx("db: transaction gave up after %d deadlocks", RETRIES);
	return DBR_AGAIN;
}

/* get - a text value; *len its length, NUL-terminated in val */
static int
get(DB *d, DB_TXN *t, const char *key, char *val, size_t cap, size_t *len)
{
	DBT	 k, v;
	int	 r;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)(uintptr_t)key;
	k.size = (u_int32_t)strlen(key);
	v.data = val;
	v.ulen = (u_int32_t)(cap - 1);
	v.flags = DB_DBT_USERMEM;
	if ((r = d->get(d, t, &k, &v, DB_RMW)) != 0)
		return classify(r, "get");
	val[v.size] = '\0';
	if (len != NULL)
		*len = v.size;
	return DBR_OK;
}

static int
put(DB *d, DB_TXN *t, const char *key, const char *val, size_t n,
    int nooverwrite)
{
	DBT	 k, v;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)(uintptr_t)key;
	k.size = (u_int32_t)strlen(key);
	v.data = (void *)(uintptr_t)val;
	v.size = (u_int32_t)n;
	return classify(d->put(d, t, &k, &v, nooverwrite ? DB_NOOVERWRITE : 0),
	    "put");
}

static int
del(DB *d, DB_TXN *t, const char *key)
{
	DBT	 k;

	memset(&k, 0, sizeof(k));
	k.data = (void *)(uintptr_t)key;
	k.size = (u_int32_t)strlen(key);
	return classify(d->del(d, t, &k, 0), "del");
}

/*
 * scan - every record whose key starts with prefix, in key order:
 * cb(arg, key, klen, val, vlen) returns 0 to go on, 1 to stop.
 */
static int
scan(DB *d, DB_TXN *t, const char *prefix,
    int (*cb)(void *, const char *, size_t, const char *, size_t), void *arg)
{
	DBC	*c;
	DBT	 k, v;
	size_t	 pl = strlen(prefix);
	u_int32_t flag = DB_SET_RANGE;
	int	 r, e;

	if ((r = d->cursor(d, t, &c, 0)) != 0)
		return classify(r, "cursor");
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)(uintptr_t)prefix;
	k.size = (u_int32_t)pl;
	for (;;) {
		if ((r = c->get(c, &k, &v, flag)) != 0)
			break;
		flag = DB_NEXT;
		if (k.size < pl || memcmp(k.data, prefix, pl) != 0)
			break;
		if (cb(arg, k.data, k.size, v.data, v.size))
			break;
	}
	e = c->close(c);
	if (r != 0 && r != DB_NOTFOUND)
		return classify(r, "cursor get");
	return classify(e, "cursor close");
}

/* lower - a nickname as it appears in keys */
static void
lower(const char *in, char *out, size_t cap)
{
	size_t	 i;

	for (i = 0; in[i] != '\0' && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static int
nick_valid(const char *n)
{
	size_t	 i, len = strlen(n);

	if (len < PALD_NICK_MIN || len > PALD_NICK_MAX ||
	    !isalpha((unsigned char)n[0]))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && strchr("_-.", n[i]) == NULL)
			return 0;
	return 1;
}

/* user_enc / user_dec - the users.db value */
static ssize_t
user_enc(const struct user *u, char *buf, size_t cap)
{
	struct kvbuf	 b;
	char		 p[2] = { u->privacy ? u->privacy : 'A', '\0' };

	kv_init(&b, buf, cap, 1);
	kv_add(&b, "nick", u->nick);
	kv_add(&b, "hash", u->hash);
	kv_add(&b, "first", u->first);
	kv_add(&b, "last", u->last);
	kv_add(&b, "email", u->email);
	kv_addll(&b, "admin", u->admin);
	kv_addll(&b, "flags", u->flags);
	kv_add(&b, "privacy", p);
	kv_addll(&b, "created", u->created);
	kv_addll(&b, "lastlogin", u->lastlogin);
	return kv_len(&b);
}

static int
user_dec(uint32_t uid, const char *v, size_t n, struct user *u)
{
	long long	 x;
	char		 p[4];

	memset(u, 0, sizeof(*u));
	if (kv_version(v, n) != 1 ||
	    kv_get(v, n, "nick", u->nick, sizeof(u->nick)) <= 0 ||
	    kv_get(v, n, "hash", u->hash, sizeof(u->hash)) < 0)
		return DBR_FATAL;
	(void)kv_get(v, n, "first", u->first, sizeof(u->first));
	(void)kv_get(v, n, "last", u->last, sizeof(u->last));
	(void)kv_get(v, n, "email", u->email, sizeof(u->email));
	u->uid = uid;
	if (kv_getll(v, n, "admin", &x) == 0 && x >= 0 && x <= 3)
		u->admin = (int)x;
	if (kv_getll(v, n, "flags", &x) == 0 && x >= 0)
		u->flags = (unsigned)x;
	u->privacy = 'A';
	if (kv_get(v, n, "privacy", p, sizeof(p)) == 1 && strchr("ATP", p[0]))
		u->privacy = p[0];
	if (kv_getll(v, n, "created", &x) == 0)
		u->created = x;
	if (kv_getll(v, n, "lastlogin", &x) == 0)
		u->lastlogin = x;
	return DBR_OK;
}

static int
open_one(struct db *db, DB **dp, const char *file)
{
	int	 r;

	if ((r = db_create(dp, db->env, 0)) != 0)
		return classify(r, file);
	if ((r = (*dp)->open(*dp, NULL, file, NULL, DB_BTREE,
	    DB_CREATE | DB_AUTO_COMMIT, 0600)) != 0) {
		(void)(*dp)->close(*dp, 0);
		*dp = NULL;
		return classify(r, file);
	}
	return DBR_OK;
}

/* write_dbconfig - the home's DB_CONFIG, only if there is none */
static void
write_dbconfig(const char *home)
{
	char	 path[1024];
	FILE	*fp;
	int	 n;

	n = snprintf(path, sizeof(path), "%s/DB_CONFIG", home);
	if (n < 0 || (size_t)n >= sizeof(path) || access(path, F_OK) == 0)
		return;
	if ((fp = fopen(path, "w")) == NULL)
		return;
	if (fputs(dbconfig, fp) == EOF)
		log_warn("%s", path);
	if (fclose(fp) == EOF)
		log_warn("%s", path);
}

/* init_meta - a new store's schema and uid sequence */
static int
init_meta(struct db *db, DB_TXN *t, void *arg)
{
	char		 v[64];
	long long	 ver;
	int		 r;

	r = get(db->meta, t, "schema", v, sizeof(v), NULL);
	if (r == DBR_OK) {
		if (kv_getll(v, strlen(v), "version", &ver) == -1 ||
		    ver > DB_SCHEMA_VERSION) {
			log_warnx("store schema %s is newer than this pald "
			    "understands (%d)", v, DB_SCHEMA_VERSION);
			return DBR_FATAL;
		}
		return DBR_OK;
	}
	if (r != DBR_NOTFOUND || arg == NULL)
		return r;
	(void)snprintf(v, sizeof(v), "v1 version=%d", DB_SCHEMA_VERSION);
	if ((r = put(db->meta, t, "schema", v, strlen(v), 0)) != DBR_OK)
		return r;
	(void)snprintf(v, sizeof(v), "v1 next=%d", PALD_UID_FIRST);
	return put(db->meta, t, "seq:uid", v, strlen(v), 0);
}

int
db_open(struct db **dbp, const char *home, int flags)
{
	struct db	*db;
	u_int32_t	 f;
	int		 major, minor, r;

	(void)db_version(&major, &minor, NULL);
	if (major != DB_VERSION_MAJOR || minor != DB_VERSION_MINOR) {
		log_warnx("db: library %d.%d, built for %d.%d", major, minor,
		    DB_VERSION_MAJOR, DB_VERSION_MINOR);
		return DBR_FATAL;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return DBR_FATAL;
	write_dbconfig(home);
	if ((r = db_env_create(&db->env, 0)) != 0) {
		free(db);
		return classify(r, "env create");
	}
	db->env->set_errcall(db->env, errcall);
	db->env->set_msgcall(db->env, msgcall);
	(void)db->env->set_event_notify(db->env, event);
	(void)db->env->set_lk_detect(db->env, DB_LOCK_DEFAULT);
	(void)db->env->set_thread_count(db->env, THREADS);
	(void)db->env->set_isalive(db->env, isalive);
	(void)db->env->set_flags(db->env, DB_TXN_WRITE_NOSYNC, 1);
	f = DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL |
	    DB_INIT_TXN;
	if (flags & DBO_RECOVER)
		f |= DB_RECOVER;
	if (flags & DBO_FAILCHK)
		f |= DB_FAILCHK;
	if ((r = db->env->open(db->env, home, f, 0600)) != 0) {
		(void)classify(r, home);
		(void)db->env->close(db->env, 0);
		free(db);
		return DBR_FATAL;
	}
	if (open_one(db, &db->meta, "meta.db") != DBR_OK ||
	    open_one(db, &db->users, "users.db") != DBR_OK ||
	    open_one(db, &db->nicks, "nicks.db") != DBR_OK ||
	    open_one(db, &db->buddies, "buddies.db") != DBR_OK ||
	    open_one(db, &db->blocks, "blocks.db") != DBR_OK ||
	    open_one(db, &db->offline, "offline.db") != DBR_OK ||
	    open_one(db, &db->cats, "categories.db") != DBR_OK ||
	    txn_run(db, init_meta, (flags & DBO_CREATE) ? db : NULL) !=
	    DBR_OK) {
		db_close(db);
		return DBR_FATAL;
	}
	*dbp = db;
	return DBR_OK;
}

void
db_close(struct db *db)
{
	DB	**all[] = { &db->meta, &db->users, &db->nicks, &db->buddies,
	    &db->blocks, &db->offline, &db->cats };
	size_t	 i;
	int	 r;

	if (db == NULL)
		return;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (*all[i] != NULL && (r = (*all[i])->close(*all[i], 0)) != 0)
			(void)classify(r, "close");
	if ((r = db->env->close(db->env, 0)) != 0)
		(void)classify(r, "env close");
	free(db);
}

int
db_failchk(struct db *db)
{
	return classify(db->env->failchk(db->env, 0), "failchk");
}

int
db_checkpoint(struct db *db)
{
	int	 r;

	if ((r = classify(db->env->txn_checkpoint(db->env, 0, 0, 0),
	    "checkpoint")) != DBR_OK)
		return r;
	return classify(db->env->log_archive(db->env, NULL, DB_ARCH_REMOVE),
	    "log_archive");
}

static int
schema_op(struct db *db, DB_TXN *t, void *arg)
{
	char		 v[64];
	long long	 x;
	int		 r;

	if ((r = get(db->meta, t, "schema", v, sizeof(v), NULL)) != DBR_OK)
		return r;
	if (kv_getll(v, strlen(v), "version", &x) == -1)
		return DBR_FATAL;
	*(int *)arg = (int)x;
	return DBR_OK;
}

int
db_schema(struct db *db, int *version)
{
	return txn_run(db, schema_op, version);
}

/* Users. */

struct uarg {
	struct user	*u;
	const struct user *cu;
	uint32_t	 uid;
	const char	*nick;
};

static int
user_get_t(struct db *db, DB_TXN *t, uint32_t uid, struct user *u)
{
	char	 key[16], v[1024];
	size_t	 n;
	int	 r;

	(void)snprintf(key, sizeof(key), "%010u", uid);
	if ((r = get(db->users, t, key, v, sizeof(v), &n)) != DBR_OK)
		return r;
	return user_dec(uid, v, n, u);
}

static int
user_get_op(struct db *db, DB_TXN *t, void *arg)
{
	struct uarg	*a = arg;

	return user_get_t(db, t, a->uid, a->u);
}

int
db_user_get(struct db *db, uint32_t uid, struct user *u)
{
	struct uarg	 a = { .u = u, .uid = uid };

	return txn_run(db, user_get_op, &a);
}

/* nick_uid - the uid of a nickname, any case */
static int
nick_uid(struct db *db, DB_TXN *t, const char *nick, uint32_t *uid)
{
	char		 key[PALD_NICK_MAX + 1], v[64];
	long long	 x;
	int		 r;

	if (strlen(nick) > PALD_NICK_MAX)
		return DBR_NOTFOUND;
	lower(nick, key, sizeof(key));
	if ((r = get(db->nicks, t, key, v, sizeof(v), NULL)) != DBR_OK)
		return r;
	if (kv_getll(v, strlen(v), "uid", &x) == -1)
		return DBR_FATAL;
	*uid = (uint32_t)x;
	return DBR_OK;
}

static int
user_by_nick_op(struct db *db, DB_TXN *t, void *arg)
{
	struct uarg	*a = arg;
	uint32_t	 uid;
	int		 r;

	if ((r = nick_uid(db, t, a->nick, &uid)) != DBR_OK)
		return r;
	return user_get_t(db, t, uid, a->u);
}

int
db_user_by_nick(struct db *db, const char *nick, struct user *u)
{
	struct uarg	 a = { .u = u, .nick = nick };

	return txn_run(db, user_by_nick_op, &a);
}

/* user_write - users.db and, when new or renamed, nicks.db */
static int
user_write(struct db *db, DB_TXN *t, const struct user *u, const char *old)
{
	char	 key[16], v[1024], lk[PALD_NICK_MAX + 1], lold[PALD_NICK_MAX + 1];
	ssize_t	 n;
	int	 r;

	if ((n = user_enc(u, v, sizeof(v))) < 0)
		return DBR_LIMIT;
	(void)snprintf(key, sizeof(key), "%010u", u->uid);
	lower(u->nick, lk, sizeof(lk));
	if (old == NULL || strcmp(lk, (lower(old, lold, sizeof(lold)), lold))) {
		char	 nv[32];

		(void)snprintf(nv, sizeof(nv), "v1 uid=%u", u->uid);
		if ((r = put(db->nicks, t, lk, nv, strlen(nv), 1)) != DBR_OK)
			return r;
		if (old != NULL && (r = del(db->nicks, t, lold)) != DBR_OK)
			return r;
	}
	return put(db->users, t, key, v, (size_t)n, 0);
}

static int
user_create_op(struct db *db, DB_TXN *t, void *arg)
{
	struct user	*u = arg;
	char		 v[64];
	long long	 next;
	int		 r;

	if ((r = get(db->meta, t, "seq:uid", v, sizeof(v), NULL)) != DBR_OK)
		return r == DBR_NOTFOUND ? DBR_FATAL : r;
	if (kv_getll(v, strlen(v), "next", &next) == -1 || next > UINT32_MAX)
		return DBR_FATAL;
	u->uid = (uint32_t)next;
	(void)snprintf(v, sizeof(v), "v1 next=%lld", next + 1);
	if ((r = put(db->meta, t, "seq:uid", v, strlen(v), 0)) != DBR_OK)
		return r;
	return user_write(db, t, u, NULL);
}

int
db_user_create(struct db *db, struct user *u)
{
	if (!nick_valid(u->nick))
		return DBR_LIMIT;
	if (u->created == 0)
		u->created = time(NULL);
	if (u->privacy == '\0')
		u->privacy = 'A';
	return txn_run(db, user_create_op, u);
}

static int
user_put_op(struct db *db, DB_TXN *t, void *arg)
{
	const struct user *u = arg;
	struct user	 old;
	int		 r;

	if ((r = user_get_t(db, t, u->uid, &old)) != DBR_OK)
		return r;
	r = user_write(db, t, u, old.nick);
	explicit_bzero(&old, sizeof(old));
	return r;
}

int
db_user_put(struct db *db, const struct user *u)
{
	if (!nick_valid(u->nick))
		return DBR_LIMIT;
	return txn_run(db, user_put_op, (void *)(uintptr_t)u);
}

/* A growable list of uids collected during a scan. */
struct ulist {
	uint32_t	*v;
	int		 n, max;
	size_t		 skip;		/* key bytes before the uid */
	uint32_t	 match;		/* blocks scan: keys ending in it */
};

static int
collect(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct ulist	*l = arg;
	char		 num[11];

	if (l->n >= l->max)
		return 1;
	if (kl < l->skip + 10)
		return 0;
	memcpy(num, k + l->skip, 10);
	num[10] = '\0';
	l->v[l->n++] = (uint32_t)strtoul(num, NULL, 10);
	return 0;
}

static int
user_delete_op(struct db *db, DB_TXN *t, void *arg)
{
	struct user	 u;
	struct ulist	 l;
	uint32_t	 uid = *(uint32_t *)arg, *v;
	char		 key[40], lk[PALD_NICK_MAX + 1];
	int		 r, i, pass;

	if ((r = user_get_t(db, t, uid, &u)) != DBR_OK)
		return r;
	(void)snprintf(key, sizeof(key), "%010u", uid);
	lower(u.nick, lk, sizeof(lk));
	explicit_bzero(&u, sizeof(u));
	if ((r = del(db->users, t, key)) != DBR_OK ||
	    (r = del(db->nicks, t, lk)) != DBR_OK)
		return r;
	if ((v = calloc(REVERSE_LIMIT, sizeof(*v))) == NULL)
		return DBR_FATAL;
	/* both directions of every buddy record, and offline IMs */
	for (pass = 0; pass < 3 && r == DBR_OK; pass++) {
		DB	*d = pass == 2 ? db->offline : db->buddies;

		(void)snprintf(key, sizeof(key), "%s%010u:",
		    pass == 0 ? "has:" : pass == 1 ? "of:" : "", uid);
		l.v = v;
		l.n = 0;
		l.max = REVERSE_LIMIT;
		l.skip = strlen(key);
		if ((r = scan(d, t, key, collect, &l)) != DBR_OK)
			break;
		for (i = 0; i < l.n && r == DBR_OK; i++) {
			if (pass == 2) {
				(void)snprintf(key, sizeof(key),
				    "%010u:%010u", uid, v[i]);
				r = del(d, t, key);
				continue;
			}
			(void)snprintf(key, sizeof(key), pass ? "has:%010u:%010u"
			    : "of:%010u:%010u", v[i], uid);
			if ((r = del(d, t, key)) == DBR_NOTFOUND)
				r = DBR_OK;
			(void)snprintf(key, sizeof(key), pass ? "of:%010u:%010u"
			    : "has:%010u:%010u", uid, v[i]);
			if (r == DBR_OK)
				r = del(d, t, key);
		}
	}
	free(v);
	if (r != DBR_OK)
		return r;
	return db_blocks_purge(db, t, uid);
}

int
db_user_delete(struct db *db, uint32_t uid)
{
	return txn_run(db, user_delete_op, &uid);
}

/* Search. */

struct sarg {
	struct db	*db;
	DB_TXN		*t;
	struct user	*out;
	int		 n, max, r;
};

static int
search_cb(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct sarg	*a = arg;
	long long	 uid;
	char		 tmp[64];

	if (a->n >= a->max)
		return 1;
	if (vl >= sizeof(tmp))
		return 0;
	memcpy(tmp, v, vl);
	tmp[vl] = '\0';
	if (kv_getll(tmp, vl, "uid", &uid) == -1)
		return 0;
	if ((a->r = user_get_t(a->db, a->t, (uint32_t)uid,
	    &a->out[a->n])) == DBR_OK)
		a->n++;
	else if (a->r != DBR_NOTFOUND)
		return 1;
	a->r = DBR_OK;
	return 0;
}

struct qarg {
	const char	*q;
	int		 exact;
	struct user	*out;
	int		 max, n;
};

static int
search_op(struct db *db, DB_TXN *t, void *arg)
{
	struct qarg	*q = arg;
	struct sarg	 a = { db, t, q->out, 0, q->max, DBR_OK };
	char		 lk[PALD_NICK_MAX + 1];
	uint32_t	 uid;
	int		 r;

	q->n = 0;
	if (q->exact) {
		if ((r = nick_uid(db, t, q->q, &uid)) != DBR_OK)
			return r == DBR_NOTFOUND ? DBR_OK : r;
		if ((r = user_get_t(db, t, uid, q->out)) == DBR_OK)
			q->n = 1;
		return r == DBR_NOTFOUND ? DBR_OK : r;
	}
	lower(q->q, lk, sizeof(lk));
	if ((r = scan(db->nicks, t, lk, search_cb, &a)) != DBR_OK)
		return r;
	q->n = a.n;
	return a.r;
}

int
db_user_search(struct db *db, const char *q, int exact, struct user *out,
    int max)
{
	struct qarg	 a = { q, exact, out, max, 0 };
	int		 r;

	if (max <= 0 || strlen(q) == 0 || strlen(q) > PALD_NICK_MAX)
		return 0;
	if ((r = txn_run(db, search_op, &a)) != DBR_OK)
		return r < 0 ? r : 0;
	return a.n;
}

/* Buddies and blocks. */

struct parg {
	uint32_t	 owner, other;
	uint32_t	*out;
	int		 max, n;
};

static int
count_cb(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	(*(int *)arg)++;
	return 0;
}

static int
buddy_add_op(struct db *db, DB_TXN *t, void *arg)
{
	struct parg	*p = arg;
	struct user	 u;
	char		 key[40];
	int		 r, n = 0;

	if ((r = user_get_t(db, t, p->other, &u)) != DBR_OK)
		return r;
	explicit_bzero(&u, sizeof(u));
	(void)snprintf(key, sizeof(key), "has:%010u:%010u", p->owner,
	    p->other);
	if ((r = put(db->buddies, t, key, "v1", 2, 1)) == DBR_EXISTS)
		return DBR_OK;
	if (r != DBR_OK)
		return r;
	(void)snprintf(key, sizeof(key), "has:%010u:", p->owner);
	if ((r = scan(db->buddies, t, key, count_cb, &n)) != DBR_OK)
		return r;
	if (n > PALD_BUDDIES_MAX)
		return DBR_LIMIT;
	(void)snprintf(key, sizeof(key), "of:%010u:%010u", p->other,
	    p->owner);
	return put(db->buddies, t, key, "v1", 2, 0);
}

int
db_buddy_add(struct db *db, uint32_t owner, uint32_t buddy)
{
	struct parg	 p = { owner, buddy, NULL, 0, 0 };

	return txn_run(db, buddy_add_op, &p);
}

static int
buddy_del_op(struct db *db, DB_TXN *t, void *arg)
{
	struct parg	*p = arg;
	char		 key[40];
	int		 r;

	(void)snprintf(key, sizeof(key), "has:%010u:%010u", p->owner,
	    p->other);
	if ((r = del(db->buddies, t, key)) != DBR_OK)
		return r == DBR_NOTFOUND ? DBR_OK : r;
	(void)snprintf(key, sizeof(key), "of:%010u:%010u", p->other,
	    p->owner);
	r = del(db->buddies, t, key);
	return r == DBR_NOTFOUND ? DBR_OK : r;
}

int
db_buddy_del(struct db *db, uint32_t owner, uint32_t buddy)
{
	struct parg	 p = { owner, buddy, NULL, 0, 0 };

	return txn_run(db, buddy_del_op, &p);
}

/* list_op - the uids after a key prefix; p->other selects the file */
static int
list_op(struct db *db, DB_TXN *t, void *arg)
{
	struct parg	*p = arg;
	struct ulist	 l;
	char		 key[40];
	DB		*d = db->buddies;
	int		 r;

	switch (p->other) {
	case 0:
		(void)snprintf(key, sizeof(key), "has:%010u:", p->owner);
		break;
	case 1:
		(void)snprintf(key, sizeof(key), "of:%010u:", p->owner);
		break;
	default:
		(void)snprintf(key, sizeof(key), "%010u:", p->owner);
		d = db->blocks;
		break;
	}
	l.v = p->out;
	l.n = 0;
	l.max = p->max;
	l.skip = strlen(key);
	r = scan(d, t, key, collect, &l);
	p->n = l.n;
	return r;
}

static int
list_run(struct db *db, uint32_t owner, int which, uint32_t *out, int max)
{
	struct parg	 p = { owner, (uint32_t)which, out, max, 0 };
	int		 r;

	if ((r = txn_run(db, list_op, &p)) != DBR_OK)
		return r < 0 ? r : DBR_FATAL;
	return p.n;
}

int
db_buddy_list(struct db *db, uint32_t owner, uint32_t *out, int max)
{
	return list_run(db, owner, 0, out, max);
}

int
db_buddy_of(struct db *db, uint32_t buddy, uint32_t *out, int max)
{
	return list_run(db, buddy, 1, out, max);
}

int
db_block_list(struct db *db, uint32_t owner, uint32_t *out, int max)
{
	return list_run(db, owner, 2, out, max);
}

static int
block_add_op(struct db *db, DB_TXN *t, void *arg)
{
	struct parg	*p = arg;
	struct user	 u;
	char		 key[40];
	int		 r, n = 0;

	if ((r = user_get_t(db, t, p->other, &u)) != DBR_OK)
		return r;
	explicit_bzero(&u, sizeof(u));
	(void)snprintf(key, sizeof(key), "%010u:%010u", p->owner, p->other);
	if ((r = put(db->blocks, t, key, "v1", 2, 1)) == DBR_EXISTS)
		return DBR_OK;
	if (r != DBR_OK)
		return r;
	(void)snprintf(key, sizeof(key), "%010u:", p->owner);
	if ((r = scan(db->blocks, t, key, count_cb, &n)) != DBR_OK)
		return r;
	return n > PALD_BUDDIES_MAX ? DBR_LIMIT : DBR_OK;
}

int
db_block_add(struct db *db, uint32_t owner, uint32_t target)
{
	struct parg	 p = { owner, target, NULL, 0, 0 };

	return txn_run(db, block_add_op, &p);
}

static int
block_del_op(struct db *db, DB_TXN *t, void *arg)
{
	struct parg	*p = arg;
	char		 key[40];

	(void)snprintf(key, sizeof(key), "%010u:%010u", p->owner, p->other);
	return del(db->blocks, t, key);
}

int
db_block_del(struct db *db, uint32_t owner, uint32_t target)
{
	struct parg	 p = { owner, target, NULL, 0, 0 };

	return txn_run(db, block_del_op, &p);
}

static int
blocks_op(struct db *db, DB_TXN *t, void *arg)
{
	struct parg	*p = arg;
	char		 key[40], v[16];

	(void)snprintf(key, sizeof(key), "%010u:%010u", p->owner, p->other);
	return get(db->blocks, t, key, v, sizeof(v), NULL);
}

int
db_blocks(struct db *db, uint32_t owner, uint32_t target)
{
	struct parg	 p = { owner, target, NULL, 0, 0 };
	int		 r = txn_run(db, blocks_op, &p);

	if (r == DBR_OK)
		return 1;
	return r == DBR_NOTFOUND ? 0 : DBR_FATAL;
}

/* blocks_purge - every block by or of uid (a deleted account) */
struct purge {
	char		 keys[256][24];
	int		 n;
	char		 mine[12];
};

static int
purge_cb(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct purge	*p = arg;

	if (kl != 21)
		return 0;
	if (memcmp(k, p->mine, 10) != 0 && memcmp(k + 11, p->mine, 10) != 0)
		return 0;
	memcpy(p->keys[p->n], k, kl);
	p->keys[p->n][kl] = '\0';
	return ++p->n == 256;
}

static int
db_blocks_purge(struct db *db, DB_TXN *t, uint32_t uid)
{
	struct purge	*p;
	int		 r, i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return DBR_FATAL;
	(void)snprintf(p->mine, sizeof(p->mine), "%010u", uid);
	do {
		p->n = 0;
		if ((r = scan(db->blocks, t, "", purge_cb, p)) != DBR_OK)
			break;
		for (i = 0; i < p->n && r == DBR_OK; i++)
			r = del(db->blocks, t, p->keys[i]);
	} while (r == DBR_OK && p->n == 256);
	free(p);
	return r;
}

/* Offline IMs. */

struct oarg {
	uint32_t	 to, from;
	int64_t		 time;
	const char	*text;
	size_t		 len;
	uint64_t	 seq;
	struct offline	*out;
	int		 max, n;
};

static int
offline_put_op(struct db *db, DB_TXN *t, void *arg)
{
	struct oarg	*o = arg;
	struct kvbuf	 b;
	char		 key[40], v[64], *val;
	long long	 next = 1;
	int		 r, n = 0;

	(void)snprintf(key, sizeof(key), "%010u:", o->to);
	if ((r = scan(db->offline, t, key, count_cb, &n)) != DBR_OK)
		return r;
	if (n >= PALD_OFFLINE_MAX)
		return DBR_LIMIT;
	r = get(db->meta, t, "seq:offline", v, sizeof(v), NULL);
	if (r == DBR_OK && kv_getll(v, strlen(v), "next", &next) == -1)
		return DBR_FATAL;
	if (r != DBR_OK && r != DBR_NOTFOUND)
		return r;
	(void)snprintf(v, sizeof(v), "v1 next=%lld", next + 1);
	if ((r = put(db->meta, t, "seq:offline", v, strlen(v), 0)) != DBR_OK)
		return r;
	if ((val = malloc(VALMAX)) == NULL)
		return DBR_FATAL;
	kv_init(&b, val, VALMAX, 1);
	kv_addll(&b, "from", o->from);
	kv_addll(&b, "time", o->time);
	kv_addn(&b, "text", o->text, o->len);
	(void)snprintf(key, sizeof(key), "%010u:%010llu", o->to,
	    (unsigned long long)next % 10000000000ULL);
	r = kv_len(&b) < 0 ? DBR_LIMIT :
	    put(db->offline, t, key, val, (size_t)kv_len(&b), 0);
	free(val);
	return r;
}

int
db_offline_put(struct db *db, uint32_t to, uint32_t from, int64_t when,
    const char *text, size_t len)
{
	struct oarg	 o = { .to = to, .from = from, .time = when,
	    .text = text, .len = len };

	if (len > PALD_IM_MAX)
		return DBR_LIMIT;
	return txn_run(db, offline_put_op, &o);
}

static int
offline_cb(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct oarg	*o = arg;
	struct offline	*m;
	long long	 x;
	char		 num[11];
	int		 n;

	if (o->n >= o->max)
		return 1;
	m = &o->out[o->n];
	memset(m, 0, sizeof(*m));
	if (kl != 21)
		return 0;
	memcpy(num, k + 11, 10);
	num[10] = '\0';
	m->seq = strtoull(num, NULL, 10);
	if (kv_getll(v, vl, "from", &x) == 0)
		m->from = (uint32_t)x;
	if (kv_getll(v, vl, "time", &x) == 0)
		m->time = x;
	if ((n = kv_get(v, vl, "text", m->text, sizeof(m->text))) < 0)
		n = 0;
	m->len = (size_t)n;
	o->n++;
	return 0;
}

static int
offline_list_op(struct db *db, DB_TXN *t, void *arg)
{
	struct oarg	*o = arg;
	char		 key[16];

	o->n = 0;
	(void)snprintf(key, sizeof(key), "%010u:", o->to);
	return scan(db->offline, t, key, offline_cb, o);
}

int
db_offline_list(struct db *db, uint32_t to, struct offline *out, int max)
{
	struct oarg	 o = { .to = to, .out = out, .max = max };
	int		 r;

	if ((r = txn_run(db, offline_list_op, &o)) != DBR_OK)
		return r < 0 ? r : DBR_FATAL;
	return o.n;
}

static int
offline_del_op(struct db *db, DB_TXN *t, void *arg)
{
	struct oarg	*o = arg;
	char		 key[40];

	(void)snprintf(key, sizeof(key), "%010u:%010llu", o->to,
	    (unsigned long long)o->seq);
	return del(db->offline, t, key);
}

int
db_offline_del(struct db *db, uint32_t to, uint64_t seq)
{
	struct oarg	 o = { .to = to, .seq = seq };

	return txn_run(db, offline_del_op, &o);
}

/* Categories. */

struct carg {
	struct category	*out;
	int		 max, n;
	FILE		*fp;
};

static int
cat_cb(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct carg	*c = arg;
	char		 num[11];

	if (c->n >= c->max)
		return 1;
	if (kl != 10)
		return 0;
	memcpy(num, k, 10);
	num[10] = '\0';
	c->out[c->n].code = (uint32_t)strtoul(num, NULL, 10);
	if (kv_get(v, vl, "name", c->out[c->n].name,
	    sizeof(c->out[c->n].name)) > 0)
		c->n++;
	return 0;
}

static int
cat_list_op(struct db *db, DB_TXN *t, void *arg)
{
	struct carg	*c = arg;

	c->n = 0;
	return scan(db->cats, t, "", cat_cb, c);
}

int
db_category_list(struct db *db, struct category *out, int max)
{
	struct carg	 c = { out, max, 0, NULL };
	int		 r;

	if ((r = txn_run(db, cat_list_op, &c)) != DBR_OK)
		return r < 0 ? r : DBR_FATAL;
	return c.n;
}

static int
cat_seed_op(struct db *db, DB_TXN *t, void *arg)
{
	struct carg	*c = arg;
	struct kvbuf	 b;
	char		 line[256], key[16], val[512], *p, *end;
	unsigned long	 code;
	int		 r, n = 0;

	if ((r = scan(db->cats, t, "", count_cb, &n)) != DBR_OK || n > 0)
		return r;
	rewind(c->fp);
	while (fgets(line, sizeof(line), c->fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p == '#' || *p == '\0')
			continue;
		code = strtoul(p, &end, 10);
		if (end == p || code == 0 || code > UINT32_MAX)
			continue;
		while (isspace((unsigned char)*end))
			end++;
		if (*end == '\0' || strlen(end) >= PALD_NAME_MAX)
			continue;
		kv_init(&b, val, sizeof(val), 1);
		kv_add(&b, "name", end);
		(void)snprintf(key, sizeof(key), "%010lu", code);
		if ((r = put(db->cats, t, key, val, (size_t)kv_len(&b), 0)) !=
		    DBR_OK)
			return r;
		c->n++;
	}
	return DBR_OK;
}

int
db_category_seed(struct db *db, const char *path)
{
	struct carg	 c = { NULL, 0, 0, NULL };
	int		 r;

	if ((c.fp = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return DBR_NOTFOUND;
	}
	r = txn_run(db, cat_seed_op, &c);
	(void)fclose(c.fp);
	if (r == DBR_OK && c.n > 0)
		log_info("%s: %d categories seeded", path, c.n);
	return r;
}
