/*
 * store/remote.h - the store's calls as requests to pald's store
 * processes: the wire (rq.c) and the calls (remote.c).  Inside the
 * store only; db.h says what DBO_REMOTE and db_serve are.
 *
 * One request a connection to the store socket: a header and the call's
 * argument, a struct of a size fixed for each call; the answer is a
 * header and the call's result, elements of a size fixed for each call.
 * Both ends are the same program, so the structs travel as bytes, but
 * every size and count is checked before it is used.
 */
#ifndef PALD_STORE_REMOTE_H
#define PALD_STORE_REMOTE_H

#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "db.h"

#define RQ_MAGIC	0x70617271u	/* "parq": a request */
#define RP_MAGIC	0x70617270u	/* "parp": its answer */
#define RQ_ARG_MAX	4096		/* bytes of argument at most */
#define RQ_REPLY_MAX	(2 * 1024 * 1024) /* bytes of result at most */
#define RQ_TRIES	4	/* connections a call that may run twice gets */
#define RQ_IO_WAIT	5	/* seconds a store process gives a connection */
#define RQ_WAIT		10	/* seconds a call waits, unless told */

struct rq_hdr {
	uint32_t	 magic;		/* RQ_MAGIC */
	uint32_t	 op;		/* RQ_* (remote.c) */
	uint32_t	 len;		/* bytes of argument that follow */
	int32_t		 max;		/* elements of result the caller takes */
};

struct rp_hdr {
	uint32_t	 magic;		/* RP_MAGIC */
	int32_t		 r;		/* what the call returned */
	uint32_t	 n;		/* elements of result that follow */
	uint32_t	 size;		/* bytes of each */
};

/* rq.c */
void	 rq_deadline(struct timespec *, int);
int	 rq_io(int, void *, size_t, int, const struct timespec *);
/*
 * rq_call - one call: (op, the argument in, inlen bytes) to a store
 * process, up to max elements of size bytes of its result into out.
 * Returns what the call returned; when no answer came, fail if retry is
 * 0 or the tries are spent (a store process died with it, or none
 * answered in time).
 */
int	 rq_call(struct db *, uint32_t, const void *, size_t, void *, size_t,
	    int, int, int);

/* remote.c: each db_* call of the record families, as a request. */
int	 rm_user_get(struct db *, uint32_t, struct user *);
int	 rm_user_by_nick(struct db *, const char *, struct user *);
int	 rm_user_create(struct db *, struct user *);
int	 rm_user_put(struct db *, const struct user *);
int	 rm_user_reserve(struct db *, const struct user *);
int	 rm_user_delete(struct db *, uint32_t);
int	 rm_user_search(struct db *, const char *, int, struct user *, int);
int	 rm_buddy_add(struct db *, uint32_t, uint32_t);
int	 rm_buddy_del(struct db *, uint32_t, uint32_t);
int	 rm_buddy_list(struct db *, uint32_t, uint32_t *, int);
int	 rm_buddy_of(struct db *, uint32_t, uint32_t *, int);
int	 rm_buddy_has(struct db *, uint32_t, uint32_t);
int	 rm_block_add(struct db *, uint32_t, uint32_t);
int	 rm_block_del(struct db *, uint32_t, uint32_t);
int	 rm_block_list(struct db *, uint32_t, uint32_t *, int);
int	 rm_blocks(struct db *, uint32_t, uint32_t);
int	 rm_offline_put(struct db *, uint32_t, uint32_t, int64_t,
	    const char *, size_t);
int	 rm_offline_list(struct db *, uint32_t, struct offline *, int);
int	 rm_offline_del(struct db *, uint32_t, uint64_t);
int	 rm_category_list(struct db *, struct category *, int);
int	 rm_room_get(struct db *, uint32_t, struct room *);
int	 rm_room_by_name(struct db *, const char *, struct room *);
int	 rm_room_put(struct db *, const struct room *);
int	 rm_room_delete(struct db *, uint32_t);
int	 rm_room_list(struct db *, uint32_t, struct room *, int);
int	 rm_rban_add(struct db *, const struct rban *);
int	 rm_rban_del(struct db *, uint32_t, int, uint32_t);
int	 rm_rban_check(struct db *, uint32_t, uint32_t, int64_t,
	    struct rban *);
int	 rm_rban_list(struct db *, uint32_t, int, struct rban *, int);
int	 rm_rlog_add(struct db *, uint32_t, const struct raction *);
int	 rm_rlog_list(struct db *, uint32_t, struct raction *, int);
int	 rm_ban_add(struct db *, const struct ban *);
int	 rm_ban_del(struct db *, int, const char *);
int	 rm_ban_list(struct db *, struct ban *, int);
int	 rm_ban_check(struct db *, const char *, const char *, int64_t,
	    struct ban *);
int	 rm_user_paid(struct db *, uint32_t, char);
int	 rm_user_hint(struct db *, uint32_t, int, const char *, const char *);
int	 rm_user_admins(struct db *, uint32_t *, int);
int	 rm_buddy_display(struct db *, uint32_t, uint32_t, const char *);
int	 rm_buddy_names(struct db *, uint32_t, struct buddy *, int);
int	 rm_rban_clear(struct db *, uint32_t, int);
int	 rm_invite_add(struct db *, uint32_t, const char *, int, int64_t);

#endif /* PALD_STORE_REMOTE_H */
