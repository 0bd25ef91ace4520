/*
 * proto/wire.c - framing, the lymerick encoding and key=value records.
 *
 * Pure code (see wire.h): no I/O, no logging, no state but const tables.
 * Every index into a buffer is checked against its length first.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/*
 * The key from the 5.0 binary (PROTOCOL.md 4.1): "becuase" and all, and
 * ending in a line feed.  354 bytes.
 */
const char lym_key[LYM_KEYLEN + 1] =
    "Ginger was a big fat horse, a big fat horse was she. But don't tell "
    "that to MaryLou becuase in love with her is she.I tell you this in "
    "private, because I thought that you should know.But never say to "
    "MaryLou or both our heads will go.I've said it once, I've said it "
    "twice, I'll say it once again.Not a word of this to you know who or "
    "it will be our end!\n";

uint16_t
wire_get16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t
wire_get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

void
wire_put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

void
wire_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

ssize_t
wire_decode(const unsigned char *buf, size_t n, size_t maxlen,
    struct wire_frame *f)
{
	size_t	 len;

	if (n < WIRE_HDRLEN)
		return 0;
	len = wire_get16(buf + 4);
	if (len > maxlen)
		return -1;
	if (n - WIRE_HDRLEN < len)
		return 0;
	f->type = (int16_t)wire_get16(buf);
	f->version = wire_get16(buf + 2);
	f->len = len;
	f->payload = buf + WIRE_HDRLEN;
	return (ssize_t)(WIRE_HDRLEN + len);
}

size_t
wire_encode(unsigned char *out, size_t cap, int type, const void *p,
    size_t len)
{
	if (len > WIRE_PAYLOAD_MAX || cap < WIRE_HDRLEN ||
	    cap - WIRE_HDRLEN < len)
		return 0;
	wire_put16(out, (uint16_t)type);
	wire_put16(out + 2, WIRE_VERSION_SERVER);
	wire_put16(out + 4, (uint16_t)len);
	if (len > 0)
		memmove(out + WIRE_HDRLEN, p, len);
	return WIRE_HDRLEN + len;
}

/* lym_offset - what variant v adds to byte i besides 122 and the key */
static int
lym_offset(int v, int ch, int i)
{
	switch (v) {
	case 1:
		return i * (13 - i);
	case 2:
		return i;
	default:
		return ch * i;	/* variant 3: ch already counts down */
	}
}

/* lym_keyat - the key byte for byte i, or -1 past the key */
static int
lym_keyat(int v, int ch, int i)
{
	int	 k = v == 3 ? i : ch + i;

	if (k < 0 || k >= LYM_KEYLEN)
		return -1;
	return (unsigned char)lym_key[k];
}

int
lym_encode(int v, int ch, const char *in, size_t n, char *out, size_t cap,
    uint32_t *seed)
{
	size_t	 o = 0;
	int	 i, k, val, w, c = ch;

	if (v < 1 || v > 3 || ch < 0 || ch >= LYM_KEYLEN)
		return -1;
	for (i = 0; (size_t)i < n; i++) {
		if ((k = lym_keyat(v, ch, i)) == -1)
			return -1;
		val = 122 + (unsigned char)in[i] + k + lym_offset(v, c, i);
		if (v == 3)
			c--;
		*seed = *seed * 214013u + 2531011u;
		w = snprintf(out + o, cap - o, "%d%d", val,
		    (int)((*seed >> 16) & 0x7fff) % 8);
		if (w < 0 || (size_t)w >= cap - o)
			return -1;
		o += (size_t)w;
	}
	if (o >= cap)
		return -1;
	out[o] = '\0';
	return (int)o;
}

/* lym_lo - the value group i carries besides the input byte */
static int
lym_lo(int v, int ch, int i)
{
	int	 k = lym_keyat(v, ch, i);

	if (k == -1)
		return INT_MIN;
	return 122 + k + lym_offset(v, v == 3 ? ch - i : ch, i);
}

/*
 * lym_num - in[0..w) as the client's "%d" writes an int (optional minus,
 * no leading zeros), into *val; -1 if it is not one.
 */
static int
lym_num(const char *in, size_t w, int *val)
{
	size_t	 j = 0;
	int	 neg = 0, x = 0;

	if (in[0] == '-') {
		neg = 1;
		j = 1;
	}
	if (j == w || (in[j] == '0' && (w - j > 1 || neg)))
		return -1;
	for (; j < w; j++) {
		if (in[j] < '0' || in[j] > '9')
			return -1;
		x = x * 10 + (in[j] - '0');
	}
	*val = neg ? -x : x;
	return 0;
}

/*
 * lym_decode - the client writes each group as "%d" plus a check digit,
 * so a group is 2 to 6 characters wide once long inputs push values
 * below 100, past 999 or below 0.  A layered search over positions finds
 * the split in which every group decodes to a byte in 1..255: layer g
 * marks the positions reachable after g groups, with the position each
 * came from.  Bounded: LYM_IN_MAX input characters, LYM_OUT_MAX groups.
 */
#define LYM_IN_MAX	1024
#define LYM_OUT_MAX	256
#define LYM_NONE	0xffff

int
lym_decode(int v, int ch, const char *in, size_t n, char *out, size_t cap)
{
	uint16_t	*par;
	size_t		 g, maxg, pos, w, from, stride = n + 1;
	int		 val, lo, found = 0;

	if (v < 1 || v > 3 || ch < 0 || ch >= LYM_KEYLEN || n < 2 ||
	    n > LYM_IN_MAX || cap < 2)
		return -1;
	maxg = cap - 1 < LYM_OUT_MAX ? cap - 1 : LYM_OUT_MAX;
	if (maxg > n / 2)
		maxg = n / 2;
	if ((par = malloc((maxg + 1) * stride * sizeof(*par))) == NULL)
		return -1;
	memset(par, 0xff, (maxg + 1) * stride * sizeof(*par));
	par[0] = 0;
	for (g = 0; g < maxg && !found; g++) {
		if ((lo = lym_lo(v, ch, (int)g)) == INT_MIN)
			break;
		for (pos = 0; pos < n; pos++) {
			if (par[g * stride + pos] == LYM_NONE)
				continue;
			for (w = 1; w <= 5 && pos + w < n; w++) {
				if (lym_num(in + pos, w, &val) == -1 ||
				    val - lo < 1 || val - lo > 255 ||
				    in[pos + w] < '0' || in[pos + w] > '9')
					continue;
				par[(g + 1) * stride + pos + w + 1] =
				    (uint16_t)pos;
			}
		}
		found = par[(g + 1) * stride + n] != LYM_NONE;
	}
	if (!found) {
		free(par);
		return -1;
	}
	/* Walk back from the end: group g-1 is in[from .. pos - 1). */
	out[g] = '\0';
	val = (int)g;
	for (pos = n; g > 0; g--, pos = from) {
		from = par[g * stride + pos];
		(void)lym_num(in + from, pos - 1 - from, &lo);
		out[g - 1] = (char)(lo - lym_lo(v, ch, (int)g - 1));
	}
	free(par);
	return val;
}

void
rec_init(struct rec *r, unsigned char *buf, size_t cap)
{
	r->buf = buf;
	r->cap = cap;
	r->len = 0;
	r->overflow = 0;
}

void
rec_raw(struct rec *r, const void *p, size_t n)
{
	if (r->overflow || r->cap - r->len < n) {
		r->overflow = 1;
		return;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

void
rec_add(struct rec *r, const char *key, const char *val)
{
	rec_raw(r, key, strlen(key));
	rec_raw(r, "=", 1);
	rec_raw(r, val, strlen(val));
	rec_raw(r, "\n", 1);
}

void
rec_addu(struct rec *r, const char *key, unsigned long v)
{
	char	 b[24];

	(void)snprintf(b, sizeof(b), "%lu", v);
	rec_add(r, key, b);
}

void
rec_addi(struct rec *r, const char *key, long v)
{
	char	 b[24];

	(void)snprintf(b, sizeof(b), "%ld", v);
	rec_add(r, key, b);
}

void
rec_sep(struct rec *r)
{
	unsigned char	 c = REC_SEP;

	rec_raw(r, &c, 1);
}

ssize_t
rec_len(const struct rec *r)
{
	return r->overflow ? -1 : (ssize_t)r->len;
}

static int
rec_eol(unsigned char c)
{
	return c == '\n' || c == '\r' || c == REC_SEP;
}

int
rec_get(const unsigned char *p, size_t n, const char *key, char *out,
    size_t cap)
{
	size_t	 kl = strlen(key), i = 0, j;

	while (i < n) {
		if (n - i > kl && memcmp(p + i, key, kl) == 0 &&
		    p[i + kl] == '=') {
			i += kl + 1;
			for (j = i; j < n && !rec_eol(p[j]); j++)
				;
			if (j - i >= cap)
				return -2;
			memcpy(out, p + i, j - i);
			out[j - i] = '\0';
			return (int)(j - i);
		}
		while (i < n && !rec_eol(p[i]))
			i++;
		while (i < n && rec_eol(p[i]))
			i++;
	}
	return -1;
}
