/*
 * proc.h - what each of pald's processes sets up for itself (proc.c).
 */
#ifndef PALD_PROC_H
#define PALD_PROC_H

#include <sys/types.h>

/* proc_signal - one disposition: no SA_RESTART, so poll and accept wake */
void	 proc_signal(int, void (*)(int));
/* proc_signals - SIGTERM, SIGINT and SIGHUP to the handler; SIGPIPE ignored */
void	 proc_signals(void (*)(int));
/* proc_nonblock - O_NONBLOCK on a descriptor; -1 with errno */
int	 proc_nonblock(int);

/*
 * proc_sendfd - descriptor fd and len bytes of buf over a UNIX socket in
 * one message (SCM_RIGHTS); 0, or -1 with errno (a dead peer: EPIPE)
 */
int	 proc_sendfd(int, int, const void *, size_t);
/*
 * proc_recvfd - one such message: its length (0 at end-of-file, -1 on
 * an error or a truncated message) and the descriptor in *fd (-1: none;
 * the caller closes it whatever the length)
 */
ssize_t	 proc_recvfd(int, int *, void *, size_t);

#endif /* PALD_PROC_H */
