/*
 * avro_check.h - checking one encoded Avro record against its schema before
 * Avro C decodes it. Avro C trusts the lengths it reads (a damaged string
 * length makes it allocate -4 bytes); this walk allocates nothing, bounds
 * every length by the bytes that are there, and tells where the record ends.
 */
#ifndef CTR_AVRO_CHECK_H
#define CTR_AVRO_CHECK_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

/* Values nested deeper are refused: ours nest 6 levels, and Avro C's reader recurses as deep. */
#define CTR_AVRO_CHECK_DEPTH 64
#define CTR_AVRO_TOO_DEEP (-2)

/*
 * Walks one value of schema at bytes[0..avail). Returns its encoded size, -1
 * when the bytes cannot be such a value (a bad varint, a length past the end,
 * a union or enum index out of range), or CTR_AVRO_TOO_DEEP when it nests
 * values more than CTR_AVRO_CHECK_DEPTH deep (a recursive writer's schema).
 * *not_utf8 (when not NULL) is set to whether a string or map key in it is not
 * text: UTF-8 without NUL (utf8.h).
 */
int64_t ctr_avro_check(avro_schema_t schema, const uint8_t *bytes, size_t avail, int *not_utf8);

#endif
