/*
 * store/env.c - the Berkeley DB 5.3 environment of the store (see db.h).
 *
 * Owns the environment and its handles: open, recovery, DB_CONFIG, the
 * callbacks (errors and messages to the store's log, a panic ends the
 * process), lazy attach and db_idle, failchk, deadlock detection (the
 * caller's, or a thread of its own) and checkpoints.  Opens every btree
 * file; the records in them are the families' (user.c, buddy.c,
 * offline.c, rooms.c, bans.c), meta.db's schema record schema.c's,
 * which opens the store (db_open) on top of env_start.
 *
 * Durability: DB_TXN_WRITE_NOSYNC.  A commit writes the log into the
 * kernel without fsync, so a committed change survives the death of any
 * pald process (the kernel has it), but a crash of the machine itself
 * can lose about the last second of commits.  Handles are closed with
 * DB_NOSYNC for the same reason: the log and the master's checkpoints
 * keep the files recoverable, and a child must not flush the shared
 * cache each time it exits.
 *
 * Processes: each opens its own handles; none is used across fork.
 * Recovery (DBO_RECOVER) is for one process alone, before any other has
 * the environment open: pald's master before it forks, or pald -R.
 * Children open without recovery (DBO_LAZY: the environment at the first
 * operation, each file when an operation first needs it, as txn_run's
 * file mask says); failchk (db_failchk, DBO_FAILCHK) cleans up after
 * processes that died inside a transaction.  Liveness is kill(pid, 0),
 * so a dead process's pid reused before failchk runs keeps its locks
 * until the next check.  Whoever opens the environment holds the data
 * home's lock (lock.c) while it has it open: shared, or exclusive to
 * recover; with DBO_HELD the caller's parent (pald's master) holds it
 * for a recovering child.  A remote store (DBO_REMOTE) has no
 * environment at all: its calls are requests (remote.c).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "dbint.h"
#include "remote.h"
#include "slog.h"

#define DB_THREADS	(PALD_MAX_SESSIONS + 256) /* processes in the env */
#define DB_MMAP_MIN	(128 * 1024) /* malloc's fixed mmap threshold */

static void	 dd_end(struct db *);

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

static void
db_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	slog_warnx("db: %s", msg);
}

static void
db_msgcall(const DB_ENV *env, const char *msg)
{
	slog_info("db: %s", msg);
}

/* db_event - a panic leaves nothing to do but recovery: say so and exit */
static void
db_event(DB_ENV *env, u_int32_t event, void *info)
{
	switch (event) {
	case DB_EVENT_PANIC:
		slog_fatalx("db: the environment panicked: %s", dbr_advice());
		/* NOTREACHED */
	case DB_EVENT_WRITE_FAILED:
		slog_warnx("db: a write to the store failed");
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
		slog_warn("%s", tmp);
		return;
	}
	if ((w = write(fd, db_config, len)) == -1 || (size_t)w != len) {
		slog_warn("%s: write", tmp);
		(void)close(fd);
	} else if (close(fd) == -1)
		slog_warn("%s: close", tmp);
	else if (link(tmp, path) == -1 && errno != EEXIST)
		slog_warn("%s", path);
	if (unlink(tmp) == -1)
		slog_warn("%s", tmp);
}

/* env_open - db->env, configured for failchk, opened on home */
static int
env_open(struct db *db, const char *home, int flags)
{
	DB_ENV		*env;
	u_int32_t	 f;
	int		 r;

	if (db->lockfd == -1 && !db->held && (db->lockfd = db_lock(home,
	    (flags & DBO_RECOVER) ? DBL_EXCL : DBL_SHARED, DBL_WAIT)) == -1)
		return DBR_FATAL;
#ifdef M_MMAP_THRESHOLD
	/*
	 * The deadlock detector, which runs in the process whose lock
	 * request blocked, callocs a bitmap of lockers x lockers bits
	 * (1,000 sessions hold about 9,000 lockers: 10 MB) and frees it.
	 * glibc raises its mmap threshold after such a free, so the next
	 * bitmaps come from the heap and calloc zeroes every page of them.
	 * A fixed threshold keeps them in fresh mappings, zero already,
	 * of which only the rows in use are ever touched.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, DB_MMAP_MIN);
#endif
	if ((r = db_env_create(&db->env, 0)) != 0)
		return dbr(r, "db_env_create");
	env = db->env;
	env->set_errcall(env, db_errcall);
	env->set_msgcall(env, db_msgcall);
	/*
	 * The thread table must exist from creation: every open sets it.
	 * Deadlock detection: by default the detector runs whenever a lock
	 * request blocks; it builds a bitmap of every locker against every
	 * other under the lock region's mutex, and when thousands of
	 * children leave at once (each logout joins the environment to tell
	 * its buddies) every conflict ran it: ~4 logouts/s with 5,000 held.
	 * pald's master (DBO_DETECT) and its children (DBO_LAZY) set no
	 * policy: a conflict just waits (BDB notes that one did) and the
	 * master runs the detector each second (db_deadlock).  Anything
	 * else (palpasswd, pald -i) keeps detection on every conflict.
	 * Not DB_LOCK_EXPIRE: its runs at each conflict clear the note, and
	 * the master's detector then found nothing to do (a hang, seen).
	 */
	if ((r = env->set_event_notify(env, db_event)) != 0 ||
	    (!(flags & (DBO_DETECT | DBO_LAZY)) &&
	    (r = env->set_lk_detect(env, DB_LOCK_DEFAULT)) != 0) ||
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
	if (flags & DBO_THREAD)
		f |= DB_THREAD;
	if ((r = env->open(env, home, f, 0600)) != 0) {
		slog_warnx("db: %s: cannot open the environment: %s", home,
		    db_strerror(r));
		return r == DB_RUNRECOVERY ? DBR_FATAL : dbr(r, "env open");
	}
	/* recovered: others may join now */
	if ((flags & DBO_RECOVER) && db->lockfd != -1 &&
	    db_relock(db->lockfd, home, DBL_SHARED, 0) == -1)
		return DBR_FATAL;
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
		slog_warnx("db: %s/%s: %s", home, db_files[i], db_strerror(r));
		(void)d->close(d, DB_NOSYNC);
		db->f[i] = NULL;
		return r == ENOENT ? DBR_NOTFOUND : dbr(r, db_files[i]);
	}
	return DBR_OK;
}

/* version_ok - the library is the one the headers describe */
static int
version_ok(void)
{
	int	 major, minor, patch;

	(void)db_version(&major, &minor, &patch);
	if (major == DB_VERSION_MAJOR && minor == DB_VERSION_MINOR)
		return 1;
	slog_warnx("db: library version %d.%d.%d, but built for %d.%d", major,
	    minor, patch, DB_VERSION_MAJOR, DB_VERSION_MINOR);
	return 0;
}

/* remote_start - DBO_REMOTE: a struct db for the store socket home */
static int
remote_start(struct db **dbp, const char *home)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->home = strdup(home)) == NULL) {
		slog_warn("%s", __func__);
		free(db);
		return DBR_FATAL;
	}
	db->remote = 1;
	db->wait = RQ_WAIT;
	db->lockfd = -1;
	*dbp = db;
	return DBR_OK;
}

void
db_remote_wait(struct db *db, int secs)
{
	if (db != NULL && secs > 0)
		db->wait = secs;
}

/*
 * env_start - a struct db for home: for DBO_LAZY nothing more (the
 * environment comes at the first use), else the environment and every
 * file (the master's and palpasswd's handles are few).  *dbp is set
 * whenever the struct exists, so that the caller can db_close it.
 */
int
env_start(struct db **dbp, const char *home, int flags)
{
	struct db	*db;
	struct stat	 st;
	int		 i, r;

	*dbp = NULL;
	if (flags & DBO_REMOTE)
		return remote_start(dbp, home);
	if (!version_ok())
		return DBR_FATAL;
	if (stat(home, &st) == -1) {
		slog_warn("db: %s", home);
		return DBR_FATAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		slog_warnx("db: %s: not a directory", home);
		return DBR_FATAL;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->home = strdup(home)) == NULL) {
		slog_warn("%s", __func__);
		free(db);
		return DBR_FATAL;
	}
	*dbp = db;
	db->lockfd = -1;
	db->held = (flags & DBO_HELD) != 0;
	if (flags & DBO_SUPERVISED)
		dbr_supervised = 1;
	if (flags & DBO_LAZY) {
		ar_init();
		db->lazy = 1;
		return DBR_OK;
	}
	if (flags & (DBO_CREATE | DBO_RECOVER))
		config_write(home);
	db->threaded = (flags & DBO_THREAD) != 0;
	r = env_open(db, home, flags);
	for (i = 0; i < F_COUNT && r == DBR_OK; i++)
		r = file_open(db, home, i, flags & DBO_CREATE);
	return r;
}

/* db_detach - close the handles and the environment, keep the struct */
static void
db_detach(struct db *db)
{
	int	 i, r;

	for (i = F_COUNT - 1; i >= 0; i--)
		if (db->f[i] != NULL) {
			if ((r = db->f[i]->close(db->f[i], DB_NOSYNC)) != 0)
				(void)dbr(r, db_files[i]);
			db->f[i] = NULL;
		}
	if (db->env != NULL && (r = db->env->close(db->env, 0)) != 0)
		(void)dbr(r, "env close");
	db->env = NULL;
	if (db->lockfd != -1)
		(void)close(db->lockfd);
	db->lockfd = -1;
}

/*
 * db_attach - a DBO_LAZY store's environment, at its first operation
 * after db_open or db_idle; its files are opened as operations need
 * them (files_open).  The master checked the schema when it recovered
 * the store, so this does not again.
 */
int
db_attach(struct db *db)
{
	int	 r;

	if (!db->lazy) {
		slog_warnx("db: store not open");
		return DBR_FATAL;
	}
	if ((r = env_open(db, db->home, DBO_LAZY)) != DBR_OK) {
		db_detach(db);
		return r == DBR_AGAIN ? DBR_AGAIN : DBR_FATAL;
	}
	return DBR_OK;
}

/*
 * files_open - open the files of mask that are not open yet, in the
 * files' order.  A child of pald opens only what its operations use: a
 * GET_UIN connection three files of eleven, a login seven, and each
 * open is a few page reads and handle locks in the shared regions
 * (most of a login's CPU when every child opened all of them).
 */
int
files_open(struct db *db, unsigned mask)
{
	int	 i, r;

	for (i = 0; i < F_COUNT; i++)
		if ((mask & FM(i)) && db->f[i] == NULL &&
		    (r = file_open(db, db->home, i, 0)) != DBR_OK)
			return r == DBR_AGAIN ? DBR_AGAIN : DBR_FATAL;
	return DBR_OK;
}

/*
 * db_idle - a DBO_LAZY store lets go of its environment while its
 * process has nothing to do; the next operation opens it again.  An
 * idle child then keeps none of BDB's memory (some 60 KiB of handles
 * and caches of its own), and the freed heap goes back to the kernel.
 */
void
db_idle(struct db *db)
{
	if (db != NULL && db->remote) {
		/* nothing attached: only the heap that the session grew */
#ifdef __GLIBC__
		(void)malloc_trim(0);
#endif
		return;
	}
	if (db == NULL || !db->lazy || db->env == NULL)
		return;
	db_detach(db);
	ar_reset();
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	dd_end(db);
	db_detach(db);
	free(db->home);
	free(db);
}

/*
 * dd_main - db_detector's thread: db_deadlock once a second until
 * dd_stop.  The process that runs the detector (pald's store keeper)
 * may itself wait for a lock, in a deadlock or behind one; with the
 * detector in its own thread, that wait ends too.
 */
static void *
dd_main(void *arg)
{
	struct db	*db = arg;
	struct timespec	 at;

	(void)pthread_mutex_lock(&db->dd_mu);
	while (!db->dd_stop) {
		(void)clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec++;
		if (pthread_cond_timedwait(&db->dd_cv, &db->dd_mu, &at) !=
		    ETIMEDOUT || db->dd_stop)
			continue;
		(void)pthread_mutex_unlock(&db->dd_mu);
		(void)db_deadlock(db);
		(void)pthread_mutex_lock(&db->dd_mu);
	}
	(void)pthread_mutex_unlock(&db->dd_mu);
	return NULL;
}

int
db_detector(struct db *db)
{
	if (!db->threaded || db->lazy || db->dd_on)
		return DBR_FATAL;
	db->dd_stop = 0;
	if (pthread_mutex_init(&db->dd_mu, NULL) != 0)
		return DBR_FATAL;
	if (pthread_cond_init(&db->dd_cv, NULL) != 0) {
		(void)pthread_mutex_destroy(&db->dd_mu);
		return DBR_FATAL;
	}
	if (pthread_create(&db->dd, NULL, dd_main, db) != 0) {
		(void)pthread_cond_destroy(&db->dd_cv);
		(void)pthread_mutex_destroy(&db->dd_mu);
		slog_warnx("db: no detector thread");
		return DBR_FATAL;
	}
	db->dd_on = 1;
	return DBR_OK;
}

/* dd_end - db_detector's thread, if any, ended before the handle goes */
static void
dd_end(struct db *db)
{
	if (!db->dd_on)
		return;
	(void)pthread_mutex_lock(&db->dd_mu);
	db->dd_stop = 1;
	(void)pthread_cond_signal(&db->dd_cv);
	(void)pthread_mutex_unlock(&db->dd_mu);
	(void)pthread_join(db->dd, NULL);
	(void)pthread_cond_destroy(&db->dd_cv);
	(void)pthread_mutex_destroy(&db->dd_mu);
	db->dd_on = 0;
}

/* db_deadlock - break the deadlocks there are (DBO_DETECT's detector) */
int
db_deadlock(struct db *db)
{
	int	 aborted = 0, r;

	if (db->env == NULL)
		return DBR_FATAL;
	if ((r = dbr(db->env->lock_detect(db->env, 0, DB_LOCK_DEFAULT,
	    &aborted), "lock_detect")) == DBR_OK && aborted > 0)
		slog_debug("db: %d deadlocked lock requests rejected", aborted);
	return r;
}

int
db_failchk(struct db *db)
{
	if (db->env == NULL)
		return DBR_FATAL;
	return dbr(db->env->failchk(db->env, 0), "failchk");
}

int
db_checkpoint(struct db *db)
{
	int	 r;

	if (db->env == NULL)
		return DBR_FATAL;
	if ((r = dbr(db->env->txn_checkpoint(db->env, 0, 0, 0),
	    "checkpoint")) != DBR_OK)
		return r;
	return dbr(db->env->log_archive(db->env, NULL, DB_ARCH_REMOVE),
	    "log_archive");
}

