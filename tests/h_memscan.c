/*
 * h_memscan.c - look for a string in another process's private
 * writable memory (Linux: /proc/PID/maps and /proc/PID/mem).
 *
 * usage: h_memscan pid string
 *
 * Every mapping that is private and writable (heap, stack, anonymous
 * mappings, the data of the program and its libraries) is read, a
 * chunk at a time with an overlap, and searched for the string.  Shared
 * mappings (the table, Berkeley DB's regions) are not: what is in them
 * belongs to the store, not to one session.  Prints "found <address>
 * <mapping>" for the first hit and exits 1; prints "clean <bytes>"
 * and exits 0 when the string is nowhere; exits 2 on a usage error or
 * when the process cannot be read.  Reading another process's memory
 * needs the right to trace it (root, or the same user with
 * ptrace_scope 0).  The pid is the only process looked at.
 */
#include <sys/types.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK	(256 * 1024)

int
main(int argc, char *argv[])
{
	char		 path[64], line[512], perms[8], name[256];
	static unsigned char buf[CHUNK];
	unsigned long long lo, hi, at, total = 0;
	size_t		 slen, keep = 0, end;
	ssize_t		 n;
	FILE		*maps;
	int		 mem;
	unsigned char	*hit;

	if (argc != 3 || (slen = strlen(argv[2])) == 0 || slen > 1024) {
		fprintf(stderr, "usage: h_memscan pid string\n");
		return 2;
	}
	(void)snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
	if ((maps = fopen(path, "r")) == NULL) {
		perror(path);
		return 2;
	}
	(void)snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	if ((mem = open(path, O_RDONLY)) == -1) {
		perror(path);
		return 2;
	}
	while (fgets(line, sizeof(line), maps) != NULL) {
		name[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %255s", &lo, &hi,
		    perms, name) < 3)
			continue;
		if (perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p')
			continue;
		keep = 0;
		for (at = lo; at < hi; at += (unsigned long long)n) {
			n = (ssize_t)(hi - at < CHUNK - keep ? hi - at :
			    CHUNK - keep);
			n = pread(mem, buf + keep, (size_t)n, (off_t)at);
			if (n <= 0)
				break;
			total += (unsigned long long)n;
			if ((hit = memmem(buf, keep + (size_t)n, argv[2],
			    slen)) != NULL) {
				printf("found 0x%llx %s\n",
				    at - keep + (unsigned long long)(hit - buf),
				    name[0] ? name : "[anon]");
				return 1;
			}
			/* the last slen - 1 bytes go on to the next chunk */
			end = keep + (size_t)n;
			keep = slen - 1 < end ? slen - 1 : end;
			memmove(buf, buf + end - keep, keep);
		}
	}
	printf("clean %llu\n", total);
	return 0;
}
