/*
 * test_heap.c - SQLite's page buffers in the region cli/heap.c sets aside: a
 * database's pages are held there, the caches contrail's connections keep fit
 * in the region replay sets aside, and asking once SQLite has started is
 * refused without harm.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/heap.h"
#include "engine/db.h"

/* Fills a database with rows over many pages. */
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

static int pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int value;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
	value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/* The pages a cache of cache_size (negative: KiB) holds at 4 KiB pages. */
static long cache_pages(int cache_size)
{
	int header = 0;

	sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header);
	return cache_size < 0 ? -(long)cache_size * 1024 / (4096 + header) : cache_size;
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
	/* the region is process-wide: give it back for whatever runs next in this process */
	sqlite3_shutdown();
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
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

/*
 * SQLite does not take buffers from the heap once a file database's cache has
 * used up the region: it writes pages out early instead. So the caches of the
 * connections a replay opens must fit in the region it sets aside.
 */
Test(heap, replay_caches_fit_in_the_region)
{
	char dir[64] = "/tmp/contrail-heap-XXXXXX", path[128];
	struct ctr_error err = { 0 };
	enum ctr_db_mode modes[] = { CTR_DB_WRITE, CTR_DB_CREATE_BULK };

	cr_assert_not_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		sqlite3 *db = NULL;
		snprintf(path, sizeof(path), "%s/%zu.db", dir, i);
		cr_assert_eq(ctr_db_open(path, modes[i], &db, &err), 0, "%s", err.message);
		long pages = cache_pages(pragma_int(db, "PRAGMA cache_size"));
		cr_assert(pages > 1000 && pages <= CTR_DB_PAGE_BUFFERS, "mode %d: %ld pages for %d buffers",
			  (int)modes[i], pages, CTR_DB_PAGE_BUFFERS);
		cr_assert_eq(pragma_int(db, "PRAGMA page_size"), 4096);
		if (modes[i] == CTR_DB_WRITE) /* its clean pages are read from the map, not the cache */
			cr_assert_gt(pragma_int(db, "PRAGMA mmap_size"), 0);
		sqlite3_close(db);
		unlink(path);
	}
	rmdir(dir);
}
