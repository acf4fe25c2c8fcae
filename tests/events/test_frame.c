/*
 * test_frame.c - Kafka message values (events/frame.c, ctr_decode_avro_record):
 * the Confluent header round-trips, and every way a value can fail to be an
 * event gets its code (bad_frame, bad_avro, too_large) instead of a crash.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "events/decode.h"
#include "events/frame.h"

static const char *const line =
	"{\"id\":\"e1\",\"type\":\"environment.allocated\",\"stream\":\"C-1\",\"seq\":2,"
	"\"account\":\"1\",\"at\":\"2023-01-01T00:00:00+09:00\","
	"\"data\":{\"env_id\":\"x\",\"allocations\":[{\"sku\":\"A\",\"count\":3}]}}";

/* The Avro record of line, copied into record (its length returned). */
static size_t record_of(struct ctr_decoder *d, uint8_t *record, size_t cap)
{
	struct ctr_error err;
	struct ctr_event ev;
	const void *bytes;
	size_t len;

	ctr_decode_json(d, line, strlen(line), &ev);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	cr_assert_eq(ctr_decoder_encode(d, &bytes, &len, &err), 0, "%s", err.message);
	cr_assert_leq(len, cap);
	memcpy(record, bytes, len);
	return len;
}

Test(frame, the_header_round_trips)
{
	uint8_t value[8] = { 0 };
	const uint8_t *record;
	size_t record_len;
	char message[128];
	int id = 0;

	ctr_frame_header(value, 0x01020304);
	cr_assert_eq(value[0], 0);
	cr_assert_eq(ctr_frame_parse(value, sizeof(value), &id, &record, &record_len, message,
				     sizeof(message)), CTR_CODE_OK);
	cr_assert_eq(id, 0x01020304);
	cr_assert_eq(record, value + CTR_FRAME_HEADER);
	cr_assert_eq(record_len, 3);
}

Test(frame, values_that_are_not_frames_are_bad_frame)
{
	const uint8_t magic[] = { 1, 0, 0, 0, 2, 9 }, shorter[] = { 0, 0, 2 };
	const uint8_t *record;
	size_t record_len;
	char message[128];
	int id;

	cr_assert_eq(ctr_frame_parse(NULL, 0, &id, &record, &record_len, message, sizeof(message)),
		     CTR_CODE_BAD_FRAME);
	cr_assert_str_eq(message, "empty message value");
	cr_assert_eq(ctr_frame_parse(magic, sizeof(magic), &id, &record, &record_len, message,
				     sizeof(message)), CTR_CODE_BAD_FRAME);
	cr_assert_not_null(strstr(message, "magic byte 1"));
	cr_assert_eq(ctr_frame_parse(shorter, sizeof(shorter), &id, &record, &record_len, message,
				     sizeof(message)), CTR_CODE_BAD_FRAME);
}

Test(frame, one_record_decodes_and_nothing_else_does)
{
	struct ctr_decoder *d;
	struct ctr_error err;
	struct ctr_event ev;
	uint8_t record[4096];
	size_t len;

	cr_assert_eq(ctr_decoder_new(NULL, 1, &d, &err), 0, "%s", err.message);
	len = record_of(d, record, sizeof(record) - 1);

	cr_assert_eq(ctr_decode_avro_record(d, record, len, &ev), 1);
	cr_assert_eq(ev.code, CTR_CODE_OK, "%s", ev.message);
	cr_assert_str_eq(ev.id, "e1");
	cr_assert_eq(ev.seq, 2);

	record[len] = 0x42; /* a byte after the record */
	cr_assert_eq(ctr_decode_avro_record(d, record, len + 1, &ev), -1);
	cr_assert_eq(ev.code, CTR_CODE_BAD_AVRO);
	cr_assert_str_eq(ev.message, "1 bytes follow the record");
	cr_assert_eq(ev.raw_len, len + 1);

	cr_assert_eq(ctr_decode_avro_record(d, record, 0, &ev), -1);
	cr_assert_eq(ev.code, CTR_CODE_BAD_AVRO);

	for (size_t cut = 1; cut < len; cut += 7) { /* every truncation is rejected, never read past */
		cr_assert_eq(ctr_decode_avro_record(d, record, cut, &ev), -1, "cut at %zu", cut);
		cr_assert_eq(ev.code, CTR_CODE_BAD_AVRO, "cut at %zu", cut);
	}
	ctr_decoder_free(d);
}

/* E6: a record over 1 MiB is too_large whether or not it would decode; 1 MiB of junk is bad_avro. */
Test(frame, a_record_over_1_mib_is_too_large_before_it_is_decoded)
{
	struct ctr_decoder *d;
	struct ctr_error err;
	struct ctr_event ev;
	uint8_t *junk = malloc(CTR_EVENT_MAX_BYTES + 1);

	cr_assert_not_null(junk);
	memset(junk, 0xff, CTR_EVENT_MAX_BYTES + 1); /* a varint that never ends */
	cr_assert_eq(ctr_decoder_new(NULL, 1, &d, &err), 0, "%s", err.message);

	cr_assert_eq(ctr_decode_avro_record(d, junk, CTR_EVENT_MAX_BYTES + 1, &ev), -1);
	cr_assert_eq(ev.code, CTR_CODE_TOO_LARGE, "%s", ev.message);
	cr_assert_eq(ev.raw, junk);
	cr_assert_eq(ev.raw_len, CTR_EVENT_MAX_BYTES + 1);

	cr_assert_eq(ctr_decode_avro_record(d, junk, CTR_EVENT_MAX_BYTES, &ev), -1);
	cr_assert_eq(ev.code, CTR_CODE_BAD_AVRO, "%s", ev.message);
	ctr_decoder_free(d);
	free(junk);
}
