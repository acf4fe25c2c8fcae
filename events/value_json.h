/*
 * value_json.h - Avro values to and from JSON, driven by the Avro schema.
 *
 * The JSON side is the canonical text form of DOMAIN.md section 1: records are
 * objects, enums their symbol, optional fields null or absent, unions of null
 * and one type written as the plain value (not Avro's {"type": value} form).
 */
#ifndef CTR_VALUE_JSON_H
#define CTR_VALUE_JSON_H

#include <avro.h>
#include <jansson.h>

#include "events/codes.h"

/*
 * Fills dst, a fresh or reset value, from src. schema_node is the JSON of
 * dst's schema, used for field defaults and may be NULL. A missing field
 * without a default gives CTR_CODE_MISSING_FIELD, a value of the wrong type,
 * an unknown enum symbol or an unknown field gives CTR_CODE_BAD_FORMAT; msg
 * then names the field path, starting with path.
 */
enum ctr_code ctr_value_from_json(avro_value_t *dst, const json_t *src, const json_t *schema_node,
				  const char *path, char *msg, size_t msg_size);

/*
 * The same for a value read under an older schema and turned into JSON: the
 * fields the newer schema added take their defaults (Avro C does not apply
 * reader defaults), fields it dropped are ignored (Avro resolution rules).
 */
enum ctr_code ctr_value_convert_json(avro_value_t *dst, const json_t *src, const json_t *schema_node,
				     char *msg, size_t msg_size);

/* A new JSON tree of src; the caller json_decref()s it. NULL on an unsupported type. */
json_t *ctr_value_to_json(avro_value_t *src);

#endif
