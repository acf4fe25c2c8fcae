/*
 * frame.h - the Confluent wire format of a Kafka message value: the magic
 * byte 0, the schema id (4 bytes, big endian) from our catalog, then one
 * Avro binary record.
 */
#ifndef CTR_FRAME_H
#define CTR_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "events/codes.h"

#define CTR_FRAME_HEADER 5

/* Writes the 5-byte header for schema_id into out. */
void ctr_frame_header(uint8_t out[CTR_FRAME_HEADER], int schema_id);

/*
 * Splits a message value into its schema id and record. Returns CTR_CODE_OK,
 * or CTR_CODE_BAD_FRAME (empty, shorter than the header, or a magic byte
 * other than 0) with message saying which.
 */
enum ctr_code ctr_frame_parse(const uint8_t *value, size_t len, int *schema_id,
			      const uint8_t **record, size_t *record_len, char *message,
			      size_t message_size);

#endif
