/*
 * store/invite.c - friends invited by e-mail (see db.h).
 *
 * Owns invites.db, one record for each address a user asked to have
 * invited ("Send Paltalk to a Friend" of the 5.0 client), under the
 * user's uid, so that a user's invitations are one walk and deleting an
 * account deletes them:
 *	invites.db	"0001000002:bob@example.com"
 *			-> "v1 time=T origin=255"
 * The address is in lower case; origin is the client's (255 for one
 * address typed in, the line of its address book otherwise).  pald
 * mails nobody: the records wait for an operator (db_dump).  A user
 * keeps at most PALD_INVITES_MAX of them.
 */
#include <sys/types.h>

#include <db.h>
#include <stdint.h>
#include <string.h>

#include "dbint.h"
#include "remote.h"

struct invite {
	int64_t		 time;
	int		 origin;
};

static const struct kvfield invite_fields[] = {
	KV_NUM("time", struct invite, time, 0, INT64_MAX, 0, 0),
	KV_NUM("origin", struct invite, origin, 0, 65535, 0, 0),
	KV_END
};

struct invite_arg {
	uint32_t	 from;
	char		 email[PALD_INVITE_EMAIL_MAX + 1];
	struct invite	 rec;
};

/* email_key - the address as a key: lower case, printable, no blanks */
static int
email_key(const char *email, char *out, size_t cap)
{
	size_t	 i, n = strlen(email);

	if (n == 0 || n > PALD_INVITE_EMAIL_MAX || n >= cap)
		return -1;
	for (i = 0; i < n; i++) {
		if (email[i] <= ' ' || email[i] > '~')
			return -1;
		out[i] = email[i] >= 'A' && email[i] <= 'Z' ?
		    (char)(email[i] - 'A' + 'a') : email[i];
	}
	out[n] = '\0';
	return 0;
}

/* op_invite_add - one record, unless there or beyond the limit */
static int
op_invite_add(struct db *db, DB_TXN *t, void *arg)
{
	struct invite_arg *a = arg;
	char		 key[DB_KEY_MAX];
	int		 n, r;

	fixed_fmt(key, sizeof(key), "%010u:%s", a->from, a->email);
	if ((r = row_exists(db, t, F_INVITES, key, DB_RMW)) != DBR_NOTFOUND)
		return r == DBR_OK ? DBR_EXISTS : r;
	fixed_fmt(key, sizeof(key), "%010u:", a->from);
	if ((r = walk_count(db, t, F_INVITES, key, PALD_INVITES_MAX, &n,
	    DB_RMW)) != DBR_OK)
		return r;
	if (n >= PALD_INVITES_MAX)
		return DBR_LIMIT;
	fixed_fmt(key, sizeof(key), "%010u:%s", a->from, a->email);
	return row_write(db, t, F_INVITES, key, invite_fields, &a->rec,
	    DB_NOOVERWRITE);
}

int
db_invite_add(struct db *db, uint32_t from, const char *email, int origin,
    int64_t now)
{
	struct invite_arg a;

	if (db->remote)
		return rm_invite_add(db, from, email, origin, now);
	memset(&a, 0, sizeof(a));
	if (email_key(email, a.email, sizeof(a.email)) == -1 ||
	    origin < 0 || origin > 65535)
		return DBR_LIMIT;
	a.from = from;
	a.rec.time = now;
	a.rec.origin = origin;
	return txn_run(db, TXN_WRITE, FM_INVITES, op_invite_add, &a);
}

/* invite_purge - uid's invitations (db_user_delete) */
int
invite_purge(struct db *db, DB_TXN *t, uint32_t uid)
{
	char	 pfx[DB_KEY_MAX];

	fixed_fmt(pfx, sizeof(pfx), "%010u:", uid);
	return prefix_purge(db, t, F_INVITES, pfx);
}
