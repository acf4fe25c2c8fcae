/*
 * test_avro_tape.c - the tape decoder of events/avro_tape.c on records made
 * for each case: it must refuse damaged bytes without reading past them, take
 * only Avro's canonical encoding, and hand what it does not hold (arrays in
 * several blocks) to the generic decoder. Its comparison with Avro C's generic
 * values over many events is test_avro_tape_generic.c.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "events/avro_check.h"
#include "events/avro_tape.h"
#include "events/catalog.h"
#include "events/decode.h"
#include "events/payload.h"
#include "tests/events/avro_tape_fixture.h"

/* A plan and a tape for the catalog's current schema. */
static struct ctr_avro_tape *current_tape(struct ctr_avro_plan **plan)
{
	const struct ctr_catalog *catalog = ctr_catalog_default(NULL);

	*plan = ctr_avro_plan_new(ctr_catalog_schema(catalog, ctr_catalog_current_id(catalog)));
	cr_assert_not_null(*plan);
	return ctr_avro_tape_new(*plan);
}

static const char *allocated =
	"{\"id\":\"e1\",\"type\":\"environment.allocated\",\"stream\":\"C-1\",\"seq\":2,"
	"\"account\":\"1\",\"at\":\"2023-01-01T00:00:00+09:00\",\"data\":{\"env_id\":\"x\","
	"\"allocations\":[{\"sku\":\"A\",\"count\":3},{\"sku\":\"B\",\"count\":4}]}}";

Test(avro_tape, every_cut_of_a_record_is_damaged_and_read_no_further)
{
	struct ctr_avro_plan *plan;
	struct ctr_avro_tape *tape = current_tape(&plan);
	struct ctr_decoder *d;
	avro_value_t root;
	size_t len;
	uint8_t *bytes;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &d, NULL), 0);
	bytes = encode_line(d, allocated, &len);
	for (size_t cut = 0; cut < len; cut++) {
		/* a buffer of exactly cut bytes: ASan sees any read past it */
		uint8_t *part = malloc(cut ? cut : 1);
		memcpy(part, bytes, cut);
		cr_assert_lt(ctr_avro_tape_decode(tape, part, cut, &root), 0, "cut at %zu", cut);
		free(part);
	}
	bytes[0] = 0x7f; /* a union or string length far past the end */
	cr_assert_eq(ctr_avro_tape_decode(tape, bytes, len, &root), CTR_TAPE_DAMAGED);
	free(bytes);
	ctr_decoder_free(d);
	ctr_avro_tape_free(tape);
	ctr_avro_plan_free(plan);
}

/* Splits the two allocations of `allocated` into two array blocks of one item each. */
static uint8_t *split_array(const uint8_t *bytes, size_t len, size_t *split_len)
{
	static const uint8_t whole[] = { 0x04, 0x02, 'A', 0x06, 0x02, 'B', 0x08, 0x00 };
	static const uint8_t split[] = { 0x02, 0x02, 'A', 0x06, 0x02, 0x02, 'B', 0x08, 0x00 };
	uint8_t *out = malloc(len + 1);

	for (size_t at = 0; at + sizeof(whole) <= len; at++) {
		if (memcmp(bytes + at, whole, sizeof(whole)) == 0) {
			memcpy(out, bytes, at);
			memcpy(out + at, split, sizeof(split));
			memcpy(out + at + sizeof(split), bytes + at + sizeof(whole),
			       len - at - sizeof(whole));
			*split_len = len + 1;
			return out;
		}
	}
	cr_assert_fail("the allocations are not where the test expects them");
	return NULL;
}

/* ev is `allocated`: two allocations, the second B: 4. */
static void assert_allocations_read(struct ctr_event *ev)
{
	avro_value_t list, item;

	cr_assert(ctr_payload_field(&ev->data, "allocations", &list));
	cr_assert_eq(ctr_payload_count(&list), 2);
	ctr_payload_item(&list, 1, &item);
	cr_assert_str_eq(ctr_payload_text(&item, "sku"), "B");
	cr_assert_eq(ctr_payload_long(&item, "count", 0), 4);
}

Test(avro_tape, an_array_of_records_in_two_blocks_is_decoded_generically_and_reads_the_same)
{
	struct ctr_avro_plan *plan;
	struct ctr_avro_tape *tape = current_tape(&plan);
	struct ctr_decoder *d;
	struct ctr_event ev;
	avro_value_t root;
	size_t len, split_len;
	uint8_t *bytes, *split;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &d, NULL), 0);
	bytes = encode_line(d, allocated, &len);
	split = split_array(bytes, len, &split_len);
	/* the second block's items cannot lie beside the first's: not for the tape */
	cr_assert_eq(ctr_avro_tape_decode(tape, split, split_len, &root), CTR_TAPE_UNSUPPORTED);
	cr_assert_eq(ctr_decode_avro_record(d, split, split_len, &ev), 1);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	assert_allocations_read(&ev);
	/* and the whole record the tape reads, with the same answers */
	cr_assert_eq(ctr_decode_avro_record(d, bytes, len, &ev), 1);
	assert_allocations_read(&ev);
	free(split);
	free(bytes);
	ctr_decoder_free(d);
	ctr_avro_tape_free(tape);
	ctr_avro_plan_free(plan);
}

/*
 * Only Avro's canonical encoding is read onto the tape, the bytes an event's
 * digest is of (E1): an array in several blocks, a block with its byte size, a
 * varint longer than its value needs are left to the generic decoder, which
 * digests the event as it encodes (decode.c). Maps never reach the tape.
 */
Test(avro_tape, only_the_canonical_encoding_is_taped_and_maps_are_refused)
{
	static const char *list_json = "{\"type\":\"record\",\"name\":\"t\",\"fields\":["
				       "{\"name\":\"xs\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}]}";
	static const char *map_json = "{\"type\":\"record\",\"name\":\"m\",\"fields\":["
				      "{\"name\":\"xs\",\"type\":{\"type\":\"map\",\"values\":\"long\"}}]}";
	/* two items "a" and "b" in one block, then the end */
	static const uint8_t bytes[] = { 0x04, 0x02, 'a', 0x02, 'b', 0x00 };
	/* one item "a", then a block of -1 items of 2 bytes: "b", then the end */
	static const uint8_t two_blocks[] = { 0x02, 0x02, 'a', 0x01, 0x04, 0x02, 'b', 0x00 };
	/* the first length as two bytes (0x82 0x00 is 1 again) */
	static const uint8_t long_varint[] = { 0x04, 0x82, 0x00, 'a', 0x02, 'b', 0x00 };
	avro_schema_t list_schema, map_schema;
	struct ctr_avro_plan *plan;
	struct ctr_avro_tape *tape;
	avro_value_t root, xs, x;
	const char *text;
	size_t size, count;

	cr_assert_eq(avro_schema_from_json_length(list_json, strlen(list_json), &list_schema), 0);
	cr_assert_eq(avro_schema_from_json_length(map_json, strlen(map_json), &map_schema), 0);
	cr_assert_null(ctr_avro_plan_new(map_schema));
	plan = ctr_avro_plan_new(list_schema);
	tape = ctr_avro_tape_new(plan);
	cr_assert_eq(ctr_avro_tape_decode(tape, two_blocks, sizeof(two_blocks), &root),
		     CTR_TAPE_UNSUPPORTED);
	cr_assert_eq(ctr_avro_check(list_schema, two_blocks, sizeof(two_blocks), NULL),
		     (int64_t)sizeof(two_blocks));
	cr_assert_eq(ctr_avro_tape_decode(tape, long_varint, sizeof(long_varint), &root),
		     CTR_TAPE_UNSUPPORTED);
	cr_assert_eq(ctr_avro_tape_decode(tape, bytes, sizeof(bytes), &root), (int64_t)sizeof(bytes));
	cr_assert_eq(avro_value_get_by_name(&root, "xs", &xs, NULL), 0);
	cr_assert_eq(avro_value_get_size(&xs, &count), 0);
	cr_assert_eq(count, 2);
	cr_assert_eq(avro_value_get_by_index(&xs, 1, &x, NULL), 0);
	cr_assert_eq(avro_value_get_string(&x, &text, &size), 0);
	cr_assert_str_eq(text, "b");
	cr_assert_eq(size, 2); /* as Avro C's strings: the NUL is counted */
	cr_assert_neq(avro_value_get_long(&x, (int64_t *)&count), 0); /* a string is not a long */
	cr_assert_neq(avro_value_get_by_name(&root, "ys", &xs, NULL), 0);
	ctr_avro_tape_free(tape);
	ctr_avro_plan_free(plan);
	avro_schema_decref(list_schema);
	avro_schema_decref(map_schema);
}

Test(avro_tape, an_array_count_past_its_items_bytes_is_damaged_before_memory_is_set_aside)
{
	static const char *list_json = "{\"type\":\"record\",\"name\":\"t\",\"fields\":["
				       "{\"name\":\"xs\",\"type\":{\"type\":\"array\",\"items\":\"long\"}}]}";
	/* a count of 8,388,608 longs (zigzag 0x1000000), then three bytes */
	static const uint8_t bytes[] = { 0x80, 0x80, 0x80, 0x08, 0x02, 0x02, 0x02 };
	avro_schema_t schema;
	struct ctr_avro_plan *plan;
	struct ctr_avro_tape *tape;
	avro_value_t root;

	cr_assert_eq(avro_schema_from_json_length(list_json, strlen(list_json), &schema), 0);
	plan = ctr_avro_plan_new(schema);
	tape = ctr_avro_tape_new(plan);
	cr_assert_eq(ctr_avro_tape_decode(tape, bytes, sizeof(bytes), &root), CTR_TAPE_DAMAGED);
	cr_assert_str_eq(ctr_avro_tape_damage(tape), "more array items than bytes for them");
	ctr_avro_tape_free(tape);
	ctr_avro_plan_free(plan);
	avro_schema_decref(schema);
}

Test(avro_tape, a_damaged_record_is_rejected_with_what_was_wrong_and_nothing_of_it_is_kept)
{
	struct ctr_decoder *d;
	struct ctr_event ev;
	const void *encoded;
	size_t len, encoded_len;
	uint8_t *bytes;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &d, NULL), 0);
	bytes = encode_line(d, allocated, &len);
	uint8_t first = bytes[0];

	cr_assert_eq(ctr_decode_avro_record(d, bytes, len, &ev), 1);
	bytes[0] = 0x7f; /* the id's length: -64 */
	cr_assert_eq(ctr_decode_avro_record(d, bytes, len, &ev), -1);
	cr_assert_eq(ev.code, CTR_CODE_BAD_AVRO);
	cr_assert(strstr(ev.message, "a bad length") != NULL, "%s", ev.message);
	/* an empty message after a good one: what the decoder encodes is not the freed bytes */
	bytes[0] = first;
	cr_assert_eq(ctr_decode_avro_record(d, bytes, len, &ev), 1);
	cr_assert_eq(ctr_decode_avro_record(d, bytes, 0, &ev), -1);
	if (ctr_decoder_encode(d, &encoded, &encoded_len, NULL) == 0)
		cr_assert((const uint8_t *)encoded < bytes || (const uint8_t *)encoded >= bytes + len);
	free(bytes);
	ctr_decoder_free(d);
}
