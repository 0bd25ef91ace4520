/*
 * proc.c - what each of pald's processes sets up for itself: the
 * dispositions of its signals and non-blocking descriptors; and a
 * descriptor passed between processes (the pool's hand-over).
 *
 * The master (pald.c), a session's process (child.c), the store keeper
 * and the voice child (voice.c) each choose their own handlers; what
 * they share is the way a disposition is set.  Handlers only set flags
 * (and the master's writes a byte to its self-pipe), and none is
 * installed with SA_RESTART, so that a signal wakes a blocked poll or
 * accept instead of being seen at the next client.  SIGPIPE is ignored
 * everywhere: a write to a closed socket fails with EPIPE instead.
 * No state and no logging here: the callers say what went wrong.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>

#include "proc.h"

/* proc_signal - sig to fn (a handler, SIG_IGN or SIG_DFL), nothing masked */
void
proc_signal(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = fn;
	(void)sigaction(sig, &sa, NULL);
}

/* proc_signals - the signals that stop or reload a process, and SIGPIPE */
void
proc_signals(void (*fn)(int))
{
	proc_signal(SIGTERM, fn);
	proc_signal(SIGINT, fn);
	proc_signal(SIGHUP, fn);
	proc_signal(SIGPIPE, SIG_IGN);
}

/* proc_nonblock - O_NONBLOCK on a descriptor */
int
proc_nonblock(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* fdmsg - a message of len bytes at buf with room for one descriptor */
struct fdmsg {
	struct msghdr	 msg;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		unsigned char	 buf[CMSG_SPACE(sizeof(int))];
	}		 cbuf;
};

static void
fdmsg_init(struct fdmsg *m, const void *buf, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->iov.iov_base = (void *)(uintptr_t)buf;
	m->iov.iov_len = len;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->cbuf.buf;
	m->msg.msg_controllen = sizeof(m->cbuf.buf);
}

int
proc_sendfd(int sock, int fd, const void *buf, size_t len)
{
	struct fdmsg	 m;
	struct cmsghdr	*cm;
	ssize_t		 n;

	fdmsg_init(&m, buf, len);
	cm = CMSG_FIRSTHDR(&m.msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	while ((n = sendmsg(sock, &m.msg, MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	return n == (ssize_t)len ? 0 : -1;
}

ssize_t
proc_recvfd(int sock, int *fd, void *buf, size_t len)
{
	struct fdmsg	 m;
	struct cmsghdr	*cm;
	ssize_t		 n;

	*fd = -1;
	fdmsg_init(&m, buf, len);
	while ((n = recvmsg(sock, &m.msg, 0)) == -1 && errno == EINTR)
		;
	for (cm = CMSG_FIRSTHDR(&m.msg); n >= 0 && cm != NULL;
	    cm = CMSG_NXTHDR(&m.msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)) && *fd == -1)
			memcpy(fd, CMSG_DATA(cm), sizeof(*fd));
	if (n >= 0 && (m.msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return -1;	/* the caller closes *fd */
	return n;
}
