/*
 * tests/fuzz_store.c - a libFuzzer harness for the store's record
 * decoders: what each record family (store/user.c, buddy.c, offline.c,
 * rooms.c, bans.c, env.c's schema) makes of a value it finds on disk.
 *
 * A store could hold anything: a file an administrator edited and
 * loaded, a record of a version to come.  Each input plants one record
 * in a scratch store, straight through Berkeley DB (the store's own
 * writers would refuse what is bad), under the key a family reads or
 * under a key of the input's own, then runs that family's readers, and
 * takes the record away again.  The readers must keep to their buffers
 * and their bounds.  Input: a family, a key choice, then the value (and,
 * for a key of its own, the key first, up to a newline).  Built and run
 * by make fuzz.
 */
#include <sys/types.h>

#include <db.h>
#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../pald.h"
#include "../store/dbint.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define U1	1000002
#define U2	1000003
#define R1	50001

/* A family: its file and the keys its readers look at. */
static const struct family {
	int		 file;
	const char	*keys[3];
} fams[] = {
	{ F_USERS, { "0001000002", "0001000003", "0000000001" } },
	{ F_NICKS, { "alice", "bob", "" } },
	{ F_BUDDIES, { "has:0001000002:0001000003",
	    "of:0001000003:0001000002", "has:0001000002:x" } },
	{ F_BLOCKS, { "0001000002:0001000003", "0001000002:",
	    "0001000002:0001000003:1" } },
	{ F_OFFLINE, { "0001000002:0000000042", "0001000002:0000000000",
	    "0001000002:99999999999" } },
	{ F_CATS, { "0000030001", "0000000000", "30001" } },
	{ F_ROOMS, { "0000050001", "0000050002", "0000900000" } },
	{ F_RBANS, { "0000050001:ban:0001000003",
	    "0000050001:bounce:0001000003", "0000050001:ban:" } },
	{ F_RLOG, { "0000050001:0000000042", "0000050001:0000000001",
	    "0000050001:" } },
	{ F_BANS, { "nick:alice", "addr:127.0.0.1", "cidr:127.0.0.0/8" } },
	{ F_META, { "schema", "seq:offline", "seq:roomlog" } },
};
#define NFAMS	(sizeof(fams) / sizeof(fams[0]))

static struct db	*db;
static struct pald_conf	 conf;

/* union of what the readers fill, on the heap: ASan sees overruns */
struct outs {
	struct user	 u[4];
	uint32_t	 uids[8];
	struct offline	 off[4];
	struct category	 cats[4];
	struct room	 rooms[4];
	struct rban	 rbans[4];
	struct raction	 acts[4];
	struct ban	 bans[4];
};

/* plant - key = value, or away with it (val NULL), as BDB has it */
static void
plant(int file, const char *key, size_t klen, const void *val, size_t vlen)
{
	DBT	 k, v;
	DB	*d;

	if (files_open(db, FM(file)) != DBR_OK)
		errx(1, "cannot open file %d", file);
	d = db->f[file];
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)(uintptr_t)key;
	k.size = (u_int32_t)klen;
	v.data = (void *)(uintptr_t)val;
	v.size = (u_int32_t)vlen;
	if (val != NULL)
		(void)d->put(d, NULL, &k, &v, DB_AUTO_COMMIT);
	else
		(void)d->del(d, NULL, &k, DB_AUTO_COMMIT);
}

/* readers - every reader of the family's file */
static void
readers(int file, struct outs *o)
{
	time_t	 now = time(NULL);
	int	 v;

	switch (file) {
	case F_USERS:
	case F_NICKS:
		(void)db_user_get(db, U1, &o->u[0]);
		(void)db_user_get(db, U2, &o->u[0]);
		(void)db_user_by_nick(db, "alice", &o->u[0]);
		(void)db_user_search(db, "a", 0, o->u, 4);
		(void)db_user_search(db, "alice", 1, o->u, 4);
		break;
	case F_BUDDIES:
		(void)db_buddy_list(db, U1, o->uids, 8);
		(void)db_buddy_of(db, U2, o->uids, 8);
		(void)db_buddy_has(db, U1, U2);
		break;
	case F_BLOCKS:
		(void)db_block_list(db, U1, o->uids, 8);
		(void)db_blocks(db, U1, U2);
		break;
	case F_OFFLINE:
		(void)db_offline_list(db, U1, o->off, 4);
		break;
	case F_CATS:
		(void)db_category_list(db, o->cats, 4);
		break;
	case F_ROOMS:
		(void)db_room_get(db, R1, &o->rooms[0]);
		(void)db_room_list(db, 0, o->rooms, 4);
		(void)db_room_list(db, 30001, o->rooms, 4);
		(void)db_room_by_name(db, "Lobby", &o->rooms[0]);
		break;
	case F_RBANS:
		(void)db_rban_list(db, R1, RBAN_BAN, o->rbans, 4);
		(void)db_rban_list(db, R1, RBAN_BOUNCE, o->rbans, 4);
		(void)db_rban_check(db, R1, U2, now, &o->rbans[0]);
		break;
	case F_RLOG:
		(void)db_rlog_list(db, R1, o->acts, 4);
		break;
	case F_BANS:
		(void)db_ban_list(db, o->bans, 4);
		(void)db_ban_check(db, "alice", "127.0.0.1", now, &o->bans[0]);
		(void)db_ban_check(db, NULL, "::1", now, &o->bans[0]);
		break;
	case F_META:
		(void)db_schema(db, &v);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct family *fam;
	const uint8_t	*nl, *val;
	struct outs	*o;
	char		 key[DB_KEY_MAX];
	size_t		 klen, vlen;

	if (db == NULL) {
		fz_quiet();
		fz_conf(&conf);
		db = fz_store(fz_dir("db"), &conf);
		(void)fz_user(db, "alice", "alice-pw", 3);
		(void)fz_user(db, "bob", "bob-pw", 0);
	}
	if (size < 2)
		return 0;
	fam = &fams[data[0] % NFAMS];
	val = data + 2;
	vlen = size - 2;
	if (data[1] & 0x80) {		/* a key of the input's own */
		if ((nl = memchr(val, '\n', vlen)) == NULL)
			return 0;
		klen = (size_t)(nl - val);
		if (klen == 0 || klen >= sizeof(key))
			return 0;
		memcpy(key, val, klen);
		vlen -= klen + 1;
		val = nl + 1;
	} else {
		klen = strlen(fam->keys[data[1] % 3]);
		memcpy(key, fam->keys[data[1] % 3], klen);
	}
	if ((o = malloc(sizeof(*o))) == NULL)
		return 0;
	plant(fam->file, key, klen, val, vlen);
	readers(fam->file, o);
	plant(fam->file, key, klen, NULL, 0);
	free(o);
	return 0;
}
