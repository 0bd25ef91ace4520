/*
 * t_kv.c - the text value codec of store/kv.c: escapes, version tags,
 * field lookup, numbers, and every way a buffer or a value can be bad;
 * whole records through a table of their fields.
 */
#include <sys/types.h>

#include <atf-c.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../../store/kv.h"

/* plain - what kv.h says is stored as itself */
static int
plain(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '%' && c != '=';
}

ATF_TC_WITHOUT_HEAD(roundtrip_all_bytes);
ATF_TC_BODY(roundtrip_all_bytes, tc)
{
	struct kvbuf	 b;
	char		 in[256], buf[1024], out[300];
	size_t		 i;
	int		 n;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)i;
	kv_init(&b, buf, sizeof(buf), 1);
	kv_addn(&b, "all", in, sizeof(in));
	ATF_REQUIRE(kv_len(&b) > 0);
	ATF_CHECK_EQ(strlen(buf), (size_t)kv_len(&b));
	/* nothing but printable ASCII, one space, one '=' on disk */
	ATF_CHECK_EQ(strncmp(buf, "v1 all=", 7), 0);
	for (i = 7; buf[i] != '\0'; i++)
		ATF_CHECK_MSG(plain((unsigned char)buf[i]) || buf[i] == '%',
		    "byte 0x%02x written raw", (unsigned char)buf[i]);
	n = kv_get(buf, strlen(buf), "all", out, sizeof(out));
	ATF_REQUIRE_EQ(n, 256);
	ATF_CHECK(memcmp(in, out, sizeof(in)) == 0);
	ATF_CHECK_EQ(out[256], '\0');
}

ATF_TC_WITHOUT_HEAD(escape_each_byte);
ATF_TC_BODY(escape_each_byte, tc)
{
	struct kvbuf	 b;
	char		 c, buf[32], want[32], out[4];
	int		 i;

	for (i = 0; i < 256; i++) {
		c = (char)i;
		kv_init(&b, buf, sizeof(buf), 1);
		kv_addn(&b, "x", &c, 1);
		if (plain((unsigned char)i))
			(void)snprintf(want, sizeof(want), "v1 x=%c", i);
		else
			(void)snprintf(want, sizeof(want), "v1 x=%%%02X", i);
		ATF_CHECK_STREQ_MSG(buf, want, "byte 0x%02x", i);
		ATF_CHECK_EQ(kv_get(buf, strlen(buf), "x", out, sizeof(out)),
		    1);
		ATF_CHECK_EQ((unsigned char)out[0], i);
	}
}

ATF_TC_WITHOUT_HEAD(several_fields);
ATF_TC_BODY(several_fields, tc)
{
	struct kvbuf	 b;
	char		 buf[256], out[64];
	long long	 x;

	kv_init(&b, buf, sizeof(buf), 1);
	kv_add(&b, "nick", "alice");
	kv_add(&b, "first", "Alice B");
	kv_add(&b, "empty", "");
	kv_addll(&b, "created", 1732270000LL);
	kv_addll(&b, "neg", -42);
	ATF_CHECK_STREQ(buf, "v1 nick=alice first=Alice%20B empty= "
	    "created=1732270000 neg=-42");
	ATF_CHECK_EQ(kv_get(buf, strlen(buf), "first", out, sizeof(out)), 7);
	ATF_CHECK_STREQ(out, "Alice B");
	ATF_CHECK_EQ(kv_get(buf, strlen(buf), "empty", out, sizeof(out)), 0);
	ATF_CHECK_STREQ(out, "");
	ATF_CHECK_EQ(kv_getll(buf, strlen(buf), "created", &x), 0);
	ATF_CHECK_EQ(x, 1732270000LL);
	ATF_CHECK_EQ(kv_getll(buf, strlen(buf), "neg", &x), 0);
	ATF_CHECK_EQ(x, -42);
	/* a field at the very end with an empty value */
	ATF_CHECK_EQ(kv_get("v1 a=1 b=", 9, "b", out, sizeof(out)), 0);
	/* the first of two fields of the same name */
	ATF_CHECK_EQ(kv_get("v1 a=1 a=2", 10, "a", out, sizeof(out)), 1);
	ATF_CHECK_STREQ(out, "1");
	/* a length shorter than the string stops the search */
	ATF_CHECK_EQ(kv_get("v1 a=1 b=2", 6, "b", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get("v1 a=123", 7, "a", out, sizeof(out)), 2);
}

ATF_TC_WITHOUT_HEAD(version);
ATF_TC_BODY(version, tc)
{
	ATF_CHECK_EQ(kv_version("v1", 2), 1);
	ATF_CHECK_EQ(kv_version("v1 a=b", 6), 1);
	ATF_CHECK_EQ(kv_version("v12 a=b", 7), 12);
	ATF_CHECK_EQ(kv_version("v0", 2), 0);
	ATF_CHECK_EQ(kv_version("v1", 1), -1);
	ATF_CHECK_EQ(kv_version("", 0), -1);
	ATF_CHECK_EQ(kv_version("v", 1), -1);
	ATF_CHECK_EQ(kv_version("v a=b", 5), -1);
	ATF_CHECK_EQ(kv_version("x1", 2), -1);
	ATF_CHECK_EQ(kv_version("V1", 2), -1);
	ATF_CHECK_EQ(kv_version("v1a", 3), -1);
	ATF_CHECK_EQ(kv_version("v-1", 3), -1);
	ATF_CHECK_EQ(kv_version(" v1", 3), -1);
	ATF_CHECK_EQ(kv_version("v99999999999", 12), -1);
	ATF_CHECK_EQ(kv_version("v2147483647", 11), -1);
	ATF_CHECK_EQ(kv_version("v214748364", 10), 214748364);
}

ATF_TC_WITHOUT_HEAD(version_written);
ATF_TC_BODY(version_written, tc)
{
	struct kvbuf	 b;
	char		 buf[16];

	kv_init(&b, buf, sizeof(buf), 7);
	ATF_CHECK_STREQ(buf, "v7");
	ATF_CHECK_EQ(kv_len(&b), 2);
	ATF_CHECK_EQ(kv_version(buf, 2), 7);
}

ATF_TC_WITHOUT_HEAD(absent_field);
ATF_TC_BODY(absent_field, tc)
{
	const char	*v = "v1 nickname=bob name%3Dx=1 a=b%3Dc%20d";
	char		 out[32];
	long long	 x = 5;

	ATF_CHECK_EQ(kv_get(v, strlen(v), "nick", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "name", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "c", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "d", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "v1", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "a", out, sizeof(out)), 5);
	ATF_CHECK_STREQ(out, "b=c d");
	ATF_CHECK_EQ(kv_get("v1", 2, "a", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_get("", 0, "a", out, sizeof(out)), -1);
	ATF_CHECK_EQ(kv_getll(v, strlen(v), "missing", &x), -1);
	ATF_CHECK_EQ(x, 5);
}

ATF_TC_WITHOUT_HEAD(write_overflow);
ATF_TC_BODY(write_overflow, tc)
{
	struct kvbuf	 b;
	char		 buf[16];

	/* "v1 a=xyz" is 8 bytes: 9 with the NUL fit, 8 do not */
	kv_init(&b, buf, 9, 1);
	kv_add(&b, "a", "xyz");
	ATF_CHECK_EQ(kv_len(&b), 8);
	ATF_CHECK_STREQ(buf, "v1 a=xyz");
	kv_init(&b, buf, 8, 1);
	kv_add(&b, "a", "xyz");
	ATF_CHECK_EQ(kv_len(&b), -1);
	ATF_CHECK(strlen(buf) < 8);
	/* "v1 a=%20": an escape is written whole or not at all */
	kv_init(&b, buf, 9, 1);
	kv_add(&b, "a", " ");
	ATF_CHECK_EQ(kv_len(&b), 8);
	kv_init(&b, buf, 8, 1);
	kv_add(&b, "a", " ");
	ATF_CHECK_EQ(kv_len(&b), -1);
	ATF_CHECK_STREQ(buf, "v1 a=");
	/* once overflowed, always overflowed, and still terminated */
	kv_init(&b, buf, 6, 1);
	kv_add(&b, "abcdef", "x");
	kv_add(&b, "a", "");
	ATF_CHECK_EQ(kv_len(&b), -1);
	ATF_CHECK(memchr(buf, '\0', 6) != NULL);
	kv_init(&b, buf, 0, 1);
	ATF_CHECK_EQ(kv_len(&b), -1);
	kv_init(&b, buf, 2, 1);
	ATF_CHECK_EQ(kv_len(&b), -1);
}

ATF_TC_WITHOUT_HEAD(read_overflow);
ATF_TC_BODY(read_overflow, tc)
{
	const char	*v = "v1 a=abc b=%41%42";
	char		 out[8];

	ATF_CHECK_EQ(kv_get(v, strlen(v), "a", out, 4), 3);
	ATF_CHECK_STREQ(out, "abc");
	ATF_CHECK_EQ(kv_get(v, strlen(v), "a", out, 3), -2);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "a", out, 0), -2);
	ATF_CHECK_EQ(kv_get(v, strlen(v), "b", out, 3), 2);
	ATF_CHECK_STREQ(out, "AB");
	ATF_CHECK_EQ(kv_get(v, strlen(v), "b", out, 2), -2);
	ATF_CHECK_EQ(kv_get("v1 e=", 5, "e", out, 1), 0);
	ATF_CHECK_EQ(kv_get("v1 e=", 5, "e", out, 0), -2);
}

ATF_TC_WITHOUT_HEAD(bad_escapes);
ATF_TC_BODY(bad_escapes, tc)
{
	const char	*bad[] = {
		"v1 a=%", "v1 a=%4", "v1 a=%G1", "v1 a=%1G", "v1 a=x%",
		"v1 a=%%41", "v1 a=% 1", "v1 a=%4 b=1", "v1 a=%-1",
	};
	char		 out[16];
	size_t		 i;
	long long	 x;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATF_CHECK_EQ_MSG(kv_get(bad[i], strlen(bad[i]), "a", out,
		    sizeof(out)), -2, "%s", bad[i]);
	/* either case of hex digits is read */
	ATF_CHECK_EQ(kv_get("v1 a=%4a%4A", 11, "a", out, sizeof(out)), 2);
	ATF_CHECK_STREQ(out, "JJ");
	/* an escape cut by the given length is bad */
	ATF_CHECK_EQ(kv_get("v1 a=%41", 7, "a", out, sizeof(out)), -2);
	ATF_CHECK_EQ(kv_getll("v1 n=%31%32", 11, "n", &x), 0);
	ATF_CHECK_EQ(x, 12);
	ATF_CHECK_EQ(kv_getll("v1 n=%3", 7, "n", &x), -2);
}

ATF_TC_WITHOUT_HEAD(numbers);
ATF_TC_BODY(numbers, tc)
{
	struct kvbuf	 b;
	char		 buf[128];
	long long	 x;

	kv_init(&b, buf, sizeof(buf), 1);
	kv_addll(&b, "max", LLONG_MAX);
	kv_addll(&b, "min", LLONG_MIN);
	ATF_REQUIRE(kv_len(&b) > 0);
	ATF_CHECK_EQ(kv_getll(buf, strlen(buf), "max", &x), 0);
	ATF_CHECK_EQ(x, LLONG_MAX);
	ATF_CHECK_EQ(kv_getll(buf, strlen(buf), "min", &x), 0);
	ATF_CHECK_EQ(x, LLONG_MIN);
	ATF_CHECK_EQ(kv_getll("v1 n=9223372036854775808", 24, "n", &x), -2);
	ATF_CHECK_EQ(kv_getll("v1 n=99999999999999999999999", 28, "n", &x),
	    -2);
	ATF_CHECK_EQ(kv_getll("v1 n=12x", 8, "n", &x), -2);
	ATF_CHECK_EQ(kv_getll("v1 n=", 5, "n", &x), -2);
	ATF_CHECK_EQ(kv_getll("v1 n=abc", 8, "n", &x), -2);
	ATF_CHECK_EQ(kv_getll("v1 n=007", 8, "n", &x), 0);
	ATF_CHECK_EQ(x, 7);
}

/* A record as the store's families describe theirs. */
struct rec {
	char		 name[8];
	char		 note[8];
	char		 topic[8];
	char		 mode;
	int		 level;
	unsigned int	 flags;
	long long	 when;
};

static const struct kvfield rec_fields[] = {
	KV_STR("name", struct rec, name, NULL, KV_NEED),
	KV_STR("note", struct rec, note, NULL, KV_STRICT),
	KV_STR("topic", struct rec, topic, "?", KV_OMIT),
	KV_CHR("mode", struct rec, mode, "GAR", 'G'),
	KV_NUM("level", struct rec, level, 0, 3, 1, 0),
	KV_NUM("flags", struct rec, flags, 0, UINT_MAX, 0, 0),
	KV_NUM("when", struct rec, when, LLONG_MIN, LLONG_MAX, 0, 0),
	KV_END
};

/* rec_is - a record read has these values */
static void
rec_is(const struct rec *r, const char *name, const char *note,
    const char *topic, char mode, int level, unsigned int flags,
    long long when)
{
	ATF_CHECK_STREQ(r->name, name);
	ATF_CHECK_STREQ(r->note, note);
	ATF_CHECK_STREQ(r->topic, topic);
	ATF_CHECK_EQ(r->mode, mode);
	ATF_CHECK_EQ(r->level, level);
	ATF_CHECK_EQ(r->flags, flags);
	ATF_CHECK_EQ(r->when, when);
}

ATF_TC_WITHOUT_HEAD(record_roundtrip);
ATF_TC_BODY(record_roundtrip, tc)
{
	struct rec	 in = { "al ice", "", "", 'R', 2, 4000000000u, -5 };
	struct rec	 out;
	struct kvbuf	 b;
	char		 buf[256];

	kv_init(&b, buf, sizeof(buf), 1);
	kv_addrec(&b, rec_fields, &in);
	ATF_REQUIRE(kv_len(&b) > 0);
	/* the table's order; an empty KV_OMIT field is not written */
	ATF_CHECK_STREQ(buf, "v1 name=al%20ice note= mode=R level=2 "
	    "flags=4000000000 when=-5");
	memset(&out, 'x', sizeof(out));
	ATF_REQUIRE_EQ(kv_getrec(buf, strlen(buf), rec_fields, &out), 0);
	rec_is(&out, "al ice", "", "?", 'R', 2, 4000000000u, -5);
	/* a character not in the set is written as the default */
	in.mode = 'x';
	kv_init(&b, buf, sizeof(buf), 1);
	kv_addrec(&b, rec_fields, &in);
	ATF_CHECK(strstr(buf, " mode=G ") != NULL);
	/* a name that fills its array is written whole, without a NUL */
	memcpy(in.name, "12345678", sizeof(in.name));
	kv_init(&b, buf, sizeof(buf), 1);
	kv_addrec(&b, rec_fields, &in);
	ATF_CHECK_EQ(strncmp(buf, "v1 name=12345678 ", 17), 0);
}

ATF_TC_WITHOUT_HEAD(record_defaults);
ATF_TC_BODY(record_defaults, tc)
{
	struct rec	 out;
	const char	*v;

	/* absent or out of bounds: the defaults; unknown fields ignored */
	v = "v1 name=bob level=9 mode=GA flags=-1 future=1 topic=%zz";
	memset(&out, 'x', sizeof(out));
	ATF_REQUIRE_EQ(kv_getrec(v, strlen(v), rec_fields, &out), 0);
	rec_is(&out, "bob", "", "?", 'G', 1, 0, 0);
	/* KV_NEED: absent, empty or too long; KV_STRICT: bad */
	v = "v1 note=x";
	ATF_CHECK_EQ(kv_getrec(v, strlen(v), rec_fields, &out), -1);
	v = "v1 name= note=x";
	ATF_CHECK_EQ(kv_getrec(v, strlen(v), rec_fields, &out), -1);
	/* empty as a C string, as its writer would have made it (fuzz_kv) */
	v = "v1 name=%00bob note=x";
	ATF_CHECK_EQ(kv_getrec(v, strlen(v), rec_fields, &out), -1);
	v = "v1 name=123456789";
	ATF_CHECK_EQ(kv_getrec(v, strlen(v), rec_fields, &out), -1);
	v = "v1 name=bob note=%4";
	ATF_CHECK_EQ(kv_getrec(v, strlen(v), rec_fields, &out), -1);
	v = "v1 name=bob note=123456789";
	ATF_CHECK_EQ(kv_getrec(v, strlen(v), rec_fields, &out), -1);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, roundtrip_all_bytes);
	ATF_TP_ADD_TC(tp, escape_each_byte);
	ATF_TP_ADD_TC(tp, several_fields);
	ATF_TP_ADD_TC(tp, version);
	ATF_TP_ADD_TC(tp, version_written);
	ATF_TP_ADD_TC(tp, absent_field);
	ATF_TP_ADD_TC(tp, write_overflow);
	ATF_TP_ADD_TC(tp, read_overflow);
	ATF_TP_ADD_TC(tp, bad_escapes);
	ATF_TP_ADD_TC(tp, numbers);
	ATF_TP_ADD_TC(tp, record_roundtrip);
	ATF_TP_ADD_TC(tp, record_defaults);
	return atf_no_error();
}
