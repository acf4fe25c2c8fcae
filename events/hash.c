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

uint64_t ctr_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *bytes = data;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
	uint64_t word;

	while (len >= 8) {
		memcpy(&word, bytes, 8);
		h = (h ^ mix(word)) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
		bytes += 8;
		len -= 8;
	}
	word = 0;
	memcpy(&word, bytes, len);
	h = (h ^ mix(word ^ len)) * 0x9e3779b97f4a7c15ULL;
	return mix(h);
}
