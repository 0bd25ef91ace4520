/*
 * tests/fuzz_vidsrv.c - a libFuzzer harness for the video server's
 * reading of what comes on a connection (vidsrv.c): the head (need: how
 * many bytes a publisher's init or picture head, or a viewer's request
 * line, takes) and the viewer's request line (vidsrv_request).
 *
 * need must say -1, or a length within the head's buffer that is more
 * than what it was given unless the head is whole; a request line that
 * parses must parse the same again when written back as the 5.0 viewer
 * writes it, and what follows the prefix on the line must be what was
 * read.  The input is copied to a buffer of its own size, so that a read
 * past the end is caught.  vidsrv.c is included whole for its statics.
 * Built and run by make fuzz.
 */
#include "../vidsrv.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* head - need() on the first bytes of data, as head_in keeps them */
static void
head(const uint8_t *data, size_t size)
{
	struct conn	 c;
	int		 want;

	memset(&c, 0, sizeof(c));
	c.hlen = size < sizeof(c.hdr) ? size : sizeof(c.hdr);
	memcpy(c.hdr, data, c.hlen);
	want = need(&c);
	if (want == -1)
		return;
	if (want < 4 || want > VS_LINE)
		abort();
	if (c.hlen < 4 && want != 4)
		abort();
	if (memcmp(c.hdr, "GET ", c.hlen < 4 ? c.hlen : 4) == 0 &&
	    c.hlen >= 4 && want != VS_LINE)
		abort();
}

/* request - vidsrv_request, and the same again on the line written back */
static void
request(const uint8_t *data, size_t size)
{
	char		*p, line[64];
	uint32_t	 a, b, a2, b2;
	int		 n;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		return;
	memcpy(p, data, size);
	if (vidsrv_request(p, size, &a, &b) == 0) {
		if (size < 8 || memcmp(p, "GET /ab?", 8) != 0)
			abort();
		n = snprintf(line, sizeof(line), "GET /ab?1&%lu&%lu&1000",
		    (unsigned long)a, (unsigned long)b);
		if (n < 0 || (size_t)n >= sizeof(line) ||
		    vidsrv_request(line, (size_t)n, &a2, &b2) != 0 ||
		    a2 != a || b2 != b)
			abort();
	}
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	head(data, size);
	request(data, size);
	return 0;
}
