/*
 * test_heap.c - SQLite's page buffers in the pool cli/heap.c sets aside: a
 * database's pages are held there and given back, a pool only as large as
 * it is used is touched, the caches contrail's connections keep fit in the
 * pool replay sets aside, and asking once SQLite has started is refused
 * without harm.
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

Test(heap, sqlite_pages_come_from_the_pool)
{
	sqlite3 *db = NULL;

	cr_assert_eq(ctr_heap_sqlite_pages(64), 0);
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	fill(db, 2000); /* about 250 pages: 64 in the pool, the rest from the heap */
	cr_assert_eq(ctr_heap_sqlite_pages_in_use(), 64, "buffers in use: %d",
		     ctr_heap_sqlite_pages_in_use());
	cr_assert_eq(sqlite3_exec(db, "DELETE FROM t; VACUUM", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(ctr_heap_sqlite_pages_in_use(), 0);
	/* given back, the buffers serve the next connection */
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	fill(db, 2000);
	cr_assert_eq(ctr_heap_sqlite_pages_in_use(), 64);
	sqlite3_close(db);
	cr_assert_eq(ctr_heap_sqlite_pages_in_use(), 0);
	cr_assert_eq(ctr_heap_sqlite_pages(64), -1, "one pool per process");
}

/* A file database's pages all come from the pool, its cache's first ones too. */
Test(heap, a_file_database_caches_every_page_in_the_pool)
{
	char dir[64] = "/tmp/contrail-heap-XXXXXX", path[128];
	sqlite3 *db = NULL;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/small.db", dir);
	cr_assert_eq(ctr_heap_sqlite_pages(256), 0);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	fill(db, 200); /* about 30 pages, every one of them read or written through the cache */
	int pages = pragma_int(db, "PRAGMA page_count");
	cr_assert_gt(pages, 20);
	cr_assert_geq(ctr_heap_sqlite_pages_in_use(), pages, "%d buffers in use for %d pages",
		      ctr_heap_sqlite_pages_in_use(), pages);
	sqlite3_close(db);
	cr_assert_eq(ctr_heap_sqlite_pages_in_use(), 0);
	unlink(path);
	rmdir(dir);
}

/* Reads the resident set size of this process from /proc, in KiB. */
static long resident_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, resident = 0;

	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%ld %ld", &size, &resident), 2);
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A pool of replay's size costs a small database only the buffers it uses. */
Test(heap, an_unused_pool_is_not_touched)
{
	sqlite3 *db = NULL;
	long before = resident_kib();

	cr_assert_eq(ctr_heap_sqlite_pages(CTR_DB_PAGE_BUFFERS), 0);
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	fill(db, 200);
	cr_assert_gt(ctr_heap_sqlite_pages_in_use(), 0);
	/* 16,384 buffers are 71 MB; a database of about 30 pages must not have touched them */
	cr_assert_lt(resident_kib() - before, 16 * 1024, "grew by %ld KiB", resident_kib() - before);
	sqlite3_close(db);
}

Test(heap, refused_once_sqlite_has_started)
{
	sqlite3 *db = NULL;

	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(ctr_heap_sqlite_pages(64), -1);
	fill(db, 200);
	cr_assert_eq(ctr_heap_sqlite_pages_in_use(), 0);
	sqlite3_close(db);
}

/*
 * The caches of the connections a replay opens fit in the pool it sets aside:
 * past it, their buffers would come from the heap, in the small pages of the
 * pool thread's arena.
 */
Test(heap, replay_caches_fit_in_the_pool)
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
