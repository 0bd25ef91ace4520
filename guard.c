/*
 * guard.c - who may log in, and how fast a session may go.
 *
 * Logins: the system user never, nobody while locked out after too many
 * failed logins, and, when pald.conf says the server is under attack,
 * only accounts that logged in before.  Failed logins are counted in the
 * shared table, per address and per account, in a window of
 * login_window seconds that opens at the first failure; at
 * login_failures (per account) or login_failures_address (per address)
 * the next attempts are refused, before any password is checked, until
 * the window ends.  One log line per lockout and window.
 *
 * Rates: each session has token buckets for its packets (packet_rate,
 * packet_burst), its IMs and room lines together (message_rate per
 * minute, message_burst), its IMs to people who are not on its buddy
 * list and do not list it (nonbuddy_im_rate per minute) and its room
 * joins (join_rate per minute).  An action over a limit is refused with
 * a text; limit_strikes refusals within a minute end the session.  The
 * first refusal and the first cut of an address in a minute are logged,
 * not every packet.  Accounts with USER_F_EXEMPT skip all of it.
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

/* locked - seconds left of a lockout of key (0: none), logged once */
static int
locked(struct session *s, const char *key, int max)
{
	int	 left, first;

	left = table_fail_check(s->tab, key, max, s->conf->login_window,
	    &first);
	if (left > 0 && first)
		log_warnx("[%s]: %s: too many failed logins, locked for %d "
		    "seconds", s->addr, key, left);
	return left;
}

/*
 * guard_login - the account is read, the password not yet checked:
 * 0 to go on, -1 when refused (the client was told).
 */
int
guard_login(struct session *s)
{
	char	 key[KEY_MAX], text[128];
	int	 left;

	if (s->u.uid == PALD_UID_SYSTEM)
		return refuse(s, "the system user",
		    "This account cannot log in.");
	(void)snprintf(key, sizeof(key), "addr:%s", s->addr);
	left = locked(s, key, s->conf->login_fail_addr);
	(void)snprintf(key, sizeof(key), "uid:%u", s->u.uid);
	if (left == 0)
		left = locked(s, key, s->conf->login_fail);
	if (left > 0) {
		(void)snprintf(text, sizeof(text), "Too many failed logins. "
		    "Try again in %d minute%s.", (left + 59) / 60,
		    (left + 59) / 60 == 1 ? "" : "s");
		return refuse(s, "locked out", text);
	}
	if (s->conf->under_attack && s->u.lastlogin == 0)
		return refuse(s, "new account while under attack",
		    "The server admits only known accounts at the moment. "
		    "Please try again later.");
	return ban_login(s);
}

/* guard_login_failed - count a failure for the address and the account */
void
guard_login_failed(struct session *s)
{
	char	 key[KEY_MAX];

	(void)snprintf(key, sizeof(key), "addr:%s", s->addr);
	table_fail_add(s->tab, key, s->conf->login_window);
	if (s->claimed != 0) {
		(void)snprintf(key, sizeof(key), "uid:%u", s->claimed);
		table_fail_add(s->tab, key, s->conf->login_window);
	}
}

/* guard_login_ok - the account's failures are forgotten */
void
guard_login_ok(struct session *s)
{
	char	 key[KEY_MAX];

	(void)snprintf(key, sizeof(key), "uid:%u", s->u.uid);
	table_fail_clear(s->tab, key);
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

/* guard_packet - 1 while the session keeps to packet_rate */
int
guard_packet(struct session *s)
{
	return exempt(s) || take(&s->pkts, s->conf->pkt_rate,
	    s->conf->pkt_burst);
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
