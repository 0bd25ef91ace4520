/*
 * phases.c - an LD_PRELOAD library that splits the life of each of
 * pald's session children into phases and writes one line per child:
 * the CPU, the time spent waiting for a CPU, the time blocked and the
 * page faults of each phase.  pald itself is not changed: the library
 * wraps the calls that start and end a phase (libc's fork, _exit,
 * waitpid, poll, select, fcntl locks, the pthread locks BDB's mutexes
 * are made of, and pald's own read, write, sendto and recv; libdb's
 * db_env_create and db_create, whose handles' open, close, txn_begin,
 * commit and abort it replaces by wrappers; libcrypt's crypt_r).
 * Linux and glibc only (/proc/thread-self/schedstat, RUSAGE_THREAD,
 * dlvsym).  See run-profile.sh and README ("Where a login's time goes,
 * before the pool").
 *
 *	LD_PRELOAD=bench/phases.so PHASES_LOG=file pald ...
 *
 * Active only in a program called "pald" with PHASES_LOG set; anything
 * else (a shell's cp, sleep) passes straight through.  Lines appended to
 * PHASES_LOG (one write each, O_APPEND):
 *	F pid=P cpu_ns=N flt=N		the master's fork of child P: the
 *					master's own CPU and page faults in
 *					fork(), the page-table copy included
 *	R pid=P cpu_ns=N flt=N		the master reaped P: P's whole CPU
 *					(wait4's rusage) and page faults
 *	C pid=P kind=K files=N title=T PHASE=cpu/delay/wall/flt/calls/
 *	    mwait/mwaits ... atexit_ns=N
 *					a child at _exit: K is login (it
 *					ran crypt_r), getuin (it opened
 *					files but ran no crypt_r) or other
 *					(the keeper, the voice child, the
 *					recovery child); times in ns.  cpu:
 *					on a CPU (CLOCK_THREAD_CPUTIME_ID);
 *					delay: runnable, waiting for a CPU
 *					(schedstat's run_delay); wall: all
 *					of it; flt: minor faults; mwait: ns
 *					blocked in a pthread mutex, rwlock or
 *					condition wait inside the phase (BDB's
 *					mutexes and lock waits), mwaits how
 *					many; atexit_ns: the process's CPU
 *					when _exit was called.
 * The phases (pname[]): start (fork's return to the first poll), proto
 * (pald's own code after that), teardown (pald's own code after the
 * client's EOF), io, poll, envopen, fopen, txn_r/commit_r (a read-only
 * transaction and its commit), txn_w/commit_w, abort, bcrypt, flock
 * (the session table's fcntl locks; flock_end after the EOF), sleep
 * (BDB's select back-off), fclose, envclose.  Nested calls (a BDB read
 * inside fopen) count in the inner phase.
 * The master buffers its F and R lines and writes them when the buffer
 * fills and when it exits.  The exit of a child (the kernel tearing down
 * its address space) is R's cpu minus the child's atexit_ns.
 * The wrappers themselves cost about 1.5 us per phase change here (three
 * system calls: the thread's CPU clock, schedstat, getrusage): some 0.3
 * ms per login, 6 % (run-profile.sh PHASES=0 measures without them).
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <crypt.h>
#include <db.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	P_START,	/* fork's return to the first poll: the child's set-up */
	P_OTHER,	/* then the protocol, the table, logging ("proto") */
	P_TEARDOWN,	/* after the client's EOF: logout, session_free, ... */
	P_IO,		/* pald's own read, write, sendto, recv (the socket,
			   the table's doorbells) */
	P_POLL,		/* poll(2): waiting for the client (or a bell) */
	P_ENVOPEN,	/* DB_ENV->open: attaching the environment */
	P_FOPEN,	/* DB->open, one file */
	P_TXN_R,	/* a read-only transaction: begin and its reads */
	P_COMMIT_R,	/* its commit */
	P_TXN_W,	/* a write transaction: begin, reads, puts */
	P_COMMIT_W,	/* its commit: the log record written out */
	P_ABORT,	/* an abort */
	P_BCRYPT,	/* crypt_r */
	P_FLOCK,	/* fcntl byte locks (the session table) */
	P_FLOCK_END,	/* the same after the client's EOF (the logout) */
	P_SLEEP,	/* select(2): BDB's yield and back-off sleeps */
	P_FCLOSE,	/* DB->close */
	P_ENVCLOSE,	/* DB_ENV->close: leaving the environment */
	P_EXIT,		/* from _exit's call to the end of the record */
	P_COUNT
};

static const char *const pname[P_COUNT] = {
	"start", "proto", "teardown", "io", "poll", "envopen", "fopen", "txn_r", "commit_r", "txn_w",
	"commit_w", "abort", "bcrypt", "flock", "flock_end", "sleep", "fclose",
	"envclose", "exit"
};

struct acc {
	uint64_t	 cpu, delay, wall, flt, calls, mwait, mwaits;
};

struct snap {
	uint64_t	 cpu, delay, wall, flt;
};

static int		 active;	/* pald with PHASES_LOG */
static int		 child;		/* in a forked child */
static __thread int	 mainthr;	/* its thread that fork returned in */
static char		 logpath[1024];	/* a copy: setproctitle overwrites
					   the environment's strings */
static int		 sfd = -1;	/* /proc/thread-self/schedstat */
static struct acc	 acc[P_COUNT];
static struct snap	 last;
static int		 cur = P_START;
static int		 base = P_START;	/* start, proto or teardown */
static int		 stack[16];
static int		 depth;
static int		 nfiles, ncrypt;
static int		 inwait;	/* inside a lock wait we time */
static char		 mbuf[8192];	/* the master's F and R lines */
static size_t		 mlen;

/* The real functions. */
static pid_t	(*r_fork)(void);
static void	(*r_exit)(int);
static pid_t	(*r_waitpid)(pid_t, int *, int);
static int	(*r_poll)(struct pollfd *, nfds_t, int);
static ssize_t	(*r_read)(int, void *, size_t);
static ssize_t	(*r_write)(int, const void *, size_t);
static ssize_t	(*r_sendto)(int, const void *, size_t, int,
		    const struct sockaddr *, socklen_t);
static ssize_t	(*r_recv)(int, void *, size_t, int);
static int	(*r_select)(int, fd_set *, fd_set *, fd_set *,
		    struct timeval *);
static int	(*r_fcntl)(int, int, ...);
static int	(*r_mutex_lock)(pthread_mutex_t *);
static int	(*r_mutex_trylock)(pthread_mutex_t *);
static int	(*r_rd)(pthread_rwlock_t *);
static int	(*r_tryrd)(pthread_rwlock_t *);
static int	(*r_wr)(pthread_rwlock_t *);
static int	(*r_trywr)(pthread_rwlock_t *);
static int	(*r_cwait)(pthread_cond_t *, pthread_mutex_t *);
static int	(*r_ctwait)(pthread_cond_t *, pthread_mutex_t *,
		    const struct timespec *);
static int	(*r_env_create)(DB_ENV **, u_int32_t);
static int	(*r_db_create)(DB **, DB_ENV *, u_int32_t);
static char	*(*r_crypt_r)(const char *, const char *, struct crypt_data *);

/* Each BDB method is the same function for every handle: kept once. */
static int	(*m_env_open)(DB_ENV *, const char *, u_int32_t, int);
static int	(*m_env_close)(DB_ENV *, u_int32_t);
static int	(*m_txn_begin)(DB_ENV *, DB_TXN *, DB_TXN **, u_int32_t);
static int	(*m_commit)(DB_TXN *, u_int32_t);
static int	(*m_abort)(DB_TXN *);
static int	(*m_db_open)(DB *, DB_TXN *, const char *, const char *,
		    DBTYPE, u_int32_t, int);
static int	(*m_db_close)(DB *, u_int32_t);

/* sym - the next definition of name; a missing one is fatal */
static void *
sym(const char *name)
{
	void	*p;

	if ((p = dlsym(RTLD_NEXT, name)) == NULL) {
		static const char m[] = "phases.so: a symbol is missing\n";

		(void)write(2, m, sizeof(m) - 1);
		abort();
	}
	return p;
}

/* REAL - v, if not yet set, from sym(name) (a copy: no cast of a pointer) */
#define REAL(v, name)	do { if ((v) == NULL) { void *p_ = sym(name); \
			    memcpy(&(v), &p_, sizeof(p_)); } } while (0)

/* vsym - the condition variables of glibc 2.3.2 (libdb's), else any */
static void
vsym(void *fp, size_t size, const char *name)
{
	void	*p;

	if ((p = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2")) == NULL)
		p = sym(name);
	memcpy(fp, &p, size);
}

static uint64_t
ns(clockid_t c)
{
	struct timespec	 ts;

	(void)clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* run_delay - ns this thread has waited on a run queue, from schedstat */
static uint64_t
run_delay(void)
{
	char		 b[96], *p;
	ssize_t		 n;

	if (sfd == -1 || (n = pread(sfd, b, sizeof(b) - 1, 0)) <= 0)
		return 0;
	b[n] = '\0';
	if ((p = strchr(b, ' ')) == NULL)
		return 0;
	return strtoull(p + 1, NULL, 10);
}

static void
take(struct snap *s)
{
	struct rusage	 ru;

	s->cpu = ns(CLOCK_THREAD_CPUTIME_ID);
	s->wall = ns(CLOCK_MONOTONIC);
	s->delay = run_delay();
	(void)getrusage(RUSAGE_THREAD, &ru);
	s->flt = (uint64_t)ru.ru_minflt;
}

/* charge - the time since the last snapshot to the current phase */
static void
charge(void)
{
	struct snap	 s;
	struct acc	*a = &acc[cur];

	take(&s);
	a->cpu += s.cpu - last.cpu;
	a->delay += s.delay - last.delay;
	a->wall += s.wall - last.wall;
	a->flt += s.flt - last.flt;
	last = s;
}

static int
on(void)
{
	return active && child && mainthr;
}

/* enter - phase p begins (the current one is resumed by leave) */
static void
enter(int p)
{
	if (!on())
		return;
	charge();
	if (depth < (int)(sizeof(stack) / sizeof(stack[0])))
		stack[depth++] = cur;
	cur = p;
	acc[p].calls++;
}

/* swap - the current phase becomes p, without a new level */
static void
swap(int p)
{
	if (!on())
		return;
	charge();
	cur = p;
	acc[p].calls++;
}

static void
leave(void)
{
	if (!on())
		return;
	charge();
	cur = depth > 0 ? stack[--depth] : base;
	if (cur == P_START || cur == P_OTHER || cur == P_TEARDOWN)
		cur = base;
}

/* outside - pald's own code is running, in no BDB or other phase */
static int
outside(void)
{
	return on() && (cur == P_START || cur == P_OTHER || cur == P_TEARDOWN);
}

static void
mflush(void)
{
	int	 fd;

	if (mlen == 0 || logpath[0] == '\0')
		return;
	if ((fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT, 0644)) != -1) {
		(void)write(fd, mbuf, mlen);
		(void)close(fd);
	}
	mlen = 0;
}

static void	 mline(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static void
mline(const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (mlen > sizeof(mbuf) - 256)
		mflush();
	va_start(ap, fmt);
	n = vsnprintf(mbuf + mlen, sizeof(mbuf) - mlen, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(mbuf) - mlen)
		mlen += (size_t)n;
}

__attribute__((constructor)) static void
phases_init(void)
{
	const char	*p = getenv("PHASES_LOG");

	if (p == NULL || *p == '\0' || strlen(p) >= sizeof(logpath) ||
	    strcmp(program_invocation_short_name, "pald") != 0)
		return;
	memcpy(logpath, p, strlen(p) + 1);
	active = 1;
}

__attribute__((destructor)) static void
phases_fini(void)
{
	if (active && !child)
		mflush();
}

pid_t
fork(void)
{
	struct rusage	 ru;
	uint64_t	 c0, f0;
	pid_t		 pid;

	REAL(r_fork, "fork");
	if (!active || child)
		return r_fork();
	(void)getrusage(RUSAGE_THREAD, &ru);
	f0 = (uint64_t)ru.ru_minflt;
	c0 = ns(CLOCK_THREAD_CPUTIME_ID);
	pid = r_fork();
	if (pid == 0) {
		child = 1;
		mainthr = 1;
		mlen = 0;
		memset(acc, 0, sizeof(acc));
		cur = base = P_START;
		depth = 0;
		sfd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
		take(&last);
		return 0;
	}
	if (pid > 0) {
		c0 = ns(CLOCK_THREAD_CPUTIME_ID) - c0;
		(void)getrusage(RUSAGE_THREAD, &ru);
		mline("F pid=%ld cpu_ns=%llu flt=%llu\n", (long)pid,
		    (unsigned long long)c0,
		    (unsigned long long)((uint64_t)ru.ru_minflt - f0));
	}
	return pid;
}

pid_t
waitpid(pid_t pid, int *st, int options)
{
	struct rusage	 ru;
	pid_t		 r;

	REAL(r_waitpid, "waitpid");
	if (!active || child)
		return r_waitpid(pid, st, options);
	memset(&ru, 0, sizeof(ru));
	if ((r = wait4(pid, st, options, &ru)) > 0)
		mline("R pid=%ld cpu_ns=%llu flt=%ld\n", (long)r,
		    (unsigned long long)(ru.ru_utime.tv_sec +
		    ru.ru_stime.tv_sec) * 1000000000u +
		    (unsigned long long)(ru.ru_utime.tv_usec +
		    ru.ru_stime.tv_usec) * 1000u, ru.ru_minflt);
	return r;
}

/*
 * title - the process's title (setproctitle's, without "pald: "), blanks
 * as '_': "client", "keeper", "store", "voice", "nick address", or the command
 * line of a child that set none (pald's recovery child)
 */
static void
title(char *t, size_t cap)
{
	ssize_t	 n;
	char	*p;
	int	 fd;

	t[0] = '\0';
	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, t, cap - 1);
	(void)close(fd);
	t[n > 0 ? n : 0] = '\0';
	if (strncmp(t, "pald: ", 6) == 0)
		memmove(t, t + 6, strlen(t + 6) + 1);
	for (p = t + strlen(t); p > t && p[-1] == ' '; p--)
		*p = '\0';
	*p = '\0';
	for (p = t; *p != '\0'; p++)
		if (*p == ' ' || *p == '=')
			*p = '_';
}

void
_exit(int status)
{
	char		 b[2048], t[64];
	size_t		 len;
	int		 fd, i, n;
	const char	*kind;

	REAL(r_exit, "_exit");
	if (on()) {
		charge();
		cur = P_EXIT;
		title(t, sizeof(t));
		/*
		 * a session child's title is "client" or "nick address";
		 * the recovery child (the command line) never polls
		 */
		kind = strcmp(t, "store") == 0 || strcmp(t, "keeper") == 0 ||
		    strcmp(t, "voice") == 0 ||
		    acc[P_POLL].calls == 0 ? "other" :
		    ncrypt > 0 ? "login" : nfiles > 0 ? "getuin" : "other";
		n = snprintf(b, sizeof(b), "C pid=%ld kind=%s files=%d "
		    "title=%s", (long)getpid(), kind, nfiles, t);
		len = n > 0 ? (size_t)n : 0;
		for (i = 0; i < P_COUNT && len < sizeof(b) - 128; i++) {
			if (acc[i].calls == 0 && acc[i].cpu == 0)
				continue;
			n = snprintf(b + len, sizeof(b) - len,
			    " %s=%llu/%llu/%llu/%llu/%llu/%llu/%llu", pname[i],
			    (unsigned long long)acc[i].cpu,
			    (unsigned long long)acc[i].delay,
			    (unsigned long long)acc[i].wall,
			    (unsigned long long)acc[i].flt,
			    (unsigned long long)acc[i].calls,
			    (unsigned long long)acc[i].mwait,
			    (unsigned long long)acc[i].mwaits);
			if (n > 0)
				len += (size_t)n;
		}
		n = snprintf(b + len, sizeof(b) - len, " atexit_ns=%llu\n",
		    (unsigned long long)ns(CLOCK_PROCESS_CPUTIME_ID));
		if (n > 0 && len + (size_t)n < sizeof(b))
			len += (size_t)n;
		if ((fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT,
		    0644)) != -1) {
			(void)write(fd, b, len);
			(void)close(fd);
		}
	} else if (active)
		mflush();
	r_exit(status);
	for (;;)
		;		/* not reached: _exit does not return */
}

int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	int	 r, e;

	REAL(r_poll, "poll");
	if (base == P_START)
		base = P_OTHER;	/* leave() returns to the protocol */
	enter(P_POLL);
	r = r_poll(fds, n, timeout);
	e = errno;
	leave();
	errno = e;
	return r;
}

ssize_t
read(int fd, void *b, size_t n)
{
	ssize_t	 r;
	int	 e;

	REAL(r_read, "read");
	if (!outside())
		return r_read(fd, b, n);
	enter(P_IO);
	r = r_read(fd, b, n);
	e = errno;
	if (r == 0 && base == P_OTHER)
		base = P_TEARDOWN;	/* the client closed (read_frames) */
	leave();
	errno = e;
	return r;
}

ssize_t
write(int fd, const void *b, size_t n)
{
	ssize_t	 r;
	int	 e;

	REAL(r_write, "write");
	if (!outside())
		return r_write(fd, b, n);
	enter(P_IO);
	r = r_write(fd, b, n);
	e = errno;
	leave();
	errno = e;
	return r;
}

ssize_t
sendto(int fd, const void *b, size_t n, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	ssize_t	 r;
	int	 e;

	REAL(r_sendto, "sendto");
	if (!outside())
		return r_sendto(fd, b, n, flags, to, tolen);
	enter(P_IO);
	r = r_sendto(fd, b, n, flags, to, tolen);
	e = errno;
	leave();
	errno = e;
	return r;
}

ssize_t
recv(int fd, void *b, size_t n, int flags)
{
	ssize_t	 r;
	int	 e;

	REAL(r_recv, "recv");
	if (!outside())
		return r_recv(fd, b, n, flags);
	enter(P_IO);
	r = r_recv(fd, b, n, flags);
	e = errno;
	leave();
	errno = e;
	return r;
}

int
select(int n, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
	int	 rv, e;

	REAL(r_select, "select");
	enter(P_SLEEP);
	rv = r_select(n, r, w, x, tv);
	e = errno;
	leave();
	errno = e;
	return rv;
}

int
fcntl(int fd, int cmd, ...)
{
	va_list	 ap;
	void	*arg;
	int	 r, e, lock;

	REAL(r_fcntl, "fcntl");
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	lock = cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK ||
	    cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;
	if (lock)
		enter(base == P_TEARDOWN ? P_FLOCK_END : P_FLOCK);
	r = r_fcntl(fd, cmd, arg);
	e = errno;
	if (lock)
		leave();
	errno = e;
	return r;
}

/* waited - a lock wait of t0..now in the current phase */
static void
waited(uint64_t t0)
{
	acc[cur].mwait += ns(CLOCK_MONOTONIC) - t0;
	acc[cur].mwaits++;
}

int
pthread_mutex_lock(pthread_mutex_t *m)
{
	uint64_t	 t0;
	int		 r;

	REAL(r_mutex_lock, "pthread_mutex_lock");
	REAL(r_mutex_trylock, "pthread_mutex_trylock");
	if (!on() || inwait)
		return r_mutex_lock(m);
	if ((r = r_mutex_trylock(m)) != EBUSY)
		return r;
	t0 = ns(CLOCK_MONOTONIC);
	inwait = 1;
	r = r_mutex_lock(m);
	inwait = 0;
	waited(t0);
	return r;
}

int
pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	uint64_t	 t0;
	int		 r;

	REAL(r_rd, "pthread_rwlock_rdlock");
	REAL(r_tryrd, "pthread_rwlock_tryrdlock");
	if (!on() || inwait)
		return r_rd(l);
	if ((r = r_tryrd(l)) != EBUSY)
		return r;
	t0 = ns(CLOCK_MONOTONIC);
	inwait = 1;
	r = r_rd(l);
	inwait = 0;
	waited(t0);
	return r;
}

int
pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	uint64_t	 t0;
	int		 r;

	REAL(r_wr, "pthread_rwlock_wrlock");
	REAL(r_trywr, "pthread_rwlock_trywrlock");
	if (!on() || inwait)
		return r_wr(l);
	if ((r = r_trywr(l)) != EBUSY)
		return r;
	t0 = ns(CLOCK_MONOTONIC);
	inwait = 1;
	r = r_wr(l);
	inwait = 0;
	waited(t0);
	return r;
}

int
pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	uint64_t	 t0;
	int		 r;

	if (r_cwait == NULL)
		vsym(&r_cwait, sizeof(r_cwait), "pthread_cond_wait");
	if (!on() || inwait)
		return r_cwait(c, m);
	t0 = ns(CLOCK_MONOTONIC);
	inwait = 1;
	r = r_cwait(c, m);
	inwait = 0;
	waited(t0);
	return r;
}

int
pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
    const struct timespec *ts)
{
	uint64_t	 t0;
	int		 r;

	if (r_ctwait == NULL)
		vsym(&r_ctwait, sizeof(r_ctwait), "pthread_cond_timedwait");
	if (!on() || inwait)
		return r_ctwait(c, m, ts);
	t0 = ns(CLOCK_MONOTONIC);
	inwait = 1;
	r = r_ctwait(c, m, ts);
	inwait = 0;
	waited(t0);
	return r;
}

char *
crypt_r(const char *pw, const char *setting, struct crypt_data *cd)
{
	char	*h;

	REAL(r_crypt_r, "crypt_r");
	if (on())
		ncrypt++;
	enter(P_BCRYPT);
	h = r_crypt_r(pw, setting, cd);
	leave();
	return h;
}

/* BDB's methods, wrapped per handle */

static int
w_commit(DB_TXN *t, u_int32_t flags)
{
	int	 r;

	/* the transaction's phase (txn_r or txn_w) ends with its commit */
	swap(cur == P_TXN_R ? P_COMMIT_R : P_COMMIT_W);
	r = m_commit(t, flags);
	leave();
	return r;
}

static int
w_abort(DB_TXN *t)
{
	int	 r;

	swap(P_ABORT);
	r = m_abort(t);
	leave();
	return r;
}

static int
w_txn_begin(DB_ENV *env, DB_TXN *parent, DB_TXN **tp, u_int32_t flags)
{
	int	 r;

	enter(flags & DB_READ_COMMITTED ? P_TXN_R : P_TXN_W);
	if ((r = m_txn_begin(env, parent, tp, flags)) != 0) {
		leave();
		return r;
	}
	if (m_commit == NULL) {
		m_commit = (*tp)->commit;
		m_abort = (*tp)->abort;
	}
	(*tp)->commit = w_commit;
	(*tp)->abort = w_abort;
	return 0;
}

static int
w_env_open(DB_ENV *env, const char *home, u_int32_t flags, int mode)
{
	int	 r;

	enter(P_ENVOPEN);
	r = m_env_open(env, home, flags, mode);
	leave();
	return r;
}

static int
w_env_close(DB_ENV *env, u_int32_t flags)
{
	int	 r;

	enter(P_ENVCLOSE);
	r = m_env_close(env, flags);
	leave();
	return r;
}

static int
w_db_open(DB *d, DB_TXN *t, const char *file, const char *database,
    DBTYPE type, u_int32_t flags, int mode)
{
	int	 r;

	if (on())
		nfiles++;
	enter(P_FOPEN);
	r = m_db_open(d, t, file, database, type, flags, mode);
	leave();
	return r;
}

static int
w_db_close(DB *d, u_int32_t flags)
{
	int	 r;

	enter(P_FCLOSE);
	r = m_db_close(d, flags);
	leave();
	return r;
}

int
db_env_create(DB_ENV **envp, u_int32_t flags)
{
	DB_ENV	*env;
	int	 r;

	REAL(r_env_create, "db_env_create");
	if ((r = r_env_create(envp, flags)) != 0 || !active)
		return r;
	env = *envp;
	if (m_env_open == NULL) {
		m_env_open = env->open;
		m_env_close = env->close;
		m_txn_begin = env->txn_begin;
	}
	env->open = w_env_open;
	env->close = w_env_close;
	env->txn_begin = w_txn_begin;
	return 0;
}

int
db_create(DB **dbp, DB_ENV *env, u_int32_t flags)
{
	DB	*d;
	int	 r;

	REAL(r_db_create, "db_create");
	if ((r = r_db_create(dbp, env, flags)) != 0 || !active)
		return r;
	d = *dbp;
	if (m_db_open == NULL) {
		m_db_open = d->open;
		m_db_close = d->close;
	}
	d->open = w_db_open;
	d->close = w_db_close;
	return 0;
}
