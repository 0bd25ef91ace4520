/*
 * store/table.c - the shared-memory session table, inboxes and doorbells.
 *
 * See table.h for the rules.  Layout of ${rundir}/table:
 *	[header, HDR_SIZE][slot records][inbox rings, PALD_INBOX_SIZE each]
 * fcntl byte locks (offsets past the end of the file are fine for fcntl):
 *	LK_TABLE		claim, release and sweep of slots
 *	LK_LINES, LK_ROOMS, LK_ROOM + r, LK_P2P	(see their users)
 * and in ${rundir}/live, a file of no data:
 *	LK_LIVE + i		held by slot i's owner for its life
 * The liveness bytes have a file of their own: the kernel keeps one
 * list of fcntl locks per file and walks it on every lock and unlock,
 * and with every held session's byte in the table's list, each table
 * or room lock cost a walk of thousands (posix_lock_inode was 12 % of
 * the session processes' CPU at 2,000 held, the largest kernel item).
 * The file is volatile: nothing in it outlives a restart of the service.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slog.h"
#include "table.h"

#define TABLE_MAGIC	0x70616c64u	/* "pald" */
#define TABLE_LAYOUT	13	/* 9: blob; 10: pool; 11: lines; 12: p2p entries;
				   13: their room (room video) */
#define LK_TABLE	((off_t)0)
#define LK_LIVE		((off_t)1 << 32)
#define LK_LINES	((off_t)2 << 32)
#define LK_ROOMS	((off_t)3 << 32)
#define LK_ROOM		((off_t)4 << 32)
#define LK_P2P		((off_t)5 << 32)
#define TEMP_IDS	1000000	/* temporary room ids cycle through these */
#define REG_SLOTS	64
#define SWEEP_BATCH	32
#define PAGE		4096
#define HDR_SIZE	(24 * PAGE)	/* the header and room to grow */
#define FAIL_SLOTS	512
#define NOTE_SLOTS	64
#define LINE_SLOTS	128
#define LINE_KINDS	8

struct thdr {
	uint32_t	 magic;
	uint32_t	 layout;
	uint32_t	 nslots;
	uint32_t	 inboxsz;
	uint64_t	 size;
	_Atomic uint32_t gen;
	_Atomic uint32_t hiwat;		/* no slot at or above it was used */
	int64_t		 started;
	_Atomic uint64_t logins;
	_Atomic uint64_t ims;
	_Atomic uint64_t sessions;
	uint32_t	 regnext;
	uint32_t	 nextroom;	/* next temporary room id to try */
	_Atomic uint32_t rgen;
	struct {
		char	 addr[48];
		int64_t	 when;
	}		 reg[REG_SLOTS];
	uint32_t	 failnext;	/* the counts' clock (tfail seq) */
	struct tfail {
		char	 key[TABLE_KEY_MAX];	/* guard.c's, or table_once's */
		int64_t	 start;		/* the first count */
		int64_t	 last;		/* the latest (table_once: the first) */
		uint32_t count;
		uint32_t logged;	/* table_once: seen */
		uint32_t seq;		/* failnext when it last grew */
	}		 fail[FAIL_SLOTS];
	struct tfail	 note[NOTE_SLOTS];	/* table_once, by key */
	struct tline {			/* table_lines, by address */
		char	 addr[48];	/* "": free */
		int64_t	 start;		/* the window's first line */
		uint32_t lines;		/* logged in the window */
		uint32_t dropped;	/* and not */
		uint32_t kind[LINE_KINDS];
		uint32_t kcount[LINE_KINDS];
	}		 line[LINE_SLOTS + 1];	/* the last: TABLE_LINES_OTHER */
	int64_t		 shut_at;	/* /shutdown: when; 0 = none */
	char		 shut_text[PALD_REASON_MAX + 1];
	_Atomic uint32_t p2pserial;	/* the last p2p entry's serial */
	_Atomic uint32_t confseq;	/* odd while the master writes conf */
	uint32_t	 conflen;
	unsigned char	 conf[TABLE_BLOB_MAX];	/* table_blob_put's bytes */
	_Atomic uint64_t pool[TP_COUNT];	/* the master's, table_pool_put */
};
_Static_assert(sizeof(struct thdr) <= HDR_SIZE, "table header too large");

struct tslot {
	_Atomic uint32_t state;		/* 0 free, 1 in use */
	_Atomic uint32_t gen;
	_Atomic uint32_t uid;
	_Atomic uint32_t status;
	int32_t		 pid;
	int64_t		 since;
	_Atomic int64_t	 seen;		/* the client's last packet */
	char		 nick[PALD_NICK_MAX + 1];
	char		 addr[48];
	_Atomic uint32_t head;		/* bytes ever written (mod 2^32) */
	_Atomic uint32_t tail;		/* bytes ever read */
	_Atomic uint32_t overflow;
	_Atomic uint32_t bell;		/* 1: a wake-up is pending */
	_Atomic uint32_t ilock;		/* pid appending to the inbox, or 0 */
	_Atomic uint32_t rooms[PALD_JOINS_MAX];	/* room index + 1 */
	_Atomic uint32_t rgens[PALD_JOINS_MAX];
	_Atomic uint32_t bellid;	/* BELL_KEPT | id: b.<id>; else s.<slot> */
};

#define BELL_KEPT	0x80000000u	/* a doorbell its process keeps */

/* An active room; its members are in the member array of its index. */
struct trec {
	_Atomic uint32_t state;		/* 0 free, 1 active */
	_Atomic uint32_t rgen;
	uint32_t	 id;
	uint32_t	 category;
	uint32_t	 owner;
	uint32_t	 flags;
	char		 rating;
	char		 name[PALD_ROOMNAME_MAX + 1];
	char		 topic[PALD_TOPIC_MAX + 1];
	char		 lockword[PALD_LOCKWORD_MAX + 1];
	uint32_t	 topicby;
	int32_t		 mike, text, video, allmics;
	_Atomic uint32_t nmembers;
	_Atomic uint32_t speaker;
	uint32_t	 handseq;
	int64_t		 created;
};

/* An inbox entry header; entries are padded to 8 bytes. */
struct tmsg {
	uint32_t	 len;
	uint16_t	 kind;		/* 0: padding up to the ring's end */
	uint16_t	 spare;
};

struct table {
	int		 fd;
	int		 livefd;	/* ${rundir}/live: LK_LIVE's file */
	unsigned char	*base;
	size_t		 size;
	struct thdr	*hdr;
	struct tslot	*slots;
	unsigned char	*rings;
	struct trec	*recs;
	struct tmember	*members;
	struct tvep	*veps;
	struct tp2p	*p2p;
	char		*dir;		/* shared by a child's copy */
	int		 myslot;	/* -1 when not logged in */
	int		 bellfd;
	uint32_t	 keptbell;	/* BELL_KEPT | id, or 0 (table_bell_keep) */
	int		 sendfd;
	pid_t		 pid;		/* getpid(), kept: see table_forked */
};

static size_t
slots_size(void)
{
	size_t	 n = sizeof(struct tslot) * PALD_MAX_SESSIONS;

	return (n + PAGE - 1) / PAGE * PAGE;
}

static size_t
recs_size(void)
{
	size_t	 n = sizeof(struct trec) * PALD_TROOMS;

	return (n + PAGE - 1) / PAGE * PAGE;
}

static size_t
members_size(void)
{
	size_t	 n = sizeof(struct tmember) * PALD_ROOM_MEMBERS_MAX *
	    PALD_TROOMS;

	return (n + PAGE - 1) / PAGE * PAGE;
}

static size_t
veps_size(void)
{
	return sizeof(struct tvep) * TABLE_VEPS;
}

static size_t
p2p_size(void)
{
	return sizeof(struct tp2p) * TABLE_P2P;
}

/* lockbyte - take (F_WRLCK, F_SETLKW) or drop (F_UNLCK) one lock byte */
static int
lockbyte(int fd, off_t off, short type, int wait)
{
	struct flock	 fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = off;
	fl.l_len = 1;
	for (;;) {
		if (fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* lk, unlk - wait for and drop one of the table's lock bytes */
static void
lk(struct table *t, off_t off)
{
	if (lockbyte(t->fd, off, F_WRLCK, 1) == -1)
		slog_fatal("table: lock %lld", (long long)off);
}

static void
unlk(struct table *t, off_t off)
{
	if (lockbyte(t->fd, off, F_UNLCK, 0) == -1)
		slog_fatal("table: unlock %lld", (long long)off);
}

#define table_lock(t)		lk((t), LK_TABLE)
#define table_unlock(t)		unlk((t), LK_TABLE)
#define lines_lock(t)		lk((t), LK_LINES)
#define lines_unlock(t)		unlk((t), LK_LINES)
#define rooms_lock(t)		lk((t), LK_ROOMS)
#define rooms_unlock(t)		unlk((t), LK_ROOMS)
#define room_lock(t, r)		lk((t), LK_ROOM + (r))
#define room_unlock(t, r)	unlk((t), LK_ROOM + (r))

/*
 * inbox_lock - the append lock of inbox i: a word in the slot that holds
 * the pid of the process appending, taken with compare-and-swap.  It is
 * held for a memcpy, so a waiter yields the CPU and tries again; if the
 * holder has died meanwhile (killed between the swap and the release),
 * the lock is taken over.  This replaces an fcntl lock, which cost two
 * system calls per member on every line said in a room.
 */
static void
inbox_lock(struct table *t, int i)
{
	_Atomic uint32_t *w = &t->slots[i].ilock;
	uint32_t	 me = (uint32_t)t->pid, cur;
	unsigned	 spins;

	for (spins = 0;; spins++) {
		cur = 0;
		if (atomic_compare_exchange_weak(w, &cur, me))
			return;
		if (spins < 64)
			continue;
		if (spins % 1024 == 0 && cur != 0 &&
		    kill((pid_t)cur, 0) == -1 && errno == ESRCH &&
		    atomic_compare_exchange_strong(w, &cur, me)) {
			slog_warnx("%s: inbox %d: lock of dead pid %u taken",
			    __func__, i, cur);
			return;
		}
		(void)sched_yield();
	}
}

static void
inbox_unlock(struct table *t, int i)
{
	atomic_store_explicit(&t->slots[i].ilock, 0, memory_order_release);
}

/* alive - is slot i's liveness byte locked by some process? */
static int
alive(struct table *t, int i)
{
	struct flock	 fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = LK_LIVE + i;
	fl.l_len = 1;
	if (fcntl(t->livefd, F_GETLK, &fl) == -1)
		slog_fatal("%s: F_GETLK", __func__);
	return fl.l_type != F_UNLCK;
}

/*
 * bellpath - ${rundir}/s.<slot>, a doorbell bound for one login, or
 * ${rundir}/b.<id> for a bell id with BELL_KEPT, one a process keeps
 * from login to login (table_bell_keep)
 */
static int
bellpath(struct table *t, uint32_t i, struct sockaddr_un *sun)
{
	int	 n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (i & BELL_KEPT)
		n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/b.%u",
		    t->dir, i & ~BELL_KEPT);
	else
		n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/s.%u",
		    t->dir, i);
	return (n < 0 || (size_t)n >= sizeof(sun->sun_path)) ? -1 : 0;
}

/* header_init - a fresh table; called with the table lock held */
static int
header_init(struct table *t)
{
	if (ftruncate(t->fd, 0) == -1 ||
	    ftruncate(t->fd, (off_t)t->size) == -1)
		return -1;
	memset(t->hdr, 0, sizeof(*t->hdr));
	t->hdr->nslots = PALD_MAX_SESSIONS;
	t->hdr->inboxsz = PALD_INBOX_SIZE;
	t->hdr->size = t->size;
	t->hdr->started = time(NULL);
	t->hdr->layout = TABLE_LAYOUT;
	atomic_thread_fence(memory_order_release);
	t->hdr->magic = TABLE_MAGIC;
	return 0;
}

static int
header_ok(const struct table *t)
{
	return t->hdr->magic == TABLE_MAGIC &&
	    t->hdr->layout == TABLE_LAYOUT &&
	    t->hdr->nslots == PALD_MAX_SESSIONS &&
	    t->hdr->inboxsz == PALD_INBOX_SIZE && t->hdr->size == t->size;
}

struct table *
table_open(const char *dir, int create)
{
	struct table	*t;
	char		 path[PATH_MAX];
	struct stat	 st;
	int		 n;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->myslot = -1;
	t->bellfd = t->sendfd = t->livefd = -1;
	t->pid = getpid();
	t->size = HDR_SIZE + slots_size() +
	    (size_t)PALD_MAX_SESSIONS * PALD_INBOX_SIZE + recs_size() +
	    members_size() + veps_size() + p2p_size();
	n = snprintf(path, sizeof(path), "%s/%s", dir, TABLE_FILE);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (t->dir = strdup(dir)) == NULL)
		goto fail;
	if ((t->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		goto fail;
	n = snprintf(path, sizeof(path), "%s/%s", dir, TABLE_LIVE);
	if (n < 0 || (size_t)n >= sizeof(path) || (t->livefd = open(path,
	    O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		goto failfd;
	n = snprintf(path, sizeof(path), "%s/%s", dir, TABLE_FILE);
	if (fstat(t->fd, &st) == -1)
		goto failfd;
	if ((size_t)st.st_size != t->size &&
	    ftruncate(t->fd, (off_t)t->size) == -1)
		goto failfd;
	t->base = mmap(NULL, t->size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    t->fd, 0);
	if (t->base == MAP_FAILED)
		goto failfd;
	t->hdr = (struct thdr *)t->base;
	t->slots = (struct tslot *)(t->base + HDR_SIZE);
	t->rings = t->base + HDR_SIZE + slots_size();
	t->recs = (struct trec *)(t->rings +
	    (size_t)PALD_MAX_SESSIONS * PALD_INBOX_SIZE);
	t->members = (struct tmember *)((unsigned char *)t->recs +
	    recs_size());
	t->veps = (struct tvep *)((unsigned char *)t->members +
	    members_size());
	t->p2p = (struct tp2p *)((unsigned char *)t->veps + veps_size());
	table_lock(t);
	if (!header_ok(t)) {
		if (t->hdr->magic != 0)
			slog_info("%s: layout changed, re-initialising", path);
		if (header_init(t) == -1) {
			table_unlock(t);
			goto failmap;
		}
	} else if (create) {
		/* a new master: no room of an earlier run has members */
		t->hdr->started = time(NULL);
		for (n = 0; n < PALD_TROOMS; n++)
			atomic_store(&t->recs[n].state, 0);
		memset(t->p2p, 0, p2p_size());
	}
	table_unlock(t);
	return t;
failmap:
	(void)munmap(t->base, t->size);
failfd:
	if (t->livefd != -1)
		(void)close(t->livefd);
	(void)close(t->fd);
fail:
	free(t->dir);
	free(t);
	return NULL;
}

void
table_close(struct table *t)
{
	if (t == NULL)
		return;
	if (t->myslot != -1)
		table_logout(t);
	if (t->keptbell != 0) {
		(void)close(t->bellfd);
		t->bellfd = -1;
		t->keptbell = 0;
	}
	if (t->sendfd != -1)
		(void)close(t->sendfd);
	(void)munmap(t->base, t->size);
	(void)close(t->livefd);
	(void)close(t->fd);
	free(t->dir);
	free(t);
}

/* bell_open - bind our doorbell socket for bell i (see bellpath) */
static int
bell_open(struct table *t, uint32_t i)
{
	struct sockaddr_un sun;
	int		 fd;

	if (bellpath(t, i, &sun) == -1)
		return -1;
	(void)unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

int
table_login(struct table *t, uint32_t uid, const char *nick,
    const char *addr, uint32_t status, struct tsess *out)
{
	struct tslot	*s;
	uint32_t	 i, j, gen;

	if (t->myslot != -1)
		return -1;
	table_lock(t);
	/* the lowest free slot: the slots in use stay below hiwat */
	for (i = 0; i < PALD_MAX_SESSIONS; i++) {
		s = &t->slots[i];
		if (atomic_load(&s->state) != 0)
			continue;
		if (lockbyte(t->livefd, LK_LIVE + i, F_WRLCK, 0) == -1)
			continue;
		if (t->keptbell == 0 && (t->bellfd = bell_open(t, i)) == -1) {
			slog_warn("%s: doorbell %u", __func__, i);
			(void)lockbyte(t->livefd, LK_LIVE + i, F_UNLCK, 0);
			break;
		}
		gen = atomic_fetch_add(&t->hdr->gen, 1) + 1;
		if (atomic_load(&t->hdr->hiwat) <= i)
			atomic_store(&t->hdr->hiwat, i + 1);
		inbox_lock(t, i);
		s->pid = getpid();
		s->since = time(NULL);
		atomic_store(&s->seen, s->since);
		(void)strlcpy(s->nick, nick, sizeof(s->nick));
		(void)strlcpy(s->addr, addr, sizeof(s->addr));
		atomic_store(&s->uid, uid);
		atomic_store(&s->status, status);
		atomic_store(&s->head, 0);
		atomic_store(&s->tail, 0);
		atomic_store(&s->overflow, 0);
		atomic_store(&s->bell, 0);
		for (j = 0; j < PALD_JOINS_MAX; j++)
			atomic_store(&s->rooms[j], 0);
		atomic_store(&s->bellid, t->keptbell != 0 ? t->keptbell : i);
		atomic_store(&s->gen, gen);
		atomic_store(&s->state, 1);
		inbox_unlock(t, i);
		table_unlock(t);
		t->myslot = (int)i;
		if (out != NULL) {
			memset(out, 0, sizeof(*out));
			out->slot = (int)i;
			out->gen = gen;
			out->uid = uid;
		}
		return 0;
	}
	table_unlock(t);
	return -1;
}

/* slot_clear - mark slot i free; table lock held */
static void
slot_clear(struct table *t, int i)
{
	struct sockaddr_un sun;

	inbox_lock(t, i);
	atomic_store(&t->slots[i].state, 0);
	atomic_store(&t->slots[i].uid, 0);
	inbox_unlock(t, i);
	/* a kept doorbell is its process's, and the next one rebinds it */
	if (!(atomic_load(&t->slots[i].bellid) & BELL_KEPT) &&
	    bellpath(t, (uint32_t)i, &sun) == 0)
		(void)unlink(sun.sun_path);
}

void
table_logout(struct table *t)
{
	int	 i = t->myslot;

	if (i == -1)
		return;
	table_lock(t);
	slot_clear(t, i);
	(void)lockbyte(t->livefd, LK_LIVE + i, F_UNLCK, 0);
	table_unlock(t);
	if (t->keptbell == 0) {
		if (t->bellfd != -1)
			(void)close(t->bellfd);
		t->bellfd = -1;
	}
	t->myslot = -1;
}

/*
 * table_bell_keep - a process that logs in one session after another (a
 * pooled child) binds one doorbell, ${rundir}/b.<id>, and keeps it: no
 * bind and unlink of a socket file per login.  id is the process's own
 * (the master's slot of the child); a dead process's file is rebound by
 * the next that has the id.  -1 when it cannot be bound (logins then
 * bind one each).
 */
int
table_bell_keep(struct table *t, uint32_t id)
{
	int	 fd;

	if (t->myslot != -1 || t->keptbell != 0 || (id & BELL_KEPT))
		return -1;
	if ((fd = bell_open(t, id | BELL_KEPT)) == -1)
		return -1;
	t->bellfd = fd;
	t->keptbell = id | BELL_KEPT;
	return 0;
}

/* table_bell_drain - what rang for an earlier session is thrown away */
void
table_bell_drain(struct table *t)
{
	char	 b[64];

	if (t->keptbell != 0 && t->myslot == -1)
		while (recv(t->bellfd, b, sizeof(b), 0) > 0)
			;
}

int
table_bellfd(struct table *t)
{
	return t->myslot != -1 ? t->bellfd : -1;
}

void
table_set_status(struct table *t, uint32_t status)
{
	if (t->myslot != -1)
		atomic_store(&t->slots[t->myslot].status, status);
}

void
table_touch(struct table *t, int64_t now)
{
	if (t->myslot != -1)
		atomic_store(&t->slots[t->myslot].seen, now);
}

/* copyout - the public fields of slot i */
static void
copyout(struct table *t, int i, struct tsess *o)
{
	struct tslot	*s = &t->slots[i];
	int		 k;

	o->slot = i;
	o->gen = atomic_load(&s->gen);
	o->uid = atomic_load(&s->uid);
	o->status = atomic_load(&s->status);
	o->pid = s->pid;
	o->since = s->since;
	o->seen = atomic_load(&s->seen);
	memcpy(o->nick, s->nick, sizeof(o->nick));
	o->nick[sizeof(o->nick) - 1] = '\0';
	memcpy(o->addr, s->addr, sizeof(o->addr));
	o->addr[sizeof(o->addr) - 1] = '\0';
	for (k = 0; k < PALD_JOINS_MAX; k++) {
		o->rooms[k] = (int)atomic_load(&s->rooms[k]);
		o->rgens[k] = atomic_load(&s->rgens[k]);
	}
}

/*
 * used - the slots a scan looks at: none at or above the high-water mark
 * was ever taken since the table was made, so a scan costs the most
 * sessions there have been at once, not the table's size.
 */
static int
used(struct table *t)
{
	uint32_t	 n = atomic_load(&t->hdr->hiwat);

	return n > PALD_MAX_SESSIONS ? PALD_MAX_SESSIONS : (int)n;
}

int
table_session(struct table *t, int slot, uint32_t gen, struct tsess *out)
{
	struct tslot	*s;

	if (slot < 0 || slot >= PALD_MAX_SESSIONS)
		return -1;
	s = &t->slots[slot];
	if (atomic_load(&s->state) == 0 || atomic_load(&s->gen) != gen)
		return -1;
	copyout(t, slot, out);
	/* taken over meanwhile: the copy is of another session */
	return out->gen == gen && atomic_load(&s->state) != 0 ? 0 : -1;
}

int
table_find(struct table *t, uint32_t uid, int notself, struct tsess *out)
{
	struct tslot	*s;
	uint32_t	 best = 0, g;
	int		 i, n = used(t), found = -1;

	for (i = 0; i < n; i++) {
		s = &t->slots[i];
		if (atomic_load(&s->uid) != uid ||
		    atomic_load(&s->state) == 0 || (notself && i == t->myslot))
			continue;
		g = atomic_load(&s->gen);
		if (found == -1 || (int32_t)(g - best) > 0) {
			found = i;
			best = g;
		}
	}
	if (found == -1)
		return -1;
	copyout(t, found, out);
	return 0;
}

uint32_t
table_status(struct table *t, int i, uint32_t gen)
{
	struct tslot	*s;

	if (i < 0 || i >= PALD_MAX_SESSIONS)
		return 0;
	s = &t->slots[i];
	if (atomic_load(&s->state) == 0 || atomic_load(&s->gen) != gen)
		return 0;
	return atomic_load(&s->status);
}

int
table_list(struct table *t, void (*cb)(void *, const struct tsess *),
    void *arg)
{
	struct tsess	 ts;
	int		 i, end = used(t), n = 0;

	for (i = 0; i < end; i++) {
		if (atomic_load(&t->slots[i].state) == 0)
			continue;
		copyout(t, i, &ts);
		if (ts.uid == 0)
			continue;
		cb(arg, &ts);
		n++;
	}
	return n;
}

/* ring - wake slot i's owner unless a wake-up is already pending */
static void
ring(struct table *t, int i)
{
	struct sockaddr_un sun;
	char		 b = 0;

	if (atomic_exchange(&t->slots[i].bell, 1) != 0)
		return;
	if (t->sendfd == -1)
		t->sendfd = socket(AF_UNIX,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->sendfd == -1 ||
	    bellpath(t, atomic_load(&t->slots[i].bellid), &sun) == -1)
		return;
	/* Failure is harmless: a dead owner is swept, a busy one will look. */
	(void)sendto(t->sendfd, &b, 1, 0, (struct sockaddr *)&sun,
	    sizeof(sun));
}

int
table_send(struct table *t, int i, uint32_t gen, int kind, const void *p,
    size_t len)
{
	struct tslot	*s;
	struct tmsg	 m;
	uint32_t	 head, tail, pos, need, pad, sz = PALD_INBOX_SIZE;

	if (i < 0 || i >= PALD_MAX_SESSIONS || len > sz / 4)
		return -1;
	s = &t->slots[i];
	need = (uint32_t)(sizeof(m) + ((len + 7) & ~(size_t)7));
	inbox_lock(t, i);
	if (atomic_load(&s->state) == 0 || atomic_load(&s->gen) != gen) {
		inbox_unlock(t, i);
		return -1;
	}
	head = atomic_load_explicit(&s->head, memory_order_relaxed);
	tail = atomic_load_explicit(&s->tail, memory_order_acquire);
	pos = head % sz;
	pad = (pos + need > sz) ? sz - pos : 0;
	if (atomic_load(&s->overflow) || (head - tail) + pad + need > sz) {
		atomic_store(&s->overflow, 1);
		inbox_unlock(t, i);
		ring(t, i);
		return -2;
	}
	if (pad != 0) {
		m.len = pad - (uint32_t)sizeof(m);
		m.kind = 0;
		m.spare = 0;
		memcpy(t->rings + (size_t)i * sz + pos, &m, sizeof(m));
		pos = 0;
	}
	m.len = (uint32_t)len;
	m.kind = (uint16_t)kind;
	m.spare = 0;
	memcpy(t->rings + (size_t)i * sz + pos, &m, sizeof(m));
	if (len > 0)
		memcpy(t->rings + (size_t)i * sz + pos + sizeof(m), p, len);
	atomic_store_explicit(&s->head, head + pad + need,
	    memory_order_release);
	inbox_unlock(t, i);
	ring(t, i);
	return 0;
}

void
table_blob_put(struct table *t, const void *c, size_t n)
{
	struct thdr	*h = t->hdr;
	uint32_t	 seq = atomic_load(&h->confseq);

	if (n > sizeof(h->conf))
		slog_fatalx("%s: %zu bytes", __func__, n);
	/* One writer, the master; readers retry while seq is odd. */
	atomic_store(&h->confseq, seq + 1);
	atomic_thread_fence(memory_order_seq_cst);
	h->conflen = (uint32_t)n;
	memcpy(h->conf, c, n);
	atomic_thread_fence(memory_order_seq_cst);
	atomic_store(&h->confseq, seq + 2);
}

int
table_blob_get(struct table *t, uint32_t *seen, void *c, size_t n)
{
	struct thdr	*h = t->hdr;
	uint32_t	 a, b;
	int		 tries;

	a = atomic_load_explicit(&h->confseq, memory_order_acquire);
	if (a == *seen || a == 0)
		return 0;
	for (tries = 0; tries < 1000; tries++) {
		a = atomic_load(&h->confseq);
		if (a & 1) {
			(void)sched_yield();
			continue;
		}
		if (h->conflen != n)
			return 0;	/* not what the caller keeps */
		atomic_thread_fence(memory_order_seq_cst);
		memcpy(c, h->conf, n);
		atomic_thread_fence(memory_order_seq_cst);
		b = atomic_load(&h->confseq);
		if (a == b) {
			*seen = a;
			return 1;
		}
	}
	return 0;	/* a writer that died mid-copy: keep ours */
}

struct table *
table_forked(struct table *t)
{
	struct table	*c;

	if ((c = malloc(sizeof(*c))) == NULL)
		c = t;
	else
		*c = *t;
	c->pid = getpid();
	return c;
}

void
table_clearbell(struct table *t, int rung)
{
	char	 b[64];

	if (t->myslot == -1)
		return;
	/*
	 * One datagram: the bell flag makes senders ring once per batch,
	 * and a rare second one only wakes us once more for nothing.
	 * Draining until EAGAIN would cost a system call per wake-up, and
	 * so would a recv when poll did not say the bell rang.  The flag
	 * is cleared either way, so a bell whose datagram got lost (a
	 * full queue) is re-armed at the next wake-up.
	 */
	if (rung)
		(void)recv(t->bellfd, b, sizeof(b), 0);
	atomic_store(&t->slots[t->myslot].bell, 0);
}

ssize_t
table_recv(struct table *t, int *kind, void *buf, size_t cap)
{
	struct tslot	*s;
	struct tmsg	 m;
	uint32_t	 head, tail, pos, sz = PALD_INBOX_SIZE;
	unsigned char	*ring_;

	if (t->myslot == -1)
		return 0;
	s = &t->slots[t->myslot];
	ring_ = t->rings + (size_t)t->myslot * sz;
	if (atomic_load(&s->overflow))
		return -1;
	for (;;) {
		head = atomic_load_explicit(&s->head, memory_order_acquire);
		tail = atomic_load_explicit(&s->tail, memory_order_relaxed);
		if (head == tail)
			return 0;
		pos = tail % sz;
		memcpy(&m, ring_ + pos, sizeof(m));
		/* more than a ring's worth, or past its end: lost as if full */
		if (head - tail > sz || pos % 8 != 0 ||
		    m.len > sz - pos - sizeof(m)) {
			slog_warnx("%s: inbox %d corrupt", __func__,
			    t->myslot);
			return -1;
		}
		tail += (uint32_t)sizeof(m) + ((m.len + 7) & ~7u);
		if (m.kind != 0 && m.len <= cap)
			memcpy(buf, ring_ + pos + sizeof(m), m.len);
		atomic_store_explicit(&s->tail, tail, memory_order_release);
		if (m.kind == 0)
			continue;
		if (m.len > cap)
			return -1;
		*kind = m.kind;
		return (ssize_t)m.len;
	}
}

int
table_sweep(struct table *t, void (*cb)(void *, const struct tsess *),
    void *arg)
{
	struct tsess	 dead[SWEEP_BATCH];
	int		 i, k, n, total = 0, start = 0, end = used(t);

	do {
		n = 0;
		table_lock(t);
		for (i = start; i < end && n < SWEEP_BATCH; i++) {
			if (i == t->myslot ||
			    atomic_load(&t->slots[i].state) == 0 || alive(t, i))
				continue;
			copyout(t, i, &dead[n++]);
			slot_clear(t, i);
		}
		table_unlock(t);
		start = i;
		for (k = 0; k < n; k++)
			if (cb != NULL && dead[k].uid != 0)
				cb(arg, &dead[k]);
		total += n;
	} while (start < end);
	return total;
}

void
table_count(struct table *t, int what)
{
	switch (what) {
	case TC_LOGIN:
		atomic_fetch_add(&t->hdr->logins, 1);
		break;
	case TC_IM:
		atomic_fetch_add(&t->hdr->ims, 1);
		break;
	case TC_SESSION:
		atomic_fetch_add(&t->hdr->sessions, 1);
		break;
	}
}

void
table_stats(struct table *t, struct tstats *st)
{
	st->started = t->hdr->started;
	st->logins = atomic_load(&t->hdr->logins);
	st->ims = atomic_load(&t->hdr->ims);
	st->sessions = atomic_load(&t->hdr->sessions);
}

/*
 * table_pool_put, table_pool_get - the master's pool counters: one
 * writer, so a reader may see one figure of a later moment than
 * another, never a torn one.
 */
void
table_pool_put(struct table *t, const uint64_t *v)
{
	int	 i;

	for (i = 0; i < TP_COUNT; i++)
		atomic_store_explicit(&t->hdr->pool[i], v[i],
		    memory_order_relaxed);
}

void
table_pool_get(struct table *t, uint64_t *v)
{
	int	 i;

	for (i = 0; i < TP_COUNT; i++)
		v[i] = atomic_load_explicit(&t->hdr->pool[i],
		    memory_order_relaxed);
}

int
table_reg_allow(struct table *t, const char *addr, int interval)
{
	int64_t	 now = time(NULL);
	int	 i, ok = 1;

	table_lock(t);
	for (i = 0; i < REG_SLOTS; i++)
		if (strcmp(t->hdr->reg[i].addr, addr) == 0 &&
		    now - t->hdr->reg[i].when < interval)
			ok = 0;
	if (ok) {
		i = (int)(t->hdr->regnext++ % REG_SLOTS);
		(void)strlcpy(t->hdr->reg[i].addr, addr,
		    sizeof(t->hdr->reg[i].addr));
		t->hdr->reg[i].when = now;
	}
	table_unlock(t);
	return ok;
}

/*
 * Counts shared by all sessions, by key: the failed password checks and
 * the password changes of guard.c, and table_once.  A count is forgotten
 * window seconds after it last grew (table_once: after its first).  When
 * every entry is taken, the one that grew least recently is reused.
 */

/*
 * key_find - key's entry in v[0..n), or with add a free one or the one
 * that grew least recently (by the clock *seq); the table lock held
 */
static struct tfail *
key_find(struct tfail *v, int n, uint32_t *seq, const char *key,
    int64_t now, int window, int add)
{
	struct tfail	*f, *old = NULL;
	int		 i;

	for (i = 0; i < n; i++) {
		f = &v[i];
		if (f->key[0] != '\0' && now - f->last >= window)
			f->key[0] = '\0';	/* expired */
		if (strcmp(f->key, key) == 0)
			return f;
		if (old == NULL || (old->key[0] != '\0' &&
		    (f->key[0] == '\0' || (int32_t)(f->seq - old->seq) < 0)))
			old = f;
	}
	if (!add || strlen(key) >= sizeof(old->key))
		return NULL;
	memset(old, 0, sizeof(*old));
	(void)strlcpy(old->key, key, sizeof(old->key));
	old->start = old->last = now;
	old->seq = ++*seq;
	return old;
}

/* fail_find - key_find among the password counts */
static struct tfail *
fail_find(struct table *t, const char *key, int64_t now, int window,
    int add)
{
	return key_find(t->hdr->fail, FAIL_SLOTS, &t->hdr->failnext, key, now,
	    window, add);
}

/*
 * table_fail_try - the counts of q[0..n) as they are (count 0 for a key
 * that has none) go to decide, all under the table lock; when decide
 * says go on (0), each count grows by one at once, so that what is
 * about to be tried counts before it is tried.  decide's answer.
 */
int
table_fail_try(struct table *t, struct tcount *q, int n,
    int (*decide)(void *, const struct tcount *, int), void *arg)
{
	struct tfail	*f;
	int64_t		 now = time(NULL);
	int		 i, wait;

	table_lock(t);
	for (i = 0; i < n; i++) {
		q[i].count = 0;
		q[i].last = 0;
		if ((f = fail_find(t, q[i].key, now, q[i].window, 0)) != NULL) {
			q[i].count = f->count;
			q[i].last = f->last;
		}
	}
	if ((wait = decide(arg, q, n)) == 0)
		for (i = 0; i < n; i++)
			if ((f = fail_find(t, q[i].key, now, q[i].window,
			    1)) != NULL && f->count < UINT32_MAX) {
				f->count++;
				f->last = now;
				f->seq = ++t->hdr->failnext;
			}
	table_unlock(t);
	return wait;
}

/* table_fail_undo - take back one count of each key (a right password) */
void
table_fail_undo(struct table *t, const struct tcount *q, int n)
{
	struct tfail	*f;
	int64_t		 now = time(NULL);
	int		 i;

	table_lock(t);
	for (i = 0; i < n; i++)
		if ((f = fail_find(t, q[i].key, now, q[i].window, 0)) !=
		    NULL && f->count > 0)
			f->count--;
	table_unlock(t);
}

/* table_fail_add - one more for key; the count after */
uint32_t
table_fail_add(struct table *t, const char *key, int window)
{
	struct tfail	*f;
	int64_t		 now = time(NULL);
	uint32_t	 n = 0;

	table_lock(t);
	if ((f = fail_find(t, key, now, window, 1)) != NULL) {
		if (f->count < UINT32_MAX)
			f->count++;
		f->last = now;
		f->seq = ++t->hdr->failnext;
		n = f->count;
	}
	table_unlock(t);
	return n;
}

/* table_fail_clear - forget key's count (a good login) */
void
table_fail_clear(struct table *t, const char *key)
{
	struct tfail	*f;
	int		 i;

	table_lock(t);
	for (i = 0; i < FAIL_SLOTS; i++) {
		f = &t->hdr->fail[i];
		if (strcmp(f->key, key) == 0)
			memset(f, 0, sizeof(*f));
	}
	table_unlock(t);
}

/*
 * table_once - 1 the first time key is seen in a window of window
 * seconds, else 0: what a log line once per address and window needs.
 * When every entry is taken the one whose window began first is reused.
 */
int
table_once(struct table *t, const char *key, int window)
{
	struct tfail	*f;
	int		 first = 0;

	table_lock(t);
	if ((f = key_find(t->hdr->note, NOTE_SLOTS, &t->hdr->failnext, key,
	    time(NULL), window, 1)) != NULL && !f->logged)
		first = f->logged = 1;
	table_unlock(t);
	return first;
}

/*
 * Log lines about client addresses (table_lines): a window of window
 * seconds opens at an address's first line; in it, perkind lines of a
 * kind and perall lines in all are let through, and the rest counted.
 * A window that ended with lines held back stays until table_lines_ended
 * has handed its count on (its lines are held back meanwhile).  An
 * address that finds no entry free shares the last one,
 * TABLE_LINES_OTHER, with every other such address.  A lock of
 * its own (LK_LINES): a process may log while it holds the table lock.
 */

/*
 * line_find - addr's entry in its window: its own, a free one, or the
 * shared last one; NULL when its window is over and its count not yet
 * handed on
 */
static struct tline *
line_find(struct table *t, const char *addr, int64_t now, int window)
{
	struct tline	*e, *spare = NULL;
	int		 i;

	for (i = 0; i <= LINE_SLOTS; i++) {
		e = &t->hdr->line[i];
		if (e->addr[0] != '\0' && now - e->start >= window &&
		    e->dropped == 0)
			e->addr[0] = '\0';	/* over, nothing to say */
		if (i == LINE_SLOTS)
			break;
		if (e->addr[0] != '\0' && strcmp(e->addr, addr) == 0)
			return now - e->start >= window ? NULL : e;
		if (e->addr[0] == '\0' && spare == NULL)
			spare = e;
	}
	if (spare == NULL) {
		addr = TABLE_LINES_OTHER;
		spare = e;
		if (e->addr[0] != '\0')
			return now - e->start >= window ? NULL : e;
	}
	memset(spare, 0, sizeof(*spare));
	(void)strlcpy(spare->addr, addr, sizeof(spare->addr));
	spare->start = now;
	return spare;
}

/*
 * table_lines - 1 when a line of kind about addr may be logged, else 0
 * (and it is counted)
 */
int
table_lines(struct table *t, const char *addr, uint32_t kind, int perkind,
    int perall, int window)
{
	struct tline	*e;
	int64_t		 now = time(NULL);
	int		 i, ok = 0;

	lines_lock(t);
	if ((e = line_find(t, addr, now, window)) == NULL) {
		lines_unlock(t);
		return 0;	/* held until the count is handed on */
	}
	for (i = 0; i < LINE_KINDS; i++)
		if (e->kcount[i] == 0 || e->kind[i] == kind)
			break;
	if (e->lines < (uint32_t)perall &&
	    (i == LINE_KINDS || e->kcount[i] < (uint32_t)perkind)) {
		ok = 1;
		e->lines++;
		if (i < LINE_KINDS) {
			e->kind[i] = kind;
			e->kcount[i]++;
		}
	} else if (e->dropped < UINT32_MAX)
		e->dropped++;
	lines_unlock(t);
	return ok;
}

/*
 * table_lines_ended - the windows that have ended with lines held back:
 * their addresses and counts into out[0..max), each once; the number
 */
int
table_lines_ended(struct table *t, int window, struct tlines *out, int max)
{
	struct tline	*e;
	int64_t		 now = time(NULL);
	int		 i, n = 0;

	lines_lock(t);
	for (i = 0; i <= LINE_SLOTS && n < max; i++) {
		e = &t->hdr->line[i];
		if (e->addr[0] == '\0' || now - e->start < window ||
		    e->dropped == 0)
			continue;
		(void)strlcpy(out[n].addr, e->addr, sizeof(out[n].addr));
		out[n++].dropped = e->dropped;
		e->addr[0] = '\0';
	}
	lines_unlock(t);
	return n;
}

/*
 * Rooms.
 */

/* mems - the member array of room r */
static struct tmember *
mems(struct table *t, int r)
{
	return t->members + (size_t)r * PALD_ROOM_MEMBERS_MAX;
}

/* rcopy - the fields of room r; its lock held */
static void
rcopy(struct table *t, int r, struct troom *o)
{
	struct trec	*e = &t->recs[r];

	memset(o, 0, sizeof(*o));
	o->idx = r;
	o->rgen = atomic_load(&e->rgen);
	o->id = e->id;
	o->category = e->category;
	o->owner = e->owner;
	o->flags = e->flags;
	o->rating = e->rating;
	memcpy(o->name, e->name, sizeof(o->name));
	memcpy(o->topic, e->topic, sizeof(o->topic));
	memcpy(o->lockword, e->lockword, sizeof(o->lockword));
	o->name[sizeof(o->name) - 1] = '\0';
	o->topic[sizeof(o->topic) - 1] = '\0';
	o->lockword[sizeof(o->lockword) - 1] = '\0';
	o->topicby = e->topicby;
	o->mike = e->mike;
	o->text = e->text;
	o->video = e->video;
	o->allmics = e->allmics;
	o->nmembers = (int)atomic_load(&e->nmembers);
	o->speaker = atomic_load(&e->speaker);
	o->created = e->created;
}

/* rfind - the index of the active room id, or -1; LK_ROOMS held */
static int
rfind(struct table *t, uint32_t id)
{
	int	 r;

	for (r = 0; r < PALD_TROOMS; r++)
		if (atomic_load(&t->recs[r].state) != 0 && t->recs[r].id == id)
			return r;
	return -1;
}

/* ralloc - activate a record from tmpl; LK_ROOMS held; index or -1 */
static int
ralloc(struct table *t, const struct troom *tmpl)
{
	struct trec	*e;
	uint32_t	 id = tmpl->id;
	int		 r, k;

	if (id == 0) {
		for (k = 0; k < TEMP_IDS; k++) {
			id = PALD_ROOM_TEMP_FIRST +
			    t->hdr->nextroom++ % TEMP_IDS;
			if (rfind(t, id) == -1)
				break;
		}
		if (k == TEMP_IDS)
			return -1;
	}
	for (r = 0; r < PALD_TROOMS; r++)
		if (atomic_load(&t->recs[r].state) == 0)
			break;
	if (r == PALD_TROOMS)
		return -1;
	e = &t->recs[r];
	room_lock(t, r);
	e->id = id;
	e->category = tmpl->category;
	e->owner = tmpl->owner;
	e->flags = tmpl->flags;
	e->rating = tmpl->rating;
	(void)strlcpy(e->name, tmpl->name, sizeof(e->name));
	(void)strlcpy(e->topic, tmpl->topic, sizeof(e->topic));
	(void)strlcpy(e->lockword, tmpl->lockword, sizeof(e->lockword));
	e->topicby = tmpl->topicby;
	e->mike = tmpl->mike;
	e->text = tmpl->text;
	e->video = tmpl->video;
	e->allmics = tmpl->allmics;
	e->handseq = 0;
	e->created = tmpl->created ? tmpl->created : time(NULL);
	atomic_store(&e->nmembers, 0);
	atomic_store(&e->speaker, 0);
	atomic_store(&e->rgen, atomic_fetch_add(&t->hdr->rgen, 1) + 1);
	atomic_store(&e->state, 1);
	room_unlock(t, r);
	return r;
}

/* mfind - the position of (slot, gen) in room r, or -1; its lock held */
static int
mfind(struct table *t, int r, int slot, uint32_t gen)
{
	struct tmember	*m = mems(t, r);
	int		 i, n = (int)atomic_load(&t->recs[r].nmembers);

	for (i = 0; i < n; i++)
		if (m[i].slot == slot && m[i].gen == gen)
			return i;
	return -1;
}

/* live - is room r active with generation rgen (0: any)? its lock held */
static int
live(struct table *t, int r, uint32_t rgen)
{
	return r >= 0 && r < PALD_TROOMS &&
	    atomic_load(&t->recs[r].state) != 0 &&
	    (rgen == 0 || atomic_load(&t->recs[r].rgen) == rgen);
}

/*
 * stale - our slot's room entry k names a room we are no longer in
 * (bounced, closed, or freed and activated again); it is cleared.
 */
static int
stale(struct table *t, int k)
{
	struct tslot	*s = &t->slots[t->myslot];
	uint32_t	 v = atomic_load(&s->rooms[k]);
	int		 r = (int)v - 1, in;

	if (v == 0 || r >= PALD_TROOMS)
		return 1;
	room_lock(t, r);
	in = live(t, r, atomic_load(&s->rgens[k])) &&
	    mfind(t, r, t->myslot, atomic_load(&s->gen)) != -1;
	room_unlock(t, r);
	if (!in)
		atomic_store(&s->rooms[k], 0);
	return !in;
}

int
room_join(struct table *t, const struct troom *tmpl, uint32_t mflags,
    int limit, struct troom *out)
{
	struct tslot	*s;
	struct tmember	*m;
	struct trec	*e;
	int		 r, k, n, fresh = 0, res = TR_OK;

	if (t->myslot == -1)
		return TR_GONE;
	s = &t->slots[t->myslot];
	for (k = 0; k < PALD_JOINS_MAX; k++)
		if (atomic_load(&s->rooms[k]) == 0 || stale(t, k))
			break;
	if (k == PALD_JOINS_MAX)
		return TR_TOOMANY;
	if (limit <= 0 || limit > PALD_ROOM_MEMBERS_MAX)
		limit = PALD_ROOM_MEMBERS_MAX;
	rooms_lock(t);
	r = tmpl->id != 0 ? rfind(t, tmpl->id) : -1;
	if (r == -1) {
		if ((r = ralloc(t, tmpl)) == -1) {
			rooms_unlock(t);
			return TR_NOSPACE;
		}
		fresh = 1;
	}
	e = &t->recs[r];
	room_lock(t, r);
	n = (int)atomic_load(&e->nmembers);
	if (mfind(t, r, t->myslot, atomic_load(&s->gen)) != -1)
		res = TR_ALREADY;
	else if (n >= limit)
		res = TR_FULL;
	if (res == TR_OK) {
		m = &mems(t, r)[n];
		memset(m, 0, sizeof(*m));
		m->slot = t->myslot;
		m->gen = atomic_load(&s->gen);
		m->uid = atomic_load(&s->uid);
		m->flags = mflags;
		m->joined = time(NULL);
		memcpy(m->nick, s->nick, sizeof(m->nick));
		atomic_store(&e->nmembers, (uint32_t)n + 1);
		atomic_store(&s->rgens[k], atomic_load(&e->rgen));
		atomic_store(&s->rooms[k], (uint32_t)r + 1);
	} else if (fresh)
		atomic_store(&e->state, 0);
	if (out != NULL)
		rcopy(t, r, out);
	room_unlock(t, r);
	rooms_unlock(t);
	return res;
}

int
room_drop(struct table *t, int r, int slot, uint32_t gen, struct troom *out,
    int *empty)
{
	struct trec	*e;
	struct tmember	*m;
	int		 i, n;

	*empty = 0;
	if (r < 0 || r >= PALD_TROOMS)
		return TR_GONE;
	e = &t->recs[r];
	rooms_lock(t);
	room_lock(t, r);
	if (!live(t, r, 0)) {
		room_unlock(t, r);
		rooms_unlock(t);
		return TR_GONE;
	}
	if ((i = mfind(t, r, slot, gen)) == -1) {
		room_unlock(t, r);
		rooms_unlock(t);
		return TR_NOTIN;
	}
	m = mems(t, r);
	if (atomic_load(&e->speaker) == m[i].uid)
		atomic_store(&e->speaker, 0);
	n = (int)atomic_load(&e->nmembers);
	memmove(&m[i], &m[i + 1], sizeof(*m) * (size_t)(n - i - 1));
	atomic_store(&e->nmembers, (uint32_t)n - 1);
	if (out != NULL)
		rcopy(t, r, out);
	if (n == 1) {
		atomic_store(&e->state, 0);
		*empty = 1;
	}
	room_unlock(t, r);
	rooms_unlock(t);
	return TR_OK;
}

int
room_leave(struct table *t, int r, uint32_t rgen, struct troom *out,
    int *empty)
{
	struct tslot	*s;
	int		 k, res;

	*empty = 0;
	if (t->myslot == -1)
		return TR_GONE;
	s = &t->slots[t->myslot];
	for (k = 0; k < PALD_JOINS_MAX; k++)
		if (atomic_load(&s->rooms[k]) == (uint32_t)r + 1 &&
		    atomic_load(&s->rgens[k]) == rgen)
			break;
	if (k == PALD_JOINS_MAX)
		return TR_NOTIN;
	atomic_store(&s->rooms[k], 0);
	res = room_drop(t, r, t->myslot, atomic_load(&s->gen), out, empty);
	/* a room that was freed and activated again is not ours */
	if (res == TR_OK && out->rgen != rgen)
		return TR_GONE;
	return res;
}

/* room_hold - room r of generation rgen, locked; NULL (unlocked) if gone */
static struct trec *
room_hold(struct table *t, int r, uint32_t rgen)
{
	if (r < 0 || r >= PALD_TROOMS)
		return NULL;
	room_lock(t, r);
	if (!live(t, r, rgen)) {
		room_unlock(t, r);
		return NULL;
	}
	return &t->recs[r];
}

int
room_get(struct table *t, int r, uint32_t rgen, struct troom *out)
{
	if (room_hold(t, r, rgen) == NULL)
		return -1;
	rcopy(t, r, out);
	room_unlock(t, r);
	return 0;
}

int
room_find(struct table *t, uint32_t id, struct troom *out)
{
	int	 r;

	for (r = 0; r < PALD_TROOMS; r++)
		if (atomic_load(&t->recs[r].state) != 0 &&
		    t->recs[r].id == id && room_get(t, r, 0, out) == 0 &&
		    out->id == id)
			return 0;
	return -1;
}

int
room_members(struct table *t, int r, uint32_t rgen, struct tmember *out,
    int max)
{
	int	 n;

	if (room_hold(t, r, rgen) == NULL)
		return -1;
	n = (int)atomic_load(&t->recs[r].nmembers);
	if (n > max)
		n = max;
	memcpy(out, mems(t, r), sizeof(*out) * (size_t)n);
	room_unlock(t, r);
	return n;
}

int
room_member(struct table *t, int r, uint32_t rgen, uint32_t uid,
    struct tmember *out)
{
	struct tmember	*m;
	int		 i, n, res = -1;

	if (room_hold(t, r, rgen) == NULL)
		return -1;
	m = mems(t, r);
	n = (int)atomic_load(&t->recs[r].nmembers);
	for (i = 0; i < n; i++)
		if (m[i].uid == uid) {
			*out = m[i];
			res = 0;
			break;
		}
	room_unlock(t, r);
	return res;
}

int
room_list(struct table *t, void (*cb)(void *, const struct troom *),
    void *arg)
{
	struct troom	 tr;
	int		 r, n = 0;

	for (r = 0; r < PALD_TROOMS; r++) {
		if (atomic_load(&t->recs[r].state) == 0 ||
		    room_get(t, r, 0, &tr) == -1)
			continue;
		cb(arg, &tr);
		n++;
	}
	return n;
}

int
room_send(struct table *t, int r, uint32_t rgen, int except, int kind,
    const void *p, size_t len)
{
	struct {
		int		 slot;
		uint32_t	 gen;
	}		 dst[PALD_ROOM_MEMBERS_MAX];
	struct tmember	*m;
	int		 i, n, sent = 0;

	if (room_hold(t, r, rgen) == NULL)
		return -1;
	m = mems(t, r);
	n = (int)atomic_load(&t->recs[r].nmembers);
	for (i = 0; i < n; i++) {
		dst[i].slot = m[i].slot;
		dst[i].gen = m[i].gen;
	}
	room_unlock(t, r);
	for (i = 0; i < n; i++)
		if (dst[i].slot != except &&
		    table_send(t, dst[i].slot, dst[i].gen, kind, p, len) == 0)
			sent++;
	return sent;
}

int
room_mflags(struct table *t, int r, uint32_t rgen, uint32_t uid,
    uint32_t set, uint32_t clear)
{
	struct trec	*e;
	struct tmember	*m;
	int		 i, n, changed = 0;
	uint32_t	 f;

	if ((e = room_hold(t, r, rgen)) == NULL)
		return -1;
	m = mems(t, r);
	n = (int)atomic_load(&e->nmembers);
	for (i = 0; i < n; i++) {
		if (uid == 0xffffffffu ? (m[i].flags & TMF_ADMIN) != 0 :
		    m[i].uid != uid)
			continue;
		f = (m[i].flags | set) & ~clear;
		if ((set & TMF_HAND) && !(m[i].flags & TMF_HAND))
			m[i].handseq = ++e->handseq;
		if (f != m[i].flags)
			changed++;
		m[i].flags = f;
	}
	room_unlock(t, r);
	return changed;
}

int
room_drop_speaker(struct table *t, int r, uint32_t rgen, uint32_t uid)
{
	struct trec	*e;
	uint32_t	 cur;
	int		 taken;

	if ((e = room_hold(t, r, rgen)) == NULL)
		return -1;
	cur = atomic_load(&e->speaker);
	taken = cur != 0 && (uid == 0xffffffffU || cur == uid) &&
	    atomic_compare_exchange_strong(&e->speaker, &cur, 0);
	room_unlock(t, r);
	return taken ? 1 : 0;
}

int
room_update(struct table *t, int r, uint32_t rgen, const struct troom *v,
    int what)
{
	struct trec	*e;

	if ((e = room_hold(t, r, rgen)) == NULL)
		return -1;
	if (what & RU_TOPIC) {
		(void)strlcpy(e->topic, v->topic, sizeof(e->topic));
		e->topicby = v->topicby;
	}
	if (what & RU_OPTS) {
		e->mike = v->mike;
		e->text = v->text;
		e->video = v->video;
		e->allmics = v->allmics;
	}
	if (what & RU_FLAGS)
		e->flags = v->flags;
	if (what & RU_SPEAKER)
		atomic_store(&e->speaker, v->speaker);
	room_unlock(t, r);
	return 0;
}

int
room_myrooms(struct table *t, int *idx, uint32_t *rgen)
{
	struct tslot	*s;
	uint32_t	 v;
	int		 k, n = 0;

	if (t->myslot == -1)
		return 0;
	s = &t->slots[t->myslot];
	for (k = 0; k < PALD_JOINS_MAX; k++) {
		if ((v = atomic_load(&s->rooms[k])) == 0)
			continue;
		idx[n] = (int)v - 1;
		rgen[n] = atomic_load(&s->rgens[k]);
		n++;
	}
	return n;
}

/*
 * Voice endpoints over UDP (table.h).  Written under the table lock by
 * the owning session; the voice child copies them out four times a
 * second and checks each against the session and the room itself.
 */
int
table_vep(struct table *t, uint32_t room, const char *addr, uint16_t port,
    int mode, int ttl)
{
	struct tslot	*s;
	struct tvep	*v, *fr = NULL;
	uint32_t	 gen;
	int64_t		 now = time(NULL);
	int		 i;

	if (t->myslot == -1 || strlen(addr) >= sizeof(v->addr))
		return -1;
	s = &t->slots[t->myslot];
	gen = atomic_load(&s->gen);
	table_lock(t);
	for (i = 0; i < TABLE_VEPS; i++) {
		v = &t->veps[i];
		if (v->mode != 0 && v->slot == t->myslot && v->gen == gen &&
		    v->room == room)
			break;
		/* free, or left by a session that is gone or expired */
		if (fr == NULL && (v->mode == 0 || v->expires <= now ||
		    atomic_load(&t->slots[v->slot].gen) != v->gen ||
		    atomic_load(&t->slots[v->slot].state) == 0))
			fr = v;
	}
	if (i == TABLE_VEPS)
		v = mode != 0 ? fr : NULL;
	if (v != NULL) {
		memset(v, 0, sizeof(*v));
		if (mode != 0) {
			v->room = room;
			v->uid = atomic_load(&s->uid);
			v->slot = t->myslot;
			v->gen = gen;
			v->mode = mode;
			(void)strlcpy(v->addr, addr, sizeof(v->addr));
			v->port = port;
			v->expires = now + ttl;
		}
	}
	table_unlock(t);
	return v != NULL || mode == 0 ? 0 : -1;
}

int
table_veps(struct table *t, struct tvep *out, int max)
{
	int64_t		 now = time(NULL);
	int		 i, n = 0;

	table_lock(t);
	for (i = 0; i < TABLE_VEPS && n < max; i++) {
		if (t->veps[i].mode == 0 || t->veps[i].expires <= now)
			continue;
		out[n] = t->veps[i];
		out[n].addr[sizeof(out[n].addr) - 1] = '\0';
		n++;
	}
	table_unlock(t);
	return n;
}

/*
 * Person-to-person entries (table.h).  Each is written by its owner
 * under the p2p lock; an entry whose owner's slot is free or has a newer
 * generation is free too, so a dead session's entries need no sweep.
 */
#define p2p_lock(t)		lk((t), LK_P2P)
#define p2p_unlock(t)		unlk((t), LK_P2P)

/* p2p_live - entry e in use by a session that still holds its slot */
static int
p2p_live(struct table *t, const struct tp2p *e)
{
	return e->kind != 0 && e->slot >= 0 && e->slot < PALD_MAX_SESSIONS &&
	    atomic_load(&t->slots[e->slot].state) != 0 &&
	    atomic_load(&t->slots[e->slot].gen) == e->gen;
}

int
table_p2p_put(struct table *t, const struct tp2p *e, int base)
{
	struct tslot	*s;
	struct tp2p	*v, *fr = NULL, e2;
	uint32_t	 gen;
	int		 i, views;

	if (t->myslot == -1 || e->kind == 0)
		return -1;
	s = &t->slots[t->myslot];
	gen = atomic_load(&s->gen);
	p2p_lock(t);
	for (i = views = 0; i < TABLE_P2P; i++) {
		v = &t->p2p[i];
		if (v->kind == e->kind && v->slot == t->myslot &&
		    v->gen == gen) {
			/* a session views several cameras, one entry each */
			if (e->kind != TP_RVIEW || (v->peer == e->peer &&
			    v->room == e->room))
				break;
			views++;
		}
		if (fr == NULL && !p2p_live(t, v))
			fr = v;
	}
	if (i == TABLE_P2P && views >= TABLE_VIEWS)
		fr = NULL;
	if (i == TABLE_P2P && (v = fr) != NULL)
		v->serial = atomic_fetch_add(&t->hdr->p2pserial, 1) + 1;
	if (v != NULL) {
		e2 = *e;
		e2.serial = v->serial;
		*v = e2;
		v->idx = (int)(v - t->p2p);
		v->uid = atomic_load(&s->uid);
		v->slot = t->myslot;
		v->gen = gen;
		if (base != 0)
			v->rport = (uint16_t)(base + 2 * v->idx);
	}
	p2p_unlock(t);
	return v != NULL ? (int)(v - t->p2p) : -1;
}

void
table_p2p_drop(struct table *t, int kind)
{
	table_p2p_drop_in(t, kind, 0, 0);
}

void
table_p2p_drop_in(struct table *t, int kind, uint32_t room, uint32_t peer)
{
	struct tp2p	*v;
	uint32_t	 gen;
	int		 i;

	if (t->myslot == -1)
		return;
	gen = atomic_load(&t->slots[t->myslot].gen);
	p2p_lock(t);
	for (i = 0; i < TABLE_P2P; i++) {
		v = &t->p2p[i];
		if (v->kind == kind && v->slot == t->myslot && v->gen == gen &&
		    (room == 0 || v->room == room) &&
		    (peer == 0 || v->peer == peer))
			memset(v, 0, sizeof(*v));
	}
	p2p_unlock(t);
}

int
table_p2p_get(struct table *t, int slot, uint32_t gen, int kind,
    struct tp2p *out)
{
	int	 i, r = -1;

	p2p_lock(t);
	for (i = 0; i < TABLE_P2P; i++)
		if (t->p2p[i].kind == kind && t->p2p[i].slot == slot &&
		    t->p2p[i].gen == gen && p2p_live(t, &t->p2p[i])) {
			*out = t->p2p[i];
			r = 0;
			break;
		}
	p2p_unlock(t);
	return r;
}

int
table_p2ps(struct table *t, struct tp2p *out, int max)
{
	int	 i, n = 0;

	p2p_lock(t);
	for (i = 0; i < TABLE_P2P && n < max; i++)
		if (p2p_live(t, &t->p2p[i]))
			out[n++] = t->p2p[i];
	p2p_unlock(t);
	return n;
}

/* table_shutdown_set - a pending shutdown at time at (0: none) */
void
table_shutdown_set(struct table *t, int64_t at, const char *text)
{
	table_lock(t);
	t->hdr->shut_at = at;
	(void)strlcpy(t->hdr->shut_text, text, sizeof(t->hdr->shut_text));
	table_unlock(t);
}

/* table_shutdown - the pending shutdown's time (0: none) and text */
int64_t
table_shutdown(struct table *t, char *text, size_t size)
{
	int64_t	 at;

	table_lock(t);
	at = t->hdr->shut_at;
	(void)strlcpy(text, t->hdr->shut_text, size);
	table_unlock(t);
	return at;
}
