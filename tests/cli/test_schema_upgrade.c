/*
 * test_schema_upgrade.c - a database of schema version 2 holds contract rows
 * derived as before version 3 (a cloud contract's end_date as it was opened
 * with, the products and migration of a license contract cancelled early
 * ending with its term). Read commands refuse it; a replay brings it up to
 * date in place, and it then holds what a rebuild of the same events holds
 * (L5, G4, E4).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tests/cli/run_command.h"

#define EVENTS "tests/scenarios/contracts_l5_g4_ends/events.jsonl"

static char dir[64], old_db[128], new_db[128];

/* The projection hash a replay printed. */
static void hash_of(const struct command_run *run, char hash[65])
{
	const char *at = strstr(run->out, "projection hash ");

	cr_assert_not_null(at, "%s", run->out);
	cr_assert_eq(sscanf(at, "projection hash %64s", hash), 1);
}

static void setup(void)
{
	FILE *none;
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/contrail-upgrade-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(old_db, sizeof(old_db), "%s/old.db", dir);
	snprintf(new_db, sizeof(new_db), "%s/new.db", dir);
	snprintf(path, sizeof(path), "%s/none.jsonl", dir);
	none = fopen(path, "w");
	cr_assert_not_null(none);
	fclose(none);
}

static void teardown(void)
{
	remove_tree(dir);
}

TestSuite(schema_upgrade, .init = setup, .fini = teardown);

/*
 * new_db rebuilt from the events (its hash in rebuilt), old_db replayed from
 * them and then given the rows version 2 derived, and its version.
 */
static void two_databases(char rebuilt[65])
{
	char source[256];
	struct command_run *run;

	snprintf(source, sizeof(source), "jsonl:%s", EVENTS);
	run = RUN_IN(dir, ctr_cmd_replay, "replay", "--source", source, "--db", new_db, "--rebuild",
		     "--business-date", "2025-06-01");
	cr_assert_eq(run->code, 0, "%s", run->err);
	hash_of(run, rebuilt);
	run = RUN_IN(dir, ctr_cmd_replay, "replay", "--source", source, "--db", old_db,
		     "--business-date", "2025-06-01");
	cr_assert_eq(run->code, 0, "%s", run->err);
	run_sql(old_db, "UPDATE contracts SET end_date = '2025-06-30', status = 'expiring',"
		      " days_left = 29 WHERE contract_id = 'CL-opened';"
		      "UPDATE contract_products SET end_date = '2025-06-30'"
		      " WHERE contract_id = 'CL-opened';"
		      "UPDATE contracts SET days_left = 303 WHERE contract_id = 'C-cancelled';"
		      "UPDATE contract_products SET end_date = coalesce(own_end_date, '2026-03-31'),"
		      " expired = 0 WHERE contract_id = 'C-cancelled';"
		      "UPDATE migrations SET due_by = '2026-03-31', overdue = 0;"
		      "UPDATE meta SET value = '2' WHERE key = 'schema_version';");
}

Test(schema_upgrade, a_replay_derives_the_rows_of_version_2_again_as_a_rebuild_does)
{
	char none[128], rebuilt[65], upgraded[65];
	struct command_run *run;

	snprintf(none, sizeof(none), "jsonl:%s/none.jsonl", dir);
	two_databases(rebuilt);
	run = RUN_IN(dir, ctr_cmd_status, "status", "--db", old_db);
	cr_assert_eq(run->code, CTR_EXIT_DATA, "%s", run->err);
	cr_assert_not_null(strstr(run->err, "schema version 2, not 3: a replay brings it up to date"),
			   "%s", run->err);

	run = RUN_IN(dir, ctr_cmd_replay, "replay", "--source", none, "--db", old_db,
		     "--business-date", "2025-06-01");
	cr_assert_eq(run->code, 0, "%s", run->err);
	hash_of(run, upgraded);
	cr_assert_str_eq(upgraded, rebuilt);
	run = RUN_IN(dir, ctr_cmd_diff, "diff", old_db, new_db);
	cr_assert_eq(run->code, 0, "%s%s", run->out, run->err);
	run = RUN_IN(dir, ctr_cmd_hash, "hash", "--db", old_db, "--recompute");
	cr_assert_eq(run->code, 0, "%s", run->err);
	cr_assert_eq(strncmp(run->out, rebuilt, 64), 0, "%s", run->out);
}

/*
 * The upgrade is committed as the replay opens the file, before anything else
 * refuses the run: the digests of the rows it derived again are committed
 * with them, and the next replay judges the states, so the database still
 * ends as a rebuild does (E4a: the kept sums are the rows').
 */
Test(schema_upgrade, an_upgrade_whose_replay_is_refused_keeps_its_digests)
{
	char none[128], rebuilt[65], upgraded[65];
	struct command_run *run;

	snprintf(none, sizeof(none), "jsonl:%s/none.jsonl", dir);
	two_databases(rebuilt);
	run = RUN_IN(dir, ctr_cmd_replay, "replay", "--source", none, "--db", old_db,
		     "--business-date", "2025-06-01", "--store-cutoff", "2024-01-01");
	cr_assert_eq(run->code, CTR_EXIT_DATA, "%s", run->err);
	run = RUN_IN(dir, ctr_cmd_hash, "hash", "--db", old_db, "--recompute");
	cr_assert_eq(run->code, 0, "%s%s", run->out, run->err);
	run = RUN_IN(dir, ctr_cmd_status, "status", "--db", old_db);
	cr_assert_eq(run->code, 0, "%s", run->err);
	cr_assert_not_null(strstr(run->out, "\njudging           2025-06-01: "), "%s", run->out);
	run = RUN_IN(dir, ctr_cmd_replay, "replay", "--source", none, "--db", old_db,
		     "--business-date", "2025-06-01");
	cr_assert_eq(run->code, 0, "%s", run->err);
	hash_of(run, upgraded);
	cr_assert_str_eq(upgraded, rebuilt);
	run = RUN_IN(dir, ctr_cmd_hash, "hash", "--db", old_db, "--recompute");
	cr_assert_eq(run->code, 0, "%s%s", run->out, run->err);
}
