/*
 * decode_json.c - the JSON Lines half of decode.h: a line to an event, and an
 * event back to a line. Envelope problems that leave an event without a place
 * in its stream (E2: id, stream, seq, bad JSON, over 1 MiB) are told apart
 * from payload problems, which still take the event's place.
 */
#include <stdlib.h>
#include <string.h>

#include "events/decode.h"
#include "events/decode_internal.h"
#include "events/hash.h"
#include "events/json_memory.h"
#include "events/json_text.h"
#include "events/timefmt.h"
#include "events/validate.h"
#include "events/value_json.h"

static const char *json_text(json_t *root, const char *key, enum ctr_code *code)
{
	json_t *value = json_object_get(root, key);

	if (value == NULL) {
		*code = CTR_CODE_MISSING_FIELD;
		return "";
	}
	if (!json_is_string(value)) {
		*code = CTR_CODE_BAD_FORMAT;
		return "";
	}
	*code = CTR_CODE_OK;
	return json_string_value(value);
}

/* id, stream and seq: without them, or when they are bad, an event has no place (E2). */
static int read_position(const struct ctr_decoder *d, json_t *root, struct ctr_event *ev)
{
	static const char *const keys[] = { "id", "stream" };
	const char **targets[] = { &ev->id, &ev->stream };
	json_t *seq = json_object_get(root, "seq");
	enum ctr_code code;

	for (int i = 0; i < 2; i++) {
		*targets[i] = json_text(root, keys[i], &code);
		if (code != CTR_CODE_OK) {
			ctr_event_reject(ev, code, 0, "%s: %s", keys[i],
					 code == CTR_CODE_MISSING_FIELD ? "missing" : "expected a string");
			return -1;
		}
	}
	if (!json_is_integer(seq)) {
		ctr_event_reject(ev, seq ? CTR_CODE_BAD_FORMAT : CTR_CODE_MISSING_FIELD, 0, "seq: %s",
				 seq ? "expected an integer" : "missing");
		return -1;
	}
	ev->seq = json_integer_value(seq);
	return d->check_formats ? ctr_position_check(ev) : 0;
}

/* A field's time in µs, or CTR_TIME_NONE when it is not a timestamp. */
static int64_t time_of(json_t *root, const char *key)
{
	json_t *value = json_object_get(root, key);
	int ok = 0;
	int64_t us = json_is_string(value) ? ctr_timestamp_parse(json_string_value(value), &ok) : 0;

	return ok ? us : CTR_TIME_NONE;
}

/*
 * recorded (or, when it is not a time, at) before anything else is judged, so
 * that --until skips an event recorded after T however bad the rest of it
 * (E5); CTR_TIME_NONE when neither is a time.
 */
static void read_recorded(json_t *root, struct ctr_event *ev)
{
	ev->recorded_us = time_of(root, "recorded");
	if (ev->recorded_us == CTR_TIME_NONE)
		ev->recorded_us = time_of(root, "at");
	ev->recorded_known = 1;
}

/*
 * type, account and at: a problem here still takes the event's place. Each
 * one given is kept, the first problem named: an audit shows when an event
 * without its account happened.
 */
static int read_header(const struct ctr_catalog *catalog, json_t *root, struct ctr_event *ev)
{
	static const char *const keys[] = { "type", "account", "at" };
	const char **targets[] = { &ev->type, &ev->account, &ev->at };
	enum ctr_code code, first_code = CTR_CODE_OK;
	int first_bad = -1;

	for (int i = 0; i < 3; i++) {
		const char *text = json_text(root, keys[i], &code);

		if (code == CTR_CODE_OK)
			*targets[i] = text;
		else if (first_bad < 0) {
			first_bad = i;
			first_code = code;
		}
	}
	if (first_bad >= 0) {
		/* as a decoded event's (events/decode.c): the field when it is a text, else at */
		const char *recorded = json_string_value(json_object_get(root, "recorded"));

		ev->recorded = recorded ? recorded : ev->at;
		ctr_event_reject(ev, first_code, 1, "%s: %s", keys[first_bad],
				 first_code == CTR_CODE_MISSING_FIELD ? "missing" : "expected a string");
		return -1;
	}
	ev->type_index = ctr_catalog_type_index(catalog, ev->type);
	if (ev->type_index < 0) {
		ctr_event_reject(ev, CTR_CODE_UNKNOWN_TYPE, 1, "type: %s is not an event type", ev->type);
		return -1;
	}
	if (json_object_get(root, "data") == NULL) {
		ctr_event_reject(ev, CTR_CODE_MISSING_FIELD, 1, "data: missing");
		return -1;
	}
	return 0;
}

/* Fills the decoder's own value from the line's JSON. */
static enum ctr_code fill(struct ctr_decoder *d, json_t *root, struct ctr_event *ev)
{
	struct value_slot *slot = &d->own;
	const json_t *fields = json_object_get(slot->tree, "fields");
	const char *key;
	json_t *value;

	avro_value_reset(&slot->value);
	for (int f = 0; f < F_COUNT; f++) {
		const json_t *node = json_array_get(fields, (size_t)slot->index[f]);
		json_t *src = json_object_get(root, ctr_envelope_fields[f]);
		avro_value_t field, branch;
		enum ctr_code code;

		avro_value_get_by_index(&slot->value, (size_t)slot->index[f], &field, NULL);
		if (f == F_DATA) {
			avro_value_set_branch(&field, ev->type_index, &branch);
			code = ctr_value_from_json(&branch, src,
						   json_array_get(json_object_get(node, "type"),
								  (size_t)ev->type_index),
						   "data", ev->message, sizeof(ev->message));
		} else {
			code = ctr_value_from_json(&field, src ? src : json_null(),
						   json_object_get(node, "type"), ctr_envelope_fields[f],
						   ev->message, sizeof(ev->message));
		}
		if (code != CTR_CODE_OK)
			return code;
	}
	json_object_foreach(root, key, value) {
		if (avro_schema_record_field_get_index(slot->schema, key) < 0) {
			snprintf(ev->message, sizeof(ev->message), "%s: unknown field", key);
			return CTR_CODE_BAD_FORMAT;
		}
	}
	return CTR_CODE_OK;
}

/*
 * Whether text[0, len) is one JSON number (RFC 8259): -?(0|[1-9][0-9]*), an
 * optional fraction and an optional exponent.
 */
static int one_number(const char *text, size_t len)
{
	size_t i = 0;

#define DIGIT(k) ((k) < len && text[k] >= '0' && text[k] <= '9')
	if (i < len && text[i] == '-')
		i++;
	if (!DIGIT(i))
		return 0;
	if (text[i++] != '0')
		while (DIGIT(i))
			i++;
	if (i < len && text[i] == '.') {
		if (!DIGIT(i + 1))
			return 0;
		for (i++; DIGIT(i); i++)
			;
	}
	if (i < len && (text[i] == 'e' || text[i] == 'E')) {
		i++;
		if (i < len && (text[i] == '+' || text[i] == '-'))
			i++;
		if (!DIGIT(i))
			return 0;
		while (DIGIT(i))
			i++;
	}
#undef DIGIT
	return i == len;
}

/*
 * A number too large for 64 bits (or for a double) is valid JSON that jansson
 * refuses to read: it is a field of the wrong shape (bad_format, E6), which
 * takes its place when it is in the payload (E2), not bad_json. Each such
 * number is read as 0.0 instead, which no field of the schemas takes, so the
 * field it is in is the one found at fault; *out_of_range counts them.
 */
static json_t *load_line(const char *line, size_t len, json_error_t *jerr, int *out_of_range,
			 int *out_of_memory)
{
	static const char number_chars[] = "0123456789+-.eE";
	json_t *tree = json_loadb(line, len, JSON_REJECT_DUPLICATES, jerr);
	size_t done = 0;
	char *copy = NULL;

	*out_of_range = 0;
	while (tree == NULL && json_error_code(jerr) == json_error_numeric_overflow) {
		size_t end = jerr->position > 0 ? (size_t)jerr->position : 0, start = end;

		if (end <= done || end > len)
			break; /* not after the number read as 0.0 before: give the error */
		if (copy == NULL)
			copy = malloc(len);
		if (copy == NULL) {
			*out_of_memory = 1;
			break;
		}
		if (done == 0)
			memcpy(copy, line, len);
		/*
		 * All the number characters before the end, not only those since the
		 * last number read as 0.0: when they are not one number (1-1e400,
		 * true1e400), the line is not JSON, and rewriting part of them could
		 * make it JSON.
		 */
		while (start > 0 && memchr(number_chars, copy[start - 1], sizeof(number_chars) - 1))
			start--;
		if (start < done || end - start < 3 || !one_number(copy + start, end - start))
			break;
		copy[start] = '0';
		copy[start + 1] = '.';
		memset(copy + start + 2, '0', end - start - 2);
		done = end;
		(*out_of_range)++;
		tree = json_loadb(copy, len, JSON_REJECT_DUPLICATES, jerr);
	}
	free(copy);
	return tree;
}

/*
 * The content digest (E1) of an event that takes its place but does not
 * decode into its schema (an unknown type, a field missing or of another
 * shape): of the line's JSON with its keys sorted and no spaces, so that a
 * copy written with other spacing or key order is the duplicate it is, as a
 * decoded event's digest is of its Avro encoding. The line's own bytes when
 * it holds a number out of range, or when out of memory.
 */
static void digest_as_json(json_t *tree, int out_of_range, struct ctr_event *ev)
{
	char *canonical;

	if (out_of_range) /* load_line() wrote such numbers as 0.0: the tree is not the content */
		return;
	canonical = json_dumps(tree, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (canonical == NULL)
		return;
	ev->digest = ctr_hash64(canonical, strlen(canonical), 0);
	free(canonical);
}

/*
 * The line's JSON into d->line_tree, in place of the last line's: 0, or -1
 * with ev rejected bad_json when it is not an object or memory ran out.
 */
static int load_object(struct ctr_decoder *d, const char *line, size_t len, int *out_of_range,
		       struct ctr_event *ev)
{
	json_error_t jerr;

	json_decref(d->line_tree);
	/* jansson leaves the error untouched when it cannot allocate its lexer: load_line reads it */
	memset(&jerr, 0, sizeof(jerr));
	ctr_json_memory_failed(); /* what failed before is not this line's */
	d->line_tree = load_line(line, len, &jerr, out_of_range, &ev->out_of_memory);
	if (ctr_json_memory_failed())
		ev->out_of_memory = 1;
	if (ev->out_of_memory) {
		ctr_event_reject(ev, CTR_CODE_BAD_JSON, 0, "out of memory");
		return -1;
	}
	if (d->line_tree == NULL || !json_is_object(d->line_tree)) {
		ctr_event_reject(ev, CTR_CODE_BAD_JSON, 0, "not a JSON object: %s",
				 d->line_tree ? "another JSON value" : jerr.text);
		return -1;
	}
	return 0;
}

/* A line whose fields do not fill the schema still takes its place (E2), rejected with code. */
static void reject_unfilled(struct ctr_decoder *d, enum ctr_code code, int out_of_range,
			    struct ctr_event *ev)
{
	digest_as_json(d->line_tree, out_of_range, ev);
	ev->code = code;
	ev->takes_place = 1; /* fill() wrote the message */
	if (out_of_range && code == CTR_CODE_BAD_FORMAT)
		snprintf(ev->message + strlen(ev->message),
			 sizeof(ev->message) - strlen(ev->message), " (a number out of range)");
}

/* The filled own value digested (E1), converted when the own schema is old, and read into ev. */
static void read_filled(struct ctr_decoder *d, struct ctr_event *ev)
{
	const void *bytes;
	size_t size;

	if (ctr_decoder_encode(d, &bytes, &size, NULL) == 0)
		ev->digest = ctr_hash64(bytes, size, 0);
	if (d->converting && ctr_decoder_convert(d, ev) != 0)
		return;
	if (d->converting)
		ctr_decoder_read_envelope(d, &d->current.value, d->current.index, ev);
	else
		ctr_decoder_read_envelope(d, &d->own.value, d->own.index, ev);
}

static void decode_json(struct ctr_decoder *d, const char *line, size_t len, int limited,
			struct ctr_event *ev)
{
	enum ctr_code code;
	int out_of_range;

	ctr_event_clear(ev);
	d->last_taped = 0;
	ev->raw = (const uint8_t *)line;
	ev->raw_len = len;
	ev->digest = ctr_hash64(line, len, 0);
	if (limited && len > CTR_EVENT_MAX_BYTES) {
		ctr_event_reject(ev, CTR_CODE_TOO_LARGE, 0, "line of %zu bytes is over 1 MiB", len);
		return;
	}
	if (load_object(d, line, len, &out_of_range, ev) != 0)
		return;
	read_recorded(d->line_tree, ev);
	if (read_position(d, d->line_tree, ev) != 0) {
		/* kept with the rejection as read (its row's type), though not judged */
		if (json_is_string(json_object_get(d->line_tree, "type")))
			ev->type = json_string_value(json_object_get(d->line_tree, "type"));
		return;
	}
	if (read_header(d->catalog, d->line_tree, ev) != 0) {
		digest_as_json(d->line_tree, out_of_range, ev);
		return;
	}
	code = fill(d, d->line_tree, ev);
	if (code != CTR_CODE_OK) {
		reject_unfilled(d, code, out_of_range, ev);
		return;
	}
	read_filled(d, ev);
}

void ctr_decode_json(struct ctr_decoder *d, const char *line, size_t len, struct ctr_event *ev)
{
	decode_json(d, line, len, 1, ev);
}

void ctr_decode_json_kept(struct ctr_decoder *d, const char *json, size_t len,
			  struct ctr_event *ev)
{
	decode_json(d, json, len, 0, ev);
}

int ctr_decoder_encode(struct ctr_decoder *d, const void **bytes, size_t *len,
		       struct ctr_error *err)
{
	if (d->last_taped) { /* read from Avro in the own schema: those bytes are its encoding */
		*bytes = d->taped_raw;
		*len = d->taped_len;
		return 0;
	}
	return ctr_decoder_encode_value(d, &d->own.value, bytes, len, err);
}

int ctr_decoder_encode_value(struct ctr_decoder *d, avro_value_t *value, const void **bytes,
			 size_t *len, struct ctr_error *err)
{
	avro_writer_t writer;
	size_t size = 0;

	if (avro_value_sizeof(value, &size) != 0)
		return ctr_error_set(err, CTR_ESCHEMA, "event does not encode: %s", avro_strerror());
	if (size > d->encode_cap) {
		char *grown = realloc(d->encode_buf, size * 2);
		if (grown == NULL)
			return ctr_error_set(err, CTR_ENOMEM, "out of memory");
		d->encode_buf = grown;
		d->encode_cap = size * 2;
	}
	writer = avro_writer_memory(d->encode_buf, (int64_t)d->encode_cap);
	if (avro_value_write(writer, value) != 0) {
		avro_writer_free(writer);
		return ctr_error_set(err, CTR_ESCHEMA, "event does not encode: %s", avro_strerror());
	}
	avro_writer_free(writer);
	*bytes = d->encode_buf;
	*len = size;
	return 0;
}

char *ctr_decoder_to_json(struct ctr_decoder *d)
{
	json_t *json = ctr_value_to_json(ctr_decoder_last_value(d));
	json_t *recorded = json_object_get(json, "recorded");
	char *line;

	if (json == NULL)
		return NULL;
	if (json_is_null(recorded))
		json_object_del(json, "recorded");
	line = ctr_json_text(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(json);
	return line;
}
