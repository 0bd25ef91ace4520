/*
 * proto/wire.h - the Paltalk 5.0 wire protocol as pure code.
 *
 * Framing (6-byte big-endian header: type, version, length), the packet
 * type numbers, the "lymerick" password encoding, and key=value records.
 * Nothing here does I/O, logs, or keeps global state: every function works
 * on the buffers it is given, bounds every length, and reports errors by
 * its return value.  See ../shared/protocol/PROTOCOL.md.
 */
#ifndef PALD_PROTO_WIRE_H
#define PALD_PROTO_WIRE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define WIRE_HDRLEN		6
#define WIRE_VERSION_SERVER	0x001d	/* what real servers sent */
#define WIRE_VERSION_50		0x0047	/* what the 5.0 client sends */
#define WIRE_PAYLOAD_MAX	65535
#define REC_SEP			0xc8	/* between records in a list */

/* Packet types (signed 16 bit on the wire).  C = client, S = server. */
enum wire_type {
	PT_IM_IN		= 0x0014,	/* S: from(4) text */
	PT_KICK			= 0x002a,	/* S: text; client exits */
	PT_ANNOUNCE		= -39,		/* S: text in a message box */
	PT_BUDDY_LIST		= 0x0043,	/* S: records uid nickname */
	PT_SEARCH_RESULT	= 0x0045,	/* S: records */
	PT_USER_INFO		= 0x0044,	/* S: record for -68 */
	PT_RETURN_CODE		= 0x0064,	/* S: type(2) code(2) text */
	PT_INVITE_STATUS	= 0x00c8,	/* S: records email status */
	PT_HELLO		= -117,		/* S: text, ignored */
	PT_BUDDY_STATUS		= 0x0190,	/* S: uid(4) status(4) */
	PT_USER_DATA		= 0x019a,	/* S: record */
	PT_CATEGORY_LIST	= 0x019c,	/* S: records code value list */
	PT_BLOCK_RESPONSE	= 0x01f4,	/* S: uid(4) disp(2) text */
	PT_BLOCKED_LIST		= 0x01fe,	/* S: records uid nickname */
	PT_BANNER_INTERVAL	= 0x02b2,
	PT_SERVER_DISCONNECT	= 0x044c,	/* S: text; client disconnects */
	PT_UIN_RESPONSE		= 0x046b,	/* S: uid=N\nnickname=X\n */
	PT_SERVER_KEY		= 0x0474,	/* S: 4 bytes + 3 digits */
	PT_LOGIN_SUCCESS	= 0x04a6,	/* S: empty */
	PT_SEND_LOGIN		= -79,		/* S: like SERVER_KEY */
	PT_SEARCH_NONE		= -69,		/* S: empty: no results */
	PT_ROOM_JOINED		= 0x0136,	/* S: room(4) kind(2) admin(2) ... */
	PT_ROOM_USER_JOINED	= 0x0137,	/* S: user record(s) */
	PT_ROOM_VIDEO		= 0x0138,	/* S: room(4) uid(4) on(2) */
	PT_ROOM_MEDIA		= 0x013b,	/* S: room ip 0001869f 0000 port */
	PT_ROOM_USER_LEFT	= 0x0140,	/* S: room(4) uid(4) */
	PT_CATEGORY_COUNTS	= 0x014b,	/* S: records id # */
	PT_ROOM_LIST		= 0x014c,	/* S: catg= then room records */
	PT_ROOM_USERLIST	= 0x0154,	/* S: user records, eof=Y last */
	PT_ROOM_MESSAGE		= 0x015e,	/* S: room(4) from(4) text */
	PT_ROOM_TOPIC		= 0x015f,	/* S: room(4) by(4) text */
	PT_ROOM_SET_MIC		= 0x0163,	/* S: room(4) on(2) by(4) */
	PT_ROOM_INVITE		= 0x0168,	/* S: record */
	PT_ROOM_CLOSED		= 0x017c,	/* S: room(4) uid(4) text */
	PT_ROOM_REDDOT_ON	= 0x017d,	/* S: room(4) uid(4) */
	PT_ROOM_REDDOT_OFF	= 0x018d,	/* S: room(4) uid(4) */
	PT_ROOM_HAND_UP		= 0x018e,	/* S: room(4) uid(4) */
	PT_ROOM_HAND_DOWN	= 0x018f,	/* S: room(4) uid(4) */
	PT_ROOM_ADMIN_INFO	= 0x0384,	/* S: records */
	PT_FILE_REFUSED		= 0x01bb,	/* S: uid(4): refused, or ended */
	PT_FILE_ACCEPTED	= 0x01bc,	/* S: uid(4) ip(4) port(2) */
	PT_FILE_INVITE		= 0x01bd,	/* S: record */
	PT_CALL_HANGUP		= 0x01c3,	/* S: uid(4); 0x01c0 is the same */
	PT_CALL_CONNECT		= 0x01c1,	/* S: uid(4) ip(4) port(2) */
	PT_CALL_INVITE		= 0x01c2,	/* S: record */
	PT_VIDEO_INVITE		= 0x02bc,	/* S: record */
	PT_VIDEO_REFUSED	= 0x02bd,	/* S: uid(4) */
	PT_VIDEO_CONNECT	= 0x02c6,	/* S: uid(4) ip(4) port(2) */
	PT_VIDEO_HANGUP		= 0x02d0,	/* S: uid(4) */
	PT_VIDEO_PUBLISH	= 0x17d4,	/* S: room(4) ip(4) port(2) */
	PT_VIDEO_UNPUBLISH	= 0x17de,	/* S: empty: stop publishing */
	PT_VIDEO_VIEW		= 0x17e8,	/* S: uid room flags ip port(2) */

	PT_C_IM			= -20,		/* C: to(4) text */
	PT_C_UPDATE_PROFILE	= -65,
	PT_C_REMOVE_BUDDY	= -66,
	PT_C_ADD_BUDDY		= -67,
	PT_C_UNKNOWN_USER	= -68,		/* C: uid(4) */
	PT_C_SEARCH		= -69,
	PT_C_PASSWORD_HINT	= -71,		/* C: q(2) answer \n hint */
	PT_C_HELLO		= -100,		/* C: uid(4) */
	PT_C_KEEPALIVE		= -160,
	PT_C_SET_DISPLAY	= -167,		/* C: uid(4) name */
	PT_C_INVITE_FRIEND	= -200,		/* C: records email origin */
	PT_C_ROOM_CREATE	= -300,
	PT_C_ROOM_REPORT	= -305,
	PT_C_ROOM_JOIN		= -310,
	PT_C_ROOM_JOIN_NAME	= -311,
	PT_C_ROOM_JOIN_ADMIN	= -316,
	PT_C_ROOM_LEAVE		= -320,
	PT_C_LIST_CATEGORY	= -330,
	PT_C_ROOM_MESSAGE	= -350,
	PT_C_ROOM_TOPIC		= -351,
	PT_C_ROOM_ALLMICS	= -355,
	PT_C_ROOM_INVITE	= -360,
	PT_C_ROOM_BOUNCE	= -380,
	PT_C_ROOM_REDDOT	= -381,
	PT_C_ROOM_LOWER_HANDS	= -382,
	PT_C_ROOM_BOUNCE_REASON	= -390,
	PT_C_ROOM_UNREDDOT	= -397,
	PT_C_ROOM_HAND_UP	= -398,
	PT_C_ROOM_HAND_DOWN	= -399,
	PT_C_SET_PRIVACY	= -410,
	PT_C_FILE_REFUSE	= -443,		/* C: uid(4): refuse, or done */
	PT_C_FILE_ACCEPT	= -444,		/* C: uid(4) port(2) */
	PT_C_FILE_OFFER		= -445,		/* C: uid(4) port(2) */
	PT_C_CALL_HANGUP	= -448,		/* C: uid(4) */
	PT_C_CALL_ACCEPT	= -449,		/* C: uid(4) port(2) */
	PT_C_CALL		= -450,		/* C: uid(4) port(2) */
	PT_C_CALL_DECLINE	= -452,		/* C: uid(4) */
	PT_C_BLOCK		= -500,
	PT_C_BLOCK_LIST		= -510,		/* C: empty: send BLOCKED_LIST */
	PT_C_UNBLOCK		= -520,
	PT_C_AWAY		= -600,
	PT_C_ONLINE		= -610,
	PT_C_ROOM_ADMIN_INFO	= -900,
	PT_C_ROOM_UNBOUNCE	= -911,
	PT_C_ROOM_BAN		= -920,
	PT_C_ROOM_UNBAN		= -921,
	PT_C_ROOM_BAN_NICK	= -922,
	PT_C_ROOM_RD_TEXT	= -930,
	PT_C_ROOM_RD_VIDEO	= -931,
	PT_C_ROOM_NEW_USER_MIC	= -932,
	PT_C_VIDEO_HANGUP	= -720,		/* C: uid(4) */
	PT_C_VIDEO_ACCEPT	= -710,		/* C: uid(4) webport(2) */
	PT_C_VIDEO_DECLINE	= -701,		/* C: uid(4) */
	PT_C_VIDEO_CALL		= -700,		/* C: uid(4) webport(2) */
	PT_C_ROOM_CLOSE		= -940,
	PT_C_DISCONNECT		= -1100,
	PT_C_LYMERICK		= -1130,
	PT_C_GET_UIN		= -1131,
	PT_C_LOGIN		= -1148,
	PT_C_NEW_PASSWORD	= -1160,
	PT_C_REGISTER		= -1170,
	PT_C_VIDEO_START	= -6010,	/* C: room(4) */
	PT_C_VIDEO_STOP		= -6012,	/* C: room(4) */
	PT_C_VIDEO_VIEW		= -6020,	/* C: uid(4) room(4) */
	PT_C_VIDEO_UNVIEW	= -6030,	/* C: uid(4) room(4) */
	PT_C_ROOM_TICK		= -6150		/* C: empty, now and then */
};

/* Status words (BUDDY_STATUS). */
#define ST_OFFLINE	0x00000000u
#define ST_ONLINE	0x0000001eu
#define ST_AWAY		0x00000046u
#define ST_BLOCKED	0xffffffffu

struct wire_frame {
	int		 type;		/* sign-extended */
	unsigned	 version;
	size_t		 len;
	const unsigned char *payload;	/* points into the decoded buffer */
};

/*
 * wire_decode - find one frame at the start of buf[0..n).
 * Returns the bytes the frame takes (header + payload) when it is complete,
 * 0 when more bytes are needed, -1 when the header announces a payload
 * longer than maxlen (the connection should then be closed).
 */
ssize_t	 wire_decode(const unsigned char *, size_t, size_t, struct wire_frame *);

/*
 * wire_encode - write a frame (server version) into out[0..cap).
 * Returns the bytes written, or 0 when it does not fit or len > 65535.
 */
size_t	 wire_encode(unsigned char *, size_t, int, const void *, size_t);

uint16_t wire_get16(const unsigned char *);
uint32_t wire_get32(const unsigned char *);
void	 wire_put16(unsigned char *, uint16_t);
void	 wire_put32(unsigned char *, uint32_t);

/*
 * The lymerick encoding (PROTOCOL.md section 4).  Variants 1, 2 and 3.
 * lym_encode writes 4 ASCII digits per input byte (the check digit drawn
 * from *seed, an LCG state the caller keeps) and a NUL; returns the
 * length written, or -1 if out is too small or ch is out of range.
 * lym_decode reads groups of 3 (or, where the client's %d makes them so,
 * 2) digits plus a check digit and writes the decoded bytes and a NUL;
 * returns the decoded length, or -1 for malformed input (non-digits,
 * wrong group count, a value outside 1..255, out too small).
 */
#define LYM_KEYLEN	354
extern const char lym_key[LYM_KEYLEN + 1];
int	 lym_encode(int, int, const char *, size_t, char *, size_t, uint32_t *);
int	 lym_decode(int, int, const char *, size_t, char *, size_t);

/*
 * Records: "key=value\n" fields; lists of records joined by REC_SEP.
 * A builder appends into a caller's buffer and remembers overflow instead
 * of failing each call; rec_len() is -1 after an overflow.
 */
struct rec {
	unsigned char	*buf;
	size_t		 cap;
	size_t		 len;
	int		 overflow;
};

void	 rec_init(struct rec *, unsigned char *, size_t);
void	 rec_add(struct rec *, const char *, const char *);	/* key=value\n */
void	 rec_addu(struct rec *, const char *, unsigned long);
void	 rec_addi(struct rec *, const char *, long);
void	 rec_sep(struct rec *);				/* 0xc8 */
void	 rec_raw(struct rec *, const void *, size_t);
ssize_t	 rec_len(const struct rec *);

/*
 * rec_get - find "key=" at the start of a line in p[0..n) (a line ends at
 * \n, \r or 0xc8) and copy its value, NUL-terminated, into out[0..cap).
 * Returns the value's length, -1 if the key is absent, -2 if the value does
 * not fit.
 */
int	 rec_get(const unsigned char *, size_t, const char *, char *, size_t);

#endif /* PALD_PROTO_WIRE_H */
