/*
 * decode_internal.h - the decoder's insides, shared by decode_schema.c (its
 * schemas), decode.c (Avro) and decode_json.c (JSON Lines). Not for use
 * outside events/.
 */
#ifndef CTR_DECODE_INTERNAL_H
#define CTR_DECODE_INTERNAL_H

#include <avro.h>
#include <jansson.h>

#include "events/avro_tape.h"
#include "events/catalog.h"
#include "events/event.h"

enum { F_ID, F_TYPE, F_STREAM, F_SEQ, F_ACCOUNT, F_AT, F_RECORDED, F_DATA, F_COUNT };
extern const char *const ctr_envelope_fields[F_COUNT];

struct value_slot {
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t value;
	json_t *tree;          /* the schema as JSON, for defaults */
	int index[F_COUNT];    /* envelope field positions */
	int owns_schema;
};

struct ctr_decoder {
	const struct ctr_catalog *catalog;
	struct value_slot own;     /* what JSON fills and Avro is read into */
	struct value_slot current; /* used only when own is not the current schema */
	int converting;
	int *payload_map;          /* converting: for each payload of own, current's by name, or -1 */
	size_t payload_count;
	int own_id;                /* catalog id of the own schema, 0 if none */
	int check_formats;
	struct ctr_validator *validator;
	json_t *line_tree;         /* the JSON of the last line */
	struct ctr_avro_plan *plan; /* for the own schema, when it is the current one */
	struct ctr_avro_tape *tape; /* what Avro records are decoded into, when there is a plan */
	avro_value_t taped;         /* the last record on the tape */
	int last_taped;             /* the last event is on the tape, not in a slot */
	const uint8_t *taped_raw;   /* and these were its bytes (borrowed) */
	size_t taped_len;
	avro_reader_t block_reader;
	const uint8_t *block;
	size_t block_size, block_pos;
	char *encode_buf;
	size_t encode_cap;
};

/*
 * The default the catalog's envelope gives field f, or NULL when it gives none.
 * Inline: converting an old log's record asks it for each field it lacks.
 */
static inline json_t *ctr_current_default(const struct ctr_decoder *d, int f)
{
	json_t *fields = json_object_get(d->current.tree, "fields");

	return json_object_get(json_array_get(fields, (size_t)d->current.index[f]), "default");
}

/*
 * Reads envelope and payload of record (an envelope value whose fields are at
 * index) into ev and checks formats.
 */
void ctr_decoder_read_envelope(struct ctr_decoder *d, avro_value_t *record, const int index[F_COUNT],
			   struct ctr_event *ev);
/* The value of the last decoded event: on the tape or in a slot. */
avro_value_t *ctr_decoder_last_value(struct ctr_decoder *d);
/*
 * Converts the own value to the current schema; -1 (ev rejected bad_avro) when it cannot.
 * The event's digest is then its encoding's in the current schema (E1).
 */
int ctr_decoder_convert(struct ctr_decoder *d, struct ctr_event *ev);
/* value's Avro binary encoding, in the decoder's buffer (valid until the next encode). */
int ctr_decoder_encode_value(struct ctr_decoder *d, avro_value_t *value, const void **bytes,
			 size_t *len, struct ctr_error *err);

#endif
