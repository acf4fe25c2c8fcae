/*
 * avro_file_create.c - creating a new Avro object container file (see
 * avro_file.h): its header made in memory first, then the file opened and
 * locked, and the header written in one write, so that a creator killed on
 * the way leaves a prefix of it, which the next creator moves aside.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/avro_file.h"
#include "events/avro_file_internal.h"
#include "events/avro_file_write_internal.h"
#include "events/file_replace.h"

static int write_bytes(FILE *fp, const void *data, size_t len)
{
	if (ctr_avro_write_long(fp, (int64_t)len) != 0)
		return -1;
	return len == 0 || fwrite(data, 1, len, fp) == len ? 0 : -1;
}

static int write_header(struct ctr_avro_writer *w, const char *schema, const char *codec,
			const char *const *keys, const char *const *values, int n)
{
	if (fwrite("Obj\x01", 1, 4, w->fp) != 4 || ctr_avro_write_long(w->fp, 2 + n) != 0 ||
	    write_bytes(w->fp, "avro.schema", 11) != 0 ||
	    write_bytes(w->fp, schema, strlen(schema)) != 0 ||
	    write_bytes(w->fp, "avro.codec", 10) != 0 ||
	    write_bytes(w->fp, codec, strlen(codec)) != 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (write_bytes(w->fp, keys[i], strlen(keys[i])) != 0 ||
		    write_bytes(w->fp, values[i], strlen(values[i])) != 0)
			return -1;
	if (ctr_avro_write_long(w->fp, 0) != 0 || fwrite(w->header.sync, 1, 16, w->fp) != 16)
		return -1;
	return 0;
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
	if (ctr_avro_writer_move_aside(w, 0, err) != 0)
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
		      struct ctr_avro_writer **out, char **header, size_t *len,
		      struct ctr_error *err)
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
		rc = ctr_error_set(err, CTR_EWRITE, "cannot create %s: no random sync marker",
				   path);
	else if (header_bytes(w, schema_json, codec, meta_keys, meta_values, n_meta, header,
			      len) != 0)
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (rc != 0) {
		free(*header);
		*header = NULL;
		ctr_avro_writer_discard(w);
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
			: ctr_error_set(err, CTR_EWRITE, "cannot create %s: %s", path,
					strerror(errno));
		free(header);
		ctr_avro_writer_discard(w);
		return rc;
	}
	rc = still_to_create(w, header, header_len, err);
	if (rc == 0 && put_header(w->fp, header, header_len) != 0) {
		rc = ctr_error_set(err, CTR_EWRITE, "cannot create %s: %s", path, strerror(errno));
		unlink(path); /* still locked: one waiting for it finds it gone and starts afresh */
	}
	free(header);
	if (rc != 0) {
		ctr_avro_writer_discard(w);
		return rc;
	}
	w->created = 1;
	*out = w;
	return 0;
}
