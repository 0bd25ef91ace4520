/*
 * store/txn.c - the store's transaction wrapper (see dbint.h).
 *
 * Owns txn_run, which every db_* call goes through: it attaches a lazy
 * store and opens the files the operation names, begins a transaction,
 * runs the operation, commits on DBR_OK and aborts otherwise; a
 * deadlock aborts and runs the operation again, DB_RETRIES times at
 * most, before DBR_AGAIN.  Reads run in DB_READ_COMMITTED transactions,
 * so they hold no lock longer than they look at a page, and are retried
 * on deadlock like writes.
 *
 * Built on txn_run, what most operations are: one record put, deleted
 * or looked for (txn_put, txn_del, txn_exists), and scans, the records
 * under a key prefix through a family's decoder (txn_scan, txn_list).
 * Touches whatever file the caller names, nothing of its own.
 */
#include <sys/types.h>

#include <db.h>
#include <errno.h>
#include <string.h>

#include "dbint.h"
#include "slog.h"

/*
 * txn_run - op in a transaction: commit on DBR_OK, else abort; retried.
 * files (FM_*) are the files op uses: each is opened, if it is not yet,
 * before the transaction begins (a handle is never opened inside one).
 */
int
txn_run(struct db *db, int rdonly, unsigned files,
    int (*op)(struct db *, DB_TXN *, void *), void *arg)
{
	DB_TXN	*t;
	int	 i, r, e;

	if (db->remote) {
		slog_warnx("db: not a call for a remote store");
		return DBR_FATAL;
	}
	if (db->env == NULL && (r = db_attach(db)) != DBR_OK)
		return r;
	if ((r = files_open(db, files)) != DBR_OK)
		return r;
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
		slog_debug("db: deadlock, %s", i < DB_RETRIES ? "retrying" :
		    "giving up");
	}
	slog_warnx("db: transaction given up after %d deadlocks", i);
	return DBR_AGAIN;
}

/* One record in a transaction of its own. */

enum { ONE_PUT, ONE_DEL, ONE_EXISTS };

struct one {
	int			 what;		/* ONE_* */
	int			 file;
	const char		*key;
	const struct kvfield	*fields;	/* ONE_PUT */
	const void		*rec;
};

static int
op_one(struct db *db, DB_TXN *t, void *arg)
{
	const struct one	*o = arg;

	switch (o->what) {
	case ONE_PUT:
		return row_write(db, t, o->file, o->key, o->fields, o->rec, 0);
	case ONE_DEL:
		return row_del(db, t, o->file, o->key);
	default:
		return row_exists(db, t, o->file, o->key, 0);
	}
}

/* txn_put - key -> rec through fields, replacing what was there */
int
txn_put(struct db *db, int file, const char *key,
    const struct kvfield *fields, const void *rec)
{
	struct one	 o = { ONE_PUT, file, key, fields, rec };

	return txn_run(db, TXN_WRITE, FM(file), op_one, &o);
}

/* txn_del - delete key; DBR_NOTFOUND if it was not there */
int
txn_del(struct db *db, int file, const char *key)
{
	struct one	 o = { ONE_DEL, file, key, NULL, NULL };

	return txn_run(db, TXN_WRITE, FM(file), op_one, &o);
}

/* txn_exists - DBR_OK if key is in file, DBR_NOTFOUND if not */
int
txn_exists(struct db *db, int file, const char *key)
{
	struct one	 o = { ONE_EXISTS, file, key, NULL, NULL };

	return txn_run(db, TXN_READ, FM(file), op_one, &o);
}

/* Scans. */

/* slot - element i of a scan's out */
static void *
slot(const struct scan *s, int i)
{
	return (char *)s->out + (size_t)i * s->size;
}

/* swap - elements i and j of a scan's out, byte by byte */
static void
swap(const struct scan *s, int i, int j)
{
	unsigned char	*a = slot(s, i), *b = slot(s, j), c;
	size_t		 k;

	for (k = 0; k < s->size; k++) {
		c = a[k];
		a[k] = b[k];
		b[k] = c;
	}
}

/* reverse - out[i..j) in the other order */
static void
reverse(const struct scan *s, int i, int j)
{
	for (j--; i < j; i++, j--)
		swap(s, i, j);
}

/* op_scan - the records under s->pfx through s->take */
static int
op_scan(struct db *db, DB_TXN *t, void *arg)
{
	struct scan	*s = arg;
	struct walk	 w;
	int		 r, total = 0, start;

	s->n = 0;
	if ((r = walk_open(&w, db, t, s->file, s->pfx, 0)) != DBR_OK)
		return r;
	s->plen = w.plen;
	while ((s->ring || total < s->max) && (r = walk_next(&w)) == DBR_OK)
		if (s->take(s, &w.k, &w.v, slot(s, total % s->max)) == 1)
			total++;
	if ((r = walk_close(&w, r)) != DBR_OK)
		return r;
	s->n = total < s->max ? total : s->max;
	/* a ring: rotate it so that the oldest kept entry comes first */
	if (s->ring && (start = total > s->max ? total % s->max : 0) > 0) {
		reverse(s, 0, start);
		reverse(s, start, s->max);
		reverse(s, 0, s->max);
	}
	return DBR_OK;
}

int
txn_scan(struct db *db, struct scan *s)
{
	s->n = 0;
	if (s->max <= 0)
		return DBR_OK;
	return txn_run(db, TXN_READ, FM(s->file), op_scan, s);
}

int
txn_list(struct db *db, struct scan *s)
{
	if (txn_scan(db, s) != DBR_OK)
		return DBR_FATAL;
	return s->n;
}
