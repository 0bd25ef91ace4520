/*
 * store/db.h - the Berkeley DB 5.3 store: environment and records.
 *
 * One transactional environment (locking, logging, mpool, txn) in the
 * data home; one btree file per record kind so that each dumps on its
 * own with db_dump -p.  Keys and values are text (store/kv.h): no C
 * structs on disk.  Every write runs in a transaction; a deadlock is
 * retried a few times and then reported as DBR_AGAIN.
 *
 * The one public header of the store's database half (the shared table
 * is table.h's); each file below says what it owns: env.c the
 * environment and meta.db's schema, user.c users.db and nicks.db,
 * buddy.c buddies.db and blocks.db, offline.c offline.db, rooms.c
 * categories.db and rooms.db, bans.c roombans.db, roomlog.db and
 * bans.db, invite.c invites.db; pw.c the password hashes; lock.c the
 * data home's lock file.
 * The store reports through slog.h and is sized by sizes.h; it includes
 * no header of pald's.
 *
 * Two ways to use it, behind the same calls.  Direct: the process opens
 * the environment itself (pald's keeper and store processes, palpasswd,
 * pald -i, the tests).  Remote (DBO_REMOTE, remote.c over rq.c): home
 * names the UNIX socket of pald's store processes, and every db_* call
 * is a request that one of them runs directly; the caller never touches
 * Berkeley DB, so its death, at any moment, leaves the environment as it
 * was.  A request that cannot be answered within the wait (db_remote_wait)
 * gives DBR_AGAIN.
 *
 * Files and keys (uids are zero-padded to 10 digits: btree order is
 * numeric order; nicknames are lower-cased in keys):
 *   meta.db       "schema" -> "v1 version=1"; "seq:uid" -> "v1 next=N";
 *                 "seq:offline", "seq:roomlog" -> "v1 next=N"
 *   users.db      "0001000002" -> "v2 nick=alice hash=... first=... paid=N"
 *                 (v1: without paid, hintq, hinta and hint)
 *   nicks.db      "alice" -> "v1 uid=1000002"
 *   buddies.db    "has:0001000002:0001000003" -> "v2 display=Bob"
 *                 (owner has buddy, shown as display; v1: no display)
 *                 "of:0001000003:0001000002" -> "v1"    (reverse index)
 *   blocks.db     "0001000002:0001000003" -> "v1"       (owner blocks)
 *   offline.db    "0001000003:0000000042" -> "v1 from=1000002 time=T text=..."
 *   categories.db "0000030001" -> "v1 name=Top%20Rooms"
 *   rooms.db      "0000050001" -> "v1 cat=30001 name=... rating=G ..."
 *                 (permanent rooms; temporary ones live only in the table)
 *   roombans.db   "0000050001:ban:0001000003" -> "v1 by=U time=T until=T reason=..."
 *                 "0000050001:bounce:0001000003" -> likewise (until = T + 24 h)
 *   roomlog.db    "0000050001:0000000042" -> "v1 time=T by=U what=bounce whom=U reason=..."
 *   bans.db       "nick:alice" / "addr:192.0.2.7" / "cidr:192.0.2.0/24"
 *                 -> "v1 by=U time=T until=T reason=..."  (server-wide bans)
 *   invites.db    "0001000002:bob@example.com" -> "v1 time=T origin=255"
 *                 (alice asked that bob be invited; never mailed by pald)
 */
#ifndef PALD_STORE_DB_H
#define PALD_STORE_DB_H

#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "sizes.h"
#include "slog.h"

#define DB_SCHEMA_VERSION	3	/* 2: rooms, room bans, room log, bans;
					   3: invites */

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
#define DBO_LAZY	0x08	/* open at the first operation (children) */
#define DBO_DETECT	0x10	/* pald's keeper runs db_deadlock */
#define DBO_THREAD	0x20	/* free-threaded environment (db_detector) */
#define DBO_REMOTE	0x40	/* home is the store processes' socket */
#define DBO_HELD	0x80	/* DBO_RECOVER: the parent holds the lock */
#define DBO_SUPERVISED	0x100	/* pald's master recovers this store */

/* The data home's lock (lock.c): shared by every process that opens the
 * environment, exclusive for recovery. */
#define DBL_SHARED	0
#define DBL_EXCL	1
#define DBL_FILE	"pald.lock"
#define DBL_WAIT	15	/* seconds to wait for the lock */

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
	char		 paid;		/* USER_DATA paid1: 'N', 'Y' or '6' */
	int		 hintq;		/* password hint: question 1..9, 0 none */
	char		 hinta[PALD_HASH_MAX];	/* its answer, hashed */
	char		 hint[PALD_HINT_MAX + 1];
	int64_t		 created;
	int64_t		 lastlogin;
};

struct db;			/* opaque: the environment and its handles */

int	 db_open(struct db **, const char *, int);
void	 db_close(struct db *);
void	 db_idle(struct db *);	/* DBO_LAZY: let go until the next use */
int	 db_failchk(struct db *);	/* after a child died abnormally */
int	 db_deadlock(struct db *);	/* DBO_DETECT: every second or so */
int	 db_detector(struct db *);	/* DBO_THREAD: db_deadlock in a thread */
int	 db_checkpoint(struct db *);	/* checkpoint + remove old logs */
int	 db_schema(struct db *, int *);	/* read the stored schema version */
/* The lock: a descriptor, or -1 (logged, naming a process that holds it). */
int	 db_lock(const char *, int, int);
int	 db_relock(int, const char *, int, int);	/* 0 or -1 */

/* DBO_REMOTE: seconds a request may wait for a store process (1..). */
void	 db_remote_wait(struct db *, int);
/* A store process: one connection's request, run directly and answered;
 * -1 when the request was bad (logged). */
int	 db_serve(struct db *, int);

/* Users.  Create and put refuse a bad nickname or level with DBR_LIMIT. */
int	 db_nick_valid(const char *);	/* 1: PALD_NICK_MIN..MAX, [A-Za-z][A-Za-z0-9_.-]* */
int	 db_user_get(struct db *, uint32_t, struct user *);
int	 db_user_by_nick(struct db *, const char *, struct user *);
int	 db_user_create(struct db *, struct user *);	/* sets u->uid */
int	 db_user_put(struct db *, const struct user *);	/* existing uid */
/* A reserved uid (< PALD_UID_FIRST): create, or rename and rewrite. */
int	 db_user_reserve(struct db *, const struct user *);
int	 db_user_delete(struct db *, uint32_t);
/* The paid flag ('N', 'Y', '6') and the password hint of an account
 * (question 1..9, the answer's hash, the hint), without the rest. */
int	 db_user_paid(struct db *, uint32_t, char);
/* The accounts with an admin level of 1 or more: a walk of users.db;
 * count or DBR_FATAL. */
int	 db_user_admins(struct db *, uint32_t *, int);
int	 db_user_hint(struct db *, uint32_t, int, const char *, const char *);
/* Search: exact (case-insensitive) or prefix; returns count or DBR_*<0. */
int	 db_user_search(struct db *, const char *, int, struct user *, int);

/* Buddies and blocks: lists return a count (>= 0) or DBR_FATAL. */
int	 db_buddy_add(struct db *, uint32_t, uint32_t);
int	 db_buddy_del(struct db *, uint32_t, uint32_t);
int	 db_buddy_list(struct db *, uint32_t, uint32_t *, int);
int	 db_buddy_of(struct db *, uint32_t, uint32_t *, int);	/* reverse */
int	 db_buddy_has(struct db *, uint32_t, uint32_t);	/* 1 if owner lists it */
/* The name owner gives a buddy ("" or NULL: none); DBR_NOTFOUND if the
 * buddy is not on owner's list. */
int	 db_buddy_display(struct db *, uint32_t, uint32_t, const char *);
struct buddy {
	uint32_t	 uid;
	char		 display[PALD_DISPLAY_MAX + 1];	/* "": none */
};
/* Owner's buddies with the names given them; count or DBR_FATAL. */
int	 db_buddy_names(struct db *, uint32_t, struct buddy *, int);
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

/*
 * Permanent rooms.  Ids of permanent rooms are below PALD_ROOM_TEMP_FIRST;
 * the table hands out temporary ids from there.  A room is locked when
 * its lockword is not empty.
 */
#define ROOM_F_VOICE	0x01	/* a voice room */
#define ROOM_F_PRIVATE	0x02	/* not listed to non-members */
#define ROOM_F_CLOSED	0x04	/* closed by an admin: only admins may join */

struct room {
	uint32_t	 id;
	uint32_t	 category;
	char		 name[PALD_ROOMNAME_MAX + 1];
	char		 topic[PALD_TOPIC_MAX + 1];
	char		 lockword[PALD_LOCKWORD_MAX + 1];
	char		 rating;	/* 'G', 'A' or 'R' */
	unsigned	 flags;		/* ROOM_F_* */
	uint32_t	 owner;		/* uid; 0 = the server */
	uint32_t	 admincode;	/* -316: join as admin with this code; 0 = none */
	int		 mike;		/* new users get the mic */
	int		 text;		/* 1: red-dotted users may not type */
	int		 video;		/* 1: red-dotted users may not send video */
	int64_t		 created;
};
int	 db_room_get(struct db *, uint32_t, struct room *);
int	 db_room_by_name(struct db *, const char *, struct room *); /* case-insensitive */
int	 db_room_put(struct db *, const struct room *);	/* create or replace */
int	 db_room_delete(struct db *, uint32_t);	/* and its bans, bounces and log */
/* Rooms of a category (0: all), by id; count or DBR_FATAL. */
int	 db_room_list(struct db *, uint32_t, struct room *, int);
/* Seed the default rooms from a text file if there are no rooms yet. */
int	 db_room_seed(struct db *, const char *);

/* Bans and 24-hour bounces from one room; until 0 = never expires. */
#define RBAN_BAN	1
#define RBAN_BOUNCE	2
struct rban {
	uint32_t	 room;
	int		 kind;		/* RBAN_* */
	uint32_t	 uid;
	uint32_t	 by;
	int64_t		 time;
	int64_t		 until;
	char		 reason[PALD_REASON_MAX + 1];
};
int	 db_rban_add(struct db *, const struct rban *);	/* replaces */
int	 db_rban_del(struct db *, uint32_t, int, uint32_t);
int	 db_rban_clear(struct db *, uint32_t, int);	/* every one of a kind */
/* DBR_OK and *out if uid is banned or bounced from room now (expired
 * entries do not count and are removed), else DBR_NOTFOUND. */
int	 db_rban_check(struct db *, uint32_t, uint32_t, int64_t, struct rban *);
int	 db_rban_list(struct db *, uint32_t, int, struct rban *, int);

/* The per-room log of admin actions, the newest PALD_ROOMLOG_MAX kept. */
struct raction {
	uint64_t	 seq;
	int64_t		 time;
	uint32_t	 by;
	uint32_t	 whom;		/* 0 if none */
	char		 what[16];	/* "bounce", "ban", "topic", "close", ... */
	char		 reason[PALD_REASON_MAX + 1];
};
int	 db_rlog_add(struct db *, uint32_t, const struct raction *);
/* The newest max entries of room, oldest first; count or DBR_FATAL. */
int	 db_rlog_list(struct db *, uint32_t, struct raction *, int);

/* Server-wide bans: an account (by nick), an address, or a CIDR block. */
#define BAN_NICK	1
#define BAN_ADDR	2
#define BAN_CIDR	3
struct ban {
	int		 kind;		/* BAN_* */
	char		 what[64];	/* lower-cased nick, address or a.b.c.d/n */
	uint32_t	 by;
	int64_t		 time;
	int64_t		 until;		/* 0 = permanent */
	char		 reason[PALD_REASON_MAX + 1];
};
int	 db_ban_add(struct db *, const struct ban *);	/* replaces */
int	 db_ban_del(struct db *, int, const char *);
int	 db_ban_list(struct db *, struct ban *, int);	/* unexpired only */
/* DBR_OK and *out when nick (may be NULL) or addr (IPv4/IPv6 text) is
 * banned at time now; DBR_NOTFOUND if not. */
int	 db_ban_check(struct db *, const char *, const char *, int64_t,
	    struct ban *);

/*
 * Friends invited by e-mail ("Send Paltalk to a Friend"): queued for the
 * operator, never mailed by pald.  The address in lower case, at most
 * PALD_INVITE_EMAIL_MAX bytes without blanks; DBR_EXISTS if the user
 * invited it before, DBR_LIMIT beyond PALD_INVITES_MAX.
 */
int	 db_invite_add(struct db *, uint32_t, const char *, int, int64_t);

/* Passwords: bcrypt via crypt(3); the salt from arc4random. */
int	 pw_hash(const char *, int, char *, size_t);
int	 pw_verify(const char *, const char *);
int	 pw_acceptable(const char *);	/* 4-20 printable, no blanks */		/* 1 = match */

#endif /* PALD_STORE_DB_H */
