/*
 * avro_tape_plan.c - compiling a writer schema into the plan of avro_tape.h:
 * its nodes in one array, each node's children listed in plan->kids, with
 * the fewest bytes a value of each node takes, which bounds an array's count.
 */
#include "events/avro_tape.h"
#include "events/avro_tape_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64 /* deeper means a recursive schema: the tape does not follow those */

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

/*
 * The figures of node's own type set (an enum's symbols, a fixed's size);
 * *count is how many children it has. -1 for a type the tape does not hold.
 */
static int node_shape(struct plan_node *node, avro_schema_t schema, size_t *count)
{
	switch (node->type) {
	case AVRO_NULL: case AVRO_BOOLEAN: case AVRO_INT32: case AVRO_INT64:
	case AVRO_FLOAT: case AVRO_DOUBLE: case AVRO_STRING: case AVRO_BYTES:
		return 0;
	case AVRO_ENUM:
		node->limit = avro_schema_enum_number_of_symbols(schema);
		return 0;
	case AVRO_FIXED:
		node->limit = avro_schema_fixed_size(schema);
		return 0;
	case AVRO_RECORD:
		*count = avro_schema_record_size(schema);
		return 0;
	case AVRO_UNION:
		*count = avro_schema_union_size(schema);
		return 0;
	case AVRO_ARRAY:
		*count = 1;
		return 0;
	default: /* maps and anything else: the generic values hold them */
		return -1;
	}
}

static int compile(struct ctr_avro_plan *plan, avro_schema_t schema, int depth, uint32_t *index);

/* The count children of schema (of type) compiled and listed in plan->kids from kids on. */
static int compile_kids(struct ctr_avro_plan *plan, avro_schema_t schema, avro_type_t type,
			uint32_t kids, size_t count, int depth)
{
	for (size_t i = 0; i < count; i++) {
		uint32_t child;
		if (compile(plan, child_schema(schema, type, i), depth + 1, &child) != 0)
			return -1;
		plan->kids[kids + i] = child;
		if (type == AVRO_RECORD)
			plan->names[kids + i] = avro_schema_record_field_name(schema, (int)i);
	}
	return 0;
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
	if (node_shape(&plan->nodes[self], schema, &count) != 0)
		return -1;
	if (count > 0 && add_kids(plan, count, &kids) != 0)
		return -1;
	plan->nodes[self].kids = kids;
	plan->nodes[self].count = (uint32_t)count;
	if (compile_kids(plan, schema, type, kids, count, depth) != 0)
		return -1;
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
