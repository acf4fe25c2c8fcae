/*
 * avro_file_write.c - writing and appending to Avro object container files
 * (see avro_file.h). Records collect in one block buffer; a block is written
 * whole (count, size, data, sync) once it holds about 64 KiB, so a crash
 * while appending can only cut the file inside its last block, which the
 * reader reports and open_append moves aside. A block whose write fails is
 * cut off at once, and the writer stops there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "events/avro_file.h"
#include "events/avro_file_internal.h"
#include "events/file_replace.h"

#define BLOCK_TARGET (64u << 10)

struct ctr_avro_writer {
	FILE *fp;
	char *path;
	struct avro_header header;
	uint8_t *block;
	size_t block_len, block_cap;
	int64_t block_count;
	uint8_t *compressed;
	size_t compressed_cap;
	char *torn_path;       /* where a cut-short last block was moved, or NULL */
	uint64_t torn_bytes;
	int64_t written;       /* records in the blocks this writer wrote whole */
	int failed;            /* a block write failed: nothing more is written */
	int created;           /* the file is new: its directory is synced after it at close */
};

static int write_long(FILE *fp, int64_t value)
{
	uint8_t bytes[10];
	size_t len = ctr_avro_encode_long(value, bytes);

	return fwrite(bytes, 1, len, fp) == len ? 0 : -1;
}

static int write_bytes(FILE *fp, const void *data, size_t len)
{
	if (write_long(fp, (int64_t)len) != 0)
		return -1;
	return len == 0 || fwrite(data, 1, len, fp) == len ? 0 : -1;
}

static int write_header(struct ctr_avro_writer *w, const char *schema, const char *codec,
			const char *const *keys, const char *const *values, int n)
{
	if (fwrite("Obj\x01", 1, 4, w->fp) != 4 || write_long(w->fp, 2 + n) != 0 ||
	    write_bytes(w->fp, "avro.schema", 11) != 0 ||
	    write_bytes(w->fp, schema, strlen(schema)) != 0 ||
	    write_bytes(w->fp, "avro.codec", 10) != 0 ||
	    write_bytes(w->fp, codec, strlen(codec)) != 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (write_bytes(w->fp, keys[i], strlen(keys[i])) != 0 ||
		    write_bytes(w->fp, values[i], strlen(values[i])) != 0)
			return -1;
	if (write_long(w->fp, 0) != 0 || fwrite(w->header.sync, 1, 16, w->fp) != 16)
		return -1;
	return 0;
}

static void writer_free(struct ctr_avro_writer *w)
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

static int random_sync(uint8_t sync[16])
{
	return getrandom(sync, 16, 0) == 16 ? 0 : -1;
}

/* The path and the header's metadata (the schema first) copied into w; -1 when out of memory. */
static int copy_meta(struct ctr_avro_writer *w, const char *path, const char *schema_json,
		     const char *const *meta_keys, const char *const *meta_values, int n_meta)
{
	w->path = strdup(path);
	w->header.meta = calloc(2 + (size_t)n_meta, sizeof(*w->header.meta));
	if (w->path == NULL || w->header.meta == NULL)
		return -1;
	w->header.meta_count = 1 + n_meta;
	w->header.meta[0].key = strdup("avro.schema");
	w->header.meta[0].value = strdup(schema_json);
	for (int i = 0; i < n_meta; i++) {
		w->header.meta[1 + i].key = strdup(meta_keys[i]);
		w->header.meta[1 + i].value = strdup(meta_values[i]);
	}
	for (int i = 0; i < w->header.meta_count; i++)
		if (w->header.meta[i].key == NULL || w->header.meta[i].value == NULL)
			return -1;
	return 0;
}

static int move_aside(struct ctr_avro_writer *w, uint64_t end, struct ctr_error *err);

/*
 * path opened and locked as the file path names once the lock is held (one a
 * creator that failed unlinked meanwhile is left for the one there now), or
 * NULL with errno set; *not_regular when path is a pipe, a directory, a device.
 */
static FILE *open_locked(const char *path, int *not_regular)
{
	*not_regular = 0;
	for (int tries = 0; tries < 16; tries++) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		struct stat held;
		int named;
		FILE *fp;

		if (fd < 0) {
			*not_regular = errno == EISDIR;
			return NULL;
		}
		named = flock(fd, LOCK_EX) == 0 ? ctr_file_named(fd, path, &held) : -1;
		if (named != 1)
			close(fd);
		if (named < 0)
			return NULL;
		if (!named)
			continue;
		*not_regular = !S_ISREG(held.st_mode);
		fp = *not_regular ? NULL : fdopen(fd, "r+b");
		if (fp == NULL)
			close(fd);
		return fp;
	}
	errno = EAGAIN;
	return NULL;
}

/* The header write_header() writes, in memory: *bytes malloc'd, *len long (its sync last). */
static int header_bytes(struct ctr_avro_writer *w, const char *schema, const char *codec,
			const char *const *keys, const char *const *values, int n, char **bytes,
			size_t *len)
{
	FILE *file = w->fp, *memory = open_memstream(bytes, len);
	int rc;

	if (memory == NULL)
		return -1;
	w->fp = memory;
	rc = write_header(w, schema, codec, keys, values, n);
	w->fp = file;
	return fclose(memory) == 0 ? rc : -1;
}

/*
 * 1 when the locked file's size bytes are the start of header (but for its
 * random sync marker): what a creator killed as it wrote this same header
 * leaves. Anything else, a small log with a damaged header too, is not.
 */
static int header_cut_short(FILE *fp, off_t size, const char *header, size_t len)
{
	size_t compared = len - 16 < (size_t)size ? len - 16 : (size_t)size;
	char *bytes;
	int same;

	if ((size_t)size >= len || (bytes = malloc(compared ? compared : 1)) == NULL)
		return 0;
	same = fseeko(fp, 0, SEEK_SET) == 0 && fread(bytes, 1, compared, fp) == compared &&
	       memcmp(bytes, header, compared) == 0;
	free(bytes);
	return same;
}

/*
 * 0 when the locked file holds no log yet: empty, or the header to be written
 * cut short (its bytes then moved aside and cut); CTR_EEXIST for anything
 * else, a log or not (the appender judges it).
 */
static int still_to_create(struct ctr_avro_writer *w, const char *header, size_t len,
			   struct ctr_error *err)
{
	struct stat st;

	if (fstat(fileno(w->fp), &st) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot create %s: %s", w->path,
				     strerror(errno));
	if (st.st_size == 0)
		return 0;
	if (!header_cut_short(w->fp, st.st_size, header, len))
		return ctr_error_set(err, CTR_EEXIST, "cannot create %s: it exists", w->path);
	if (move_aside(w, 0, err) != 0)
		return err->code;
	if (ftruncate(fileno(w->fp), 0) != 0 || fseeko(w->fp, 0, SEEK_SET) != 0)
		return ctr_error_set(err, CTR_EWRITE, "cannot create %s: %s", w->path,
				     strerror(errno));
	return 0;
}

/* The whole header in one write, so that a kill leaves all of it or a prefix of it. */
static int put_header(FILE *fp, const char *header, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fileno(fp), header + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return fseeko(fp, (off_t)len, SEEK_SET);
}

/*
 * A writer for path in *out and its header in memory (*header malloc'd, *len
 * long, its random sync marker last), made before the file is touched, which
 * a failure would leave.
 */
static int new_writer(const char *path, const char *schema_json, const char *codec,
		      const char *const *meta_keys, const char *const *meta_values, int n_meta,
		      struct ctr_avro_writer **out, char **header, size_t *len, struct ctr_error *err)
{
	struct ctr_avro_writer *w = calloc(1, sizeof(*w));
	int rc = 0;

	*header = NULL;
	if (w == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	w->header.deflate = strcmp(codec, "deflate") == 0;
	if (!w->header.deflate && strcmp(codec, "null") != 0)
		rc = ctr_error_set(err, CTR_EINVAL, "unsupported Avro codec %s", codec);
	else if (copy_meta(w, path, schema_json, meta_keys, meta_values, n_meta) != 0)
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	else if (random_sync(w->header.sync) != 0)
		rc = ctr_error_set(err, CTR_EWRITE, "cannot create %s: no random sync marker", path);
	else if (header_bytes(w, schema_json, codec, meta_keys, meta_values, n_meta, header,
			      len) != 0)
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (rc != 0) {
		free(*header);
		*header = NULL;
		writer_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int ctr_avro_writer_create(const char *path, const char *schema_json, const char *codec,
			   const char *const *meta_keys, const char *const *meta_values, int n_meta,
			   struct ctr_avro_writer **out, struct ctr_error *err)
{
	struct ctr_avro_writer *w = NULL;
	char *header;
	size_t header_len = 0;
	int not_regular, rc = new_writer(path, schema_json, codec, meta_keys, meta_values, n_meta,
					 &w, &header, &header_len, err);

	if (rc != 0)
		return rc;
	/* locked before anything is written: appends and replays that open it meanwhile wait */
	w->fp = open_locked(path, &not_regular);
	if (w->fp == NULL) {
		rc = not_regular ? ctr_error_set(err, CTR_EINVAL, "%s is not a regular file", path)
			: ctr_error_set(err, CTR_EWRITE, "cannot create %s: %s", path, strerror(errno));
		free(header);
		writer_free(w);
		return rc;
	}
	rc = still_to_create(w, header, header_len, err);
	if (rc == 0 && put_header(w->fp, header, header_len) != 0) {
		rc = ctr_error_set(err, CTR_EWRITE, "cannot create %s: %s", path, strerror(errno));
		unlink(path); /* still locked: one waiting for it finds it gone and starts afresh */
	}
	free(header);
	if (rc != 0) {
		writer_free(w);
		return rc;
	}
	w->created = 1;
	*out = w;
	return 0;
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
 * Copies the log's bytes from end on into a file of their own and syncs it,
 * before the caller cuts them from the log: an append cut short loses
 * nothing, though its block cannot be read. A copy that fails is removed, so
 * that no file beside the log holds part of the bytes under their name.
 */
static int move_aside(struct ctr_avro_writer *w, uint64_t end, struct ctr_error *err)
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

int ctr_avro_writer_open_append(const char *path, struct ctr_avro_writer **out,
				struct ctr_error *err)
{
	struct ctr_avro_writer *w = calloc(1, sizeof(*w));
	struct ctr_avro_reader *r = NULL;
	struct ctr_avro_block blk;
	uint64_t end;
	int rc, torn = 0;

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
		writer_free(w);
		return rc;
	}
	rc = ctr_avro_reader_open(path, &r, err);
	end = rc == 0 ? ctr_avro_reader_data_start(r) : 0;
	if (rc == 0) {
		int more;
		for (;;) {
			more = ctr_avro_reader_next_block(r, &blk, err);
			if (more != 1)
				break;
			end = blk.next_offset; /* every block must be whole before we add one */
		}
		rc = more;
		torn = rc != 0 && ctr_avro_reader_torn(r); /* cut short, not damaged (avro_file.c) */
	}
	ctr_avro_reader_close(r);
	if (torn)
		rc = move_aside(w, end, err);
	if (rc == 0) {
		if (ctr_avro_header_read(w->fp, path, &w->header, err) != 0 ||
		    fseeko(w->fp, (off_t)end, SEEK_SET) != 0 || ftruncate(fileno(w->fp), (off_t)end) != 0)
			rc = ctr_error_set(err, CTR_EWRITE, "cannot append to %s", path);
	}
	if (rc != 0) {
		writer_free(w);
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
	if (write_long(w->fp, w->block_count) != 0 ||
	    write_long(w->fp, (int64_t)len) != 0 || fwrite(data, 1, len, w->fp) != len ||
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
	writer_free(w);
	return rc;
}
