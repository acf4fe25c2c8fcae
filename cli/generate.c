/*
 * generate.c - the generator's driver (see generate.h): the random source,
 * accounts built a chunk at a time into memory, each chunk sorted into
 * delivery order so that its streams interleave as in a real log, then
 * written out and forgotten.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/generate_internal.h"
#include "cli/output_file.h"

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
uint64_t gen_next(struct gen *g)
{
	uint64_t *s = g->rng;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

long gen_range(struct gen *g, long low, long high)
{
	if (high <= low)
		return low;
	return low + (long)(gen_next(g) % (uint64_t)(high - low + 1));
}

int gen_chance(struct gen *g, int percent)
{
	return (long)(gen_next(g) % 100) < percent;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Each account draws from its own seeding, so its history depends only on
 * the seed and its index: the first N accounts of a larger run are the same.
 */
static void begin_account(struct gen *g, uint64_t seed, long index)
{
	uint64_t state = seed ^ ((uint64_t)index * 0xd1b54a32d192ed03ULL);

	for (int i = 0; i < 4; i++)
		g->rng[i] = splitmix64(&state);
	g->index = index;
	snprintf(g->account, sizeof(g->account), "%06d", (int)(100000 + index)); /* index < 10^7 */
	g->next_id = 0;
	g->stream_count = 0;
	g->support_ids = 0;
	/* histories begin between January 2019 and September 2024 */
	g->start = gen_office_time(g, gen_day_of(g->history_start) + 6 +
					      (int32_t)gen_range(g, 0, 5 * 365 + 260));
	gen_account_names(g);
}

static void build_account(struct gen *g, uint64_t seed, long index)
{
	begin_account(g, seed, index);
	gen_contracts(g);
	gen_support(g);
	gen_store(g);
	gen_account_faults(g);
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct gen_entry *)a)->key, y = ((const struct gen_entry *)b)->key;

	return (x > y) - (x < y);
}

/* Writes the chunk in delivery order and empties it. */
static int write_chunk(struct gen *g, FILE *out, struct ctr_error *err)
{
	if (g->out_of_memory)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory generating the history");
	if (g->entry_count > 1)
		qsort(g->entries, g->entry_count, sizeof(*g->entries), by_key);
	for (size_t i = 0; i < g->entry_count; i++) {
		const struct gen_entry *e = &g->entries[i];
		if (fwrite(g->text + e->offset, 1, e->length, out) != e->length)
			return ctr_error_set(err, CTR_EIO, "cannot write the history");
	}
	g->stats->events += (long)g->entry_count;
	g->entry_count = 0;
	g->text_len = 0;
	g->order = 0;
	return 0;
}

int gen_run(FILE *out, uint64_t seed, long accounts, struct ctr_generate_stats *stats,
	    long faults[GEN_FAULT_COUNT], struct ctr_error *err)
{
	struct gen *g;
	int rc = 0;

	memset(stats, 0, sizeof(*stats));
	if (accounts < 1 || accounts > CTR_GENERATE_MAX_ACCOUNTS)
		return ctr_error_set(err, CTR_EINVAL, "accounts must be from 1 to %ld",
				     CTR_GENERATE_MAX_ACCOUNTS);
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory generating the history");
	g->stats = stats;
	g->history_start = gen_time_of(gen_days(2019, 1, 1), 0);
	g->horizon = gen_time_of(gen_days(2026, 3, 31), 18 * 3600);
	for (long first = 0; first < accounts && rc == 0; first += GEN_CHUNK_ACCOUNTS) {
		for (long i = first; i < accounts && i < first + GEN_CHUNK_ACCOUNTS; i++)
			build_account(g, seed, i);
		rc = write_chunk(g, out, err);
		/* SIGINT or SIGTERM while `--out FILE` is written: the rest is not wanted */
		if (rc == 0 && ctr_output_file_stopped())
			rc = ctr_error_set(err, CTR_EINTR, "stopped by a signal");
	}
	if (rc == 0 && ferror(out))
		rc = ctr_error_set(err, CTR_EIO, "cannot write the history");
	if (faults)
		for (int k = 0; k < GEN_FAULT_COUNT; k++)
			faults[k] += g->faults[k];
	free(g->entries);
	free(g->text);
	free(g);
	return rc;
}

int ctr_generate(FILE *out, uint64_t seed, long accounts, struct ctr_generate_stats *stats,
		 struct ctr_error *err)
{
	return gen_run(out, seed, accounts, stats, NULL, err);
}
