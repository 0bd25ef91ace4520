/*
 * session.h - one client's session: the protocol state machine.
 *
 * The session turns frames from its client into store and table
 * operations and frames for the client, which it queues in its output
 * buffer (out.c); child.c owns the socket, the poll loop and the timers
 * and writes out what the session queued.  The same code serves a child of
 * the daemon and an inetd instance.
 */
#ifndef PALD_SESSION_H
#define PALD_SESSION_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <time.h>

#include "pald.h"
#include "proto/wire.h"
#include "store/db.h"
#include "store/table.h"

struct session;

struct session	*session_new(struct db *, struct table *,
		    const struct pald_conf *, const struct sockaddr *,
		    const struct sockaddr *);
void		 session_free(struct session *);

/* session_online - 1 once the client has logged in */
int		 session_online(const struct session *);

/* session_admit - 0 to serve a new connection, -1 when it is banned */
int		 session_admit(struct session *);

/* Each returns 0 to go on, -1 when the session must end. */
int		 session_frame(struct session *, const struct wire_frame *);
int		 session_inbox(struct session *, int);
int		 session_tick(struct session *, time_t);
/* session_wait - seconds until session_tick has something to do (>= 1) */
int		 session_wait(struct session *, time_t);
void		 session_idle(struct session *);	/* give back memory */
void		 session_end(struct session *, const char *);
void		 session_shutdown(struct session *, const char *);

const unsigned char *session_out(struct session *, size_t *);
void		 session_sent(struct session *, size_t);
int		 session_bellfd(struct session *);
const char	*session_peer(struct session *);

/*
 * presence_gone - a session found dead by a sweep: tell its buddies it
 * went offline unless the user is still on through another session.
 */
void		 presence_gone(struct db *, struct table *,
		    const struct tsess *);

#endif /* PALD_SESSION_H */
