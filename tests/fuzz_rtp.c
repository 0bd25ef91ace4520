/*
 * tests/fuzz_rtp.c - a libFuzzer harness for proto/rtp.c.
 *
 * The input is split into pieces whose sizes come from its own first
 * byte, and fed to the voice reader as a client would send it; every
 * item the reader reports must fit its contract, and every unit goes
 * through rtp_check and, when good, rtp_rewrite (the rewritten bytes
 * must carry the uid).  Built and run by make fuzz.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/rtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct rtp_reader r;

/* unit_ok - a complete unit: framed as announced, checked, rewritten */
static void
unit_ok(void)
{
	uint8_t		*p = r.unit + 4, q[RTP_LEN_MAX + 4];
	size_t		 len = r.unitlen - 4, k;

	if (r.unitlen < 4 + RTP_LEN_MIN || r.unitlen > RTP_UNIT_MAX ||
	    len != r.len)
		abort();

	/* the UDP form: only the two shapes come out, and checked */
	memcpy(q, p, len);
	k = rtp_from_udp(q, len, sizeof(q));
	if (k != 0 && (rtp_check(q, k) != RTP_OK ||
	    (k != len && (len != RTP_HDRLEN + RTP_GSM_UDP || k != len + 4))))
		abort();
	if (rtp_check(p, len) != RTP_OK)
		return;
	if (len < RTP_HDRLEN + RTP_GSM_PAYLOAD || (p[0] >> 6) != 2)
		abort();
	rtp_rewrite(p, len, 0x01020304);
	if (memcmp(p + 8, "\x01\x02\x03\x04", 4) != 0 ||
	    memcmp(p + len - 4, "\x04\x03\x02\x01", 4) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*piece;
	size_t		 off, step, n, used;
	int		 res;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 200 + 1;
	rtp_reader_init(&r, data[0] & 1);
	for (off = 1; off < size; off += used) {
		n = size - off < step ? size - off : step;
		/* a copy of exactly n bytes, so ASan sees overreads */
		if ((piece = malloc(n)) == NULL)
			return 0;
		memcpy(piece, data + off, n);
		res = rtp_read(&r, piece, n, &used);
		free(piece);
		if (used > n || (res == RTP_MORE && used != n))
			abort();
		if (res == RTP_UNIT)
			unit_ok();
		if (res == RTP_BADLEN) {
			if (r.len >= RTP_LEN_MIN && r.len <= RTP_LEN_MAX)
				abort();
			break;
		}
	}
	return 0;
}
