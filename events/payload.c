/*
 * payload.c - named field access on Avro payload values (see payload.h).
 */
#include "events/payload.h"

int ctr_payload_field(avro_value_t *record, const char *name, avro_value_t *out)
{
	avro_value_t branch;

	if (avro_value_get_by_name(record, name, out, NULL) != 0)
		return 0;
	if (avro_value_get_type(out) == AVRO_UNION) {
		if (avro_value_get_current_branch(out, &branch) != 0)
			return 0;
		*out = branch;
	}
	return avro_value_get_type(out) != AVRO_NULL;
}

const char *ctr_payload_text(avro_value_t *record, const char *name)
{
	avro_value_t field;
	const char *text = NULL;
	size_t len;
	int symbol;

	if (!ctr_payload_field(record, name, &field))
		return NULL;
	if (avro_value_get_type(&field) == AVRO_ENUM) {
		if (avro_value_get_enum(&field, &symbol) != 0)
			return NULL;
		return avro_schema_enum_get(avro_value_get_schema(&field), symbol);
	}
	if (avro_value_get_string(&field, &text, &len) != 0)
		return NULL;
	return text;
}

int64_t ctr_payload_long(avro_value_t *record, const char *name, int64_t fallback)
{
	avro_value_t field;
	int64_t number;

	if (!ctr_payload_field(record, name, &field) || avro_value_get_long(&field, &number) != 0)
		return fallback;
	return number;
}

int ctr_payload_bool(avro_value_t *record, const char *name)
{
	avro_value_t field;
	int flag = 0;

	if (ctr_payload_field(record, name, &field))
		avro_value_get_boolean(&field, &flag);
	return flag;
}

size_t ctr_payload_count(avro_value_t *array)
{
	size_t count = 0;

	avro_value_get_size(array, &count);
	return count;
}

void ctr_payload_item(avro_value_t *array, size_t i, avro_value_t *out)
{
	avro_value_get_by_index(array, i, out, NULL);
}
