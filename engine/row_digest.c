/*
 * row_digest.c - how a connection digests its rows (see row_digest.h): the
 * SQL functions the triggers call, which sum the changes in memory until they
 * are flushed (projection_hash.c); the triggers; and a table's rows digested
 * and summed all at once.
 */
#include "engine/row_digest.h"
#include "engine/row_digest_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
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

int ctr_row_digest_table_index(const char *table)
{
	for (int t = 0; ctr_hashed_tables[t].name; t++)
		if (strcmp(ctr_hashed_tables[t].name, table) == 0)
			return t;
	return -1;
}

static void fn_row_digest(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t digest[32];

	ctr_row_digest_values(argc, argv, digest);
	sqlite3_result_blob(ctx, digest, 32, SQLITE_TRANSIENT);
}

/*
 * contrail_row_digest_sum(values...): the sum of the rows' digests, an
 * aggregate, so a table is summed in one step of one statement instead of a
 * step, a result and a column read for each row.
 */
static void fn_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t *sum = sqlite3_aggregate_context(ctx, 32), digest[32]; /* zeroed when made */

	if (sum == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	ctr_row_digest_values(argc, argv, digest);
	ctr_row_digest_add(sum, digest, 1);
}

static void fn_sum_final(sqlite3_context *ctx)
{
	static const uint8_t none[32];
	const uint8_t *sum = sqlite3_aggregate_context(ctx, 0);

	sqlite3_result_blob(ctx, sum ? sum : none, 32, SQLITE_TRANSIENT);
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
	ctr_row_digest_values(argc - 2, argv + 2, digest);
	ctr_row_digest_add(p->sum[table], digest, sign);
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
				       NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "contrail_row_digest_sum", -1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL, fn_sum_step,
				       fn_sum_final, NULL) != SQLITE_OK)
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

int ctr_row_digest_scan(sqlite3 *db, int t, int64_t *rows, uint8_t sum[32], struct ctr_error *err)
{
	char columns[1024], sql[1200];
	sqlite3_stmt *stmt = NULL;
	int rc = 0;

	*rows = 0;
	memset(sum, 0, 32);
	if (column_list(db, ctr_hashed_tables[t].name, "", columns, sizeof(columns)) != 0)
		return ctr_error_set(err, CTR_EDB, "database: no table %s", ctr_hashed_tables[t].name);
	snprintf(sql, sizeof(sql), "SELECT contrail_row_digest_sum(%s), count(*) FROM %s", columns,
		 ctr_hashed_tables[t].name);
	if (ctr_db_prepare(db, sql, &stmt, err) != 0)
		return CTR_EDB;
	if (sqlite3_step(stmt) != SQLITE_ROW) /* an aggregate: one row */
		rc = ctr_db_error(db, CTR_EDB, err);
	else if (sqlite3_column_bytes(stmt, 0) != 32)
		rc = ctr_error_set(err, CTR_EDB, "database: no sum of %s's digests",
				   ctr_hashed_tables[t].name);
	else {
		memcpy(sum, sqlite3_column_blob(stmt, 0), 32);
		*rows = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	return rc;
}
