/*
 * invoices_aside.c - a rebuild's invoices written beside it (invoices_aside.h).
 */
#include "engine/invoices_aside.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/row_digest_internal.h"
#include "projections/invoices.h"

/* The tables the thread writes, and the copies of what it computes them from. */
static const char *const written[] = { "invoices", "invoice_lines" };
#define WRITTEN_COUNT 2
#define COPY_TERMS "BEGIN; INSERT INTO aside.contracts SELECT * FROM main.contracts;" \
		   " INSERT INTO aside.billing_terms SELECT * FROM main.billing_terms;" \
		   " INSERT INTO aside.seat_changes SELECT * FROM main.seat_changes; COMMIT;"

/* The second file's pages beyond this go to the file, not to memory (the peak RSS). */
#define ASIDE_CACHE "PRAGMA cache_size = -8192"

struct ctr_invoices_aside {
	char *path;
	int32_t business_date;
	int attached, started, joined;
	pthread_t thread;
	/* the thread's result, and the sums of the rows it wrote */
	int rc;
	struct ctr_error err;
	struct ctr_table_sums sums;
};

static int write_invoices(struct ctr_invoices_aside *a, sqlite3 *db)
{
	struct ctr_invoices *inv = NULL;
	int rc = ctr_db_exec(db, ASIDE_CACHE, &a->err);

	if (rc == 0)
		rc = ctr_invoices_new(db, a->business_date, &inv, &a->err);
	if (rc == 0) /* summed as written: the moved rows need not be read again */
		ctr_invoices_sum_rows(inv, &a->sums);
	if (rc == 0)
		rc = ctr_db_exec(db, "BEGIN", &a->err);
	if (rc == 0)
		rc = ctr_invoices_refresh(inv, NULL, &a->err);
	if (rc == 0)
		rc = ctr_db_exec(db, "COMMIT", &a->err);
	ctr_invoices_free(inv);
	return rc;
}

static void *thread_main(void *arg)
{
	struct ctr_invoices_aside *a = arg;
	sqlite3 *db = NULL;

	a->rc = ctr_db_open_private(a->path, CTR_DB_CREATE_BULK, &db, &a->err);
	if (a->rc == 0)
		a->rc = write_invoices(a, db);
	sqlite3_close(db);
	return NULL;
}

static int attach(struct ctr_invoices_aside *a, sqlite3 *db, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char message[256];
	int rc = ctr_db_prepare(db, "ATTACH ?1 AS aside", &stmt, err);

	if (rc != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, a->path, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		a->attached = 1;
	else
		rc = ctr_error_set(err, CTR_EWRITE, "cannot attach %s: %s", a->path,
				   ctr_db_message(db, message, sizeof(message)));
	sqlite3_finalize(stmt);
	return rc;
}

/* PATH.invoices beside the rebuild's PATH; NULL without memory. */
static char *aside_path(const char *rebuild_path)
{
	size_t size = strlen(rebuild_path) + sizeof(".invoices");
	char *path = malloc(size);

	if (path != NULL)
		snprintf(path, size, "%s.invoices", rebuild_path);
	return path;
}

void ctr_invoices_aside_remove(const char *rebuild_path)
{
	char *path = aside_path(rebuild_path);

	if (path != NULL)
		unlink(path);
	free(path);
}

int ctr_invoices_aside_start(sqlite3 *db, int32_t business_date, struct ctr_invoices_aside **out,
			     struct ctr_error *err)
{
	const char *main_path = sqlite3_db_filename(db, "main");
	struct ctr_invoices_aside *a = calloc(1, sizeof(*a));
	sqlite3 *created = NULL;
	int rc = 0;

	*out = a;
	if (a == NULL || main_path == NULL || *main_path == '\0' ||
	    (a->path = aside_path(main_path)) == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	a->business_date = business_date;
	unlink(a->path); /* left by a run that was killed */
	rc = ctr_db_open(a->path, CTR_DB_CREATE_BULK, &created, err);
	sqlite3_close(created);
	if (rc == 0)
		rc = attach(a, db, err);
	if (rc == 0) /* a scratch file: nothing to recover if the run dies */
		rc = ctr_db_exec(db, "PRAGMA aside.journal_mode = OFF; PRAGMA aside.synchronous = OFF;"
				 COPY_TERMS, err);
	if (rc == 0 && pthread_create(&a->thread, NULL, thread_main, a) != 0)
		rc = ctr_error_set(err, CTR_ENOMEM, "cannot start a thread for the invoices");
	a->started = rc == 0;
	return rc;
}

static void join(struct ctr_invoices_aside *a)
{
	if (a->started && !a->joined)
		pthread_join(a->thread, NULL);
	a->joined = 1;
}

void ctr_invoices_aside_claim(struct ctr_table_sums *sums)
{
	for (int i = 0; i < WRITTEN_COUNT; i++) {
		int t = ctr_row_digest_table_index(written[i]);
		if (t >= 0)
			sums->known[t] = 1;
	}
}

int ctr_invoices_aside_wait(struct ctr_invoices_aside *a, struct ctr_error *err)
{
	join(a);
	if (a->rc != 0)
		*err = a->err;
	return a->rc;
}

int ctr_invoices_aside_finish(struct ctr_invoices_aside *a, sqlite3 *db,
			      struct ctr_table_sums *sums, struct ctr_error *err)
{
	char sql[128];
	int rc = ctr_invoices_aside_wait(a, err);

	/* into empty tables without triggers: SQLite moves the rows whole, without decoding them */
	for (int i = 0; i < WRITTEN_COUNT && rc == 0; i++) {
		int t = ctr_row_digest_table_index(written[i]);
		snprintf(sql, sizeof(sql), "INSERT INTO main.%s SELECT * FROM aside.%s", written[i],
			 written[i]);
		rc = ctr_db_exec(db, sql, err);
		if (rc != 0 || t < 0)
			continue;
		if (a->sums.known[t]) {
			sums->rows[t] = a->sums.rows[t];
			memcpy(sums->sum[t], a->sums.sum[t], sizeof(sums->sum[t]));
		} else {
			rc = ctr_row_digest_scan(db, t, &sums->rows[t], sums->sum[t], err);
		}
		sums->known[t] = rc == 0;
	}
	return rc;
}

void ctr_invoices_aside_end(struct ctr_invoices_aside *a, sqlite3 *db)
{
	if (a == NULL)
		return;
	join(a);
	if (a->attached)
		sqlite3_exec(db, "DETACH aside", NULL, NULL, NULL);
	if (a->path != NULL)
		unlink(a->path);
	free(a->path);
	free(a);
}
