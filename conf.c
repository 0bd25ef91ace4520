/*
 * conf.c - pald.conf(5): "keyword value" lines, '#' comments.
 *
 * One table names every keyword, where it goes and its bounds, so the
 * parser, pald -n and the manual cannot disagree.  conf_load() leaves the
 * caller's configuration untouched unless the whole file is good.
 * table_conf_put and table_conf_get hand the master's configuration to
 * running sessions through the shared table, which keeps it as bytes.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "pald.h"
#include "pathnames.h"
#include "store/db.h"
#include "store/table.h"

enum ckind { C_INT, C_BOOL, C_STR, C_NICK, C_FACILITY, C_COLOR };

/*
 * pald_master - set by pald.c, read by the sessions (/reload, /shutdown,
 * following a reload): defined here, where every file that reads it
 * may reach, rather than in pald.c, the top (HACKING, "Layers").
 */
pid_t		 pald_master;

/* The syslog facilities pald.conf may name. */
static const struct facility {
	const char	*name;
	int		 value;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "daemon", LOG_DAEMON },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	{ "user", LOG_USER },
};

static const struct ckey {
	const char	*name;
	enum ckind	 kind;
	size_t		 off;
	size_t		 size;		/* C_STR: buffer size */
	long long	 min, max;
} ckeys[] = {
	{ "admin_color", C_COLOR, offsetof(struct pald_conf, admin_color),
	    sizeof(((struct pald_conf *)0)->admin_color), 0, 0 },
	{ "categories", C_STR, offsetof(struct pald_conf, categories),
	    sizeof(((struct pald_conf *)0)->categories), 0, 0 },
	{ "checkpoint_interval", C_INT, offsetof(struct pald_conf, checkpoint),
	    0, 10, 86400 },
	{ "dbhome", C_STR, offsetof(struct pald_conf, dbhome),
	    sizeof(((struct pald_conf *)0)->dbhome), 0, 0 },
	{ "first_frame_timeout", C_INT, offsetof(struct pald_conf, first_frame),
	    0, 1, 600 },
	{ "file_max", C_INT, offsetof(struct pald_conf, file_max), 0, 1024,
	    2147483647 },
	{ "file_rate", C_INT, offsetof(struct pald_conf, file_rate), 0, 0,
	    2147483647 },
	{ "hash_cost", C_INT, offsetof(struct pald_conf, hash_cost), 0, 4,
	    16 },
	{ "idle_timeout", C_INT, offsetof(struct pald_conf, idle_timeout), 0,
	    30, 86400 },
	{ "join_rate", C_INT, offsetof(struct pald_conf, join_rate), 0, 1,
	    100000 },
	{ "limit_strikes", C_INT, offsetof(struct pald_conf, strikes), 0, 1,
	    1000 },
	{ "listen", C_STR, offsetof(struct pald_conf, listen),
	    sizeof(((struct pald_conf *)0)->listen), 0, 0 },
	{ "log_rate", C_INT, offsetof(struct pald_conf, log_rate), 0, 0,
	    100000 },
	{ "login_admin_level", C_INT, offsetof(struct pald_conf, login_admin),
	    0, 0, 3 },
	{ "login_failures", C_INT, offsetof(struct pald_conf, login_fail),
	    0, 1, 1000 },
	{ "login_failures_account", C_INT,
	    offsetof(struct pald_conf, login_fail_acct), 0, 1, 100000 },
	{ "login_failures_address", C_INT,
	    offsetof(struct pald_conf, login_fail_addr), 0, 1, 100000 },
	{ "login_timeout", C_INT, offsetof(struct pald_conf, login_timeout),
	    0, 5, 600 },
	{ "login_window", C_INT, offsetof(struct pald_conf, login_window),
	    0, 1, 86400 },
	{ "max_frame", C_INT, offsetof(struct pald_conf, max_frame), 0, 1024,
	    PALD_FRAME_MAX },
	{ "max_per_address", C_INT, offsetof(struct pald_conf, max_per_addr),
	    0, 1, PALD_MAX_SESSIONS },
	{ "max_prelogin", C_INT, offsetof(struct pald_conf, max_prelogin), 0,
	    1, PALD_MAX_SESSIONS },
	{ "max_prelogin_per_address", C_INT,
	    offsetof(struct pald_conf, max_prelogin_addr), 0, 1,
	    PALD_MAX_SESSIONS },
	{ "max_sessions", C_INT, offsetof(struct pald_conf, max_children), 0,
	    1, PALD_MAX_SESSIONS },
	{ "max_spare", C_INT, offsetof(struct pald_conf, max_spare), 0, 1,
	    PALD_POOL_MAX },
	{ "max_use", C_INT, offsetof(struct pald_conf, max_use), 0, 1,
	    1000000 },
	{ "message_burst", C_INT, offsetof(struct pald_conf, msg_burst), 0, 1,
	    100000 },
	{ "message_rate", C_INT, offsetof(struct pald_conf, msg_rate), 0, 1,
	    100000 },
	{ "mic_time", C_INT, offsetof(struct pald_conf, mic_time), 0, 0,
	    86400 },
	{ "min_spare", C_INT, offsetof(struct pald_conf, min_spare), 0, 0,
	    PALD_POOL_MAX },
	{ "nonbuddy_im_rate", C_INT, offsetof(struct pald_conf, nonbuddy_rate),
	    0, 1, 100000 },
	{ "p2p_port", C_INT, offsetof(struct pald_conf, p2p_port), 0, 1024,
	    PALD_P2P_PORT_MAX },
	{ "p2p_relay", C_BOOL, offsetof(struct pald_conf, p2p_relay), 0, 0,
	    1 },
	{ "packet_burst", C_INT, offsetof(struct pald_conf, pkt_burst), 0, 1,
	    100000 },
	{ "packet_rate", C_INT, offsetof(struct pald_conf, pkt_rate), 0, 1,
	    100000 },
	{ "pool_idle_timeout", C_INT, offsetof(struct pald_conf, pool_idle), 0,
	    1, 86400 },
	{ "port", C_INT, offsetof(struct pald_conf, port), 0, 0, 65535 },
	{ "registration", C_BOOL, offsetof(struct pald_conf, registration), 0,
	    0, 1 },
	{ "registration_interval", C_INT,
	    offsetof(struct pald_conf, reg_interval), 0, 0, 86400 },
	{ "rooms", C_STR, offsetof(struct pald_conf, rooms),
	    sizeof(((struct pald_conf *)0)->rooms), 0, 0 },
	{ "room_size", C_INT, offsetof(struct pald_conf, room_size), 0, 2,
	    PALD_ROOM_MEMBERS_MAX },
	{ "room_size_locked", C_INT,
	    offsetof(struct pald_conf, room_size_locked), 0, 2,
	    PALD_ROOM_MEMBERS_MAX },
	{ "rundir", C_STR, offsetof(struct pald_conf, rundir),
	    sizeof(((struct pald_conf *)0)->rundir), 0, 0 },
	{ "store_processes", C_INT, offsetof(struct pald_conf, store_procs),
	    0, 1, PALD_STORE_PROCS_MAX },
	{ "store_wait", C_INT, offsetof(struct pald_conf, store_wait), 0, 1,
	    600 },
	{ "syslog_facility", C_FACILITY, offsetof(struct pald_conf, facility),
	    0, 0, 0 },
	{ "system_nick", C_NICK, offsetof(struct pald_conf, system_nick),
	    sizeof(((struct pald_conf *)0)->system_nick), 0, 0 },
	{ "under_attack", C_BOOL, offsetof(struct pald_conf, under_attack),
	    0, 0, 1 },
	{ "user", C_STR, offsetof(struct pald_conf, user),
	    sizeof(((struct pald_conf *)0)->user), 0, 0 },
	{ "user_color", C_COLOR, offsetof(struct pald_conf, user_color),
	    sizeof(((struct pald_conf *)0)->user_color), 0, 0 },
	{ "video_frame_max", C_INT, offsetof(struct pald_conf, video_frame), 0,
	    1024, PALD_VIDEO_FRAME_MAX },
	{ "video_max", C_INT, offsetof(struct pald_conf, video_max), 0, 0,
	    PALD_ROOM_MEMBERS_MAX },
	{ "video_port", C_INT, offsetof(struct pald_conf, video_port), 0, 0,
	    65535 },
	{ "video_rate", C_INT, offsetof(struct pald_conf, video_rate), 0, 1,
	    100 },
	{ "voice_address", C_STR, offsetof(struct pald_conf, voice_addr),
	    sizeof(((struct pald_conf *)0)->voice_addr), 0, 0 },
	{ "voice_port", C_INT, offsetof(struct pald_conf, voice_port), 0, 0,
	    65535 },
};

/* conf_defaults - the compiled-in configuration */
void
conf_defaults(struct pald_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->port = PALD_PORT;
	c->max_children = PALD_DEF_MAX_CHILDREN;
	c->max_per_addr = PALD_DEF_MAX_PER_ADDR;
	c->idle_timeout = PALD_DEF_IDLE;
	c->login_timeout = PALD_DEF_LOGIN_TIME;
	c->first_frame = PALD_DEF_FIRST_FRAME;
	c->max_prelogin = PALD_DEF_PRELOGIN;
	c->max_prelogin_addr = PALD_DEF_PRELOGIN_ADDR;
	c->min_spare = PALD_DEF_MIN_SPARE;
	c->max_spare = PALD_DEF_MAX_SPARE;
	c->max_use = PALD_DEF_MAX_USE;
	c->pool_idle = PALD_DEF_POOL_IDLE;
	c->hash_cost = PALD_DEF_HASH_COST;
	c->registration = 1;
	c->reg_interval = PALD_DEF_REG_INTERVAL;
	c->checkpoint = PALD_DEF_CHECKPOINT;
	c->store_procs = PALD_DEF_STORE_PROCS;
	c->store_wait = PALD_DEF_STORE_WAIT;
	c->pkt_rate = PALD_DEF_PKT_RATE;
	c->pkt_burst = PALD_DEF_PKT_BURST;
	c->msg_rate = PALD_DEF_MSG_RATE;
	c->msg_burst = PALD_DEF_MSG_BURST;
	c->nonbuddy_rate = PALD_DEF_NONBUDDY_RATE;
	c->join_rate = PALD_DEF_JOIN_RATE;
	c->strikes = PALD_DEF_STRIKES;
	c->max_frame = PALD_FRAME_MAX;
	c->login_fail = PALD_DEF_LOGIN_FAIL;
	c->login_fail_addr = PALD_DEF_LOGIN_FAIL_ADDR;
	c->login_fail_acct = PALD_DEF_LOGIN_FAIL_ACCT;
	c->login_window = PALD_DEF_LOGIN_WINDOW;
	c->login_admin = PALD_DEF_LOGIN_ADMIN;
	c->log_rate = PALD_DEF_LOG_RATE;
	(void)strlcpy(c->system_nick, PALD_DEF_SYSTEM_NICK,
	    sizeof(c->system_nick));
	c->facility = LOG_DAEMON;
	c->room_size = PALD_DEF_ROOM_SIZE;
	c->room_size_locked = PALD_DEF_ROOM_LOCKED;
	c->voice_port = PALD_VOICE_PORT;
	c->mic_time = PALD_DEF_MIC_TIME;
	(void)strlcpy(c->user_color, PALD_DEF_USER_COLOR,
	    sizeof(c->user_color));
	(void)strlcpy(c->admin_color, PALD_DEF_ADMIN_COLOR,
	    sizeof(c->admin_color));
	c->p2p_relay = 1;
	c->p2p_port = PALD_DEF_P2P_PORT;
	c->file_max = PALD_DEF_FILE_MAX;
	c->file_rate = PALD_DEF_FILE_RATE;
	c->video_port = PALD_DEF_VIDEO_PORT;
	c->video_max = PALD_DEF_VIDEO_MAX;
	c->video_frame = PALD_DEF_VIDEO_FRAME;
	c->video_rate = PALD_DEF_VIDEO_RATE;
}

/*
 * conf_seeds - the default seed files (categories, rooms): the share
 * directory of an installed pald, or, when argv0 names the program in a
 * directory that holds data/categories.txt (a pald run from its build
 * tree, "./pald"), that directory's data/, so that the tree's own files
 * seed a new store without a pald.conf.
 */
void
conf_seeds(struct pald_conf *c, const char *argv0)
{
	char		 cat[sizeof(c->categories)], rooms[sizeof(c->rooms)];
	const char	*slash = strrchr(argv0, '/');
	int		 n, m, dir;

	(void)strlcpy(c->categories, _PATH_PALD_CATEGORIES,
	    sizeof(c->categories));
	(void)strlcpy(c->rooms, _PATH_PALD_ROOMS, sizeof(c->rooms));
	if (slash == NULL)
		return;		/* found in PATH: installed */
	dir = (int)(slash - argv0) + 1;
	if (dir == 2 && argv0[0] == '.')
		dir = 0;	/* "./pald": data/..., not ./data/... */
	n = snprintf(cat, sizeof(cat), "%.*sdata/categories.txt", dir, argv0);
	m = snprintf(rooms, sizeof(rooms), "%.*sdata/rooms.txt", dir, argv0);
	if (n < 0 || (size_t)n >= sizeof(cat) || m < 0 ||
	    (size_t)m >= sizeof(rooms) || access(cat, R_OK) == -1)
		return;
	(void)strlcpy(c->categories, cat, sizeof(c->categories));
	(void)strlcpy(c->rooms, rooms, sizeof(c->rooms));
}

/* color_valid - RRRGGGBBB: nine decimal digits, each triple 0..255 */
static int
color_valid(const char *v)
{
	int	 i, n;

	if (strlen(v) != PALD_COLOR_LEN)
		return 0;
	for (i = 0; i < PALD_COLOR_LEN; i += 3) {
		if (!isdigit((unsigned char)v[i]) ||
		    !isdigit((unsigned char)v[i + 1]) ||
		    !isdigit((unsigned char)v[i + 2]))
			return 0;
		n = (v[i] - '0') * 100 + (v[i + 1] - '0') * 10 + v[i + 2] - '0';
		if (n > 255)
			return 0;
	}
	return 1;
}

/* conf_facility - a syslog facility by name */
static const char *
conf_facility(struct pald_conf *c, const char *val)
{
	size_t	 i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(facilities[i].name, val) == 0) {
			c->facility = facilities[i].value;
			return NULL;
		}
	return "unknown facility";
}

/* conf_set - apply one keyword; NULL or the reason it is wrong */
static const char *
conf_set(struct pald_conf *c, const char *key, const char *val)
{
	const struct ckey *k;
	const char	*errstr;
	long long	 n;
	size_t		 i;

	for (i = 0; i < sizeof(ckeys) / sizeof(ckeys[0]); i++) {
		k = &ckeys[i];
		if (strcmp(k->name, key) != 0)
			continue;
		switch (k->kind) {
		case C_STR:
			if (strlcpy((char *)c + k->off, val, k->size) >=
			    k->size)
				return "value too long";
			return NULL;
		case C_NICK:
			if (!db_nick_valid(val))
				return "not a valid nickname";
			(void)strlcpy((char *)c + k->off, val, k->size);
			return NULL;
		case C_FACILITY:
			return conf_facility(c, val);
		case C_COLOR:
			if (!color_valid(val))
				return "expected RRRGGGBBB (nine digits, "
				    "each triple 0-255)";
			(void)strlcpy((char *)c + k->off, val, k->size);
			return NULL;
		case C_BOOL:
			if (strcmp(val, "yes") == 0)
				n = 1;
			else if (strcmp(val, "no") == 0)
				n = 0;
			else
				return "expected yes or no";
			*(int *)(void *)((char *)c + k->off) = (int)n;
			return NULL;
		case C_INT:
			n = strtonum(val, k->min, k->max, &errstr);
			if (errstr != NULL)
				return errstr;
			*(int *)(void *)((char *)c + k->off) = (int)n;
			return NULL;
		}
	}
	return "unknown keyword";
}

/*
 * conf_read - the lines of fp (named name in errors) into *c.  On error,
 * errbuf says "name:line: why" and *c is unchanged.  What conf_load
 * does once it has the file open; pure otherwise, so that it can be
 * fuzzed on a buffer (fmemopen).
 */
int
conf_read(struct pald_conf *c, FILE *fp, const char *name, char *errbuf,
    size_t errlen)
{
	struct pald_conf nc = *c;
	char		 line[512], *p, *key = NULL, *val, *end;
	const char	*why;
	int		 lineno = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		key = NULL;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			why = "line too long";
			goto bad;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p == '\0')
			continue;
		key = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		val = p;
		end = val + strlen(val);
		while (end > val && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*val == '\0') {
			why = "missing value";
			goto bad;
		}
		if ((why = conf_set(&nc, key, val)) != NULL)
			goto bad;
	}
	if (ferror(fp)) {
		(void)snprintf(errbuf, errlen, "%s: read error", name);
		return -1;
	}
	*c = nc;
	return 0;
bad:
	if (key != NULL)
		(void)snprintf(errbuf, errlen, "%s:%d: %s: %s", name, lineno,
		    key, why);
	else
		(void)snprintf(errbuf, errlen, "%s:%d: %s", name, lineno, why);
	return -1;
}

/*
 * conf_load - read path into *c.  On error, errbuf says "path:line: why"
 * and *c is unchanged.
 */
int
conf_load(struct pald_conf *c, const char *path, char *errbuf, size_t errlen)
{
	FILE	*fp;
	int	 r;

	if ((fp = fopen(path, "r")) == NULL) {
		(void)snprintf(errbuf, errlen, "%s: %s", path,
		    strerror(errno));
		return -1;
	}
	r = conf_read(c, fp, path, errbuf, errlen);
	(void)fclose(fp);
	return r;
}

_Static_assert(sizeof(struct pald_conf) <= TABLE_BLOB_MAX,
    "struct pald_conf does not fit in the table");

/* table_conf_put - publish c to the sessions (the master, after a reload) */
void
table_conf_put(struct table *t, const struct pald_conf *c)
{
	table_blob_put(t, c, sizeof(*c));
}

/* table_conf_get - the published configuration if newer than *seen: 1 */
int
table_conf_get(struct table *t, uint32_t *seen, struct pald_conf *c)
{
	return table_blob_get(t, seen, c, sizeof(*c));
}
