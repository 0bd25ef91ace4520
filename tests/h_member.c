/*
 * tests/h_member.c - a room member made directly in the shared table, for
 * the voice tests and the voice bench (no chat client, no store).
 *
 * usage: h_member -r rundir -R room -u uid [-a address] [-f admin]
 *
 * Logs uid in (from address, 127.0.0.1 by default), joins room (made
 * active if it is not), prints "JOINED room idx", then obeys one command
 * per line on standard input and answers each with one line:
 *	reddot | unreddot | hand | nohand	member flags of our uid
 *	allmics 0|1				the room's all-mics setting
 *	speaker					"SPEAKER uid"
 *	inbox					"FRAME type uid" per frame
 *	leave					leave the room
 *	udp MODE VPORT				a UDP socket on 127.0.0.1
 *		registered (table_vep) for the room, MODE 1 listen, 2 speak,
 *		3 both, 0 unregistered; VPORT is the voice port: "UDP port"
 *	usend N					N plain RTP packets (GSM, 4
 *		frames, 144 bytes, SSRC 1) to VPORT, 80 ms apart: "SENT N"
 *	urecv MS				read the UDP socket for MS ms:
 *		"URECV count ssrc=S len=L" (of the last packet)
 * and logs out at end of input, or dies with the process (the table's
 * sweep then finds the slot dead).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../store/table.h"

static struct table	*t;
static struct troom	 rm;
static uint32_t		 uid;
static int		 ufd = -1;
static struct sockaddr_in vsin;

/* udp - a UDP socket of our own, registered in the table with mode */
static void
udp(int mode, int vport)
{
	struct sockaddr_in sin;
	socklen_t	 len = sizeof(sin);

	if (ufd == -1) {
		if ((ufd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
			err(1, "socket");
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(ufd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			err(1, "bind");
	}
	if (getsockname(ufd, (struct sockaddr *)&sin, &len) == -1)
		err(1, "getsockname");
	memset(&vsin, 0, sizeof(vsin));
	vsin.sin_family = AF_INET;
	vsin.sin_port = htons((uint16_t)vport);
	vsin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (table_vep(t, rm.id, "127.0.0.1", ntohs(sin.sin_port), mode,
	    600) == -1)
		errx(1, "table_vep");
	printf("UDP %u\n", ntohs(sin.sin_port));
}

/* usend - n packets shaped as 5.0 sends them, 80 ms apart */
static void
usend(int n)
{
	unsigned char	 p[144];
	int		 i;

	for (i = 0; i < n && ufd != -1; i++) {
		memset(p, 0, sizeof(p));
		p[0] = 0x80;
		p[1] = 0x03;
		p[3] = (unsigned char)i;
		p[11] = 1;		/* the relay sets the SSRC */
		(void)sendto(ufd, p, sizeof(p), 0,
		    (struct sockaddr *)&vsin, sizeof(vsin));
		(void)poll(NULL, 0, 80);
	}
	printf("SENT %d\n", i);
}

/* urecv - count what arrives within ms (bounded: 60 s) */
static void
urecv(int ms)
{
	struct pollfd	 pfd;
	unsigned char	 p[2048];
	uint32_t	 ssrc = 0;
	ssize_t		 n, len = 0;
	int		 count = 0;

	pfd.fd = ufd;
	pfd.events = POLLIN;
	while (ufd != -1 && ms > 0 && poll(&pfd, 1, ms > 100 ? 100 : ms) >= 0) {
		ms -= 100;
		while ((n = recv(ufd, p, sizeof(p), MSG_DONTWAIT)) >= 16) {
			count++;
			ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
			    (uint32_t)p[10] << 8 | p[11];
			len = n;
		}
	}
	printf("URECV %d ssrc=%u len=%zd\n", count, ssrc, len);
}

static void
flags(uint32_t set, uint32_t clear)
{
	if (room_mflags(t, rm.idx, rm.rgen, uid, set, clear) == -1)
		errx(1, "room gone");
	printf("OK\n");
}

static void
inbox(void)
{
	unsigned char	 b[512];
	ssize_t		 n;
	int		 kind;

	table_clearbell(t, 1);
	while ((n = table_recv(t, &kind, b, sizeof(b))) > 0)
		if (n >= 14)
			printf("FRAME 0x%04x %u\n", b[0] << 8 | b[1],
			    (unsigned)(b[10] << 24 | b[11] << 16 |
			    b[12] << 8 | b[13]));
	printf("END\n");
}

static void
command(const char *c)
{
	struct troom	 v;
	int		 empty, a, b;

	if (strcmp(c, "reddot") == 0)
		flags(TMF_REDDOT, 0);
	else if (strcmp(c, "unreddot") == 0)
		flags(0, TMF_REDDOT);
	else if (strcmp(c, "hand") == 0)
		flags(TMF_HAND, 0);
	else if (strcmp(c, "nohand") == 0)
		flags(0, TMF_HAND);
	else if (strncmp(c, "allmics ", 8) == 0) {
		if (room_get(t, rm.idx, rm.rgen, &v) == -1)
			errx(1, "room gone");
		v.allmics = c[8] == '1';
		(void)room_update(t, rm.idx, rm.rgen, &v, RU_OPTS);
		printf("OK\n");
	} else if (strcmp(c, "speaker") == 0) {
		if (room_get(t, rm.idx, rm.rgen, &v) == -1)
			errx(1, "room gone");
		printf("SPEAKER %u\n", v.speaker);
	} else if (strcmp(c, "inbox") == 0)
		inbox();
	else if (strcmp(c, "leave") == 0) {
		(void)room_leave(t, rm.idx, rm.rgen, &v, &empty);
		printf("LEFT\n");
	} else if (sscanf(c, "udp %d %d", &a, &b) == 2)
		udp(a, b);
	else if (sscanf(c, "usend %d", &a) == 1 && a >= 0 && a <= 1000)
		usend(a);
	else if (sscanf(c, "urecv %d", &a) == 1 && a >= 0 && a <= 60000)
		urecv(a);
	else
		printf("ERR %s\n", c);
	fflush(stdout);
}

int
main(int argc, char *argv[])
{
	struct troom	 tmpl;
	const char	*dir = NULL, *addr = "127.0.0.1", *errstr;
	char		 line[128], nick[32];
	uint32_t	 room = 0, mf = 0;
	int		 ch;

	while ((ch = getopt(argc, argv, "a:fR:r:u:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'f':
			mf = TMF_ADMIN;
			break;
		case 'R':
			room = (uint32_t)strtonum(optarg, 1, UINT32_MAX,
			    &errstr);
			if (errstr != NULL)
				errx(1, "-R: %s", errstr);
			break;
		case 'r':
			dir = optarg;
			break;
		case 'u':
			uid = (uint32_t)strtonum(optarg, 1, UINT32_MAX,
			    &errstr);
			if (errstr != NULL)
				errx(1, "-u: %s", errstr);
			break;
		default:
			fprintf(stderr, "usage: h_member -r rundir -R room "
			    "-u uid [-a address] [-f]\n");
			exit(1);
		}
	}
	if (dir == NULL || room == 0 || uid == 0)
		errx(1, "-r, -R and -u are needed");
	if ((t = table_open(dir, 0)) == NULL)
		err(1, "%s", dir);
	(void)snprintf(nick, sizeof(nick), "u%u", uid);
	if (table_login(t, uid, nick, addr, 0x1e, NULL) == -1)
		errx(1, "table full");
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.id = room;
	(void)snprintf(tmpl.name, sizeof(tmpl.name), "voice %u", room);
	if (room_join(t, &tmpl, mf, 0, &rm) != TR_OK)
		errx(1, "cannot join room %u", room);
	printf("JOINED %u %d\n", rm.id, rm.idx);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		command(line);
	}
	table_close(t);
	return 0;
}
