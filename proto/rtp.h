/*
 * proto/rtp.h - room voice as pure code: the voice port's framing, RTP
 * checks and rewriting, and the mic rules.
 *
 * The 5.0 client (PROTOCOL.md 6) opens a TCP connection to the voice
 * port, writes room(4) and uid(4) big-endian, then sends units: a 4-byte
 * big-endian length and an RTP packet (148 bytes from 5.0: version 2,
 * payload type 3, four 33-byte GSM frames and the speaker's uid
 * little-endian).  Nothing here does I/O, logs or keeps global state;
 * times are milliseconds on a monotonic clock, passed in.
 */
#ifndef PALD_PROTO_RTP_H
#define PALD_PROTO_RTP_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define RTP_HDRLEN	12
#define RTP_LEN_MIN	RTP_HDRLEN	/* shorter lengths close the link */
#define RTP_LEN_MAX	1024		/* longer lengths close the link */
#define RTP_PT_GSM	3
#define RTP_GSM_PAYLOAD	136		/* 4 x 33 GSM bytes + uid */
#define RTP_UNIT_MAX	(4 + RTP_LEN_MAX)
#define RTP_HELLO_LEN	8

/* Results of rtp_read. */
#define RTP_MORE	0	/* all input used, nothing complete yet */
#define RTP_HELLO	1	/* the handshake is complete: room, uid */
#define RTP_UNIT	2	/* a unit is complete in unit[0..unitlen) */
#define RTP_BADLEN	(-1)	/* a length out of range: close the link */

/*
 * An incremental reader for one voice connection.  It keeps at most one
 * unit, so its memory is fixed whatever the peer sends.
 */
struct rtp_reader {
	int		 state;		/* RS_* in rtp.c */
	size_t		 got;		/* bytes of the current item */
	uint32_t	 len;		/* RTP length of the current unit */
	uint32_t	 room, uid;	/* from the handshake */
	size_t		 unitlen;	/* 4 + len once complete */
	uint8_t		 unit[RTP_UNIT_MAX];
};

/* rtp_reader_init - hello: expect the 8-byte handshake first */
void		 rtp_reader_init(struct rtp_reader *, int);
/*
 * rtp_read - consume input from p[0..n): *used says how much.  Stops at
 * each complete item, so call again with the rest.
 */
int		 rtp_read(struct rtp_reader *, const uint8_t *, size_t,
		    size_t *);

/* Results of rtp_check. */
#define RTP_OK		0
#define RTP_EVERSION	1	/* not version 2 */
#define RTP_EHEADER	2	/* padding, extension or CSRC list */
#define RTP_ETYPE	3	/* payload type is not GSM */
#define RTP_ESHORT	4	/* payload shorter than 136 bytes */
#define RTP_ELEN	5	/* length out of range */

/* rtp_check - is p[0..len) an RTP packet as 5.0 sends it? */
int		 rtp_check(const uint8_t *, size_t);
const char	*rtp_strerror(int);
/* rtp_rewrite - SSRC (big-endian) and the last 4 bytes (little) := uid */
void		 rtp_rewrite(uint8_t *, size_t, uint32_t);
/*
 * Plain RTP over UDP carries the GSM frames only (RTP_GSM_UDP bytes: 4
 * frames, 80 ms), the 5.0 form adds the speaker's uid.  rtp_from_udp
 * makes a UDP packet p[0..len) 5.0-shaped in place (cap bytes there) and
 * returns its new length, or 0 if it is neither form; rtp_to_udp is the
 * length to send to a UDP listener.
 */
#define RTP_GSM_UDP	132
size_t		 rtp_from_udp(uint8_t *, size_t, size_t);
size_t		 rtp_to_udp(size_t);
/* rtp_unit - a length prefix and a copy of the packet; the total size */
size_t		 rtp_unit(uint8_t *, size_t, const uint8_t *, size_t);

/*
 * The mic.  The voice child remembers, per room, who it thinks holds the
 * mic, since when, and when that speaker was last heard; the room table
 * holds the speaker everyone else sees.
 */
struct mic {
	uint32_t	 speaker;	/* 0: free */
	int64_t		 since;		/* start of the turn (or grant) */
	int64_t		 heard;		/* last unit relayed; 0: none yet */
};

struct mic_rules {
	int64_t		 idle;		/* silence that ends a turn (1500) */
	int64_t		 grace;		/* to start talking when granted */
	int64_t		 maxtalk;	/* turn, when others wait; 0: none */
};

/* What the sender of a unit is to the room. */
struct mic_who {
	uint32_t	 uid;
	int		 reddot;	/* red-dotted: never heard */
	int		 allmics;	/* the room has all mics open */
	int		 waiting;	/* someone else has a hand raised */
};

/* Verdicts of mic_unit. */
#define MIC_RELAY	0	/* the sender holds the mic, or all mics open */
#define MIC_CLAIM	1	/* the mic was free: the sender takes it */
#define MIC_REDDOT	2	/* dropped: red-dotted */
#define MIC_BUSY	3	/* dropped: someone else holds the mic */
#define MIC_TIMEUP	4	/* dropped: the turn is over, others wait */

/* mic_sync - adopt a speaker that someone else put in the table */
void		 mic_sync(struct mic *, uint32_t, int64_t);
/* mic_unit - a unit arrived: may it be relayed?  Updates *m. */
int		 mic_unit(struct mic *, const struct mic_rules *,
		    const struct mic_who *, int64_t);
/* mic_over - is the turn over (silence, unused grant, time up)? */
int		 mic_over(const struct mic *, const struct mic_rules *, int,
		    int64_t);
/* mic_give - a turn for uid (0: free) starting now, not yet heard */
void		 mic_give(struct mic *, uint32_t, int64_t);

#endif /* PALD_PROTO_RTP_H */
