/*
 * store/lock.c - the data home's lock file, DBL_FILE (see db.h).
 *
 * Berkeley DB's recovery is for one process alone: run while another
 * has the environment open, it pulls the regions from under that
 * process, which then panics.  So every process that opens the
 * environment holds a shared fcntl lock on the first byte of DBL_FILE
 * for as long as it has it open, and recovery takes the lock exclusive
 * (env.c does both; pald's master holds it too, see pald.c).  The
 * kernel drops a process's locks when it dies, so a crash leaves no
 * stale lock, and a lock that is held names a process that is alive
 * (F_GETLK).  Waiting is bounded: a caller that cannot have the lock in
 * time is told which process holds it, in the log.
 *
 * fcntl locks belong to a process, not to a descriptor: they are not
 * inherited across fork, and closing any descriptor of the file drops
 * all of the process's locks on it.  Each process keeps one descriptor
 * open, with close-on-exec.  Berkeley DB's own utilities (db5.3_*) take
 * no such lock.  Touches nothing else.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "slog.h"

#define LOCK_NAP	50	/* ms between tries */

/* lock_try - how on fd at once: 0; 1 if busy (*who holds it); -1 */
static int
lock_try(int fd, int how, pid_t *who)
{
	struct flock	 fl;

	fl.l_type = how == DBL_EXCL ? F_WRLCK : F_RDLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 1;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	if (errno != EAGAIN && errno != EACCES)
		return -1;
	fl.l_type = how == DBL_EXCL ? F_WRLCK : F_RDLCK;
	fl.l_pid = 0;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		*who = fl.l_pid;
	return 1;
}

int
db_relock(int fd, const char *home, int how, int secs)
{
	time_t	 until = time(NULL) + secs;
	pid_t	 who = 0;
	int	 r;

	while ((r = lock_try(fd, how, &who)) == 1 && time(NULL) < until)
		(void)poll(NULL, 0, LOCK_NAP);
	if (r == -1)
		slog_warn("db: %s/%s: lock", home, DBL_FILE);
	else if (r == 1 && how == DBL_EXCL)
		slog_warnx("db: %s: the store is in use by process %ld: stop "
		    "it (or the pald it belongs to), or wait for it to end, "
		    "then try again", home, (long)who);
	else if (r == 1)
		slog_warnx("db: %s: the store is being recovered by process "
		    "%ld: try again when it is done", home, (long)who);
	return r == 0 ? 0 : -1;
}

int
db_lock(const char *home, int how, int secs)
{
	char	 path[PATH_MAX];
	int	 fd, n;

	n = snprintf(path, sizeof(path), "%s/%s", home, DBL_FILE);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		slog_warnx("db: %s: path too long", home);
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		slog_warn("db: %s", path);
		return -1;
	}
	if (db_relock(fd, home, how, secs) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}
