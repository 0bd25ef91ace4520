/*
 * store/db.h - the Berkeley DB 5.3 store: environment and records.
 *
 * One transactional environment (locking, logging, mpool, txn) in the
 * data home; one btree file per record kind so that each dumps on its
 * own with db_dump -p.  Keys and values are text (store/kv.h): no C
 * structs on disk.  Every write runs in a transaction; a deadlock is
 * retried a few times and then reported as DBR_AGAIN.
 *
 * Files and keys (uids are zero-padded to 10 digits: btree order is
 * numeric order; nicknames are lower-cased in keys):
 *   meta.db       "schema" -> "v1 version=1"; "seq:uid" -> "v1 next=N";
 *                 "seq:offline" -> "v1 next=N"
 *   users.db      "0001000002" -> "v1 nick=alice hash=... first=..."
 *   nicks.db      "alice" -> "v1 uid=1000002"
 *   buddies.db    "has:0001000002:0001000003" -> "v1"   (owner has buddy)
 *                 "of:0001000003:0001000002" -> "v1"    (reverse index)
 *   blocks.db     "0001000002:0001000003" -> "v1"       (owner blocks)
 *   offline.db    "0001000003:0000000042" -> "v1 from=1000002 time=T text=..."
 *   categories.db "0000030001" -> "v1 name=Top%20Rooms"
 */
#ifndef PALD_STORE_DB_H
#define PALD_STORE_DB_H

#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "../pald.h"

#define DB_SCHEMA_VERSION	1

/* Results of every db_* call that can fail. */
#define DBR_OK		0
#define DBR_NOTFOUND	1	/* no such record */
#define DBR_EXISTS	2	/* unique key already taken */
#define DBR_LIMIT	3	/* a PALD_*_MAX would be exceeded */
#define DBR_AGAIN	4	/* deadlock or busy after retries: try later */
#define DBR_FATAL	(-1)	/* logged; environment may need recovery */

/* db_open flags */
#define DBO_RECOVER	0x01	/* run normal recovery (single process!) */
#define DBO_FAILCHK	0x02	/* clean up after dead processes on open */
#define DBO_CREATE	0x04	/* create the home's files if missing */

#define USER_F_SUSPENDED 0x01	/* may not log in */
#define USER_F_EXEMPT	 0x02	/* exempt from rate limits (bots) */

struct user {
	uint32_t	 uid;
	char		 nick[PALD_NICK_MAX + 1];
	char		 hash[PALD_HASH_MAX];
	char		 first[PALD_NAME_MAX];
	char		 last[PALD_NAME_MAX];
	char		 email[PALD_EMAIL_MAX];
	int		 admin;		/* 0..3 */
	unsigned	 flags;		/* USER_F_* */
	char		 privacy;	/* 'A', 'T' or 'P' */
	int64_t		 created;
	int64_t		 lastlogin;
};

struct db;			/* opaque: the environment and its handles */

int	 db_open(struct db **, const char *, int);
void	 db_close(struct db *);
int	 db_failchk(struct db *);	/* after a child died abnormally */
int	 db_checkpoint(struct db *);	/* checkpoint + remove old logs */
int	 db_schema(struct db *, int *);	/* read the stored schema version */

/* Users.  Create and put refuse a bad nickname or level with DBR_LIMIT. */
int	 db_nick_valid(const char *);	/* 1: PALD_NICK_MIN..MAX, [A-Za-z][A-Za-z0-9_.-]* */
int	 db_user_get(struct db *, uint32_t, struct user *);
int	 db_user_by_nick(struct db *, const char *, struct user *);
int	 db_user_create(struct db *, struct user *);	/* sets u->uid */
int	 db_user_put(struct db *, const struct user *);	/* existing uid */
int	 db_user_delete(struct db *, uint32_t);
/* Search: exact (case-insensitive) or prefix; returns count or DBR_*<0. */
int	 db_user_search(struct db *, const char *, int, struct user *, int);

/* Buddies and blocks: lists return a count (>= 0) or DBR_FATAL. */
int	 db_buddy_add(struct db *, uint32_t, uint32_t);
int	 db_buddy_del(struct db *, uint32_t, uint32_t);
int	 db_buddy_list(struct db *, uint32_t, uint32_t *, int);
int	 db_buddy_of(struct db *, uint32_t, uint32_t *, int);	/* reverse */
int	 db_block_add(struct db *, uint32_t, uint32_t);
int	 db_block_del(struct db *, uint32_t, uint32_t);
int	 db_block_list(struct db *, uint32_t, uint32_t *, int);
int	 db_blocks(struct db *, uint32_t, uint32_t);	/* 1 if owner blocks */

/* Offline IMs. */
struct offline {
	uint64_t	 seq;
	uint32_t	 from;
	int64_t		 time;
	size_t		 len;
	char		 text[PALD_IM_MAX + 1];
};
int	 db_offline_put(struct db *, uint32_t, uint32_t, int64_t,
	    const char *, size_t);
/* Up to max queued IMs for uid, oldest first; count or DBR_FATAL. */
int	 db_offline_list(struct db *, uint32_t, struct offline *, int);
int	 db_offline_del(struct db *, uint32_t, uint64_t);

/* Categories. */
struct category {
	uint32_t	 code;
	char		 name[PALD_NAME_MAX];
};
int	 db_category_list(struct db *, struct category *, int);
int	 db_category_seed(struct db *, const char *);	/* if none yet */

/* Passwords: bcrypt via crypt(3); the salt from arc4random. */
int	 pw_hash(const char *, int, char *, size_t);
int	 pw_verify(const char *, const char *);
int	 pw_acceptable(const char *);	/* 4-20 printable, no blanks */		/* 1 = match */

#endif /* PALD_STORE_DB_H */
