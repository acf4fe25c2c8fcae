/*
 * projection_hash.c - the projection hash (see projection_hash.h). Each table
 * contributes its name and column count, then every row in key order; each
 * value is a type tag and an unambiguous encoding (integers as zigzag
 * varints, text and blobs with their length as a varint), so NULL, '' and 0
 * differ and bytes cannot move between neighbouring columns unnoticed. Rows
 * are fed through a buffer: SHA-256 sees large updates.
 */
#include "engine/projection_hash.h"

#include <stdio.h>
#include <string.h>

#include "engine/sha256.h"
#include "projections/schema_sql.h"

struct feed {
	struct ctr_sha256 sha;
	uint8_t buffer[16384];
	size_t used;
};

static void drain(struct feed *f)
{
	ctr_sha256_update(&f->sha, f->buffer, f->used);
	f->used = 0;
}

static void put_bytes(struct feed *f, const void *data, size_t len)
{
	if (f->used + len > sizeof(f->buffer)) {
		drain(f);
		if (len > sizeof(f->buffer)) {
			ctr_sha256_update(&f->sha, data, len);
			return;
		}
	}
	memcpy(f->buffer + f->used, data, len);
	f->used += len;
}

/* A tag byte and a varint. */
static void put_tagged(struct feed *f, uint8_t tag, uint64_t value)
{
	uint8_t bytes[11] = { tag };
	size_t len = 1;

	while (value >= 0x80) {
		bytes[len++] = (uint8_t)(value | 0x80);
		value >>= 7;
	}
	bytes[len++] = (uint8_t)value;
	put_bytes(f, bytes, len);
}

static void put_value(struct feed *f, sqlite3_stmt *stmt, int column)
{
	int64_t integer;
	double real;
	uint64_t bits;

	switch (sqlite3_column_type(stmt, column)) {
	case SQLITE_NULL:
		put_bytes(f, "N", 1);
		break;
	case SQLITE_INTEGER:
		integer = sqlite3_column_int64(stmt, column);
		put_tagged(f, 'I', ((uint64_t)integer << 1) ^ (uint64_t)(integer >> 63));
		break;
	case SQLITE_FLOAT:
		real = sqlite3_column_double(stmt, column);
		memcpy(&bits, &real, sizeof(bits));
		put_tagged(f, 'R', bits);
		break;
	default: {
		int text = sqlite3_column_type(stmt, column) == SQLITE_TEXT;
		const void *data = text ? (const void *)sqlite3_column_text(stmt, column)
					: sqlite3_column_blob(stmt, column);
		int len = sqlite3_column_bytes(stmt, column);
		put_tagged(f, text ? 'T' : 'B', (uint64_t)len);
		put_bytes(f, data, (size_t)len);
	}
	}
}

static int hash_table(sqlite3 *db, const struct ctr_hashed_table *table, struct feed *f,
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
	put_tagged(f, 'S', strlen(table->name));
	put_bytes(f, table->name, strlen(table->name));
	put_tagged(f, 'C', (uint64_t)columns);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		for (int i = 0; i < columns; i++)
			put_value(f, stmt, i);
	sqlite3_finalize(stmt);
	if (step != SQLITE_DONE)
		return ctr_error_set(err, CTR_EDB, "database: %s", sqlite3_errmsg(db));
	return 0;
}

int ctr_projection_hash(sqlite3 *db, char hex[65], struct ctr_error *err)
{
	struct feed f;
	int rc = 0;

	f.used = 0;
	ctr_sha256_init(&f.sha);
	for (const struct ctr_hashed_table *t = ctr_hashed_tables; t->name && rc == 0; t++)
		rc = hash_table(db, t, &f, err);
	if (rc == 0) {
		drain(&f);
		ctr_sha256_hex(&f.sha, hex);
	}
	return rc;
}
