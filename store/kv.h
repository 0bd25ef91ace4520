/*
 * store/kv.h - the text form of every stored value.
 *
 * A value is a version tag, then space-separated key=value fields:
 *	v1 nick=alice first=Alice%20B created=1732270000
 * Bytes that are space, '%', '=', non-printable or >= 0x7f are written
 * as %XX.  Readers accept every version they know; writers always write
 * the newest.  A record's fields can be described once, in a table, and
 * written and read through it (kv_addrec, kv_getrec).  Pure code: no I/O.
 */
#ifndef PALD_STORE_KV_H
#define PALD_STORE_KV_H

#include <sys/types.h>

#include <stddef.h>	/* offsetof for the KV_* rows */

struct kvbuf {
	char	*buf;
	size_t	 cap;
	size_t	 len;
	int	 overflow;
};

void	 kv_init(struct kvbuf *, char *, size_t, int);	/* writes "vN" */
void	 kv_add(struct kvbuf *, const char *, const char *);
void	 kv_addn(struct kvbuf *, const char *, const char *, size_t);
void	 kv_addll(struct kvbuf *, const char *, long long);
ssize_t	 kv_len(const struct kvbuf *);			/* -1 on overflow */

/* kv_version - the N of "vN" at the start, or -1 if there is none. */
int	 kv_version(const char *, size_t);
/*
 * kv_get - find field key in v[0..n) and unescape its value into
 * out[0..cap) with a NUL; returns the length, -1 if absent, -2 if too
 * long or badly escaped.
 */
int	 kv_get(const char *, size_t, const char *, char *, size_t);
/* kv_getll - a decimal field: 0, -1 if absent, -2 if not a number. */
int	 kv_getll(const char *, size_t, const char *, long long *);

/*
 * A record's fields: a table of rows made with the KV_* macros below and
 * ended by KV_END, naming each field's key, the struct member it comes
 * from and goes to, and what a reader does with an absent or bad value.
 * kv_addrec appends the fields of a record to a value in the table's
 * order; kv_getrec reads them into a record (members without a row are
 * left alone): 0, or -1 when a field marked KV_NEED (or, bad but
 * present, KV_STRICT) cannot be read.
 *
 * A member is text (a char array: written up to its NUL, read cut to
 * its size), one character (one of a set), or a number (int, unsigned,
 * long or long long: within lo..hi).  A field a reader finds absent or
 * bad reads as its default: "" or dflt for text, def for a number or a
 * character.
 */
#define KV_NEED		0x01	/* absent, empty or bad: no record */
#define KV_STRICT	0x02	/* text: bad (not absent): no record */
#define KV_OMIT		0x04	/* text: not written when empty */

enum { KVK_STR = 1, KVK_CHAR, KVK_INT, KVK_UINT, KVK_LONG, KVK_LLONG };

struct kvfield {
	const char	*key;
	int		 kind;		/* KVK_*, from the member's type */
	size_t		 off;		/* offsetof the member */
	size_t		 size;		/* sizeof the member */
	long long	 lo, hi;	/* a number's bounds */
	long long	 def;		/* default of a number or a character */
	const char	*text;		/* a character's set; text's default */
	int		 flags;		/* KV_NEED, KV_STRICT, KV_OMIT */
};

#define KV_KIND(x)	_Generic((x), char *: KVK_STR, char: KVK_CHAR, \
			    int: KVK_INT, unsigned int: KVK_UINT, \
			    long: KVK_LONG, long long: KVK_LLONG)
#define KV_MEMBER(st, m) KV_KIND(((st *)0)->m), offsetof(st, m), \
			    sizeof(((st *)0)->m)
/* text; dflt (NULL: "") where it is absent or bad */
#define KV_STR(key, st, m, dflt, flags) \
	{ (key), KV_MEMBER(st, m), 0, 0, 0, (dflt), (flags) }
/* one character of set; def where it is absent or another */
#define KV_CHR(key, st, m, set, def) \
	{ (key), KV_MEMBER(st, m), 0, 0, (def), (set), 0 }
/* a number within lo..hi; def where it is absent or outside */
#define KV_NUM(key, st, m, lo, hi, def, flags) \
	{ (key), KV_MEMBER(st, m), (lo), (hi), (def), NULL, (flags) }
#define KV_END		{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }

void	 kv_addrec(struct kvbuf *, const struct kvfield *, const void *);
int	 kv_getrec(const char *, size_t, const struct kvfield *, void *);

#endif /* PALD_STORE_KV_H */
