/*
 * sess.h - the inside of a session, shared by the files that handle its
 * packets: session.c (login, presence, buddies, IMs), room.c (rooms) and
 * admin.c (the system user's slash-commands).  Not for pald.c, which
 * sees only session.h.
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
	struct tsess	 me;
	char		 addr[48];
	uint32_t	 localip;	/* network order */
	time_t		 connected;
	time_t		 lastpkt;
	struct timespec	 bucket_at;
	double		 tokens;
	int		 closing;
	struct obuf	 out;
	unsigned char	*scratch;	/* frame-sized work buffer */
	uint32_t	 seed;
};

/* Queue frames for our own client (session.c). */
void	 out_frame(struct session *, int, const void *, size_t);
void	 out_raw(struct session *, const void *, size_t);
void	 out_text(struct session *, int, const char *);
void	 out_rc(struct session *, int, int, const char *);
void	 out_status(struct session *, uint32_t, uint32_t);
/* deliver - a frame into another session's inbox; table_send's result */
int	 deliver(struct session *, const struct tsess *, int, int,
	    const void *, size_t);

#endif /* PALD_SESS_H */
