/*
 * lograte.c - log_rate: how many lines a minute the log takes about one
 * client address, counted across all of pald's processes.
 *
 * log.c asks its gate about every line that names a client address
 * ("[%s]: ..."); the gate set here answers from the shared table
 * (table_lines), so that the lines of every session's process, the
 * master's and the voice child's about one address count together.  In
 * a window of PALD_LOG_WINDOW seconds that opens at an address's first
 * line, log_rate lines in all and PALD_LOG_KIND of one kind (one format)
 * are logged; the rest are counted, and once the window has ended the
 * first process to log anything, or the master's once-a-second
 * log_tick, says how many were held back ("N more lines about this
 * address suppressed").  log_rate 0 lets every line through.
 */
#include <sys/types.h>

#include <stdint.h>

#include "log.h"
#include "lograte.h"
#include "pald.h"
#include "store/table.h"

#define ENDED_MAX	16	/* summaries handed on at a time */

static struct table	*rtab;
static const int	*rrate;

/* ended - the windows that ended with lines held back, summed up */
static void
ended(void *arg)
{
	struct tlines	 e[ENDED_MAX];
	int		 i, n;

	n = table_lines_ended(rtab, PALD_LOG_WINDOW, e, ENDED_MAX);
	for (i = 0; i < n; i++)
		log_held(e[i].addr, e[i].dropped);
}

/* pass - may a line of kind about addr be logged? */
static int
pass(void *arg, const char *addr, uint32_t kind)
{
	int	 rate = *rrate;

	if (rate <= 0)
		return 1;
	ended(arg);
	return table_lines(rtab, addr, kind, rate < PALD_LOG_KIND ? rate :
	    PALD_LOG_KIND, rate, PALD_LOG_WINDOW);
}

/*
 * lograte_init - the gate of this process (and of the children it forks
 * from now on): the counts in tab, the limit read from *rate at each line
 * (a configuration the process follows)
 */
void
lograte_init(struct table *tab, const int *rate)
{
	rtab = tab;
	rrate = rate;
	log_setgate(pass, ended, NULL);
}
