/*
 * storesrv.c - a store process, "pald: store".
 *
 * NAME
 *	storesrv_main - run the sessions' store calls
 * DESCRIPTION
 *	In daemon mode no session's process touches Berkeley DB: its store
 *	is remote (store/db.h, DBO_REMOTE), and each of its db_* calls is
 *	a request on the store socket, which pald's master binds at start
 *	and keeps for its whole life.  A few store processes (store_processes
 *	in pald.conf) accept on it, one connection at a time each: read the
 *	request, run the call on a store of their own, opened directly,
 *	write the answer, close (db_serve).  A call that waits for a lock
 *	holds one store process; the others go on, and the keeper's
 *	deadlock detector ends deadlocks.
 *
 *	So a session's process may die at any moment, killed or crashed,
 *	and leave nothing in the environment: no mutex, no transaction, no
 *	failchk to run.  A store process that dies inside a call is what
 *	may leave the environment needing recovery; then pald's master
 *	stops the store processes and the keeper alone, recovers the store
 *	and starts them again, while the sessions' requests wait in the
 *	socket's backlog (pald.c, recover_in_place).
 *
 *	A store process stops at the end of file on its pipe from the
 *	master: when the master closes it (shutdown) or dies.  It finishes
 *	the call in hand and closes its store first.  SIGTERM, SIGINT and
 *	SIGHUP are ignored (pald.c sets that): only the master stops it,
 *	after the sessions' last calls.
 * DIAGNOSTICS
 *	"cannot open the store", then exit status STORE_RECOVER: the master
 *	takes it for a store that needs recovery.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "log.h"
#include "storesrv.h"
#include "store/db.h"

#define ACCEPT_PAUSE	100	/* ms, after EMFILE and the like */

__dead void
storesrv_main(int lfd, int stop, const char *dbhome)
{
	struct pollfd	 pfd[2];
	struct db	*db;
	int		 fd;

	if (db_open(&db, dbhome, DBO_DETECT | DBO_SUPERVISED) != DBR_OK) {
		log_warnx("%s: cannot open the store", dbhome);
		_exit(STORE_RECOVER);
	}
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = stop;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("store: poll");
		}
		if (pfd[1].revents != 0)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			/* another store process took it, or none is left */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("store: accept");
				(void)poll(NULL, 0, ACCEPT_PAUSE);
			}
			continue;
		}
		(void)db_serve(db, fd);
		(void)close(fd);
	}
	db_close(db);
	_exit(0);
}
