/*
 * child.c - a session's process: its start-up and the loop that serves
 * its client.
 *
 * NAME
 *	child_main, child_inetd - one client, from connect to close
 * DESCRIPTION
 *	A session's process is a child the master forked for an accepted
 *	connection (child_main), or, under -i, a process inetd started
 *	with the connection on descriptor 0 (child_inetd).  A child of the
 *	master never opens Berkeley DB: its store is remote (DBO_REMOTE),
 *	every call a request to the master's store processes, so that its
 *	death, at any moment, leaves nothing behind in the store; an inetd
 *	instance, which has no master, opens the store itself.  Either
 *	makes a session (session.c) and runs serve: one poll loop on the
 *	client's socket, the session's doorbell and, in a child, the
 *	master's lifeline, which reads frames and hands each to
 *	session_frame, writes out what the session queued, and runs its
 *	timers.  A child follows the configuration the master publishes in
 *	the table after a reload (conf_follow); a quiet one gives back its
 *	memory.  The end of file on the lifeline means that the master
 *	died: the child tells its user that the server is restarting and
 *	ends (master_gone).
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

#include <errno.h>
#include <limits.h>
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
#include "pald.h"
#include "proc.h"
#include "proto/wire.h"
#include "room.h"
#include "session.h"
#include "store/db.h"
#include "store/table.h"

#define INBUF		(2 * (WIRE_HDRLEN + PALD_FRAME_MAX))
#define FLUSH_WAIT	2	/* seconds to flush a closing session */
#define IDLE_SECS	5	/* a child this quiet lets go of its store */
#define STACK_TRIM	(256 * 1024) /* stack given back below an idle frame */
#define IDLE_POLL	30	/* seconds an idle child's poll may sleep */

static volatile sig_atomic_t got_term;
static struct pald_conf	*conf;		/* the master's, followed */
static uint32_t		 confseen;	/* table_conf_get's mark */
static struct table	*tab;
static struct db	*store;		/* a child's remote store */

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
read_frames(struct session *s, int fd, unsigned char *in, size_t *inlen)
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
 * master_gone - the end of file on the master's lifeline: the master
 * died.  The user is told that the server is restarting (a supervisor
 * starts a new master within seconds, which recovers the store once
 * every process of this one has left it), and the session ends.
 */
static void
master_gone(struct session *s, int fd)
{
	session_shutdown(s, "The server is restarting. Please log in again "
	    "in a minute.");
	flush_final(s, fd);
	session_end(s, "the master is gone");
}

/*
 * stack_trim - give back the stack pages below this frame.  A login goes
 * deep (BDB's environment open, the bootstrap's buffers) and a held,
 * idle child would keep those pages for its life; they are dead, and
 * come back zeroed if it goes deep again.  What is under 1 KiB below
 * this frame (madvise's own call, the red zone) stays.  Linux leaves a gap of
 * at least a MiB below the stack, so the range touches nothing else;
 * madvise skips the part of it that is not mapped.
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
	top = ((uintptr_t)&here - 1024) & ~(ps - 1);
	if (top > STACK_TRIM)
		(void)madvise((void *)(top - STACK_TRIM), STACK_TRIM,
		    MADV_DONTNEED);
	(void)here;
#endif
}

/*
 * serve - one client to the end: the poll loop of a child (life: the
 * master's lifeline) or of an inetd instance (life -1).  Returns when
 * the session is over.  The input buffer is a mapping of its own, given
 * back with the rest when the session goes idle with nothing half-read
 * in it.
 */
static void
serve(struct session *s, int fd, int life)
{
	struct pollfd	 pfd[3];
	unsigned char	*in;
	size_t		 inlen = 0, outlen;
	int		 n, bell, ready, secs, quiet = 0, lp = -1;

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
		if ((bell = session_bellfd(s)) != -1) {
			pfd[1].fd = bell;
			pfd[1].events = POLLIN;
			pfd[1].revents = 0;
			n = 2;
		}
		if (life != -1) {
			lp = n;
			pfd[n].fd = life;
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
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
		if (lp != -1 && pfd[lp].revents != 0) {
			master_gone(s, fd);
			break;
		}
		/* IDLE_SECS quiet polls: give back the memory (and store) */
		if (ready != 0)
			quiet = 0;
		else if (++quiet == IDLE_SECS) {
			session_idle(s);
			if (inlen == 0)
				(void)madvise(in, INBUF, MADV_DONTNEED);
			stack_trim();
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    read_frames(s, fd, in, &inlen) == -1)
			break;
		if (bell != -1 &&
		    session_inbox(s, pfd[1].revents & POLLIN) == -1) {
			flush_final(s, fd);
			session_end(s, "ended by the server");
			break;
		}
		if (flush_out(s, fd) == -1) {
			session_end(s, "write error");
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
	presence_gone(arg, tab, ts);
}

/*
 * child_main - the forked child: its remote store, then serve.  The
 * master has closed what the child must not keep (pald.c,
 * close_inherited); c is the master's configuration, which the child
 * follows from now on (conf_follow); life is the master's lifeline.
 */
__dead void
child_main(int fd, const struct sockaddr *peer, const struct sockaddr *local,
    struct table *t, struct pald_conf *c, int life)
{
	struct session	*s;
	char		 path[PATH_MAX];
	int		 n;

	tab = t;
	conf = c;
	signals_child();
	log_procname("pald-child");
	setproctitle("client");
	n = snprintf(path, sizeof(path), "%s/%s", conf->rundir,
	    PALD_STORE_SOCK);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    db_open(&store, path, DBO_REMOTE) != DBR_OK) {
		log_warnx("cannot open the store, closing connection");
		_exit(1);
	}
	db_remote_wait(store, conf->store_wait);
	if ((s = session_new(store, tab, conf, peer, local)) == NULL) {
		log_warn("session");
		_exit(1);
	}
	serve(s, fd, life);
	session_free(s);
	db_close(store);
	table_close(tab);
	(void)close(fd);
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
	if (db_open(&db, conf->dbhome, DBO_FAILCHK | DBO_CREATE) != DBR_OK)
		fatalx("%s: cannot open the store", conf->dbhome);
	(void)db_category_seed(db, conf->categories);
	(void)db_room_seed(db, conf->rooms);
	(void)table_sweep(tab, sweep_cb, db);
	setproctitle("client");
	if ((s = session_new(db, tab, conf,
	    peer.ss_family ? (struct sockaddr *)&peer : NULL,
	    local.ss_family ? (struct sockaddr *)&local : NULL)) == NULL)
		fatal("session");
	serve(s, 0, -1);
	session_free(s);
	db_close(db);
	table_close(tab);
	exit(0);
}
