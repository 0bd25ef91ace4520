/*
 * pald.c - the Paltalk 5.0 server: options, start-up and the master.
 *
 * NAME
 *	pald - fork-per-connection chat server
 * DESCRIPTION
 *	The master binds the listening socket, drops privileges, maps the
 *	shared table, takes the data home's lock exclusive (it waits a
 *	bounded time for the processes of an instance before it to leave
 *	the store, and refuses to go on while any has it open) and recovers
 *	the Berkeley DB environment (in a child of its own) before any other
 *	child exists; then it keeps the lock shared, binds the store socket
 *	and forks the store keeper (keeper.c), the store processes
 *	(storesrv.c) and the voice child, and keeps a pool of session
 *	children to which it hands the connections it accepts.  A session
 *	child never touches Berkeley DB: its store calls are requests to
 *	the store processes, so its death, at any moment, costs nobody else
 *	anything.  The master reaps children, tells the keeper about each
 *	abnormal end (failchk after a store process, the sweep of dead slots
 *	after any), restarts the keeper, the store processes and the voice
 *	child, and throttles when forks fail or descriptors run out.  The
 *	master itself never calls Berkeley DB while another process uses
 *	the environment: when the keeper wedges or says that the store needs
 *	recovery, it stops the keeper and the store processes, the only
 *	processes with the store open, recovers it in place and starts them
 *	again (recover_in_place), while the sessions' requests wait.  The
 *	keeper and the store processes hold the read end of a pipe whose
 *	write end only the master has (the lifeline), the session children
 *	their socketpair: the end of file tells them that the master is
 *	gone.  What a child does with a connection, and what pald -i does
 *	with the one connection on descriptor 0, is child.c's.
 *
 *	Signals only set flags (and, in the master, write a byte to a
 *	self-pipe); the poll loops act on them.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <libutil.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "child.h"
#include "keeper.h"
#include "log.h"
#include "lograte.h"
#include "pald.h"
#include "pathnames.h"
#include "proc.h"
#include "proto/wire.h"
#include "store/db.h"
#include "store/table.h"
#include "storesrv.h"
#include "voice.h"

#define TERM_WAIT	5	/* seconds children get to finish */
#define PAUSE_SECS	1	/* accept pause after EMFILE or fork failure */
#define SPAWN_RATE_MAX	32	/* spares forked in one second, at most */
#define KID_FD_BASE	64	/* the socketpairs' master ends: here and up */
#define KID_SLOTS	(PALD_MAX_SESSIONS + 2 * PALD_POOL_MAX)
#define PID_HASH	4096
#define ADDR_HASH	4096
#define HASH_BYTES	((PID_HASH + ADDR_HASH + KID_SLOTS) * sizeof(int))
#define SEEN_BYTES	(REFUSE_KEYS * sizeof(struct refkey))
#define REFUSE_LOG	60	/* seconds between log lines of one refusal */
#define REFUSE_KEYS	64	/* refusals remembered for that */
#define STORE_RESTART	1	/* seconds between restarts of a store process */
#define STORE_STOP	5	/* seconds store processes get at shutdown */
#define GONE_SESSION	1	/* child_gone: a session ended abnormally */
#define GONE_STORE	2	/* a store process did */

/*
 * The session processes, in a table of fixed slots (a status record
 * names its slot; nothing moves), found by pid through a hash, the
 * idle ones on a queue (newest at the tail: the one handed the next
 * connection; oldest at the head: the one the pool ends first).
 */
#define K_FREE		0	/* slot unused */
#define K_START		1	/* forked, not ready yet */
#define K_IDLE		2	/* in the pool */
#define K_BUSY		3	/* serving a connection, not logged in */
#define K_ONLINE	4	/* serving a logged-in client */
#define K_GOING		5	/* ended or ending, not reaped yet */

struct kid {
	pid_t		 pid;
	int		 fd;		/* our end of its socketpair, or -1 */
	int		 state;		/* K_* */
	int		 addr;		/* its client's entry in addrs, or -1 */
	int		 hnext;		/* the pid hash's chain */
	int32_t		 handed;	/* connections handed to it */
	time_t		 since;		/* in the pool since */
	TAILQ_ENTRY(kid) idle;
};
TAILQ_HEAD(kidq, kid);

/* Connections per client address: all of them, and those not logged in. */
struct addrent {
	char		 addr[48];
	int		 conns;
	int		 pre;
	int		 hnext;		/* hash chain, or the free list */
};

static volatile sig_atomic_t got_term, got_hup, got_chld;
static int		 selfpipe[2] = { -1, -1 };
static struct pald_conf	 conf;
static const char	*conffile;
static struct kid	*kids;		/* KID_SLOTS */
static int		*kidfree;	/* free slots, a stack */
static int		 nkidfree;
static int		 kidhi;		/* no slot at or above it was used */
static int		*pidhash;	/* PID_HASH, then addrhash: hashes */
static struct kidq	 idleq = TAILQ_HEAD_INITIALIZER(idleq);
static int		 nkids, nstart, nidle, nbusy, npre;
static uint64_t		 nforks, nreuses, nrefused;
static int		 spawnrate = 1;	/* spares per second, doubling */
static time_t		 spawnpause;	/* no fork before (throttle) */
static struct addrent	*addrs;		/* KID_SLOTS */
static int		*addrhash;	/* ADDR_HASH */
static int		 addrfree = -1;
static struct refkey {
	char	 key[64];
	time_t	 at;
}			*seen;		/* REFUSE_KEYS refusals (refuse) */
static int		 statfd[2] = { -1, -1 };	/* the status pipe */
static struct table	*tab;
static int		 listenfd = -1;
static int		 voicefd = -1;	/* the voice port, kept for restarts */
static int		 voiceufd = -1;	/* and its UDP twin, for RTP tools */
static int		 videofd = -1;	/* the room video port */
static pid_t		 voicepid = -1;
static time_t		 voicenext;	/* no restart before (throttle) */
static pid_t		 keeperpid = -1;
static int		 keepercmd = -1;	/* KC_* to the keeper */
static int		 keeperhb = -1;	/* its heartbeat */
static time_t		 keeperseen;	/* last heartbeat (or spawn) */
static time_t		 keepernext;	/* no restart before (throttle) */
static int		 keeperbad;	/* it asked for recovery */
static time_t		 failchk_at;	/* the oldest failchk not done asked */
static int		 failchks;	/* failchks asked for, not done */
static int		 store_bad;	/* a store user died in shutdown_all */
static int		 shutting;	/* in shutdown_all */
static int		 killing;	/* shutdown_all's SIGKILLs are out */
static int		 nkilled;	/* children they ended */
static pid_t		 sprocs[PALD_STORE_PROCS_MAX]; /* store processes */
static time_t		 sprocnext[PALD_STORE_PROCS_MAX]; /* throttle */
static int		 storefd = -1;	/* the store socket, kept for life */
static int		 lockfd = -1;	/* the data home's lock, held shared */
static int		 life[2] = { -1, -1 }; /* EOF at the master's death */

static __dead void	 usage(void);
static int		 bound_port(int);
static void		 video_bind(void);
static void		 recover_store(void);
static const char	*store_path(void);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: pald [-dinRVv] [-f file] [-h dbhome] "
	    "[-l address] [-P pidfile] [-p port]\n"
	    "            [-r rundir] [-u user] [-W portfile] "
	    "[-w voiceportfile]\n");
	exit(1);
}

static void
on_signal(int sig)
{
	int	 saved = errno;
	char	 b = (char)sig;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		got_term = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGCHLD:
		got_chld = 1;
		break;
	}
	if (selfpipe[1] != -1)
		(void)write(selfpipe[1], &b, 1);
	errno = saved;
}

/* signals_init - the master's: flags only (proc.c), SIGCHLD too */
static void
signals_init(void)
{
	proc_signals(on_signal);
	proc_signal(SIGCHLD, on_signal);
}

/* keeper_pipes_close - the master's ends of the keeper's two pipes */
static void
keeper_pipes_close(void)
{
	if (keepercmd != -1)
		(void)close(keepercmd);
	if (keeperhb != -1)
		(void)close(keeperhb);
	keepercmd = keeperhb = -1;
}

/*
 * close_master - a new child closes the master's listener, pipes and
 * lock (fcntl locks are a process's own: it could not keep it), and the
 * store socket and the lifeline unless it is a store process (store:
 * the socket and the lifeline's read end stay) or the keeper (life: the
 * lifeline's read end stays)
 */
static void
close_master(int store, int life_kept)
{
	(void)close(listenfd);
	(void)close(selfpipe[0]);
	(void)close(selfpipe[1]);
	selfpipe[0] = selfpipe[1] = -1;
	keeper_pipes_close();
	if (lockfd != -1)
		(void)close(lockfd);
	if (life[1] != -1)
		(void)close(life[1]);
	if (!store && !life_kept && life[0] != -1)
		(void)close(life[0]);
	if (!store && storefd != -1)
		(void)close(storefd);
	/* our ends of the pool's socketpairs: a child's end-of-file is ours */
	closefrom(KID_FD_BASE);
	if (statfd[0] != -1)
		(void)close(statfd[0]);
	statfd[0] = -1;
}

/*
 * close_inherited - a session child, the keeper or a store process
 * (close_master's store and life_kept): close_master, the
 * voice ports, and the master's tables of children and addresses (each
 * page of them the master writes after the fork would become the
 * child's own)
 */
static void
close_inherited(int store, int life_kept)
{
	close_master(store, life_kept);
	if (voicefd != -1)
		(void)close(voicefd);
	if (voiceufd != -1)
		(void)close(voiceufd);
	if (videofd != -1)
		(void)close(videofd);
	free(kids);
	free(addrs);
	if (pidhash != NULL)
		(void)munmap(pidhash, HASH_BYTES);
	if (seen != NULL)
		(void)munmap(seen, SEEN_BYTES);
	seen = NULL;
	pidhash = addrhash = NULL;
	kids = NULL;
	kidfree = NULL;
	addrs = NULL;
}

/*
 * orphan_signal - sig at the master's death (Linux), and at once if it
 * died already; the other systems see the lifeline's end of file, or
 * the parent change (the voice child, every 250 ms)
 */
static void
orphan_signal(int sig)
{
#ifdef PR_SET_PDEATHSIG
	(void)prctl(PR_SET_PDEATHSIG, sig);
#endif
	if (getppid() != pald_master)
		(void)kill(getpid(), sig);
}

/*
 * voice_spawn - fork the voice child on the voice port bound at start.
 * It has no BDB handle and no table slot; the master restarts it when it
 * dies, at most once per VOICE_RESTART seconds.
 */
static void
voice_spawn(void)
{
	pid_t	 pid;

	voicenext = time(NULL) + VOICE_RESTART;
	switch (pid = fork()) {
	case -1:
		log_warn("voice: fork");
		return;
	case 0:
		tab = table_forked(tab);
		close_master(0, 0);
		orphan_signal(SIGTERM);
		log_procname("pald-voice");
		setproctitle("voice");
		voice_main(voicefd, voiceufd, videofd, tab, &conf, conffile,
		    getppid());
		/* NOTREACHED */
	}
	voicepid = pid;
	log_debug("voice child %ld", (long)pid);
}

/*
 * keeper_signals - the keeper and the store processes hear only the
 * master's pipes and SIGKILL
 */
static void
keeper_signals(void)
{
	proc_signals(SIG_IGN);
	proc_signal(SIGCHLD, SIG_DFL);
}

/* keeper_gone - the keeper is dead and reaped: close its pipes */
static void
keeper_gone(void)
{
	keeper_pipes_close();
	keeperpid = -1;
}

/*
 * keeper_spawn - fork the store keeper (keeper.c) with its two pipes,
 * commands to it and heartbeats from it, non-blocking at both ends.  The
 * master restarts it when it dies, at most once per KEEPER_RESTART
 * seconds.
 */
static void
keeper_spawn(void)
{
	static int	 started;
	int		 cp[2], hp[2];
	pid_t		 pid;

	keepernext = time(NULL) + KEEPER_RESTART;
	if (pipe2(cp, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("store keeper: pipe");
		return;
	}
	if (pipe2(hp, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("store keeper: pipe");
		(void)close(cp[0]);
		(void)close(cp[1]);
		return;
	}
	switch (pid = fork()) {
	case -1:
		log_warn("store keeper: fork");
		(void)close(cp[0]);
		(void)close(cp[1]);
		(void)close(hp[0]);
		(void)close(hp[1]);
		return;
	case 0:
		(void)close(cp[1]);
		(void)close(hp[0]);
		tab = table_forked(tab);
		close_inherited(0, 0);
		keeper_signals();
		log_procname("pald-keeper");
		setproctitle("keeper");
		keeper_main(cp[0], hp[1], tab, &conf);
		/* NOTREACHED */
	}
	(void)close(cp[0]);
	(void)close(hp[1]);
	keeperpid = pid;
	keepercmd = cp[1];
	keeperhb = hp[0];
	keeperseen = failchk_at = time(NULL);	/* its first failchk */
	failchks = 1;
	if (started++)
		log_info("store keeper restarted, pid %ld", (long)pid);
	else
		log_debug("store keeper %ld", (long)pid);
}

/*
 * keeper_tell - one command to the keeper; never waits (a full pipe
 * means a keeper stuck already, which its silence will show)
 */
static void
keeper_tell(char c)
{
	if (keepercmd != -1)
		(void)write(keepercmd, &c, 1);
}

/*
 * store_spawn - fork store process i (storesrv.c) on the store socket;
 * it stops at the end of file on the lifeline, the master's close at
 * shutdown or its death.  Restarted at most once per STORE_RESTART.
 */
static void
store_spawn(int i)
{
	pid_t	 pid;

	sprocnext[i] = time(NULL) + STORE_RESTART;
	switch (pid = fork()) {
	case -1:
		log_warn("store process: fork");
		return;
	case 0:
		close_inherited(1, 1);
		keeper_signals();
		log_procname("pald-store");
		setproctitle("store");
		storesrv_main(storefd, life[0], conf.dbhome);
		/* NOTREACHED */
	}
	sprocs[i] = pid;
	log_debug("store process %ld", (long)pid);
}

/* stores_watch - start the store processes that are missing */
static void
stores_watch(time_t now)
{
	int	 i;

	for (i = 0; i < conf.store_procs; i++)
		if (sprocs[i] == -1 && now >= sprocnext[i] && !keeperbad)
			store_spawn(i);
}

/* stores_kill - SIGKILL every store process and reap it */
static void
stores_kill(void)
{
	int	 i, st;

	for (i = 0; i < conf.store_procs; i++)
		if (sprocs[i] != -1)
			(void)kill(sprocs[i], SIGKILL);
	for (i = 0; i < conf.store_procs; i++) {
		if (sprocs[i] == -1)
			continue;
		while (waitpid(sprocs[i], &st, 0) == -1 && errno == EINTR)
			;
		sprocs[i] = -1;
		sprocnext[i] = 0;
	}
}

/* pid_slot - the slot of a session process, or -1 */
static int
pid_slot(pid_t pid)
{
	int	 i;

	for (i = pidhash[pid % PID_HASH]; i != -1; i = kids[i].hnext)
		if (kids[i].pid == pid)
			return i;
	return -1;
}

/* addr_hash - a client address's bucket */
static unsigned
addr_hash(const char *addr)
{
	unsigned	 h = 5381;

	while (*addr != '\0')
		h = h * 33 + (unsigned char)*addr++;
	return h % ADDR_HASH;
}

/* addr_get - the entry of addr, made when missing; -1 if none is free */
static int
addr_get(const char *addr)
{
	unsigned	 h = addr_hash(addr);
	int		 i;

	for (i = addrhash[h]; i != -1; i = addrs[i].hnext)
		if (strcmp(addrs[i].addr, addr) == 0)
			return i;
	if ((i = addrfree) == -1)
		return -1;
	addrfree = addrs[i].hnext;
	(void)strlcpy(addrs[i].addr, addr, sizeof(addrs[i].addr));
	addrs[i].conns = addrs[i].pre = 0;
	addrs[i].hnext = addrhash[h];
	addrhash[h] = i;
	return i;
}

/* addr_put - an entry no connection uses any more goes back */
static void
addr_put(int i)
{
	int	*pp;

	if (addrs[i].conns > 0)
		return;
	for (pp = &addrhash[addr_hash(addrs[i].addr)]; *pp != i;
	    pp = &addrs[*pp].hnext)
		;
	*pp = addrs[i].hnext;
	addrs[i].hnext = addrfree;
	addrfree = i;
}

/*
 * pool_publish - the pool's figures into the table, for /stats: at
 * every change (seven stores)
 */
static void
pool_publish(void)
{
	uint64_t	 v[TP_COUNT];

	v[TP_CHILDREN] = (uint64_t)nkids;
	v[TP_IDLE] = (uint64_t)nidle;
	v[TP_BUSY] = (uint64_t)nbusy;
	v[TP_PRELOGIN] = (uint64_t)npre;
	v[TP_FORKS] = nforks;
	v[TP_REUSES] = nreuses;
	v[TP_REFUSED] = nrefused;
	table_pool_put(tab, v);
}

/*
 * kid_state - move a session process to state st, keeping the counts:
 * the idle queue, busy and not-yet-logged-in connections, in all and
 * per address.  A connection's address is set (and counted in conns)
 * by its hand-over; it is let go when the connection ends.
 */
static void
kid_state(struct kid *k, int st)
{
	struct addrent	*a = k->addr != -1 ? &addrs[k->addr] : NULL;

	switch (k->state) {
	case K_START:
		nstart--;
		break;
	case K_IDLE:
		TAILQ_REMOVE(&idleq, k, idle);
		nidle--;
		break;
	case K_BUSY:
		npre--;
		if (a != NULL)
			a->pre--;
		/* FALLTHROUGH */
	case K_ONLINE:
		nbusy--;
		if (st != K_ONLINE && a != NULL) {
			a->conns--;
			addr_put(k->addr);
			k->addr = -1;
		}
		break;
	}
	switch (k->state = st) {
	case K_START:
		nstart++;
		break;
	case K_IDLE:
		TAILQ_INSERT_TAIL(&idleq, k, idle);
		k->since = time(NULL);
		nidle++;
		break;
	case K_BUSY:
		npre++;
		if (a != NULL)
			a->pre++;
		/* FALLTHROUGH */
	case K_ONLINE:
		nbusy++;
		break;
	}
	pool_publish();
}

/*
 * kid_end - end an idle child: our end of its socketpair closed is its
 * end-of-file, and it leaves the store and exits
 */
static void
kid_end(struct kid *k)
{
	kid_state(k, K_GOING);
	if (k->fd != -1)
		(void)close(k->fd);
	k->fd = -1;
}

/* kid_free - a reaped child's slot back to the free ones */
static void
kid_free(int i)
{
	struct kid	*k = &kids[i];
	int		*pp;

	kid_end(k);
	for (pp = &pidhash[k->pid % PID_HASH]; *pp != i; pp = &kids[*pp].hnext)
		;
	*pp = k->hnext;
	k->pid = 0;
	k->state = K_FREE;
	nkids--;
	pool_publish();
	kidfree[nkidfree++] = i;
}

/*
 * kid_spawn - fork a child into the pool, with a socketpair of its own;
 * its slot, or -1 (fork failed: spawning is throttled for PAUSE_SECS).
 * conn is a connection the master holds (-1: none), which the child
 * closes: it is handed over, not inherited.
 * Our end of the socketpair goes to KID_FD_BASE or above, where every
 * other process the master forks closes it with one closefrom: only we
 * hold it, so that the child sees end-of-file when we go.
 */
static int
kid_spawn(int conn)
{
	struct kid	*k;
	int		 sp[2], fd, i;
	pid_t		 pid;

	if (nkidfree == 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		log_warn("pool: socketpair");
		spawnpause = time(NULL) + PAUSE_SECS;
		return -1;
	}
	fd = fcntl(sp[0], F_DUPFD_CLOEXEC, KID_FD_BASE);
	(void)close(sp[0]);
	if (fd == -1) {
		log_warn("pool: socketpair");
		(void)close(sp[1]);
		spawnpause = time(NULL) + PAUSE_SECS;
		return -1;
	}
	i = kidfree[nkidfree - 1];
	switch (pid = fork()) {
	case -1:
		log_warn("pool: fork");
		(void)close(fd);
		(void)close(sp[1]);
		spawnpause = time(NULL) + PAUSE_SECS;
		spawnrate = 1;
		return -1;
	case 0:
		tab = table_forked(tab);
		if (conn != -1)
			(void)close(conn);
		fd = statfd[1];
		close_inherited(0, 0);
		child_pool(sp[1], fd, i, tab, &conf);
		/* NOTREACHED */
	}
	(void)close(sp[1]);
	nkidfree--;
	if (i >= kidhi)
		kidhi = i + 1;
	k = &kids[i];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	k->fd = fd;
	k->addr = -1;
	k->state = K_FREE;
	k->hnext = pidhash[pid % PID_HASH];
	pidhash[pid % PID_HASH] = i;
	nkids++;
	nforks++;
	kid_state(k, K_START);
	return i;
}

/*
 * hand - send connection fd to child k (SCM_RIGHTS, with its
 * addresses); -1 when the child is gone
 */
static int
hand(struct kid *k, int fd, const struct handover *h)
{
	return proc_sendfd(k->fd, fd, h, sizeof(*h));
}

/*
 * refuse - a connection over a cap: say why to the client, and log it
 * once in REFUSE_LOG seconds per kind and address (a few recent ones
 * are remembered, the oldest forgotten first)
 */
static void
refuse(int fd, const char *addr, const char *why, const char *logline)
{
	unsigned char	 b[256];
	char		 key[64];
	time_t		 now = time(NULL);
	size_t		 n;
	int		 i, old = 0;

	nrefused++;
	pool_publish();
	(void)snprintf(key, sizeof(key), "%s %s", addr, why);
	for (i = 0; i < REFUSE_KEYS; i++) {
		if (strcmp(seen[i].key, key) == 0)
			break;
		if (seen[i].at < seen[old].at)
			old = i;
	}
	if (i == REFUSE_KEYS || now - seen[i].at > REFUSE_LOG) {
		log_warnx("%s, refusing connections", logline);
		if (i == REFUSE_KEYS)
			i = old;
		(void)strlcpy(seen[i].key, key, sizeof(seen[i].key));
		seen[i].at = now;
	}
	n = wire_encode(b, sizeof(b), PT_SERVER_DISCONNECT, why, strlen(why));
	(void)write(fd, b, n);
	(void)close(fd);
}

#define TXT_FULL	"The server is full. Please try again later."
#define TXT_ADDR	"Too many connections from your address."
#define TXT_PRE		"Too many logins in progress from your address. " \
			"Please try again in a minute."

/*
 * take - an accepted connection: the caps checked here, in one place,
 * before any child sees it (connections per address, connections not
 * logged in yet per address and in all, sessions); then to the newest
 * idle child, or to one forked for it at once when none is idle.  -1
 * when a fork failed (the caller pauses accepting).
 */
static int
take(int fd, struct sockaddr_storage *peer)
{
	struct handover	 h;
	struct kid	*k;
	char		 addr[48], line[160];
	socklen_t	 len = sizeof(h.local);
	int		 a, i, tries = 0;

	memset(&h, 0, sizeof(h));
	if (getnameinfo((struct sockaddr *)peer,
	    peer->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6), addr, sizeof(addr), NULL, 0,
	    NI_NUMERICHOST) != 0)
		(void)strlcpy(addr, "unknown", sizeof(addr));
	if (nbusy >= conf.max_children || npre >= conf.max_prelogin ||
	    (a = addr_get(addr)) == -1) {
		(void)snprintf(line, sizeof(line), "server full: %d sessions "
		    "(max_sessions %d), %d not logged in (max_prelogin %d)",
		    nbusy, conf.max_children, npre, conf.max_prelogin);
		refuse(fd, "", TXT_FULL, line);
		return 0;
	}
	if (addrs[a].conns >= conf.max_per_addr) {
		(void)snprintf(line, sizeof(line), "[%s]: Too many connections "
		    "from your address (%d, max_per_address)", addr,
		    addrs[a].conns);
		refuse(fd, addr, TXT_ADDR, line);
		addr_put(a);
		return 0;
	}
	if (addrs[a].pre >= conf.max_prelogin_addr) {
		(void)snprintf(line, sizeof(line), "[%s]: %d connections not "
		    "logged in yet (max_prelogin_per_address)", addr,
		    addrs[a].pre);
		refuse(fd, addr, TXT_PRE, line);
		addr_put(a);
		return 0;
	}
	memcpy(&h.peer, peer, sizeof(*peer));
	if (getsockname(fd, (struct sockaddr *)&h.local, &len) == -1)
		memset(&h.local, 0, sizeof(h.local));
	for (;;) {
		if ((k = TAILQ_LAST(&idleq, kidq)) == NULL) {
			if ((i = kid_spawn(fd)) == -1) {
				(void)close(fd);
				addr_put(a);
				return -1;
			}
			k = &kids[i];
		}
		if (hand(k, fd, &h) == 0)
			break;
		kid_end(k);	/* dead, not reaped yet */
		if (++tries == 8) {
			log_warnx("[%s]: no child took the connection", addr);
			(void)close(fd);
			addr_put(a);
			return -1;
		}
	}
	(void)close(fd);
	if (k->handed++ > 0)
		nreuses++;
	k->addr = a;
	addrs[a].conns++;
	kid_state(k, K_BUSY);
	table_count(tab, TC_SESSION);
	log_debug("[%s]: connection, child %ld", addr, (long)k->pid);
	return 0;
}

/*
 * status_read - the children's records on the status pipe.  A record
 * names a slot and its pid (a record of a child reaped meanwhile, whose
 * slot may serve another, is dropped) and counts the sessions the child
 * had served when it wrote it: a "ready" written before the hand-over
 * we already made is stale.
 */
static void
status_read(void)
{
	struct pstatus	 ps[128];
	struct kid	*k;
	ssize_t		 n;
	int		 i;

	while ((n = read(statfd[0], ps, sizeof(ps))) > 0) {
		for (i = 0; i < n / (ssize_t)sizeof(ps[0]); i++) {
			if (ps[i].slot < 0 || ps[i].slot >= KID_SLOTS)
				continue;
			k = &kids[ps[i].slot];
			if (k->pid != ps[i].pid || k->state == K_FREE ||
			    k->state == K_GOING)
				continue;
			switch (ps[i].state) {
			case CS_READY:
				if (ps[i].served == k->handed)
					kid_state(k, K_IDLE);
				break;
			case CS_ONLINE:
				if (k->state == K_BUSY &&
				    ps[i].served == k->handed - 1)
					kid_state(k, K_ONLINE);
				break;
			case CS_GOING:
				kid_state(k, K_GOING);
				break;
			}
		}
	}
}

/*
 * pool_maintain - once a second, as Apache prefork's idle server
 * maintenance: below min_spare spares (idle, or forked and not ready
 * yet), fork spawnrate of them, doubling the rate (up to SPAWN_RATE_MAX)
 * while the shortage lasts and back to 1 after a second without; above
 * max_spare end the oldest idle child, one a second; an idle child
 * older than pool_idle_timeout ends too while more than min_spare are
 * idle.  Never above max_sessions + max_spare processes, and no fork
 * in the second after one failed.
 */
static void
pool_maintain(time_t now)
{
	struct kid	*k;
	int		 lo = conf.min_spare, hi = conf.max_spare, n;

	if (hi < lo)
		hi = lo;
	if (nidle + nstart < lo) {
		n = lo - nidle - nstart;
		if (n > spawnrate)
			n = spawnrate;
		while (n-- > 0 && now >= spawnpause &&
		    nkids < conf.max_children + hi)
			if (kid_spawn(-1) == -1)
				break;
		if (spawnrate < SPAWN_RATE_MAX)
			spawnrate *= 2;
	} else {
		spawnrate = 1;
		k = TAILQ_FIRST(&idleq);
		if (nidle > hi ||
		    (nidle > lo && k != NULL && now - k->since >= conf.pool_idle))
			kid_end(k);
	}
}

/* pool_init - the tables of children and addresses, all slots free */
static void
pool_init(void)
{
	int	 i;

	/*
	 * The hashes and the free slots' stack are a mapping of their
	 * own, not in the heap or the data segment, so that a child
	 * unmaps them: pages the master writes after a fork would
	 * otherwise stay in the child as its own copies (16-20 KiB more
	 * per held client, measured), and the stack's 72 KiB freed in a
	 * child was a hole in the middle of its heap, whose edges and
	 * whose reuse by the session were 3-4 pages of its own.
	 */
	if ((pidhash = mmap(NULL, HASH_BYTES, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		fatal("mmap");
	addrhash = pidhash + PID_HASH;
	kidfree = addrhash + ADDR_HASH;
	if ((kids = calloc(KID_SLOTS, sizeof(*kids))) == NULL ||
	    (addrs = calloc(KID_SLOTS, sizeof(*addrs))) == NULL)
		fatal("calloc");
	/* refuse's keys likewise: in the heap, its top moved a page on */
	if ((seen = mmap(NULL, SEEN_BYTES, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		fatal("mmap");
	for (i = 0; i < KID_SLOTS; i++) {
		kidfree[i] = KID_SLOTS - 1 - i;	/* slot 0 on top */
		addrs[i].hnext = i + 1 < KID_SLOTS ? i + 1 : -1;
	}
	nkidfree = KID_SLOTS;
	addrfree = 0;
	for (i = 0; i < PID_HASH; i++)
		pidhash[i] = -1;
	for (i = 0; i < ADDR_HASH; i++)
		addrhash[i] = -1;
	if (pipe2(statfd, O_CLOEXEC) == -1 || proc_nonblock(statfd[0]) == -1)
		fatal("status pipe");
#ifdef F_SETPIPE_SZ
	/* room for a logout burst's records while the master is busy */
	(void)fcntl(statfd[0], F_SETPIPE_SZ, 1024 * 1024);
#endif
}

/*
 * keeper_ended - the keeper's status: a keeper killed is restarted (the
 * new one runs failchk first), one that exited with a status other than
 * 0 asks for recovery (failchk said so, or it could not open the store,
 * or the environment panicked).
 */
static void
keeper_ended(pid_t pid, int st)
{
	keeper_gone();
	if (WIFSIGNALED(st))
		log_warnx("store keeper %ld killed by signal %d", (long)pid,
		    WTERMSIG(st));
	else if (WIFEXITED(st) && WEXITSTATUS(st) != 0 && !got_term) {
		log_warnx("store keeper %ld exited with status %d",
		    (long)pid, WEXITSTATUS(st));
		keeperbad = 1;
	}
}

/*
 * store_ended - a store process's status: one that ended abnormally
 * may have died inside Berkeley DB (GONE_STORE: failchk), one that could
 * not open the store asks for recovery; either is restarted
 */
static int
store_ended(int i, int st)
{
	pid_t	 pid = sprocs[i];

	sprocs[i] = -1;
	if (WIFSIGNALED(st)) {
		if (!killing)
			log_warnx("store process %ld killed by signal %d",
			    (long)pid, WTERMSIG(st));
		return GONE_STORE;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == STORE_RECOVER) {
		keeperbad = 1;
		return GONE_STORE;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		log_warnx("store process %ld exited with status %d",
		    (long)pid, WEXITSTATUS(st));
		return GONE_STORE;
	}
	return 0;
}

/*
 * child_gone - one dead child's status: off the list, and what its end
 * asks for: GONE_SESSION (a sweep) or GONE_STORE (failchk too) when it
 * was abnormal.  The SIGKILLs of shutdown_all are counted, not logged.
 */
static int
child_gone(pid_t pid, int st)
{
	int	 i;

	if (pid == keeperpid) {
		keeper_ended(pid, st);
		return 0;
	}
	for (i = 0; i < conf.store_procs; i++)
		if (pid == sprocs[i])
			return store_ended(i, st);
	if (pid == voicepid) {
		/* no BDB handle, no slot: nothing to clean up */
		if (WIFSIGNALED(st) && !killing)
			log_warnx("voice child %ld killed by signal %d",
			    (long)pid, WTERMSIG(st));
		else if (WIFEXITED(st) && !got_term)
			log_warnx("voice child %ld exited with status %d",
			    (long)pid, WEXITSTATUS(st));
		voicepid = -1;
		return 0;
	}
	if ((i = pid_slot(pid)) != -1)
		kid_free(i);
	if (WIFSIGNALED(st) && killing && WTERMSIG(st) == SIGKILL) {
		nkilled++;
		return GONE_SESSION;
	}
	if (WIFSIGNALED(st)) {
		log_warnx("child %ld killed by signal %d", (long)pid,
		    WTERMSIG(st));
		return GONE_SESSION;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		log_warnx("child %ld exited with status %d", (long)pid,
		    WEXITSTATUS(st));
		return GONE_SESSION;
	}
	return 0;
}

/*
 * reap - collect dead children.  After a session's abnormal end the
 * keeper sweeps its slot (the session had nothing in the store); after
 * a store process's, it runs failchk first.  The master never does
 * either itself: failchk hangs when the dead process was waiting for a
 * lock (aborting its transaction destroys the condition variable it
 * waited on, and glibc's pthread_cond_destroy waits for that waiter:
 * seen, libdb 5.3.28, glibc 2.36), and any call hangs on a mutex a dead
 * process held; a keeper that hangs is the master's to recover.  A
 * child that exits normally has given back its own slot, and a sweep
 * looks at every slot in use (an fcntl each: 10,000 held sessions made
 * it 60 ms for each connection that ended), so normal exits are left to
 * the keeper's periodic sweep.  While shutting down, a store process's
 * abnormal end leaves the store to the next start's recovery, and the
 * sweep tells no buddies: every session is ending.
 */
static void
reap(void)
{
	int	 st, gone = 0;
	pid_t	 pid;

	got_chld = 0;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		gone |= child_gone(pid, st);
	if (gone == 0)
		return;
	if (shutting) {
		if (gone & GONE_STORE)
			store_bad = 1;
		(void)table_sweep(tab, NULL, NULL);
	} else if (gone & GONE_STORE) {
		keeper_tell(KC_FAILCHK);
		if (failchks++ == 0)
			failchk_at = time(NULL);
	} else
		keeper_tell(KC_SWEEP);
}

/*
 * reload - SIGHUP: the new configuration goes to new sessions with
 * fork and to running ones through the table (conf_follow)
 */
static void
reload(void)
{
	struct pald_conf nc = conf;
	char		 errbuf[512];

	got_hup = 0;
	if (conffile == NULL) {
		log_info("SIGHUP: no configuration file to re-read");
		return;
	}
	if (conf_load(&nc, conffile, errbuf, sizeof(errbuf)) == -1) {
		log_warnx("reload failed, keeping the old configuration: %s",
		    errbuf);
		return;
	}
	if (nc.port != conf.port || strcmp(nc.listen, conf.listen) != 0 ||
	    (voicefd != -1 && nc.voice_port != conf.voice_port) ||
	    (videofd != -1 && nc.video_port != conf.video_port) ||
	    strcmp(nc.dbhome, conf.dbhome) != 0 ||
	    strcmp(nc.rundir, conf.rundir) != 0 ||
	    strcmp(nc.user, conf.user) != 0 ||
	    nc.store_procs != conf.store_procs)
		log_warnx("reload: address, port, directories, user and "
		    "store processes change only with a restart");
	nc.store_procs = conf.store_procs;
	(void)strlcpy(nc.listen, conf.listen, sizeof(nc.listen));
	nc.port = conf.port;
	if (voicefd != -1)
		nc.voice_port = conf.voice_port;	/* the bound one */
	nc.video_port = conf.video_port;
	(void)strlcpy(nc.dbhome, conf.dbhome, sizeof(nc.dbhome));
	(void)strlcpy(nc.rundir, conf.rundir, sizeof(nc.rundir));
	(void)strlcpy(nc.user, conf.user, sizeof(nc.user));
	conf = nc;
	table_conf_put(tab, &conf);	/* the sessions follow */
	if (voicepid != -1)
		(void)kill(voicepid, SIGHUP);
	/* the keeper follows the table too (the system user's name) */
	log_info("configuration reloaded");
}

/*
 * stop_children - TERM the sessions (and the voice child when voice),
 * give them TERM_WAIT seconds, then KILL the rest and reap them all (a
 * session has nothing in the store to leave behind); GONE_STORE if a
 * store process ended abnormally meanwhile.  The store processes and
 * the keeper are left as they are: the sessions' last calls need them.
 */
static int
stop_children(int voice)
{
	time_t	 until = time(NULL) + TERM_WAIT;
	pid_t	 pid;
	int	 i, st, bad = 0;

	if (voice && voicepid != -1)
		(void)kill(voicepid, SIGTERM);
	for (i = 0; i < kidhi; i++)
		if (kids[i].pid != 0)
			(void)kill(kids[i].pid, SIGTERM);
	while ((nkids > 0 || (voice && voicepid != -1)) &&
	    time(NULL) < until) {
		(void)poll(NULL, 0, 100);
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			bad |= child_gone(pid, st);
	}
	killing = 1;
	if (voice && voicepid != -1)
		(void)kill(voicepid, SIGKILL);
	for (i = 0; i < kidhi; i++)
		if (kids[i].pid != 0)
			(void)kill(kids[i].pid, SIGKILL);
	while ((nkids > 0 || (voice && voicepid != -1)) &&
	    (pid = waitpid(-1, &st, 0)) > 0)
		bad |= child_gone(pid, st);
	got_chld = 0;
	return bad & GONE_STORE;
}

/*
 * stores_stop - the end of the lifeline: the store processes finish the
 * call in hand, close their stores and exit, given STORE_STOP seconds;
 * then the rest are killed.  GONE_STORE if any ended abnormally.
 */
static int
stores_stop(void)
{
	time_t	 until = time(NULL) + STORE_STOP;
	pid_t	 pid;
	int	 i, st, left, gone = 0;

	if (life[1] != -1)
		(void)close(life[1]);
	life[1] = -1;
	for (;;) {
		for (i = left = 0; i < conf.store_procs; i++)
			left += sprocs[i] != -1;
		if (left == 0 || time(NULL) >= until)
			break;
		(void)poll(NULL, 0, 20);
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			gone |= child_gone(pid, st);
	}
	if (left > 0) {
		log_warnx("%d store processes did not stop in %d s", left,
		    STORE_STOP);
		stores_kill();
		gone |= GONE_STORE;
	}
	return gone & GONE_STORE;
}

/* keeper_kill - SIGKILL the keeper and reap it */
static void
keeper_kill(void)
{
	int	 st;

	if (keeperpid == -1)
		return;
	(void)kill(keeperpid, SIGKILL);
	while (waitpid(keeperpid, &st, 0) == -1 && errno == EINTR)
		;
	keeper_gone();
}

/*
 * keeper_stop - the end of shutdown_all.  After a store process's
 * abnormal end the keeper is killed without a word: whatever the dead
 * process held could hang the checkpoint or the close.  Else it checkpoints and closes the
 * store, given KEEPER_WAIT seconds.  0 when the store was closed.
 */
static int
keeper_stop(void)
{
	time_t	 until = time(NULL) + KEEPER_WAIT;
	pid_t	 pid = keeperpid, r = 0;
	int	 st = 0;

	if (pid == -1)
		return -1;
	if (!store_bad) {
		keeper_tell(KC_CLOSE);
		while ((r = waitpid(pid, &st, WNOHANG)) == 0 &&
		    time(NULL) < until)
			(void)poll(NULL, 0, 100);
	}
	if (r != pid) {
		keeper_kill();
		return -1;
	}
	keeper_gone();
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/*
 * shutdown_all - stop accepting, TERM the sessions, wait, then KILL;
 * then the store processes, then the keeper.  A store process that died
 * here may have died inside Berkeley DB, holding a mutex or a page latch
 * or waiting for a lock; the checkpoint, the closing of the environment
 * and failchk itself could then wait for it forever.  So after such an
 * end the store is left as it is: every commit is in the log already
 * (DB_TXN_WRITE_NOSYNC writes it at commit), and the next start
 * recovers the store before any child exists.  Sessions killed here
 * had nothing in the store.
 */
static void
shutdown_all(void)
{
	int	 closed;

	log_info("shutting down, %d children", nkids);
	shutting = 1;
	(void)close(listenfd);
	keeper_tell(KC_SHUT);
	if (stop_children(1))
		store_bad = 1;
	if (nkilled > 0)
		log_warnx("%d sessions did not end in %d s and were killed",
		    nkilled, TERM_WAIT);
	if (stores_stop())
		store_bad = 1;
	(void)table_sweep(tab, NULL, NULL);
	closed = keeper_stop();
	table_close(tab);
	if (store_path() != NULL)
		(void)unlink(store_path());
	if (store_bad)
		log_warnx("a store process died: the store is left open and "
		    "will be recovered at the next start");
	else if (closed == -1)
		log_warnx("the store keeper did not close the store: it will "
		    "be recovered at the next start");
}

/*
 * recover_in_place - the keeper is wedged in the store, or said that the
 * store needs recovery.  The processes that have the environment open,
 * the keeper and the store processes, are killed (they may be stuck on
 * the same mutex); the store is recovered as at start and they are
 * forked again.  The sessions are not touched: none has the store open,
 * and their calls wait in the store socket's backlog meanwhile (a pause,
 * then DBR_AGAIN after store_wait seconds); a call that a killed store
 * process had in hand is sent again if it may run twice, else it fails
 * ("try again").  Nothing else may have the environment open then
 * (pald -i, palpasswd, the db5.3 tools): recovery is for one process
 * alone, and the lock says so; while one of those has it, the recovery
 * is tried again every KEEPER_RESTART seconds.
 */
static void
recover_in_place(const char *why)
{
	struct timespec	 t0, t1;

	log_warnx("%s: recovering the store in place; %d sessions wait",
	    why, nbusy);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	keeper_kill();
	stores_kill();
	failchks = 0;
	keepernext = time(NULL) + KEEPER_RESTART;
	if (db_relock(lockfd, conf.dbhome, DBL_EXCL, 1) == -1) {
		keeperbad = 1;	/* again later; the log names who has it */
		return;
	}
	keeperbad = 0;
	recover_store();
	if (db_relock(lockfd, conf.dbhome, DBL_SHARED, 0) == -1)
		fatalx("%s: lock", conf.dbhome);
	keeper_spawn();
	stores_watch(time(NULL));
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("%s: store recovered in place in %lld ms", conf.dbhome,
	    (long long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000);
}

/*
 * keeper_watch - once a second: the keeper's heartbeats; recovery in
 * place when it has been silent KEEPER_STUCK seconds, or its failchk
 * took KEEPER_FAILCHK, or it asked for it (once per KEEPER_RESTART
 * seconds at most); a restart when it is gone; the store processes.
 */
static void
keeper_watch(time_t now)
{
	char	 b[64];
	ssize_t	 n;

	while (keeperhb != -1 && (n = read(keeperhb, b, sizeof(b))) > 0) {
		keeperseen = now;
		while (n-- > 0)
			if (b[n] == KH_FAILCHK && failchks > 0 &&
			    --failchks > 0)
				failchk_at = now;  /* the next one's turn */
	}
	if (keeperbad && now >= keepernext)
		recover_in_place("the store keeper asked for recovery");
	else if (keeperpid != -1 && failchks > 0 &&
	    now - failchk_at >= KEEPER_FAILCHK) {
		(void)snprintf(b, sizeof(b), "store keeper %ld: failchk not "
		    "done in %d s", (long)keeperpid, KEEPER_FAILCHK);
		recover_in_place(b);
	} else if (keeperpid != -1 && now - keeperseen >= KEEPER_STUCK) {
		(void)snprintf(b, sizeof(b), "store keeper %ld silent for "
		    "%d s", (long)keeperpid, KEEPER_STUCK);
		recover_in_place(b);
	} else if (keeperpid == -1 && !keeperbad && now >= keepernext)
		keeper_spawn();
	stores_watch(now);
}

/*
 * master_loop - accept and hand over until SIGTERM.  The status pipe is
 * read before the listener, so that a child that has just become idle
 * can take the next connection.  Accepting pauses (tcpserver -c) only
 * when descriptors run out or a fork failed; a full server accepts and
 * says so (take).  Not inlined: in main's frame (4 KiB of start-up
 * locals) the loop's variables were on a stack page of main's that
 * the master writes after every fork, and each child's copy of it
 * stayed the child's own.
 */
static __attribute__((__noinline__)) void
master_loop(void)
{
	struct sockaddr_storage peer;
	struct pollfd	 pfd[3];
	socklen_t	 len;
	time_t		 now, paused = 0, watched = 0;
	char		 b[64];
	int		 fd, n;

	for (;;) {
		if (got_term)
			return;
		if (got_hup)
			reload();
		if (got_chld)
			reap();
		status_read();
		now = time(NULL);
		if (voicefd != -1 && voicepid == -1 && now >= voicenext)
			voice_spawn();
		if (admin_master_tick(tab, now))
			return;		/* /shutdown */
		if (now != watched) {
			log_tick();	/* log_rate's windows that ended */
			keeper_watch(now);
			pool_maintain(now);
			watched = now = time(NULL);	/* recovery takes time */
		}
		pfd[0].fd = selfpipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = statfd[0];
		pfd[1].events = POLLIN;
		pfd[2].revents = 0;
		n = 2;
		if (now >= paused) {
			pfd[2].fd = listenfd;
			pfd[2].events = POLLIN;
			n = 3;
		}
		if (poll(pfd, (nfds_t)n, 1000) == -1) {
			if (errno != EINTR)
				fatal("poll");
			continue;
		}
		if (pfd[0].revents & POLLIN)
			while (read(selfpipe[0], b, sizeof(b)) > 0)
				;
		if (pfd[1].revents & POLLIN)
			status_read();
		if (n < 3 || !(pfd[2].revents & POLLIN))
			continue;
		len = sizeof(peer);
		if ((fd = accept(listenfd, (struct sockaddr *)&peer, &len)) ==
		    -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("accept, pausing");
				paused = time(NULL) + PAUSE_SECS;
			} else if (errno != EINTR && errno != EAGAIN &&
			    errno != ECONNABORTED)
				log_warn("accept");
			continue;
		}
		if (take(fd, &peer) == -1)
			paused = time(NULL) + PAUSE_SECS;
	}
}

/*
 * bind_listener - a TCP socket on the listen address, bound before
 * privileges go (the chat port, or the voice port); -1 with errno when
 * soft, else the failure is fatal.
 */
static int
bind_listener(int portnum, int type, int soft)
{
	struct addrinfo	 hints, *res, *ai;
	char		 port[8];
	int		 fd = -1, on = 1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	(void)snprintf(port, sizeof(port), "%d", portnum);
	if ((e = getaddrinfo(conf.listen[0] ? conf.listen : "0.0.0.0", port,
	    &hints, &res)) != 0)
		errx(1, "%s: %s", conf.listen, gai_strerror(e));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    (type != SOCK_STREAM || listen(fd, 128) == 0))
			break;
		(void)close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1 && soft)
		return -1;
	if (fd == -1)
		err(1, "bind %s port %d", conf.listen[0] ? conf.listen : "*",
		    portnum);
	if (proc_nonblock(fd) == -1)
		err(1, "listener");
	return fd;
}

/* write_port - the bound port into path, atomically (tests use -p 0) */
static void
write_port(const char *path, int fd)
{
	char		 tmp[1024];
	FILE		*fp;
	int		 port, n;

	if ((port = bound_port(fd)) == -1)
		err(1, "getsockname");
	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		errx(1, "%s: path too long", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		err(1, "%s", tmp);
	if (fprintf(fp, "%d\n", port) < 0 || fclose(fp) == EOF)
		err(1, "%s", tmp);
	if (rename(tmp, path) == -1)
		err(1, "rename %s", path);
}

/* check_dir - create if missing, own by uid, refuse group/other write */
static void
check_dir(const char *dir, mode_t mode, const struct passwd *pw)
{
	struct stat	 st;

	if (stat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, mode) == -1)
			err(1, "%s", dir);
		if (pw != NULL && chown(dir, pw->pw_uid, pw->pw_gid) == -1)
			err(1, "chown %s", dir);
		if (stat(dir, &st) == -1)
			err(1, "%s", dir);
	}
	if (!S_ISDIR(st.st_mode))
		errx(1, "%s: not a directory", dir);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		errx(1, "%s: writable by group or others", dir);
	if (pw != NULL && st.st_uid != pw->pw_uid)
		errx(1, "%s: not owned by %s", dir, pw->pw_name);
}

/* drop_privileges - for good; then make sure root cannot come back */
static void
drop_privileges(const struct passwd *pw)
{
	if (pw == NULL) {
		if (geteuid() == 0)
			log_warnx("running as root: use -u");
		return;
	}
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("cannot drop privileges to %s", pw->pw_name);
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("privileges could be regained");
}

/*
 * open_store - the master's (or -R's) recovering open, seeded; flags:
 * DBO_DETECT when the keeper will run the deadlock detector
 * (db_deadlock), so a lock conflict need not; DBO_HELD when the master
 * holds the lock
 */
static struct db *
open_store(int flags)
{
	struct db	*db;

	if (db_open(&db, conf.dbhome, DBO_RECOVER | DBO_CREATE | flags) !=
	    DBR_OK)
		fatalx("%s: cannot open the store", conf.dbhome);
	if (db_category_seed(db, conf.categories) != DBR_OK)
		log_warnx("%s: categories not seeded", conf.categories);
	(void)admin_sysuser(db, &conf);
	if (db_room_seed(db, conf.rooms) != DBR_OK)
		log_warnx("%s: rooms not seeded", conf.rooms);
	return db;
}

/*
 * recover_store - the master's recovery, in a child of its own: recovery
 * allocates and frees a few MiB in many small pieces, and a master that
 * kept that heap would hand every forked child a fragmented heap whose
 * pages the child's first mallocs copy one by one.  The master keeps no
 * handle: the keeper (keeper.c) is the one that looks after the store.
 * At start, and in recover_in_place once every user of the environment
 * is dead; the master holds the lock exclusive meanwhile.
 */
static void
recover_store(void)
{
	pid_t		 pid;
	int		 st;

	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		db_close(open_store(DBO_DETECT | DBO_HELD));
		_exit(0);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			fatal("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fatalx("%s: recovery failed", conf.dbhome);
}

/* store_path - the store socket's path, or NULL if it does not fit */
static const char *
store_path(void)
{
	static char	 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int		 n;

	n = snprintf(path, sizeof(path), "%s/%s", conf.rundir,
	    PALD_STORE_SOCK);
	return n < 0 || (size_t)n >= sizeof(path) ? NULL : path;
}

/*
 * store_listen - the store socket, mode 0600, owned by the user pald
 * runs as; the master keeps it for its life, so that the sessions'
 * calls wait in its backlog while no store process accepts
 */
static int
store_listen(void)
{
	struct sockaddr_un sun;
	mode_t		 old;
	int		 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)strlcpy(sun.sun_path, store_path(), sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("store socket");
	if (unlink(sun.sun_path) == -1 && errno != ENOENT)
		fatal("%s", sun.sun_path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("%s", sun.sun_path);
	(void)umask(old);
	if (listen(fd, SOMAXCONN) == -1 || proc_nonblock(fd) == -1)
		fatal("%s", sun.sun_path);
	return fd;
}

/*
 * store_start - at start, before any other child: the data home's lock
 * exclusive (a bounded wait for the processes of an instance before us
 * to leave the store, else a refusal naming one of them), the recovery,
 * then the lock kept shared for the master's life, so that no other
 * instance, pald -R or palpasswd ... recovers the store under this
 * one's processes; the store socket and the lifeline
 */
static void
store_start(void)
{
	int	 i;

	if ((lockfd = db_lock(conf.dbhome, DBL_EXCL, DBL_WAIT)) == -1)
		fatalx("%s: the store is in use: not recovering it",
		    conf.dbhome);
	recover_store();
	if (db_relock(lockfd, conf.dbhome, DBL_SHARED, 0) == -1)
		fatalx("%s: lock", conf.dbhome);
	storefd = store_listen();
	if (pipe2(life, O_CLOEXEC) == -1)
		fatal("pipe");
	for (i = 0; i < PALD_STORE_PROCS_MAX; i++)
		sprocs[i] = -1;
}

/*
 * fd_limit - descriptors up to the hard limit: the master holds one per
 * session process (its end of the socketpair), from KID_FD_BASE up
 */
static void
fd_limit(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)KID_FD_BASE + (rlim_t)conf.max_children)
		log_warnx("%llu descriptors: fewer sessions than max_sessions "
		    "(%d) can be served", (unsigned long long)rl.rlim_cur,
		    conf.max_children);
}

/*
 * pid_write - the pid file's one line: pidfile_write(3) writes the
 * number alone, at offset 0, and the newline goes after it
 */
static int
pid_write(struct pidfh *pfh)
{
	char	 b[24];
	int	 n;

	if (pidfile_write(pfh) == -1)
		return -1;
	n = snprintf(b, sizeof(b), "%ld", (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(b))
		return -1;
	return pwrite(pidfile_fileno(pfh), "\n", 1, (off_t)n) == 1 ? 0 : -1;
}

/* detach - the pid file (a second instance is refused), then daemon(3) */
static struct pidfh *
detach(const char *pidfile, int debug)
{
	struct pidfh	*pfh = NULL;
	pid_t		 other;

	if (pidfile != NULL &&
	    (pfh = pidfile_open(pidfile, 0644, &other)) == NULL) {
		if (errno == EEXIST)
			errx(1, "already running, pid %ld", (long)other);
		err(1, "%s", pidfile);
	}
	if (!debug && daemon(0, 0) == -1)
		err(1, "daemon");
	if (pfh != NULL && pid_write(pfh) == -1)
		log_warn("%s", pidfile);
	return pfh;
}

/* -V: the relay's pid file, removed when it exits (atexit, -V only) */
static struct pidfh	*voice_pfh;

static void
voice_pid_remove(void)
{
	if (voice_pfh != NULL)
		(void)pidfile_remove(voice_pfh);
}

/*
 * voice_only - -V: the voice relay alone, for sites that run the chat
 * from inetd (no master, so no voice child).  With -i, descriptor 0 is a
 * listening socket (inetd.conf "wait"); else the voice port is bound
 * here and the process detaches as the master would.
 */
static __dead void
voice_only(const struct passwd *pw, int inetd, int debug, const char *pidfile,
    const char *portfile)
{
	socklen_t	 len;
	int		 fd = 0, on = 0;

	if (inetd) {
		len = sizeof(on);
		if (getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) ==
		    -1 || !on)
			fatalx("-V -i: descriptor 0 is not a listening socket "
			    "(inetd.conf needs \"wait\")");
		if (proc_nonblock(0) == -1)
			fatal("-V -i: descriptor 0");
	} else {
		check_dir(conf.rundir, 0755, pw);
		fd = bind_listener(conf.voice_port, SOCK_STREAM, 0);
		if ((voiceufd = bind_listener(bound_port(fd), SOCK_DGRAM,
		    1)) == -1)
			warn("voice port %d: no RTP over UDP", bound_port(fd));
		video_bind();
		if (portfile != NULL)
			write_port(portfile, fd);
		if ((voice_pfh = detach(pidfile, debug)) != NULL)
			(void)atexit(voice_pid_remove);
		drop_privileges(pw);
	}
	if ((tab = table_open(conf.rundir, 0)) == NULL)
		fatal("%s: table", conf.rundir);
	log_procname("pald-voice");
	setproctitle("voice");
	log_info("voice relay on %s port %d, table %s",
	    conf.listen[0] ? conf.listen : "*", bound_port(fd), conf.rundir);
	voice_main(fd, voiceufd, videofd, tab, &conf, conffile, 0);
}

/*
 * absolute - make a relative path absolute, since daemon(3) moves to /
 * and SIGHUP re-reads the configuration file from there.
 */
static void
absolute(char *path, size_t size)
{
	char	 cwd[PATH_MAX], tmp[PATH_MAX];
	int	 n;

	if (path[0] == '/' || path[0] == '\0')
		return;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		err(1, "getcwd");
	n = snprintf(tmp, sizeof(tmp), "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= sizeof(tmp) ||
	    strlcpy(path, tmp, size) >= size)
		errx(1, "%s: path too long", path);
}

/*
 * abspath - path made absolute, in the heap: a static buffer of
 * PATH_MAX in the data segment put the variables that the master and
 * every child write a page further from the initialized ones, one
 * more page of each child's own
 */
static const char *
abspath(const char *path)
{
	char	 buf[PATH_MAX];
	char	*p;

	(void)strlcpy(buf, path, sizeof(buf));
	absolute(buf, sizeof(buf));
	if ((p = strdup(buf)) == NULL)
		err(1, "strdup");
	return p;
}

/* bound_port - the port the listener really has (-p 0 picks one) */
static int
bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t	 len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	return ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/*
 * video_bind - the room video port, for the voice child; without it
 * (video_max 0, or the bind failed) video_port 0 tells the sessions
 */
static void
video_bind(void)
{
	if (conf.video_max > 0 &&
	    (videofd = bind_listener(conf.video_port, SOCK_STREAM, 1)) == -1)
		warn("video port %d: no room video", conf.video_port);
	conf.video_port = videofd != -1 ? bound_port(videofd) : 0;
}

/* optcopy - optarg into an option's field, or the error why (too long) */
static void
optcopy(char *field, size_t size, const char *why)
{
	if (strlcpy(field, optarg, size) >= size)
		errx(1, "%s", why);
}

/* sanitise_fds - 0, 1 and 2 open; nothing else inherited */
static void
sanitise_fds(int inetd)
{
	int	 fd;

	if (!inetd)
		while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
			;
	closefrom(3);
}

int
main(int argc, char *argv[])
{
	struct passwd	*pw = NULL;
	struct pidfh	*pfh = NULL;
	const char	*errstr, *pidfile = NULL, *portfile = NULL;
	const char	*vportfile = NULL;
	char		 errbuf[512];
	int		 ch, debug = 0, inetd = 0, check = 0, recover = 0;
	int		 verbose = 0, voiceonly = 0;
	struct pald_conf cl;		/* command-line overrides */
	int		 cl_port = -1;

	memset(&cl, 0, sizeof(cl));
	while ((ch = getopt(argc, argv, "df:h:il:nP:p:Rr:u:VvW:w:")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'f':
			conffile = optarg;
			break;
		case 'h':
			optcopy(cl.dbhome, sizeof(cl.dbhome),
			    "-h: path too long");
			break;
		case 'i':
			inetd = 1;
			break;
		case 'l':
			optcopy(cl.listen, sizeof(cl.listen),
			    "-l: address too long");
			break;
		case 'n':
			check = 1;
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 'p':
			cl_port = (int)strtonum(optarg, 0, 65535, &errstr);
			if (errstr != NULL)
				errx(1, "-p %s: %s", optarg, errstr);
			break;
		case 'R':
			recover = 1;
			break;
		case 'r':
			optcopy(cl.rundir, sizeof(cl.rundir),
			    "-r: path too long");
			break;
		case 'u':
			optcopy(cl.user, sizeof(cl.user),
			    "-u: name too long");
			break;
		case 'V':
			voiceonly = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'W':
			portfile = optarg;
			break;
		case 'w':
			vportfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();
	sanitise_fds(inetd);
	if (inetd)
		log_init(0, LOG_DAEMON);	/* stderr may be the socket */

	conf_defaults(&conf);
	(void)strlcpy(conf.dbhome, _PATH_PALD_DB, sizeof(conf.dbhome));
	(void)strlcpy(conf.rundir, _PATH_PALD_RUN, sizeof(conf.rundir));
	conf_seeds(&conf, argv[0]);
	if (conffile == NULL && access(_PATH_PALD_CONF, F_OK) == 0)
		conffile = _PATH_PALD_CONF;
	if (conffile != NULL &&
	    conf_load(&conf, conffile, errbuf, sizeof(errbuf)) == -1) {
		if (inetd)
			fatalx("%s", errbuf);
		errx(1, "%s", errbuf);
	}
	if (cl.dbhome[0])
		(void)strlcpy(conf.dbhome, cl.dbhome, sizeof(conf.dbhome));
	if (cl.rundir[0])
		(void)strlcpy(conf.rundir, cl.rundir, sizeof(conf.rundir));
	if (cl.listen[0])
		(void)strlcpy(conf.listen, cl.listen, sizeof(conf.listen));
	if (cl.user[0])
		(void)strlcpy(conf.user, cl.user, sizeof(conf.user));
	if (cl_port != -1 && voiceonly)
		conf.voice_port = cl_port;
	else if (cl_port != -1)
		conf.port = cl_port;
	absolute(conf.dbhome, sizeof(conf.dbhome));
	absolute(conf.rundir, sizeof(conf.rundir));
	absolute(conf.categories, sizeof(conf.categories));
	absolute(conf.rooms, sizeof(conf.rooms));
	if (conffile != NULL)
		conffile = abspath(conffile);
	if (pidfile != NULL)
		pidfile = abspath(pidfile);
	if (check) {
		if (conf.user[0] && getpwnam(conf.user) == NULL)
			errx(1, "user %s does not exist", conf.user);
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	log_init(inetd ? 0 : debug, conf.facility);
	log_setverbose(verbose);
	log_procname("pald");
	slog_set(log_text);	/* the store's lines go with ours */

	if (conf.user[0] && !inetd && (pw = getpwnam(conf.user)) == NULL)
		errx(1, "user %s does not exist", conf.user);
	if (voiceonly)
		voice_only(pw, inetd, debug, pidfile,
		    portfile != NULL ? portfile : vportfile);
	if (inetd)
		child_inetd(&conf);
	check_dir(conf.rundir, 0755, pw);
	check_dir(conf.dbhome, 0700, pw);
	if (store_path() == NULL)
		errx(1, "%s: path too long for the store socket", conf.rundir);
	if (recover) {
		drop_privileges(pw);
		db_close(open_store(0));
		log_info("%s: store recovered", conf.dbhome);
		exit(0);
	}

	listenfd = bind_listener(conf.port, SOCK_STREAM, 0);
	if (portfile != NULL)
		write_port(portfile, listenfd);
	/* Without the voice port chat goes on, and says so. */
	if ((voicefd = bind_listener(conf.voice_port, SOCK_STREAM, 1)) ==
	    -1) {
		warn("voice port %d: no room voice", conf.voice_port);
		conf.video_port = 0;
	} else {
		conf.voice_port = bound_port(voicefd);
		if ((voiceufd = bind_listener(conf.voice_port, SOCK_DGRAM,
		    1)) == -1)
			warn("voice port %d: no RTP over UDP",
			    conf.voice_port);
		if (vportfile != NULL)
			write_port(vportfile, voicefd);
		video_bind();
	}
	pfh = detach(pidfile, debug);
	pald_master = getpid();
	drop_privileges(pw);

	fd_limit();
	pool_init();
	if (conf.max_children > PALD_MAX_SESSIONS)
		conf.max_children = PALD_MAX_SESSIONS;
	if ((tab = table_open(conf.rundir, 1)) == NULL)
		fatal("%s: table", conf.rundir);
	lograte_init(tab, &conf.log_rate);	/* the children's too */
	(void)table_sweep(tab, NULL, NULL);	/* last run's slots */
	table_conf_put(tab, &conf);
	store_start();
	if (pipe2(selfpipe, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("pipe");
	signals_init();
	setproctitle("master");
	log_info("listening on %s port %d, store %s",
	    conf.listen[0] ? conf.listen : "*", bound_port(listenfd),
	    conf.dbhome);

	keeper_spawn();		/* the store's keeper from now on */
	stores_watch(time(NULL));	/* and its store processes */
	master_loop();
	shutdown_all();
	if (pfh != NULL)
		(void)pidfile_remove(pfh);
	log_info("stopped");
	return 0;
}
