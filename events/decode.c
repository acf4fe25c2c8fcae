/*
 * decode.c - the decoder of decode.h.
 *
 * Both paths end in the same place: an envelope Avro value in the decoder's
 * own schema (for Avro records in the current schema, a value on the tape of
 * avro_tape.h; for JSON, and what the tape does not hold, a generic one).
 * When that schema is not the current one (an old log), the value is
 * converted to the current schema through its JSON form, which fills the
 * defaults of added fields (Avro C ignores reader defaults, see PITFALLS.md).
 */
#include "events/decode.h"

#include <stdlib.h>
#include <string.h>

#include "events/avro_check.h"
#include "events/hash.h"
#include "events/json_memory.h"
#include "events/timefmt.h"
#include "events/validate.h"
#include "events/value_json.h"
#include "events/decode_internal.h"

#define TEXT(x) #x
#define DEPTH_TEXT(x) TEXT(x)

const char *const ctr_envelope_fields[F_COUNT] = {
	"id", "type", "stream", "seq", "account", "at", "recorded", "data",
};

static int slot_init(struct value_slot *slot, avro_schema_t schema, const json_t *tree,
		     struct ctr_error *err)
{
	slot->schema = schema;
	slot->tree = json_deep_copy(tree);
	/* Avro C's field lookup assumes a record (another writer's log may hold anything) */
	if (!is_avro_record(schema))
		return ctr_error_set(err, CTR_ESCHEMA, "schema: not a record, as the envelope is");
	/* a record's JSON parses: without its tree a slot would fill values with nothing to judge */
	if (slot->tree == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	slot->iface = avro_generic_class_from_schema(schema);
	if (slot->iface == NULL || avro_generic_value_new(slot->iface, &slot->value) != 0)
		return ctr_error_set(err, CTR_ESCHEMA, "schema: %s", avro_strerror());
	/* a field another writer left out is -1: judged by envelope_fits() against the catalog */
	for (int f = 0; f < F_COUNT; f++)
		slot->index[f] = avro_schema_record_field_get_index(schema, ctr_envelope_fields[f]);
	return 0;
}

static void slot_deinit(struct value_slot *slot)
{
	if (slot->iface) {
		avro_value_decref(&slot->value);
		avro_value_iface_decref(slot->iface);
	}
	if (slot->owns_schema && slot->schema)
		avro_schema_decref(slot->schema);
	json_decref(slot->tree);
}

/*
 * What a field holds: a union of null and one other type counts as that type;
 * a union of two others stays itself (none of our fields is one).
 */
static avro_schema_t held(avro_schema_t schema)
{
	avro_schema_t other = NULL;

	if (!is_avro_union(schema))
		return schema;
	for (size_t i = 0; i < avro_schema_union_size(schema); i++) {
		avro_schema_t branch = avro_schema_union_branch(schema, (int)i);
		if (is_avro_null(branch))
			continue;
		if (other != NULL)
			return schema;
		other = branch;
	}
	return other != NULL ? other : schema;
}

/* The default the catalog's envelope gives field f, or NULL when it gives none. */
static json_t *current_default(const struct ctr_decoder *d, int f)
{
	json_t *fields = json_object_get(d->current.tree, "fields");

	return json_object_get(json_array_get(fields, (size_t)d->current.index[f]), "default");
}

/*
 * A log in a schema that is not one of the catalog's (another writer's) is
 * converted field by field through JSON: an envelope field of another type
 * (a seq written as text, an account as bytes) would fail in every record, so
 * such a log is refused as a whole. An int where the catalog has a long is
 * Avro's own promotion and converts; Avro's bytes-to-string is not taken (the
 * conversion goes through JSON, which keeps bytes apart from text).
 */
static int envelope_fits(const struct ctr_decoder *d, struct ctr_error *err)
{
	for (int f = 0; f < F_COUNT; f++) {
		avro_schema_t own, current;
		avro_type_t written, wanted;

		current = avro_schema_record_field_get_by_index(d->current.schema,
								d->current.index[f]);
		wanted = avro_typeof(held(current));

		/* left out by the writer: Avro fills the catalog's default (recorded's null) */
		if (d->own.index[f] < 0) {
			if (current_default(d, f) != NULL)
				continue;
			return ctr_error_set(err, CTR_ESCHEMA, "schema: the envelope lacks field"
					     " %s", ctr_envelope_fields[f]);
		}
		own = avro_schema_record_field_get_by_index(d->own.schema, d->own.index[f]);
		written = avro_typeof(held(own));
		if (f == F_DATA || written == wanted || (written == AVRO_INT32 && wanted == AVRO_INT64))
			continue;
		return ctr_error_set(err, CTR_ESCHEMA, "schema: the envelope's %s is a %s, where the"
				     " catalog has a %s", ctr_envelope_fields[f],
				     avro_schema_type_name(held(own)), avro_schema_type_name(held(current)));
	}
	return 0;
}

/*
 * Avro matches a union's branches by their records' unqualified names (a
 * writer's namespace may be its own): for each payload of the log's
 * schema (the branches of its data, or data itself when that is one record),
 * the current schema's branch of the same record, or -1 when it has none.
 */
static int map_payloads(struct ctr_decoder *d, struct ctr_error *err)
{
	avro_schema_t own = avro_schema_record_field_get_by_index(d->own.schema,
								  d->own.index[F_DATA]);
	avro_schema_t current = avro_schema_record_field_get_by_index(d->current.schema,
								      d->current.index[F_DATA]);
	size_t count = is_avro_union(own) ? avro_schema_union_size(own) : 1;

	d->payload_map = malloc((count ? count : 1) * sizeof(*d->payload_map));
	if (d->payload_map == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	d->payload_count = count;
	for (size_t i = 0; i < count; i++) {
		avro_schema_t payload = is_avro_union(own) ? avro_schema_union_branch(own, (int)i) : own;
		int index = -1;

		if (!is_avro_record(payload) ||
		    avro_schema_union_branch_by_name(current, &index, avro_schema_type_name(payload))
			    == NULL)
			index = -1;
		d->payload_map[i] = index;
	}
	return 0;
}

static int init_own(struct ctr_decoder *d, const char *writer_json, struct ctr_error *err)
{
	int current = ctr_catalog_current_id(d->catalog);
	avro_schema_t schema;
	json_error_t jerr;
	json_t *tree;
	int rc;

	if (writer_json == NULL)
		writer_json = ctr_catalog_schema_json(d->catalog, current);
	ctr_json_memory_failed();
	if (avro_schema_from_json_length(writer_json, strlen(writer_json), &schema) != 0)
		/* Avro C parses with jansson, whose allocations are watched */
		return ctr_json_memory_failed()
		       ? ctr_error_set(err, CTR_ENOMEM, "out of memory")
		       : ctr_error_set(err, CTR_ESCHEMA, "its schema does not parse: %s",
				       avro_strerror());
	tree = json_loads(writer_json, 0, &jerr);
	d->own.owns_schema = 1;
	rc = slot_init(&d->own, schema, tree, err);
	json_decref(tree);
	if (rc != 0)
		return rc;
	d->own_id = ctr_catalog_find_id(d->catalog, schema);
	d->converting = d->own_id != current;
	if (d->converting) {
		rc = slot_init(&d->current, ctr_catalog_schema(d->catalog, current),
			       ctr_catalog_schema_tree(d->catalog, current), err);
		if (rc == 0)
			rc = envelope_fits(d, err);
		return rc == 0 ? map_payloads(d, err) : rc;
	}
	/* without a plan (a schema the tape cannot hold) records decode generically */
	d->plan = ctr_avro_plan_new(schema);
	d->tape = d->plan ? ctr_avro_tape_new(d->plan) : NULL;
	return 0;
}

int ctr_decoder_new(const char *writer_json, int check_formats, struct ctr_decoder **out,
		    struct ctr_error *err)
{
	struct ctr_decoder *d = calloc(1, sizeof(*d));
	int rc = CTR_ENOMEM;

	if (d == NULL)
		return ctr_error_set(err, rc, "out of memory");
	ctr_json_memory_watch(); /* a JSON line that runs out of memory is not bad JSON */
	d->catalog = ctr_catalog_default(err);
	if (d->catalog == NULL) {
		rc = err ? err->code : CTR_ESCHEMA;
		goto fail;
	}
	rc = init_own(d, writer_json, err);
	if (rc != 0)
		goto fail;
	d->check_formats = check_formats;
	d->validator = ctr_validator_new(
		ctr_catalog_schema_tree(d->catalog, ctr_catalog_current_id(d->catalog)));
	d->block_reader = avro_reader_memory("", 0);
	if (d->validator == NULL || d->block_reader == NULL) {
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
		goto fail;
	}
	*out = d;
	return 0;
fail:
	ctr_decoder_free(d);
	return rc;
}

void ctr_decoder_free(struct ctr_decoder *d)
{
	if (d == NULL)
		return;
	slot_deinit(&d->own);
	if (d->converting)
		slot_deinit(&d->current);
	free(d->payload_map);
	ctr_validator_free(d->validator);
	ctr_avro_tape_free(d->tape);
	ctr_avro_plan_free(d->plan);
	json_decref(d->line_tree);
	if (d->block_reader)
		avro_reader_free(d->block_reader);
	free(d->encode_buf);
	free(d);
}

int ctr_decoder_schema_id(const struct ctr_decoder *d)
{
	return d->own_id;
}

int ctr_decoder_payloads_in_place(const struct ctr_decoder *d)
{
	if (d->own_id != 0)
		return 1;
	for (size_t i = 0; i < d->payload_count; i++)
		if (d->payload_map[i] != (int)i)
			return 0;
	return d->payload_count == (size_t)ctr_catalog_type_count(d->catalog);
}

const char *ctr_decoder_missing_field(const struct ctr_decoder *d)
{
	for (int f = 0; f < F_COUNT; f++)
		if (d->own.index[f] < 0)
			return ctr_envelope_fields[f];
	return NULL;
}

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

/* Moves an old-schema value into the current schema (defaults filled). */
int ctr_decoder_convert(struct ctr_decoder *d, struct ctr_event *ev)
{
	json_t *json;
	avro_value_t data, branch;
	enum ctr_code code;
	const void *bytes;
	size_t len;
	int written = 0, index;

	avro_value_get_by_index(&d->own.value, (size_t)d->own.index[F_DATA], &data, NULL);
	if (avro_value_get_type(&data) == AVRO_UNION)
		avro_value_get_discriminant(&data, &written);
	index = written >= 0 && (size_t)written < d->payload_count ? d->payload_map[written] : -1;
	if (index < 0) { /* a payload of the writer's own: no type of ours to read it as */
		ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "its payload (branch %d of the log's"
				 " schema) is not a record the catalog holds", written);
		return -1;
	}
	json = ctr_value_to_json(&d->own.value);
	/* the JSON form of a union loses its branch; set it before filling */
	avro_value_reset(&d->current.value);
	avro_value_get_by_index(&d->current.value, (size_t)d->current.index[F_DATA], &data, NULL);
	avro_value_set_branch(&data, index, &branch);
	code = ctr_value_convert_json(&branch, json_object_get(json, "data"),
				      json_array_get(json_object_get(json_array_get(json_object_get(
					      d->current.tree, "fields"), (size_t)d->current.index[F_DATA]),
					      "type"), (size_t)index), ev->message, sizeof(ev->message));
	json_object_del(json, "data");
	for (int f = 0; f < F_COUNT && code == CTR_CODE_OK; f++) {
		avro_value_t field;
		json_t *given;

		if (f == F_DATA)
			continue;
		given = json_object_get(json, ctr_envelope_fields[f]);
		if (given == NULL) /* left out by the writer: envelope_fits() found a default */
			given = current_default(d, f);
		avro_value_get_by_index(&d->current.value, (size_t)d->current.index[f], &field, NULL);
		code = ctr_value_from_json(&field, given ? given : json_null(), NULL,
					   ctr_envelope_fields[f], ev->message, sizeof(ev->message));
	}
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

int ctr_decode_avro_next(struct ctr_decoder *d, struct ctr_event *ev)
{
	size_t avail = d->block_size - d->block_pos;
	int64_t size = CTR_TAPE_UNSUPPORTED;
	const char *why = "";
	const void *bytes;
	size_t len;
	int not_utf8 = 0;

	ctr_event_clear(ev);
	d->last_taped = 0; /* nothing of a block that ended may be read back */
	if (d->block_pos >= d->block_size)
		return 0;
	ev->raw = d->block + d->block_pos;
	ev->raw_is_avro = 1;
	if (d->tape != NULL)
		size = ctr_avro_tape_decode(d->tape, ev->raw, avail, &d->taped);
	if (size == CTR_TAPE_DAMAGED)
		why = ctr_avro_tape_damage(d->tape);
	d->last_taped = size >= 0;
	if (d->last_taped)
		not_utf8 = ctr_avro_tape_not_utf8(d->tape);
	if (size == CTR_TAPE_UNSUPPORTED) {
		size = decode_generic(d, ev->raw, avail, &not_utf8);
		if (size == 0)
			why = avro_strerror();
		else if (size == CTR_AVRO_TOO_DEEP)
			why = "values nested more than " DEPTH_TEXT(CTR_AVRO_CHECK_DEPTH) " deep";
	}
	if (size <= 0) {
		ev->raw_len = d->block_size - d->block_pos;
		d->block_pos = d->block_size;
		ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "record does not decode under the log's schema%s%s",
				 *why ? ": " : "", why);
		return -1;
	}
	ev->raw_len = (size_t)size;
	d->taped_raw = ev->raw;
	d->taped_len = ev->raw_len;
	d->block_pos += (size_t)size;
	/*
	 * What the tape reads is in Avro's canonical encoding, the bytes its content's digest
	 * is of (E1); what it leaves to the generic decoder may not be (a varint longer than
	 * its value needs, an array in several blocks), so it is digested as it encodes. An
	 * older schema's record is digested again once converted (ctr_decoder_convert).
	 */
	if (d->last_taped || d->converting ||
	    ctr_decoder_encode_value(d, &d->own.value, &bytes, &len, NULL) != 0)
		ev->digest = ctr_hash64(ev->raw, ev->raw_len, 0);
	else
		ev->digest = ctr_hash64(bytes, len, 0);
	if (ev->raw_len > CTR_EVENT_MAX_BYTES) {
		ctr_event_reject(ev, CTR_CODE_TOO_LARGE, 0, "record of %zu bytes is over 1 MiB", ev->raw_len);
		return 1;
	}
	/* as such a JSON line is bad_json: the record ends where it says, and only it is lost */
	if (not_utf8) {
		ctr_event_reject(ev, CTR_CODE_BAD_AVRO, 0, "a string in the record is not UTF-8 or"
				 " holds a NUL byte");
		return 1;
	}
	if (d->converting && ctr_decoder_convert(d, ev) != 0)
		return 1;
	if (d->last_taped)
		ctr_decoder_read_envelope(d, &d->taped, d->own.index, ev);
	else if (d->converting)
		ctr_decoder_read_envelope(d, &d->current.value, d->current.index, ev);
	else
		ctr_decoder_read_envelope(d, &d->own.value, d->own.index, ev);
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
