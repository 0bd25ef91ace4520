/*
 * log.c - stderr or syslog, chosen once by log_init().
 *
 * Until log_init(1, ...) or after log_init(0, ...), messages go to syslog
 * (facility as given, LOG_PID | LOG_NDELAY) so that the log socket stays
 * open across chroot and privilege drop.  Debug lines only when verbose.
 *
 * A line about a client address, one whose format begins "[%s]" with
 * the address as its first argument, goes through the gate first, when
 * a process has set one (log_setgate; lograte.c's keeps the counts in
 * the shared table): the gate says whether it is logged, by the address
 * and the line's kind, a hash of its format.  Debug lines and fatal
 * ones are never held back, nor are the store's (log_text), nor the lines
 * of a process that log_exempt exempts.  What the gate held back is summed
 * up by log_held when its window ends.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
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
static int	(*gate_pass)(void *, const char *, uint32_t);
static void	(*gate_ended)(void *);
static void	*gate_arg;
static int	 gate_busy;		/* in the gate: its own lines pass */
static int	 gate_off;		/* log_exempt: this process's pass */

static void	 vlog(int, const char *, va_list)
	    __attribute__((__format__(printf, 2, 0)));
static void	 logerr(int, int, const char *, va_list)
	    __attribute__((__format__(printf, 3, 0)));
static void	 logline(int, const char *);
static int	 gated(int, const char *, va_list)
	    __attribute__((__format__(printf, 2, 0)));

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

/*
 * log_setgate - lines about a client address go through pass(arg, addr,
 * kind) first, which returns 1 to log the line and 0 to hold it back;
 * log_tick calls ended(arg), which reports the windows that ended
 * through log_held.  pass NULL: no gate.
 */
void
log_setgate(int (*pass)(void *, const char *, uint32_t),
    void (*ended)(void *), void *arg)
{
	gate_pass = pass;
	gate_ended = ended;
	gate_arg = arg;
}

/*
 * log_exempt - with 1, this process's lines pass the gate: the process
 * of a site administrator's session, whose commands are an audit trail
 */
void
log_exempt(int on)
{
	gate_off = on;
}

/* log_tick - the gate's windows that have ended are summed up */
void
log_tick(void)
{
	int	 saved = errno;

	if (gate_ended != NULL && !gate_busy) {
		gate_busy = 1;
		gate_ended(gate_arg);
		gate_busy = 0;
	}
	errno = saved;
}

/* log_held - the gate held back n lines about addr ("*": others) */
void
log_held(const char *addr, unsigned long n)
{
	char	 buf[128];

	if (strcmp(addr, "*") == 0)
		(void)snprintf(buf, sizeof(buf), "%lu more lines about other "
		    "addresses suppressed", n);
	else
		(void)snprintf(buf, sizeof(buf), "[%s]: %lu more lines about "
		    "this address suppressed", addr, n);
	logline(LOG_WARNING, buf);
}

/* kind - FNV-1a of a format: what makes two lines the same kind */
static uint32_t
kind(const char *fmt)
{
	uint32_t	 h = 2166136261u;

	for (; *fmt != '\0'; fmt++) {
		h ^= (unsigned char)*fmt;
		h *= 16777619u;
	}
	return h;
}

/* gated - 0 when the gate holds back this line about an address */
static int
gated(int pri, const char *fmt, va_list ap)
{
	va_list		 aq;
	const char	*addr;
	int		 ok, saved;

	if (gate_pass == NULL || gate_busy || gate_off || pri == LOG_DEBUG ||
	    pri <= LOG_CRIT || strncmp(fmt, "[%s]", 4) != 0)
		return 1;
	va_copy(aq, ap);
	addr = va_arg(aq, const char *);
	va_end(aq);
	if (addr == NULL)
		return 1;
	saved = errno;
	gate_busy = 1;
	ok = gate_pass(gate_arg, addr, kind(fmt));
	gate_busy = 0;
	errno = saved;
	return ok;
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 buf[1024];

	if (!gated(pri, fmt, ap))
		return;
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

	if (!gated(pri, fmt, ap))
		return;
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
