/*
 * invoices_aside.c - a rebuild's invoices written beside it (invoices_aside.h):
 * two threads, one writing the invoices, the other their lines, each into a
 * file of its own, so that each table moves into the rebuild's file whole.
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

/*
 * What the parts write: a table each, about as much work either way (an
 * invoice has two or three lines, an invoice row also an index entry), in a
 * file PATH.suffix attached as aside_suffix (a suffix no longer than
 * "invoices": docs/cli.md names the room a rebuild's PATH must leave).
 */
static const struct written {
	const char *table, *suffix;
	enum ctr_invoice_tables writes;
} written[] = {
	{ "invoices", "invoices", CTR_INVOICE_ROWS },
	{ "invoice_lines", "lines", CTR_INVOICE_LINES },
};
#define PARTS 2

/* What each part computes its table from, copied into its file. */
#define COPY_TERMS "BEGIN; INSERT INTO %1$s.contracts SELECT * FROM main.contracts" \
		   " WHERE contract_id IN (SELECT contract_id FROM main.billing_terms);" \
		   " INSERT INTO %1$s.billing_terms SELECT * FROM main.billing_terms;" \
		   " INSERT INTO %1$s.seat_changes SELECT * FROM main.seat_changes; COMMIT;"

/* A part's file's pages beyond this go to the file, not to memory (the peak RSS). */
#define ASIDE_CACHE "PRAGMA cache_size = -4096"

struct part {
	const struct written *what;
	char *path;
	char schema[32]; /* its name where attached */
	int32_t business_date;
	int attached, started, joined;
	pthread_t thread;
	/* the thread's result, and the sums of the rows it wrote */
	int rc;
	struct ctr_error err;
	struct ctr_table_sums sums;
};

struct ctr_invoices_aside {
	struct part parts[PARTS];
};

static int write_invoices(struct part *p, sqlite3 *db)
{
	struct ctr_invoices *inv = NULL;
	int rc = ctr_db_exec(db, ASIDE_CACHE, &p->err);

	if (rc == 0)
		rc = ctr_invoices_new(db, p->business_date, &inv, &p->err);
	if (rc == 0) { /* summed as written: the moved rows need not be read again */
		ctr_invoices_write_only(inv, p->what->writes);
		ctr_invoices_sum_rows(inv, &p->sums);
	}
	if (rc == 0)
		rc = ctr_db_exec(db, "BEGIN", &p->err);
	if (rc == 0)
		rc = ctr_invoices_refresh(inv, NULL, &p->err);
	if (rc == 0)
		rc = ctr_db_exec(db, "COMMIT", &p->err);
	ctr_invoices_free(inv);
	return rc;
}

static void *thread_main(void *arg)
{
	struct part *p = arg;
	sqlite3 *db = NULL;

	p->rc = ctr_db_open_private(p->path, CTR_DB_CREATE_BULK, &db, &p->err);
	if (p->rc == 0)
		p->rc = write_invoices(p, db);
	sqlite3_close(db);
	return NULL;
}

static int attach(struct part *p, sqlite3 *db, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char message[256];
	int rc = ctr_db_prepare(db, "ATTACH ?1 AS ?2", &stmt, err);

	if (rc != 0)
		return rc;
	sqlite3_bind_text(stmt, 1, p->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, p->schema, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		p->attached = 1;
	else
		rc = ctr_error_set(err, CTR_EWRITE, "cannot attach %s: %s", p->path,
				   ctr_db_message(db, message, sizeof(message)));
	sqlite3_finalize(stmt);
	return rc;
}

/* PATH.suffix beside the rebuild's PATH; NULL without memory. */
static char *part_path(const char *rebuild_path, const char *suffix)
{
	size_t size = strlen(rebuild_path) + strlen(suffix) + 2;
	char *path = malloc(size);

	if (path != NULL)
		snprintf(path, size, "%s.%s", rebuild_path, suffix);
	return path;
}

void ctr_invoices_aside_remove(const char *rebuild_path)
{
	for (int i = 0; i < PARTS; i++) {
		char *path = part_path(rebuild_path, written[i].suffix);
		if (path != NULL)
			unlink(path);
		free(path);
	}
}

/* Makes the part's file, attaches it, copies the terms into it, starts its thread. */
static int start_part(struct part *p, sqlite3 *db, struct ctr_error *err)
{
	char sql[512];
	sqlite3 *created = NULL;
	int rc;

	unlink(p->path); /* left by a run that was killed */
	rc = ctr_db_open(p->path, CTR_DB_CREATE_BULK, &created, err);
	sqlite3_close(created);
	if (rc == 0)
		rc = attach(p, db, err);
	if (rc == 0) { /* a scratch file: nothing to recover if the run dies */
		snprintf(sql, sizeof(sql), "PRAGMA %1$s.journal_mode = OFF;"
			 " PRAGMA %1$s.synchronous = OFF; " COPY_TERMS, p->schema);
		rc = ctr_db_exec(db, sql, err);
	}
	if (rc == 0 && pthread_create(&p->thread, NULL, thread_main, p) != 0)
		rc = ctr_error_set(err, CTR_ENOMEM, "cannot start a thread for the invoices");
	p->started = rc == 0;
	return rc;
}

int ctr_invoices_aside_start(sqlite3 *db, int32_t business_date, struct ctr_invoices_aside **out,
			     struct ctr_error *err)
{
	const char *main_path = sqlite3_db_filename(db, "main");
	struct ctr_invoices_aside *a = calloc(1, sizeof(*a));
	int rc = 0;

	*out = a;
	if (a == NULL || main_path == NULL || *main_path == '\0')
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	for (int i = 0; i < PARTS; i++) {
		struct part *p = &a->parts[i];
		p->what = &written[i];
		p->business_date = business_date;
		snprintf(p->schema, sizeof(p->schema), "aside_%s", written[i].suffix);
		p->path = part_path(main_path, written[i].suffix);
		if (p->path == NULL)
			return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	}
	for (int i = 0; i < PARTS && rc == 0; i++)
		rc = start_part(&a->parts[i], db, err);
	return rc;
}

static void join(struct part *p)
{
	if (p->started && !p->joined)
		pthread_join(p->thread, NULL);
	p->joined = 1;
}

void ctr_invoices_aside_claim(struct ctr_table_sums *sums)
{
	for (int i = 0; i < PARTS; i++) {
		int t = ctr_row_digest_table_index(written[i].table);
		if (t >= 0)
			sums->known[t] = 1;
	}
}

int ctr_invoices_aside_wait(struct ctr_invoices_aside *a, struct ctr_error *err)
{
	int rc = 0;

	for (int i = 0; i < PARTS; i++) {
		join(&a->parts[i]);
		if (rc == 0 && a->parts[i].rc != 0) {
			*err = a->parts[i].err;
			rc = a->parts[i].rc;
		}
	}
	return rc;
}

int ctr_invoices_aside_finish(struct ctr_invoices_aside *a, sqlite3 *db,
			      struct ctr_table_sums *sums, struct ctr_error *err)
{
	char sql[160];
	int rc = ctr_invoices_aside_wait(a, err);

	/* into empty tables without triggers: SQLite moves the rows whole, without decoding them */
	for (int i = 0; i < PARTS && rc == 0; i++) {
		const struct part *p = &a->parts[i];
		int t = ctr_row_digest_table_index(p->what->table);
		snprintf(sql, sizeof(sql), "INSERT INTO main.%s SELECT * FROM %s.%s", p->what->table,
			 p->schema, p->what->table);
		rc = ctr_db_exec(db, sql, err);
		if (rc != 0 || t < 0)
			continue;
		if (p->sums.known[t]) {
			sums->rows[t] = p->sums.rows[t];
			memcpy(sums->sum[t], p->sums.sum[t], sizeof(sums->sum[t]));
		} else {
			rc = ctr_row_digest_scan(db, t, &sums->rows[t], sums->sum[t], err);
		}
		sums->known[t] = rc == 0;
	}
	return rc;
}

void ctr_invoices_aside_end(struct ctr_invoices_aside *a, sqlite3 *db)
{
	char sql[64];

	if (a == NULL)
		return;
	for (int i = 0; i < PARTS; i++) {
		struct part *p = &a->parts[i];
		join(p);
		if (p->attached) {
			snprintf(sql, sizeof(sql), "DETACH %s", p->schema);
			sqlite3_exec(db, sql, NULL, NULL, NULL);
		}
		if (p->path != NULL)
			unlink(p->path);
		free(p->path);
	}
	free(a);
}
