/*
 * avro_file_internal.h - varints and the file header (avro_header.c), shared
 * by the reader (avro_file.c) and the writer (avro_file_create.c,
 * avro_file_write.c). Not for use elsewhere.
 */
#ifndef CTR_AVRO_FILE_INTERNAL_H
#define CTR_AVRO_FILE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "events/error.h"

#define AVRO_MAX_BLOCK (64u << 20)    /* bytes of one block, compressed or not */
#define AVRO_MAX_META 1024            /* metadata entries */
#define AVRO_MAX_META_BYTES (16u << 20)

struct avro_meta {
	char *key;
	char *value; /* NUL-terminated copy */
	size_t value_len;
};

struct avro_header {
	struct avro_meta *meta;
	int meta_count;
	uint8_t sync[16];
	int deflate;        /* the codec: 0 null, 1 deflate */
	uint64_t data_start;
};

/* Reads a zigzag varint; 0 ok, 1 clean EOF before its first byte, -1 damaged. */
int ctr_avro_read_long(FILE *fp, int64_t *value, uint64_t *offset);
/* Encodes a zigzag varint into out (10 bytes at most); returns its length. */
size_t ctr_avro_encode_long(int64_t value, uint8_t *out);
/* Writes a zigzag varint to fp; 0 ok, -1 when the write fails. */
int ctr_avro_write_long(FILE *fp, int64_t value);

/*
 * Reads the header from the start of fp (path names it in messages) and
 * checks it: CTR_ECORRUPT for a bad magic, damaged metadata or no schema,
 * CTR_EINVAL for a codec other than null and deflate. On failure too, h
 * still needs ctr_avro_header_free().
 */
int ctr_avro_header_read(FILE *fp, const char *path, struct avro_header *h, struct ctr_error *err);
/* Frees what h holds and zeroes it. */
void ctr_avro_header_free(struct avro_header *h);
/* The metadata value of key (NUL-terminated, owned by h), or NULL when h has none. */
const char *ctr_avro_header_meta(const struct avro_header *h, const char *key);

#endif
