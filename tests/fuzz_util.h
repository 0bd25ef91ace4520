/*
 * tests/fuzz_util.h - what the libFuzzer harnesses that need a store or
 * a table share (tests/fuzz_util.c).
 */
#ifndef PALD_FUZZ_UTIL_H
#define PALD_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct pald_conf;

/*
 * fz_dir - a scratch directory of the process's own (under TMPDIR),
 * removed at exit; name (may be NULL) is made in it and its path given.
 */
const char	*fz_dir(const char *);
/* fz_rmtree - remove a directory and what it holds */
void		 fz_rmtree(const char *);
/* fz_quiet - pald's log and the store's to stderr (make fuzz-run closes it) */
void		 fz_quiet(void);
/* fz_conf - the defaults, with the rate limits out of a fuzzer's way */
void		 fz_conf(struct pald_conf *);
/*
 * fz_store - a new store in dir, seeded with data/'s categories and
 * rooms (the harness runs from the top of the tree) and the system user
 */
struct db	*fz_store(const char *, const struct pald_conf *);
/* fz_user - an account nick with password pw (a cheap hash); its uid */
uint32_t	 fz_user(struct db *, const char *, const char *, int);

/* fz_password - uid's password is pw again (a cheap hash) */
void		 fz_password(struct db *, uint32_t, const char *);

#endif /* PALD_FUZZ_UTIL_H */
