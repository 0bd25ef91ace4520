/*
 * store/slog.h - how the store reports: its own small log interface.
 *
 * The store includes no header of pald's.  Each message it has is one
 * line of text with a syslog(3) priority, handed to the function set
 * with slog_set (pald and palpasswd set log.c's log_text, so that the
 * lines go where the rest of theirs go).  Until one is set, or after
 * slog_set(NULL), lines go to syslog(3) and debug lines are dropped:
 * what log.c does before log_init.
 *
 * The rest is the store's own: slog_warn appends strerror(errno),
 * slog_warnx does not; slog_fatal and slog_fatalx report at LOG_CRIT
 * and exit(1), as log.h's fatal and fatalx do.
 */
#ifndef PALD_STORE_SLOG_H
#define PALD_STORE_SLOG_H

#include <syslog.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

void	 slog_set(void (*)(int, const char *));

/* slog - a line at pri, with ": strerror(errno)" if with_errno */
void	 slog(int, int, const char *, ...)
	    __attribute__((__format__(printf, 3, 4)));
/* slog_die - the same at LOG_CRIT, then exit(1) */
__dead void slog_die(int, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));

#define slog_warn(...)		slog(LOG_WARNING, 1, __VA_ARGS__)
#define slog_warnx(...)		slog(LOG_WARNING, 0, __VA_ARGS__)
#define slog_info(...)		slog(LOG_INFO, 0, __VA_ARGS__)
#define slog_debug(...)		slog(LOG_DEBUG, 0, __VA_ARGS__)
#define slog_fatal(...)		slog_die(1, __VA_ARGS__)
#define slog_fatalx(...)	slog_die(0, __VA_ARGS__)

#endif /* PALD_STORE_SLOG_H */
