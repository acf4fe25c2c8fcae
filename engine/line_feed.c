/*
 * line_feed.c - lines of a stream read ahead on a thread of their own (see
 * line_feed.h). The thread queues copies of the lines, up to a bound in
 * bytes, and writes a byte to a pipe for each; the reader takes them in order.
 */
#include "engine/line_feed.h"

#include <errno.h>
#include <fcntl.h>
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
	FILE *fp;
	size_t cap;
	char *buf;                  /* the thread's line being read */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t room;        /* signalled as lines are taken */
	struct queued slots[QUEUE_SLOTS];
	size_t head, count, bytes;
	int ended, error;           /* the end was read; errno of a failed read */
	int stopping;               /* stop(): queue nothing more */
	int wake[2];
};

int ctr_read_line(FILE *fp, char *buf, size_t cap, struct ctr_line *line)
{
	size_t len;
	int c;

	memset(line, 0, sizeof(*line));
	errno = 0;
	if (fgets(buf, (int)cap, fp) == NULL)
		return ferror(fp) ? -1 : 0;
	len = strlen(buf);
	line->consumed = (int64_t)len;
	if (len > 0 && buf[len - 1] == '\n') {
		buf[--len] = '\0';
	} else if (len < cap - 1) {
		line->unterminated = 1;
	} else {
		line->truncated = 1;
		while ((c = getc(fp)) != EOF) {
			line->consumed++;
			if (c == '\n')
				break;
		}
	}
	if (!line->truncated && len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	line->len = (long)len;
	return 1;
}

static void signal_reader(struct ctr_line_feed *f)
{
	char byte = 1;

	/* a full pipe already says there is something to take */
	if (write(f->wake[1], &byte, 1) < 0 && errno != EAGAIN)
		return;
}

static int queue_line(struct ctr_line_feed *f, const struct ctr_line *line)
{
	char *text = malloc((size_t)line->len + 1);

	if (text == NULL)
		return ENOMEM;
	memcpy(text, f->buf, (size_t)line->len + 1);
	pthread_mutex_lock(&f->lock);
	while (!f->stopping && (f->count == QUEUE_SLOTS || (f->count > 0 && f->bytes >= QUEUE_BYTES)))
		pthread_cond_wait(&f->room, &f->lock);
	if (f->stopping) {
		pthread_mutex_unlock(&f->lock);
		free(text);
		return ECANCELED;
	}
	f->slots[(f->head + f->count) % QUEUE_SLOTS] = (struct queued){ text, *line };
	f->count++;
	f->bytes += (size_t)line->len;
	pthread_mutex_unlock(&f->lock);
	signal_reader(f);
	return 0;
}

/*
 * The thread may be cancelled only inside its reads (stop() may come while it
 * waits for a writer that never comes); while it holds the lock or a line it
 * is told to stop by a flag instead.
 */
static int read_cancellable(struct ctr_line_feed *f, struct ctr_line *line)
{
	int rc;

	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	rc = ctr_read_line(f->fp, f->buf, f->cap, line);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	return rc;
}

static void *read_ahead(void *arg)
{
	struct ctr_line_feed *f = arg;
	struct ctr_line line;
	int rc, error = 0;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	while ((rc = read_cancellable(f, &line)) == 1 && (error = queue_line(f, &line)) == 0)
		continue;
	if (rc < 0)
		error = errno ? errno : EIO;
	pthread_mutex_lock(&f->lock);
	f->ended = 1;
	f->error = error;
	pthread_mutex_unlock(&f->lock);
	signal_reader(f);
	return NULL;
}

int ctr_line_feed_start(FILE *fp, size_t cap, struct ctr_line_feed **out)
{
	struct ctr_line_feed *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->fp = fp;
	f->cap = cap;
	f->buf = malloc(cap);
	f->wake[0] = f->wake[1] = -1;
	if (f->buf == NULL || pipe2(f->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		free(f->buf);
		free(f);
		return -1;
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->room, NULL);
	if (pthread_create(&f->thread, NULL, read_ahead, f) != 0) {
		close(f->wake[0]);
		close(f->wake[1]);
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->room);
		free(f->buf);
		free(f);
		return -1;
	}
	*out = f;
	return 0;
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
	pthread_cond_signal(&f->room);
	pthread_mutex_unlock(&f->lock);
	memcpy(buf, q.text, (size_t)q.line.len + 1);
	*line = q.line;
	free(q.text);
	return 1;
}

void ctr_line_feed_stop(struct ctr_line_feed *f)
{
	if (f == NULL)
		return;
	/* it may wait in read() for a writer that never comes, or for room */
	pthread_mutex_lock(&f->lock);
	f->stopping = 1;
	pthread_cond_broadcast(&f->room);
	pthread_mutex_unlock(&f->lock);
	pthread_cancel(f->thread);
	pthread_join(f->thread, NULL);
	while (f->count > 0) {
		free(f->slots[f->head].text);
		f->head = (f->head + 1) % QUEUE_SLOTS;
		f->count--;
	}
	close(f->wake[0]);
	close(f->wake[1]);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->room);
	free(f->buf);
	free(f);
}
