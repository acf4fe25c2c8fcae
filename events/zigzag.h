/*
 * zigzag.h - reading Avro's zigzag varints (and array block counts) out of a
 * buffer, bounded by the bytes there: shared by the schema walk (avro_check.c) and the tape
 * (avro_tape.c), inline because both read one for nearly every value; and the
 * zigzag mapping itself, for the log's writer and the row digests' encoding.
 */
#ifndef CTR_ZIGZAG_H
#define CTR_ZIGZAG_H

#include <stddef.h>
#include <stdint.h>

/* value's zigzag form: 0, -1, 1, -2 ... as 0, 1, 2, 3 ... (the sign in the lowest bit). */
static inline uint64_t ctr_zigzag_encode(int64_t value)
{
	return ((uint64_t)value << 1) ^ (0 - ((uint64_t)value >> 63));
}

/*
 * A zigzag varint at p; returns the bytes it used, or 0 (and *value 0) when
 * damaged: over 10 bytes or cut off. *value is set on every path.
 */
static inline size_t ctr_zigzag_read(const uint8_t *p, size_t avail, int64_t *value)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < avail && i < 10; i++) {
		bits |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*value = (int64_t)(bits >> 1) ^ -(int64_t)(bits & 1);
			return i + 1;
		}
	}
	*value = 0;
	return 0;
}

/*
 * 1 when the varint of used bytes at p (as ctr_zigzag_read() read it) is the
 * shortest form of its value, as every Avro writer makes it: no last byte of 0
 * after others, and no bits past 64 in a tenth byte.
 */
static inline int ctr_zigzag_minimal(const uint8_t *p, size_t used)
{
	return used == 1 || (p[used - 1] != 0 && (used < 10 || p[9] <= 1));
}

/*
 * The item count of an array or map block at p: a count, or a negative count
 * followed by the block's size in bytes. Returns the bytes used, with *count
 * made positive, or 0 (and *count 0) when damaged.
 */
static inline size_t ctr_zigzag_block_count(const uint8_t *p, size_t avail, int64_t *count)
{
	size_t used = ctr_zigzag_read(p, avail, count), more;
	int64_t bytes;

	if (used == 0 || *count >= 0)
		return used;
	more = ctr_zigzag_read(p + used, avail - used, &bytes);
	if (more == 0 || bytes < 0 || *count == INT64_MIN) {
		*count = 0;
		return 0;
	}
	*count = -*count;
	return used + more;
}

#endif
