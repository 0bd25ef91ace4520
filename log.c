/*
 * log.c - stderr or syslog, chosen once by log_init().
 *
 * Until log_init(1, ...) or after log_init(0, ...), messages go to syslog
 * (facility as given, LOG_PID | LOG_NDELAY) so that the log socket stays
 * open across chroot and privilege drop.  Debug lines only when verbose.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int	 log_debugging;		/* 1: stderr */
static int	 log_verbose;
static const char *log_name = "pald";

static void	 vlog(int, const char *, va_list)
	    __attribute__((__format__(printf, 2, 0)));
static void	 logerr(int, int, const char *, va_list)
	    __attribute__((__format__(printf, 3, 0)));
static void	 logline(int, const char *);

/* log_init - stderr when debugging, syslog otherwise */
void
log_init(int debug, int facility)
{
	log_debugging = debug;
	if (!debug)
		openlog("pald", LOG_PID | LOG_NDELAY, facility);
	tzset();
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

/* log_procname - the name stderr lines carry (master, child, voice) */
void
log_procname(const char *name)
{
	log_name = name;
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 buf[1024];

	if (log_debugging) {
		(void)vsnprintf(buf, sizeof(buf), fmt, ap);
		(void)fprintf(stderr, "%s[%ld]: %s\n", log_name, (long)getpid(),
		    buf);
		(void)fflush(stderr);
	} else
		vsyslog(pri, fmt, ap);
}

static void
logerr(int pri, int with_errno, const char *fmt, va_list ap)
{
	char	 buf[1024];
	int	 saved = errno;

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	if (with_errno) {
		size_t	 n = strlen(buf);

		(void)snprintf(buf + n, sizeof(buf) - n, ": %s",
		    strerror(saved));
	}
	logline(pri, buf);
	errno = saved;
}

/* logline - a line formatted already, to stderr or syslog */
static void
logline(int pri, const char *line)
{
	if (log_debugging) {
		(void)fprintf(stderr, "%s[%ld]: %s\n", log_name, (long)getpid(),
		    line);
		(void)fflush(stderr);
	} else
		syslog(pri, "%s", line);
}

/*
 * log_text - a line formatted already, at a syslog priority: the store's
 * log function (store/slog.h), so that its lines go where ours go.
 */
void
log_text(int pri, const char *line)
{
	int	 saved = errno;

	if (pri != LOG_DEBUG || log_verbose)
		logline(pri, line);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	logerr(LOG_WARNING, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	logerr(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_NOTICE, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	logerr(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	logerr(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
