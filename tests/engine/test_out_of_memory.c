/*
 * test_out_of_memory.c - a whole replay when an allocation fails: every
 * allocation of contrail's own code in a small replay (a generated history of
 * a few dozen events, faults and all) is failed in turn (tests/events/
 * alloc_fail.h). Each run must either succeed with the projection hash of the
 * undisturbed run or fail with CTR_ENOMEM, never crash, and leave a database
 * that a second, undisturbed run on it brings to that same hash: nothing
 * committed half, nothing lost (E4). Under `make sanitize` nothing may leak.
 * Six shapes: into a new database in one batch, in several, and in several
 * read while the last is written, a rebuild, the second half of the history
 * on top of the first (stored streams loaded), and the history from a local
 * log (its header and blocks read, its records decoded onto the tape); and
 * an ingest into a new log and one appending to a log, which must exit 4 or
 * as it would have, the log replaying to the same hash either way. Some 450 to 480
 * allocations a run, every one failed in turn (stride 1): 6 to 12 seconds a
 * shape, 20 to 40 under `make sanitize`.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/db.h"
#include "engine/engine.h"
#include "engine/row_digest.h"
#include "tests/engine/history_fixture.h"
#include "tests/engine/replay_fixture.h"
#include "tests/events/alloc_fail.h"

static char dir[] = "/tmp/contrail-oom-XXXXXX";
/* sources: the history as JSON Lines, in two halves, and ingested into a local log */
static char history[300], first_half[300], second_half[300], log_file[300];

/* `contrail ingest` of lines (a jsonl: source's spec) into log, in-process; its exit code. */
static int ingest_lines(const char *log, const char *lines)
{
	char *argv[] = { "ingest", "--log", (char *)log, (char *)lines + 6, NULL };
	int code, out = dup(STDOUT_FILENO), errors = dup(STDERR_FILENO);
	int null = open("/dev/null", O_WRONLY);

	/* its report and its refusals are not this test's: the two streams are put back after */
	cr_assert(out >= 0 && errors >= 0 && null >= 0);
	fflush(stdout);
	fflush(stderr);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	code = ctr_cmd_ingest(4, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(errors, STDERR_FILENO);
	close(out);
	close(errors);
	close(null);
	return code;
}

/* The history appended to a new local log (its bad lines refused). */
static void ingest_history(void)
{
	int code = ingest_lines(log_file + 5, history);

	cr_assert(code == CTR_EXIT_OK || code == CTR_EXIT_FINDINGS, "ingest exited %d", code);
}

/* A generated history, the same lines cut in two files, and the whole ingested into a log. */
static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(history, sizeof(history), "jsonl:%s/history.jsonl", dir);
	snprintf(first_half, sizeof(first_half), "jsonl:%s/first.jsonl", dir);
	snprintf(second_half, sizeof(second_half), "jsonl:%s/second.jsonl", dir);
	snprintf(log_file, sizeof(log_file), "file:%s/log.avro", dir);
	history_fixture_write(2, history + 6, first_half + 6, second_half + 6);
	ingest_history();
}

static void teardown(void)
{
	char command[512];

	snprintf(command, sizeof(command), "rm -rf %s", dir);
	cr_assert_eq(system(command), 0);
}

/* no .timeout: under LeakSanitizer, Criterion's runner then leaks a timeout request of its own */
TestSuite(out_of_memory_replay, .init = setup, .fini = teardown);

/*
 * A replay's shape: rebuilt or incremental, events per transaction (0: the
 * default), and whether the next batch is read while the last is written.
 */
struct shape {
	int rebuild;
	long batch;
	int overlap;
};

static void no_overlap(void *ctx, sqlite3 *db)
{
	(void)ctx;
	(void)db;
}

static int replay(const char *source, const char *db, struct shape shape,
		  struct ctr_run_result *result, struct ctr_error *err)
{
	struct ctr_replay_options options = replay_fixture_options(db);

	options.rebuild = shape.rebuild;
	options.batch = shape.batch;
	/* unless it overlaps, the next batch is read only once the last is committed (as an
	 * audit does), so that the nth allocation is the same one in every run */
	options.after_flush = shape.overlap ? NULL : no_overlap;
	return ctr_replay(source, &options, result, err);
}

/* The hash of db recounted from its rows, which must equal the one kept by its sums. */
static void stored_hash(const char *path, char hex[65])
{
	struct ctr_error err = { 0 };
	char kept[65];
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(path, CTR_DB_READ, &db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_projection_hash_of(db, 1, hex, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_projection_hash_of(db, 0, kept, &err), 0, "%s", err.message);
	sqlite3_close(db);
	cr_assert_str_eq(kept, hex, "the kept sums are not the rows'");
}

/* Done in-process: a sweep makes a thousand databases, and a shell for each took half its time. */
static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[1 << 16];
	size_t n;

	cr_assert_not_null(in);
	cr_assert_not_null(out);
	for (;;) {
		n = fread(buf, 1, sizeof(buf), in);
		if (n == 0)
			break;
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	}
	cr_assert(!ferror(in));
	fclose(in);
	cr_assert_eq(fclose(out), 0);
}

static void remove_db(const char *path)
{
	const char *suffixes[] = { "", "-wal", "-shm" };
	char name[320];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
		unlink(name);
	}
}

/*
 * Replays source into a database that starts as a copy of base (a new one
 * when base is NULL) with allocation n failed, then again undisturbed on the
 * same database; returns whether allocation n was reached.
 */
static int fail_one(const char *source, const char *base, struct shape shape, long n,
		    const char *expected)
{
	struct ctr_run_result result;
	struct ctr_error err = { 0 };
	char db[300], hash[65];
	int rc, failed;

	snprintf(db, sizeof(db), "%s/swept.db", dir);
	remove_db(db);
	if (base)
		copy_file(base, db);
	alloc_fail_after(n);
	rc = replay(source, db, shape, &result, &err);
	failed = alloc_fail_disarm();
	if (rc == 0) {
		cr_assert_str_eq(result.projection_hash, expected,
				 "allocation %ld failed, yet the run succeeded with another hash", n);
		stored_hash(db, hash);
		cr_assert_str_eq(hash, expected, "allocation %ld failed: the rows differ", n);
		return failed;
	}
	cr_assert(failed, "nothing failed, yet the run did: %d (%s)", rc, err.message);
	cr_assert_eq(rc, CTR_ENOMEM, "allocation %ld failed: rc %d (%s)", n, rc, err.message);
	rc = replay(source, db, shape, &result, &err);
	cr_assert_eq(rc, 0, "allocation %ld failed, then the run again: %s", n, err.message);
	cr_assert_str_eq(result.projection_hash, expected,
			 "allocation %ld failed: the run again has another hash", n);
	stored_hash(db, hash);
	cr_assert_str_eq(hash, expected, "allocation %ld failed: the rows differ", n);
	return 1;
}

/*
 * Fails allocation 0, stride, 2 * stride, ... of the replay of source on top
 * of base until a run reaches none.
 */
static void sweep(const char *source, const char *base, struct shape shape, long stride)
{
	struct ctr_run_result whole;
	struct ctr_error err = { 0 };
	char db[300];
	long n, made;

	/* undisturbed first: what is loaded once per process (the schema catalog) is loaded */
	snprintf(db, sizeof(db), "%s/undisturbed.db", dir);
	remove_db(db);
	if (base)
		copy_file(base, db);
	alloc_fail_count();
	cr_assert_eq(replay(source, db, shape, &whole, &err), 0, "%s", err.message);
	made = alloc_fail_count();
	for (n = 0; fail_one(source, base, shape, n, whole.projection_hash); n += stride)
		continue;
	cr_assert_gt(n, made / 2, "the sweep stopped at %ld of %ld allocations", n, made);
	cr_log_info("%ld allocations failed in turn (the undisturbed run, which also loads what"
		    " is loaded once, made %ld)", n / stride, made);
}

Test(out_of_memory_replay, a_replay_into_a_new_database_fails_whole_or_resumes)
{
	sweep(history, NULL, (struct shape){ 0, 0, 0 }, 1);
}

Test(out_of_memory_replay, a_rebuild_fails_whole_or_is_built_again)
{
	sweep(history, NULL, (struct shape){ 1, 0, 0 }, 1);
}

/* batches of 16: a failed run has committed the batches before it, and the next resumes */
Test(out_of_memory_replay, a_replay_in_batches_fails_whole_or_resumes)
{
	sweep(history, NULL, (struct shape){ 0, 16, 0 }, 1);
}

/*
 * Batches read while the last is written: which allocation is the nth then
 * depends on the threads' timing, so the sweep covers most, not each, of them.
 */
Test(out_of_memory_replay, a_replay_read_while_batches_are_written_fails_whole_or_resumes)
{
	sweep(history, NULL, (struct shape){ 0, 16, 1 }, 1);
}

/* from a local log: its blocks read, its records decoded onto the tape */
Test(out_of_memory_replay, a_replay_of_a_local_log_fails_whole_or_resumes)
{
	sweep(log_file, NULL, (struct shape){ 0, 16, 0 }, 1);
}

/* the second half on top of the first: stored streams are loaded as their events come */
Test(out_of_memory_replay, an_incremental_replay_fails_whole_or_resumes)
{
	struct ctr_run_result first;
	struct ctr_error err = { 0 };
	char base[300];

	snprintf(base, sizeof(base), "%s/first.db", dir);
	cr_assert_eq(replay(first_half, base, (struct shape){ 0, 0, 0 }, &first, &err), 0, "%s",
		     err.message);
	sweep(second_half, base, (struct shape){ 0, 0, 0 }, 1);
}

/*
 * An ingest whose allocation n fails either ends as the undisturbed one did
 * (the same exit, a log that replays to the same hash) or exits 4; run again
 * then, it appends its lines once more, and the log replays to the same hash
 * (what the failed run appended comes again as duplicates, E1). The log is
 * new, or holds the first half when the second is appended.
 */
static void sweep_ingest(int append)
{
	struct ctr_run_result whole, run;
	struct ctr_error err = { 0 };
	char log[300], spec[310], db[300];
	const char *lines = append ? second_half : history;
	int expected_code, code, failed;
	long n;

	snprintf(log, sizeof(log), "%s/swept.avro", dir);
	snprintf(spec, sizeof(spec), "file:%s", log);
	snprintf(db, sizeof(db), "%s/swept.db", dir);
	cr_assert_eq(replay(log_file, db, (struct shape){ 0, 0, 0 }, &whole, &err), 0, "%s",
		     err.message);
	remove_db(db);
	unlink(log);
	if (append)
		ingest_lines(log, first_half);
	expected_code = ingest_lines(log, lines);
	for (n = 0;; n++) {
		unlink(log);
		if (append)
			ingest_lines(log, first_half);
		alloc_fail_after(n);
		code = ingest_lines(log, lines);
		failed = alloc_fail_disarm();
		if (code == CTR_EXIT_FAILURE) {
			cr_assert(failed, "nothing failed, yet ingest exited 4");
			cr_assert_eq(ingest_lines(log, lines), expected_code,
				     "allocation %ld failed: again", n);
		} else {
			cr_assert_eq(code, expected_code, "allocation %ld failed: exit %d", n, code);
		}
		remove_db(db);
		cr_assert_eq(replay(spec, db, (struct shape){ 0, 0, 0 }, &run, &err), 0,
			     "allocation %ld failed: %s", n, err.message);
		cr_assert_str_eq(run.projection_hash, whole.projection_hash,
				 "allocation %ld failed: the log replays to another hash", n);
		if (!failed)
			break;
	}
	cr_log_info("%ld allocations of an ingest failed in turn", n);
}

Test(out_of_memory_replay, an_ingest_into_a_new_log_fails_with_exit_4_and_runs_again)
{
	sweep_ingest(0);
}

Test(out_of_memory_replay, an_ingest_appending_to_a_log_fails_with_exit_4_and_runs_again)
{
	sweep_ingest(1);
}
