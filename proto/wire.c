/*
 * proto/wire.c - framing, the lymerick encoding and key=value records.
 *
 * Owns the byte-level protocol described in wire.h and PROTOCOL.md
 * sections 1, 3.2 and 4.  Pure code: libc only, no I/O, no logging, no
 * state but the const key.  Every index into a buffer or into the key is
 * checked against its length before it is used; errors are return values.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/*
 * The key from the 5.0 binary (PROTOCOL.md 4.1), typo "becuase" and
 * apostrophes included, ending in a line feed: 354 bytes.
 */
#define LYM_KEY_TEXT							\
	"Ginger was a big fat horse, a big fat horse was she. But don't "\
	"tell that to MaryLou becuase in love with her is she.I tell you "\
	"this in private, because I thought that you should know.But "	\
	"never say to MaryLou or both our heads will go.I've said it "	\
	"once, I've said it twice, I'll say it once again.Not a word of "\
	"this to you know who or it will be our end!\n"

_Static_assert(sizeof(LYM_KEY_TEXT) == LYM_KEYLEN + 1,
    "the lymerick key must be exactly LYM_KEYLEN bytes");

const char lym_key[LYM_KEYLEN + 1] = LYM_KEY_TEXT;

/*
 * Decoder bounds.  A group is the client's "%d" of N (at most 6
 * characters for any N these formulas give with at most LYM_DEC_MAX
 * bytes: -65025 is the extreme) and one check digit.
 */
#define LYM_DEC_MAX	255	/* bytes lym_decode will produce */
#define LYM_NUM_MAX	6	/* characters of one "%d" */
#define LYM_GRP_MIN	2	/* shortest group: "N" and the check digit */
#define LYM_GRP_MAX	(LYM_NUM_MAX + 1)
#define REC_NUM		32	/* bytes of a number's text */

uint16_t
wire_get16(const unsigned char *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

uint32_t
wire_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
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

/* wire_decode - one frame at the start of buf[0..n), if it is all there */
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

/* wire_encode - header (server version) and payload into out[0..cap) */
size_t
wire_encode(unsigned char *out, size_t cap, int type, const void *p,
    size_t len)
{
	if (len > WIRE_PAYLOAD_MAX || cap < WIRE_HDRLEN ||
	    cap - WIRE_HDRLEN < len || (len > 0 && p == NULL))
		return 0;
	wire_put16(out, (uint16_t)type);
	wire_put16(out + 2, WIRE_VERSION_SERVER);
	wire_put16(out + 4, (uint16_t)len);
	if (len > 0)
		memmove(out + WIRE_HDRLEN, p, len);	/* p may be in out */
	return WIRE_HDRLEN + len;
}

/*
 * lym_base - what byte i of variant v carries besides the input byte:
 * N_i = lym_base + s[i].  Variant 3's challenge counts down, so its term
 * is (ch - i) * i.  -1 when the key index falls outside the key.
 */
static int
lym_base(int v, int ch, size_t i, int *base)
{
	size_t	 k;
	int	 ii;

	if (i >= LYM_KEYLEN)
		return -1;
	ii = (int)i;
	k = v == 3 ? i : (size_t)ch + i;
	if (k >= LYM_KEYLEN)
		return -1;
	*base = 122 + (unsigned char)lym_key[k];
	switch (v) {
	case 1:
		*base += ii * (13 - ii);
		break;
	case 2:
		*base += ii;
		break;
	default:
		*base += (ch - ii) * ii;
		break;
	}
	return 0;
}

/* lym_checkdigit - the next check digit, '0'..'7', from an MS-rand LCG */
static char
lym_checkdigit(uint32_t *seed)
{
	uint32_t	 r;

	if (seed == NULL)
		return '0';
	*seed = *seed * 214013u + 2531011u;
	r = (*seed >> 16) & 0x7fff;
	return (char)('0' + ((r * 10 / 32768) & 7));
}

/* lym_encode - 4 (or, as "%d" makes them, 2 to 7) characters per byte */
int
lym_encode(int v, int ch, const char *in, size_t n, char *out, size_t cap,
    uint32_t *seed)
{
	size_t	 i, o = 0;
	int	 base, w;

	if (v < 1 || v > 3 || ch < 0 || ch >= LYM_KEYLEN || cap == 0 ||
	    n > LYM_KEYLEN)
		return -1;
	for (i = 0; i < n; i++) {
		if (in[i] == '\0' || lym_base(v, ch, i, &base) == -1)
			return -1;
		w = snprintf(out + o, cap - o, "%d%c",
		    base + (unsigned char)in[i], lym_checkdigit(seed));
		if (w < 0 || (size_t)w >= cap - o)
			return -1;
		o += (size_t)w;
	}
	out[o] = '\0';
	return (int)o;
}

/*
 * lym_num - in[0..w) as the client's "%d" writes an int: an optional
 * minus, no leading zero, no "-0".  Anything else is not a group.
 */
static int
lym_num(const char *in, size_t w, int *val)
{
	size_t	 j = 0;
	int	 neg = 0, x = 0;

	if (w == 0 || w > LYM_NUM_MAX)
		return -1;
	if (in[0] == '-') {
		neg = 1;
		j = 1;
	}
	if (j == w || (in[j] == '0' && (neg || w > 1)))
		return -1;
	for (; j < w; j++) {
		if (in[j] < '0' || in[j] > '9')
			return -1;
		x = x * 10 + (in[j] - '0');
	}
	*val = neg ? -x : x;
	return 0;
}

/* lym_group - the byte the group in[0..w) gives as group i, or -1 */
static int
lym_group(const char *in, size_t w, int base, int lo, int hi)
{
	int	 val;

	if (w < LYM_GRP_MIN || w > LYM_GRP_MAX ||
	    in[w - 1] < '0' || in[w - 1] > '9' ||	/* check digit */
	    lym_num(in, w - 1, &val) == -1 ||
	    val - base < lo || val - base > hi)
		return -1;
	return val - base;
}

/*
 * lym_layers - count the ways to cut in[0..n) into groups: cnt[g * (n+1)
 * + pos] is the number (0, 1 or 2 meaning "more") of ways the first g
 * groups end at pos with every byte in lo..hi.  Stops at the first layer
 * that reaches n, which is returned (0 if none does).
 */
static size_t
lym_layers(int v, int ch, const char *in, size_t n, size_t gmax,
    unsigned char *cnt, int lo, int hi)
{
	unsigned char	*cur, *next;
	size_t		 g, pos, w, q;
	int		 base;

	memset(cnt, 0, (gmax + 1) * (n + 1));
	cnt[0] = 1;
	for (g = 0; g < gmax; g++) {
		if (lym_base(v, ch, g, &base) == -1)
			return 0;
		cur = cnt + g * (n + 1);
		next = cur + (n + 1);
		for (pos = g * LYM_GRP_MIN; pos < n; pos++) {
			if (cur[pos] == 0)
				continue;
			for (w = LYM_GRP_MIN; w <= LYM_GRP_MAX &&
			    w <= n - pos; w++) {
				if (lym_group(in + pos, w, base, lo, hi) == -1)
					continue;
				q = pos + w;
				next[q] = next[q] + cur[pos] > 2 ? 2 :
				    next[q] + cur[pos];
			}
		}
		if (next[n] != 0)
			return g + 1;
	}
	return 0;
}

/*
 * lym_walk - follow the one way of cutting that reaches in[n] after ng
 * groups back to the start, writing each group's byte into out.
 */
static int
lym_walk(int v, int ch, const char *in, size_t n, size_t ng,
    const unsigned char *cnt, int lo, int hi, char *out)
{
	size_t	 g, pos = n, w;
	int	 base, c;

	for (g = ng; g > 0; g--) {
		if (lym_base(v, ch, g - 1, &base) == -1)
			return -1;
		c = -1;
		for (w = LYM_GRP_MIN; w <= LYM_GRP_MAX && w <= pos; w++) {
			if (cnt[(g - 1) * (n + 1) + pos - w] != 0 &&
			    (c = lym_group(in + pos - w, w, base, lo, hi)) != -1)
				break;
		}
		if (c == -1)
			return -1;
		out[g - 1] = (char)c;
		pos -= w;
	}
	return pos == 0 ? 0 : -1;
}

/*
 * lym_decode - the client writes N with "%d", so a group is 2 characters
 * or more wide once long inputs push N below 100 or below 0, and some
 * strings can be cut into groups in more than one way.  The decoder takes
 * the cut with the fewest groups in which every byte is printable (0x20 -
 * 0x7e), else in which every byte is in 1..255, and fails if that cut is
 * not the only one with that many groups.  That is exact for printable
 * input of up to 23 bytes in variant 1, 17 in variant 3, and 30 and more
 * in variant 2 (challenges 0..226); beyond, two inputs can encode alike.
 */
int
lym_decode(int v, int ch, const char *in, size_t n, char *out, size_t cap)
{
	static const int range[2][2] = { { 0x20, 0x7e }, { 1, 255 } };
	unsigned char	*cnt;
	size_t		 gmax, ng = 0;
	int		 r, ret = -1;

	if (v < 1 || v > 3 || ch < 0 || ch >= LYM_KEYLEN ||
	    n < LYM_GRP_MIN || cap < 2)
		return -1;
	gmax = cap - 1;
	if (gmax > LYM_DEC_MAX)
		gmax = LYM_DEC_MAX;
	if (gmax > n / LYM_GRP_MIN)
		gmax = n / LYM_GRP_MIN;
	if (n > gmax * LYM_GRP_MAX)
		return -1;
	if ((cnt = malloc((gmax + 1) * (n + 1))) == NULL)
		return -1;
	for (r = 0; r < 2 && ng == 0; r++) {
		ng = lym_layers(v, ch, in, n, gmax, cnt, range[r][0],
		    range[r][1]);
		if (ng == 0)
			continue;
		if (cnt[ng * (n + 1) + n] == 1 && lym_walk(v, ch, in, n, ng,
		    cnt, range[r][0], range[r][1], out) == 0) {
			out[ng] = '\0';
			ret = (int)ng;
		}
	}
	free(cnt);
	return ret;
}

/* rec_init - an empty builder over buf[0..cap) */
void
rec_init(struct rec *r, unsigned char *buf, size_t cap)
{
	r->buf = buf;
	r->cap = cap;
	r->len = 0;
	r->overflow = 0;
}

/* rec_raw - append bytes, or remember that they did not fit */
void
rec_raw(struct rec *r, const void *p, size_t n)
{
	if (r->overflow)
		return;
	if (r->len > r->cap || r->cap - r->len < n) {
		r->overflow = 1;
		return;
	}
	if (n > 0)
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

/* rec_addnum - a number printed into b (w: snprintf's result) as value */
static void
rec_addnum(struct rec *r, const char *key, const char *b, int w)
{
	if (w < 0 || (size_t)w >= REC_NUM) {
		r->overflow = 1;
		return;
	}
	rec_add(r, key, b);
}

void
rec_addu(struct rec *r, const char *key, unsigned long v)
{
	char	 b[REC_NUM];

	rec_addnum(r, key, b, snprintf(b, sizeof(b), "%lu", v));
}

void
rec_addi(struct rec *r, const char *key, long v)
{
	char	 b[REC_NUM];

	rec_addnum(r, key, b, snprintf(b, sizeof(b), "%ld", v));
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

/* rec_get - the value of the first line of p[0..n) that starts "key=" */
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
			if (j - i >= cap || j - i > (size_t)INT_MAX)
				return -2;
			memcpy(out, p + i, j - i);
			out[j - i] = '\0';
			return (int)(j - i);
		}
		/* Not this line: skip it and its end. */
		while (i < n && !rec_eol(p[i]))
			i++;
		while (i < n && rec_eol(p[i]))
			i++;
	}
	return -1;
}
