/*
 * projection_hash.c - the projection hash (see projection_hash.h). Each table
 * contributes its name and column count, then every row in key order; each
 * value is a type tag and an unambiguous encoding (integers as 8 bytes big
 * endian, text and blobs with their length), so NULL, '' and 0 differ and
 * bytes cannot move between neighbouring columns unnoticed.
 */
#include "engine/projection_hash.h"

#include <stdio.h>
#include <string.h>

#include "engine/sha256.h"
#include "projections/schema_sql.h"

static void put_u64(struct ctr_sha256 *s, uint8_t tag, uint64_t value)
{
	uint8_t bytes[9] = { tag };

	for (int i = 0; i < 8; i++)
		bytes[1 + i] = (uint8_t)(value >> (56 - 8 * i));
	ctr_sha256_update(s, bytes, sizeof(bytes));
}

static void put_value(struct ctr_sha256 *s, sqlite3_stmt *stmt, int column)
{
	double real;
	uint64_t bits;

	switch (sqlite3_column_type(stmt, column)) {
	case SQLITE_NULL:
		ctr_sha256_update(s, "N", 1);
		break;
	case SQLITE_INTEGER:
		put_u64(s, 'I', (uint64_t)sqlite3_column_int64(stmt, column));
		break;
	case SQLITE_FLOAT:
		real = sqlite3_column_double(stmt, column);
		memcpy(&bits, &real, sizeof(bits));
		put_u64(s, 'R', bits);
		break;
	default: {
		const void *data = sqlite3_column_blob(stmt, column);
		int len = sqlite3_column_bytes(stmt, column);
		put_u64(s, sqlite3_column_type(stmt, column) == SQLITE_TEXT ? 'T' : 'B', (uint64_t)len);
		ctr_sha256_update(s, data, (size_t)len);
	}
	}
}

static int hash_table(sqlite3 *db, const struct ctr_hashed_table *table, struct ctr_sha256 *s,
		      struct ctr_error *err)
{
	char sql[256];
	sqlite3_stmt *stmt = NULL;
	int columns, step;

	/* the names come from our own table list, never from input */
	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY %s", table->name, table->key);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return ctr_error_set(err, CTR_EDB, "database: %s", sqlite3_errmsg(db));
	columns = sqlite3_column_count(stmt);
	put_u64(s, 'S', strlen(table->name));
	ctr_sha256_update(s, table->name, strlen(table->name));
	put_u64(s, 'C', (uint64_t)columns);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		for (int i = 0; i < columns; i++)
			put_value(s, stmt, i);
	sqlite3_finalize(stmt);
	if (step != SQLITE_DONE)
		return ctr_error_set(err, CTR_EDB, "database: %s", sqlite3_errmsg(db));
	return 0;
}

int ctr_projection_hash(sqlite3 *db, char hex[65], struct ctr_error *err)
{
	struct ctr_sha256 s;
	int rc = 0;

	ctr_sha256_init(&s);
	for (const struct ctr_hashed_table *t = ctr_hashed_tables; t->name && rc == 0; t++)
		rc = hash_table(db, t, &s, err);
	if (rc == 0)
		ctr_sha256_hex(&s, hex);
	return rc;
}
