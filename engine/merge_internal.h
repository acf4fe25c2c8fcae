/*
 * merge_internal.h - what merge.c (the run), merge_tables.c (the tables) and
 * merge_ids.c (the event ids) share. Not for use outside engine/.
 */
#ifndef CTR_MERGE_INTERNAL_H
#define CTR_MERGE_INTERNAL_H

#include <sqlite3.h>

#include "events/error.h"

/* Attaches the database at path to db as "shard"; err names path when it cannot. */
int ctr_merge_attach_shard(sqlite3 *db, const char *path, struct ctr_error *err);

/*
 * Copies the rows of the shard attached to db as "shard" (the file at path,
 * which err names) into db's own tables, in the caller's transaction.
 * CTR_ECORRUPT for rows two shards hold (a partition, a key) or a damaged
 * shard; CTR_EWRITE for a write of the report that failed.
 */
int ctr_merge_copy_tables(sqlite3 *db, const char *path, struct ctr_error *err);

/*
 * The shards' ids, copied into db, made one sorted chunk, as a later replay
 * into the report expects (idset.h). An id in two shards means two events
 * under one id, which one replay would have told apart (E1: the later a
 * duplicate or a conflicting one) and the shards, each seeing one, could not:
 * CTR_ECORRUPT naming the shard (shards, in the order they were copied).
 */
int ctr_merge_combine_ids(sqlite3 *db, const char *const *shards, int shard_count,
			  struct ctr_error *err);

#endif
