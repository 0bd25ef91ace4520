/*
 * out.h - what a session sends (out.c): frames for its own client,
 * frames for another session's inbox, the system user's replies.
 */
#ifndef PALD_OUT_H
#define PALD_OUT_H

#include <stddef.h>
#include <stdint.h>

struct session;
struct tsess;

#define ADMIN_REPLY_MAX	1400	/* bytes of text in one reply IM */

/*
 * A session's buffers grow and go without leaving a copy of what they
 * held in the heap (a pooled child serves one session after another):
 * wipe_grow is realloc that wipes the old block, wipe_free free that
 * wipes first.
 */
void	*wipe_grow(void *, size_t, size_t);
void	 wipe_free(void *, size_t);

/* Queue frames for our own client. */
void	 out_frame(struct session *, int, const void *, size_t);
void	 out_raw(struct session *, const void *, size_t);
void	 out_text(struct session *, int, const char *);
void	 out_rc(struct session *, int, int, const char *);
void	 out_status(struct session *, uint32_t, uint32_t);
/* out_voiceip - the voice child's IPv4 address for our client (network order) */
uint32_t out_voiceip(struct session *);
/* deliver - a frame into another session's inbox; table_send's result */
int	 deliver(struct session *, const struct tsess *, int, int,
	    const void *, size_t);

/*
 * The replies of slash-commands (admin.c's, and those of room.c and
 * ban.c), as IMs from the system user.  A reply of many lines:
 * admin_line adds one, sending what it holds as an IM first when the
 * line would not fit; admin_flush sends the rest.  Start with
 * struct reply rp = { .s = s }.
 */
struct reply {
	struct session	*s;
	size_t		 len;
	char		 buf[ADMIN_REPLY_MAX + 1];
};

void	 admin_reply(struct session *, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
void	 admin_line(struct reply *, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
void	 admin_flush(struct reply *);

#endif /* PALD_OUT_H */
