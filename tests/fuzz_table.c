/*
 * tests/fuzz_table.c - a libFuzzer harness for the table's inboxes
 * (store/table.c): table_recv reading what siblings left in our inbox.
 *
 * The inbox is shared memory that every pald process may append to; a
 * sibling that dies at the wrong moment, or a bug in one, leaves what it
 * leaves.  Each input is the state of our inbox: its head, tail and
 * overflow words, where its bytes start, and the bytes, possibly after
 * a few messages appended the proper way (table_send).  table_recv must
 * hand out only whole messages that fit the caller's buffer, and end:
 * with the inbox empty, or -1 (the session is then cut).  table.c is
 * included whole, for its inbox's layout.  Built and run by make fuzz.
 */
#include "../store/table.c"

#include <err.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define RECVS_MAX	(PALD_INBOX_SIZE / 8 + 16)	/* messages of 0 bytes */

static struct table	*tab;
static struct tsess	 me;
static char		 dir[] = "/tmp/pald-fuzz-table.XXXXXX";

static void
setup(void)
{
	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	if ((tab = table_open(dir, 1)) == NULL ||
	    table_login(tab, 1000002, "alice", "127.0.0.1", 0x1e, &me) == -1)
		errx(1, "table");
}

/* word - 4 bytes of the input as a number */
static uint32_t
word(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tslot	*s;
	unsigned char	*ring_, *buf;
	uint32_t	 head, tail, at;
	size_t		 cap, n;
	ssize_t		 r;
	int		 kind, i, sends;

	if (tab == NULL)
		setup();
	if (size < 14)
		return 0;
	s = &tab->slots[tab->myslot];
	ring_ = tab->rings + (size_t)tab->myslot * PALD_INBOX_SIZE;
	head = word(data);
	tail = word(data + 4);
	at = word(data + 8) % PALD_INBOX_SIZE;
	cap = (size_t)data[12] << 4;
	sends = data[13] % 4;
	data += 14;
	size -= 14;
	n = size < PALD_INBOX_SIZE - at ? size : PALD_INBOX_SIZE - at;
	memset(ring_, 0, PALD_INBOX_SIZE);
	memcpy(ring_ + at, data, n);
	atomic_store(&s->head, head);
	atomic_store(&s->tail, tail);
	atomic_store(&s->overflow, (tail & 1) && (head & 0x10000));
	for (i = 0; i < sends; i++)
		(void)table_send(tab, me.slot, me.gen, TM_FRAME, data, n % 600);
	if ((buf = malloc(cap == 0 ? 1 : cap)) == NULL)
		return 0;
	for (i = 0; i < RECVS_MAX; i++) {
		kind = -1;
		r = table_recv(tab, &kind, buf, cap);
		if (r == 0 || r == -1)
			break;
		if (r < 0 || (size_t)r > cap || kind < 1 || kind > 0xffff)
			abort();
	}
	if (i == RECVS_MAX)
		abort();		/* it must end */
	free(buf);
	return 0;
}
