/*
 * arena.h - a region allocator for the state of one stream: the stream and
 * its aggregate are allocated from a few blocks and all freed at once when the
 * stream leaves memory, instead of one malloc() and free() for every string
 * and row (freeing them had been about a tenth of the loop thread's time in a
 * rebuild, with glibc consolidating the small chunks they left).
 *
 * Nothing small is freed alone: a replaced string that does not fit where the
 * old one was, or a small array outgrown, stays in the arena unused until the
 * arena goes. That suits state that lives a few batches and changes by a
 * handful of events.
 */
#ifndef CTR_ARENA_H
#define CTR_ARENA_H

#include <stddef.h>

struct ctr_arena_block;

/* Zeroed, it is an empty arena. */
struct ctr_arena {
	char *next, *end;               /* the free part of the block small things come from */
	struct ctr_arena_block *blocks; /* every block, newest first */
};

/* size bytes, 8-aligned, not cleared (NULL when out of memory); zalloc clears them. */
void *ctr_arena_alloc(struct ctr_arena *a, size_t size);
void *ctr_arena_zalloc(struct ctr_arena *a, size_t size);
/*
 * Grows old (NULL, or from this arena with old_size the size it was allocated
 * or last grown with) to new_size, as realloc() does: it may move, and the
 * bytes past old_size are not cleared.
 */
void *ctr_arena_grow(struct ctr_arena *a, void *old, size_t old_size, size_t new_size);
char *ctr_arena_strdup(struct ctr_arena *a, const char *s);
/*
 * Points *field (NULL or a string of this arena) at a copy of value (NULL
 * allowed), written over the string it pointed at when value fits there.
 * 0, or -1 when out of memory (*field unchanged).
 */
int ctr_arena_set_text(struct ctr_arena *a, char **field, const char *value);
/*
 * Frees every block. The arena may live inside one of its own blocks (a stream
 * is allocated from its own arena): it is read once, before anything is freed.
 */
void ctr_arena_deinit(struct ctr_arena *a);

#endif
