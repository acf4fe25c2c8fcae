/*
 * test_held_evicted.c - a stream that holds events (E2) is dropped from memory
 * once idle, like any other, and read back with its held events when an event
 * names it again: what happens to them then is what would have happened had it
 * stayed (E2 release, E1 copies, E3 counts), in one batch or in many.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/engine/replay_fixture.h"

static char dir[] = "/tmp/contrail-held-evicted-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char command[512];

	snprintf(command, sizeof(command), "rm -rf %s", dir);
	cr_assert_eq(system(command), 0);
}

TestSuite(held_evicted, .init = setup, .fini = teardown, .timeout = 60);

#define AT "\"at\": \"2021-01-02T10:00:00+09:00\""

/* Customer stream 1000NN: registered (seq 1), then admin_activated or flagged. */
static void write_registered(FILE *f, int account, const char *id)
{
	fprintf(f, "{\"id\": \"%s\", \"type\": \"customer.registered\", \"stream\": \"1000%02d\","
		" \"seq\": 1, \"account\": \"1000%02d\", " AT ", \"data\": {\"customer_no\":"
		" \"1000%02d\", \"email\": \"c%d@x.example.jp\"}}\n", id, account, account, account,
		account);
}

static void write_flagged(FILE *f, int account, int seq, const char *id, const char *note)
{
	fprintf(f, "{\"id\": \"%s\", \"type\": \"support.violation_flagged\", \"stream\":"
		" \"1000%02d\", \"seq\": %d, \"account\": \"1000%02d\", " AT ", \"data\": {\"note\":"
		" \"%s\"}}\n", id, account, seq, account, note);
}

static void write_activated(FILE *f, int account, int seq, const char *id)
{
	fprintf(f, "{\"id\": \"%s\", \"type\": \"support.admin_activated\", \"stream\": \"1000%02d\","
		" \"seq\": %d, \"account\": \"1000%02d\", " AT ", \"data\": {}}\n", id, account, seq,
		account);
}

/* Twenty streams registered: with --batch 1 a holding stream is idle long enough to be evicted. */
static void write_others(FILE *f)
{
	char id[16];

	for (int account = 10; account < 30; account++) {
		snprintf(id, sizeof(id), "o%d", account);
		write_registered(f, account, id);
	}
}

static long long single_int(const char *db, const char *sql)
{
	sqlite3 *conn;
	sqlite3_stmt *stmt;
	long long value;

	cr_assert_eq(sqlite3_open_v2(db, &conn, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(conn, sql, -1, &stmt, NULL), SQLITE_OK, "%s", sql);
	cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW, "%s", sql);
	value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(conn);
	return value;
}

static char history[300], one[300], many[300];

/* The test's history, opened for writing, and where its two replays go. */
static FILE *start_history(void)
{
	FILE *f;

	snprintf(history, sizeof(history), "%s/history.jsonl", dir);
	snprintf(one, sizeof(one), "%s/one.db", dir);
	snprintf(many, sizeof(many), "%s/many.db", dir);
	f = fopen(history, "w");
	cr_assert_not_null(f);
	return f;
}

/* Run run's counts; none released (every held event was held by that run). */
static void expect_counts(const struct ctr_run_result *r, int run, long read, long applied,
			  long duplicates, long rejected)
{
	cr_assert_eq(r->counts.read, read, "run %d: read", run);
	cr_assert_eq(r->counts.applied, applied, "run %d: applied", run);
	cr_assert_eq(r->counts.duplicates, duplicates, "run %d: duplicates", run);
	cr_assert_eq(r->counts.rejected, rejected, "run %d: rejected", run);
	cr_assert_eq(r->counts.released, 0, "run %d: released", run);
}

/*
 * The history replayed in one batch (runs[0], into one) and in batches of one
 * (runs[1], into many, its holding stream evicted between), to one hash (E4).
 */
static void replay_one_and_many(struct ctr_run_result runs[2])
{
	runs[0] = replay_fixture_jsonl(history, one, 1, 1000);
	runs[1] = replay_fixture_jsonl(history, many, 1, 1);
	cr_assert_str_eq(runs[1].projection_hash, runs[0].projection_hash);
}

/*
 * E2, E3: seq 3 of stream 100001 waits for seq 2, which comes after twenty other
 * streams; then it is applied and leaves rejected_events, counted as applied in
 * this run (not as released from an earlier one), whether its stream stayed in
 * memory (one batch) or was evicted and read back (batches of one).
 */
Test(held_evicted, a_held_event_read_back_with_its_stream_is_this_runs)
{
	struct ctr_run_result runs[2];
	FILE *f = start_history();

	write_registered(f, 1, "c1");
	write_flagged(f, 1, 3, "c3", "late");
	write_others(f);
	write_activated(f, 1, 2, "c2");
	fclose(f);

	replay_one_and_many(runs);
	for (int run = 0; run < 2; run++) {
		const struct ctr_run_result *r = &runs[run];
		const char *db = run ? many : one;
		/* the held event applied and no longer rejected (E3), held in this run, not an earlier */
		expect_counts(r, run, 23, 23, 0, 0);
		cr_assert_eq(single_int(db, "SELECT count(*) FROM rejected_events"), 0, "run %d", run);
		cr_assert_eq(single_int(db, "SELECT next_seq FROM streams WHERE stream = '100001'"), 4,
			     "run %d", run);
		cr_assert_eq(single_int(db, "SELECT held FROM streams WHERE stream = '100001'"), 0,
			     "run %d", run);
	}
}

/*
 * E1 against a held event: a copy of it (same id, same content) that arrives
 * while its stream is out of memory is a duplicate; one under the id with other
 * content waits for its seq like any other and is refused there (E2), the held
 * one is applied.
 */
Test(held_evicted, copies_of_a_held_event_meet_it_after_its_stream_is_read_back)
{
	struct ctr_run_result runs[2];
	FILE *f = start_history();

	write_registered(f, 1, "c1");
	write_flagged(f, 1, 3, "c3", "late");
	write_others(f);
	write_flagged(f, 1, 3, "c3", "late");   /* the same event again */
	write_flagged(f, 1, 3, "c3", "other");  /* its id, other content */
	write_activated(f, 1, 2, "c2");
	fclose(f);

	replay_one_and_many(runs);
	for (int run = 0; run < 2; run++) {
		const struct ctr_run_result *r = &runs[run];
		const char *db = run ? many : one;
		/* the copy a duplicate, the other content rejected */
		expect_counts(r, run, 25, 23, 1, 1);
		cr_assert_eq(single_int(db, "SELECT count(*) FROM rejected_events"), 1, "run %d", run);
		cr_assert_eq(single_int(db, "SELECT count(*) FROM rejected_events WHERE"
					" held_json IS NULL AND event_id = 'c3'"), 1, "run %d", run);
		cr_assert_eq(single_int(db, "SELECT next_seq FROM streams WHERE stream = '100001'"), 4,
			     "run %d", run);
	}
}
