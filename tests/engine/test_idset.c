/*
 * test_idset.c - the set of ids that took a place (engine/idset.c), in memory
 * and across flushes to the event_ids table (E1).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The keys of the chunk stored as event_ids row rowid, in order, and how many. */
static size_t stored_keys(sqlite3 *db, int rowid, uint64_t *keys, size_t size)
{
	sqlite3_stmt *stmt = NULL;
	size_t count = 0;

	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT ids FROM event_ids WHERE chunk = ?", -1, &stmt,
					NULL), SQLITE_OK);
	sqlite3_bind_int(stmt, 1, rowid);
	cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
	const uint64_t *pairs = sqlite3_column_blob(stmt, 0); /* key, digest, key, ... */
	count = (size_t)sqlite3_column_bytes(stmt, 0) / 16;
	for (size_t i = 0; i < count && i < size; i++)
		memcpy(&keys[i], &pairs[2 * i], sizeof(keys[i]));
	sqlite3_finalize(stmt);
	return count;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

Test(idset, a_stored_chunk_holds_every_id_of_the_batch_in_key_order)
{
	static uint64_t keys[5000];
	struct ctr_idset *set = ctr_idset_new();
	struct ctr_error err;
	char id[32];
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0);
	for (int i = 0; i < 5000; i++) { /* keys spread over all 64 bits: every digit is sorted */
		snprintf(id, sizeof(id), "event-%d", i);
		ctr_idset_add(set, ctr_idset_key(id), (uint64_t)i);
	}
	cr_assert_eq(flush(set, db, &err), 0, "%s", err.message);
	cr_assert_eq(stored_keys(db, 1, keys, 5000), 5000);
	for (int i = 1; i < 5000; i++)
		cr_assert_lt(keys[i - 1], keys[i], "keys %d and %d out of order", i - 1, i);
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "event-%d", i);
		uint64_t key = ctr_idset_key(id);
		int found = bsearch(&key, keys, 5000, sizeof(keys[0]), by_value) != NULL;
		cr_assert(found, "%s is not in the chunk", id);
	}
	ctr_idset_free(set);
	sqlite3_close(db);
}

static int64_t single_value(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int64_t value;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK, "%s", sql);
	cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW, "%s", sql);
	value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/*
 * A flush per event (an audit, a trickle followed): the small chunks merge
 * among themselves, and the large one is rewritten only once they together
 * are half its size, not every few flushes; at most 8 chunks are stored.
 */
Test(idset, frequent_small_flushes_merge_the_small_chunks_and_leave_the_large_one)
{
	struct ctr_idset *set = ctr_idset_new(), *loaded = ctr_idset_new();
	struct ctr_error err;
	uint64_t digest = 0;
	char id[32];
	sqlite3 *db;
	int rewritten_at = 0;

	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "old-%d", i);
		ctr_idset_add(set, ctr_idset_key(id), 1);
	}
	cr_assert_eq(flush(set, db, &err), 0, "%s", err.message);
	for (int i = 0; i < 700; i++) {
		snprintf(id, sizeof(id), "new-%d", i);
		ctr_idset_add(set, ctr_idset_key(id), (uint64_t)i + 2);
		cr_assert_eq(flush(set, db, &err), 0, "%s", err.message);
		cr_assert_leq(single_value(db, "SELECT count(*) FROM event_ids"), 8);
		cr_assert_eq(single_value(db, "SELECT sum(length(ids)) / 16 FROM event_ids"), 1001 + i);
		int64_t first = single_value(db, "SELECT length(ids) / 16 FROM event_ids"
					     " ORDER BY chunk LIMIT 1");
		if (i < 400)
			cr_assert_eq(first, 1000, "the large chunk rewritten after %d small ones", i + 1);
		else if (first > 1000 && rewritten_at == 0)
			rewritten_at = i + 1;
	}
	cr_assert_gt(rewritten_at, 0, "the small chunks, together larger than half of it, merged into it");
	cr_assert_eq(ctr_idset_load(loaded, db, &err), 0, "%s", err.message);
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "old-%d", i);
		cr_assert(ctr_idset_find(loaded, ctr_idset_key(id), &digest), "%s", id);
	}
	for (int i = 0; i < 700; i++) {
		snprintf(id, sizeof(id), "new-%d", i);
		cr_assert(ctr_idset_find(loaded, ctr_idset_key(id), &digest), "%s", id);
		cr_assert_eq(digest, (uint64_t)i + 2);
	}
	ctr_idset_free(set);
	ctr_idset_free(loaded);
	sqlite3_close(db);
}

/* A database holding nine chunks, the most a load takes (written by other means), takes a tenth. */
Test(idset, a_flush_onto_the_most_chunks_a_load_takes_merges_them)
{
	struct ctr_idset *set = ctr_idset_new(), *loaded = ctr_idset_new();
	struct ctr_error err;
	sqlite3_stmt *insert = NULL;
	uint64_t digest = 0;
	char id[32];
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0);
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO event_ids (ids) VALUES (?)", -1, &insert,
					NULL), SQLITE_OK);
	for (int i = 0; i < 9; i++) { /* a chunk of one id each: sorted as it stands */
		snprintf(id, sizeof(id), "nine-%d", i);
		uint64_t pair[2] = { ctr_idset_key(id), (uint64_t)i + 1 };
		sqlite3_bind_blob(insert, 1, pair, sizeof(pair), SQLITE_STATIC);
		cr_assert_eq(sqlite3_step(insert), SQLITE_DONE);
		sqlite3_reset(insert);
	}
	sqlite3_finalize(insert);
	cr_assert_eq(ctr_idset_load(set, db, &err), 0, "%s", err.message);
	ctr_idset_add(set, ctr_idset_key("tenth"), 10);
	cr_assert_eq(flush(set, db, &err), 0, "%s", err.message);
	cr_assert_leq(single_value(db, "SELECT count(*) FROM event_ids"), 8);
	cr_assert_eq(ctr_idset_load(loaded, db, &err), 0, "%s", err.message);
	for (int i = 0; i < 9; i++) {
		snprintf(id, sizeof(id), "nine-%d", i);
		cr_assert(ctr_idset_find(loaded, ctr_idset_key(id), &digest), "%s", id);
		cr_assert_eq(digest, (uint64_t)i + 1);
	}
	cr_assert(ctr_idset_find(loaded, ctr_idset_key("tenth"), &digest));
	ctr_idset_free(set);
	ctr_idset_free(loaded);
	sqlite3_close(db);
}

/* Each id PREFIX-i, from <= i < to, is found with the digest i * times. */
static void expect_found(const struct ctr_idset *set, const char *prefix, int from, int to,
			 uint64_t times)
{
	uint64_t digest = 0;
	char id[32];

	for (int i = from; i < to; i++) {
		snprintf(id, sizeof(id), "%s-%d", prefix, i);
		cr_assert(ctr_idset_find(set, ctr_idset_key(id), &digest), "%s", id);
		cr_assert_eq(digest, (uint64_t)i * times, "%s", id);
	}
}

Test(idset, sized_for_what_is_expected_it_keeps_and_takes_ids)
{
	struct ctr_idset *set = ctr_idset_new();
	uint64_t digest = 0;
	char id[32];

	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "e-%d", i);
		cr_assert_eq(ctr_idset_add(set, ctr_idset_key(id), (uint64_t)i), 0);
		if (i == 999) { /* nothing, a guess too large (held to 16x), then a fair one */
			cr_assert_eq(ctr_idset_expect(set, -1), 0);
			cr_assert_eq(ctr_idset_expect(set, (int64_t)1 << 40), 0);
			cr_assert_eq(ctr_idset_expect(set, 2000), 0);
		}
	}
	expect_found(set, "e", 0, 3000, 1);
	cr_assert_not(ctr_idset_find(set, ctr_idset_key("e-3000"), &digest));
	ctr_idset_free(set);
}

Test(idset, grown_without_an_estimate_every_id_stays_found)
{
	struct ctr_idset *set = ctr_idset_new();
	uint64_t digest = 0;
	char id[32];

	/* each of the parts this run's ids are spread over grows many times from its start */
	for (int i = 0; i < 300000; i++) {
		snprintf(id, sizeof(id), "g-%d", i);
		cr_assert_eq(ctr_idset_add(set, ctr_idset_key(id), (uint64_t)i * 7), 0);
	}
	expect_found(set, "g", 0, 300000, 7);
	for (int i = 300000; i < 310000; i++) {
		snprintf(id, sizeof(id), "g-%d", i);
		cr_assert_not(ctr_idset_find(set, ctr_idset_key(id), &digest), "%s", id);
	}
	ctr_idset_free(set);
}

/* Chunks written by other means, each of the given keys (digest: the key plus one). */
static void put_chunks(sqlite3 *db, const uint64_t keys[][3], int chunks)
{
	sqlite3_stmt *insert = NULL;

	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO event_ids (ids) VALUES (?)", -1, &insert,
					NULL), SQLITE_OK);
	for (int c = 0; c < chunks; c++) {
		uint64_t pairs[6];
		for (int i = 0; i < 3; i++) {
			pairs[2 * i] = keys[c][i];
			pairs[2 * i + 1] = keys[c][i] + 1;
		}
		sqlite3_bind_blob(insert, 1, pairs, sizeof(pairs), SQLITE_STATIC);
		cr_assert_eq(sqlite3_step(insert), SQLITE_DONE);
		sqlite3_reset(insert);
	}
	sqlite3_finalize(insert);
}

Test(idset, a_compaction_keeps_a_key_two_chunks_share_once_and_counts_it)
{
	static const uint64_t keys[][3] = { { 10, 20, 30 }, { 5, 20, 40 } };
	struct ctr_error err;
	size_t repeated = 0;
	uint64_t merged[5];
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(":memory:", CTR_DB_WRITE, &db, &err), 0);
	put_chunks(db, keys, 2);
	cr_assert_eq(ctr_idset_compact(db, &repeated, &err), 0, "%s", err.message);
	cr_assert_eq(repeated, 1);
	cr_assert_eq(single_value(db, "SELECT count(*) FROM event_ids"), 1);
	int64_t chunk = single_value(db, "SELECT chunk FROM event_ids");
	cr_assert_eq(stored_keys(db, (int)chunk, merged, 5), 5);
	cr_assert_eq(merged[0], 5);
	cr_assert_eq(merged[1], 10);
	cr_assert_eq(merged[2], 20);
	cr_assert_eq(merged[3], 30);
	cr_assert_eq(merged[4], 40);
	sqlite3_close(db);
}
