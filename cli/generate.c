/*
 * generate.c - the generator's driver (see generate.h): a splitmix64 random
 * source, one chunk of accounts at a time built into memory, sorted by time
 * so streams interleave as in a real log, and written out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/generate_internal.h"
#include "events/timefmt.h"

#define CHUNK_ACCOUNTS 500
#define HISTORY_START 1546300800 /* 2019-01-01 */

uint64_t gen_next(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

long gen_range(struct gen *g, long low, long high)
{
	return low + (long)(gen_next(g) % (uint64_t)(high - low + 1));
}

int gen_chance(struct gen *g, int percent)
{
	return (int)(gen_next(g) % 100) < percent;
}

void gen_escape(const char *text, char *out, size_t size)
{
	size_t n = 0;

	for (; *text && n + 7 < size; text++) {
		unsigned char c = (unsigned char)*text;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, size - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

void gen_date(int64_t at, char out[11])
{
	ctr_date_format((int32_t)((at + 9 * 3600) / 86400), out);
}

static void format_time(int64_t at, char out[32])
{
	time_t japan = (time_t)(at + 9 * 3600);
	struct tm tm;

	gmtime_r(&japan, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+09:00", &tm);
}

static struct gen_event *store(struct gen *g, int64_t when, const char *line)
{
	struct gen_event *e;

	if (g->count == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4096;
		struct gen_event *moved = realloc(g->events, cap * sizeof(*moved));
		if (moved == NULL)
			return NULL;
		g->events = moved;
		g->cap = cap;
	}
	e = &g->events[g->count++];
	e->when = when;
	e->order = g->order++;
	e->line = strdup(line);
	return e;
}

struct gen_event *gen_emit(struct gen *g, long id, const char *type, const char *stream, long seq,
			   int64_t at, const char *data)
{
	char at_text[32], recorded[64] = "";

	if (id < 0)
		id = g->order;
	format_time(at, at_text);
	if (gen_chance(g, 30)) { /* the source system recorded it a little later */
		char late[32];
		format_time(at + gen_range(g, 1, 90), late);
		snprintf(recorded, sizeof(recorded), ",\"recorded\":\"%s\"", late);
	}
	snprintf(g->line, sizeof(g->line),
		 "{\"id\":\"e-%s-%ld\",\"type\":\"%s\",\"stream\":\"%s\",\"seq\":%ld,\"account\":\"%s\","
		 "\"at\":\"%s\"%s,\"data\":%s}", g->account_id, id, type, stream, seq, g->account_id,
		 at_text, recorded, data);
	return store(g, at, g->line);
}

void gen_emit_raw(struct gen *g, int64_t at, const char *line)
{
	store(g, at, line);
}

static int by_time(const void *a, const void *b)
{
	const struct gen_event *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Sorts the chunk by time and writes it; frees the lines. */
static int write_chunk(struct gen *g, FILE *out, struct ctr_error *err)
{
	int rc = 0;

	if (g->count > 1)
		qsort(g->events, g->count, sizeof(*g->events), by_time);
	for (size_t i = 0; i < g->count; i++) {
		if (rc == 0 && (fputs(g->events[i].line, out) == EOF || putc('\n', out) == EOF))
			rc = ctr_error_set(err, CTR_EIO, "cannot write the history");
		free(g->events[i].line);
	}
	g->stats->events += (long)g->count;
	g->count = 0;
	return rc;
}

static void build_account(struct gen *g, long index)
{
	int64_t start = HISTORY_START + gen_range(g, 0, 4 * 365) * 86400 + gen_range(g, 0, 86399);

	g->account = index;
	snprintf(g->account_id, sizeof(g->account_id), "%06ld", 100000 + index % 800000);
	gen_contracts(g, start);
	gen_support(g, start + gen_range(g, 0, 30) * 86400);
	gen_store(g, start + gen_range(g, 0, 400) * 86400);
}

int ctr_generate(FILE *out, uint64_t seed, long accounts, struct ctr_generate_stats *stats,
		 struct ctr_error *err)
{
	struct gen g = { .rng = seed, .stats = stats };
	int rc = 0;

	memset(stats, 0, sizeof(*stats));
	for (long first = 0; first < accounts && rc == 0; first += CHUNK_ACCOUNTS) {
		for (long i = first; i < accounts && i < first + CHUNK_ACCOUNTS; i++)
			build_account(&g, i);
		rc = write_chunk(&g, out, err);
	}
	free(g.events);
	return rc;
}
