/*
 * fuzz_replay.c - fuzz target: the input as a JSON Lines history, replayed
 * whole into a database in memory, once an event per batch and once in one
 * batch. Any bytes are a history: a bad event is rejected and the run goes on
 * (E3), so both replays succeed, count read = applied + duplicates + rejected,
 * and end with one projection hash whatever the batch size (DESIGN.md,
 * determinism). Slower than the decoder targets (two replays an input), it
 * reaches the rules: each event goes through ordering, dedupe and its
 * projection as in a real run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "events/timefmt.h"
#include "projections/projections.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay(const char *source, long batch, struct ctr_run_result *result)
{
	struct ctr_replay_options options = {
		.db_path = ":memory:",
		.batch = batch,
		.expiring_days = CTR_DEFAULT_EXPIRING_DAYS,
	};
	struct ctr_error err = { 0 };
	int ok;

	options.business_date = ctr_date_parse("2024-04-01", &ok);
	options.store_cutoff = ctr_date_parse(CTR_DEFAULT_STORE_CUTOFF, &ok);
	if (ctr_replay(source, &options, result, &err) != 0) {
		fprintf(stderr, "replay failed: %s\n", err.message);
		FUZZ_CHECK(0, "a replay of any history succeeds (E3)");
	}
	FUZZ_CHECK(result->counts.read == result->counts.applied + result->counts.duplicates +
		   result->counts.rejected, "read = applied + duplicates + rejected (E3)");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_run_result one_by_one, whole;
	char source[80];

	/* a local Avro log given as JSON Lines is refused as it is opened (source_jsonl.c) */
	if (size >= 4 && memcmp(data, "Obj\x01", 4) == 0)
		return 0;
	snprintf(source, sizeof(source), "jsonl:%s", fuzz_as_file(data, size));

	replay(source, 1, &one_by_one);
	replay(source, 0, &whole);
	FUZZ_CHECK(one_by_one.counts.read == whole.counts.read &&
		   one_by_one.counts.applied == whole.counts.applied &&
		   one_by_one.counts.rejected == whole.counts.rejected, "the same counts per batch size");
	FUZZ_CHECK(strcmp(one_by_one.projection_hash, whole.projection_hash) == 0,
		   "the same projection hash per batch size");
	return 0;
}
