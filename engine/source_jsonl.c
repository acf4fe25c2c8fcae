/*
 * source_jsonl.c - the `jsonl:PATH` and `jsonl:-` sources: one event per line.
 * Lines are read into a bounded buffer: a line over 1 MiB is rejected as
 * too_large (its first 1 MiB kept as raw) and the reader skips to the next.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/line_feed.h"
#include "engine/source.h"
#include "events/avro_file.h"
#include "events/decode.h"
#include "events/hash.h"

/* an event of 1 MiB, a CR and its newline fit; a line longer than that is cut */
#define LINE_CAP (CTR_EVENT_MAX_BYTES + 3)

struct jsonl_source {
	struct ctr_source base;
	struct ctr_checkpoint position; /* what tell() returns */
	FILE *fp;
	int is_stdin;
	int regular;          /* a regular file: a read never waits for a writer */
	int at_end;           /* a partial last line was left: read nothing more */
	struct ctr_line_feed *feed; /* a pipe read ahead, once on the loop */
	struct ctr_decoder *decoder;
	char *line;
	int64_t lines_read;
	int64_t offset;       /* byte offset of the next line */
	char fingerprint[40];
	char fingerprint_trimmed[40]; /* of the first line without the whitespace it ends with */
	int first_line_open;          /* the first line has no newline yet: it may grow */
	char prefix[4200];    /* of positions: the name, made unique per run for a pipe */
};

/* The next line: 1, 0 at the end, CTR_SOURCE_AGAIN (fed only), negative with err. */
static int next_line(struct jsonl_source *s, struct ctr_line *line, struct ctr_error *err)
{
	int rc = s->feed      ? ctr_line_feed_take(s->feed, s->line, line)
		 : s->regular ? ctr_read_line(s->fp, s->line, LINE_CAP, line)
			      : ctr_read_line_unseekable(s->fp, s->line, LINE_CAP, line);

	if (rc == CTR_LINE_FEED_EMPTY)
		return CTR_SOURCE_AGAIN;
	if (rc < 0 && errno == ENOMEM) /* the read-ahead thread's queue: a failure, not bad data */
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (rc < 0)
		return ctr_error_set(err, CTR_EIO, "%s: %s", s->base.name, strerror(errno));
	return rc;
}

/* The next line that is not empty, the position moved past it: as next_line(). */
static int next_nonempty_line(struct jsonl_source *s, struct ctr_line *line,
			      struct ctr_error *err)
{
	int rc;

	do {
		rc = next_line(s, line, err);
		if (rc != 1)
			return rc;
		s->offset += line->consumed;
		s->lines_read++;
	} while (line->len == 0);
	return 1;
}

/* The position moved back before a line, for a later read to read it again. */
static void unread_line(struct jsonl_source *s, const struct ctr_line *line)
{
	s->offset -= line->consumed;
	s->lines_read--;
}

/*
 * A last line without its newline that is not whole JSON is most likely
 * still being written: it is left unread, so that the next run reads it
 * whole, rather than rejected here and its rest rejected there. A JSON
 * object is complete only at its closing brace, so one that parses is read.
 * One already over 1 MiB is never parsed, so it waits for its newline too:
 * rejected now, its rest would be read as a line of its own next time.
 */
static int still_being_written(const struct ctr_source *src, const struct ctr_line *line,
			       const struct ctr_event *ev)
{
	return line->unterminated && src->hold_partial_line && src->resumable &&
	       (ev->code == CTR_CODE_BAD_JSON || ev->code == CTR_CODE_TOO_LARGE);
}

/* A line over 1 MiB keeps its first 1 MiB as raw, and says its own length. */
static void cut_to_cap(const struct ctr_line *line, struct ctr_event *ev)
{
	if (line->truncated || line->len > CTR_EVENT_MAX_BYTES)
		ev->raw_len = CTR_EVENT_MAX_BYTES;
	if (line->truncated) /* the line's own length, not the buffer's */
		snprintf(ev->message, sizeof(ev->message), "line of %lld bytes is over 1 MiB",
			 (long long)(line->consumed - !line->unterminated));
}

static int jsonl_next(struct ctr_source *src, struct ctr_event *ev, struct ctr_error *err)
{
	struct jsonl_source *s = (struct jsonl_source *)src;
	struct ctr_line line;
	int rc;

	if (s->at_end)
		return 0;
	rc = next_nonempty_line(s, &line, err);
	if (rc != 1)
		return rc;
	/* over the cap: one byte more than an event may have, so that it is too_large */
	ctr_decode_json(s->decoder, s->line,
			line.truncated ? CTR_EVENT_MAX_BYTES + 1 : (size_t)line.len, ev);
	/* the line is not bad: the run stops before it, so that the next one reads it */
	if (ev->out_of_memory) {
		unread_line(s, &line);
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	}
	if (still_being_written(src, &line, ev)) {
		src->partial_line_left = line.consumed;
		unread_line(s, &line);
		s->at_end = 1;
		return 0;
	}
	cut_to_cap(&line, ev);
	return 1;
}

/*
 * A pipe (standard input, or one named by path) is read on a thread of its own
 * once the run's loop asks for a descriptor to wait on (line_feed.h); a
 * regular file never makes a read wait, and is read here.
 */
static int jsonl_ready_fd(struct ctr_source *src)
{
	struct jsonl_source *s = (struct jsonl_source *)src;

	if (s->feed == NULL && ctr_line_feed_start(fileno(s->fp), LINE_CAP, &s->feed) != 0)
		return -1;
	return ctr_line_feed_fd(s->feed);
}

static void jsonl_describe(struct ctr_source *src, char *buf, size_t size)
{
	struct jsonl_source *s = (struct jsonl_source *)src;

	snprintf(buf, size, "%s:%lld", s->prefix, (long long)s->lines_read);
}

static char *jsonl_to_json(struct ctr_source *src, const struct ctr_event *ev)
{
	(void)src;
	return strndup((const char *)ev->raw, ev->raw_len);
}

static int jsonl_encode(struct ctr_source *src, int *schema_id, const void **bytes, size_t *len,
			struct ctr_error *err)
{
	struct jsonl_source *s = (struct jsonl_source *)src;

	*schema_id = ctr_decoder_schema_id(s->decoder);
	return ctr_decoder_encode(s->decoder, bytes, len, err);
}

static size_t jsonl_tell(struct ctr_source *src, const struct ctr_checkpoint **cps)
{
	struct jsonl_source *s = (struct jsonl_source *)src;
	struct ctr_checkpoint *cp = &s->position;

	memset(cp, 0, sizeof(*cp));
	snprintf(cp->source, sizeof(cp->source), "%s", src->name);
	cp->next_offset = s->lines_read;
	cp->byte_offset = s->offset;
	/* whitespace added to an open first line must not make it another file's */
	snprintf(cp->fingerprint, sizeof(cp->fingerprint), "%s",
		 s->first_line_open ? s->fingerprint_trimmed : s->fingerprint);
	*cps = cp;
	return 1;
}

static int is_json_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * A checkpoint after a last line read without its newline (whole JSON) is
 * inside that line once its writer ends it. What the writer adds before the
 * newline, when it is JSON whitespace, belongs to the line read: it is passed
 * over with its newline, so the next line is read as one run over the file
 * would read it, not a line of spaces more (bad_json). A rest that is not
 * whitespace is left to be read as a line of its own.
 */
static int skip_rest_of_line(struct jsonl_source *s, struct ctr_error *err)
{
	off_t skipped = 0;
	int c;

	if (s->offset == 0 || fseeko(s->fp, s->offset - 1, SEEK_SET) != 0)
		return 0;
	if (getc(s->fp) != '\n') {
		for (;;) {
			c = getc(s->fp);
			if (c == EOF || !is_json_space(c))
				break;
			skipped++;
		}
		if (c == '\n')
			s->offset += skipped + 1;
		else if (c == EOF)
			s->offset += skipped; /* the newline may come later */
	}
	if (fseeko(s->fp, s->offset, SEEK_SET) != 0)
		return ctr_error_set(err, CTR_EIO, "%s: cannot seek to %lld: %s", s->base.name,
				     (long long)s->offset, strerror(errno));
	return 0;
}

/*
 * 1: cp is this file's checkpoint, read past the file's start; 0: another
 * source's, or one taken while the file was empty; CTR_ESTATE: another file's.
 */
static int jsonl_same_file(struct jsonl_source *s, const struct ctr_checkpoint *cp,
			   struct ctr_error *err)
{
	struct stat st;

	if (strcmp(cp->source, s->base.name) != 0 || cp->partition != 0)
		return 0; /* another source's */
	if (cp->byte_offset == 0)
		return 0; /* the file was empty: whatever it holds now is new */
	/* a first line read without its newline may have been ended with whitespace since */
	if (strcmp(cp->fingerprint, s->fingerprint) != 0 &&
	    strcmp(cp->fingerprint, s->fingerprint_trimmed) != 0)
		return ctr_error_set(err, CTR_ESTATE,
				     "%s does not begin as the file this database was replayed from;"
				     " replay it with --rebuild", s->base.name);
	if (fstat(fileno(s->fp), &st) == 0 && cp->byte_offset > st.st_size)
		return ctr_error_set(err, CTR_ESTATE,
				     "%s is shorter than when this database read it (%lld bytes, read to"
				     " %lld): not the same file; replay it with --rebuild", s->base.name,
				     (long long)st.st_size, (long long)cp->byte_offset);
	return 1;
}

static int jsonl_check(struct ctr_source *src, const struct ctr_checkpoint *cp,
		       struct ctr_error *err)
{
	int same = jsonl_same_file((struct jsonl_source *)src, cp, err);

	return same < 0 ? same : 0;
}

static int jsonl_seek(struct ctr_source *src, const struct ctr_checkpoint *cp,
		      struct ctr_error *err)
{
	struct jsonl_source *s = (struct jsonl_source *)src;
	int same = jsonl_same_file(s, cp, err);

	if (same <= 0)
		return same;
	if (fseeko(s->fp, cp->byte_offset, SEEK_SET) != 0)
		return ctr_error_set(err, CTR_EIO, "%s: cannot seek to %lld: %s", src->name,
				     (long long)cp->byte_offset, strerror(errno));
	s->offset = cp->byte_offset;
	s->lines_read = cp->next_offset;
	return skip_rest_of_line(s, err);
}

static void jsonl_close(struct ctr_source *src)
{
	struct jsonl_source *s = (struct jsonl_source *)src;

	ctr_line_feed_stop(s->feed);
	if (s->fp && !s->is_stdin)
		fclose(s->fp);
	ctr_decoder_free(s->decoder);
	free(s->line);
	free(s);
}

/* The hash of the first line: a file that only grew keeps it (a pipe is not read twice). */
static void fingerprint(struct jsonl_source *s)
{
	char first[4096];
	size_t len;

	if (!s->base.resumable || fgets(first, sizeof(first), s->fp) == NULL)
		return;
	len = strcspn(first, "\n");
	s->first_line_open = first[len] == '\0' && feof(s->fp);
	snprintf(s->fingerprint, sizeof(s->fingerprint), "%016llx",
		 (unsigned long long)ctr_hash64(first, len, 0));
	while (len > 0 && is_json_space((unsigned char)first[len - 1]))
		len--;
	snprintf(s->fingerprint_trimmed, sizeof(s->fingerprint_trimmed), "%016llx",
		 (unsigned long long)ctr_hash64(first, len, 0));
	rewind(s->fp);
}

/*
 * Opens path (standard input for "-") and finds what it is: st as the open
 * found it, its mode 0 when nothing is known (read as it comes). A directory
 * and an Avro log are refused here, before the database is made.
 */
static int open_input(struct jsonl_source *s, const char *path, struct stat *st,
		      struct ctr_error *err)
{
	s->is_stdin = strcmp(path, "-") == 0;
	s->fp = s->is_stdin ? stdin : fopen(path, "rb");
	if (s->fp == NULL)
		return ctr_error_set(err, CTR_EIO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fileno(s->fp), st) != 0)
		st->st_mode = 0;
	/* a directory opens, and fails only at its first read: after the database is made */
	if (S_ISDIR(st->st_mode))
		return ctr_error_set(err, CTR_EIO, "cannot open %s: %s", path, strerror(EISDIR));
	/* read as lines, every record of a log would be bad_json, each stored as rejected */
	if (S_ISREG(st->st_mode) && ctr_avro_file_magic_at(fileno(s->fp))) {
		if (s->is_stdin)
			return ctr_error_set(err, CTR_ECORRUPT, "standard input is an Avro log, not"
					     " JSON Lines");
		return ctr_error_set(err, CTR_ECORRUPT, "%s is an Avro log, not JSON Lines:"
				     " read it as file:%s", path, path);
	}
	return 0;
}

/* The source's name, whether it resumes, and the prefix of its positions. */
static void name_source(struct jsonl_source *s, const char *path)
{
	char absolute[PATH_MAX];
	struct timespec now;

	snprintf(s->base.name, sizeof(s->base.name), "jsonl:%s",
		 s->is_stdin ? "-" : (realpath(path, absolute) ? absolute : path));
	/* standard input, or a pipe by name (/dev/stdin, a FIFO): read once, never resumed */
	s->base.resumable = !s->is_stdin && s->regular;
	if (s->base.resumable) {
		snprintf(s->prefix, sizeof(s->prefix), "%s", s->base.name);
		return;
	}
	/* line 12 of today's standard input is not line 12 of yesterday's */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(s->prefix, sizeof(s->prefix), "%.4100s@%lld.%09ld", s->base.name,
		 (long long)now.tv_sec, now.tv_nsec);
}

static void set_methods(struct jsonl_source *s)
{
	s->base.next = jsonl_next;
	if (!s->regular)
		s->base.ready_fd = jsonl_ready_fd;
	s->base.tell = jsonl_tell;
	s->base.describe = jsonl_describe;
	s->base.to_json = jsonl_to_json;
	s->base.encode = jsonl_encode;
	s->base.seek = jsonl_seek;
	s->base.check = jsonl_check;
	s->base.close = jsonl_close;
}

int ctr_source_open_jsonl(const char *path, int check_formats, struct ctr_source **out,
			  struct ctr_error *err)
{
	struct jsonl_source *s = calloc(1, sizeof(*s));
	struct stat st;
	int rc;

	if (s == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	rc = open_input(s, path, &st, err);
	if (rc != 0)
		goto fail;
	s->line = malloc(LINE_CAP);
	if (s->line == NULL) {
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
		goto fail;
	}
	rc = ctr_decoder_new(NULL, check_formats, &s->decoder, err);
	if (rc != 0)
		goto fail;
	setvbuf(s->fp, NULL, _IOFBF, 1 << 20);
	s->regular = S_ISREG(st.st_mode); /* st: as the open found it, above */
	name_source(s, path);
	set_methods(s);
	fingerprint(s);
	*out = &s->base;
	return 0;
fail:
	jsonl_close(&s->base);
	return rc;
}
