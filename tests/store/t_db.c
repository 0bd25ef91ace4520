/*
 * t_db.c - the Berkeley DB store (store/db.h: env.c, txn.c, row.c and
 * the record families), the store served to remote callers (remote.c,
 * rq.c: the families' cases run again as remote_*, and the requests a
 * store process must survive), the data home's lock (lock.c) and
 * password hashes (store/pw.c).  Each case builds its environment in
 * ./db, inside the fresh work directory Kyua gives it.  Records "written by an older
 * pald" and transactions left open by a dead process are made with
 * Berkeley DB's own API, beside the store's.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <db.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../../log.h"
#include "../../store/db.h"
#include "../../store/remote.h"

#define HOME		"db"
#define SOCK		"store.sock"
#define RAW_FLAGS	(DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | \
			    DB_INIT_TXN)

static int	 remote;	/* the case's store is served (DBO_REMOTE) */
static pid_t	 served;	/* by this process */

/*
 * serve - a store process for ./db on SOCK, as pald's are: it accepts
 * and answers one request a connection until the test's process, which
 * keeps the other end of a pipe, goes away.  Its pid in served.
 */
static void
serve(void)
{
	struct sockaddr_un sun;
	struct pollfd	 pfd[2];
	struct db	*sdb;
	int		 lfd, fd, p[2];

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)strlcpy(sun.sun_path, SOCK, sizeof(sun.sun_path));
	(void)unlink(SOCK);
	ATF_REQUIRE((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	ATF_REQUIRE(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	ATF_REQUIRE(listen(lfd, 64) == 0);
	ATF_REQUIRE(pipe(p) == 0);
	ATF_REQUIRE((served = fork()) != -1);
	if (served == 0) {
		(void)close(p[1]);
		if (db_open(&sdb, HOME, 0) != DBR_OK)
			_exit(2);
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = p[0];
		pfd[1].events = POLLIN;
		for (;;) {
			if (poll(pfd, 2, -1) == -1 && errno != EINTR)
				_exit(2);
			if (pfd[1].revents != 0) {
				db_close(sdb);
				_exit(0);
			}
			if ((pfd[0].revents & POLLIN) &&
			    (fd = accept(lfd, NULL, NULL)) != -1) {
				(void)db_serve(sdb, fd);
				(void)close(fd);
			}
		}
	}
	(void)close(lfd);
	(void)close(p[0]);	/* p[1] stays open while the case runs */
}

/*
 * store - a store in ./db, opened with flags (DBO_CREATE at least); for
 * a remote case, then served by a store process (serve) and opened
 * through it
 */
static struct db *
store(int flags)
{
	struct db	*db;

	log_init(1, LOG_DAEMON);
	slog_set(log_text);
	ATF_REQUIRE(mkdir(HOME, 0700) == 0 || errno == EEXIST);
	ATF_REQUIRE_EQ(db_open(&db, HOME, flags), DBR_OK);
	if (!remote)
		return db;
	db_close(db);
	serve();
	ATF_REQUIRE_EQ(db_open(&db, SOCK, DBO_REMOTE), DBR_OK);
	return db;
}

/* reopen - close and open again without creating (a remote case: again) */
static struct db *
reopen(struct db *db, int flags)
{
	db_close(db);
	if (remote)
		ATF_REQUIRE_EQ(db_open(&db, SOCK, DBO_REMOTE), DBR_OK);
	else
		ATF_REQUIRE_EQ(db_open(&db, HOME, flags), DBR_OK);
	return db;
}

/*
 * BOTH - a case of the record families run twice: on a store opened
 * directly, and on one that a store process serves (remote.c, rq.c)
 */
#define BOTH(name)							\
	ATF_TC_WITHOUT_HEAD(name);					\
	ATF_TC_BODY(name, tc)						\
	{								\
		t_##name(tc);						\
	}								\
	ATF_TC_WITHOUT_HEAD(remote_##name);				\
	ATF_TC_BODY(remote_##name, tc)					\
	{								\
		remote = 1;						\
		t_##name(tc);						\
	}

/* mkuser - a user with a fake hash; its uid */
static uint32_t
mkuser(struct db *db, const char *nick)
{
	struct user	 u;

	memset(&u, 0, sizeof(u));
	ATF_REQUIRE(strlcpy(u.nick, nick, sizeof(u.nick)) < sizeof(u.nick));
	(void)strlcpy(u.hash, "$2b$04$notarealhash", sizeof(u.hash));
	ATF_REQUIRE_EQ_MSG(db_user_create(db, &u), DBR_OK, "%s", nick);
	ATF_REQUIRE(u.uid >= PALD_UID_FIRST);
	return u.uid;
}

/* dbt - a DBT over a string, as BDB wants it (no NUL) */
static DBT
dbt(const char *s)
{
	DBT	 d;

	memset(&d, 0, sizeof(d));
	d.data = (void *)(uintptr_t)s;
	d.size = (u_int32_t)strlen(s);
	return d;
}

/* raw_put - key -> val in one of the store's files, with BDB's own API */
static void
raw_put(const char *file, const char *key, const char *val)
{
	DB_ENV	*env;
	DB	*d;
	DBT	 k = dbt(key), v = dbt(val);

	ATF_REQUIRE_EQ(db_env_create(&env, 0), 0);
	ATF_REQUIRE_EQ(env->open(env, HOME, RAW_FLAGS, 0600), 0);
	ATF_REQUIRE_EQ(db_create(&d, env, 0), 0);
	ATF_REQUIRE_EQ(d->open(d, NULL, file, NULL, DB_BTREE,
	    DB_AUTO_COMMIT, 0600), 0);
	ATF_REQUIRE_EQ(d->put(d, NULL, &k, &v, DB_AUTO_COMMIT), 0);
	ATF_REQUIRE_EQ(d->close(d, 0), 0);
	ATF_REQUIRE_EQ(env->close(env, 0), 0);
}

/* raw_get - key's value in one of the store's files, as a C string */
static void
raw_get(const char *file, const char *key, char *out, size_t cap)
{
	DB_ENV	*env;
	DB	*d;
	DBT	 k = dbt(key), v;

	memset(&v, 0, sizeof(v));
	v.data = out;
	v.ulen = (u_int32_t)cap - 1;
	v.flags = DB_DBT_USERMEM;
	ATF_REQUIRE_EQ(db_env_create(&env, 0), 0);
	ATF_REQUIRE_EQ(env->open(env, HOME, RAW_FLAGS, 0600), 0);
	ATF_REQUIRE_EQ(db_create(&d, env, 0), 0);
	ATF_REQUIRE_EQ(d->open(d, NULL, file, NULL, DB_BTREE,
	    DB_AUTO_COMMIT, 0600), 0);
	ATF_REQUIRE_EQ(d->get(d, NULL, &k, &v, 0), 0);
	out[v.size] = '\0';
	ATF_REQUIRE_EQ(d->close(d, 0), 0);
	ATF_REQUIRE_EQ(env->close(env, 0), 0);
}

/*
 * uncommitted - a child that writes key -> val into users.db inside a
 * transaction it never ends: it reports on the pipe, then either waits
 * to be killed (killit != 0) or exits at once; it is reaped here.
 */
static void
uncommitted(const char *key, const char *val, int killit)
{
	DB_ENV	*env;
	DB	*d;
	DB_TXN	*t;
	DBT	 k = dbt(key), v = dbt(val);
	pid_t	 pid;
	int	 p[2], st;
	char	 c;

	ATF_REQUIRE_EQ(pipe(p), 0);
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		(void)close(p[0]);
		if (db_env_create(&env, 0) != 0 ||
		    env->open(env, HOME, RAW_FLAGS, 0600) != 0 ||
		    db_create(&d, env, 0) != 0 ||
		    d->open(d, NULL, "users.db", NULL, DB_BTREE,
		    DB_AUTO_COMMIT, 0600) != 0 ||
		    env->txn_begin(env, NULL, &t, 0) != 0 ||
		    d->put(d, t, &k, &v, 0) != 0 ||
		    write(p[1], "w", 1) != 1)
			_exit(2);
		if (!killit)
			_exit(0);
		for (;;)
			pause();
	}
	(void)close(p[1]);
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 1);
	(void)close(p[0]);
	if (killit)
		ATF_REQUIRE_EQ(kill(pid, SIGKILL), 0);
	/* reaped first: a zombie still answers kill(pid, 0) */
	ATF_REQUIRE_EQ(waitpid(pid, &st, 0), pid);
	if (killit)
		ATF_REQUIRE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	else
		ATF_REQUIRE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* write_file - a small text file */
static void
write_file(const char *path, const char *text)
{
	FILE	*fp;

	ATF_REQUIRE((fp = fopen(path, "w")) != NULL);
	ATF_REQUIRE(fputs(text, fp) != EOF);
	ATF_REQUIRE_EQ(fclose(fp), 0);
}

ATF_TC_WITHOUT_HEAD(open_close_reopen);
ATF_TC_BODY(open_close_reopen, tc)
{
	const char	*files[] = { "meta.db", "users.db", "nicks.db",
	    "buddies.db", "blocks.db", "offline.db", "categories.db",
	    "invites.db", "DB_CONFIG" };
	struct db	*db;
	struct stat	 st;
	size_t		 i;
	int		 ver = 0;

	log_init(1, LOG_DAEMON);
	slog_set(log_text);
	ATF_CHECK_EQ(db_open(&db, "nonexistent", DBO_CREATE), DBR_FATAL);
	ATF_CHECK(db == NULL);
	db = store(DBO_CREATE | DBO_RECOVER);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char	 path[64];

		(void)snprintf(path, sizeof(path), HOME "/%s", files[i]);
		ATF_CHECK_MSG(stat(path, &st) == 0, "%s missing", path);
	}
	ATF_CHECK_EQ(db_schema(db, &ver), DBR_OK);
	ATF_CHECK_EQ(ver, DB_SCHEMA_VERSION);
	ATF_CHECK_EQ(mkuser(db, "alice"), PALD_UID_FIRST);
	db = reopen(db, 0);
	ATF_CHECK_EQ(mkuser(db, "bob"), PALD_UID_FIRST + 1);
	db = reopen(db, DBO_RECOVER);
	ATF_CHECK_EQ(mkuser(db, "carol"), PALD_UID_FIRST + 2);
	ATF_CHECK_EQ(db_checkpoint(db), DBR_OK);
	db = reopen(db, DBO_FAILCHK | DBO_CREATE);
	ATF_CHECK_EQ(db_failchk(db), DBR_OK);
	ATF_CHECK_EQ(db_schema(db, &ver), DBR_OK);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(open_without_create);
ATF_TC_BODY(open_without_create, tc)
{
	struct db	*db;

	log_init(1, LOG_DAEMON);
	slog_set(log_text);
	ATF_REQUIRE_EQ(mkdir(HOME, 0700), 0);
	ATF_CHECK_EQ(db_open(&db, HOME, 0), DBR_FATAL);
	ATF_CHECK(db == NULL);
	ATF_CHECK_EQ(db_open(&db, HOME, DBO_RECOVER), DBR_FATAL);
	/* a plain file is not a home */
	write_file("file", "x\n");
	ATF_CHECK_EQ(db_open(&db, "file", DBO_CREATE), DBR_FATAL);
	db = store(DBO_CREATE);
	db_close(db);
	ATF_REQUIRE_EQ(db_open(&db, HOME, 0), DBR_OK);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(db_config);
ATF_TC_BODY(db_config, tc)
{
	struct db	*db;
	char		 buf[4096];
	FILE		*fp;
	size_t		 n;

	/* written when absent, with the sizes pald depends on */
	db = store(DBO_CREATE);
	db_close(db);
	ATF_REQUIRE((fp = fopen(HOME "/DB_CONFIG", "r")) != NULL);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	(void)fclose(fp);
	ATF_CHECK(strstr(buf, "set_lk_max_locks") != NULL);
	ATF_CHECK(strstr(buf, "set_lk_max_lockers") != NULL);
	ATF_CHECK(strstr(buf, "set_cachesize") != NULL);
	ATF_CHECK(strstr(buf, "set_lg_max") != NULL);
	/* an administrator's own is left alone */
	write_file(HOME "/DB_CONFIG", "set_cachesize 0 2097152 1\n");
	db = store(DBO_CREATE | DBO_RECOVER);
	db_close(db);
	ATF_REQUIRE((fp = fopen(HOME "/DB_CONFIG", "r")) != NULL);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	(void)fclose(fp);
	ATF_CHECK_STREQ(buf, "set_cachesize 0 2097152 1\n");
}

static void
t_user_create(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct user	 u;
	time_t		 before = time(NULL);
	uint32_t	 i;
	char		 nick[16];

	for (i = 0; i < 5; i++) {
		(void)snprintf(nick, sizeof(nick), "user%u", i);
		ATF_CHECK_EQ(mkuser(db, nick), PALD_UID_FIRST + i);
	}
	ATF_REQUIRE_EQ(db_user_get(db, PALD_UID_FIRST + 4, &u), DBR_OK);
	ATF_CHECK_STREQ(u.nick, "user4");
	ATF_CHECK(u.created >= before && u.created <= time(NULL));
	ATF_CHECK_EQ(u.admin, 0);
	ATF_CHECK_EQ(u.privacy, 'A');
	/* the sequence survives a restart */
	db = reopen(db, DBO_RECOVER);
	ATF_CHECK_EQ(mkuser(db, "later"), PALD_UID_FIRST + 5);
	db_close(db);
}
BOTH(user_create)

static void
t_user_duplicate(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	const char	*dups[] = { "Alice", "alice", "ALICE", "aLiCe" };
	struct user	 u;
	size_t		 i;

	ATF_CHECK_EQ(mkuser(db, "Alice"), PALD_UID_FIRST);
	for (i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
		memset(&u, 0, sizeof(u));
		(void)strlcpy(u.nick, dups[i], sizeof(u.nick));
		ATF_CHECK_EQ_MSG(db_user_create(db, &u), DBR_EXISTS, "%s",
		    dups[i]);
		ATF_CHECK_EQ(u.uid, 0);
	}
	/* refusals took no uid */
	ATF_CHECK_EQ(mkuser(db, "bob"), PALD_UID_FIRST + 1);
	ATF_REQUIRE_EQ(db_user_get(db, PALD_UID_FIRST, &u), DBR_OK);
	ATF_CHECK_STREQ(u.nick, "Alice");
	db_close(db);
}
BOTH(user_duplicate)

static void
t_user_invalid(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	const char	*bad[] = { "", "ab", "1abc", "_abc", "-abc", ".abc",
	    "a b", "al!ce", "alice ", " alice", "al\tce", "\xc3\xa9lan",
	    "ali\xffx", "abc/d", "abc:d", "abc%d", "abc=d" };
	const char	*good[] = { "abc", "a.b-c_d9", "Z99",
	    "a2345678901234567890123456789012" /* 32 */ };
	struct user	 u;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&u, 0, sizeof(u));
		(void)strlcpy(u.nick, bad[i], sizeof(u.nick));
		ATF_CHECK_EQ_MSG(db_nick_valid(bad[i]), 0, "%s", bad[i]);
		ATF_CHECK_EQ_MSG(db_user_create(db, &u), DBR_LIMIT, "%s",
		    bad[i]);
	}
	/* one byte too long, and a nickname without its NUL */
	ATF_CHECK_EQ(db_nick_valid("a23456789012345678901234567890123"), 0);
	memset(&u, 0, sizeof(u));
	memset(u.nick, 'a', sizeof(u.nick));
	ATF_CHECK_EQ(db_user_create(db, &u), DBR_LIMIT);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ATF_CHECK_EQ_MSG(db_nick_valid(good[i]), 1, "%s", good[i]);
		(void)mkuser(db, good[i]);
	}
	memset(&u, 0, sizeof(u));
	(void)strlcpy(u.nick, "admin4", sizeof(u.nick));
	u.admin = 4;
	ATF_CHECK_EQ(db_user_create(db, &u), DBR_LIMIT);
	u.admin = -1;
	ATF_CHECK_EQ(db_user_create(db, &u), DBR_LIMIT);
	u.admin = 3;
	ATF_CHECK_EQ(db_user_create(db, &u), DBR_OK);
	db_close(db);
}
BOTH(user_invalid)

static void
t_user_get(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct user	 u, v;
	char		 longnick[64];

	memset(&u, 0, sizeof(u));
	(void)strlcpy(u.nick, "Alice.B", sizeof(u.nick));
	(void)strlcpy(u.hash, "$2b$08$abc=def%20ghi", sizeof(u.hash));
	(void)strlcpy(u.first, "Alice Beatrice", sizeof(u.first));
	(void)strlcpy(u.last, "d'Arc = 100%", sizeof(u.last));
	(void)strlcpy(u.email, "alice@example.org", sizeof(u.email));
	u.admin = 2;
	u.flags = USER_F_EXEMPT;
	u.privacy = 'P';
	u.lastlogin = 1732270000;
	ATF_REQUIRE_EQ(db_user_create(db, &u), DBR_OK);

	ATF_REQUIRE_EQ(db_user_get(db, u.uid, &v), DBR_OK);
	ATF_CHECK_EQ(v.uid, u.uid);
	ATF_CHECK_STREQ(v.nick, "Alice.B");
	ATF_CHECK_STREQ(v.hash, u.hash);
	ATF_CHECK_STREQ(v.first, "Alice Beatrice");
	ATF_CHECK_STREQ(v.last, "d'Arc = 100%");
	ATF_CHECK_STREQ(v.email, "alice@example.org");
	ATF_CHECK_EQ(v.admin, 2);
	ATF_CHECK_EQ(v.flags, USER_F_EXEMPT);
	ATF_CHECK_EQ(v.privacy, 'P');
	ATF_CHECK_EQ(v.created, u.created);
	ATF_CHECK_EQ(v.lastlogin, 1732270000);

	memset(&v, 0, sizeof(v));
	ATF_REQUIRE_EQ(db_user_by_nick(db, "alice.b", &v), DBR_OK);
	ATF_CHECK_EQ(v.uid, u.uid);
	ATF_CHECK_STREQ(v.nick, "Alice.B");
	ATF_REQUIRE_EQ(db_user_by_nick(db, "ALICE.B", &v), DBR_OK);
	ATF_CHECK_EQ(v.uid, u.uid);

	ATF_CHECK_EQ(db_user_get(db, u.uid + 1, &v), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_get(db, 0, &v), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_get(db, UINT32_MAX, &v), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_by_nick(db, "alice", &v), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_by_nick(db, "", &v), DBR_NOTFOUND);
	memset(longnick, 'a', sizeof(longnick) - 1);
	longnick[sizeof(longnick) - 1] = '\0';
	ATF_CHECK_EQ(db_user_by_nick(db, longnick, &v), DBR_NOTFOUND);
	db_close(db);
}
BOTH(user_get)

static void
t_user_put(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct user	 u, v;
	uint32_t	 alice, bob;

	alice = mkuser(db, "alice");
	bob = mkuser(db, "bob");
	ATF_REQUIRE_EQ(db_user_get(db, alice, &u), DBR_OK);
	(void)strlcpy(u.first, "Alice", sizeof(u.first));
	(void)strlcpy(u.email, "a@example.org", sizeof(u.email));
	u.privacy = 'T';
	u.lastlogin = 42;
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_OK);
	db = reopen(db, 0);
	ATF_REQUIRE_EQ(db_user_get(db, alice, &v), DBR_OK);
	ATF_CHECK_STREQ(v.first, "Alice");
	ATF_CHECK_STREQ(v.email, "a@example.org");
	ATF_CHECK_EQ(v.privacy, 'T');
	ATF_CHECK_EQ(v.lastlogin, 42);
	ATF_CHECK_EQ(v.created, u.created);

	/* only the case changes: same index entry, new spelling */
	(void)strlcpy(u.nick, "ALICE", sizeof(u.nick));
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_OK);
	ATF_REQUIRE_EQ(db_user_by_nick(db, "alice", &v), DBR_OK);
	ATF_CHECK_STREQ(v.nick, "ALICE");

	/* a taken nickname is refused and nothing changes */
	(void)strlcpy(u.nick, "Bob", sizeof(u.nick));
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_EXISTS);
	ATF_REQUIRE_EQ(db_user_by_nick(db, "bob", &v), DBR_OK);
	ATF_CHECK_EQ(v.uid, bob);
	ATF_REQUIRE_EQ(db_user_get(db, alice, &v), DBR_OK);
	ATF_CHECK_STREQ(v.nick, "ALICE");

	/* a rename frees the old nickname */
	(void)strlcpy(u.nick, "alicia", sizeof(u.nick));
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_OK);
	ATF_CHECK_EQ(db_user_by_nick(db, "alice", &v), DBR_NOTFOUND);
	ATF_REQUIRE_EQ(db_user_by_nick(db, "Alicia", &v), DBR_OK);
	ATF_CHECK_EQ(v.uid, alice);
	ATF_CHECK(mkuser(db, "alice") > bob);

	(void)strlcpy(u.nick, "bad nick", sizeof(u.nick));
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_LIMIT);
	(void)strlcpy(u.nick, "ghost", sizeof(u.nick));
	u.uid = 999;
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_by_nick(db, "ghost", &v), DBR_NOTFOUND);
	db_close(db);
}
BOTH(user_put)

static void
t_user_delete_cascade(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct offline	 m[4];
	struct user	 v;
	uint32_t	 a, b, c, l[8];

	a = mkuser(db, "alice");
	b = mkuser(db, "bob");
	c = mkuser(db, "carol");
	ATF_REQUIRE_EQ(db_buddy_add(db, a, b), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_add(db, a, c), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_add(db, b, a), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_add(db, c, a), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_add(db, c, b), DBR_OK);
	ATF_REQUIRE_EQ(db_block_add(db, a, b), DBR_OK);
	ATF_REQUIRE_EQ(db_block_add(db, b, a), DBR_OK);
	ATF_REQUIRE_EQ(db_block_add(db, c, a), DBR_OK);
	ATF_REQUIRE_EQ(db_block_add(db, c, b), DBR_OK);
	ATF_REQUIRE_EQ(db_offline_put(db, a, b, 1, "to a", 4), DBR_OK);
	ATF_REQUIRE_EQ(db_offline_put(db, a, c, 2, "to a", 4), DBR_OK);
	ATF_REQUIRE_EQ(db_offline_put(db, b, a, 3, "from a", 6), DBR_OK);

	ATF_REQUIRE_EQ(db_user_delete(db, a), DBR_OK);
	ATF_CHECK_EQ(db_user_get(db, a, &v), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_by_nick(db, "alice", &v), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_delete(db, a), DBR_NOTFOUND);
	/* buddies both ways */
	ATF_CHECK_EQ(db_buddy_list(db, a, l, 8), 0);
	ATF_CHECK_EQ(db_buddy_of(db, a, l, 8), 0);
	ATF_CHECK_EQ(db_buddy_list(db, b, l, 8), 0);
	ATF_REQUIRE_EQ(db_buddy_list(db, c, l, 8), 1);
	ATF_CHECK_EQ(l[0], b);
	ATF_REQUIRE_EQ(db_buddy_of(db, b, l, 8), 1);
	ATF_CHECK_EQ(l[0], c);
	ATF_CHECK_EQ(db_buddy_of(db, c, l, 8), 0);
	/* blocks by and of the user */
	ATF_CHECK_EQ(db_block_list(db, a, l, 8), 0);
	ATF_CHECK_EQ(db_blocks(db, b, a), 0);
	ATF_CHECK_EQ(db_blocks(db, c, a), 0);
	ATF_CHECK_EQ(db_block_list(db, b, l, 8), 0);
	ATF_REQUIRE_EQ(db_block_list(db, c, l, 8), 1);
	ATF_CHECK_EQ(l[0], b);
	/* offline IMs to the user, not from */
	ATF_CHECK_EQ(db_offline_list(db, a, m, 4), 0);
	ATF_REQUIRE_EQ(db_offline_list(db, b, m, 4), 1);
	ATF_CHECK_EQ(m[0].from, a);
	/* the nickname is free again, under a new uid */
	ATF_CHECK(mkuser(db, "Alice") > c);
	db_close(db);
}
BOTH(user_delete_cascade)

static void
t_search(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct user	 r[8];
	uint32_t	 alice;

	alice = mkuser(db, "alice");
	(void)mkuser(db, "Alicia");
	(void)mkuser(db, "alfred");
	(void)mkuser(db, "al.x");
	(void)mkuser(db, "bob");
	(void)mkuser(db, "zalice");

	ATF_REQUIRE_EQ(db_user_search(db, "ALICE", 1, r, 8), 1);
	ATF_CHECK_EQ(r[0].uid, alice);
	ATF_CHECK_STREQ(r[0].nick, "alice");
	ATF_CHECK_EQ(db_user_search(db, "ali", 1, r, 8), 0);
	ATF_CHECK_EQ(db_user_search(db, "nobody", 1, r, 8), 0);

	/* prefix: in nickname order, case-insensitively */
	ATF_REQUIRE_EQ(db_user_search(db, "Al", 0, r, 8), 4);
	ATF_CHECK_STREQ(r[0].nick, "al.x");
	ATF_CHECK_STREQ(r[1].nick, "alfred");
	ATF_CHECK_STREQ(r[2].nick, "alice");
	ATF_CHECK_STREQ(r[3].nick, "Alicia");
	ATF_REQUIRE_EQ(db_user_search(db, "alic", 0, r, 8), 2);
	ATF_CHECK_STREQ(r[0].nick, "alice");
	ATF_CHECK_STREQ(r[1].nick, "Alicia");
	ATF_REQUIRE_EQ(db_user_search(db, "alice", 0, r, 8), 1);
	ATF_REQUIRE_EQ(db_user_search(db, "z", 0, r, 8), 1);
	ATF_CHECK_STREQ(r[0].nick, "zalice");
	ATF_CHECK_EQ(db_user_search(db, "c", 0, r, 8), 0);
	ATF_CHECK_EQ(db_user_search(db, "zz", 0, r, 8), 0);
	ATF_CHECK_EQ(db_user_search(db, "", 0, r, 8), 0);
	/* the limit */
	ATF_REQUIRE_EQ(db_user_search(db, "al", 0, r, 2), 2);
	ATF_CHECK_STREQ(r[0].nick, "al.x");
	ATF_CHECK_STREQ(r[1].nick, "alfred");
	ATF_CHECK_EQ(db_user_search(db, "al", 0, r, 0), 0);
	ATF_CHECK_EQ(db_user_search(db, "alice", 1, r, 0), 0);
	db_close(db);
}
BOTH(search)

static void
t_buddies(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	uint32_t	 a, b, c, d, l[8];

	a = mkuser(db, "alice");
	b = mkuser(db, "bob");
	c = mkuser(db, "carol");
	d = mkuser(db, "dave");
	ATF_CHECK_EQ(db_buddy_list(db, a, l, 8), 0);
	/* added out of order, listed in uid order */
	ATF_CHECK_EQ(db_buddy_add(db, a, d), DBR_OK);
	ATF_CHECK_EQ(db_buddy_add(db, a, b), DBR_OK);
	ATF_CHECK_EQ(db_buddy_add(db, a, c), DBR_OK);
	ATF_CHECK_EQ(db_buddy_add(db, a, c), DBR_OK);	/* idempotent */
	ATF_CHECK_EQ(db_buddy_add(db, c, d), DBR_OK);
	ATF_CHECK_EQ(db_buddy_add(db, a, 999), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_buddy_add(db, a, d + 1), DBR_NOTFOUND);
	ATF_REQUIRE_EQ(db_buddy_list(db, a, l, 8), 3);
	ATF_CHECK_EQ(l[0], b);
	ATF_CHECK_EQ(l[1], c);
	ATF_CHECK_EQ(l[2], d);
	ATF_REQUIRE_EQ(db_buddy_list(db, a, l, 2), 2);
	ATF_CHECK_EQ(l[0], b);
	ATF_CHECK_EQ(l[1], c);
	ATF_CHECK_EQ(db_buddy_list(db, a, l, 0), 0);
	/* the reverse index */
	ATF_REQUIRE_EQ(db_buddy_of(db, d, l, 8), 2);
	ATF_CHECK_EQ(l[0], a);
	ATF_CHECK_EQ(l[1], c);
	ATF_REQUIRE_EQ(db_buddy_of(db, b, l, 8), 1);
	ATF_CHECK_EQ(l[0], a);
	ATF_CHECK_EQ(db_buddy_of(db, a, l, 8), 0);
	/* lists are per owner */
	ATF_REQUIRE_EQ(db_buddy_list(db, c, l, 8), 1);
	ATF_CHECK_EQ(l[0], d);
	ATF_CHECK_EQ(db_buddy_list(db, b, l, 8), 0);
	/* del removes both records; absent is no error */
	ATF_CHECK_EQ(db_buddy_del(db, a, d), DBR_OK);
	ATF_CHECK_EQ(db_buddy_del(db, a, d), DBR_OK);
	ATF_CHECK_EQ(db_buddy_del(db, b, a), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_list(db, a, l, 8), 2);
	ATF_CHECK_EQ(l[1], c);
	ATF_REQUIRE_EQ(db_buddy_of(db, d, l, 8), 1);
	ATF_CHECK_EQ(l[0], c);
	db = reopen(db, 0);
	ATF_CHECK_EQ(db_buddy_list(db, a, l, 8), 2);
	db_close(db);
}
BOTH(buddies)

static void
t_buddy_limit(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	static uint32_t	 l[PALD_BUDDIES_MAX + 8];
	uint32_t	 owner, first, i;
	char		 nick[16];

	owner = mkuser(db, "owner");
	for (i = 0; i <= PALD_BUDDIES_MAX; i++) {
		(void)snprintf(nick, sizeof(nick), "user%u", i);
		(void)mkuser(db, nick);
	}
	first = owner + 1;
	for (i = 0; i < PALD_BUDDIES_MAX; i++) {
		ATF_REQUIRE_EQ(db_buddy_add(db, owner, first + i), DBR_OK);
		ATF_REQUIRE_EQ(db_block_add(db, owner, first + i), DBR_OK);
	}
	ATF_CHECK_EQ(db_buddy_add(db, owner, first + i), DBR_LIMIT);
	ATF_CHECK_EQ(db_block_add(db, owner, first + i), DBR_LIMIT);
	/* at the limit, what is there may be added again */
	ATF_CHECK_EQ(db_buddy_add(db, owner, first), DBR_OK);
	ATF_CHECK_EQ(db_block_add(db, owner, first), DBR_OK);
	ATF_CHECK_EQ(db_buddy_list(db, owner, l, PALD_BUDDIES_MAX + 8),
	    PALD_BUDDIES_MAX);
	ATF_CHECK_EQ(db_block_list(db, owner, l, PALD_BUDDIES_MAX + 8),
	    PALD_BUDDIES_MAX);
	ATF_CHECK_EQ(db_buddy_of(db, first + i, l, 8), 0);
	/* a refused add left no half record behind */
	ATF_CHECK_EQ(db_blocks(db, owner, first + i), 0);
	ATF_CHECK_EQ(db_buddy_del(db, owner, first), DBR_OK);
	ATF_CHECK_EQ(db_buddy_add(db, owner, first + i), DBR_OK);
	ATF_CHECK_EQ(db_block_del(db, owner, first), DBR_OK);
	ATF_CHECK_EQ(db_block_add(db, owner, first + i), DBR_OK);
	/* the limit is per owner */
	ATF_CHECK_EQ(db_buddy_add(db, first, owner), DBR_OK);
	db_close(db);
}
BOTH(buddy_limit)

static void
t_blocks(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	uint32_t	 a, b, c, l[8];

	a = mkuser(db, "alice");
	b = mkuser(db, "bob");
	c = mkuser(db, "carol");
	ATF_CHECK_EQ(db_blocks(db, a, b), 0);
	ATF_CHECK_EQ(db_block_add(db, a, c), DBR_OK);
	ATF_CHECK_EQ(db_block_add(db, a, b), DBR_OK);
	ATF_CHECK_EQ(db_block_add(db, a, b), DBR_OK);	/* idempotent */
	ATF_CHECK_EQ(db_block_add(db, a, 999), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_blocks(db, a, b), 1);
	ATF_CHECK_EQ(db_blocks(db, b, a), 0);		/* one way only */
	ATF_CHECK_EQ(db_blocks(db, a, 999), 0);
	ATF_REQUIRE_EQ(db_block_list(db, a, l, 8), 2);
	ATF_CHECK_EQ(l[0], b);
	ATF_CHECK_EQ(l[1], c);
	ATF_REQUIRE_EQ(db_block_list(db, a, l, 1), 1);
	ATF_CHECK_EQ(l[0], b);
	ATF_CHECK_EQ(db_block_list(db, b, l, 8), 0);
	/* blocks and buddies are apart */
	ATF_CHECK_EQ(db_buddy_list(db, a, l, 8), 0);
	ATF_CHECK_EQ(db_block_del(db, a, b), DBR_OK);
	ATF_CHECK_EQ(db_block_del(db, a, b), DBR_OK);
	ATF_CHECK_EQ(db_blocks(db, a, b), 0);
	ATF_REQUIRE_EQ(db_block_list(db, a, l, 8), 1);
	ATF_CHECK_EQ(l[0], c);
	db_close(db);
}
BOTH(blocks)

static void
t_offline(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	static struct offline m[PALD_OFFLINE_MAX + 2];
	static char	 big[PALD_IM_MAX + 1];
	char		 bin[] = { 'a', '\0', ' ', '%', '=', '\n', '\xff' };
	uint32_t	 a, b, c;
	uint64_t	 seq2;
	int		 i, n;

	a = mkuser(db, "alice");
	b = mkuser(db, "bob");
	c = mkuser(db, "carol");
	ATF_CHECK_EQ(db_offline_list(db, a, m, 4), 0);
	ATF_REQUIRE_EQ(db_offline_put(db, a, b, 100, "first", 5), DBR_OK);
	ATF_REQUIRE_EQ(db_offline_put(db, a, c, 200, bin, sizeof(bin)),
	    DBR_OK);
	ATF_REQUIRE_EQ(db_offline_put(db, b, c, 250, "other", 5), DBR_OK);
	ATF_REQUIRE_EQ(db_offline_put(db, a, b, 300, "third", 5), DBR_OK);
	ATF_CHECK_EQ(db_offline_put(db, 999, b, 300, "x", 1), DBR_NOTFOUND);

	ATF_REQUIRE_EQ(db_offline_list(db, a, m, 8), 3);
	ATF_CHECK_EQ(m[0].from, b);
	ATF_CHECK_EQ(m[0].time, 100);
	ATF_CHECK_EQ(m[0].len, 5);
	ATF_CHECK_STREQ(m[0].text, "first");
	ATF_CHECK_EQ(m[1].from, c);
	ATF_CHECK_EQ(m[1].len, sizeof(bin));
	ATF_CHECK(memcmp(m[1].text, bin, sizeof(bin)) == 0);
	ATF_CHECK_STREQ(m[2].text, "third");
	ATF_CHECK(m[0].seq < m[1].seq && m[1].seq < m[2].seq);
	seq2 = m[1].seq;
	ATF_REQUIRE_EQ(db_offline_list(db, a, m, 1), 1);
	ATF_CHECK_STREQ(m[0].text, "first");
	ATF_CHECK_EQ(db_offline_list(db, a, m, 0), 0);

	ATF_CHECK_EQ(db_offline_del(db, a, seq2), DBR_OK);
	ATF_CHECK_EQ(db_offline_del(db, a, seq2), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_offline_del(db, b, m[0].seq), DBR_NOTFOUND);
	ATF_REQUIRE_EQ(db_offline_list(db, a, m, 8), 2);
	ATF_CHECK_STREQ(m[0].text, "first");
	ATF_CHECK_STREQ(m[1].text, "third");
	ATF_REQUIRE_EQ(db_offline_list(db, b, m, 8), 1);
	ATF_CHECK_STREQ(m[0].text, "other");

	/* the longest IM, and one byte more */
	memset(big, 'x', sizeof(big));
	ATF_CHECK_EQ(db_offline_put(db, c, a, 1, big, PALD_IM_MAX + 1),
	    DBR_LIMIT);
	memset(big, '%', sizeof(big));
	ATF_REQUIRE_EQ(db_offline_put(db, c, a, 1, big, PALD_IM_MAX),
	    DBR_OK);
	ATF_REQUIRE_EQ(db_offline_list(db, c, m, 8), 1);
	ATF_CHECK_EQ(m[0].len, PALD_IM_MAX);
	ATF_CHECK(memcmp(m[0].text, big, PALD_IM_MAX) == 0);
	ATF_CHECK_EQ(db_offline_del(db, c, m[0].seq), DBR_OK);

	/* the queue limit, per recipient */
	for (i = 0; i < PALD_OFFLINE_MAX; i++)
		ATF_REQUIRE_EQ(db_offline_put(db, c, a, i, "q", 1), DBR_OK);
	ATF_CHECK_EQ(db_offline_put(db, c, a, i, "q", 1), DBR_LIMIT);
	ATF_CHECK_EQ(db_offline_put(db, a, c, i, "ok", 2), DBR_OK);
	n = db_offline_list(db, c, m, PALD_OFFLINE_MAX + 2);
	ATF_REQUIRE_EQ(n, PALD_OFFLINE_MAX);
	for (i = 1; i < n; i++)
		ATF_CHECK(m[i - 1].seq < m[i].seq && m[i - 1].time < m[i].time);
	ATF_CHECK_EQ(db_offline_del(db, c, m[0].seq), DBR_OK);
	ATF_CHECK_EQ(db_offline_put(db, c, a, i, "q", 1), DBR_OK);
	db_close(db);
}
BOTH(offline)

ATF_TC_WITHOUT_HEAD(categories);
ATF_TC_BODY(categories, tc)
{
	struct db	*db = store(DBO_CREATE);
	struct category	 c[PALD_CATEGORIES_MAX];

	ATF_CHECK_EQ(db_category_list(db, c, PALD_CATEGORIES_MAX), 0);
	ATF_CHECK_EQ(db_category_seed(db, "missing.txt"), DBR_NOTFOUND);
	write_file("cats.txt",
	    "# a comment\n"
	    "\n"
	    "30002 Featured Rooms\n"
	    "  30001   Top Rooms  \n"
	    "30011 By Language: Spanish & Portuguese\r\n"
	    "\t# an indented comment\n"
	    "   \n"
	    "nonsense\n"
	    "0 zero\n"
	    "30003\n"
	    "12x name\n"
	    "30017 Early Teens (13 - 17 ONLY) - NO ADULTS\n");
	ATF_REQUIRE_EQ(db_category_seed(db, "cats.txt"), DBR_OK);
	ATF_REQUIRE_EQ(db_category_list(db, c, PALD_CATEGORIES_MAX), 4);
	ATF_CHECK_EQ(c[0].code, 30001);
	ATF_CHECK_STREQ(c[0].name, "Top Rooms");
	ATF_CHECK_EQ(c[1].code, 30002);
	ATF_CHECK_STREQ(c[1].name, "Featured Rooms");
	ATF_CHECK_EQ(c[2].code, 30011);
	ATF_CHECK_STREQ(c[2].name, "By Language: Spanish & Portuguese");
	ATF_CHECK_EQ(c[3].code, 30017);
	ATF_CHECK_STREQ(c[3].name, "Early Teens (13 - 17 ONLY) - NO ADULTS");
	ATF_REQUIRE_EQ(db_category_list(db, c, 2), 2);
	ATF_CHECK_EQ(c[1].code, 30002);

	/* only once: a second file, or none, changes nothing */
	write_file("other.txt", "40000 Other\n");
	ATF_CHECK_EQ(db_category_seed(db, "other.txt"), DBR_OK);
	ATF_CHECK_EQ(db_category_seed(db, "missing.txt"), DBR_OK);
	db = reopen(db, DBO_RECOVER);
	ATF_REQUIRE_EQ(db_category_list(db, c, PALD_CATEGORIES_MAX), 4);
	ATF_CHECK_EQ(c[3].code, 30017);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(categories_shipped);
ATF_TC_BODY(categories_shipped, tc)
{
	struct db	*db = store(DBO_CREATE);
	struct category	 c[PALD_CATEGORIES_MAX];
	char		 path[1024];
	int		 i, n;

	(void)snprintf(path, sizeof(path), "%s/../../data/categories.txt",
	    atf_tc_get_config_var(tc, "srcdir"));
	ATF_REQUIRE_EQ(db_category_seed(db, path), DBR_OK);
	n = db_category_list(db, c, PALD_CATEGORIES_MAX);
	ATF_REQUIRE_EQ(n, 29);
	for (i = 0; i < n; i++)
		ATF_CHECK_EQ(c[i].code, 30001 + (uint32_t)i);
	ATF_CHECK_STREQ(c[0].name, "Top Rooms");
	ATF_CHECK_STREQ(c[28].name, "Adult Oriented");
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(passwords);
ATF_TC_BODY(passwords, tc)
{
	char	 h1[PALD_HASH_MAX], h2[PALD_HASH_MAX], he[PALD_HASH_MAX];

	log_init(1, LOG_DAEMON);
	slog_set(log_text);
	ATF_REQUIRE_EQ(pw_hash("secret1", 4, h1, sizeof(h1)), 0);
	ATF_REQUIRE_EQ(pw_hash("secret1", 4, h2, sizeof(h2)), 0);
	ATF_CHECK_EQ(strncmp(h1, "$2b$04$", 7), 0);
	ATF_CHECK_EQ(strlen(h1), 60);
	ATF_CHECK(strcmp(h1, h2) != 0);		/* different salts */
	ATF_CHECK_EQ(pw_verify("secret1", h1), 1);
	ATF_CHECK_EQ(pw_verify("secret1", h2), 1);
	ATF_CHECK_EQ(pw_verify("secret2", h1), 0);
	ATF_CHECK_EQ(pw_verify("Secret1", h1), 0);
	ATF_CHECK_EQ(pw_verify("secret", h1), 0);
	ATF_CHECK_EQ(pw_verify("", h1), 0);
	ATF_CHECK_EQ(pw_verify("secret1", ""), 0);
	ATF_CHECK_EQ(pw_verify("", ""), 0);
	ATF_CHECK_EQ(pw_verify("secret1", "$2b$04$"), 0);
	ATF_CHECK_EQ(pw_verify("secret1", "*0"), 0);
	h1[40] = h1[40] == 'a' ? 'b' : 'a';
	ATF_CHECK_EQ(pw_verify("secret1", h1), 0);
	/* an empty password hashes and verifies like any other */
	ATF_REQUIRE_EQ(pw_hash("", 4, he, sizeof(he)), 0);
	ATF_CHECK_EQ(pw_verify("", he), 1);
	ATF_CHECK_EQ(pw_verify("x", he), 0);
	/* the cost is clamped, and a short buffer is refused */
	ATF_REQUIRE_EQ(pw_hash("secret1", 1, h1, sizeof(h1)), 0);
	ATF_CHECK_EQ(strncmp(h1, "$2b$04$", 7), 0);
	ATF_REQUIRE_EQ(pw_hash("secret1", 5, h1, sizeof(h1)), 0);
	ATF_CHECK_EQ(strncmp(h1, "$2b$05$", 7), 0);
	ATF_CHECK_EQ(pw_verify("secret1", h1), 1);
	ATF_CHECK_EQ(pw_hash("secret1", 4, h2, 20), -1);
}

ATF_TC_WITHOUT_HEAD(old_version_read);
ATF_TC_BODY(old_version_read, tc)
{
	struct db	*db = store(DBO_CREATE);
	struct buddy	 bn[2];
	char		 v[512];
	struct user	 u;
	struct offline	 m[2];
	struct category	 c[2];
	uint32_t	 l[2];

	db_close(db);
	/* version 1 as an older pald wrote it, with fields it never had */
	raw_put("users.db", "0001000077", "v1 nick=Zoe hash=$2b$04$x "
	    "future=1 admin=3 first=Zo%C3%AB mood=%F0%9F%98%80");
	raw_put("nicks.db", "zoe", "v1 uid=1000077 since=2031");
	raw_put("users.db", "0001000078", "v1 nick=yan");
	raw_put("nicks.db", "yan", "v1 uid=1000078");
	raw_put("buddies.db", "has:0001000077:0001000078", "v1 group=x");
	raw_put("buddies.db", "of:0001000078:0001000077", "v1");
	raw_put("offline.db", "0001000077:0000000009",
	    "v1 text=hi%20there from=1000078 time=5 flags=urgent");
	raw_put("categories.db", "0000030001", "v1 name=Top%20Rooms icon=x");
	raw_put("users.db", "0001000079", "v3 nick=next");
	db = reopen(NULL, 0);

	ATF_REQUIRE_EQ(db_user_get(db, 1000077, &u), DBR_OK);
	ATF_CHECK_STREQ(u.nick, "Zoe");
	ATF_CHECK_STREQ(u.hash, "$2b$04$x");
	ATF_CHECK_EQ(u.admin, 3);
	ATF_CHECK_STREQ(u.first, "Zo\xc3\xab");
	ATF_CHECK_STREQ(u.last, "");
	ATF_CHECK_EQ(u.privacy, 'A');
	ATF_CHECK_EQ(u.created, 0);
	/* what version 2 added: the paid flag and the password hint */
	ATF_CHECK_EQ(u.paid, 'N');
	ATF_CHECK_EQ(u.hintq, 0);
	ATF_CHECK_STREQ(u.hinta, "");
	ATF_CHECK_STREQ(u.hint, "");
	ATF_REQUIRE_EQ(db_user_by_nick(db, "ZOE", &u), DBR_OK);
	ATF_CHECK_EQ(u.uid, 1000077);
	ATF_REQUIRE_EQ(db_user_get(db, 1000078, &u), DBR_OK);
	ATF_CHECK_STREQ(u.hash, "");
	ATF_REQUIRE_EQ(db_buddy_list(db, 1000077, l, 2), 1);
	ATF_CHECK_EQ(l[0], 1000078);
	/* a buddy of version 1 has no display name */
	ATF_REQUIRE_EQ(db_buddy_names(db, 1000077, bn, 2), 1);
	ATF_CHECK_EQ(bn[0].uid, 1000078);
	ATF_CHECK_STREQ(bn[0].display, "");
	ATF_REQUIRE_EQ(db_offline_list(db, 1000077, m, 2), 1);
	ATF_CHECK_EQ(m[0].seq, 9);
	ATF_CHECK_EQ(m[0].from, 1000078);
	ATF_CHECK_EQ(m[0].time, 5);
	ATF_CHECK_STREQ(m[0].text, "hi there");
	ATF_REQUIRE_EQ(db_category_list(db, c, 2), 1);
	ATF_CHECK_STREQ(c[0].name, "Top Rooms");
	/* a version this pald does not know is refused, not guessed at */
	ATF_CHECK_EQ(db_user_get(db, 1000079, &u), DBR_FATAL);
	/* rewritten, a record is in the newest version and keeps its data */
	ATF_REQUIRE_EQ(db_user_get(db, 1000077, &u), DBR_OK);
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_OK);
	ATF_REQUIRE_EQ(db_user_get(db, 1000077, &u), DBR_OK);
	ATF_CHECK_STREQ(u.first, "Zo\xc3\xab");
	ATF_CHECK_EQ(db_buddy_display(db, 1000077, 1000078, "Yan"), DBR_OK);
	db_close(db);
	raw_get("users.db", "0001000077", v, sizeof(v));
	ATF_CHECK_MSG(strncmp(v, "v2 ", 3) == 0 && strstr(v, " paid=N") !=
	    NULL, "%s", v);
	raw_get("buddies.db", "has:0001000077:0001000078", v, sizeof(v));
	ATF_CHECK_STREQ(v, "v2 display=Yan");
}

ATF_TC_WITHOUT_HEAD(schema_upgrade);
ATF_TC_BODY(schema_upgrade, tc)
{
	struct db	*db = store(DBO_CREATE);
	struct stat	 st;
	int		 ver = 0;

	db_close(db);
	/* a store of schema 2: opened to read, it is left as it is */
	raw_put("meta.db", "schema", "v1 version=2");
	db = reopen(NULL, 0);
	ATF_CHECK_EQ(db_schema(db, &ver), DBR_OK);
	ATF_CHECK_EQ(ver, 2);
	/* the creating open upgrades it; invites.db is there */
	db = reopen(db, DBO_CREATE | DBO_RECOVER);
	ATF_CHECK_EQ(db_schema(db, &ver), DBR_OK);
	ATF_CHECK_EQ(ver, DB_SCHEMA_VERSION);
	ATF_CHECK_EQ(DB_SCHEMA_VERSION, 3);
	ATF_CHECK_EQ(stat(HOME "/invites.db", &st), 0);
	ATF_CHECK_EQ(db_invite_add(db, PALD_UID_FIRST, "a@b.example", 255, 1),
	    DBR_OK);
	db_close(db);
}

static void
t_user_extras(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct buddy	 bn[4];
	struct user	 u;
	char		 email[64], hash[PALD_HASH_MAX];
	uint32_t	 a, b, c, adm[4];
	int		 i;

	a = mkuser(db, "alice");
	b = mkuser(db, "bob");
	c = mkuser(db, "carol");
	/* the paid flag, alone */
	ATF_REQUIRE_EQ(db_user_get(db, a, &u), DBR_OK);
	ATF_CHECK_EQ(u.paid, 'N');
	ATF_CHECK_EQ(db_user_paid(db, a, '6'), DBR_OK);
	ATF_CHECK_EQ(db_user_paid(db, a, 'X'), DBR_LIMIT);
	ATF_CHECK_EQ(db_user_paid(db, a, '\0'), DBR_LIMIT);
	ATF_CHECK_EQ(db_user_paid(db, 1999999, 'Y'), DBR_NOTFOUND);
	ATF_REQUIRE_EQ(db_user_get(db, a, &u), DBR_OK);
	ATF_CHECK_EQ(u.paid, '6');
	ATF_CHECK_STREQ(u.nick, "alice");
	u.paid = 'Q';
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_LIMIT);
	/* the password hint: the answer only as a hash */
	ATF_REQUIRE_EQ(pw_hash("fido", 4, hash, sizeof(hash)), 0);
	ATF_CHECK_EQ(db_user_hint(db, a, 7, hash, "my dog"), DBR_OK);
	ATF_CHECK_EQ(db_user_hint(db, a, 0, hash, "x"), DBR_LIMIT);
	ATF_CHECK_EQ(db_user_hint(db, a, 10, hash, "x"), DBR_LIMIT);
	ATF_CHECK_EQ(db_user_hint(db, a, 1, hash,
	    "a hint longer than thirty-two bytes"), DBR_LIMIT);
	ATF_REQUIRE_EQ(db_user_get(db, a, &u), DBR_OK);
	ATF_CHECK_EQ(u.hintq, 7);
	ATF_CHECK_STREQ(u.hint, "my dog");
	ATF_CHECK_EQ(pw_verify("fido", u.hinta), 1);
	ATF_CHECK_EQ(u.paid, '6');
	/* display names: for buddies only; kept by a second add */
	ATF_CHECK_EQ(db_buddy_display(db, a, b, "Bobby"), DBR_NOTFOUND);
	ATF_REQUIRE_EQ(db_buddy_add(db, a, b), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_add(db, a, c), DBR_OK);
	ATF_CHECK_EQ(db_buddy_display(db, a, b, "Bobby"), DBR_OK);
	ATF_CHECK_EQ(db_buddy_display(db, a, c,
	    "a display name of more than 32 bytes"), DBR_LIMIT);
	ATF_REQUIRE_EQ(db_buddy_add(db, a, b), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_names(db, a, bn, 4), 2);
	ATF_CHECK_EQ(bn[0].uid, b);
	ATF_CHECK_STREQ(bn[0].display, "Bobby");
	ATF_CHECK_EQ(bn[1].uid, c);
	ATF_CHECK_STREQ(bn[1].display, "");
	ATF_CHECK_EQ(db_buddy_has(db, a, b), 1);
	ATF_CHECK_EQ(db_buddy_display(db, a, b, NULL), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_names(db, a, bn, 4), 2);
	ATF_CHECK_STREQ(bn[0].display, "");
	ATF_CHECK_EQ(db_buddy_display(db, a, b, "Bob B."), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_del(db, a, b), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_add(db, a, b), DBR_OK);
	ATF_REQUIRE_EQ(db_buddy_names(db, a, bn, 4), 2);
	ATF_CHECK_STREQ(bn[0].display, "");
	/* invitations: once each address (any case), up to the limit */
	ATF_CHECK_EQ(db_invite_add(db, a, "Bob@Example.com", 255, 1), DBR_OK);
	ATF_CHECK_EQ(db_invite_add(db, a, "bob@example.COM", 3, 2),
	    DBR_EXISTS);
	ATF_CHECK_EQ(db_invite_add(db, b, "bob@example.com", 255, 2), DBR_OK);
	ATF_CHECK_EQ(db_invite_add(db, a, "two words@x", 255, 1), DBR_LIMIT);
	ATF_CHECK_EQ(db_invite_add(db, a, "", 255, 1), DBR_LIMIT);
	ATF_CHECK_EQ(db_invite_add(db, a, "x@y", -1, 1), DBR_LIMIT);
	for (i = 1; i < PALD_INVITES_MAX; i++) {
		(void)snprintf(email, sizeof(email), "f%d@example.com", i);
		ATF_REQUIRE_EQ(db_invite_add(db, a, email, i, 3), DBR_OK);
	}
	ATF_CHECK_EQ(db_invite_add(db, a, "one@too.many", 255, 4), DBR_LIMIT);
	/* the admins: a walk of the accounts */
	ATF_CHECK_EQ(db_user_admins(db, adm, 4), 0);
	ATF_REQUIRE_EQ(db_user_get(db, c, &u), DBR_OK);
	u.admin = 2;
	ATF_REQUIRE_EQ(db_user_put(db, &u), DBR_OK);
	ATF_REQUIRE_EQ(db_user_admins(db, adm, 4), 1);
	ATF_CHECK_EQ(adm[0], c);
	/* deleting the account deletes its invitations, not others' */
	ATF_REQUIRE_EQ(db_user_delete(db, a), DBR_OK);
	ATF_CHECK_EQ(db_invite_add(db, a, "bob@example.com", 255, 5), DBR_OK);
	ATF_CHECK_EQ(db_invite_add(db, b, "bob@example.com", 255, 5),
	    DBR_EXISTS);
	db_close(db);
}
BOTH(user_extras)

ATF_TC_WITHOUT_HEAD(schema_newer);
ATF_TC_BODY(schema_newer, tc)
{
	struct db	*db = store(DBO_CREATE);

	db_close(db);
	raw_put("meta.db", "schema", "v1 version=4");
	ATF_CHECK_EQ(db_open(&db, HOME, DBO_CREATE), DBR_FATAL);
	ATF_CHECK(db == NULL);
	ATF_CHECK_EQ(db_open(&db, HOME, 0), DBR_FATAL);
	ATF_CHECK_EQ(db_open(&db, HOME, DBO_RECOVER), DBR_FATAL);
	raw_put("meta.db", "schema", "v1 version=x");
	ATF_CHECK_EQ(db_open(&db, HOME, DBO_CREATE), DBR_FATAL);
	raw_put("meta.db", "schema", "v1 version=1 extra=ok");
	ATF_REQUIRE_EQ(db_open(&db, HOME, 0), DBR_OK);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(failchk_killed_writer);
ATF_TC_BODY(failchk_killed_writer, tc)
{
	struct db	*db = store(DBO_CREATE);
	struct user	 u;

	uncommitted("0001000099", "v1 nick=ghost hash=x", 1);
	ATF_CHECK_EQ(db_failchk(db), DBR_OK);
	ATF_CHECK_EQ(db_user_get(db, 1000099, &u), DBR_NOTFOUND);
	ATF_CHECK_EQ(mkuser(db, "alive"), PALD_UID_FIRST);
	ATF_CHECK_EQ(db_checkpoint(db), DBR_OK);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(failchk_open);
ATF_TC_BODY(failchk_open, tc)
{
	struct db	*db = store(DBO_CREATE), *db2;
	struct user	 u;
	pid_t		 pid;
	int		 st;

	uncommitted("0001000099", "v1 nick=ghost hash=x", 1);
	/* another process opens with DBO_FAILCHK, as palpasswd does */
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		if (db_open(&db2, HOME, DBO_CREATE | DBO_FAILCHK) != DBR_OK)
			_exit(1);
		if (db_user_get(db2, 1000099, &u) != DBR_NOTFOUND)
			_exit(2);
		db_close(db2);
		_exit(0);
	}
	ATF_REQUIRE_EQ(waitpid(pid, &st, 0), pid);
	ATF_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ATF_CHECK_EQ(db_user_get(db, 1000099, &u), DBR_NOTFOUND);
	ATF_CHECK_EQ(mkuser(db, "alive"), PALD_UID_FIRST);
	db_close(db);
}

ATF_TC_WITHOUT_HEAD(recover_after_exit);
ATF_TC_BODY(recover_after_exit, tc)
{
	struct db	*db = store(DBO_CREATE);
	struct user	 u;

	ATF_CHECK_EQ(mkuser(db, "before"), PALD_UID_FIRST);
	db_close(db);
	uncommitted("0001000099", "v1 nick=ghost hash=x", 0);
	ATF_REQUIRE_EQ(db_open(&db, HOME, DBO_RECOVER | DBO_CREATE), DBR_OK);
	ATF_CHECK_EQ(db_user_get(db, 1000099, &u), DBR_NOTFOUND);
	ATF_REQUIRE_EQ(db_user_by_nick(db, "before", &u), DBR_OK);
	ATF_CHECK_EQ(mkuser(db, "after"), PALD_UID_FIRST + 1);
	db_close(db);
}

/*
 * Children writing at once on the same records: deadlocks are retried,
 * the uid sequence has no hole and no double, and every buddy record
 * has its mirror.
 */
ATF_TC(concurrent_writers);
ATF_TC_HEAD(concurrent_writers, tc)
{
	atf_tc_set_md_var(tc, "descr", "siblings share the store safely");
	atf_tc_set_md_var(tc, "timeout", "100");
}
ATF_TC_BODY(concurrent_writers, tc)
{
	enum { KIDS = 6, EACH = 30 };
	struct db	*db = store(DBO_CREATE), *kdb;
	struct user	 u;
	uint32_t	 owner, l[KIDS * EACH + 1], of[4];
	pid_t		 pid[KIDS];
	int		 i, j, st, made = 0, n, r;

	owner = mkuser(db, "owner");
	for (i = 0; i < KIDS; i++) {
		ATF_REQUIRE((pid[i] = fork()) != -1);
		if (pid[i] != 0)
			continue;
		if (db_open(&kdb, HOME, 0) != DBR_OK)
			_exit(255);
		for (j = n = 0; j < EACH; j++) {
			memset(&u, 0, sizeof(u));
			(void)snprintf(u.nick, sizeof(u.nick), "k%dn%d", i, j);
			if ((r = db_user_create(kdb, &u)) == DBR_AGAIN)
				continue;
			if (r != DBR_OK)
				_exit(254);
			n++;
			r = db_buddy_add(kdb, owner, u.uid);
			if (r != DBR_OK && r != DBR_AGAIN)
				_exit(253);
			r = db_buddy_add(kdb, u.uid, owner);
			if (r != DBR_OK && r != DBR_AGAIN)
				_exit(252);
		}
		db_close(kdb);
		_exit(n);
	}
	for (i = 0; i < KIDS; i++) {
		ATF_REQUIRE_EQ(waitpid(pid[i], &st, 0), pid[i]);
		ATF_REQUIRE(WIFEXITED(st));
		ATF_REQUIRE_MSG(WEXITSTATUS(st) <= EACH, "child status %d",
		    WEXITSTATUS(st));
		made += WEXITSTATUS(st);
	}
	ATF_CHECK_MSG(made >= KIDS * EACH * 9 / 10, "%d users made", made);
	for (i = 0; i < made; i++)
		ATF_CHECK_EQ(db_user_get(db, owner + 1 + (uint32_t)i, &u),
		    DBR_OK);
	ATF_CHECK_EQ(db_user_get(db, owner + 1 + (uint32_t)made, &u),
	    DBR_NOTFOUND);
	n = db_buddy_list(db, owner, l, KIDS * EACH + 1);
	ATF_REQUIRE(n >= 0 && n <= made);
	for (i = 0; i < n; i++) {
		ATF_REQUIRE_EQ(db_buddy_of(db, l[i], of, 4), 1);
		ATF_CHECK_EQ(of[0], owner);
	}
	n = db_buddy_of(db, owner, l, KIDS * EACH + 1);
	ATF_REQUIRE(n >= 0 && n <= made);
	for (i = 0; i < n; i++)
		ATF_CHECK_EQ(db_buddy_list(db, l[i], of, 4), 1);
	db_close(db);
}

/*
 * gate - a process with a transaction of its own that holds write locks
 * (DB_RMW reads) on the nicks.db pages of two keys.  It says 'L' on out
 * once it has them, waits until two lock requests of others wait, then
 * aborts: both are granted at once.  Given a byte on in, it answers
 * with the environment's count of deadlocks (at most 255) and exits.
 */
static pid_t
gate(const char *k1, const char *k2, int *in, int *out)
{
	DB_ENV		*env;
	DB		*d;
	DB_TXN		*t;
	DB_LOCK_STAT	*ls;
	DBT		 k, v;
	uintmax_t	 base;
	unsigned char	 c;
	pid_t		 pid;
	int		 p[2], q[2], i;

	ATF_REQUIRE_EQ(pipe(p), 0);
	ATF_REQUIRE_EQ(pipe(q), 0);
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid != 0) {
		(void)close(p[1]);
		(void)close(q[0]);
		*in = p[0];
		*out = q[1];
		return pid;
	}
	(void)close(p[0]);
	(void)close(q[1]);
	memset(&v, 0, sizeof(v));
	if (db_env_create(&env, 0) != 0 ||
	    env->open(env, HOME, RAW_FLAGS, 0600) != 0 ||
	    db_create(&d, env, 0) != 0 ||
	    d->open(d, NULL, "nicks.db", NULL, DB_BTREE, DB_AUTO_COMMIT,
	    0600) != 0 ||
	    env->txn_begin(env, NULL, &t, 0) != 0)
		_exit(2);
	k = dbt(k1);
	if (d->get(d, t, &k, &v, DB_RMW) != 0)
		_exit(3);
	k = dbt(k2);
	if (d->get(d, t, &k, &v, DB_RMW) != 0 ||
	    env->lock_stat(env, &ls, 0) != 0)
		_exit(4);
	base = ls->st_lock_wait;
	free(ls);
	if (write(p[1], "L", 1) != 1)
		_exit(5);
	for (i = 0; i < 1000; i++) {
		if (env->lock_stat(env, &ls, 0) != 0)
			_exit(6);
		if (ls->st_lock_wait >= base + 2)
			break;
		free(ls);
		ls = NULL;
		(void)poll(NULL, 0, 10);
	}
	free(ls);
	if (i == 1000 || t->abort(t) != 0)
		_exit(7);
	if (read(q[0], &c, 1) != 1 || env->lock_stat(env, &ls, 0) != 0)
		_exit(8);
	c = ls->st_ndeadlocks > 255 ? 255 : (unsigned char)ls->st_ndeadlocks;
	free(ls);
	if (write(p[1], &c, 1) != 1)
		_exit(9);
	(void)d->close(d, 0);
	(void)env->close(env, 0);
	_exit(0);
}

/* renamer - a child of its own store, as pald's: uid renamed to nick */
static pid_t
renamer(uint32_t uid, const char *nick)
{
	struct db	*db;
	struct user	 u;
	pid_t		 pid;
	int		 r;

	ATF_REQUIRE((pid = fork()) != -1);
	if (pid != 0)
		return pid;
	if (db_open(&db, HOME, DBO_LAZY) != DBR_OK ||
	    db_user_get(db, uid, &u) != DBR_OK)
		_exit(100);
	(void)strlcpy(u.nick, nick, sizeof(u.nick));
	r = db_user_put(db, &u);
	db_close(db);
	_exit(r == DBR_OK ? 0 : 10 + r);
}

/*
 * deadlock_users - aaa (*p) and zzz (*q) on nicks.db pages of their own
 * with room on them: p's users.db page is not q's, the fill goes in no
 * order, so that renaming p to zzy and q to aab splits no page
 */
static void
deadlock_users(struct db *db, uint32_t *p, uint32_t *q)
{
	enum { FILL = 600 };
	char	 nick[16];
	int	 i;

	*p = mkuser(db, "aaa");
	for (i = 0; i < FILL; i++) {
		(void)snprintf(nick, sizeof(nick), "m%03d", i * 7 % FILL);
		(void)mkuser(db, nick);
	}
	(void)mkuser(db, "aac");
	(void)mkuser(db, "zzx");
	*q = mkuser(db, "zzz");
}

/*
 * Two of pald's children deadlock: each renames an account, which
 * writes the new nickname's key and deletes the old one in nicks.db,
 * and the keys of the one are on the pages of the other, in opposite
 * order.  A third process holds both pages until both children wait
 * for them, so that each then holds one page and wants the other.  The
 * children set no detection policy; the parent runs db_deadlock once a
 * second, as pald's master does, and txn_run retries the transaction
 * that the detector rejected: both renames are done.
 */
ATF_TC(two_child_deadlock);
ATF_TC_HEAD(two_child_deadlock, tc)
{
	atf_tc_set_md_var(tc, "descr", "the master's detector breaks a "
	    "deadlock of two children, and txn_run retries");
	atf_tc_set_md_var(tc, "timeout", "60");
}
ATF_TC_BODY(two_child_deadlock, tc)
{
	struct db	*db;
	struct user	 u;
	uint32_t	 p, q;
	pid_t		 g, kid[2];
	int		 i, st, left, in, out, tries;
	unsigned char	 c;

	/* as pald's master: recovered, created, no detection policy */
	db = store(DBO_RECOVER | DBO_CREATE | DBO_DETECT);
	deadlock_users(db, &p, &q);
	g = gate("aaa", "zzz", &in, &out);
	ATF_REQUIRE_EQ(read(in, &c, 1), 1);
	ATF_REQUIRE_EQ(c, 'L');
	kid[0] = renamer(p, "zzy");	/* zzy's page, then aaa's */
	kid[1] = renamer(q, "aab");	/* aab's page, then zzz's */
	for (left = 2, tries = 0; left > 0; tries++) {
		if (tries == 20) {
			for (i = 0; i < 2; i++)
				if (kid[i] != 0)
					(void)kill(kid[i], SIGKILL);
			(void)kill(g, SIGKILL);
			atf_tc_fail("the children still wait");
		}
		(void)db_deadlock(db);
		(void)poll(NULL, 0, 1000);
		for (i = 0; i < 2; i++) {
			if (kid[i] == 0 || waitpid(kid[i], &st, WNOHANG) == 0)
				continue;
			ATF_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			    "child %d: status %#x", i, st);
			kid[i] = 0;
			left--;
		}
	}
	ATF_REQUIRE_EQ(write(out, "s", 1), 1);
	ATF_REQUIRE_EQ(read(in, &c, 1), 1);
	ATF_CHECK_MSG(c >= 1, "no deadlock happened");
	ATF_REQUIRE_EQ(waitpid(g, &st, 0), g);
	ATF_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ATF_REQUIRE_EQ(db_user_by_nick(db, "zzy", &u), DBR_OK);
	ATF_CHECK_EQ(u.uid, p);
	ATF_REQUIRE_EQ(db_user_by_nick(db, "aab", &u), DBR_OK);
	ATF_CHECK_EQ(u.uid, q);
	ATF_CHECK_EQ(db_user_by_nick(db, "aaa", &u), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_user_by_nick(db, "zzz", &u), DBR_NOTFOUND);
	ATF_REQUIRE_EQ(db_user_get(db, p, &u), DBR_OK);
	ATF_CHECK_STREQ(u.nick, "zzy");
	db_close(db);
}

/*
 * The process that runs the detector is itself in the deadlock: pald's
 * store keeper may wait for a lock in a sweep while a child holds it and
 * waits for one the keeper holds.  Its detector runs in a thread of its
 * own (db_detector), so the wait ends; with the detector in the keeper's
 * only thread, both would wait for ever (this test's timeout).
 */
ATF_TC(detector_in_deadlock);
ATF_TC_HEAD(detector_in_deadlock, tc)
{
	atf_tc_set_md_var(tc, "descr", "db_detector's thread breaks a "
	    "deadlock that its own process is in");
	atf_tc_set_md_var(tc, "timeout", "60");
}
ATF_TC_BODY(detector_in_deadlock, tc)
{
	struct db	*db;
	struct user	 u;
	uint32_t	 p, q;
	pid_t		 g, kid;
	int		 st, in, out;
	unsigned char	 c;

	/* as pald's store keeper: no policy, the detector in a thread */
	db = store(DBO_RECOVER | DBO_CREATE | DBO_DETECT | DBO_THREAD);
	ATF_REQUIRE_EQ(db_detector(db), DBR_OK);
	deadlock_users(db, &p, &q);
	g = gate("aaa", "zzz", &in, &out);
	ATF_REQUIRE_EQ(read(in, &c, 1), 1);
	ATF_REQUIRE_EQ(c, 'L');
	kid = renamer(p, "zzy");	/* zzy's page, then aaa's */
	/* this thread: aab's page, then zzz's; it waits in the deadlock */
	ATF_REQUIRE_EQ(db_user_get(db, q, &u), DBR_OK);
	(void)strlcpy(u.nick, "aab", sizeof(u.nick));
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_OK);
	ATF_REQUIRE_EQ(waitpid(kid, &st, 0), kid);
	ATF_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "child: status %#x", st);
	ATF_REQUIRE_EQ(write(out, "s", 1), 1);
	ATF_REQUIRE_EQ(read(in, &c, 1), 1);
	ATF_CHECK_MSG(c >= 1, "no deadlock happened");
	ATF_REQUIRE_EQ(waitpid(g, &st, 0), g);
	ATF_REQUIRE_EQ(db_user_by_nick(db, "zzy", &u), DBR_OK);
	ATF_CHECK_EQ(u.uid, p);
	ATF_REQUIRE_EQ(db_user_by_nick(db, "aab", &u), DBR_OK);
	ATF_CHECK_EQ(u.uid, q);
	db_close(db);
}

/* aroom - a permanent room record */
static struct room
aroom(uint32_t id, uint32_t cat, const char *name)
{
	struct room	 r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.category = cat;
	r.rating = 'G';
	r.mike = 1;
	(void)strlcpy(r.name, name, sizeof(r.name));
	return r;
}

static void
t_room_records(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct room	 r = aroom(50001, 30001, "The Porch"), got, list[8];

	(void)strlcpy(r.topic, "hello there", sizeof(r.topic));
	(void)strlcpy(r.lockword, "sesame", sizeof(r.lockword));
	r.flags = ROOM_F_VOICE;
	r.owner = 1000002;
	r.admincode = 4321;
	ATF_REQUIRE_EQ(db_room_put(db, &r), DBR_OK);
	r = aroom(50002, 30002, "Elsewhere");
	ATF_REQUIRE_EQ(db_room_put(db, &r), DBR_OK);
	ATF_REQUIRE_EQ(db_room_get(db, 50001, &got), DBR_OK);
	ATF_CHECK_STREQ(got.name, "The Porch");
	ATF_CHECK_STREQ(got.topic, "hello there");
	ATF_CHECK_STREQ(got.lockword, "sesame");
	ATF_CHECK_EQ(got.flags, ROOM_F_VOICE);
	ATF_CHECK_EQ(got.owner, 1000002);
	ATF_CHECK_EQ(got.admincode, 4321);
	ATF_CHECK_EQ(got.rating, 'G');
	ATF_CHECK_EQ(db_room_by_name(db, "the PORCH", &got), DBR_OK);
	ATF_CHECK_EQ(got.id, 50001);
	ATF_CHECK_EQ(db_room_by_name(db, "nowhere", &got), DBR_NOTFOUND);
	ATF_CHECK_EQ(db_room_list(db, 0, list, 8), 2);
	ATF_CHECK_EQ(db_room_list(db, 30002, list, 8), 1);
	ATF_CHECK_EQ(list[0].id, 50002);
	/* refused: temporary ids, no name, bad rating */
	r = aroom(PALD_ROOM_TEMP_FIRST, 30001, "temp");
	ATF_CHECK_EQ(db_room_put(db, &r), DBR_LIMIT);
	r = aroom(50003, 30001, "");
	ATF_CHECK_EQ(db_room_put(db, &r), DBR_LIMIT);
	r = aroom(50003, 30001, "x");
	r.rating = 'X';
	ATF_CHECK_EQ(db_room_put(db, &r), DBR_LIMIT);
	/* delete takes the bans and the log with it */
	{
		struct rban	 b;
		struct raction	 a;

		memset(&b, 0, sizeof(b));
		b.room = 50001;
		b.kind = RBAN_BAN;
		b.uid = 1000009;
		ATF_REQUIRE_EQ(db_rban_add(db, &b), DBR_OK);
		memset(&a, 0, sizeof(a));
		(void)strlcpy(a.what, "ban", sizeof(a.what));
		ATF_REQUIRE_EQ(db_rlog_add(db, 50001, &a), DBR_OK);
	}
	ATF_CHECK_EQ(db_room_delete(db, 50001), DBR_OK);
	ATF_CHECK_EQ(db_room_get(db, 50001, &got), DBR_NOTFOUND);
	{
		struct rban	 bl[2];
		struct raction	 al[2];

		ATF_CHECK_EQ(db_rban_list(db, 50001, RBAN_BAN, bl, 2), 0);
		ATF_CHECK_EQ(db_rlog_list(db, 50001, al, 2), 0);
	}
	db_close(db);
}
BOTH(room_records)

ATF_TC_WITHOUT_HEAD(room_seed);
ATF_TC_BODY(room_seed, tc)
{
	struct db	*db = store(DBO_CREATE);
	struct room	*list;
	FILE		*fp;
	char		 path[1024];
	int		 n, i, k, cats[30];

	ATF_REQUIRE((fp = fopen("rooms.txt", "w")) != NULL);
	fprintf(fp, "# a comment\n\n50001 30001 G t First Room | Hi all\n"
	    "50002 30001 A vp Second | \n"
	    "bad line\n900000 30001 G t temp id\n50003 30002 Q t bad rating\n");
	ATF_REQUIRE(fclose(fp) == 0);
	ATF_REQUIRE_EQ(db_room_seed(db, "rooms.txt"), DBR_OK);
	ATF_REQUIRE((list = calloc(PALD_ROOMS_MAX, sizeof(*list))) != NULL);
	ATF_REQUIRE_EQ(db_room_list(db, 0, list, PALD_ROOMS_MAX), 2);
	ATF_CHECK_STREQ(list[0].name, "First Room");
	ATF_CHECK_STREQ(list[0].topic, "Hi all");
	ATF_CHECK_EQ(list[1].flags, ROOM_F_VOICE | ROOM_F_PRIVATE);
	ATF_CHECK_EQ(list[1].rating, 'A');
	/* seeded once: a second file does not count */
	ATF_REQUIRE_EQ(db_room_seed(db, "/nonexistent"), DBR_OK);
	db_close(db);
	/* the shipped file: two or more rooms in each of the 29 categories */
	ATF_REQUIRE_EQ(system("rm -rf " HOME), 0);
	db = store(DBO_CREATE);
	(void)snprintf(path, sizeof(path), "%s/../../data/rooms.txt",
	    atf_tc_get_config_var(tc, "srcdir"));
	ATF_REQUIRE_EQ(db_room_seed(db, path), DBR_OK);
	n = db_room_list(db, 0, list, PALD_ROOMS_MAX);
	ATF_CHECK(n > 58);
	memset(cats, 0, sizeof(cats));
	for (i = 0; i < n; i++)
		if (list[i].category >= 30001 && list[i].category <= 30029)
			cats[list[i].category - 30001]++;
	for (k = 0; k < 29; k++)
		ATF_CHECK_MSG(cats[k] >= 2, "category %d has %d rooms",
		    30001 + k, cats[k]);
	ATF_CHECK_EQ(list[0].id, 50001);
	ATF_CHECK_EQ(list[0].flags & ROOM_F_VOICE, 0);
	ATF_CHECK_EQ(list[1].id, 50002);
	ATF_CHECK(list[1].flags & ROOM_F_VOICE);
	free(list);
	db_close(db);
}

/*
 * room_seed_max: the list of rooms read grows with the file up to
 * PALD_ROOMS_MAX; the lines past it are not seeded, and the ones up to it
 * are all there, in order
 */
ATF_TC_WITHOUT_HEAD(room_seed_max);
ATF_TC_BODY(room_seed_max, tc)
{
	struct db	*db = store(DBO_CREATE);
	struct room	*list;
	FILE		*fp;
	int		 i;

	ATF_REQUIRE((fp = fopen("rooms.txt", "w")) != NULL);
	for (i = 0; i < PALD_ROOMS_MAX + 3; i++)
		fprintf(fp, "%d 30001 G t Room %d | topic %d\n", 50001 + i,
		    i, i);
	ATF_REQUIRE(fclose(fp) == 0);
	ATF_REQUIRE_EQ(db_room_seed(db, "rooms.txt"), DBR_OK);
	ATF_REQUIRE((list = calloc(PALD_ROOMS_MAX + 1, sizeof(*list))) !=
	    NULL);
	ATF_REQUIRE_EQ(db_room_list(db, 0, list, PALD_ROOMS_MAX + 1),
	    PALD_ROOMS_MAX);
	for (i = 0; i < PALD_ROOMS_MAX; i++) {
		ATF_CHECK_EQ(list[i].id, (uint32_t)(50001 + i));
		ATF_CHECK_EQ(list[i].category, 30001);
		ATF_CHECK_EQ(list[i].flags, 0);
		ATF_CHECK_EQ(atoi(list[i].name + 5), i);
		ATF_CHECK_EQ(atoi(list[i].topic + 6), i);
	}
	free(list);
	db_close(db);
}

static void
t_room_bans(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct rban	 b, got, list[4];

	memset(&b, 0, sizeof(b));
	b.room = 50001;
	b.kind = RBAN_BOUNCE;
	b.uid = 1000003;
	b.by = 1000002;
	b.time = 1000;
	b.until = 1000 + 86400;
	(void)strlcpy(b.reason, "spam", sizeof(b.reason));
	ATF_REQUIRE_EQ(db_rban_add(db, &b), DBR_OK);
	ATF_CHECK_EQ(db_rban_check(db, 50001, 1000003, 2000, &got), DBR_OK);
	ATF_CHECK_EQ(got.kind, RBAN_BOUNCE);
	ATF_CHECK_EQ(got.by, 1000002);
	ATF_CHECK_STREQ(got.reason, "spam");
	ATF_CHECK_EQ(db_rban_check(db, 50002, 1000003, 2000, &got),
	    DBR_NOTFOUND);
	/* expired: no longer counts, and is gone */
	ATF_CHECK_EQ(db_rban_check(db, 50001, 1000003, 1000 + 86400, &got),
	    DBR_NOTFOUND);
	ATF_CHECK_EQ(db_rban_check(db, 50001, 1000003, 2000, &got),
	    DBR_NOTFOUND);
	/* a ban lasts until it is lifted */
	b.kind = RBAN_BAN;
	b.until = 0;
	ATF_REQUIRE_EQ(db_rban_add(db, &b), DBR_OK);
	ATF_CHECK_EQ(db_rban_list(db, 50001, RBAN_BAN, list, 4), 1);
	ATF_CHECK_EQ(list[0].uid, 1000003);
	ATF_CHECK_EQ(db_rban_list(db, 50001, RBAN_BOUNCE, list, 4), 0);
	ATF_CHECK_EQ(db_rban_check(db, 50001, 1000003, INT64_MAX - 1, &got),
	    DBR_OK);
	ATF_CHECK_EQ(db_rban_del(db, 50001, RBAN_BAN, 1000003), DBR_OK);
	ATF_CHECK_EQ(db_rban_check(db, 50001, 1000003, 2000, &got),
	    DBR_NOTFOUND);
	/* Clear All: every ban of the room, bounces and other rooms kept */
	for (b.uid = 1000003; b.uid < 1000006; b.uid++)
		ATF_REQUIRE_EQ(db_rban_add(db, &b), DBR_OK);
	b.room = 50002;
	ATF_REQUIRE_EQ(db_rban_add(db, &b), DBR_OK);
	b.room = 50001;
	b.kind = RBAN_BOUNCE;
	b.until = INT64_MAX;
	ATF_REQUIRE_EQ(db_rban_add(db, &b), DBR_OK);
	ATF_CHECK_EQ(db_rban_list(db, 50001, RBAN_BAN, list, 4), 3);
	ATF_CHECK_EQ(db_rban_clear(db, 50001, RBAN_BAN), DBR_OK);
	ATF_CHECK_EQ(db_rban_list(db, 50001, RBAN_BAN, list, 4), 0);
	ATF_CHECK_EQ(db_rban_list(db, 50001, RBAN_BOUNCE, list, 4), 1);
	ATF_CHECK_EQ(db_rban_list(db, 50002, RBAN_BAN, list, 4), 1);
	ATF_CHECK_EQ(db_rban_clear(db, 50001, RBAN_BOUNCE), DBR_OK);
	ATF_CHECK_EQ(db_rban_list(db, 50001, RBAN_BOUNCE, list, 4), 0);
	ATF_CHECK_EQ(db_rban_clear(db, 50001, RBAN_BOUNCE), DBR_OK);
	ATF_CHECK_EQ(db_rban_clear(db, 50001, 7), DBR_LIMIT);
	db_close(db);
}
BOTH(room_bans)

static void
t_room_log(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct raction	 a, *list;
	int		 i, n;

	ATF_REQUIRE((list = calloc(PALD_ROOMLOG_MAX + 10,
	    sizeof(*list))) != NULL);
	for (i = 0; i < PALD_ROOMLOG_MAX + 5; i++) {
		memset(&a, 0, sizeof(a));
		a.time = i;
		a.by = 1000002;
		a.whom = (uint32_t)i;
		(void)strlcpy(a.what, "bounce", sizeof(a.what));
		ATF_REQUIRE_EQ(db_rlog_add(db, 50001, &a), DBR_OK);
	}
	n = db_rlog_list(db, 50001, list, PALD_ROOMLOG_MAX + 10);
	ATF_CHECK_EQ(n, PALD_ROOMLOG_MAX);
	ATF_CHECK_EQ(list[0].whom, 5);
	ATF_CHECK_EQ(list[n - 1].whom, PALD_ROOMLOG_MAX + 4);
	/* the newest three, oldest first */
	ATF_CHECK_EQ(db_rlog_list(db, 50001, list, 3), 3);
	ATF_CHECK_EQ(list[0].whom, PALD_ROOMLOG_MAX + 2);
	ATF_CHECK_EQ(list[2].whom, PALD_ROOMLOG_MAX + 4);
	ATF_CHECK_STREQ(list[2].what, "bounce");
	free(list);
	db_close(db);
}
BOTH(room_log)

static void
t_server_bans(const atf_tc_t *tc)
{
	struct db	*db = store(DBO_CREATE);
	struct ban	 b, got, list[8];

	memset(&b, 0, sizeof(b));
	b.kind = BAN_NICK;
	(void)strlcpy(b.what, "Mallory", sizeof(b.what));
	b.until = 5000;
	ATF_REQUIRE_EQ(db_ban_add(db, &b), DBR_OK);
	b.kind = BAN_CIDR;
	(void)strlcpy(b.what, "192.0.2.0/24", sizeof(b.what));
	b.until = 0;
	ATF_REQUIRE_EQ(db_ban_add(db, &b), DBR_OK);
	b.kind = BAN_CIDR;
	(void)strlcpy(b.what, "2001:db8::/32", sizeof(b.what));
	ATF_REQUIRE_EQ(db_ban_add(db, &b), DBR_OK);
	b.kind = BAN_ADDR;
	(void)strlcpy(b.what, "198.51.100.7", sizeof(b.what));
	ATF_REQUIRE_EQ(db_ban_add(db, &b), DBR_OK);
	(void)strlcpy(b.what, "not-an-address", sizeof(b.what));
	ATF_CHECK_EQ(db_ban_add(db, &b), DBR_LIMIT);
	b.kind = BAN_CIDR;
	(void)strlcpy(b.what, "10.0.0.0/33", sizeof(b.what));
	ATF_CHECK_EQ(db_ban_add(db, &b), DBR_LIMIT);
	ATF_CHECK_EQ(db_ban_check(db, "mallory", "127.0.0.1", 100, &got),
	    DBR_OK);
	ATF_CHECK_EQ(got.kind, BAN_NICK);
	ATF_CHECK_EQ(db_ban_check(db, "mallory", "127.0.0.1", 5000, &got),
	    DBR_NOTFOUND);
	ATF_CHECK_EQ(db_ban_check(db, "alice", "192.0.2.77", 100, &got),
	    DBR_OK);
	ATF_CHECK_EQ(got.kind, BAN_CIDR);
	ATF_CHECK_EQ(db_ban_check(db, NULL, "192.0.3.1", 100, &got),
	    DBR_NOTFOUND);
	ATF_CHECK_EQ(db_ban_check(db, NULL, "2001:db8:1::5", 100, &got),
	    DBR_OK);
	ATF_CHECK_EQ(db_ban_check(db, NULL, "198.51.100.7", 100, &got),
	    DBR_OK);
	/* the nick ban ran out in 1970 */
	ATF_CHECK_EQ(db_ban_list(db, list, 8), 3);
	ATF_CHECK_EQ(db_ban_del(db, BAN_ADDR, "198.51.100.7"), DBR_OK);
	ATF_CHECK_EQ(db_ban_check(db, NULL, "198.51.100.7", 100, &got),
	    DBR_NOTFOUND);
	db_close(db);
}
BOTH(server_bans)

/* junk - len bytes to the store socket, the sending side then shut */
static void
junk(const void *b, size_t len, int shut)
{
	struct sockaddr_un sun;
	struct timeval	 tv = { 10, 0 };
	char		 sink[512];
	ssize_t		 n;
	int		 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)strlcpy(sun.sun_path, SOCK, sizeof(sun.sun_path));
	ATF_REQUIRE((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	ATF_REQUIRE(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	ATF_REQUIRE(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == 0);
	if (len > 0)
		ATF_REQUIRE(send(fd, b, len, MSG_NOSIGNAL) == (ssize_t)len);
	if (shut)
		(void)shutdown(fd, SHUT_WR);
	/* whatever it answers, until it closes (or 10 s, then fail) */
	while ((n = read(fd, sink, sizeof(sink))) > 0)
		;
	ATF_REQUIRE_MSG(n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK),
	    "the store process kept the connection open");
	(void)close(fd);
}

/* alive - the store process still runs and answers */
static void
alive(struct db *db, uint32_t uid, const char *what)
{
	struct user	 u;

	ATF_REQUIRE_MSG(waitpid(served, NULL, WNOHANG) == 0,
	    "the store process died of %s", what);
	ATF_REQUIRE_EQ_MSG(db_user_get(db, uid, &u), DBR_OK, "after %s", what);
	ATF_REQUIRE_STREQ(u.nick, "alice");
}

ATF_TC(remote_bad_requests);
ATF_TC_HEAD(remote_bad_requests, tc)
{
	atf_tc_set_md_var(tc, "descr", "a store process survives any bytes "
	    "a caller sends: every length 0..64, random bytes, lies about "
	    "lengths, unknown calls, strings without their end");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(remote_bad_requests, tc)
{
	struct db	*db;
	struct rq_hdr	 q;
	struct user	 u;
	unsigned char	 b[sizeof(q) + 8192];
	uint32_t	 alice, op;
	size_t		 i, len;

	remote = 1;
	db = store(DBO_CREATE);
	alice = mkuser(db, "alice");
	srandom(42);
	/* every length, of random bytes and of a real header's */
	for (len = 0; len <= 64; len++) {
		for (i = 0; i < len; i++)
			b[i] = (unsigned char)random();
		junk(b, len, 1);
		q.magic = RQ_MAGIC;
		q.op = 0;
		q.len = 16;
		q.max = 1;
		memcpy(b, &q, sizeof(q));
		junk(b, len, 1);
	}
	alive(db, alice, "short requests");
	/* every call, and some that are none, with lying lengths and max */
	for (op = 0; op < 64; op++) {
		q.magic = RQ_MAGIC;
		q.op = op;
		q.max = op % 2 ? -1 : INT32_MAX;
		for (len = 0; len < 3; len++) {
			q.len = len == 0 ? UINT32_MAX : len == 1 ? 8 : 4096;
			memcpy(b, &q, sizeof(q));
			memset(b + sizeof(q), 0xff, 8192);
			junk(b, sizeof(q) + 8192, 1);
		}
	}
	alive(db, alice, "lying lengths");
	/* random requests, half of them with the magic */
	for (i = 0; i < 300; i++) {
		len = (size_t)random() % sizeof(b);
		for (op = 0; op < len; op++)
			b[op] = (unsigned char)random();
		if (i % 2 && len >= 4) {
			q.magic = RQ_MAGIC;
			memcpy(b, &q.magic, 4);
		}
		junk(b, len, 1);
	}
	alive(db, alice, "random requests");
	/* an account whose strings do not end: refused, nothing written */
	memset(&u, 'x', sizeof(u));
	u.uid = alice;
	u.admin = 0;
	ATF_CHECK_EQ(db_user_put(db, &u), DBR_LIMIT);
	ATF_CHECK_EQ(db_user_create(db, &u), DBR_LIMIT);
	alive(db, alice, "strings without an end");
	/* requests cut short and left open: dropped (one after a bound) */
	for (len = 0; len <= 64; len++) {
		q.magic = RQ_MAGIC;
		q.op = 0;
		q.len = (uint32_t)len;
		q.max = 1;
		memcpy(b, &q, sizeof(q));
		junk(b, sizeof(q) + 3, 0);
	}
	alive(db, alice, "requests cut short");
	db_close(db);
}

/* A store process gone: callers learn it in time; reads go on. */
ATF_TC(remote_server_gone);
ATF_TC_HEAD(remote_server_gone, tc)
{
	atf_tc_set_md_var(tc, "descr", "a call to a store process that "
	    "does not answer fails within the wait; with none, at once");
	atf_tc_set_md_var(tc, "timeout", "60");
}
ATF_TC_BODY(remote_server_gone, tc)
{
	struct db	*db;
	struct user	 u;
	uint32_t	 l[4], alice;
	time_t		 t0;
	int		 st;

	remote = 1;
	db = store(DBO_CREATE);
	alice = mkuser(db, "alice");
	db_remote_wait(db, 2);
	/* stopped: the request waits in the backlog, then DBR_AGAIN */
	ATF_REQUIRE(kill(served, SIGSTOP) == 0);
	t0 = time(NULL);
	ATF_CHECK_EQ(db_user_get(db, alice, &u), DBR_AGAIN);
	ATF_CHECK_EQ(db_buddy_list(db, alice, l, 4), DBR_FATAL);
	ATF_CHECK_EQ(db_blocks(db, alice, alice), DBR_FATAL);
	ATF_CHECK(time(NULL) - t0 <= 10);
	/* gone, socket and all: at once */
	ATF_REQUIRE(kill(served, SIGKILL) == 0);
	ATF_REQUIRE_EQ(waitpid(served, &st, 0), served);
	ATF_REQUIRE(unlink(SOCK) == 0);
	t0 = time(NULL);
	ATF_CHECK_EQ(db_user_get(db, alice, &u), DBR_AGAIN);
	ATF_CHECK_EQ(db_offline_put(db, alice, alice, 1, "x", 1), DBR_AGAIN);
	ATF_CHECK(time(NULL) - t0 <= 1);
	/* a new one on the same socket: the same handle works again */
	serve();
	ATF_CHECK_EQ(db_user_get(db, alice, &u), DBR_OK);
	db_close(db);
}

/* The lock: recovery waits for the processes that have the store open. */
ATF_TC(lock_recovery);
ATF_TC_HEAD(lock_recovery, tc)
{
	atf_tc_set_md_var(tc, "descr", "a recovering open is refused while "
	    "another process has the store open, and goes on once it left");
	atf_tc_set_md_var(tc, "timeout", "90");
}
ATF_TC_BODY(lock_recovery, tc)
{
	struct db	*db = store(DBO_CREATE);
	pid_t		 pid;
	int		 p[2], st, fd;
	char		 c;

	db_close(db);
	ATF_REQUIRE(pipe(p) == 0);
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		/* another process: the store open until the pipe ends */
		(void)close(p[1]);
		if (db_open(&db, HOME, 0) != DBR_OK)
			_exit(2);
		(void)read(p[0], &c, 1);
		db_close(db);
		_exit(0);
	}
	(void)close(p[0]);
	/* the lock is taken when the open returns: wait for a shared one */
	for (st = 0; st < 200; st++) {
		ATF_REQUIRE((fd = db_lock(HOME, DBL_EXCL, 0)) == -1 ||
		    close(fd) == 0);
		if (fd == -1)
			break;
		(void)poll(NULL, 0, 50);
	}
	ATF_REQUIRE_MSG(fd == -1, "the other process holds no lock");
	ATF_CHECK_EQ(db_open(&db, HOME, DBO_RECOVER), DBR_FATAL);
	/* shared openers are let in beside it */
	ATF_REQUIRE_EQ(db_open(&db, HOME, DBO_FAILCHK), DBR_OK);
	db_close(db);
	/* it leaves: recovery goes on */
	ATF_REQUIRE(close(p[1]) == 0);
	ATF_REQUIRE_EQ(waitpid(pid, &st, 0), pid);
	ATF_REQUIRE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ATF_REQUIRE_EQ(db_open(&db, HOME, DBO_RECOVER), DBR_OK);
	db_close(db);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, open_close_reopen);
	ATF_TP_ADD_TC(tp, open_without_create);
	ATF_TP_ADD_TC(tp, db_config);
	ATF_TP_ADD_TC(tp, user_create);
	ATF_TP_ADD_TC(tp, remote_user_create);
	ATF_TP_ADD_TC(tp, user_duplicate);
	ATF_TP_ADD_TC(tp, remote_user_duplicate);
	ATF_TP_ADD_TC(tp, user_invalid);
	ATF_TP_ADD_TC(tp, remote_user_invalid);
	ATF_TP_ADD_TC(tp, user_get);
	ATF_TP_ADD_TC(tp, remote_user_get);
	ATF_TP_ADD_TC(tp, user_put);
	ATF_TP_ADD_TC(tp, remote_user_put);
	ATF_TP_ADD_TC(tp, user_delete_cascade);
	ATF_TP_ADD_TC(tp, remote_user_delete_cascade);
	ATF_TP_ADD_TC(tp, search);
	ATF_TP_ADD_TC(tp, remote_search);
	ATF_TP_ADD_TC(tp, buddies);
	ATF_TP_ADD_TC(tp, remote_buddies);
	ATF_TP_ADD_TC(tp, buddy_limit);
	ATF_TP_ADD_TC(tp, remote_buddy_limit);
	ATF_TP_ADD_TC(tp, blocks);
	ATF_TP_ADD_TC(tp, remote_blocks);
	ATF_TP_ADD_TC(tp, offline);
	ATF_TP_ADD_TC(tp, remote_offline);
	ATF_TP_ADD_TC(tp, categories);
	ATF_TP_ADD_TC(tp, categories_shipped);
	ATF_TP_ADD_TC(tp, passwords);
	ATF_TP_ADD_TC(tp, old_version_read);
	ATF_TP_ADD_TC(tp, schema_upgrade);
	ATF_TP_ADD_TC(tp, user_extras);
	ATF_TP_ADD_TC(tp, remote_user_extras);
	ATF_TP_ADD_TC(tp, schema_newer);
	ATF_TP_ADD_TC(tp, failchk_killed_writer);
	ATF_TP_ADD_TC(tp, failchk_open);
	ATF_TP_ADD_TC(tp, recover_after_exit);
	ATF_TP_ADD_TC(tp, concurrent_writers);
	ATF_TP_ADD_TC(tp, two_child_deadlock);
	ATF_TP_ADD_TC(tp, detector_in_deadlock);
	ATF_TP_ADD_TC(tp, room_records);
	ATF_TP_ADD_TC(tp, remote_room_records);
	ATF_TP_ADD_TC(tp, room_seed);
	ATF_TP_ADD_TC(tp, room_seed_max);
	ATF_TP_ADD_TC(tp, room_bans);
	ATF_TP_ADD_TC(tp, remote_room_bans);
	ATF_TP_ADD_TC(tp, room_log);
	ATF_TP_ADD_TC(tp, remote_room_log);
	ATF_TP_ADD_TC(tp, server_bans);
	ATF_TP_ADD_TC(tp, remote_server_bans);
	ATF_TP_ADD_TC(tp, remote_bad_requests);
	ATF_TP_ADD_TC(tp, remote_server_gone);
	ATF_TP_ADD_TC(tp, lock_recovery);
	return atf_no_error();
}
