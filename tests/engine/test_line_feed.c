/*
 * test_line_feed.c - lines read one at a time and read ahead on a thread
 * (engine/line_read.c, engine/line_feed.c): their bounds, the same cut both
 * ways, their order, the end, and a stop while the thread waits for a writer.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/line_feed.h"

Test(line_feed, a_line_is_cut_at_its_newline_its_cr_and_the_buffer)
{
	char text[] = "one\r\ntwo\nlonger than eight\nlast", buf[10];
	FILE *fp = fmemopen(text, strlen(text), "r");
	struct ctr_line line;

	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 1);
	cr_assert_str_eq(buf, "one");
	cr_assert_eq(line.consumed, 5);
	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 1);
	cr_assert_str_eq(buf, "two");
	/* over the buffer: its first bytes kept, the rest of the line skipped */
	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 1);
	cr_assert(line.truncated);
	cr_assert_eq(line.len, (long)sizeof(buf) - 1);
	cr_assert_eq(line.consumed, (int64_t)strlen("longer than eight\n"));
	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 1);
	cr_assert_str_eq(buf, "last");
	cr_assert(line.unterminated);
	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 0);
	fclose(fp);
}

/*
 * E3: a line holding a NUL byte is one line, read whole to its newline (the
 * next line is read after it), not cut at the NUL and taken for a last line
 * still being written; so is a last line without a newline that holds one.
 */
Test(line_feed, a_nul_byte_does_not_end_a_line)
{
	static const char text[] = "a\0b\nc\0\0dd\r\nlong\0er than eight\nlast\0x";
	char buf[10];
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct ctr_line line;

	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 1);
	cr_assert_eq(line.len, 3);
	cr_assert_eq(memcmp(buf, "a\0b", 3), 0);
	cr_assert_eq(line.consumed, 4);
	cr_assert_not(line.unterminated);
	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 1);
	cr_assert_eq(line.len, 5);
	cr_assert_eq(memcmp(buf, "c\0\0dd", 5), 0);
	cr_assert_eq(line.consumed, 7);
	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 1);
	cr_assert(line.truncated);
	cr_assert_eq(line.consumed, (int64_t)strlen("long") + 1 + (int64_t)strlen("er than eight\n"));
	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 1);
	cr_assert(line.unterminated);
	cr_assert_eq(line.len, 6);
	cr_assert_eq(memcmp(buf, "last\0x", 6), 0);
	cr_assert_eq(line.consumed, 6);
	cr_assert_eq(ctr_read_line(fp, buf, sizeof(buf), &line), 0);
	fclose(fp);
}

/* Takes the next line, waiting on the feed's descriptor while none has come. */
static int take_waiting(struct ctr_line_feed *feed, char *buf, struct ctr_line *line)
{
	struct pollfd wait = { .fd = ctr_line_feed_fd(feed), .events = POLLIN };
	char drained[64];
	int rc;

	while ((rc = ctr_line_feed_take(feed, buf, line)) == CTR_LINE_FEED_EMPTY) {
		cr_assert_eq(poll(&wait, 1, 5000), 1, "the descriptor never turned readable");
		while (read(wait.fd, drained, sizeof(drained)) > 0)
			continue;
	}
	return rc;
}

/* A feed reading the far end of a new pipe, lines cut at cap bytes. */
static struct ctr_line_feed *feed_on_pipe(int pipe_fds[2], size_t cap)
{
	struct ctr_line_feed *feed = NULL;

	cr_assert_eq(pipe(pipe_fds), 0);
	cr_assert_eq(ctr_line_feed_start(pipe_fds[0], cap, &feed), 0);
	return feed;
}

Test(line_feed, lines_of_a_pipe_arrive_in_order_and_then_the_end)
{
	int pipe_fds[2];
	char buf[64];
	struct ctr_line line;
	struct ctr_line_feed *feed = feed_on_pipe(pipe_fds, sizeof(buf));

	cr_assert_eq(ctr_line_feed_take(feed, buf, &line), CTR_LINE_FEED_EMPTY);
	cr_assert_eq(write(pipe_fds[1], "a\nb\n", 4), 4);
	cr_assert_eq(take_waiting(feed, buf, &line), 1);
	cr_assert_str_eq(buf, "a");
	cr_assert_eq(take_waiting(feed, buf, &line), 1);
	cr_assert_str_eq(buf, "b");
	cr_assert_eq(write(pipe_fds[1], "c", 1), 1);
	close(pipe_fds[1]);
	cr_assert_eq(take_waiting(feed, buf, &line), 1);
	cr_assert_str_eq(buf, "c");
	cr_assert(line.unterminated);
	cr_assert_eq(take_waiting(feed, buf, &line), 0);
	ctr_line_feed_stop(feed);
	close(pipe_fds[0]);
}

Test(line_feed, a_feed_stops_while_its_thread_waits_for_a_writer)
{
	int pipe_fds[2];
	char buf[64];
	struct ctr_line line;
	struct ctr_line_feed *feed = feed_on_pipe(pipe_fds, sizeof(buf));

	cr_assert_eq(write(pipe_fds[1], "x\n", 2), 2);
	cr_assert_eq(take_waiting(feed, buf, &line), 1);
	usleep(50 * 1000); /* the thread waits in poll() by now, and nothing more comes */
	ctr_line_feed_stop(feed); /* returns: the test would time out otherwise */
	close(pipe_fds[1]);
	close(pipe_fds[0]);
}

/* The feed cuts a line as ctr_read_line() does, at the buffer's bound and around it. */
Test(line_feed, a_feed_cuts_lines_as_the_file_reader_does)
{
	const char *text = "12345678\r\n1234567\r\n123456789abc\nshort\r\n1234567";
	int pipe_fds[2];
	char by_file[10], by_feed[10];
	struct ctr_line from_file, from_feed;
	struct ctr_line_feed *feed = feed_on_pipe(pipe_fds, sizeof(by_feed));
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	cr_assert_eq(write(pipe_fds[1], text, strlen(text)), (ssize_t)strlen(text));
	close(pipe_fds[1]);
	do {
		rc = ctr_read_line(fp, by_file, sizeof(by_file), &from_file);
		cr_assert_eq(take_waiting(feed, by_feed, &from_feed), rc);
		if (rc != 1)
			break;
		cr_assert_eq(from_feed.len, from_file.len);
		cr_assert_eq(memcmp(by_feed, by_file, (size_t)from_file.len), 0);
		cr_assert_eq(from_feed.consumed, from_file.consumed);
		cr_assert_eq(from_feed.truncated, from_file.truncated);
		cr_assert_eq(from_feed.unterminated, from_file.unterminated);
	} while (1);
	ctr_line_feed_stop(feed);
	close(pipe_fds[0]);
	fclose(fp);
}
