/*
 * generate.h - the synthetic history behind `contrail generate`: accounts with
 * contracts (environments, allocations, members, renewals, cloud billing,
 * migrations), customer numbers with support ids and suspensions, and web-store
 * accounts, as JSON Lines covering every event type of DOMAIN.md section 1,
 * with a few percent of bad and duplicate events of every kind the engine
 * must handle. Deterministic per seed; memory bounded (one chunk of accounts
 * at a time, interleaved in time order within the chunk).
 */
#ifndef CTR_GENERATE_H
#define CTR_GENERATE_H

#include <stdint.h>
#include <stdio.h>

#include "events/error.h"

#define CTR_GENERATE_MAX_ACCOUNTS 10000000L

struct ctr_generate_stats {
	long events;     /* lines written, duplicates and malformed lines included */
	long bad;        /* lines a replay of the whole history rejects (duplicates not included) */
	long duplicates; /* exact redeliveries of an earlier event (E1 duplicates) */
};

/*
 * Writes the history of `accounts` accounts (1 to CTR_GENERATE_MAX_ACCOUNTS)
 * drawn from seed to out, one event per line, and fills *stats. The same seed
 * and accounts give the same bytes. A replay of the whole history reads
 * stats->events lines, counts stats->duplicates duplicates and rejects
 * stats->bad (a sequence gap that is filled later is applied, so it is not
 * bad). The caller owns out and flushes and closes it; a large stdio buffer
 * (setvbuf) is worth it. Returns 0, CTR_EINVAL for a bad count, CTR_EIO when
 * out cannot be written, CTR_ENOMEM, or CTR_EINTR once SIGINT or SIGTERM came
 * while `--out FILE` is written (ctr_output_file_stopped).
 */
int ctr_generate(FILE *out, uint64_t seed, long accounts, struct ctr_generate_stats *stats,
		 struct ctr_error *err);

#endif
