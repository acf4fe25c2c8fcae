/*
 * test_avro_tape_generic.c - the tape decoder of events/avro_tape.c against
 * Avro C's generic values: it must read every generated event exactly as they
 * do, and give mutated events the same verdict and, when both read them, the
 * same values.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cli/generate.h"
#include "events/avro_check.h"
#include "events/avro_tape.h"
#include "events/catalog.h"
#include "events/decode.h"
#include "events/value_json.h"
#include "tests/events/avro_tape_fixture.h"

/* The value as JSON text; a value JSON cannot hold (text that is not UTF-8) as a marker. */
static char *json_of(avro_value_t *value)
{
	json_t *json = ctr_value_to_json(value);
	char *text = json ? json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(json);
	return text ? text : strdup("(not JSON)");
}

/* The current schema's plan, tape and generic value, and generated events encoded in it. */
struct corpus {
	avro_schema_t schema;
	struct ctr_avro_plan *plan;
	struct ctr_avro_tape *tape;
	avro_value_iface_t *iface;
	avro_value_t generic;
	uint8_t **records;
	size_t *lens;
	int count;
};

static void corpus_open(struct corpus *c, uint64_t seed, long accounts)
{
	const struct ctr_catalog *catalog = ctr_catalog_default(NULL);
	struct ctr_generate_stats stats;
	struct ctr_decoder *d;
	char *history = NULL, *line;
	size_t history_len = 0;
	FILE *out = open_memstream(&history, &history_len);

	memset(c, 0, sizeof(*c));
	c->schema = ctr_catalog_schema(catalog, ctr_catalog_current_id(catalog));
	c->plan = ctr_avro_plan_new(c->schema);
	cr_assert_not_null(c->plan);
	c->tape = ctr_avro_tape_new(c->plan);
	c->iface = avro_generic_class_from_schema(c->schema);
	cr_assert_eq(avro_generic_value_new(c->iface, &c->generic), 0);
	cr_assert_eq(ctr_decoder_new(NULL, 1, &d, NULL), 0);
	cr_assert_eq(ctr_generate(out, seed, accounts, &stats, NULL), 0);
	fclose(out);
	c->records = calloc((size_t)stats.events, sizeof(*c->records));
	c->lens = calloc((size_t)stats.events, sizeof(*c->lens));
	line = history;
	while (line != NULL && c->count < stats.events) {
		char *newline = strchr(line, '\n');

		if (newline != NULL)
			*newline = '\0';
		if (*line != '\0') { /* empty lines are skipped */
			c->records[c->count] = encode_line(d, line, &c->lens[c->count]);
			c->count += c->records[c->count] != NULL;
		}
		line = newline != NULL ? newline + 1 : NULL;
	}
	free(history);
	ctr_decoder_free(d);
}

static void corpus_close(struct corpus *c)
{
	for (int i = 0; i < c->count; i++)
		free(c->records[i]);
	free(c->records);
	free(c->lens);
	avro_value_decref(&c->generic);
	avro_value_iface_decref(c->iface);
	ctr_avro_tape_free(c->tape);
	ctr_avro_plan_free(c->plan);
}

/* 1 when Avro C's generic reader reads bytes (the schema walk first, as decode.c does). */
static int generic_read(struct corpus *c, const uint8_t *bytes, size_t len)
{
	avro_reader_t reader;
	int ok;

	if (ctr_avro_check(c->schema, bytes, len, NULL) <= 0)
		return 0;
	reader = avro_reader_memory((const char *)bytes, (int64_t)len);
	ok = avro_value_read(reader, &c->generic) == 0;
	avro_reader_free(reader);
	return ok;
}

Test(avro_tape, every_generated_event_reads_as_generic_values_read_it)
{
	struct corpus c;
	avro_value_t taped, data;
	int types_seen[256] = { 0 }, distinct = 0;

	corpus_open(&c, 7, 60);
	cr_assert_gt(c.count, 1000);
	for (int i = 0; i < c.count; i++) {
		char *want, *got;
		int branch = 0;

		cr_assert(generic_read(&c, c.records[i], c.lens[i]));
		cr_assert_eq(ctr_avro_tape_decode(c.tape, c.records[i], c.lens[i], &taped),
			     (int64_t)c.lens[i], "record %d", i);
		want = json_of(&c.generic);
		got = json_of(&taped);
		cr_assert_str_eq(got, want);
		avro_value_get_by_name(&taped, "data", &data, NULL);
		avro_value_get_discriminant(&data, &branch);
		if (branch >= 0 && branch < 256 && !types_seen[branch]++)
			distinct++;
		free(want);
		free(got);
	}
	cr_assert_geq(distinct, 30, "only %d event types were compared", distinct);
	corpus_close(&c);
}

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Byte changes, flips, insertions and deletions, one to three of them. */
static size_t mutate(uint8_t *buf, size_t len, uint64_t *rng)
{
	for (int m = 0, count = 1 + (int)(next_random(rng) % 3); m < count; m++) {
		size_t at = next_random(rng) % len;
		switch (next_random(rng) % 4) {
		case 0:
			buf[at] = (uint8_t)next_random(rng);
			break;
		case 1:
			buf[at] ^= (uint8_t)(1u << (next_random(rng) % 8));
			break;
		case 2:
			memmove(buf + at + 1, buf + at, len - at);
			buf[at] = (uint8_t)(next_random(rng) % 8);
			len++;
			break;
		default:
			if (len > 1) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
		}
	}
	return len;
}

/*
 * Differential: mutated events must get the same verdict from the tape as
 * from the schema walk plus Avro C's generic reader, and when both read a
 * record, the same values.
 */
Test(avro_tape, mutated_records_get_the_generic_decoders_verdict_and_values)
{
	struct corpus c;
	avro_value_t taped;
	long read_both = 0, damaged_both = 0;
	uint64_t rng = 88172645463325252ULL;

	corpus_open(&c, 3, 12);
	cr_assert_gt(c.count, 100);
	for (int round = 0; round < 20000; round++) {
		int k = (int)(next_random(&rng) % (uint64_t)c.count);
		uint8_t buf[8192], *exact;
		size_t len;
		int64_t tape_size;
		int generic_ok;

		if (c.lens[k] + 16 > sizeof(buf))
			continue;
		memcpy(buf, c.records[k], c.lens[k]);
		len = mutate(buf, c.lens[k], &rng);
		exact = malloc(len); /* exactly len bytes: ASan sees a read past them */
		memcpy(exact, buf, len);
		tape_size = ctr_avro_tape_decode(c.tape, exact, len, &taped);
		generic_ok = generic_read(&c, exact, len);
		if (tape_size >= 0) {
			char *want, *got;
			cr_assert(generic_ok && ctr_avro_check(c.schema, exact, len, NULL) == tape_size,
				  "round %d: only the tape reads it", round);
			want = json_of(&c.generic);
			got = json_of(&taped);
			cr_assert_str_eq(got, want, "round %d", round);
			free(want);
			free(got);
			read_both++;
		} else if (tape_size == CTR_TAPE_DAMAGED) {
			cr_assert_not(generic_ok, "round %d: the tape calls damaged what reads", round);
			damaged_both++;
		}
		free(exact);
	}
	cr_assert_gt(read_both, 1000);
	cr_assert_gt(damaged_both, 1000);
	corpus_close(&c);
}
