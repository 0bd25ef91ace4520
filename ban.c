/*
 * ban.c - server-wide bans: the /ban, /unban and /bans commands, and the
 * checks at connect (address) and at login (account and address).
 *
 * A ban names an account (by nickname), an address, or a CIDR block,
 * with who set it, when, why and until when (0: for good); they live in
 * bans.db (store/db.h) and survive restarts, and an expired ban stops
 * applying by itself.  A ban by nickname also bans the addresses the
 * account is on at that moment; adding a ban ends every session it
 * matches.  Nobody can ban the address they are on themselves.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ban.h"
#include "log.h"
#include "out.h"
#include "pald.h"
#include "proto/wire.h"
#include "sess.h"
#include "store/db.h"
#include "store/table.h"

#define BANS_MAX	200	/* bans listed by /bans */
#define BAN_FOREVER	(10LL * 365 * 86400)	/* longest timed ban */

/* A parsed address or block: family, bytes, prefix length. */
struct net {
	int		 af;
	unsigned char	 a[16];
	int		 bits;
};

/* net_parse - "addr" (bits = all) or "addr/bits"; 0 or -1 */
static int
net_parse(const char *s, struct net *n, int cidr)
{
	char		 b[64], *slash;
	const char	*errstr;
	int		 max;

	if (strlcpy(b, s, sizeof(b)) >= sizeof(b))
		return -1;
	if ((slash = strchr(b, '/')) != NULL) {
		if (!cidr)
			return -1;
		*slash++ = '\0';
	} else if (cidr)
		return -1;
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, b, n->a) == 1)
		n->af = AF_INET;
	else if (inet_pton(AF_INET6, b, n->a) == 1)
		n->af = AF_INET6;
	else
		return -1;
	max = n->af == AF_INET ? 32 : 128;
	n->bits = max;
	if (slash != NULL) {
		n->bits = (int)strtonum(slash, 0, max, &errstr);
		if (errstr != NULL)
			return -1;
	}
	return 0;
}

/* net_in - is address a inside block n? */
static int
net_in(const struct net *a, const struct net *n)
{
	int	 full = n->bits / 8, rest = n->bits % 8;

	if (a->af != n->af)
		return 0;
	if (memcmp(a->a, n->a, (size_t)full) != 0)
		return 0;
	return rest == 0 ||
	    ((a->a[full] ^ n->a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* net_text - the canonical text of n, with /bits for a block */
static void
net_text(struct net *n, int cidr, char *out, size_t size)
{
	char	 b[INET6_ADDRSTRLEN];
	int	 full = n->bits / 8, rest = n->bits % 8;
	size_t	 len = n->af == AF_INET ? 4 : 16;

	if (cidr) {		/* the network address: host bits cleared */
		if (rest != 0)
			n->a[full++] &= (unsigned char)(0xff << (8 - rest));
		if ((size_t)full < len)
			memset(n->a + full, 0, len - (size_t)full);
	}
	if (inet_ntop(n->af, n->a, b, sizeof(b)) == NULL)
		b[0] = '\0';
	if (cidr)
		(void)snprintf(out, size, "%s/%d", b, n->bits);
	else
		(void)strlcpy(out, b, size);
}

/* ban_what - kind and canonical text of a ban target; -1 if none */
static int
ban_what(const char *s, struct ban *b)
{
	struct net	 n;
	size_t		 i;

	if (net_parse(s, &n, 0) == 0) {
		b->kind = BAN_ADDR;
		net_text(&n, 0, b->what, sizeof(b->what));
	} else if (net_parse(s, &n, 1) == 0) {
		b->kind = BAN_CIDR;
		net_text(&n, 1, b->what, sizeof(b->what));
	} else if (db_nick_valid(s)) {
		b->kind = BAN_NICK;
		for (i = 0; s[i] != '\0' && i + 1 < sizeof(b->what); i++)
			b->what[i] = (char)tolower((unsigned char)s[i]);
		b->what[i] = '\0';
	} else
		return -1;
	return 0;
}

/* ban_hits - does ban b match a session on addr as nick? */
static int
ban_hits(const struct ban *b, const char *nick, const char *addr)
{
	struct net	 a, n;

	switch (b->kind) {
	case BAN_NICK:
		return nick != NULL && strcasecmp(b->what, nick) == 0;
	case BAN_ADDR:
	case BAN_CIDR:
		return net_parse(addr, &a, 0) == 0 &&
		    net_parse(b->what, &n, b->kind == BAN_CIDR) == 0 &&
		    (b->kind == BAN_CIDR ? net_in(&a, &n) :
		    a.af == n.af && memcmp(a.a, n.a, 16) == 0);
	}
	return 0;
}

/* duration - "30m", "2h", "1d", "1w", "45s" or "perm"; -1 if not one */
static long long
duration(const char *s)
{
	static const struct {
		char	 c;
		long	 secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 },
	    { 'd', 86400 }, { 'w', 7 * 86400 } };
	char		 b[16];
	const char	*errstr;
	long long	 n;
	size_t		 i, len = strlen(s);

	if (strcmp(s, "perm") == 0)
		return 0;
	if (len < 2 || len >= sizeof(b))
		return -1;
	memcpy(b, s, len - 1);
	b[len - 1] = '\0';
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (s[len - 1] != units[i].c)
			continue;
		n = strtonum(b, 1, BAN_FOREVER / units[i].secs, &errstr);
		return errstr != NULL ? -1 : n * units[i].secs;
	}
	return -1;
}

/* until_text - "until 2026-11-23 10:00 UTC" or "for good" */
static void
until_text(int64_t until, char *b, size_t size)
{
	struct tm	 tm;
	time_t		 t = (time_t)until;

	if (until == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(b, size, "until %Y-%m-%d %H:%M UTC", &tm) == 0)
		(void)strlcpy(b, "for good", size);
}

struct bankick {
	struct session	*s;
	const struct ban *b;
	char		 text[PALD_REASON_MAX + 128];
	int		 n;
	/* with a nick ban: the other addresses the account is on */
	char		 addrs[8][48];
	int		 naddrs;
};

static void
bankick_cb(void *arg, const struct tsess *ts)
{
	struct bankick	*k = arg;
	int		 i;

	if (ts->slot == k->s->me.slot || !ban_hits(k->b, ts->nick, ts->addr))
		return;
	if (deliver(k->s, ts, TM_KICK, PT_KICK, k->text,
	    strlen(k->text)) == 0)
		k->n++;
	if (k->b->kind != BAN_NICK || strcmp(ts->addr, k->s->addr) == 0)
		return;
	for (i = 0; i < k->naddrs; i++)
		if (strcmp(k->addrs[i], ts->addr) == 0)
			return;
	if (k->naddrs < 8)
		(void)strlcpy(k->addrs[k->naddrs++], ts->addr,
		    sizeof(k->addrs[0]));
}

/* ban_add - store b and end the sessions it matches; -1 on error */
static int
ban_add(struct session *s, const struct ban *b, struct bankick *k)
{
	char	 u[64];

	if (db_ban_add(s->db, b) != DBR_OK) {
		admin_reply(s, "Try again later.");
		return -1;
	}
	until_text(b->until, u, sizeof(u));
	(void)snprintf(k->text, sizeof(k->text), "You are banned from this "
	    "server %s%s%s", u, b->reason[0] ? ": " : ".", b->reason);
	k->s = s;
	k->b = b;
	(void)table_list(s->tab, bankick_cb, k);
	log_notice("[%s]: %s banned %s %s, %d session%s ended", s->addr,
	    s->u.nick, b->what, u, k->n, k->n == 1 ? "" : "s");
	admin_reply(s, "Banned %s %s; %d session%s ended.", b->what, u, k->n,
	    k->n == 1 ? "" : "s");
	return 0;
}

/* ban_target_ok - not the system user, not a higher admin, not us */
static int
ban_target_ok(struct session *s, const struct ban *b)
{
	struct user	 u;
	int		 ok = 1;

	if (b->kind != BAN_NICK) {
		if (ban_hits(b, NULL, s->addr)) {
			admin_reply(s, "Your own address %s is in %s.", s->addr,
			    b->what);
			return 0;
		}
		return 1;
	}
	if (db_user_by_nick(s->db, b->what, &u) != DBR_OK)
		return 1;	/* a nickname nobody has yet may be banned */
	if (u.uid == PALD_UID_SYSTEM || u.uid == s->u.uid ||
	    (u.admin >= s->u.admin && s->u.admin < 3)) {
		admin_reply(s, "You cannot ban %s.", u.nick);
		ok = 0;
	}
	explicit_bzero(&u, sizeof(u));
	return ok;
}

/* admin_cmd_ban - /ban nick|address|cidr [duration] [reason] */
int
admin_cmd_ban(struct session *s, int argc, char **argv)
{
	struct ban	 b, ab;
	struct bankick	*k;
	long long	 secs = 0;
	const char	*reason = "";
	int		 i;

	memset(&b, 0, sizeof(b));
	if (ban_what(argv[1], &b) == -1) {
		admin_reply(s, "Ban a nickname, an address or a block such as "
		    "192.0.2.0/24.");
		return 0;
	}
	if (argc > 2 && (secs = duration(argv[2])) == -1) {
		/* no duration: the words are all reason */
		if (argc > 3)
			argv[2][strlen(argv[2])] = ' ';
		reason = argv[2];
		secs = 0;
	} else if (argc > 3)
		reason = argv[3];
	if (strlen(reason) > PALD_REASON_MAX) {
		admin_reply(s, "The reason is longer than %d bytes.",
		    PALD_REASON_MAX);
		return 0;
	}
	if (!ban_target_ok(s, &b))
		return 0;
	b.by = s->u.uid;
	b.time = time(NULL);
	b.until = secs == 0 ? 0 : b.time + secs;
	(void)strlcpy(b.reason, reason, sizeof(b.reason));
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		admin_reply(s, "Try again later.");
		return 0;
	}
	if (ban_add(s, &b, k) == 0)
		for (i = 0; i < k->naddrs; i++) {
			ab = b;
			ab.kind = BAN_ADDR;
			(void)strlcpy(ab.what, k->addrs[i], sizeof(ab.what));
			memset(k, 0, offsetof(struct bankick, addrs));
			(void)ban_add(s, &ab, k);
		}
	free(k);
	return 0;
}

/* admin_cmd_unban - /unban nick|address|cidr */
int
admin_cmd_unban(struct session *s, int argc, char **argv)
{
	struct ban	 b;
	int		 r;

	memset(&b, 0, sizeof(b));
	if (ban_what(argv[1], &b) == -1) {
		admin_reply(s, "Unban a nickname, an address or a block.");
		return 0;
	}
	if ((r = db_ban_del(s->db, b.kind, b.what)) == DBR_NOTFOUND)
		admin_reply(s, "%s is not banned.", b.what);
	else if (r != DBR_OK)
		admin_reply(s, "Try again later.");
	else {
		log_notice("[%s]: %s lifted the ban on %s", s->addr,
		    s->u.nick, b.what);
		admin_reply(s, "%s is no longer banned.", b.what);
	}
	return 0;
}

/* admin_cmd_bans - /bans: what, by whom, when, until when, why */
int
admin_cmd_bans(struct session *s, int argc, char **argv)
{
	struct ban	*b;
	struct user	 u;
	struct reply	 rp = { .s = s };
	struct tm	 tm;
	time_t		 t;
	char		 when[32], until[64], by[PALD_NICK_MAX + 1];
	int		 i, n;

	if ((b = calloc(BANS_MAX, sizeof(*b))) == NULL ||
	    (n = db_ban_list(s->db, b, BANS_MAX)) < 0) {
		admin_reply(s, "Try again later.");
		free(b);
		return 0;
	}
	admin_line(&rp, "%d ban%s%s", n, n == 1 ? "" : "s", n ? ":" : ".");
	for (i = 0; i < n; i++) {
		t = (time_t)b[i].time;
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) == 0)
			when[0] = '\0';
		until_text(b[i].until, until, sizeof(until));
		if (db_user_get(s->db, b[i].by, &u) == DBR_OK)
			(void)strlcpy(by, u.nick, sizeof(by));
		else
			(void)snprintf(by, sizeof(by), "uid %u", b[i].by);
		admin_line(&rp, "%s by %s on %s, %s%s%s", b[i].what, by, when,
		    until, b[i].reason[0] ? ": " : "", b[i].reason);
	}
	admin_flush(&rp);
	explicit_bzero(&u, sizeof(u));
	free(b);
	return 0;
}

/* ban_text - the text a banned client is shown */
static void
ban_text(const struct ban *b, char *out, size_t size)
{
	char	 u[64];

	until_text(b->until, u, sizeof(u));
	(void)snprintf(out, size, "You are banned from this server %s%s%s",
	    u, b->reason[0] ? ": " : ".", b->reason);
}

/* ban_login - is the account or its address banned?  -1: refused */
int
ban_login(struct session *s)
{
	struct ban	 b;
	char		 text[PALD_REASON_MAX + 128];
	int		 r;

	r = db_ban_check(s->db, s->u.nick, s->addr, time(NULL), &b);
	if (r == DBR_NOTFOUND)
		return 0;
	if (r != DBR_OK) {
		out_rc(s, PT_C_LOGIN, 0x63, "Try again later.");
		s->closing = 1;
		return -1;
	}
	log_notice("[%s]: login refused for %s: banned (%s)", s->addr,
	    s->u.nick, b.what);
	ban_text(&b, text, sizeof(text));
	out_rc(s, PT_C_LOGIN, 0x63, text);
	explicit_bzero(&s->u, sizeof(s->u));
	s->closing = 1;
	return -1;
}

/*
 * ban_admit - a new connection: refused with a text when its address
 * is banned.  0 to serve it, -1 to flush and close.
 */
int
ban_admit(struct session *s)
{
	struct ban	 b;
	char		 text[PALD_REASON_MAX + 128];

	if (db_ban_check(s->db, NULL, s->addr, time(NULL), &b) != DBR_OK)
		return 0;
	log_notice("[%s]: banned address (%s), closing", s->addr, b.what);
	ban_text(&b, text, sizeof(text));
	out_text(s, PT_SERVER_DISCONNECT, text);
	return -1;
}
