/*
 * tests/proto/t_rtp.c - unit tests for proto/rtp.c: the voice port's
 * framing (every split and truncation point), RTP checks and rewriting,
 * and the mic decision table.
 *
 * The unit below is the one in ../shared/realclient/README.md (VOICE,
 * item 4): what the 5.0 client sent for digital silence as uid 1000002.
 */
#include <sys/types.h>

#include <atf-c.h>
#include <stdint.h>
#include <string.h>

#include "../../proto/rtp.h"

static const uint8_t gsm[33] = {
	0xd8, 0x20, 0xa2, 0xe1, 0x5a, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49,
	0x24, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49,
	0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24
};

/* unit5 - the 152-byte unit as 5.0 sends it; returns its size */
static size_t
unit5(uint8_t *u)
{
	static const uint8_t hdr[16] = {
		0x00, 0x00, 0x00, 0x94, 0x80, 0x03, 0xb9, 0x00,
		0x7c, 0xf3, 0x04, 0xa0, 0x00, 0x0f, 0x42, 0x42
	};
	int	 i;

	memcpy(u, hdr, sizeof(hdr));
	for (i = 0; i < 4; i++)
		memcpy(u + 16 + 33 * i, gsm, sizeof(gsm));
	memcpy(u + 148, "\x42\x42\x0f\x00", 4);
	return 152;
}

ATF_TC_WITHOUT_HEAD(hello_then_unit);
ATF_TC_BODY(hello_then_unit, tc)
{
	struct rtp_reader r;
	uint8_t		 in[8 + 152];
	size_t		 used;

	memcpy(in, "\x00\x00\xc3\x59\x00\x0f\x42\x42", 8);
	(void)unit5(in + 8);
	rtp_reader_init(&r, 1);
	ATF_REQUIRE_EQ(rtp_read(&r, in, sizeof(in), &used), RTP_HELLO);
	ATF_CHECK_EQ(used, 8);
	ATF_CHECK_EQ(r.room, 50009);
	ATF_CHECK_EQ(r.uid, 1000002);
	ATF_REQUIRE_EQ(rtp_read(&r, in + 8, sizeof(in) - 8, &used), RTP_UNIT);
	ATF_CHECK_EQ(used, 152);
	ATF_CHECK_EQ(r.unitlen, 152);
	ATF_CHECK(memcmp(r.unit, in + 8, 152) == 0);
	ATF_CHECK_EQ(rtp_read(&r, in, 0, &used), RTP_MORE);
	ATF_CHECK_EQ(used, 0);
}

/* Split the handshake and two units at every point, in two pieces. */
ATF_TC_WITHOUT_HEAD(every_split);
ATF_TC_BODY(every_split, tc)
{
	struct rtp_reader r;
	uint8_t		 in[8 + 2 * 152];
	size_t		 cut, off, used, n;
	int		 res, hellos, units;

	memcpy(in, "\x00\x00\xc3\x53\x00\x0f\x42\x44", 8);
	(void)unit5(in + 8);
	(void)unit5(in + 8 + 152);
	in[8 + 152 + 7] = 0x77;		/* tell the units apart */
	for (cut = 0; cut <= sizeof(in); cut++) {
		rtp_reader_init(&r, 1);
		hellos = units = 0;
		for (off = 0; off < sizeof(in);) {
			n = (off < cut ? cut : sizeof(in)) - off;
			res = rtp_read(&r, in + off, n, &used);
			ATF_REQUIRE(used <= n);
			ATF_REQUIRE(res != RTP_BADLEN);
			if (res == RTP_MORE)
				ATF_REQUIRE_EQ(used, n);
			if (res == RTP_HELLO) {
				ATF_CHECK_EQ(r.room, 50003);
				ATF_CHECK_EQ(r.uid, 1000004);
				hellos++;
			}
			if (res == RTP_UNIT) {
				ATF_CHECK_EQ(r.unitlen, 152);
				ATF_CHECK(memcmp(r.unit,
				    in + 8 + 152 * (size_t)units, 152) == 0);
				units++;
			}
			off += used;
		}
		ATF_CHECK_EQ_MSG(hellos, 1, "cut %zu", cut);
		ATF_CHECK_EQ_MSG(units, 2, "cut %zu", cut);
	}
}

/* One byte at a time: a unit appears exactly at its last byte. */
ATF_TC_WITHOUT_HEAD(byte_by_byte);
ATF_TC_BODY(byte_by_byte, tc)
{
	struct rtp_reader r;
	uint8_t		 in[152];
	size_t		 i, used;
	int		 res;

	(void)unit5(in);
	rtp_reader_init(&r, 0);
	for (i = 0; i < sizeof(in); i++) {
		res = rtp_read(&r, in + i, 1, &used);
		ATF_REQUIRE_EQ(used, 1);
		ATF_REQUIRE_EQ_MSG(res, i == sizeof(in) - 1 ? RTP_UNIT :
		    RTP_MORE, "byte %zu", i);
	}
}

ATF_TC_WITHOUT_HEAD(bad_lengths);
ATF_TC_BODY(bad_lengths, tc)
{
	static const struct {
		uint32_t	 len;
		int		 ok;
	} v[] = {
		{ 0, 0 }, { 11, 0 }, { 12, 1 }, { 148, 1 }, { 1024, 1 },
		{ 1025, 0 }, { 0x7fffffff, 0 }, { 0xffffffff, 0 },
	};
	struct rtp_reader r;
	uint8_t		 in[4], body[1024];
	size_t		 i, used;
	int		 res;

	memset(body, 0, sizeof(body));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		in[0] = (uint8_t)(v[i].len >> 24);
		in[1] = (uint8_t)(v[i].len >> 16);
		in[2] = (uint8_t)(v[i].len >> 8);
		in[3] = (uint8_t)v[i].len;
		rtp_reader_init(&r, 0);
		res = rtp_read(&r, in, 4, &used);
		if (!v[i].ok) {
			ATF_CHECK_EQ_MSG(res, RTP_BADLEN, "len %u", v[i].len);
			/* and it stays refused */
			ATF_CHECK_EQ(rtp_read(&r, body, 4, &used),
			    RTP_BADLEN);
			continue;
		}
		ATF_CHECK_EQ(res, RTP_MORE);
		ATF_CHECK_EQ(rtp_read(&r, body, v[i].len, &used), RTP_UNIT);
		ATF_CHECK_EQ(r.unitlen, 4 + (size_t)v[i].len);
	}
}

ATF_TC_WITHOUT_HEAD(check_packets);
ATF_TC_BODY(check_packets, tc)
{
	uint8_t		 u[152], p[200];
	size_t		 n;

	n = unit5(u) - 4;
	ATF_CHECK_EQ(rtp_check(u + 4, n), RTP_OK);
	memcpy(p, u + 4, n);
	p[1] |= 0x80;			/* the marker bit is fine */
	ATF_CHECK_EQ(rtp_check(p, n), RTP_OK);
	memcpy(p, u + 4, n);
	p[0] = 0x40;			/* version 1 */
	ATF_CHECK_EQ(rtp_check(p, n), RTP_EVERSION);
	p[0] = 0x00;
	ATF_CHECK_EQ(rtp_check(p, n), RTP_EVERSION);
	p[0] = 0xc0;
	ATF_CHECK_EQ(rtp_check(p, n), RTP_EVERSION);
	p[0] = 0xa0;			/* padding */
	ATF_CHECK_EQ(rtp_check(p, n), RTP_EHEADER);
	p[0] = 0x90;			/* extension */
	ATF_CHECK_EQ(rtp_check(p, n), RTP_EHEADER);
	p[0] = 0x81;			/* one CSRC */
	ATF_CHECK_EQ(rtp_check(p, n), RTP_EHEADER);
	p[0] = 0x80;
	p[1] = 0x00;			/* PCMU */
	ATF_CHECK_EQ(rtp_check(p, n), RTP_ETYPE);
	p[1] = 0x83 & 0x7f;
	ATF_CHECK_EQ(rtp_check(p, n - 1), RTP_ESHORT);
	ATF_CHECK_EQ(rtp_check(p, 12), RTP_ESHORT);
	ATF_CHECK_EQ(rtp_check(p, 11), RTP_ELEN);
	ATF_CHECK_EQ(rtp_check(p, 1025), RTP_ELEN);
	memset(p + n, 0, sizeof(p) - n);
	ATF_CHECK_EQ(rtp_check(p, sizeof(p)), RTP_OK);	/* longer is fine */
	ATF_CHECK_STREQ(rtp_strerror(RTP_ETYPE), "payload type is not GSM");
}

ATF_TC_WITHOUT_HEAD(rewrite_uid);
ATF_TC_BODY(rewrite_uid, tc)
{
	uint8_t		 u[152], v[152], w[160];
	size_t		 n;

	n = unit5(u);
	memcpy(v, u, n);
	/* a sender claiming 1000002 is 1000004 */
	rtp_rewrite(v + 4, n - 4, 1000004);
	ATF_CHECK(memcmp(v + 12, "\x00\x0f\x42\x44", 4) == 0);
	ATF_CHECK(memcmp(v + 148, "\x44\x42\x0f\x00", 4) == 0);
	/* nothing else changed */
	ATF_CHECK(memcmp(v, u, 12) == 0);
	ATF_CHECK(memcmp(v + 16, u + 16, 132) == 0);
	/* and the unit framing round trip */
	ATF_CHECK_EQ(rtp_unit(w, sizeof(w), v + 4, n - 4), n);
	ATF_CHECK(memcmp(w, v, n) == 0);
	ATF_CHECK_EQ(rtp_unit(w, n - 1, v + 4, n - 4), 0);
	ATF_CHECK_EQ(rtp_unit(w, sizeof(w), v, RTP_LEN_MAX + 1), 0);
}

ATF_TC_WITHOUT_HEAD(udp_forms);
ATF_TC_BODY(udp_forms, tc)
{
	uint8_t		 u[152], p[200];

	(void)unit5(u);
	/* plain RTP: 4 GSM frames, no uid; made 5.0-shaped */
	memcpy(p, u + 4, 144);
	memset(p + 144, 0xee, 4);
	ATF_CHECK_EQ(rtp_from_udp(p, 144, sizeof(p)), 148);
	ATF_CHECK(memcmp(p, u + 4, 144) == 0);
	ATF_CHECK(memcmp(p + 144, "\0\0\0\0", 4) == 0);
	ATF_CHECK_EQ(rtp_from_udp(p, 144, 147), 0);	/* no room */
	/* already 5.0-shaped: as it is */
	memcpy(p, u + 4, 148);
	ATF_CHECK_EQ(rtp_from_udp(p, 148, sizeof(p)), 148);
	ATF_CHECK(memcmp(p, u + 4, 148) == 0);
	/* one frame, or a bad header: refused */
	ATF_CHECK_EQ(rtp_from_udp(p, 12 + 33, sizeof(p)), 0);
	p[0] = 0x40;
	ATF_CHECK_EQ(rtp_from_udp(p, 144, sizeof(p)), 0);
	/* to a UDP listener: without the uid */
	ATF_CHECK_EQ(rtp_to_udp(148), 144);
}

static const struct mic_rules R = { 1500, 10000, 0 };
static const struct mic_rules RT = { 1500, 10000, 60000 };

/* The decision table: one row per situation. */
ATF_TC_WITHOUT_HEAD(mic_table);
ATF_TC_BODY(mic_table, tc)
{
	static const struct {
		const char	*what;
		int		 timed;		/* mic_time 60 s */
		uint32_t	 speaker;	/* before */
		int64_t		 since, heard;
		uint32_t	 uid;
		int		 reddot, allmics, waiting;
		int64_t		 now;
		int		 verdict;
		uint32_t	 after;		/* speaker after */
	} v[] = {
		{ "free mic: claimed", 0, 0, 0, 0, 7, 0, 0, 0, 100,
		    MIC_CLAIM, 7 },
		{ "red dot, free mic", 0, 0, 0, 0, 7, 1, 0, 0, 100,
		    MIC_REDDOT, 0 },
		{ "red dot, all mics", 0, 0, 0, 0, 7, 1, 1, 0, 100,
		    MIC_REDDOT, 0 },
		{ "red dot, holds the mic", 0, 7, 0, 90, 7, 1, 0, 0, 100,
		    MIC_REDDOT, 7 },
		{ "all mics, another speaks", 0, 8, 0, 90, 7, 0, 1, 0, 100,
		    MIC_RELAY, 8 },
		{ "holder talks on", 0, 7, 0, 90, 7, 0, 0, 0, 100,
		    MIC_RELAY, 7 },
		{ "holder after a 1.4 s pause", 0, 7, 0, 100, 7, 0, 0, 0,
		    1500, MIC_RELAY, 7 },
		{ "busy", 0, 8, 0, 90, 7, 0, 0, 0, 100, MIC_BUSY, 8 },
		{ "busy 1.49 s after the last unit", 0, 8, 0, 100, 7, 0, 0,
		    0, 1599, MIC_BUSY, 8 },
		{ "free after 1.5 s of silence", 0, 8, 0, 100, 7, 0, 0, 0,
		    1600, MIC_CLAIM, 7 },
		{ "granted, not yet talking", 0, 8, 100, 0, 7, 0, 0, 0, 9000,
		    MIC_BUSY, 8 },
		{ "grant unused for 10 s", 0, 8, 100, 0, 7, 0, 0, 0, 10100,
		    MIC_CLAIM, 7 },
		{ "free but a hand is ahead", 0, 0, 0, 0, 7, 0, 0, 1, 100,
		    MIC_BUSY, 0 },
		{ "silent holder, a hand ahead", 0, 8, 0, 100, 7, 0, 0, 1,
		    1600, MIC_BUSY, 8 },
		{ "no limit: holder talks on", 0, 7, 0, 99000, 7, 0, 0, 1,
		    100000, MIC_RELAY, 7 },
		{ "limit, nobody waits", 1, 7, 0, 99000, 7, 0, 0, 0, 100000,
		    MIC_RELAY, 7 },
		{ "limit, others wait", 1, 7, 0, 99000, 7, 0, 0, 1, 100000,
		    MIC_TIMEUP, 7 },
		{ "limit not reached", 1, 7, 0, 59000, 7, 0, 0, 1, 59999,
		    MIC_RELAY, 7 },
	};
	struct mic	 m;
	struct mic_who	 w;
	size_t		 i;
	int		 res;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		m.speaker = v[i].speaker;
		m.since = v[i].since;
		m.heard = v[i].heard;
		w.uid = v[i].uid;
		w.reddot = v[i].reddot;
		w.allmics = v[i].allmics;
		w.waiting = v[i].waiting;
		res = mic_unit(&m, v[i].timed ? &RT : &R, &w, v[i].now);
		ATF_CHECK_EQ_MSG(res, v[i].verdict, "%s: verdict %d",
		    v[i].what, res);
		ATF_CHECK_EQ_MSG(m.speaker, v[i].after, "%s: speaker %u",
		    v[i].what, m.speaker);
		if (res == MIC_CLAIM || (res == MIC_RELAY && !v[i].allmics))
			ATF_CHECK_EQ_MSG(m.heard, v[i].now, "%s", v[i].what);
	}
}

ATF_TC_WITHOUT_HEAD(mic_turns);
ATF_TC_BODY(mic_turns, tc)
{
	struct mic	 m;

	memset(&m, 0, sizeof(m));
	ATF_CHECK(!mic_over(&m, &R, 1, 1000000));	/* free: nothing */
	mic_give(&m, 7, 1000);
	ATF_CHECK_EQ(m.heard, 0);
	ATF_CHECK(!mic_over(&m, &R, 0, 10999));		/* in the grace */
	ATF_CHECK(mic_over(&m, &R, 0, 11000));
	m.heard = 2000;
	ATF_CHECK(!mic_over(&m, &R, 0, 3499));
	ATF_CHECK(mic_over(&m, &R, 0, 3500));		/* silence */
	m.heard = 60999;
	ATF_CHECK(!mic_over(&m, &RT, 0, 61000));	/* nobody waits */
	ATF_CHECK(mic_over(&m, &RT, 1, 61000));		/* time up */
	ATF_CHECK(!mic_over(&m, &R, 1, 61000));		/* no limit */
	/* a speaker set in the table by someone else is adopted */
	mic_sync(&m, 9, 70000);
	ATF_CHECK_EQ(m.speaker, 9);
	ATF_CHECK_EQ(m.since, 70000);
	ATF_CHECK_EQ(m.heard, 0);
	m.heard = 70500;
	mic_sync(&m, 9, 71000);				/* the same: kept */
	ATF_CHECK_EQ(m.heard, 70500);
	mic_sync(&m, 0, 72000);				/* red-dotted: free */
	ATF_CHECK_EQ(m.speaker, 0);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, hello_then_unit);
	ATF_TP_ADD_TC(tp, every_split);
	ATF_TP_ADD_TC(tp, byte_by_byte);
	ATF_TP_ADD_TC(tp, bad_lengths);
	ATF_TP_ADD_TC(tp, check_packets);
	ATF_TP_ADD_TC(tp, rewrite_uid);
	ATF_TP_ADD_TC(tp, udp_forms);
	ATF_TP_ADD_TC(tp, mic_table);
	ATF_TP_ADD_TC(tp, mic_turns);
	return atf_no_error();
}
