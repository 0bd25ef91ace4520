/*
 * proto/rtp.c - the voice port's framing, RTP checks and the mic rules.
 *
 * See rtp.h.  The reader is a state machine over three items: the
 * handshake (8 bytes), a unit's length (4 bytes) and its RTP packet
 * (length bytes, bounded before a byte of it is stored).
 */
#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "rtp.h"

#define RS_HELLO	0
#define RS_LEN		1
#define RS_BODY		2
#define RS_BAD		3

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
rtp_reader_init(struct rtp_reader *r, int hello)
{
	r->state = hello ? RS_HELLO : RS_LEN;
	r->got = 0;
	r->len = 0;
	r->room = r->uid = 0;
	r->unitlen = 0;
}

/* take - move up to want - got bytes into dst; 1 when the item is whole */
static int
take(struct rtp_reader *r, uint8_t *dst, size_t want, const uint8_t *p,
    size_t n, size_t *used)
{
	size_t	 k = want - r->got;

	if (k > n - *used)
		k = n - *used;
	memcpy(dst + r->got, p + *used, k);
	r->got += k;
	*used += k;
	return r->got == want;
}

int
rtp_read(struct rtp_reader *r, const uint8_t *p, size_t n, size_t *used)
{
	*used = 0;
	for (;;) {
		switch (r->state) {
		case RS_HELLO:
			if (!take(r, r->unit, RTP_HELLO_LEN, p, n, used))
				return RTP_MORE;
			r->room = get32(r->unit);
			r->uid = get32(r->unit + 4);
			r->got = 0;
			r->state = RS_LEN;
			return RTP_HELLO;
		case RS_LEN:
			if (!take(r, r->unit, 4, p, n, used))
				return RTP_MORE;
			r->len = get32(r->unit);
			if (r->len < RTP_LEN_MIN || r->len > RTP_LEN_MAX) {
				r->state = RS_BAD;
				return RTP_BADLEN;
			}
			r->state = RS_BODY;
			break;
		case RS_BODY:
			if (!take(r, r->unit, 4 + (size_t)r->len, p, n, used))
				return RTP_MORE;
			r->unitlen = 4 + (size_t)r->len;
			r->got = 0;
			r->state = RS_LEN;
			return RTP_UNIT;
		default:
			return RTP_BADLEN;
		}
	}
}

int
rtp_check(const uint8_t *p, size_t len)
{
	if (len < RTP_LEN_MIN || len > RTP_LEN_MAX)
		return RTP_ELEN;
	if ((p[0] >> 6) != 2)
		return RTP_EVERSION;
	/* 5.0 sends 0x80: the rewrite needs the uid in the last 4 bytes */
	if ((p[0] & 0x3f) != 0)
		return RTP_EHEADER;
	if ((p[1] & 0x7f) != RTP_PT_GSM)
		return RTP_ETYPE;
	if (len - RTP_HDRLEN < RTP_GSM_PAYLOAD)
		return RTP_ESHORT;
	return RTP_OK;
}

const char *
rtp_strerror(int e)
{
	switch (e) {
	case RTP_OK:
		return "ok";
	case RTP_EVERSION:
		return "not RTP version 2";
	case RTP_EHEADER:
		return "padding, extension or CSRC";
	case RTP_ETYPE:
		return "payload type is not GSM";
	case RTP_ESHORT:
		return "payload too short";
	case RTP_ELEN:
		return "bad length";
	}
	return "unknown";
}

void
rtp_rewrite(uint8_t *p, size_t len, uint32_t uid)
{
	put32(p + 8, uid);
	p[len - 4] = (uint8_t)uid;
	p[len - 3] = (uint8_t)(uid >> 8);
	p[len - 2] = (uint8_t)(uid >> 16);
	p[len - 1] = (uint8_t)(uid >> 24);
}

size_t
rtp_from_udp(uint8_t *p, size_t len, size_t cap)
{
	if (len == RTP_HDRLEN + RTP_GSM_UDP && cap >= len + 4) {
		memset(p + len, 0, 4);	/* the uid, set by rtp_rewrite */
		len += 4;
	}
	return rtp_check(p, len) == RTP_OK ? len : 0;
}

size_t
rtp_to_udp(size_t len)
{
	return len - 4;
}

size_t
rtp_unit(uint8_t *out, size_t cap, const uint8_t *p, size_t len)
{
	if (len > RTP_LEN_MAX || cap < 4 + len)
		return 0;
	put32(out, (uint32_t)len);
	memcpy(out + 4, p, len);
	return 4 + len;
}

void
mic_give(struct mic *m, uint32_t uid, int64_t now)
{
	m->speaker = uid;
	m->since = now;
	m->heard = 0;
}

void
mic_sync(struct mic *m, uint32_t speaker, int64_t now)
{
	if (m->speaker != speaker)
		mic_give(m, speaker, now);
}

int
mic_over(const struct mic *m, const struct mic_rules *r, int waiting,
    int64_t now)
{
	if (m->speaker == 0)
		return 0;
	if (m->heard != 0 && now - m->heard >= r->idle)
		return 1;
	if (m->heard == 0 && now - m->since >= r->grace)
		return 1;
	return r->maxtalk > 0 && waiting && now - m->since >= r->maxtalk;
}

/*
 * mic_unit - the decision table.  A red dot always drops; open mics let
 * everyone else through; the holder is heard until the turn is over; a
 * free mic goes to the sender unless a raised hand is ahead of it (the
 * voice child then passes the mic down the queue).
 */
int
mic_unit(struct mic *m, const struct mic_rules *r, const struct mic_who *w,
    int64_t now)
{
	if (w->reddot)
		return MIC_REDDOT;
	if (w->allmics) {
		if (m->speaker == w->uid)
			m->heard = now;
		return MIC_RELAY;
	}
	if (m->speaker == w->uid) {
		if (r->maxtalk > 0 && w->waiting &&
		    now - m->since >= r->maxtalk)
			return MIC_TIMEUP;
		m->heard = now;
		return MIC_RELAY;
	}
	if (m->speaker != 0 && !mic_over(m, r, w->waiting, now))
		return MIC_BUSY;
	if (w->waiting)
		return MIC_BUSY;
	mic_give(m, w->uid, now);
	m->heard = now;
	return MIC_CLAIM;
}
