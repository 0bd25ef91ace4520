/*
 * store/table.h - the shared-memory table that sibling processes use to
 * find and reach each other.
 *
 * One file-backed mapping, ${rundir}/table, used the same way by children
 * of the master and by inetd instances.  Fixed layout: a header, an array
 * of compact slot records (scanned by lookups), then one inbox ring per
 * slot.  Indices, never pointers.
 *
 * Rules (STYLE.md 3.11):
 * - A logged-in session owns one slot and holds an fcntl write lock on
 *   the slot's liveness byte for its whole life; a slot in use whose
 *   byte is not locked belongs to a dead process and is swept.
 * - Only the owner writes its slot record (the sweeper clears dead ones,
 *   under the table lock).
 * - Any process may append to any inbox under that inbox's append lock
 *   (a compare-and-swap word holding the appender's pid);
 *   only the owner consumes it, without a lock (head and tail are
 *   atomics).  After appending, the sender rings the owner's doorbell, a
 *   UNIX datagram socket ${rundir}/s.<slot>, once per batch (the bell
 *   flag suppresses repeats).  A full inbox drops the message and marks
 *   the inbox overflowed: its owner then cuts its client off, since a
 *   client that does not read must not stall anyone else.
 * - Locks are held for a memcpy, never across I/O, BDB or poll.
 */
#ifndef PALD_STORE_TABLE_H
#define PALD_STORE_TABLE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "sizes.h"
#include "slog.h"

#define TABLE_FILE	"table"
#define TABLE_LIVE	"live"	/* the sessions' liveness locks */

/* Message kinds in an inbox. */
#define TM_FRAME	1	/* a complete wire frame: write it out */
#define TM_KICK		2	/* a frame to write, then close the session */
#define TM_OFFLINE	3	/* offline IMs were queued: look at the store */
#define TM_LISTER	4	/* uid, op: added (1) or removed (0) us */
#define TM_P2P		5	/* a call or transfer event (p2p.c) */

/* A copy of a slot's public fields. */
struct tsess {
	int		 rooms[PALD_JOINS_MAX];	/* room indices + 1; 0: none */
	uint32_t	 rgens[PALD_JOINS_MAX];
	int		 slot;
	uint32_t	 gen;		/* login generation; newest wins */
	uint32_t	 uid;
	uint32_t	 status;
	pid_t		 pid;
	int64_t		 since;
	int64_t		 seen;		/* the client's last packet */
	char		 nick[PALD_NICK_MAX + 1];
	char		 addr[48];
};

/* Server-wide counters, kept in the header. */
struct tstats {
	int64_t		 started;
	uint64_t	 logins;
	uint64_t	 ims;
	uint64_t	 sessions;
};

struct table;

/*
 * table_open - map ${rundir}/table, creating or re-initialising it when
 * its header does not match this binary (create = 1: the master, which
 * also sweeps; 0: attach as an inetd instance, which sweeps too).
 */
struct table	*table_open(const char *, int);
void		 table_close(struct table *);

/* table_login - claim a slot for a logged-in session; -1 if full. */
int		 table_login(struct table *, uint32_t, const char *,
		    const char *, uint32_t, struct tsess *);
void		 table_logout(struct table *);
int		 table_bellfd(struct table *);	/* our doorbell, or -1 */
/* table_bell_keep - one doorbell for all our logins (a pooled child) */
int		 table_bell_keep(struct table *, uint32_t);
/* table_bell_drain - before the next login: drop old rings of a kept bell */
void		 table_bell_drain(struct table *);
void		 table_set_status(struct table *, uint32_t);
/* table_touch - our client sent a packet at time now (idle time) */
void		 table_touch(struct table *, int64_t);

/*
 * table_find - the newest session of uid (other than our own slot when
 * notself); 0 and *out filled, or -1 if uid is not online.
 */
int		 table_find(struct table *, uint32_t, int, struct tsess *);
/* table_session - session (slot, gen) into *out: 0, or -1 if it is gone */
int		 table_session(struct table *, int, uint32_t, struct tsess *);
/* table_status - the status of session (slot, gen); 0 if it is gone */
uint32_t	 table_status(struct table *, int, uint32_t);
/* table_list - every session, through a callback; returns the count. */
int		 table_list(struct table *,
		    void (*)(void *, const struct tsess *), void *);

/*
 * table_send - append a message to the inbox of the session (slot, gen)
 * and ring its bell.  0 on success, -1 if that session is gone, -2 if its
 * inbox is full (the message is dropped and the owner will cut off).
 */
int		 table_send(struct table *, int, uint32_t, int, const void *,
		    size_t);

/*
 * table_recv - take the next message from our inbox into buf[0..cap).
 * Returns its length and sets *kind, 0 when the inbox is empty, -1 when
 * it overflowed (some message was lost).  table_clearbell first takes
 * the bell's datagram (if poll said it rang) and re-arms the bell; call
 * it before draining.
 */
ssize_t		 table_recv(struct table *, int *, void *, size_t);
void		 table_clearbell(struct table *, int);

/*
 * table_forked - call in a new child of a process that has the table
 * mapped, and use the handle it returns from then on, the child's own
 * copy (the inbox lock words hold the appender's pid, kept there to
 * save a getpid() per message).  The parent's handle is left alone in
 * the child: its fields are written at every login, and its page of the
 * heap, written in the child, would be one more of the child's own.
 */
struct table	*table_forked(struct table *);

/*
 * table_blob_put - the master publishes its configuration after a reload
 * (SIGHUP, /reload) as n bytes that the table keeps but does not read
 * (TABLE_BLOB_MAX at most); table_blob_get copies them into buf when they
 * changed since *seen (1), so that sessions already running take the new
 * limits.  0: no change, or what is kept is not n bytes long.  pald's
 * table_conf_put and table_conf_get (conf.c) pass its struct pald_conf.
 */
#define TABLE_BLOB_MAX	2048
void		 table_blob_put(struct table *, const void *, size_t);
int		 table_blob_get(struct table *, uint32_t *, void *, size_t);

/*
 * table_sweep - free the slots of dead processes (not ours) and report
 * each through the callback, outside the table lock.  Returns the count.
 */
int		 table_sweep(struct table *,
		    void (*)(void *, const struct tsess *), void *);

/*
 * The pool of session processes, as the master (the only writer) last
 * counted it: TP_COUNT figures, indexed by TP_*.
 */
#define TP_CHILDREN	0	/* session processes */
#define TP_IDLE		1	/* in the pool, waiting for a connection */
#define TP_BUSY		2	/* serving a connection */
#define TP_PRELOGIN	3	/* of those, not logged in yet */
#define TP_FORKS	4	/* forked since the start */
#define TP_REUSES	5	/* connections given to a child that had served */
#define TP_REFUSED	6	/* connections refused at a cap */
#define TP_COUNT	7
void		 table_pool_put(struct table *, const uint64_t *);
void		 table_pool_get(struct table *, uint64_t *);

/* Counters and the per-address registration spacing. */
void		 table_count(struct table *, int);	/* TC_* */
void		 table_stats(struct table *, struct tstats *);
int		 table_reg_allow(struct table *, const char *, int);
/* A pending /shutdown, for the master to carry out: its time and text. */
void		 table_shutdown_set(struct table *, int64_t, const char *);
int64_t		 table_shutdown(struct table *, char *, size_t);
/*
 * Counts shared by all sessions, by key (text, shorter than
 * TABLE_KEY_MAX), each forgotten window seconds after it last grew:
 * guard.c's failed password checks.  table_fail_try gives decide the
 * counts of n keys (count, and the time it last grew; 0 for a key
 * without one) and, when decide returns 0 (go on, else the seconds to
 * wait), adds one to each at once, under one lock: an attempt counts
 * before it is tried.  table_fail_undo takes one back from each.
 */
#define TABLE_KEY_MAX	64
struct tcount {
	const char	*key;
	int		 window;
	uint32_t	 count;
	int64_t		 last;
};
int		 table_fail_try(struct table *, struct tcount *, int,
		    int (*)(void *, const struct tcount *, int), void *);
void		 table_fail_undo(struct table *, const struct tcount *, int);
uint32_t	 table_fail_add(struct table *, const char *, int);
void		 table_fail_clear(struct table *, const char *);
/* table_once - 1 the first time key comes in a window of seconds, else 0 */
int		 table_once(struct table *, const char *, int);

/*
 * Log lines about client addresses, shared by all processes (log.c's
 * gate, set up by proc.c): table_lines says whether a line of kind may
 * be logged (1) or is held back and counted (0): perkind lines of one
 * kind and perall in all in a window of window seconds that opens at an
 * address's first line.  table_lines_ended hands on, once, the count of
 * each window that has ended with lines held back.  Addresses that find
 * the table full share the entry TABLE_LINES_OTHER.
 */
#define TABLE_LINES_OTHER "*"
struct tlines {
	char		 addr[48];
	uint32_t	 dropped;
};
int		 table_lines(struct table *, const char *, uint32_t, int, int,
		    int);
int		 table_lines_ended(struct table *, int, struct tlines *, int);
#define TC_LOGIN	1
#define TC_IM		2
#define TC_SESSION	3

/*
 * Rooms with members.  A room is active in the table while it has
 * members (a permanent room is loaded from the store by its first
 * joiner; a temporary one exists only here) and is freed when its last
 * member leaves.  Each room record has its own lock byte; membership
 * changes also take the rooms lock (order: rooms, then room, then
 * inbox).  A session notes the rooms it is in in its slot, so that a
 * sweep of a dead slot can take it out of them.
 */
#define TMF_ADMIN	0x01	/* room admin */
#define TMF_REDDOT	0x02	/* red-dotted: no mic, maybe no text */
#define TMF_HAND	0x04	/* hand raised: waits for the mic */
#define TMF_INVIS	0x08	/* not shown in the user list */
#define TMF_VIDEO	0x10	/* publishing video */

#define TRF_TEMP	0x100	/* temporary: no store record */

struct tmember {
	int		 slot;
	uint32_t	 gen;
	uint32_t	 uid;
	uint32_t	 flags;		/* TMF_* */
	uint32_t	 handseq;	/* order of raised hands */
	int64_t		 joined;
	char		 nick[PALD_NICK_MAX + 1];
};

/* A copy of an active room's fields (or a template to activate one). */
struct troom {
	int		 idx;		/* record in the table */
	uint32_t	 rgen;		/* activation generation */
	uint32_t	 id;
	uint32_t	 category;
	uint32_t	 owner;
	uint32_t	 flags;		/* ROOM_F_* of store/db.h | TRF_* */
	char		 rating;
	char		 name[PALD_ROOMNAME_MAX + 1];
	char		 topic[PALD_TOPIC_MAX + 1];
	uint32_t	 topicby;
	char		 lockword[PALD_LOCKWORD_MAX + 1];
	int		 mike;		/* new members may talk */
	int		 text;		/* red-dotted members may not type */
	int		 video;		/* red-dotted members may not send video */
	int		 allmics;	/* all mics open (-355) */
	int		 nmembers;
	uint32_t	 speaker;	/* uid holding the mic, 0 = free */
	int64_t		 created;
};

/* Results of room_join. */
#define TR_OK		0
#define TR_FULL		1	/* room at its limit */
#define TR_NOSPACE	2	/* no free room record or id */
#define TR_TOOMANY	3	/* session is in PALD_JOINS_MAX rooms */
#define TR_ALREADY	4	/* already a member */
#define TR_GONE		5	/* room no longer active */
#define TR_NOTIN	6	/* not a member */

/*
 * room_join - add our session (logged in) to room tmpl->id with
 * member flags, activating the room from tmpl if it is not active (a
 * tmpl->id of 0 makes a temporary room with a fresh id).  limit bounds
 * the members (0: no limit but PALD_ROOM_MEMBERS_MAX).  On TR_OK *out
 * is the room as it is now.
 */
int		 room_join(struct table *, const struct troom *, uint32_t,
		    int, struct troom *);
/* room_leave - take our session out; *out is the room before (count
 * after); *empty set when the room was freed. */
int		 room_leave(struct table *, int, uint32_t, struct troom *,
		    int *);
/* room_drop - take (slot, gen) out of room idx: sweeps and bounces. */
int		 room_drop(struct table *, int, int, uint32_t, struct troom *,
		    int *);
/* room_get - the active room idx (and rgen if not 0) or by id. */
int		 room_get(struct table *, int, uint32_t, struct troom *);
int		 room_find(struct table *, uint32_t, struct troom *);
/* room_members - copy the members (up to max); count or -1 if gone. */
int		 room_members(struct table *, int, uint32_t, struct tmember *,
		    int);
/* room_member - one member by uid; 0, or -1 if not in the room. */
int		 room_member(struct table *, int, uint32_t, uint32_t,
		    struct tmember *);
/* room_list - every active room, through a callback; the count. */
int		 room_list(struct table *,
		    void (*)(void *, const struct troom *), void *);
/*
 * room_send - append a frame to the inbox of every member of room idx
 * except the slot except (-1: none); the number delivered, -1 if gone.
 * Members whose inbox is full are cut off by their own child.
 */
int		 room_send(struct table *, int, uint32_t, int, int,
		    const void *, size_t);
/* room_mflags - set and clear member flags of uid (0xffffffff: every
 * member without TMF_ADMIN); the number changed, -1 if gone. */
int		 room_mflags(struct table *, int, uint32_t, uint32_t, uint32_t,
		    uint32_t);
/* room_update - the room's settings from *r (topic, topicby, mike,
 * text, video, allmics, flags, speaker); -1 if gone. */
#define RU_TOPIC	0x01
#define RU_OPTS		0x02	/* mike text video allmics */
#define RU_FLAGS	0x04
#define RU_SPEAKER	0x08
int		 room_update(struct table *, int, uint32_t, const struct troom *,
		    int);
/* room_drop_speaker - the mic taken from uid (0xffffffff: from whoever
 * has it) if uid still holds it: a compare-and-swap, so that a mic the
 * voice child passed on meanwhile stays with its new holder.  1 if
 * taken, 0 if uid did not hold it, -1 if the room is gone. */
int		 room_drop_speaker(struct table *, int, uint32_t, uint32_t);
/* room_myrooms - the (idx, rgen) pairs our session is in; count. */
int		 room_myrooms(struct table *, int *, uint32_t *);

/*
 * Voice endpoints over UDP.  A logged-in session registers a UDP address
 * and port of its own host for a room it is in, to listen (TV_LISTEN) to
 * the room's audio or to speak (TV_SPEAK) into it as plain RTP; the
 * voice child relays to and from registered endpoints only, and only
 * while the session lives, is in the room and comes from that address.
 * One endpoint per session and room, until ttl seconds have passed.
 */
#define TV_LISTEN	1
#define TV_SPEAK	2
#define TABLE_VEPS	256

struct tvep {
	uint32_t	 room;
	uint32_t	 uid;
	int		 slot;
	uint32_t	 gen;
	int		 mode;		/* TV_LISTEN | TV_SPEAK; 0: free */
	char		 addr[48];	/* numeric (getnameinfo) */
	uint16_t	 port;
	int64_t		 expires;	/* time(3) */
};

/* table_vep - set (mode != 0) or drop (mode 0) our endpoint for room;
 * -1 if we are not logged in or every entry is taken. */
int		 table_vep(struct table *, uint32_t, const char *, uint16_t,
		    int, int);
/* table_veps - copy the endpoints that have not expired; the count */
int		 table_veps(struct table *, struct tvep *, int);

/*
 * Person-to-person sessions: voice calls, file transfers, video calls.
 * Each side of one has an entry of its own, which only its session
 * writes (under the p2p lock, for a memcpy): what it asked the peer for,
 * or was asked, and whether it is accepted.  The other side's child
 * reads it to check an answer against the question; the voice child
 * reads them all and relays the media of two entries that name each
 * other and are both accepted.  A session has at most one entry of each
 * kind (but up to TABLE_VIEWS of TP_RVIEW, one per room and peer: the
 * room cameras it was let view); the entry of a session that is gone is
 * free.  Room video (TP_RPUB, TP_RVIEW) names a room and has no relay
 * port: vidsrv.c reads those, relay.c the others.  Relay ports: an
 * entry put with a base port b has b + 2 * idx and the port after it.
 */
#define TP_CALL		1
#define TP_FILE		2
#define TP_VIDEO	3
#define TP_RPUB		4	/* room video: the owner publishes in room */
#define TP_RVIEW	5	/* room video: the owner views peer in room */
#define TPS_ASKING	1	/* we asked the peer; no answer yet */
#define TPS_ASKED	2	/* the peer asked us; no answer yet */
#define TPS_ON		3	/* accepted by both: media may flow */
#define TABLE_P2P	PALD_P2P_ENTRIES
#define TABLE_VIEWS	8	/* TP_RVIEW entries of one session */

struct tp2p {
	int		 idx;		/* the entry's index */
	uint32_t	 serial;	/* a new number for each new entry */
	int		 kind;		/* TP_*; 0: free */
	int		 state;		/* TPS_* */
	int		 asker;		/* 1: the owner asked (caller, sender) */
	uint32_t	 uid;		/* the owner: a session */
	int		 slot;
	uint32_t	 gen;
	uint32_t	 peer;		/* the other side's session */
	int		 pslot;
	uint32_t	 pgen;
	uint16_t	 rport;		/* relay port; 0: none (direct) */
	uint16_t	 cport;		/* the owner's own port, if it gave one */
	uint32_t	 room;		/* TP_RPUB, TP_RVIEW: the room's id */
	int64_t		 since;		/* time(3) the entry was made */
};

/*
 * table_p2p_put - make or change our entry of kind e->kind from *e (the
 * owner fields are ours, whatever e says); base, when not 0, gives its
 * relay ports (else e->rport stays).  Its index, or -1 if we are not
 * logged in or every entry is taken.
 */
int		 table_p2p_put(struct table *, const struct tp2p *, int);
/* table_p2p_drop - our entry of kind is freed (if we have one) */
void		 table_p2p_drop(struct table *, int);
/* table_p2p_drop_in - our entries of kind with this room and peer (0:
 * any) are freed */
void		 table_p2p_drop_in(struct table *, int, uint32_t, uint32_t);
/* table_p2p_get - the entry of kind of session (slot, gen); 0 or -1 */
int		 table_p2p_get(struct table *, int, uint32_t, int,
		    struct tp2p *);
/* table_p2ps - copy the entries of live sessions; the count */
int		 table_p2ps(struct table *, struct tp2p *, int);

#endif /* PALD_STORE_TABLE_H */
