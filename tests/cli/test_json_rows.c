/*
 * test_json_rows.c - query rows as JSON (cli/cli_json.c), which status and
 * audit print: every row and column, or an error, never a row left out in
 * silence, whichever of jansson's allocations fails.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "cli/cli_json.h"
#include "tests/events/alloc_fail.h"

static sqlite3 *three_rows(sqlite3_stmt **stmt)
{
	sqlite3 *db = NULL;

	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t (id TEXT, n INTEGER, x REAL, z);"
				  " INSERT INTO t VALUES ('a', 1, 0.5, NULL), ('b', 2, 1.5, NULL),"
				  " ('c', 3, 2.5, 'z')", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT * FROM t ORDER BY id", -1, stmt, NULL),
		     SQLITE_OK);
	return db;
}

Test(json_rows, every_row_and_column)
{
	struct ctr_error err = { 0 };
	sqlite3_stmt *stmt = NULL;
	sqlite3 *db = three_rows(&stmt);
	json_t *rows = ctr_cli_json_rows(db, stmt, CTR_EDB, &err);

	cr_assert_eq(err.code, 0, "%s", err.message);
	cr_assert_eq(json_array_size(rows), 3);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 2), "z")), "z");
	cr_assert(json_is_null(json_object_get(json_array_get(rows, 0), "z")));
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(rows, 1), "n")), 2);
	json_decref(rows);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* Each allocation failed in turn, jansson's among them: the whole result, or CTR_ENOMEM. */
Test(json_rows, an_allocation_that_fails_is_an_error_not_a_shorter_list)
{
	int failures = 0, failed;

	alloc_fail_json_too();
	for (long k = 0;; k++) {
		struct ctr_error err = { 0 };
		sqlite3_stmt *stmt = NULL;
		sqlite3 *db = three_rows(&stmt);
		json_t *rows;

		alloc_fail_after(k);
		rows = ctr_cli_json_rows(db, stmt, CTR_EDB, &err);
		failed = alloc_fail_disarm();
		if (!failed) {
			cr_assert_eq(err.code, 0, "%s", err.message);
			json_decref(rows);
			sqlite3_finalize(stmt);
			sqlite3_close(db);
			break;
		}
		if (err.code == 0) {
			cr_assert_eq(json_array_size(rows), 3, "allocation %ld", k);
			for (size_t i = 0; i < 3; i++)
				cr_assert_eq(json_object_size(json_array_get(rows, i)), 4,
					     "allocation %ld, row %zu", k, i);
		} else {
			cr_assert_eq(err.code, CTR_ENOMEM, "allocation %ld: %s", k, err.message);
			failures++;
		}
		json_decref(rows);
		sqlite3_finalize(stmt);
		sqlite3_close(db);
	}
	cr_assert_gt(failures, 10);
}
