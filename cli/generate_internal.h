/*
 * generate_internal.h - what the generator's files share: the random source,
 * the buffer of one chunk's events, and the builders of each family's
 * history. Not for use outside cli/generate*.c.
 */
#ifndef CTR_GENERATE_INTERNAL_H
#define CTR_GENERATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cli/generate.h"

struct gen_event {
	int64_t when;   /* emission order: seconds since the epoch, adjusted for gaps */
	long order;     /* creation order, the tie-break that keeps streams in seq order */
	char *line;
};

struct gen {
	uint64_t rng;
	long account;            /* index of the account being built */
	char account_id[16];
	struct gen_event *events;
	size_t count, cap;
	long order;
	struct ctr_generate_stats *stats;
	char line[8192];
};

uint64_t gen_next(struct gen *g);
/* A number in [low, high]. */
long gen_range(struct gen *g, long low, long high);
/* 1 with probability percent / 100. */
int gen_chance(struct gen *g, int percent);

/*
 * Stores one event with its envelope; data is a JSON object text. id is the
 * number in its id, or -1 for a new one. Returns the stored event.
 */
struct gen_event *gen_emit(struct gen *g, long id, const char *type, const char *stream, long seq,
			   int64_t at, const char *data);
/* A raw line (a deliberately broken one). */
void gen_emit_raw(struct gen *g, int64_t at, const char *line);
/* JSON-escapes text into out (NUL-terminated, truncated to size). */
void gen_escape(const char *text, char *out, size_t size);
/* YYYY-MM-DD of a time. */
void gen_date(int64_t at, char out[11]);

/*
 * Delivery problems of one stream whose events are g->events[first..end): a
 * redelivered copy, a sequence gap filled right after, a conflicting id, and
 * at its end a payload the schema cannot hold; *seq and *at are the stream's.
 */
void gen_delivery_faults(struct gen *g, size_t first, size_t end, const char *stream, long *seq,
			 int64_t *at);
/* Envelope problems of an account: a line that is not JSON, an unopened stream. */
void gen_envelope_faults(struct gen *g, int64_t at);

/* One account's history, family by family (generate_contracts.c, generate_support.c). */
int64_t gen_contracts(struct gen *g, int64_t start);
void gen_support(struct gen *g, int64_t start);
void gen_store(struct gen *g, int64_t start);

#endif
