/*
 * t_inbox.c - a session's inbox in the shared table as table_recv finds
 * it after a sibling's bug or death: corrupt words must cut the session
 * (-1), never loop over gigabytes of "padding" or end the process.
 * store/table.c is included whole, for the inbox's layout; each case
 * maps a table in its own Kyua work directory.
 */
#include "../../store/table.c"

#include <atf-c.h>

/* inbox - our session's slot, logged in, and its ring */
static struct tslot *
inbox(struct table **tp, unsigned char **ring_)
{
	struct table	*t;

	t = table_open(".", 1);
	ATF_REQUIRE(t != NULL);
	ATF_REQUIRE_EQ(table_login(t, 1000002, "alice", "a", 0x1e, NULL), 0);
	*tp = t;
	*ring_ = t->rings + (size_t)t->myslot * PALD_INBOX_SIZE;
	return &t->slots[t->myslot];
}

/* zeroed - table_recv on a zeroed ring with these tail and head words */
static ssize_t
zeroed(uint32_t tail, uint32_t head)
{
	struct table	*t;
	struct tslot	*s;
	unsigned char	*r, buf[64];
	ssize_t		 n;
	int		 kind;

	s = inbox(&t, &r);
	memset(r, 0, PALD_INBOX_SIZE);
	atomic_store(&s->tail, tail);
	atomic_store(&s->head, head);
	n = table_recv(t, &kind, buf, sizeof(buf));
	table_close(t);
	return n;
}

ATF_TC_WITHOUT_HEAD(far_apart);
ATF_TC_BODY(far_apart, tc)
{
	/* head 218 MB past tail: zeroes read as padding, as fuzz_table's */
	ATF_CHECK_EQ(zeroed(0xfcfd0000u, 0x0a00fdfdu), -1);
}

ATF_TC_WITHOUT_HEAD(misaligned);
ATF_TC_BODY(misaligned, tc)
{
	/* never meets head: 8 bytes at a time from 3 */
	ATF_CHECK_EQ(zeroed(3, 64), -1);
}

ATF_TC_WITHOUT_HEAD(past_end);
ATF_TC_BODY(past_end, tc)
{
	struct table	*t;
	struct tslot	*s;
	struct tmsg	 m;
	unsigned char	*r, buf[64];
	int		 kind;

	/* a length that runs past the ring's end: no exit, -1 */
	s = inbox(&t, &r);
	memset(&m, 0, sizeof(m));
	m.len = PALD_INBOX_SIZE;
	m.kind = TM_FRAME;
	memcpy(r, &m, sizeof(m));
	atomic_store(&s->tail, 0);
	atomic_store(&s->head, 64);
	ATF_CHECK_EQ(table_recv(t, &kind, buf, sizeof(buf)), -1);
	/* and a good message still reads after the inbox is made anew */
	atomic_store(&s->tail, 64);
	atomic_store(&s->head, 64);
	ATF_REQUIRE_EQ(table_send(t, t->myslot,
	    atomic_load(&s->gen), TM_FRAME, "hi", 2), 0);
	ATF_CHECK_EQ(table_recv(t, &kind, buf, sizeof(buf)), 2);
	ATF_CHECK_EQ(kind, TM_FRAME);
	table_close(t);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, far_apart);
	ATF_TP_ADD_TC(tp, misaligned);
	ATF_TP_ADD_TC(tp, past_end);
	return atf_no_error();
}
