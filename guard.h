/*
 * guard.h - who may log in, and how fast a session may go (guard.c).
 */
#ifndef PALD_GUARD_H
#define PALD_GUARD_H

#include <stdint.h>

struct session;
struct user;
struct wire_frame;

/* What guard_contact is asked about. */
#define CONTACT_TEXT	1	/* IMs, room invitations */
#define CONTACT_CALL	2	/* voice and video calls, file transfers */

/* guard_login - the account is read: 0 to go on, -1 refused (and told) */
int	 guard_login(struct session *);
void	 guard_login_failed(struct session *);
void	 guard_login_ok(struct session *);

/*
 * Every check of a password: guard_pw_begin (guard_password for a
 * change asked for by a logged-in session) gives NULL to go on, or the
 * text to refuse with; after the check, guard_pw_end with PW_*.
 */
#define PW_WRONG	0
#define PW_RIGHT	1
#define PW_UNTRIED	2	/* nothing was checked after all */
const char *guard_pw_begin(struct session *, uint32_t, int, int, char *,
	    size_t);
void	 guard_pw_end(struct session *, int);
const char *guard_password(struct session *, char *, size_t);

/*
 * The limits of a logged-in session.  guard_im, guard_line and
 * guard_join give NULL to go on, or the text to refuse the action with;
 * the caller shows the text where the client looks for it, then returns
 * guard_strike's result (-1 ends the session: too many refusals).
 */
void	 guard_start(struct session *);	/* fill the buckets */
int	 guard_packet(struct session *);	/* 0: over packet_rate */
const char *guard_im(struct session *, uint32_t);
const char *guard_line(struct session *);
const char *guard_join(struct session *);
int	 guard_strike(struct session *);
const char *guard_contact(struct session *, const struct user *, int);

/* guard_malformed - log a senseless frame (rate-limited); returns 0 */
int	 guard_malformed(struct session *, const struct wire_frame *,
	    const char *);

#endif /* PALD_GUARD_H */
