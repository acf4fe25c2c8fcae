/*
 * sha256.h - SHA-256 (FIPS 180-4), for the projection hash (DOMAIN.md E4a).
 */
#ifndef CTR_SHA256_H
#define CTR_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct ctr_sha256 {
	uint32_t state[8];
	uint64_t length;      /* bytes hashed so far */
	uint8_t buffer[64];
	size_t buffered;
};

void ctr_sha256_init(struct ctr_sha256 *s);
void ctr_sha256_update(struct ctr_sha256 *s, const void *data, size_t len);
/* Finishes and writes the 32-byte digest. */
void ctr_sha256_final(struct ctr_sha256 *s, uint8_t digest[32]);
/* Finishes and writes the digest as 64 lowercase hex digits and a NUL. */
void ctr_sha256_hex(struct ctr_sha256 *s, char hex[65]);

#endif
