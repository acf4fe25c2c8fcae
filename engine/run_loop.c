/*
 * run_loop.c - the libuv loop that drives a replay. Events are read on the
 * loop: a file source from an idle handle, a Kafka source from one too while
 * its queue may hold messages, else when its queue's event fd turns readable.
 * When a batch is full its writes are recorded (engine.c) and run on libuv's
 * thread pool while the loop goes on reading and applying the next batch; one
 * batch is written at a time, so reading pauses only when the next one is full
 * before the last is committed (or, for an audit, which looks at every batch
 * as committed, until it is).
 * SIGINT and SIGTERM let the batch being read commit and end the run; a
 * timer draws progress.
 */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "engine/engine_internal.h"

#define EVENTS_PER_TURN 4096 /* then the loop looks at signals and timers */
#define PROGRESS_MS 500
#define WAKE_MS 10           /* a waiting Kafka source is also looked at this often: a
                              * rebalance or an error met inside a poll changes its state
                              * with nothing queued, so nothing writes its fd */
#define QUIET_MS 1000        /* a fed source with nothing new this long has its reads committed */

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
	int overlap;           /* read on while a batch is written */
	int writing;           /* a batch's writes are on the pool */
	int writing_final;     /* ... and they end the run */
	int flush_wanted;      /* a batch is ready for when the writing one is committed */
	int ending;            /* no more reading: the final write is next */
	int source_rc;         /* the source failed: the run ends with it once its reads are kept */
	int reached_end;       /* a fed source had nothing left (lag 0) at least once */
	struct ctr_error write_err;
	int write_rc;
	long batch, since_flush;
	uint64_t started_ms;
	uint64_t quiet_since_ms; /* when a fed source last had nothing to give, or 0 */
};

static void read_more(struct run_loop *l);

static void stop_reading(struct run_loop *l)
{
	l->reading = 0;
	uv_idle_stop(&l->idle);
	if (l->fd >= 0) {
		uv_poll_stop(&l->poll);
		uv_timer_stop(&l->wake);
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
	/*
	 * Closing the watchers put back the signals' default action, which would
	 * end the process in what is left of a run that read and wrote all it
	 * had to: a rebuild's rename into place, the summary (engine.h).
	 */
	if (l->e->options->stop) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
	}
}

/* The run is over (or an error stopped it); an unfinished write still reports back. */
static void finish(struct run_loop *l, int rc)
{
	if (l->rc == 0)
		l->rc = rc;
	if (l->finished)
		return;
	l->finished = 1;
	stop_reading(l);
	close_handles(l);
}

static void write_work(uv_work_t *req)
{
	struct run_loop *l = req->data;
	/*
	 * A run the source stopped part-way still ends as a run: what it read is
	 * committed, so it is judged and recorded (its counts, its hash, a run_id of
	 * its own) like any other. Not a rebuild's, whose file is thrown away, nor
	 * one stopped before it read anything (a refused checkpoint or partition).
	 * The counts are read only for the final write: the loop has stopped by then.
	 */
	struct ctr_run_result *final = NULL;

	if (l->writing_final &&
	    (l->source_rc == 0 || (!l->e->options->rebuild && l->e->counts.read > 0)))
		final = l->result;

	l->write_rc = ctr_engine_write(l->e, l->started, final, &l->write_err);
	ctr_db_gate_open(&l->e->gate);
}

static void start_write(struct run_loop *l, int final);

static void write_done(uv_work_t *req, int status)
{
	struct run_loop *l = req->data;
	struct ctr_engine *e = l->e;
	int rc = l->write_rc;

	(void)status;
	l->writing = 0;
	if (rc != 0) { /* its rollback may be what failed a load on the loop meanwhile */
		*l->err = l->write_err;
		l->rc = rc;
	} else if (e->source->committed && !e->options->rebuild) {
		e->source->committed(e->source); /* a rebuild's, once it is in place (engine.c) */
	}
	if (l->finished || rc != 0 || l->writing_final) {
		finish(l, rc != 0 ? rc : l->source_rc);
		return;
	}
	if (e->options->after_flush)
		e->options->after_flush(e->options->observe_ctx, e->db);
	if (l->ending) { /* its streams go while it is written: nothing to evict first */
		start_write(l, 1);
		return;
	}
	rc = ctr_streams_evict_idle(e, e->batch_number - 1);
	if (rc != 0) {
		finish(l, ctr_error_set(l->err, rc, "out of memory"));
		return;
	}
	if (l->flush_wanted) {
		l->flush_wanted = 0;
		start_write(l, 0);
	} else {
		ctr_engine_pin(e);
		if (!l->reading)
			start_reading(l);
	}
}

/* Records the batch read so far and hands its writes to the pool. */
static void start_write(struct run_loop *l, int final)
{
	int rc = ctr_engine_record(l->e, l->err);

	if (rc != 0) {
		finish(l, rc);
		return;
	}
	l->since_flush = 0;
	l->writing = 1;
	l->writing_final = final;
	if (final || !l->overlap)
		stop_reading(l);
	else if (!l->reading)
		start_reading(l);
	ctr_engine_unpin(l->e);
	ctr_db_gate_close(&l->e->gate);
	l->work.data = l;
	uv_queue_work(&l->loop, &l->work, write_work, write_done);
	if (final) {
		/* Nothing reads or loads a stream after the last write is recorded (its record
		 * holds copies), so they are freed now, on this otherwise idle core, instead of
		 * at close after the write: the judges and digests take a second or more. */
		ctr_engine_free_streams(l->e);
		l->e->streams = NULL;
	}
}

/* A batch is ready: written now, or once the one being written is committed. */
static void flush(struct run_loop *l)
{
	if (!l->writing) {
		start_write(l, 0);
		return;
	}
	l->flush_wanted = 1;
	stop_reading(l); /* one batch in memory besides the one being written */
}

/* No more reading: the last batch (and, unless the source failed, the run's end) is written. */
static void end(struct run_loop *l, int source_rc)
{
	l->ending = 1;
	l->source_rc = source_rc;
	stop_reading(l);
	if (!l->writing)
		start_write(l, 1);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Whether what a fed source gave so far should be committed now that it has
 * nothing more: a followed topic at its end at once; any fed source once it
 * has been quiet for QUIET_MS, since a topic whose last offsets are
 * transaction markers never shows a lag of 0, and a pipe has no lag at all.
 */
static int caught_up(struct run_loop *l)
{
	struct ctr_source *src = l->e->source;
	uint64_t now = now_ms();

	if (src->lag && src->lag(src) == 0)
		return 1;
	if (l->quiet_since_ms == 0)
		l->quiet_since_ms = now;
	return now - l->quiet_since_ms >= QUIET_MS;
}

static void drain_fd(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		continue;
}

/* A signal asked the run to stop: what was read is committed, unless a rebuild is unfinished. */
static void stop_for_signal(struct run_loop *l)
{
	const struct ctr_replay_options *o = l->e->options;

	l->result->interrupted = 1;
	if (o->rebuild && !l->reached_end)
		finish(l, ctr_error_set(l->err, CTR_EINTR, "stopped by a signal before the rebuild"
					" read its whole source: %s left as it was", o->db_path));
	else
		end(l, 0);
}

/*
 * A turn ended by the source (rc 0 or negative) or by its length (rc 1). A
 * failed source's run keeps what was read before the damage, and is recorded
 * (write_work).
 */
static void end_turn(struct run_loop *l, int rc)
{
	if (rc < 0)
		end(l, rc);
	else if (rc == 0)
		end(l, 0);
	else if (l->fd >= 0 && l->reading)
		/* the turn is over but the queue may hold more, and its fd was drained as the
		 * turn began (librdkafka writes it only when the queue turns non-empty): come
		 * back at once, not when the wake timer next fires (a quarter of a replay's
		 * wall time went to those waits) */
		uv_idle_start(&l->idle, on_idle);
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
	for (int n = 0; n < EVENTS_PER_TURN && l->reading; n++) {
		if (o->stop && *o->stop) {
			stop_for_signal(l);
			return;
		}
		rc = l->e->source->next(l->e->source, &ev, l->err);
		if (rc == CTR_SOURCE_AGAIN) {
			if (l->e->source->lag && l->e->source->lag(l->e->source) == 0)
				l->reached_end = 1;
			if (l->since_flush > 0 && !l->writing && caught_up(l))
				flush(l);
			if (l->fd >= 0)
				uv_idle_stop(&l->idle); /* the fd or the wake timer calls again */
			return;
		}
		if (rc <= 0)
			break;
		l->quiet_since_ms = 0;
		if (o->only_stream && strcmp(ev.stream, o->only_stream) != 0)
			continue; /* an audit reads one stream */
		int failed = ctr_engine_process(l->e, &ev, l->err);
		if (failed != 0) {
			finish(l, failed);
			return;
		}
		l->result->read_while_writing += l->writing;
		if (l->since_flush == 0) /* a batch begins: the source has read some by now */
			ctr_engine_expect(l->e);
		if (l->batch > 0 && ++l->since_flush >= l->batch)
			flush(l);
	}
	end_turn(l, rc);
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
	l.overlap = e->options->after_flush == NULL;
	l.started_ms = now_ms();
	init_handles(&l);
	start_reading(&l);
	uv_run(&l.loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(&l.loop);
	if (l.rc == 0 && rc != 0)
		l.rc = ctr_error_set(err, CTR_EIO, "libuv: %s", uv_strerror(rc));
	return l.rc;
}
