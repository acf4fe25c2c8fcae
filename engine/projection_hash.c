/*
 * projection_hash.c - the table sums the projection hash (DOMAIN.md E4a) is
 * made of, kept in projection_digests (see row_digest.h): the changes a
 * connection reported folded into them, a recount stored over them, and the
 * hash read from them or from the rows themselves.
 */
#include "engine/row_digest.h"
#include "engine/row_digest_internal.h"

#include <string.h>

#include "engine/db.h"
#include "engine/sha256.h"
#include "projections/schema_sql.h"

static int read_sums(sqlite3 *db, int table, int64_t *rows, uint8_t sum[32])
{
	sqlite3_stmt *stmt = NULL;
	int step;

	*rows = 0;
	memset(sum, 0, 32);
	if (sqlite3_prepare_v2(db, "SELECT rows, sum FROM projection_digests WHERE table_name = ?",
			       -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(stmt, 1, ctr_hashed_tables[table].name, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW && sqlite3_column_bytes(stmt, 1) == 32) {
		*rows = sqlite3_column_int64(stmt, 0);
		memcpy(sum, sqlite3_column_blob(stmt, 1), 32);
	}
	sqlite3_finalize(stmt);
	/* sums not read are not zero: the table's digest would be written over from nothing */
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
}

static int write_sums(sqlite3 *db, int table, int64_t rows, const uint8_t sum[32],
		      struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_db_prepare(db, "INSERT OR REPLACE INTO projection_digests (table_name, rows, sum)"
				" VALUES (?, ?, ?)", &stmt, err);

	if (rc != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, ctr_hashed_tables[table].name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, rows);
	sqlite3_bind_blob(stmt, 3, sum, 32, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_finalize(stmt);
	return rc;
}

int ctr_row_digest_flush(sqlite3 *db, struct ctr_error *err)
{
	sqlite3_stmt *take = NULL;
	int rc = ctr_db_prepare(db, "SELECT contrail_digest_take(?)", &take, err);

	for (int t = 0; rc == 0 && t < ctr_row_digest_table_count(); t++) {
		int64_t rows, delta = 0;
		uint8_t sum[32];
		const uint8_t *blob;

		sqlite3_bind_int(take, 1, t);
		if (sqlite3_step(take) != SQLITE_ROW)
			rc = ctr_db_error(db, CTR_EDB, err);
		else if (sqlite3_column_bytes(take, 0) == 40) {
			blob = sqlite3_column_blob(take, 0);
			for (int i = 0; i < 8; i++)
				delta = (int64_t)((uint64_t)delta << 8 | blob[i]);
			if (read_sums(db, t, &rows, sum) != 0)
				rc = ctr_db_error(db, CTR_EDB, err);
			ctr_row_digest_add(sum, blob + 8, 1);
			if (rc == 0)
				rc = write_sums(db, t, rows + delta, sum, err);
		}
		sqlite3_reset(take);
	}
	sqlite3_finalize(take);
	return rc;
}

void ctr_row_digest_discard(sqlite3 *db)
{
	sqlite3_exec(db, "SELECT contrail_digest_take()", NULL, NULL, NULL);
}

int ctr_row_digest_store(sqlite3 *db, const struct ctr_table_sums *sums, struct ctr_error *err)
{
	int rc = 0;

	for (int t = 0; rc == 0 && t < ctr_row_digest_table_count(); t++)
		rc = write_sums(db, t, sums->rows[t], sums->sum[t], err);
	ctr_row_digest_discard(db);
	return rc;
}

/*
 * The hash from the kept sums, or with from_rows from the rows; with differs
 * also the kept sums read beside the rows, and the first table whose sums are
 * not its rows' named there (NULL when none).
 */
static int hash_tables(sqlite3 *db, int from_rows, char hex[65], const char **differs,
		       struct ctr_error *err)
{
	struct ctr_sha256 s;
	int rc = 0;

	if (differs != NULL)
		*differs = NULL;
	ctr_sha256_init(&s);
	ctr_sha256_update(&s, "contrail projection hash 1", 26);
	for (int t = 0; rc == 0 && t < ctr_row_digest_table_count(); t++) {
		const char *name = ctr_hashed_tables[t].name;
		uint8_t sum[32], kept_sum[32], count[8];
		int64_t rows = 0, kept_rows = 0;

		if (from_rows)
			rc = ctr_row_digest_scan(db, t, &rows, sum, err);
		else if (read_sums(db, t, &rows, sum) != 0)
			rc = ctr_db_error(db, CTR_EDB, err);
		if (rc == 0 && differs != NULL) {
			if (read_sums(db, t, &kept_rows, kept_sum) != 0)
				rc = ctr_db_error(db, CTR_EDB, err);
			else if (*differs == NULL &&
				 (kept_rows != rows || memcmp(kept_sum, sum, 32) != 0))
				*differs = name;
		}
		for (int i = 0; i < 8; i++)
			count[i] = (uint8_t)((uint64_t)rows >> (56 - 8 * i));
		ctr_row_digest_put_tagged(&s, 'S', strlen(name));
		ctr_sha256_update(&s, name, strlen(name));
		ctr_sha256_update(&s, count, 8);
		ctr_sha256_update(&s, sum, 32);
	}
	if (rc == 0)
		ctr_sha256_hex(&s, hex);
	return rc;
}

int ctr_projection_hash_of(sqlite3 *db, int from_rows, char hex[65], struct ctr_error *err)
{
	return hash_tables(db, from_rows, hex, NULL, err);
}

int ctr_projection_hash_check(sqlite3 *db, char hex[65], const char **differs,
			      struct ctr_error *err)
{
	return hash_tables(db, 1, hex, differs, err);
}
