/*
 * store/slog.c - the store's log interface (see slog.h).
 *
 * Owns the one pointer to the caller's log function and the formatting
 * of the store's lines: up to 1024 bytes, like log.c's.  errno is kept
 * across every call, so a caller may log and then look at it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "slog.h"

#define SLOG_LINE	1024

static void	(*slog_fn)(int, const char *);

static void	 slog_v(int, int, const char *, va_list)
	    __attribute__((__format__(printf, 3, 0)));

void
slog_set(void (*fn)(int, const char *))
{
	slog_fn = fn;
}

/* slog_v - one line at priority pri, with strerror(errno) if with_errno */
static void
slog_v(int pri, int with_errno, const char *fmt, va_list ap)
{
	char	 buf[SLOG_LINE];
	size_t	 n;
	int	 saved = errno;

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	if (with_errno) {
		n = strlen(buf);
		(void)snprintf(buf + n, sizeof(buf) - n, ": %s",
		    strerror(saved));
	}
	if (slog_fn != NULL)
		slog_fn(pri, buf);
	else if (pri != LOG_DEBUG)
		syslog(pri, "%s", buf);
	errno = saved;
}

void
slog(int pri, int with_errno, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	slog_v(pri, with_errno, fmt, ap);
	va_end(ap);
}

void
slog_die(int with_errno, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	slog_v(LOG_CRIT, with_errno, fmt, ap);
	va_end(ap);
	exit(1);
}
