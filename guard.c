/*
 * guard.c - who may log in, how often a password may be tried, and how
 * fast a session may go.
 *
 * Logins: the system user never, nobody from a banned address or while
 * the password checks below hold it back, and, when pald.conf says the
 * server is under attack, only accounts that logged in before.
 *
 * Password checks: a login, -1160 and /passwd all check a password
 * through guard_pw_begin and guard_pw_end, and count in the shared
 * table under three keys, each forgotten login_window seconds after it
 * last grew:
 *	"a:ADDR"	failed checks from the address, whatever the account
 *	"u:UID"		failed checks of the account, from anywhere
 *	"p:UID:ADDR"	failed checks of the account from the address
 * An address with login_failures_address failures is refused for every
 * account (but accounts of admin level login_admin_level and up) until
 * its count is forgotten.  An account and address pair with
 * login_failures failures waits a second before the next check, and
 * each failure after doubles the wait, up to login_window; once the
 * account has login_failures_account failures from everywhere, a pair's
 * first failure starts the doubling.  An address that has not failed on
 * an account is never held back for it, so its owner logs in while
 * others guess.  A check counts as failed before the hash is computed
 * (table_fail_try), and guard_pw_end takes that back when the password
 * was right: checks run at once by many sessions cannot slip past the
 * count.  Password changes, right or wrong, also count under "h:ADDR",
 * forgotten a minute after it last grew: PALD_PWCHANGE_ADDR of them in a
 * row and the address waits that minute, so that the hashing an address
 * (and so a session) can ask for is bounded.
 *
 * Rates: each session has token buckets for its packets (packet_rate,
 * packet_burst), its IMs and room lines together (message_rate per
 * minute, message_burst), its IMs to people who are not on its buddy
 * list and do not list it (nonbuddy_im_rate per minute) and its room
 * joins (join_rate per minute).  An action over a limit is refused with
 * a text; limit_strikes refusals within a minute end the session.  The
 * first refusal, the first cut and the first packet flood of an address
 * in a minute are logged, not every packet.  Accounts with
 * USER_F_EXEMPT skip all of it.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ban.h"
#include "guard.h"
#include "log.h"
#include "out.h"
#include "pald.h"
#include "proto/wire.h"
#include "sess.h"
#include "store/db.h"
#include "store/table.h"

#define KEY_MAX		64
#define LIMIT_WINDOW	60	/* seconds: per-minute limits, strikes, logs */

#define TXT_MSGS	"You are sending messages too fast; this one was " \
			"not sent. Please wait a moment."
#define TXT_NONBUDDY	"You are sending too many messages to people who " \
			"are not on your buddy list; this one was not sent. " \
			"Please wait a while."
#define TXT_JOINS	"You are joining rooms too fast. Please wait a " \
			"moment and try again."
#define TXT_PRIV_TEXT	"This user accepts messages and invitations only " \
			"from people on their pal list."
#define TXT_PRIV_CALL	"This user accepts calls and file transfers only " \
			"from people on their pal list."
#define TXT_CUT		"You kept sending too fast after being told to " \
			"wait; disconnected."

/* refuse - a login refused with a clear text; the session then ends */
static int
refuse(struct session *s, const char *why, const char *text)
{
	log_notice("[%s]: login refused for uid %u: %s", s->addr, s->claimed,
	    why);
	out_rc(s, PT_C_LOGIN, 0x63, text);
	explicit_bzero(&s->u, sizeof(s->u));
	s->closing = 1;
	return -1;
}

/* The keys of a password check (guard.c's head comment). */
#define K_ADDR		0
#define K_ACCT		1
#define K_PAIR		2
#define K_CHANGE	3	/* "h:ADDR": password changes */
#define K_COUNT		4

struct pwcheck {
	struct session	*s;
	int		 admin;		/* the account's admin level */
	int		 n;		/* keys: K_CHANGE + 1 for a change */
	int		 why;		/* the key that holds it back */
	struct tcount	 q[K_COUNT];
	char		 keys[K_COUNT][TABLE_KEY_MAX];
};

/* pw_keys - the keys of a check of uid's password from our address */
static void
pw_keys(struct pwcheck *c, struct session *s, uint32_t uid, int change)
{
	int	 i;

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->n = change ? K_COUNT : K_PAIR + 1;
	(void)snprintf(c->keys[K_ADDR], TABLE_KEY_MAX, "a:%s", s->addr);
	(void)snprintf(c->keys[K_ACCT], TABLE_KEY_MAX, "u:%u", uid);
	(void)snprintf(c->keys[K_PAIR], TABLE_KEY_MAX, "p:%u:%s", uid,
	    s->addr);
	(void)snprintf(c->keys[K_CHANGE], TABLE_KEY_MAX, "h:%s", s->addr);
	for (i = 0; i < K_COUNT; i++) {
		c->q[i].key = c->keys[i];
		c->q[i].window = i == K_CHANGE ? LIMIT_WINDOW :
		    s->conf->login_window;
	}
}

/*
 * backoff - seconds a pair waits after its n-th failure when free
 * failures cost nothing: 1, 2, 4 ... up to window
 */
static int64_t
backoff(uint32_t n, int free, int window)
{
	if (n < (uint32_t)free)
		return 0;
	n -= (uint32_t)free;
	return n >= 30 || (1 << n) > window ? window : (int64_t)1 << n;
}

/* pw_decide - the seconds this check must wait (table_fail_try) */
static int
pw_decide(void *arg, const struct tcount *q, int n)
{
	struct pwcheck	*c = arg;
	const struct pald_conf *conf = c->s->conf;
	int64_t		 now = time(NULL), until = 0, t;
	int		 free;

	if (q[K_ADDR].count >= (uint32_t)conf->login_fail_addr &&
	    (conf->login_admin == 0 || c->admin < conf->login_admin)) {
		until = q[K_ADDR].last + q[K_ADDR].window;
		c->why = K_ADDR;
	}
	free = q[K_ACCT].count >= (uint32_t)conf->login_fail_acct ? 0 :
	    conf->login_fail;
	if (q[K_PAIR].count > 0 && (t = q[K_PAIR].last +
	    backoff(q[K_PAIR].count, free, conf->login_window)) > until) {
		until = t;
		c->why = K_PAIR;
	}
	if (n > K_CHANGE && q[K_CHANGE].count >= PALD_PWCHANGE_ADDR &&
	    (t = q[K_CHANGE].last + q[K_CHANGE].window) > until) {
		until = t;
		c->why = K_CHANGE;
	}
	return until > now ? (int)(until - now) : 0;
}

/* wait_text - "<what>. Try again in N seconds (or minutes)." */
static const char *
wait_text(char *b, size_t cap, const char *what, int secs)
{
	int	 n = secs < 60 ? secs : (secs + 59) / 60;

	(void)snprintf(b, cap, "%s. Try again in %d %s%s.", what, n,
	    secs < 60 ? "second" : "minute", n == 1 ? "" : "s");
	return b;
}

/* pw_held - log, once a window, what holds a check back */
static void
pw_held(const struct pwcheck *c, uint32_t uid, int secs)
{
	struct session	*s = c->s;
	char		 key[TABLE_KEY_MAX + 1];

	(void)snprintf(key, sizeof(key), "l%s", c->keys[c->why]);
	if (!table_once(s->tab, key, c->q[c->why].window))
		return;
	if (c->why == K_ADDR)
		log_warnx("[%s]: %u failed password checks from this address, "
		    "refusing every account for %d s", s->addr,
		    c->q[K_ADDR].count, secs);
	else if (c->why == K_PAIR)
		log_warnx("[%s]: %u failed password checks of uid %u from "
		    "this address, waiting %d s", s->addr,
		    c->q[K_PAIR].count, uid, secs);
	else
		log_warnx("[%s]: %u password changes in a row from this "
		    "address, refusing for %d s", s->addr,
		    c->q[K_CHANGE].count, secs);
}

/*
 * guard_pw_begin - may the password of uid (an account of admin level
 * admin) be checked now, for a login or for a change?  NULL, and the
 * check is counted as failed until guard_pw_end says otherwise; or the
 * text to refuse with, in text.
 */
const char *
guard_pw_begin(struct session *s, uint32_t uid, int admin, int change,
    char *text, size_t cap)
{
	struct pwcheck	 c;
	int		 secs;

	pw_keys(&c, s, uid, change);
	c.admin = admin;
	if ((secs = table_fail_try(s->tab, c.q, c.n, pw_decide, &c)) > 0) {
		pw_held(&c, uid, secs);
		return wait_text(text, cap, change ? "Too many wrong "
		    "passwords" : "Too many failed logins", secs);
	}
	s->pwheld = uid;
	return NULL;
}

/*
 * guard_pw_end - the check guard_pw_begin let through is over: PW_WRONG
 * leaves it counted; PW_RIGHT takes it back and forgets the pair's
 * failures; PW_UNTRIED (no password was checked after all) takes it back
 */
void
guard_pw_end(struct session *s, int how)
{
	struct pwcheck	 c;

	if (s->pwheld == 0)
		return;
	pw_keys(&c, s, s->pwheld, 0);
	s->pwheld = 0;
	if (how == PW_WRONG)
		return;
	table_fail_undo(s->tab, c.q, how == PW_RIGHT ? K_ACCT + 1 : K_PAIR + 1);
	if (how == PW_RIGHT)
		table_fail_clear(s->tab, c.keys[K_PAIR]);
}

/*
 * guard_login - the account is read, the password not yet checked:
 * 0 to go on (the check is counted: guard_pw_end), -1 when refused (the
 * client was told).
 */
int
guard_login(struct session *s)
{
	char		 text[128];
	const char	*why;

	if (s->u.uid == PALD_UID_SYSTEM)
		return refuse(s, "the system user",
		    "This account cannot log in.");
	if (s->conf->under_attack && s->u.lastlogin == 0)
		return refuse(s, "new account while under attack",
		    "The server admits only known accounts at the moment. "
		    "Please try again later.");
	if (ban_login(s) == -1)
		return -1;
	if ((why = guard_pw_begin(s, s->u.uid, s->u.admin, 0, text,
	    sizeof(text))) != NULL)
		return refuse(s, "held back by failed logins", why);
	return 0;
}

/*
 * guard_login_failed - a login failed: counted already when its
 * password was checked, else (out of order, an unknown uid) it counts
 * for the address
 */
void
guard_login_failed(struct session *s)
{
	char	 key[TABLE_KEY_MAX];

	if (s->pwheld != 0) {
		guard_pw_end(s, PW_WRONG);
		return;
	}
	(void)snprintf(key, sizeof(key), "a:%s", s->addr);
	(void)table_fail_add(s->tab, key, s->conf->login_window);
}

/* guard_login_ok - the password was right */
void
guard_login_ok(struct session *s)
{
	guard_pw_end(s, PW_RIGHT);
}

/*
 * guard_password - may the session check its password for a change
 * (-1160, /passwd)?  NULL, and guard_pw_end must follow; or the text to
 * refuse with, in text.  The account's level is the session's.
 */
const char *
guard_password(struct session *s, char *text, size_t cap)
{
	return guard_pw_begin(s, s->u.uid, s->u.admin, 1, text, cap);
}

/* fill - a full bucket of burst tokens */
static void
fill(struct bucket *b, int burst)
{
	(void)clock_gettime(CLOCK_MONOTONIC, &b->at);
	b->tokens = burst;
}

/* guard_start - every bucket full, as a session starts */
void
guard_start(struct session *s)
{
	fill(&s->pkts, s->conf->pkt_burst);
	fill(&s->msgs, s->conf->msg_burst);
	fill(&s->nonbuddy, s->conf->nonbuddy_rate);
	fill(&s->joins, s->conf->join_rate);
}

/* take - one token from b, refilled at rate per second up to burst */
static int
take(struct bucket *b, double rate, int burst)
{
	struct timespec	 now;
	double		 dt;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - b->at.tv_sec) +
	    (double)(now.tv_nsec - b->at.tv_nsec) / 1e9;
	b->at = now;
	if (dt > 0)
		b->tokens += dt * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

static int
exempt(const struct session *s)
{
	return s->state == S_ONLINE && (s->u.flags & USER_F_EXEMPT);
}

static int	 once(struct session *, const char *);

/*
 * guard_packet - 1 while the session keeps to packet_rate; 0 and the
 * session is to be cut (logged once a minute per address)
 */
int
guard_packet(struct session *s)
{
	if (exempt(s) || take(&s->pkts, s->conf->pkt_rate,
	    s->conf->pkt_burst))
		return 1;
	if (once(s, "flood"))
		log_warnx("[%s]: packet flood, closing (logged once a minute "
		    "per address)", s->addr);
	return 0;
}

/* once - 1 the first time what happens at our address in a window */
static int
once(struct session *s, const char *what)
{
	char	 key[KEY_MAX];

	(void)snprintf(key, sizeof(key), "%s:%s", what, s->addr);
	return table_once(s->tab, key, LIMIT_WINDOW);
}

/* limit - NULL if exempt or within a per-minute limit, else text */
static const char *
limit(struct session *s, struct bucket *b, int rate, int burst,
    const char *key, const char *text)
{
	if (exempt(s) || take(b, rate / 60.0, burst))
		return NULL;
	if (once(s, "limit"))
		log_warnx("[%s]: %s is over %s; refusing (logged once a "
		    "minute per address)", s->addr, s->u.nick, key);
	return text;
}

/* guard_line - a room line: message_rate */
const char *
guard_line(struct session *s)
{
	return limit(s, &s->msgs, s->conf->msg_rate, s->conf->msg_burst,
	    "message_rate", TXT_MSGS);
}

/*
 * guard_im - an IM to uid to: message_rate, and nonbuddy_im_rate when
 * neither lists the other as a buddy (an IM out of the blue)
 */
const char *
guard_im(struct session *s, uint32_t to)
{
	const char	*why;

	if ((why = guard_line(s)) != NULL)
		return why;
	if (exempt(s) || db_buddy_has(s->db, s->u.uid, to) == 1 ||
	    db_buddy_has(s->db, to, s->u.uid) == 1)
		return NULL;
	return limit(s, &s->nonbuddy, s->conf->nonbuddy_rate,
	    s->conf->nonbuddy_rate, "nonbuddy_im_rate", TXT_NONBUDDY);
}

/*
 * guard_contact - may we reach the user to (as the store has it) in
 * this way?  NULL, or the text to refuse with.  The privacy setting of
 * the 5.0 client's dialog: 'A' anyone; 'T' "Calls from Pals Only, Text
 * Chat from Anyone"; 'P' "Contact from Pal List Only".  A pal is
 * someone to has on its buddy list.  Site admins (level >= 1) reach
 * everybody.  Blocks are the caller's to check: they are not announced.
 */
const char *
guard_contact(struct session *s, const struct user *to, int kind)
{
	int	 r;

	if (s->u.admin > 0 || to->uid == s->u.uid || to->privacy == 'A' ||
	    (to->privacy == 'T' && kind == CONTACT_TEXT) ||
	    (to->privacy != 'T' && to->privacy != 'P'))
		return NULL;
	if ((r = db_buddy_has(s->db, to->uid, s->u.uid)) == 1)
		return NULL;
	if (r < 0)
		return "Try again later.";
	return kind == CONTACT_TEXT ? TXT_PRIV_TEXT : TXT_PRIV_CALL;
}

/* guard_join - a room join or creation: join_rate */
const char *
guard_join(struct session *s)
{
	return limit(s, &s->joins, s->conf->join_rate, s->conf->join_rate,
	    "join_rate", TXT_JOINS);
}

/*
 * guard_malformed - a frame of a type we handle that makes no sense (too
 * short, too long, a value out of range): ignored, and said in one log
 * line; a warning the first time in a minute for the address, debug
 * after that, so that a flood of them does not flood the log.  0: the
 * session goes on.
 */
int
guard_malformed(struct session *s, const struct wire_frame *f,
    const char *why)
{
	if (once(s, "bad"))
		log_warnx("[%s]: %s: type %d of %zu bytes ignored: %s (logged "
		    "once a minute per address)", s->addr, s->u.nick, f->type,
		    f->len, why);
	else
		log_debug("[%s]: %s: type %d of %zu bytes ignored: %s",
		    s->addr, s->u.nick, f->type, f->len, why);
	return 0;
}

/*
 * guard_strike - count a refusal; at limit_strikes in a minute the
 * client is told and the session ends (-1), else 0
 */
int
guard_strike(struct session *s)
{
	time_t	 now = time(NULL);

	if (now - s->strike_at >= LIMIT_WINDOW) {
		s->strike_at = now;
		s->strikes = 0;
	}
	if (++s->strikes < s->conf->strikes)
		return 0;
	if (once(s, "cut"))
		log_warnx("[%s]: %s refused %d times in a minute, closing "
		    "(logged once a minute per address)", s->addr, s->u.nick,
		    s->strikes);
	out_text(s, PT_SERVER_DISCONNECT, TXT_CUT);
	s->closing = 1;
	return -1;
}
