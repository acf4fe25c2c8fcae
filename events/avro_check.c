/*
 * avro_check.c - the schema walk of avro_check.h. Every step moves forward, so
 * a damaged record ends the walk in at most its own length, and the depth is
 * capped: the schema walked is the writer's, from the log's header, and a
 * foreign writer's may be recursive (a record naming itself), where a record
 * of a few hundred kilobytes would nest deeper than the stack goes.
 */
#include "events/avro_check.h"

#include "events/utf8.h"
#include "events/zigzag.h"

/* What a walk found besides the record's size. */
struct walk {
	int not_utf8; /* a string (or map key) is not UTF-8 */
	int depth;    /* records, unions, arrays, maps and links entered and not left */
	int too_deep; /* the walk stopped at CTR_AVRO_CHECK_DEPTH */
};

static int64_t walk(struct walk *w, avro_schema_t schema, const uint8_t *p, size_t avail);

/* length-prefixed bytes or string (text: checked to be UTF-8) */
static int64_t sized(struct walk *w, int text, const uint8_t *p, size_t avail)
{
	int64_t len;
	size_t used = ctr_zigzag_read(p, avail, &len);

	if (used == 0 || len < 0 || (uint64_t)len > avail - used)
		return -1;
	if (text && !ctr_utf8_text(p + used, (size_t)len))
		w->not_utf8 = 1;
	return (int64_t)used + len;
}

static int64_t record(struct walk *w, avro_schema_t schema, const uint8_t *p, size_t avail)
{
	size_t at = 0;

	for (size_t i = 0; i < avro_schema_record_size(schema); i++) {
		int64_t size = walk(w, avro_schema_record_field_get_by_index(schema, (int)i), p + at,
				    avail - at);
		if (size < 0)
			return -1;
		at += (size_t)size;
	}
	return (int64_t)at;
}

static int64_t branch(struct walk *w, avro_schema_t schema, const uint8_t *p, size_t avail)
{
	int64_t index, size;
	size_t used = ctr_zigzag_read(p, avail, &index);

	if (used == 0 || index < 0 || (size_t)index >= avro_schema_union_size(schema))
		return -1;
	size = walk(w, avro_schema_union_branch(schema, (int)index), p + used, avail - used);
	return size < 0 ? -1 : (int64_t)used + size;
}

/* arrays and maps: blocks of items until a zero count */
static int64_t blocks(struct walk *w, avro_schema_t items, int map, const uint8_t *p, size_t avail)
{
	size_t at = 0;

	for (;;) {
		int64_t count, size;
		size_t used = ctr_zigzag_block_count(p + at, avail - at, &count);
		if (used == 0)
			return -1;
		at += used;
		if (count == 0)
			return (int64_t)at;
		for (int64_t i = 0; i < count; i++) {
			if (map) {
				size = sized(w, 1, p + at, avail - at);
				if (size < 0)
					return -1;
				at += (size_t)size;
			}
			size = walk(w, items, p + at, avail - at);
			if (size < 0 || (size == 0 && i > (int64_t)(avail - at)))
				return -1;
			at += (size_t)size;
		}
	}
}

static int64_t nested(struct walk *w, avro_schema_t schema, const uint8_t *p, size_t avail);

static int64_t walk(struct walk *w, avro_schema_t schema, const uint8_t *p, size_t avail)
{
	int64_t value;
	size_t used;

	switch (avro_typeof(schema)) {
	case AVRO_NULL:
		return 0;
	case AVRO_BOOLEAN:
		return avail >= 1 && p[0] <= 1 ? 1 : -1;
	case AVRO_INT32:
	case AVRO_INT64:
		used = ctr_zigzag_read(p, avail, &value);
		return used ? (int64_t)used : -1;
	case AVRO_FLOAT:
		return avail >= 4 ? 4 : -1;
	case AVRO_DOUBLE:
		return avail >= 8 ? 8 : -1;
	case AVRO_STRING:
		return sized(w, 1, p, avail);
	case AVRO_BYTES:
		return sized(w, 0, p, avail);
	case AVRO_FIXED:
		return (uint64_t)avro_schema_fixed_size(schema) <= avail ? avro_schema_fixed_size(schema) : -1;
	case AVRO_ENUM:
		used = ctr_zigzag_read(p, avail, &value);
		return used && value >= 0 && value < avro_schema_enum_number_of_symbols(schema)
		       ? (int64_t)used : -1;
	case AVRO_RECORD:
	case AVRO_UNION:
	case AVRO_ARRAY:
	case AVRO_MAP:
	case AVRO_LINK:
		return nested(w, schema, p, avail);
	default:
		return -1;
	}
}

/* A value holding others: one level deeper, within CTR_AVRO_CHECK_DEPTH. */
static int64_t nested(struct walk *w, avro_schema_t schema, const uint8_t *p, size_t avail)
{
	int64_t size;

	if (w->depth == CTR_AVRO_CHECK_DEPTH) {
		w->too_deep = 1;
		return -1;
	}
	w->depth++;
	switch (avro_typeof(schema)) {
	case AVRO_RECORD:
		size = record(w, schema, p, avail);
		break;
	case AVRO_UNION:
		size = branch(w, schema, p, avail);
		break;
	case AVRO_ARRAY:
		size = blocks(w, avro_schema_array_items(schema), 0, p, avail);
		break;
	case AVRO_MAP:
		size = blocks(w, avro_schema_map_values(schema), 1, p, avail);
		break;
	default: /* AVRO_LINK */
		size = walk(w, avro_schema_link_target(schema), p, avail);
		break;
	}
	w->depth--;
	return size;
}

int64_t ctr_avro_check(avro_schema_t schema, const uint8_t *bytes, size_t avail, int *not_utf8)
{
	struct walk w = { 0 };
	int64_t size = walk(&w, schema, bytes, avail);

	if (not_utf8 != NULL)
		*not_utf8 = w.not_utf8;
	return w.too_deep ? CTR_AVRO_TOO_DEEP : size;
}
