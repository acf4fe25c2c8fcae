/*
 * value_json.c - Avro values to and from JSON (see value_json.h). Used by the
 * JSON Lines codec, by defaults when an old log is read under a newer schema,
 * and by the audit and dump output.
 */
#include "events/value_json.h"

#include <stdio.h>
#include <string.h>

static enum ctr_code fail(enum ctr_code code, char *msg, size_t size, const char *fmt,
			  const char *path)
{
	snprintf(msg, size, fmt, path);
	return code;
}

/* The JSON node of a record field's type, or of a union's branch. */
static const json_t *field_type_node(const json_t *record_node, size_t i)
{
	const json_t *fields = json_object_get(record_node, "fields");
	return json_object_get(json_array_get(fields, i), "type");
}

static const json_t *type_node(const json_t *node)
{
	/* {"type": "string", "format": ...} wraps a primitive */
	if (json_is_object(node) && json_is_string(json_object_get(node, "type")) &&
	    json_object_get(node, "fields") == NULL && json_object_get(node, "symbols") == NULL &&
	    json_object_get(node, "items") == NULL)
		return json_object_get(node, "type");
	return node;
}

static int is_null_schema(avro_schema_t schema)
{
	return avro_typeof(schema) == AVRO_NULL;
}

static enum ctr_code fill_value(avro_value_t *dst, const json_t *src, const json_t *schema_node,
				const char *path, char *msg, size_t size, int strict);
static enum ctr_code fill_record(avro_value_t *dst, const json_t *src, const json_t *node,
				 const char *path, char *msg, size_t size, int strict);
static enum ctr_code fill_union(avro_value_t *dst, const json_t *src, const json_t *node,
				const char *path, char *msg, size_t size, int strict);
static enum ctr_code fill_array(avro_value_t *dst, const json_t *src, const json_t *node,
				const char *path, char *msg, size_t size, int strict);

static enum ctr_code fill_enum(avro_value_t *dst, const json_t *src, const char *path, char *msg,
			       size_t size)
{
	avro_schema_t schema = avro_value_get_schema(dst);
	int symbol;

	if (!json_is_string(src))
		return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: expected a string", path);
	symbol = avro_schema_enum_get_by_name(schema, json_string_value(src));
	if (symbol < 0)
		return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: not one of the allowed values", path);
	avro_value_set_enum(dst, symbol);
	return CTR_CODE_OK;
}

enum ctr_code ctr_value_from_json(avro_value_t *dst, const json_t *src, const json_t *schema_node,
				  const char *path, char *msg, size_t size)
{
	return fill_value(dst, src, schema_node, path, msg, size, 1);
}

enum ctr_code ctr_value_convert_json(avro_value_t *dst, const json_t *src, const json_t *schema_node,
				     char *msg, size_t size)
{
	return fill_value(dst, src, schema_node, "", msg, size, 0);
}

static enum ctr_code fill_value(avro_value_t *dst, const json_t *src, const json_t *schema_node,
				const char *path, char *msg, size_t size, int strict)
{
	const json_t *node = type_node(schema_node);

	switch (avro_value_get_type(dst)) {
	case AVRO_STRING:
		if (!json_is_string(src))
			return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: expected a string", path);
		/* Avro C counts the terminating NUL in the length */
		avro_value_set_string_len(dst, json_string_value(src), json_string_length(src) + 1);
		return CTR_CODE_OK;
	case AVRO_INT64:
		if (!json_is_integer(src))
			return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: expected an integer", path);
		avro_value_set_long(dst, json_integer_value(src));
		return CTR_CODE_OK;
	case AVRO_INT32:
		if (!json_is_integer(src) || json_integer_value(src) != (int32_t)json_integer_value(src))
			return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: expected a 32-bit integer", path);
		avro_value_set_int(dst, (int32_t)json_integer_value(src));
		return CTR_CODE_OK;
	case AVRO_BOOLEAN:
		if (!json_is_boolean(src))
			return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: expected true or false", path);
		avro_value_set_boolean(dst, json_is_true(src));
		return CTR_CODE_OK;
	case AVRO_NULL:
		if (!json_is_null(src))
			return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: expected null", path);
		avro_value_set_null(dst);
		return CTR_CODE_OK;
	case AVRO_ENUM:
		return fill_enum(dst, src, path, msg, size);
	case AVRO_RECORD:
		return fill_record(dst, src, node, path, msg, size, strict);
	case AVRO_UNION:
		return fill_union(dst, src, node, path, msg, size, strict);
	case AVRO_ARRAY:
		return fill_array(dst, src, node, path, msg, size, strict);
	default:
		return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: unsupported schema type", path);
	}
}

static enum ctr_code fill_field(avro_value_t *dst, size_t i, const json_t *src, const json_t *node,
				const char *path, char *msg, size_t size, int strict)
{
	avro_schema_t schema = avro_value_get_schema(dst);
	const char *name = avro_schema_record_field_name(schema, (int)i);
	const json_t *field_node = json_array_get(json_object_get(node, "fields"), i);
	const json_t *value = json_object_get(src, name);
	char field_path[256];
	avro_value_t field;

	snprintf(field_path, sizeof(field_path), "%s%s%s", path, *path ? "." : "", name);
	avro_value_get_by_index(dst, i, &field, NULL);
	if (value == NULL)
		value = json_object_get(field_node, "default");
	if (value == NULL) {
		if (avro_value_get_type(&field) == AVRO_UNION &&
		    is_null_schema(avro_schema_union_branch(avro_value_get_schema(&field), 0))) {
			avro_value_t branch;
			return avro_value_set_branch(&field, 0, &branch) == 0 ? CTR_CODE_OK
			       : CTR_CODE_BAD_FORMAT;
		}
		return fail(CTR_CODE_MISSING_FIELD, msg, size, "%s: missing", field_path);
	}
	return fill_value(&field, value, field_type_node(node, i), field_path, msg, size, strict);
}

static enum ctr_code fill_record(avro_value_t *dst, const json_t *src, const json_t *node,
				 const char *path, char *msg, size_t size, int strict)
{
	avro_schema_t schema = avro_value_get_schema(dst);
	size_t count = 0;
	const char *key;
	const json_t *value;

	if (!json_is_object(src))
		return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: expected an object", *path ? path : "data");
	avro_value_get_size(dst, &count);
	for (size_t i = 0; i < count; i++) {
		enum ctr_code code = fill_field(dst, i, src, node, path, msg, size, strict);
		if (code != CTR_CODE_OK)
			return code;
	}
	/* a key the schema cannot hold would be lost on the way to the log */
	if (!strict)
		return CTR_CODE_OK;
	json_object_foreach((json_t *)src, key, value) {
		(void)value;
		if (avro_schema_record_field_get_index(schema, key) < 0) {
			char field_path[256];
			snprintf(field_path, sizeof(field_path), "%s%s%s", path, *path ? "." : "", key);
			return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: unknown field", field_path);
		}
	}
	return CTR_CODE_OK;
}

/* Our unions are [null, T]: null picks the null branch, anything else T. */
static enum ctr_code fill_union(avro_value_t *dst, const json_t *src, const json_t *node,
				const char *path, char *msg, size_t size, int strict)
{
	avro_schema_t schema = avro_value_get_schema(dst);
	size_t branches = avro_schema_union_size(schema);
	avro_value_t branch;

	for (size_t i = 0; i < branches; i++) {
		int null_branch = is_null_schema(avro_schema_union_branch(schema, (int)i));
		if (null_branch != json_is_null(src))
			continue;
		avro_value_set_branch(dst, (int)i, &branch);
		return fill_value(&branch, src, json_array_get(node, i), path, msg, size, strict);
	}
	return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: null is not allowed", path);
}

static enum ctr_code fill_array(avro_value_t *dst, const json_t *src, const json_t *node,
				const char *path, char *msg, size_t size, int strict)
{
	const json_t *items = json_object_get(node, "items");
	const json_t *item;
	size_t i;

	if (!json_is_array(src))
		return fail(CTR_CODE_BAD_FORMAT, msg, size, "%s: expected an array", path);
	json_array_foreach((json_t *)src, i, item) {
		char item_path[256];
		avro_value_t element;
		enum ctr_code code;

		snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i);
		avro_value_append(dst, &element, NULL);
		code = fill_value(&element, item, items, item_path, msg, size, strict);
		if (code != CTR_CODE_OK)
			return code;
	}
	return CTR_CODE_OK;
}

static json_t *record_to_json(avro_value_t *src)
{
	json_t *object = json_object();
	size_t count = 0;

	avro_value_get_size(src, &count);
	for (size_t i = 0; i < count; i++) {
		const char *name = NULL;
		avro_value_t field;
		json_t *value;

		avro_value_get_by_index(src, i, &field, &name);
		value = ctr_value_to_json(&field);
		if (value == NULL) {
			json_decref(object);
			return NULL;
		}
		if (json_is_null(value)) /* an absent optional field reads the same and is shorter */
			json_decref(value);
		else
			json_object_set_new(object, name, value);
	}
	return object;
}

static json_t *array_to_json(avro_value_t *src)
{
	json_t *array = json_array();
	size_t count = 0;

	avro_value_get_size(src, &count);
	for (size_t i = 0; i < count; i++) {
		avro_value_t element;
		avro_value_get_by_index(src, i, &element, NULL);
		json_array_append_new(array, ctr_value_to_json(&element));
	}
	return array;
}

json_t *ctr_value_to_json(avro_value_t *src)
{
	const char *text = NULL;
	size_t len = 0;
	int64_t l = 0;
	int32_t n = 0, b = 0, symbol = 0;
	avro_value_t branch;

	switch (avro_value_get_type(src)) {
	case AVRO_STRING:
		avro_value_get_string(src, &text, &len);
		return json_stringn(text, len ? len - 1 : 0);
	case AVRO_INT64:
		avro_value_get_long(src, &l);
		return json_integer(l);
	case AVRO_INT32:
		avro_value_get_int(src, &n);
		return json_integer(n);
	case AVRO_BOOLEAN:
		avro_value_get_boolean(src, &b);
		return json_boolean(b);
	case AVRO_NULL:
		return json_null();
	case AVRO_ENUM:
		avro_value_get_enum(src, &symbol);
		return json_string(avro_schema_enum_get(avro_value_get_schema(src), symbol));
	case AVRO_RECORD:
		return record_to_json(src);
	case AVRO_ARRAY:
		return array_to_json(src);
	case AVRO_UNION:
		avro_value_get_current_branch(src, &branch);
		return ctr_value_to_json(&branch);
	default:
		return NULL;
	}
}
