/*
 * row_sums.c - summing every row of the hashed tables (row_digest.h), as a
 * rebuild and a merge do at their end, on two connections at once.
 *
 * The caller's connection and a helper thread's read-only one each take the
 * next table not yet taken; the helper begins with the last listed (on the
 * generated histories the largest, invoice_lines), the caller with the one
 * before it. The helper opens the file immutable: it takes no lock, and
 * closing it leaves the caller's locks alone (the "unix-none" VFS closes the
 * file itself, which drops every lock the process holds on it). It reads the
 * file as last committed, which is what the caller sees only when nothing is
 * pending: so only outside a transaction, on a file the caller holds
 * exclusively (nobody else can write it meanwhile) and not in WAL mode (the
 * helper would not read the WAL). A rebuild's and a merge's files are such.
 * Where the helper cannot run, or fails on a table, the caller's connection
 * sums what it left. ctr_row_digest_complete commits first for that reason.
 */
#include "engine/row_digest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/db.h"
#include "engine/row_digest_internal.h"

struct recount {
	atomic_int next; /* the next table to take, counting down */
	char *uri;       /* the file, for the helper */
	struct ctr_table_sums *sums;
	int done[CTR_MAX_HASHED_TABLES];
};

/* Sums table t through db; 1 when it did. */
static int sum_one(struct recount *r, sqlite3 *db, int t)
{
	struct ctr_error ignored;

	r->done[t] = ctr_row_digest_scan(db, t, &r->sums->rows[t], r->sums->sum[t], &ignored) == 0;
	return r->done[t];
}

static int take_tables(struct recount *r, sqlite3 *db)
{
	int summed = 0, t;

	for (;;) {
		t = atomic_fetch_sub(&r->next, 1);
		if (t < 0)
			break;
		if (!r->sums->known[t])
			summed += sum_one(r, db, t);
	}
	return summed;
}

static void *helper_main(void *arg)
{
	struct recount *r = arg;
	sqlite3 *db = NULL;
	struct ctr_error ignored;

	if (sqlite3_open_v2(r->uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
			    NULL) == SQLITE_OK &&
	    ctr_row_digest_register(db, &ignored) == 0) {
		int last = ctr_row_digest_table_count() - 1;
		int summed = last >= 0 && !r->sums->known[last] ? sum_one(r, db, last) : 0;
		r->sums->helper_tables = summed + take_tables(r, db);
	}
	sqlite3_close(db);
	return NULL;
}

/* 1 when the pragma reports value. */
static int pragma_is(sqlite3 *db, const char *pragma, const char *value)
{
	sqlite3_stmt *stmt = NULL;
	int is = 0;

	if (sqlite3_prepare_v2(db, pragma, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL)
		is = strcasecmp((const char *)sqlite3_column_text(stmt, 0), value) == 0;
	sqlite3_finalize(stmt);
	return is;
}

/* ctr_db_immutable_uri's URI of path, malloc()ed; NULL without memory. */
static char *immutable_uri(const char *path)
{
	size_t size = strlen(path) * 3 + sizeof("file://?immutable=1");
	char *uri = malloc(size);

	if (uri != NULL && ctr_db_immutable_uri(path, uri, size) != 0) {
		free(uri);
		uri = NULL;
	}
	return uri;
}

/* A helper may read the file: nothing is pending and nobody else can write it. */
static int helper_may_read(sqlite3 *db, const char *path)
{
	return path != NULL && *path != '\0' && sqlite3_get_autocommit(db) &&
	       pragma_is(db, "PRAGMA main.locking_mode", "exclusive") &&
	       !pragma_is(db, "PRAGMA main.journal_mode", "wal");
}

int ctr_row_digest_sum(sqlite3 *db, struct ctr_table_sums *sums, struct ctr_error *err)
{
	memset(sums, 0, sizeof(*sums));
	return ctr_row_digest_sum_rest(db, sums, err);
}

int ctr_row_digest_sum_rest(sqlite3 *db, struct ctr_table_sums *sums, struct ctr_error *err)
{
	struct recount r = { .sums = sums };
	const char *path = sqlite3_db_filename(db, "main");
	pthread_t helper;
	int helped, rc = 0;

	for (int t = 0; t < ctr_row_digest_table_count(); t++) {
		r.done[t] = sums->known[t];
		if (!sums->known[t]) {
			sums->rows[t] = 0;
			memset(sums->sum[t], 0, sizeof(sums->sum[t]));
		}
	}
	sums->helper_tables = 0;
	/* the last table is the helper's; without a helper, it is summed below */
	atomic_init(&r.next, ctr_row_digest_table_count() - 2);
	if (helper_may_read(db, path))
		r.uri = immutable_uri(path);
	helped = r.uri != NULL && pthread_create(&helper, NULL, helper_main, &r) == 0;
	take_tables(&r, db);
	if (helped)
		pthread_join(helper, NULL);
	for (int t = 0; rc == 0 && t < ctr_row_digest_table_count(); t++)
		if (!r.done[t])
			rc = ctr_row_digest_scan(db, t, &sums->rows[t], sums->sum[t], err);
	for (int t = 0; rc == 0 && t < ctr_row_digest_table_count(); t++)
		sums->known[t] = 1;
	free(r.uri);
	return rc;
}

int ctr_row_digest_complete(sqlite3 *db, struct ctr_error *err)
{
	struct ctr_table_sums sums;
	int rc = ctr_db_exec(db, "COMMIT", err);

	if (rc == 0)
		rc = ctr_row_digest_sum(db, &sums, err);
	if (rc == 0)
		rc = ctr_db_exec(db, "BEGIN IMMEDIATE", err);
	if (rc == 0)
		rc = ctr_row_digest_store(db, &sums, err);
	return rc == 0 ? ctr_row_digest_install(db, err) : rc;
}
