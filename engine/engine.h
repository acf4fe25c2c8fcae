/*
 * engine.h - replaying a source into a contrail database.
 *
 * The engine reads events from a source, orders and dedupes them per stream
 * (DOMAIN.md E1-E3), applies them to the in-memory projections, and every
 * `batch` events writes the changed rows, the rejected events, the ids seen
 * and the source checkpoint in one SQLite transaction. The last transaction
 * also judges date-dependent states, computes the projection hash (E4a) and
 * records the run.
 */
#ifndef CTR_ENGINE_H
#define CTR_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include <sqlite3.h>

#include "engine/source.h"
#include "events/error.h"
#include "events/event.h"

struct ctr_run_counts {
	int64_t read;       /* events read from the source in this run */
	int64_t applied;
	int64_t duplicates;
	int64_t rejected;   /* read = applied + duplicates + rejected (E3) */
	int64_t released;   /* events held by an earlier run and applied in this one */
	int64_t skipped;    /* recorded after --until: not read into this replay */
};

struct ctr_progress {
	const struct ctr_run_counts *counts;
	double events_per_second;   /* read since the run started */
	int64_t lag;                /* messages left to read (Kafka); -1 when not known */
};

struct ctr_replay_options {
	const char *db_path;
	int rebuild;              /* build a new file and rename it over db_path */
	long batch;               /* events per transaction; 0: the default */
	int32_t business_date;    /* E5, days since 1970-01-01 */
	int has_until;
	int64_t until_us;         /* E5: only events recorded at or before this */
	const char *until_text;
	int expiring_days;        /* L5 */
	int32_t store_cutoff;     /* K3, days since 1970-01-01 */
	/* Called twice a second while the run goes on (may be NULL). */
	void (*progress)(const struct ctr_progress *progress, void *ctx);
	void *progress_ctx;
	/* A Kafka source's group, settings and --follow (may be NULL). */
	const struct ctr_source_options *source_options;
	/*
	 * When it becomes non-zero the run commits what it has read and stops.
	 * Set, the run watches SIGINT and SIGTERM from the start of its reading
	 * (one sent before ends the process: nothing is written yet), and ignores
	 * them once its watchers close, so that a run that has done its work is
	 * not cut short while it puts a rebuild in place; a caller that goes on
	 * after the run sets their actions again.
	 */
	volatile sig_atomic_t *stop;
	/* An audit: only this stream's events are read into the run (NULL: every stream). */
	const char *only_stream;
	/* Told what happened to each event: outcome is applied, duplicate, held or rejected. */
	void (*observe)(void *ctx, const struct ctr_event *ev, const char *outcome,
			const char *code, const char *message);
	/* Called after each committed batch with the database (an audit uses --batch 1). */
	void (*after_flush)(void *ctx, sqlite3 *db);
	void *observe_ctx;
};

struct ctr_run_result {
	struct ctr_run_counts counts;
	int64_t run_id;
	char projection_hash[65];
	int interrupted;
	/* events read (applied, duplicates, rejected) while an earlier batch was written */
	int64_t read_while_writing;
	/* the bytes of a JSON Lines file's last line, not yet whole, left for the next run */
	int64_t partial_line_left;
};

#define CTR_DEFAULT_BATCH 50000
#define CTR_REBUILD_BATCH 200000 /* into the new file, renamed into place only at the end */

/*
 * Replays source_spec into options->db_path. On a fatal error (an unreadable
 * or corrupt source or database) what was committed before stays committed
 * and err says what happened; result->counts hold what was read.
 */
int ctr_replay(const char *source_spec, const struct ctr_replay_options *options,
	       struct ctr_run_result *result, struct ctr_error *err);

#endif
