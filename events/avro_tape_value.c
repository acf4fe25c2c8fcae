/*
 * avro_tape_value.c - Avro C's value interface over a tape (avro_tape.h):
 * the getters that let code written for generic values read a decoded
 * record's values unchanged. Read only: the tape owns its values.
 */
#include "events/avro_tape_internal.h"

#include <errno.h>
#include <string.h>

#define TAPE(iface) ((const struct ctr_avro_tape *)(const void *)(iface))
#define VALUE(self) ((const struct tape_value *)(self))

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

/* The bytes a value of type keeps in the tape's text (bytes and fixed alike). */
static int tape_bytes_of(const avro_value_iface_t *iface, const void *self, avro_type_t type,
			 const void **buf, size_t *size)
{
	const struct tape_value *v = VALUE(self);

	if (v->node->type != type)
		return EINVAL;
	*buf = TAPE(iface)->text + v->first;
	*size = v->count;
	return 0;
}

static int tape_get_bytes(const avro_value_iface_t *iface, const void *self, const void **buf,
			  size_t *size)
{
	return tape_bytes_of(iface, self, AVRO_BYTES, buf, size);
}

static int tape_get_fixed(const avro_value_iface_t *iface, const void *self, const void **buf,
			  size_t *size)
{
	return tape_bytes_of(iface, self, AVRO_FIXED, buf, size);
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
	tape_point_at(iface, v->first + index, child);
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
			tape_point_at(iface, v->first + i, child);
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
	tape_point_at(iface, VALUE(self)->first, branch);
	return 0;
}

/* Setters stay NULL: Avro C's value calls answer EINVAL for them. */
const avro_value_iface_t ctr_avro_tape_iface = {
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
