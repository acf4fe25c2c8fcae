/*
 * avro_tape.c - the plans and tapes of avro_tape.h.
 *
 * A plan is the schema flattened into an array of nodes; a node's children
 * (a record's fields, a union's branches, an array's items) are listed in
 * plan->kids. A tape value points at its node; a record's field values, an
 * array's items and a union's branch lie side by side from value->first, so
 * field i is one index away. Values are read through an avro_value_iface_t
 * that is the first member of the tape, which is how a value finds its tape.
 */
#include "events/avro_tape.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events/utf8.h"
#include "events/zigzag.h"

#define MAX_DEPTH 64 /* deeper means a recursive schema: the tape does not follow those */
/*
 * An array's items are set aside before they are read, so a damaged count
 * could claim memory for items that are not there: a count is bounded by the
 * bytes its items need, and past what a 1 MiB event could hold the generic
 * decoder (after the schema walk) takes the record.
 */
#define MAX_ITEMS ((int64_t)1 << 20)
/* A tape grown past these by an unusual record starts small again at the next one. */
#define KEEP_VALUES 65536
#define KEEP_TEXT (1 << 20)

struct plan_node {
	avro_type_t type;
	avro_schema_t schema; /* borrowed from the plan's root */
	uint32_t kids;        /* first of its children in plan->kids */
	uint32_t count;       /* fields, branches, or 1 for an array's items */
	int64_t limit;        /* an enum's symbols, a fixed's size */
	int64_t least;        /* the fewest bytes a value of it takes */
};

struct ctr_avro_plan {
	avro_schema_t root;
	struct plan_node *nodes;
	size_t node_count, node_cap;
	uint32_t *kids;     /* node indexes */
	const char **names; /* beside kids: the field's name, for a record's */
	size_t kid_count, kid_cap;
};

struct tape_value {
	const struct plan_node *node;
	union {
		int64_t l;
		double d;
		float f;
	} n;
	uint32_t first; /* strings, bytes, fixed: offset in text; else the first child value */
	uint32_t count; /* strings, bytes, fixed: length; records: fields; arrays: items;
			 * unions: the branch taken */
};

struct ctr_avro_tape {
	avro_value_iface_t iface; /* first: a value's iface pointer is its tape */
	const struct ctr_avro_plan *plan;
	struct tape_value *values;
	size_t value_count, value_cap;
	char *text;
	size_t text_len, text_cap;
	const char *damage; /* what the last damaged record had wrong */
	int not_utf8;       /* the last record decoded, but a string in it is not text (utf8.h) */
	int not_canonical;  /* the last record decoded, but not in Avro's shortest encoding */
};

/* ---- plans ---- */

static int add_node(struct ctr_avro_plan *plan, uint32_t *index)
{
	if (plan->node_count == plan->node_cap) {
		size_t cap = plan->node_cap ? plan->node_cap * 2 : 64;
		struct plan_node *moved = realloc(plan->nodes, cap * sizeof(*moved));
		if (moved == NULL)
			return -1;
		plan->nodes = moved;
		plan->node_cap = cap;
	}
	memset(&plan->nodes[plan->node_count], 0, sizeof(*plan->nodes));
	*index = (uint32_t)plan->node_count++;
	return 0;
}

static int add_kids(struct ctr_avro_plan *plan, size_t count, uint32_t *first)
{
	if (plan->kid_count + count > plan->kid_cap) {
		size_t cap = plan->kid_cap ? plan->kid_cap * 2 : 64;
		while (cap < plan->kid_count + count)
			cap *= 2;
		uint32_t *kids = realloc(plan->kids, cap * sizeof(*kids));
		if (kids == NULL)
			return -1;
		plan->kids = kids;
		const char **names = realloc(plan->names, cap * sizeof(*names));
		if (names == NULL)
			return -1;
		plan->names = names;
		plan->kid_cap = cap;
	}
	for (size_t i = 0; i < count; i++)
		plan->names[plan->kid_count + i] = NULL;
	*first = (uint32_t)plan->kid_count;
	plan->kid_count += count;
	return 0;
}

static avro_schema_t child_schema(avro_schema_t schema, avro_type_t type, size_t i)
{
	if (type == AVRO_RECORD)
		return avro_schema_record_field_get_by_index(schema, (int)i);
	if (type == AVRO_UNION)
		return avro_schema_union_branch(schema, (int)i);
	return avro_schema_array_items(schema);
}

/* The fewest bytes a value of node takes, once its children are compiled. */
static int64_t least_bytes(const struct ctr_avro_plan *plan, const struct plan_node *node)
{
	int64_t sum = 0;

	switch (node->type) {
	case AVRO_NULL:
		return 0;
	case AVRO_FLOAT:
		return 4;
	case AVRO_DOUBLE:
		return 8;
	case AVRO_FIXED:
		return node->limit;
	case AVRO_RECORD: /* its fields' (the sum stops growing where it could overflow) */
		for (uint32_t i = 0; i < node->count && sum < MAX_ITEMS; i++)
			sum += plan->nodes[plan->kids[node->kids + i]].least;
		return sum;
	default: /* a varint at least: a number, a length, a branch, a block count */
		return 1;
	}
}

/* Adds schema's node and its children's; *index is where it went. -1 when it cannot. */
static int compile(struct ctr_avro_plan *plan, avro_schema_t schema, int depth, uint32_t *index)
{
	avro_type_t type;
	size_t count = 0;
	uint32_t self, kids = 0;

	while (schema != NULL && avro_typeof(schema) == AVRO_LINK)
		schema = avro_schema_link_target(schema);
	if (schema == NULL || depth > MAX_DEPTH || add_node(plan, &self) != 0)
		return -1;
	type = avro_typeof(schema);
	plan->nodes[self].type = type;
	plan->nodes[self].schema = schema;
	switch (type) {
	case AVRO_NULL: case AVRO_BOOLEAN: case AVRO_INT32: case AVRO_INT64:
	case AVRO_FLOAT: case AVRO_DOUBLE: case AVRO_STRING: case AVRO_BYTES:
		break;
	case AVRO_ENUM:
		plan->nodes[self].limit = avro_schema_enum_number_of_symbols(schema);
		break;
	case AVRO_FIXED:
		plan->nodes[self].limit = avro_schema_fixed_size(schema);
		break;
	case AVRO_RECORD:
		count = avro_schema_record_size(schema);
		break;
	case AVRO_UNION:
		count = avro_schema_union_size(schema);
		break;
	case AVRO_ARRAY:
		count = 1;
		break;
	default: /* maps and anything else: the generic values hold them */
		return -1;
	}
	if (count > 0 && add_kids(plan, count, &kids) != 0)
		return -1;
	plan->nodes[self].kids = kids;
	plan->nodes[self].count = (uint32_t)count;
	for (size_t i = 0; i < count; i++) {
		uint32_t child;
		if (compile(plan, child_schema(schema, type, i), depth + 1, &child) != 0)
			return -1;
		plan->kids[kids + i] = child;
		if (type == AVRO_RECORD)
			plan->names[kids + i] = avro_schema_record_field_name(schema, (int)i);
	}
	plan->nodes[self].least = least_bytes(plan, &plan->nodes[self]);
	*index = self;
	return 0;
}

struct ctr_avro_plan *ctr_avro_plan_new(avro_schema_t schema)
{
	struct ctr_avro_plan *plan = calloc(1, sizeof(*plan));
	uint32_t root;

	if (plan == NULL)
		return NULL;
	plan->root = avro_schema_incref(schema);
	if (compile(plan, schema, 0, &root) != 0 || avro_typeof(schema) != AVRO_RECORD) {
		ctr_avro_plan_free(plan);
		return NULL;
	}
	return plan;
}

void ctr_avro_plan_free(struct ctr_avro_plan *plan)
{
	if (plan == NULL)
		return;
	free(plan->nodes);
	free(plan->kids);
	free(plan->names);
	if (plan->root)
		avro_schema_decref(plan->root);
	free(plan);
}

/* ---- reading a tape's values through avro_value_t ---- */

#define TAPE(iface) ((const struct ctr_avro_tape *)(const void *)(iface))
#define VALUE(self) ((const struct tape_value *)(self))

static void point_at(const avro_value_iface_t *iface, size_t index, avro_value_t *out)
{
	const struct ctr_avro_tape *t = TAPE(iface);

	out->iface = (avro_value_iface_t *)(uintptr_t)iface;
	out->self = (void *)(uintptr_t)&t->values[index];
}

static avro_value_iface_t *tape_incref_iface(avro_value_iface_t *iface)
{
	return iface; /* the tape owns its values: nothing is counted */
}

static void tape_decref_iface(avro_value_iface_t *iface)
{
	(void)iface;
}

static void tape_incref(avro_value_t *value)
{
	(void)value;
}

static void tape_decref(avro_value_t *value)
{
	(void)value;
}

static avro_type_t tape_get_type(const avro_value_iface_t *iface, const void *self)
{
	(void)iface;
	return VALUE(self)->node->type;
}

static avro_schema_t tape_get_schema(const avro_value_iface_t *iface, const void *self)
{
	(void)iface;
	return VALUE(self)->node->schema;
}

static int tape_get_boolean(const avro_value_iface_t *iface, const void *self, int *out)
{
	(void)iface;
	if (VALUE(self)->node->type != AVRO_BOOLEAN)
		return EINVAL;
	*out = (int)VALUE(self)->n.l;
	return 0;
}

static int tape_get_int(const avro_value_iface_t *iface, const void *self, int32_t *out)
{
	(void)iface;
	if (VALUE(self)->node->type != AVRO_INT32)
		return EINVAL;
	*out = (int32_t)VALUE(self)->n.l;
	return 0;
}

static int tape_get_long(const avro_value_iface_t *iface, const void *self, int64_t *out)
{
	(void)iface;
	if (VALUE(self)->node->type != AVRO_INT64)
		return EINVAL;
	*out = VALUE(self)->n.l;
	return 0;
}

static int tape_get_float(const avro_value_iface_t *iface, const void *self, float *out)
{
	(void)iface;
	if (VALUE(self)->node->type != AVRO_FLOAT)
		return EINVAL;
	*out = VALUE(self)->n.f;
	return 0;
}

static int tape_get_double(const avro_value_iface_t *iface, const void *self, double *out)
{
	(void)iface;
	if (VALUE(self)->node->type != AVRO_DOUBLE)
		return EINVAL;
	*out = VALUE(self)->n.d;
	return 0;
}

static int tape_get_null(const avro_value_iface_t *iface, const void *self)
{
	(void)iface;
	return VALUE(self)->node->type == AVRO_NULL ? 0 : EINVAL;
}

static int tape_get_enum(const avro_value_iface_t *iface, const void *self, int *out)
{
	(void)iface;
	if (VALUE(self)->node->type != AVRO_ENUM)
		return EINVAL;
	*out = (int)VALUE(self)->n.l;
	return 0;
}

/* Like Avro C's generic strings, the size counts the NUL after the text. */
static int tape_get_string(const avro_value_iface_t *iface, const void *self, const char **str,
			   size_t *size)
{
	const struct tape_value *v = VALUE(self);

	if (v->node->type != AVRO_STRING)
		return EINVAL;
	*str = TAPE(iface)->text + v->first;
	*size = (size_t)v->count + 1;
	return 0;
}

static int tape_get_bytes(const avro_value_iface_t *iface, const void *self, const void **buf,
			  size_t *size)
{
	const struct tape_value *v = VALUE(self);

	if (v->node->type != AVRO_BYTES)
		return EINVAL;
	*buf = TAPE(iface)->text + v->first;
	*size = v->count;
	return 0;
}

static int tape_get_fixed(const avro_value_iface_t *iface, const void *self, const void **buf,
			  size_t *size)
{
	const struct tape_value *v = VALUE(self);

	if (v->node->type != AVRO_FIXED)
		return EINVAL;
	*buf = TAPE(iface)->text + v->first;
	*size = v->count;
	return 0;
}

static int tape_get_size(const avro_value_iface_t *iface, const void *self, size_t *size)
{
	const struct tape_value *v = VALUE(self);

	(void)iface;
	if (v->node->type != AVRO_RECORD && v->node->type != AVRO_ARRAY)
		return EINVAL;
	*size = v->count;
	return 0;
}

static int tape_get_by_index(const avro_value_iface_t *iface, const void *self, size_t index,
			     avro_value_t *child, const char **name)
{
	const struct tape_value *v = VALUE(self);

	if ((v->node->type != AVRO_RECORD && v->node->type != AVRO_ARRAY) || index >= v->count)
		return EINVAL;
	point_at(iface, v->first + index, child);
	if (name != NULL)
		*name = v->node->type == AVRO_RECORD ? TAPE(iface)->plan->names[v->node->kids + index]
						      : NULL;
	return 0;
}

static int tape_get_by_name(const avro_value_iface_t *iface, const void *self, const char *name,
			    avro_value_t *child, size_t *index)
{
	const struct tape_value *v = VALUE(self);
	const char *const *names = (const char *const *)TAPE(iface)->plan->names + v->node->kids;

	if (v->node->type != AVRO_RECORD)
		return EINVAL;
	for (uint32_t i = 0; i < v->count; i++) {
		if (names[i][0] == name[0] && strcmp(names[i], name) == 0) {
			point_at(iface, v->first + i, child);
			if (index != NULL)
				*index = i;
			return 0;
		}
	}
	return EINVAL;
}

static int tape_get_discriminant(const avro_value_iface_t *iface, const void *self, int *out)
{
	(void)iface;
	if (VALUE(self)->node->type != AVRO_UNION)
		return EINVAL;
	*out = (int)VALUE(self)->count;
	return 0;
}

static int tape_get_current_branch(const avro_value_iface_t *iface, const void *self,
				   avro_value_t *branch)
{
	if (VALUE(self)->node->type != AVRO_UNION)
		return EINVAL;
	point_at(iface, VALUE(self)->first, branch);
	return 0;
}

/* Setters stay NULL: Avro C's value calls answer EINVAL for them. */
static const avro_value_iface_t tape_iface = {
	.incref_iface = tape_incref_iface,
	.decref_iface = tape_decref_iface,
	.incref = tape_incref,
	.decref = tape_decref,
	.get_type = tape_get_type,
	.get_schema = tape_get_schema,
	.get_boolean = tape_get_boolean,
	.get_bytes = tape_get_bytes,
	.get_double = tape_get_double,
	.get_float = tape_get_float,
	.get_int = tape_get_int,
	.get_long = tape_get_long,
	.get_null = tape_get_null,
	.get_string = tape_get_string,
	.get_enum = tape_get_enum,
	.get_fixed = tape_get_fixed,
	.get_size = tape_get_size,
	.get_by_index = tape_get_by_index,
	.get_by_name = tape_get_by_name,
	.get_discriminant = tape_get_discriminant,
	.get_current_branch = tape_get_current_branch,
};

/* ---- decoding ---- */

struct ctr_avro_tape *ctr_avro_tape_new(const struct ctr_avro_plan *plan)
{
	struct ctr_avro_tape *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->iface = tape_iface;
	t->plan = plan;
	return t;
}

void ctr_avro_tape_free(struct ctr_avro_tape *tape)
{
	if (tape == NULL)
		return;
	free(tape->values);
	free(tape->text);
	free(tape);
}

/* count values side by side at the tape's end; *first is the first. */
static int reserve(struct ctr_avro_tape *t, uint64_t count, uint32_t *first)
{
	if (count > UINT32_MAX - t->value_count)
		return -1;
	if (t->value_count + count > t->value_cap) {
		size_t cap = t->value_cap ? t->value_cap * 2 : 256;
		while (cap < t->value_count + count)
			cap *= 2;
		struct tape_value *moved = realloc(t->values, cap * sizeof(*moved));
		if (moved == NULL)
			return -1;
		t->values = moved;
		t->value_cap = cap;
	}
	*first = (uint32_t)t->value_count;
	t->value_count += (size_t)count;
	return 0;
}

/* Copies len bytes and a NUL into the text; their offset, or -1. */
static int64_t keep_text(struct ctr_avro_tape *t, const uint8_t *p, size_t len)
{
	size_t at = t->text_len;

	if (len >= UINT32_MAX - at)
		return -1;
	if (at + len + 1 > t->text_cap) {
		size_t cap = t->text_cap ? t->text_cap * 2 : 4096;
		while (cap < at + len + 1)
			cap *= 2;
		char *moved = realloc(t->text, cap);
		if (moved == NULL)
			return -1;
		t->text = moved;
		t->text_cap = cap;
	}
	memcpy(t->text + at, p, len);
	t->text[at + len] = '\0';
	t->text_len = at + len + 1;
	return (int64_t)at;
}

/* Notes what was wrong with the record. */
static int64_t damaged(struct ctr_avro_tape *t, const char *what)
{
	t->damage = what;
	return CTR_TAPE_DAMAGED;
}

static uint64_t little_endian(const uint8_t *p, int bytes)
{
	uint64_t bits = 0;

	for (int i = bytes - 1; i >= 0; i--)
		bits = bits << 8 | p[i];
	return bits;
}

static int64_t decode(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot,
		      const uint8_t *p, size_t avail);

/* A varint, as ctr_zigzag_read(); one longer than its value needs makes the record not canonical. */
static size_t read_varint(struct ctr_avro_tape *t, const uint8_t *p, size_t avail, int64_t *value)
{
	size_t used = ctr_zigzag_read(p, avail, value);

	if (used > 1 && !ctr_zigzag_minimal(p, used))
		t->not_canonical = 1;
	return used;
}

/* bytes that are kept as text: strings, bytes, fixed */
static int64_t decode_text(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot,
			   const uint8_t *p, size_t avail)
{
	int64_t len = n->limit, offset;
	size_t used = 0;

	if (n->type != AVRO_FIXED) {
		used = read_varint(t, p, avail, &len);
		if (used == 0 || len < 0)
			return damaged(t, "a bad length");
	}
	if ((uint64_t)len > avail - used)
		return damaged(t, "a length past the end of the bytes");
	/* not damage: the record's bytes still end where they say, and the next one follows */
	if (n->type == AVRO_STRING && !ctr_utf8_text(p + used, (size_t)len))
		t->not_utf8 = 1;
	offset = keep_text(t, p + used, (size_t)len);
	if (offset < 0)
		return CTR_TAPE_UNSUPPORTED;
	t->values[slot].first = (uint32_t)offset;
	t->values[slot].count = (uint32_t)len;
	return (int64_t)used + len;
}

static int64_t decode_record(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot,
			     const uint8_t *p, size_t avail)
{
	const struct ctr_avro_plan *plan = t->plan;
	uint32_t first;
	size_t at = 0;

	if (reserve(t, n->count, &first) != 0)
		return CTR_TAPE_UNSUPPORTED;
	t->values[slot].first = first;
	t->values[slot].count = n->count;
	for (uint32_t i = 0; i < n->count; i++) {
		int64_t size = decode(t, &plan->nodes[plan->kids[n->kids + i]], first + i, p + at,
				      avail - at);
		if (size < 0)
			return size;
		at += (size_t)size;
	}
	return (int64_t)at;
}

static int64_t decode_union(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot,
			    const uint8_t *p, size_t avail)
{
	const struct ctr_avro_plan *plan = t->plan;
	int64_t index, size;
	size_t used = read_varint(t, p, avail, &index);
	uint32_t first;

	if (used == 0 || index < 0 || index >= (int64_t)n->count)
		return damaged(t, "a union branch out of range");
	if (reserve(t, 1, &first) != 0)
		return CTR_TAPE_UNSUPPORTED;
	t->values[slot].first = first;
	t->values[slot].count = (uint32_t)index;
	size = decode(t, &plan->nodes[plan->kids[n->kids + (uint32_t)index]], first, p + used,
		      avail - used);
	return size < 0 ? size : (int64_t)used + size;
}

/* A block count of used bytes at p as Avro's canonical encoding has it: a minimal varint, not
 * negative (a negative count is followed by the block's size in bytes). */
static int block_count_canonical(const uint8_t *p, size_t used)
{
	int64_t count;

	return ctr_zigzag_read(p, used, &count) == used && count >= 0 && ctr_zigzag_minimal(p, used);
}

/* Blocks of items until a zero count; the items of every block must lie side by side. */
static int64_t decode_array(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot,
			    const uint8_t *p, size_t avail)
{
	const struct plan_node *items = &t->plan->nodes[t->plan->kids[n->kids]];
	size_t at = 0;

	t->values[slot].first = (uint32_t)t->value_count;
	t->values[slot].count = 0;
	for (;;) {
		int64_t count;
		uint32_t first;
		size_t used = ctr_zigzag_block_count(p + at, avail - at, &count);

		if (used == 0)
			return damaged(t, "a bad array block count");
		/* the canonical form: at most one block of items, then the zero count */
		if (!block_count_canonical(p + at, used) || (count != 0 && t->values[slot].count != 0))
			t->not_canonical = 1;
		at += used;
		if (count == 0)
			return (int64_t)at;
		if (items->least > 0 && (uint64_t)count > (avail - at) / (uint64_t)items->least)
			return damaged(t, "more array items than bytes for them");
		/* items of no bytes (nulls) could be that many: not for the tape to judge */
		if ((uint64_t)count > avail - at || count > MAX_ITEMS)
			return CTR_TAPE_UNSUPPORTED;
		if (reserve(t, (uint64_t)count, &first) != 0)
			return CTR_TAPE_UNSUPPORTED;
		if (t->values[slot].count == 0)
			t->values[slot].first = first;
		else if (first != t->values[slot].first + t->values[slot].count)
			return CTR_TAPE_UNSUPPORTED; /* a later block, after the earlier items' children */
		t->values[slot].count += (uint32_t)count;
		for (int64_t i = 0; i < count; i++) {
			int64_t size = decode(t, items, first + (uint32_t)i, p + at, avail - at);
			if (size < 0)
				return size;
			at += (size_t)size;
		}
	}
}

static int64_t decode(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot,
		      const uint8_t *p, size_t avail)
{
	struct tape_value *v = &t->values[slot];
	int64_t number;
	size_t used;

	v->node = n;
	switch (n->type) {
	case AVRO_NULL:
		return 0;
	case AVRO_BOOLEAN:
		if (avail < 1 || p[0] > 1)
			return damaged(t, "a boolean that is neither 0 nor 1");
		v->n.l = p[0];
		return 1;
	case AVRO_INT32:
	case AVRO_INT64:
	case AVRO_ENUM:
		used = read_varint(t, p, avail, &number);
		if (used == 0)
			return damaged(t, "a bad varint");
		if (n->type == AVRO_INT32 && (number < INT32_MIN || number > INT32_MAX))
			return damaged(t, "an int out of range");
		if (n->type == AVRO_ENUM && (number < 0 || number >= n->limit))
			return damaged(t, "an enum symbol out of range");
		v->n.l = number;
		return (int64_t)used;
	case AVRO_FLOAT: {
		uint32_t bits;
		if (avail < 4)
			return damaged(t, "a float past the end of the bytes");
		bits = (uint32_t)little_endian(p, 4);
		memcpy(&v->n.f, &bits, sizeof(bits));
		return 4;
	}
	case AVRO_DOUBLE: {
		uint64_t bits;
		if (avail < 8)
			return damaged(t, "a double past the end of the bytes");
		bits = little_endian(p, 8);
		memcpy(&v->n.d, &bits, sizeof(bits));
		return 8;
	}
	case AVRO_STRING:
	case AVRO_BYTES:
	case AVRO_FIXED:
		return decode_text(t, n, slot, p, avail);
	case AVRO_RECORD:
		return decode_record(t, n, slot, p, avail);
	case AVRO_UNION:
		return decode_union(t, n, slot, p, avail);
	case AVRO_ARRAY:
		return decode_array(t, n, slot, p, avail);
	default:
		return CTR_TAPE_UNSUPPORTED;
	}
}

int64_t ctr_avro_tape_decode(struct ctr_avro_tape *tape, const uint8_t *bytes, size_t avail,
			     avro_value_t *root)
{
	uint32_t slot;
	int64_t size;

	if (tape->value_cap > KEEP_VALUES) { /* an unusual record grew it: start small again */
		free(tape->values);
		tape->values = NULL;
		tape->value_cap = 0;
	}
	if (tape->text_cap > KEEP_TEXT) {
		free(tape->text);
		tape->text = NULL;
		tape->text_cap = 0;
	}
	tape->value_count = 0;
	tape->text_len = 0;
	tape->damage = NULL;
	tape->not_utf8 = 0;
	tape->not_canonical = 0;
	if (reserve(tape, 1, &slot) != 0)
		return CTR_TAPE_UNSUPPORTED;
	size = decode(tape, &tape->plan->nodes[0], slot, bytes, avail);
	/* its bytes are not its content's only encoding: the generic decoder reads it, and the
	 * event is digested in the canonical one (decode.c), so its copies are one content (E1) */
	if (size >= 0 && tape->not_canonical)
		return CTR_TAPE_UNSUPPORTED;
	if (size >= 0)
		point_at(&tape->iface, slot, root);
	return size;
}

const char *ctr_avro_tape_damage(const struct ctr_avro_tape *tape)
{
	return tape->damage ? tape->damage : "";
}

int ctr_avro_tape_not_utf8(const struct ctr_avro_tape *tape)
{
	return tape->not_utf8;
}
