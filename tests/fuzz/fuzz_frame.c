/*
 * fuzz_frame.c - fuzz target: one Kafka message value (the Confluent wire
 * format: magic byte, schema id, Avro record) through the frame parser and
 * the decoder of the schema id it names, as the Kafka source reads it. Every
 * value ends as an event or a rejection; an accepted one is the same event
 * after a trip through the current schema and JSON (fuzz_check.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "events/catalog.h"
#include "events/frame.h"
#include "tests/fuzz/fuzz_check.h"

#define MAX_ID 64 /* schema ids above it are unknown_schema, as in the Kafka source */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctr_decoder *decoder_for(int schema_id)
{
	static struct ctr_decoder *decoders[MAX_ID + 1];
	const struct ctr_catalog *catalog = ctr_catalog_default(NULL);

	if (schema_id <= 0 || schema_id > MAX_ID || !ctr_catalog_has_id(catalog, schema_id))
		return NULL;
	if (decoders[schema_id] == NULL)
		fuzz_keep_decoder(&decoders[schema_id], schema_id == ctr_catalog_current_id(catalog)
				  ? NULL : ctr_catalog_schema_json(catalog, schema_id));
	return decoders[schema_id];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctr_decoder *avro, *json;
	const uint8_t *record;
	size_t record_len;
	char message[256];
	int schema_id = -1;
	struct ctr_decoder *d;
	struct ctr_event ev;

	if (avro == NULL) {
		fuzz_keep_decoder(&avro, NULL);
		fuzz_keep_decoder(&json, NULL);
	}
	if (ctr_frame_parse(data, size, &schema_id, &record, &record_len, message,
			    sizeof(message)) != CTR_CODE_OK) {
		FUZZ_CHECK(message[0] != '\0', "a bad frame says why");
		return 0;
	}
	d = decoder_for(schema_id);
	if (d == NULL)
		return 0; /* unknown_schema, as the source rejects it */
	ctr_decode_avro_record(d, record, record_len, &ev);
	fuzz_check_outcome(&ev);
	FUZZ_CHECK(ev.code != CTR_CODE_OK || ev.raw_len == record_len, "the record is the message");
	if (ev.code == CTR_CODE_OK)
		fuzz_check_round_trip(d, &ev, json, avro);
	return 0;
}
