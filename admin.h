/*
 * admin.h - the system user and its slash-commands (admin.c).
 *
 * admin.c owns the command table; the handlers of a few commands live
 * with what they act on (room.h, ban.h).  A command handler gets the
 * words of the command line (argv[0] is the command's name) and, when
 * the table entry takes a free text, that text as the last word.  The
 * replies go through out.h (admin_reply, admin_line, admin_flush).
 */
#ifndef PALD_ADMIN_H
#define PALD_ADMIN_H

#include <stddef.h>
#include <time.h>

#include "pald.h"

struct db;
struct session;
struct table;

#define ADMIN_ARGS_MAX	6	/* words in a command line, text included */
#define ADMIN_LINE_MAX	512	/* bytes of a command line */

int	 admin_sysuser(struct db *, const struct pald_conf *);
int	 admin_im(struct session *, const unsigned char *, size_t);

/*
 * admin_parse - a command line into its words (admin.c): line has
 * ADMIN_LINE_MAX bytes, argv ADMIN_ARGS_MAX + 2 entries; AP_*
 */
#define AP_OK		0
#define AP_LONG		1	/* longer than ADMIN_LINE_MAX */
#define AP_NOTCMD	2	/* no '/' first */
#define AP_UNKNOWN	3	/* no such command */
#define AP_USAGE	4	/* too few or too many words */
int	 admin_parse(const unsigned char *, size_t, char *, char **, int *,
	    int *);
int	 admin_master_tick(struct table *, time_t);

#endif /* PALD_ADMIN_H */
