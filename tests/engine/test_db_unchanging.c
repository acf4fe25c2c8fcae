/*
 * test_db_unchanging.c - when a WAL database may be read as an unchanging
 * file, where its reader cannot make PATH-shm (engine/db_unchanging.c): only
 * with no WAL holding pages and no index beside it; the URI escapes what a
 * URI's path gives a meaning and reads the file. The reader without write
 * access itself is tests/e2e/read_only_directory.sh.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "tests/cli/run_command.h"

static char dir[64], path[160], side[200];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/contrail-unchanging-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	remove_tree(dir);
}

TestSuite(db_unchanging, .init = setup, .fini = teardown);

/* A contrail database at dir/name, closed: its WAL and index gone with the last connection. */
static void make_database(const char *name)
{
	struct ctr_error err;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(ctr_db_open(path, CTR_DB_WRITE, &db, &err), 0, "%s", err.message);
	sqlite3_close(db);
}

static void write_file(const char *suffix, const char *content)
{
	FILE *f;

	snprintf(side, sizeof(side), "%s%s", path, suffix);
	f = fopen(side, "w");
	cr_assert_not_null(f);
	fputs(content, f);
	fclose(f);
}

/* Asserts that db_path is refused (CTR_EDB) with a message that holds why. */
static void refused(const char *db_path, const char *why)
{
	struct ctr_error err = { 0 };
	char uri[512];

	cr_assert_eq(ctr_db_unchanging_uri(db_path, uri, sizeof(uri), &err), CTR_EDB, "%s", uri);
	cr_assert(strstr(err.message, why) != NULL, "%s", err.message);
}

Test(db_unchanging, a_closed_database_reads_through_the_uri_with_its_path_escaped)
{
	struct ctr_error err = { 0 };
	char uri[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	make_database("a %41?b#c.db");
	cr_assert_eq(ctr_db_unchanging_uri(path, uri, sizeof(uri), &err), 0, "%s", err.message);
	/* no authority: a path that starts with "//" would make one */
	cr_assert_eq(strncmp(uri, "file:///", 8), 0, "%s", uri);
	cr_assert(strstr(uri, "/a %2541%3Fb%23c.db?immutable=1") != NULL, "%s", uri);
	cr_assert_eq(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'",
					-1, &stmt, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

Test(db_unchanging, an_empty_wal_is_no_obstacle)
{
	struct ctr_error err = { 0 };
	char uri[512];

	make_database("empty-wal.db");
	write_file("-wal", "");
	cr_assert_eq(ctr_db_unchanging_uri(path, uri, sizeof(uri), &err), 0, "%s", err.message);
}

/* The file alone would miss the commits the WAL holds: no stale answer, one that says why. */
Test(db_unchanging, a_wal_holding_pages_is_refused_with_the_reason)
{
	make_database("wal.db");
	write_file("-wal", "frames");
	refused(path, "holds commits not yet in the file");
}

/* An index beside it is another connection's, which may be writing: not read as unchanging. */
Test(db_unchanging, an_index_beside_it_is_refused)
{
	make_database("shm.db");
	write_file("-shm", "");
	refused(path, "-shm");
}

/* SQLite keeps the side files beside the file a link names: they are looked for there. */
Test(db_unchanging, a_symbolic_link_is_judged_by_the_files_beside_its_target)
{
	char link_path[200];

	make_database("target.db");
	write_file("-wal", "frames");
	snprintf(link_path, sizeof(link_path), "%s/link.db", dir);
	cr_assert_eq(symlink(path, link_path), 0);
	refused(link_path, "target.db-wal) holds commits");
}

/* Only a WAL database is refused for want of an index; another file is not read as unchanging. */
Test(db_unchanging, a_database_not_in_wal_mode_is_not_read_so)
{
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/rollback.db", dir);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t (a)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	refused(path, "not a database in WAL mode");
}

/* A journal left by a transaction cut short: the file alone is half-written. */
Test(db_unchanging, a_journal_beside_it_is_refused)
{
	make_database("journal.db");
	write_file("-journal", "pages");
	refused(path, "journal.db-journal) is to be rolled back");
}

/*
 * The URI helper row_sums.c opens its reading connection with too: a path with
 * "//" at its start stays a path (an empty authority before it), a relative one
 * stays relative, and one that does not fit is refused rather than cut.
 */
Test(db_unchanging, the_immutable_uri_keeps_any_path_a_path)
{
	char uri[64];

	cr_assert_eq(ctr_db_immutable_uri("//tmp/x?.db", uri, sizeof(uri)), 0);
	cr_assert_str_eq(uri, "file:////tmp/x%3F.db?immutable=1");
	cr_assert_eq(ctr_db_immutable_uri("dir/x#1.db", uri, sizeof(uri)), 0);
	cr_assert_str_eq(uri, "file:dir/x%231.db?immutable=1");
	cr_assert_eq(ctr_db_immutable_uri("/x.db", uri, sizeof("file:///x.db?immutable=1")), 0);
	cr_assert_str_eq(uri, "file:///x.db?immutable=1");
	cr_assert_eq(ctr_db_immutable_uri("/x.db", uri, sizeof("file:///x.db?immutable=1") - 1), -1);
	cr_assert_eq(ctr_db_immutable_uri("/%%%.db", uri, 16), -1);
}
