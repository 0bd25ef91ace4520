/*
 * tests/fuzz_cmd.c - a libFuzzer harness for admin.c's parser of the
 * slash-commands (admin_parse).
 *
 * The input is an IM to the system user as the client sends it (PHTML
 * around the command line).  The line must stay in its buffer, the words
 * must lie in it, NUL-terminated, without blanks but in a free text, and
 * their number must fit the command.  The handlers are fuzz_session's.
 * Built and run by make fuzz.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../admin.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 line[ADMIN_LINE_MAX], *argv[ADMIN_ARGS_MAX + 2];
	unsigned char	*p;
	int		 argc, which, r, i;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	memcpy(p, data, size);
	memset(argv, 0, sizeof(argv));
	r = admin_parse(p, size, line, argv, &argc, &which);
	free(p);
	if (r < AP_OK || r > AP_USAGE || argc < 0 || argc > ADMIN_ARGS_MAX ||
	    (r == AP_OK && (which < 0 || argv[argc] != NULL)) ||
	    ((r == AP_UNKNOWN || r == AP_LONG || r == AP_NOTCMD) &&
	    which != -1))
		abort();
	if (r == AP_LONG || r == AP_NOTCMD)
		return 0;
	for (i = 0; i < (r == AP_OK ? argc : 1); i++)
		if (argv[i] < line || argv[i] >= line + sizeof(line) ||
		    memchr(argv[i], '\0', (size_t)(line + sizeof(line) -
		    argv[i])) == NULL)
			abort();
	return 0;
}
