/*
 * row_digest.c - per-row digests and their running sums (see row_digest.h).
 */
#include "engine/row_digest.h"
#include "engine/row_digest_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/sha256.h"
#include "events/hash.h"
#include "projections/schema_sql.h"

#define MAX_TABLES CTR_MAX_HASHED_TABLES

/* Changes reported on one connection since the last flush. */
struct pending_sums {
	int64_t rows[MAX_TABLES];
	uint8_t sum[MAX_TABLES][32];
	int touched[MAX_TABLES];
};

int ctr_row_digest_table_count(void)
{
	int n = 0;

	while (ctr_hashed_tables[n].name)
		n++;
	return n;
}

static uint64_t load_be64(const uint8_t *bytes)
{
	uint64_t v;

	memcpy(&v, bytes, sizeof(v));
	return __builtin_bswap64(v);
}

static void store_be64(uint8_t *bytes, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(bytes, &v, sizeof(v));
}

/*
 * sum = sum + digest (sign 1) or sum - digest (sign -1), modulo 2^256, big endian,
 * as four 64-bit limbs (a rebuild adds a million digests; a byte at a time this was
 * a sixth of summing a table).
 */
static void sum_add(uint8_t sum[32], const uint8_t digest[32], int sign)
{
	uint64_t carry = 0;

	for (int limb = 3; limb >= 0; limb--) {
		uint64_t a = load_be64(sum + 8 * limb), b = load_be64(digest + 8 * limb), r, out;
		int first, second;
		if (sign > 0) {
			first = __builtin_add_overflow(a, b, &r);
			second = __builtin_add_overflow(r, carry, &out);
		} else {
			first = __builtin_sub_overflow(a, b, &r);
			second = __builtin_sub_overflow(r, carry, &out);
		}
		carry = (uint64_t)(first | second);
		store_be64(sum + 8 * limb, out);
	}
}

/* A tag byte and a varint into bytes (11 at most); returns the length. */
static size_t tagged(uint8_t bytes[11], uint8_t tag, uint64_t value)
{
	size_t len = 1;

	bytes[0] = tag;
	while (value >= 0x80) {
		bytes[len++] = (uint8_t)(value | 0x80);
		value >>= 7;
	}
	bytes[len++] = (uint8_t)value;
	return len;
}

static void put_tagged(struct ctr_sha256 *s, uint8_t tag, uint64_t value)
{
	uint8_t bytes[11];

	ctr_sha256_update(s, bytes, tagged(bytes, tag, value));
}

/* A row's values encoded: per value a type tag and a varint (integers zigzag, text and
 * blobs their length, then their bytes). */
struct encoding {
	uint8_t small[2048];
	uint8_t *bytes;
	size_t len, cap;
};

static void put(struct encoding *e, const void *data, size_t len)
{
	if (e->len + len > e->cap) {
		size_t cap = (e->len + len) * 2;
		uint8_t *bigger = malloc(cap);
		if (bigger == NULL)
			return;
		memcpy(bigger, e->bytes, e->len);
		if (e->bytes != e->small)
			free(e->bytes);
		e->bytes = bigger;
		e->cap = cap;
	}
	memcpy(e->bytes + e->len, data, len);
	e->len += len;
}

static void put_varint(struct encoding *e, uint8_t tag, uint64_t value)
{
	uint8_t bytes[11];

	put(e, bytes, tagged(bytes, tag, value));
}

/*
 * The digest of a row: four 64-bit lanes of ctr_hash64 over its encoding, each
 * with its own seed. Not cryptographic — it tells rows apart, it does not resist
 * forgery — and several times cheaper than SHA-256 per row; the table sums and the
 * projection hash over them are SHA-256.
 */
static void row_digest(int argc, sqlite3_value **argv, uint8_t out[32])
{
	static const uint64_t seeds[4] = { 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL,
					   0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL };
	struct encoding e;
	uint64_t lanes[4];

	e.bytes = e.small;
	e.len = 0;
	e.cap = sizeof(e.small);
	for (int i = 0; i < argc; i++) {
		int type = sqlite3_value_type(argv[i]);
		if (type == SQLITE_NULL) {
			put(&e, "N", 1);
		} else if (type == SQLITE_INTEGER) {
			int64_t v = sqlite3_value_int64(argv[i]);
			put_varint(&e, 'I', ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
		} else if (type == SQLITE_FLOAT) {
			double real = sqlite3_value_double(argv[i]);
			uint64_t bits;
			memcpy(&bits, &real, sizeof(bits));
			put_varint(&e, 'R', bits);
		} else {
			const void *data = type == SQLITE_TEXT ? (const void *)sqlite3_value_text(argv[i])
							       : sqlite3_value_blob(argv[i]);
			int len = sqlite3_value_bytes(argv[i]);
			put_varint(&e, type == SQLITE_TEXT ? 'T' : 'B', (uint64_t)len);
			put(&e, data, (size_t)len);
		}
	}
	ctr_hash64x4(e.bytes, e.len, seeds, lanes);
	for (int lane = 0; lane < 4; lane++)
		for (int b = 0; b < 8; b++)
			out[lane * 8 + b] = (uint8_t)(lanes[lane] >> (56 - 8 * b));
	if (e.bytes != e.small)
		free(e.bytes);
}

static void fn_row_digest(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t digest[32];

	row_digest(argc, argv, digest);
	sqlite3_result_blob(ctx, digest, 32, SQLITE_TRANSIENT);
}

/* contrail_digest_note(table_index, sign, values...): called by the triggers. */
static void fn_note(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct pending_sums *p = sqlite3_user_data(ctx);
	int table = sqlite3_value_int(argv[0]), sign = sqlite3_value_int(argv[1]);
	uint8_t digest[32];

	if (argc < 2 || table < 0 || table >= MAX_TABLES) {
		sqlite3_result_error(ctx, "contrail_digest_note: bad table", -1);
		return;
	}
	row_digest(argc - 2, argv + 2, digest);
	sum_add(p->sum[table], digest, sign);
	p->rows[table] += sign;
	p->touched[table] = 1;
	sqlite3_result_null(ctx);
}

/*
 * contrail_digest_take(table_index): the pending change of a table as a blob
 * of its row count delta (8 bytes, big endian) and sum delta (32 bytes), or
 * NULL when untouched; clears it. With no argument, clears every table.
 */
static void fn_take(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct pending_sums *p = sqlite3_user_data(ctx);
	uint8_t out[40];
	int table;

	if (argc == 0) {
		memset(p, 0, sizeof(*p));
		sqlite3_result_null(ctx);
		return;
	}
	table = sqlite3_value_int(argv[0]);
	if (table < 0 || table >= MAX_TABLES || !p->touched[table]) {
		sqlite3_result_null(ctx);
		return;
	}
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)((uint64_t)p->rows[table] >> (56 - 8 * i));
	memcpy(out + 8, p->sum[table], 32);
	p->rows[table] = 0;
	memset(p->sum[table], 0, 32);
	p->touched[table] = 0;
	sqlite3_result_blob(ctx, out, 40, SQLITE_TRANSIENT);
}

int ctr_row_digest_register(sqlite3 *db, struct ctr_error *err)
{
	struct pending_sums *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	/* the last function registered with p owns it (freed when the connection closes) */
	if (sqlite3_create_function_v2(db, "contrail_digest_note", -1, SQLITE_UTF8, p, fn_note, NULL,
				       NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "contrail_digest_take", -1, SQLITE_UTF8, p, fn_take, NULL,
				       NULL, free) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "contrail_row_digest", -1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_row_digest, NULL,
				       NULL, NULL) != SQLITE_OK)
		return ctr_db_error(db, CTR_EDB, err);
	return 0;
}

/* "c1, c2, ..." of table, with prefix before each name ("NEW." or ""). */
static int column_list(sqlite3 *db, const char *table, const char *prefix, char *out, size_t size)
{
	char sql[128];
	sqlite3_stmt *stmt = NULL;
	size_t used = 0;
	int step = SQLITE_DONE;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	out[0] = '\0';
	while (used < size) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		used += (size_t)snprintf(out + used, size - used, "%s%s\"%s\"", used ? ", " : "",
					 prefix, sqlite3_column_text(stmt, 1));
	}
	sqlite3_finalize(stmt);
	/* a column missed would leave it out of every row's digest */
	return used > 0 && used < size && step == SQLITE_DONE ? 0 : -1;
}

int ctr_row_digest_install(sqlite3 *db, struct ctr_error *err)
{
	char news[1024], olds[1024], sql[8192];
	int rc = 0;

	for (int t = 0; ctr_hashed_tables[t].name && rc == 0; t++) {
		const char *name = ctr_hashed_tables[t].name;
		if (column_list(db, name, "NEW.", news, sizeof(news)) != 0 ||
		    column_list(db, name, "OLD.", olds, sizeof(olds)) != 0)
			return ctr_error_set(err, CTR_EDB, "database: no table %s", name);
		snprintf(sql, sizeof(sql),
			 "CREATE TRIGGER IF NOT EXISTS digest_%s_insert AFTER INSERT ON %s BEGIN"
			 " SELECT contrail_digest_note(%d, 1, %s); END;"
			 "CREATE TRIGGER IF NOT EXISTS digest_%s_delete AFTER DELETE ON %s BEGIN"
			 " SELECT contrail_digest_note(%d, -1, %s); END;"
			 "CREATE TRIGGER IF NOT EXISTS digest_%s_update AFTER UPDATE ON %s BEGIN"
			 " SELECT contrail_digest_note(%d, -1, %s); SELECT contrail_digest_note(%d, 1, %s); END;",
			 name, name, t, news, name, name, t, olds, name, name, t, olds, t, news);
		rc = ctr_db_exec(db, sql, err);
	}
	return rc;
}

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
			sum_add(sum, blob + 8, 1);
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

int ctr_row_digest_scan(sqlite3 *db, int t, int64_t *rows, uint8_t sum[32], struct ctr_error *err)
{
	char columns[1024], sql[1200];
	sqlite3_stmt *stmt = NULL;
	int step;

	*rows = 0;
	memset(sum, 0, 32);
	if (column_list(db, ctr_hashed_tables[t].name, "", columns, sizeof(columns)) != 0)
		return ctr_error_set(err, CTR_EDB, "database: no table %s", ctr_hashed_tables[t].name);
	snprintf(sql, sizeof(sql), "SELECT contrail_row_digest(%s) FROM %s", columns,
		 ctr_hashed_tables[t].name);
	if (ctr_db_prepare(db, sql, &stmt, err) != 0)
		return CTR_EDB;
	for (;;) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		sum_add(sum, sqlite3_column_blob(stmt, 0), 1);
		(*rows)++;
	}
	sqlite3_finalize(stmt);
	if (step != SQLITE_DONE)
		return ctr_db_error(db, CTR_EDB, err);
	return 0;
}

int ctr_row_digest_store(sqlite3 *db, const struct ctr_table_sums *sums, struct ctr_error *err)
{
	int rc = 0;

	for (int t = 0; rc == 0 && t < ctr_row_digest_table_count(); t++)
		rc = write_sums(db, t, sums->rows[t], sums->sum[t], err);
	ctr_row_digest_discard(db);
	return rc;
}

int ctr_projection_hash_of(sqlite3 *db, int from_rows, char hex[65], struct ctr_error *err)
{
	struct ctr_sha256 s;
	int rc = 0;

	ctr_sha256_init(&s);
	ctr_sha256_update(&s, "contrail projection hash 1", 26);
	for (int t = 0; rc == 0 && t < ctr_row_digest_table_count(); t++) {
		const char *name = ctr_hashed_tables[t].name;
		uint8_t sum[32], count[8];
		int64_t rows = 0;

		if (from_rows)
			rc = ctr_row_digest_scan(db, t, &rows, sum, err);
		else if (read_sums(db, t, &rows, sum) != 0)
			rc = ctr_db_error(db, CTR_EDB, err);
		for (int i = 0; i < 8; i++)
			count[i] = (uint8_t)((uint64_t)rows >> (56 - 8 * i));
		put_tagged(&s, 'S', strlen(name));
		ctr_sha256_update(&s, name, strlen(name));
		ctr_sha256_update(&s, count, 8);
		ctr_sha256_update(&s, sum, 32);
	}
	if (rc == 0)
		ctr_sha256_hex(&s, hex);
	return rc;
}
