/*
 * palpasswd.c - create, change and delete pald accounts from the shell.
 *
 * Modeled on saslpasswd2(8) and htpasswd(1); see palpasswd(8).  It opens
 * the store with failchk but without recovery, so it works while pald
 * runs, and each change is one transaction of store/db.c, as pald's own.
 * The password is read and hashed before the store is opened, so that
 * an interrupted prompt leaves nothing open in the environment, and the
 * store is always closed before exit.
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

#define PW_BUF	128	/* longer than any password allowed */

static __dead void	 usage(void);

static __dead void
usage(void)
{
	(void)fprintf(stderr, "usage: palpasswd [-h dbhome] [-c | -d] "
	    "[-a level] [-e | -E] [-p] [-s paid] nickname\n");
	exit(1);
}

/* read_password - one line of stdin (-p), or twice from the terminal */
static void
read_password(int fromstdin, char *pw, size_t len)
{
	char	 again[PW_BUF];
	int	 same;

	if (fromstdin) {
		if (fgets(pw, (int)len, stdin) == NULL)
			errx(1, "no password on standard input");
		pw[strcspn(pw, "\r\n")] = '\0';
	} else {
		if (readpassphrase("Password: ", pw, len,
		    RPP_REQUIRE_TTY) == NULL ||
		    readpassphrase("Again: ", again, sizeof(again),
		    RPP_REQUIRE_TTY) == NULL)
			errx(1, "cannot read the password");
		same = strcmp(pw, again) == 0;
		explicit_bzero(again, sizeof(again));
		if (!same) {
			explicit_bzero(pw, len);
			errx(1, "the passwords differ");
		}
	}
	if (!pw_acceptable(pw)) {
		explicit_bzero(pw, len);
		errx(1, "a password is %d to %d printable ASCII characters "
		    "without blanks", PALD_PASS_MIN, PALD_PASS_MAX);
	}
}

/* new_hash - read a password and hash it into hash[0..len) */
static void
new_hash(int fromstdin, int cost, char *hash, size_t len)
{
	char	 pw[PW_BUF];
	int	 r;

	read_password(fromstdin, pw, sizeof(pw));
	r = pw_hash(pw, cost, hash, len);
	explicit_bzero(pw, sizeof(pw));
	if (r == -1)
		errx(1, "cannot hash the password");
}

/* hash_cost - PALD_HASH_COST from the environment, or the default */
static int
hash_cost(void)
{
	const char	*e, *errstr;
	int		 cost;

	if ((e = getenv("PALD_HASH_COST")) == NULL)
		return PALD_DEF_HASH_COST;
	cost = (int)strtonum(e, 4, 31, &errstr);
	if (errstr != NULL)
		errx(1, "PALD_HASH_COST %s: %s", e, errstr);
	return cost;
}

/* create - a new account; prints its uid */
static int
create(struct db *db, struct user *u, const char *nick)
{
	int	 r;

	if ((r = db_user_create(db, u)) == DBR_EXISTS) {
		warnx("%s: nickname taken", nick);
		return -1;
	}
	if (r != DBR_OK) {
		warnx("%s: cannot create the account", nick);
		return -1;
	}
	if (printf("%u\n", u->uid) < 0 || fflush(stdout) == EOF) {
		warn("stdout");
		return -1;
	}
	return 0;
}

/*
 * change - delete, or set the level, the exempt flag (exempt 1 sets it,
 * 0 clears it, -1 leaves it), the paid flag (paid: N, Y or 6; '\0'
 * leaves it) or else the password of an account
 */
static int
change(struct db *db, struct user *u, const char *nick, int delete,
    int level, int exempt, char paid)
{
	struct user	 cur;
	int		 r;

	if ((r = db_user_by_nick(db, nick, &cur)) == DBR_NOTFOUND) {
		warnx("%s: no such user", nick);
		return -1;
	}
	if (r != DBR_OK) {
		warnx("%s: cannot read the account", nick);
		return -1;
	}
	if (delete)
		r = db_user_delete(db, cur.uid);
	else {
		if (level != -1)
			cur.admin = level;
		if (exempt == 1)
			cur.flags |= USER_F_EXEMPT;
		else if (exempt == 0)
			cur.flags &= ~USER_F_EXEMPT;
		if (paid != '\0')
			cur.paid = paid;
		if (level == -1 && exempt == -1 && paid == '\0' &&
		    strlcpy(cur.hash, u->hash, sizeof(cur.hash)) >=
		    sizeof(cur.hash))
			r = DBR_FATAL;
		if (r == DBR_OK)
			r = db_user_put(db, &cur);
	}
	explicit_bzero(&cur, sizeof(cur));
	if (r != DBR_OK) {
		warnx("%s: cannot %s the account", nick,
		    delete ? "delete" : "update");
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct user	 u;
	struct db	*db;
	const char	*home = _PATH_PALD_DB, *errstr, *nick;
	int		 ch, cflag = 0, dflag = 0, pflag = 0, level = -1, r;
	int		 exempt = -1;
	char		 paid = '\0';

	while ((ch = getopt(argc, argv, "a:cdEeh:ps:")) != -1) {
		switch (ch) {
		case 'a':
			level = (int)strtonum(optarg, 0, 3, &errstr);
			if (errstr != NULL)
				errx(1, "level %s: %s", optarg, errstr);
			break;
		case 'c':
			cflag = 1;
			break;
		case 'd':
			dflag = 1;
			break;
		case 'E':
		case 'e':
			if (exempt != -1 && exempt != (ch == 'e'))
				usage();
			exempt = ch == 'e';
			break;
		case 'h':
			home = optarg;
			break;
		case 'p':
			pflag = 1;
			break;
		case 's':
			if (strlen(optarg) != 1 ||
			    strchr("NY6", optarg[0]) == NULL)
				errx(1, "paid flag %s: N, Y or 6", optarg);
			paid = optarg[0];
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || (cflag && dflag) ||
	    (dflag && (level != -1 || exempt != -1 || paid != '\0')))
		usage();
	nick = argv[0];

	memset(&u, 0, sizeof(u));
	if (cflag) {
		if (!db_nick_valid(nick))
			errx(1, "%s: a nickname is %d to %d letters, digits, "
			    "'_', '-' or '.', starting with a letter", nick,
			    PALD_NICK_MIN, PALD_NICK_MAX);
		(void)strlcpy(u.nick, nick, sizeof(u.nick));
		u.admin = level == -1 ? 0 : level;
		u.flags = exempt == 1 ? USER_F_EXEMPT : 0;
		u.privacy = 'A';
		u.paid = paid != '\0' ? paid : 'N';
	}
	if (cflag || (!dflag && level == -1 && exempt == -1 && paid == '\0'))
		new_hash(pflag, hash_cost(), u.hash, sizeof(u.hash));

	log_init(1, LOG_DAEMON);
	log_procname("palpasswd");
	slog_set(log_text);
	if (db_open(&db, home, DBO_CREATE | DBO_FAILCHK) != DBR_OK) {
		explicit_bzero(&u, sizeof(u));
		errx(1, "%s: cannot open the store", home);
	}
	if (cflag)
		r = create(db, &u, nick);
	else
		r = change(db, &u, nick, dflag, level, exempt, paid);
	explicit_bzero(&u, sizeof(u));
	db_close(db);
	return r == 0 ? 0 : 1;
}
