/*
 * proc.h - what each of pald's processes sets up for itself (proc.c).
 */
#ifndef PALD_PROC_H
#define PALD_PROC_H

/* proc_signal - one disposition: no SA_RESTART, so poll and accept wake */
void	 proc_signal(int, void (*)(int));
/* proc_signals - SIGTERM, SIGINT and SIGHUP to the handler; SIGPIPE ignored */
void	 proc_signals(void (*)(int));
/* proc_nonblock - O_NONBLOCK on a descriptor; -1 with errno */
int	 proc_nonblock(int);

#endif /* PALD_PROC_H */
