/*
 * palpasswd.c - create, change and delete pald accounts from the shell.
 *
 * Modeled on saslpasswd2(8) and htpasswd(1).  It opens the store with
 * failchk but without recovery, so it works while pald runs; every
 * change is one transaction, as pald's own.
 */
#include <sys/types.h>

#include <err.h>
#include <readpassphrase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "pald.h"
#include "pathnames.h"
#include "store/db.h"

static __dead void	 usage(void);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: palpasswd [-h dbhome] [-c | -d] [-a level] "
	    "[-p] nickname\n");
	exit(1);
}

/* pass_ok - printable ASCII of PALD_PASS_MIN..PALD_PASS_MAX bytes */
static int
pass_ok(const char *p)
{
	size_t	 n = strlen(p), i;

	if (n < PALD_PASS_MIN || n > PALD_PASS_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return 0;
	return 1;
}

/* read_password - from stdin (-p) or twice from the terminal */
static void
read_password(int fromstdin, char *pw, size_t len)
{
	char	 again[128];

	if (fromstdin) {
		if (fgets(pw, (int)len, stdin) == NULL)
			errx(1, "no password on standard input");
		pw[strcspn(pw, "\r\n")] = '\0';
	} else {
		if (readpassphrase("Password: ", pw, len, RPP_REQUIRE_TTY) ==
		    NULL ||
		    readpassphrase("Again: ", again, sizeof(again),
		    RPP_REQUIRE_TTY) == NULL)
			errx(1, "cannot read the password");
		if (strcmp(pw, again) != 0) {
			explicit_bzero(again, sizeof(again));
			errx(1, "the passwords differ");
		}
		explicit_bzero(again, sizeof(again));
	}
	if (!pass_ok(pw))
		errx(1, "a password is %d to %d printable ASCII characters",
		    PALD_PASS_MIN, PALD_PASS_MAX);
}

int
main(int argc, char *argv[])
{
	struct user	 u;
	struct db	*db;
	const char	*home = _PATH_PALD_DB, *errstr, *nick, *e;
	char		 pw[128];
	int		 ch, create = 0, delete = 0, level = -1, fromstdin = 0;
	int		 cost = PALD_DEF_HASH_COST, r;

	while ((ch = getopt(argc, argv, "a:cdh:p")) != -1) {
		switch (ch) {
		case 'a':
			level = (int)strtonum(optarg, 0, 3, &errstr);
			if (errstr != NULL)
				errx(1, "-a %s: %s", optarg, errstr);
			break;
		case 'c':
			create = 1;
			break;
		case 'd':
			delete = 1;
			break;
		case 'h':
			home = optarg;
			break;
		case 'p':
			fromstdin = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || (create && delete) || (delete && level != -1))
		usage();
	nick = argv[0];
	if ((e = getenv("PALD_HASH_COST")) != NULL) {
		cost = (int)strtonum(e, 4, 31, &errstr);
		if (errstr != NULL)
			errx(1, "PALD_HASH_COST %s: %s", e, errstr);
	}
	log_init(1, LOG_DAEMON);
	log_procname("palpasswd");
	if (db_open(&db, home, DBO_CREATE | DBO_FAILCHK) != DBR_OK)
		errx(1, "%s: cannot open the store", home);
	memset(&u, 0, sizeof(u));
	if (create) {
		if (strlcpy(u.nick, nick, sizeof(u.nick)) >= sizeof(u.nick))
			errx(1, "%s: nickname too long", nick);
		read_password(fromstdin, pw, sizeof(pw));
		if (pw_hash(pw, cost, u.hash, sizeof(u.hash)) == -1)
			errx(1, "cannot hash the password");
		u.admin = level == -1 ? 0 : level;
		r = db_user_create(db, &u);
		if (r == DBR_EXISTS)
			errx(1, "%s: nickname taken", nick);
		if (r == DBR_LIMIT)
			errx(1, "%s: a nickname is %d to %d letters, digits, "
			    "'_', '-' or '.', starting with a letter", nick,
			    PALD_NICK_MIN, PALD_NICK_MAX);
		if (r != DBR_OK)
			errx(1, "%s: cannot create the account", nick);
		printf("%u\n", u.uid);
		goto done;
	}
	if ((r = db_user_by_nick(db, nick, &u)) == DBR_NOTFOUND)
		errx(1, "%s: no such user", nick);
	if (r != DBR_OK)
		errx(1, "%s: cannot read the account", nick);
	if (delete) {
		if (db_user_delete(db, u.uid) != DBR_OK)
			errx(1, "%s: cannot delete the account", nick);
		goto done;
	}
	if (level != -1)
		u.admin = level;
	else {
		read_password(fromstdin, pw, sizeof(pw));
		if (pw_hash(pw, cost, u.hash, sizeof(u.hash)) == -1)
			errx(1, "cannot hash the password");
	}
	if (db_user_put(db, &u) != DBR_OK)
		errx(1, "%s: cannot update the account", nick);
done:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(&u, sizeof(u));
	db_close(db);
	return 0;
}
