/*
 * out.c - what a session sends: frames for its own client, frames for
 * another session's inbox, and the system user's replies.
 *
 * The bottom of the session's files (HACKING, "Layers"): session.c,
 * admin.c, room.c, guard.c and ban.c all answer through here, and this
 * file calls none of them.  Frames for our client are queued in the
 * session's output buffer (struct obuf), which the serve loop (child.c)
 * writes out; a client that lets PALD_OUTBUF_MAX bytes pile up, or a
 * buffer that cannot grow, sets the session closing and drops what
 * follows.  A frame for another session is built here and appended to
 * that session's inbox in the shared table; its own child writes it out.
 * A reply to a slash-command is one IM from the system user, or several
 * when its lines do not fit in one (struct reply).
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "out.h"
#include "pald.h"
#include "proto/wire.h"
#include "sess.h"
#include "store/table.h"

static void	 rp_vline(struct reply *, const char *, va_list)
		    __attribute__((__format__(printf, 2, 0)));

/*
 * wipe_grow - p (old bytes) moved into a new block of size bytes, the
 * old one wiped before it is freed: a pooled child serves one session
 * after another, and nothing of one may wait in the heap for the next.
 * NULL (p untouched) when memory ran out.
 */
void *
wipe_grow(void *p, size_t old, size_t size)
{
	void	*np;

	if ((np = malloc(size)) == NULL)
		return NULL;
	if (p != NULL) {
		memcpy(np, p, old < size ? old : size);
		explicit_bzero(p, old);
		free(p);
	}
	return np;
}

/* wipe_free - free a block of size bytes, wiped first */
void
wipe_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	explicit_bzero(p, size);
	free(p);
}

/*
 * out_reserve - room for need more bytes at the end of the output buffer,
 * or NULL (and the session closing) when the client has let more than
 * PALD_OUTBUF_MAX bytes pile up or memory ran out.
 */
static unsigned char *
out_reserve(struct session *s, size_t need)
{
	struct obuf	*o = &s->out;
	size_t		 ncap;
	unsigned char	*np;

	if (s->closing || need == 0)	/* no buffer may exist yet */
		return NULL;
	if (o->len - o->off + need > PALD_OUTBUF_MAX) {
		log_warnx("[%s]: client not reading, closing", s->addr);
		s->closing = 1;
		return NULL;
	}
	if (o->len + need > o->cap && o->off > 0) {
		memmove(o->p, o->p + o->off, o->len - o->off);
		o->len -= o->off;
		o->off = 0;
	}
	if (o->len + need > o->cap) {
		ncap = o->cap ? o->cap : 4096;
		while (ncap < o->len + need)
			ncap *= 2;
		if ((np = wipe_grow(o->p, o->cap, ncap)) == NULL) {
			log_warn("[%s]: output buffer", s->addr);
			s->closing = 1;
			return NULL;
		}
		o->p = np;
		o->cap = ncap;
	}
	return o->p + o->len;
}

/* out_frame - queue one frame for our client */
void
out_frame(struct session *s, int type, const void *p, size_t len)
{
	unsigned char	*dst;

	if ((dst = out_reserve(s, WIRE_HDRLEN + len)) != NULL)
		s->out.len += wire_encode(dst, WIRE_HDRLEN + len, type, p, len);
}

/* out_raw - queue bytes that already are a whole frame */
void
out_raw(struct session *s, const void *p, size_t len)
{
	unsigned char	*dst;

	if ((dst = out_reserve(s, len)) != NULL) {
		memcpy(dst, p, len);
		s->out.len += len;
	}
}

/* out_text - a frame whose payload is a C string */
void
out_text(struct session *s, int type, const char *text)
{
	out_frame(s, type, text, strlen(text));
}

/* out_rc - RETURN_CODE: the request type, a code, an optional text */
void
out_rc(struct session *s, int reqtype, int code, const char *text)
{
	unsigned char	 b[256];
	size_t		 n = text ? strlen(text) : 0;

	if (n > sizeof(b) - 4)
		n = sizeof(b) - 4;
	wire_put16(b, (uint16_t)reqtype);
	wire_put16(b + 2, (uint16_t)code);
	if (n > 0)
		memcpy(b + 4, text, n);
	out_frame(s, PT_RETURN_CODE, b, 4 + n);
}

/* out_status - BUDDY_STATUS uid status */
void
out_status(struct session *s, uint32_t uid, uint32_t status)
{
	unsigned char	 b[8];

	wire_put32(b, uid);
	wire_put32(b + 4, status);
	out_frame(s, PT_BUDDY_STATUS, b, sizeof(b));
}

/*
 * out_voiceip - where our client reaches the voice child (room voice,
 * the relay of calls and transfers): voice_address, or else the address
 * the client reached us at
 */
uint32_t
out_voiceip(struct session *s)
{
	struct in_addr	 ia;

	if (s->conf->voice_addr[0] == '\0' ||
	    inet_pton(AF_INET, s->conf->voice_addr, &ia) != 1)
		return s->localip;
	return ia.s_addr;
}

/* deliver - build a frame and append it to session ts's inbox */
int
deliver(struct session *s, const struct tsess *ts, int kind, int type,
    const void *p, size_t len)
{
	unsigned char	 b[WIRE_HDRLEN + PALD_IM_MAX + 64];
	size_t		 n;

	if ((n = wire_encode(b, sizeof(b), type, p, len)) == 0)
		return -1;
	return table_send(s->tab, ts->slot, ts->gen, kind, b, n);
}

/* im_out - one IM from the system user to our client */
static void
im_out(struct session *s, const char *text, size_t len)
{
	if (len > PALD_IM_MAX)
		len = PALD_IM_MAX;
	wire_put32(s->scratch, PALD_UID_SYSTEM);
	memcpy(s->scratch + 4, text, len);
	out_frame(s, PT_IM_IN, s->scratch, 4 + len);
}

/* admin_flush - send what the reply holds */
void
admin_flush(struct reply *rp)
{
	if (rp->len > 0)
		im_out(rp->s, rp->buf, rp->len);
	rp->len = 0;
}

/* rp_vline - add a line, flushing first when it would not fit */
static void
rp_vline(struct reply *rp, const char *fmt, va_list ap)
{
	char	 b[ADMIN_REPLY_MAX + 1];
	size_t	 n;

	if (vsnprintf(b, sizeof(b), fmt, ap) < 0)
		return;
	n = strlen(b);
	if (rp->len + n + 1 > ADMIN_REPLY_MAX)
		admin_flush(rp);
	if (rp->len > 0)
		rp->buf[rp->len++] = '\n';
	memcpy(rp->buf + rp->len, b, n);
	rp->len += n;
}

/* admin_line - a line of a reply of many lines */
void
admin_line(struct reply *rp, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	rp_vline(rp, fmt, ap);
	va_end(ap);
}

/* admin_reply - a reply of one line */
void
admin_reply(struct session *s, const char *fmt, ...)
{
	struct reply	 rp = { .s = s };
	va_list		 ap;

	va_start(ap, fmt);
	rp_vline(&rp, fmt, ap);
	va_end(ap);
	admin_flush(&rp);
}
