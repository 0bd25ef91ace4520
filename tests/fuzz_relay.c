/*
 * tests/fuzz_relay.c - a libFuzzer harness for the relay's reading of a
 * file's header (relay.c's file_hdr): name length, name, size, as the
 * sender's first bytes on a file pipe.
 *
 * Each input: its first byte sets file_max (one of a few) and how the
 * rest is cut into reads, as the pipe reads it; the rest is what the
 * sender sends.  The header must stay in its buffer, the pipe's limit
 * (the bytes due to the receiver) must be what the header says, bounded
 * by file_max, and once a transfer is cut it stays cut.  relay.c is
 * included whole for its static parser.  Built and run by make fuzz.
 */
#include "../relay.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int maxes[] = { 0, 1, 1000, 2147483647 };
	struct pipe	*pp;
	const char	*over = NULL;
	unsigned char	*p;
	size_t		 off, piece, step, nlen;
	uint32_t	 fsize;

	if (size < 1)
		return 0;
	file_max = maxes[data[0] & 3];
	step = 1 + (data[0] >> 2);
	size--;
	if ((p = malloc(size == 0 ? 1 : size)) == NULL ||
	    (pp = calloc(1, sizeof(*pp))) == NULL) {
		free(p);
		return 0;
	}
	memcpy(p, data + 1, size);
	pp->kind = TP_FILE;
	pp->limit = (uint64_t)FILE_HDR + (uint64_t)file_max;
	for (off = 0; off < size && over == NULL; off += piece) {
		piece = size - off < step ? size - off : step;
		over = file_hdr(pp, p + off, piece);
		if (pp->hlen > sizeof(pp->hdr))
			abort();
		pp->moved += piece;
	}
	nlen = size >= 2 ? (size_t)(p[0] | p[1] << 8) : 0;
	if (over != NULL && pp->limit > pp->moved && (pp->hlen < 6 ||
	    pp->limit != pp->hlen))
		abort();		/* cut: nothing more than was due */
	if (over == NULL && size >= 2 && 2 + nlen + 4 <= size &&
	    2 + nlen + 4 <= FILE_HDR) {
		fsize = (uint32_t)p[2 + nlen] |
		    (uint32_t)p[3 + nlen] << 8 |
		    (uint32_t)p[4 + nlen] << 16 |
		    (uint32_t)p[5 + nlen] << 24;
		if (fsize > (uint32_t)file_max ||
		    pp->limit != 2 + nlen + 4 + (uint64_t)fsize)
			abort();
	}
	free(pp);
	free(p);
	return 0;
}
