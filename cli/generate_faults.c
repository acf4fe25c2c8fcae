/*
 * generate_faults.c - the deliberately bad part of a synthetic history: what
 * a real log suffers in delivery (redeliveries, gaps, reused ids) and input
 * the engine must reject (bad JSON, events for unopened streams, payloads the
 * schema cannot hold). Payload problems go last in their stream: `ingest`
 * refuses them, so a log built from the history lacks them, and a gap at the
 * end of a stream holds nothing back.
 */
#include <stdio.h>
#include <string.h>

#include "cli/generate_internal.h"

/* E1: an exact copy of an earlier event, delivered again later. */
static void redeliver(struct gen *g, size_t first, size_t end, int64_t at)
{
	size_t pick = first + (size_t)gen_range(g, 0, (long)(end - first - 1));

	gen_emit_raw(g, at + gen_range(g, 60, 86400), g->events[pick].line);
	g->stats->duplicates++;
}

/* E2: two neighbouring events of a stream arrive in the wrong order. */
static void swap_pair(struct gen *g, size_t first, size_t end)
{
	size_t pick;

	if (end - first < 3)
		return;
	pick = first + 1 + (size_t)gen_range(g, 0, (long)(end - first - 3));
	g->events[pick + 1].when = g->events[pick].when - 1;
	g->events[pick + 1].order = g->events[pick].order - 1;
}

/* E1: an id already used, with other content (conflicting_duplicate). */
static void reuse_id(struct gen *g, size_t first, const char *stream, int64_t at)
{
	long id = g->events[first].order;

	gen_emit(g, id, "environment.created", stream, 2, at + 3600,
		 "{\"env_id\":\"env-copy\",\"name\":\"another content\"}");
	g->stats->bad++;
}

/* E6: the last event of the stream does not fit the schema. */
static void misfit(struct gen *g, const char *stream, long *seq, int64_t *at)
{
	static const char *const broken[][2] = {
		{ "environment.created", "{\"name\":\"no env_id\"}" },           /* missing_field */
		{ "contract.licenses_changed", "{\"sku\":\"CSL-BIS\",\"licenses\":\"7\"}" }, /* bad_format */
		{ "environment.renamed", "{\"env_id\":\"env-1\",\"name\":\"x\"}" }, /* unknown_type */
	};
	int kind = (int)gen_range(g, 0, 2);

	*at += 86400;
	gen_emit(g, -1, broken[kind][0], stream, ++*seq, *at, broken[kind][1]);
	g->stats->bad++;
}

void gen_delivery_faults(struct gen *g, size_t first, size_t end, const char *stream, long *seq,
			 int64_t *at)
{
	if (end - first < 2)
		return;
	if (gen_chance(g, 30))
		redeliver(g, first, end, *at);
	if (gen_chance(g, 8))
		swap_pair(g, first, end);
	if (gen_chance(g, 4))
		reuse_id(g, first, stream, *at);
	if (gen_chance(g, 6))
		misfit(g, stream, seq, at);
}

void gen_envelope_faults(struct gen *g, int64_t at)
{
	char line[256], stream[64];

	if (gen_chance(g, 5)) { /* bad_json: a line cut short */
		snprintf(line, sizeof(line), "{\"id\":\"e-%s-cut\",\"type\":\"environment.created\","
			 "\"stream\":\"C-%s-1\",\"seq\":", g->account_id, g->account_id);
		gen_emit_raw(g, at + 7200, line);
		g->stats->bad++;
	}
	if (gen_chance(g, 5)) { /* unknown_stream: a contract that was never opened */
		snprintf(stream, sizeof(stream), "C-%s-unopened", g->account_id);
		gen_emit(g, -1, "environment.created", stream, 1, at + 9000,
			 "{\"env_id\":\"env-1\",\"name\":\"orphan\"}");
		g->stats->bad++;
	}
}
