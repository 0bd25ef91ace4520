/*
 * proc.c - what each of pald's processes sets up for itself: the
 * dispositions of its signals and non-blocking descriptors.
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

#include <fcntl.h>
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
