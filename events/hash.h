/*
 * hash.h - a fast 64-bit hash of bytes, for hash tables and event digests.
 * Not cryptographic; the projection hash uses SHA-256 (sha256.h).
 */
#ifndef CTR_HASH_H
#define CTR_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ctr_hash64(const void *data, size_t len, uint64_t seed);
/* out[i] = ctr_hash64(data, len, seeds[i]) for four seeds, in one pass over data. */
void ctr_hash64x4(const void *data, size_t len, const uint64_t seeds[4], uint64_t out[4]);

#endif
