/*
 * store/rq.c - the store's requests on the wire (see remote.h).
 *
 * Owns the connection to pald's store processes and its I/O: rq_call,
 * a caller's side of one request (connect to the store socket, send the
 * header and the argument, read the answer into the caller's buffer,
 * all within a deadline), and rq_io, which both sides use to move a
 * number of bytes by a deadline.  What a request means is remote.c's.
 *
 * One connection a request, on the socket pald's master bound and its
 * store processes accept on.  While none of them accepts (pald is
 * recovering the store in place), a connection waits in the socket's
 * backlog, and the caller waits for the answer up to the deadline (a
 * pause, not an error).  The end of the connection before the whole
 * answer came means that the store process died with the request, its
 * outcome unknown: a call that may run twice (a read, an idempotent
 * write) is sent again, up to RQ_TRIES connections; any other reports
 * failure, and so does a call not answered by the deadline.  A socket
 * nobody listens on (pald gone) fails at once.  Failures are logged at
 * debug level only: every session sees the same outage, which pald's
 * master logs once.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbint.h"
#include "remote.h"
#include "slog.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL	0	/* then SIGPIPE is ignored (pald does) */
#endif

/* rq_deadline - now plus ms, on the monotonic clock */
void
rq_deadline(struct timespec *ts, int ms)
{
	(void)clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* ms_left - milliseconds until the deadline, 0 when it has passed */
static int
ms_left(const struct timespec *until)
{
	struct timespec	 now;
	long long	 ms;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(until->tv_sec - now.tv_sec) * 1000 +
	    (until->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/*
 * rq_io - len bytes out of buf to fd (out), or from fd into buf, by the
 * deadline; fd may block or not.  0, or -1 with errno: EPIPE at the end
 * of the connection, ETIMEDOUT at the deadline.
 */
int
rq_io(int fd, void *buf, size_t len, int out, const struct timespec *until)
{
	struct pollfd	 pfd;
	unsigned char	*p = buf;
	size_t		 done = 0;
	ssize_t		 n;
	int		 ms;

	while (done < len) {
		if (out)
			n = send(fd, p + done, len - done,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			n = recv(fd, p + done, len - done, MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (errno == ECONNRESET)
			errno = EPIPE;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if ((ms = ms_left(until)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd.fd = fd;
		pfd.events = out ? POLLOUT : POLLIN;
		if (poll(&pfd, 1, ms) == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * rq_connect - a connection to the store socket at path; a connect that
 * waits for room in a full backlog gives up by the deadline
 */
static int
rq_connect(const char *path, const struct timespec *until)
{
	struct sockaddr_un sun;
	struct timeval	 tv;
	int		 fd, ms, e;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	ms = ms_left(until);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1000;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		if (errno != EINTR) {
			e = errno;
			(void)close(fd);
			errno = e;
			return -1;
		}
	return fd;
}

/*
 * exchange - one request and its answer on fd: 0 with the call's result
 * in *res, or -1 with errno (EPROTO: an answer that does not fit)
 */
static int
exchange(int fd, const struct rq_hdr *q, const void *in, void *out,
    size_t size, int *res, const struct timespec *until)
{
	unsigned char	 b[sizeof(*q) + RQ_ARG_MAX];
	struct rp_hdr	 p;

	memcpy(b, q, sizeof(*q));
	memcpy(b + sizeof(*q), in, q->len);
	if (rq_io(fd, b, sizeof(*q) + q->len, 1, until) == -1 ||
	    rq_io(fd, &p, sizeof(p), 0, until) == -1)
		return -1;
	if (p.magic != RP_MAGIC || p.n > (uint32_t)q->max ||
	    (p.n > 0 && p.size != size)) {
		errno = EPROTO;
		return -1;
	}
	if (p.n > 0 && rq_io(fd, out, (size_t)p.n * size, 0, until) == -1)
		return -1;
	*res = p.r;
	return 0;
}

int
rq_call(struct db *db, uint32_t op, const void *in, size_t inlen, void *out,
    size_t size, int max, int retry, int fail)
{
	struct rq_hdr	 q;
	struct timespec	 until;
	int		 fd, tries, res, r;

	if (inlen > RQ_ARG_MAX || max < 0 ||
	    (size_t)max * size > RQ_REPLY_MAX) {
		slog_warnx("db: request %u: too large", op);
		return fail;
	}
	q.magic = RQ_MAGIC;
	q.op = op;
	q.len = (uint32_t)inlen;
	q.max = max;
	rq_deadline(&until, db->wait * 1000);
	for (tries = 1;; tries++) {
		if ((fd = rq_connect(db->home, &until)) == -1) {
			slog_debug("db: %s: %s", db->home, strerror(errno));
			return fail;
		}
		r = exchange(fd, &q, in, out, size, &res, &until);
		(void)close(fd);
		if (r == 0)
			return res;
		if (errno != EPIPE || !retry || tries >= RQ_TRIES) {
			slog_debug("db: request %u: %s", op, strerror(errno));
			return fail;
		}
		slog_debug("db: request %u: the store process went away, "
		    "again", op);
	}
}
