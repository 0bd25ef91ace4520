/*
 * log.h - logging in the OpenBSD ntpd style: stderr while debugging (-d),
 * syslog otherwise.  log_warn appends strerror(errno); log_warnx does not.
 * Lines about a client address ("[%s]: ..." with the address first) may
 * be held back by a gate (log_setgate) and summed up later (log_held).
 */
#ifndef PALD_LOG_H
#define PALD_LOG_H

#include <stdarg.h>
#include <stdint.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

void	 log_init(int, int);
void	 log_setverbose(int);
void	 log_procname(const char *);
void	 log_warn(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	 log_notice(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	 log_debug(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
void	 log_text(int, const char *);	/* one line, formatted already */
/* The gate of the lines about client addresses (log.c's head comment). */
void	 log_setgate(int (*)(void *, const char *, uint32_t),
	    void (*)(void *), void *);
void	 log_tick(void);
void	 log_exempt(int);
void	 log_held(const char *, unsigned long);
__dead void fatal(const char *, ...) __attribute__((__format__(printf, 1, 2)));
__dead void fatalx(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));

#endif /* PALD_LOG_H */
