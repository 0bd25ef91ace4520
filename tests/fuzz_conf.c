/*
 * tests/fuzz_conf.c - a libFuzzer harness for conf.c, pald.conf(5).
 *
 * The input is a configuration file (conf_read on a memory stream): a
 * good one must give values within every keyword's bounds, a bad one an
 * error that names the file and leaves the configuration untouched.
 * Built and run by make fuzz.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pald.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* bounded - the numbers pald.conf(5) bounds are within their bounds */
static int
bounded(const struct pald_conf *c)
{
	return c->port >= 0 && c->port <= 65535 &&
	    c->max_children >= 1 && c->max_children <= PALD_MAX_SESSIONS &&
	    c->max_per_addr >= 1 && c->hash_cost >= 4 && c->hash_cost <= 16 &&
	    c->max_frame >= 1024 && c->max_frame <= PALD_FRAME_MAX &&
	    c->login_fail >= 1 && c->login_window >= 1 &&
	    c->login_admin >= 0 && c->login_admin <= 3 &&
	    c->log_rate >= 0 && c->room_size >= 2 &&
	    c->room_size <= PALD_ROOM_MEMBERS_MAX &&
	    (c->registration == 0 || c->registration == 1) &&
	    memchr(c->listen, '\0', sizeof(c->listen)) != NULL &&
	    memchr(c->system_nick, '\0', sizeof(c->system_nick)) != NULL &&
	    strlen(c->user_color) == PALD_COLOR_LEN;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pald_conf c, before;
	char		 errbuf[256], *buf;
	FILE		*fp;
	int		 r;

	if ((buf = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if ((fp = fmemopen(buf, size == 0 ? 1 : size, "r")) == NULL) {
		free(buf);
		return 0;
	}
	if (size == 0)
		(void)fgetc(fp);	/* fmemopen wants a size: read it away */
	conf_defaults(&c);
	before = c;
	errbuf[0] = '\0';
	r = conf_read(&c, fp, "fuzz.conf", errbuf, sizeof(errbuf));
	(void)fclose(fp);
	free(buf);
	if (r != 0 && r != -1)
		abort();
	if (r == -1 && (memcmp(&c, &before, sizeof(c)) != 0 ||
	    strncmp(errbuf, "fuzz.conf", 9) != 0))
		abort();
	if (!bounded(&c))
		abort();
	return 0;
}
