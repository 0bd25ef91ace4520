/*
 * floor.c - what pald's fixed process design costs on this machine at the
 * least, with nothing of pald in it: the floor that pald's own figures
 * (run-login.sh, run-room.sh, run-voice.sh) are compared with.
 *
 * usage: floor fork [-n connections]
 *	  floor fanout [-m members] [-k lines] [-i interval_ms]
 *	  floor relay [-l listeners] [-k units] [-i interval_ms] [-t threads]
 *
 * fork	  A bare fork-per-connection server: accept, fork, the child reads
 *	  one byte, writes one, exits; the server reaps.  One client makes
 *	  the connections one after another.  Prints the server's CPU (its
 *	  own and its children's) per connection.  A pald login is two such
 *	  connections (GET_UIN, then LOGIN), plus everything pald does.
 * fanout A room line as pald carries it, minus pald: the sender (a
 *	  process that reads the line from its TCP client) puts it in shared
 *	  memory and rings each of M member processes with a one-byte UNIX
 *	  datagram; each member, asleep in poll, takes the bell, reads the
 *	  line and writes 152 bytes to its own TCP client.  The clients are
 *	  one epoll process, as in run-room.sh.  Prints send->delivered
 *	  latency p50/p99/max and the server's CPU per delivery.
 * relay  A voice unit as pald's voice child carries it, minus pald: one
 *	  process reads a 152-byte unit from the speaker's TCP connection
 *	  and writes it to each of L listeners' TCP connections.  Prints
 *	  the latency as fanout does, and the relay's CPU per unit.  With
 *	  -t, T threads of that process write to a share of the listeners
 *	  each (the first reads the unit and wakes the others).
 *
 * Only 127.0.0.1.  Bounded: every wait has a deadline (the lines' time
 * plus 10 s); every process it starts is its own child, ended by pid.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <pthread.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define UNIT	152		/* a voice unit; about a short room line */
#define MAXN	2000

static int	 nthreads = 1;	/* relay -t */

/* A relay's unit, handed from the reading thread to the writers. */
static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned char	 u[UNIT];
	uint64_t	 seq;
	const int	*fds;
	int		 n;
} hand = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0,
    NULL, 0 };

struct line {
	int64_t		 sent;	/* CLOCK_MONOTONIC ns */
	uint32_t	 seq;
};

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long
num(const char *s, long lo, long hi)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		errx(2, "%s: not a number in %ld..%ld", s, lo, hi);
	return v;
}

/* listener - a TCP socket on 127.0.0.1, any port; *sin gets the address */
static int
listener(struct sockaddr_in *sin)
{
	socklen_t	 len = sizeof(*sin);
	int		 fd;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(fd, 128) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1)
		err(1, "listener");
	return fd;
}

/* pair - a connected TCP pair over 127.0.0.1: *c the client's end */
static int
pair(int lfd, const struct sockaddr_in *sin, int *c)
{
	int	 one = 1, s;

	if ((*c = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(*c, (const struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    (s = accept(lfd, NULL, NULL)) == -1)
		err(1, "connect/accept");
	(void)setsockopt(*c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * proc_cpu_us - time the live process pid (all its threads) has run so
 * far, in us: schedstat's run time, exact, where /proc/PID/stat is in
 * clock ticks and a member's share of a run is below one
 */
static double
proc_cpu_us(pid_t pid)
{
	char			 path[64];
	unsigned long long	 ns;
	FILE			*f;
	int			 ok;

	(void)snprintf(path, sizeof(path), "/proc/%ld/schedstat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	ok = fscanf(f, "%llu", &ns) == 1;
	(void)fclose(f);
	return ok ? ns / 1e3 : 0;
}

/* procs_cpu_us - the sum of proc_cpu_us over n pids */
static double
procs_cpu_us(const pid_t *pid, int n)
{
	double	 t = 0;
	int	 i;

	for (i = 0; i < n; i++)
		t += proc_cpu_us(pid[i]);
	return t;
}

/* children_cpu_us - user+system CPU of the reaped children, in us */
static double
children_cpu_us(void)
{
	struct rusage	 ru;

	(void)getrusage(RUSAGE_CHILDREN, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/*
 * collect - read UNIT-byte deliveries from the n client sockets c[] until
 * want arrived or the deadline; the latencies into lat[]; returns the count
 */
static long
collect(const int *c, int n, long want, int64_t deadline, int64_t *lat,
    int speaker, int interval, int nunits)
{
	struct epoll_event	 ev, evs[64];
	unsigned char		*part;
	size_t			*have;
	struct line		 ln;
	int64_t			 next = now_ns();
	long			 got = 0;
	int			 ep, i, k, sent = 0, timeout;
	ssize_t			 r;

	if ((ep = epoll_create1(0)) == -1)
		err(1, "epoll_create1");
	part = calloc((size_t)n, UNIT);
	have = calloc((size_t)n, sizeof(*have));
	if (part == NULL || have == NULL)
		err(1, "calloc");
	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c[i], &ev) == -1)
			err(1, "epoll_ctl");
	}
	while (got < want && now_ns() < deadline) {
		if (sent < nunits && now_ns() >= next) {
			unsigned char	 u[UNIT];

			memset(u, 0, sizeof(u));
			ln.sent = now_ns();
			ln.seq = (uint32_t)sent++;
			memcpy(u, &ln, sizeof(ln));
			if (write(speaker, u, sizeof(u)) != (ssize_t)sizeof(u))
				err(1, "speaker write");
			next += (int64_t)interval * 1000000;
		}
		timeout = sent < nunits ?
		    (int)((next - now_ns()) / 1000000) : 100;
		if (timeout < 0)
			timeout = 0;
		if ((k = epoll_wait(ep, evs, 64, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		for (i = 0; i < k; i++) {
			uint32_t x = evs[i].data.u32;

			r = read(c[x], part + (size_t)x * UNIT + have[x],
			    UNIT - have[x]);
			if (r <= 0)
				errx(1, "client %u: %s", x, r == 0 ? "EOF" :
				    strerror(errno));
			have[x] += (size_t)r;
			if (have[x] < UNIT)
				continue;
			memcpy(&ln, part + (size_t)x * UNIT, sizeof(ln));
			lat[got++] = now_ns() - ln.sent;
			have[x] = 0;
		}
	}
	free(part);
	free(have);
	(void)close(ep);
	return got;
}

static void
report(const char *what, int n, int units, long want, long got,
    int64_t *lat, double cpu_us, double per)
{
	qsort(lat, (size_t)got, sizeof(*lat), cmp64);
	printf("floor %s n=%d units=%d deliveries=%ld/%ld lost=%ld "
	    "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f server_us=%.1f\n",
	    what, n, units, got, want, want - got,
	    got ? lat[got / 2] / 1e6 : 0.0,
	    got ? lat[(got * 99) / 100] / 1e6 : 0.0,
	    got ? lat[got - 1] / 1e6 : 0.0, cpu_us / per);
}

/* do_fork - the bare fork-per-connection server */
static void
do_fork(int n)
{
	struct sockaddr_in sin;
	struct rusage	 ru;
	pid_t		 srv, p;
	int		 lfd, i, s, c;
	char		 b = 'x';

	lfd = listener(&sin);
	if ((srv = fork()) == -1)
		err(1, "fork");
	if (srv == 0) {
		for (i = 0; i < n; i++) {
			if ((s = accept(lfd, NULL, NULL)) == -1)
				err(1, "accept");
			if ((p = fork()) == -1)
				err(1, "fork");
			if (p == 0) {
				if (read(s, &b, 1) == 1)
					(void)write(s, &b, 1);
				_exit(0);
			}
			(void)close(s);
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
		while (wait(NULL) > 0)
			;
		(void)getrusage(RUSAGE_SELF, &ru);
		printf("floor fork n=%d server_us_per_connection=%.1f\n", n,
		    (children_cpu_us() + (ru.ru_utime.tv_sec +
		    ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec +
		    ru.ru_stime.tv_usec) / n);
		_exit(0);
	}
	(void)close(lfd);
	for (i = 0; i < n; i++) {
		if ((c = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(c, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    write(c, &b, 1) != 1 || read(c, &b, 1) != 1)
			err(1, "client");
		(void)close(c);
	}
	(void)waitpid(srv, NULL, 0);
}

/* do_fanout - sender and M members, woken one by one by a bell each */
static void
do_fanout(int m, int k, int interval)
{
	struct sockaddr_in sin;
	struct line	*shared;
	int		(*bell)[2], *c, *srv, lfd, spk, spks, i;
	pid_t		*pid, sender;
	int64_t		*lat;
	long		 got, want = (long)m * k;
	double		 cpu;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bell = calloc((size_t)m, sizeof(*bell));
	c = calloc((size_t)m, sizeof(*c));
	srv = calloc((size_t)m, sizeof(*srv));
	pid = calloc((size_t)m + 1, sizeof(*pid));
	lat = calloc((size_t)want + 1, sizeof(*lat));
	if (shared == MAP_FAILED || !bell || !c || !srv || !pid || !lat)
		err(1, "memory");
	lfd = listener(&sin);
	for (i = 0; i < m; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, bell[i]) == -1)
			err(1, "socketpair");
		srv[i] = pair(lfd, &sin, &c[i]);
		if ((pid[i] = fork()) == -1)
			err(1, "fork");
		if (pid[i] == 0) {
			struct pollfd	 pfd[2];
			unsigned char	 u[UNIT], x8;
			int		 x;
			struct line	 ln;

			/* as few descriptors as a pald child has */
			for (x = 0; x < i; x++) {
				(void)close(c[x]);
				(void)close(bell[x][0]);
			}
			(void)close(c[i]);
			(void)close(bell[i][0]);
			(void)close(lfd);
			memset(u, 0, sizeof(u));
			pfd[0].fd = bell[i][1];
			pfd[0].events = POLLIN;
			pfd[1].fd = srv[i];
			pfd[1].events = POLLIN;
			for (;;) {
				if (poll(pfd, 2, -1) == -1)
					continue;
				if (pfd[1].revents)
					_exit(0);	/* client gone */
				if (recv(bell[i][1], &x8, 1, 0) != 1 || x8 == 0)
					_exit(0);
				ln = *shared;
				memcpy(u, &ln, sizeof(ln));
				if (write(srv[i], u, sizeof(u)) != UNIT)
					_exit(1);
			}
		}
		(void)close(srv[i]);
		(void)close(bell[i][1]);
	}
	spks = pair(lfd, &sin, &spk);
	if ((sender = pid[m] = fork()) == -1)
		err(1, "fork");
	if (sender == 0) {
		unsigned char	 u[UNIT], one = 1;

		(void)close(spk);
		for (;;) {
			if (read(spks, u, sizeof(u)) != (ssize_t)sizeof(u))
				_exit(0);
			memcpy(shared, u, sizeof(*shared));
			for (i = 0; i < m; i++)
				(void)send(bell[i][0], &one, 1, 0);
		}
	}
	(void)close(spks);
	cpu = procs_cpu_us(pid, m + 1);
	got = collect(c, m, want, now_ns() + ((int64_t)k * interval + 10000) *
	    1000000, lat, spk, interval, k);
	cpu = procs_cpu_us(pid, m + 1) - cpu;
	(void)close(spk);
	for (i = 0; i < m; i++) {
		unsigned char	 zero = 0;

		(void)send(bell[i][0], &zero, 1, 0);	/* members: stop */
		(void)close(c[i]);
	}
	while (wait(NULL) > 0)
		;
	report("fanout", m, k, want, got, lat, cpu, got ? (double)got : 1);
}

/* share - thread t's share of the fds: [*lo, *hi) */
static void
share(int t, int *lo, int *hi)
{
	*lo = hand.n * t / nthreads;
	*hi = hand.n * (t + 1) / nthreads;
}

/* writer - relay -t: thread t writes each unit to its share */
static void *
writer(void *arg)
{
	unsigned char	 u[UNIT];
	uint64_t	 seen = 0;
	int		 t = (int)(intptr_t)arg, lo, hi, i;

	share(t, &lo, &hi);
	for (;;) {
		(void)pthread_mutex_lock(&hand.mu);
		while (hand.seq == seen)
			(void)pthread_cond_wait(&hand.cv, &hand.mu);
		seen = hand.seq;
		memcpy(u, hand.u, UNIT);
		(void)pthread_mutex_unlock(&hand.mu);
		for (i = lo; i < hi; i++)
			(void)write(hand.fds[i], u, UNIT);
	}
	return NULL;
}

/* do_relay - one process writes each unit to L listeners */
static void
do_relay(int l, int k, int interval)
{
	struct sockaddr_in sin;
	int		*c, *srv, lfd, spk, spks, i;
	pid_t		 relay;
	int64_t		*lat;
	long		 got, want = (long)l * k;
	double		 cpu;

	c = calloc((size_t)l, sizeof(*c));
	srv = calloc((size_t)l, sizeof(*srv));
	lat = calloc((size_t)want + 1, sizeof(*lat));
	if (!c || !srv || !lat)
		err(1, "memory");
	lfd = listener(&sin);
	for (i = 0; i < l; i++)
		srv[i] = pair(lfd, &sin, &c[i]);
	spks = pair(lfd, &sin, &spk);
	if ((relay = fork()) == -1)
		err(1, "fork");
	if (relay == 0) {
		unsigned char	 u[UNIT];
		size_t		 have = 0;
		ssize_t		 r;

		pthread_t	 th;
		int		 lo, hi, t;

		(void)close(spk);
		hand.fds = srv;
		hand.n = l;
		for (t = 1; t < nthreads; t++)
			if (pthread_create(&th, NULL, writer,
			    (void *)(intptr_t)t) != 0)
				errx(1, "pthread_create");
		share(0, &lo, &hi);
		for (;;) {
			if ((r = read(spks, u + have, UNIT - have)) <= 0)
				_exit(0);
			if ((have += (size_t)r) < UNIT)
				continue;
			have = 0;
			if (nthreads > 1) {
				(void)pthread_mutex_lock(&hand.mu);
				memcpy(hand.u, u, UNIT);
				hand.seq++;
				(void)pthread_cond_broadcast(&hand.cv);
				(void)pthread_mutex_unlock(&hand.mu);
			}
			for (i = lo; i < hi; i++)
				(void)write(srv[i], u, UNIT);
		}
	}
	for (i = 0; i < l; i++)
		(void)close(srv[i]);
	(void)close(spks);
	cpu = proc_cpu_us(relay);
	got = collect(c, l, want, now_ns() + ((int64_t)k * interval + 10000) *
	    1000000, lat, spk, interval, k);
	cpu = proc_cpu_us(relay) - cpu;
	(void)close(spk);
	(void)waitpid(relay, NULL, 0);
	report(nthreads > 1 ? "relay-threads" : "relay", l, k, want, got, lat,
	    cpu, (double)k);
}

static void
usage(void)
{
	fprintf(stderr, "usage: floor fork [-n connections]\n"
	    "       floor fanout [-m members] [-k lines] [-i interval_ms]\n"
	    "       floor relay [-l listeners] [-k units] [-i interval_ms] "
	    "[-t threads]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct rlimit	 rl;
	const char	*mode;
	int		 ch, n = 1000, m = 250, k = 30, interval = 100;

	if (argc < 2)
		usage();
	mode = argv[1];
	argc--;
	argv++;
	if (strcmp(mode, "relay") == 0) {
		k = 100;
		interval = 80;
	}
	while ((ch = getopt(argc, argv, "n:m:l:k:i:t:")) != -1) {
		switch (ch) {
		case 'n':
			n = (int)num(optarg, 1, 100000);
			break;
		case 'm':
		case 'l':
			m = (int)num(optarg, 1, MAXN);
			break;
		case 'k':
			k = (int)num(optarg, 1, 10000);
			break;
		case 'i':
			interval = (int)num(optarg, 1, 10000);
			break;
		case 't':
			nthreads = (int)num(optarg, 1, 16);
			break;
		default:
			usage();
		}
	}
	(void)signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "fork") == 0)
		do_fork(n);
	else if (strcmp(mode, "fanout") == 0)
		do_fanout(m, k, interval);
	else if (strcmp(mode, "relay") == 0)
		do_relay(m, k, interval);
	else
		usage();
	return 0;
}
