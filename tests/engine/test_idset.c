/*
 * test_idset.c - the set of ids that took a place (engine/idset.c), in memory
 * and across flushes to the event_ids table (E1).
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "engine/db.h"
#include "engine/idset.h"
#include "engine/writes.h"

/* A flush: the ids' writes recorded, then run. */
static int flush(struct ctr_idset *set, sqlite3 *db, struct ctr_error *err)
{
	struct ctr_writes *w = ctr_writes_new();
	int rc = ctr_idset_record(set, db, w, err);

	if (rc == 0)
		rc = ctr_writes_run(w, db, err);
	ctr_writes_free(w);
	return rc;
}

Test(idset, ids_are_found_with_their_digest_before_and_after_a_flush)
{
	struct ctr_idset *set = ctr_idset_new();
	struct ctr_error err;
	uint64_t digest = 0;
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0, "%s", err.message);
	ctr_idset_add(set, ctr_idset_key("a"), 11);
	cr_assert(ctr_idset_find(set, ctr_idset_key("a"), &digest));
	cr_assert_eq(digest, 11);
	cr_assert_eq(flush(set, db, &err), 0, "%s", err.message);
	cr_assert(ctr_idset_find(set, ctr_idset_key("a"), &digest));
	cr_assert_not(ctr_idset_find(set, ctr_idset_key("b"), &digest));
	ctr_idset_free(set);
	sqlite3_close(db);
}

Test(idset, a_new_run_loads_the_ids_of_earlier_runs_across_merged_chunks)
{
	struct ctr_idset *set = ctr_idset_new(), *loaded = ctr_idset_new();
	struct ctr_error err;
	uint64_t digest = 0;
	char id[32];
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0);
	for (int i = 0; i < 2000; i++) { /* 20 flushes: chunks are merged past 8 */
		snprintf(id, sizeof(id), "id-%d", i);
		ctr_idset_add(set, ctr_idset_key(id), (uint64_t)i + 1);
		if (i % 100 == 99)
			cr_assert_eq(flush(set, db, &err), 0, "%s", err.message);
	}
	cr_assert_eq(ctr_idset_load(loaded, db, &err), 0, "%s", err.message);
	for (int i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		cr_assert(ctr_idset_find(loaded, ctr_idset_key(id), &digest), "%s", id);
		cr_assert_eq(digest, (uint64_t)i + 1);
	}
	cr_assert_not(ctr_idset_find(loaded, ctr_idset_key("id-2000"), &digest));
	ctr_idset_free(set);
	ctr_idset_free(loaded);
	sqlite3_close(db);
}
