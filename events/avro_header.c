/*
 * avro_header.c - the header of an Avro object container file (see
 * avro_file_internal.h): the magic, the metadata map and the sync marker,
 * every length bounded before it is used, and the zigzag varints the header
 * and the blocks are written in. Shared by the reader (avro_file.c) and the
 * writer (avro_file_create.c, avro_file_write.c).
 */
#include "events/avro_file_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/zigzag.h"

int ctr_avro_read_long(FILE *fp, int64_t *value, uint64_t *offset)
{
	uint64_t bits = 0;
	int c;

	for (int i = 0; i < 10; i++) {
		c = getc(fp);
		if (c == EOF)
			return i == 0 ? 1 : -1;
		(*offset)++;
		if (i == 9 && (c & 0x7e)) /* the tenth byte holds only bit 63 */
			return -1;
		bits |= (uint64_t)(c & 0x7f) << (7 * i);
		if (!(c & 0x80)) {
			*value = (int64_t)(bits >> 1) ^ -(int64_t)(bits & 1);
			return 0;
		}
	}
	return -1;
}

size_t ctr_avro_encode_long(int64_t value, uint8_t *out)
{
	uint64_t bits = ctr_zigzag_encode(value);
	size_t len = 0;

	while (bits & ~0x7fULL) {
		out[len++] = (uint8_t)((bits & 0x7f) | 0x80);
		bits >>= 7;
	}
	out[len++] = (uint8_t)bits;
	return len;
}

int ctr_avro_write_long(FILE *fp, int64_t value)
{
	uint8_t bytes[10];
	size_t len = ctr_avro_encode_long(value, bytes);

	return fwrite(bytes, 1, len, fp) == len ? 0 : -1;
}

const char *ctr_avro_header_meta(const struct avro_header *h, const char *key)
{
	for (int i = 0; i < h->meta_count; i++)
		if (strcmp(h->meta[i].key, key) == 0)
			return h->meta[i].value;
	return NULL;
}

void ctr_avro_header_free(struct avro_header *h)
{
	for (int i = 0; i < h->meta_count; i++) {
		free(h->meta[i].key);
		free(h->meta[i].value);
	}
	free(h->meta);
	memset(h, 0, sizeof(*h));
}

/* What reading the metadata map returns besides 0: the bytes are not one, or memory ran out. */
#define META_DAMAGED (-1)
#define META_NO_MEMORY (-2)

/*
 * A length-prefixed string into *out, NUL-terminated; *budget is what is left
 * of AVRO_MAX_META_BYTES for the whole header, so the header allocates at most
 * that much however its lengths are damaged.
 */
static int read_string(FILE *fp, uint64_t *offset, size_t *budget, size_t *len, char **out)
{
	int64_t size;
	char *text;

	*out = NULL;
	if (ctr_avro_read_long(fp, &size, offset) != 0 || size < 0 || (uint64_t)size > *budget)
		return META_DAMAGED;
	text = malloc((size_t)size + 1);
	if (text == NULL)
		return META_NO_MEMORY;
	if (fread(text, 1, (size_t)size, fp) != (size_t)size) {
		free(text);
		return META_DAMAGED;
	}
	*offset += (uint64_t)size;
	*budget -= (size_t)size;
	text[size] = '\0';
	*len = (size_t)size;
	*out = text;
	return 0;
}

static int read_meta_entries(FILE *fp, struct avro_header *h, int64_t count, uint64_t *offset,
			     size_t *budget)
{
	struct avro_meta *bigger;
	size_t key_len;
	int rc;

	bigger = realloc(h->meta, (size_t)(h->meta_count + count) * sizeof(*h->meta));
	if (bigger == NULL)
		return META_NO_MEMORY;
	h->meta = bigger;
	for (int64_t i = 0; i < count; i++) {
		struct avro_meta *m = &h->meta[h->meta_count];

		rc = read_string(fp, offset, budget, &key_len, &m->key);
		if (rc == 0)
			rc = read_string(fp, offset, budget, &m->value_len, &m->value);
		if (rc != 0) {
			free(m->key);
			return rc;
		}
		h->meta_count++;
	}
	return 0;
}

/* The metadata map: blocks of entries ended by a zero count (Avro map encoding). */
static int read_meta(FILE *fp, struct avro_header *h, uint64_t *offset)
{
	size_t budget = AVRO_MAX_META_BYTES;
	int64_t count, block_size;
	int rc;

	for (;;) {
		if (ctr_avro_read_long(fp, &count, offset) != 0)
			return META_DAMAGED;
		if (count == 0)
			return 0;
		if (count < -AVRO_MAX_META || count > AVRO_MAX_META)
			return META_DAMAGED;
		if (count < 0) { /* a negative count is followed by the block's byte size */
			count = -count;
			if (ctr_avro_read_long(fp, &block_size, offset) != 0)
				return META_DAMAGED;
		}
		if (count > AVRO_MAX_META - h->meta_count)
			return META_DAMAGED;
		rc = read_meta_entries(fp, h, count, offset, &budget);
		if (rc != 0)
			return rc;
	}
}

static int check_codec(struct avro_header *h, const char *path, struct ctr_error *err)
{
	const char *codec = ctr_avro_header_meta(h, "avro.codec");

	h->deflate = 0;
	if (codec == NULL || strcmp(codec, "null") == 0)
		return 0;
	if (strcmp(codec, "deflate") == 0) {
		h->deflate = 1;
		return 0;
	}
	return ctr_error_set(err, CTR_EINVAL,
			     "log %s: unsupported Avro codec \"%.64s\" (null and deflate are read)",
			     path, codec);
}

int ctr_avro_file_magic_at(int fd)
{
	uint8_t magic[4];

	return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	       memcmp(magic, "Obj\x01", 4) == 0;
}

/* Reads the header from the start of fp; on failure h still needs ctr_avro_header_free. */
int ctr_avro_header_read(FILE *fp, const char *path, struct avro_header *h, struct ctr_error *err)
{
	uint8_t magic[4];
	uint64_t offset = 4;
	int rc;

	memset(h, 0, sizeof(*h));
	if (fread(magic, 1, 4, fp) != 4 || memcmp(magic, "Obj\x01", 4) != 0)
		return ctr_error_set(err, CTR_ECORRUPT,
				     "log %s: not an Avro object container file (no magic at byte offset 0)",
				     path);
	rc = read_meta(fp, h, &offset);
	if (rc == META_NO_MEMORY)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (rc != 0)
		return ctr_error_set(err, CTR_ECORRUPT,
				     "log %s: damaged header metadata near byte offset %llu", path,
				     (unsigned long long)offset);
	if (fread(h->sync, 1, 16, fp) != 16)
		return ctr_error_set(err, CTR_ECORRUPT,
				     "log %s: header ends before its sync marker at byte offset %llu",
				     path, (unsigned long long)offset);
	h->data_start = offset + 16;
	if (ctr_avro_header_meta(h, "avro.schema") == NULL)
		return ctr_error_set(err, CTR_ECORRUPT, "log %s: header has no avro.schema", path);
	return check_codec(h, path, err);
}
