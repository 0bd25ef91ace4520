/*
 * keeper.c - the store keeper, "pald: store".
 *
 * NAME
 *	keeper_main - the child that looks after the Berkeley DB environment
 * DESCRIPTION
 *	The master opens and recovers the store at start, then closes it
 *	and never calls Berkeley DB again while any other process uses the
 *	environment: a child that dies inside BDB (holding a region mutex,
 *	or waiting for a lock) can make the next BDB call of any process
 *	wait for ever, and a master waiting for ever is the whole service
 *	down.  Whatever the master did with the store is done here: the
 *	deadlock detector once a second (in a thread of its own, so that
 *	a deadlock the keeper is in is broken too), a checkpoint every
 *	checkpoint seconds, failchk when the master says that a store
 *	process ended abnormally, the sweep of dead table slots (their
 *	buddies and rooms are told) every SWEEP_SECS and after each
 *	abnormal end of any child, and the system user when the
 *	configuration the master publishes in the table changes.  The
 *	sessions' own calls are the store processes' (storesrv.c); the
 *	keeper, like them, opens the store directly.
 *
 *	The master talks to the keeper through a pipe, one byte a command
 *	(KC_* in keeper.h), and never waits for it; the keeper writes a
 *	byte on a second pipe each time round its loop, at least once a
 *	second, and KH_FAILCHK when a failchk is done.  A keeper that stays
 *	silent KEEPER_STUCK seconds, or whose failchk does not end within
 *	KEEPER_FAILCHK seconds, is taken for wedged in the environment, and
 *	so is one that exits with KEEPER_RECOVER (failchk asked for
 *	recovery); the master then recovers the store in place (pald.c,
 *	recover_in_place).  failchk wedges when the dead process was
 *	waiting for a lock: glibc's pthread_cond_destroy then waits for
 *	that waiter for ever (libdb 5.3.28, glibc 2.36).
 *
 *	Signals: SIGTERM, SIGINT and SIGHUP are ignored (pald.c sets that
 *	before keeper_main); only the master's pipe and SIGKILL stop it.
 *	The end of file on that pipe, the master's death, makes it close
 *	the store as at a shutdown, checkpoint first.
 * DIAGNOSTICS
 *	"failchk failed: the store needs recovery", then exit status
 *	KEEPER_RECOVER.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "keeper.h"
#include "log.h"
#include "pald.h"
#include "p2p.h"
#include "room.h"
#include "session.h"
#include "store/db.h"
#include "store/table.h"

#define SWEEP_SECS	10	/* a sweep at least this often (inetd's dead) */

struct keeper {
	struct db		*db;
	struct table		*tab;
	struct pald_conf	*conf;
	uint32_t		 confseen;	/* table_conf_get's mark */
	int			 cmd, hb;
	int			 shutting;	/* KC_SHUT seen */
	int			 asked;		/* KC_FAILCHK read, not done */
	time_t			 nextcp, nextsweep;
};

/* keeper_beat - tell the master we are not stuck */
static void
keeper_beat(struct keeper *k)
{
	char	 beat = 0;

	(void)write(k->hb, &beat, 1);	/* full: the master is slow */
}

/*
 * sweep_cb - a dead session found in the table: tell its buddies.  A
 * heartbeat each: after thousands of deaths the sweep is long, not stuck.
 */
static void
sweep_cb(void *arg, const struct tsess *ts)
{
	struct keeper	*k = arg;

	keeper_beat(k);
	room_gone(k->db, k->tab, ts);
	p2p_gone(k->tab, ts);
	presence_gone(k->db, k->tab, ts);
}

/*
 * keeper_failchk - clean up after dead processes, say so to the master
 * (a KH_FAILCHK for each KC_FAILCHK it answers: the master bounds the
 * time failchk may take), then sweep their slots
 */
static void
keeper_failchk(struct keeper *k)
{
	char	 done[64];

	if (db_failchk(k->db) != DBR_OK) {
		log_warnx("failchk failed: the store needs recovery");
		_exit(KEEPER_RECOVER);	/* hands off the store */
	}
	memset(done, KH_FAILCHK, sizeof(done));
	while (k->asked > 0) {
		(void)write(k->hb, done, k->asked > 64 ? 64 : (size_t)k->asked);
		k->asked -= k->asked > 64 ? 64 : k->asked;
	}
	(void)table_sweep(k->tab, sweep_cb, k);
	k->nextsweep = time(NULL) + SWEEP_SECS;
}

/* keeper_close - KC_CLOSE: checkpoint and close the store, exit 0 */
static __dead void
keeper_close(struct keeper *k)
{
	if (db_checkpoint(k->db) != DBR_OK)
		log_warnx("checkpoint failed");
	db_close(k->db);
	table_close(k->tab);
	_exit(0);
}

/*
 * keeper_read - the master's commands: KC_FAILCHK (2 returned) or
 * KC_SWEEP (1) asked for; the end of file means that the master is
 * gone, and the keeper checkpoints and closes the store as at a
 * shutdown (the store processes close theirs too), so that the next
 * start finds it clean.
 */
static int
keeper_read(struct keeper *k)
{
	char	 b[64];
	ssize_t	 n, i;
	int	 what = 0;

	while ((n = read(k->cmd, b, sizeof(b))) > 0)
		for (i = 0; i < n; i++)
			switch (b[i]) {
			case KC_FAILCHK:
				what = 2;
				k->asked++;
				break;
			case KC_SWEEP:
				if (what == 0)
					what = 1;
				break;
			case KC_SHUT:
				k->shutting = 1;
				break;
			case KC_CLOSE:
				keeper_close(k);
				/* NOTREACHED */
			}
	if (n == 0) {
		log_warnx("the master is gone: closing the store");
		keeper_close(k);
	}
	return k->shutting ? 0 : what;
}

/* keeper_conf - a new configuration in the table: the system user */
static void
keeper_conf(struct keeper *k)
{
	struct pald_conf nc;

	if (table_conf_get(k->tab, &k->confseen, &nc) != 1)
		return;
	*k->conf = nc;
	if (!k->shutting)
		(void)admin_sysuser(k->db, k->conf);
}

/* keeper_timers - the checkpoint and the periodic sweep */
static void
keeper_timers(struct keeper *k, time_t now)
{
	if (k->shutting)
		return;
	if (now >= k->nextcp) {
		if (db_checkpoint(k->db) != DBR_OK)
			log_warnx("checkpoint failed");
		k->nextcp = now + k->conf->checkpoint;
	}
	/* slots of processes that died unseen (inetd instances) */
	if (now >= k->nextsweep) {
		(void)table_sweep(k->tab, sweep_cb, k);
		k->nextsweep = now + SWEEP_SECS;
	}
}

__dead void
keeper_main(int cmd, int hb, struct table *tab, struct pald_conf *conf)
{
	struct keeper	 k;
	struct pollfd	 pfd;

	memset(&k, 0, sizeof(k));
	k.tab = tab;
	k.conf = conf;
	k.cmd = cmd;
	k.hb = hb;
	(void)table_conf_get(tab, &k.confseen, conf);
	if (db_open(&k.db, conf->dbhome, DBO_DETECT | DBO_THREAD |
	    DBO_SUPERVISED) != DBR_OK ||
	    db_detector(k.db) != DBR_OK) {
		log_warnx("%s: cannot open the store", conf->dbhome);
		_exit(KEEPER_RECOVER);
	}
	k.nextcp = time(NULL) + conf->checkpoint;
	/* a keeper before us may have died in the store, or left slots */
	k.asked = 1;
	keeper_failchk(&k);
	for (;;) {
		keeper_beat(&k);
		pfd.fd = cmd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
			fatal("poll");
		switch (keeper_read(&k)) {
		case 2:
			keeper_failchk(&k);
			break;
		case 1:
			(void)table_sweep(k.tab, sweep_cb, &k);
			k.nextsweep = time(NULL) + SWEEP_SECS;
			break;
		}
		keeper_conf(&k);
		keeper_timers(&k, time(NULL));
	}
}
