/*
 * arena.c - the region allocator of arena.h. Small things (strings, small
 * structs and arrays) are bumped out of blocks of one modest size; anything
 * larger (a contract, most row arrays) gets a block of its own, exactly its
 * size, which grows by realloc() as the array it replaced did.
 *
 * A rebuild holds tens of thousands of streams at once, so what arenas leave
 * unused counts in the peak RSS. Fixed small blocks leave at most one block's
 * tail per stream, and large arrays in blocks of their own leave nothing
 * behind when they grow. Measured on a rebuild of a million events: 512-byte
 * blocks, with allocations over 256 bytes apart, peaked at 283 MB against
 * 286 MB with a malloc() per string and row; 1,024-byte blocks at 300 MB; a
 * first block of 512 bytes, each next one twice the last, arrays inside, at
 * 327 MB.
 */
#include "engine/arena.h"

#include <stdlib.h>
#include <string.h>

#define ALIGN 8        /* no field of an aggregate needs more */
#define BUMP_BLOCK 512 /* bytes of a block small things come from, header included */
#define LARGE 256      /* bytes: a larger allocation gets a block of its own */

struct ctr_arena_block {
	struct ctr_arena_block *next; /* 8 bytes: what follows is ALIGN-aligned */
};

#define HEADER sizeof(struct ctr_arena_block)

static size_t aligned(size_t size)
{
	return (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* A block of bytes (after its header), linked in; its memory, or NULL. */
static char *new_block(struct ctr_arena *a, size_t bytes)
{
	struct ctr_arena_block *b = malloc(HEADER + bytes);

	if (b == NULL)
		return NULL;
	b->next = a->blocks;
	a->blocks = b;
	return (char *)b + HEADER;
}

void *ctr_arena_alloc(struct ctr_arena *a, size_t size)
{
	char *p;

	size = aligned(size ? size : 1);
	if (size > LARGE)
		return new_block(a, size);
	if ((size_t)(a->end - a->next) < size) {
		/* what the last block had left stays unused: less than this one thing */
		char *bump = new_block(a, BUMP_BLOCK - HEADER);
		if (bump == NULL)
			return NULL;
		a->next = bump;
		a->end = bump + (BUMP_BLOCK - HEADER);
	}
	p = a->next;
	a->next += size;
	return p;
}

void *ctr_arena_zalloc(struct ctr_arena *a, size_t size)
{
	void *p = ctr_arena_alloc(a, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

/* A large allocation's own block, moved by realloc() and relinked where the list held it. */
static void *grow_large(struct ctr_arena *a, void *old, size_t new_size)
{
	struct ctr_arena_block *b = (struct ctr_arena_block *)((char *)old - HEADER), *moved;
	struct ctr_arena_block **link = &a->blocks;

	while (*link != b) /* a stream has a handful of blocks */
		link = &(*link)->next;
	moved = realloc(b, HEADER + aligned(new_size));
	if (moved == NULL)
		return NULL;
	*link = moved;
	return (char *)moved + HEADER;
}

void *ctr_arena_grow(struct ctr_arena *a, void *old, size_t old_size, size_t new_size)
{
	char *moved;

	if (old == NULL)
		return ctr_arena_alloc(a, new_size);
	/* the size it was allocated with says where it is: a block of its own or a bump block */
	if (aligned(old_size ? old_size : 1) > LARGE)
		return grow_large(a, old, new_size);
	/* the last small thing allocated grows in place while it stays small and its block has room */
	if ((char *)old + aligned(old_size) == a->next && aligned(new_size) <= LARGE &&
	    (size_t)(a->end - (char *)old) >= aligned(new_size)) {
		a->next = (char *)old + aligned(new_size);
		return old;
	}
	moved = ctr_arena_alloc(a, new_size);
	if (moved != NULL)
		memcpy(moved, old, old_size < new_size ? old_size : new_size);
	return moved;
}

char *ctr_arena_strdup(struct ctr_arena *a, const char *s)
{
	size_t size = strlen(s) + 1;
	char *copy = ctr_arena_alloc(a, size);

	if (copy != NULL)
		memcpy(copy, s, size);
	return copy;
}

int ctr_arena_set_text(struct ctr_arena *a, char **field, const char *value)
{
	size_t len;
	char *copy;

	if (value == NULL) {
		*field = NULL;
		return 0;
	}
	len = strlen(value);
	/* an activation's time, a renewal's date: most replacements fit where the old text was
	 * (memmove: value may be *field itself) */
	if (*field != NULL && strlen(*field) >= len) {
		memmove(*field, value, len + 1);
		return 0;
	}
	copy = ctr_arena_alloc(a, len + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, value, len + 1);
	*field = copy;
	return 0;
}

void ctr_arena_deinit(struct ctr_arena *a)
{
	struct ctr_arena_block *b = a->blocks;

	while (b != NULL) {
		struct ctr_arena_block *next = b->next;
		free(b);
		b = next;
	}
}
