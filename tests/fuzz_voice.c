/*
 * tests/fuzz_voice.c - a libFuzzer harness for the voice port's
 * handshake: the first bytes of a voice connection (proto/rtp.c's
 * reader) and what voice.c's voice_check makes of the room and uid they
 * name, against a scratch table.
 *
 * Once per process: a table in a scratch directory, our own session in
 * it as uid 1000002 from 127.0.0.1, a member of the active room 50001.
 * Each input: its first byte picks the peer's address and how the rest
 * is cut into reads; the rest is what the connection sends.  The reader
 * must stay in its bounds, and voice_check may let in only uid 1000002
 * to room 50001 from 127.0.0.1.  Built and run by make fuzz.
 */
#include <sys/types.h>

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/rtp.h"
#include "../store/table.h"
#include "../voice.h"
#include "fuzz_util.h"

#define UID	1000002
#define ROOM	50001

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct table	*tab;

static void
setup(void)
{
	struct troom	 tmpl, tr;

	fz_quiet();
	if ((tab = table_open(fz_dir("run"), 1)) == NULL)
		errx(1, "table");
	if (table_login(tab, UID, "alice", "127.0.0.1", 0x1e, NULL) == -1)
		errx(1, "table_login");
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.id = ROOM;
	(void)strlcpy(tmpl.name, "fuzz", sizeof(tmpl.name));
	if (room_join(tab, &tmpl, 0, 0, &tr) != TR_OK)
		errx(1, "room_join");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const peers[] = { "127.0.0.1", "127.0.0.2",
	    "::1", "" };
	struct rtp_reader *rd;
	struct troom	 tr;
	const char	*peer, *why;
	uint8_t		*p;
	size_t		 off, piece, used;
	int		 r, step;

	if (tab == NULL)
		setup();
	if (size < 1)
		return 0;
	peer = peers[data[0] & 3];
	step = 1 + (data[0] >> 2);
	size--;
	if ((p = malloc(size == 0 ? 1 : size)) == NULL ||
	    (rd = malloc(sizeof(*rd))) == NULL) {
		free(p);
		return 0;
	}
	memcpy(p, data + 1, size);
	rtp_reader_init(rd, 1);
	for (off = 0; off < size; off += used) {
		piece = size - off < (size_t)step ? size - off : (size_t)step;
		r = rtp_read(rd, p + off, piece, &used);
		if (used > piece || (r == RTP_MORE && used != piece))
			abort();
		if (r == RTP_BADLEN)
			break;
		if (r != RTP_HELLO)
			continue;
		why = voice_check(tab, rd->room, rd->uid, peer, &tr);
		if (why == NULL && (rd->uid != UID || rd->room != ROOM ||
		    strcmp(peer, "127.0.0.1") != 0 || tr.id != ROOM))
			abort();
		if (why != NULL && rd->uid == UID && rd->room == ROOM &&
		    strcmp(peer, "127.0.0.1") == 0)
			abort();
		if (why != NULL)
			break;		/* voice.c closes the connection */
	}
	free(rd);
	free(p);
	return 0;
}
