/*
 * test_run_loop.c - reading goes on while a batch is written on the thread
 * pool (engine/run_loop.c, engine/writes.c), and the projections come out
 * the same as a replay written in one batch (E4): in a rebuild, and in
 * incremental runs whose loads of stored streams meet a batch being written.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "tests/engine/history_fixture.h"
#include "tests/engine/replay_fixture.h"

static char dir[] = "/tmp/contrail-run-loop-XXXXXX";
static char history[256], first_half[256], second_half[256];

/* A generated history, and the same lines cut in two files at a line boundary. */
static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(history, sizeof(history), "%s/history.jsonl", dir);
	snprintf(first_half, sizeof(first_half), "%s/first.jsonl", dir);
	snprintf(second_half, sizeof(second_half), "%s/second.jsonl", dir);
	history_fixture_write(150, history, first_half, second_half);
}

static void teardown(void)
{
	char command[512];

	snprintf(command, sizeof(command), "rm -rf %s", dir);
	cr_assert_eq(system(command), 0);
}

TestSuite(run_loop, .init = setup, .fini = teardown, .timeout = 120);

Test(run_loop, a_rebuild_reads_on_while_batches_are_written_and_matches_one_batch)
{
	char one[300], many[300];
	struct ctr_run_result whole, batched;

	snprintf(one, sizeof(one), "%s/one.db", dir);
	snprintf(many, sizeof(many), "%s/many.db", dir);
	whole = replay_fixture_jsonl(history, one, 1, 1000000);
	batched = replay_fixture_jsonl(history, many, 1, 97);
	cr_assert_eq(whole.read_while_writing, 0, "one batch: nothing to overlap");
	cr_assert_gt(batched.read_while_writing, 0, "events were applied while a batch was written");
	cr_assert_eq(batched.counts.read, whole.counts.read);
	cr_assert_eq(batched.counts.applied, whole.counts.applied);
	cr_assert_eq(batched.counts.rejected, whole.counts.rejected);
	cr_assert_str_eq(batched.projection_hash, whole.projection_hash);
}

Test(run_loop, incremental_runs_load_stored_streams_while_a_batch_is_written)
{
	char one[300], halves[300];
	struct ctr_run_result whole, second;

	snprintf(one, sizeof(one), "%s/one.db", dir);
	snprintf(halves, sizeof(halves), "%s/halves.db", dir);
	whole = replay_fixture_jsonl(history, one, 1, 1000000);
	replay_fixture_jsonl(first_half, halves, 0, 53);
	second = replay_fixture_jsonl(second_half, halves, 0, 53);
	cr_assert_gt(second.read_while_writing, 0);
	cr_assert_str_eq(second.projection_hash, whole.projection_hash);
}
