/*
 * avro_file.c - reading Avro object container files (see avro_file.h): the
 * header, then one block at a time into a reused buffer, inflating deflate
 * blocks. Lengths read from the file are bounded before anything is allocated.
 */
#include "events/avro_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "events/avro_file_internal.h"

struct ctr_avro_reader {
	FILE *fp;
	char *path;
	struct avro_header header;
	uint64_t offset;      /* of the next byte fp will read */
	uint8_t *raw;         /* the block as stored */
	size_t raw_cap;
	uint8_t *inflated;
	size_t inflated_cap;
};

int avro_read_long(FILE *fp, int64_t *value, uint64_t *offset)
{
	uint64_t bits = 0;
	int shift = 0, c;

	for (int i = 0; i < 10; i++) {
		c = getc(fp);
		if (c == EOF)
			return i == 0 ? 1 : -1;
		(*offset)++;
		bits |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
		if (!(c & 0x80)) {
			*value = (int64_t)(bits >> 1) ^ -(int64_t)(bits & 1);
			return 0;
		}
	}
	return -1;
}

size_t avro_encode_long(int64_t value, uint8_t *out)
{
	uint64_t bits = ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
	size_t len = 0;

	while (bits & ~0x7fULL) {
		out[len++] = (uint8_t)((bits & 0x7f) | 0x80);
		bits >>= 7;
	}
	out[len++] = (uint8_t)bits;
	return len;
}

const char *avro_header_meta(const struct avro_header *h, const char *key)
{
	for (int i = 0; i < h->meta_count; i++)
		if (strcmp(h->meta[i].key, key) == 0)
			return h->meta[i].value;
	return NULL;
}

void avro_header_free(struct avro_header *h)
{
	for (int i = 0; i < h->meta_count; i++) {
		free(h->meta[i].key);
		free(h->meta[i].value);
	}
	free(h->meta);
	memset(h, 0, sizeof(*h));
}

/* A length-prefixed string or bytes value, NUL-terminated. */
static char *read_bytes(FILE *fp, uint64_t *offset, size_t *len)
{
	int64_t size;
	char *text;

	if (avro_read_long(fp, &size, offset) != 0 || size < 0 || size > AVRO_MAX_META_BYTES)
		return NULL;
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, fp) != (size_t)size) {
		free(text);
		return NULL;
	}
	*offset += (uint64_t)size;
	text[size] = '\0';
	*len = (size_t)size;
	return text;
}

static int read_meta(FILE *fp, struct avro_header *h, uint64_t *offset)
{
	int64_t count, block_size;

	for (;;) {
		if (avro_read_long(fp, &count, offset) != 0)
			return -1;
		if (count == 0)
			return 0;
		if (count < 0) { /* a negative count is followed by the block's byte size */
			count = -count;
			if (avro_read_long(fp, &block_size, offset) != 0)
				return -1;
		}
		if (count > AVRO_MAX_META - h->meta_count)
			return -1;
		h->meta = realloc(h->meta, (size_t)(h->meta_count + count) * sizeof(*h->meta));
		if (h->meta == NULL)
			return -1;
		for (int64_t i = 0; i < count; i++) {
			struct avro_meta *m = &h->meta[h->meta_count];
			size_t len;
			m->key = read_bytes(fp, offset, &len);
			m->value = m->key ? read_bytes(fp, offset, &m->value_len) : NULL;
			if (m->value == NULL) {
				free(m->key);
				return -1;
			}
			h->meta_count++;
		}
	}
}

int avro_header_read(FILE *fp, const char *path, struct avro_header *h, struct ctr_error *err)
{
	uint8_t magic[4];
	uint64_t offset = 4;
	const char *codec;

	memset(h, 0, sizeof(*h));
	if (fread(magic, 1, 4, fp) != 4 || memcmp(magic, "Obj\x01", 4) != 0)
		return ctr_error_set(err, CTR_ECORRUPT, "%s is not an Avro object container file", path);
	if (read_meta(fp, h, &offset) != 0 || fread(h->sync, 1, 16, fp) != 16)
		return ctr_error_set(err, CTR_ECORRUPT, "%s: damaged Avro file header", path);
	h->data_start = offset + 16;
	if (avro_header_meta(h, "avro.schema") == NULL)
		return ctr_error_set(err, CTR_ECORRUPT, "%s: the Avro header has no schema", path);
	codec = avro_header_meta(h, "avro.codec");
	if (codec && strcmp(codec, "deflate") == 0)
		h->deflate = 1;
	else if (codec && *codec && strcmp(codec, "null") != 0)
		return ctr_error_set(err, CTR_ECORRUPT, "%s: unsupported Avro codec %s", path, codec);
	return 0;
}

int ctr_avro_reader_open(const char *path, struct ctr_avro_reader **out, struct ctr_error *err)
{
	struct ctr_avro_reader *r = calloc(1, sizeof(*r));
	int rc;

	if (r == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	r->path = strdup(path);
	r->fp = fopen(path, "rb");
	if (r->fp == NULL) {
		rc = ctr_error_set(err, CTR_EIO, "cannot open %s: %s", path, strerror(errno));
		ctr_avro_reader_close(r);
		return rc;
	}
	setvbuf(r->fp, NULL, _IOFBF, 1 << 20);
	rc = avro_header_read(r->fp, path, &r->header, err);
	if (rc != 0) {
		ctr_avro_reader_close(r);
		return rc;
	}
	r->offset = r->header.data_start;
	*out = r;
	return 0;
}

void ctr_avro_reader_close(struct ctr_avro_reader *r)
{
	if (r == NULL)
		return;
	if (r->fp)
		fclose(r->fp);
	avro_header_free(&r->header);
	free(r->raw);
	free(r->inflated);
	free(r->path);
	free(r);
}

const char *ctr_avro_reader_schema(const struct ctr_avro_reader *r)
{
	return avro_header_meta(&r->header, "avro.schema");
}

const char *ctr_avro_reader_meta(const struct ctr_avro_reader *r, const char *key)
{
	return avro_header_meta(&r->header, key);
}

const uint8_t *ctr_avro_reader_sync(const struct ctr_avro_reader *r)
{
	return r->header.sync;
}

uint64_t ctr_avro_reader_data_start(const struct ctr_avro_reader *r)
{
	return r->header.data_start;
}

int ctr_avro_reader_seek(struct ctr_avro_reader *r, uint64_t block_offset, struct ctr_error *err)
{
	if (block_offset < r->header.data_start || fseeko(r->fp, (off_t)block_offset, SEEK_SET) != 0)
		return ctr_error_set(err, CTR_ECORRUPT, "%s: cannot seek to block offset %llu", r->path,
				     (unsigned long long)block_offset);
	r->offset = block_offset;
	return 0;
}

static int grow(uint8_t **buffer, size_t *cap, size_t need)
{
	uint8_t *bigger;

	if (need <= *cap)
		return 0;
	bigger = realloc(*buffer, need);
	if (bigger == NULL)
		return -1;
	*buffer = bigger;
	*cap = need;
	return 0;
}

static int inflate_block(struct ctr_avro_reader *r, size_t size, struct ctr_avro_block *blk)
{
	z_stream z = { 0 };
	int rc = Z_DATA_ERROR;

	if (grow(&r->inflated, &r->inflated_cap, size * 4 + 1024) != 0 || inflateInit2(&z, -15) != Z_OK)
		return -1;
	z.next_in = r->raw;
	z.avail_in = (uInt)size;
	for (;;) {
		z.next_out = r->inflated + z.total_out;
		z.avail_out = (uInt)(r->inflated_cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR))
			break;
		if (z.avail_out != 0) { /* the input ended before the stream did */
			rc = Z_DATA_ERROR;
			break;
		}
		if (r->inflated_cap * 2 > AVRO_MAX_INFLATED ||
		    grow(&r->inflated, &r->inflated_cap, r->inflated_cap * 2) != 0)
			break;
	}
	blk->data = r->inflated;
	blk->size = z.total_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int damaged(struct ctr_avro_reader *r, uint64_t at, const char *what, struct ctr_error *err)
{
	return ctr_error_set(err, CTR_ECORRUPT, "%s: %s at byte offset %llu", r->path, what,
			     (unsigned long long)at);
}

int ctr_avro_reader_next_block(struct ctr_avro_reader *r, struct ctr_avro_block *blk,
			       struct ctr_error *err)
{
	uint8_t sync[16];
	int64_t count, size;
	int rc;

	memset(blk, 0, sizeof(*blk));
	blk->offset = r->offset;
	rc = avro_read_long(r->fp, &count, &r->offset);
	if (rc == 1)
		return 0;
	if (rc != 0 || avro_read_long(r->fp, &size, &r->offset) != 0)
		return damaged(r, blk->offset, "truncated block header", err);
	if (count < 0 || size < 0 || size > AVRO_MAX_BLOCK || count > size * 8 + 1)
		return damaged(r, blk->offset, "impossible block size", err);
	if (grow(&r->raw, &r->raw_cap, (size_t)size + 1) != 0)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (fread(r->raw, 1, (size_t)size, r->fp) != (size_t)size ||
	    fread(sync, 1, 16, r->fp) != 16)
		return damaged(r, blk->offset, "truncated block (the log ends inside it)", err);
	r->offset += (uint64_t)size + 16;
	if (memcmp(sync, r->header.sync, 16) != 0)
		return damaged(r, blk->offset, "wrong sync marker after the block", err);
	blk->count = count;
	blk->next_offset = r->offset;
	if (!r->header.deflate) {
		blk->data = r->raw;
		blk->size = (size_t)size;
	} else if (inflate_block(r, (size_t)size, blk) != 0) {
		return damaged(r, blk->offset, "block does not inflate", err);
	}
	return 1;
}
