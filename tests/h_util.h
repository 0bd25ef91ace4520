/*
 * h_util.h - what the test clients (h_client, h_voice) share: messages,
 * the clock and big-endian integers.  libc only.
 */
#ifndef H_UTIL_H
#define H_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

extern const char	 h_prog[];	/* each program's name, for messages */

void		vquit(FILE *, int, const char *, const char *, va_list)
		    __attribute__((format(printf, 4, 0), noreturn));
void		die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
void		say(const char *, ...) __attribute__((format(printf, 1, 2)));
long long	now_ms(void);
void		put16(unsigned char *, unsigned);
void		put32(unsigned char *, uint32_t);
unsigned	get16(const unsigned char *);
uint32_t	get32(const unsigned char *);

#endif
