/*
 * h_client.c - a scriptable Paltalk 5.0 client for the integration tests.
 *
 * usage: h_client [-a address] [-b address | -s address] [-t seconds] port
 *	<script
 *
 * It speaks to 127.0.0.1 unless -a names another numeric IPv4 address
 * (the real-client runs put pald in a network namespace of its own),
 * from the address -b names if given (-s: the same, but loopback only, as
 * the tests of per-address limits use: 127.0.0.2 is a second client), with
 * code of its own and libc only, so that a bug in the server's codec cannot
 * hide by being on both sides of a test.  Frames go out as the 5.0 client
 * sends them: header (type, version 0x0047, length) and payload in two
 * write() calls.
 *
 * The script is read from standard input, one command a line; blank lines
 * and lines whose first non-blank is '#' are skipped.  Commands act on one
 * "current" connection.  A UID argument is a decimal number (-1 is
 * 0xffffffff) or a nickname that an earlier uid or login command of the
 * same script resolved.  TYPE is decimal (may be negative: -20) or 0x hex (0xffec);
 * for expect and expectnot it may be a comma list (0x0014,0x0190) or "any".
 *
 *	uid NICK		on a connection of its own: CLIENT_HELLO(0),
 *				HELLO, GET_UIN, UIN_RESPONSE; prints
 *				"UID nick=NICK uid=N" (N may be -1)
 *	login NICK PASS [FILE]	the 5.0 login: the uid lookup as above (then,
 *				with FILE, "LOOKED-UP" and a wait for FILE
 *				as waitfile's), then a
 *				new current connection: CLIENT_HELLO(uid),
 *				HELLO, LYMERICK, SERVER_KEY (or -79), LOGIN
 *				with the password variant-1 encoded; prints
 *				"LOGIN-OK uid=N" (then sends VERSIONS and
 *				UID_FONTDEPTH_ETC, and reads no further) or
 *				"LOGIN-FAIL <why>": "unknown nick" (uid=-1),
 *				"eof", or the text of a RETURN_CODE for -1148
 *				or -1130 with a non-zero code (a LOGIN-FAIL
 *				does not fail the script)
 *	newuser			the 5.0 logon with the nickname "<New User>":
 *				the uid lookup (prints "UID nick=<New User>
 *				uid=N"), then CLIENT_HELLO(N), HELLO,
 *				LYMERICK, SERVER_KEY, LOGIN with N and the
 *				password "x"; reads no reply: expect the
 *				RETURN_CODE that opens the wizard
 *	register NICK PASS [EMAIL]
 *				new current connection: CLIENT_HELLO(0), HELLO,
 *				then PT5_REGISTRATION -1170 with the 5.0 record
 *				(password variant 1, challenge 0); reads no
 *				reply: expect the RETURN_CODE for 0xfb6e
 *	connect			a new current connection; sends nothing
 *	hello UID		CLIENT_HELLO -100 (does not wait for HELLO)
 *	send TYPE [HEX]		one frame; HEX is the payload (blanks allowed)
 *	sendraw HEX		raw bytes in one write (e.g. a lying header)
 *	im UID TEXT...		IM_OUT -20: uid + the rest of the line
 *	add UID, remove UID	-67, -66
 *	block UID, unblock UID	-500, -520
 *	away [TEXT]		-600 with TEXT (the rest of the line), as the
 *				5.0 client sends "I am away at the moment..."
 *	online			-610 (empty)
 *	search NICK		-69 "uid=3|first=|last=|nickname=NICK|email="
 *	searchx NICK		-69 the same with exnick= (exact match)
 *	passwd OLD NEW		-1160: uid, v1(OLD, the session's challenge),
 *				"\n", v1(NEW, challenge 0)
 *	profile K=V[,K=V...]	-65 with the fields one a line (the rest of
 *				the line, commas made newlines)
 *	privacy A|T|P		-410: the letter
 *	blocklist		-510 (empty): the block list, please
 *	display UID NAME	-167: uid + NAME (the rest of the line; the
 *				client's Reset sends "*default*")
 *	hint Q ANSWER HINT	-71: Q(2, decimal), ANSWER, "\n", HINT (the
 *				rest of the line)
 *	friends EMAIL...	-200: "email=EMAIL\norigin=255" for one
 *				address; for more, "email=E\norigin=N" records
 *				(N = 0, 1 ...) each ended by 0xc8
 *	quit			CLIENT_DISCONNECT -1100, then close
 *	close			close without a word
 *
 * Rooms (PROTOCOL.md 5.6-5.9, 5.12).  ROOM and CAT are decimal numbers
 * (-1 is 0xffffffff); UID as above; TEXT is the rest of the line.
 *	rooms CAT		LIST_CATEGORY -330: 00000001, flag (0 when
 *				CAT is 0, else 1), CAT(4)
 *	join ROOM [invisible] [LOCKWORD]
 *				ROOM_JOIN -310: room(4), invisible(2),
 *				0000082a, then the lockword (the rest of the
 *				line) if given
 *	joinname NAME		-311: "aff=0\nname=NAME\ninvis=0\nport=2090\n
 *				lock=" (NAME: the rest of the line)
 *	joinadmin UID CODE	ROOM_JOIN_AS_ADMIN -316: owner uid(4),
 *				code(4, decimal), 0000082a
 *	create CAT RATING NAME [LOCKWORD] [voice]
 *				ROOM_CREATE -300: flags(4: 00030000 voice,
 *				0 text), CAT(2, 0..65535), 0000082a, RATING
 *				(one character), NAME ["\n" LOCKWORD]; NAME
 *				and LOCKWORD are one word each, and a
 *				LOCKWORD "voice" cannot be given
 *	leave ROOM		ROOM_LEAVE -320: room(4)
 *	say ROOM TEXT		ROOM_MESSAGE_OUT -350: room(4) + TEXT
 *	topic ROOM TEXT		ROOM_SET_TOPIC -351: room(4) + TEXT
 *	invite ROOM UID		ROOM_INVITE_OUT -360: room(4) uid(4)
 *	report ROOM UID TEXT	ROOM_REPORT_USER -305: room(4) uid(4) TEXT
 *	admininfo ROOM		ROOM_GET_ADMIN_INFO -900: room(4)
 *	bounce ROOM UID		-380: room(4) uid(4)
 *	reason ROOM UID TEXT	ROOM_BOUNCE_REASON -390: room(4) uid(4)
 *				"BR: TEXT"
 *	unbounce ROOM UID, ban ROOM UID, unban ROOM UID
 *				-911, -920, -921: room(4) uid(4)
 *	bannick ROOM NICK	ROOM_BAN_NICK -922: room(4) + NICK (not
 *				resolved to a uid)
 *	close ROOM		ROOM_CLOSE -940: room(4) (close without a word
 *				closes the connection, as above)
 *	reddot ROOM UID, unreddot ROOM UID
 *				-381, -397: room(4) uid(4) (-1: everybody)
 *	newmic ROOM 0|1, rdtext ROOM 0|1, rdvideo ROOM 0|1, allmics ROOM 0|1
 *				-932, -930, -931, -355: room(4) on(2)
 *	lowerhands ROOM, handup ROOM, handdown ROOM
 *				-382, -398, -399: room(4)
 *	video ROOM 0|1		-6010 (1, start publishing) or -6012 (0,
 *				stop): room(4)
 *	view UID ROOM, unview UID ROOM
 *				-6020, -6030: uid(4) room(4)
 *	roomtick		-6150: empty
 *
 * Calls, file transfers, video calls (proto/P2P.md); UID as above:
 *	call UID, answer UID	-450, -449: uid(4) 082a (2090, as 5.0 sends)
 *	decline UID, hangup UID	-452, -448: uid(4)
 *	offer UID		-445: uid(4) 082a
 *	acceptfile UID		-444: uid(4) port(2), the port of the open
 *				flisten socket, else 082a
 *	refuse UID		-443: uid(4)
 *	vcall UID [PORT], vaccept UID [PORT]
 *				-700, -710: uid(4) port(2), the web port:
 *				PORT, else the vlisten port, else 2091
 *	vdecline UID, vhangup UID
 *				-701, -720: uid(4)
 * Their media (h_media.c), from the -b address, else 127.0.0.1.  ADDR
 * PORT, where optional, default to the last address a connection packet
 * (0x01c1, 0x01bc, 0x02c6) or a video invitation (0x02bc: ip=, port=)
 * gave:
 *	rtpopen [PORT]		UDP sockets on PORT and PORT+1 (default: the
 *				last 0x01c1's port), for rtprecv
 *	rtpsend SEQS [ADDR PORT]
 *				RTP packets (payload type 3, four GSM frames,
 *				SSRC our uid) with these sequence numbers (a
 *				comma list, or N for 0..N-1), 20 ms apart, from
 *				a socket kept between rtpsends, as the 5.0
 *				client's transmit socket
 *	rtcpsend N [ADDR PORT]	N RTCP packets to PORT+1, from a second socket
 *	rtpnew			new sending sockets (new source ports)
 *	rtprecv MS [N]		what comes to the rtpopen sockets in MS ms (or
 *				the first N): "RTP seq=..." lines, "RTPS n"
 *	flisten [PORT]		a TCP listener on PORT (default 2090; 0: the
 *				kernel picks): "FLISTEN addr:port"
 *	fget PATH		one transfer to it, into PATH: "FILE ..."
 *	fput PATH [ADDR PORT]	PATH as the 5.0 sender sends: "FSENT bytes=N"
 *	fputlie SIZE PATH [ADDR PORT]
 *				the same with SIZE in the header
 *	vlisten [PORT]		the web server's listener (default 0: the
 *				kernel picks): "VLISTEN addr:port"
 *	vserve PATH N		N pictures served on it: "VSERVED from=A"
 *	vget PATH [ADDR PORT]	one picture into PATH: "VIDEO bytes=N"
 * Room video (P2P.md 5); ADDR PORT default to the last 0x17d4 or 0x17e8:
 *	vinit UID [ADDR PORT]	a publisher's init as UID: "VKEY n"
 *	vvinit A B [ADDR PORT]	a viewer B's init for camera A: "VKEY n"
 *	vpub UID PATH N [ADDR PORT]
 *				N pictures (the bytes of PATH) as UID, one
 *				connection each: "VPUB sent=K" (K written
 *				whole)
 *	vview A B PATH [ADDR PORT]
 *				"GET /ab?1&A&B&1000", then one picture into
 *				PATH as vget: "VIDEO bytes=N"
 *	expect TYPE [TEXT]	read until a TYPE frame whose RECV line holds
 *				TEXT (the rest of the line); fails on timeout
 *				or when the connection closes
 *	expectnot TYPE MS	read for MS ms; fails if a TYPE frame comes
 *	drain MS		read for MS ms (ends early at EOF)
 *	eof			read until the server closes; prints "EOF";
 *				fails on timeout
 *	echo TEXT		print TEXT (a marker for the shell to wait on)
 *	waitfile PATH		until PATH exists (polled every 20 ms), reading
 *				the current connection meanwhile; fails on
 *				timeout
 *	holdfile PATH		the same, polled every second: for benches
 *				with hundreds of clients waiting at once
 *	selftest		(hidden) checks the encoder against PROTOCOL.md
 *				4.4, the room commands' frames and the room
 *				decoders against vectors; prints "selftest
 *				ok" or fails
 *
 * Every frame read is printed at once, one line, flushed:
 *	RECV 0x<type, 4 hex digits> <payload length> <decoded>
 * with <decoded>, by type:
 *	0x0014			from=<uid> text=<text>
 *	0x0190			uid=<uid> status=<status, unsigned decimal>
 *	0x0064			rc type=0x<hhhh> code=<n> text=<text>
 *	0x01f4			uid=<uid> disp=<n> text=<text>
 *	0x044c 0x002a 0x0027 0xffd9 0x0075 0xff8b
 *				text=<text>
 *	0x0140 0x017d 0x018d 0x018e 0x018f
 *				room=<room> uid=<uid>
 *	0x015e			room=<room> from=<uid> text=<text>
 *	0x015f			room=<room> by=<uid> text=<text>
 *	0x017c			room=<room> uid=<uid> text=<text>
 *	0x0163			room=<room> on=<n> by=<uid>
 *	0x0138			room=<room> uid=<uid> on=<n> (on: 1 or 2 bytes)
 *	0x013b			room=<room> ip=<a.b.c.d> port=<bytes 14-15>
 *				raw=<bytes 8-13 in hex>
 *	0x01c1 0x01bc 0x02c6	uid=<uid> ip=<a.b.c.d> port=<port>
 *	0x17d4			room=<room> ip=<a.b.c.d> port=<port>
 *	0x17e8			uid=<uid> room=<room> flags=<n> ip=<a.b.c.d>
 *				port=<port>
 *	0x01c0 0x01c3 0x01bb 0x02bd 0x02d0
 *				uid=<uid>
 *	0x0136			room=<room> kind=<n> admin=<n> [invis=<n>, the
 *				word at offset 10, if not 0] rating=<char>
 *				name=<bytes 23.. up to \n> [text=<the rest,
 *				\n shown as '|'>]
 *	0x014b 0x014c 0x0137 0x0154 0x0384
 *				the records joined by " | ", the fields of a
 *				record (lines) by ' ', empty ones left out
 *	0x046b 0x019a 0x019c 0x0043 0x0044 0x0045 0x01fe 0x0168 0xffbd
 *	0xffbf, and any other non-empty payload of only printable bytes, \n
 *	and 0xc8:
 *				rec <text, \n shown as '|', 0xc8 as ';'>
 *	anything else, and the above when too short for their fields:
 *				hex=<payload in hex, at most 64 bytes, then ...>
 * uids are unsigned decimal; in <text> a byte outside 0x20-0x7e is '.'.
 * Other lines: "UID ...", "LOGIN-OK ...", "LOGIN-FAIL ...", "EOF", echo's
 * text, "selftest ok", "PARTIAL <n>" (EOF inside a frame of which n bytes
 * came), "# read: <error>" (then taken as EOF), "# write: <error>" (once;
 * later sends on that connection are dropped, as are sends after the
 * server closed it; sending before any connect or login is a script
 * error), and "FAIL <reason>".
 *
 * Each wait is bounded by the timeout (-t, default 10 s).  Exit status: 0
 * when the script ran to its end, 1 when an expectation failed or a wait
 * timed out (after a line "FAIL <reason>"), 2 on a usage, script or
 * connect error (message on standard error).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "h_media.h"
#include "h_util.h"

#define HDRLEN		6
#define MAXPAYLOAD	65535
#define VERSION50	0x0047		/* the 5.0 client's header version */
#define KEYLEN		354
#define SCRIPTMAX	(2 * (HDRLEN + MAXPAYLOAD) + 1024)
#define LINEMAX		(MAXPAYLOAD + 256)
#define HEXSHOW		64
#define NVARS		128
#define NICKMAX		64
#define NTYPES		16
#define POLL_MS		20

/* server frames, as unsigned 16-bit types */
#define T_IM_IN		0x0014
#define T_ANNOUNCE	0x0027
#define T_KICK		0x002a
#define T_RETURN_CODE	0x0064
#define T_HELLO		0x0075
#define T_ROOM_JOINED	0x0136
#define T_VIDEO_ON	0x0138
#define T_VIDEO_PUBLISH	0x17d4
#define T_VIDEO_VIEW	0x17e8
#define T_MEDIA_SERVER	0x013b
#define T_SET_MIC	0x0163
#define T_BUDDY_STATUS	0x0190
#define T_BLOCK_RESP	0x01f4
#define T_DISCONNECT	0x044c
#define T_UIN_RESPONSE	0x046b
#define T_SERVER_KEY	0x0474
#define T_LOGIN_SUCCESS	0x04a6
#define T_HELLO_NEG	0xff8b
#define T_SEND_LOGIN	0xffb1
#define T_ANNOUNCE_NEG	0xffd9

/* client requests, with the signed numbers of PROTOCOL.md */
#define C_IM_OUT	(-20)
#define C_PROFILE	(-65)
#define C_REMOVE	(-66)
#define C_ADD		(-67)
#define C_SEARCH	(-69)
#define C_HELLO		(-100)
#define C_PASSWORD_HINT	(-71)
#define C_SET_DISPLAY	(-167)
#define C_INVITE_FRIEND	(-200)
#define C_ROOM_CREATE	(-300)
#define C_ROOM_REPORT	(-305)
#define C_ROOM_JOIN	(-310)
#define C_ROOM_JOIN_NAME (-311)
#define C_ROOM_JOIN_ADMIN (-316)
#define C_ROOM_LEAVE	(-320)
#define C_LIST_CATEGORY	(-330)
#define C_ROOM_SAY	(-350)
#define C_ROOM_TOPIC	(-351)
#define C_ALL_MICS	(-355)
#define C_ROOM_INVITE	(-360)
#define C_BOUNCE	(-380)
#define C_REDDOT	(-381)
#define C_LOWER_HANDS	(-382)
#define C_BOUNCE_REASON	(-390)
#define C_UNREDDOT	(-397)
#define C_HAND_UP	(-398)
#define C_HAND_DOWN	(-399)
#define C_SET_PRIVACY	(-410)
#define C_BLOCK		(-500)
#define C_BLOCK_LIST	(-510)
#define C_UNBLOCK	(-520)
#define C_AWAY		(-600)
#define C_ONLINE	(-610)
#define C_ADMIN_INFO	(-900)
#define C_UNBOUNCE	(-911)
#define C_BAN		(-920)
#define C_UNBAN		(-921)
#define C_BAN_NICK	(-922)
#define C_REDDOT_TEXT	(-930)
#define C_REDDOT_VIDEO	(-931)
#define C_NEW_USER_MIC	(-932)
#define C_ROOM_CLOSE	(-940)
#define C_DISCONNECT	(-1100)
#define C_LYMERICK	(-1130)
#define C_GET_UIN	(-1131)
#define C_LOGIN		(-1148)
#define C_NEW_PASSWORD	(-1160)
#define C_REGISTER	(-1170)
#define C_FONTDEPTH	(-2100)
#define C_VERSIONS	(-2102)
#define C_VIDEO_STOP	(-6012)
#define C_VIDEO_START	(-6010)
#define C_VIDEO_VIEW	(-6020)
#define C_VIDEO_UNVIEW	(-6030)
#define C_ROOM_TICK	(-6150)
#define C_FILE_REFUSE	(-443)
#define C_FILE_ACCEPT	(-444)
#define C_FILE_OFFER	(-445)
#define C_CALL_HANGUP	(-448)
#define C_CALL_ACCEPT	(-449)
#define C_CALL		(-450)
#define C_CALL_DECLINE	(-452)
#define C_VCALL		(-700)
#define C_VDECLINE	(-701)
#define C_VACCEPT	(-710)
#define C_VHANGUP	(-720)
#define T_VIDEO_INVITE	0x02bc
#define CLIENT_PORT	2090		/* where the 5.0 client takes calls */
#define WEB_PORT	2091		/* its video web port */
#define RTP_GAP		20		/* ms between the datagrams we send */

#define VOICE_PORT	0x082a		/* 2090: the dword after a join's room */
#define CREATE_VOICE	0x00030000	/* ROOM_CREATE flags of a voice room */

enum wait { W_FRAME, W_MORE, W_TIMEOUT, W_EOF };

struct conn {
	int		 fd;		/* -1: none */
	int		 gone;		/* the server closed it */
	int		 mute;		/* a write failed: send no more */
	size_t		 len;
	unsigned char	 buf[HDRLEN + MAXPAYLOAD];
};

struct frame {
	unsigned	 type;
	size_t		 len;
	unsigned char	 p[MAXPAYLOAD + 1];
	char		 line[LINEMAX];
};

struct sbuf {
	char		*s;
	size_t		 cap;
	size_t		 len;
};

struct tset {
	int		 any;
	size_t		 n;
	unsigned	 t[NTYPES];
};

struct var {
	char		 nick[NICKMAX];
	uint32_t	 uid;
};

struct cmd {
	const char	*name;
	void		(*fn)(char *, int);
	int		 arg;
};

/* The lymerick of the 5.0 binary: "becuase", and a line feed at the end. */
static const char key[] =
    "Ginger was a big fat horse, a big fat horse was she. But don't tell "
    "that to MaryLou becuase in love with her is she.I tell you this in "
    "private, because I thought that you should know.But never say to "
    "MaryLou or both our heads will go.I've said it once, I've said it "
    "twice, I'll say it once again.Not a word of this to you know who or "
    "it will be our end!\n";
_Static_assert(sizeof(key) - 1 == KEYLEN, "the lymerick is 354 bytes");

const char		 h_prog[] = "h_client";
static struct conn	 cur, side;
static struct frame	 fr;
static struct var	 vars[NVARS];
static size_t		 nvars;
static char		 script[SCRIPTMAX];
static char		 pbuf[MAXPAYLOAD + 1];
static int		 port;
static long long	 timeout_ms = 10000;
static long		 lineno;
static uint32_t		 my_uid;
static int		 my_challenge;
static struct sbuf	*capture;	/* selftest: frames as hex, not sent */
static const char	*server = "127.0.0.1";	/* -a */
static const char	*local;			/* -b */
static char		 last_ip[16];	/* the last address we were given */
static int		 last_port;
static int		 rtpin[2] = { -1, -1 }, rtpout[2] = { -1, -1 };
static int		 flisten_fd = -1, flisten_port;
static int		 vlisten_fd = -1, vlisten_port;

static void	fail(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	bad(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	cmd_room(char *, int);
static void	cmd_waitfile(char *, int);
static void	run(char *);
static void	sb_add(struct sbuf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* fail - an expectation was not met: "FAIL reason", exit 1 */
static void
fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vquit(stdout, 1, "FAIL ", fmt, ap);
}

/* bad - an error in the script: names the line, exit 2 */
static void
bad(const char *fmt, ...)
{
	char	 p[64];
	va_list	 ap;

	snprintf(p, sizeof(p), "%s: line %ld: ", h_prog, lineno);
	va_start(ap, fmt);
	vquit(stderr, 2, p, fmt, ap);
}

/* header - the 6 bytes before a payload of n bytes */
static void
header(unsigned char *h, int type, size_t n)
{
	put16(h, (unsigned)(type < 0 ? type + 65536 : type));
	put16(h + 2, VERSION50);
	put16(h + 4, (unsigned)n);
}

/* num - a whole number in [min, max], base 10 or 16; 0 or -1 */
static int
num(const char *s, int base, long long min, long long max, long long *v)
{
	const char	*d = s;
	char		*end;
	long long	 r;

	/* strtoll would also take blanks, a sign or a second 0x */
	if (*d == '-' && base == 10)
		d++;
	if (*d == '\0' || strchr(base == 10 ? "0123456789" :
	    "0123456789abcdefABCDEF", *d) == NULL ||
	    (base == 16 && (d[1] == 'x' || d[1] == 'X')))
		return -1;
	errno = 0;
	r = strtoll(s, &end, base);
	if (errno != 0 || *end != '\0' || r < min || r > max)
		return -1;
	*v = r;
	return 0;
}

/* word - the next blank-separated word of *pp, or NULL */
static char *
word(char **pp)
{
	char	*s = *pp, *w;

	s += strspn(s, " \t");
	if (*s == '\0') {
		*pp = s;
		return NULL;
	}
	w = s;
	s += strcspn(s, " \t");
	if (*s != '\0')
		*s++ = '\0';
	*pp = s;
	return w;
}

/* need - the next word, which must be there */
static char *
need(char **pp, const char *use)
{
	char	*w;

	if ((w = word(pp)) == NULL)
		bad("usage: %s", use);
	return w;
}

/* noargs - no more words may follow */
static void
noargs(char *p, const char *use)
{
	if (word(&p) != NULL)
		bad("usage: %s", use);
}

/* rest - the rest of the line after the blanks */
static char *
rest(char *p)
{
	return p + strspn(p, " \t");
}

static long long
millis(char **pp, const char *use)
{
	long long	 v;

	if (num(need(pp, use), 10, 0, 3600000, &v) == -1)
		bad("usage: %s", use);
	noargs(*pp, use);
	return v;
}

/* parse_type - "-20", "65516" or "0xffec" as a 16-bit type; 0 or -1 */
static int
parse_type(const char *s, unsigned *t)
{
	long long	 v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (num(s + 2, 16, 0, 0xffff, &v) == -1)
			return -1;
	} else if (num(s, 10, -32768, 65535, &v) == -1)
		return -1;
	*t = (unsigned)(v < 0 ? v + 65536 : v);
	return 0;
}

/* parse_types - a comma list of types, or "any", for expect/expectnot */
static void
parse_types(char *s, struct tset *ts)
{
	char	*t;

	memset(ts, 0, sizeof(*ts));
	if (strcmp(s, "any") == 0) {
		ts->any = 1;
		return;
	}
	while ((t = strsep(&s, ",")) != NULL) {
		if (ts->n == NTYPES)
			bad("more than %d types", NTYPES);
		if (parse_type(t, &ts->t[ts->n++]) == -1)
			bad("bad type '%s'", t);
	}
}

static int
tset_has(const struct tset *ts, unsigned type)
{
	size_t	 i;

	if (ts->any)
		return 1;
	for (i = 0; i < ts->n; i++)
		if (ts->t[i] == type)
			return 1;
	return 0;
}

static void
var_set(const char *nick, long long uid)
{
	size_t	 i;

	if (uid <= 0 || uid > UINT32_MAX || strlen(nick) >= NICKMAX)
		return;
	for (i = 0; i < nvars; i++)
		if (strcmp(vars[i].nick, nick) == 0)
			break;
	if (i == NVARS)
		return;
	if (i == nvars)
		nvars++;
	memcpy(vars[i].nick, nick, strlen(nick) + 1);
	vars[i].uid = (uint32_t)uid;
}

/* parse_u32 - a decimal in [min, 0xffffffff], min < 0 taken mod 2^32 */
static int
parse_u32(const char *s, long long min, uint32_t *v)
{
	long long	 r;

	if (num(s, 10, min, UINT32_MAX, &r) == -1)
		return -1;
	*v = (uint32_t)(r < 0 ? r + 4294967296LL : r);
	return 0;
}

/* parse_uid - a number (-1 = 0xffffffff) or a nickname resolved before */
static uint32_t
parse_uid(const char *s)
{
	uint32_t	 v;
	size_t		 i;

	if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-') {
		if (parse_u32(s, INT32_MIN, &v) == -1)
			bad("bad uid '%s'", s);
		return v;
	}
	for (i = 0; i < nvars; i++)
		if (strcmp(vars[i].nick, s) == 0)
			return vars[i].uid;
	bad("no uid known for '%s' (resolve it first with uid or login)", s);
}

/* parse_room - the next word as a room (or category) number */
static uint32_t
parse_room(char **pp, const char *use)
{
	char		*w = need(pp, use);
	uint32_t	 v;

	if (parse_u32(w, -1, &v) == -1)
		bad("bad room '%s' (usage: %s)", w, use);
	return v;
}

/* parse_onoff - the next word, which must be 0 or 1 */
static unsigned
parse_onoff(char **pp, const char *use)
{
	char	*w = need(pp, use);

	if (strcmp(w, "0") != 0 && strcmp(w, "1") != 0)
		bad("usage: %s", use);
	return w[0] == '1';
}

/* unhex - hex digits (blanks allowed between bytes) to bytes, or -1 */
static long
unhex(const char *s, unsigned char *out, size_t cap)
{
	static const char	 digits[] = "0123456789abcdef";
	const char		*h, *l;
	size_t			 n = 0;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return (long)n;
		if (s[1] == '\0' || n == cap)
			return -1;
		h = strchr(digits, s[0] | 0x20);
		l = strchr(digits, s[1] | 0x20);
		if (h == NULL || l == NULL)
			return -1;
		out[n++] = (unsigned char)((h - digits) << 4 | (l - digits));
		s += 2;
	}
}

/* schar - a byte as the 5.0 client's signed char arithmetic sees it */
static int
schar(unsigned char c)
{
	return c < 128 ? c : c - 256;
}

/*
 * v1_encode - variant 1 of PROTOCOL.md 4.2: per byte "%d" of
 * 122 + s[i] + K[ch + i] + i(13 - i), then a check digit (random 0..7
 * when check < 0).  The length written, or -1 if the input runs past the
 * key or the output does not fit.
 */
static int
v1_encode(const char *s, int ch, int check, char *out, size_t cap)
{
	size_t	 i, n, o = 0;
	int	 v, w, d;

	n = strlen(s);
	if (cap == 0 || ch < 0 || (size_t)ch + n > KEYLEN)
		return -1;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		v = 122 + schar((unsigned char)s[i]) +
		    schar((unsigned char)key[(size_t)ch + i]) +
		    (int)i * (13 - (int)i);
		d = check >= 0 ? check : (int)(random() % 8);
		w = snprintf(out + o, cap - o, "%d%d", v, d);
		if (w < 0 || (size_t)w >= cap - o)
			return -1;
		o += (size_t)w;
	}
	return (int)o;
}

/* v1_decode - the server's side, for the selftest (3-digit groups) */
static int
v1_decode(const char *e, int ch, char *out, size_t cap)
{
	size_t	 i, n = strlen(e) / 4;
	int	 v;

	if (strlen(e) % 4 != 0 || n >= cap || (size_t)ch + n > KEYLEN)
		return -1;
	for (i = 0; i < n; i++) {
		v = (e[4 * i] - '0') * 100 + (e[4 * i + 1] - '0') * 10 +
		    (e[4 * i + 2] - '0');
		out[i] = (char)(v - 122 -
		    schar((unsigned char)key[(size_t)ch + i]) -
		    (int)i * (13 - (int)i));
	}
	out[n] = '\0';
	return 0;
}

/* challenge_of - SERVER_KEY: atoi of payload bytes 4..6, minus 509 */
static int
challenge_of(const unsigned char *p, size_t n)
{
	char	 d[4] = "";
	size_t	 i;

	for (i = 0; i < 3 && 4 + i < n; i++)
		d[i] = (char)p[4 + i];
	return atoi(d) - 509;
}

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 w;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	w = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	b->len += (size_t)w < b->cap - b->len ? (size_t)w :
	    b->cap - b->len - 1;
}

/* sb_text - bytes as text: '.' for the unprintable; rec: \n '|', 0xc8 ';' */
static void
sb_text(struct sbuf *b, const unsigned char *p, size_t n, int rec)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < n && b->len + 1 < b->cap; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f)
			c = (char)p[i];
		else if (rec && p[i] == '\n')
			c = '|';
		else if (rec && p[i] == 0xc8)
			c = ';';
		else
			c = '.';
		b->s[b->len++] = c;
	}
	b->s[b->len] = '\0';
}

/* sb_hex - bytes in hex */
static void
sb_hex(struct sbuf *b, const void *v, size_t n)
{
	const unsigned char	*p = v;
	size_t			 i;

	for (i = 0; i < n; i++)
		sb_add(b, "%02x", p[i]);
}

static int
type_in(unsigned t, const unsigned *set, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (set[i] == t)
			return 1;
	return 0;
}

static int
is_rec_type(unsigned t)
{
	static const unsigned	 recs[] = { 0x046b, 0x019a, 0x019c, 0x0043,
	    0x0044, 0x0045, 0x01fe, 0x0168, 0xffbd, 0xffbf };

	return type_in(t, recs, sizeof(recs) / sizeof(recs[0]));
}

/* is_list_type - record lists shown field by field */
static int
is_list_type(unsigned t)
{
	static const unsigned	 lists[] = { 0x014b, 0x014c, 0x0137, 0x0154,
	    0x0384 };

	return type_in(t, lists, sizeof(lists) / sizeof(lists[0]));
}

/* the packets that give an address: uid(4) ip(4) port(2) */
static int
is_conn_type(unsigned t)
{
	return t == 0x01c1 || t == 0x01bc || t == 0x02c6;
}

/* the packets that end a call, transfer or video: uid(4) */
static int
is_p2p_end(unsigned t)
{
	return t == 0x01c0 || t == 0x01c3 || t == 0x01bb || t == 0x02bd ||
	    t == 0x02d0;
}

static int
is_text_type(unsigned t)
{
	return t == T_DISCONNECT || t == T_KICK || t == T_ANNOUNCE ||
	    t == T_ANNOUNCE_NEG || t == T_HELLO || t == T_HELLO_NEG;
}

/*
 * sb_list - a record list: fields (split at \n) joined by ' ', records
 * (split at 0xc8) by " | ", empty fields and records left out
 */
static void
sb_list(struct sbuf *b, const unsigned char *p, size_t n)
{
	size_t	 i = 0, j, nrec = 0, nfld = 0;

	while (i < n) {
		if (p[i] == 0xc8 || p[i] == '\n') {
			if (p[i++] == 0xc8)
				nfld = 0;
			continue;
		}
		for (j = i; j < n && p[j] != '\n' && p[j] != 0xc8; j++)
			;
		if (nfld > 0)
			sb_add(b, " ");
		else if (nrec++ > 0)
			sb_add(b, " | ");
		nfld++;
		sb_text(b, p + i, j - i, 0);
		i = j;
	}
}

/* the types whose payload is room(4) uid(4) [text] */
static const struct roomuid {
	unsigned	 type;
	const char	*who;		/* the name of the uid */
	int		 text;		/* text follows */
} roomuids[] = {
	{ 0x0140, "uid", 0 },		/* ROOM_USER_LEFT */
	{ 0x015e, "from", 1 },		/* ROOM_MESSAGE_IN */
	{ 0x015f, "by", 1 },		/* ROOM_TOPIC */
	{ 0x017c, "uid", 1 },		/* ROOM_CLOSED */
	{ 0x017d, "uid", 0 },		/* ROOM_USER_REDDOT_ON */
	{ 0x018d, "uid", 0 },		/* ROOM_USER_REDDOT_OFF */
	{ 0x018e, "uid", 0 },		/* ROOM_USER_HAND_UP */
	{ 0x018f, "uid", 0 },		/* ROOM_USER_HAND_DOWN */
};

/* show_joined - ROOM_JOINED: the 23-byte head, the name, the rest */
static void
show_joined(struct sbuf *b, const unsigned char *p, size_t n)
{
	const unsigned char	*nl;
	size_t			 k;

	sb_add(b, "room=%lu kind=%u admin=%u ", (unsigned long)get32(p),
	    get16(p + 4), get16(p + 6));
	if (get16(p + 10) != 0)
		sb_add(b, "invis=%u ", get16(p + 10));
	sb_add(b, "rating=");
	sb_text(b, p + 22, 1, 0);
	nl = memchr(p + 23, '\n', n - 23);
	k = nl != NULL ? (size_t)(nl - p) : n;
	sb_add(b, " name=");
	sb_text(b, p + 23, k - 23, 0);
	if (k + 1 < n) {
		sb_add(b, " text=");
		sb_text(b, p + k + 1, n - k - 1, 1);
	}
}

/* show_room - the room packets with binary fields; 0 if not or too short */
static int
show_room(struct sbuf *b, const struct frame *f)
{
	const unsigned char	*p = f->p;
	size_t			 i;

	for (i = 0; i < sizeof(roomuids) / sizeof(roomuids[0]); i++)
		if (roomuids[i].type == f->type && f->len >= 8) {
			sb_add(b, "room=%lu %s=%lu", (unsigned long)get32(p),
			    roomuids[i].who, (unsigned long)get32(p + 4));
			if (roomuids[i].text) {
				sb_add(b, " text=");
				sb_text(b, p + 8, f->len - 8, 0);
			}
			return 1;
		}
	if (f->type == T_ROOM_JOINED && f->len >= 23)
		show_joined(b, p, f->len);
	else if (f->type == T_SET_MIC && f->len >= 10)
		sb_add(b, "room=%lu on=%u by=%lu", (unsigned long)get32(p),
		    get16(p + 4), (unsigned long)get32(p + 6));
	else if (f->type == T_VIDEO_ON && f->len >= 9)
		sb_add(b, "room=%lu uid=%lu on=%u", (unsigned long)get32(p),
		    (unsigned long)get32(p + 4),
		    f->len == 9 ? p[8] : get16(p + 8));
	else if (f->type == T_VIDEO_PUBLISH && f->len >= 10)
		sb_add(b, "room=%lu ip=%u.%u.%u.%u port=%u",
		    (unsigned long)get32(p), p[4], p[5], p[6], p[7],
		    get16(p + 8));
	else if (f->type == T_VIDEO_VIEW && f->len >= 18)
		sb_add(b, "uid=%lu room=%lu flags=%lu ip=%u.%u.%u.%u port=%u",
		    (unsigned long)get32(p), (unsigned long)get32(p + 4),
		    (unsigned long)get32(p + 8), p[12], p[13], p[14], p[15],
		    get16(p + 16));
	else if (f->type == T_MEDIA_SERVER && f->len >= 16)
		sb_add(b, "room=%lu ip=%u.%u.%u.%u port=%u "
		    "raw=%02x%02x%02x%02x%02x%02x", (unsigned long)get32(p),
		    p[4], p[5], p[6], p[7], get16(p + 14),
		    p[8], p[9], p[10], p[11], p[12], p[13]);
	else
		return 0;
	return 1;
}

/* looks_rec - a non-empty payload of printable bytes, \n and 0xc8 only */
static int
looks_rec(const unsigned char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((p[i] < 0x20 || p[i] >= 0x7f) && p[i] != '\n' &&
		    p[i] != 0xc8)
			return 0;
	return n > 0;
}

/* show_fixed - the types with binary fields; 0 if too short for them */
static int
show_fixed(struct sbuf *b, const struct frame *f)
{
	const unsigned char	*p = f->p;

	if (f->type == T_IM_IN && f->len >= 4) {
		sb_add(b, "from=%lu text=", (unsigned long)get32(p));
		sb_text(b, p + 4, f->len - 4, 0);
	} else if (f->type == T_BUDDY_STATUS && f->len >= 8)
		sb_add(b, "uid=%lu status=%lu", (unsigned long)get32(p),
		    (unsigned long)get32(p + 4));
	else if (f->type == T_RETURN_CODE && f->len >= 4) {
		sb_add(b, "rc type=0x%04x code=%u text=", get16(p),
		    get16(p + 2));
		sb_text(b, p + 4, f->len - 4, 0);
	} else if (f->type == T_BLOCK_RESP && f->len >= 6) {
		sb_add(b, "uid=%lu disp=%u text=", (unsigned long)get32(p),
		    get16(p + 4));
		sb_text(b, p + 6, f->len - 6, 0);
	} else if (is_conn_type(f->type) && f->len >= 10)
		sb_add(b, "uid=%lu ip=%u.%u.%u.%u port=%u",
		    (unsigned long)get32(p), p[4], p[5], p[6], p[7],
		    get16(p + 8));
	else if (is_p2p_end(f->type) && f->len >= 4)
		sb_add(b, "uid=%lu", (unsigned long)get32(p));
	else
		return 0;
	return 1;
}

/*
 * note_addr - the address a connection packet or a video invitation
 * gave, for the media commands
 */
static void
note_addr(const struct frame *f)
{
	const char	*ip, *pt;
	unsigned long	 v;

	if ((is_conn_type(f->type) || f->type == T_VIDEO_PUBLISH) &&
	    f->len >= 10) {
		snprintf(last_ip, sizeof(last_ip), "%u.%u.%u.%u", f->p[4],
		    f->p[5], f->p[6], f->p[7]);
		last_port = (int)get16(f->p + 8);
	} else if (f->type == T_VIDEO_VIEW && f->len >= 18) {
		snprintf(last_ip, sizeof(last_ip), "%u.%u.%u.%u", f->p[12],
		    f->p[13], f->p[14], f->p[15]);
		last_port = (int)get16(f->p + 16);
	} else if (f->type == T_VIDEO_INVITE &&
	    (ip = strstr((const char *)f->p, "ip=")) != NULL &&
	    (pt = strstr((const char *)f->p, "port=")) != NULL) {
		v = strtoul(ip + 3, NULL, 10);
		snprintf(last_ip, sizeof(last_ip), "%lu.%lu.%lu.%lu",
		    v >> 24 & 255, v >> 16 & 255, v >> 8 & 255, v & 255);
		last_port = (int)strtol(pt + 5, NULL, 10);
	}
}

/* format - the RECV line of a frame */
static void
format(struct frame *f)
{
	struct sbuf	 b;

	b.s = f->line;
	b.cap = sizeof(f->line);
	b.len = 0;
	b.s[0] = '\0';
	sb_add(&b, "RECV 0x%04x %zu ", f->type, f->len);
	if (show_fixed(&b, f) || show_room(&b, f))
		return;
	if (is_list_type(f->type))
		sb_list(&b, f->p, f->len);
	else if (is_text_type(f->type)) {
		sb_add(&b, "text=");
		sb_text(&b, f->p, f->len, 0);
	} else if (is_rec_type(f->type) || looks_rec(f->p, f->len)) {
		sb_add(&b, "rec ");
		sb_text(&b, f->p, f->len, 1);
	} else {
		sb_add(&b, "hex=");
		sb_hex(&b, f->p, f->len < HEXSHOW ? f->len : HEXSHOW);
		if (f->len > HEXSHOW)
			sb_add(&b, "...");
	}
}

/* conn_gone - the server closed (or broke) the connection */
static void
conn_gone(struct conn *c)
{
	if (c->len > 0)
		say("PARTIAL %zu", c->len);
	if (close(c->fd) == -1)
		say("# close: %s", strerror(errno));
	c->fd = -1;
	c->len = 0;
	c->gone = 1;
}

/* conn_close - our side closes; unread frames are not read */
static void
conn_close(struct conn *c)
{
	if (c->fd != -1 && close(c->fd) == -1)
		say("# close: %s", strerror(errno));
	c->fd = -1;
	c->len = 0;
	c->mute = 0;
	c->gone = 0;
}

/* conn_open - a new connection to the server's port, replacing c's */
static void
conn_open(struct conn *c)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv;
	int			 one = 1;

	conn_close(c);
	if (local != NULL)
		c->fd = hm_bind(SOCK_STREAM, local, 0);
	else if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	/* header and payload leave as two segments, and at once */
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1)
		die("TCP_NODELAY: %s", strerror(errno));
	tv.tv_sec = (time_t)(timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000 * 1000);
	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		die("SO_SNDTIMEO: %s", strerror(errno));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, server, &sin.sin_addr) != 1)
		die("bad server address '%s'", server);
	while (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		if (errno != EINTR)
			die("connect %s:%d: %s", server, port,
			    strerror(errno));
}

/*
 * conn_write - all n bytes, or one "# write:" line and no more sends: a
 * server that hung up is seen either way, whether or not a read saw EOF.
 */
static void
conn_write(struct conn *c, const void *buf, size_t n)
{
	const unsigned char	*p = buf;
	ssize_t			 w;

	if (c->fd == -1 && !c->gone)
		bad("send: no connection (connect or login first)");
	if (c->fd == -1 && !c->mute) {
		say("# write: the server closed the connection");
		c->mute = 1;
	}
	while (n > 0 && !c->mute) {
		if ((w = write(c->fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				fail("write: timeout (the server reads "
				    "nothing)");
			say("# write: %s", strerror(errno));
			c->mute = 1;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* conn_send - a frame, header and payload in two writes as the client */
static void
conn_send(struct conn *c, int type, const void *p, size_t n)
{
	unsigned char	 h[HDRLEN];

	if (n > MAXPAYLOAD)
		bad("payload of %zu bytes: over %d", n, MAXPAYLOAD);
	header(h, type, n);
	if (capture != NULL) {
		sb_hex(capture, h, sizeof(h));
		sb_hex(capture, p, n);
		return;
	}
	conn_write(c, h, sizeof(h));
	if (n > 0)
		conn_write(c, p, n);
}

static void
conn_send_uid(struct conn *c, int type, uint32_t uid)
{
	unsigned char	 b[4];

	put32(b, uid);
	conn_send(c, type, b, sizeof(b));
}

/* conn_fill - read what there is before the deadline */
static enum wait
conn_fill(struct conn *c, long long deadline)
{
	struct pollfd	 pfd;
	long long	 left;
	ssize_t		 r;
	int		 n;

	if ((left = deadline - now_ms()) <= 0)
		return W_TIMEOUT;
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	if ((n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left)) == -1) {
		if (errno == EINTR)
			return W_MORE;
		die("poll: %s", strerror(errno));
	}
	if (n == 0)
		return W_TIMEOUT;
	r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return W_MORE;
	if (r == -1)
		say("# read: %s", strerror(errno));
	if (r <= 0) {
		conn_gone(c);
		return W_EOF;
	}
	c->len += (size_t)r;
	return W_MORE;
}

/* conn_next - the next frame (printed) into fr, W_TIMEOUT or W_EOF */
static enum wait
conn_next(struct conn *c, long long deadline)
{
	enum wait	 r;
	size_t		 n;

	for (;;) {
		if (c->len >= HDRLEN &&
		    c->len >= HDRLEN + (n = get16(c->buf + 4))) {
			fr.type = get16(c->buf);
			fr.len = n;
			memcpy(fr.p, c->buf + HDRLEN, n);
			fr.p[n] = '\0';
			c->len -= HDRLEN + n;
			memmove(c->buf, c->buf + HDRLEN + n, c->len);
			format(&fr);
			note_addr(&fr);
			say("%s", fr.line);
			return W_FRAME;
		}
		if (c->fd == -1)
			return W_EOF;
		if ((r = conn_fill(c, deadline)) != W_MORE)
			return r;
	}
}

/* await - read until a frame of one of the types; W_FRAME or W_EOF */
static enum wait
await(struct conn *c, const unsigned *types, size_t ntypes, const char *what)
{
	long long	 deadline = now_ms() + timeout_ms;
	size_t		 i;

	for (;;) {
		switch (conn_next(c, deadline)) {
		case W_FRAME:
			for (i = 0; i < ntypes; i++)
				if (fr.type == types[i])
					return W_FRAME;
			break;
		case W_EOF:
			return W_EOF;
		default:
			fail("timeout waiting for %s", what);
		}
	}
}

/* hello - CLIENT_HELLO with uid, then the server's HELLO (+117 or -117) */
static enum wait
hello(struct conn *c, uint32_t uid)
{
	static const unsigned	 want[] = { T_HELLO, T_HELLO_NEG };

	conn_send_uid(c, C_HELLO, uid);
	return await(c, want, 2, "HELLO");
}

/* rec_uid - the uid= field of UIN_RESPONSE's record */
static long long
rec_uid(const struct frame *f)
{
	const char	*s = (const char *)f->p;
	char		*end;
	size_t		 i;
	long long	 v;

	for (i = 0; i + 4 <= f->len; i++) {
		if (i > 0 && f->p[i - 1] != '\n' && f->p[i - 1] != 0xc8)
			continue;
		if (memcmp(s + i, "uid=", 4) != 0)
			continue;
		errno = 0;
		v = strtoll(s + i + 4, &end, 10);
		if (errno == 0 && end != s + i + 4 && (*end == '\0' ||
		    *end == '\n' || *end == '\r' || *end == (char)0xc8))
			return v;
		break;
	}
	fail("UIN_RESPONSE without a numeric uid= field");
}

/* lookup - connection A of a login: W_FRAME and the uid, or W_EOF */
static enum wait
lookup(const char *nick, long long *uid)
{
	static const unsigned	 want[] = { T_UIN_RESPONSE };
	unsigned char		*b = (unsigned char *)pbuf;
	size_t			 n = strlen(nick);

	if (n > MAXPAYLOAD - 4)
		bad("nickname too long");
	conn_open(&side);
	if (hello(&side, 0) == W_EOF)
		return W_EOF;
	put32(b, 1);
	memcpy(b + 4, nick, n);
	conn_send(&side, C_GET_UIN, b, 4 + n);
	if (await(&side, want, 1, "UIN_RESPONSE 0x046b") == W_EOF)
		return W_EOF;
	*uid = rec_uid(&fr);
	conn_close(&side);
	return W_FRAME;
}

/* login_refused - a RETURN_CODE for LOGIN or LYMERICK with a code: say so */
static int
login_refused(void)
{
	char		 t[256];
	struct sbuf	 b = { t, sizeof(t), 0 };
	unsigned	 rt;

	if (fr.type != T_RETURN_CODE || fr.len < 4 || get16(fr.p + 2) == 0)
		return 0;
	rt = get16(fr.p);
	if (rt != 0xfb84 && rt != 0xfb96)
		return 0;
	t[0] = '\0';
	sb_text(&b, fr.p + 4, fr.len - 4, 0);
	if (b.len > 0)
		say("LOGIN-FAIL %s", t);
	else
		say("LOGIN-FAIL code=%u", get16(fr.p + 2));
	return 1;
}

/* login_key - connection B up to SERVER_KEY: its challenge, or -1 */
static int
login_key(size_t pwlen)
{
	static const unsigned	 want[] = { T_SERVER_KEY, T_SEND_LOGIN,
	    T_RETURN_CODE };
	unsigned char		 b[10];
	int			 ch;

	conn_open(&cur);
	if (hello(&cur, my_uid) == W_EOF)
		goto eof;
	put32(b, my_uid);
	put32(b + 4, 1);
	put16(b + 8, 1);
	conn_send(&cur, C_LYMERICK, b, sizeof(b));
	do {
		if (await(&cur, want, 3, "SERVER_KEY 0x0474") == W_EOF)
			goto eof;
		if (login_refused())
			return -1;
	} while (fr.type == T_RETURN_CODE);
	ch = challenge_of(fr.p, fr.len);
	if (ch < 0 || (size_t)ch + pwlen > KEYLEN)
		fail("SERVER_KEY gives challenge %d: a %zu-byte password "
		    "would run outside the key", ch, pwlen);
	return ch;
eof:
	say("LOGIN-FAIL eof");
	return -1;
}

/* login_bye - after LOGIN_SUCCESS: VERSIONS and UID_FONTDEPTH_ETC */
static void
login_bye(void)
{
	static const char	 list[] = "1,-1,-1,0,0";
	static const char	 prodid[] = "5133700000000000000000";
	unsigned char		 b[64];

	memset(b, 0, sizeof(b));
	put16(b + 4, 1);
	put32(b + 6, my_uid);
	put32(b + 10, INADDR_LOOPBACK);
	put16(b + 14, (unsigned)port);
	memcpy(b + 16, list, sizeof(list) - 1);
	conn_send(&cur, C_VERSIONS, b, 16 + sizeof(list) - 1);
	put16(b, 36);
	put16(b + 2, 0);
	put16(b + 4, 1);
	put32(b + 6, my_uid);
	put32(b + 10, 0x445);
	memcpy(b + 14, prodid, sizeof(prodid) - 1);
	conn_send(&cur, C_FONTDEPTH, b, 14 + sizeof(prodid) - 1);
}

/* login - the real 5.0 login over two connections */
static void
cmd_login(char *args, int unused)
{
	static const unsigned	 want[] = { T_LOGIN_SUCCESS, T_RETURN_CODE };
	char			*nick, *pw, *file, *enc = pbuf + 4;
	long long		 uid;
	int			 ch, n;

	nick = need(&args, "login NICK PASS [FILE]");
	pw = need(&args, "login NICK PASS [FILE]");
	file = rest(args);
	if (lookup(nick, &uid) == W_EOF) {
		say("LOGIN-FAIL eof");
		return;
	}
	if (*file != '\0') {
		say("LOOKED-UP");
		cmd_waitfile(file, 0);
	}
	if (uid == -1) {
		say("LOGIN-FAIL unknown nick");
		return;
	}
	if (uid <= 0 || uid > INT32_MAX) {
		say("LOGIN-FAIL bad uid=%lld", uid);
		return;
	}
	var_set(nick, uid);
	my_uid = (uint32_t)uid;
	if ((ch = login_key(strlen(pw))) < 0)
		return;
	my_challenge = ch;
	put32((unsigned char *)pbuf, my_uid);
	if ((n = v1_encode(pw, ch, -1, enc, sizeof(pbuf) - 4)) < 0)
		bad("password too long");
	conn_send(&cur, C_LOGIN, pbuf, 4 + (size_t)n);
	do {
		if (await(&cur, want, 2, "LOGIN_SUCCESS 0x04a6") == W_EOF) {
			say("LOGIN-FAIL eof");
			return;
		}
		if (login_refused())
			return;
	} while (fr.type != T_LOGIN_SUCCESS);
	say("LOGIN-OK uid=%lu", (unsigned long)my_uid);
	login_bye();
}

static void
cmd_uid(char *args, int unused)
{
	char		*nick = need(&args, "uid NICK");
	long long	 uid;

	noargs(args, "uid NICK");
	if (lookup(nick, &uid) == W_EOF)
		fail("uid %s: connection closed", nick);
	var_set(nick, uid);
	say("UID nick=%s uid=%lld", nick, uid);
}

/* newuser - LOGIN as "<New User>", as the 5.0 wizard is reached */
static void
cmd_newuser(char *args, int unused)
{
	static const char	 nick[] = "<New User>";
	char			*enc = pbuf + 4;
	long long		 uid;
	int			 ch, n;

	noargs(args, "newuser");
	if (lookup(nick, &uid) == W_EOF)
		fail("newuser: connection closed");
	say("UID nick=%s uid=%lld", nick, uid);
	if (uid <= 0 || uid > INT32_MAX)
		fail("newuser: uid %lld", uid);
	my_uid = (uint32_t)uid;
	if ((ch = login_key(1)) < 0)
		fail("newuser: no SERVER_KEY");
	my_challenge = ch;
	put32((unsigned char *)pbuf, my_uid);
	if ((n = v1_encode("x", ch, -1, enc, sizeof(pbuf) - 4)) < 0)
		bad("password too long");
	conn_send(&cur, C_LOGIN, pbuf, 4 + (size_t)n);
}

/* register - PT5_REGISTRATION on a new connection; reads no reply */
static void
cmd_register(char *args, int unused)
{
	static const char	 use[] = "register NICK PASS [EMAIL]";
	char			 enc[KEYLEN * 12];
	const char		*email;
	char			*nick, *pw;
	int			 n;

	nick = need(&args, use);
	pw = need(&args, use);
	if ((email = word(&args)) == NULL)
		email = "";
	noargs(args, use);
	if (v1_encode(pw, 0, -1, enc, sizeof(enc)) < 0)
		bad("password too long");
	conn_open(&cur);
	if (hello(&cur, 0) == W_EOF)
		fail("register: connection closed before HELLO");
	n = snprintf(pbuf, sizeof(pbuf), "first=\nlast=\nnickname=%s\n"
	    "email=%s\nuid=0\npassword=%s\nstate=\ncountry=US\nstreet=\n"
	    "zip=00000\nsex=M\nage=30\nget_offers_from_affiliates=N\n"
	    "show_email=N\nshow_first=N\nshow_last=N\ninterests=\njobi=0\n"
	    "jobf=0\njobt=0\nhome=\nincome=0\nlogin=2", nick, email, enc);
	if (n < 0 || (size_t)n >= sizeof(pbuf))
		bad("registration record too long");
	conn_send(&cur, C_REGISTER, pbuf, (size_t)n);
}

static void
cmd_connect(char *args, int unused)
{
	noargs(args, "connect");
	conn_open(&cur);
}

/* close - without a word the connection; close ROOM is ROOM_CLOSE */
static void
cmd_close(char *args, int unused)
{
	if (*rest(args) != '\0') {
		cmd_room(args, C_ROOM_CLOSE);
		return;
	}
	conn_close(&cur);
}

static void
cmd_quit(char *args, int unused)
{
	noargs(args, "quit");
	if (cur.fd == -1)
		return;
	conn_send(&cur, C_DISCONNECT, NULL, 0);
	if (!cur.mute && shutdown(cur.fd, SHUT_WR) == -1 && errno != ENOTCONN)
		say("# shutdown: %s", strerror(errno));
	conn_close(&cur);
}

static void
cmd_hello(char *args, int unused)
{
	uint32_t	 uid = parse_uid(need(&args, "hello UID"));

	noargs(args, "hello UID");
	conn_send_uid(&cur, C_HELLO, uid);
}

static void
cmd_send(char *args, int unused)
{
	unsigned	 type;
	long		 n;

	if (parse_type(need(&args, "send TYPE [HEX]"), &type) == -1)
		bad("usage: send TYPE [HEX]");
	if ((n = unhex(args, (unsigned char *)pbuf, MAXPAYLOAD)) < 0)
		bad("bad or too long hex payload");
	conn_send(&cur, (int)type, pbuf, (size_t)n);
}

static void
cmd_sendraw(char *args, int unused)
{
	static unsigned char	 raw[2 * (HDRLEN + MAXPAYLOAD)];
	long			 n;

	if ((n = unhex(args, raw, sizeof(raw))) <= 0)
		bad("usage: sendraw HEX");
	conn_write(&cur, raw, (size_t)n);
}

/* send_text - pbuf's first hl bytes, then prefix and text, as a frame */
static void
send_text(int type, size_t hl, const char *prefix, const char *text)
{
	size_t	 pl = strlen(prefix), n = strlen(text);

	if (hl + pl > MAXPAYLOAD || n > MAXPAYLOAD - hl - pl)
		bad("text too long");
	memcpy(pbuf + hl, prefix, pl);
	memcpy(pbuf + hl + pl, text, n);
	conn_send(&cur, type, pbuf, hl + pl + n);
}

static void
cmd_im(char *args, int unused)
{
	uint32_t	 uid = parse_uid(need(&args, "im UID TEXT"));

	put32((unsigned char *)pbuf, uid);
	send_text(C_IM_OUT, 4, "", rest(args));
}

/* uidreq - add, remove, block, unblock: type + uid(4) */
static void
cmd_uidreq(char *args, int type)
{
	static const char	 use[] = "add|remove|block|unblock UID";
	uint32_t		 uid = parse_uid(need(&args, use));

	noargs(args, use);
	conn_send_uid(&cur, type, uid);
}

/* empty - online, blocklist: an empty frame */
static void
cmd_empty(char *args, int type)
{
	noargs(args, "online|blocklist");
	conn_send(&cur, type, NULL, 0);
}

/* privacy - -410: the letter, one byte */
static void
cmd_privacy(char *args, int type)
{
	char	*w = need(&args, "privacy A|T|P");

	noargs(args, "privacy A|T|P");
	conn_send(&cur, type, w, strlen(w));
}

/* display - -167 uid(4) + the name (the rest of the line) */
static void
cmd_display(char *args, int type)
{
	uint32_t	 uid = parse_uid(need(&args, "display UID NAME"));

	put32((unsigned char *)pbuf, uid);
	send_text(type, 4, "", rest(args));
}

/* hint - -71 question(2) answer "\n" hint */
static void
cmd_hint(char *args, int type)
{
	static const char	 use[] = "hint QUESTION ANSWER HINT";
	char			*q = need(&args, use), *a = need(&args, use);
	size_t			 n = strlen(a);

	put16((unsigned char *)pbuf, (uint16_t)strtoul(q, NULL, 10));
	if (n > MAXPAYLOAD - 3)
		bad("answer too long");
	memcpy(pbuf + 2, a, n);
	pbuf[2 + n] = '\n';
	send_text(type, 3 + n, "", rest(args));
}

/*
 * friends - -200: one "email=ADDR\norigin=255" (the single form), or, for
 * more than one address, "email=ADDR\norigin=N" records each ended by
 * 0xc8 (the address book's batch form)
 */
static void
cmd_friends(char *args, int type)
{
	char	*w;
	size_t	 n = 0;
	int	 k, i = 0;

	w = need(&args, "friends EMAIL...");
	if (*rest(args) == '\0') {
		k = snprintf(pbuf, sizeof(pbuf), "email=%s\norigin=255", w);
		if (k < 0 || (size_t)k >= sizeof(pbuf))
			bad("too long");
		conn_send(&cur, type, pbuf, (size_t)k);
		return;
	}
	for (; w != NULL; w = *rest(args) ? need(&args, "") : NULL) {
		k = snprintf(pbuf + n, sizeof(pbuf) - n, "email=%s\norigin=%d%c",
		    w, i++, 0xc8);
		if (k < 0 || (size_t)k >= sizeof(pbuf) - n)
			bad("too long");
		n += (size_t)k;
	}
	conn_send(&cur, type, pbuf, n);
}

/* away - -600 with the rest of the line as its text (maybe none) */
static void
cmd_away(char *args, int type)
{
	conn_send(&cur, type, args, strlen(args));
}

/* search - by prefix (nickname=) or exact (exnick=) */
static void
cmd_search(char *args, int exact)
{
	char	*nick = need(&args, "search|searchx NICK");
	int	 n;

	noargs(args, "search|searchx NICK");
	n = snprintf(pbuf, sizeof(pbuf), "uid=3\nfirst=\nlast=\n%s=%s\nemail=",
	    exact ? "exnick" : "nickname", nick);
	if (n < 0 || (size_t)n >= sizeof(pbuf))
		bad("nickname too long");
	conn_send(&cur, C_SEARCH, pbuf, (size_t)n);
}

/* passwd - NEW_PASSWORD: uid, v1(old, session challenge) \n v1(new, 0) */
static void
cmd_passwd(char *args, int unused)
{
	char	*old = need(&args, "passwd OLD NEW");
	char	*new = need(&args, "passwd OLD NEW");
	int	 a, b;

	noargs(args, "passwd OLD NEW");
	put32((unsigned char *)pbuf, my_uid);
	if ((a = v1_encode(old, my_challenge, -1, pbuf + 4,
	    sizeof(pbuf) - 4)) < 0)
		bad("OLD too long for the session's challenge");
	pbuf[4 + a] = '\n';
	if ((b = v1_encode(new, 0, -1, pbuf + 5 + a,
	    sizeof(pbuf) - 5 - (size_t)a)) < 0)
		bad("NEW too long");
	conn_send(&cur, C_NEW_PASSWORD, pbuf, 5 + (size_t)a + (size_t)b);
}

/* profile - UPDATE_PROFILE: K=V,K=V as a record */
static void
cmd_profile(char *args, int unused)
{
	char	*r = rest(args);
	size_t	 i, n = strlen(r);

	if (n == 0 || n > MAXPAYLOAD)
		bad("usage: profile KEY=VAL[,KEY=VAL...]");
	for (i = 0; i < n; i++)
		pbuf[i] = r[i] == ',' ? '\n' : r[i];
	conn_send(&cur, C_PROFILE, pbuf, n);
}

/* rooms - LIST_CATEGORY: 00000001, flag (CAT != 0), CAT */
static void
cmd_rooms(char *args, int unused)
{
	unsigned char	 b[12];
	uint32_t	 cat = parse_room(&args, "rooms CAT");

	noargs(args, "rooms CAT");
	put32(b, 1);
	put32(b + 4, cat != 0);
	put32(b + 8, cat);
	conn_send(&cur, C_LIST_CATEGORY, b, sizeof(b));
}

/* join - ROOM_JOIN: room, invisible(2), 0000082a, the lockword if any */
static void
cmd_join(char *args, int unused)
{
	static const char	 use[] = "join ROOM [invisible] [LOCKWORD]";
	uint32_t		 room = parse_room(&args, use);
	unsigned char		*b = (unsigned char *)pbuf;
	char			*s = rest(args);
	unsigned		 invis = 0;

	/* the word "invisible" (strchr also finds s[9] == '\0') */
	if (strncmp(s, "invisible", 9) == 0 && strchr(" \t", s[9]) != NULL) {
		invis = 1;
		s += 9;
	}
	put32(b, room);
	put16(b + 4, invis);
	put32(b + 6, VOICE_PORT);
	send_text(C_ROOM_JOIN, 10, "", rest(s));
}

/* joinname - the -311 join by name, a record (PROTOCOL.md 5.7) */
static void
cmd_joinname(char *args, int unused)
{
	char	*name = rest(args);
	int	 n;

	if (*name == '\0')
		bad("usage: joinname NAME");
	n = snprintf(pbuf, sizeof(pbuf), "aff=0\nname=%s\ninvis=0\n"
	    "port=%d\nlock=", name, VOICE_PORT);
	if (n < 0 || (size_t)n > MAXPAYLOAD)
		bad("room name too long");
	conn_send(&cur, C_ROOM_JOIN_NAME, pbuf, (size_t)n);
}

/* joinadmin - ROOM_JOIN_AS_ADMIN: owner uid, admin code, 0000082a */
static void
cmd_joinadmin(char *args, int unused)
{
	static const char	 use[] = "joinadmin OWNERUID CODE";
	unsigned char		 b[12];
	uint32_t		 code;

	put32(b, parse_uid(need(&args, use)));
	if (parse_u32(need(&args, use), 0, &code) == -1)
		bad("usage: %s", use);
	noargs(args, use);
	put32(b + 4, code);
	put32(b + 8, VOICE_PORT);
	conn_send(&cur, C_ROOM_JOIN_ADMIN, b, sizeof(b));
}

/*
 * create - ROOM_CREATE: flags (voice 00030000, text 0), category(2),
 * 0000082a, the rating letter, the name [\n lockword]
 */
static void
cmd_create(char *args, int unused)
{
	static const char	 use[] =
	    "create CAT RATING NAME [LOCKWORD] [voice]";
	unsigned char		*b = (unsigned char *)pbuf;
	char			*rating, *name, *lock = NULL, *w;
	long long		 cat;
	int			 voice = 0, n;

	if (num(need(&args, use), 10, 0, 65535, &cat) == -1)
		bad("usage: %s (CAT 0..65535)", use);
	rating = need(&args, use);
	name = need(&args, use);
	if (strlen(rating) != 1)
		bad("usage: %s (RATING one letter)", use);
	if ((w = word(&args)) != NULL && strcmp(w, "voice") != 0) {
		lock = w;
		w = word(&args);
	}
	if (w != NULL && strcmp(w, "voice") != 0)
		bad("usage: %s", use);
	voice = w != NULL;
	noargs(args, use);
	put32(b, voice ? CREATE_VOICE : 0);
	put16(b + 4, (unsigned)cat);
	put32(b + 6, VOICE_PORT);
	b[10] = (unsigned char)rating[0];
	n = snprintf(pbuf + 11, sizeof(pbuf) - 11, "%s%s%s", name,
	    lock != NULL ? "\n" : "", lock != NULL ? lock : "");
	if (n < 0 || (size_t)n > MAXPAYLOAD - 11)
		bad("room name too long");
	conn_send(&cur, C_ROOM_CREATE, pbuf, 11 + (size_t)n);
}

/* room - leave, admininfo, close, lowerhands, handup, handdown: room(4) */
static void
cmd_room(char *args, int type)
{
	static const char	 use[] =
	    "leave|admininfo|close|lowerhands|handup|handdown ROOM";
	uint32_t		 room = parse_room(&args, use);

	noargs(args, use);
	conn_send_uid(&cur, type, room);
}

/* room_uid - the words ROOM UID as room(4) uid(4) at b */
static void
room_uid(char **pp, const char *use, unsigned char *b)
{
	put32(b, parse_room(pp, use));
	put32(b + 4, parse_uid(need(pp, use)));
}

/* roomuid - invite, bounce, unbounce, ban, unban, reddot, unreddot */
static void
cmd_roomuid(char *args, int type)
{
	static const char	 use[] =
	    "invite|bounce|unbounce|ban|unban|reddot|unreddot ROOM UID";
	unsigned char		 b[8];

	room_uid(&args, use, b);
	noargs(args, use);
	conn_send(&cur, type, b, sizeof(b));
}

/* roomuidtext - report ROOM UID TEXT (-305), reason (-390, "BR: TEXT") */
static void
cmd_roomuidtext(char *args, int type)
{
	static const char	 use[] = "report|reason ROOM UID TEXT";

	room_uid(&args, use, (unsigned char *)pbuf);
	if (*rest(args) == '\0')
		bad("usage: %s", use);
	send_text(type, 8, type == C_BOUNCE_REASON ? "BR: " : "", rest(args));
}

/* roomtext - say and topic ROOM TEXT, bannick ROOM NICK: room(4) + text */
static void
cmd_roomtext(char *args, int type)
{
	static const char	 use[] = "say|topic ROOM TEXT, bannick ROOM NICK";
	char			*text;

	put32((unsigned char *)pbuf, parse_room(&args, use));
	if (type == C_BAN_NICK) {
		text = need(&args, use);
		noargs(args, use);
	} else
		text = rest(args);
	send_text(type, 4, "", text);
}

/* roomflag - newmic, rdtext, rdvideo, allmics ROOM 0|1: room(4) on(2) */
static void
cmd_roomflag(char *args, int type)
{
	static const char	 use[] =
	    "newmic|rdtext|rdvideo|allmics ROOM 0|1";
	unsigned char		 b[6];

	put32(b, parse_room(&args, use));
	put16(b + 4, parse_onoff(&args, use));
	noargs(args, use);
	conn_send(&cur, type, b, sizeof(b));
}

/* video - ROOM 1: -6010 (start publishing), ROOM 0: -6012 (stop) */
static void
cmd_video(char *args, int unused)
{
	static const char	 use[] = "video ROOM 0|1";
	uint32_t		 room = parse_room(&args, use);
	unsigned		 on = parse_onoff(&args, use);

	noargs(args, use);
	conn_send_uid(&cur, on ? C_VIDEO_START : C_VIDEO_STOP, room);
}

/* view UID ROOM, unview UID ROOM - -6020, -6030: uid(4) room(4) */
static void
cmd_view(char *args, int type)
{
	static const char	 use[] = "view|unview UID ROOM";
	unsigned char		 b[8];

	put32(b, parse_uid(need(&args, use)));
	put32(b + 4, parse_room(&args, use));
	noargs(args, use);
	conn_send(&cur, type, b, sizeof(b));
}

/*
 * p2p - call, answer, offer, acceptfile: uid(4) 082a; vcall, vaccept:
 * uid(4) PORT; decline, hangup, refuse, vdecline, vhangup: uid(4)
 */
static void
cmd_p2p(char *args, int type)
{
	static const char	 use[] = "call|answer|decline|hangup|offer|"
	    "acceptfile|refuse|vcall|vaccept|vdecline|vhangup UID [PORT]";
	unsigned char		 b[6];
	long long		 pt;
	char			*w;

	put32(b, parse_uid(need(&args, use)));
	if (type == C_VCALL || type == C_VACCEPT) {
		if ((w = word(&args)) == NULL)
			pt = vlisten_fd != -1 ? vlisten_port : WEB_PORT;
		else if (num(w, 10, 0, 65535, &pt) == -1)
			bad("usage: %s", use);
		put16(b + 4, (unsigned)pt);
	} else
		put16(b + 4, type == C_FILE_ACCEPT && flisten_fd != -1 ?
		    (unsigned)flisten_port : CLIENT_PORT);
	noargs(args, use);
	conn_send(&cur, type, b, type == C_CALL || type == C_CALL_ACCEPT ||
	    type == C_FILE_OFFER || type == C_FILE_ACCEPT || type == C_VCALL ||
	    type == C_VACCEPT ? 6 : 4);
}

/* media_local - the address the media commands use */
static const char *
media_local(void)
{
	return local != NULL ? local : "127.0.0.1";
}

/* dest - [ADDR PORT] of a media command, else the last address given */
static int
dest(char **pp, const char *use, const char **addr)
{
	char		*a = word(pp);
	long long	 pt;

	if (a == NULL) {
		if (last_ip[0] == '\0')
			bad("%s: no address yet (expect a connection packet)",
			    use);
		*addr = last_ip;
		return last_port;
	}
	if (num(need(pp, use), 10, 1, 65535, &pt) == -1)
		bad("usage: %s", use);
	noargs(*pp, use);
	*addr = a;
	return (int)pt;
}

/* rtpopen [PORT] - receiving sockets on PORT and PORT+1 */
static void
cmd_rtpopen(char *args, int unused)
{
	char		*w = word(&args);
	long long	 pt = last_port;

	if (w != NULL && num(w, 10, 1, 65534, &pt) == -1)
		bad("usage: rtpopen [PORT]");
	noargs(args, "rtpopen [PORT]");
	if (pt <= 0)
		bad("rtpopen: no port yet");
	if (rtpin[0] != -1)
		(void)close(rtpin[0]);
	if (rtpin[1] != -1)
		(void)close(rtpin[1]);
	rtpin[0] = hm_bind(SOCK_DGRAM, media_local(), (int)pt);
	rtpin[1] = hm_bind(SOCK_DGRAM, media_local(), (int)pt + 1);
	say("RTPOPEN %s:%lld", media_local(), pt);
}

/* seqlist - "N" (0..N-1) or "a,b,c": the sequence numbers; their count */
static int
seqlist(char *w, unsigned *seq, int cap)
{
	long long	 v;
	char		*t;
	int		 n = 0;

	if (strchr(w, ',') == NULL) {
		if (num(w, 10, 1, cap, &v) == -1)
			return -1;
		for (n = 0; n < v; n++)
			seq[n] = (unsigned)n;
		return n;
	}
	while ((t = strsep(&w, ",")) != NULL) {
		if (n == cap || num(t, 10, 0, 65535, &v) == -1)
			return -1;
		seq[n++] = (unsigned)v;
	}
	return n;
}

/* rtpsend SEQS [ADDR PORT], rtcpsend N [ADDR PORT] (to PORT+1) */
static void
cmd_rtpsend(char *args, int rtcp)
{
	static const char	 use[] = "rtpsend SEQS|rtcpsend N [ADDR PORT]";
	static unsigned		 seq[1000];
	const char		*addr;
	int			 n, pt;

	if ((n = seqlist(need(&args, use), seq, 1000)) <= 0)
		bad("usage: %s", use);
	pt = dest(&args, use, &addr) + rtcp;
	if (rtpout[rtcp] == -1)
		rtpout[rtcp] = hm_bind(SOCK_DGRAM, media_local(), 0);
	hm_rtp_send(rtpout[rtcp], addr, pt, seq, n, my_uid, rtcp, RTP_GAP);
}

static void
cmd_rtpnew(char *args, int unused)
{
	noargs(args, "rtpnew");
	if (rtpout[0] != -1)
		(void)close(rtpout[0]);
	if (rtpout[1] != -1)
		(void)close(rtpout[1]);
	rtpout[0] = rtpout[1] = -1;
}

/* rtprecv MS [N] */
static void
cmd_rtprecv(char *args, int unused)
{
	static const char	 use[] = "rtprecv MS [N]";
	long long		 ms, max = 0;
	char			*w;

	if (num(need(&args, use), 10, 0, 3600000, &ms) == -1 ||
	    ((w = word(&args)) != NULL && num(w, 10, 1, 100000, &max) == -1))
		bad("usage: %s", use);
	noargs(args, use);
	if (rtpin[0] == -1)
		bad("rtprecv: rtpopen first");
	hm_rtp_recv(rtpin, 2, ms, (int)max);
}

/* flisten [PORT] - the receiver's TCP listener */
static void
cmd_flisten(char *args, int unused)
{
	char		*w = word(&args);
	long long	 pt = CLIENT_PORT;

	if (w != NULL && num(w, 10, 0, 65535, &pt) == -1)
		bad("usage: flisten [PORT]");
	noargs(args, "flisten [PORT]");
	if (flisten_fd != -1)
		(void)close(flisten_fd);
	flisten_fd = hm_listen(media_local(), (int)pt, &flisten_port);
	say("FLISTEN %s:%d", media_local(), flisten_port);
}

/* fget PATH - one transfer to the flisten socket */
static void
cmd_fget(char *args, int unused)
{
	char	*path = need(&args, "fget PATH");

	noargs(args, "fget PATH");
	if (flisten_fd == -1)
		bad("fget: flisten first");
	hm_file_recv(flisten_fd, path, now_ms() + timeout_ms);
	(void)close(flisten_fd);
	flisten_fd = -1;
}

/* fput PATH [ADDR PORT], fputlie SIZE PATH [ADDR PORT] */
static void
cmd_fput(char *args, int lie)
{
	static const char	 use[] = "fput PATH|fputlie SIZE PATH [ADDR PORT]";
	const char		*addr, *name;
	char			*path;
	long long		 size = -1;
	int			 pt;

	if (lie && num(need(&args, use), 10, 0, UINT32_MAX, &size) == -1)
		bad("usage: %s", use);
	path = need(&args, use);
	pt = dest(&args, use, &addr);
	name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	hm_file_send(local, addr, pt, path, name, size, now_ms() + timeout_ms);
}

/* vlisten [PORT] - the web server's listener of a video call */
static void
cmd_vlisten(char *args, int unused)
{
	char		*w = word(&args);
	long long	 pt = 0;

	if (w != NULL && num(w, 10, 0, 65535, &pt) == -1)
		bad("usage: vlisten [PORT]");
	noargs(args, "vlisten [PORT]");
	if (vlisten_fd != -1)
		(void)close(vlisten_fd);
	vlisten_fd = hm_listen(media_local(), (int)pt, &vlisten_port);
	say("VLISTEN %s:%d", media_local(), vlisten_port);
}

/* vserve PATH N - N pictures on the vlisten socket */
static void
cmd_vserve(char *args, int unused)
{
	static const char	 use[] = "vserve PATH N";
	long long		 n;
	char			*path = need(&args, use);

	if (num(need(&args, use), 10, 1, 1000, &n) == -1)
		bad("usage: %s", use);
	noargs(args, use);
	if (vlisten_fd == -1)
		bad("vserve: vlisten first");
	hm_video_serve(vlisten_fd, path, (int)n, now_ms() + timeout_ms);
}

/* vget PATH [ADDR PORT] - one picture */
static void
cmd_vget(char *args, int unused)
{
	static const char	 use[] = "vget PATH [ADDR PORT]";
	const char		*addr;
	char			*path = need(&args, use);
	int			 pt = dest(&args, use, &addr);

	hm_video_get(local, addr, pt, path, NULL, now_ms() + timeout_ms);
}

/* vinit UID, vvinit A B [ADDR PORT] - a room camera's or viewer's init */
static void
cmd_vinit(char *args, int viewer)
{
	const char	*use = viewer ? "vvinit A B [ADDR PORT]" :
			    "vinit UID [ADDR PORT]";
	const char	*addr;
	uint32_t	 a = parse_uid(need(&args, use)), b = 0;
	int		 pt;

	if (viewer)
		b = parse_uid(need(&args, use));
	pt = dest(&args, use, &addr);
	hm_room_init(local, addr, pt, a, b, now_ms() + timeout_ms);
}

/* vpub UID PATH N [ADDR PORT] - N pictures of a room camera */
static void
cmd_vpub(char *args, int unused)
{
	static const char	 use[] = "vpub UID PATH N [ADDR PORT]";
	const char		*addr;
	uint32_t		 uid = parse_uid(need(&args, use));
	char			*path = need(&args, use);
	long long		 n;
	int			 pt;

	if (num(need(&args, use), 10, 1, 10000, &n) == -1)
		bad("usage: %s", use);
	pt = dest(&args, use, &addr);
	hm_room_publish(local, addr, pt, uid, path, (int)n,
	    now_ms() + timeout_ms);
}

/* vview A B PATH [ADDR PORT] - one picture of a room camera */
static void
cmd_vview(char *args, int unused)
{
	static const char	 use[] = "vview A B PATH [ADDR PORT]";
	const char		*addr;
	char			 req[64];
	uint32_t		 a = parse_uid(need(&args, use));
	uint32_t		 b = parse_uid(need(&args, use));
	char			*path = need(&args, use);
	int			 pt = dest(&args, use, &addr);

	(void)snprintf(req, sizeof(req), "GET /ab?1&%lu&%lu&1000\n",
	    (unsigned long)a, (unsigned long)b);
	hm_video_get(local, addr, pt, path, req, now_ms() + timeout_ms);
}

static void
cmd_expect(char *args, int unused)
{
	struct tset	 ts;
	char		*types = need(&args, "expect TYPE [TEXT]");
	char		*text = rest(args);
	long long	 deadline;
	enum wait	 r;

	parse_types(types, &ts);
	deadline = now_ms() + timeout_ms;
	while ((r = conn_next(&cur, deadline)) == W_FRAME)
		if (tset_has(&ts, fr.type) &&
		    (*text == '\0' || strstr(fr.line, text) != NULL))
			return;
	fail("expect %s%s%s: %s", types, *text ? " " : "", text,
	    r == W_EOF ? "connection closed" : "timeout");
}

static void
cmd_expectnot(char *args, int unused)
{
	struct tset	 ts;
	char		*types = need(&args, "expectnot TYPE MS");
	long long	 deadline;

	parse_types(types, &ts);
	deadline = now_ms() + millis(&args, "expectnot TYPE MS");
	while (conn_next(&cur, deadline) == W_FRAME)
		if (tset_has(&ts, fr.type))
			fail("expectnot %s: got one", types);
}

static void
cmd_drain(char *args, int unused)
{
	long long	 deadline = now_ms() + millis(&args, "drain MS");

	while (conn_next(&cur, deadline) == W_FRAME)
		;
}

static void
cmd_eof(char *args, int unused)
{
	long long	 deadline = now_ms() + timeout_ms;
	enum wait	 r;

	noargs(args, "eof");
	while ((r = conn_next(&cur, deadline)) == W_FRAME)
		;
	if (r != W_EOF)
		fail("eof: timeout, the connection is still open");
	say("EOF");
}

static void
cmd_echo(char *args, int unused)
{
	say("%s", rest(args));
}

/* waitfile - until PATH exists, reading the current connection meanwhile */
static void
cmd_waitfile(char *args, int ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };
	struct stat	 st;
	char		*path = rest(args);
	long long	 deadline = now_ms() + timeout_ms, step;

	if (*path == '\0')
		bad("usage: waitfile PATH");
	while (stat(path, &st) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			die("%s: %s", path, strerror(errno));
		if ((step = now_ms()) >= deadline)
			fail("waitfile %s: timeout", path);
		step += ms;
		if (cur.fd != -1 || cur.len >= HDRLEN) {
			while (conn_next(&cur, step) == W_FRAME)
				;
		}
		if (now_ms() < step && nanosleep(&ts, NULL) == -1 &&
		    errno != EINTR)
			die("nanosleep: %s", strerror(errno));
	}
}

/*
 * The room commands as script lines and their frames, computed by hand
 * from PROTOCOL.md 5.6-5.9 and 5.12 (room 50001 = 0xc351, uid 1000002 =
 * 0x000f4242, "bob" = 1000003 = 0x000f4243).
 */
static const struct vec {
	const char	*in;
	const char	*out;
} encvecs[] = {
	{ "rooms 0", "feb60047000c" "00000001" "00000000" "00000000" },
	{ "rooms 30001", "feb60047000c" "00000001" "00000001" "00007531" },
	{ "join 50001", "feca0047000a" "0000c351" "0000" "0000082a" },
	{ "join 50001 invisible pw word",
	    "feca00470011" "0000c351" "0001" "0000082a" "707720776f7264" },
	{ "join 50001 invisiblex",
	    "feca00470014" "0000c351" "0000" "0000082a" "696e76697369626c6578" },
	{ "joinname Tuck", "fec900470027" "6166663d300a" "6e616d653d5475636b0a"
	    "696e7669733d300a" "706f72743d323039300a" "6c6f636b3d" },
	{ "joinadmin 1000002 1234",
	    "fec40047000c" "000f4242" "000004d2" "0000082a" },
	{ "create 30001 G Chat",
	    "fed40047000f" "00000000" "7531" "0000082a" "47" "43686174" },
	{ "create 30002 A Loud lw voice", "fed400470012" "00030000" "7532"
	    "0000082a" "41" "4c6f75640a6c77" },
	{ "create 30002 A Loud voice",
	    "fed40047000f" "00030000" "7532" "0000082a" "41" "4c6f7564" },
	{ "say 50001 hi there", "fea20047000c" "0000c351" "6869207468657265" },
	{ "topic 50001 t", "fea100470005" "0000c351" "74" },
	{ "leave 50001", "fec000470004" "0000c351" },
	{ "invite 50001 bob", "fe9800470008" "0000c351" "000f4243" },
	{ "report 50001 bob x", "fecf00470009" "0000c351" "000f4243" "78" },
	{ "reason 50001 bob spam",
	    "fe7a00470010" "0000c351" "000f4243" "42523a207370616d" },
	{ "admininfo 50001", "fc7c00470004" "0000c351" },
	{ "bounce 50001 1000002", "fe8400470008" "0000c351" "000f4242" },
	{ "unbounce 50001 bob", "fc7100470008" "0000c351" "000f4243" },
	{ "ban 50001 -1", "fc6800470008" "0000c351" "ffffffff" },
	{ "unban 50001 bob", "fc6700470008" "0000c351" "000f4243" },
	{ "bannick 50001 eve", "fc6600470007" "0000c351" "657665" },
	{ "close 50001", "fc5400470004" "0000c351" },
	{ "reddot 50001 -1", "fe8300470008" "0000c351" "ffffffff" },
	{ "unreddot 50001 bob", "fe7300470008" "0000c351" "000f4243" },
	{ "newmic 50001 1", "fc5c00470006" "0000c351" "0001" },
	{ "rdtext 50001 0", "fc5e00470006" "0000c351" "0000" },
	{ "rdvideo 50001 1", "fc5d00470006" "0000c351" "0001" },
	{ "allmics 50001 0", "fe9d00470006" "0000c351" "0000" },
	{ "lowerhands 50001", "fe8200470004" "0000c351" },
	{ "handup 50001", "fe7200470004" "0000c351" },
	{ "handdown 50001", "fe7100470004" "0000c351" },
	{ "video 50001 1", "e88600470004" "0000c351" },
	{ "video 50001 0", "e88400470004" "0000c351" },
	{ "im bob hi", "ffec00470006" "000f4243" "6869" },
	{ "call bob", "fe3e00470006" "000f4243" "082a" },
	{ "answer bob", "fe3f00470006" "000f4243" "082a" },
	{ "decline bob", "fe3c00470004" "000f4243" },
	{ "hangup bob", "fe4000470004" "000f4243" },
	{ "offer bob", "fe4300470006" "000f4243" "082a" },
	{ "acceptfile bob", "fe4400470006" "000f4243" "082a" },
	{ "refuse bob", "fe4500470004" "000f4243" },
	{ "vcall bob 2091", "fd4400470006" "000f4243" "082b" },
	{ "vaccept bob", "fd3a00470006" "000f4243" "082b" },
	{ "vdecline bob", "fd4300470004" "000f4243" },
	{ "vhangup bob", "fd3000470004" "000f4243" },
};

/* server frames (type, payload in hex) and their decoded RECV text */
static const struct decvec {
	unsigned	 type;
	const char	*hex;
	const char	*want;
} decvecs[] = {
	{ 0x0154, "67726f75705f69643d35303030310a7569643d313030303030320a"
	    "6e69636b6e616d653d616c016365" "c8" "c8" "67726f75705f69643d3530"
	    "3030310a0a7569643d313030303030330a656f663d590a" "c8",
	    "group_id=50001 uid=1000002 nickname=al.ce | "
	    "group_id=50001 uid=1000003 eof=Y" },
	{ 0x0384, "67726f75703d35303030310a6d696b653d310a626f756e63653d310a32"
	    "c8" "62616e3d" "c8", "group=50001 mike=1 bounce=1 2 | ban=" },
	{ 0x014b, "", "" },
	{ 0x0136, "0000c351" "0003" "0001" "00000000" "0bb8" "2328" "0001"
	    "0006" "0003" "47" "5475636b0a" "636f6465633d780a76613d59",
	    "room=50001 kind=3 admin=1 rating=G name=Tuck text=codec=x|va=Y" },
	{ 0x0136, "0000c351" "0000" "0000" "00000000" "0000" "0000" "0000"
	    "0000" "0000" "41" "54", "room=50001 kind=0 admin=0 rating=A name=T" },
	{ 0x0136, "0000c351" "0000" "0001" "00000001" "0000" "0000" "0000"
	    "0000" "0000" "41" "54",
	    "room=50001 kind=0 admin=1 invis=1 rating=A name=T" },
	{ 0x013b, "0000c359" "7f000001" "0001869f" "0000" "082a",
	    "room=50009 ip=127.0.0.1 port=2090 raw=0001869f0000" },
	{ 0x015e, "0000c351" "000f4242" "6869", "room=50001 from=1000002 text=hi" },
	{ 0x015f, "0000c351" "00000000" "74", "room=50001 by=0 text=t" },
	{ 0x017c, "0000c351" "000f4242", "room=50001 uid=1000002 text=" },
	{ 0x018e, "0000c351" "000f4242", "room=50001 uid=1000002" },
	{ 0x0163, "0000c351" "0001" "000f4242", "room=50001 on=1 by=1000002" },
	{ 0x0138, "0000c351" "000f4242" "01", "room=50001 uid=1000002 on=1" },
	{ 0x0138, "0000c351" "000f4242" "0000", "room=50001 uid=1000002 on=0" },
	{ 0x0140, "0000c351", "hex=0000c351" },
	{ 0x0168, "67726f75705f69643d310a7569643d32", "rec group_id=1|uid=2" },
	{ 0xffd9, "68690a", "text=hi." },
	{ 0x01c1, "000f4243" "7f000002" "4e20",
	    "uid=1000003 ip=127.0.0.2 port=20000" },
	{ 0x01bc, "000f4243" "c0a80101" "082a",
	    "uid=1000003 ip=192.168.1.1 port=2090" },
	{ 0x01c3, "000f4243", "uid=1000003" },
	{ 0x02d0, "000f4243", "uid=1000003" },
	{ 0x01c1, "000f4243", "hex=000f4243" },
	{ 0x01c2, "7569643d310a69703d320a", "rec uid=1|ip=2|" },
};

/* st_rooms - the room encoders and the room decoders against the vectors */
static void
st_rooms(void)
{
	static struct frame	 tf;
	char			 line[256], hex[512];
	struct sbuf		 b = { hex, sizeof(hex), 0 };
	const char		*got;
	size_t			 i, pre;
	long			 n;

	var_set("bob", 1000003);
	capture = &b;
	for (i = 0; i < sizeof(encvecs) / sizeof(encvecs[0]); i++) {
		b.len = 0;
		hex[0] = '\0';
		snprintf(line, sizeof(line), "%s", encvecs[i].in);
		run(line);
		if (strcmp(hex, encvecs[i].out) != 0)
			fail("selftest: '%s' gives %s, not %s", encvecs[i].in,
			    hex, encvecs[i].out);
	}
	capture = NULL;
	for (i = 0; i < sizeof(decvecs) / sizeof(decvecs[0]); i++) {
		if ((n = unhex(decvecs[i].hex, tf.p, MAXPAYLOAD)) < 0)
			fail("selftest: bad vector %zu", i);
		tf.type = decvecs[i].type;
		tf.len = (size_t)n;
		format(&tf);
		snprintf(line, sizeof(line), "RECV 0x%04x %ld ", tf.type, n);
		pre = strlen(line);
		got = strncmp(tf.line, line, pre) == 0 ? tf.line + pre : tf.line;
		if (strcmp(got, decvecs[i].want) != 0)
			fail("selftest: 0x%04x decodes as '%s', not '%s'",
			    tf.type, tf.line, decvecs[i].want);
	}
}

/* selftest - the encoder against PROTOCOL.md 4.4 and vectors.txt */
static void
cmd_selftest(char *args, int unused)
{
	static const char	 want[] = "2580281028303490371036203060";
	static const char	 login[] = "fb8400470020000f4242"
	    "32353830323831303238333033343930333731303336323033303630";
	static const unsigned char key10[] = "XyF\xa6" "519";
	static const unsigned char node[] = "XyF\xc2\xa6" "164473312518";
	static const int	 chs[] = { 0, 1, 10, 226, 345 };
	unsigned char		 f[64];
	char			 e[64], d[16], hex[160];
	size_t			 i, j;

	noargs(args, "selftest");
	if (strncmp(key + 10, " a big ", 7) != 0 || key[KEYLEN - 1] != '\n' ||
	    strstr(key, "MaryLou becuase in love") == NULL)
		fail("selftest: the key");
	if (challenge_of(key10, 7) != 10 ||
	    challenge_of(node, sizeof(node) - 1) != -509)
		fail("selftest: SERVER_KEY challenge");
	if (v1_encode("h2kclan", 10, 0, e, sizeof(e)) != 28 ||
	    strcmp(e, want) != 0)
		fail("selftest: h2kclan at 10 gives %s, not %s", e, want);
	for (i = 0; i < 200; i++) {
		if (v1_encode("h2kclan", 10, -1, e, sizeof(e)) != 28)
			fail("selftest: length with check digits");
		for (j = 0; j < 7; j++)
			if (memcmp(e + 4 * j, want + 4 * j, 3) != 0 ||
			    e[4 * j + 3] < '0' || e[4 * j + 3] > '7')
				fail("selftest: check digits: %s", e);
	}
	header(f, C_LOGIN, 32);
	put32(f + HDRLEN, 1000002);
	memcpy(f + HDRLEN + 4, want, 28);
	for (i = 0; i < HDRLEN + 32; i++)
		snprintf(hex + 2 * i, sizeof(hex) - 2 * i, "%02x", f[i]);
	if (strcmp(hex, login) != 0)
		fail("selftest: LOGIN frame %s", hex);
	for (i = 0; i < sizeof(chs) / sizeof(chs[0]); i++)
		if (v1_encode("S3cret!pw", chs[i], -1, e, sizeof(e)) != 36 ||
		    v1_decode(e, chs[i], d, sizeof(d)) != 0 ||
		    strcmp(d, "S3cret!pw") != 0)
			fail("selftest: round trip at challenge %d", chs[i]);
	if (v1_encode("ab", KEYLEN - 1, 0, e, sizeof(e)) != -1)
		fail("selftest: ran past the key");
	st_rooms();
	say("selftest ok");
}

static const struct cmd cmds[] = {
	{ "acceptfile",	cmd_p2p,	C_FILE_ACCEPT },
	{ "add",	cmd_uidreq,	C_ADD },
	{ "admininfo",	cmd_room,	C_ADMIN_INFO },
	{ "allmics",	cmd_roomflag,	C_ALL_MICS },
	{ "answer",	cmd_p2p,	C_CALL_ACCEPT },
	{ "away",	cmd_away,	C_AWAY },
	{ "blocklist",	cmd_empty,	C_BLOCK_LIST },
	{ "ban",	cmd_roomuid,	C_BAN },
	{ "bannick",	cmd_roomtext,	C_BAN_NICK },
	{ "block",	cmd_uidreq,	C_BLOCK },
	{ "bounce",	cmd_roomuid,	C_BOUNCE },
	{ "call",	cmd_p2p,	C_CALL },
	{ "close",	cmd_close,	0 },
	{ "connect",	cmd_connect,	0 },
	{ "create",	cmd_create,	0 },
	{ "decline",	cmd_p2p,	C_CALL_DECLINE },
	{ "display",	cmd_display,	C_SET_DISPLAY },
	{ "drain",	cmd_drain,	0 },
	{ "echo",	cmd_echo,	0 },
	{ "eof",	cmd_eof,	0 },
	{ "expect",	cmd_expect,	0 },
	{ "expectnot",	cmd_expectnot,	0 },
	{ "fget",	cmd_fget,	0 },
	{ "flisten",	cmd_flisten,	0 },
	{ "fput",	cmd_fput,	0 },
	{ "fputlie",	cmd_fput,	1 },
	{ "friends",	cmd_friends,	C_INVITE_FRIEND },
	{ "handdown",	cmd_room,	C_HAND_DOWN },
	{ "handup",	cmd_room,	C_HAND_UP },
	{ "hangup",	cmd_p2p,	C_CALL_HANGUP },
	{ "hint",	cmd_hint,	C_PASSWORD_HINT },
	{ "holdfile",	cmd_waitfile,	1000 },
	{ "hello",	cmd_hello,	0 },
	{ "im",		cmd_im,		0 },
	{ "invite",	cmd_roomuid,	C_ROOM_INVITE },
	{ "join",	cmd_join,	0 },
	{ "joinadmin",	cmd_joinadmin,	0 },
	{ "joinname",	cmd_joinname,	0 },
	{ "leave",	cmd_room,	C_ROOM_LEAVE },
	{ "login",	cmd_login,	0 },
	{ "lowerhands",	cmd_room,	C_LOWER_HANDS },
	{ "newmic",	cmd_roomflag,	C_NEW_USER_MIC },
	{ "offer",	cmd_p2p,	C_FILE_OFFER },
	{ "online",	cmd_empty,	C_ONLINE },
	{ "privacy",	cmd_privacy,	C_SET_PRIVACY },
	{ "passwd",	cmd_passwd,	0 },
	{ "profile",	cmd_profile,	0 },
	{ "quit",	cmd_quit,	0 },
	{ "rdtext",	cmd_roomflag,	C_REDDOT_TEXT },
	{ "rdvideo",	cmd_roomflag,	C_REDDOT_VIDEO },
	{ "reason",	cmd_roomuidtext, C_BOUNCE_REASON },
	{ "reddot",	cmd_roomuid,	C_REDDOT },
	{ "refuse",	cmd_p2p,	C_FILE_REFUSE },
	{ "newuser",	cmd_newuser,	0 },
	{ "register",	cmd_register,	0 },
	{ "remove",	cmd_uidreq,	C_REMOVE },
	{ "report",	cmd_roomuidtext, C_ROOM_REPORT },
	{ "rooms",	cmd_rooms,	0 },
	{ "roomtick",	cmd_empty,	C_ROOM_TICK },
	{ "rtcpsend",	cmd_rtpsend,	1 },
	{ "rtpnew",	cmd_rtpnew,	0 },
	{ "rtpopen",	cmd_rtpopen,	0 },
	{ "rtprecv",	cmd_rtprecv,	0 },
	{ "rtpsend",	cmd_rtpsend,	0 },
	{ "say",	cmd_roomtext,	C_ROOM_SAY },
	{ "search",	cmd_search,	0 },
	{ "searchx",	cmd_search,	1 },
	{ "selftest",	cmd_selftest,	0 },
	{ "send",	cmd_send,	0 },
	{ "sendraw",	cmd_sendraw,	0 },
	{ "topic",	cmd_roomtext,	C_ROOM_TOPIC },
	{ "uid",	cmd_uid,	0 },
	{ "unban",	cmd_roomuid,	C_UNBAN },
	{ "unblock",	cmd_uidreq,	C_UNBLOCK },
	{ "unbounce",	cmd_roomuid,	C_UNBOUNCE },
	{ "unreddot",	cmd_roomuid,	C_UNREDDOT },
	{ "unview",	cmd_view,	C_VIDEO_UNVIEW },
	{ "vaccept",	cmd_p2p,	C_VACCEPT },
	{ "vcall",	cmd_p2p,	C_VCALL },
	{ "vdecline",	cmd_p2p,	C_VDECLINE },
	{ "vget",	cmd_vget,	0 },
	{ "vhangup",	cmd_p2p,	C_VHANGUP },
	{ "view",	cmd_view,	C_VIDEO_VIEW },
	{ "vinit",	cmd_vinit,	0 },
	{ "vlisten",	cmd_vlisten,	0 },
	{ "video",	cmd_video,	0 },
	{ "vpub",	cmd_vpub,	0 },
	{ "vserve",	cmd_vserve,	0 },
	{ "vview",	cmd_vview,	0 },
	{ "vvinit",	cmd_vinit,	1 },
	{ "waitfile",	cmd_waitfile,	POLL_MS },
};

/* run - one script line */
static void
run(char *line)
{
	char	*p, *name;
	size_t	 i;

	line[strcspn(line, "\r\n")] = '\0';
	p = line;
	if ((name = word(&p)) == NULL || *name == '#')
		return;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0) {
			cmds[i].fn(p, cmds[i].arg);
			return;
		}
	bad("unknown command '%s'", name);
}

static void
usage(void)
{
	fprintf(stderr, "usage: h_client [-a address] [-b address | -s address] "
	    "[-t seconds] port <script\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct in_addr	 in;
	long long	 v;
	size_t		 n;
	int		 ch;

	while ((ch = getopt(argc, argv, "a:b:s:t:")) != -1) {
		switch (ch) {
		case 'a':
			server = optarg;
			break;
		case 's':	/* loopback only: 127.0.0.0/8 */
			if (inet_pton(AF_INET, optarg, &in) != 1 ||
			    (ntohl(in.s_addr) >> 24) != 127)
				usage();
			/* FALLTHROUGH */
		case 'b':
			local = optarg;
			break;
		case 't':
			if (num(optarg, 10, 1, 3600, &v) == -1)
				usage();
			timeout_ms = v * 1000;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || num(argv[optind], 10, 1, 65535, &v) == -1)
		usage();
	port = (int)v;
	cur.fd = side.fd = -1;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal: %s", strerror(errno));
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	while (fgets(script, sizeof(script), stdin) != NULL) {
		lineno++;
		n = strlen(script);
		if (n > 0 && script[n - 1] != '\n' && !feof(stdin))
			bad("line too long");
		run(script);
	}
	if (ferror(stdin))
		die("stdin: %s", strerror(errno));
	return 0;
}
