/*
 * session.c - the Paltalk 5.0 session: login, presence, buddies, IMs.
 *
 * Protocol facts: ../shared/protocol/PROTOCOL.md sections 2 to 5.5.
 * A session goes NEW -> KEY (LYMERICK answered with a challenge) ->
 * ONLINE (LOGIN verified, slot claimed in the table).  The first
 * connection of the 5.0 client only asks for a uid (GET_UIN) and stays
 * NEW until the client closes it.
 *
 * The top of a session's files (HACKING, "Layers"): session_frame
 * dispatches each frame, room packets to room.c, calls and transfers to
 * p2p.c, IMs to the system user to admin.c, and asks guard.c and ban.c
 * before a login or an action; none of them calls back here, and all
 * answer through out.c.
 *
 * Cross-process delivery goes through the table's inboxes: a frame for
 * another user is built (deliver, out.c) and appended to that user's
 * inbox; its own child writes it to its socket.  Offline users get their
 * IMs through the store.  No client text is ever logged.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "admin.h"
#include "ban.h"
#include "guard.h"
#include "log.h"
#include "out.h"
#include "p2p.h"
#include "pald.h"
#include "proto/wire.h"
#include "room.h"
#include "session.h"
#include "sess.h"
#include "store/db.h"
#include "store/table.h"

static void	 broadcast_status(struct session *, uint32_t);
static void	 listers_load(struct session *);
static void	 listers_change(struct session *, const unsigned char *,
	    ssize_t);

/*
 * rnd - a uniform number below n (> 0) from getentropy(3).  A session
 * needs a handful per login; arc4random would re-key its state pages in
 * every forked child, two more pages of memory per held client.
 */
static uint32_t
rnd(uint32_t n)
{
	uint32_t	 x, min = (uint32_t)-n % n;

	do {
		if (getentropy(&x, sizeof(x)) == -1)
			return arc4random_uniform(n);
	} while (x < min);
	return x % n;
}

struct session *
session_new(struct db *db, struct table *tab, const struct pald_conf *conf,
    const struct sockaddr *peer, const struct sockaddr *local)
{
	struct session	*s;
	char		 host[NI_MAXHOST];

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	/* a mapping of its own: session_idle gives all of it back */
	if ((s->scratch = mmap(NULL, SCRATCH, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
		free(s);
		return NULL;
	}
	s->db = db;
	s->tab = tab;
	s->conf = conf;
	s->state = S_NEW;
	s->connected = s->lastpkt = time(NULL);
	guard_start(s);
	s->seed = rnd(UINT32_MAX);
	(void)strlcpy(s->addr, "unknown", sizeof(s->addr));
	if (peer != NULL && getnameinfo(peer,
	    peer->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6), host, sizeof(host), NULL, 0,
	    NI_NUMERICHOST) == 0)
		(void)strlcpy(s->addr, host, sizeof(s->addr));
	if (local != NULL && local->sa_family == AF_INET)
		s->localip = ((const struct sockaddr_in *)(const void *)local)
				 ->sin_addr.s_addr;
	else
		s->localip = htonl(INADDR_LOOPBACK);
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	wipe_free(s->out.p, s->out.cap);
	wipe_free(s->listers, (size_t)s->caplisters * sizeof(*s->listers));
	(void)munmap(s->scratch, SCRATCH);
	wipe_free(s, sizeof(*s));
}

/* session_online - 1 once the client has logged in (a pooled child says so) */
int
session_online(const struct session *s)
{
	return s->state == S_ONLINE;
}

/* session_admit - a new connection: refused when banned (ban.c) */
int
session_admit(struct session *s)
{
	return ban_admit(s);
}

/*
 * session_idle - nothing happened for a while: give back what only a
 * busy session needs.  An empty output buffer is freed, the store lets
 * go of its environment (a child's store is DBO_LAZY) and trims the
 * heap, and the kernel takes back the scratch buffer, a mapping of its
 * own (its pages come back zeroed at the next use; nothing in it
 * outlives one call).  The buffer goes first: freed after the trim, it
 * was top of the heap again, and its pages stayed the child's own.
 */
void
session_idle(struct session *s)
{
	if (s->out.p != NULL && s->out.off == s->out.len) {
		wipe_free(s->out.p, s->out.cap);
		s->out.p = NULL;
		s->out.len = s->out.off = s->out.cap = 0;
	}
	db_idle(s->db);
	(void)madvise(s->scratch, SCRATCH, MADV_DONTNEED);
}

/* session_out - what is queued for the client (NULL: nothing, no buffer) */
const unsigned char *
session_out(struct session *s, size_t *len)
{
	*len = s->out.len - s->out.off;
	return s->out.p == NULL ? NULL : s->out.p + s->out.off;
}

void
session_sent(struct session *s, size_t n)
{
	s->out.off += n;
	if (s->out.off == s->out.len)
		s->out.off = s->out.len = 0;
}

int
session_bellfd(struct session *s)
{
	return s->state == S_ONLINE ? table_bellfd(s->tab) : -1;
}

const char *
session_peer(struct session *s)
{
	return s->addr;
}

/* handle_hello - CLIENT_HELLO: answer with the server's HELLO */
static int
handle_hello(struct session *s, const struct wire_frame *f)
{
	out_text(s, PT_HELLO, "Hello-From:PaLTALK");
	return 0;
}

/*
 * handle_get_uin - nickname to uid; uid=-1 for an unknown nickname.  The
 * 5.0 logon dialog's "<New User>", which no account can be called, gets
 * PALD_UID_NEWUSER: its LOGIN then opens the registration wizard.
 */
static int
handle_get_uin(struct session *s, const struct wire_frame *f)
{
	char		 nick[PALD_NICK_MAX + 1], b[128];
	struct user	 u;
	size_t		 n;
	int		 r;

	if (f->len < 5 || f->len - 4 > PALD_NICK_MAX) {
		out_text(s, PT_UIN_RESPONSE, "uid=-1\n");
		return 0;
	}
	n = f->len - 4;
	memcpy(nick, f->payload + 4, n);
	nick[n] = '\0';
	if (strcmp(nick, PALD_NEWUSER_NICK) == 0) {
		(void)snprintf(b, sizeof(b), "uid=%u\nnickname=%s\n",
		    (unsigned)PALD_UID_NEWUSER, PALD_NEWUSER_NICK);
		out_text(s, PT_UIN_RESPONSE, b);
		return 0;
	}
	r = db_user_by_nick(s->db, nick, &u);
	if (r == DBR_OK)
		(void)snprintf(b, sizeof(b), "uid=%u\nnickname=%s\n", u.uid,
		    u.nick);
	else
		(void)strlcpy(b, "uid=-1\n", sizeof(b));
	explicit_bzero(&u, sizeof(u));
	out_text(s, PT_UIN_RESPONSE, b);
	return r == DBR_FATAL ? -1 : 0;
}

/* send_key - a fresh challenge: 4 junk bytes and 3 digits (ch + 509) */
static void
send_key(struct session *s, int type)
{
	char	 b[16];
	int	 i;

	s->challenge = 1 + (int)rnd(226);
	for (i = 0; i < 4; i++)
		b[i] = (char)('A' + rnd(26));
	(void)snprintf(b + 4, sizeof(b) - 4, "%03d", s->challenge + 509);
	out_frame(s, type, b, 7);
}

/* handle_lymerick - the login connection announces its uid */
static int
handle_lymerick(struct session *s, const struct wire_frame *f)
{
	if (f->len != 10 && f->len != 46) {
		log_warnx("[%s]: lymerick of %zu bytes, closing", s->addr,
		    f->len);
		return -1;
	}
	s->claimed = wire_get32(f->payload);
	s->state = S_KEY;
	send_key(s, PT_SERVER_KEY);
	return 0;
}

/* user_data - USER_DATA, the record the 5.0 client needs after login */
static void
send_user_data(struct session *s)
{
	struct rec	 r;
	char		 ip[16], enc[4 * 16 + 8];
	char		 smtp[4 * 32 + 8];
	uint32_t	 le;
	ssize_t		 n;

	/* ei: the server's IPv4 as a little-endian integer, in decimal */
	le = s->localip;	/* network order bytes read as host LE */
	(void)snprintf(ip, sizeof(ip), "%u", le);
	if (lym_encode(1, s->challenge, ip, strlen(ip), enc, sizeof(enc),
	    &s->seed) < 0)
		enc[0] = '\0';
	if (lym_encode(2, 25, "localhost:25::", 14, smtp, sizeof(smtp),
	    &s->seed) < 0)
		smtp[0] = '\0';
	rec_init(&r, s->scratch, SCRATCH);
	rec_add(&r, "first", s->u.first);
	rec_add(&r, "last", s->u.last);
	rec_add(&r, "nickname", s->u.nick);
	rec_add(&r, "email", s->u.email);
	rec_addu(&r, "uid", s->u.uid);
	rec_add(&r, "admin", s->u.admin > 0 ? "1" : "0");
	rec_add(&r, "banners", "no");
	rec_add(&r, "get_offers_from_us", "N");
	rec_add(&r, "get_offers_from_affiliates", "N");
	rec_add(&r, "random", "Y");
	rec_add(&r, "verified", "Y");
	ip[0] = s->u.privacy ? s->u.privacy : 'A';
	ip[1] = '\0';
	rec_add(&r, "privacy", ip);
	/* N free; Y "Pal Plus" (no ads); 6 also six video panes */
	ip[0] = s->u.paid ? s->u.paid : 'N';
	rec_add(&r, "paid1", ip);
	rec_add(&r, "ei", enc);
	rec_add(&r, "smtp", smtp);
	if ((n = rec_len(&r)) > 0)
		out_frame(s, PT_USER_DATA, s->scratch, (size_t)n);
}

static void
send_categories(struct session *s)
{
	struct category	*c;
	struct rec	 r;
	ssize_t		 len;
	int		 i, n;

	if ((c = calloc(PALD_CATEGORIES_MAX, sizeof(*c))) == NULL)
		return;
	n = db_category_list(s->db, c, PALD_CATEGORIES_MAX);
	rec_init(&r, s->scratch, SCRATCH);
	for (i = 0; i < n; i++) {
		rec_addu(&r, "code", c[i].code);
		rec_add(&r, "value", c[i].name);
		rec_add(&r, "list", "2");
		rec_sep(&r);
	}
	free(c);
	if ((len = rec_len(&r)) >= 0)
		out_frame(s, PT_CATEGORY_LIST, s->scratch, (size_t)len);
}

/* send_uidlist - BLOCKED_LIST: records "uid nickname" */
static void
send_uidlist(struct session *s, int type, const uint32_t *uids, int n)
{
	struct user	 u;
	struct rec	 r;
	ssize_t		 len;
	int		 i;

	rec_init(&r, s->scratch, SCRATCH);
	for (i = 0; i < n; i++) {
		if (db_user_get(s->db, uids[i], &u) != DBR_OK)
			continue;
		rec_addu(&r, "uid", u.uid);
		rec_add(&r, "nickname", u.nick);
		rec_sep(&r);
	}
	explicit_bzero(&u, sizeof(u));
	if ((len = rec_len(&r)) >= 0)
		out_frame(s, type, s->scratch, (size_t)len);
}

/* shown_status - what viewer should see of uid: offline if blocked */
static uint32_t
shown_status(struct session *s, uint32_t uid, uint32_t viewer)
{
	struct tsess	 ts;

	if (uid == PALD_UID_SYSTEM)
		return ST_ONLINE;	/* always there */
	if (table_find(s->tab, uid, 0, &ts) == -1)
		return ST_OFFLINE;
	if (db_blocks(s->db, uid, viewer) != 0)
		return ST_OFFLINE;
	return ts.status;
}

/* names_shown - are u's first and last names shown to others? */
static int
names_shown(const struct user *u)
{
	return u->privacy == 'A';
}

/*
 * send_buddies - the buddy list and one status per buddy.  Each record
 * has the names the 5.0 client reads (CLIENT.md 5.1): first and last
 * when the pal shows them (as a search does), and display, the name
 * the user gave the pal (-167), which the list shows instead of the
 * nickname.  The client takes a record only for a pal it does not list
 * yet: names must be right in the list of the login.
 */
static void
send_buddies(struct session *s)
{
	struct buddy	*b;
	struct user	 u;
	struct rec	 r;
	ssize_t		 len;
	int		 i, n;

	if ((b = reallocarray(NULL, PALD_BUDDIES_MAX, sizeof(*b))) == NULL) {
		log_warn("%s", __func__);
		return;
	}
	if ((n = db_buddy_names(s->db, s->u.uid, b, PALD_BUDDIES_MAX)) < 0)
		n = 0;
	rec_init(&r, s->scratch, SCRATCH);
	for (i = 0; i < n; i++) {
		if (db_user_get(s->db, b[i].uid, &u) != DBR_OK)
			continue;
		rec_addu(&r, "uid", u.uid);
		rec_add(&r, "nickname", u.nick);
		if (names_shown(&u)) {
			rec_add(&r, "first", u.first);
			rec_add(&r, "last", u.last);
		}
		if (b[i].display[0] != '\0')
			rec_add(&r, "display", b[i].display);
		rec_sep(&r);
	}
	explicit_bzero(&u, sizeof(u));
	if ((len = rec_len(&r)) >= 0)
		out_frame(s, PT_BUDDY_LIST, s->scratch, (size_t)len);
	for (i = 0; i < n; i++)
		out_status(s, b[i].uid, shown_status(s, b[i].uid, s->u.uid));
	free(b);
}

static void
send_blocked(struct session *s)
{
	uint32_t	 uids[PALD_BUDDIES_MAX];
	int		 n;

	n = db_block_list(s->db, s->u.uid, uids, PALD_BUDDIES_MAX);
	send_uidlist(s, PT_BLOCKED_LIST, uids, n < 0 ? 0 : n);
}

/* send_offline - queued IMs, oldest first, each deleted once queued */
static void
send_offline(struct session *s)
{
	struct offline	*m;
	struct tm	 tm;
	time_t		 t;
	char		 stamp[64];
	int		 i, n, k;
	size_t		 len;

	if ((m = calloc(8, sizeof(*m))) == NULL)
		return;
	do {
		n = db_offline_list(s->db, s->u.uid, m, 8);
		for (i = 0; i < n; i++) {
			t = (time_t)m[i].time;
			if (gmtime_r(&t, &tm) == NULL ||
			    strftime(stamp, sizeof(stamp),
			    "<<(%Y-%m-%d %H:%M:%S UTC)>>", &tm) == 0)
				stamp[0] = '\0';
			k = (int)strlen(stamp);
			len = m[i].len;
			if (len > PALD_IM_MAX)
				len = PALD_IM_MAX;
			wire_put32(s->scratch, m[i].from);
			memcpy(s->scratch + 4, stamp, (size_t)k);
			memcpy(s->scratch + 4 + k, m[i].text, len);
			out_frame(s, PT_IM_IN, s->scratch, 4 + (size_t)k + len);
			if (db_offline_del(s->db, s->u.uid, m[i].seq) != DBR_OK)
				n = 0;	/* leave the rest for next time */
		}
	} while (n == 8 && !s->closing);
	explicit_bzero(m, 8 * sizeof(*m));
	free(m);
}

struct kickarg {
	struct session	*s;
	uint32_t	 uid;
};

/* kick_old - end every other session of the same account */
static void
kick_old(void *arg, const struct tsess *ts)
{
	struct kickarg	*ka = arg;

	if (ts->uid != ka->uid || ts->slot == ka->s->me.slot)
		return;
	(void)deliver(ka->s, ts, TM_KICK, PT_SERVER_DISCONNECT, TXT_KICKED,
	    strlen(TXT_KICKED));
	log_notice("[%s]: %s logged in again, ending session in slot %d",
	    ka->s->addr, ka->s->u.nick, ts->slot);
}

/* login_fail - a clear reply; too many failures end the connection */
static int
login_fail(struct session *s, const char *why, const char *text)
{
	char	 nick[4 * PALD_NICK_MAX + 1];

	guard_login_failed(s);
	(void)strvisx(nick, s->u.nick, strnlen(s->u.nick, PALD_NICK_MAX),
	    VIS_SAFE | VIS_OCTAL);
	log_notice("[%s]: login failed for uid %u (%s): %s", s->addr,
	    s->claimed, nick, why);
	out_rc(s, PT_C_LOGIN, 0x63, text);
	explicit_bzero(&s->u, sizeof(s->u));
	if (++s->failures >= MAX_FAILURES)
		s->closing = 1;
	else
		send_key(s, PT_SERVER_KEY);
	return 0;
}

/* login_ok - claim the slot and send the session bootstrap */
static int
login_ok(struct session *s)
{
	struct kickarg	 ka;
	char		 title[128];

	if (table_login(s->tab, s->u.uid, s->u.nick, s->addr, ST_ONLINE,
	    &s->me) == -1) {
		log_warnx("[%s]: session table full", s->addr);
		out_rc(s, PT_C_LOGIN, 0x63, "The server is full, try later.");
		return -1;
	}
	s->state = S_ONLINE;
	s->status = ST_ONLINE;
	ka.s = s;
	ka.uid = s->u.uid;
	(void)table_list(s->tab, kick_old, &ka);
	table_count(s->tab, TC_LOGIN);
	s->u.lastlogin = time(NULL);
	(void)db_user_put(s->db, &s->u);
	(void)snprintf(title, sizeof(title), "%s %s", s->u.nick, s->addr);
	setproctitle("%s", title);
	log_exempt(s->u.admin > 0);	/* a site admin's lines: an audit */
	log_notice("[%s]: login %s uid %u", s->addr, s->u.nick, s->u.uid);

	out_frame(s, PT_LOGIN_SUCCESS, NULL, 0);
	send_user_data(s);
	send_categories(s);
	send_buddies(s);
	send_blocked(s);
	send_offline(s);
	listers_load(s);
	broadcast_status(s, ST_ONLINE);
	return 0;
}

/*
 * newuser_login - LOGIN as "<New User>".  The 5.0 client's registration
 * wizard is not reachable from its own dialogs (its "new account" choice
 * opens a web page and exits); a RETURN_CODE for PT5_REGISTRATION with a
 * code other than 0 and 0x63 shows the text and then opens the wizard,
 * which sends -1170 on a new connection.  Without registration, the
 * refusal a failed login gets, with the reason.
 */
static int
newuser_login(struct session *s)
{
	if (!s->conf->registration || s->conf->under_attack) {
		out_rc(s, PT_C_LOGIN, 0x63,
		    "New accounts cannot be created on this server.");
		send_key(s, PT_SERVER_KEY);
		return 0;
	}
	log_info("[%s]: new user: registration wizard", s->addr);
	out_rc(s, PT_C_REGISTER, 1,
	    "Press 'OK' to begin New User registration.");
	return 0;
}

/* handle_login - verify the encoded password against the stored hash */
static int
handle_login(struct session *s, const struct wire_frame *f)
{
	char		 pw[PALD_PASS_MAX + 1];
	const unsigned char *nl;
	size_t		 n;
	uint32_t	 uid;
	int		 ok, r;

	if (s->state != S_KEY || f->len < 5)
		return login_fail(s, "login out of order",
		    TXT_UNKNOWN);
	uid = wire_get32(f->payload);
	n = f->len - 4;
	if ((nl = memchr(f->payload + 4, '\n', n)) != NULL)
		n = (size_t)(nl - (f->payload + 4));
	if (uid != s->claimed && s->claimed != 0)
		return login_fail(s, "uid differs from lymerick", TXT_UNKNOWN);
	s->claimed = uid;
	if (uid == PALD_UID_NEWUSER)
		return newuser_login(s);
	if ((r = db_user_get(s->db, uid, &s->u)) != DBR_OK)
		return r == DBR_FATAL ? -1 :
		    login_fail(s, "no such uid", TXT_UNKNOWN);
	if (guard_login(s) == -1)
		return -1;
	if (lym_decode(1, s->challenge, (const char *)f->payload + 4, n, pw,
	    sizeof(pw)) < 0)
		return login_fail(s, "undecodable password", TXT_BADPASS);
	ok = pw_verify(pw, s->u.hash);
	explicit_bzero(pw, sizeof(pw));
	if (ok != 1)
		return login_fail(s, "wrong password", TXT_BADPASS);
	guard_login_ok(s);
	if (s->u.flags & USER_F_SUSPENDED)
		return login_fail(s, "account suspended",
		    "This account is suspended.");
	return login_ok(s);
}

/*
 * listers_load - who has us on a buddy list, from the store, once per
 * session (at login, after table_login: an ADD_BUDDY committed before
 * that is in the store, one after it finds our slot and tells us with
 * TM_LISTER).  The logout's "gone offline" then needs no store.
 */
_Static_assert(REVERSE_MAX * sizeof(uint32_t) <= SCRATCH,
    "listers_load reads into the scratch buffer");

static void
listers_load(struct session *s)
{
	uint32_t	*owners = (uint32_t *)(void *)s->scratch;
	int		 n;

	/* the scratch buffer, not the heap: a held child keeps n entries */
	n = db_buddy_of(s->db, s->u.uid, owners, REVERSE_MAX);
	wipe_free(s->listers, (size_t)s->caplisters * sizeof(*s->listers));
	s->listers = NULL;
	s->nlisters = s->caplisters = 0;
	if (n < 0 ||
	    (s->listers = reallocarray(NULL, n > 0 ? (size_t)n : 1,
	    sizeof(*owners))) == NULL)
		return;
	memcpy(s->listers, owners, (size_t)n * sizeof(*owners));
	s->caplisters = n > 0 ? n : 1;
	s->nlisters = n;
}

/* listers_change - TM_LISTER: uid added (op 1) or removed (op 0) us */
static void
listers_change(struct session *s, const unsigned char *p, ssize_t n)
{
	uint32_t	*v, uid;
	int		 i;

	if (n != 5 || s->listers == NULL)
		return;
	uid = wire_get32(p);
	for (i = 0; i < s->nlisters && s->listers[i] != uid; i++)
		;
	if (p[4] == 0) {
		if (i < s->nlisters)
			s->listers[i] = s->listers[--s->nlisters];
		return;
	}
	if (i < s->nlisters || s->nlisters >= REVERSE_MAX)
		return;
	if (s->nlisters == s->caplisters) {
		v = wipe_grow(s->listers, (size_t)s->caplisters * sizeof(*v),
		    (size_t)s->caplisters * 2 * sizeof(*v));
		if (v == NULL)
			return;
		s->listers = v;
		s->caplisters *= 2;
	}
	s->listers[s->nlisters++] = uid;
}

/*
 * broadcast_status - tell everyone who lists us how we are; a session's
 * own list (listers_load), else (a swept dead session) the store's
 */
static void
broadcast_status(struct session *s, uint32_t status)
{
	uint32_t	*owners = s->listers;
	struct tsess	 ts;
	unsigned char	 b[8];
	int		 i, n = s->nlisters;

	if (owners == NULL) {
		if ((owners = calloc(REVERSE_MAX, sizeof(*owners))) == NULL)
			return;
		n = db_buddy_of(s->db, s->u.uid, owners, REVERSE_MAX);
	}
	wire_put32(b, s->u.uid);
	wire_put32(b + 4, status);
	for (i = 0; i < n; i++) {
		if (table_find(s->tab, owners[i], 0, &ts) == -1)
			continue;
		if (status != ST_OFFLINE &&
		    db_blocks(s->db, s->u.uid, owners[i]) != 0)
			continue;
		(void)deliver(s, &ts, TM_FRAME, PT_BUDDY_STATUS, b, 8);
	}
	if (owners != s->listers)
		free(owners);
}

void
presence_gone(struct db *db, struct table *tab, const struct tsess *dead)
{
	struct session	 s;

	memset(&s, 0, sizeof(s));
	if (table_find(tab, dead->uid, 0, &s.me) == 0)
		return;		/* still on elsewhere */
	s.db = db;
	s.tab = tab;
	s.u.uid = dead->uid;
	log_notice("swept dead session of %s uid %u (pid %ld)", dead->nick,
	    dead->uid, (long)dead->pid);
	broadcast_status(&s, ST_OFFLINE);
}

/* handle_im - to an online user's inbox, else to the offline store */
static int
handle_im(struct session *s, const struct wire_frame *f)
{
	struct tsess	 ts;
	struct user	 u;
	const char	*why;
	uint32_t	 to;
	size_t		 n;
	int		 r;

	if (f->len < 5)
		return 0;
	to = wire_get32(f->payload);
	n = f->len - 4;
	if (n > PALD_IM_MAX) {
		out_rc(s, PT_C_IM, 0x63, "Your message is too long.");
		return 0;
	}
	if (to == PALD_UID_SYSTEM)
		return admin_im(s, f->payload + 4, n);
	if ((why = guard_im(s, to)) != NULL) {
		out_rc(s, PT_C_IM, 0x63, why);
		return guard_strike(s);
	}
	if ((r = db_user_get(s->db, to, &u)) != DBR_OK) {
		out_rc(s, PT_C_IM, 0x63, r == DBR_NOTFOUND ? "No such user." :
		    TXT_AGAIN);
		return 0;
	}
	/* a block first, and silently: it is not announced */
	if ((r = db_blocks(s->db, to, s->u.uid)) < 0) {
		explicit_bzero(&u, sizeof(u));
		out_rc(s, PT_C_IM, 0x63, TXT_AGAIN);	/* the store is away */
		return 0;
	}
	why = r != 0 ? "" : guard_contact(s, &u, CONTACT_TEXT);
	explicit_bzero(&u, sizeof(u));
	if (why != NULL) {
		if (why[0] != '\0')
			out_rc(s, PT_C_IM, 0x63, why);
		return 0;
	}
	table_count(s->tab, TC_IM);
	wire_put32(s->scratch, s->u.uid);
	memcpy(s->scratch + 4, f->payload + 4, n);
	if (table_find(s->tab, to, 0, &ts) == 0 &&
	    deliver(s, &ts, TM_FRAME, PT_IM_IN, s->scratch, n + 4) == 0)
		return 0;
	r = db_offline_put(s->db, to, s->u.uid, time(NULL),
	    (const char *)f->payload + 4, n);
	if (r == DBR_LIMIT)
		out_rc(s, PT_C_IM, 0x63,
		    "That user's offline message box is full.");
	else if (r != DBR_OK)
		out_rc(s, PT_C_IM, 0x63, TXT_AGAIN);
	else if (table_find(s->tab, to, 0, &ts) == 0)
		/* the user came on meanwhile: make it look at the store */
		(void)table_send(s->tab, ts.slot, ts.gen, TM_OFFLINE, NULL, 0);
	return 0;
}

/* set_status - AWAY / ONLINE */
static int
set_status(struct session *s, uint32_t status)
{
	if (s->status == status)
		return 0;
	s->status = status;
	table_set_status(s->tab, status);
	broadcast_status(s, status);
	return 0;
}

/*
 * handle_away - AWAY: the text the 5.0 client sends with it (always its
 * own "I am away at the moment..."), kept with the session for the
 * auto-reply (away_reply), and status 70 for those who list us.  The
 * client shows a pal's away state, never a text (CLIENT.md 2.2).  A
 * text too long or with control bytes is not kept: away without one.
 */
static int
handle_away(struct session *s, const struct wire_frame *f)
{
	size_t	 i;

	s->away[0] = '\0';
	s->nreplied = 0;
	for (i = 0; i < f->len && f->payload[i] >= 0x20 &&
	    f->payload[i] != 0x7f; i++)
		;
	if (i < f->len || f->len > PALD_AWAY_MAX)
		(void)guard_malformed(s, f, "away text too long or not text");
	else {
		memcpy(s->away, f->payload, f->len);
		s->away[f->len] = '\0';
	}
	return set_status(s, ST_AWAY);
}

/* handle_online - ONLINE (back from away), no payload: the text goes */
static int
handle_online(struct session *s, const struct wire_frame *f)
{
	if (f->len != 0)
		return guard_malformed(s, f, "not empty");
	s->away[0] = '\0';
	s->nreplied = 0;
	return set_status(s, ST_ONLINE);
}

/*
 * away_reply - an IM reached us (a frame of our inbox) while we are away
 * with a text: the sender gets the text back once per away spell, as an
 * IM from us, marked as the later clients mark theirs.  Never to an
 * auto-reply (two away users would answer each other for ever), to the
 * system user, to ourselves, or to someone who blocks us.
 */
#define AUTO_MARK	"[Auto-Response] "

static void
away_reply(struct session *s, const unsigned char *fr, size_t n)
{
	struct tsess	 ts;
	unsigned char	 b[4 + sizeof(AUTO_MARK) + PALD_AWAY_MAX];
	const unsigned char *text = fr + WIRE_HDRLEN + 4;
	uint32_t	 from;
	size_t		 k, m = sizeof(AUTO_MARK) - 1, tl;
	int		 i;

	if (s->status != ST_AWAY || s->away[0] == '\0' ||
	    n < WIRE_HDRLEN + 4 || wire_get16(fr) != PT_IM_IN)
		return;
	from = wire_get32(fr + WIRE_HDRLEN);
	tl = n - WIRE_HDRLEN - 4;
	if (from == s->u.uid || from == PALD_UID_SYSTEM ||
	    memmem(text, tl, AUTO_MARK, m) != NULL)
		return;
	for (i = 0; i < s->nreplied && i < PALD_AWAY_REPLIES; i++)
		if (s->replied[i] == from)
			return;
	s->replied[s->nreplied++ % PALD_AWAY_REPLIES] = from;
	if (s->nreplied == 2 * PALD_AWAY_REPLIES)
		s->nreplied = PALD_AWAY_REPLIES;
	if (table_find(s->tab, from, 0, &ts) == -1 ||
	    db_blocks(s->db, from, s->u.uid) != 0)
		return;
	k = strlen(s->away);
	wire_put32(b, s->u.uid);
	memcpy(b + 4, AUTO_MARK, m);
	memcpy(b + 4 + m, s->away, k);
	(void)deliver(s, &ts, TM_FRAME, PT_IM_IN, b, 4 + m + k);
}

/* handle_buddy - ADD_BUDDY, REMOVE_BUDDY */
static int
handle_buddy(struct session *s, const struct wire_frame *f)
{
	struct tsess	 ts;
	unsigned char	 b[5];
	uint32_t	 uid;
	int		 r;

	if (f->len < 4)
		return 0;
	uid = wire_get32(f->payload);
	if (f->type == PT_C_ADD_BUDDY) {
		r = db_buddy_add(s->db, s->u.uid, uid);
		if (r == DBR_LIMIT)
			out_rc(s, f->type, 0x63, "Your buddy list is full.");
		else if (r == DBR_NOTFOUND)
			out_rc(s, f->type, 0x63, "No such user.");
		else if (r != DBR_OK)
			out_rc(s, f->type, 0x63, "Try again later.");
		if (r != DBR_OK)
			return 0;
	} else if (db_buddy_del(s->db, s->u.uid, uid) == DBR_FATAL)
		return -1;
	/* an online user learns who lists it (listers_load) */
	if (uid != s->u.uid && table_find(s->tab, uid, 0, &ts) == 0) {
		wire_put32(b, s->u.uid);
		b[4] = f->type == PT_C_ADD_BUDDY;
		(void)table_send(s->tab, ts.slot, ts.gen, TM_LISTER, b, 5);
	}
	send_buddies(s);
	return 0;
}

/*
 * handle_block - BLOCK / UNBLOCK; the other side sees us go or come.
 * The 5.0 client blocks and unblocks at once on its own and takes any
 * BLOCK_RESPONSE for "Block User Failed" (CLIENT.md 3.4): one goes out
 * only when the change failed, with the state to fall back to and why.
 * A blocked pal is shown off line (status 0: the client ignores the
 * "blocked" status word).
 */
static int
handle_block(struct session *s, const struct wire_frame *f)
{
	struct tsess	 ts;
	unsigned char	 b[8];
	const char	*why;
	uint32_t	 uid;
	int		 block = f->type == PT_C_BLOCK, r;

	if (f->len != 4)
		return guard_malformed(s, f, "not a uid");
	uid = wire_get32(f->payload);
	r = block ? db_block_add(s->db, s->u.uid, uid) :
	    db_block_del(s->db, s->u.uid, uid);
	if (r == DBR_FATAL)
		return -1;
	if (r != DBR_OK) {
		why = r == DBR_NOTFOUND ? "No such user." : r == DBR_LIMIT ?
		    "Your block list is full." : "Try again later.";
		wire_put32(s->scratch, uid);
		wire_put16(s->scratch + 4, block ? 0 : 1);
		memcpy(s->scratch + 6, why, strlen(why));
		out_frame(s, PT_BLOCK_RESPONSE, s->scratch, 6 + strlen(why));
		return 0;
	}
	if (block)
		out_status(s, uid, ST_OFFLINE);
	else
		send_buddies(s);
	send_blocked(s);
	/* The other user, if on and listing us, sees our new state. */
	if (table_find(s->tab, uid, 0, &ts) == 0) {
		wire_put32(b, s->u.uid);
		wire_put32(b + 4, block ? ST_OFFLINE : s->status);
		(void)deliver(s, &ts, TM_FRAME, PT_BUDDY_STATUS, b, 8);
	}
	return 0;
}

/* handle_search - SEARCH_USER: exnick= exact, nickname= prefix */
static int
handle_search(struct session *s, const struct wire_frame *f)
{
	struct user	*res;
	struct rec	 r;
	char		 q[PALD_NICK_MAX + 1];
	ssize_t		 len;
	int		 exact = 1, i, n;

	if (rec_get(f->payload, f->len, "exnick", q, sizeof(q)) <= 0) {
		exact = 0;
		if (rec_get(f->payload, f->len, "nickname", q, sizeof(q)) <= 0)
			q[0] = '\0';
	}
	if (q[0] == '\0') {
		out_frame(s, PT_SEARCH_NONE, NULL, 0);
		return 0;
	}
	if ((res = calloc(PALD_SEARCH_MAX, sizeof(*res))) == NULL)
		return -1;
	n = db_user_search(s->db, q, exact, res, PALD_SEARCH_MAX);
	rec_init(&r, s->scratch, SCRATCH);
	for (i = 0; i < n; i++) {
		rec_addu(&r, "uid", res[i].uid);
		rec_add(&r, "nickname", res[i].nick);
		rec_add(&r, "first", names_shown(&res[i]) ? res[i].first :
		    "*");
		rec_add(&r, "last", names_shown(&res[i]) ? res[i].last : "*");
		rec_add(&r, "email", "*");
		rec_sep(&r);
	}
	explicit_bzero(res, PALD_SEARCH_MAX * sizeof(*res));
	free(res);
	if (n <= 0 || (len = rec_len(&r)) < 0)
		out_frame(s, PT_SEARCH_NONE, NULL, 0);
	else
		out_frame(s, PT_SEARCH_RESULT, s->scratch, (size_t)len);
	return 0;
}

/* handle_unknown_user - who is this uid that just wrote to me? */
static int
handle_unknown_user(struct session *s, const struct wire_frame *f)
{
	struct user	 u;
	char		 b[128];
	uint32_t	 uid;

	if (f->len < 4)
		return 0;
	uid = wire_get32(f->payload);
	if (db_user_get(s->db, uid, &u) != DBR_OK)
		return 0;
	(void)snprintf(b, sizeof(b), "uid=%u\nnickname=%s", u.uid, u.nick);
	explicit_bzero(&u, sizeof(u));
	out_text(s, PT_USER_INFO, b);
	out_status(s, uid, shown_status(s, uid, s->u.uid));
	return 0;
}

/* copy_field - a profile field from a record, if present and fitting */
static int
copy_field(const struct wire_frame *f, const char *key, char *dst,
    size_t size)
{
	char	 v[PALD_EMAIL_MAX];
	int	 n;

	n = rec_get(f->payload, f->len, key, v, sizeof(v));
	if (n == -1)
		return 0;
	if (n < 0 || (size_t)n >= size)
		return -1;
	(void)strlcpy(dst, v, size);
	return 0;
}

/*
 * fresh_user - the account as the store has it now, not as it was at
 * login: palpasswd or another session may have changed it since.  A
 * change then touches only its own fields.
 */
static int
fresh_user(struct session *s, struct user *u)
{
	if (db_user_get(s->db, s->u.uid, u) != DBR_OK)
		return -1;
	s->u = *u;
	return 0;
}

/* handle_profile - UPDATE_PROFILE: first, last, email */
static int
handle_profile(struct session *s, const struct wire_frame *f)
{
	struct user	 u;

	if (fresh_user(s, &u) == -1) {
		out_rc(s, f->type, 0x63, "Alter User Info Problem, try again.");
		return 0;
	}
	if (copy_field(f, "first", u.first, sizeof(u.first)) == -1 ||
	    copy_field(f, "last", u.last, sizeof(u.last)) == -1 ||
	    copy_field(f, "email", u.email, sizeof(u.email)) == -1) {
		out_rc(s, f->type, 0x63, "A field is too long.");
		return 0;
	}
	if (db_user_put(s->db, &u) != DBR_OK) {
		out_rc(s, f->type, 0x63, "Alter User Info Problem, try again.");
		return 0;
	}
	s->u = u;
	out_rc(s, f->type, 0, NULL);
	return 0;
}

/*
 * handle_new_password - uid, v1(old, challenge) \n v1(new, 0).  The old
 * password is checked as a login's is (guard_password): a wrong one
 * counts against the address and the account, and a guesser is held
 * back before any hash is computed.
 */
static int
handle_new_password(struct session *s, const struct wire_frame *f)
{
	char		 oldpw[PALD_PASS_MAX + 1], newpw[PALD_PASS_MAX + 1];
	char		 hash[PALD_HASH_MAX], text[128];
	const char	*p = (const char *)f->payload + 4, *nl, *why;
	struct user	 u;
	size_t		 n;

	memset(hash, 0, sizeof(hash));
	oldpw[0] = newpw[0] = '\0';
	if (f->len < 6 || (nl = memchr(p, '\n', f->len - 4)) == NULL)
		goto bad;
	n = (size_t)(nl - p);
	if (lym_decode(1, s->challenge, p, n, oldpw, sizeof(oldpw)) < 0 ||
	    lym_decode(1, 0, nl + 1, f->len - 4 - n - 1, newpw,
	    sizeof(newpw)) < 0)
		goto bad;
	if ((why = guard_password(s, text, sizeof(text))) != NULL) {
		out_rc(s, f->type, 1, why);
		goto out;
	}
	if (fresh_user(s, &u) == -1) {
		guard_pw_end(s, PW_UNTRIED);
		out_rc(s, f->type, 1, "Try again later.");
		goto out;
	}
	if (pw_verify(oldpw, u.hash) != 1) {
		guard_pw_end(s, PW_WRONG);
		log_notice("[%s]: %s: wrong password for a change", s->addr,
		    s->u.nick);
		goto bad;
	}
	guard_pw_end(s, PW_RIGHT);
	if (!pw_acceptable(newpw)) {
		out_rc(s, f->type, 1, "The new password is not acceptable.");
		goto out;
	}
	if (pw_hash(newpw, s->conf->hash_cost, hash, sizeof(hash)) == -1 ||
	    strlcpy(u.hash, hash, sizeof(u.hash)) >= sizeof(u.hash) ||
	    db_user_put(s->db, &u) != DBR_OK) {
		out_rc(s, f->type, 1, "Try again later.");
		goto out;
	}
	s->u = u;
	log_notice("[%s]: %s changed password", s->addr, s->u.nick);
	out_rc(s, f->type, 0, NULL);
	goto out;
bad:
	out_rc(s, f->type, 1, "Incorrect password");
out:
	explicit_bzero(oldpw, sizeof(oldpw));
	explicit_bzero(newpw, sizeof(newpw));
	explicit_bzero(hash, sizeof(hash));
	explicit_bzero(&u, sizeof(u));
	return 0;
}

/*
 * nick_taken - 0 if nobody has nick, 1 if somebody has (sugg: a free
 * nick1..nick99 that fits, or ""), -1 if the store fails.  The 5.0
 * client offers the suggestion ("We suggest '%s' as a nickname.") and
 * registers it on Yes.
 */
static int
nick_taken(struct session *s, const char *nick, char *sugg, size_t cap)
{
	char		 try[PALD_NICK_MAX + 1];
	struct user	 u;
	size_t		 len;
	int		 i, r, w;

	sugg[0] = '\0';
	if ((r = db_user_by_nick(s->db, nick, &u)) == DBR_NOTFOUND)
		return 0;
	explicit_bzero(&u, sizeof(u));
	if (r != DBR_OK)
		return -1;
	len = strlen(nick);
	for (i = 1; i <= PALD_SUGGEST_MAX; i++) {
		w = i < 10 ? 1 : 2;
		if (len + (size_t)w > PALD_NICK_MAX)
			len = PALD_NICK_MAX - (size_t)w;
		(void)snprintf(try, sizeof(try), "%.*s%d", (int)len, nick, i);
		if (!db_nick_valid(try))
			break;
		r = db_user_by_nick(s->db, try, &u);
		explicit_bzero(&u, sizeof(u));
		if (r == DBR_NOTFOUND) {
			(void)strlcpy(sugg, try, cap);
			break;
		}
		if (r != DBR_OK)
			return -1;
	}
	return 1;
}

/* handle_register - PT5_REGISTRATION: a new account from the client */
static int
handle_register(struct session *s, const struct wire_frame *f)
{
	struct user	 u;
	char		 enc[4 * PALD_PASS_MAX + 8], pw[PALD_PASS_MAX + 1];
	char		 sugg[PALD_NICK_MAX + 1];
	unsigned char	 b[8];
	int		 r;

	if (!s->conf->registration || s->conf->under_attack) {
		out_rc(s, f->type, 1,
		    "New accounts cannot be created on this server.");
		return 0;
	}
	memset(&u, 0, sizeof(u));
	if (copy_field(f, "nickname", u.nick, sizeof(u.nick)) == -1 ||
	    copy_field(f, "first", u.first, sizeof(u.first)) == -1 ||
	    copy_field(f, "last", u.last, sizeof(u.last)) == -1 ||
	    copy_field(f, "email", u.email, sizeof(u.email)) == -1 ||
	    rec_get(f->payload, f->len, "password", enc, sizeof(enc)) < 0 ||
	    lym_decode(1, 0, enc, strlen(enc), pw, sizeof(pw)) < 0 ||
	    !pw_acceptable(pw)) {
		out_rc(s, f->type, 1,
		    "Please choose a nickname and a password of 4 to 20 "
		    "characters.");
		goto out;
	}
	if (!db_nick_valid(u.nick)) {
		out_rc(s, f->type, 1,
		    "A nickname is 3 to 32 letters, digits, '_', '-' or '.', "
		    "and begins with a letter.");
		goto out;
	}
	/* a taken nickname costs the address no registration */
	if ((r = nick_taken(s, u.nick, sugg, sizeof(sugg))) != 0) {
		if (r == -1)
			out_rc(s, f->type, 1, "Try again later.");
		else if (sugg[0] != '\0')
			out_rc(s, f->type, 0x63, sugg);
		else
			out_rc(s, f->type, 1, "That nickname is taken.");
		goto out;
	}
	if (!table_reg_allow(s->tab, s->addr, s->conf->reg_interval)) {
		log_warnx("[%s]: registration refused: too soon", s->addr);
		out_rc(s, f->type, 1,
		    "Please wait a while before creating another account.");
		goto out;
	}
	u.privacy = 'A';
	if (pw_hash(pw, s->conf->hash_cost, u.hash, sizeof(u.hash)) == -1) {
		out_rc(s, f->type, 1, "Try again later.");
		goto out;
	}
	r = db_user_create(s->db, &u);
	if (r == DBR_EXISTS) {		/* taken since nick_taken() */
		out_rc(s, f->type, 1, "That nickname is taken.");
		goto out;
	} else if (r != DBR_OK) {
		out_rc(s, f->type, 1, "That nickname cannot be used.");
		goto out;
	}
	log_notice("[%s]: registered %s uid %u", s->addr, u.nick, u.uid);
	wire_put16(b, (uint16_t)PT_C_REGISTER);
	wire_put16(b + 2, 0);
	wire_put32(b + 4, u.uid);
	out_frame(s, PT_RETURN_CODE, b, 8);
	s->claimed = u.uid;
	s->state = S_KEY;
	send_key(s, PT_SEND_LOGIN);
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(&u, sizeof(u));
	return 0;
}

/* is_text - n bytes of printable ASCII and Latin-1, none of = and 0xc8 */
static int
is_text(const unsigned char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '=' ||
		    p[i] == REC_SEP)
			return 0;
	return 1;
}

/*
 * handle_display - SET_BUDDY_DISPLAY_NAME uid(4) name: the name the user
 * gives a pal ("Customize Pal Name"); "*default*", the dialog's Reset,
 * takes it away.  The client renames the pal at once and wants no
 * answer; the name comes back in the pal's record at the next login.
 */
#define DISPLAY_RESET	"*default*"

static int
handle_display(struct session *s, const struct wire_frame *f)
{
	char		 name[PALD_DISPLAY_MAX + 1];
	size_t		 n;
	int		 r;

	if (f->len < 5 || (n = f->len - 4) > PALD_DISPLAY_MAX ||
	    !is_text(f->payload + 4, n))
		return guard_malformed(s, f, "not uid(4) and a name");
	memcpy(name, f->payload + 4, n);
	name[n] = '\0';
	if (strcmp(name, DISPLAY_RESET) == 0)
		name[0] = '\0';
	r = db_buddy_display(s->db, s->u.uid, wire_get32(f->payload), name);
	if (r == DBR_NOTFOUND)
		return guard_malformed(s, f, "not a pal");
	return r == DBR_FATAL ? -1 : 0;
}

/*
 * handle_hint - PASSWORD_HINT question(2) answer "\n" hint, which the
 * client sends after a registration or a password change, and from its
 * "Paltalk Password Identification" dialog; it wants no answer.  The
 * answer is kept as a bcrypt hash of its lower case (it is as good as a
 * password to whoever could use it), the hint and the question as they
 * are.  A few per session: each costs a hash.
 */
static int
handle_hint(struct session *s, const struct wire_frame *f)
{
	char		 ans[PALD_HINT_MAX + 1], hint[PALD_HINT_MAX + 1];
	char		 hash[PALD_HASH_MAX];
	const unsigned char *p = f->payload + 2, *nl;
	size_t		 an, hn, i;
	int		 q, r;

	if (f->len < 4 || (q = wire_get16(f->payload)) < 1 || q > 9 ||
	    (nl = memchr(p, '\n', f->len - 2)) == NULL ||
	    (an = (size_t)(nl - p)) == 0 || an > PALD_HINT_MAX ||
	    (hn = f->len - 2 - an - 1) > PALD_HINT_MAX ||
	    !is_text(p, an) || !is_text(nl + 1, hn))
		return guard_malformed(s, f, "not question(2) answer \\n hint");
	if (++s->hints > PALD_HINTS_MAX)
		return guard_malformed(s, f, "too many in one session");
	for (i = 0; i < an; i++)
		ans[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' :
		    p[i]);
	ans[an] = '\0';
	memcpy(hint, nl + 1, hn);
	hint[hn] = '\0';
	r = pw_hash(ans, s->conf->hash_cost, hash, sizeof(hash)) == -1 ?
	    DBR_FATAL : db_user_hint(s->db, s->u.uid, q, hash, hint);
	explicit_bzero(ans, sizeof(ans));
	explicit_bzero(hash, sizeof(hash));
	if (r != DBR_OK)
		log_warnx("[%s]: %s: password hint not stored", s->addr,
		    s->u.nick);
	else
		log_info("[%s]: %s set a password hint", s->addr, s->u.nick);
	return 0;
}

/* email_ok - an address to invite: a@b, printable, no blanks */
static int
email_ok(const char *e)
{
	const char	*at = strchr(e, '@');
	size_t		 i, n = strlen(e);

	if (n < 3 || n > PALD_INVITE_EMAIL_MAX || at == NULL || at == e ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (e[i] <= ' ' || e[i] > '~')
			return 0;
	return 1;
}

/*
 * invite_one - one record of -200, its address into email: the status
 * 0x00c8 gives it, or -2 for a record without a good address or origin
 * (answered -1 if its address can be shown, else not at all)
 */
static int
invite_one(struct session *s, const unsigned char *p, size_t n,
    char *email, size_t cap)
{
	const char	*errstr = NULL;
	char		 org[8];
	int		 origin = 255;

	if (rec_get(p, n, "email", email, cap) <= 0) {
		email[0] = '\0';
		return -2;
	}
	if (!email_ok(email))
		return -2;
	if (rec_get(p, n, "origin", org, sizeof(org)) >= 0)
		origin = (int)strtonum(org, 0, 65535, &errstr);
	if (errstr != NULL)
		return -2;
	if (s->invited >= PALD_INVITES_MAX)
		return -1;
	s->invited++;
	switch (db_invite_add(s->db, s->u.uid, email, origin, time(NULL))) {
	case DBR_OK:
		return 0;
	case DBR_EXISTS:
		return 1;
	default:
		return -1;
	}
}

/*
 * handle_friends - SEND_TO_FRIEND: "email=...\norigin=N" records, one,
 * or several each ended by 0xc8 (the address book), PALD_INVITE_BATCH
 * at most.  Each address is queued in invites.db for the operator (pald
 * mails nobody) and answered in one 0x00c8: status 0 "Future User
 * Added", 1 "Already Added", -1 "Add Failed".  Never 2 ("Added to Your
 * Pal List"): whether an address belongs to an account is not told,
 * as a search never tells an address.
 */
static int
handle_friends(struct session *s, const struct wire_frame *f)
{
	char		 email[PALD_EMAIL_MAX + 1];
	const unsigned char *p = f->payload, *end = p + f->len, *sep;
	struct rec	 r;
	ssize_t		 len;
	int		 i, k = 0, st, bad = 0;

	rec_init(&r, s->scratch, SCRATCH);
	for (i = 0; p < end && i < PALD_INVITE_BATCH; i++) {
		if ((sep = memchr(p, REC_SEP, (size_t)(end - p))) == NULL)
			sep = end;
		if ((st = invite_one(s, p, (size_t)(sep - p), email,
		    sizeof(email))) == -2) {
			bad++;
			st = -1;
		}
		if (email[0] != '\0' && is_text((unsigned char *)email,
		    strlen(email))) {
			rec_add(&r, "email", email);
			rec_addi(&r, "status", st);
			rec_sep(&r);
			k++;
		}
		p = sep + 1;
	}
	if (bad > 0 || p < end)
		(void)guard_malformed(s, f, "records without a good address, "
		    "or too many");
	if (k > 0 && (len = rec_len(&r)) >= 0) {
		log_info("[%s]: %s asked for %d invitation%s", s->addr,
		    s->u.nick, k, k == 1 ? "" : "s");
		out_frame(s, PT_INVITE_STATUS, s->scratch, (size_t)len);
	}
	return 0;
}

/* handle_privacy - SET_PRIVACY: one byte A, T or P */
static int
handle_privacy(struct session *s, const struct wire_frame *f)
{
	struct user	 u;

	if (f->len != 1 || f->payload[0] == '\0' ||
	    strchr("ATP", f->payload[0]) == NULL)
		return guard_malformed(s, f, "not A, T or P");
	if (fresh_user(s, &u) == -1)
		return 0;
	u.privacy = (char)f->payload[0];
	if (db_user_put(s->db, &u) == DBR_OK)
		s->u = u;
	return 0;
}

int
session_frame(struct session *s, const struct wire_frame *f)
{
	int	 r;

	s->lastpkt = time(NULL);
	if (s->state == S_ONLINE)
		table_touch(s->tab, s->lastpkt);
	if (!guard_packet(s)) {
		out_text(s, PT_SERVER_DISCONNECT,
		    "You sent too much too fast; disconnected.");
		return -1;
	}
	/* Before login, only the login and registration packets count. */
	switch (f->type) {
	case PT_C_HELLO:
		return handle_hello(s, f);
	case PT_C_GET_UIN:
		return handle_get_uin(s, f);
	case PT_C_LYMERICK:
		return s->state == S_ONLINE ? 0 : handle_lymerick(s, f);
	case PT_C_LOGIN:
		return s->state == S_ONLINE ? 0 : handle_login(s, f);
	case PT_C_REGISTER:
		return s->state == S_ONLINE ? 0 : handle_register(s, f);
	case PT_C_DISCONNECT:
		return -1;
	}
	if (s->state != S_ONLINE) {
		log_debug("[%s]: type %d before login ignored", s->addr,
		    f->type);
		return 0;
	}
	switch (f->type) {
	case PT_C_IM:
		return handle_im(s, f);
	case PT_C_AWAY:
		return handle_away(s, f);
	case PT_C_ONLINE:
		return handle_online(s, f);
	case PT_C_ADD_BUDDY:
	case PT_C_REMOVE_BUDDY:
		return handle_buddy(s, f);
	case PT_C_BLOCK:
	case PT_C_UNBLOCK:
		return handle_block(s, f);
	case PT_C_SEARCH:
		return handle_search(s, f);
	case PT_C_UNKNOWN_USER:
		return handle_unknown_user(s, f);
	case PT_C_UPDATE_PROFILE:
		return handle_profile(s, f);
	case PT_C_NEW_PASSWORD:
		return handle_new_password(s, f);
	case PT_C_SET_PRIVACY:
		return handle_privacy(s, f);
	case PT_C_BLOCK_LIST:
		send_blocked(s);
		return 0;
	case PT_C_SET_DISPLAY:
		return handle_display(s, f);
	case PT_C_PASSWORD_HINT:
		return handle_hint(s, f);
	case PT_C_INVITE_FRIEND:
		return handle_friends(s, f);
	default:
		if ((r = p2p_frame(s, f)) != 1 || (r = room_frame(s, f)) != 1)
			return r;
		log_debug("[%s]: type %d (%zu bytes) ignored", s->addr,
		    f->type, f->len);
		return 0;
	}
}

int
session_inbox(struct session *s, int rung)
{
	int	 kind;
	ssize_t	 n;

	if (s->state != S_ONLINE)
		return 0;
	table_clearbell(s->tab, rung);
	while (s->out.len - s->out.off < PALD_OUTBUF_MAX / 2 && !s->closing) {
		n = table_recv(s->tab, &kind, s->scratch, SCRATCH);
		if (n == 0)
			return 0;
		if (n < 0) {
			log_warnx("[%s]: %s: inbox overflowed, client too "
			    "slow, closing", s->addr, s->u.nick);
			return -1;
		}
		if (kind == TM_FRAME || kind == TM_KICK)
			out_raw(s, s->scratch, (size_t)n);
		if (kind == TM_FRAME)
			away_reply(s, s->scratch, (size_t)n);
		if (kind == TM_KICK)
			return -1;
		if (kind == TM_OFFLINE)
			send_offline(s);
		if (kind == TM_LISTER)
			listers_change(s, s->scratch, n);
		if (kind == TM_P2P)
			p2p_inbox(s, s->scratch, (size_t)n);
	}
	return s->closing ? -1 : 0;
}

int
session_tick(struct session *s, time_t now)
{
	if (s->state != S_ONLINE &&
	    now - s->connected > s->conf->login_timeout) {
		log_notice("[%s]: no login in %d seconds, closing", s->addr,
		    s->conf->login_timeout);
		return -1;
	}
	if (now - s->lastpkt > s->conf->idle_timeout) {
		log_notice("[%s]: idle for %d seconds, closing", s->addr,
		    s->conf->idle_timeout);
		out_text(s, PT_SERVER_DISCONNECT,
		    "Disconnected after a long time without activity.");
		return -1;
	}
	return s->closing ? -1 : 0;
}

int
session_wait(struct session *s, time_t now)
{
	time_t	 next = s->lastpkt + s->conf->idle_timeout;

	if (s->state != S_ONLINE &&
	    s->connected + s->conf->login_timeout < next)
		next = s->connected + s->conf->login_timeout;
	/* one past the deadline: session_tick acts once it has passed */
	return next + 1 - now < 1 ? 1 : next + 1 - now > INT_MAX / 1000 ?
	    INT_MAX / 1000 : (int)(next + 1 - now);
}

/* session_shutdown - the server is stopping: say so before going */
void
session_shutdown(struct session *s, const char *text)
{
	out_text(s, PT_SERVER_DISCONNECT, text);
}

void
session_end(struct session *s, const char *why)
{
	struct tsess	 ts;
	time_t		 t = time(NULL) - s->connected;

	if (s->state == S_ONLINE) {
		room_logout(s);
		p2p_logout(s);
		table_logout(s->tab);
		if (table_find(s->tab, s->u.uid, 0, &ts) == -1)
			broadcast_status(s, ST_OFFLINE);
		log_notice("[%s]: logout %s uid %u after %lds: %s", s->addr,
		    s->u.nick, s->u.uid, (long)t, why);
		log_exempt(0);
		s->state = S_NEW;
	} else
		log_debug("[%s]: disconnect after %lds: %s", s->addr, (long)t,
		    why);
}
