/*
 * generate.h - the synthetic history behind `contrail generate`: realistic
 * accounts with contracts, environments, members, support ids and store
 * accounts, every event type of DOMAIN.md section 1, and a few percent of bad
 * and duplicate events. Deterministic per seed; memory bounded by working in
 * chunks of accounts.
 */
#ifndef CTR_GENERATE_H
#define CTR_GENERATE_H

#include <stdint.h>
#include <stdio.h>

#include "events/error.h"

struct ctr_generate_stats {
	long events;     /* lines written */
	long bad;        /* lines the engine rejects (not counting duplicates) */
	long duplicates; /* exact redeliveries */
};

/* Writes the history of `accounts` accounts to out. */
int ctr_generate(FILE *out, uint64_t seed, long accounts, struct ctr_generate_stats *stats,
		 struct ctr_error *err);

#endif
