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

/* The calls, their arguments and their table (remote.c). */
#define RQ_STR_MAX	128	/* a string argument, with its NUL */
#define RQ_U32_MAX	65536	/* uids in one list */
#define RQ_BANS_MAX	1024	/* bans or room bans in one list */
#define RQ_USERS_MAX	256	/* accounts found by one search */

enum {
	RQ_USER_GET, RQ_USER_BY_NICK, RQ_USER_CREATE, RQ_USER_PUT,
	RQ_USER_RESERVE, RQ_USER_DELETE, RQ_USER_SEARCH,
	RQ_BUDDY_ADD, RQ_BUDDY_DEL, RQ_BUDDY_LIST, RQ_BUDDY_OF, RQ_BUDDY_HAS,
	RQ_BLOCK_ADD, RQ_BLOCK_DEL, RQ_BLOCK_LIST, RQ_BLOCKS,
	RQ_OFFLINE_PUT, RQ_OFFLINE_LIST, RQ_OFFLINE_DEL, RQ_CATEGORY_LIST,
	RQ_ROOM_GET, RQ_ROOM_BY_NAME, RQ_ROOM_PUT, RQ_ROOM_DELETE,
	RQ_ROOM_LIST, RQ_RBAN_ADD, RQ_RBAN_DEL, RQ_RBAN_CHECK, RQ_RBAN_LIST,
	RQ_RLOG_ADD, RQ_RLOG_LIST, RQ_BAN_ADD, RQ_BAN_DEL, RQ_BAN_LIST,
	RQ_BAN_CHECK, RQ_USER_PAID, RQ_USER_HINT, RQ_USER_ADMINS,
	RQ_BUDDY_DISPLAY, RQ_BUDDY_NAMES, RQ_RBAN_CLEAR, RQ_INVITE_ADD,
	RQ_COUNT
};

/* Arguments: numbers; numbers and strings; an offline IM; a log entry. */
struct rq_num {
	uint32_t	 a, b;
	int32_t		 k;
	int64_t		 t;
};

#define RQS_S	0x01	/* s is given (else NULL) */
#define RQS_S2	0x02	/* s2 is given */
struct rq_str {
	struct rq_num	 n;
	int32_t		 set;		/* RQS_* */
	char		 s[RQ_STR_MAX];
	char		 s2[RQ_STR_MAX];
};

struct rq_offline {
	uint32_t	 to, from;
	int64_t		 time;
	uint32_t	 len;
	char		 text[PALD_IM_MAX];
};

struct rq_rlog {
	uint32_t	 room;
	struct raction	 act;
};

/* Every argument, and every single result: aligned for any of them. */
union rq_arg {
	struct rq_num	 num;
	struct rq_str	 str;
	struct rq_offline off;
	struct rq_rlog	 rlog;
	struct user	 user;
	struct room	 room;
	struct rban	 rban;
	struct ban	 ban;
};
_Static_assert(sizeof(union rq_arg) <= RQ_ARG_MAX, "arguments fit");
_Static_assert((size_t)PALD_ROOMS_MAX * sizeof(struct room) <= RQ_REPLY_MAX,
    "a room list fits");

#define RQ_RETRY	0x01	/* may run twice: sent again if need be */
#define RQ_LIST		0x02	/* returns a count of elements, or < 0 */
#define RQ_PRED		0x04	/* returns 1, 0, or < 0 */

struct rqop {
	size_t		 in;		/* the argument: exactly this size */
	size_t		 out;		/* an element of the result */
	int		 max;		/* elements: 0, 1, or a list's bound */
	int		 flags;		/* RQ_* */
	int		(*ok)(const void *); /* its strings end in their arrays */
};

extern const struct rqop rq_ops[RQ_COUNT];

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

/* serve.c: db_serve (db.h), a store process's side. */

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
