/*
 * relay.h - the voice child's relay of calls, transfers and video calls
 * between two users (relay.c).
 */
#ifndef PALD_RELAY_H
#define PALD_RELAY_H

#include <stdint.h>

#include "pald.h"

struct pollfd;
struct table;

#define RELAY_FDS	1024	/* descriptors the relay may hold */
#define RELAY_PIPES	64	/* file and picture connections at once */

/*
 * relay_init - the table, the configuration and the voice port's
 * listening socket, whose address the relay's sockets are bound to
 */
void	 relay_init(struct table *, const struct pald_conf *, int);
/* relay_conf - a reloaded configuration: file_max and file_rate */
void	 relay_conf(const struct pald_conf *);
/* relay_tick - the table's entries read again (VOICE_TICK_MS) */
void	 relay_tick(int64_t);
/* relay_poll - the descriptors to poll, at most the count given; count */
int	 relay_poll(struct pollfd *, int, int64_t);
/* relay_input - what poll found on them (the same array and count) */
void	 relay_input(const struct pollfd *, int, int64_t);
/* relay_wait - ms until relay_input wants to run without a poll event */
int	 relay_wait(int64_t);
/* relay_stop - closes everything and logs the totals */
void	 relay_stop(void);

#endif /* PALD_RELAY_H */
