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
 * - Any process may append to any inbox under that inbox's lock byte;
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

#include "../pald.h"

#define TABLE_FILE	"table"

/* Message kinds in an inbox. */
#define TM_FRAME	1	/* a complete wire frame: write it out */
#define TM_KICK		2	/* a frame to write, then close the session */
#define TM_OFFLINE	3	/* offline IMs were queued: look at the store */

/* A copy of a slot's public fields. */
struct tsess {
	int		 slot;
	uint32_t	 gen;		/* login generation; newest wins */
	uint32_t	 uid;
	uint32_t	 status;
	pid_t		 pid;
	int64_t		 since;
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
void		 table_set_status(struct table *, uint32_t);

/*
 * table_find - the newest session of uid (other than our own slot when
 * notself); 0 and *out filled, or -1 if uid is not online.
 */
int		 table_find(struct table *, uint32_t, int, struct tsess *);
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
 * it overflowed (some message was lost).  table_clearbell first drains
 * the doorbell socket and re-arms the bell; call it before draining.
 */
ssize_t		 table_recv(struct table *, int *, void *, size_t);
void		 table_clearbell(struct table *);

/*
 * table_sweep - free the slots of dead processes (not ours) and report
 * each through the callback, outside the table lock.  Returns the count.
 */
int		 table_sweep(struct table *,
		    void (*)(void *, const struct tsess *), void *);

/* Counters and the per-address registration spacing. */
void		 table_count(struct table *, int);	/* TC_* */
void		 table_stats(struct table *, struct tstats *);
int		 table_reg_allow(struct table *, const char *, int);
/*
 * Login failures shared by all sessions, by key ("addr:A", "uid:N"):
 * table_fail_check gives the seconds left of a lockout (0: none) and
 * sets its last argument to 1 the first time it reports that lockout.
 */
int		 table_fail_check(struct table *, const char *, int, int,
		    int *);
void		 table_fail_add(struct table *, const char *, int);
void		 table_fail_clear(struct table *, const char *);
#define TC_LOGIN	1
#define TC_IM		2
#define TC_SESSION	3

#endif /* PALD_STORE_TABLE_H */
