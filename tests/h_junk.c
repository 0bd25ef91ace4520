/*
 * h_junk.c - bad requests for a UNIX stream socket (pald's store socket).
 *
 * usage: h_junk path
 *
 * One connection per request, as pald's sessions make them: every
 * length from 0 to 64 bytes of random bytes, then 200 requests of a
 * random length up to 8 KiB whose first 16 bytes look like a header (a
 * magic of the right kind or not, any call, lengths that lie), each
 * sent whole, the sending side then shut; whatever comes back is read
 * until the server closes, 10 seconds at most.  Exit 0 when every
 * connection was taken and closed by the server, 1 otherwise.  libc
 * only, so that it shares no code with what it tests.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BIG	8192

/* one - a connection, len bytes of b, the answer drained; -1 on failure */
static int
one(const char *path, const unsigned char *b, size_t len)
{
	struct sockaddr_un sun;
	struct timeval	 tv = { 10, 0 };
	char		 sink[512];
	ssize_t		 n;
	int		 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "h_junk: %s: too long\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "h_junk: %s: %s\n", path, strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (len > 0 && send(fd, b, len, MSG_NOSIGNAL) == -1 &&
	    errno != EPIPE && errno != ECONNRESET) {
		fprintf(stderr, "h_junk: send: %s\n", strerror(errno));
		(void)close(fd);
		return -1;
	}
	(void)shutdown(fd, SHUT_WR);
	while ((n = read(fd, sink, sizeof(sink))) > 0)
		;
	(void)close(fd);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		fprintf(stderr, "h_junk: the server kept a connection open\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static unsigned char b[BIG];
	uint32_t	 w[4];
	size_t		 len, i;
	int		 k;

	if (argc != 2) {
		fprintf(stderr, "usage: h_junk path\n");
		return 1;
	}
	srandom(14);
	for (len = 0; len <= 64; len++) {
		for (i = 0; i < len; i++)
			b[i] = (unsigned char)random();
		if (one(argv[1], b, len) == -1)
			return 1;
	}
	for (k = 0; k < 200; k++) {
		len = 16 + (size_t)random() % (BIG - 16);
		for (i = 0; i < len; i++)
			b[i] = (unsigned char)random();
		w[0] = k % 2 ? 0x70617271u : (uint32_t)random();
		w[1] = (uint32_t)random() % 64;
		w[2] = k % 3 == 0 ? (uint32_t)random() :
		    (uint32_t)random() % 4096;
		w[3] = k % 5 == 0 ? (uint32_t)-1 : (uint32_t)random();
		memcpy(b, w, sizeof(w));
		if (one(argv[1], b, len) == -1)
			return 1;
	}
	printf("h_junk: %d requests sent\n", 65 + 200);
	return 0;
}
