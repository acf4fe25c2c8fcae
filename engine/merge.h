/*
 * merge.h - combining shard databases into one (DESIGN.md, scale-out).
 *
 * Each shard holds the streams of its own accounts, so their rows do not
 * overlap, except support ids moved between customer numbers of different
 * shards: there the latest placement wins, as it does within one database.
 * The rules that look across streams (S2 duplicate emails, S4 after a merge)
 * are judged again over the combined rows, and the projection digests are
 * summed afresh, so the merged hash equals that of one database built from
 * every shard's events.
 */
#ifndef CTR_MERGE_H
#define CTR_MERGE_H

#include "engine/engine.h"
#include "events/error.h"

/* Builds out_path (replacing it at the end) from the shards; fills result. */
int ctr_merge(const char *out_path, const char *const *shards, int shard_count,
	      struct ctr_run_result *result, struct ctr_error *err);

/*
 * Stops a merge under way (safe in a signal handler): its statement is
 * interrupted and ctr_merge() returns CTR_EINTR, leaving out_path as it was
 * and nothing beside it. A merge already renaming its report finishes.
 */
void ctr_merge_stop(void);

#endif
