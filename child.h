/*
 * child.h - a session's process (child.c): its start-up, and the loop
 * that serves its client.  The master (pald.c) forks; the rest is here.
 */
#ifndef PALD_CHILD_H
#define PALD_CHILD_H

#include <sys/types.h>
#include <sys/socket.h>

#include "log.h"
#include "pald.h"

struct table;

/*
 * child_main - in a child just forked for the connection fd (peer and
 * local its addresses): serve it to the end, then exit.  The table is
 * mapped and table_forked was called; what the child must not keep of
 * the master's is closed.  The configuration is the master's, which the
 * child goes on following through the table.  The last descriptor is
 * the read end of the master's lifeline: its end of file means that
 * the master died.
 */
__dead void	 child_main(int, const struct sockaddr *,
		    const struct sockaddr *, struct table *,
		    struct pald_conf *, int);

/* child_inetd - -i: serve the connection on descriptor 0, then exit */
__dead void	 child_inetd(struct pald_conf *);

#endif /* PALD_CHILD_H */
