/*
 * generate_line.c - writes one event at a time into the chunk's text: the
 * envelope of DOMAIN.md section 1, a small JSON writer for the payload, and
 * the entry that places the line in delivery order. A clean event may also
 * be delivered twice, with a conflicting copy, or after its successor in the
 * stream (E1, E2); the rates are in generate_faults.c.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cli/generate_internal.h"

static int reserve(struct gen *g, size_t more)
{
	size_t cap;
	char *grown;

	if (g->text_len + more <= g->text_cap)
		return 0;
	cap = g->text_cap ? g->text_cap : 1 << 20;
	while (cap < g->text_len + more)
		cap *= 2;
	grown = realloc(g->text, cap);
	if (grown == NULL) {
		g->out_of_memory = 1;
		return -1;
	}
	g->text = grown;
	g->text_cap = cap;
	return 0;
}

static void put(struct gen *g, const char *bytes, size_t length)
{
	if (length == 0 || reserve(g, length) != 0)
		return;
	memcpy(g->text + g->text_len, bytes, length);
	g->text_len += length;
}

#define PUT_LITERAL(g, literal) put((g), (literal), sizeof(literal) - 1)

static void put_text(struct gen *g, const char *text)
{
	put(g, text, strlen(text));
}

static void put_char(struct gen *g, char c)
{
	put(g, &c, 1);
}

static void put_long(struct gen *g, long value)
{
	char digits[24];
	int n = sizeof(digits);
	unsigned long magnitude = value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;

	do {
		digits[--n] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (value < 0)
		digits[--n] = '-';
	put(g, digits + n, sizeof(digits) - (size_t)n);
}

void gen_put_escaped(struct gen *g, const char *text)
{
	static const char hex[] = "0123456789abcdef";

	for (const char *run = text;; text++) {
		unsigned char c = (unsigned char)*text;
		if (c != 0 && c != '"' && c != '\\' && c >= 0x20)
			continue;
		put(g, run, (size_t)(text - run));
		if (c == 0)
			return;
		if (c == '"' || c == '\\') {
			char pair[2] = { '\\', (char)c };
			put(g, pair, 2);
		} else {
			char escaped[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(g, escaped, 6);
		}
		run = text + 1;
	}
}

static void put_envelope(struct gen *g, long id, int64_t at, int64_t recorded)
{
	char time[25];

	PUT_LITERAL(g, "{\"id\":\"e-");
	put_text(g, g->account);
	put_char(g, '-');
	put_long(g, id);
	PUT_LITERAL(g, "\",\"type\":\"");
	put_text(g, g->cur.type);
	PUT_LITERAL(g, "\",\"stream\":\"");
	gen_put_escaped(g, g->cur.stream->id);
	PUT_LITERAL(g, "\",\"seq\":");
	put_long(g, g->cur.seq);
	PUT_LITERAL(g, ",\"account\":\"");
	put_text(g, g->account);
	PUT_LITERAL(g, "\",\"at\":\"");
	gen_format_time(at, time);
	put(g, time, sizeof(time));
	if (recorded) { /* the source system recorded it a few seconds later */
		PUT_LITERAL(g, "\",\"recorded\":\"");
		gen_format_time(recorded, time);
		put(g, time, sizeof(time));
	}
	PUT_LITERAL(g, "\",\"data\":");
}

void gen_begin(struct gen *g, struct gen_stream *s, const char *type, int64_t at)
{
	int64_t recorded = 0;

	if (at <= s->at) /* within a stream, business time moves forward */
		at = s->at + gen_range(g, 60, 600);
	s->at = at;
	if (gen_chance(g, 30))
		recorded = at + gen_range(g, 1, 9);
	else if (gen_range(g, 0, 199) == 0) /* keyed in late: what --until (E5) tells apart */
		recorded = at + gen_range(g, 3600, 30 * GEN_DAY);
	g->cur.start = g->text_len;
	g->cur.id = ++g->next_id;
	g->cur.seq = ++s->seq;
	g->cur.at = at;
	g->cur.when = recorded ? recorded : at;
	if (g->cur.when > s->recorded)
		s->recorded = g->cur.when;
	g->cur.type = type;
	g->cur.stream = s;
	put_envelope(g, g->cur.id, at, recorded);
	g->cur.data = g->text_len;
	put_char(g, '{');
	g->depth = 0;
	g->first[0] = 1;
}

static void next_value(struct gen *g, const char *key)
{
	if (!g->first[g->depth])
		put_char(g, ',');
	g->first[g->depth] = 0;
	if (key) {
		put_char(g, '"');
		put_text(g, key);
		PUT_LITERAL(g, "\":");
	}
}

void gen_str(struct gen *g, const char *key, const char *value)
{
	next_value(g, key);
	put_char(g, '"');
	gen_put_escaped(g, value);
	put_char(g, '"');
}

void gen_long(struct gen *g, const char *key, long value)
{
	next_value(g, key);
	put_long(g, value);
}

void gen_bool(struct gen *g, const char *key, int value)
{
	next_value(g, key);
	if (value)
		PUT_LITERAL(g, "true");
	else
		PUT_LITERAL(g, "false");
}

void gen_date(struct gen *g, const char *key, int32_t day)
{
	char date[12];

	date[0] = '"';
	gen_format_date(day, date + 1);
	date[11] = '"';
	next_value(g, key);
	put(g, date, sizeof(date));
}

void gen_null(struct gen *g, const char *key)
{
	next_value(g, key);
	PUT_LITERAL(g, "null");
}

void gen_open(struct gen *g, const char *key, char bracket)
{
	assert(g->depth + 1 < (int)sizeof(g->first));
	next_value(g, key);
	put_char(g, bracket);
	g->first[++g->depth] = 1;
}

void gen_close(struct gen *g, char bracket)
{
	assert(g->depth > 0);
	put_char(g, bracket);
	g->depth--;
}

/* Returns the new entry, or -1 when memory ran out. */
static long add_entry(struct gen *g, int64_t when, size_t offset, size_t length)
{
	if (g->entry_count == g->entry_cap) {
		size_t cap = g->entry_cap ? g->entry_cap * 2 : 65536;
		struct gen_entry *grown = realloc(g->entries, cap * sizeof(*grown));
		if (grown == NULL) {
			g->out_of_memory = 1;
			return -1;
		}
		g->entries = grown;
		g->entry_cap = cap;
	}
	g->order += 2; /* even: a gap slips an entry in at an odd one (see deliver) */
	g->entries[g->entry_count] = (struct gen_entry){
		.key = (uint64_t)when << 32 | g->order, .offset = offset, .length = length,
	};
	return (long)g->entry_count++;
}

void gen_count(struct gen *g, enum gen_fault fault)
{
	g->faults[fault]++;
	if (fault == GEN_DUPLICATE)
		g->stats->duplicates++;
	else if (fault != GEN_SEQUENCE_GAP)
		g->stats->bad++;
}

void gen_raw_line(struct gen *g, int64_t when, const char *text, size_t length)
{
	size_t start = g->text_len;

	put(g, text, length);
	put_char(g, '\n');
	if (!g->out_of_memory)
		add_entry(g, when, start, g->text_len - start);
}

/* E1: the same id and stream position with other content (the producer re-sent it changed). */
static void conflicting_copy(struct gen *g)
{
	size_t data = g->cur.data, length = g->text_len - 2 - data; /* without "}\n" */
	size_t start = g->text_len;

	put_envelope(g, g->cur.id, g->cur.at + gen_range(g, 1, 48) * 3600, 0);
	if (reserve(g, length + 2) != 0)
		return;
	memcpy(g->text + g->text_len, g->text + data, length);
	g->text_len += length;
	PUT_LITERAL(g, "}\n");
	add_entry(g, g->cur.when + gen_range(g, 3600, 3 * GEN_DAY), start, g->text_len - start);
	gen_count(g, GEN_CONFLICTING_DUPLICATE);
}

/*
 * The delivery of a clean event: now and then after its successor (a gap the
 * successor fills), twice, or with a conflicting copy; and a candidate for
 * the account's malformed copy (uniform over the stream's clean events).
 */
static void deliver(struct gen *g, struct gen_stream *s, long entry)
{
	if (s->last_clean && gen_fault_roll(g, GEN_SEQUENCE_GAP)) {
		g->entries[entry].key = g->entries[s->last_entry].key - 1;
		gen_count(g, GEN_SEQUENCE_GAP);
		s->last_clean = 0;
		s->last_entry = entry;
		return;
	}
	if (gen_range(g, 0, s->clean++) == 0)
		s->pick = entry;
	if (gen_fault_roll(g, GEN_DUPLICATE)) {
		if (add_entry(g, g->cur.when + gen_range(g, 60, 12 * 3600), g->cur.start,
			      g->text_len - g->cur.start) >= 0)
			gen_count(g, GEN_DUPLICATE);
	} else if (gen_fault_roll(g, GEN_CONFLICTING_DUPLICATE)) {
		conflicting_copy(g);
	}
	s->last_clean = 1;
	s->last_entry = entry;
}

long gen_end(struct gen *g, enum gen_fault fault)
{
	struct gen_stream *s = g->cur.stream;
	long entry;

	assert(g->depth == 0);
	PUT_LITERAL(g, "}}\n");
	if (g->out_of_memory)
		return -1;
	entry = add_entry(g, g->cur.when, g->cur.start, g->text_len - g->cur.start);
	if (entry < 0)
		return -1;
	if (fault == GEN_CLEAN) {
		deliver(g, s, entry);
		return entry;
	}
	gen_count(g, fault);
	s->last_clean = 0;
	s->last_entry = entry;
	return entry;
}
