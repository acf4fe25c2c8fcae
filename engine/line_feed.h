/*
 * line_feed.h - lines of a stream read ahead on a thread of their own. A
 * JSON Lines replay of standard input reads through one once it runs on the
 * loop: a read from a pipe waits for the writer, and a loop waiting inside
 * read() would not see SIGINT or SIGTERM until the next line came. The loop
 * waits on the feed's descriptor instead, and can stop between lines.
 */
#ifndef CTR_LINE_FEED_H
#define CTR_LINE_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One line as read, without its newline (and a CR before it). */
struct ctr_line {
	long len;          /* bytes kept in the buffer */
	int64_t consumed;  /* bytes of the stream it took, newline included */
	int truncated;     /* longer than the buffer: the rest was skipped to its newline */
	int unterminated;  /* the stream ended before its newline (a truncated line's too) */
};

/*
 * Reads one line of fp into buf (cap bytes, at least 2): 1, or 0 at the end;
 * -1 with errno on a read error. A longer line keeps its first cap - 1 bytes.
 */
int ctr_read_line(FILE *fp, char *buf, size_t cap, struct ctr_line *line);
/*
 * The same, for a stream that cannot seek (a pipe read without a feed):
 * ctr_read_line() reads a last line without a newline a second time when it
 * holds a NUL byte, which a pipe cannot do; this one counts every byte as it
 * reads it, and is slower.
 */
int ctr_read_line_unseekable(FILE *fp, char *buf, size_t cap, struct ctr_line *line);

struct ctr_line_feed;

/*
 * Starts reading fd ahead, lines cut as ctr_read_line() cuts them with a buffer
 * of cap bytes; fd is the feed's from now on (nothing else may read it).
 */
int ctr_line_feed_start(int fd, size_t cap, struct ctr_line_feed **out);
/*
 * A pipe given a byte for each line queued (and at the end): the caller drains
 * it, then takes lines until none is left, and waits for it to turn readable.
 */
int ctr_line_feed_fd(const struct ctr_line_feed *feed);
/*
 * The next line into buf (cap bytes, as given to start): 1; 0 at the end; -1
 * with errno on a read error; CTR_LINE_FEED_EMPTY when none has come yet.
 */
#define CTR_LINE_FEED_EMPTY 2
int ctr_line_feed_take(struct ctr_line_feed *feed, char *buf, struct ctr_line *line);
/* Stops the reading thread, even while it waits for a writer, and frees the feed. */
void ctr_line_feed_stop(struct ctr_line_feed *feed);

#endif
