/*
 * store/arena.c - the BDB memory of a lazy store (a pald child): an
 * arena of its own.
 *
 * BDB allocates a few hundred small pieces in a process that joins the
 * environment and frees them when it leaves; from the C heap they would
 * be interleaved with the session's own memory, and an idle child would
 * keep every heap page one of them, or glibc's cache of freed pieces,
 * still touched (some 50 KiB).  Here they come from a private mapping
 * in power-of-two classes; once the environment is closed and nothing
 * of BDB's is live, the whole arena goes back to the kernel (ar_reset,
 * from db_idle).  A piece larger than the biggest class, or one that
 * does not fit any more, is a mapping of its own.  A piece that BDB had
 * from malloc(3) before the arena was set up (a store opened earlier in
 * the same process) has no arena header and goes back to free(3).  One
 * thread per process, like the rest of pald: db_open with DBO_LAZY
 * (never with DBO_THREAD) calls ar_init.  Touches no database.
 */
#include <sys/types.h>
#include <sys/mman.h>

#include <db.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbint.h"
#include "slog.h"

#define AR_SIZE		(16 * 1024 * 1024)	/* reserved, touched as used */
#define AR_MIN		4			/* 16 bytes: the smallest class */
#define AR_CLASSES	13			/* up to 64 KiB */
#define AR_BIG		AR_CLASSES		/* its own mapping */
#define AR_MAGIC	0x70616c6461720000ULL	/* "pldar": | class */

struct ar_hdr {
	uint64_t	 tag;		/* AR_MAGIC | class (or AR_BIG) */
	size_t		 size;		/* usable bytes */
};

/* ar_hdr - the arena header of p, or NULL if malloc(3) gave p */
static struct ar_hdr *
ar_hdr(void *p)
{
	struct ar_hdr	*h = (struct ar_hdr *)p - 1;

	return (h->tag & ~0xffffULL) == AR_MAGIC ? h : NULL;
}

static unsigned char	*ar_base, *ar_next;
static void		*ar_free[AR_CLASSES];
static size_t		 ar_live;

static void *
ar_malloc(size_t n)
{
	struct ar_hdr	*h;
	size_t		 c, sz;

	for (c = 0; c < AR_CLASSES && ((size_t)1 << (c + AR_MIN)) < n; c++)
		;
	if (c < AR_CLASSES && ar_free[c] != NULL) {
		h = (struct ar_hdr *)ar_free[c] - 1;
		ar_free[c] = *(void **)ar_free[c];
		h->tag = AR_MAGIC | c;
	} else if (c < AR_CLASSES && sizeof(*h) + (sz = (size_t)1 <<
	    (c + AR_MIN)) <= (size_t)(ar_base + AR_SIZE - ar_next)) {
		h = (struct ar_hdr *)ar_next;
		ar_next += sizeof(*h) + sz;
		h->size = sz;
		h->tag = AR_MAGIC | c;
	} else {
		if (n > SIZE_MAX - sizeof(*h))
			return NULL;
		h = mmap(NULL, sizeof(*h) + n, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED)
			return NULL;
		h->size = n;
		h->tag = AR_MAGIC | AR_BIG;
	}
	ar_live++;
	return h + 1;
}

static void
ar_release(void *p)
{
	struct ar_hdr	*h;

	size_t		 c;

	if (p == NULL)
		return;
	if ((h = ar_hdr(p)) == NULL) {
		free(p);
		return;
	}
	c = (size_t)(h->tag & 0xffff);
	h->tag = 0;
	ar_live--;
	if (c == AR_BIG)
		(void)munmap(h, sizeof(*h) + h->size);
	else {
		*(void **)p = ar_free[c];
		ar_free[c] = p;
	}
}

static void *
ar_realloc(void *p, size_t n)
{
	struct ar_hdr	*h;
	void		*q;

	if (p == NULL)
		return ar_malloc(n);
	if ((h = ar_hdr(p)) == NULL)
		return realloc(p, n);
	if (n <= h->size)
		return p;
	if ((q = ar_malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, h->size);
	ar_release(p);
	return q;
}

/* ar_init - BDB's memory from the arena from now on (before any BDB call) */
void
ar_init(void)
{
	void	*b;

	if (ar_base != NULL)
		return;
	b = mmap(NULL, AR_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b == MAP_FAILED)
		return;			/* BDB keeps malloc(3) */
	if (db_env_set_func_malloc(ar_malloc) != 0 ||
	    db_env_set_func_realloc(ar_realloc) != 0 ||
	    db_env_set_func_free(ar_release) != 0) {
		(void)db_env_set_func_malloc(NULL);
		(void)db_env_set_func_realloc(NULL);
		(void)db_env_set_func_free(NULL);
		(void)munmap(b, AR_SIZE);
		return;
	}
	ar_base = ar_next = b;
}

/* ar_reset - nothing of BDB's left: the whole arena to the kernel */
void
ar_reset(void)
{
	if (ar_base == NULL)
		return;
	if (ar_live != 0) {
		slog_debug("db: %zu pieces of BDB memory still live", ar_live);
		return;
	}
	(void)madvise(ar_base, (size_t)(ar_next - ar_base), MADV_DONTNEED);
	ar_next = ar_base;
	memset(ar_free, 0, sizeof(ar_free));
}
