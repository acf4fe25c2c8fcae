/*
 * hash.h - a fast 64-bit hash of bytes, for hash tables and event digests.
 * Not cryptographic; the projection hash uses SHA-256 (sha256.h).
 */
#ifndef CTR_HASH_H
#define CTR_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ctr_hash64(const void *data, size_t len, uint64_t seed);

#endif
