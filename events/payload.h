/*
 * payload.h - reading fields of an event's payload by name.
 *
 * Payloads arrive in the current catalog schema, and their fields are read by
 * the names the schemas give them, so the projections never depend on field
 * positions. An optional field ([null, T]) reads as absent when null.
 */
#ifndef CTR_PAYLOAD_H
#define CTR_PAYLOAD_H

#include <avro.h>
#include <stdint.h>

/* Fills *out with the named field (a union's current branch); 0 when absent or null. */
int ctr_payload_field(avro_value_t *record, const char *name, avro_value_t *out);

/* A string or enum field as text; NULL when absent or null. Borrowed from the value. */
const char *ctr_payload_text(avro_value_t *record, const char *name);
/* An integer field; fallback when absent or null. */
int64_t ctr_payload_long(avro_value_t *record, const char *name, int64_t fallback);
/* A boolean field; 0 when absent. */
int ctr_payload_bool(avro_value_t *record, const char *name);

/* Number of items of an array value, and the i-th one. */
size_t ctr_payload_count(avro_value_t *array);
void ctr_payload_item(avro_value_t *array, size_t i, avro_value_t *out);

#endif
