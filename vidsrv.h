/*
 * vidsrv.h - the voice child's room video server (vidsrv.c).
 */
#ifndef PALD_VIDSRV_H
#define PALD_VIDSRV_H

#include <stddef.h>
#include <stdint.h>

#include "pald.h"

struct pollfd;
struct table;

#define VS_CONNS	64	/* connections at once */
#define VS_FDS		(VS_CONNS + 1)	/* and the listener */

/*
 * vidsrv_init - the table, the configuration and the video port's
 * listening socket (bound by the master; -1: no room video)
 */
void	 vidsrv_init(struct table *, const struct pald_conf *, int);
/* vidsrv_conf - a reloaded configuration: video_frame_max, video_rate */
void	 vidsrv_conf(const struct pald_conf *);
/* vidsrv_tick - publishers and viewers read again, timeouts (ms now) */
void	 vidsrv_tick(int64_t);
/* vidsrv_poll - the descriptors to poll, at most the count given; count */
int	 vidsrv_poll(struct pollfd *, int, int64_t);
/* vidsrv_input - what poll found on them (the same array and count) */
void	 vidsrv_input(const struct pollfd *, int, int64_t);
/* vidsrv_stop - closes everything and logs the totals */
void	 vidsrv_stop(void);

/*
 * vidsrv_request - a viewer's request line (without its \n): "GET
 * /ab?1&A&B&TOKEN", maybe followed by " HTTP/1.x" or \r.  A and B into
 * *a and *b: 0, or -1 if the line is not such a request.
 */
int	 vidsrv_request(const char *, size_t, uint32_t *, uint32_t *);

#endif /* PALD_VIDSRV_H */
