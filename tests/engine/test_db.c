/*
 * test_db.c - engine/db_calls.c's wrappers on the connection a replay shares
 * between its loop and its writer: a failure's message is the failure's own,
 * whatever the other thread does on the connection meanwhile.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/db.h"

static sqlite3 *db;
static atomic_int stop;

static void setup(void)
{
	cr_assert_eq(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_FULLMUTEX, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t (n INTEGER)", NULL, NULL, NULL), SQLITE_OK);
	atomic_store(&stop, 0);
}

static void teardown(void)
{
	sqlite3_close(db);
}

TestSuite(db, .init = setup, .fini = teardown);

/* the loop's side: reads that succeed, each one clearing the connection's last error */
static void *read_on(void *unused)
{
	sqlite3_stmt *stmt = NULL;

	(void)unused;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	while (!atomic_load(&stop)) {
		sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	return NULL;
}

Test(db, a_failed_exec_or_prepare_keeps_its_message_while_another_thread_reads)
{
	struct ctr_error err;
	sqlite3_stmt *stmt = NULL;
	pthread_t reader;
	int wrong = 0;

	cr_assert_eq(pthread_create(&reader, NULL, read_on, NULL), 0);
	for (int i = 0; i < 20000; i++) {
		memset(&err, 0, sizeof(err));
		cr_assert_eq(ctr_db_exec(db, "COMMIT", &err), CTR_EDB);
		wrong += strstr(err.message, "no transaction is active") == NULL;
		memset(&err, 0, sizeof(err));
		cr_assert_eq(ctr_db_prepare(db, "SELECT absent FROM t", &stmt, &err), CTR_EDB);
		wrong += strstr(err.message, "no such column") == NULL;
	}
	atomic_store(&stop, 1);
	cr_assert_eq(pthread_join(reader, NULL), 0);
	cr_assert_eq(wrong, 0, "%d messages of 40000 were another call's (last: %s)", wrong,
		     err.message);
}
