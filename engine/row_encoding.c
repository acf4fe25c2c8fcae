/*
 * row_encoding.c - the digest of one row (row_digest.h): its values encoded
 * without ambiguity and hashed in four lanes; and the arithmetic of the sums
 * of digests, modulo 2^256.
 */
#include "engine/row_digest.h"
#include "engine/row_digest_internal.h"

#include <stdlib.h>
#include <string.h>

#include "events/hash.h"
#include "events/zigzag.h"

static uint64_t load_be64(const uint8_t *bytes)
{
	uint64_t v;

	memcpy(&v, bytes, sizeof(v));
	return __builtin_bswap64(v);
}

static void store_be64(uint8_t *bytes, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(bytes, &v, sizeof(v));
}

/*
 * sum = sum + digest (sign 1) or sum - digest (sign -1), modulo 2^256, big endian,
 * as four 64-bit limbs (a rebuild adds a million digests; a byte at a time this was
 * a sixth of summing a table).
 */
void ctr_row_digest_add(uint8_t sum[32], const uint8_t digest[32], int sign)
{
	uint64_t carry = 0;

	for (int limb = 3; limb >= 0; limb--) {
		uint64_t a = load_be64(sum + 8 * limb), b = load_be64(digest + 8 * limb), r, out;
		int first, second;
		if (sign > 0) {
			first = __builtin_add_overflow(a, b, &r);
			second = __builtin_add_overflow(r, carry, &out);
		} else {
			first = __builtin_sub_overflow(a, b, &r);
			second = __builtin_sub_overflow(r, carry, &out);
		}
		carry = (uint64_t)(first | second);
		store_be64(sum + 8 * limb, out);
	}
}

/* A tag byte and a varint into bytes (11 at most); returns the length. */
static size_t tagged(uint8_t bytes[11], uint8_t tag, uint64_t value)
{
	size_t len = 1;

	bytes[0] = tag;
	while (value >= 0x80) {
		bytes[len++] = (uint8_t)(value | 0x80);
		value >>= 7;
	}
	bytes[len++] = (uint8_t)value;
	return len;
}

void ctr_row_digest_put_tagged(struct ctr_sha256 *s, uint8_t tag, uint64_t value)
{
	uint8_t bytes[11];

	ctr_sha256_update(s, bytes, tagged(bytes, tag, value));
}

/* A row's values encoded: per value a type tag and a varint (integers zigzag, text and
 * blobs their length, then their bytes). */
static void put(struct ctr_row_encoder *e, const void *data, size_t len)
{
	if (e->failed)
		return;
	if (e->len + len > e->cap) {
		size_t cap = (e->len + len) * 2;
		uint8_t *bigger = malloc(cap);
		if (bigger == NULL) {
			e->failed = 1;
			return;
		}
		memcpy(bigger, e->bytes, e->len);
		if (e->bytes != e->small)
			free(e->bytes);
		e->bytes = bigger;
		e->cap = cap;
	}
	memcpy(e->bytes + e->len, data, len);
	e->len += len;
}

static void put_varint(struct ctr_row_encoder *e, uint8_t tag, uint64_t value)
{
	uint8_t bytes[11];

	put(e, bytes, tagged(bytes, tag, value));
}

void ctr_row_encoder_start(struct ctr_row_encoder *e)
{
	e->bytes = e->small;
	e->len = 0;
	e->cap = sizeof(e->small);
	e->failed = 0;
}

void ctr_row_encoder_text(struct ctr_row_encoder *e, const char *text, size_t len)
{
	put_varint(e, 'T', (uint64_t)len);
	put(e, text, len);
}

void ctr_row_encoder_int(struct ctr_row_encoder *e, int64_t value)
{
	put_varint(e, 'I', ctr_zigzag_encode(value));
}

static void put_value(struct ctr_row_encoder *e, sqlite3_value *value)
{
	int type = sqlite3_value_type(value);

	if (type == SQLITE_NULL) {
		put(e, "N", 1);
	} else if (type == SQLITE_INTEGER) {
		ctr_row_encoder_int(e, sqlite3_value_int64(value));
	} else if (type == SQLITE_FLOAT) {
		double real = sqlite3_value_double(value);
		uint64_t bits;
		memcpy(&bits, &real, sizeof(bits));
		put_varint(e, 'R', bits);
	} else if (type == SQLITE_TEXT) {
		const char *text = (const char *)sqlite3_value_text(value);
		ctr_row_encoder_text(e, text, (size_t)sqlite3_value_bytes(value));
	} else {
		const void *data = sqlite3_value_blob(value);
		int len = sqlite3_value_bytes(value);
		put_varint(e, 'B', (uint64_t)len);
		put(e, data, (size_t)len);
	}
}

/*
 * The digest of a row: four 64-bit lanes of ctr_hash64 over its encoding, each
 * with its own seed. Not cryptographic — it tells rows apart, it does not resist
 * forgery — and several times cheaper than SHA-256 per row; the table sums and the
 * projection hash over them are SHA-256.
 */
int ctr_row_encoder_digest(struct ctr_row_encoder *e, uint8_t out[32])
{
	static const uint64_t seeds[4] = { 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL,
					   0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL };
	uint64_t lanes[4];
	int failed = e->failed;

	if (!failed) {
		ctr_hash64x4(e->bytes, e->len, seeds, lanes);
		for (int lane = 0; lane < 4; lane++)
			for (int b = 0; b < 8; b++)
				out[lane * 8 + b] = (uint8_t)(lanes[lane] >> (56 - 8 * b));
	}
	if (e->bytes != e->small)
		free(e->bytes);
	ctr_row_encoder_start(e);
	return failed ? -1 : 0;
}

/* Out of memory, a row gets the digest of no values: wrong, and the check of the kept sums says so. */
void ctr_row_digest_values(int argc, sqlite3_value **argv, uint8_t out[32])
{
	struct ctr_row_encoder e;

	ctr_row_encoder_start(&e);
	for (int i = 0; i < argc; i++)
		put_value(&e, argv[i]);
	if (ctr_row_encoder_digest(&e, out) != 0)
		(void)ctr_row_encoder_digest(&e, out);
}
