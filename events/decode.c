/*
 * decode.c - the decoder of decode.h at work: Avro records decoded, old ones
 * converted, and the envelope of a decoded value read into an event.
 *
 * Both paths end in the same place: an envelope Avro value in the decoder's
 * own schema (for Avro records in the current schema, a value on the tape of
 * avro_tape.h; for JSON, and what the tape does not hold, a generic one).
 * When that schema is not the current one (an old log), the value is
 * converted to the current schema through its JSON form, which fills the
 * defaults of added fields (Avro C ignores reader defaults, see PITFALLS.md).
 * What those schemas are, and the decoder made for them, is decode_schema.c's.
 */
#include "events/decode.h"

#include <stdlib.h>
#include <string.h>

#include "events/avro_check.h"
#include "events/hash.h"
#include "events/timefmt.h"
#include "events/validate.h"
#include "events/value_json.h"
#include "events/decode_internal.h"

#define TEXT(x) #x
#define DEPTH_TEXT(x) TEXT(x)

const char *const ctr_envelope_fields[F_COUNT] = {
	"id", "type", "stream", "seq", "account", "at", "recorded", "data",
};

static const char *field_string(avro_value_t *record, const int index[F_COUNT], int field)
{
	avro_value_t value, branch;
	const char *text = NULL;
	size_t len;

	avro_value_get_by_index(record, (size_t)index[field], &value, NULL);
	if (avro_value_get_type(&value) == AVRO_UNION) {
		if (avro_value_get_current_branch(&value, &branch) != 0)
			return NULL;
		value = branch;
		if (avro_value_get_type(&value) == AVRO_NULL)
			return NULL;
	}
	avro_value_get_string(&value, &text, &len);
	return text;
}

avro_value_t *ctr_decoder_last_value(struct ctr_decoder *d)
{
	if (d->last_taped)
		return &d->taped;
	return d->converting ? &d->current.value : &d->own.value;
}

/* Envelope fields and payload of a decoded envelope value (E2, E6). */
void ctr_decoder_read_envelope(struct ctr_decoder *d, avro_value_t *record, const int index[F_COUNT],
			   struct ctr_event *ev)
{
	avro_value_t seq, data;
	int branch = 0;

	ev->id = field_string(record, index, F_ID);
	ev->stream = field_string(record, index, F_STREAM);
	ev->account = field_string(record, index, F_ACCOUNT);
	ev->at = field_string(record, index, F_AT);
	ev->recorded = field_string(record, index, F_RECORDED);
	if (ev->recorded == NULL)
		ev->recorded = ev->at;
	avro_value_get_by_index(record, (size_t)index[F_SEQ], &seq, NULL);
	avro_value_get_long(&seq, &ev->seq);
	avro_value_get_by_index(record, (size_t)index[F_DATA], &data, NULL);
	avro_value_get_discriminant(&data, &branch);
	avro_value_get_current_branch(&data, &ev->data);
	ev->type = field_string(record, index, F_TYPE);
	ev->type_index = branch;
	if (d->check_formats && ctr_position_check(ev) != 0)
		return;
	if (ctr_catalog_type_name(d->catalog, branch) == NULL) /* not a payload of ours */
		ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "its payload is branch %d of the data"
				 " union, which the catalog does not have", branch);
	else if (strcmp(ev->type, ctr_catalog_type_name(d->catalog, branch)) != 0)
		ctr_event_reject(ev, CTR_CODE_BAD_FORMAT, 1, "type: %s does not match its payload %s",
				 ev->type, ctr_catalog_type_name(d->catalog, branch));
	else if (d->check_formats && ev->account[0] == '\0') /* no partition key, no shard */
		ctr_event_reject(ev, CTR_CODE_BAD_FORMAT, 1, "account: empty");
	else if (d->check_formats)
		ctr_validator_check(d->validator, record, ev);
}

/*
 * The catalog's branch for the payload the own value holds, or -1 when it has
 * none; *written is the payload's branch in the log's schema.
 */
static int payload_index(const struct ctr_decoder *d, int *written)
{
	avro_value_t data;

	avro_value_get_by_index(&d->own.value, (size_t)d->own.index[F_DATA], &data, NULL);
	if (avro_value_get_type(&data) == AVRO_UNION)
		avro_value_get_discriminant(&data, written);
	return *written >= 0 && (size_t)*written < d->payload_count ? d->payload_map[*written] : -1;
}

/* The payload's JSON into the current value's data, as the catalog's branch index. */
static enum ctr_code convert_payload(struct ctr_decoder *d, const json_t *payload, int index,
				     struct ctr_event *ev)
{
	json_t *fields = json_object_get(d->current.tree, "fields");
	json_t *data_field = json_array_get(fields, (size_t)d->current.index[F_DATA]);
	json_t *branches = json_object_get(data_field, "type");
	avro_value_t data, branch;

	/* the JSON form of a union loses its branch; set it before filling */
	avro_value_reset(&d->current.value);
	avro_value_get_by_index(&d->current.value, (size_t)d->current.index[F_DATA], &data, NULL);
	avro_value_set_branch(&data, index, &branch);
	return ctr_value_convert_json(&branch, payload, json_array_get(branches, (size_t)index),
				      ev->message, sizeof(ev->message));
}

/* The envelope fields of json (the own value's, its data taken out) into the current value. */
static enum ctr_code convert_envelope(struct ctr_decoder *d, json_t *json, struct ctr_event *ev)
{
	enum ctr_code code = CTR_CODE_OK;

	for (int f = 0; f < F_COUNT && code == CTR_CODE_OK; f++) {
		avro_value_t field;
		json_t *given;

		if (f == F_DATA)
			continue;
		given = json_object_get(json, ctr_envelope_fields[f]);
		if (given == NULL) /* left out by the writer: envelope_fits() found a default */
			given = ctr_current_default(d, f);
		avro_value_get_by_index(&d->current.value, (size_t)d->current.index[f], &field, NULL);
		code = ctr_value_from_json(&field, given ? given : json_null(), NULL,
					   ctr_envelope_fields[f], ev->message, sizeof(ev->message));
	}
	return code;
}

/* Moves an old-schema value into the current schema (defaults filled). */
int ctr_decoder_convert(struct ctr_decoder *d, struct ctr_event *ev)
{
	int written = 0, index = payload_index(d, &written);
	enum ctr_code code;
	const void *bytes;
	size_t len;
	json_t *json;

	if (index < 0) { /* a payload of the writer's own: no type of ours to read it as */
		ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "its payload (branch %d of the log's"
				 " schema) is not a record the catalog holds", written);
		return -1;
	}
	json = ctr_value_to_json(&d->own.value);
	code = convert_payload(d, json_object_get(json, "data"), index, ev);
	json_object_del(json, "data");
	if (code == CTR_CODE_OK)
		code = convert_envelope(d, json, ev);
	json_decref(json);
	if (code != CTR_CODE_OK) {
		ev->code = CTR_CODE_BAD_AVRO;
		ev->takes_place = 0;
		return -1;
	}
	/*
	 * E1 compares contents by digest: the same event read under an older schema
	 * and under the current one (a log written before an upgrade, redelivered
	 * after it) must be a duplicate, not a conflicting one.
	 */
	if (ctr_decoder_encode_value(d, &d->current.value, &bytes, &len, NULL) == 0)
		ev->digest = ctr_hash64(bytes, len, 0);
	return 0;
}

void ctr_decoder_block(struct ctr_decoder *d, const uint8_t *data, size_t size)
{
	d->block = data;
	d->block_size = size;
	d->block_pos = 0;
}

int ctr_decoder_block_left(const struct ctr_decoder *d)
{
	return d->block_pos < d->block_size;
}

/* Avro C's generic values: for old schemas, and for what the tape does not hold. */
static int64_t decode_generic(struct ctr_decoder *d, const uint8_t *record, size_t avail,
			      int *not_utf8)
{
	/* Avro C trusts every length it reads: the record is checked first (avro_check.h) */
	int64_t size = ctr_avro_check(d->own.schema, record, avail, not_utf8);

	if (size == CTR_AVRO_TOO_DEEP)
		return size;
	if (size <= 0)
		return -1;
	avro_reader_memory_set_source(d->block_reader, (const char *)record, (int64_t)avail);
	return avro_value_read(d->block_reader, &d->own.value) == 0 ? size : 0;
}

/*
 * The record at raw decoded into a value: onto the tape when it holds it, else
 * generically. Its size; 0 or less when it does not decode, *why then saying
 * what was wrong when that is known.
 */
static int64_t decode_value(struct ctr_decoder *d, const uint8_t *raw, size_t avail,
			    int *not_utf8, const char **why)
{
	int64_t size = CTR_TAPE_UNSUPPORTED;

	if (d->tape != NULL)
		size = ctr_avro_tape_decode(d->tape, raw, avail, &d->taped);
	if (size == CTR_TAPE_DAMAGED)
		*why = ctr_avro_tape_damage(d->tape);
	d->last_taped = size >= 0;
	if (d->last_taped)
		*not_utf8 = ctr_avro_tape_not_utf8(d->tape);
	if (size == CTR_TAPE_UNSUPPORTED) {
		size = decode_generic(d, raw, avail, not_utf8);
		if (size == 0)
			*why = avro_strerror();
		else if (size == CTR_AVRO_TOO_DEEP)
			*why = "values nested more than " DEPTH_TEXT(CTR_AVRO_CHECK_DEPTH) " deep";
	}
	return size;
}

/* A record that does not decode has no known end: the rest of its block goes with it. */
static void reject_rest_of_block(struct ctr_decoder *d, struct ctr_event *ev, const char *why)
{
	ev->raw_len = d->block_size - d->block_pos;
	d->block_pos = d->block_size;
	ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "record does not decode under the log's"
			 " schema%s%s", *why ? ": " : "", why);
}

/*
 * What the tape reads is in Avro's canonical encoding, the bytes its content's digest
 * is of (E1); what it leaves to the generic decoder may not be (a varint longer than
 * its value needs, an array in several blocks), so it is digested as it encodes. An
 * older schema's record is digested again once converted (ctr_decoder_convert).
 */
static void digest_record(struct ctr_decoder *d, struct ctr_event *ev)
{
	const void *bytes;
	size_t len;

	if (d->last_taped || d->converting ||
	    ctr_decoder_encode_value(d, &d->own.value, &bytes, &len, NULL) != 0)
		ev->digest = ctr_hash64(ev->raw, ev->raw_len, 0);
	else
		ev->digest = ctr_hash64(bytes, len, 0);
}

/* A decoded record judged (size, text), converted when it is old, and read into ev. */
static void read_record(struct ctr_decoder *d, struct ctr_event *ev, int not_utf8)
{
	if (ev->raw_len > CTR_EVENT_MAX_BYTES) {
		ctr_event_reject(ev, CTR_CODE_TOO_LARGE, 0, "record of %zu bytes is over 1 MiB",
				 ev->raw_len);
		return;
	}
	/* as such a JSON line is bad_json: the record ends where it says, and only it is lost */
	if (not_utf8) {
		ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "a string in the record is not UTF-8 or"
				 " holds a NUL byte");
		return;
	}
	if (d->converting && ctr_decoder_convert(d, ev) != 0)
		return;
	if (d->last_taped)
		ctr_decoder_read_envelope(d, &d->taped, d->own.index, ev);
	else if (d->converting)
		ctr_decoder_read_envelope(d, &d->current.value, d->current.index, ev);
	else
		ctr_decoder_read_envelope(d, &d->own.value, d->own.index, ev);
}

int ctr_decode_avro_next(struct ctr_decoder *d, struct ctr_event *ev)
{
	size_t avail = d->block_size - d->block_pos;
	const char *why = "";
	int not_utf8 = 0;
	int64_t size;

	ctr_event_clear(ev);
	d->last_taped = 0; /* nothing of a block that ended may be read back */
	if (d->block_pos >= d->block_size)
		return 0;
	ev->raw = d->block + d->block_pos;
	ev->raw_is_avro = 1;
	size = decode_value(d, ev->raw, avail, &not_utf8, &why);
	if (size <= 0) {
		reject_rest_of_block(d, ev, why);
		return -1;
	}
	ev->raw_len = (size_t)size;
	d->taped_raw = ev->raw;
	d->taped_len = ev->raw_len;
	d->block_pos += (size_t)size;
	digest_record(d, ev);
	read_record(d, ev, not_utf8);
	return 1;
}

/* ev emptied to stand for the whole of a record that is rejected: raw is all of data. */
static void whole_record(struct ctr_event *ev, const uint8_t *data, size_t size)
{
	ctr_event_clear(ev);
	ev->raw = data;
	ev->raw_len = size;
	ev->raw_is_avro = 1;
}

int ctr_decode_avro_record(struct ctr_decoder *d, const uint8_t *data, size_t size,
			   struct ctr_event *ev)
{
	static const uint8_t nothing;
	int rc;

	/* judged before decoding: too large whether or not it would decode (E6) */
	if (size > CTR_EVENT_MAX_BYTES) {
		whole_record(ev, data, size);
		ctr_event_reject(ev, CTR_CODE_TOO_LARGE, 0, "record of %zu bytes is over 1 MiB", size);
		return -1;
	}
	ctr_decoder_block(d, size ? data : &nothing, size);
	rc = ctr_decode_avro_next(d, ev);
	if (rc == 0) {
		ev->raw = data;
		ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "no record after the header");
		return -1;
	}
	if (rc > 0 && ev->raw_len != size) {
		size_t extra = size - ev->raw_len;

		whole_record(ev, data, size);
		ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "%zu bytes follow the record", extra);
		return -1;
	}
	return rc;
}
