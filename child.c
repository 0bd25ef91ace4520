/*
 * child.c - a session's process: its start-up and the loop that serves
 * its client.
 *
 * NAME
 *	child_pool, child_inetd - clients, from connect to close
 * DESCRIPTION
 *	A session's process is a child the master forked into its pool
 *	(child_pool), or, under -i, a process inetd started with the
 *	connection on descriptor 0 (child_inetd).  A pooled child never
 *	opens Berkeley DB: its store is remote (DBO_REMOTE, in one place,
 *	child_store_open), every call a request to the master's store
 *	processes, so that its death at any moment costs nobody else
 *	anything; an inetd instance, which has no master, opens the store
 *	itself.  Either makes a session (session.c) and runs
 *	serve: one poll loop on the client's socket and the session's
 *	doorbell, which reads frames and hands each to session_frame,
 *	writes out what the session queued, and runs its timers.  A child
 *	follows the configuration the master publishes in the table after
 *	a reload (conf_follow); a quiet one gives back its memory and lets
 *	go of the store.
 *
 *	A pooled child keeps its store and its table mapping from one
 *	session to the next.  It says "ready" on the status pipe and waits
 *	on its socketpair with the master for a connection (wait_conn);
 *	it tells the master when its client has logged in (the master
 *	counts the connections not logged in yet against its caps); when
 *	the session is over, child_reset leaves nothing of it behind
 *	(session_free wipes the session's buffers, the input buffer's
 *	mapping is unmapped, the stack below the loop given back, the
 *	table slot released) and the child is ready again, until it has
 *	served max_use sessions.  End-of-file on the socketpair while a
 *	session runs means the master is gone: the client is told the
 *	server is restarting and the child leaves the store and exits; in
 *	the pool it is the master's way to end an idle child.  Before its
 *	first byte a connection has first_frame_timeout seconds, before
 *	its login login_timeout (session.c).
 *
 *	SIGTERM and SIGINT end the session with a last word to the client;
 *	SIGHUP is the master's and changes nothing here.  The handler only
 *	sets a flag, and poll wakes (no SA_RESTART).
 *
 *	The master's side (listen, fork, reap, signals, recovery) is
 *	pald.c's; child.c never forks.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "lograte.h"
#include "pald.h"
#include "proc.h"
#include "proto/wire.h"
#include "p2p.h"
#include "room.h"
#include "session.h"
#include "store/db.h"
#include "store/table.h"

#define INBUF		(2 * (WIRE_HDRLEN + PALD_FRAME_MAX))
#define FLUSH_WAIT	2	/* seconds to flush a closing session */
#define IDLE_SECS	5	/* a child this quiet lets go of its store */
#define STACK_TRIM	(256 * 1024) /* stack given back below an idle frame */
#define IDLE_POLL	30	/* seconds an idle child's poll may sleep */
#define STACK_WIPE	(64 * 1024) /* stack wiped below a pooled child's loop */

static volatile sig_atomic_t got_term;
static struct pald_conf	*conf;		/* the master's, followed */
static uint32_t		 confseen;	/* table_conf_get's mark */
static struct table	*tab;
static int		 ctlfd = -1;	/* pooled: the socketpair's end */
static int		 statfd = -1;	/* pooled: the status pipe */
static struct db	*store;		/* a pooled child's, remote */
static int		 myslot;	/* pooled: our slot in the master's table */
static pid_t		 mypid;
static int		 served;	/* pooled: sessions served so far */
static int		 master_gone;	/* end-of-file on ctlfd in a session */

/* on_signal - TERM and INT end the session; HUP is caught, and ignored */
static void
on_signal(int sig)
{
	if (sig != SIGHUP)
		got_term = 1;
}

/* signals_child - a fresh child starts from the defaults */
static void
signals_child(void)
{
	proc_signal(SIGCHLD, SIG_DFL);
	proc_signals(on_signal);
}

/* flush_out - write what the session queued; -1 on a dead socket */
static int
flush_out(struct session *s, int fd)
{
	const unsigned char *p;
	size_t		 len;
	ssize_t		 n;

	for (;;) {
		p = session_out(s, &len);
		if (len == 0)
			return 0;
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		session_sent(s, (size_t)n);
	}
}

/* flush_final - give a closing session a bounded time to send */
static void
flush_final(struct session *s, int fd)
{
	struct pollfd	 pfd;
	time_t		 until = time(NULL) + FLUSH_WAIT;
	size_t		 len;

	for (;;) {
		if (flush_out(s, fd) == -1)
			return;
		(void)session_out(s, &len);
		if (len == 0 || time(NULL) >= until)
			return;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		(void)poll(&pfd, 1, 200);
	}
}

/* read_frames - read what is there and hand each whole frame on */
static int
read_frames(struct session *s, int fd, unsigned char *in, size_t *inlen,
    int *heard)
{
	struct wire_frame f;
	ssize_t		 n, used;
	size_t		 off = 0;

	n = read(fd, in + *inlen, INBUF - *inlen);
	if (n == 0) {
		session_end(s, "client closed");
		return -1;
	}
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		log_warn("[%s]: read", session_peer(s));
		session_end(s, "read error");
		return -1;
	}
	*inlen += (size_t)n;
	*heard = 1;
	for (;;) {
		used = wire_decode(in + off, *inlen - off,
		    (size_t)conf->max_frame, &f);
		if (used == 0)
			break;
		if (used < 0) {
			log_warnx("[%s]: frame of type %d announces %u bytes, "
			    "over the limit; closing", session_peer(s),
			    (int)(int16_t)wire_get16(in + off),
			    wire_get16(in + off + 4));
			session_end(s, "oversize frame");
			return -1;
		}
		off += (size_t)used;
		if (session_frame(s, &f) == -1) {
			flush_final(s, fd);
			session_end(s, "session ended");
			return -1;
		}
	}
	memmove(in, in + off, *inlen - off);
	*inlen -= off;
	return 0;
}

/*
 * conf_follow - a child of the master takes the configuration the master
 * published after a reload, so that a changed limit reaches the sessions
 * already running (the fixed fields, such as directories and ports, are
 * the master's own, unchanged).  One atomic load when nothing changed.
 */
static void
conf_follow(void)
{
	struct pald_conf nc;

	if (pald_master != 0 && tab != NULL &&
	    table_conf_get(tab, &confseen, &nc) == 1) {
		*conf = nc;
		db_remote_wait(store, conf->store_wait);
	}
}

/*
 * stack_trim - give back the stack pages below this frame.  A login goes
 * deep (BDB's environment open, the bootstrap's buffers) and a held,
 * idle child would keep those pages for its life; they are dead, and
 * come back zeroed if it goes deep again.  What is under 256 bytes
 * below this frame (madvise's own call, the red zone) stays: with 1 KiB
 * the page below was kept whenever the frame was in its page's lowest
 * kilobyte.  Linux leaves a gap of at least a MiB below the stack, so
 * the range touches nothing else; madvise skips the part of it that is
 * not mapped.
 */
static __attribute__((__noinline__)) void
stack_trim(void)
{
#ifdef __linux__
	volatile char	 here = 0;
	uintptr_t	 ps, top;
	long		 n;

	if ((n = sysconf(_SC_PAGESIZE)) <= 0)
		return;
	ps = (uintptr_t)n;
	top = ((uintptr_t)&here - 256) & ~(ps - 1);
	if (top > STACK_TRIM)
		(void)madvise((void *)(top - STACK_TRIM), STACK_TRIM,
		    MADV_DONTNEED);
	(void)here;
#endif
}

/* report - one status record to the master (a pooled child only) */
static void
report(int state)
{
	struct pstatus	 ps;

	if (statfd == -1)
		return;
	memset(&ps, 0, sizeof(ps));
	ps.slot = myslot;
	ps.pid = mypid;
	ps.state = state;
	ps.served = served;
	while (write(statfd, &ps, sizeof(ps)) == -1 && errno == EINTR)
		;
}

/*
 * serve - one client to the end: the poll loop of a child or of an
 * inetd instance.  Returns when the session is over.  The input buffer
 * is a mapping of its own, given back with the rest when the session
 * goes idle with nothing half-read in it, and unmapped at the end (its
 * pages go back to the kernel: nothing of them reaches the next
 * session).  A pooled child also watches its socketpair with the
 * master: end-of-file there means the master is gone.
 */
static void
serve(struct session *s, int fd)
{
	struct pollfd	 pfd[3];
	unsigned char	*in;
	size_t		 inlen = 0, outlen;
	time_t		 start = time(NULL);
	int		 n, bi, ci, bell, ready, secs, quiet = 0;
	int		 heard = 0, online = 0;

	if ((in = mmap(NULL, INBUF, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED ||
	    proc_nonblock(fd) == -1) {
		log_warn("[%s]: session setup", session_peer(s));
		if (in != MAP_FAILED)
			(void)munmap(in, INBUF);
		return;
	}
	if (session_admit(s) == -1) {
		flush_final(s, fd);
		session_end(s, "banned address");
		(void)munmap(in, INBUF);
		return;
	}
	for (;;) {
		if (got_term) {
			session_shutdown(s, "The server is shutting down.");
			flush_final(s, fd);
			session_end(s, "server shutdown");
			break;
		}
		(void)session_out(s, &outlen);
		pfd[0].fd = fd;
		pfd[0].events = POLLIN | (outlen > 0 ? POLLOUT : 0);
		pfd[0].revents = 0;
		n = 1;
		bi = ci = -1;
		if ((bell = session_bellfd(s)) != -1) {
			pfd[n].fd = bell;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			bi = n++;
		}
		if (ctlfd != -1) {
			pfd[n].fd = ctlfd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			ci = n++;
		}
		/*
		 * A second at a time while busy (IDLE_SECS of them make it
		 * idle); once idle, until session_tick's next deadline, at
		 * most IDLE_POLL: 10,000 held children waking each second
		 * were a run queue of dozens and 10-30 % of a core.  A
		 * signal wakes poll in any case (no SA_RESTART).
		 */
		secs = 1;
		if (quiet >= IDLE_SECS) {
			secs = session_wait(s, time(NULL));
			if (secs > IDLE_POLL)
				secs = IDLE_POLL;
		}
		if ((ready = poll(pfd, (nfds_t)n, secs * 1000)) == -1 &&
		    errno != EINTR) {
			log_warn("poll");
			session_end(s, "poll error");
			break;
		}
		conf_follow();	/* before what woke us is looked at */
		/* IDLE_SECS quiet polls: give back the memory (and store) */
		if (ready != 0)
			quiet = 0;
		else if (++quiet == IDLE_SECS) {
			session_idle(s);
			if (inlen == 0)
				(void)madvise(in, INBUF, MADV_DONTNEED);
			stack_trim();
		}
		if (ci != -1 && pfd[ci].revents != 0) {
			/* the master never writes to a busy child */
			master_gone = 1;
			log_warnx("[%s]: the master is gone, ending the session",
			    session_peer(s));
			session_shutdown(s, "The server is restarting. Please "
			    "log in again in a minute.");
			flush_final(s, fd);
			session_end(s, "server restarting");
			break;
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    read_frames(s, fd, in, &inlen, &heard) == -1)
			break;
		if (!online && session_online(s)) {
			online = 1;
			report(CS_ONLINE);
		}
		if (bi != -1 &&
		    session_inbox(s, pfd[bi].revents & POLLIN) == -1) {
			flush_final(s, fd);
			session_end(s, "ended by the server");
			break;
		}
		if (flush_out(s, fd) == -1) {
			session_end(s, "write error");
			break;
		}
		if (!heard && time(NULL) - start >= conf->first_frame) {
			log_notice("[%s]: nothing sent in %d seconds, closing",
			    session_peer(s), conf->first_frame);
			session_end(s, "no first frame");
			break;
		}
		if (session_tick(s, time(NULL)) == -1) {
			flush_final(s, fd);
			session_end(s, "timeout");
			break;
		}
	}
	(void)munmap(in, INBUF);
}

/* sweep_cb - inetd: a dead session found in the table, buddies told */
static void
sweep_cb(void *arg, const struct tsess *ts)
{
	room_gone(arg, tab, ts);
	p2p_gone(tab, ts);
	presence_gone(arg, tab, ts);
}

/*
 * child_store_open - the child's store, opened once for the child's
 * life: remote (DBO_REMOTE), every db_* call a request to the master's
 * store processes on the store socket in rundir.  A child of the master
 * never opens Berkeley DB, so that its death, at any moment, leaves
 * nothing in the environment (pald.c, storesrv.c).
 */
static struct db *
child_store_open(void)
{
	char		 path[PATH_MAX];
	int		 n;

	n = snprintf(path, sizeof(path), "%s/%s", conf->rundir,
	    PALD_STORE_SOCK);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    db_open(&store, path, DBO_REMOTE) != DBR_OK) {
		log_warnx("cannot open the store");
		report(CS_GOING);
		_exit(1);
	}
	db_remote_wait(store, conf->store_wait);
	return store;
}

/* child_store_close - the child leaves the store (it is exiting) */
static void
child_store_close(struct db *db)
{
	db_close(db);
}

/*
 * wait_conn - in the pool: the next connection from the master, its
 * descriptor and addresses; -1 when the child is to go (end-of-file:
 * the master ended it or is gone; a signal; a bad message).
 */
static int
wait_conn(struct handover *h)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 fd;

	for (;;) {
		if (got_term)
			return -1;
		pfd.fd = ctlfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, IDLE_POLL * 1000) == -1 && errno != EINTR)
			return -1;
		conf_follow();
		if (pfd.revents != 0)
			break;
	}
	n = proc_recvfd(ctlfd, &fd, h, sizeof(*h));
	if (n == (ssize_t)sizeof(*h) && fd != -1)
		return fd;
	if (n != 0)
		log_warnx("pool: bad message from the master (%zd bytes)", n);
	if (fd != -1)
		(void)close(fd);
	return -1;
}

/*
 * stack_wipe - zero the stack below the caller's frame: what a session
 * left in the frames it no longer has (a formatted log line, a decoded
 * field) is not given back by stack_trim in the kilobyte it keeps.
 */
static __attribute__((__noinline__)) void
stack_wipe(void)
{
	unsigned char	 buf[STACK_WIPE];

	explicit_bzero(buf, sizeof(buf));
}

/*
 * child_reset - after a session, before the next: nothing of it may
 * reach the next one.  session_free wiped and freed the session's
 * memory and serve unmapped its input buffer; here the table slot goes
 * (session_end released it already, unless the session died on the
 * way), and the stack below this frame, where the login decoded and
 * hashed a password, is wiped and given back to the kernel (zero pages
 * next time).  The store stays open: that is what the pool is for.
 */
static void
child_reset(void)
{
	table_logout(tab);
	table_bell_drain(tab);
	stack_wipe();
	stack_trim();
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

/*
 * child_pool - a pooled child: ready, a connection, a session, a reset;
 * again until max_use sessions, a signal or the master's end-of-file.
 */
__dead void
child_pool(int ctl, int status, int slot, struct table *t,
    struct pald_conf *c)
{
	struct handover	 h;
	struct session	*s;
	struct db	*db;
	int		 fd;

	tab = t;
	conf = c;
	ctlfd = ctl;
	statfd = status;
	myslot = slot;
	mypid = getpid();
	signals_child();
	log_procname("pald-child");
	db = child_store_open();
	/* one doorbell for the child's life: no socket file per login */
	if (table_bell_keep(tab, (uint32_t)slot) == -1)
		log_warn("pool: doorbell");
	for (;;) {
		setproctitle("idle");
		report(CS_READY);
		if ((fd = wait_conn(&h)) == -1)
			break;
		setproctitle("client");
		s = session_new(db, tab, conf,
		    h.peer.ss_family ? (struct sockaddr *)&h.peer : NULL,
		    h.local.ss_family ? (struct sockaddr *)&h.local : NULL);
		explicit_bzero(&h, sizeof(h));
		if (s == NULL) {
			log_warn("session");
			(void)close(fd);
			break;
		}
		serve(s, fd);
		session_free(s);
		(void)close(fd);
		child_reset();
		if (master_gone || got_term)
			break;
		if (++served >= conf->max_use) {
			log_debug("pool: %d sessions served, exiting", served);
			break;
		}
	}
	report(CS_GOING);
	child_store_close(db);
	table_close(tab);
	_exit(0);
}

/* child_inetd - -i: one connection on descriptor 0, syslog only */
__dead void
child_inetd(struct pald_conf *c)
{
	struct sockaddr_storage peer, local;
	socklen_t	 plen = sizeof(peer), llen = sizeof(local);
	struct session	*s;
	struct db	*db;

	if (getpeername(0, (struct sockaddr *)&peer, &plen) == -1)
		memset(&peer, 0, sizeof(peer));
	if (getsockname(0, (struct sockaddr *)&local, &llen) == -1)
		memset(&local, 0, sizeof(local));
	conf = c;
	proc_signals(on_signal);
	if ((tab = table_open(conf->rundir, 0)) == NULL)
		fatal("%s: table", conf->rundir);
	lograte_init(tab, &conf->log_rate);
	if (db_open(&db, conf->dbhome, DBO_FAILCHK | DBO_CREATE) != DBR_OK)
		fatalx("%s: cannot open the store", conf->dbhome);
	(void)db_category_seed(db, conf->categories);
	(void)db_room_seed(db, conf->rooms);
	(void)table_sweep(tab, sweep_cb, db);
	mypid = getpid();
	setproctitle("client");
	if ((s = session_new(db, tab, conf,
	    peer.ss_family ? (struct sockaddr *)&peer : NULL,
	    local.ss_family ? (struct sockaddr *)&local : NULL)) == NULL)
		fatal("session");
	serve(s, 0);
	session_free(s);
	db_close(db);
	table_close(tab);
	exit(0);
}
