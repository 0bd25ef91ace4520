/*
 * admin.c - the system user and its slash-commands.
 *
 * The system user is a reserved account, uid PALD_UID_SYSTEM, whose
 * nickname is pald.conf's system_nick.  The master writes it at start
 * and on SIGHUP with a hash that no password matches, so that GET_UIN,
 * search and add-pal find it like anyone else; sessions show it online
 * and refuse logins as it.  An IM to it is a command line; the replies
 * come back as IMs from it.
 *
 * Commands dispatch through one table, as qmail-smtpd's verbs do: the
 * name, the least admin level (struct user admin, 0 to 3) that may use
 * it, how many words it takes, whether the rest of the line is a free
 * text, the handler and a line of help.  Every command run is logged
 * with who ran it and the command's name, never its words.
 */
#include <sys/types.h>
#include <sys/resource.h>

#include <ctype.h>
#include <fnmatch.h>
#include <signal.h>
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
#include "pald.h"
#include "proto/wire.h"
#include "room.h"
#include "sess.h"
#include "store/db.h"
#include "store/table.h"

#define WHO_MAX		200	/* sessions listed by /who */
#define SHUTDOWN_MAX	3600	/* seconds /shutdown may wait */
#define SHUTDOWN_DEF	60	/* and without a number */
#define OTP_LEN		10	/* /adduser's one-time password */

struct acmd {
	const char	*name;
	int		 level;		/* least admin level */
	int		 min;		/* words after the name, at least */
	int		 max;		/* and at most, text included */
	int		 text;		/* 1: the last word takes the rest */
	int		 (*fn)(struct session *, int, char **);
	const char	*usage;
	const char	*help;
};


static int	 cmd_adduser(struct session *, int, char **);
static int	 cmd_broadcast(struct session *, int, char **);
static int	 cmd_deluser(struct session *, int, char **);
static int	 cmd_help(struct session *, int, char **);
static int	 cmd_kick(struct session *, int, char **);
static int	 cmd_paid(struct session *, int, char **);
static int	 cmd_passwd(struct session *, int, char **);
static int	 cmd_reload(struct session *, int, char **);
static int	 cmd_setadmin(struct session *, int, char **);
static int	 cmd_shutdown(struct session *, int, char **);
static int	 cmd_stats(struct session *, int, char **);
static int	 cmd_suspend(struct session *, int, char **);
static int	 cmd_who(struct session *, int, char **);

/* In the order /help lists them: by level, then by name. */
static const struct acmd acmds[] = {
	{ "help", 0, 0, 0, 0, cmd_help, "/help",
	    "the commands you may use" },
	{ "passwd", 0, 2, 2, 0, cmd_passwd, "/passwd old new",
	    "change your password" },
	{ "broadcast", 1, 1, 1, 1, cmd_broadcast, "/broadcast text",
	    "an announcement to everyone online" },
	{ "kick", 1, 1, 2, 1, cmd_kick, "/kick nick [reason]",
	    "disconnect a user" },
	/* The handlers of /rooms and /log are in room.c. */
	{ "log", 0, 1, 1, 0, admin_cmd_log, "/log room",
	    "a room's log of admin actions (its owner, or level 1)" },
	{ "rooms", 1, 0, 0, 0, admin_cmd_rooms, "/rooms",
	    "the rooms and who is in them" },
	{ "stats", 1, 0, 0, 0, cmd_stats, "/stats",
	    "uptime, sessions, logins, messages, memory" },
	{ "who", 1, 0, 1, 0, cmd_who, "/who [pattern]",
	    "who is online, idle since, in which rooms (pattern: ali*)" },
	{ "adduser", 2, 1, 1, 0, cmd_adduser, "/adduser nick",
	    "a new account with a one-time password" },
	{ "ban", 2, 1, 3, 1, admin_cmd_ban,
	    "/ban nick|address|cidr [duration] [reason]",
	    "ban for 30m, 2h, 1d, 1w or perm (the default)" },
	{ "bans", 2, 0, 0, 0, admin_cmd_bans, "/bans",
	    "the bans in force" },
	{ "deluser", 2, 1, 1, 0, cmd_deluser, "/deluser nick",
	    "delete an account" },
	{ "paid", 2, 2, 2, 0, cmd_paid, "/paid nick N|Y|6",
	    "the paid look at the next login: Y no ads, 6 six video panes" },
	{ "reload", 2, 0, 0, 0, cmd_reload, "/reload",
	    "re-read pald.conf (as SIGHUP)" },
	{ "setadmin", 2, 2, 2, 0, cmd_setadmin, "/setadmin nick level",
	    "set an admin level, 0 to 3" },
	{ "suspend", 2, 1, 1, 0, cmd_suspend, "/suspend nick",
	    "stop an account from logging in, and kick it" },
	{ "unban", 2, 1, 1, 0, admin_cmd_unban, "/unban nick|address|cidr",
	    "lift a ban" },
	{ "unsuspend", 2, 1, 1, 0, cmd_suspend, "/unsuspend nick",
	    "let a suspended account log in again" },
	{ "shutdown", 3, 0, 2, 1, cmd_shutdown, "/shutdown [seconds] [text]",
	    "stop the server after a countdown (or: /shutdown cancel)" },
};
#define NACMDS	(sizeof(acmds) / sizeof(acmds[0]))


/*
 * admin_sysuser - create or rename the system user.  A nickname that
 * another account holds is refused with a warning; the system user then
 * keeps the name it had.
 */
int
admin_sysuser(struct db *db, const struct pald_conf *conf)
{
	struct user	 u;
	int		 r;

	if ((r = db_user_get(db, PALD_UID_SYSTEM, &u)) == DBR_NOTFOUND) {
		memset(&u, 0, sizeof(u));
		u.created = time(NULL);
	} else if (r != DBR_OK)
		return r;
	u.uid = PALD_UID_SYSTEM;
	(void)strlcpy(u.nick, conf->system_nick, sizeof(u.nick));
	(void)strlcpy(u.hash, "*", sizeof(u.hash));	/* matches nothing */
	u.admin = 0;
	u.flags = USER_F_EXEMPT;
	u.privacy = 'A';
	if ((r = db_user_reserve(db, &u)) == DBR_EXISTS)
		log_warnx("system_nick %s belongs to another account; the "
		    "system user keeps its old name", conf->system_nick);
	else if (r != DBR_OK)
		log_warnx("cannot write the system user (uid %u)",
		    PALD_UID_SYSTEM);
	return r;
}

/* plain - the command line out of the client's PHTML: tags dropped */
static int
plain(const unsigned char *p, size_t len, char *out, size_t cap)
{
	size_t	 i, n = 0;
	int	 intag = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '<')
			intag = 1;
		else if (p[i] == '>' && intag)
			intag = 0;
		else if (!intag) {
			if (n + 1 >= cap)
				return -1;
			out[n++] = p[i] >= 0x20 && p[i] != 0x7f ? (char)p[i] :
			    ' ';
		}
	}
	out[n] = '\0';
	return 0;
}

/*
 * split - the words of a command line into argv; with text, the last of
 * max words after the name is the rest of the line.  The word count, or
 * -1 when there are more words than the command takes.
 */
static int
split(char *line, const struct acmd *c, char **argv)
{
	char	*p = line;
	int	 argc = 0;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return argc;
		if (argc > c->max)
			return -1;
		if (c->text && argc == c->max - 1) {
			argv[argc++] = p;
			p += strlen(p);
			while (p > argv[argc - 1] && p[-1] == ' ')
				*--p = '\0';
			return argc;
		}
		argv[argc++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

/* lookup - the command named name, or NULL */
static const struct acmd *
lookup(const char *name)
{
	size_t	 i;

	for (i = 0; i < NACMDS; i++)
		if (strcasecmp(acmds[i].name, name) == 0)
			return &acmds[i];
	return NULL;
}

/*
 * admin_parse - a command line as the client sent it (PHTML) into line
 * (ADMIN_LINE_MAX bytes) and its words: argv[0] the command's name,
 * argv[1..*argc - 1] its words, argv[*argc] NULL; *which the command's
 * index in the table, or -1.  AP_OK; AP_LONG, AP_NOTCMD or AP_UNKNOWN
 * (argv[0] is then the name given, when there is one); AP_USAGE (the
 * words do not fit the command).  Pure: admin_im decides what to say.
 */
int
admin_parse(const unsigned char *p, size_t len, char *line, char **argv,
    int *argc, int *which)
{
	const struct acmd *c;
	char		*cmd;
	int		 n;

	*argc = 0;
	*which = -1;
	argv[0] = NULL;
	if (plain(p, len, line, ADMIN_LINE_MAX) == -1)
		return AP_LONG;
	for (cmd = line; *cmd == ' '; cmd++)
		;
	if (*cmd != '/')
		return AP_NOTCMD;
	argv[0] = ++cmd;
	*argc = 1;
	cmd += strcspn(cmd, " ");
	if (*cmd != '\0')
		*cmd++ = '\0';
	if ((c = lookup(argv[0])) == NULL)
		return AP_UNKNOWN;
	*which = (int)(c - acmds);
	n = split(cmd, c, argv + 1);
	if (n < c->min || n > c->max || n == -1)
		return AP_USAGE;
	*argc = n + 1;
	argv[n + 1] = NULL;
	return AP_OK;
}

/*
 * admin_im - an IM to the system user: run the command it holds.  The
 * caller's account is read afresh, so that a changed level or a
 * suspension applies at once.
 */
int
admin_im(struct session *s, const unsigned char *p, size_t len)
{
	char		 line[ADMIN_LINE_MAX], name[4 * 16 + 1];
	char		*argv[ADMIN_ARGS_MAX + 2];
	const struct acmd *c;
	struct user	 me;
	int		 argc, which, res, r = 0;

	res = admin_parse(p, len, line, argv, &argc, &which);
	if (res == AP_LONG || res == AP_NOTCMD) {
		admin_reply(s, res == AP_LONG ? "That line is too long." :
		    "I only understand commands; try /help.");
		goto out;
	}
	if (db_user_get(s->db, s->u.uid, &me) != DBR_OK) {
		admin_reply(s, "Try again later.");
		goto out;
	}
	s->u = me;
	explicit_bzero(&me, sizeof(me));
	log_exempt(s->u.admin > 0);	/* the level may have changed */
	(void)strvisx(name, argv[0], strnlen(argv[0], 16),
	    VIS_SAFE | VIS_OCTAL);
	if (res == AP_UNKNOWN) {
		log_notice("[%s]: %s: unknown command /%s", s->addr,
		    s->u.nick, name);
		admin_reply(s, "Unknown command /%s; try /help.", name);
		goto out;
	}
	c = &acmds[which];
	if (s->u.admin < c->level) {
		log_notice("[%s]: %s (level %d) denied /%s", s->addr,
		    s->u.nick, s->u.admin, c->name);
		admin_reply(s, "/%s needs admin level %d; you have %d.",
		    c->name, c->level, s->u.admin);
		goto out;
	}
	log_notice("[%s]: %s (uid %u, level %d) ran /%s", s->addr,
	    s->u.nick, s->u.uid, s->u.admin, c->name);
	if (res == AP_USAGE) {
		admin_reply(s, "Usage: %s", c->usage);
		goto out;
	}
	r = c->fn(s, argc, argv);
out:
	explicit_bzero(line, sizeof(line));
	return r;
}

/* cmd_help - the commands the caller may use */
static int
cmd_help(struct session *s, int argc, char **argv)
{
	struct reply	 rp = { .s = s };
	size_t		 i;

	admin_line(&rp, "Commands (your admin level is %d):", s->u.admin);
	for (i = 0; i < NACMDS; i++)
		if (acmds[i].level <= s->u.admin)
			admin_line(&rp, "%s - %s", acmds[i].usage, acmds[i].help);
	admin_flush(&rp);
	return 0;
}

/*
 * cmd_passwd - /passwd old new: the old password checked as a login's is
 * (guard_password), so that /passwd is no way around the failure counts
 */
static int
cmd_passwd(struct session *s, int argc, char **argv)
{
	char		 hash[PALD_HASH_MAX], text[128];
	const char	*why;
	struct user	 u = s->u;

	memset(hash, 0, sizeof(hash));
	if ((why = guard_password(s, text, sizeof(text))) != NULL) {
		admin_reply(s, "%s", why);
		goto out;
	}
	if (pw_verify(argv[1], u.hash) != 1) {
		guard_pw_end(s, PW_WRONG);
		admin_reply(s, "Your old password is not right.");
		goto out;
	}
	guard_pw_end(s, PW_RIGHT);
	if (!pw_acceptable(argv[2]))
		admin_reply(s, "A password has %d to %d characters, no "
		    "blanks.", PALD_PASS_MIN, PALD_PASS_MAX);
	else if (pw_hash(argv[2], s->conf->hash_cost, hash, sizeof(hash)) ==
	    -1 || strlcpy(u.hash, hash, sizeof(u.hash)) >= sizeof(u.hash) ||
	    db_user_put(s->db, &u) != DBR_OK)
		admin_reply(s, "Try again later.");
	else {
		s->u = u;
		log_notice("[%s]: %s changed password", s->addr, s->u.nick);
		admin_reply(s, "Your password is changed.");
	}
out:
	explicit_bzero(hash, sizeof(hash));
	explicit_bzero(&u, sizeof(u));
	return 0;
}

struct who_arg {
	const char	*pat;
	struct tsess	*list;
	int		 n;
	int		 total;
};

static void
who_cb(void *arg, const struct tsess *ts)
{
	struct who_arg	*w = arg;

	if (w->pat != NULL && fnmatch(w->pat, ts->nick, FNM_CASEFOLD) != 0)
		return;
	w->total++;
	if (w->n < WHO_MAX)
		w->list[w->n++] = *ts;
}

/* ago - a duration as 3d04h, 2h05m or 7m12s */
static void
ago(int64_t secs, char *b, size_t size)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		(void)snprintf(b, size, "%lldd%02lldh", (long long)secs / 86400,
		    (long long)secs % 86400 / 3600);
	else if (secs >= 3600)
		(void)snprintf(b, size, "%lldh%02lldm", (long long)secs / 3600,
		    (long long)secs % 3600 / 60);
	else
		(void)snprintf(b, size, "%lldm%02llds", (long long)secs / 60,
		    (long long)secs % 60);
}

/* who_rooms - "  in ID NAME, ID NAME" for the rooms ts is in, or "" */
static void
who_rooms(struct session *s, const struct tsess *ts, char *b, size_t size)
{
	struct troom	 tr;
	size_t		 len;
	int		 k;

	b[0] = '\0';
	for (k = 0; k < PALD_JOINS_MAX; k++) {
		if (ts->rooms[k] == 0 ||
		    room_get(s->tab, ts->rooms[k] - 1, ts->rgens[k], &tr) == -1)
			continue;
		len = strlen(b);
		(void)snprintf(b + len, size - len, "%s%u %s",
		    len == 0 ? "  in " : ", ", tr.id, tr.name);
	}
}

/* cmd_who - /who [pattern]: nick, address, time online, idle, rooms */
static int
cmd_who(struct session *s, int argc, char **argv)
{
	struct who_arg	 w;
	struct reply	 rp = { .s = s };
	char		 on[32], idle[32];
	char		 rooms[PALD_JOINS_MAX * (PALD_ROOMNAME_MAX + 16) + 8];
	time_t		 now = time(NULL);
	int		 i;

	memset(&w, 0, sizeof(w));
	w.pat = argc > 1 ? argv[1] : NULL;
	if ((w.list = calloc(WHO_MAX, sizeof(*w.list))) == NULL) {
		admin_reply(s, "Try again later.");
		return 0;
	}
	(void)table_list(s->tab, who_cb, &w);
	admin_line(&rp, "%d online%s:", w.total, w.pat ? " matching" : "");
	for (i = 0; i < w.n; i++) {
		ago(now - w.list[i].since, on, sizeof(on));
		ago(now - w.list[i].seen, idle, sizeof(idle));
		who_rooms(s, &w.list[i], rooms, sizeof(rooms));
		admin_line(&rp, "%s  %s  on %s  idle %s%s%s", w.list[i].nick,
		    w.list[i].addr, on, idle,
		    w.list[i].status == ST_AWAY ? "  away" : "", rooms);
	}
	if (w.total > w.n)
		admin_line(&rp, "(%d more not shown)", w.total - w.n);
	admin_flush(&rp);
	free(w.list);
	return 0;
}

static void
count_cb(void *arg, const struct tsess *ts)
{
}

/*
 * cmd_stats - uptime, sessions, logins, IMs, the pool of session
 * processes (the master's counters; none under -i), memory of this
 * process
 */
static int
cmd_stats(struct session *s, int argc, char **argv)
{
	struct tstats	 st;
	struct rusage	 ru;
	struct reply	 rp = { .s = s };
	uint64_t	 pool[TP_COUNT];
	char		 up[32];
	int		 online;

	table_stats(s->tab, &st);
	online = table_list(s->tab, count_cb, NULL);
	ago(time(NULL) - st.started, up, sizeof(up));
	admin_line(&rp, "pald %s, up %s", PALD_VERSION, up);
	admin_line(&rp, "online now: %d sessions", online);
	admin_line(&rp, "since start: %llu connections, %llu logins, %llu IMs",
	    (unsigned long long)st.sessions, (unsigned long long)st.logins,
	    (unsigned long long)st.ims);
	table_pool_get(s->tab, pool);
	if (pald_master != 0)
		admin_line(&rp, "pool: %llu processes, %llu idle, %llu busy "
		    "(%llu not logged in); %llu forks, %llu reuses, "
		    "%llu refused", (unsigned long long)pool[TP_CHILDREN],
		    (unsigned long long)pool[TP_IDLE],
		    (unsigned long long)pool[TP_BUSY],
		    (unsigned long long)pool[TP_PRELOGIN],
		    (unsigned long long)pool[TP_FORKS],
		    (unsigned long long)pool[TP_REUSES],
		    (unsigned long long)pool[TP_REFUSED]);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		admin_line(&rp, "this session's process: %ld KB at most",
		    (long)ru.ru_maxrss);
	admin_flush(&rp);
	return 0;
}

/*
 * target - the account named nick that the caller may act on: not the
 * system user, not the caller, and below the caller's level unless the
 * caller has level 3.  0 and *u filled, or -1 (the caller was told).
 */
static int
target(struct session *s, const char *nick, struct user *u)
{
	int	 r;

	if (!db_nick_valid(nick)) {
		admin_reply(s, "That is not a nickname.");
		return -1;
	}
	if ((r = db_user_by_nick(s->db, nick, u)) == DBR_NOTFOUND) {
		admin_reply(s, "There is no user %s.", nick);
		return -1;
	} else if (r != DBR_OK) {
		admin_reply(s, "Try again later.");
		return -1;
	}
	if (u->uid == PALD_UID_SYSTEM || u->uid == s->u.uid) {
		admin_reply(s, "Not on %s.", u->nick);
		return -1;
	}
	if (u->admin >= s->u.admin && s->u.admin < 3) {
		admin_reply(s, "%s has admin level %d: only level 3 may do "
		    "that.", u->nick, u->admin);
		return -1;
	}
	return 0;
}

struct kick_arg {
	struct session	*s;
	uint32_t	 uid;
	const char	*text;
	int		 n;
};

static void
kick_cb(void *arg, const struct tsess *ts)
{
	struct kick_arg	*k = arg;

	if (ts->uid != k->uid)
		return;
	if (deliver(k->s, ts, TM_KICK, PT_KICK, k->text,
	    strlen(k->text)) == 0)
		k->n++;
}

/* kick_uid - end every session of uid with a 0x002a text; the count */
static int
kick_uid(struct session *s, uint32_t uid, const char *text)
{
	struct kick_arg	 k = { .s = s, .uid = uid, .text = text };

	(void)table_list(s->tab, kick_cb, &k);
	return k.n;
}

/* cmd_kick - /kick nick [reason] */
static int
cmd_kick(struct session *s, int argc, char **argv)
{
	struct user	 u;
	char		 text[PALD_REASON_MAX + 64];
	int		 n;

	if (argc > 2 && strlen(argv[2]) > PALD_REASON_MAX) {
		admin_reply(s, "The reason is longer than %d bytes.",
		    PALD_REASON_MAX);
		return 0;
	}
	if (target(s, argv[1], &u) == -1)
		return 0;
	(void)snprintf(text, sizeof(text), "You were disconnected by an "
	    "administrator%s%s", argc > 2 ? ": " : ".", argc > 2 ? argv[2] :
	    "");
	if ((n = kick_uid(s, u.uid, text)) == 0)
		admin_reply(s, "%s is not online.", u.nick);
	else {
		log_notice("[%s]: %s kicked %s", s->addr, s->u.nick, u.nick);
		admin_reply(s, "Kicked %s (%d session%s).", u.nick, n,
		    n == 1 ? "" : "s");
	}
	explicit_bzero(&u, sizeof(u));
	return 0;
}

struct ann_arg {
	struct table	*tab;
	unsigned char	 frame[WIRE_HDRLEN + PALD_IM_MAX];
	size_t		 len;
	int		 n;
};

static void
announce_cb(void *arg, const struct tsess *ts)
{
	struct ann_arg	*a = arg;

	if (table_send(a->tab, ts->slot, ts->gen, TM_FRAME, a->frame,
	    a->len) == 0)
		a->n++;
}

/* announce - an ANNOUNCEMENT (-39) to every session; the count */
static int
announce(struct table *tab, const char *text)
{
	struct ann_arg	*a;
	int		 n = 0;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return 0;
	a->tab = tab;
	a->len = wire_encode(a->frame, sizeof(a->frame), PT_ANNOUNCE, text,
	    strnlen(text, PALD_IM_MAX));
	if (a->len > 0) {
		(void)table_list(tab, announce_cb, a);
		n = a->n;
	}
	free(a);
	return n;
}

/* cmd_broadcast - /broadcast text */
static int
cmd_broadcast(struct session *s, int argc, char **argv)
{
	admin_reply(s, "Sent to %d sessions.", announce(s->tab, argv[1]));
	return 0;
}

/* cmd_adduser - /adduser nick: an account with a one-time password */
static int
cmd_adduser(struct session *s, int argc, char **argv)
{
	static const char set[] = "abcdefghjkmnpqrstuvwxyz23456789";
	struct user	 u;
	char		 pw[OTP_LEN + 1];
	int		 i, r;

	if (!db_nick_valid(argv[1])) {
		admin_reply(s, "A nickname has %d to %d letters, digits, _ . "
		    "or -, and starts with a letter.", PALD_NICK_MIN,
		    PALD_NICK_MAX);
		return 0;
	}
	for (i = 0; i < OTP_LEN; i++)
		pw[i] = set[arc4random_uniform(sizeof(set) - 1)];
	pw[OTP_LEN] = '\0';
	memset(&u, 0, sizeof(u));
	(void)strlcpy(u.nick, argv[1], sizeof(u.nick));
	u.privacy = 'A';
	if (pw_hash(pw, s->conf->hash_cost, u.hash, sizeof(u.hash)) == -1)
		r = DBR_FATAL;
	else
		r = db_user_create(s->db, &u);
	if (r == DBR_EXISTS)
		admin_reply(s, "The nickname %s is taken.", argv[1]);
	else if (r != DBR_OK)
		admin_reply(s, "Try again later.");
	else {
		log_notice("[%s]: %s created %s uid %u", s->addr, s->u.nick,
		    u.nick, u.uid);
		admin_reply(s, "Created %s, uid %u, password %s (one time: "
		    "tell them to change it with /passwd).", u.nick, u.uid,
		    pw);
	}
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(&u, sizeof(u));
	return 0;
}

/* cmd_deluser - /deluser nick */
static int
cmd_deluser(struct session *s, int argc, char **argv)
{
	struct user	 u;

	if (target(s, argv[1], &u) == -1)
		return 0;
	(void)kick_uid(s, u.uid, "Your account was deleted.");
	if (db_user_delete(s->db, u.uid) != DBR_OK)
		admin_reply(s, "Try again later.");
	else {
		log_notice("[%s]: %s deleted %s uid %u", s->addr, s->u.nick,
		    u.nick, u.uid);
		admin_reply(s, "Deleted %s (uid %u).", u.nick, u.uid);
	}
	explicit_bzero(&u, sizeof(u));
	return 0;
}

/* cmd_setadmin - /setadmin nick level; 2 and 3 only from level 3 */
static int
cmd_setadmin(struct session *s, int argc, char **argv)
{
	struct user	 u;
	const char	*errstr;
	int		 level;

	level = (int)strtonum(argv[2], 0, 3, &errstr);
	if (errstr != NULL) {
		admin_reply(s, "The level is 0, 1, 2 or 3.");
		return 0;
	}
	if (level >= 2 && s->u.admin < 3) {
		admin_reply(s, "Only level 3 may give level %d.", level);
		return 0;
	}
	if (target(s, argv[1], &u) == -1)
		return 0;
	u.admin = level;
	if (db_user_put(s->db, &u) != DBR_OK)
		admin_reply(s, "Try again later.");
	else {
		log_notice("[%s]: %s set %s to admin level %d", s->addr,
		    s->u.nick, u.nick, level);
		admin_reply(s, "%s now has admin level %d.", u.nick, level);
	}
	explicit_bzero(&u, sizeof(u));
	return 0;
}

/*
 * cmd_paid - /paid nick N|Y|6: USER_DATA's paid1 from the next login.
 * A look, not a right: any account but the system user, the caller's
 * own too, at any level.
 */
static int
cmd_paid(struct session *s, int argc, char **argv)
{
	struct user	 u;
	char		 paid = (char)toupper((unsigned char)argv[2][0]);
	int		 r;

	if (argv[2][1] != '\0' || strchr("NY6", paid) == NULL) {
		admin_reply(s, "The paid flag is N, Y or 6.");
		return 0;
	}
	if (!db_nick_valid(argv[1]) ||
	    (r = db_user_by_nick(s->db, argv[1], &u)) == DBR_NOTFOUND ||
	    (r == DBR_OK && u.uid == PALD_UID_SYSTEM)) {
		admin_reply(s, "There is no user %s.", argv[1]);
		r = DBR_NOTFOUND;
	} else if (r != DBR_OK ||
	    (r = db_user_paid(s->db, u.uid, paid)) != DBR_OK)
		admin_reply(s, "Try again later.");
	else {
		log_notice("[%s]: %s set the paid flag of %s to %c", s->addr,
		    s->u.nick, u.nick, paid);
		admin_reply(s, "%s has the paid flag %c from the next login.",
		    u.nick, paid);
	}
	explicit_bzero(&u, sizeof(u));
	return 0;
}

/* cmd_suspend - /suspend nick (and kick), /unsuspend nick */
static int
cmd_suspend(struct session *s, int argc, char **argv)
{
	struct user	 u;
	int		 on = strcasecmp(argv[0], "suspend") == 0;

	if (target(s, argv[1], &u) == -1)
		return 0;
	if (on)
		u.flags |= USER_F_SUSPENDED;
	else
		u.flags &= ~USER_F_SUSPENDED;
	if (db_user_put(s->db, &u) != DBR_OK) {
		admin_reply(s, "Try again later.");
		goto out;
	}
	if (on)
		(void)kick_uid(s, u.uid, "This account is suspended.");
	log_notice("[%s]: %s %ssuspended %s", s->addr, s->u.nick,
	    on ? "" : "un", u.nick);
	admin_reply(s, "%s is %s.", u.nick, on ? "suspended" :
	    "no longer suspended");
out:
	explicit_bzero(&u, sizeof(u));
	return 0;
}

/* cmd_reload - /reload: SIGHUP to the master */
static int
cmd_reload(struct session *s, int argc, char **argv)
{
	if (pald_master == 0)
		admin_reply(s, "There is no master process under inetd: each "
		    "connection reads pald.conf anew.");
	else if (kill(pald_master, SIGHUP) == -1)
		admin_reply(s, "Could not signal the master.");
	else
		admin_reply(s, "The master re-reads its configuration.");
	return 0;
}

/* cmd_shutdown - /shutdown [seconds] [text], /shutdown cancel */
static int
cmd_shutdown(struct session *s, int argc, char **argv)
{
	const char	*errstr = NULL;
	long long	 secs = SHUTDOWN_DEF;

	if (pald_master == 0) {
		admin_reply(s, "There is no master process under inetd: stop "
		    "the service in inetd.conf.");
		return 0;
	}
	if (argc == 2 && strcasecmp(argv[1], "cancel") == 0) {
		table_shutdown_set(s->tab, 0, "");
		log_notice("[%s]: %s cancelled the shutdown", s->addr,
		    s->u.nick);
		admin_reply(s, "No shutdown.");
		return 0;
	}
	if (argc > 1) {
		secs = strtonum(argv[1], 0, SHUTDOWN_MAX, &errstr);
		if (errstr != NULL) {
			admin_reply(s, "Usage: /shutdown [seconds] [text], "
			    "seconds from 0 to %d, or /shutdown cancel.",
			    SHUTDOWN_MAX);
			return 0;
		}
	}
	if (argc > 2 && strlen(argv[2]) > PALD_REASON_MAX) {
		admin_reply(s, "The text is longer than %d bytes.",
		    PALD_REASON_MAX);
		return 0;
	}
	table_shutdown_set(s->tab, time(NULL) + secs, argc > 2 ? argv[2] : "");
	log_notice("[%s]: %s: shutdown in %lld seconds", s->addr, s->u.nick,
	    secs);
	admin_reply(s, "Shutting down in %lld seconds.", secs);
	return 0;
}

/* next_say - the next announcement: 30, 10, 5, 1 minutes, 30, 10, 5 s */
static time_t
next_say(time_t at, time_t now)
{
	static const int marks[] = { 1800, 600, 300, 60, 30, 10, 5 };
	size_t		 i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (at - marks[i] > now)
			return at - marks[i];
	return at;
}

/*
 * admin_master_tick - the master's part of /shutdown, about once a
 * second: the countdown's announcements, and 1 when it is time to stop.
 * A shutdown left in the table by an earlier run is dropped.
 */
int
admin_master_tick(struct table *tab, time_t now)
{
	static int	 started;
	static time_t	 seen, next;
	char		 text[PALD_REASON_MAX + 1], b[PALD_REASON_MAX + 64];
	time_t		 at;

	if (!started) {
		started = 1;
		table_shutdown_set(tab, 0, "");
	}
	if ((at = (time_t)table_shutdown(tab, text, sizeof(text))) == 0) {
		seen = 0;
		return 0;
	}
	if (at != seen) {
		seen = at;
		next = now;
	}
	if (now >= at) {
		table_shutdown_set(tab, 0, "");
		log_info("shutdown by an administrator");
		return 1;
	}
	if (now < next)
		return 0;
	(void)snprintf(b, sizeof(b), "The server stops in %lld second%s%s%s",
	    (long long)(at - now), at - now == 1 ? "" : "s",
	    text[0] ? ": " : ".", text);
	(void)announce(tab, b);
	next = next_say(at, now);
	return 0;
}
