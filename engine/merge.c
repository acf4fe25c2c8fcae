/*
 * merge.c - `contrail merge` (see merge.h): every shard is judged fit to
 * merge, then attached to a new database in turn and its tables copied in
 * (merge_tables.c); then the cross-stream states are judged again, the
 * digests summed and the run recorded.
 */
#include "engine/merge.h"
#include "engine/merge_internal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/row_digest.h"
#include "events/timefmt.h"
#include "projections/migrations.h"
#include "projections/projections.h"
#include "projections/store.h"
#include "projections/support.h"

/* How far a shard was replayed: to its end, or until an instant (and its text as given). */
struct replayed_to {
	int64_t until_us; /* INT64_MAX: to the end */
	char text[64];
};

/*
 * How many runs db holds, and how far its runs since its last rebuild (or
 * merge) replayed together: a run without --until took it to its end, and
 * runs with one each added what was known at theirs (only duplicates before
 * it), so the latest instant counts. 0, or err's code.
 */
static int replayed(sqlite3 *db, int64_t *runs, struct replayed_to *to, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_db_prepare(db, "SELECT until, (SELECT count(*) FROM runs) FROM runs WHERE"
				" run_id >= coalesce((SELECT max(run_id) FROM runs WHERE rebuild = 1), 0)",
				&stmt, err), step, ok;

	*runs = 0;
	to->until_us = INT64_MIN;
	to->text[0] = '\0';
	while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(stmt, 0);
		int64_t us = text ? ctr_timestamp_parse(text, &ok) : INT64_MAX;

		*runs = sqlite3_column_int64(stmt, 1);
		if (text == NULL || !ok)
			us = INT64_MAX; /* not an instant: taken as the end, as no --until is */
		if (us > to->until_us) {
			to->until_us = us;
			snprintf(to->text, sizeof(to->text), "%s", us == INT64_MAX ? "" : text);
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * What a shard holds as far as a merge judges it: its meta (the date and
 * options it was judged on and with, a judging left part-way) and its last
 * run, from schema ("main", or "shard" attached). Read when the shard is
 * judged and again in the transaction that copies it: a replay that committed
 * in between would put rows the merge never judged into the report.
 */
static int shard_state(sqlite3 *db, const char *schema, char **state, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char sql[320];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT coalesce((SELECT group_concat(key || '=' || value, ';')"
		 " FROM (SELECT key, value FROM %s.meta ORDER BY key)), '') || '|' ||"
		 " coalesce((SELECT max(run_id) FROM %s.runs), 0)", schema, schema);
	*state = NULL;
	rc = ctr_db_prepare(db, sql, &stmt, err);
	if (rc == 0 && sqlite3_step(stmt) != SQLITE_ROW)
		rc = ctr_db_error(db, CTR_EDB, err);
	if (rc == 0 && (sqlite3_column_text(stmt, 0) == NULL ||
			(*state = strdup((const char *)sqlite3_column_text(stmt, 0))) == NULL))
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	sqlite3_finalize(stmt);
	return rc;
}

/* What a merge reads of a shard to judge it by, in one transaction (read_shard). */
struct shard_meta {
	char *judged_on, *judged_with, *judging; /* NULL: not set */
	int64_t runs;
	struct replayed_to to;
};

static int read_shard(const char *path, struct shard_meta *meta, char **state,
		      struct ctr_error *err)
{
	sqlite3 *db;
	int rc = ctr_db_open(path, CTR_DB_READ, &db, err);

	if (rc != 0)
		return rc;
	rc = ctr_db_exec(db, "BEGIN", err);
	if (rc == 0)
		rc = shard_state(db, "main", state, err);
	if (rc == 0)
		rc = ctr_db_meta_get(db, "judged_on", &meta->judged_on, err);
	if (rc == 0)
		rc = ctr_db_meta_get(db, "judged_with", &meta->judged_with, err);
	if (rc == 0)
		rc = ctr_db_meta_get(db, "judging", &meta->judging, err);
	if (rc == 0)
		rc = replayed(db, &meta->runs, &meta->to, err);
	sqlite3_close(db);
	return rc;
}

/*
 * A shard's runs: one at least, finished, as far as the others' (to, which
 * the first shard sets).
 */
static int check_runs(const char *path, const struct shard_meta *meta, struct replayed_to *to,
		      int first, struct ctr_error *err)
{
	/* a first replay killed before its first commit: its partitions would go missing unseen */
	if (meta->runs == 0)
		return ctr_error_set(err, CTR_EINVAL, "%s holds no finished run; replay into it"
				     " before merging", path);
	if (first)
		*to = meta->to;
	else if (meta->to.until_us != to->until_us)
		return ctr_error_set(err, CTR_EINVAL, "%s was replayed %s%s, the other shards %s%s;"
				     " replay them to one --until", path,
				     *meta->to.text ? "until " : "to its end", meta->to.text,
				     *to->text ? "until " : "to their end", to->text);
	/* rows judged on two dates (a replay on another one stopped part-way): the next replay
	 * of the shard judges them all again; the merge judges only what spans shards */
	if (meta->judging != NULL)
		return ctr_error_set(err, CTR_EINVAL, "%s holds rows judged on %s by a replay that"
				     " has not finished (stopped part-way, or still running); merge"
				     " once a replay of it has finished", path, meta->judging);
	return 0;
}

/* The date and options a judged shard was judged on and with: the others' (none yet: ""). */
static int check_judged(const char *path, struct shard_meta *meta, char date[11], char with[64],
			struct ctr_error *err)
{
	if (meta->judged_with == NULL)
		meta->judged_with = strdup(CTR_JUDGED_WITH_DEFAULT);
	if (meta->judged_with == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (*date && strcmp(date, meta->judged_on) != 0)
		return ctr_error_set(err, CTR_EINVAL, "%s was judged on %s, the other shards on %s;"
				     " replay them with one --business-date", path, meta->judged_on,
				     date);
	if (*with && strcmp(with, meta->judged_with) != 0)
		return ctr_error_set(err, CTR_EINVAL, "%s was judged with %s, the other shards with"
				     " %s; replay them with the same --expiring-days and"
				     " --store-cutoff", path, meta->judged_with, with);
	snprintf(date, 11, "%s", meta->judged_on);
	snprintf(with, 64, "%s", meta->judged_with);
	return 0;
}

/*
 * The business date and the options (projections.h, ctr_judged_with) every
 * shard was judged on and with, and how far it was replayed (first: this is
 * the first shard, whose to the others must match); they must agree, or the
 * report would be as no single replay is. Read in one transaction, with the
 * shard's state (shard_state), which the copy compares.
 */
static int shard_judging(const char *path, char date[11], char with[64],
			 struct replayed_to *to, int first, char **state, struct ctr_error *err)
{
	struct shard_meta meta = { NULL, NULL, NULL, 0, { INT64_MIN, "" } };
	int rc = read_shard(path, &meta, state, err);

	if (rc == 0)
		rc = check_runs(path, &meta, to, first, err);
	if (rc == 0 && meta.judged_on != NULL) /* NULL: an empty shard, judged on no date */
		rc = check_judged(path, &meta, date, with, err);
	free(meta.judging);
	free(meta.judged_on);
	free(meta.judged_with);
	return rc;
}

/* merge_internal.h: ATTACH, bound, so that no path needs quoting */
int ctr_merge_attach_shard(sqlite3 *db, const char *path, struct ctr_error *err)
{
	sqlite3_stmt *attach = NULL;
	char message[256];
	int rc = ctr_db_prepare(db, "ATTACH DATABASE ? AS shard", &attach, err);

	if (rc != 0)
		return rc;
	sqlite3_bind_text(attach, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(attach) != SQLITE_DONE)
		rc = ctr_error_set(err, CTR_EIO, "cannot attach %s: %s", path,
				   ctr_db_message(db, message, sizeof(message)));
	sqlite3_finalize(attach);
	return rc;
}

static int attach_and_copy(sqlite3 *db, const char *path, const char *judged_state,
			   struct ctr_error *err)
{
	char *state = NULL;
	int rc = ctr_merge_attach_shard(db, path, err);

	if (rc != 0)
		return rc;
	rc = ctr_db_exec(db, "BEGIN", err);
	if (rc == 0) /* the shard's snapshot is this transaction's from its first read on */
		rc = shard_state(db, "shard", &state, err);
	if (rc == 0 && strcmp(state, judged_state) != 0)
		rc = ctr_error_set(err, CTR_EDB, "%s changed while it was merged (a replay"
				   " committed into it); merge again once it is done", path);
	free(state);
	if (rc == 0)
		rc = ctr_merge_copy_tables(db, path, err);
	if (rc == 0)
		rc = ctr_db_exec(db, "COMMIT", err);
	else
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(db, "DETACH DATABASE shard", NULL, NULL, NULL);
	return rc;
}

/* S2, S4 and K3 again over the combined rows. */
static int judge_all(sqlite3 *db, const char *date, const char *with, struct ctr_error *err)
{
	struct ctr_projection_options options = { .bulk = 1 };
	struct ctr_support *support = NULL;
	int ok = 1, rc;

	if (*date) {
		options.business_date = ctr_date_parse(date, &ok);
		if (!ok || ctr_judged_with_parse(with, &options) != 0)
			return ctr_error_set(err, CTR_ECORRUPT, "a shard's judging is not readable:"
					     " %s, %s", date, with);
	}
	rc = ctr_support_new(db, &options, &support, err);
	if (rc == 0 && *date)
		rc = ctr_support_judge(support, CTR_SUPPORT_ALL, err);
	ctr_support_free(support);
	if (rc == 0 && *date)
		rc = ctr_judged_note(db, date, with, err);
	/* a migration may span two shards */
	if (rc == 0 && *date)
		rc = ctr_migrations_refresh(db, options.business_date, NULL, err);
	return rc;
}

/* A merge stopped by a signal (ctr_merge_stop). */
static volatile sig_atomic_t merge_stopped;

void ctr_merge_stop(void)
{
	merge_stopped = 1;
}

/*
 * SQLite's progress handler: a statement under way ends (SQLITE_INTERRUPT) once
 * a signal asked the merge to stop. Asked on the merge's own thread, so no
 * handler touches a connection another thread may be closing.
 */
static int stop_asked(void *unused)
{
	(void)unused;
	return merge_stopped;
}

/* The merge's own run: the shards' counts added up, and the merged hash. */
static int record_merge(sqlite3 *db, int shard_count, const char *date, const char *until,
			struct ctr_run_result *result, struct ctr_error *err)
{
	char source[64];
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_db_prepare(db, "INSERT INTO runs (run_id, started_at, finished_at, business_date,"
				" read, applied, duplicates, rejected, projection_hash, source, until,"
				" released, rebuild) SELECT (SELECT coalesce(max(run_id), 0) FROM runs) + 1,"
				" strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
				" ?1, coalesce(sum(read), 0), coalesce(sum(applied), 0),"
				" coalesce(sum(duplicates), 0), coalesce(sum(rejected), 0), ?2, ?3, ?4,"
				" coalesce(sum(released), 0), 1 FROM runs"
				/* a merged shard's runs count once; its merge's run_id is taken all the same */
				" WHERE source NOT LIKE 'merge of %'"
				" RETURNING run_id, read, applied, duplicates, rejected", &stmt, err);

	if (rc != 0)
		return rc;
	snprintf(source, sizeof(source), "merge of %d shards", shard_count);
	sqlite3_bind_text(stmt, 1, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, result->projection_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, source, -1, SQLITE_STATIC);
	if (*until) /* the shards' own, so that the report says it is as of then */
		sqlite3_bind_text(stmt, 4, until, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		result->run_id = sqlite3_column_int64(stmt, 0);
		result->counts.read = sqlite3_column_int64(stmt, 1);
		result->counts.applied = sqlite3_column_int64(stmt, 2);
		result->counts.duplicates = sqlite3_column_int64(stmt, 3);
		result->counts.rejected = sqlite3_column_int64(stmt, 4);
	} else {
		rc = ctr_db_error(db, CTR_EDB, err);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The shards (each as judged, states) copied into db, the new database the
 * report is built in, and judged, summed and recorded together: date, with
 * and until are what every shard was judged on and with, and replayed until.
 */
static int build_report(sqlite3 *db, const char *const *shards, int shard_count,
			char **states, const char *date, const char *with, const char *until,
			struct ctr_run_result *result, struct ctr_error *err)
{
	int rc = 0;

	for (int i = 0; i < shard_count && rc == 0; i++)
		rc = attach_and_copy(db, shards[i], states[i], err);
	if (rc == 0)
		rc = ctr_db_exec(db, "BEGIN", err);
	if (rc == 0)
		rc = ctr_merge_combine_ids(db, shards, shard_count, err);
	if (rc == 0)
		rc = judge_all(db, date, with, err);
	if (rc == 0) /* the file is renamed into place only at the end */
		rc = ctr_row_digest_complete(db, err);
	if (rc == 0)
		rc = ctr_projection_hash_of(db, 0, result->projection_hash, err);
	if (rc == 0)
		rc = record_merge(db, shard_count, date, until, result, err);
	if (rc == 0)
		rc = ctr_db_exec(db, "COMMIT", err);
	return rc;
}

/* ctr_merge, with each shard's state as it was judged in states (shard_state). */
static int merge(const char *out_path, const char *const *shards, int shard_count,
		 char **states, struct ctr_run_result *result, struct ctr_error *err)
{
	char built[4200], date[11] = "", with[64] = "";
	struct replayed_to to = { INT64_MAX, "" };
	sqlite3 *db = NULL;
	int lock_fd = -1, created = 0;
	int rc = ctr_db_check_replaceable(out_path, err);

	for (int i = 0; i < shard_count && rc == 0; i++)
		rc = shard_judging(shards[i], date, with, &to, i == 0, &states[i], err);
	/* a report is replayed into: the report a replay is writing is not renamed over (db.h) */
	if (rc == 0)
		rc = ctr_db_lock_writer(out_path, &lock_fd, &created, err);
	if (rc != 0)
		return rc;
	snprintf(built, sizeof(built), "%s.merging", out_path);
	unlink(built);
	rc = ctr_db_open(built, CTR_DB_CREATE_BULK, &db, err);
	if (db != NULL)
		sqlite3_progress_handler(db, 10000, stop_asked, NULL);
	if (rc == 0)
		rc = build_report(db, shards, shard_count, states, date, with, to.text, result,
				  err);
	sqlite3_close(db);
	if (merge_stopped) /* whatever the interrupted statement reported */
		rc = ctr_error_set(err, CTR_EINTR, "stopped by a signal; %s is left as it was",
				   out_path);
	if (rc == 0)
		rc = ctr_db_replace(built, out_path, err);
	if (rc != 0)
		unlink(built);
	ctr_db_unlock_writer(out_path, lock_fd, created, rc != 0);
	return rc;
}

int ctr_merge(const char *out_path, const char *const *shards, int shard_count,
	      struct ctr_run_result *result, struct ctr_error *err)
{
	char **states = calloc((size_t)shard_count, sizeof(*states));
	int rc;

	memset(result, 0, sizeof(*result));
	merge_stopped = 0; /* a stop asked of an earlier merge in this process is not this one's */
	if (states == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	rc = merge(out_path, shards, shard_count, states, result, err);
	for (int i = 0; i < shard_count; i++)
		free(states[i]);
	free(states);
	return rc;
}
