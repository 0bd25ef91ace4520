/*
 * voice.h - the voice child: the rooms' audio over the voice port.
 */
#ifndef PALD_VOICE_H
#define PALD_VOICE_H

#include <sys/types.h>

#include "log.h"
#include "pald.h"

struct table;

#define VOICE_CONNS	1024	/* voice connections at once */
#define VOICE_HELLOS	64	/* of them still owing the handshake */
#define VOICE_HELLOS_ADDR 8	/* idle for 1 s, from one address */
#define VOICE_HELLO_SECS 10	/* to send the handshake */
#define VOICE_QUNITS	16	/* queued for a slow listener, then drops */
#define VOICE_RATE	25	/* units per second per source (5.0: 12.5) */
#define VOICE_BURST	50	/* and the burst above that */
#define VOICE_IDLE_MS	1500	/* silence that frees the mic */
#define VOICE_GRACE_MS	10000	/* to start talking when given the mic */
#define VOICE_TICK_MS	250	/* mic and membership checks */
#define VOICE_RESTART	5	/* seconds between restarts by the master */

/*
 * voice_main - serve the voice port on the listening socket fd (and, if
 * not -1, plain RTP for registered endpoints on the UDP socket, and room
 * video on the video port's listening socket) until SIGTERM.  The table is mapped; conffile (or NULL) is re-read on SIGHUP
 * for mic_time; parent, when not 0, is the master: the child ends when
 * it is gone, so that a new master can bind the port again.
 */
__dead void	 voice_main(int, int, int, struct table *,
		    const struct pald_conf *, const char *, pid_t);

/*
 * voice_check - may uid, connected from the address peer, have the voice
 * of room?  NULL (and the room), or why not.  The handshake's check.
 */
struct troom;
const char	*voice_check(struct table *, uint32_t, uint32_t, const char *,
		    struct troom *);

#endif /* PALD_VOICE_H */
