/*
 * sha256.c - a plain SHA-256 (see sha256.h), checked against the FIPS 180-2
 * test vectors in tests/engine/test_sha256.c.
 */
#include "engine/sha256.h"

#include <stdio.h>
#include <string.h>

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void compress(struct ctr_sha256 *s, const uint8_t block[64])
{
	uint32_t w[64], a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
		       (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->state[0], b = s->state[1], c = s->state[2], d = s->state[3];
	e = s->state[4], f = s->state[5], g = s->state[6], h = s->state[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
		uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	s->state[0] += a, s->state[1] += b, s->state[2] += c, s->state[3] += d;
	s->state[4] += e, s->state[5] += f, s->state[6] += g, s->state[7] += h;
}

void ctr_sha256_init(struct ctr_sha256 *s)
{
	static const uint32_t initial[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->state, initial, sizeof(initial));
	s->length = 0;
	s->buffered = 0;
}

void ctr_sha256_update(struct ctr_sha256 *s, const void *data, size_t len)
{
	const uint8_t *bytes = data;

	s->length += len;
	if (s->buffered > 0) {
		size_t take = 64 - s->buffered < len ? 64 - s->buffered : len;
		memcpy(s->buffer + s->buffered, bytes, take);
		s->buffered += take;
		bytes += take;
		len -= take;
		if (s->buffered < 64)
			return;
		compress(s, s->buffer);
		s->buffered = 0;
	}
	for (; len >= 64; bytes += 64, len -= 64)
		compress(s, bytes);
	memcpy(s->buffer, bytes, len);
	s->buffered = len;
}

void ctr_sha256_final(struct ctr_sha256 *s, uint8_t digest[32])
{
	uint64_t bits = s->length * 8;
	uint8_t pad[72] = { 0x80 };
	size_t pad_len = (s->buffered < 56 ? 56 : 120) - s->buffered;

	for (int i = 0; i < 8; i++)
		pad[pad_len + i] = (uint8_t)(bits >> (56 - 8 * i));
	ctr_sha256_update(s, pad, pad_len + 8);
	for (int i = 0; i < 8; i++) {
		digest[4 * i] = (uint8_t)(s->state[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(s->state[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(s->state[i] >> 8);
		digest[4 * i + 3] = (uint8_t)s->state[i];
	}
}

void ctr_sha256_hex(struct ctr_sha256 *s, char hex[65])
{
	uint8_t digest[32];

	ctr_sha256_final(s, digest);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}
