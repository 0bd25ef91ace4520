/*
 * child.h - a session's process (child.c): its start-up, and the loop
 * that serves its client.  The master (pald.c) forks; the rest is here.
 */
#ifndef PALD_CHILD_H
#define PALD_CHILD_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

#include "log.h"
#include "pald.h"

struct table;

/*
 * The pool.  Each pooled child has a UNIX stream socketpair with the
 * master: the master sends it a connection (SCM_RIGHTS, with a struct
 * handover), or closes its end to end an idle child; a busy child that
 * sees end-of-file on it knows the master is gone.  Children report on
 * one status pipe that all of them share, in records of struct pstatus
 * (smaller than PIPE_BUF, so written whole).
 */
#define CS_READY	1	/* in the pool, waiting for a connection */
#define CS_ONLINE	2	/* its client logged in */
#define CS_GOING	3	/* exiting (max_use, a signal) */

struct pstatus {
	int32_t		 slot;		/* the master's slot of the child */
	int32_t		 pid;
	int32_t		 state;		/* CS_* */
	int32_t		 served;	/* sessions it had served when it wrote */
};

struct handover {
	struct sockaddr_storage peer;
	struct sockaddr_storage local;
};

/*
 * child_pool - in a child just forked into the pool: ctl is its end of
 * the socketpair, status the status pipe, slot its slot in the master's
 * table.  The table is mapped and table_forked was called; what the
 * child must not keep of the master's is closed.  It serves connection
 * after connection, each from a clean state, until max_use, a signal or
 * the master's end-of-file; then it exits.  The configuration is the
 * master's, which the child goes on following through the table.
 */
__dead void	 child_pool(int, int, int, struct table *,
		    struct pald_conf *);

/* child_inetd - -i: serve the connection on descriptor 0, then exit */
__dead void	 child_inetd(struct pald_conf *);

#endif /* PALD_CHILD_H */
