/*
 * merge_ids.c - a merge's stored event ids (E1): the shards' ids combined into
 * one sorted chunk, and, when an id repeats, which shard is at fault: one
 * whose own ids repeat (damaged), or the first that shares ids with a shard
 * before it (see merge_internal.h).
 */
#include "engine/merge_internal.h"

#include <stddef.h>

#include "engine/db.h"
#include "engine/idset.h"

/* A database in memory to combine shards' stored ids in, to find where ids repeat. */
static sqlite3 *probe_open(struct ctr_error *err)
{
	sqlite3 *probe = NULL;

	if (sqlite3_open(":memory:", &probe) != SQLITE_OK) {
		sqlite3_close(probe);
		ctr_error_set(err, CTR_ENOMEM, "out of memory");
		return NULL;
	}
	if (ctr_db_exec(probe, "CREATE TABLE event_ids (chunk INTEGER PRIMARY KEY,"
			" ids BLOB NOT NULL)", err) != 0) {
		sqlite3_close(probe);
		return NULL;
	}
	return probe;
}

/* Adds the ids stored in the shard at path to probe's; *repeated: how many were there. */
static int probe_add(sqlite3 *probe, const char *path, size_t *repeated, struct ctr_error *err)
{
	int rc = ctr_merge_attach_shard(probe, path, err);

	if (rc == 0)
		rc = ctr_db_exec(probe, "INSERT INTO main.event_ids (ids) SELECT ids FROM"
				 " shard.event_ids ORDER BY chunk; DETACH DATABASE shard", err);
	*repeated = 0;
	return rc == 0 ? ctr_idset_compact(probe, repeated, err) : rc;
}

/*
 * Where the combined ids repeat: a shard whose own ids repeat one is damaged
 * (one database stores each id once); otherwise the first shard that shares
 * ids with those before it is named. Each shard's ids are read again, so this
 * runs only once repeats are found.
 */
static int name_repeats(const char *const *shards, int shard_count, struct ctr_error *err)
{
	sqlite3 *probe = NULL, *before = probe_open(err);
	size_t own = 0, shared = 0;
	int rc = before != NULL ? 0 : err->code;

	for (int i = 0; rc == 0 && i < shard_count; i++) {
		probe = probe_open(err);
		rc = probe != NULL ? probe_add(probe, shards[i], &own, err) : err->code;
		sqlite3_close(probe);
		if (rc == 0 && own > 0)
			rc = ctr_error_set(err, CTR_ECORRUPT, "%s is damaged: its stored event"
					   " ids hold %zu twice", shards[i], own);
		if (rc == 0)
			rc = probe_add(before, shards[i], &shared, err);
		if (rc == 0 && shared > 0)
			rc = ctr_error_set(err, CTR_ECORRUPT, "%s holds %zu event ids that a shard"
					   " before it holds too; replay those shards' events in one"
					   " run (E1)", shards[i], shared);
	}
	sqlite3_close(before);
	return rc;
}

int ctr_merge_combine_ids(sqlite3 *db, const char *const *shards, int shard_count,
			  struct ctr_error *err)
{
	size_t repeated = 0;
	int rc = ctr_idset_compact(db, &repeated, err);

	if (rc == 0 && repeated > 0)
		rc = name_repeats(shards, shard_count, err);
	/* not found again (a shard changed meanwhile would have stopped the merge before) */
	if (rc == 0 && repeated > 0)
		rc = ctr_error_set(err, CTR_ECORRUPT, "%zu event ids are in more than one shard;"
				   " replay those shards' events in one run (E1)", repeated);
	return rc;
}
