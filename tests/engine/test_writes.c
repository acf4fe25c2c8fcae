/*
 * test_writes.c - statements recorded on one thread and run later
 * (engine/writes.c): values are copies, order is kept, calls run in their
 * place, a failure stops the run and empties the record; row puts run many
 * to a statement with the same result.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "engine/db.h"
#include "engine/writes.h"

static sqlite3 *db;
static sqlite3_stmt *insert;

static void setup(void)
{
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, b BLOB)", NULL,
				  NULL, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?)", -1, &insert, NULL),
		     SQLITE_OK);
}

static void teardown(void)
{
	sqlite3_finalize(insert);
	sqlite3_close(db);
}

static int64_t count(const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t value = -1;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

static void record_row(struct ctr_writes *w, const char *key, int64_t n)
{
	ctr_writes_stmt(w, insert);
	ctr_writes_text(w, 1, key);
	ctr_writes_int(w, 2, n);
	ctr_writes_step(w);
}

TestSuite(writes, .init = setup, .fini = teardown);

Test(writes, recorded_values_are_copies_taken_when_recorded)
{
	struct ctr_writes *w = ctr_writes_new();
	struct ctr_error err;
	char key[8] = "first";
	unsigned char blob[3] = { 0, 1, 2 };

	ctr_writes_stmt(w, insert);
	ctr_writes_text(w, 1, key);
	ctr_writes_int(w, 2, -5);
	ctr_writes_blob(w, 3, blob, sizeof(blob));
	ctr_writes_step(w);
	strcpy(key, "later"); /* the aggregate changes after the flush is recorded */
	blob[0] = 9;
	cr_assert_eq(count("SELECT count(*) FROM t"), 0, "nothing runs before ctr_writes_run");
	cr_assert_eq(ctr_writes_run(w, db, &err), 0, "%s", err.message);
	cr_assert_eq(count("SELECT n FROM t WHERE k = 'first' AND b = x'000102'"), -5);
	cr_assert_eq(count("SELECT count(*) FROM t WHERE k = 'later'"), 0);
	ctr_writes_free(w);
}

Test(writes, unbound_and_null_parameters_are_null)
{
	struct ctr_writes *w = ctr_writes_new();
	struct ctr_error err;

	record_row(w, "a", 1);
	ctr_writes_stmt(w, insert); /* bindings do not carry over from the row before */
	ctr_writes_text(w, 1, "b");
	ctr_writes_text(w, 3, NULL);
	ctr_writes_step(w);
	cr_assert_eq(ctr_writes_run(w, db, &err), 0, "%s", err.message);
	cr_assert_eq(count("SELECT count(*) FROM t WHERE k = 'b' AND n IS NULL AND b IS NULL"), 1);
	ctr_writes_free(w);
}

static int count_rows(void *ctx, const char *arg, struct ctr_error *err)
{
	int64_t *seen = ctx;

	(void)err;
	cr_assert_str_eq(arg, "after two");
	*seen = count("SELECT count(*) FROM t");
	return 0;
}

Test(writes, a_call_runs_in_its_place_and_sees_the_rows_before_it)
{
	struct ctr_writes *w = ctr_writes_new();
	struct ctr_error err;
	int64_t seen = -1;

	record_row(w, "a", 1);
	record_row(w, "b", 2);
	ctr_writes_call(w, count_rows, &seen, "after two");
	record_row(w, "c", 3);
	cr_assert_eq(ctr_writes_run(w, db, &err), 0, "%s", err.message);
	cr_assert_eq(seen, 2);
	cr_assert_eq(count("SELECT count(*) FROM t"), 3);
	ctr_writes_free(w);
}

Test(writes, a_failing_statement_stops_the_run_with_sqlites_message_and_empties_the_record)
{
	struct ctr_writes *w = ctr_writes_new();
	struct ctr_error err;

	record_row(w, "a", 1);
	record_row(w, "a", 2); /* the key again: UNIQUE constraint */
	record_row(w, "z", 3);
	cr_assert_eq(ctr_writes_run(w, db, &err), CTR_EDB);
	cr_assert(strstr(err.message, "UNIQUE") != NULL, "%s", err.message);
	cr_assert_eq(count("SELECT count(*) FROM t WHERE k = 'z'"), 0, "nothing after the failure");
	cr_assert_eq(ctr_writes_size(w), 0);
	record_row(w, "z", 3); /* the statement was reset: it runs again */
	cr_assert_eq(ctr_writes_run(w, db, &err), 0, "%s", err.message);
	cr_assert_eq(count("SELECT count(*) FROM t WHERE k = 'z'"), 1);
	ctr_writes_free(w);
}

static void *run_elsewhere(void *w)
{
	static struct ctr_error err;
	static int rc;

	rc = ctr_writes_run(w, db, &err);
	return &rc;
}

Test(writes, a_record_made_on_one_thread_runs_on_another)
{
	struct ctr_writes *w = ctr_writes_new();
	char key[16];
	pthread_t writer;
	void *rc;

	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		record_row(w, key, i);
	}
	cr_assert_eq(pthread_create(&writer, NULL, run_elsewhere, w), 0);
	cr_assert_eq(pthread_join(writer, &rc), 0);
	cr_assert_eq(*(int *)rc, 0);
	cr_assert_eq(count("SELECT sum(n) FROM t"), 10000LL * 9999 / 2);
	ctr_writes_free(w);
}

/*
 * Row puts ("INSERT OR REPLACE INTO table VALUES (?, ...)") run many rows to
 * a statement (engine/writes_puts.c), table by table within a stretch of
 * puts: the result is the record's, in its order.
 */
static sqlite3_stmt *put_p, *put_q;

static void make_put_tables(void)
{
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE p (k TEXT PRIMARY KEY, n INTEGER NOT NULL, s TEXT)"
				  " WITHOUT ROWID; CREATE TABLE q (k TEXT PRIMARY KEY, n INTEGER)",
				  NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO p VALUES (?,?,?)", -1, &put_p,
					NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO q (k, n) VALUES (?, ?)", -1,
					&put_q, NULL), SQLITE_OK);
}

static void record_put(struct ctr_writes *w, sqlite3_stmt *put, const char *key, int64_t n)
{
	ctr_writes_stmt(w, put);
	ctr_writes_text(w, 1, key);
	ctr_writes_int(w, 2, n);
	ctr_writes_step(w);
}

static int count_p(void *ctx, const char *arg, struct ctr_error *err)
{
	int64_t *seen = ctx;

	(void)arg;
	(void)err;
	*seen = count("SELECT count(*) * 1000 + sum(n) FROM p");
	return 0;
}

Test(writes, puts_run_table_by_table_with_each_tables_rows_in_order)
{
	struct ctr_writes *w = ctr_writes_new();
	struct ctr_error err;
	int64_t seen = -1;
	char key[16];

	make_put_tables();
	for (int i = 0; i < 100; i++) { /* p and q alternate; p's keys come back with new values */
		snprintf(key, sizeof(key), "k%d", i % 30);
		record_put(w, put_p, key, i);
		snprintf(key, sizeof(key), "q%d", i);
		record_put(w, put_q, key, i);
		if (i == 49)
			ctr_writes_call(w, count_p, &seen, NULL);
		if (i == 70)
			record_row(w, "other", i); /* another statement ends a stretch too */
	}
	cr_assert_eq(ctr_writes_run(w, db, &err), 0, "%s", err.message);
	/* at the call, p's 30 keys held their last values of the first 50 rows: 20..49 */
	cr_assert_eq(seen, 30 * 1000 + (20 + 49) * 30 / 2, "the call saw %lld", (long long)seen);
	cr_assert_eq(count("SELECT count(*) FROM p"), 30);
	cr_assert_eq(count("SELECT sum(n) FROM p"), (70 + 99) * 30 / 2, "not each key's last value");
	cr_assert_eq(count("SELECT count(*) FROM q WHERE n = CAST(substr(k, 2) AS INTEGER)"), 100);
	cr_assert_eq(count("SELECT count(*) FROM p WHERE s IS NOT NULL"), 0, "an unbound value");
	cr_assert_eq(count("SELECT n FROM t WHERE k = 'other'"), 70);
	ctr_writes_free(w);
	sqlite3_finalize(put_p);
	sqlite3_finalize(put_q);
}

Test(writes, a_failing_put_among_many_stops_the_run_with_sqlites_message)
{
	struct ctr_writes *w = ctr_writes_new();
	struct ctr_error err;
	char key[16];

	make_put_tables();
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ctr_writes_stmt(w, put_p);
		ctr_writes_text(w, 1, key);
		if (i != 5) /* p.n is NOT NULL */
			ctr_writes_int(w, 2, i);
		ctr_writes_step(w);
	}
	cr_assert_eq(ctr_writes_run(w, db, &err), CTR_EDB);
	cr_assert(strstr(err.message, "NOT NULL") != NULL, "%s", err.message);
	cr_assert_eq(ctr_writes_size(w), 0);
	record_put(w, put_p, "again", 1);
	record_put(w, put_p, "again2", 2);
	cr_assert_eq(ctr_writes_run(w, db, &err), 0, "%s", err.message);
	cr_assert_eq(count("SELECT count(*) FROM p WHERE k GLOB 'again*'"), 2);
	ctr_writes_free(w);
	sqlite3_finalize(put_p);
	sqlite3_finalize(put_q);
}

/*
 * A step "if unchanged" runs only when the statement stepped alone just
 * before it changed no row; after a call or a stretch of puts it runs.
 */
Test(writes, a_step_if_unchanged_runs_only_after_a_statement_that_changed_nothing)
{
	struct ctr_writes *w = ctr_writes_new();
	struct ctr_error err;
	sqlite3_stmt *keep_first, *note;

	make_put_tables();
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO t (k, n) VALUES (?1, ?2)"
					" ON CONFLICT (k) DO NOTHING", -1, &keep_first, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO q (k, n) VALUES (?1, ?2)", -1, &note, NULL),
		     SQLITE_OK);
	for (int i = 0; i < 4; i++) { /* a, b, a, b: the second of each key changes nothing */
		const char *key = i % 2 ? "b" : "a";
		ctr_writes_stmt(w, keep_first);
		ctr_writes_text(w, 1, key);
		ctr_writes_int(w, 2, i);
		ctr_writes_step(w);
		ctr_writes_stmt(w, note);
		ctr_writes_text(w, 1, key);
		ctr_writes_int(w, 2, i);
		ctr_writes_step_if_unchanged(w);
	}
	ctr_writes_call(w, count_p, &(int64_t){ 0 }, NULL);
	ctr_writes_stmt(w, note); /* after a call: not known, so it runs */
	ctr_writes_text(w, 1, "after-call");
	ctr_writes_step_if_unchanged(w);
	record_put(w, put_p, "p1", 1);
	record_put(w, put_p, "p2", 2); /* a stretch of puts: not known either */
	ctr_writes_stmt(w, note);
	ctr_writes_text(w, 1, "after-puts");
	ctr_writes_step_if_unchanged(w);
	cr_assert_eq(ctr_writes_run(w, db, &err), 0, "%s", err.message);
	cr_assert_eq(count("SELECT count(*) FROM t"), 2);
	cr_assert_eq(count("SELECT count(*) FROM q WHERE k IN ('a', 'b') AND n >= 2"), 2,
		     "a note after a change, or none after no change");
	cr_assert_eq(count("SELECT count(*) FROM q"), 4);
	cr_assert_eq(count("SELECT count(*) FROM q WHERE k GLOB 'after-*' AND n IS NULL"), 2,
		     "a value bound to a skipped step was kept");
	ctr_writes_free(w);
	sqlite3_finalize(keep_first);
	sqlite3_finalize(note);
	sqlite3_finalize(put_p);
	sqlite3_finalize(put_q);
}

/* Two put statements of one table: the table's rows keep their recorded order. */
Test(writes, two_put_statements_of_one_table_keep_its_rows_in_order)
{
	struct ctr_writes *w = ctr_writes_new();
	struct ctr_error err;
	sqlite3_stmt *other_put_p;
	char key[16];

	make_put_tables();
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO p (k, n) VALUES (?, ?)", -1,
					&other_put_p, NULL), SQLITE_OK);
	for (int i = 0; i < 60; i++) { /* 20 keys, each put by one statement, then the other, ... */
		snprintf(key, sizeof(key), "k%d", i % 20);
		record_put(w, i / 20 % 2 ? other_put_p : put_p, key, i);
	}
	cr_assert_eq(ctr_writes_run(w, db, &err), 0, "%s", err.message);
	cr_assert_eq(count("SELECT count(*) FROM p"), 20);
	cr_assert_eq(count("SELECT count(*) FROM p WHERE n = 40 + CAST(substr(k, 2) AS INTEGER)"), 20,
		     "a key's last put did not win");
	ctr_writes_free(w);
	sqlite3_finalize(other_put_p);
	sqlite3_finalize(put_p);
	sqlite3_finalize(put_q);
}
