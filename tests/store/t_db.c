/*
 * t_db.c - the Berkeley DB store (store/db.c, store/pw.c).  Each case
 * builds its environment in ./db inside Kyua's fresh work directory.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <db.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "../../log.h"
#include "../../store/db.h"

static struct db *
fresh(void)
{
	struct db	*db;

	log_init(1, LOG_DAEMON);
	(void)mkdir("db", 0700);
	ATF_REQUIRE_EQ(db_open(&db, "db", DBO_CREATE | DBO_RECOVER), DBR_OK);
	return db;
}

static uint32_t
mkuser(struct db *db, const char *nick)
{
	struct user	 u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.nick, nick, sizeof(u.nick));
	strlcpy(u.hash, "$2b$04$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    sizeof(u.hash));
	ATF_REQUIRE_EQ(db_user_create(db, &u), DBR_OK);
	return u.uid;
}

ATF_TC_WITHOUT_HEAD(users);
ATF_TC_BODY(users, tc)
{
	struct db	*db = fresh();
	struct user	 u, v;
	int		 ver;

	ATF_CHECK_EQ(db_schema(db, &ver), DBR_OK);
	ATF_CHECK_EQ(ver, DB_SCHEMA_VERSION);
	ATF_CHECK_EQ(mkuser(db, "alice"), PALD_UID_FIRST);
	ATF_CHECK_EQ(mkuser(db, "Bob"), PALD_UID_FIRST + 1);
	memset(&u, 0, sizeof(u));
	strlcpy(u.nick, "ALICE", sizeof(u.nick));
	ATF_CHECK_EQ(db_user_create(db, &u), DBR_EXISTS);
	strlcpy(u.nick, "no spaces", sizeof(u.nick));
	ATF_CHECK_EQ(db_user_create(db, &u), DBR_LIMIT);
	strlcpy(u.nick, "1digit", sizeof(u.nick));
	ATF_CHECK_EQ(db_user_create(db, &u), DBR_LIMIT);
	ATF_CHECK_EQ(db_user_by_nick(db, "bob", &u), DBR_OK);
	ATF_CHECK_STREQ(u.nick, "Bob");
	ATF_CHECK_EQ(db_user_get(db, 999, &v), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_by_nick(db, "carol", &v), DBR_NOTFOUND);
	strlcpy(u.first, "Robert Tables", sizeof(u.first));
	strlcpy(u.email, "b=ob%x@example.org", sizeof(u.email));
	u.admin = 2;
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_OK);
	db_close(db);
	ATF_REQUIRE_EQ(db_open(&db, "db", 0), DBR_OK);
	ATF_CHECK_EQ(db_user_get(db, u.uid, &v), DBR_OK);
	ATF_CHECK_STREQ(v.first, "Robert Tables");
	ATF_CHECK_STREQ(v.email, "b=ob%x@example.org");
	ATF_CHECK_EQ(v.admin, 2);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(search);
ATF_TC_BODY(search, tc)
{
	struct db	*db = fresh();
	struct user	 r[4];

	mkuser(db, "alice");
	mkuser(db, "alicia");
	mkuser(db, "bob");
	ATF_CHECK_EQ(db_user_search(db, "ALICE", 1, r, 4), 1);
	ATF_CHECK_STREQ(r[0].nick, "alice");
	ATF_CHECK_EQ(db_user_search(db, "ali", 0, r, 4), 2);
	ATF_CHECK_STREQ(r[1].nick, "alicia");
	ATF_CHECK_EQ(db_user_search(db, "ali", 0, r, 1), 1);
	ATF_CHECK_EQ(db_user_search(db, "zed", 0, r, 4), 0);
	ATF_CHECK_EQ(db_user_search(db, "zed", 1, r, 4), 0);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(buddies_blocks_delete);
ATF_TC_BODY(buddies_blocks_delete, tc)
{
	struct db	*db = fresh();
	struct user	 u;
	struct offline	 m[4];
	uint32_t	 a, b, c, l[8];

	a = mkuser(db, "alice");
	b = mkuser(db, "bob");
	c = mkuser(db, "carol");
	ATF_CHECK_EQ(db_buddy_add(db, a, b), DBR_OK);
	ATF_CHECK_EQ(db_buddy_add(db, a, b), DBR_OK);	/* idempotent */
	ATF_CHECK_EQ(db_buddy_add(db, a, c), DBR_OK);
	ATF_CHECK_EQ(db_buddy_add(db, c, b), DBR_OK);
	ATF_CHECK_EQ(db_buddy_add(db, a, 12345), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_buddy_list(db, a, l, 8), 2);
	ATF_CHECK_EQ(l[0], b);
	ATF_CHECK_EQ(l[1], c);
	ATF_CHECK_EQ(db_buddy_of(db, b, l, 8), 2);
	ATF_CHECK_EQ(db_buddy_del(db, a, c), DBR_OK);
	ATF_CHECK_EQ(db_buddy_of(db, c, l, 8), 0);
	ATF_CHECK_EQ(db_blocks(db, b, a), 0);
	ATF_CHECK_EQ(db_block_add(db, b, a), DBR_OK);
	ATF_CHECK_EQ(db_block_add(db, a, b), DBR_OK);
	ATF_CHECK_EQ(db_blocks(db, b, a), 1);
	ATF_CHECK_EQ(db_block_list(db, b, l, 8), 1);
	ATF_CHECK_EQ(db_offline_put(db, b, a, 1, "hi", 2), DBR_OK);
	/* deleting bob removes every trace of him */
	ATF_CHECK_EQ(db_user_delete(db, b), DBR_OK);
	ATF_CHECK_EQ(db_user_get(db, b, &u), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_by_nick(db, "bob", &u), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_buddy_list(db, a, l, 8), 0);
	ATF_CHECK_EQ(db_buddy_list(db, c, l, 8), 0);
	ATF_CHECK_EQ(db_buddy_list(db, b, l, 8), 0);
	ATF_CHECK_EQ(db_block_list(db, a, l, 8), 0);
	ATF_CHECK_EQ(db_blocks(db, b, a), 0);
	ATF_CHECK_EQ(db_offline_list(db, b, m, 4), 0);
	ATF_CHECK_EQ(mkuser(db, "BOB"), c + 1);		/* nick free again */
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(offline);
ATF_TC_BODY(offline, tc)
{
	static struct offline m[PALD_OFFLINE_MAX + 1];
	struct db	*db = fresh();
	uint32_t	 a = mkuser(db, "alice"), b = mkuser(db, "bob");
	char		 text[32];
	int		 i;

	ATF_CHECK_EQ(db_offline_put(db, b, a, 100, "first one", 9), DBR_OK);
	ATF_CHECK_EQ(db_offline_put(db, b, a, 101, "sec\0nd %=", 10), DBR_OK);
	ATF_REQUIRE_EQ(db_offline_list(db, b, m, 8), 2);
	ATF_CHECK_EQ(m[0].from, a);
	ATF_CHECK_EQ(m[0].time, 100);
	ATF_CHECK_EQ(m[0].len, 9);
	ATF_CHECK(memcmp(m[1].text, "sec\0nd %=", 10) == 0);
	ATF_CHECK_EQ(db_offline_del(db, b, m[0].seq), DBR_OK);
	ATF_CHECK_EQ(db_offline_del(db, b, m[0].seq), DBR_NOTFOUND);
	ATF_REQUIRE_EQ(db_offline_list(db, b, m, 8), 1);
	ATF_CHECK_EQ(m[0].time, 101);
	for (i = 1; i < PALD_OFFLINE_MAX; i++) {
		snprintf(text, sizeof(text), "n%d", i);
		ATF_REQUIRE_EQ(db_offline_put(db, b, a, i, text, strlen(text)),
		    DBR_OK);
	}
	ATF_CHECK_EQ(db_offline_put(db, b, a, 1, "x", 1), DBR_LIMIT);
	ATF_CHECK_EQ(db_offline_list(db, b, m, PALD_OFFLINE_MAX + 1),
	    PALD_OFFLINE_MAX);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(categories);
ATF_TC_BODY(categories, tc)
{
	struct db	*db = fresh();
	struct category	 c[8];
	FILE		*fp;

	ATF_REQUIRE((fp = fopen("cats", "w")) != NULL);
	fprintf(fp, "# comment\n\n30002 Featured Rooms\n30001 Top Rooms\n"
	    "bad line\n");
	fclose(fp);
	ATF_CHECK_EQ(db_category_seed(db, "cats"), DBR_OK);
	ATF_REQUIRE_EQ(db_category_list(db, c, 8), 2);
	ATF_CHECK_EQ(c[0].code, 30001);
	ATF_CHECK_STREQ(c[0].name, "Top Rooms");
	ATF_REQUIRE((fp = fopen("cats", "w")) != NULL);
	fprintf(fp, "30003 Later\n");
	fclose(fp);
	ATF_CHECK_EQ(db_category_seed(db, "cats"), DBR_OK);	/* once only */
	ATF_CHECK_EQ(db_category_list(db, c, 8), 2);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(passwords);
ATF_TC_BODY(passwords, tc)
{
	char	 h1[PALD_HASH_MAX], h2[PALD_HASH_MAX];

	ATF_REQUIRE_EQ(pw_hash("alice-pw", 4, h1, sizeof(h1)), 0);
	ATF_REQUIRE_EQ(pw_hash("alice-pw", 4, h2, sizeof(h2)), 0);
	ATF_CHECK(strncmp(h1, "$2b$04$", 7) == 0);
	ATF_CHECK(strcmp(h1, h2) != 0);			/* salted */
	ATF_CHECK_EQ(pw_verify("alice-pw", h1), 1);
	ATF_CHECK_EQ(pw_verify("alice-pw", h2), 1);
	ATF_CHECK_EQ(pw_verify("alice-pW", h1), 0);
	ATF_CHECK_EQ(pw_verify("", h1), 0);
	ATF_CHECK_EQ(pw_verify("alice-pw", ""), 0);
}

/* A version-1 record written by hand, with a field this pald ignores. */
ATF_TC_WITHOUT_HEAD(old_record);
ATF_TC_BODY(old_record, tc)
{
	struct db	*db = fresh();
	struct user	 u;
	DB_ENV		*env;
	DB		*d;
	DBT		 k, v;
	const char	*key = "0001000077", *val = "v1 nick=zoe hash=x "
	    "future=1 admin=3 first=Zo%C3%AB";

	db_close(db);
	ATF_REQUIRE_EQ(db_env_create(&env, 0), 0);
	ATF_REQUIRE_EQ(env->open(env, "db", DB_CREATE | DB_INIT_LOCK |
	    DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN, 0600), 0);
	ATF_REQUIRE_EQ(db_create(&d, env, 0), 0);
	ATF_REQUIRE_EQ(d->open(d, NULL, "users.db", NULL, DB_BTREE,
	    DB_AUTO_COMMIT, 0), 0);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)(uintptr_t)key;
	k.size = (u_int32_t)strlen(key);
	v.data = (void *)(uintptr_t)val;
	v.size = (u_int32_t)strlen(val);
	ATF_REQUIRE_EQ(d->put(d, NULL, &k, &v, DB_AUTO_COMMIT), 0);
	d->close(d, 0);
	env->close(env, 0);
	ATF_REQUIRE_EQ(db_open(&db, "db", 0), DBR_OK);
	ATF_REQUIRE_EQ(db_user_get(db, 1000077, &u), DBR_OK);
	ATF_CHECK_STREQ(u.nick, "zoe");
	ATF_CHECK_EQ(u.admin, 3);
	ATF_CHECK_STREQ(u.first, "Zo\xc3\xab");
	ATF_CHECK_EQ(u.privacy, 'A');			/* default */
	db_close(db);
}

/* A store written by a newer pald is refused, not misread. */
ATF_TC_WITHOUT_HEAD(newer_schema);
ATF_TC_BODY(newer_schema, tc)
{
	struct db	*db = fresh();
	DB_ENV		*env;
	DB		*d;
	DBT		 k, v;

	db_close(db);
	ATF_REQUIRE_EQ(db_env_create(&env, 0), 0);
	ATF_REQUIRE_EQ(env->open(env, "db", DB_CREATE | DB_INIT_LOCK |
	    DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN, 0600), 0);
	ATF_REQUIRE_EQ(db_create(&d, env, 0), 0);
	ATF_REQUIRE_EQ(d->open(d, NULL, "meta.db", NULL, DB_BTREE,
	    DB_AUTO_COMMIT, 0), 0);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)(uintptr_t)"schema";
	k.size = 6;
	v.data = (void *)(uintptr_t)"v1 version=99";
	v.size = 13;
	ATF_REQUIRE_EQ(d->put(d, NULL, &k, &v, DB_AUTO_COMMIT), 0);
	d->close(d, 0);
	env->close(env, 0);
	ATF_CHECK_EQ(db_open(&db, "db", DBO_CREATE), DBR_FATAL);
}

/*
 * A writer killed inside a transaction: failchk rolls it back, the
 * record is absent and the store goes on working.
 */
ATF_TC_WITHOUT_HEAD(killed_writer);
ATF_TC_BODY(killed_writer, tc)
{
	struct db	*db = fresh();
	struct user	 u;
	int		 p[2], st;
	pid_t		 pid;
	char		 c;

	ATF_REQUIRE_EQ(pipe(p), 0);
	if ((pid = fork()) == 0) {
		DB_ENV	*env;
		DB	*d;
		DB_TXN	*t;
		DBT	 k, v;

		if (db_env_create(&env, 0) != 0 ||
		    env->set_thread_count(env, 16384) != 0 ||
		    env->open(env, "db", DB_CREATE | DB_INIT_LOCK |
		    DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN, 0600) != 0 ||
		    db_create(&d, env, 0) != 0 ||
		    d->open(d, NULL, "users.db", NULL, DB_BTREE,
		    DB_AUTO_COMMIT, 0) != 0 ||
		    env->txn_begin(env, NULL, &t, 0) != 0)
			_exit(1);
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		k.data = (void *)(uintptr_t)"0001000099";
		k.size = 10;
		v.data = (void *)(uintptr_t)"v1 nick=ghost hash=x";
		v.size = 20;
		if (d->put(d, t, &k, &v, 0) != 0)
			_exit(1);
		(void)write(p[1], "x", 1);
		for (;;)
			pause();
	}
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 1);
	ATF_REQUIRE_EQ(kill(pid, SIGKILL), 0);
	ATF_REQUIRE_EQ(waitpid(pid, &st, 0), pid);
	ATF_CHECK_EQ(db_failchk(db), DBR_OK);
	ATF_CHECK_EQ(db_user_get(db, 1000099, &u), DBR_NOTFOUND);
	ATF_CHECK_EQ(mkuser(db, "alive"), PALD_UID_FIRST);
	ATF_CHECK_EQ(db_checkpoint(db), DBR_OK);
	db_close(db);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, users);
	ATF_TP_ADD_TC(tp, search);
	ATF_TP_ADD_TC(tp, buddies_blocks_delete);
	ATF_TP_ADD_TC(tp, offline);
	ATF_TP_ADD_TC(tp, categories);
	ATF_TP_ADD_TC(tp, passwords);
	ATF_TP_ADD_TC(tp, old_record);
	ATF_TP_ADD_TC(tp, newer_schema);
	ATF_TP_ADD_TC(tp, killed_writer);
	return atf_no_error();
}
