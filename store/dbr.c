/*
 * store/dbr.c - the bottom of the store's Berkeley DB files: the names of
 * its btree files, and dbr, the one place where BDB's return codes become
 * DBR_* (and where what needs an administrator is logged, with the
 * action it needs: dbr_advice).
 */
#include <sys/types.h>

#include <db.h>
#include <errno.h>

#include "dbint.h"
#include "slog.h"

const char *const db_files[F_COUNT] = {
	"meta.db", "users.db", "nicks.db", "buddies.db", "blocks.db",
	"offline.db", "categories.db", "rooms.db", "roombans.db",
	"roomlog.db", "bans.db", "invites.db"
};

int	 dbr_supervised;

/* dbr_advice - the action that a store needing recovery calls for */
const char *
dbr_advice(void)
{
	if (dbr_supervised)
		return "pald's master recovers it";
	return "pald's master recovers it if pald runs; without pald (or "
	    "under inetd), stop every program that uses it and run pald -R";
}

/* dbr - a BDB return code as DBR_*; logs what needs an administrator */
int
dbr(int r, const char *what)
{
	switch (r) {
	case 0:
		return DBR_OK;
	case DB_NOTFOUND:
	case DB_KEYEMPTY:
		return DBR_NOTFOUND;
	case DB_KEYEXIST:
		return DBR_EXISTS;
	case DB_LOCK_DEADLOCK:
	case DB_LOCK_NOTGRANTED:
		return DBR_AGAIN;
	case ENOMEM:
		/* lock table or transaction table full: sizes in DB_CONFIG */
		slog_warnx("db: %s: %s", what, db_strerror(r));
		return DBR_AGAIN;
	case DB_RUNRECOVERY:
		slog_warnx("db: %s: %s: the store needs recovery: %s", what,
		    db_strerror(r), dbr_advice());
		return DBR_FATAL;
	default:
		slog_warnx("db: %s: %s", what, db_strerror(r));
		return DBR_FATAL;
	}
}
