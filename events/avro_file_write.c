/*
 * avro_file_write.c - appending to Avro object container files (see
 * avro_file.h; a new one is made by avro_file_create.c). Records collect in
 * one block buffer; a block is written whole (count, size, data, sync) once it
 * holds about 64 KiB, so a crash while appending can only cut the file inside
 * its last block, which the reader reports and open_append moves aside. A
 * block whose write fails is cut off at once, and the writer stops there.
 */
#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <zlib.h>

#include "events/avro_file.h"
#include "events/avro_file_internal.h"
#include "events/avro_file_write_internal.h"
#include "events/file_replace.h"

#define BLOCK_TARGET (64u << 10)

void ctr_avro_writer_discard(struct ctr_avro_writer *w)
{
	if (w->fp)
		fclose(w->fp);
	ctr_avro_header_free(&w->header);
	free(w->block);
	free(w->compressed);
	free(w->path);
	free(w->torn_path);
	free(w);
}

/* A new file beside the log for its bytes from `end` on: PATH.torn-END, or .1, .2 ... */
static FILE *aside_file(struct ctr_avro_writer *w, uint64_t end)
{
	size_t size = strlen(w->path) + 48;
	FILE *fp = NULL;

	w->torn_path = malloc(size);
	for (int i = 0; w->torn_path != NULL && fp == NULL && i < 100; i++) {
		if (i == 0)
			snprintf(w->torn_path, size, "%s.torn-%llu", w->path, (unsigned long long)end);
		else
			snprintf(w->torn_path, size, "%s.torn-%llu.%d", w->path,
				 (unsigned long long)end, i);
		fp = fopen(w->torn_path, "wbx");
		if (fp == NULL && errno != EEXIST)
			break;
	}
	return fp;
}

/*
 * A copy that fails is removed, so that no file beside the log holds part of
 * the bytes under their name.
 */
int ctr_avro_writer_move_aside(struct ctr_avro_writer *w, uint64_t end, struct ctr_error *err)
{
	FILE *aside;
	char buffer[65536];
	size_t n;
	int failed, made, cause;

	aside = aside_file(w, end);
	made = aside != NULL;
	if (aside == NULL || fseeko(w->fp, (off_t)end, SEEK_SET) != 0)
		goto fail;
	for (;;) {
		n = fread(buffer, 1, sizeof(buffer), w->fp);
		if (n == 0)
			break;
		if (fwrite(buffer, 1, n, aside) != n)
			break;
		w->torn_bytes += n;
	}
	failed = ferror(w->fp) || ferror(aside) || fflush(aside) != 0 || fsync(fileno(aside)) != 0;
	if (fclose(aside) != 0 || failed || ctr_file_sync_directory(w->torn_path) != 0) {
		aside = NULL;
		goto fail;
	}
	return fseeko(w->fp, 0, SEEK_SET) == 0 ? 0 : ctr_error_set(err, CTR_EWRITE,
		"cannot append to %s: %s", w->path, strerror(errno));
fail:
	cause = errno; /* before the cleanup below changes it */
	if (aside != NULL)
		fclose(aside);
	if (made)
		unlink(w->torn_path);
	w->torn_bytes = 0;
	return ctr_error_set(err, CTR_EWRITE, "%s ends inside a block, and its bytes cannot be"
			     " moved to %s: %s", w->path, w->torn_path ? w->torn_path : "a file beside it",
			     strerror(cause));
}

const char *ctr_avro_writer_moved_aside(const struct ctr_avro_writer *w, uint64_t *bytes)
{
	*bytes = w->torn_bytes;
	return w->torn_bytes > 0 ? w->torn_path : NULL;
}

/*
 * Where the log's last whole block ends, in *end: 0 when every block is whole,
 * else the reader's error, *torn set when the log is cut short inside its last
 * block rather than damaged (avro_file.c).
 */
static int whole_blocks_end(const char *path, uint64_t *end, int *torn, struct ctr_error *err)
{
	struct ctr_avro_reader *r = NULL;
	struct ctr_avro_block blk;
	int rc = ctr_avro_reader_open(path, &r, err);

	*end = rc == 0 ? ctr_avro_reader_data_start(r) : 0;
	*torn = 0;
	if (rc == 0) {
		int more;
		for (;;) {
			more = ctr_avro_reader_next_block(r, &blk, err);
			if (more != 1)
				break;
			*end = blk.next_offset; /* every block must be whole before we add one */
		}
		rc = more;
		*torn = rc != 0 && ctr_avro_reader_torn(r);
	}
	ctr_avro_reader_close(r);
	return rc;
}

/* The header read into w, and the log cut back to end, where the next block goes. */
static int cut_to_end(struct ctr_avro_writer *w, uint64_t end, struct ctr_error *err)
{
	if (ctr_avro_header_read(w->fp, w->path, &w->header, err) != 0 ||
	    fseeko(w->fp, (off_t)end, SEEK_SET) != 0 || ftruncate(fileno(w->fp), (off_t)end) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot append to %s", w->path);
	return 0;
}

int ctr_avro_writer_open_append(const char *path, struct ctr_avro_writer **out,
				struct ctr_error *err)
{
	struct ctr_avro_writer *w = calloc(1, sizeof(*w));
	uint64_t end;
	int rc, torn;

	if (w == NULL || (w->path = strdup(path)) == NULL) {
		free(w);
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	}
	/*
	 * Held until the writer is closed: another ingest waits here, and then finds this
	 * one's blocks whole, instead of both writing at the same end (one losing its
	 * events); a replay of the log waits too (source_file.c).
	 */
	w->fp = fopen(path, "r+b");
	if (w->fp == NULL || flock(fileno(w->fp), LOCK_EX) != 0) {
		rc = ctr_error_set(err, CTR_EWRITE, "cannot append to %s: %s", path, strerror(errno));
		ctr_avro_writer_discard(w);
		return rc;
	}
	rc = whole_blocks_end(path, &end, &torn, err);
	if (torn)
		rc = ctr_avro_writer_move_aside(w, end, err);
	if (rc == 0)
		rc = cut_to_end(w, end, err);
	if (rc != 0) {
		ctr_avro_writer_discard(w);
		return rc;
	}
	*out = w;
	return 0;
}

const char *ctr_avro_writer_schema(const struct ctr_avro_writer *w)
{
	return ctr_avro_header_meta(&w->header, "avro.schema");
}

const char *ctr_avro_writer_meta(const struct ctr_avro_writer *w, const char *key)
{
	return ctr_avro_header_meta(&w->header, key);
}

static int deflate_block(struct ctr_avro_writer *w, const uint8_t **data, size_t *len)
{
	z_stream z = { 0 };
	size_t bound;
	int rc;

	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	bound = deflateBound(&z, (uLong)w->block_len);
	if (bound > w->compressed_cap) {
		uint8_t *bigger = realloc(w->compressed, bound);
		if (bigger == NULL) {
			deflateEnd(&z);
			return -1;
		}
		w->compressed = bigger;
		w->compressed_cap = bound;
	}
	z.next_in = w->block;
	z.avail_in = (uInt)w->block_len;
	z.next_out = w->compressed;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	*data = w->compressed;
	*len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/*
 * A block written in part (a full disk, a file size limit) is cut off again, so
 * that the log ends at its last whole block: one that a later write followed
 * would read as damage, not as a cut end. The bytes of it still buffered are
 * dropped first, or closing would write them after the cut. Nothing more is
 * written: flush and close report the failure again.
 */
static int write_failed(struct ctr_avro_writer *w, off_t start, struct ctr_error *err)
{
	int cause = errno;

	w->failed = 1;
	__fpurge(w->fp);
	if (ftruncate(fileno(w->fp), start) != 0 || fseeko(w->fp, start, SEEK_SET) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s, and the block written in"
				     " part cannot be cut off: %s", w->path, strerror(cause),
				     strerror(errno));
	clearerr(w->fp);
	return ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s", w->path, strerror(cause));
}

/* Each block is flushed whole, so that the file ends at a block's end between writes. */
static int write_block(struct ctr_avro_writer *w, struct ctr_error *err)
{
	const uint8_t *data = w->block;
	size_t len = w->block_len;
	off_t start;

	if (w->failed)
		return ctr_error_set(err, CTR_EWRITE, "cannot write %s: an earlier write failed",
				     w->path);
	if (w->block_count == 0)
		return 0;
	if (w->header.deflate && deflate_block(w, &data, &len) != 0)
		return ctr_error_set(err, CTR_EIO, "%s: deflate failed", w->path);
	start = ftello(w->fp);
	if (start < 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s", w->path, strerror(errno));
	if (ctr_avro_write_long(w->fp, w->block_count) != 0 ||
	    ctr_avro_write_long(w->fp, (int64_t)len) != 0 || fwrite(data, 1, len, w->fp) != len ||
	    fwrite(w->header.sync, 1, 16, w->fp) != 16 || fflush(w->fp) != 0)
		return write_failed(w, start, err);
	w->written += w->block_count;
	w->block_len = 0;
	w->block_count = 0;
	return 0;
}

int ctr_avro_writer_append(struct ctr_avro_writer *w, const void *record, size_t len,
			   struct ctr_error *err)
{
	if (w->block_len + len > w->block_cap) {
		size_t cap = (w->block_len + len) * 2;
		uint8_t *bigger = realloc(w->block, cap);
		if (bigger == NULL)
			return ctr_error_set(err, CTR_ENOMEM, "out of memory");
		w->block = bigger;
		w->block_cap = cap;
	}
	memcpy(w->block + w->block_len, record, len);
	w->block_len += len;
	w->block_count++;
	return w->block_len >= BLOCK_TARGET ? write_block(w, err) : 0;
}

int ctr_avro_writer_flush(struct ctr_avro_writer *w, struct ctr_error *err)
{
	return write_block(w, err);
}

int64_t ctr_avro_writer_written(const struct ctr_avro_writer *w)
{
	return w->written;
}

/* A new log's name lasts only once its directory is synced too, after its pages. */
static int sync_log(struct ctr_avro_writer *w, struct ctr_error *err)
{
	if (fsync(fileno(w->fp)) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot sync %s: %s", w->path, strerror(errno));
	if (w->created && ctr_file_sync_directory(w->path) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot sync the directory of %s: %s", w->path,
				     strerror(errno));
	w->created = 0;
	return 0;
}

int ctr_avro_writer_close(struct ctr_avro_writer *w, struct ctr_error *err)
{
	int rc;

	if (w == NULL)
		return 0;
	rc = ctr_avro_writer_flush(w, err);
	if (rc == 0)
		rc = sync_log(w, err);
	if (fclose(w->fp) != 0 && rc == 0)
		rc = ctr_error_set(err, CTR_EWRITE, "cannot close %s: %s", w->path, strerror(errno));
	w->fp = NULL;
	ctr_avro_writer_discard(w);
	return rc;
}