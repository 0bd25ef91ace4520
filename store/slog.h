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

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

void	 slog_set(void (*)(int, const char *));

void	 slog_warn(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
void	 slog_warnx(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
void	 slog_info(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
void	 slog_debug(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
__dead void slog_fatal(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
__dead void slog_fatalx(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));

#endif /* PALD_STORE_SLOG_H */
