/*
 * replay_fixture.c - the replay options and the JSON Lines replay of
 * replay_fixture.h.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "events/timefmt.h"
#include "tests/engine/replay_fixture.h"

struct ctr_replay_options replay_fixture_options(const char *db)
{
	struct ctr_replay_options options = { 0 };

	options.db_path = db;
	options.business_date = ctr_date_from_civil(2024, 4, 1);
	options.expiring_days = 90;
	options.store_cutoff = ctr_date_from_civil(2024, 10, 31);
	return options;
}

struct ctr_run_result replay_fixture_jsonl(const char *source, const char *db, int rebuild,
					   long batch)
{
	struct ctr_replay_options options = replay_fixture_options(db);
	struct ctr_run_result result;
	struct ctr_error err = { 0 };
	char spec[4200];

	options.rebuild = rebuild;
	options.batch = batch;
	snprintf(spec, sizeof(spec), "jsonl:%s", source);
	cr_assert_eq(ctr_replay(spec, &options, &result, &err), 0, "%s", err.message);
	return result;
}
