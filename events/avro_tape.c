/*
 * avro_tape.c - decoding a record's bytes onto a tape (avro_tape.h), walking
 * the plan (avro_tape_plan.c); the values are read through
 * avro_tape_value.c. The decoder is the rebuild's hot path: its functions
 * stay together in this file so that the compiler can inline them.
 */
#include "events/avro_tape.h"
#include "events/avro_tape_internal.h"

#include <stdlib.h>
#include <string.h>

#include "events/utf8.h"
#include "events/zigzag.h"

/* A tape grown past these by an unusual record starts small again at the next one. */
#define KEEP_VALUES 65536
#define KEEP_TEXT (1 << 20)

struct ctr_avro_tape *ctr_avro_tape_new(const struct ctr_avro_plan *plan)
{
	struct ctr_avro_tape *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->iface = ctr_avro_tape_iface;
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

/* The values grown to hold need of them; -1 when memory ran out. */
static int grow_values(struct ctr_avro_tape *t, size_t need)
{
	size_t cap = t->value_cap ? t->value_cap * 2 : 256;

	while (cap < need)
		cap *= 2;
	struct tape_value *moved = realloc(t->values, cap * sizeof(*moved));
	if (moved == NULL)
		return -1;
	t->values = moved;
	t->value_cap = cap;
	return 0;
}

/* count values side by side at the tape's end; *first is the first. */
static inline int reserve(struct ctr_avro_tape *t, uint64_t count, uint32_t *first)
{
	if (count > UINT32_MAX - t->value_count)
		return -1;
	if (t->value_count + count > t->value_cap && grow_values(t, t->value_count + count) != 0)
		return -1;
	*first = (uint32_t)t->value_count;
	t->value_count += (size_t)count;
	return 0;
}

/* The text grown to hold need bytes; -1 when memory ran out. */
static int grow_text(struct ctr_avro_tape *t, size_t need)
{
	size_t cap = t->text_cap ? t->text_cap * 2 : 4096;

	while (cap < need)
		cap *= 2;
	char *moved = realloc(t->text, cap);
	if (moved == NULL)
		return -1;
	t->text = moved;
	t->text_cap = cap;
	return 0;
}

/* Copies len bytes and a NUL into the text; their offset, or -1. */
static inline int64_t keep_text(struct ctr_avro_tape *t, const uint8_t *p, size_t len)
{
	size_t at = t->text_len;

	if (len >= UINT32_MAX - at)
		return -1;
	if (at + len + 1 > t->text_cap && grow_text(t, at + len + 1) != 0)
		return -1;
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

static inline int64_t decode(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot,
			     const uint8_t *p, size_t avail);

/* A varint, as ctr_zigzag_read(); one longer than its value needs makes the record not canonical. */
static inline size_t read_varint(struct ctr_avro_tape *t, const uint8_t *p, size_t avail,
				 int64_t *value)
{
	size_t used;

	if (avail > 0 && p[0] < 0x80) { /* most are one byte: a length, a branch, a small number */
		*value = (int64_t)(p[0] >> 1) ^ -(int64_t)(p[0] & 1);
		return 1;
	}
	used = ctr_zigzag_read(p, avail, value);

	if (used > 1 && !ctr_zigzag_minimal(p, used))
		t->not_canonical = 1;
	return used;
}

/* bytes that are kept as text: strings, bytes, fixed */
__attribute__((always_inline)) static inline int64_t
decode_text(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot, const uint8_t *p,
	    size_t avail)
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

__attribute__((noinline)) static int64_t
decode_record(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot, const uint8_t *p,
	      size_t avail)
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

__attribute__((noinline)) static int64_t
decode_union(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot, const uint8_t *p,
	     size_t avail)
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
__attribute__((noinline)) static int64_t
decode_array(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot, const uint8_t *p,
	     size_t avail)
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

/* ints, longs and enum symbols: a varint, in the range of its type */
__attribute__((always_inline)) static inline int64_t
decode_integer(struct ctr_avro_tape *t, const struct plan_node *n, struct tape_value *v,
	       const uint8_t *p, size_t avail)
{
	int64_t number;
	size_t used = read_varint(t, p, avail, &number);

	if (used == 0)
		return damaged(t, "a bad varint");
	if (n->type == AVRO_INT32 && (number < INT32_MIN || number > INT32_MAX))
		return damaged(t, "an int out of range");
	if (n->type == AVRO_ENUM && (number < 0 || number >= n->limit))
		return damaged(t, "an enum symbol out of range");
	v->n.l = number;
	return (int64_t)used;
}

__attribute__((always_inline)) static inline int64_t
decode_float(struct ctr_avro_tape *t, struct tape_value *v, const uint8_t *p, size_t avail)
{
	uint32_t bits;

	if (avail < 4)
		return damaged(t, "a float past the end of the bytes");
	bits = (uint32_t)little_endian(p, 4);
	memcpy(&v->n.f, &bits, sizeof(bits));
	return 4;
}

__attribute__((always_inline)) static inline int64_t
decode_double(struct ctr_avro_tape *t, struct tape_value *v, const uint8_t *p, size_t avail)
{
	uint64_t bits;

	if (avail < 8)
		return damaged(t, "a double past the end of the bytes");
	bits = little_endian(p, 8);
	memcpy(&v->n.d, &bits, sizeof(bits));
	return 8;
}

/*
 * One value. Inlined into the loops of the three kinds that hold values (their
 * own functions, not inlined), so that a record's strings and numbers cost no
 * call: a call of this function with all of them inlined saved and restored
 * most registers for each value.
 */
__attribute__((always_inline)) static inline int64_t
decode(struct ctr_avro_tape *t, const struct plan_node *n, uint32_t slot, const uint8_t *p,
       size_t avail)
{
	struct tape_value *v = &t->values[slot];

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
		return decode_integer(t, n, v, p, avail);
	case AVRO_FLOAT:
		return decode_float(t, v, p, avail);
	case AVRO_DOUBLE:
		return decode_double(t, v, p, avail);
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
		tape_point_at(&tape->iface, slot, root);
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
