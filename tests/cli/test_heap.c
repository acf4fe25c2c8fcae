/*
 * test_heap.c - SQLite's page buffers in the region cli/heap.c sets aside:
 * a database's pages are held there, what does not fit comes from the heap,
 * and asking once SQLite has started is refused without harm.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>

#include "cli/heap.h"

/* Fills an in-memory database with rows over many pages. */
static void fill(sqlite3 *db, int rows)
{
	sqlite3_stmt *insert = NULL;

	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)", NULL, NULL,
				  NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (printf('%0500d', ?))", -1,
					&insert, NULL), SQLITE_OK);
	for (int i = 0; i < rows; i++) {
		sqlite3_bind_int(insert, 1, i);
		cr_assert_eq(sqlite3_step(insert), SQLITE_DONE);
		sqlite3_reset(insert);
	}
	sqlite3_finalize(insert);
}

static int slots_in_use(void)
{
	int current = 0, highest = 0;

	sqlite3_status(SQLITE_STATUS_PAGECACHE_USED, &current, &highest, 0);
	return current;
}

Test(heap, sqlite_pages_come_from_the_region)
{
	sqlite3 *db = NULL;

	sqlite3_shutdown();
	cr_assert_eq(ctr_heap_sqlite_pages(64), 0);
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	fill(db, 2000); /* about 250 pages: 64 in the region, the rest from the heap */
	cr_assert_eq(slots_in_use(), 64, "slots in use: %d", slots_in_use());
	sqlite3_close(db);
	cr_assert_eq(slots_in_use(), 0);
	sqlite3_shutdown();
}

Test(heap, refused_once_sqlite_has_started)
{
	sqlite3 *db = NULL;

	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(ctr_heap_sqlite_pages(64), -1);
	fill(db, 200);
	cr_assert_eq(slots_in_use(), 0);
	sqlite3_close(db);
}
