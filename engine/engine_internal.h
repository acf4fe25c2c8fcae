/*
 * engine_internal.h - the state of one replay, shared by engine.c (the run),
 * order.c (E1, E2: dedupe, ordering, held events), rejects.c (E3),
 * streams_sql.c (stream bookkeeping) and run_loop.c (batches read while the
 * last is written). Not for use outside engine/.
 */
#ifndef CTR_ENGINE_INTERNAL_H
#define CTR_ENGINE_INTERNAL_H

#include <sqlite3.h>

#include "engine/db_gate.h"
#include "engine/engine.h"
#include "engine/idset.h"
#include "engine/keyset.h"
#include "engine/source.h"
#include "engine/strmap.h"
#include "engine/writes.h"
#include "events/decode.h"
#include "projections/projections.h"

/* An event waiting for the seq before it (E2), kept as its JSON line. */
struct ctr_held {
	int64_t seq;
	char *id;
	uint64_t digest;
	char *json;
	char *position;  /* its rejected_events row */
	int this_run;    /* read in this run (counts move) or an earlier one */
};

struct ctr_rejects;

struct ctr_engine {
	const struct ctr_replay_options *options;
	sqlite3 *db;
	int db_fresh;            /* no stream was stored before this run */
	struct ctr_keyset *evicted;  /* streams dropped from memory in this run (if db_fresh) */
	/* the ids of the events held since none was, a key each: an event whose id is
	 * not among them is no held event's duplicate, asked without a walk of its
	 * stream's held events (NULL while none is held, so a --follow run does not
	 * keep every id it ever held) */
	struct ctr_keyset *held_ids;
	int64_t held_total;          /* events held in every stream in memory */
	int64_t run_id;
	struct ctr_source *source;
	struct ctr_projections *projections;
	struct ctr_idset *ids;
	struct ctr_strmap *streams;
	/* the streams whose row the batch writes, in the order first touched: a list
	 * through the streams themselves, so that marking one cannot fail */
	struct ctr_stream *dirty_first, **dirty_end;
	struct ctr_rejects *rejects;
	struct ctr_decoder *retry;   /* decodes held events */
	struct ctr_run_counts counts;
	struct ctr_run_counts recorded; /* counts as the batch being written was recorded */
	int64_t batch_number;    /* batches recorded so far in this run */
	sqlite3_stmt *get_stream, *put_stream, *get_held, *put_checkpoint;
	struct ctr_writes *writes;   /* the batch being written */
	struct ctr_db_gate gate;     /* loads wait while it is */
	sqlite3_stmt *read_pin;      /* stepped and not reset: the loads' read transaction */
	int pinned;
};

/*
 * engine.c: a flush in two halves. ctr_engine_record, on the loop thread,
 * records the batch's changed rows, rejections, ids and checkpoints into
 * e->writes and leaves the in-memory state clean; ctr_engine_write, on the
 * thread pool, runs them in one transaction (with final, the run's end too).
 */
int ctr_engine_record(struct ctr_engine *e, struct ctr_error *err);
int ctr_engine_write(struct ctr_engine *e, const char *started, struct ctr_run_result *final,
		     struct ctr_error *err);
/*
 * engine.c: between writes, the loop's loads share one read transaction
 * (pin); it is let go before each write is handed to the pool (unpin).
 */
void ctr_engine_pin(struct ctr_engine *e);
void ctr_engine_unpin(struct ctr_engine *e);
/*
 * engine.c: sizes the E1 id table for what the source expects is left, so it
 * grows in a step or two instead of doubling its way to the run's size.
 */
void ctr_engine_expect(struct ctr_engine *e);
/* run_loop.c: reads the source to its end (or a stop) on a libuv loop, flushing each batch. */
int ctr_engine_run(struct ctr_engine *e, const char *started, struct ctr_run_result *result,
		   struct ctr_error *err);

/* order.c: one event read from the source. Negative with err only when fatal. */
int ctr_engine_process(struct ctr_engine *e, struct ctr_event *ev, struct ctr_error *err);
void ctr_engine_free_streams(struct ctr_engine *e);

/* streams_sql.c */
int ctr_streams_prepare(struct ctr_engine *e, struct ctr_error *err);
void ctr_streams_finalize(struct ctr_engine *e);
/* The stream named name (hash: its ctr_strmap_hash), created (family) or loaded from the database. */
struct ctr_stream *ctr_streams_get(struct ctr_engine *e, const char *name, uint64_t hash,
				   enum ctr_family family, struct ctr_error *err);
/*
 * The stream named name if it is in memory, or stored holding events (loaded
 * then); else *out NULL, and no stream is made. 0, or an error reading it.
 */
int ctr_streams_find_holding(struct ctr_engine *e, const char *name, uint64_t hash,
			     struct ctr_stream **out, struct ctr_error *err);
void ctr_streams_touch(struct ctr_engine *e, struct ctr_stream *stream);
/* Keeps id among the held ones (e->held_ids) and counts it: 0, or CTR_ENOMEM. */
int ctr_engine_note_held(struct ctr_engine *e, const char *id);
/* order.c: frees the events stream holds in memory and uncounts them (their rows stay). */
void ctr_engine_forget_held(struct ctr_engine *e, struct ctr_stream *stream);
void ctr_streams_record(struct ctr_engine *e, struct ctr_writes *w);
/* After batch written is committed: forgets the streams it did not touch (they reload on demand). */
int ctr_streams_evict_idle(struct ctr_engine *e, int64_t written);

/* rejects.c: pending changes to rejected_events, written at the next flush (NULL: err says why). */
struct ctr_rejects *ctr_rejects_new(sqlite3 *db, int64_t run_id, struct ctr_error *err);
void ctr_rejects_free(struct ctr_rejects *r);
/* A new row for ev (held_json: the event is held, E2). */
int ctr_rejects_add(struct ctr_rejects *r, const char *position, const struct ctr_event *ev,
		    enum ctr_code code, const char *message, const char *held_json);
/* A held event was applied: its row leaves rejected_events. */
int ctr_rejects_remove(struct ctr_rejects *r, const char *position);
/* A held event was rejected by a rule (or fell behind): its row keeps the new code. */
int ctr_rejects_recode(struct ctr_rejects *r, const char *position, enum ctr_code code,
		       const char *message);
void ctr_rejects_record(struct ctr_rejects *r, struct ctr_writes *w);

#endif
