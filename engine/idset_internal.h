/*
 * idset_internal.h - what idset.c (the id set in memory) and idset_stored.c
 * (its chunks in event_ids) share. Not for use outside engine/.
 */
#ifndef CTR_IDSET_INTERNAL_H
#define CTR_IDSET_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "events/error.h"

/* An id as stored: its key (ctr_idset_key) and its event's digest. */
struct ctr_id_pair {
	uint64_t key; /* 0 marks an empty slot in the table */
	uint64_t digest;
};

/* qsort's order of pairs: by key. */
static inline int ctr_id_pair_order(const void *a, const void *b)
{
	const struct ctr_id_pair *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

/*
 * Merges the newest `newest` chunks stored in db (0: all of them) into one,
 * which takes the place of the oldest of them. A key stored more than once
 * is kept once and counted in *repeated (may be NULL).
 */
int ctr_idset_merge_stored(sqlite3 *db, int64_t newest, size_t *repeated,
			   struct ctr_error *err);

#endif
