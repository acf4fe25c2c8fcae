/*
 * test_source_file.c - the file: source's estimate of the events still to
 * come (source.h, expected): unknown before a block is read, close to the
 * truth part-way through a log of many blocks, zero at its end. And the
 * position it names for rejected_events: the record last returned, counted
 * on across a resume.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/source.h"
#include "tests/cli/run_command.h"

static char dir[64], jsonl[128], log_path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/contrail-source-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(jsonl, sizeof(jsonl), "%s/history.jsonl", dir);
	snprintf(log_path, sizeof(log_path), "%s/log.avro", dir);
	struct command_run *r = RUN_IN(dir, ctr_cmd_generate, "generate", "--seed", "3",
				       "--accounts", "300", "--out", jsonl);
	cr_assert_eq(r->code, 0, "%s", r->err);
	r = RUN_IN(dir, ctr_cmd_ingest, "ingest", "--log", log_path, jsonl);
	/* the generator writes a few lines the schema cannot hold: those are refused (exit 1) */
	cr_assert_leq(r->code, 1, "%s", r->err);
}

static void teardown(void)
{
	remove_tree(dir);
}

TestSuite(source_file, .init = setup, .fini = teardown);

static struct ctr_source *open_log(void)
{
	struct ctr_source *src = NULL;
	struct ctr_error err = { 0 };
	char spec[160];

	snprintf(spec, sizeof(spec), "file:%s", log_path);
	cr_assert_eq(ctr_source_open(spec, NULL, &src, &err), 0, "%s", err.message);
	return src;
}

Test(source_file, expects_about_the_events_left)
{
	struct ctr_source *src = open_log();
	struct ctr_error err = { 0 };
	struct ctr_event ev = { 0 };
	int64_t total = 0, read = 0;

	while (src->next(src, &ev, &err) == 1)
		total++;
	cr_assert_eq(src->expected(src), 0, "after the last event");
	ctr_source_close(src);
	cr_assert_gt(total, 5000, "a log of many blocks: %lld events", (long long)total);

	src = open_log();
	cr_assert_eq(src->expected(src), -1, "before the first block");
	for (int quarter = 1; quarter <= 3; quarter++) {
		while (read < total * quarter / 4 && src->next(src, &ev, &err) == 1)
			read++;
		int64_t left = total - read, guess = src->expected(src);
		cr_assert(guess > left * 9 / 10 && guess < left * 11 / 10,
			  "%lld read: %lld expected, %lld left", (long long)read, (long long)guess,
			  (long long)left);
	}
	ctr_source_close(src);
}

static void expect_position(struct ctr_source *src, long long record)
{
	char expected[sizeof(src->name) + 32];

	snprintf(expected, sizeof(expected), "%s#%lld", src->name, record);
	cr_assert_str_eq(ctr_source_position(src), expected);
}

/* Past the first block, where the records of earlier blocks count too. */
#define RESUME_AT 2000

Test(source_file, names_the_record_last_returned_across_a_resume)
{
	struct ctr_source *src = open_log();
	struct ctr_error err = { 0 };
	struct ctr_event ev = { 0 };
	const struct ctr_checkpoint *cps;
	struct ctr_checkpoint resume;

	for (long long record = 1; record <= RESUME_AT; record++) {
		cr_assert_eq(src->next(src, &ev, &err), 1);
		if (record <= 3 || record == RESUME_AT) {
			expect_position(src, record);
			expect_position(src, record); /* asking again changes nothing */
		}
	}
	cr_assert_eq(src->tell(src, &cps), 1);
	resume = cps[0];
	cr_assert_gt(resume.block_first, 0, "the resume point is past the first block");
	ctr_source_close(src);

	src = open_log();
	cr_assert_eq(src->seek(src, &resume, &err), 0, "%s", err.message);
	cr_assert_eq(src->next(src, &ev, &err), 1);
	expect_position(src, RESUME_AT + 1);
	ctr_source_close(src);
}
