/*
 * decode_schema.c - the decoder's schemas (decode.h): the log's own, and the
 * catalog's current one when the log is older. Made once per log or message
 * schema, before any record: which envelope fields each has, whether the own
 * converts to the current, and the tape plan when it need not.
 */
#include "events/decode.h"

#include <stdlib.h>
#include <string.h>

#include "events/json_memory.h"
#include "events/validate.h"
#include "events/decode_internal.h"

static int slot_init(struct value_slot *slot, avro_schema_t schema, const json_t *tree,
		     struct ctr_error *err)
{
	slot->schema = schema;
	slot->tree = json_deep_copy(tree);
	/* Avro C's field lookup assumes a record (another writer's log may hold anything) */
	if (!is_avro_record(schema))
		return ctr_error_set(err, CTR_ESCHEMA, "schema: not a record, as the envelope is");
	/*
	 * a record's JSON parses: without its tree a slot would fill values with
	 * nothing to judge
	 */
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
			if (ctr_current_default(d, f) != NULL)
				continue;
			return ctr_error_set(err, CTR_ESCHEMA, "schema: the envelope lacks field"
					     " %s", ctr_envelope_fields[f]);
		}
		own = avro_schema_record_field_get_by_index(d->own.schema, d->own.index[f]);
		written = avro_typeof(held(own));
		if (f == F_DATA || written == wanted ||
		    (written == AVRO_INT32 && wanted == AVRO_INT64))
			continue;
		return ctr_error_set(err, CTR_ESCHEMA, "schema: the envelope's %s is a %s, where"
				     " the catalog has a %s", ctr_envelope_fields[f],
				     avro_schema_type_name(held(own)),
				     avro_schema_type_name(held(current)));
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
		avro_schema_t payload = is_avro_union(own) ? avro_schema_union_branch(own, (int)i)
							   : own;
		int index = -1;

		if (!is_avro_record(payload) ||
		    avro_schema_union_branch_by_name(current, &index,
						     avro_schema_type_name(payload)) == NULL)
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
	d->own_id = ctr_catalog_find_id(d->catalog, schema);
	/*
	 * A log in one of the catalog's versions fills a line's missing fields with
	 * that version's defaults: its header may hold another writer's copy of the
	 * schema without them, or with others (Avro C drops defaults as it writes a
	 * schema, and compares schemas without them).
	 */
	tree = d->own_id != 0 ? NULL : json_loads(writer_json, 0, &jerr);
	d->own.owns_schema = 1;
	rc = slot_init(&d->own, schema,
		       tree != NULL ? tree : ctr_catalog_schema_tree(d->catalog, d->own_id), err);
	json_decref(tree);
	if (rc != 0)
		return rc;
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
