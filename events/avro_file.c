/*
 * avro_file.c - reading Avro object container files (see avro_file.h): the
 * header (avro_header.c), then one block at a time into reused buffers.
 * Every length read from the file is bounded before it is used.
 */
#include "events/avro_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "events/avro_file_internal.h"

#define READ_BUFFER (1u << 20) /* stdio buffer: one read(2) per several blocks */

struct ctr_avro_reader {
	FILE *fp;
	char *path;
	char *io_buffer;
	struct avro_header header;
	uint64_t offset;      /* of the next byte fp will read */
	uint8_t *raw;         /* the block as stored */
	size_t raw_cap;
	uint8_t *inflated;
	size_t inflated_cap;
	z_stream z;           /* reset for every deflate block */
	int z_ready;
	int torn;             /* the file ended inside the last block read */
};

static int reader_start(struct ctr_avro_reader *r, const char *path, struct ctr_error *err)
{
	int rc;

	r->path = strdup(path);
	r->io_buffer = malloc(READ_BUFFER);
	if (r->path == NULL || r->io_buffer == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory opening log %s", path);
	r->fp = fopen(path, "rb");
	if (r->fp == NULL)
		return ctr_error_set(err, CTR_EIO, "cannot open log %s: %s", path, strerror(errno));
	setvbuf(r->fp, r->io_buffer, _IOFBF, READ_BUFFER);
	rc = ctr_avro_header_read(r->fp, path, &r->header, err);
	if (rc != 0)
		return rc;
	if (r->header.deflate) {
		if (inflateInit2(&r->z, -15) != Z_OK)
			return ctr_error_set(err, CTR_ENOMEM, "out of memory opening log %s", path);
		r->z_ready = 1;
	}
	r->offset = r->header.data_start;
	return 0;
}

int ctr_avro_reader_open(const char *path, struct ctr_avro_reader **out, struct ctr_error *err)
{
	struct ctr_avro_reader *r = calloc(1, sizeof(*r));
	int rc;

	if (r == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory opening log %s", path);
	rc = reader_start(r, path, err);
	if (rc != 0) {
		ctr_avro_reader_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void ctr_avro_reader_close(struct ctr_avro_reader *r)
{
	if (r == NULL)
		return;
	if (r->fp)
		fclose(r->fp);
	if (r->z_ready)
		inflateEnd(&r->z);
	ctr_avro_header_free(&r->header);
	free(r->io_buffer);
	free(r->raw);
	free(r->inflated);
	free(r->path);
	free(r);
}

const char *ctr_avro_reader_schema(const struct ctr_avro_reader *r)
{
	return ctr_avro_header_meta(&r->header, "avro.schema");
}

const char *ctr_avro_reader_meta(const struct ctr_avro_reader *r, const char *key)
{
	return ctr_avro_header_meta(&r->header, key);
}

const uint8_t *ctr_avro_reader_sync(const struct ctr_avro_reader *r)
{
	return r->header.sync;
}

int ctr_avro_reader_torn(const struct ctr_avro_reader *r)
{
	return r->torn;
}

uint64_t ctr_avro_reader_size(const struct ctr_avro_reader *r)
{
	struct stat st;

	return fstat(fileno(r->fp), &st) == 0 ? (uint64_t)st.st_size : 0;
}

uint64_t ctr_avro_reader_data_start(const struct ctr_avro_reader *r)
{
	return r->header.data_start;
}

/* After a refused seek, reading goes on where it was; returns rc. */
static int stay(struct ctr_avro_reader *r, int rc)
{
	clearerr(r->fp);
	fseeko(r->fp, (off_t)r->offset, SEEK_SET);
	return rc;
}

/*
 * Every block starts right after a sync marker (the header's for the first),
 * so a block offset is checked by reading the 16 bytes before it: a
 * checkpoint into the middle of a block, or past the end of a log that has
 * since shrunk, is refused instead of misread.
 */
int ctr_avro_reader_seek(struct ctr_avro_reader *r, uint64_t block_offset, struct ctr_error *err)
{
	uint8_t sync[16];
	struct stat st;

	if (fstat(fileno(r->fp), &st) != 0)
		return ctr_error_set(err, CTR_EIO, "cannot stat log %s: %s", r->path, strerror(errno));
	if (block_offset < r->header.data_start || block_offset > (uint64_t)st.st_size)
		return ctr_error_set(err, CTR_ECORRUPT,
				     "log %s: cannot seek to byte offset %llu: outside the blocks"
				     " (%llu to %llu)", r->path, (unsigned long long)block_offset,
				     (unsigned long long)r->header.data_start,
				     (unsigned long long)st.st_size);
	if (fseeko(r->fp, (off_t)(block_offset - 16), SEEK_SET) != 0 ||
	    fread(sync, 1, 16, r->fp) != 16)
		return stay(r, ctr_error_set(err, CTR_EIO, "cannot read log %s at byte offset %llu",
					     r->path, (unsigned long long)(block_offset - 16)));
	if (memcmp(sync, r->header.sync, 16) != 0)
		return stay(r, ctr_error_set(err, CTR_ECORRUPT, "log %s: cannot seek to byte offset"
					     " %llu: not the start of a block", r->path,
					     (unsigned long long)block_offset));
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

static int damaged(struct ctr_avro_reader *r, uint64_t at, const char *what, struct ctr_error *err)
{
	return ctr_error_set(err, CTR_ECORRUPT, "log %s: %s at byte offset %llu", r->path, what,
			     (unsigned long long)at);
}

/* Inflates r->raw into r->inflated, growing it up to one byte over the 64 MiB limit. */
static int inflate_block(struct ctr_avro_reader *r, size_t size, struct ctr_avro_block *blk,
			 struct ctr_error *err)
{
	size_t cap = size * 4 + 1024;
	int rc;

	inflateReset(&r->z);
	r->z.next_in = r->raw;
	r->z.avail_in = (uInt)size;
	for (;;) {
		if (grow(&r->inflated, &r->inflated_cap, cap <= AVRO_MAX_BLOCK ? cap : AVRO_MAX_BLOCK + 1))
			return ctr_error_set(err, CTR_ENOMEM, "out of memory reading log %s", r->path);
		r->z.next_out = r->inflated + r->z.total_out;
		r->z.avail_out = (uInt)(r->inflated_cap - r->z.total_out);
		rc = inflate(&r->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if ((rc != Z_OK && rc != Z_BUF_ERROR) || r->z.avail_out != 0)
			return damaged(r, blk->offset, "deflate block does not inflate", err);
		if (r->inflated_cap > AVRO_MAX_BLOCK)
			break;
		cap = r->inflated_cap * 2;
	}
	if (r->z.total_out > AVRO_MAX_BLOCK || rc != Z_STREAM_END)
		return damaged(r, blk->offset, "deflate block inflates to over 64 MiB", err);
	blk->data = r->inflated;
	blk->size = r->z.total_out;
	return 0;
}

/*
 * Whether the bytes from `at` to the end of the file hold the sync marker: 1,
 * 0, or -1 when they cannot be read. An append cut short leaves one partial
 * block, which ends before its marker; a marker after `at` means whole blocks
 * follow, and the block there is damaged (a size that runs past the end of the
 * file) rather than cut.
 */
static int marker_follows(struct ctr_avro_reader *r, uint64_t at)
{
	uint8_t buffer[8192 + 15];
	size_t kept = 0, n;

	clearerr(r->fp);
	if (fseeko(r->fp, (off_t)at, SEEK_SET) != 0)
		return -1;
	for (;;) {
		n = fread(buffer + kept, 1, sizeof(buffer) - kept, r->fp);
		if (n == 0)
			break;
		size_t len = kept + n;

		for (size_t i = 0; i + 16 <= len; i++)
			if (buffer[i] == r->header.sync[0] && memcmp(buffer + i, r->header.sync, 16) == 0)
				return 1;
		kept = len < 15 ? len : 15; /* a marker may straddle two reads */
		memmove(buffer, buffer + len - kept, kept);
	}
	return ferror(r->fp) ? -1 : 0;
}

/* A read that came up short: the file ends inside the block, or the disk failed. */
static int short_read(struct ctr_avro_reader *r, uint64_t at, struct ctr_error *err)
{
	int follows;

	if (ferror(r->fp))
		return ctr_error_set(err, CTR_EIO, "cannot read log %s at byte offset %llu: %s",
				     r->path, (unsigned long long)at, strerror(errno));
	if (!feof(r->fp))
		return damaged(r, at, "malformed block header varint", err);
	follows = marker_follows(r, at);
	if (follows < 0)
		return ctr_error_set(err, CTR_EIO, "cannot read log %s after byte offset %llu: %s",
				     r->path, (unsigned long long)at, strerror(errno));
	if (follows)
		return damaged(r, at, "damaged block (its size runs past the end of the file, yet"
			       " whole blocks follow it: not an append cut short)", err);
	r->torn = 1;
	return damaged(r, at, "truncated block (the file ends inside it, as an append cut"
		       " short leaves it; the next ingest into the log moves it aside)", err);
}

/* Reads a block's count and size: 1 read, 0 clean end of file, negative error. */
static int read_block_header(struct ctr_avro_reader *r, int64_t *count, int64_t *size,
			     struct ctr_error *err)
{
	uint64_t at = r->offset;
	int rc = ctr_avro_read_long(r->fp, count, &r->offset);

	if (rc == 1 && !ferror(r->fp))
		return 0;
	if (rc != 0 || ctr_avro_read_long(r->fp, size, &r->offset) != 0)
		return short_read(r, at, err);
	if (*count < 0)
		return damaged(r, at, "negative block record count", err);
	if (*size < 0)
		return damaged(r, at, "negative block size", err);
	if (*size > AVRO_MAX_BLOCK)
		return damaged(r, at, "block size over 64 MiB", err);
	return 1;
}

int ctr_avro_reader_next_block(struct ctr_avro_reader *r, struct ctr_avro_block *blk,
			       struct ctr_error *err)
{
	uint8_t sync[16];
	int64_t count, size;
	int rc;

	memset(blk, 0, sizeof(*blk));
	blk->offset = r->offset;
	rc = read_block_header(r, &count, &size, err);
	if (rc <= 0)
		return rc;
	if (grow(&r->raw, &r->raw_cap, (size_t)size + 1) != 0)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory reading log %s", r->path);
	if (fread(r->raw, 1, (size_t)size, r->fp) != (size_t)size ||
	    fread(sync, 1, 16, r->fp) != 16)
		return short_read(r, blk->offset, err);
	r->offset += (uint64_t)size + 16;
	if (memcmp(sync, r->header.sync, 16) != 0)
		return damaged(r, blk->offset, "bad sync marker after the block", err);
	blk->count = count;
	blk->next_offset = r->offset;
	if (r->header.deflate) {
		rc = inflate_block(r, (size_t)size, blk, err);
		return rc == 0 ? 1 : rc;
	}
	blk->data = r->raw;
	blk->size = (size_t)size;
	return 1;
}
