/*
 * idset_stored.c - the ids of earlier runs as event_ids stores them (see
 * idset_internal.h): sorted chunks of (key, digest) pairs, the newest merged
 * into one when they are too many, or all of them (a merged report).
 */
#include "engine/idset.h"
#include "engine/idset_internal.h"

#include <stdlib.h>
#include <string.h>

#include "engine/db.h"

static int store_chunk(sqlite3 *db, int64_t chunk, const struct ctr_id_pair *pairs, size_t count,
		       struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_db_prepare(db, "INSERT INTO event_ids (chunk, ids) VALUES (?, ?)", &stmt, err);

	if (rc != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, chunk);
	sqlite3_bind_blob64(stmt, 2, pairs, count * sizeof(struct ctr_id_pair), SQLITE_STATIC);
	rc = ctr_db_step_done(db, stmt, err);
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The pairs of the newest `newest` chunks stored in db (0: all of them), one
 * after another in *merged (the caller frees it, on failure too), and the
 * number of the oldest of them.
 */
static int read_newest(sqlite3 *db, int64_t newest, struct ctr_id_pair **merged, size_t *total,
		       int64_t *first_chunk, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int step = SQLITE_DONE;
	int rc = ctr_db_prepare(db, "SELECT chunk, ids FROM event_ids ORDER BY chunk DESC LIMIT ?",
				&stmt, err);

	if (rc == 0)
		sqlite3_bind_int64(stmt, 1, newest > 0 ? newest : -1);
	while (rc == 0) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		size_t count = (size_t)sqlite3_column_bytes(stmt, 1) / sizeof(struct ctr_id_pair);
		struct ctr_id_pair *grown = realloc(*merged, (*total + count) * sizeof(struct ctr_id_pair) + 1);
		if (grown == NULL) {
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
			break;
		}
		*merged = grown;
		memcpy(*merged + *total, sqlite3_column_blob(stmt, 1), count * sizeof(struct ctr_id_pair));
		*total += count;
		*first_chunk = sqlite3_column_int64(stmt, 0);
	}
	/* the merge replaces the chunks it read: one it could not read would be lost */
	if (rc == 0 && step != SQLITE_DONE)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_finalize(stmt);
	return rc;
}

/* Sorts pairs and keeps each key once, at the front; returns how many are kept. */
static size_t sort_unique(struct ctr_id_pair *pairs, size_t total)
{
	size_t kept = 0;

	/* in place: the chunks are sorted runs, and a second array would double the memory */
	if (total > 1)
		qsort(pairs, total, sizeof(struct ctr_id_pair), ctr_id_pair_order);
	for (size_t i = 0; i < total; i++)
		if (kept == 0 || pairs[i].key != pairs[kept - 1].key)
			pairs[kept++] = pairs[i];
	return kept;
}

/* The chunks from first_chunk on replaced by one of the kept pairs. */
static int replace_chunks(sqlite3 *db, int64_t first_chunk, const struct ctr_id_pair *pairs,
			  size_t kept, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_db_prepare(db, "DELETE FROM event_ids WHERE chunk >= ?", &stmt, err);

	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, first_chunk);
		rc = ctr_db_step_done(db, stmt, err);
		sqlite3_finalize(stmt);
	}
	/* no ids (shards that read nothing): no chunk, as a new database */
	if (rc == 0 && kept > 0)
		rc = store_chunk(db, first_chunk, pairs, kept, err);
	return rc;
}

int ctr_idset_merge_stored(sqlite3 *db, int64_t newest, size_t *repeated,
			   struct ctr_error *err)
{
	struct ctr_id_pair *merged = NULL;
	size_t total = 0, kept;
	int64_t first_chunk = 0;
	int rc = read_newest(db, newest, &merged, &total, &first_chunk, err);

	if (rc == 0) {
		kept = sort_unique(merged, total);
		if (repeated)
			*repeated = total - kept;
		rc = replace_chunks(db, first_chunk, merged, kept, err);
	}
	free(merged);
	return rc;
}

int ctr_idset_compact(sqlite3 *db, size_t *repeated, struct ctr_error *err)
{
	return ctr_idset_merge_stored(db, 0, repeated, err);
}
