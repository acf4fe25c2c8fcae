/*
 * replay_fixture.h - the options the engine's tests replay with, and a replay
 * of a JSON Lines file that must succeed.
 */
#ifndef CTR_TESTS_REPLAY_FIXTURE_H
#define CTR_TESTS_REPLAY_FIXTURE_H

#include "engine/engine.h"

/* Into db, judged on 2024-04-01 with 90 expiring days and the store cutoff 2024-10-31. */
struct ctr_replay_options replay_fixture_options(const char *db);
/* Replays jsonl:source into db (a rebuild or not, batch events a batch); asserts it succeeds. */
struct ctr_run_result replay_fixture_jsonl(const char *source, const char *db, int rebuild,
					   long batch);

#endif
