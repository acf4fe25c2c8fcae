/*
 * merge_tables.c - a merge's copy of one attached shard's tables into the
 * report (see merge_internal.h): most copied as they are, support ids by
 * their latest placement, the runs numbered on from the report's.
 */
#include "engine/merge_internal.h"

#include <stdio.h>
#include <string.h>

#include "engine/db.h"

/* Tables copied as they are: shards never share a key of these. */
static const char *const disjoint_tables[] = {
	"contracts", "contract_products", "environments", "allocations", "members",
	"group_companies", "customers", "store_accounts", "billing_terms", "seat_changes",
	"invoices", "invoice_lines", "streams", "rejected_events", "checkpoints", NULL,
};

/*
 * Why a shard's table could not be copied: a key already there is two shards
 * holding one row (exit 3); a damaged shard is bad data too, as is a row that
 * breaks another of the table's constraints (NOT NULL); anything else (a full
 * disk, an I/O error) is a write of the report that failed, as another's.
 */
static int copy_failed(sqlite3 *db, const char *path, const char *table, struct ctr_error *err)
{
	int extended = sqlite3_extended_errcode(db), code = extended & 0xff;

	if (extended == SQLITE_CONSTRAINT_PRIMARYKEY || extended == SQLITE_CONSTRAINT_UNIQUE)
		return ctr_error_set(err, CTR_ECORRUPT, "%s overlaps another shard in %s: %s",
				     path, table, sqlite3_errmsg(db));
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB || code == SQLITE_CONSTRAINT)
		return ctr_error_set(err, CTR_ECORRUPT, "%s is damaged in %s: %s", path, table,
				     sqlite3_errmsg(db));
	ctr_db_error(db, CTR_EWRITE, err);
	ctr_error_prefix(err, "copying %s of %s: ", table, path);
	return CTR_EWRITE;
}

/* Runs sql, which copies rows of table from the shard at path; copy_failed() says why not. */
static int copy_rows(sqlite3 *db, const char *path, const char *table, const char *sql,
		     struct ctr_error *err)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0
		: copy_failed(db, path, table, err);
}

/*
 * Two shards holding one partition of one source read its accounts twice: named
 * before any row is copied, since their rows would collide in whichever table
 * comes first, which says less.
 */
static int shared_partition(sqlite3 *db, const char *path, struct ctr_error *err)
{
	sqlite3_stmt *st;
	int rc = ctr_db_prepare(db, "SELECT s.source, s.partition FROM shard.checkpoints s"
				" JOIN main.checkpoints m USING (source, partition)"
				" ORDER BY s.source, s.partition LIMIT 1", &st, err);

	if (rc != 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *source = (const char *)sqlite3_column_text(st, 0);
		char partition[40] = "";

		if (strncmp(source, "kafka:", 6) == 0) /* a file's one "partition" goes unsaid */
			snprintf(partition, sizeof(partition), " partition %lld",
				 (long long)sqlite3_column_int64(st, 1));
		rc = ctr_error_set(err, CTR_ECORRUPT, "%s holds %s%s, which another shard holds"
				   " too: its accounts would be merged twice", path, source,
				   partition);
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = copy_failed(db, path, "checkpoints", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int copy_disjoint(sqlite3 *db, const char *path, struct ctr_error *err)
{
	char sql[1024];
	int rc;

	for (int i = 0; disjoint_tables[i]; i++) {
		const char *table = disjoint_tables[i];

		/*
		 * rejected_events keeps its rows' order: held events are taken up in it. WHERE 1
		 * keeps SQLite from copying records as they lie (its transfer of rows between
		 * tables of one shape): each is decoded, so a damaged one stops the copy here,
		 * named with its shard, instead of passing into the report (no slower: measured
		 * on a 135 MB shard)
		 */
		snprintf(sql, sizeof(sql), "INSERT INTO main.%s SELECT * FROM shard.%s WHERE 1%s",
			 table, table,
			 strcmp(table, "rejected_events") == 0 ? " ORDER BY rowid" : "");
		rc = copy_rows(db, path, table, sql, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A support id moved between shards: its latest placement wins (merges). */
static int copy_support_ids(sqlite3 *db, const char *path, struct ctr_error *err)
{
	int rc = copy_rows(db, path, "support_ids", "INSERT INTO main.support_ids SELECT * FROM"
			   " shard.support_ids WHERE 1 ON CONFLICT (support_id) DO UPDATE SET"
			   " customer_no = excluded.customer_no, sku = excluded.sku,"
			   " licenses = excluded.licenses, retired = excluded.retired,"
			   " starts_on = excluded.starts_on, ends_on = excluded.ends_on,"
			   " reason = excluded.reason, replaces = excluded.replaces,"
			   " replaced_on = excluded.replaced_on, placed_at = excluded.placed_at,"
			   " placed_event = excluded.placed_event"
			   " WHERE (excluded.placed_at, excluded.placed_event)"
			   " >= (support_ids.placed_at, support_ids.placed_event)", err);

	/* the customers' records of ids another placement holds: kept by the trigger as a row
	 * changes hands above, and here for a shard's rows that lost to an earlier shard's */
	if (rc == 0)
		rc = copy_rows(db, path, "support_lost", "INSERT OR REPLACE INTO main.support_lost"
			       " SELECT * FROM shard.support_lost WHERE 1; INSERT OR REPLACE INTO"
			       " main.support_lost SELECT s.customer_no, s.support_id, s.sku,"
			       " s.licenses, s.retired, s.starts_on, s.ends_on, s.reason,"
			       " s.replaces, s.replaced_on, s.placed_at, s.placed_event"
			       " FROM shard.support_ids s"
			       " JOIN main.support_ids m USING (support_id)"
			       " WHERE m.customer_no != s.customer_no", err);
	return rc;
}

/* The shard's runs, numbered on from the report's, in their order. */
static int copy_runs(sqlite3 *db, const char *path, struct ctr_error *err)
{
	return copy_rows(db, path, "runs", "INSERT INTO main.runs (run_id, started_at,"
			 " finished_at, business_date, read, applied, duplicates, rejected,"
			 " projection_hash, source, until, released, rebuild)"
			 " SELECT (SELECT coalesce(max(run_id), 0) FROM main.runs)"
			 " + row_number() OVER (ORDER BY run_id), started_at, finished_at,"
			 " business_date, read, applied, duplicates, rejected,"
			 " projection_hash, source, until, released, rebuild FROM shard.runs",
			 err);
}

int ctr_merge_copy_tables(sqlite3 *db, const char *path, struct ctr_error *err)
{
	int rc = shared_partition(db, path, err);

	if (rc == 0)
		rc = copy_disjoint(db, path, err);
	if (rc == 0)
		rc = copy_support_ids(db, path, err);
	if (rc == 0) /* combined into one chunk once every shard is in (combine_ids) */
		rc = copy_rows(db, path, "event_ids", "INSERT INTO main.event_ids (ids) SELECT ids"
			       " FROM shard.event_ids ORDER BY chunk", err);
	if (rc == 0)
		rc = copy_runs(db, path, err);
	return rc;
}
