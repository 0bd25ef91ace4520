/*
 * stall.c - stalled connections against pald (issue 14's probe): K
 * connections from A source addresses 127.0.0.2 .. 127.0.0.(A+1), each
 * of which sends nothing (or, with -h, half a packet header) and is
 * held; a connection the server ends is opened again, until the
 * duration is over.  Prints how many connections were opened, how many
 * the server refused with a text (SERVER_DISCONNECT, 0x044c) and how
 * many it closed without one.  Loopback only; bounded in count (-k, at
 * most 20000) and in time (-d, at most 600 s); SIGTERM ends it early, with
 * its report.
 *
 * usage: stall -p port [-k conns] [-a addrs] [-d seconds] [-h]
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KMAX	20000

static int	 port, nconn = 1000, naddr = 40, half;
static long	 opened, refused, closed, failed;
static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: stall -p port [-k conns] [-a addrs] "
	    "[-d seconds] [-h]\n");
	exit(2);
}

/* dial - one connection from 127.0.0.(2 + i % naddr); -1 on failure */
static int
dial(int ep, int i)
{
	struct sockaddr_in	 src, dst;
	struct epoll_event	 ev;
	static const unsigned char hdr[3] = { 0xff, 0x9c, 0x00 };
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f000002u + (unsigned)(i % naddr));
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) == -1) {
		(void)close(fd);
		failed++;
		return -1;
	}
	if (half)
		(void)write(fd, hdr, sizeof(hdr));
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)i << 32 | (uint32_t)fd;
	(void)epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	opened++;
	return fd;
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[256];
	unsigned char		 b[512];
	time_t			 end;
	ssize_t			 n;
	int			 ch, ep, i, k, fd, secs = 30;

	while ((ch = getopt(argc, argv, "a:d:hk:p:")) != -1) {
		switch (ch) {
		case 'a':
			naddr = atoi(optarg);
			break;
		case 'd':
			secs = atoi(optarg);
			break;
		case 'h':
			half = 1;
			break;
		case 'k':
			nconn = atoi(optarg);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (port <= 0 || port > 65535 || nconn < 1 || nconn > KMAX ||
	    naddr < 1 || naddr > 250 || secs < 1 || secs > 600)
		usage();
	(void)signal(SIGTERM, on_term);
	(void)signal(SIGPIPE, SIG_IGN);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return 1;
	for (i = 0; i < nconn && !stop; i++)
		(void)dial(ep, i);
	end = time(NULL) + secs;
	while (time(NULL) < end && !stop) {
		if ((k = epoll_wait(ep, evs, 256, 200)) == -1 &&
		    errno != EINTR)
			return 1;
		for (i = 0; i < k; i++) {
			fd = (int)(uint32_t)evs[i].data.u64;
			n = read(fd, b, sizeof(b));
			if (n > 0 && b[0] == 0x04 && b[1] == 0x4c)
				refused++;
			else if (n > 0)
				continue;
			else
				closed++;
			(void)close(fd);
			(void)dial(ep, (int)(evs[i].data.u64 >> 32));
		}
	}
	printf("stall conns=%d addrs=%d seconds=%d opened=%ld refused=%ld "
	    "closed=%ld failed=%ld\n", nconn, naddr, secs, opened, refused,
	    closed, failed);
	return 0;
}
