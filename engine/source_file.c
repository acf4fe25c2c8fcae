/*
 * source_file.c - the `file:PATH` source: a local Avro object container log.
 * Blocks come from avro_file.c; records are decoded straight out of each
 * block. A checkpoint names the block holding the next record and how many
 * of its records were read, so a resumed run seeks instead of re-reading.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/source.h"
#include "events/avro_file.h"
#include "events/decode.h"
#include "events/file_replace.h"

struct file_source {
	struct ctr_source base;
	int lock_fd;          /* holds a shared lock on the log while it is read */
	struct ctr_checkpoint position; /* what tell() returns */
	struct ctr_avro_reader *reader;
	struct ctr_decoder *decoder;
	struct ctr_avro_block block;
	int in_block;
	int64_t consumed;     /* records of the current block read so far */
	int block_lies;       /* the current block holds other than the count its header says */
	int64_t block_first;  /* ordinal of the current block's first record */
	int64_t records_read;
	int64_t skip;         /* records to pass over after a seek */
	uint64_t resume_at;   /* byte offset of the next block when not in one */
	char fingerprint[40];
	const uint8_t *last_raw; /* the record last returned */
	size_t last_raw_len;
	uint64_t file_size;
	uint64_t span_start;  /* offset of the first block this run read */
	int64_t span_records; /* records in the blocks this run read */
};

static int open_block(struct file_source *s, struct ctr_error *err)
{
	int rc = ctr_avro_reader_next_block(s->reader, &s->block, err);

	if (rc <= 0)
		return rc;
	ctr_decoder_block(s->decoder, s->block.data, s->block.size);
	if (s->span_records == 0)
		s->span_start = s->block.offset;
	if (s->block.count <= INT64_MAX - s->span_records) /* a damaged count must not overflow */
		s->span_records += s->block.count;
	s->in_block = 1;
	s->consumed = 0;
	s->block_first = s->records_read;
	return 1;
}

/* Bytes past the records a block's header counts are none of its records (Avro). */
static int more_than_counted(struct file_source *s, struct ctr_error *err)
{
	s->block_lies = 1;
	return ctr_error_set(err, CTR_ECORRUPT, "%s: block at offset %llu holds more records"
			     " than its header's count, %lld", s->base.name,
			     (unsigned long long)s->block.offset, (long long)s->block.count);
}

/*
 * A block that ended before its header's count: the run stops here, and the
 * checkpoint stays at the block, so every later run finds the damage again, as
 * a rebuild does (file_tell).
 */
static int fewer_than_counted(struct file_source *s, struct ctr_error *err)
{
	s->block_lies = 1;
	return ctr_error_set(err, CTR_ECORRUPT, "%s: block at offset %llu holds %lld records,"
			     " its header says %lld", s->base.name,
			     (unsigned long long)s->block.offset, (long long)s->consumed,
			     (long long)s->block.count);
}

/* A damaged log stops the run; what came before is committed. */
static int damaged_record(struct file_source *s, const struct ctr_event *ev,
			  struct ctr_error *err)
{
	return ctr_error_set(err, CTR_ECORRUPT, "%s: record %lld of the block at offset %llu"
			     " is damaged: %s", s->base.name, (long long)s->consumed + 1,
			     (unsigned long long)s->block.offset, ev->message);
}

static int file_next(struct ctr_source *src, struct ctr_event *ev, struct ctr_error *err)
{
	struct file_source *s = (struct file_source *)src;
	int rc;

	for (;;) {
		if (!s->in_block) {
			rc = open_block(s, err);
			if (rc <= 0)
				return rc;
		}
		if (s->consumed == s->block.count && ctr_decoder_block_left(s->decoder))
			return more_than_counted(s, err);
		rc = ctr_decode_avro_next(s->decoder, ev);
		if (rc == 0 && s->consumed != s->block.count)
			return fewer_than_counted(s, err);
		if (rc == 0) {
			s->in_block = 0;
			s->resume_at = s->block.next_offset;
			continue;
		}
		if (rc < 0)
			return damaged_record(s, ev, err);
		s->consumed++;
		s->records_read++;
		if (s->skip > 0) {
			s->skip--;
			continue;
		}
		s->last_raw = ev->raw;
		s->last_raw_len = ev->raw_len;
		return 1;
	}
}

static void file_describe(struct ctr_source *src, char *buf, size_t size)
{
	struct file_source *s = (struct file_source *)src;

	snprintf(buf, size, "%s#%lld", src->name, (long long)s->records_read);
}

static char *file_to_json(struct ctr_source *src, const struct ctr_event *ev)
{
	(void)ev;
	return ctr_decoder_to_json(((struct file_source *)src)->decoder);
}

/* A log's records go out as they are, under the log's own schema id. */
static int file_encode(struct ctr_source *src, int *schema_id, const void **bytes, size_t *len,
		       struct ctr_error *err)
{
	struct file_source *s = (struct file_source *)src;

	*schema_id = ctr_decoder_schema_id(s->decoder);
	if (*schema_id == 0)
		return ctr_error_set(err, CTR_ESCHEMA, "%s: its schema is not one of the catalog's versions",
				     src->name);
	*bytes = s->last_raw;
	*len = s->last_raw_len;
	return 0;
}

static size_t file_tell(struct ctr_source *src, const struct ctr_checkpoint **cps)
{
	struct file_source *s = (struct file_source *)src;
	struct ctr_checkpoint *cp = &s->position;

	memset(cp, 0, sizeof(*cp));
	snprintf(cp->source, sizeof(cp->source), "%s", src->name);
	cp->next_offset = s->records_read;
	if (s->in_block && (s->block_lies || s->records_read < s->block_first + s->block.count)) {
		cp->byte_offset = (int64_t)s->block.offset;
		cp->block_first = s->block_first;
	} else {
		cp->byte_offset = (int64_t)(s->in_block ? s->block.next_offset : s->resume_at);
		cp->block_first = s->records_read;
	}
	snprintf(cp->fingerprint, sizeof(cp->fingerprint), "%s", s->fingerprint);
	*cps = cp;
	return 1;
}

/* 1: cp is this log's checkpoint; 0: another source's; CTR_ESTATE: another log's under this name. */
static int file_same_log(struct file_source *s, const struct ctr_checkpoint *cp,
			 struct ctr_error *err)
{
	if (strcmp(cp->source, s->base.name) != 0 || cp->partition != 0)
		return 0; /* another source's */
	if (strcmp(cp->fingerprint, s->fingerprint) != 0)
		return ctr_error_set(err, CTR_ESTATE,
				     "%s is not the log this database was replayed from;"
				     " replay it with --rebuild", s->base.name);
	return 1;
}

static int file_check(struct ctr_source *src, const struct ctr_checkpoint *cp,
		      struct ctr_error *err)
{
	int same = file_same_log((struct file_source *)src, cp, err);

	return same < 0 ? same : 0;
}

static int file_seek(struct ctr_source *src, const struct ctr_checkpoint *cp,
		     struct ctr_error *err)
{
	struct file_source *s = (struct file_source *)src;
	int rc = file_same_log(s, cp, err);

	if (rc <= 0)
		return rc;
	rc = ctr_avro_reader_seek(s->reader, (uint64_t)cp->byte_offset, err);
	if (rc != 0)
		return rc;
	s->in_block = 0;
	s->records_read = cp->block_first;
	s->skip = cp->next_offset - cp->block_first;
	s->resume_at = (uint64_t)cp->byte_offset;
	return 0;
}

/* The rest of this block, and the rest of the file at the records per byte read so far. */
static int64_t file_expected(struct ctr_source *src)
{
	struct file_source *s = (struct file_source *)src;
	uint64_t read = s->block.next_offset - s->span_start;
	int64_t in_block;
	double left;

	if (s->span_records <= 0 || read == 0 || s->block.next_offset > s->file_size)
		return -1;
	left = (double)(s->file_size - s->block.next_offset) * (double)s->span_records / (double)read;
	/* a damaged block count could say anything: no more records than bytes left */
	if (left > (double)(s->file_size - s->block.next_offset))
		left = (double)(s->file_size - s->block.next_offset);
	in_block = s->in_block ? s->block.count - s->consumed : 0;
	if (in_block > (int64_t)s->block.size) /* likewise within the block */
		in_block = (int64_t)s->block.size;
	return in_block + (int64_t)left;
}

static void file_close(struct ctr_source *src)
{
	struct file_source *s = (struct file_source *)src;

	ctr_decoder_free(s->decoder);
	ctr_avro_reader_close(s->reader);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s);
}

/*
 * An ingest appending to the log finishes first: a half-written block reads as
 * damage. The lock held is on the file path names once it is held (a creator
 * whose header failed unlinks its file, and another may make one anew). A
 * log still empty under the lock is one an ingest has just made and not yet
 * locked to write its header into (avro_file.h): the lock is let go for it,
 * a second at most, rather than call the log damaged. *fd: the locked
 * descriptor, or -1 when path cannot be opened (the reader says why).
 */
static void lock_log(const char *path, int *fd)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 }; /* 10 ms */
	struct stat held;
	int named;

	for (int tries = 0; tries < 100; tries++) {
		if (*fd < 0 && (*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return;
		if (flock(*fd, LOCK_SH) != 0 || (named = ctr_file_named(*fd, path, &held)) < 0)
			return;
		if (!named) {
			close(*fd); /* unlinked or replaced meanwhile: the one there now */
			*fd = -1;
			continue;
		}
		if (held.st_size > 0)
			return;
		flock(*fd, LOCK_UN);
		nanosleep(&pause, NULL);
	}
	if (*fd >= 0)
		flock(*fd, LOCK_SH);
}

/* The log's fingerprint (its sync marker) and name (its absolute path, when there is one). */
static void name_log(struct file_source *s, const char *path)
{
	const uint8_t *sync = ctr_avro_reader_sync(s->reader);
	char absolute[PATH_MAX];

	for (int i = 0; i < 16; i++)
		snprintf(s->fingerprint + 2 * i, 3, "%02x", sync[i]);
	snprintf(s->base.name, sizeof(s->base.name), "file:%s",
		 realpath(path, absolute) ? absolute : path);
}

static void set_methods(struct file_source *s)
{
	s->base.next = file_next;
	s->base.tell = file_tell;
	s->base.describe = file_describe;
	s->base.to_json = file_to_json;
	s->base.encode = file_encode;
	s->base.seek = file_seek;
	s->base.check = file_check;
	s->base.close = file_close;
	s->base.expected = file_expected;
}

int ctr_source_open_file(const char *path, int check_formats, struct ctr_source **out,
			 struct ctr_error *err)
{
	struct file_source *s = calloc(1, sizeof(*s));
	struct stat kind;
	int rc;

	if (s == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	s->lock_fd = -1;
	/* a named pipe's open would wait for a writer, and a log is read more than once */
	if (stat(path, &kind) == 0 && !S_ISREG(kind.st_mode)) {
		free(s);
		return ctr_error_set(err, CTR_ECORRUPT, "log %s is not a regular file", path);
	}
	lock_log(path, &s->lock_fd);
	rc = ctr_avro_reader_open(path, &s->reader, err);
	if (rc == 0)
		rc = ctr_decoder_new(ctr_avro_reader_schema(s->reader), check_formats, &s->decoder,
				     err);
	if (rc == CTR_ESCHEMA)
		ctr_error_prefix(err, "log %s: ", path);
	if (rc != 0) {
		file_close(&s->base);
		return rc;
	}
	name_log(s, path);
	s->base.resumable = 1;
	set_methods(s);
	s->file_size = ctr_avro_reader_size(s->reader);
	s->resume_at = ctr_avro_reader_data_start(s->reader);
	*out = &s->base;
	return 0;
}
