/*
 * store/kv.h - the text form of every stored value.
 *
 * A value is a version tag, then space-separated key=value fields:
 *	v1 nick=alice first=Alice%20B created=1732270000
 * Bytes that are space, '%', '=', non-printable or >= 0x7f are written
 * as %XX.  Readers accept every version they know; writers always write
 * the newest.  Pure code: no I/O.
 */
#ifndef PALD_STORE_KV_H
#define PALD_STORE_KV_H

#include <sys/types.h>

#include <stddef.h>

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

#endif /* PALD_STORE_KV_H */
