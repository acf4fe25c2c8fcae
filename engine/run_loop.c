/*
 * run_loop.c - the libuv loop that drives a replay. Events are read on the
 * loop: a Kafka source when its queue's event fd turns readable, a file
 * source from an idle handle. Each full batch is written on libuv's thread
 * pool; reading pauses until it is committed, because the batch is the
 * in-memory state the next events change (librdkafka keeps fetching
 * meanwhile). SIGINT and SIGTERM let the batch being read commit and end the
 * run; a timer draws progress.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "engine/engine_internal.h"

#define EVENTS_PER_TURN 4096 /* then the loop looks at signals and timers */
#define PROGRESS_MS 500
#define WAKE_MS 10           /* a Kafka source is also looked at this often: librdkafka
                              * writes its fd only when its queue turns non-empty */

struct run_loop {
	uv_loop_t loop;
	uv_idle_t idle;
	uv_poll_t poll;
	uv_timer_t wake, progress;
	uv_signal_t sigint, sigterm;
	uv_work_t work;
	struct ctr_engine *e;
	const char *started;
	struct ctr_run_result *result;
	struct ctr_error *err;
	int rc;
	int fd;                /* the source's readiness fd, or -1 */
	int reading, finished;
	long batch, since_flush;
	uint64_t started_ms;
};

static void read_more(struct run_loop *l);

static void stop_reading(struct run_loop *l)
{
	l->reading = 0;
	if (l->fd >= 0) {
		uv_poll_stop(&l->poll);
		uv_timer_stop(&l->wake);
	} else {
		uv_idle_stop(&l->idle);
	}
}

static void on_poll(uv_poll_t *handle, int status, int events)
{
	(void)status;
	(void)events;
	read_more(handle->data);
}

static void on_idle(uv_idle_t *handle)
{
	read_more(handle->data);
}

static void on_wake(uv_timer_t *handle)
{
	read_more(handle->data);
}

static void start_reading(struct run_loop *l)
{
	l->reading = 1;
	if (l->fd >= 0) {
		uv_poll_start(&l->poll, UV_READABLE, on_poll);
		uv_timer_start(&l->wake, on_wake, 0, WAKE_MS); /* at once: the queue may hold events */
	} else {
		uv_idle_start(&l->idle, on_idle);
	}
}

static void close_handles(struct run_loop *l)
{
	uv_handle_t *handles[] = {
		(uv_handle_t *)&l->idle, (uv_handle_t *)&l->poll, (uv_handle_t *)&l->wake,
		(uv_handle_t *)&l->progress, (uv_handle_t *)&l->sigint, (uv_handle_t *)&l->sigterm,
	};

	for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++)
		if (handles[i]->loop == &l->loop && !uv_is_closing(handles[i]))
			uv_close(handles[i], NULL);
}

/* The run is over: the final flush has run (or an error stopped it). */
static void finish(struct run_loop *l)
{
	l->finished = 1;
	stop_reading(l);
	close_handles(l);
}

static void flush_work(uv_work_t *req)
{
	struct run_loop *l = req->data;

	l->rc = ctr_engine_flush(l->e, l->started, l->finished ? l->result : NULL, l->err);
}

static void flush_done(uv_work_t *req, int status)
{
	struct run_loop *l = req->data;

	(void)status;
	if (l->finished) {
		close_handles(l);
		return;
	}
	if (l->rc == 0 && l->e->options->after_flush)
		l->e->options->after_flush(l->e->options->observe_ctx, l->e->db);
	if (l->rc == 0)
		l->rc = ctr_streams_evict_idle(l->e);
	if (l->rc != 0) {
		finish(l);
		return;
	}
	l->e->batch_number++;
	l->since_flush = 0;
	start_reading(l);
}

static void flush_on_pool(struct run_loop *l, int final)
{
	stop_reading(l);
	l->finished = final;
	l->work.data = l;
	uv_queue_work(&l->loop, &l->work, flush_work, flush_done);
}

/* The source failed: keep what was read before the damage; the run itself is not recorded. */
static void fail(struct run_loop *l, int rc)
{
	struct ctr_error flush_err;

	ctr_engine_flush(l->e, l->started, NULL, &flush_err);
	l->rc = rc;
	finish(l);
}

static void drain_fd(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		continue;
}

static void read_more(struct run_loop *l)
{
	const struct ctr_replay_options *o = l->e->options;
	struct ctr_event ev;
	int rc = 1;

	if (!l->reading)
		return;
	if (l->fd >= 0)
		drain_fd(l->fd); /* before reading: a wakeup after the last event stays pending */
	for (int n = 0; n < EVENTS_PER_TURN; n++) {
		if (o->stop && *o->stop) {
			l->result->interrupted = 1;
			flush_on_pool(l, 1);
			return;
		}
		rc = l->e->source->next(l->e->source, &ev, l->err);
		if (rc == CTR_SOURCE_AGAIN) {
			/* caught up (following a topic): what was read is committed now */
			if (l->since_flush > 0 && l->e->source->lag && l->e->source->lag(l->e->source) == 0)
				flush_on_pool(l, 0);
			return; /* else the fd or the wake timer calls again */
		}
		if (rc <= 0)
			break;
		if (o->only_stream && strcmp(ev.stream, o->only_stream) != 0)
			continue; /* an audit reads one stream */
		int failed = ctr_engine_process(l->e, &ev, l->err);
		if (failed != 0) {
			l->rc = failed;
			finish(l);
			return;
		}
		if (l->batch > 0 && ++l->since_flush >= l->batch) {
			flush_on_pool(l, 0);
			return;
		}
	}
	if (rc < 0)
		fail(l, rc);
	else if (rc == 0)
		flush_on_pool(l, 1);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void on_progress(uv_timer_t *handle)
{
	struct run_loop *l = handle->data;
	const struct ctr_replay_options *o = l->e->options;
	struct ctr_progress p = { .counts = &l->e->counts, .lag = -1 };
	uint64_t elapsed = now_ms() - l->started_ms;

	p.events_per_second = elapsed ? (double)l->e->counts.read * 1000.0 / (double)elapsed : 0;
	if (l->e->source->lag)
		p.lag = l->e->source->lag(l->e->source);
	o->progress(&p, o->progress_ctx);
}

static void on_signal(uv_signal_t *handle, int signum)
{
	struct run_loop *l = handle->data;

	(void)signum;
	if (l->e->options->stop)
		*l->e->options->stop = 1;
}

static void init_handles(struct run_loop *l)
{
	const struct ctr_replay_options *o = l->e->options;

	uv_idle_init(&l->loop, &l->idle);
	l->idle.data = l;
	uv_timer_init(&l->loop, &l->wake);
	l->wake.data = l;
	if (l->fd >= 0) {
		uv_poll_init(&l->loop, &l->poll, l->fd);
		l->poll.data = l;
	}
	if (o->progress) {
		uv_timer_init(&l->loop, &l->progress);
		l->progress.data = l;
		uv_timer_start(&l->progress, on_progress, PROGRESS_MS, PROGRESS_MS);
	}
	if (o->stop) {
		uv_signal_init(&l->loop, &l->sigint);
		uv_signal_init(&l->loop, &l->sigterm);
		l->sigint.data = l->sigterm.data = l;
		uv_signal_start(&l->sigint, on_signal, SIGINT);
		uv_signal_start(&l->sigterm, on_signal, SIGTERM);
	}
}

int ctr_engine_run(struct ctr_engine *e, const char *started, struct ctr_run_result *result,
		   struct ctr_error *err)
{
	struct run_loop l = { .e = e, .started = started, .result = result, .err = err };
	int rc = uv_loop_init(&l.loop);

	if (rc != 0)
		return ctr_error_set(err, CTR_EIO, "libuv: %s", uv_strerror(rc));
	l.batch = e->options->batch > 0 ? e->options->batch
		  : e->options->rebuild ? CTR_REBUILD_BATCH : CTR_DEFAULT_BATCH;
	l.fd = e->source->ready_fd ? e->source->ready_fd(e->source) : -1;
	l.started_ms = now_ms();
	init_handles(&l);
	start_reading(&l);
	uv_run(&l.loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(&l.loop);
	if (l.rc == 0 && rc != 0)
		l.rc = ctr_error_set(err, CTR_EIO, "libuv: %s", uv_strerror(rc));
	return l.rc;
}
