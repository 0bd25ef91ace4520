/*
 * store/dbint.h - what the store's Berkeley DB files share, and nobody
 * else sees: struct db, the table of btree files, the transaction
 * wrapper and the record helpers.
 *
 * A record family (user.c, buddy.c, offline.c, rooms.c, bans.c,
 * invite.c) is its
 * key formats, a table of its value's fields (kv.h) and its operations.
 * An operation is a function op(db, txn, arg) that txn_run calls inside
 * a transaction of its own; it makes DB calls only (row_*, walk_*), never
 * file or network I/O.  What most operations are, the helpers are
 * already: one record put, deleted or looked for in a transaction
 * (txn_put, txn_del, txn_exists), and a list of the records under a key
 * prefix, each decoded by a function of the family (txn_scan, txn_list).
 *
 * Files:
 *	dbr.c		the files' names; dbr, the one sorting of BDB's
 *			return codes into DBR_*, and what to do about them
 *	env.c		the environment: start, recover, attach, idle, close,
 *			failchk, deadlock detection, checkpoints
 *	arena.c		the BDB memory of a lazy store (a pald child)
 *	txn.c		txn_run; the one-record transactions; scans
 *	schema.c	db_open: env_start, then the schema record
 *	row.c		records inside a transaction: get, put, delete,
 *			walks over a prefix, keys, sequences
 */
#ifndef PALD_STORE_DBINT_H
#define PALD_STORE_DBINT_H

#include <sys/types.h>

#include <db.h>
#include <pthread.h>

#include "db.h"
#include "kv.h"

#define DB_RETRIES	3	/* runs after the first, on deadlock */
#define DB_KEY_MAX	160	/* invites.db: a uid and an address */
#define DB_VAL_MAX	2048	/* a value read or written on the stack */
#define DB_NUM_MAX	9999999999LL	/* ten digits in a key */

/*
 * The btree files, in the order a writer visits them (deadlocks stay
 * rare when every transaction takes its locks in one order).
 */
enum {
	F_META, F_USERS, F_NICKS, F_BUDDIES, F_BLOCKS, F_OFFLINE, F_CATS,
	F_ROOMS, F_RBANS, F_RLOG, F_BANS, F_INVITES, F_COUNT
};

/* File masks: the files an operation uses, opened before it begins. */
#define FM(i)		(1u << (i))
#define FM_META		FM(F_META)
#define FM_USERS	FM(F_USERS)
#define FM_NICKS	FM(F_NICKS)
#define FM_BUDDIES	FM(F_BUDDIES)
#define FM_BLOCKS	FM(F_BLOCKS)
#define FM_OFFLINE	FM(F_OFFLINE)
#define FM_CATS		FM(F_CATS)
#define FM_ROOMS	FM(F_ROOMS)
#define FM_RBANS	FM(F_RBANS)
#define FM_RLOG		FM(F_RLOG)
#define FM_BANS		FM(F_BANS)
#define FM_INVITES	FM(F_INVITES)

extern const char *const db_files[F_COUNT];

struct db {
	DB_ENV		*env;
	DB		*f[F_COUNT];	/* NULL: not open (yet) */
	char		*home;
	int		 lazy;		/* DBO_LAZY: attach at the first use */
	int		 remote;	/* DBO_REMOTE: home is the store socket */
	int		 wait;		/* DBO_REMOTE: seconds a call may wait */
	int		 held;		/* DBO_HELD: the parent holds the lock */
	int		 lockfd;	/* DBL_FILE while the environment is open */
	int		 threaded;	/* DBO_THREAD */
	int		 dd_on;		/* db_detector's thread runs */
	int		 dd_stop;	/* under dd_mu: it is to end */
	pthread_t	 dd;
	pthread_mutex_t	 dd_mu;
	pthread_cond_t	 dd_cv;
};

/* dbr.c: dbr is the one place BDB's codes become DBR_*. */
int	 dbr(int, const char *);
/* What to do when the store needs recovery: pald's master does it for
 * the processes it started (DBO_SUPERVISED sets dbr_supervised). */
extern int dbr_supervised;
const char *dbr_advice(void);

/* env.c */
int	 env_start(struct db **, const char *, int);
int	 db_attach(struct db *);
int	 files_open(struct db *, unsigned);

/* arena.c */
void	 ar_init(void);
void	 ar_reset(void);

/* txn.c */
int	 txn_run(struct db *, int, unsigned,
	    int (*)(struct db *, DB_TXN *, void *), void *);
#define TXN_WRITE	0
#define TXN_READ	1	/* DB_READ_COMMITTED: no lock kept */
/* One record in a transaction of its own (TXN_WRITE but txn_exists). */
int	 txn_put(struct db *, int, const char *, const struct kvfield *,
	    const void *);
int	 txn_del(struct db *, int, const char *);
int	 txn_exists(struct db *, int, const char *);

/*
 * A scan: the records of one file whose keys start with pfx, in key
 * order, each offered to take, which returns 1 to keep it (decoded into
 * slot, the next element of out) or 0 to pass over it (slot untouched:
 * in a ring it may hold a record kept before).  Up to max are kept;
 * with ring, every record is offered and out keeps the newest max,
 * oldest first.  txn_scan gives a DBR_* (the count in n),
 * txn_list the count or DBR_FATAL; neither opens a transaction for
 * max <= 0 (n is 0).
 */
struct scan {
	int		 file;		/* F_* */
	char		 pfx[DB_KEY_MAX];
	size_t		 plen;		/* strlen(pfx), set by txn_scan */
	int		(*take)(const struct scan *, const DBT *, const DBT *,
			    void *);
	const void	*arg;		/* the family's, for take */
	void		*out;
	size_t		 size;		/* of an element of out */
	int		 max, n;
	int		 ring;
};
#define SCAN(f, fn, o, m) { .file = (f), .take = (fn), .out = (o), \
	    .size = sizeof(*(o)), .max = (m) }
int	 txn_scan(struct db *, struct scan *);
int	 txn_list(struct db *, struct scan *);

/* row.c: records inside an operation's transaction. */
size_t	 fixed_fmt(char *, size_t, const char *, ...)
	    __attribute__((__format__(printf, 3, 4)));
void	 dbt_set(DBT *, const char *, size_t);
int	 row_get(struct db *, DB_TXN *, int, const char *, char *, size_t,
	    size_t *, u_int32_t);
int	 row_exists(struct db *, DB_TXN *, int, const char *, u_int32_t);
int	 row_put(struct db *, DB_TXN *, int, const char *, const char *,
	    size_t, u_int32_t);
int	 row_del(struct db *, DB_TXN *, int, const char *);
/*
 * A value through a field table, read and written: of version 1, or
 * (the v forms) of versions 1 to newest read, of version ver written.
 */
int	 row_read(struct db *, DB_TXN *, int, const char *,
	    const struct kvfield *, void *, u_int32_t);
int	 row_write(struct db *, DB_TXN *, int, const char *,
	    const struct kvfield *, const void *, u_int32_t);
int	 row_readv(struct db *, DB_TXN *, int, const char *,
	    const struct kvfield *, void *, u_int32_t, int);
int	 row_writev(struct db *, DB_TXN *, int, const char *,
	    const struct kvfield *, const void *, u_int32_t, int);

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
int	 walk_open(struct walk *, struct db *, DB_TXN *, int, const char *,
	    u_int32_t);
int	 walk_next(struct walk *);
int	 walk_del(struct walk *);
int	 walk_close(struct walk *, int);
int	 walk_count(struct db *, DB_TXN *, int, const char *, int, int *,
	    u_int32_t);
int	 prefix_purge(struct db *, DB_TXN *, int, const char *);
long long key_num(const DBT *, size_t);
int	 seq_next(struct db *, DB_TXN *, const char *, long long, long long,
	    long long *);
int	 seq_start(struct db *, DB_TXN *, const char *, long long);

/* What deleting an account (user.c) deletes in other families' files. */
int	 pair_purge(struct db *, DB_TXN *, uint32_t);	/* buddy.c */
int	 offline_purge(struct db *, DB_TXN *, uint32_t);	/* offline.c */
int	 invite_purge(struct db *, DB_TXN *, uint32_t);	/* invite.c */

#endif /* PALD_STORE_DBINT_H */
