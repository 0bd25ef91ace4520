/*
 * tests/fuzz_util.c - scratch stores and directories for the libFuzzer
 * harnesses (fuzz_util.h).
 *
 * Each harness makes what it needs once per process: a directory under
 * TMPDIR that goes at exit, a store there opened as a session's process
 * opens one, accounts whose passwords are MD5-crypt hashes (crypt(3)
 * accepts them, and they cost a fuzzer microseconds where bcrypt costs
 * a millisecond).  Lines logged go to stderr, which tools/fuzz-run has
 * libFuzzer close (-close_fd_mask=2) so that the runs are quiet.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <crypt.h>
#include <err.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "../admin.h"
#include "../log.h"
#include "../pald.h"
#include "../store/db.h"
#include "fuzz_util.h"

static char	 top[PATH_MAX];
static pid_t	 owner;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)remove(path);
	return 0;
}

void
fz_rmtree(const char *dir)
{
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
rm_top(void)
{
	if (getpid() == owner && top[0] != '\0')
		fz_rmtree(top);
}

const char *
fz_dir(const char *name)
{
	static char	 path[PATH_MAX];
	const char	*tmp;

	if (top[0] == '\0') {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
			tmp = "/tmp";
		(void)snprintf(top, sizeof(top), "%s/pald-fuzz.XXXXXX", tmp);
		if (mkdtemp(top) == NULL)
			err(1, "mkdtemp %s", top);
		owner = getpid();
		(void)atexit(rm_top);
	}
	if (name == NULL)
		return top;
	(void)snprintf(path, sizeof(path), "%s/%s", top, name);
	if (mkdir(path, 0700) == -1 && access(path, F_OK) == -1)
		err(1, "mkdir %s", path);
	return path;
}

void
fz_quiet(void)
{
	log_init(1, LOG_DAEMON);
	slog_set(log_text);
}

void
fz_conf(struct pald_conf *c)
{
	conf_defaults(c);
	c->hash_cost = 4;
	c->pkt_rate = c->pkt_burst = 100000;
	c->msg_rate = c->msg_burst = 100000;
	c->nonbuddy_rate = c->join_rate = 100000;
	c->strikes = 1000;
}

struct db *
fz_store(const char *dir, const struct pald_conf *c)
{
	struct db	*db;

	if (db_open(&db, dir, DBO_CREATE) != DBR_OK)
		errx(1, "%s: cannot open the store", dir);
	(void)db_category_seed(db, "data/categories.txt");
	(void)db_room_seed(db, "data/rooms.txt");
	(void)admin_sysuser(db, c);
	return db;
}

uint32_t
fz_user(struct db *db, const char *nick, const char *pw, int admin)
{
	struct user	 u;
	const char	*h;

	memset(&u, 0, sizeof(u));
	(void)strlcpy(u.nick, nick, sizeof(u.nick));
	if ((h = crypt(pw, "$1$fuzzsalt$")) == NULL || *h != '$')
		errx(1, "crypt");
	(void)strlcpy(u.hash, h, sizeof(u.hash));
	u.privacy = 'A';
	u.admin = admin;
	if (db_user_create(db, &u) != DBR_OK)
		errx(1, "cannot create %s", nick);
	return u.uid;
}

void
fz_password(struct db *db, uint32_t uid, const char *pw)
{
	struct user	 u;
	const char	*h;

	if (db_user_get(db, uid, &u) != DBR_OK)
		return;
	if ((h = crypt(pw, "$1$fuzzsalt$")) == NULL || *h != '$')
		errx(1, "crypt");
	if (strcmp(u.hash, h) != 0) {
		(void)strlcpy(u.hash, h, sizeof(u.hash));
		(void)db_user_put(db, &u);
	}
	explicit_bzero(&u, sizeof(u));
}
