/*
 * sess.h - the inside of a session, shared by the files that handle its
 * packets: session.c (login, presence, buddies, IMs), room.c (rooms),
 * admin.c (the system user's slash-commands), guard.c and ban.c (who
 * may log in, and how fast), and out.c (what they send).  Data only:
 * the functions are in those files' own headers.  Not for child.c,
 * which sees only session.h.
 */
#ifndef PALD_SESS_H
#define PALD_SESS_H

#include <stdint.h>
#include <time.h>

#include "pald.h"
#include "proto/wire.h"
#include "store/db.h"
#include "store/table.h"

#define S_NEW		0
#define S_KEY		1
#define S_ONLINE	2

#define SCRATCH		65536
#define MAX_FAILURES	3
#define REVERSE_MAX	8192	/* buddy-of entries looked at per change */

#define TXT_BADPASS	"The password you entered is incorrect."
#define TXT_UNKNOWN	"Unknown user"
#define TXT_KICKED	"You've logged in from another client, if it wasn't " \
			"you, please change your password."
#define TXT_AGAIN	"Message not delivered, try again."

/* A token bucket (guard.c): tokens, and when it was last filled up. */
struct bucket {
	struct timespec	 at;
	double		 tokens;
};

struct obuf {
	unsigned char	*p;
	size_t		 off;		/* first unsent byte */
	size_t		 len;		/* end of queued bytes */
	size_t		 cap;
};

struct session {
	struct db	*db;
	struct table	*tab;
	const struct pald_conf *conf;
	int		 state;
	uint32_t	 claimed;	/* uid from LYMERICK */
	int		 challenge;
	int		 failures;
	struct user	 u;		/* valid when ONLINE */
	uint32_t	 status;
	char		 away[PALD_AWAY_MAX + 1];	/* -600's text */
	uint32_t	 replied[PALD_AWAY_REPLIES];	/* auto-replied to */
	int		 nreplied;	/* this away spell, a ring */
	int		 hints;		/* -71 stored (PALD_HINTS_MAX) */
	int		 invited;	/* -200 addresses (PALD_INVITES_MAX) */
	time_t		 alerted;	/* the last -305 that went out */
	struct tsess	 me;
	char		 addr[48];
	uint32_t	 localip;	/* network order */
	time_t		 connected;
	time_t		 lastpkt;
	struct bucket	 pkts;		/* packet_rate */
	struct bucket	 msgs;		/* message_rate: IMs, room lines */
	struct bucket	 nonbuddy;	/* nonbuddy_im_rate */
	struct bucket	 joins;		/* join_rate */
	uint32_t	 pwheld;	/* uid of a password check under way */
	int		 strikes;	/* refusals by these limits ... */
	time_t		 strike_at;	/* ... in the minute from then */
	int		 closing;
	struct obuf	 out;
	unsigned char	*scratch;	/* frame-sized work buffer */
	uint32_t	*listers;	/* who has us on a buddy list, read */
	int		 nlisters;	/* once at login and kept up to date */
	int		 caplisters;	/* by TM_LISTER (see broadcast_status) */
	uint32_t	 seed;
};

#endif /* PALD_SESS_H */
