/*
 * line_feed.c - lines of a descriptor read ahead on a thread of their own (see
 * line_feed.h). The thread queues copies of the lines, up to a bound in
 * bytes, and writes a byte to a pipe for each; the reader takes them in order.
 * It is told to stop through a second pipe, not cancelled: a cancelled thread
 * leaves its stack as the sanitizers cannot follow.
 */
#include "engine/line_feed.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUEUE_SLOTS 1024
#define QUEUE_BYTES (8u << 20) /* beyond one line: what the reader may fall behind by */

struct queued {
	char *text;
	struct ctr_line line;
};

struct ctr_line_feed {
	int fd;
	size_t cap;
	char *buf;                  /* the thread's line being read */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t room;        /* signalled as lines are taken */
	struct queued slots[QUEUE_SLOTS];
	size_t head, count, bytes;
	int ended, error;           /* the end was read; errno of a failed read */
	int waiting;                /* the thread waits for room */
	int stopping;               /* stop(): queue nothing more */
	int wake[2];
	int stop[2];                /* written by stop(): the thread leaves its poll() */
};

static void signal_reader(struct ctr_line_feed *f)
{
	char byte = 1;

	/* a full pipe already says there is something to take */
	if (write(f->wake[1], &byte, 1) < 0 && errno != EAGAIN)
		return;
}

static int full(const struct ctr_line_feed *f)
{
	return f->count == QUEUE_SLOTS || (f->count > 0 && f->bytes >= QUEUE_BYTES);
}

/*
 * A full queue waits until half of it is taken, not for one slot: the thread
 * reads far faster than the loop decodes, and a wake for each line taken kept
 * both threads in futex calls (a third of the time of a replay from a pipe).
 */
static int drained(const struct ctr_line_feed *f)
{
	return f->count <= QUEUE_SLOTS / 2 && f->bytes <= QUEUE_BYTES / 2;
}

static int queue_line(struct ctr_line_feed *f, const struct ctr_line *line)
{
	char *text = malloc((size_t)line->len + 1);
	int was_empty;

	if (text == NULL)
		return ENOMEM;
	memcpy(text, f->buf, (size_t)line->len + 1);
	pthread_mutex_lock(&f->lock);
	if (!f->stopping && full(f)) {
		f->waiting = 1;
		while (!f->stopping && !drained(f))
			pthread_cond_wait(&f->room, &f->lock);
		f->waiting = 0;
	}
	if (f->stopping) {
		pthread_mutex_unlock(&f->lock);
		free(text);
		return ECANCELED;
	}
	f->slots[(f->head + f->count) % QUEUE_SLOTS] = (struct queued){ text, *line };
	was_empty = f->count++ == 0;
	f->bytes += (size_t)line->len;
	pthread_mutex_unlock(&f->lock);
	/* the reader takes lines until none is left before it waits: only an empty queue needs a word */
	if (was_empty)
		signal_reader(f);
	return 0;
}

/* Ends the line assembled in f->buf (its newline seen, or the stream's end). */
static int end_line(struct ctr_line_feed *f, struct ctr_line *line, size_t have, int terminated)
{
	/* as ctr_read_line() cuts it: cap - 1 bytes or more before the newline is too long */
	line->truncated = have >= f->cap - 1;
	line->unterminated = !terminated;
	if (!line->truncated && have > 0 && f->buf[have - 1] == '\r')
		have--;
	f->buf[have] = '\0';
	line->len = (long)have;
	return queue_line(f, line);
}

/* Waits for the descriptor to be readable: 0, or ECANCELED after stop(), or poll()'s errno. */
static int wait_for_input(struct pollfd wait[2])
{
	while (poll(wait, 2, -1) < 0) {
		if (errno != EINTR)
			return errno;
	}
	return wait[1].revents != 0 ? ECANCELED : 0;
}

/*
 * Cuts a chunk read into lines: each one ended is queued; the start of the
 * last, without its newline yet, stays in f->buf (*have bytes) and *line.
 */
static int queue_chunk(struct ctr_line_feed *f, const char *chunk, size_t size,
		       struct ctr_line *line, size_t *have)
{
	int error = 0;

	for (const char *at = chunk, *end = chunk + size; at < end && error == 0;) {
		const char *newline = memchr(at, '\n', (size_t)(end - at));
		size_t part = (size_t)((newline ? newline : end) - at);
		size_t kept = part < f->cap - 1 - *have ? part : f->cap - 1 - *have;
		memcpy(f->buf + *have, at, kept); /* past the cap the line is only counted */
		*have += kept;
		line->consumed += (int64_t)part;
		at += part;
		if (newline != NULL) {
			line->consumed++;
			error = end_line(f, line, *have, 1);
			memset(line, 0, sizeof(*line));
			*have = 0;
			at++;
		}
	}
	return error;
}

/* Tells the reader the end was read (error: 0, or the errno of a failed read). */
static void announce_end(struct ctr_line_feed *f, int error)
{
	pthread_mutex_lock(&f->lock);
	f->ended = 1;
	f->error = error == ECANCELED ? 0 : error;
	pthread_mutex_unlock(&f->lock);
	signal_reader(f);
}

/*
 * Reads the descriptor in chunks and queues its lines, until its end, an
 * error, or stop(): it waits in poll() on the descriptor and on the stop pipe
 * together, never inside a read that could not be left.
 */
static void *read_ahead(void *arg)
{
	struct ctr_line_feed *f = arg;
	struct ctr_line line = { 0 };
	struct pollfd wait[2] = {
		{ .fd = f->fd, .events = POLLIN }, { .fd = f->stop[0], .events = POLLIN },
	};
	char chunk[1 << 16];
	size_t have = 0;
	int error = 0;

	for (;;) {
		ssize_t n;
		error = wait_for_input(wait);
		if (error != 0)
			break;
		n = read(f->fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			error = errno;
			break;
		}
		if (n == 0) {
			if (line.consumed > 0)
				error = end_line(f, &line, have, 0);
			break;
		}
		error = queue_chunk(f, chunk, (size_t)n, &line, &have);
		if (error != 0)
			break;
	}
	announce_end(f, error);
	return NULL;
}

static void close_pipe(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

int ctr_line_feed_start(int fd, size_t cap, struct ctr_line_feed **out)
{
	struct ctr_line_feed *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->fd = fd;
	f->cap = cap;
	f->buf = malloc(cap);
	f->wake[0] = f->wake[1] = f->stop[0] = f->stop[1] = -1;
	if (f->buf == NULL || pipe2(f->wake, O_NONBLOCK | O_CLOEXEC) != 0 ||
	    pipe2(f->stop, O_NONBLOCK | O_CLOEXEC) != 0)
		goto fail;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->room, NULL);
	if (pthread_create(&f->thread, NULL, read_ahead, f) != 0) {
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->room);
		goto fail;
	}
	*out = f;
	return 0;
fail:
	close_pipe(f->wake);
	close_pipe(f->stop);
	free(f->buf);
	free(f);
	return -1;
}

int ctr_line_feed_fd(const struct ctr_line_feed *feed)
{
	return feed->wake[0];
}

int ctr_line_feed_take(struct ctr_line_feed *f, char *buf, struct ctr_line *line)
{
	struct queued q;
	int rc;

	pthread_mutex_lock(&f->lock);
	if (f->count == 0) {
		rc = !f->ended ? CTR_LINE_FEED_EMPTY : f->error ? -1 : 0;
		if (rc < 0)
			errno = f->error;
		pthread_mutex_unlock(&f->lock);
		return rc;
	}
	q = f->slots[f->head];
	f->head = (f->head + 1) % QUEUE_SLOTS;
	f->count--;
	f->bytes -= (size_t)q.line.len;
	if (f->waiting && drained(f))
		pthread_cond_signal(&f->room);
	pthread_mutex_unlock(&f->lock);
	memcpy(buf, q.text, (size_t)q.line.len + 1);
	*line = q.line;
	free(q.text);
	return 1;
}

void ctr_line_feed_stop(struct ctr_line_feed *f)
{
	char byte = 1;

	if (f == NULL)
		return;
	/* it may wait in poll() for a writer that never comes, or for room */
	pthread_mutex_lock(&f->lock);
	f->stopping = 1;
	pthread_cond_broadcast(&f->room);
	pthread_mutex_unlock(&f->lock);
	if (write(f->stop[1], &byte, 1) < 0 && errno != EAGAIN)
		abort(); /* a pipe of our own, open: cannot fail */
	pthread_join(f->thread, NULL);
	while (f->count > 0) {
		free(f->slots[f->head].text);
		f->head = (f->head + 1) % QUEUE_SLOTS;
		f->count--;
	}
	close_pipe(f->wake);
	close_pipe(f->stop);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->room);
	free(f->buf);
	free(f);
}
