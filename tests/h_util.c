/*
 * h_util.c - what the test clients (h_client, h_voice) share.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "h_util.h"

/* now_ms - the monotonic clock in milliseconds */
long long
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		die("clock_gettime: %s", strerror(errno));
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* say - one line on standard output, flushed at once */
void
say(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: stdout: %s\n", h_prog, strerror(errno));
		exit(2);
	}
}

/* vquit - prefix, the message and a newline on fp (after stdout), exit */
void
vquit(FILE *fp, int status, const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs(prefix, fp);
	vfprintf(fp, fmt, ap);
	fputc('\n', fp);
	fflush(fp);
	exit(status);
}

/* die - a usage, connect or system error: "prog: message", exit 2 */
void
die(const char *fmt, ...)
{
	char	 p[64];
	va_list	 ap;

	snprintf(p, sizeof(p), "%s: ", h_prog);
	va_start(ap, fmt);
	vquit(stderr, 2, p, fmt, ap);
}

void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}
