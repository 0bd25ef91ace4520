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
 * and logs out at end of input, or dies with the process (the table's
 * sweep then finds the slot dead).
 */
#include <sys/types.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../store/table.h"

static struct table	*t;
static struct troom	 rm;
static uint32_t		 uid;

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

	table_clearbell(t);
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
	int		 empty;

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
	} else
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
