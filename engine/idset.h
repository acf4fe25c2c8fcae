/*
 * idset.h - the ids of events that took their place (E1), with a digest of
 * each event's content, to tell duplicates from conflicting duplicates.
 *
 * An id is kept as a 64-bit hash: at a million events the chance that two
 * different ids collide is about 3e-8 (docs/design-choices.md). New ids live
 * in a hash table until the next flush, which stores them in event_ids as
 * one sorted chunk in the flush's transaction; an incremental run loads the
 * chunks and searches them, without rebuilding a table of every id.
 */
#ifndef CTR_IDSET_H
#define CTR_IDSET_H

#include <sqlite3.h>
#include <stdint.h>

#include "events/error.h"

struct ctr_idset;
struct ctr_writes;

struct ctr_idset *ctr_idset_new(void);
void ctr_idset_free(struct ctr_idset *set);

/* The hash under which an id is kept. */
uint64_t ctr_idset_key(const char *id);

/* Loads the chunks stored in db. */
int ctr_idset_load(struct ctr_idset *set, sqlite3 *db, struct ctr_error *err);
/* 1 and *digest when key is known, else 0. */
int ctr_idset_find(const struct ctr_idset *set, uint64_t key, uint64_t *digest);
/* Starts fetching the memory a find or add of key reads first; it changes nothing. */
void ctr_idset_prefetch(const struct ctr_idset *set, uint64_t key);
int ctr_idset_add(struct ctr_idset *set, uint64_t key, uint64_t digest);
/*
 * Sizes the table for about `more` ids still to come (a source's estimate),
 * room for at most 16 times the ids already held or 262,144, whichever is
 * more, so a table grows in a step or two instead of doubling its way to a
 * run's size. CTR_ENOMEM leaves the set as it was.
 */
int ctr_idset_expect(struct ctr_idset *set, int64_t more);
/*
 * Merges every chunk stored in db into one. A key stored more than once is
 * kept once and counted in *repeated (may be NULL): never within one
 * database, whose runs store each id once, but ids of two merged shards.
 */
int ctr_idset_compact(sqlite3 *db, size_t *repeated, struct ctr_error *err);
/*
 * Records into w the write of the ids added since the last flush as one chunk
 * on db (and, every few chunks, their merging into one).
 */
int ctr_idset_record(struct ctr_idset *set, sqlite3 *db, struct ctr_writes *w,
		     struct ctr_error *err);

#endif
