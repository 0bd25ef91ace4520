/*
 * tests/fuzz_seed.c - a libFuzzer harness for the seed readers of
 * store/rooms.c: the files of categories and permanent rooms that fill
 * a new store (pald.conf's categories and rooms).
 *
 * An operator writes these files by hand.  Each input is one: its first
 * byte says which (categories or rooms), the rest is the file.  The
 * store's file it fills is emptied first, straight through Berkeley DB,
 * since a seed reads its file only into an empty one; then
 * db_category_seed or db_room_seed reads it, and what it wrote must
 * read back within its bounds.  Built and run by make fuzz.
 */
#include <sys/types.h>

#include <db.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pald.h"
#include "../store/dbint.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct db	*db;
static struct pald_conf	 conf;
static char		 path[1024];

/* empty - no record left in the store's file */
static void
empty(int file)
{
	u_int32_t	 n;
	DB		*d;

	if (files_open(db, FM(file)) != DBR_OK)
		errx(1, "cannot open file %d", file);
	d = db->f[file];
	if (d->truncate(d, NULL, &n, DB_AUTO_COMMIT) != 0)
		errx(1, "truncate");
}

/*
 * check - what was seeded reads back, every record within its bounds
 * (into lists made once: a megabyte's calloc per input was most of the
 * harness's time)
 */
static void
check(int rooms)
{
	static struct category *c;
	static struct room *r;
	int		 i, n;

	if (r == NULL && (r = calloc(PALD_ROOMS_MAX, sizeof(*r))) == NULL)
		err(1, "calloc");
	if (c == NULL &&
	    (c = calloc(PALD_CATEGORIES_MAX, sizeof(*c))) == NULL)
		err(1, "calloc");
	if (rooms) {
		n = db_room_list(db, 0, r, PALD_ROOMS_MAX);
		for (i = 0; i < n; i++)
			if (r[i].id == 0 || r[i].id >= PALD_ROOM_TEMP_FIRST ||
			    strchr("GAR", r[i].rating) == NULL ||
			    r[i].name[0] == '\0' ||
			    memchr(r[i].topic, '\0', sizeof(r[i].topic)) ==
			    NULL)
				abort();
		return;
	}
	n = db_category_list(db, c, PALD_CATEGORIES_MAX);
	for (i = 0; i < n; i++)
		if (c[i].code == 0 || c[i].name[0] == '\0')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned	 runs;
	FILE		*fp;
	int		 rooms;

	/*
	 * the keeper's checkpoint, which removes the logs: a run's inputs
	 * write some KiB of log each, gigabytes in a long run
	 */
	if (db != NULL && ++runs % 4096 == 0 && db_checkpoint(db) != DBR_OK)
		errx(1, "checkpoint");
	if (db == NULL) {
		fz_quiet();
		fz_conf(&conf);
		db = fz_store(fz_dir("db"), &conf);
		(void)snprintf(path, sizeof(path), "%s/seed.txt",
		    fz_dir(NULL));
	}
	if (size < 1)
		return 0;
	rooms = data[0] & 1;
	if ((fp = fopen(path, "w")) == NULL)
		err(1, "%s", path);
	if (fwrite(data + 1, 1, size - 1, fp) != size - 1 || fclose(fp) != 0)
		err(1, "%s", path);
	empty(rooms ? F_ROOMS : F_CATS);
	if (rooms)
		(void)db_room_seed(db, path);
	else
		(void)db_category_seed(db, path);
	check(rooms);
	return 0;
}
