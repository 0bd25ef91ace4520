/*
 * store/serve.c - a store process's side of the store's calls as
 * requests (see remote.h and db.h, DBO_REMOTE, db_serve).
 *
 * Owns db_serve: one connection's request read and checked against the
 * table of the calls (remote.c, rq_ops), the call run directly (run),
 * the result written back.  A store process must survive any bytes a
 * session's process sends it (that process is driven by a client): a
 * request whose magic, call or length is wrong, or that is cut short,
 * is refused with a log line (at most one a minute) and the connection
 * closed; a call whose argument has a string that does not end inside
 * its array is answered DBR_LIMIT without being run, and a list is cut
 * to the call's bound.  It stands above the record families, which
 * stand above remote.c: the families hand a remote call down, this
 * runs it, so there is no circle.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbint.h"
#include "remote.h"
#include "slog.h"

/* run - a checked request's call, run directly; out takes its result */
static int
run(struct db *db, uint32_t op, union rq_arg *in, void *out, int max)
{
	struct rq_num	*n = &in->num;
	struct rq_str	*s = &in->str;

	switch (op) {
	case RQ_USER_GET:
		return db_user_get(db, n->a, out);
	case RQ_USER_BY_NICK:
		return db_user_by_nick(db, s->s, out);
	case RQ_USER_CREATE:
		memcpy(out, &in->user, sizeof(in->user));
		return db_user_create(db, out);
	case RQ_USER_PUT:
		return db_user_put(db, &in->user);
	case RQ_USER_RESERVE:
		return db_user_reserve(db, &in->user);
	case RQ_USER_DELETE:
		return db_user_delete(db, n->a);
	case RQ_USER_SEARCH:
		return db_user_search(db, s->s, s->n.k, out, max);
	case RQ_BUDDY_ADD:
		return db_buddy_add(db, n->a, n->b);
	case RQ_BUDDY_DEL:
		return db_buddy_del(db, n->a, n->b);
	case RQ_BUDDY_LIST:
		return db_buddy_list(db, n->a, out, max);
	case RQ_BUDDY_OF:
		return db_buddy_of(db, n->a, out, max);
	case RQ_BUDDY_HAS:
		return db_buddy_has(db, n->a, n->b);
	case RQ_BLOCK_ADD:
		return db_block_add(db, n->a, n->b);
	case RQ_BLOCK_DEL:
		return db_block_del(db, n->a, n->b);
	case RQ_BLOCK_LIST:
		return db_block_list(db, n->a, out, max);
	case RQ_BLOCKS:
		return db_blocks(db, n->a, n->b);
	case RQ_OFFLINE_PUT:
		if (in->off.len > sizeof(in->off.text))
			return DBR_LIMIT;
		return db_offline_put(db, in->off.to, in->off.from,
		    in->off.time, in->off.text, in->off.len);
	case RQ_OFFLINE_LIST:
		return db_offline_list(db, n->a, out, max);
	case RQ_OFFLINE_DEL:
		return db_offline_del(db, n->a, (uint64_t)n->t);
	case RQ_CATEGORY_LIST:
		return db_category_list(db, out, max);
	case RQ_ROOM_GET:
		return db_room_get(db, n->a, out);
	case RQ_ROOM_BY_NAME:
		return db_room_by_name(db, s->s, out);
	case RQ_ROOM_PUT:
		return db_room_put(db, &in->room);
	case RQ_ROOM_DELETE:
		return db_room_delete(db, n->a);
	case RQ_ROOM_LIST:
		return db_room_list(db, n->a, out, max);
	case RQ_RBAN_ADD:
		return db_rban_add(db, &in->rban);
	case RQ_RBAN_DEL:
		return db_rban_del(db, n->a, n->k, n->b);
	case RQ_RBAN_CHECK:
		return db_rban_check(db, n->a, n->b, n->t, out);
	case RQ_RBAN_LIST:
		return db_rban_list(db, n->a, n->k, out, max);
	case RQ_RLOG_ADD:
		return db_rlog_add(db, in->rlog.room, &in->rlog.act);
	case RQ_RLOG_LIST:
		return db_rlog_list(db, n->a, out, max);
	case RQ_BAN_ADD:
		return db_ban_add(db, &in->ban);
	case RQ_BAN_DEL:
		return db_ban_del(db, s->n.k, s->s);
	case RQ_BAN_LIST:
		return db_ban_list(db, out, max);
	case RQ_BAN_CHECK:
		return db_ban_check(db, (s->set & RQS_S) ? s->s : NULL,
		    (s->set & RQS_S2) ? s->s2 : NULL, s->n.t, out);
	case RQ_USER_PAID:
		return db_user_paid(db, n->a, (char)n->k);
	case RQ_USER_HINT:
		return db_user_hint(db, s->n.a, s->n.k, s->s, s->s2);
	case RQ_USER_ADMINS:
		return db_user_admins(db, out, max);
	case RQ_BUDDY_DISPLAY:
		return db_buddy_display(db, s->n.a, s->n.b,
		    (s->set & RQS_S) ? s->s : NULL);
	case RQ_BUDDY_NAMES:
		return db_buddy_names(db, n->a, out, max);
	case RQ_RBAN_CLEAR:
		return db_rban_clear(db, n->a, n->k);
	case RQ_INVITE_ADD:
		return db_invite_add(db, s->n.a, s->s, s->n.k, s->n.t);
	}
	return DBR_FATAL;
}

/* bad - a request refused: one log line a minute at most */
static int
bad(const char *why)
{
	static time_t	 last;
	static unsigned	 more;
	time_t		 now = time(NULL);

	if (last != 0 && now - last < 60) {
		more++;
		return -1;
	}
	slog_warnx("db: store: bad request (%s), closing the connection; "
	    "%u more since the last such line", why, more);
	last = now;
	more = 0;
	return -1;
}

/* reply - the result of a call: its header and n elements of out */
static int
reply(int fd, int r, const struct rqop *o, unsigned char *buf, int n,
    const struct timespec *until)
{
	struct rp_hdr	 p;

	p.magic = RP_MAGIC;
	p.r = r;
	p.n = (uint32_t)n;
	p.size = (uint32_t)o->out;
	memcpy(buf, &p, sizeof(p));
	return rq_io(fd, buf, sizeof(p) + (size_t)n * o->out, 1, until);
}

int
db_serve(struct db *db, int fd)
{
	union rq_arg	 in;
	struct {
		struct rp_hdr	 p;
		union rq_arg	 one;
	}		 single;
	unsigned char	*buf = (unsigned char *)&single;
	struct rq_hdr	 q;
	struct timespec	 until;
	const struct rqop *o;
	int		 max, r, n, e;

	rq_deadline(&until, RQ_IO_WAIT * 1000);
	if (rq_io(fd, &q, sizeof(q), 0, &until) == -1)
		return 0;	/* gone before a word: nothing to do */
	if (q.magic != RQ_MAGIC)
		return bad("not a request");
	if (q.op >= RQ_COUNT)
		return bad("unknown call");
	o = &rq_ops[q.op];
	if (q.len != o->in)
		return bad("wrong length");
	memset(&in, 0, sizeof(in));
	if (rq_io(fd, &in, q.len, 0, &until) == -1)
		return bad("cut short");
	max = o->max;
	if ((o->flags & RQ_LIST) && q.max < max)
		max = q.max < 0 ? 0 : q.max;
	if ((o->flags & RQ_LIST) && max > 0 && (buf = calloc(1,
	    sizeof(struct rp_hdr) + (size_t)max * o->out)) == NULL) {
		slog_warn("db: store: request %u", q.op);
		return -1;
	}
	if (!(o->flags & RQ_LIST))
		memset(&single, 0, sizeof(single));
	if (o->ok != NULL && !o->ok(&in))
		r = DBR_LIMIT;	/* what a call says of a string too long */
	else
		r = run(db, q.op, &in, buf + sizeof(struct rp_hdr), max);
	n = !(o->flags & RQ_LIST) ? max : r < 0 ? 0 : r > max ? max : r;
	r = reply(fd, r, o, buf, n, &until);
	e = errno;
	if (buf != (unsigned char *)&single) {
		explicit_bzero(buf, sizeof(struct rp_hdr) +
		    (size_t)max * o->out);
		free(buf);
	}
	explicit_bzero(&in, sizeof(in));
	explicit_bzero(&single, sizeof(single));
	return r == -1 && e != EPIPE ? bad("answer not taken") : 0;
}

