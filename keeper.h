/*
 * keeper.h - the store keeper: the child that looks after the Berkeley DB
 * environment for the master (see keeper.c).
 */
#ifndef PALD_KEEPER_H
#define PALD_KEEPER_H

#include "log.h"
#include "pald.h"

struct table;

/* What the master writes on the keeper's command pipe, a byte each. */
#define KC_FAILCHK	'f'	/* a store user ended abnormally: failchk, sweep */
#define KC_SWEEP	'w'	/* a session ended abnormally: sweep */
#define KC_SHUT		's'	/* shutting down: the detector only */
#define KC_CLOSE	'c'	/* checkpoint, close the store, exit 0 */

/* What the keeper writes on its heartbeat pipe: any byte, and this one
 * once a failchk is done. */
#define KH_FAILCHK	'F'

#define KEEPER_RECOVER	3	/* exit status: the store needs recovery */
#define KEEPER_FAILCHK	3	/* seconds a failchk may take, then wedged */
#define KEEPER_STUCK	15	/* seconds of silence that mean wedged */
#define KEEPER_RESTART	5	/* seconds between restarts by the master */
#define KEEPER_WAIT	15	/* seconds to close the store at shutdown */

/*
 * keeper_main - run the keeper on the store of c until the master says
 * KC_CLOSE or goes away (end of file on cmd).  A byte goes to hb each
 * loop, at least once a second, while the keeper is not stuck.
 */
__dead void	 keeper_main(int, int, struct table *, struct pald_conf *);

#endif /* PALD_KEEPER_H */
