/*
 * store/pw.c - password hashes: bcrypt ("$2b$") through crypt(3).
 *
 * Owns pw_hash and pw_verify of db.h.  The setting string is built here
 * from arc4random bytes rather than with crypt_gensalt(3), which only
 * libxcrypt has: OpenBSD, FreeBSD and NetBSD all make and check "$2b$"
 * hashes with their own crypt(3).  crypt_r is used where libxcrypt
 * provides it; elsewhere plain crypt, which is enough for pald's
 * single-threaded processes.
 */
#include <sys/types.h>

#ifdef __linux__
#include <crypt.h>
#define PW_CRYPT_R	1
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "slog.h"

#define PW_COST_MIN	4
#define PW_COST_MAX	31
#define PW_SALT_BYTES	16
#define PW_SALT_CHARS	22	/* 16 bytes in bcrypt's base64 */

/* bcrypt's base64 alphabet: not the one of RFC 4648 */
static const char pw_b64[] =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* pw_salt - 16 random bytes as 22 characters, most significant bits first */
static void
pw_salt(char out[PW_SALT_CHARS + 1])
{
	unsigned char	 r[PW_SALT_BYTES];
	unsigned int	 acc = 0;
	int		 i, bits = 0, o = 0;

	arc4random_buf(r, sizeof(r));
	for (i = 0; i < PW_SALT_BYTES; i++) {
		acc = (acc << 8 | r[i]) & 0xffff;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = pw_b64[(acc >> bits) & 0x3f];
		}
	}
	/* 128 bits leave 2 over: the last character carries them high */
	out[o++] = pw_b64[(acc << (6 - bits)) & 0x3f];
	out[o] = '\0';
	explicit_bzero(r, sizeof(r));
}

/* pw_crypt - crypt(3) into out; 0, or -1 on any failure */
static int
pw_crypt(const char *pw, const char *setting, char *out, size_t outlen)
{
	const char	*h;
	int		 r = -1;
#ifdef PW_CRYPT_R
	struct crypt_data *cd;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	h = crypt_r(pw, setting, cd);
#else
	h = crypt(pw, setting);
#endif
	if (h != NULL && h[0] != '*' && h[0] != '\0' &&
	    strlcpy(out, h, outlen) < outlen)
		r = 0;
#ifdef PW_CRYPT_R
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
#endif
	return r;
}

int
pw_hash(const char *pw, int cost, char *out, size_t outlen)
{
	char	 setting[8 + PW_SALT_CHARS], salt[PW_SALT_CHARS + 1];
	int	 n, r;

	if (cost < PW_COST_MIN)
		cost = PW_COST_MIN;
	if (cost > PW_COST_MAX)
		cost = PW_COST_MAX;
	pw_salt(salt);
	n = snprintf(setting, sizeof(setting), "$2b$%02d$%s", cost, salt);
	if (n < 0 || (size_t)n >= sizeof(setting)) {
		slog_warnx("%s: setting too long", __func__);
		return -1;
	}
	if ((r = pw_crypt(pw, setting, out, outlen)) == -1) {
		slog_warnx("password hashing failed");
		if (outlen > 0)
			explicit_bzero(out, outlen);
	}
	explicit_bzero(setting, sizeof(setting));
	explicit_bzero(salt, sizeof(salt));
	return r;
}

/* pw_same - compare n bytes in a time that does not depend on them */
static int
pw_same(const char *a, const char *b, size_t n)
{
	unsigned char	 d = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int
pw_verify(const char *pw, const char *hash)
{
	char	 h[PALD_HASH_MAX];
	size_t	 n = strlen(hash);
	int	 ok = 0;

	/* an empty or cut hash must never match, whatever crypt does */
	if (n < 4 || n >= sizeof(h) || hash[0] != '$')
		return 0;
	if (pw_crypt(pw, hash, h, sizeof(h)) == 0 && strlen(h) == n &&
	    pw_same(h, hash, n))
		ok = 1;
	explicit_bzero(h, sizeof(h));
	return ok;
}

/*
 * pw_acceptable - PALD_PASS_MIN..PALD_PASS_MAX printable ASCII bytes, no
 * blanks: what the client's encoding carries exactly (PROTOCOL.md 4.2).
 */
int
pw_acceptable(const char *p)
{
	size_t	 n = strlen(p), i;

	if (n < PALD_PASS_MIN || n > PALD_PASS_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return 0;
	return 1;
}
