/*
 * admin.h - the system user, its slash-commands, and the guards that
 * admit connections and logins (bans, suspension, login throttle, the
 * "under attack" switch).
 *
 * admin.c owns the command table; guard.c owns the checks.  Both work
 * on the inside of a session (sess.h).  A command handler gets the
 * words of the command line (argv[0] is the command's name) and, when
 * the table entry takes a free text, that text as the last word.
 */
#ifndef PALD_ADMIN_H
#define PALD_ADMIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pald.h"

struct db;
struct session;
struct table;

#define ADMIN_ARGS_MAX	6	/* words in a command line, text included */
#define ADMIN_LINE_MAX	512	/* bytes of a command line */
#define ADMIN_REPLY_MAX	1400	/* bytes of text in one reply IM */

/*
 * A reply of many lines: admin_line adds one, sending what it holds as
 * an IM first when the line would not fit; admin_flush sends the rest.
 * Start with struct reply rp = { .s = s }.
 */
struct reply {
	struct session	*s;
	size_t		 len;
	char		 buf[ADMIN_REPLY_MAX + 1];
};

/* admin.c */
int	 admin_sysuser(struct db *, const struct pald_conf *);
int	 admin_im(struct session *, const unsigned char *, size_t);
int	 admin_master_tick(struct table *, time_t);
void	 admin_reply(struct session *, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
void	 admin_line(struct reply *, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
void	 admin_flush(struct reply *);

/* room.c: /rooms and /log, same signature as every command handler */
int	 admin_cmd_rooms(struct session *, int, char **);
int	 admin_cmd_log(struct session *, int, char **);

/* ban.c */
int	 admin_cmd_ban(struct session *, int, char **);
int	 admin_cmd_unban(struct session *, int, char **);
int	 admin_cmd_bans(struct session *, int, char **);
int	 ban_login(struct session *);		/* -1: refused (and told) */

/* guard.c */
int	 guard_login(struct session *);		/* -1: refused (and told) */
void	 guard_login_failed(struct session *);
void	 guard_login_ok(struct session *);

#endif /* PALD_ADMIN_H */
