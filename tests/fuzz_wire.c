/*
 * tests/fuzz_wire.c - a libFuzzer harness for proto/wire.c.
 *
 * Feeds arbitrary bytes to wire_decode, lym_decode and rec_get, each in
 * a buffer of exactly the input's size so that AddressSanitizer sees any
 * read past the end, checks what each returns against its contract, and
 * checks that printable input within the exact lengths (23 bytes for
 * variant 1, 30 for 2, 17 for 3) survives lym_encode + lym_decode.
 * Built and run by make fuzz.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_frame - every frame wire_decode finds lies inside the input */
static void
fuzz_frame(const uint8_t *p, size_t n, size_t maxlen)
{
	struct wire_frame f;
	ssize_t		 r;

	while ((r = wire_decode(p, n, maxlen, &f)) > 0) {
		if ((size_t)r > n || f.len > maxlen ||
		    (size_t)r != WIRE_HDRLEN + f.len ||
		    f.payload != p + WIRE_HDRLEN ||
		    f.type < -32768 || f.type > 32767 || f.version > 0xffff)
			abort();
		p += r;
		n -= (size_t)r;
	}
	if (r != 0 && r != -1)
		abort();
}

/* fuzz_lym - the decoder's output is NUL-terminated and in bounds */
static void
fuzz_lym(int v, int ch, const char *in, size_t n, size_t cap)
{
	char	*out;
	int	 r, i;

	if ((out = malloc(cap == 0 ? 1 : cap)) == NULL)
		return;
	r = lym_decode(v, ch, in, n, out, cap);
	if (r < -1 || (r >= 0 && ((size_t)r >= cap || out[r] != '\0')))
		abort();
	for (i = 0; i < r; i++)
		if (out[i] == '\0')
			abort();
	free(out);
}

/* fuzz_rec - a value rec_get finds fits and is NUL-terminated */
static void
fuzz_rec(const uint8_t *p, size_t n, const char *key, size_t cap)
{
	char	*out;
	int	 r;

	if ((out = malloc(cap == 0 ? 1 : cap)) == NULL)
		return;
	r = rec_get(p, n, key, out, cap);
	if (r < -2 || (r >= 0 && ((size_t)r >= cap || out[r] != '\0')))
		abort();
	free(out);
}

/* fuzz_roundtrip - printable input within the exact lengths comes back */
static void
fuzz_roundtrip(int v, int ch, const uint8_t *p, size_t n)
{
	static const size_t exact[] = { 0, 23, 30, 17 };
	char		 in[32], enc[32 * 8], dec[64];
	uint32_t	 seed = 1;
	size_t		 i;
	int		 r;

	if (n > exact[v])
		n = exact[v];
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		in[i] = (char)(0x20 + p[i] % 95);
	in[n] = '\0';
	if (p[0] & 1)
		seed = p[n - 1];
	if ((r = lym_encode(v, ch, in, n, enc, sizeof(enc), &seed)) <= 0 ||
	    lym_decode(v, ch, enc, (size_t)r, dec, sizeof(dec)) != (int)n ||
	    strcmp(dec, in) != 0)
		abort();
}

/*
 * The first 4 bytes choose: the function, the variant, the challenge
 * (0..226 as the server uses, or any int now and then), and the size of
 * the output buffer or the frame limit.  The rest is the input.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*p;
	char		 key[8];
	size_t		 n, cap;
	int		 v, ch;

	if (size < 4)
		return 0;
	v = data[1] % 4;			/* 0 is invalid: tried too */
	ch = data[2] < 227 ? data[2] : (int)(int8_t)data[2] * 13;
	cap = data[3];
	n = size - 4;
	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		return 0;
	memcpy(p, data + 4, n);
	switch (data[0] % 4) {
	case 0:
		fuzz_frame(p, n, cap * 64);
		break;
	case 1:
		fuzz_lym(v, ch, (const char *)p, n, cap);
		break;
	case 2:
		/* key: the input up to its first '=' (at most 7 bytes) */
		for (cap = 0; cap < n && cap < sizeof(key) - 1 &&
		    p[cap] != '=' && p[cap] != '\0'; cap++)
			key[cap] = (char)p[cap];
		key[cap] = '\0';
		fuzz_rec(p, n, key, data[3] % 32);
		break;
	default:
		if (v != 0 && ch >= 0 && ch <= 226)
			fuzz_roundtrip(v, ch, p, n);
		break;
	}
	free(p);
	return 0;
}
