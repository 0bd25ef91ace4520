/*
 * store/row.c - records inside an operation's transaction (see dbint.h).
 *
 * Owns the record calls every family makes (row_*: a row is a record of
 * a btree file, a key and its value; rec_* are proto/wire.c's): one got,
 * put, deleted or looked for by key; a value read or written through
 * a table of its fields (row_read, row_write for version 1; row_readv,
 * row_writev for a family whose record has later versions: kv.h);
 * walks over the
 * records under a key prefix, counting or deleting them; the number
 * that ends a key; the sequences in meta.db ("seq:uid", "seq:offline",
 * "seq:roomlog": "v1 next=N").  Keys are text without a NUL.  A writer
 * reads what it is about to change with DB_RMW, so that no read lock is
 * ever upgraded.  Touches meta.db for the sequences, else only the file
 * its caller names.
 */
#include <sys/types.h>

#include <db.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbint.h"
#include "slog.h"

/* fixed_fmt - a key or small value that cannot be too long; its length */
size_t
fixed_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		slog_fatalx("%s: \"%s\" too long", __func__, fmt);
	return (size_t)n;
}

/* dbt_set - a DBT over n bytes of s (BDB does not write through it) */
void
dbt_set(DBT *d, const char *s, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)(uintptr_t)s;
	d->size = (u_int32_t)n;
}

/* row_get - key's value into val[0..cap) with a NUL; *len its length */
int
row_get(struct db *db, DB_TXN *t, int file, const char *key, char *val,
    size_t cap, size_t *len, u_int32_t flags)
{
	DB	*d = db->f[file];
	DBT	 k, v;
	int	 r;

	dbt_set(&k, key, strlen(key));
	memset(&v, 0, sizeof(v));
	v.data = val;
	v.ulen = (u_int32_t)(cap - 1);
	v.flags = DB_DBT_USERMEM;
	if ((r = d->get(d, t, &k, &v, flags)) == DB_BUFFER_SMALL) {
		slog_warnx("db: %s: record of %lu bytes too long", key,
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

/* row_exists - DBR_OK if key is in file, DBR_NOTFOUND if not */
int
row_exists(struct db *db, DB_TXN *t, int file, const char *key,
    u_int32_t flags)
{
	DB	*d = db->f[file];
	DBT	 k;

	dbt_set(&k, key, strlen(key));
	return dbr(d->exists(d, t, &k, flags), "exists");
}

/* row_put - key -> val[0..n); flags DB_NOOVERWRITE gives DBR_EXISTS */
int
row_put(struct db *db, DB_TXN *t, int file, const char *key,
    const char *val, size_t n, u_int32_t flags)
{
	DB	*d = db->f[file];
	DBT	 k, v;

	dbt_set(&k, key, strlen(key));
	dbt_set(&v, val, n);
	return dbr(d->put(d, t, &k, &v, flags), "put");
}

/* row_del - delete key; DBR_NOTFOUND if it was not there */
int
row_del(struct db *db, DB_TXN *t, int file, const char *key)
{
	DB	*d = db->f[file];
	DBT	 k;

	dbt_set(&k, key, strlen(key));
	return dbr(d->del(d, t, &k, 0), "del");
}

/*
 * row_read - key's value, of version 1, into rec through fields; a value
 * of another version or without a field it needs is DBR_FATAL, logged.
 * row_readv reads the versions 1 to newest of a record whose later
 * versions only added fields (absent ones read as their defaults).
 */
int
row_read(struct db *db, DB_TXN *t, int file, const char *key,
    const struct kvfield *fields, void *rec, u_int32_t flags)
{
	return row_readv(db, t, file, key, fields, rec, flags, 1);
}

int
row_readv(struct db *db, DB_TXN *t, int file, const char *key,
    const struct kvfield *fields, void *rec, u_int32_t flags, int newest)
{
	char	 v[DB_VAL_MAX];
	size_t	 n;
	int	 r, ver;

	if ((r = row_get(db, t, file, key, v, sizeof(v), &n, flags)) !=
	    DBR_OK)
		return r;
	if ((ver = kv_version(v, n)) < 1 || ver > newest) {
		slog_warnx("db: %s %s: record version %d unknown",
		    db_files[file], key, ver);
		r = DBR_FATAL;
	} else if (kv_getrec(v, n, fields, rec) == -1) {
		slog_warnx("db: %s %s: bad record", db_files[file], key);
		r = DBR_FATAL;
	}
	explicit_bzero(v, n);
	return r;
}

/* row_write - key -> rec as a value of version 1 (row_writev: ver) */
int
row_write(struct db *db, DB_TXN *t, int file, const char *key,
    const struct kvfield *fields, const void *rec, u_int32_t flags)
{
	return row_writev(db, t, file, key, fields, rec, flags, 1);
}

int
row_writev(struct db *db, DB_TXN *t, int file, const char *key,
    const struct kvfield *fields, const void *rec, u_int32_t flags, int ver)
{
	struct kvbuf	 b;
	char		 v[DB_VAL_MAX];
	int		 r;

	kv_init(&b, v, sizeof(v), ver);
	kv_addrec(&b, fields, rec);
	if (kv_len(&b) < 0)
		slog_fatalx("%s: %s %s: value too long", __func__,
		    db_files[file], key);
	r = row_put(db, t, file, key, v, b.len, flags);
	explicit_bzero(v, b.len);
	return r;
}

/* walk_open - a cursor for the records under pfx */
int
walk_open(struct walk *w, struct db *db, DB_TXN *t, int file,
    const char *pfx, u_int32_t flags)
{
	DB	*d = db->f[file];

	memset(w, 0, sizeof(*w));
	if ((w->plen = strlcpy(w->pfx, pfx, sizeof(w->pfx))) >=
	    sizeof(w->pfx))
		slog_fatalx("%s: prefix too long", __func__);
	w->flags = flags;
	return dbr(d->cursor(d, t, &w->c, 0), "cursor");
}

/* walk_next - the next record under the prefix, or DBR_NOTFOUND */
int
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
int
walk_del(struct walk *w)
{
	return dbr(w->c->del(w->c, 0), "cursor del");
}

/* walk_close - close the cursor; the end of the range is success */
int
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
int
walk_count(struct db *db, DB_TXN *t, int file, const char *pfx, int max,
    int *n, u_int32_t flags)
{
	struct walk	 w;
	int		 r;

	*n = 0;
	if ((r = walk_open(&w, db, t, file, pfx, flags)) != DBR_OK)
		return r;
	while (*n < max && (r = walk_next(&w)) == DBR_OK)
		(*n)++;
	return walk_close(&w, r);
}

/* prefix_purge - every record of file whose key starts with pfx */
int
prefix_purge(struct db *db, DB_TXN *t, int file, const char *pfx)
{
	struct walk	 w;
	int		 r;

	if ((r = walk_open(&w, db, t, file, pfx, DB_RMW)) != DBR_OK)
		return r;
	while ((r = walk_next(&w)) == DBR_OK)
		if ((r = walk_del(&w)) != DBR_OK)
			break;
	return walk_close(&w, r);
}

/* key_num - the ten digits that end a key at off, or -1 */
long long
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

/* A sequence's record in meta.db. */
struct seq {
	long long	 next;
};

static const struct kvfield seq_fields[] = {
	KV_NUM("next", struct seq, next, LLONG_MIN, LLONG_MAX, 0, KV_NEED),
	KV_END
};

/* seq_next - take the next number, first..last, of a sequence */
int
seq_next(struct db *db, DB_TXN *t, const char *name, long long first,
    long long last, long long *out)
{
	struct seq	 s = { first };
	char		 key[DB_KEY_MAX];
	int		 r;

	fixed_fmt(key, sizeof(key), "%s", name);
	r = row_read(db, t, F_META, key, seq_fields, &s, DB_RMW);
	if (r == DBR_OK && s.next < first) {
		slog_warnx("db: meta.db %s: bad record", name);
		return DBR_FATAL;
	}
	if (r != DBR_OK && r != DBR_NOTFOUND)
		return r;
	if (s.next > last) {
		slog_warnx("db: meta.db %s: sequence used up", name);
		return DBR_FATAL;
	}
	*out = s.next++;
	return row_write(db, t, F_META, key, seq_fields, &s, 0);
}

/* seq_start - a new sequence that begins at first; DBR_EXISTS if there */
int
seq_start(struct db *db, DB_TXN *t, const char *name, long long first)
{
	struct seq	 s = { first };
	char		 key[DB_KEY_MAX];

	fixed_fmt(key, sizeof(key), "%s", name);
	return row_write(db, t, F_META, key, seq_fields, &s, DB_NOOVERWRITE);
}
