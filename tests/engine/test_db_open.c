/*
 * test_db_open.c - opening a database another connection holds locked: the
 * opening waits for the lock as every later statement does (CTR_DB_BUSY_MS),
 * rather than taking the file for one that is not a contrail database (a
 * reporting dashboard reading while a replay writes, exit 3 for no fault).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "engine/db.h"
#include "tests/cli/run_command.h"

static char dir[64], path[128];

static void setup(void)
{
	struct ctr_error err;
	sqlite3 *db;

	snprintf(dir, sizeof(dir), "/tmp/contrail-open-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/held.db", dir);
	cr_assert_eq(ctr_db_open(path, CTR_DB_WRITE, &db, &err), 0, "%s", err.message);
	sqlite3_close(db);
}

static void teardown(void)
{
	remove_tree(dir);
}

TestSuite(db_open, .init = setup, .fini = teardown);

/* A connection in exclusive locking mode that wrote holds the file until it closes. */
static void *hold_for_a_while(void *holder)
{
	usleep(300 * 1000);
	sqlite3_close(holder);
	return NULL;
}

Test(db_open, a_reader_waits_for_a_lock_held_as_it_opens)
{
	struct ctr_error err = { 0 };
	sqlite3 *holder, *reader = NULL;
	pthread_t thread;

	cr_assert_eq(sqlite3_open(path, &holder), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(holder, "PRAGMA locking_mode = EXCLUSIVE;"
				  " UPDATE meta SET value = value WHERE key = 'schema_version'",
				  NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(pthread_create(&thread, NULL, hold_for_a_while, holder), 0);
	cr_assert_eq(ctr_db_open(path, CTR_DB_READ, &reader, &err), 0, "%s", err.message);
	pthread_join(thread, NULL);
	sqlite3_close(reader);
}
