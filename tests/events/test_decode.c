/*
 * test_decode.c - JSON Lines to events (events/decode_json.c, validate.c):
 * which problems take a place in the stream and which do not (E2, E6).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "events/catalog.h"
#include "events/decode.h"
#include "events/payload.h"

static struct ctr_decoder *decoder;

static void setup(void)
{
	struct ctr_error err;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &decoder, &err), 0, "%s", err.message);
}

static void teardown(void)
{
	ctr_decoder_free(decoder);
}

static void decode(const char *line, struct ctr_event *ev)
{
	ctr_decode_json(decoder, line, strlen(line), ev);
}

#define ENVELOPE "\"stream\":\"C-1\",\"seq\":2,\"account\":\"1\",\"at\":\"2023-01-01T00:00:00+09:00\""

TestSuite(decode, .init = setup, .fini = teardown);

/* The event `decoder` decoded last (case i), encoded in Avro and decoded again by avro. */
static void decode_again_from_avro(struct ctr_decoder *avro, struct ctr_event *ev, size_t i)
{
	struct ctr_error err;
	const void *bytes;
	size_t len;

	cr_assert_eq(ctr_decoder_encode(decoder, &bytes, &len, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_decode_avro_record(avro, bytes, len, ev), 1, "case %zu", i);
}

Test(decode, a_valid_event_exposes_its_payload_by_name)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"environment.allocated\"," ENVELOPE
	       ",\"data\":{\"env_id\":\"x\",\"allocations\":[{\"sku\":\"A\",\"count\":3}]}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	cr_assert_str_eq(ev.id, "e1");
	cr_assert_eq(ev.seq, 2);
	cr_assert_str_eq(ctr_payload_text(&ev.data, "env_id"), "x");
	cr_assert_str_eq(ev.recorded, ev.at); /* recorded defaults to at */
}

/* tree with every field's default removed, or set to other, as another writer's copy may be. */
static void set_defaults(json_t *tree, json_t *other)
{
	const char *key;
	json_t *value;
	size_t i;

	if (json_is_array(tree))
		json_array_foreach(tree, i, value)
			set_defaults(value, other);
	if (!json_is_object(tree))
		return;
	if (json_object_get(tree, "default") != NULL && json_object_get(tree, "name") != NULL) {
		if (other != NULL)
			json_object_set(tree, "default", other);
		else
			json_object_del(tree, "default");
	}
	json_object_foreach(tree, key, value)
		set_defaults(value, other);
}

/* A line without member.invited's lang decoded by a log whose header's defaults are other. */
static void decode_with_header_defaults(json_t *other)
{
	const struct ctr_catalog *catalog = ctr_catalog_default(NULL);
	int current = ctr_catalog_current_id(catalog);
	json_t *tree = json_loads(ctr_catalog_schema_json(catalog, current), 0, NULL);
	const char *line = "{\"id\":\"e1\",\"type\":\"member.invited\"," ENVELOPE
			   ",\"data\":{\"email\":\"p@x.example.jp\",\"role\":\"member\",\"by\":\"o\"}}";
	struct ctr_decoder *log_decoder;
	struct ctr_error err;
	struct ctr_event ev;
	char *header;

	cr_assert_not_null(tree);
	set_defaults(tree, other);
	header = json_dumps(tree, JSON_COMPACT);
	cr_assert_eq(ctr_decoder_new(header, 1, &log_decoder, &err), 0, "%s", err.message);
	ctr_decode_json(log_decoder, line, strlen(line), &ev);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	cr_assert_str_eq(ctr_payload_text(&ev.data, "lang"), "ja", "the catalog's default");
	ctr_decoder_free(log_decoder);
	free(header);
	json_decref(tree);
}

Test(decode, a_log_in_a_catalog_version_takes_its_defaults_from_the_catalog)
{
	json_t *en = json_string("en");

	decode_with_header_defaults(NULL); /* Avro C writes a schema without them */
	decode_with_header_defaults(en);
	json_decref(en);
}

Test(decode, bad_json_takes_no_place)
{
	struct ctr_event ev;

	decode("{\"id\":", &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_JSON);
	cr_assert_not(ev.takes_place);
}

Test(decode, a_missing_seq_takes_no_place)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"environment.deleted\",\"stream\":\"C-1\",\"account\":\"1\","
	       "\"at\":\"2023-01-01T00:00:00+09:00\",\"data\":{\"env_id\":\"x\"}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_MISSING_FIELD);
	cr_assert_not(ev.takes_place);
}

Test(decode, an_id_outside_the_alphabet_takes_no_place)
{
	struct ctr_event ev;

	decode("{\"id\":\"e 1\",\"type\":\"environment.deleted\"," ENVELOPE
	       ",\"data\":{\"env_id\":\"x\"}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT);
	cr_assert_not(ev.takes_place);
}

Test(decode, a_missing_account_takes_its_place_and_keeps_the_rest_of_the_header)
{
	struct ctr_event ev;

	decode("{\"id\":\"e-1\",\"type\":\"member.joined\",\"stream\":\"C-1\",\"seq\":2,"
	       "\"at\":\"2023-01-01T00:00:00+09:00\",\"data\":{}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_MISSING_FIELD);
	cr_assert(ev.takes_place, "a missing account still takes its seq (E2)");
	cr_assert_str_eq(ev.message, "account: missing");
	cr_assert_str_eq(ev.type, "member.joined");
	cr_assert_str_eq(ev.account, "", "no account: the empty text, never NULL");
	cr_assert_str_eq(ev.at, "2023-01-01T00:00:00+09:00", "the audit shows when it happened");
	cr_assert_str_eq(ev.recorded, ev.at, "recorded defaults to at");
}

Test(decode, an_unknown_type_takes_its_place)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"environment.renamed\"," ENVELOPE ",\"data\":{}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_UNKNOWN_TYPE);
	cr_assert(ev.takes_place);
}

Test(decode, a_wrong_payload_type_is_bad_format_with_its_path)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"contract.licenses_changed\"," ENVELOPE
	       ",\"data\":{\"sku\":\"A\",\"licenses\":\"3\"}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT);
	cr_assert(ev.takes_place);
	cr_assert(strstr(ev.message, "data.licenses") != NULL, "%s", ev.message);
}

Test(decode, a_missing_payload_field_is_missing_field)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"contract.licenses_changed\"," ENVELOPE
	       ",\"data\":{\"sku\":\"A\"}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_MISSING_FIELD);
	cr_assert(strstr(ev.message, "data.licenses") != NULL, "%s", ev.message);
}

Test(decode, a_negative_count_is_bad_format)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"contract.licenses_changed\"," ENVELOPE
	       ",\"data\":{\"sku\":\"A\",\"licenses\":-1}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT);
}

/* E6: a count is 0 to CTR_COUNT_MAX, so that no sum or invoice of counts can pass 64 bits. */
Test(decode, a_count_over_its_cap_is_bad_format)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"contract.licenses_changed\"," ENVELOPE
	       ",\"data\":{\"sku\":\"A\",\"licenses\":100000000}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	decode("{\"id\":\"e1\",\"type\":\"contract.licenses_changed\"," ENVELOPE
	       ",\"data\":{\"sku\":\"A\",\"licenses\":100000001}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT);
	cr_assert(ev.takes_place);
	cr_assert_str_eq(ev.message, "licenses: not a valid count (0 to 100000000)");
}

Test(decode, an_impossible_date_is_bad_format)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"contract.renewed\"," ENVELOPE
	       ",\"data\":{\"end_date\":\"2024-02-30\"}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT);
	cr_assert(strstr(ev.message, "end_date") != NULL, "%s", ev.message);
}

/*
 * E6: an optional field (a union with null) is judged by its format when it
 * is given, and a null one is not judged at all, from JSON and from an Avro
 * record on the tape alike. Until the format walk marked a union's branch as
 * holding checks, no optional field was ever judged.
 */
Test(decode, an_optional_field_is_judged_by_its_format_when_given)
{
	static const struct {
		const char *line, *message; /* NULL: applied */
	} cases[] = {
		{ "{\"id\":\"e1\",\"type\":\"environment.deleted\"," ENVELOPE
		  ",\"recorded\":\"yesterday\",\"data\":{\"env_id\":\"x\"}}",
		  "recorded: not a valid timestamp" },
		{ "{\"id\":\"e1\",\"type\":\"environment.deleted\"," ENVELOPE
		  ",\"recorded\":null,\"data\":{\"env_id\":\"x\"}}", NULL },
		{ "{\"id\":\"e1\",\"type\":\"support.issued\"," ENVELOPE
		  ",\"data\":{\"support_id\":\"0054-29495\",\"sku\":\"A\",\"licenses\":3,"
		  "\"starts_on\":\"2024-01-01\",\"ends_on\":\"2024-12-31\",\"reason\":\"renewal\","
		  "\"replaces\":\"0054-2949\"}}", "replaces: not a valid support_id" },
		{ "{\"id\":\"e1\",\"type\":\"support.issued\"," ENVELOPE
		  ",\"data\":{\"support_id\":\"0054-29495\",\"sku\":\"A\",\"licenses\":3,"
		  "\"starts_on\":\"2024-01-01\",\"ends_on\":\"2024-12-31\",\"reason\":\"renewal\","
		  "\"replaces\":\"0054-29494\"}}", NULL },
	};

	struct ctr_decoder *avro;
	struct ctr_error err;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &avro, &err), 0, "%s", err.message);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctr_event from_json, from_avro;

		decode(cases[i].line, &from_json);
		decode_again_from_avro(avro, &from_avro, i);
		for (int way = 0; way < 2; way++) {
			const struct ctr_event *ev = way ? &from_avro : &from_json;
			if (cases[i].message == NULL) {
				cr_assert_eq(ev->code, CTR_CODE_OK, "case %zu/%d: %s", i, way, ev->message);
				continue;
			}
			cr_assert_eq(ev->code, CTR_CODE_BAD_FORMAT, "case %zu/%d: %s", i, way, ev->message);
			cr_assert(ev->takes_place, "case %zu/%d", i, way);
			cr_assert_str_eq(ev->message, cases[i].message, "case %zu/%d", i, way);
		}
	}
	ctr_decoder_free(avro);
}

/* E6: every stream of an account lands in one partition; an empty account has none */
Test(decode, an_empty_account_is_bad_format_and_takes_its_place)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"environment.deleted\",\"stream\":\"C-1\",\"seq\":2,"
	       "\"account\":\"\",\"at\":\"2023-01-01T00:00:00+09:00\",\"data\":{\"env_id\":\"x\"}}",
	       &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT, "%s", ev.message);
	cr_assert(ev.takes_place);
	cr_assert_str_eq(ev.message, "account: empty");

	struct ctr_decoder *avro;
	struct ctr_error err;
	struct ctr_event from_avro;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &avro, &err), 0, "%s", err.message);
	decode_again_from_avro(avro, &from_avro, 0);
	cr_assert_eq(from_avro.code, CTR_CODE_BAD_FORMAT, "%s", from_avro.message);
	cr_assert(from_avro.takes_place);
	cr_assert_str_eq(from_avro.message, "account: empty");
	ctr_decoder_free(avro);
}

Test(decode, a_field_the_schema_cannot_hold_is_refused)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"environment.deleted\"," ENVELOPE
	       ",\"data\":{\"env_id\":\"x\",\"reason\":\"old\"}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT);
	cr_assert(strstr(ev.message, "unknown field") != NULL, "%s", ev.message);
}

Test(decode, added_fields_take_their_schema_default)
{
	struct ctr_event ev;

	decode("{\"id\":\"e1\",\"type\":\"member.invited\"," ENVELOPE
	       ",\"data\":{\"email\":\"a@example.com\",\"role\":\"member\",\"by\":\"o\"}}", &ev);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	cr_assert_str_eq(ctr_payload_text(&ev.data, "lang"), "ja");
}

Test(decode, the_same_event_has_the_same_digest_whatever_its_key_order)
{
	struct ctr_event ev;
	uint64_t first;

	decode("{\"id\":\"e1\",\"type\":\"environment.deleted\"," ENVELOPE
	       ",\"data\":{\"env_id\":\"x\"}}", &ev);
	first = ev.digest;
	decode("{\"data\":{\"env_id\":\"x\"},\"type\":\"environment.deleted\",\"id\":\"e1\","
	       ENVELOPE "}", &ev);
	cr_assert_eq(ev.digest, first);
	decode("{\"id\":\"e1\",\"type\":\"environment.deleted\"," ENVELOPE
	       ",\"data\":{\"env_id\":\"y\"}}", &ev);
	cr_assert_neq(ev.digest, first);
}

Test(decode, an_event_turns_back_into_the_same_json)
{
	struct ctr_event ev;
	const char *line = "{\"id\":\"e1\",\"type\":\"environment.deleted\",\"stream\":\"C-1\","
			   "\"seq\":2,\"account\":\"1\",\"at\":\"2023-01-01T00:00:00+09:00\","
			   "\"data\":{\"env_id\":\"x\"}}";
	char *back;

	decode(line, &ev);
	back = ctr_decoder_to_json(decoder);
	cr_assert_str_eq(back, line);
	free(back);
}

/*
 * Avro strings must be UTF-8, as JSON text is: a record holding one that is
 * not is bad_avro and takes no place, as such a JSON line is bad_json (E2,
 * E6); only it is lost, and the record after it in the block decodes. Before,
 * it was accepted with the bytes as they were, a content no JSON line can
 * have, so its redelivery as JSON was a conflicting duplicate (E1).
 */
Test(decode, an_avro_string_that_is_not_text_rejects_only_its_record)
{
	const char *line = "{\"id\":\"e1\",\"type\":\"environment.deleted\"," ENVELOPE
			   ",\"data\":{\"env_id\":\"xx\"}}";
	struct ctr_decoder *avro;
	struct ctr_error err;
	struct ctr_event ev;
	const void *bytes;
	uint8_t block[1024];
	size_t len;
	uint8_t *env_id;

	decode(line, &ev);
	cr_assert_eq(ctr_decoder_encode(decoder, &bytes, &len, &err), 0, "%s", err.message);
	cr_assert(len * 2 <= sizeof(block));
	memcpy(block, bytes, len);
	memcpy(block + len, bytes, len);
	env_id = memmem(block, len, "xx", 2);
	cr_assert_not_null(env_id);
	env_id[0] = 0xC3; /* a lead byte followed by an ASCII byte: not UTF-8 */
	cr_assert_eq(ctr_decoder_new(NULL, 1, &avro, &err), 0, "%s", err.message);
	ctr_decoder_block(avro, block, len * 2);
	cr_assert_eq(ctr_decode_avro_next(avro, &ev), 1);
	cr_assert_eq(ev.code, CTR_CODE_BAD_AVRO, "%s", ev.message);
	cr_assert_eq(ev.takes_place, 0);
	cr_assert_eq(ev.raw_len, len);
	cr_assert(strstr(ev.message, "not UTF-8") != NULL, "%s", ev.message);
	cr_assert_eq(ctr_decode_avro_next(avro, &ev), 1);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	cr_assert_str_eq(ev.id, "e1");
	cr_assert_eq(ctr_decode_avro_next(avro, &ev), 0);
	/* a NUL byte, which JSON refuses in a string and C's strings would end at */
	env_id[0] = 'x';
	env_id[1] = '\0';
	ctr_decoder_block(avro, block, len);
	cr_assert_eq(ctr_decode_avro_next(avro, &ev), 1);
	cr_assert_eq(ev.code, CTR_CODE_BAD_AVRO, "%s", ev.message);
	cr_assert(strstr(ev.message, "NUL") != NULL, "%s", ev.message);
	ctr_decoder_free(avro);
}

/*
 * E6 from a local log: a record in the current schema is decoded onto a tape
 * and its formats checked where the tape holds them (events/validate.c), not
 * through the value interface the JSON path goes through. Both must reject
 * the same events with the same code, place and message.
 */
Test(decode, formats_judged_alike_from_json_and_from_an_avro_record)
{
	static const char *const lines[] = {
		"{\"id\":\"e1\",\"type\":\"environment.deleted\"," ENVELOPE ",\"data\":{\"env_id\":\"x\"}}",
		"{\"id\":\"e1\",\"type\":\"environment.deleted\"," ENVELOPE
		",\"recorded\":\"yesterday\",\"data\":{\"env_id\":\"x\"}}",
		"{\"id\":\"e1\",\"type\":\"environment.deleted\",\"stream\":\"C-1\",\"seq\":2,"
		"\"account\":\"1\",\"at\":\"2023-13-01T00:00:00+09:00\",\"data\":{\"env_id\":\"x\"}}",
		"{\"id\":\"e1\",\"type\":\"environment.allocated\"," ENVELOPE
		",\"data\":{\"env_id\":\"x\",\"allocations\":[{\"sku\":\"A\",\"count\":3},"
		"{\"sku\":\"B\",\"count\":-2}]}}",
		"{\"id\":\"e1\",\"type\":\"environment.allocated\"," ENVELOPE
		",\"data\":{\"env_id\":\"x\",\"allocations\":[{\"sku\":\"A\",\"count\":100000001}]}}",
		"{\"id\":\"e1\",\"type\":\"customer.registered\"," ENVELOPE
		",\"data\":{\"customer_no\":\"12345\",\"email\":\"a@b\"}}",
		"{\"id\":\"e1\",\"type\":\"customer.registered\"," ENVELOPE
		",\"data\":{\"customer_no\":\"123456\",\"email\":\"a.b.example\"}}",
		"{\"id\":\"e1\",\"type\":\"support.issued\"," ENVELOPE
		",\"data\":{\"support_id\":\"0054-29495\",\"sku\":\"A\",\"licenses\":3,"
		"\"starts_on\":\"2024-01-01\",\"ends_on\":\"2024-12-31\",\"reason\":\"purchase\","
		"\"replaces\":null}}",
		"{\"id\":\"e1\",\"type\":\"support.issued\"," ENVELOPE
		",\"data\":{\"support_id\":\"0054-29495\",\"sku\":\"A\",\"licenses\":3,"
		"\"starts_on\":\"2024-01-01\",\"ends_on\":\"2024-12-31\",\"reason\":\"renewal\","
		"\"replaces\":\"0054-2949\"}}",
		"{\"id\":\"e1\",\"type\":\"support.issued\"," ENVELOPE
		",\"data\":{\"support_id\":\"0054-29495\",\"sku\":\"A\",\"licenses\":-3,"
		"\"starts_on\":\"2024-02-30\",\"ends_on\":\"2024-12-31\",\"reason\":\"purchase\"}}",
	};
	struct ctr_decoder *avro;
	struct ctr_error err;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &avro, &err), 0, "%s", err.message);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct ctr_event from_json, from_avro;

		decode(lines[i], &from_json);
		cr_assert(from_json.code == CTR_CODE_OK || from_json.code == CTR_CODE_BAD_FORMAT,
			  "line %zu: %s", i, from_json.message);
		decode_again_from_avro(avro, &from_avro, i);
		cr_assert_eq(from_avro.code, from_json.code, "line %zu: %s against %s", i,
			     from_avro.message, from_json.message);
		cr_assert_eq(from_avro.takes_place, from_json.takes_place, "line %zu", i);
		if (from_json.code != CTR_CODE_OK)
			cr_assert_str_eq(from_avro.message, from_json.message, "line %zu", i);
	}
	ctr_decoder_free(avro);
}

/*
 * E2/E6: an id that is not an event_id, in a log an ingest wrote (ingest does
 * not judge formats), is rejected at replay and takes no place in its stream.
 * The position check judges it; the format walk leaves the envelope's id out.
 */
Test(decode, a_bad_event_id_in_a_log_record_takes_no_place)
{
	static const char line[] = "{\"id\":\"e 1\",\"type\":\"environment.deleted\"," ENVELOPE
				   ",\"data\":{\"env_id\":\"x\"}}";
	struct ctr_decoder *ingest, *replay;
	struct ctr_event ev;
	struct ctr_error err;
	const void *bytes;
	size_t len;

	cr_assert_eq(ctr_decoder_new(NULL, 0, &ingest, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_decoder_new(NULL, 1, &replay, &err), 0, "%s", err.message);
	ctr_decode_json(ingest, line, sizeof(line) - 1, &ev);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	cr_assert_eq(ctr_decoder_encode(ingest, &bytes, &len, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_decode_avro_record(replay, bytes, len, &ev), 1);
	cr_assert_eq(ev.code, CTR_CODE_BAD_FORMAT, "%s", ev.message);
	cr_assert_not(ev.takes_place);
	cr_assert_str_eq(ev.message, "id: not a valid event_id");
	ctr_decoder_free(ingest);
	ctr_decoder_free(replay);
}

/*
 * E5: when an event was recorded (what --until compares), alike from a JSON
 * line and from an Avro record: recorded as an instant, at where recorded is
 * absent or not a time, CTR_TIME_NONE (before every --until) where neither is
 * one. The epoch is an instant like any other, and so are those before it.
 */
Test(decode, the_time_an_event_was_recorded_is_alike_from_json_and_from_avro)
{
	static const struct {
		const char *times;
		int64_t us;
	} cases[] = {
		{ "\"at\":\"2023-01-01T09:00:00+09:00\",\"recorded\":\"2023-01-02T00:00:00.5Z\"",
		  1672617600500000 },
		{ "\"at\":\"2023-01-01T09:00:00+09:00\",\"recorded\":\"yesterday\"", 1672531200000000 },
		{ "\"at\":\"2023-01-01T09:00:00+09:00\"", 1672531200000000 },
		{ "\"at\":\"2023-13-01T00:00:00+09:00\"", CTR_TIME_NONE },
		{ "\"at\":\"2023-01-01T09:00:00+09:00\",\"recorded\":\"1970-01-01T09:00:00+09:00\"", 0 },
		{ "\"at\":\"1969-12-31T23:59:59Z\"", -1000000 },
	};
	struct ctr_decoder *avro;
	struct ctr_error err;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &avro, &err), 0, "%s", err.message);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctr_event from_json, from_avro;
		char line[512];

		snprintf(line, sizeof(line),
			 "{\"id\":\"e1\",\"type\":\"environment.deleted\",\"stream\":\"C-1\",\"seq\":2,"
			 "\"account\":\"1\",%s,\"data\":{\"env_id\":\"x\"}}", cases[i].times);
		decode(line, &from_json);
		cr_assert_eq(ctr_event_recorded_us(&from_json), cases[i].us, "case %zu from JSON", i);
		decode_again_from_avro(avro, &from_avro, i);
		cr_assert_eq(ctr_event_recorded_us(&from_avro), cases[i].us, "case %zu from Avro", i);
	}
	ctr_decoder_free(avro);
}
