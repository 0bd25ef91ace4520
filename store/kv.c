/*
 * store/kv.c - the text form of stored values (see kv.h).
 *
 * Owns the codec only: "vN key=value ..." with %XX escapes.  A writer
 * appends to a caller's buffer and remembers an overflow instead of
 * failing at each call, so a record is built in a row of kv_add calls
 * and checked once with kv_len.  A reader finds a field by name, so it
 * ignores the fields it does not know.  kv_addrec and kv_getrec do the
 * same for a whole record, through a table of its fields (kv.h).  Pure
 * code: no I/O, no logging.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

static const char hexdigits[] = "0123456789ABCDEF";

/* kv_put - append n bytes, or mark the buffer as overflowed */
static void
kv_put(struct kvbuf *b, const char *p, size_t n)
{
	if (b->overflow || b->cap - b->len <= n) {
		b->overflow = 1;
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* kv_plain - a byte that is stored as itself */
static int
kv_plain(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '%' && c != '=';
}

void
kv_init(struct kvbuf *b, char *buf, size_t cap, int version)
{
	char	 tag[16];
	int	 n;

	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->overflow = cap == 0;
	if (cap > 0)
		buf[0] = '\0';
	n = snprintf(tag, sizeof(tag), "v%d", version);
	if (n < 0 || (size_t)n >= sizeof(tag) || version < 0)
		b->overflow = 1;
	else
		kv_put(b, tag, (size_t)n);
}

void
kv_addn(struct kvbuf *b, const char *key, const char *val, size_t n)
{
	unsigned char	 c;
	char		 esc[3];
	size_t		 i;

	kv_put(b, " ", 1);
	kv_put(b, key, strlen(key));
	kv_put(b, "=", 1);
	for (i = 0; i < n && !b->overflow; i++) {
		c = (unsigned char)val[i];
		if (kv_plain(c)) {
			kv_put(b, val + i, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hexdigits[c >> 4];
		esc[2] = hexdigits[c & 0x0f];
		kv_put(b, esc, sizeof(esc));
	}
}

void
kv_add(struct kvbuf *b, const char *key, const char *val)
{
	kv_addn(b, key, val, strlen(val));
}

void
kv_addll(struct kvbuf *b, const char *key, long long v)
{
	char	 num[32];
	int	 n;

	n = snprintf(num, sizeof(num), "%lld", v);
	if (n < 0 || (size_t)n >= sizeof(num)) {
		b->overflow = 1;
		return;
	}
	kv_addn(b, key, num, (size_t)n);
}

ssize_t
kv_len(const struct kvbuf *b)
{
	return b->overflow ? -1 : (ssize_t)b->len;
}

int
kv_version(const char *v, size_t n)
{
	size_t	 i;
	int	 x = 0;

	if (n < 2 || v[0] != 'v')
		return -1;
	for (i = 1; i < n && v[i] != ' '; i++) {
		if (v[i] < '0' || v[i] > '9' || x > (INT_MAX - 9) / 10)
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return i == 1 ? -1 : x;
}

/* kv_hex - the value of a hex digit, either case, or -1 */
static int
kv_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* kv_find - the offset of field key's value in v[0..n), or -1 */
static ssize_t
kv_find(const char *v, size_t n, const char *key)
{
	size_t	 kl = strlen(key), i = 0;

	if (n > SSIZE_MAX)
		return -1;
	for (;;) {
		/* skip the version tag, then each field that is not key */
		while (i < n && v[i] != ' ')
			i++;
		while (i < n && v[i] == ' ')
			i++;
		if (i >= n)
			return -1;
		if (n - i > kl && memcmp(v + i, key, kl) == 0 &&
		    v[i + kl] == '=')
			return (ssize_t)(i + kl + 1);
	}
}

/* kv_val - unescape the value at v[at..] into out[0..cap) (kv_get) */
static int
kv_val(const char *v, size_t n, size_t at, char *out, size_t cap)
{
	const char	*sp;
	size_t		 i, o = 0, end;
	int		 hi, lo;

	if (cap == 0)
		return -2;
	end = (sp = memchr(v + at, ' ', n - at)) != NULL ?
	    (size_t)(sp - v) : n;
	if (memchr(v + at, '%', end - at) == NULL) {	/* nothing escaped */
		if (end - at >= cap || end - at > INT_MAX)
			return -2;
		memcpy(out, v + at, end - at);
		out[end - at] = '\0';
		return (int)(end - at);
	}
	for (i = at; i < end; i++) {
		if (o + 1 >= cap || o >= INT_MAX)
			return -2;
		if (v[i] != '%') {
			out[o++] = v[i];
			continue;
		}
		if (n - i < 3 || (hi = kv_hex(v[i + 1])) < 0 ||
		    (lo = kv_hex(v[i + 2])) < 0)
			return -2;
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	return (int)o;
}

int
kv_get(const char *v, size_t n, const char *key, char *out, size_t cap)
{
	ssize_t	 at;

	if ((at = kv_find(v, n, key)) < 0)
		return -1;
	return kv_val(v, n, (size_t)at, out, cap);
}

/* kv_valll - the decimal value at v[at..] (kv_getll) */
static int
kv_valll(const char *v, size_t n, ssize_t at, long long *out)
{
	const char	*errstr;
	char		 num[32];
	long long	 x;
	int		 r;

	if (at < 0)
		return -1;
	if ((r = kv_val(v, n, (size_t)at, num, sizeof(num))) < 0)
		return r;
	if (r == 0)
		return -2;
	x = strtonum(num, LLONG_MIN, LLONG_MAX, &errstr);
	if (errstr != NULL)
		return -2;
	*out = x;
	return 0;
}

int
kv_getll(const char *v, size_t n, const char *key, long long *out)
{
	return kv_valll(v, n, kv_find(v, n, key), out);
}

/* kv_num - a number member of rec as a long long */
static long long
kv_num(const struct kvfield *f, const void *rec)
{
	const char	*p = (const char *)rec + f->off;

	switch (f->kind) {
	case KVK_INT:
		return *(const int *)(const void *)p;
	case KVK_UINT:
		return *(const unsigned int *)(const void *)p;
	case KVK_LONG:
		return *(const long *)(const void *)p;
	default:
		return *(const long long *)(const void *)p;
	}
}

/* kv_setnum - x into a number member of rec (x is within its bounds) */
static void
kv_setnum(const struct kvfield *f, void *rec, long long x)
{
	char	*p = (char *)rec + f->off;

	switch (f->kind) {
	case KVK_INT:
		*(int *)(void *)p = (int)x;
		break;
	case KVK_UINT:
		*(unsigned int *)(void *)p = (unsigned int)x;
		break;
	case KVK_LONG:
		*(long *)(void *)p = (long)x;
		break;
	default:
		*(long long *)(void *)p = x;
		break;
	}
}

/* kv_chr - c if it is one of set, else def */
static char
kv_chr(const struct kvfield *f, char c)
{
	return c != '\0' && strchr(f->text, c) != NULL ? c : (char)f->def;
}

void
kv_addrec(struct kvbuf *b, const struct kvfield *f, const void *rec)
{
	const char	*p;
	char		 c[2];
	size_t		 n;

	for (; f->key != NULL; f++) {
		p = (const char *)rec + f->off;
		switch (f->kind) {
		case KVK_STR:
			n = strnlen(p, f->size);
			if (n > 0 || !(f->flags & KV_OMIT))
				kv_addn(b, f->key, p, n);
			break;
		case KVK_CHAR:
			c[0] = kv_chr(f, *p);
			c[1] = '\0';
			kv_add(b, f->key, c);
			break;
		default:
			kv_addll(b, f->key, kv_num(f, rec));
			break;
		}
	}
}

/*
 * kv_locate - where each of the first KV_LOCATE fields' values starts in
 * v[0..n), or -1: one pass over the record, the first of a key's fields
 * winning as in kv_find, instead of one pass a field.
 */
#define KV_LOCATE	32
static void
kv_locate(const char *v, size_t n, const struct kvfield *f, ssize_t *at)
{
	const char	*eq, *sp;
	size_t		 i = 0, kl, end;
	int		 j, nf, left;

	for (nf = 0; nf < KV_LOCATE && f[nf].key != NULL; nf++)
		at[nf] = -1;
	left = nf;
	if (n > SSIZE_MAX)
		return;
	while (i < n && v[i] != ' ')		/* the version tag */
		i++;
	while (left > 0) {
		while (i < n && v[i] == ' ')
			i++;
		if (i >= n)
			return;
		end = (sp = memchr(v + i, ' ', n - i)) != NULL ?
		    (size_t)(sp - v) : n;
		if ((eq = memchr(v + i, '=', end - i)) != NULL) {
			kl = (size_t)(eq - (v + i));
			for (j = 0; j < nf; j++)
				if (at[j] < 0 && strlen(f[j].key) == kl &&
				    memcmp(f[j].key, v + i, kl) == 0) {
					at[j] = (ssize_t)(i + kl + 1);
					left--;
				}
		}
		i = end;
	}
}

/* kv_getstr - a text field into its member; -1 if the record is bad */
static int
kv_getstr(const char *v, size_t n, const struct kvfield *f, ssize_t at,
    char *out)
{
	int	 r;

	r = at < 0 ? -1 : kv_val(v, n, (size_t)at, out, f->size);
	/* a member is a C string: "%00..." is as empty as "" */
	if ((r < 0 || out[0] == '\0') && (f->flags & KV_NEED))
		return -1;
	if (r == -2 && (f->flags & KV_STRICT))
		return -1;
	if (r < 0)
		(void)strlcpy(out, f->text != NULL ? f->text : "", f->size);
	return 0;
}

int
kv_getrec(const char *v, size_t n, const struct kvfield *f, void *rec)
{
	ssize_t		 loc[KV_LOCATE], at;
	char		*p, c[4];
	long long	 x;
	int		 j;

	kv_locate(v, n, f, loc);
	for (j = 0; f->key != NULL; f++, j++) {
		p = (char *)rec + f->off;
		at = j < KV_LOCATE ? loc[j] : kv_find(v, n, f->key);
		switch (f->kind) {
		case KVK_STR:
			if (kv_getstr(v, n, f, at, p) == -1)
				return -1;
			break;
		case KVK_CHAR:
			*p = at >= 0 && kv_val(v, n, (size_t)at, c,
			    sizeof(c)) == 1 ? kv_chr(f, c[0]) : (char)f->def;
			break;
		default:
			if (kv_valll(v, n, at, &x) != 0 || x < f->lo ||
			    x > f->hi) {
				if (f->flags & KV_NEED)
					return -1;
				x = f->def;
			}
			kv_setnum(f, rec, x);
			break;
		}
	}
	return 0;
}
