/*
 * storesrv.h - a store process, "pald: store" (storesrv.c): the
 * sessions' Berkeley DB calls, run for them.
 */
#ifndef PALD_STORESRV_H
#define PALD_STORESRV_H

#include "log.h"

#define STORE_RECOVER	3	/* exit status: the store needs recovery */

/*
 * storesrv_main - accept on the store socket lfd and answer one request
 * a connection on the store in dbhome, until the end of file on stop
 */
__dead void	 storesrv_main(int, int, const char *);

#endif /* PALD_STORESRV_H */
