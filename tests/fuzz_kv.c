/*
 * tests/fuzz_kv.c - a libFuzzer harness for store/kv.c, the text form of
 * every stored value.
 *
 * The input is a value as the store could find it (a file edited by
 * hand, a record of another version): kv_version, kv_get and kv_getll
 * on a few keys, and kv_getrec through a table with a row of every kind
 * (text, a character, int, unsigned, long, long long; needed, strict,
 * omitted) must stay inside their buffers and keep their contracts; a
 * record kv_getrec reads must hold what kv_get and kv_getll find field
 * by field (it finds its fields in one pass over the value); a record
 * read is written again with kv_addrec and must read back the same.
 * Built and run by make fuzz.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../store/kv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct rec {
	char		 name[16];
	char		 note[8];
	char		 what[8];
	char		 kind;
	int		 i;
	unsigned int	 u;
	long		 l;
	long long	 ll;
};

static const struct kvfield fields[] = {
	KV_STR("name", struct rec, name, NULL, KV_NEED),
	KV_STR("note", struct rec, note, NULL, KV_OMIT | KV_STRICT),
	KV_STR("what", struct rec, what, "?", 0),
	KV_CHR("kind", struct rec, kind, "ATP", 'A'),
	KV_NUM("i", struct rec, i, -5, 5, 0, 0),
	KV_NUM("u", struct rec, u, 0, UINT32_MAX, 7, 0),
	KV_NUM("l", struct rec, l, LONG_MIN, LONG_MAX, 0, 0),
	KV_NUM("ll", struct rec, ll, 0, INT64_MAX, 1, KV_NEED),
	KV_END
};

/* check_get - kv_get's value fits and is NUL-terminated (binary-safe) */
static void
check_get(const char *v, size_t n, const char *key, size_t cap)
{
	char	*out;
	int	 r;

	if ((out = malloc(cap == 0 ? 1 : cap)) == NULL)
		return;
	r = kv_get(v, n, key, out, cap);
	if (r < -2 || (r >= 0 && ((size_t)r >= cap || out[r] != '\0')))
		abort();
	free(out);
}

/* num - what a number field reads as: its value within lo..hi, or def */
static long long
num(const char *v, size_t n, const char *key, long long lo, long long hi,
    long long def)
{
	long long	 x;

	return kv_getll(v, n, key, &x) == 0 && x >= lo && x <= hi ? x : def;
}

/* check_agree - kv_getrec read what kv_get and kv_getll find */
static void
check_agree(const char *v, size_t n, const struct rec *a)
{
	char	 t[16];
	int	 r;

	if (kv_get(v, n, "name", t, sizeof(a->name)) < 1 ||
	    strcmp(t, a->name) != 0)
		abort();
	r = kv_get(v, n, "what", t, sizeof(a->what));
	if (strcmp(r >= 0 ? t : "?", a->what) != 0)
		abort();
	r = kv_get(v, n, "kind", t, 4);
	if (a->kind != (r == 1 && t[0] != '\0' && strchr("ATP", t[0]) ?
	    t[0] : 'A'))
		abort();
	if (a->i != num(v, n, "i", -5, 5, 0) ||
	    a->u != num(v, n, "u", 0, UINT32_MAX, 7) ||
	    a->l != num(v, n, "l", LONG_MIN, LONG_MAX, 0) ||
	    a->ll != num(v, n, "ll", 0, INT64_MAX, 1))
		abort();
}

/* check_rec - a record read is in its bounds, and survives a round trip */
static void
check_rec(const char *v, size_t n)
{
	struct rec	 a, b;
	struct kvbuf	 kb;
	char		 buf[512];
	ssize_t		 len;

	memset(&a, 0x55, sizeof(a));
	if (kv_getrec(v, n, fields, &a) == -1)
		return;
	if (memchr(a.name, '\0', sizeof(a.name)) == NULL ||
	    memchr(a.note, '\0', sizeof(a.note)) == NULL ||
	    memchr(a.what, '\0', sizeof(a.what)) == NULL ||
	    strchr("ATP", a.kind) == NULL || a.kind == '\0' ||
	    a.i < -5 || a.i > 5 || a.ll < 0)
		abort();
	check_agree(v, n, &a);
	kv_init(&kb, buf, sizeof(buf), 1);
	kv_addrec(&kb, fields, &a);
	if ((len = kv_len(&kb)) < 0)
		abort();		/* 512 bytes hold any such record */
	memset(&b, 0x55, sizeof(b));
	if (kv_version(buf, (size_t)len) != 1 ||
	    kv_getrec(buf, (size_t)len, fields, &b) != 0 ||
	    strcmp(a.name, b.name) != 0 || strcmp(a.note, b.note) != 0 ||
	    strcmp(a.what, b.what) != 0 ||
	    a.kind != b.kind || a.i != b.i || a.u != b.u || a.l != b.l ||
	    a.ll != b.ll)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "name", "v1", "a", "", "=",
	    "ll" };
	char		*v;
	long long	 x;
	size_t		 i;
	int		 r;

	/* a copy of exactly size bytes, so that ASan sees any overread */
	if ((v = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	memcpy(v, data, size);
	r = kv_version(v, size);
	if (r < -1)
		abort();
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		check_get(v, size, keys[i], 1);
		check_get(v, size, keys[i], 8);
		check_get(v, size, keys[i], 300);
		r = kv_getll(v, size, keys[i], &x);
		if (r < -2 || r > 0)
			abort();
	}
	check_rec(v, size);
	free(v);
	return 0;
}
