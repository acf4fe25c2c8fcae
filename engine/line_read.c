/*
 * line_read.c - one line of a stream as contrail's line readers cut it (see
 * line_feed.h): the JSON Lines source and ingest read through these, and the
 * read-ahead feed of line_feed.c cuts its lines the same way.
 */
#include "engine/line_feed.h"

#include <errno.h>
#include <string.h>
#include <sys/types.h>
/*
 * The length of the last line of fp, which fgets() just read into buf to the
 * stream's end, strlen() of buf being len, or -1. A line holding a NUL byte
 * is longer than len, and what follows the NUL in buf (this line's bytes, then
 * what earlier lines left) does not tell where it ended: a line that does not
 * begin len bytes before the end is read again from the newline before it (it
 * has none of its own; a line begins after one, or where the stream does).
 */
static long last_line_again(FILE *fp, char *buf, size_t cap, size_t len)
{
	off_t end = ftello(fp), from;
	size_t got;
	char *newline;
	int c;

	if (end < 0)
		return -1;
	if (end == (off_t)len)
		return (long)len;
	if (fseeko(fp, end - (off_t)len - 1, SEEK_SET) != 0)
		return -1;
	c = getc(fp);
	if (c == '\n' && fseeko(fp, end, SEEK_SET) == 0)
		return (long)len;
	from = end > (off_t)(cap - 1) ? end - (off_t)(cap - 1) : 0;
	if (c == EOF || fseeko(fp, from, SEEK_SET) != 0)
		return -1;
	got = fread(buf, 1, (size_t)(end - from), fp);
	if (got != (size_t)(end - from))
		return -1;
	newline = memrchr(buf, '\n', got);
	if (newline != NULL) {
		got -= (size_t)(newline + 1 - buf);
		memmove(buf, newline + 1, got);
	}
	buf[got] = '\0';
	return (long)got;
}

/*
 * fgets() stops only at a newline, at the end of the buffer or of the stream:
 * a line that ends otherwise holds a NUL byte, and strlen() stopped there (at
 * *len). The line is all of what fgets() read, a bad line to reject whole:
 * *len is made its length. 0, or -1 when the stream cannot be read again.
 */
static int length_past_nul(FILE *fp, char *buf, size_t cap, size_t *len)
{
	const char *newline;
	long again;

	if ((*len > 0 && buf[*len - 1] == '\n') || *len >= cap - 1)
		return 0;
	if (!feof(fp)) {
		/* the line ends at its first newline, before anything older in buf; a
		 * line without one filled buf */
		newline = memchr(buf + *len, '\n', cap - 1 - *len);
		*len = newline ? (size_t)(newline - buf) + 1 : cap - 1;
		return 0;
	}
	again = last_line_again(fp, buf, cap, *len);
	if (again < 0)
		return -1;
	*len = (size_t)again;
	return 0;
}

/* A line that filled the buffer: the rest of it is counted, not kept, to its newline. */
static void skip_rest_of_line(FILE *fp, struct ctr_line *line)
{
	int c;

	line->truncated = 1;
	line->unterminated = 1;
	for (;;) {
		c = getc(fp);
		if (c == EOF)
			break;
		line->consumed++;
		if (c == '\n') {
			line->unterminated = 0;
			break;
		}
	}
}

int ctr_read_line(FILE *fp, char *buf, size_t cap, struct ctr_line *line)
{
	size_t len;

	memset(line, 0, sizeof(*line));
	errno = 0;
	if (fgets(buf, (int)cap, fp) == NULL)
		return ferror(fp) ? -1 : 0;
	len = strlen(buf);
	if (length_past_nul(fp, buf, cap, &len) != 0)
		return -1;
	line->consumed = (int64_t)len;
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len < cap - 1)
		line->unterminated = 1;
	else
		skip_rest_of_line(fp, line);
	if (!line->truncated && len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	line->len = (long)len;
	return 1;
}

int ctr_read_line_unseekable(FILE *fp, char *buf, size_t cap, struct ctr_line *line)
{
	size_t have = 0;
	int c;

	memset(line, 0, sizeof(*line));
	errno = 0;
	flockfile(fp);
	for (;;) {
		c = getc_unlocked(fp);
		if (c == EOF)
			break;
		line->consumed++;
		if (c == '\n')
			break;
		if (have < cap - 1)
			buf[have++] = (char)c; /* past the cap the line is only counted */
	}
	funlockfile(fp);
	if (c == EOF && ferror(fp))
		return -1;
	if (c == EOF && line->consumed == 0)
		return 0;
	/* as ctr_read_line() cuts it: cap - 1 bytes or more before the newline is too long */
	line->truncated = have >= cap - 1;
	line->unterminated = c == EOF;
	if (!line->truncated && have > 0 && buf[have - 1] == '\r')
		have--;
	buf[have] = '\0';
	line->len = (long)have;
	return 1;
}
