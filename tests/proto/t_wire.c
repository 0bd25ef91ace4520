/*
 * t_wire.c - framing, the lymerick encoding and records (proto/wire.c).
 * Vectors from ../shared/protocol/vectors.txt and PROTOCOL.md 4.4.
 */
#include <sys/types.h>

#include <atf-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../proto/wire.h"

static size_t
unhex(const char *s, unsigned char *out)
{
	size_t	 n = 0;
	unsigned v;

	while (s[0] && s[1] && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		s += 2;
	}
	return n;
}

static const struct vec {
	const char	*hex;
	int		 type;
	unsigned	 version;
	size_t		 len;
} vecs[] = {
	{ "ff9c0047000400000000", -100, 0x47, 4 },
	{ "fb950047000c000000014e657453746f726d", -1131, 0x47, 12 },
	{ "fb960047000a000f4242000000010000", -1130, 0x47, 10 },
	{ "0474001d0007587946a6353139", 0x0474, 0x1d, 7 },
	{ "fb8400470020000f424232353830323831303238333033343930333731303336"
	  "323033303630", -1148, 0x47, 32 },
	{ "04a6001d0000", 0x04a6, 0x1d, 0 },
	{ "feca0053000a0000c35100000000082a", -310, 0x53, 10 },
};

ATF_TC_WITHOUT_HEAD(decode_vectors);
ATF_TC_BODY(decode_vectors, tc)
{
	unsigned char	 b[256];
	struct wire_frame f;
	size_t		 i, n;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		n = unhex(vecs[i].hex, b);
		ATF_REQUIRE_EQ(wire_decode(b, n, 8192, &f), (ssize_t)n);
		ATF_CHECK_EQ(f.type, vecs[i].type);
		ATF_CHECK_EQ(f.version, vecs[i].version);
		ATF_CHECK_EQ(f.len, vecs[i].len);
		ATF_CHECK(f.payload == b + 6);
	}
}

ATF_TC_WITHOUT_HEAD(every_truncation);
ATF_TC_BODY(every_truncation, tc)
{
	unsigned char	 b[256];
	struct wire_frame f;
	size_t		 i, k, n;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		n = unhex(vecs[i].hex, b);
		for (k = 0; k < n; k++)
			ATF_CHECK_EQ(wire_decode(b, k, 8192, &f), 0);
	}
}

/* Bytes arriving one at a time yield each frame exactly once. */
ATF_TC_WITHOUT_HEAD(split_delivery);
ATF_TC_BODY(split_delivery, tc)
{
	unsigned char	 all[512], buf[512];
	struct wire_frame f;
	size_t		 n = 0, have = 0, i;
	ssize_t		 r;
	int		 got = 0, types[8];

	for (i = 0; i < 3; i++)
		n += unhex(vecs[i].hex, all + n);
	for (i = 0; i < n; i++) {
		buf[have++] = all[i];
		while ((r = wire_decode(buf, have, 8192, &f)) > 0) {
			types[got++] = f.type;
			memmove(buf, buf + r, have - (size_t)r);
			have -= (size_t)r;
		}
		ATF_REQUIRE(r == 0);
	}
	ATF_CHECK_EQ(got, 3);
	ATF_CHECK_EQ(types[0], -100);
	ATF_CHECK_EQ(types[1], -1131);
	ATF_CHECK_EQ(types[2], -1130);
	ATF_CHECK_EQ(have, 0);
}

ATF_TC_WITHOUT_HEAD(oversize);
ATF_TC_BODY(oversize, tc)
{
	unsigned char	 b[] = { 0xff, 0x9c, 0x00, 0x47, 0xff, 0xff };
	struct wire_frame f;

	ATF_CHECK_EQ(wire_decode(b, sizeof(b), 8192, &f), -1);
	ATF_CHECK_EQ(wire_decode(b, sizeof(b), 65535, &f), 0);
	b[4] = 0x20;
	b[5] = 0x01;			/* 8193 */
	ATF_CHECK_EQ(wire_decode(b, sizeof(b), 8192, &f), -1);
	b[5] = 0x00;			/* 8192: fine, needs more */
	ATF_CHECK_EQ(wire_decode(b, sizeof(b), 8192, &f), 0);
}

ATF_TC_WITHOUT_HEAD(encode_roundtrip);
ATF_TC_BODY(encode_roundtrip, tc)
{
	unsigned char	 b[64], big[10];
	struct wire_frame f;
	size_t		 n;

	n = wire_encode(b, sizeof(b), 0x0190, "\0\x0f\x42\x41\0\0\0\x1e", 8);
	ATF_REQUIRE_EQ(n, 14);
	ATF_CHECK(memcmp(b, "\x01\x90\x00\x1d\x00\x08", 6) == 0);
	ATF_REQUIRE_EQ(wire_decode(b, n, 8192, &f), 14);
	ATF_CHECK_EQ(f.type, 0x0190);
	ATF_CHECK_EQ(wire_get32(f.payload), 1000001);
	ATF_CHECK_EQ(wire_encode(b, 13, 0x0190, b, 8), 0);
	ATF_CHECK_EQ(wire_encode(big, sizeof(big), 1, NULL, 70000), 0);
	ATF_CHECK_EQ(wire_encode(b, sizeof(b), PT_HELLO, NULL, 0), 6);
	ATF_REQUIRE_EQ(wire_decode(b, 6, 8192, &f), 6);
	ATF_CHECK_EQ(f.type, -117);
}

ATF_TC_WITHOUT_HEAD(lymerick_key);
ATF_TC_BODY(lymerick_key, tc)
{
	ATF_CHECK_EQ(strlen(lym_key), 354);
	ATF_CHECK(strstr(lym_key, "becuase") != NULL);
	ATF_CHECK_EQ(lym_key[353], '\n');
}

/* PROTOCOL.md 4.4: h2kclan, challenge 10, and the LOGIN vector. */
ATF_TC_WITHOUT_HEAD(lymerick_worked_example);
ATF_TC_BODY(lymerick_worked_example, tc)
{
	static const char *groups[] = { "258", "281", "283", "349", "371",
	    "362", "306" };
	char		 out[64], dec[32];
	uint32_t	 seed = 7;
	int		 i;

	ATF_REQUIRE_EQ(lym_encode(1, 10, "h2kclan", 7, out, sizeof(out),
	    &seed), 28);
	for (i = 0; i < 7; i++) {
		ATF_CHECK(strncmp(out + 4 * i, groups[i], 3) == 0);
		ATF_CHECK(out[4 * i + 3] >= '0' && out[4 * i + 3] <= '7');
	}
	ATF_CHECK_EQ(lym_decode(1, 10, "2580281028303490371036203060", 28, dec,
	    sizeof(dec)), 7);
	ATF_CHECK_STREQ(dec, "h2kclan");
	/* the check digit is ignored */
	ATF_CHECK_EQ(lym_decode(1, 10, "2587281728353496371436253067", 28, dec,
	    sizeof(dec)), 7);
	ATF_CHECK_STREQ(dec, "h2kclan");
	ATF_REQUIRE(lym_encode(2, 10, "127.0.0.1", 9, out, sizeof(out),
	    &seed) > 0);
	ATF_CHECK(strncmp(out, "203", 3) == 0);
	ATF_CHECK(strncmp(out + 32, "276", 3) == 0);
}

/* The smtp= value of vectors.txt's USER_DATA: variant 2, challenge 25. */
ATF_TC_WITHOUT_HEAD(lymerick_smtp_vector);
ATF_TC_BODY(lymerick_smtp_vector, tc)
{
	static const char v[] = "2720217021102680206027102810278021102910"
	    "279030202240356036203520367029802840357035403730";
	char		 dec[64];

	ATF_CHECK_EQ(lym_decode(2, 25, v, strlen(v), dec, sizeof(dec)), 22);
	ATF_CHECK_STREQ(dec, "127.0.0.1:25:user:pass");
}

/* Encoder and decoder agree on every password the server accepts. */
ATF_TC_WITHOUT_HEAD(lymerick_roundtrip);
ATF_TC_BODY(lymerick_roundtrip, tc)
{
	char		 in[32], out[256], dec[64];
	uint32_t	 seed = 1;
	int		 t, len, ch, i, v;

	srandom(42);
	for (t = 0; t < 20000; t++) {
		v = t % 3 == 0 ? 2 : 1;
		len = 1 + (int)(random() % 20);
		ch = (int)(random() % 227);
		for (i = 0; i < len; i++)
			in[i] = (char)(0x21 + random() % 94);
		in[len] = '\0';
		ATF_REQUIRE(lym_encode(v, ch, in, (size_t)len, out,
		    sizeof(out), &seed) > 0);
		ATF_REQUIRE_EQ(lym_decode(v, ch, out, strlen(out), dec,
		    sizeof(dec)), len);
		ATF_REQUIRE_STREQ(dec, in);
	}
}

ATF_TC_WITHOUT_HEAD(lymerick_malformed);
ATF_TC_BODY(lymerick_malformed, tc)
{
	char	 dec[8];

	ATF_CHECK_EQ(lym_decode(1, 10, "", 0, dec, sizeof(dec)), -1);
	ATF_CHECK_EQ(lym_decode(1, 10, "25x0281", 7, dec, sizeof(dec)), -1);
	ATF_CHECK_EQ(lym_decode(1, 10, "258028", 6, dec, sizeof(dec)), -1);
	ATF_CHECK_EQ(lym_decode(1, 10, "9990", 4, dec, sizeof(dec)), -1);
	ATF_CHECK_EQ(lym_decode(1, 10, "2580281028303490371036203060", 28, dec,
	    4), -1);		/* output too small */
	ATF_CHECK_EQ(lym_decode(1, 400, "2580", 4, dec, sizeof(dec)), -1);
	ATF_CHECK_EQ(lym_decode(7, 10, "2580", 4, dec, sizeof(dec)), -1);
}

ATF_TC_WITHOUT_HEAD(records);
ATF_TC_BODY(records, tc)
{
	unsigned char	 b[128];
	struct rec	 r;
	char		 v[16];

	rec_init(&r, b, sizeof(b));
	rec_addu(&r, "uid", 1000002);
	rec_add(&r, "nickname", "alice");
	rec_sep(&r);
	rec_add(&r, "exnickname", "x");
	rec_addi(&r, "n", -1);
	ATF_REQUIRE(rec_len(&r) > 0);
	ATF_CHECK_EQ(rec_get(b, (size_t)rec_len(&r), "nickname", v,
	    sizeof(v)), 5);
	ATF_CHECK_STREQ(v, "alice");
	ATF_CHECK_EQ(rec_get(b, (size_t)rec_len(&r), "nick", v, sizeof(v)),
	    -1);
	ATF_CHECK_EQ(rec_get(b, (size_t)rec_len(&r), "n", v, sizeof(v)), 2);
	ATF_CHECK_STREQ(v, "-1");
	ATF_CHECK_EQ(rec_get(b, (size_t)rec_len(&r), "uid", v, 4), -2);
	ATF_CHECK_EQ(rec_get(b, (size_t)rec_len(&r), "none", v, sizeof(v)),
	    -1);
	rec_init(&r, b, 8);
	rec_add(&r, "nickname", "alice");
	ATF_CHECK_EQ(rec_len(&r), -1);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, decode_vectors);
	ATF_TP_ADD_TC(tp, every_truncation);
	ATF_TP_ADD_TC(tp, split_delivery);
	ATF_TP_ADD_TC(tp, oversize);
	ATF_TP_ADD_TC(tp, encode_roundtrip);
	ATF_TP_ADD_TC(tp, lymerick_key);
	ATF_TP_ADD_TC(tp, lymerick_worked_example);
	ATF_TP_ADD_TC(tp, lymerick_smtp_vector);
	ATF_TP_ADD_TC(tp, lymerick_roundtrip);
	ATF_TP_ADD_TC(tp, lymerick_malformed);
	ATF_TP_ADD_TC(tp, records);
	return atf_no_error();
}
