/*
 * guard.c - who may log in: the system user never, nobody while locked
 * out after too many failed logins, and, when pald.conf says the server
 * is under attack, only accounts that logged in before.
 *
 * Failed logins are counted in the shared table, per address and per
 * account, in a window of login_window seconds that opens at the first
 * failure; at login_failures (per account) or login_failures_address
 * (per address) the next attempts are refused, before any password is
 * checked, until the window ends.  One log line per lockout and window.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "log.h"
#include "pald.h"
#include "proto/wire.h"
#include "sess.h"
#include "store/db.h"
#include "store/table.h"

#define KEY_MAX		64

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
