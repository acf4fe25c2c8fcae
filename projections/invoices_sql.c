/*
 * invoices_sql.c - the invoices' rows in SQLite (see invoices_internal.h):
 * the statements, prepared once; the rows invoices.c computes, written in
 * batches into empty tables or else as upserts, and summed as they are
 * written; a contract's seat changes read; what its terms no longer give
 * cleared.
 */
#include "projections/invoices_internal.h"

#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/row_batch.h"
#include "engine/row_digest.h"

#define TERMS_SQL "SELECT c.contract_id, c.cancel_end_on, b.service_start, b.seats_full," \
		  " b.seats_light, b.price_full, b.price_light, b.tax_rate_pct FROM contracts c" \
		  " JOIN billing_terms b USING (contract_id)"

/* The upserts leave an unchanged row alone. */
static const char invoice_sql[] =
	"INSERT INTO invoices VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	" ON CONFLICT (invoice_no) DO UPDATE SET contract_id = ?2, period = ?3,"
	" issue_date = ?4, due_date = ?5, subtotal = ?6, tax = ?7, total = ?8, status = ?9"
	" WHERE (contract_id, period, issue_date, due_date, subtotal, tax, total, status)"
	" IS NOT (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char line_sql[] =
	"INSERT INTO invoice_lines VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	" ON CONFLICT (invoice_no, line_no) DO UPDATE SET kind = ?3,"
	" quantity = ?4, unit_price = ?5, amount = ?6"
	" WHERE (kind, quantity, unit_price, amount) IS NOT (?3, ?4, ?5, ?6)";
static const char changes_sql[] =
	"SELECT kind, effective_month, total FROM seat_changes"
	" WHERE contract_id = ? ORDER BY change_no";
static const char clear_lines_sql[] =
	"DELETE FROM invoice_lines WHERE invoice_no IN"
	" (SELECT invoice_no FROM invoices WHERE contract_id = ?1"
	" AND (period < ?2 OR period > ?3))";
static const char clear_invoices_sql[] =
	"DELETE FROM invoices WHERE contract_id = ?1"
	" AND (period < ?2 OR period > ?3)";
/* only line 3 comes and goes with the terms (B6) */
static const char clear_early_sql[] =
	"DELETE FROM invoice_lines WHERE line_no = 3 AND invoice_no IN"
	" (SELECT invoice_no FROM invoices WHERE contract_id = ?1)"
	" AND invoice_no IS NOT ?2";

/* The statements that write a contract's invoices, and that clear what its terms no longer give. */
static int prepare_writes(struct ctr_invoices_sql *sql, struct ctr_error *err)
{
	int rc = ctr_db_prepare(sql->db, invoice_sql, &sql->invoice, err);

	if (rc == 0)
		rc = ctr_db_prepare(sql->db, line_sql, &sql->line, err);
	if (rc == 0)
		rc = ctr_db_prepare(sql->db, changes_sql, &sql->changes, err);
	if (rc == 0)
		rc = ctr_db_prepare(sql->db, clear_lines_sql, &sql->clear_lines, err);
	if (rc == 0)
		rc = ctr_db_prepare(sql->db, clear_invoices_sql, &sql->clear_invoices, err);
	if (rc == 0)
		rc = ctr_db_prepare(sql->db, clear_early_sql, &sql->clear_early, err);
	return rc;
}

/* What a refresh reads: whether any invoice is stored, and one contract's terms or all. */
static int prepare_reads(struct ctr_invoices_sql *sql, struct ctr_error *err)
{
	int rc = ctr_db_prepare(sql->db, "SELECT 1 FROM invoices LIMIT 1", &sql->any_invoice, err);

	if (rc == 0)
		rc = ctr_db_prepare(sql->db, TERMS_SQL " WHERE c.contract_id = ?", &sql->select_one,
				    err);
	if (rc == 0)
		rc = ctr_db_prepare(sql->db, TERMS_SQL, &sql->select_all, err);
	return rc;
}

int ctr_invoices_sql_init(struct ctr_invoices_sql *sql, sqlite3 *db, struct ctr_error *err)
{
	int rc;

	sql->db = db;
	sql->writes = CTR_INVOICE_ROWS | CTR_INVOICE_LINES;
	rc = prepare_writes(sql, err);
	if (rc == 0)
		rc = prepare_reads(sql, err);
	return rc;
}

void ctr_invoices_sql_deinit(struct ctr_invoices_sql *sql)
{
	sqlite3_finalize(sql->invoice);
	sqlite3_finalize(sql->line);
	ctr_row_batch_free(sql->invoice_rows);
	ctr_row_batch_free(sql->line_rows);
	sqlite3_finalize(sql->changes);
	sqlite3_finalize(sql->clear_lines);
	sqlite3_finalize(sql->clear_invoices);
	sqlite3_finalize(sql->clear_early);
	sqlite3_finalize(sql->any_invoice);
	sqlite3_finalize(sql->select_one);
	sqlite3_finalize(sql->select_all);
}

int ctr_invoices_sql_start(struct ctr_invoices_sql *sql, const char *contract_id,
			   struct ctr_error *err)
{
	int rc = 0;

	sql->tables_empty = contract_id == NULL && sqlite3_step(sql->any_invoice) == SQLITE_DONE;
	sqlite3_reset(sql->any_invoice);
	if (sql->tables_empty && sql->invoice_rows == NULL)
		rc = ctr_row_batch_new(sql->db, "invoices", 9, &sql->invoice_rows, err);
	if (rc == 0 && sql->tables_empty && sql->line_rows == NULL)
		rc = ctr_row_batch_new(sql->db, "invoice_lines", 6, &sql->line_rows, err);
	sql->batching = sql->tables_empty;
	sql->summing = sql->sums != NULL && sql->tables_empty;
	if (sql->sums != NULL) {
		sql->sums->known[sql->invoices_table] = sql->sums->known[sql->lines_table] =
			sql->summing;
		for (int i = 0; i < 2 && sql->summing; i++) {
			int table = i ? sql->lines_table : sql->invoices_table;
			sql->sums->rows[table] = 0;
			memset(sql->sums->sum[table], 0, sizeof(sql->sums->sum[table]));
		}
	}
	return rc;
}

int ctr_invoices_sql_finish(struct ctr_invoices_sql *sql, int rc, struct ctr_error *err)
{
	if (rc == 0 && sql->batching)
		rc = ctr_row_batch_flush(sql->invoice_rows, err);
	if (rc == 0 && sql->batching)
		rc = ctr_row_batch_flush(sql->line_rows, err);
	if (rc != 0 && sql->batching) { /* what a failed refresh held is not for the next */
		ctr_row_batch_discard(sql->invoice_rows);
		ctr_row_batch_discard(sql->line_rows);
	}
	sql->batching = 0;
	return rc;
}

/* Adds the digest of the row to table t's sum; a row not digested ends the summing. */
static void sum_row(struct ctr_invoices_sql *sql, int t, const struct ctr_invoice_value *values,
		    int count)
{
	struct ctr_row_encoder e;
	uint8_t digest[32];

	ctr_row_encoder_start(&e);
	for (int i = 0; i < count; i++) {
		if (values[i].text)
			ctr_row_encoder_text(&e, values[i].text, values[i].len);
		else
			ctr_row_encoder_int(&e, values[i].number);
	}
	if (ctr_row_encoder_digest(&e, digest) != 0) {
		sql->summing = 0;
		sql->sums->known[sql->invoices_table] = sql->sums->known[sql->lines_table] = 0;
		return;
	}
	ctr_row_digest_add(sql->sums->sum[t], digest, 1);
	sql->sums->rows[t]++;
}

static int batch_row(struct ctr_row_batch *rows, const struct ctr_invoice_value *values,
		     int count, struct ctr_error *err)
{
	for (int i = 0; i < count; i++) {
		if (values[i].text)
			ctr_row_batch_text(rows, values[i].text, values[i].len);
		else
			ctr_row_batch_int(rows, values[i].number);
	}
	return ctr_row_batch_end_row(rows, err);
}

static int step_row(struct ctr_invoices_sql *sql, sqlite3_stmt *stmt,
		    const struct ctr_invoice_value *values, int count, struct ctr_error *err)
{
	for (int i = 0; i < count; i++) {
		if (values[i].text)
			sqlite3_bind_text(stmt, i + 1, values[i].text, (int)values[i].len,
					  SQLITE_STATIC);
		else
			sqlite3_bind_int64(stmt, i + 1, values[i].number);
	}
	return ctr_db_step_done(sql->db, stmt, err);
}

/* The row is held in its table's batch when this refresh batches, else stepped. */
int ctr_invoices_sql_put(struct ctr_invoices_sql *sql, enum ctr_invoice_tables table,
			 const struct ctr_invoice_value *values, int count, struct ctr_error *err)
{
	int lines = table == CTR_INVOICE_LINES, rc;

	if (!(sql->writes & table))
		return 0;
	if (sql->batching)
		rc = batch_row(lines ? sql->line_rows : sql->invoice_rows, values, count, err);
	else
		rc = step_row(sql, lines ? sql->line : sql->invoice, values, count, err);
	if (rc == 0 && sql->summing)
		sum_row(sql, lines ? sql->lines_table : sql->invoices_table, values, count);
	return rc;
}

int ctr_invoices_sql_changes(struct ctr_invoices_sql *sql, struct ctr_invoice_terms *t,
			     struct ctr_error *err)
{
	sqlite3_stmt *stmt = sql->changes;
	int step, rc = 0;

	sqlite3_bind_text(stmt, 1, t->contract_id, -1, SQLITE_STATIC);
	t->change_count = 0;
	while (rc == 0) {
		struct ctr_invoice_seat_change *c;

		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		if (t->change_count == t->change_cap) {
			size_t cap = t->change_cap ? t->change_cap * 2 : 64;
			struct ctr_invoice_seat_change *grown;

			grown = realloc(t->changes, cap * sizeof(*grown));
			if (grown == NULL) {
				rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
				break;
			}
			t->changes = grown;
			t->change_cap = cap;
		}
		c = &t->changes[t->change_count++];
		c->light = strcmp((const char *)sqlite3_column_text(stmt, 0), "light") == 0;
		c->month = sqlite3_column_int(stmt, 1);
		c->total = sqlite3_column_int64(stmt, 2);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = ctr_db_error(sql->db, CTR_EDB, err);
	sqlite3_reset(stmt);
	return rc;
}

/* Runs a statement over one contract's invoices, bound to it and ?2, ?3 (text or NULL). */
static int exec_bound(struct ctr_invoices_sql *sql, sqlite3_stmt *stmt, const char *contract_id,
		      const char *second, const char *third, struct ctr_error *err)
{
	int rc = 0;

	sqlite3_bind_text(stmt, 1, contract_id, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_text(stmt, 2, second, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		sqlite3_bind_text(stmt, 3, third, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = ctr_db_error(sql->db, CTR_EDB, err);
	sqlite3_reset(stmt);
	return rc;
}

int ctr_invoices_sql_clear(struct ctr_invoices_sql *sql, const char *contract_id, const char *first,
			   const char *last, const char *keeps, struct ctr_error *err)
{
	int rc = exec_bound(sql, sql->clear_lines, contract_id, first, last, err);

	if (rc == 0)
		rc = exec_bound(sql, sql->clear_invoices, contract_id, first, last, err);
	if (rc == 0)
		rc = exec_bound(sql, sql->clear_early, contract_id, keeps, NULL, err);
	return rc;
}
