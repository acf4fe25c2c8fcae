/*
 * hash.c - ctr_hash64: eight bytes a step with a multiply-xorshift mix
 * (the finalizer of MurmurHash3/splitmix64), good enough for tables and
 * duplicate digests and several times faster than byte-wise FNV.
 */
#include "events/hash.h"

#include <string.h>

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#define GOLDEN 0x9e3779b97f4a7c15ULL

/* One lane's step over a mixed word; ctr_hash64x4's lanes share the mix. */
static uint64_t step(uint64_t h, uint64_t mixed)
{
	h = (h ^ mixed) * GOLDEN;
	return h ^ (h >> 29);
}

/* The last 0-7 bytes, mixed with their count. */
static uint64_t tail(const unsigned char *bytes, size_t left)
{
	uint64_t word = 0;

	memcpy(&word, bytes, left);
	return mix(word ^ left);
}

void ctr_hash64x4(const void *data, size_t len, const uint64_t seeds[4], uint64_t out[4])
{
	const unsigned char *bytes = data;
	uint64_t h[4], word, mixed;
	size_t left = len;

	for (int i = 0; i < 4; i++)
		h[i] = seeds[i] ^ (len * GOLDEN);
	while (left >= 8) {
		memcpy(&word, bytes, 8);
		mixed = mix(word);
		for (int i = 0; i < 4; i++)
			h[i] = step(h[i], mixed);
		bytes += 8;
		left -= 8;
	}
	mixed = tail(bytes, left);
	for (int i = 0; i < 4; i++)
		out[i] = mix((h[i] ^ mixed) * GOLDEN);
}

uint64_t ctr_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *bytes = data;
	uint64_t h = seed ^ (len * GOLDEN), word;
	size_t left = len;

	while (left >= 8) {
		memcpy(&word, bytes, 8);
		h = step(h, mix(word));
		bytes += 8;
		left -= 8;
	}
	return mix((h ^ tail(bytes, left)) * GOLDEN);
}
