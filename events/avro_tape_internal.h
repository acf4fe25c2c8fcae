/*
 * avro_tape_internal.h - the plan and tape of avro_tape.h, shared by
 * avro_tape_plan.c (compiling a schema into a plan), avro_tape.c (decoding
 * bytes onto a tape), avro_tape_value.c (reading a tape's values through
 * Avro C's value interface) and validate.c (walking a tape for the format
 * checks). Not for use outside events/.
 *
 * A plan is the schema flattened into an array of nodes; a node's children
 * (a record's fields, a union's branches, an array's items) are listed in
 * plan->kids. A tape value points at its node; a record's field values, an
 * array's items and a union's branch lie side by side from value->first, so
 * field i is one index away. Values are read through an avro_value_iface_t
 * that is the first member of the tape, which is how a value finds its tape.
 */
#ifndef CTR_AVRO_TAPE_INTERNAL_H
#define CTR_AVRO_TAPE_INTERNAL_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An array's items are set aside before they are read, so a damaged count
 * could claim memory for items that are not there: a count is bounded by the
 * bytes its items need, and past what a 1 MiB event could hold the generic
 * decoder (after the schema walk) takes the record.
 */
#define MAX_ITEMS ((int64_t)1 << 20)

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

/* The read-only value interface every tape starts from (avro_tape_value.c); setters are NULL. */
extern const avro_value_iface_t ctr_avro_tape_iface;

/* Points *out at the tape value at index of the tape whose iface is iface. */
static inline void tape_point_at(const avro_value_iface_t *iface, size_t index, avro_value_t *out)
{
	const struct ctr_avro_tape *t = (const struct ctr_avro_tape *)(const void *)iface;

	out->iface = (avro_value_iface_t *)(uintptr_t)iface;
	out->self = (void *)(uintptr_t)&t->values[index];
}

#endif
