/*
 * test_row_batch.c - rows inserted many at a time (engine/row_batch.c): every
 * row given is inserted once, in full batches and the rest at the flush, its
 * values as given (texts copied when given, the empty text not NULL); a row
 * of the wrong width or a failed insert is an error.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/db.h"
#include "engine/row_batch.h"

static sqlite3 *db;

static void setup(void)
{
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL,"
				  " s TEXT NOT NULL) WITHOUT ROWID", NULL, NULL, NULL), SQLITE_OK);
}

static void teardown(void)
{
	sqlite3_close(db);
}

TestSuite(row_batch, .init = setup, .fini = teardown);

static int64_t single(const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t value = -1;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/* Gives rows k0..k(count-1), each (key, i * 3 - 7, "" for even i, else "s<i>"), and flushes. */
static void give_rows(int count)
{
	struct ctr_row_batch *b;
	struct ctr_error err = { 0 };

	cr_assert_eq(ctr_row_batch_new(db, "t", 3, &b, &err), 0, "%s", err.message);
	for (int i = 0; i < count; i++) {
		char key[16], text[16];
		snprintf(key, sizeof(key), "k%03d", i);
		snprintf(text, sizeof(text), i % 2 ? "s%d" : "", i);
		ctr_row_batch_text(b, key, strlen(key));
		ctr_row_batch_int(b, (int64_t)i * 3 - 7);
		ctr_row_batch_text(b, text, strlen(text));
		memset(key, 'x', sizeof(key) - 1); /* the batch keeps its own copies */
		cr_assert_eq(ctr_row_batch_end_row(b, &err), 0, "%s", err.message);
		if (i + 1 == CTR_ROW_BATCH_ROWS) /* a full batch is in the table at once */
			cr_assert_eq(single("SELECT count(*) FROM t"), CTR_ROW_BATCH_ROWS);
	}
	cr_assert_eq(ctr_row_batch_flush(b, &err), 0, "%s", err.message);
	ctr_row_batch_free(b);
}

Test(row_batch, every_row_is_inserted_once_with_its_values)
{
	int counts[] = { 0, 1, CTR_ROW_BATCH_ROWS - 1, CTR_ROW_BATCH_ROWS, CTR_ROW_BATCH_ROWS + 1,
			 3 * CTR_ROW_BATCH_ROWS + 5 };

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		int n = counts[c];
		cr_assert_eq(sqlite3_exec(db, "DELETE FROM t", NULL, NULL, NULL), SQLITE_OK);
		give_rows(n);
		cr_assert_eq(single("SELECT count(*) FROM t"), n, "%d rows given", n);
		cr_assert_eq(single("SELECT count(*) FROM t WHERE k = printf('k%03d', (n + 7) / 3)"
				    " AND s = CASE WHEN (n + 7) / 3 % 2 THEN 's' || ((n + 7) / 3) ELSE '' END"
				    " AND typeof(n) = 'integer' AND typeof(s) = 'text'"), n,
			     "rows with other values (%d given)", n);
	}
}

Test(row_batch, a_row_of_the_wrong_width_is_refused)
{
	struct ctr_row_batch *b;
	struct ctr_error err = { 0 };

	cr_assert_eq(ctr_row_batch_new(db, "t", 3, &b, &err), 0, "%s", err.message);
	ctr_row_batch_text(b, "k", 1);
	ctr_row_batch_int(b, 1);
	cr_assert_eq(ctr_row_batch_end_row(b, &err), CTR_EINVAL);
	ctr_row_batch_free(b);
	cr_assert_eq(ctr_row_batch_new(db, "t", 0, &b, &err), CTR_EINVAL);
	cr_assert_null(b);
}

/* A key given twice fails the insert of its batch, with SQLite's message; no row of it stays. */
Test(row_batch, a_failed_insert_is_an_error)
{
	struct ctr_row_batch *b;
	struct ctr_error err = { 0 };
	int rc = 0;

	cr_assert_eq(ctr_row_batch_new(db, "t", 3, &b, &err), 0, "%s", err.message);
	for (int i = 0; i < 2 && rc == 0; i++) {
		ctr_row_batch_text(b, "same", 4);
		ctr_row_batch_int(b, i);
		ctr_row_batch_text(b, "s", 1);
		rc = ctr_row_batch_end_row(b, &err);
	}
	cr_assert_eq(rc, 0, "%s", err.message);
	cr_assert_eq(ctr_row_batch_flush(b, &err), CTR_EDB);
	cr_assert(strstr(err.message, "UNIQUE") != NULL, "%s", err.message);
	cr_assert_eq(single("SELECT count(*) FROM t"), 0);
	ctr_row_batch_free(b);
}

/* After a failure, a discarded batch holds nothing of before: the next rows go in alone. */
Test(row_batch, a_discarded_batch_starts_afresh)
{
	struct ctr_row_batch *b;
	struct ctr_error err = { 0 };

	cr_assert_eq(ctr_row_batch_new(db, "t", 3, &b, &err), 0, "%s", err.message);
	ctr_row_batch_text(b, "held", 4); /* a whole row held, then half of one */
	ctr_row_batch_int(b, 1);
	ctr_row_batch_text(b, "s", 1);
	cr_assert_eq(ctr_row_batch_end_row(b, &err), 0, "%s", err.message);
	ctr_row_batch_text(b, "half", 4);
	ctr_row_batch_discard(b);
	ctr_row_batch_text(b, "next", 4);
	ctr_row_batch_int(b, 2);
	ctr_row_batch_text(b, "t", 1);
	cr_assert_eq(ctr_row_batch_end_row(b, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_row_batch_flush(b, &err), 0, "%s", err.message);
	cr_assert_eq(single("SELECT count(*) FROM t"), 1);
	cr_assert_eq(single("SELECT n FROM t WHERE k = 'next' AND s = 't'"), 2);
	ctr_row_batch_free(b);
}
