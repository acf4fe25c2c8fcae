/*
 * engine.c - one replay from start to end (see engine.h): opening the source
 * and the database, resuming from the checkpoints, the transaction each batch
 * ends with, and the final one that judges, hashes and records the run. The
 * reading itself runs on a libuv loop (run_loop.c). A rebuild writes a new
 * file and renames it over the old one.
 */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/engine_internal.h"
#include "engine/invoices_aside.h"
#include "engine/row_digest.h"
#include "events/timefmt.h"

static void now_text(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The one value sql selects; a read that fails is an error, not a 0 (a fresh database, run 0). */
static int single_int(sqlite3 *db, const char *sql, int64_t *value, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_db_prepare(db, sql, &stmt, err);

	if (rc == 0 && sqlite3_step(stmt) != SQLITE_ROW)
		rc = ctr_db_error(db, CTR_EDB, err);
	if (rc == 0)
		*value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Offers the source every stored checkpoint: to resume from, or, for a run
 * that reads from the start whatever the database read (--until), only to
 * refuse another log under the same name, whose events the database would
 * take for those it holds.
 */
static int load_checkpoints(struct ctr_engine *e, int check_only, struct ctr_error *err)
{
	struct ctr_checkpoint cp;
	sqlite3_stmt *stmt = NULL;
	int rc, step = SQLITE_DONE;

	rc = ctr_db_prepare(e->db, "SELECT source, partition, next_offset, byte_offset, block_first,"
			    " fingerprint FROM checkpoints ORDER BY source, partition", &stmt, err);
	while (rc == 0) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		memset(&cp, 0, sizeof(cp));
		snprintf(cp.source, sizeof(cp.source), "%s", (const char *)sqlite3_column_text(stmt, 0));
		cp.partition = sqlite3_column_int64(stmt, 1);
		cp.next_offset = sqlite3_column_int64(stmt, 2);
		cp.byte_offset = sqlite3_column_int64(stmt, 3);
		cp.block_first = sqlite3_column_int64(stmt, 4);
		snprintf(cp.fingerprint, sizeof(cp.fingerprint), "%s",
			 sqlite3_column_text(stmt, 5) ? (const char *)sqlite3_column_text(stmt, 5) : "");
		rc = check_only ? e->source->check(e->source, &cp, err)
				: e->source->seek(e->source, &cp, err);
	}
	/* a read that fails part-way is no end of the rows: the run would start over from offset 0 */
	if (rc == 0 && step != SQLITE_DONE)
		rc = ctr_db_error(e->db, CTR_EDB, err);
	sqlite3_finalize(stmt);
	return rc;
}

static void record_checkpoints(struct ctr_engine *e)
{
	const struct ctr_checkpoint *cps;
	size_t count;

	if (!e->source->resumable || e->options->has_until)
		return; /* a replay up to --until leaves later events for the next run */
	count = e->source->tell(e->source, &cps);
	for (size_t i = 0; i < count; i++) {
		ctr_writes_stmt(e->writes, e->put_checkpoint);
		ctr_writes_text(e->writes, 1, cps[i].source);
		ctr_writes_int(e->writes, 2, cps[i].partition);
		ctr_writes_int(e->writes, 3, cps[i].next_offset);
		ctr_writes_int(e->writes, 4, cps[i].byte_offset);
		ctr_writes_int(e->writes, 5, cps[i].block_first);
		ctr_writes_text(e->writes, 6, cps[i].fingerprint);
		ctr_writes_step(e->writes);
	}
}

/*
 * The run's row, with counts c and the hash of what is committed with it. An
 * incremental run writes it with every batch, so that one killed part-way
 * still counts the events it committed (E3: the next run, which reads on
 * from its checkpoint, has a run_id of its own); the final write replaces it.
 */
static int record_run(struct ctr_engine *e, const char *started, const struct ctr_run_counts *c,
		      char hash[65], struct ctr_error *err)
{
	char finished[32], date[11];
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_projection_hash_of(e->db, 0, hash, err);

	if (rc == 0)
		rc = ctr_db_prepare(e->db, "INSERT OR REPLACE INTO runs (run_id, started_at, finished_at,"
				    " business_date, read, applied, duplicates, rejected,"
				    " projection_hash, source, until, released, rebuild)"
				    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", &stmt, err);
	if (rc != 0)
		return rc;
	now_text(finished);
	ctr_date_format(e->options->business_date, date);
	sqlite3_bind_int64(stmt, 1, e->run_id);
	sqlite3_bind_text(stmt, 2, started, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, finished, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, c->read);
	sqlite3_bind_int64(stmt, 6, c->applied);
	sqlite3_bind_int64(stmt, 7, c->duplicates);
	sqlite3_bind_int64(stmt, 8, c->rejected);
	sqlite3_bind_text(stmt, 9, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 10, e->source->name, -1, SQLITE_STATIC);
	if (e->options->has_until)
		sqlite3_bind_text(stmt, 11, e->options->until_text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 12, c->released);
	sqlite3_bind_int(stmt, 13, e->options->rebuild);
	rc = ctr_db_step_done(e->db, stmt, err); /* on the writer's thread: the message kept whole */
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The projection digests (row_digest.h): an incremental run adds what its
 * triggers reported; a rebuild, which has no triggers while it writes, sums
 * every row once at the end and installs them for the runs after it (in a
 * second transaction, row_sums.c: the file is still the rebuild's own,
 * renamed into place only once the run succeeds).
 */
static int fold_digests(struct ctr_engine *e, int final, struct ctr_error *err)
{
	if (!e->options->rebuild)
		return ctr_row_digest_flush(e->db, err);
	return final ? ctr_row_digest_complete(e->db, err) : 0;
}

/*
 * A statement left on its row keeps its read transaction open, so the loads
 * that follow join it instead of each opening and closing one of their own
 * (WAL-index locks, a look at the file's size: a fifth of an incremental
 * run's loading). Only while no write is in flight: a write commits alone.
 */
void ctr_engine_pin(struct ctr_engine *e)
{
	if (e->read_pin != NULL && !e->pinned)
		e->pinned = sqlite3_step(e->read_pin) == SQLITE_ROW;
}

void ctr_engine_unpin(struct ctr_engine *e)
{
	if (e->pinned)
		sqlite3_reset(e->read_pin);
	e->pinned = 0;
}

void ctr_engine_expect(struct ctr_engine *e)
{
	/* a hint only: without the memory the table keeps doubling as before */
	if (e->source->expected)
		(void)ctr_idset_expect(e->ids, e->source->expected(e->source));
}

int ctr_engine_record(struct ctr_engine *e, struct ctr_error *err)
{
	int rc = ctr_projections_record(e->projections, e->writes);

	if (rc != 0)
		return ctr_error_set(err, rc, "out of memory");
	ctr_streams_record(e, e->writes);
	ctr_rejects_record(e->rejects, e->writes);
	rc = ctr_idset_record(e->ids, e->db, e->writes, err);
	if (rc == 0)
		record_checkpoints(e);
	e->recorded = e->counts; /* the loop reads on while this batch is written */
	e->batch_number++;
	return rc;
}

/*
 * A rebuild's final write, before it judges: the last batch's rows are
 * committed, so that a second connection can start on the invoices (they are
 * computed from the terms just written) while this one judges the rest in a
 * new transaction. Deferred, not immediate: an immediate one would lock the
 * attached file that the second connection writes meanwhile.
 */
static int invoices_aside(struct ctr_engine *e, struct ctr_invoices_aside **aside,
			  struct ctr_error *err)
{
	int rc = ctr_db_exec(e->db, "COMMIT", err);

	if (rc == 0)
		rc = ctr_invoices_aside_start(e->db, e->options->business_date, aside, err);
	if (rc == 0)
		ctr_projections_invoices_taken(e->projections);
	return rc == 0 ? ctr_db_exec(e->db, "BEGIN", err) : rc;
}

/*
 * The end of a rebuild whose invoices are written aside, after its judges:
 * the other tables are summed (by two connections, on the committed file)
 * while the invoices' thread still writes; then the invoices are moved in
 * with the sums that thread kept, and the digests stored (fold_digests does
 * the same in one piece for a rebuild without invoices).
 */
static int complete_aside(struct ctr_engine *e, struct ctr_invoices_aside *aside,
			  struct ctr_error *err)
{
	struct ctr_table_sums sums;
	int rc = ctr_db_exec(e->db, "COMMIT", err);

	memset(&sums, 0, sizeof(sums));
	ctr_invoices_aside_claim(&sums);
	if (rc == 0)
		rc = ctr_row_digest_sum_rest(e->db, &sums, err);
	if (rc == 0) /* before the write lock, which would take the attached file too */
		rc = ctr_invoices_aside_wait(aside, err);
	if (rc == 0)
		rc = ctr_db_exec(e->db, "BEGIN IMMEDIATE", err);
	if (rc == 0)
		rc = ctr_invoices_aside_finish(aside, e->db, &sums, err);
	if (rc == 0)
		rc = ctr_row_digest_store(e->db, &sums, err);
	return rc == 0 ? ctr_row_digest_install(e->db, err) : rc;
}

/*
 * One transaction: the recorded rows, rejections, ids, checkpoints; and the
 * run when final. A rebuild's final write commits more than once, its file
 * renamed into place only once the run succeeds: before its judges, so that
 * its invoices are written aside meanwhile (invoices_aside.h), and before its
 * digests are summed (fold_digests, complete_aside).
 */
int ctr_engine_write(struct ctr_engine *e, const char *started, struct ctr_run_result *final,
		     struct ctr_error *err)
{
	struct ctr_invoices_aside *aside = NULL;
	char hash[65];
	int rc = ctr_db_exec(e->db, "BEGIN IMMEDIATE", err);

	if (rc == 0)
		rc = ctr_writes_run(e->writes, e->db, err);
	if (rc == 0 && final && e->options->rebuild && ctr_projections_invoices_owed(e->projections))
		rc = invoices_aside(e, &aside, err);
	if (rc == 0 && final)
		rc = ctr_projections_judge(e->projections, err);
	if (rc == 0 && aside)
		rc = complete_aside(e, aside, err);
	else if (rc == 0)
		rc = fold_digests(e, final != NULL, err);
	if (rc == 0 && final)
		rc = record_run(e, started, &e->counts, final->projection_hash, err);
	else if (rc == 0 && !e->options->rebuild && e->options->only_stream == NULL &&
		 e->recorded.read > 0) /* a run stopped before it read anything records nothing */
		rc = record_run(e, started, &e->recorded, hash, err);
	if (rc == 0)
		rc = ctr_db_exec(e->db, "COMMIT", err);
	if (rc != 0) {
		ctr_writes_clear(e->writes);
		sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
		ctr_row_digest_discard(e->db);
	}
	ctr_invoices_aside_end(aside, e->db);
	return rc;
}

static int open_parts(struct ctr_engine *e, struct ctr_error *err)
{
	struct ctr_projection_options popts = { e->options->business_date,
						e->options->expiring_days,
						e->options->store_cutoff,
						e->options->rebuild, &e->gate };
	int64_t streams = 0;
	int rc = single_int(e->db, "SELECT count(*) FROM (SELECT 1 FROM streams LIMIT 1)", &streams, err);

	if (rc == 0)
		rc = single_int(e->db, "SELECT coalesce(max(run_id), 0) + 1 FROM runs", &e->run_id, err);
	if (rc != 0)
		return rc;
	e->db_fresh = streams == 0;
	e->streams = ctr_strmap_new();
	e->ids = ctr_idset_new();
	e->writes = ctr_writes_new();
	e->evicted = ctr_keyset_new();
	if (e->streams == NULL || e->ids == NULL || e->writes == NULL || e->evicted == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	/* a rebuild's new file has little to load, and nothing else reads it */
	rc = e->options->rebuild ? 0 : ctr_db_prepare(e->db, "SELECT count(*) FROM meta",
						      &e->read_pin, err);
	if (rc == 0) {
		ctr_engine_pin(e);
		rc = ctr_idset_load(e->ids, e->db, err);
	}
	if (rc == 0)
		rc = ctr_streams_prepare(e, err);
	if (rc == 0)
		rc = ctr_db_prepare(e->db, "INSERT OR REPLACE INTO checkpoints (source, partition,"
				    " next_offset, byte_offset, block_first, fingerprint)"
				    " VALUES (?, ?, ?, ?, ?, ?)", &e->put_checkpoint, err);
	if (rc == 0) {
		e->rejects = ctr_rejects_new(e->db, e->run_id, err);
		rc = e->rejects ? 0 : err->code;
	}
	if (rc == 0)
		rc = ctr_projections_new(e->db, &popts, &e->projections, err);
	if (rc == 0)
		rc = ctr_decoder_new(NULL, 1, &e->retry, err);
	return rc;
}

static void close_parts(struct ctr_engine *e)
{
	if (e->streams)
		ctr_engine_free_streams(e);
	ctr_projections_free(e->projections);
	ctr_rejects_free(e->rejects);
	ctr_streams_finalize(e);
	ctr_idset_free(e->ids);
	ctr_decoder_free(e->retry);
	ctr_writes_free(e->writes);
	ctr_keyset_free(e->evicted);
	ctr_keyset_free(e->held_ids);
	sqlite3_finalize(e->read_pin);
	sqlite3_finalize(e->put_checkpoint);
	sqlite3_close(e->db);
}

static int open_database(struct ctr_engine *e, const char *target, struct ctr_error *err)
{
	if (!e->options->rebuild)
		return ctr_db_open(target, CTR_DB_WRITE, &e->db, err);
	unlink(target);
	ctr_invoices_aside_remove(target);
	return ctr_db_open(target, CTR_DB_CREATE_BULK, &e->db, err);
}

/*
 * A rebuild killed before its end (SIGKILL, a crash) leaves its new file, and
 * its invoices' files, beside the database. While this run holds the writer
 * lock no rebuild can be on its way, so they are a dead run's and are removed
 * rather than kept until the next rebuild.
 */
static void remove_killed_rebuild(const char *db_path)
{
	char built[4200];

	snprintf(built, sizeof(built), "%s.rebuild", db_path);
	unlink(built);
	ctr_invoices_aside_remove(built);
}

/*
 * Everything a run reads and writes, up to where it resumes from: the source,
 * the writer lock (*lock_fd, *created), the database at target (a rebuild's
 * new file, or the database itself) and the engine's parts.
 */
static int open_run(struct ctr_engine *e, const char *source_spec, const char *target,
		    int *lock_fd, int *created, struct ctr_error *err)
{
	const struct ctr_replay_options *options = e->options;
	int rc = options->rebuild ? ctr_db_check_replaceable(options->db_path, err) : 0;

	if (rc == 0)
		rc = ctr_source_open(source_spec, options->source_options, &e->source, err);
	if (rc == 0 && strcmp(options->db_path, ":memory:") != 0) /* an audit's is its own */
		rc = ctr_db_lock_writer(options->db_path, lock_fd, created, err);
	if (rc == 0 && *lock_fd >= 0 && !options->rebuild)
		remove_killed_rebuild(options->db_path);
	/*
	 * A run into a database reads a line finished later then, in that run or the
	 * next (an --until run's rejection of its first half would stay); an audit's
	 * database is gone with it.
	 */
	if (rc == 0)
		e->source->hold_partial_line = options->only_stream == NULL;
	if (rc == 0)
		rc = open_database(e, target, err);
	if (rc == 0)
		rc = open_parts(e, err);
	if (rc == 0 && !options->rebuild && e->source->resumable)
		rc = load_checkpoints(e, options->has_until, err);
	return rc;
}

int ctr_replay(const char *source_spec, const struct ctr_replay_options *options,
	       struct ctr_run_result *result, struct ctr_error *err)
{
	struct ctr_engine e = { .options = options };
	char started[32], built[4200];
	const char *target = options->db_path;
	int lock_fd = -1, created = 0;
	int rc;

	memset(result, 0, sizeof(*result));
	ctr_db_gate_init(&e.gate);
	now_text(started);
	if (options->rebuild) {
		snprintf(built, sizeof(built), "%s.rebuild", options->db_path);
		target = built;
	}
	rc = open_run(&e, source_spec, target, &lock_fd, &created, err);
	if (rc == 0)
		rc = ctr_engine_run(&e, started, result, err);
	result->counts = e.counts;
	result->run_id = e.run_id;
	result->partial_line_left = e.source ? e.source->partial_line_left : 0;
	close_parts(&e);
	ctr_db_gate_deinit(&e.gate);
	if (rc == 0 && options->rebuild)
		rc = ctr_db_replace(built, options->db_path, err);
	/*
	 * A rebuild's positions are told the source (a Kafka group's committed
	 * offsets, which lag tools read) once its file is in place: its batches
	 * went to a file that a stop or a failure throws away (run_loop.c).
	 */
	if (rc == 0 && options->rebuild && e.source != NULL && e.source->committed != NULL)
		e.source->committed(e.source);
	ctr_source_close(e.source);
	if (rc != 0 && options->rebuild && lock_fd >= 0)
		unlink(built); /* only its own: another run's may be on its way */
	ctr_db_unlock_writer(options->db_path, lock_fd, created, rc != 0);
	return rc;
}
