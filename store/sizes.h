/*
 * store/sizes.h - the sizes of what the store keeps: the one definition
 * of each limit that a stored record or the shared table is laid out by.
 *
 * struct user, struct offline, struct room ... (db.h) and the table's
 * records (table.h) have arrays of these sizes, and the store refuses
 * what does not fit; pald.h includes this header, so the rest of pald
 * checks a client's input against the same numbers.  Changing one
 * changes the table's layout (it re-initialises) and what a record may
 * hold, never the text form of a record on disk.
 */
#ifndef PALD_STORE_SIZES_H
#define PALD_STORE_SIZES_H

/* Accounts. */
#define PALD_NICK_MAX		32	/* bytes in a nickname */
#define PALD_NICK_MIN		3
#define PALD_PASS_MAX		20	/* decoded password: the client's encoding is exact up to 22 */
#define PALD_PASS_MIN		4
#define PALD_NAME_MAX		64	/* first/last name, email local part */
#define PALD_EMAIL_MAX		128
#define PALD_HASH_MAX		128	/* crypt(3) output */
#define PALD_UID_FIRST		1000002	/* first uid handed out (client needs > 1) */

/* What an account and a room keep. */
#define PALD_IM_MAX		2048	/* bytes of IM text */
#define PALD_BUDDIES_MAX	500	/* buddies (and blocked users) per account */
#define PALD_OFFLINE_MAX	100	/* offline IMs queued per account */
#define PALD_DISPLAY_MAX	32	/* bytes of a name given to a pal (-167) */
#define PALD_HINT_MAX		32	/* bytes of a password hint and its answer */
#define PALD_INVITES_MAX	100	/* friends invited by e-mail per account */
#define PALD_INVITE_EMAIL_MAX	127	/* bytes of such an address */
#define PALD_CATEGORIES_MAX	256
#define PALD_ROOMNAME_MAX	64	/* bytes in a room name */
#define PALD_TOPIC_MAX		255	/* bytes in a room topic */
#define PALD_LOCKWORD_MAX	32	/* bytes in a room's lockword */
#define PALD_REASON_MAX		200	/* bytes in a bounce or ban reason */
#define PALD_ROOMLOG_MAX	200	/* admin actions kept per room */
#define PALD_ROOMS_MAX		4096	/* permanent rooms in the store */
#define PALD_ROOM_TEMP_FIRST	900000	/* first id of a temporary room */

/* The shared table (store/table.c): its size is fixed at creation. */
#define PALD_MAX_SESSIONS	16384	/* slots: concurrent sessions (10,000 held + logins in flight) */
#define PALD_INBOX_SIZE		(32 * 1024) /* bytes in each slot's inbox ring */
#define PALD_TROOMS		1024	/* rooms with members at one time */
#define PALD_ROOM_MEMBERS_MAX	1000	/* members of one room, whatever room_size says */
#define PALD_JOINS_MAX		4	/* rooms one session may be in */
#define PALD_P2P_ENTRIES	1024	/* sides of calls and transfers at once (two each) */

#endif /* PALD_STORE_SIZES_H */
