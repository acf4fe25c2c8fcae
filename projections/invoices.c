/*
 * invoices.c - the invoices of cloud contracts (see invoices.h). A month M is
 * billed from the month billing starts (B1: service_start if it is the 1st,
 * else the 1st of the next month) to the month of the business date, or the
 * month of a cancellation's end_on if earlier (B6, B9). Each invoice has the
 * seats in effect on the 1st of M (B3, B4, B5), an early-termination line
 * when the cancellation ends before the term (B2, B6), tax rounded down once
 * (B8), and its issue and due dates (B7).
 */
#include "projections/invoices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/row_batch.h"
#include "engine/row_digest.h"
#include "events/timefmt.h"
#include "projections/calendar.h"

#define TERMS_SQL "SELECT c.contract_id, c.cancel_end_on, b.service_start, b.seats_full," \
		  " b.seats_light, b.price_full, b.price_light, b.tax_rate_pct FROM contracts c" \
		  " JOIN billing_terms b USING (contract_id)"

struct terms {
	const char *contract_id; /* in the terms statement's row, which stays put meanwhile */
	char *number;          /* an invoice number (B7): the contract id, then a month's suffix */
	size_t number_size, id_len;
	int first_month;       /* B1 */
	int last_month;        /* the cancellation's end_on month, or -1 */
	int64_t full, light, price_full, price_light, tax_rate_pct;
	/* every seat change of the contract, in request order (B3-B5): a long-lived
	 * contract may have hundreds, and dropping any would bill stale seats */
	size_t change_count, change_cap;
	struct seat_change { int light, month; int64_t total; } *changes;
};

/* B7: November 9999's invoice is due in December; December's would be due in a year of five digits */
#define LAST_MONTH_BILLED (9999 * 12 + 11 - 1)

static int month_index(int32_t day, int *day_of_month)
{
	int year, month;

	ctr_date_to_civil(day, &year, &month, day_of_month);
	return year * 12 + month - 1;
}

static int32_t last_day(int month)
{
	return ctr_date_from_civil((month + 1) / 12, (month + 1) % 12 + 1, 1) - 1;
}

/* "YYYY-MM" of a month index. */
static void format_period(int month, char *period, size_t size)
{
	snprintf(period, size, "%04d-%02d", month / 12 % 10000, month % 12 + 1);
}

/*
 * What every invoice of one month shares: the invoice number's suffix, the
 * period, the issue and due dates. A rebuild writes a hundred thousand
 * invoices over a few dozen months, and formatting these (and finding the due
 * date's business day) for each was about 7% of the invoices' thread.
 */
struct month_text {
	int month;          /* the month index these are for; -1 when the slot is empty */
	int32_t issue_day;  /* B7: the month's last day */
	char suffix[8];     /* "-YYYYMM" after the contract id (B7) */
	char period[12], issue[11], due[11];
};

#define MONTH_SLOTS 256 /* by month index modulo this, 21 years: a collision formats again */

static const struct month_text *month_text(struct month_text *slots, int month)
{
	struct month_text *m = &slots[(unsigned)month % MONTH_SLOTS];

	if (m->month != month) {
		char suffix[16];
		m->month = month;
		m->issue_day = last_day(month);
		snprintf(suffix, sizeof(suffix), "-%04d%02d", month / 12, month % 12 + 1);
		memcpy(m->suffix, suffix, sizeof(m->suffix) - 1);
		m->suffix[sizeof(m->suffix) - 1] = '\0';
		format_period(month, m->period, sizeof(m->period));
		ctr_date_format(m->issue_day, m->issue);
		ctr_date_format(ctr_calendar_business_day_on_or_before(last_day(month + 1)), m->due);
	}
	return m;
}

/* B3-B5: the seats in effect on the 1st of month (the latest change by then wins). */
static int64_t seats(const struct terms *t, int light, int month)
{
	int64_t total = light ? t->light : t->full;

	for (size_t i = 0; i < t->change_count; i++)
		if (t->changes[i].light == light && t->changes[i].month <= month)
			total = t->changes[i].total;
	return total;
}

static int64_t fee(const struct terms *t, int month)
{
	return seats(t, 0, month) * t->price_full + seats(t, 1, month) * t->price_light;
}

struct ctr_invoices {
	sqlite3 *db;
	int32_t business_date;
	struct month_text months[MONTH_SLOTS];
	sqlite3_stmt *invoice, *line, *changes, *clear_lines, *clear_invoices, *clear_early;
	sqlite3_stmt *select_one, *select_all; /* two statements: one can use the key */
	sqlite3_stmt *any_invoice;
	int tables_empty; /* nothing stored to clear: the first refresh of a new file */
	/* where the rows written are summed (ctr_invoices_sum_rows), or NULL */
	struct ctr_table_sums *sums;
	int invoices_table, lines_table; /* their indexes in sums */
	int summing; /* this refresh sums what it writes */
	enum ctr_invoice_tables writes; /* the tables a refresh writes */
	/* a refresh into empty tables inserts many rows at once (made by its first such refresh) */
	struct ctr_row_batch *invoice_rows, *line_rows;
	int batching; /* this refresh does */
};

/* A value of a row written: text of len bytes, or the integer number when text is NULL. */
struct value {
	const char *text;
	size_t len;
	int64_t number;
};

#define TEXT(s) ((struct value){ .text = (s), .len = strlen(s) })
#define TEXT_LEN(s, n) ((struct value){ .text = (s), .len = (n) })
#define INT(n) ((struct value){ .number = (n) })

/* Adds the digest of the row to table t's sum; a row not digested ends the summing. */
static void sum_row(struct ctr_invoices *w, int t, const struct value *values, int count)
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
		w->summing = 0;
		w->sums->known[w->invoices_table] = w->sums->known[w->lines_table] = 0;
		return;
	}
	ctr_row_digest_add(w->sums->sum[t], digest, 1);
	w->sums->rows[t]++;
}

/*
 * Writes a row of values to one of the two tables: held in its batch when this
 * refresh batches, else through stmt; and summed when this refresh sums.
 */
static int put_row(struct ctr_invoices *w, enum ctr_invoice_tables table, const struct value *values,
		   int count, struct ctr_error *err)
{
	int lines = table == CTR_INVOICE_LINES, rc;

	if (!(w->writes & table))
		return 0;
	if (w->batching) {
		struct ctr_row_batch *rows = lines ? w->line_rows : w->invoice_rows;
		for (int i = 0; i < count; i++) {
			if (values[i].text)
				ctr_row_batch_text(rows, values[i].text, values[i].len);
			else
				ctr_row_batch_int(rows, values[i].number);
		}
		rc = ctr_row_batch_end_row(rows, err);
	} else {
		sqlite3_stmt *stmt = lines ? w->line : w->invoice;
		for (int i = 0; i < count; i++) {
			if (values[i].text)
				sqlite3_bind_text(stmt, i + 1, values[i].text, (int)values[i].len,
						  SQLITE_STATIC);
			else
				sqlite3_bind_int64(stmt, i + 1, values[i].number);
		}
		rc = ctr_db_step_done(w->db, stmt, err);
	}
	if (rc == 0 && w->summing)
		sum_row(w, lines ? w->lines_table : w->invoices_table, values, count);
	return rc;
}

/* B2-B6: one line of an invoice, kept as its amount. */
static int put_line(struct ctr_invoices *w, const char *number, int line_no, const char *kind,
		    int64_t quantity, int64_t unit_price, struct ctr_error *err)
{
	const struct value row[] = { TEXT(number),   INT(line_no),    TEXT(kind),
				     INT(quantity), INT(unit_price), INT(quantity * unit_price) };

	return put_row(w, CTR_INVOICE_LINES, row, 6, err);
}

/* The number of the contract's invoice for a month (m) into t->number (B7), which it returns. */
static const char *invoice_number(struct terms *t, const struct month_text *m)
{
	/* read_terms put the contract id in front and sized the buffer for the suffix */
	memcpy(t->number + t->id_len, m->suffix, sizeof("-YYYYMM"));
	return t->number;
}

/* The invoice row itself. */
static int put_invoice_row(struct ctr_invoices *w, const struct terms *t,
			   const struct month_text *m, int64_t subtotal, int64_t tax,
			   struct ctr_error *err)
{
	const char *status = m->issue_day > w->business_date ? "draft" : "issued";
	const struct value row[] = { TEXT(t->number),  TEXT_LEN(t->contract_id, t->id_len),
				     TEXT(m->period),  TEXT(m->issue), TEXT(m->due), INT(subtotal),
				     INT(tax),         INT(subtotal + tax), TEXT(status) };

	return put_row(w, CTR_INVOICE_ROWS, row, 9, err);
}

/* One invoice for month (B3, B6, B7, B8, B9). */
static int put_invoice(struct ctr_invoices *w, struct terms *t, int month, int *early,
		       struct ctr_error *err)
{
	const struct month_text *m = month_text(w->months, month);
	const char *number = invoice_number(t, m);
	int term_last = t->first_month + ((month - t->first_month) / 12 + 1) * 12 - 1;
	int64_t full = seats(t, 0, month), light = seats(t, 1, month), subtotal, tax;
	int rc;

	subtotal = full * t->price_full + light * t->price_light;
	rc = put_line(w, number, 1, "seats_full", full, t->price_full, err);
	if (rc == 0)
		rc = put_line(w, number, 2, "seats_light", light, t->price_light, err);
	*early = month == t->last_month && month < term_last;
	if (rc == 0 && *early) { /* B6 */
		rc = put_line(w, number, 3, "early_termination", term_last - month, fee(t, month), err);
		subtotal += (term_last - month) * fee(t, month);
	}
	/* B8: rounded down, once per invoice; in two parts, as subtotal x rate may pass 64 bits */
	tax = subtotal / 100 * t->tax_rate_pct + subtotal % 100 * t->tax_rate_pct / 100;
	return rc == 0 ? put_invoice_row(w, t, m, subtotal, tax, err) : rc;
}

static int load_changes(struct ctr_invoices *inv, struct terms *t, struct ctr_error *err)
{
	sqlite3_stmt *stmt = inv->changes;
	int step, rc = 0;

	sqlite3_bind_text(stmt, 1, t->contract_id, -1, SQLITE_STATIC);
	t->change_count = 0;
	while (rc == 0) {
		struct seat_change *c;

		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		if (t->change_count == t->change_cap) {
			size_t cap = t->change_cap ? t->change_cap * 2 : 64;
			struct seat_change *grown = realloc(t->changes, cap * sizeof(*grown));
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
		rc = ctr_db_error(inv->db, CTR_EDB, err);
	sqlite3_reset(stmt);
	return rc;
}

/* Runs a statement over one contract's invoices, bound to the contract and ?2, ?3 (text or NULL). */
static int exec_bound(struct ctr_invoices *inv, sqlite3_stmt *stmt, const char *contract_id,
		      const char *second, const char *third, struct ctr_error *err)
{
	int rc = 0;

	sqlite3_bind_text(stmt, 1, contract_id, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_text(stmt, 2, second, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		sqlite3_bind_text(stmt, 3, third, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = ctr_db_error(inv->db, CTR_EDB, err);
	sqlite3_reset(stmt);
	return rc;
}

/*
 * Writes the invoices of months first_month to the business date's (or the
 * cancellation's) as upserts that leave an unchanged row alone, then clears
 * what the terms no longer give: invoices outside those months and the early
 * termination line of any invoice but the one that has it now. A refreshed
 * contract mostly keeps its past invoices, and an unchanged row is neither
 * written again nor noted by the digest triggers.
 */
static int write_contract(struct ctr_invoices *w, struct terms *t, struct ctr_error *err)
{
	char first[12], last[12];
	int day, early = 0, early_month = -1, until = month_index(w->business_date, &day);
	int rc = load_changes(w, t, err);

	if (rc != 0)
		return rc;
	if (t->last_month >= 0 && t->last_month < until)
		until = t->last_month; /* B6: the month of end_on is the last billed */
	if (until > LAST_MONTH_BILLED)
		until = LAST_MONTH_BILLED;
	for (int month = t->first_month; rc == 0 && month <= until; month++) {
		rc = put_invoice(w, t, month, &early, err);
		if (early)
			early_month = month;
	}
	if (rc != 0 || w->tables_empty)
		return rc;
	format_period(t->first_month, first, sizeof(first));
	if (until < t->first_month) /* no month billed: every stored invoice goes */
		last[0] = '\0';
	else
		format_period(until, last, sizeof(last));
	rc = exec_bound(w, w->clear_lines, t->contract_id, first, last, err);
	if (rc == 0)
		rc = exec_bound(w, w->clear_invoices, t->contract_id, first, last, err);
	if (rc == 0) { /* all but the invoice that keeps its early termination line */
		const char *keeps = early_month >= 0
					    ? invoice_number(t, month_text(w->months, early_month))
					    : NULL;
		rc = exec_bound(w, w->clear_early, t->contract_id, keeps, NULL, err);
	}
	return rc;
}

/* Reads one contract's terms into t; -1 when out of memory. */
static int read_terms(sqlite3_stmt *stmt, struct terms *t)
{
	int ok, day;
	const char *end = (const char *)sqlite3_column_text(stmt, 1);
	size_t size;

	t->contract_id = (const char *)sqlite3_column_text(stmt, 0);
	t->id_len = strlen(t->contract_id);
	size = t->id_len + sizeof("-YYYYMM");
	if (size > t->number_size) {
		char *number = realloc(t->number, size);
		if (number == NULL)
			return -1;
		t->number = number;
		t->number_size = size;
	}
	memcpy(t->number, t->contract_id, t->id_len);
	t->first_month = month_index(ctr_date_parse((const char *)sqlite3_column_text(stmt, 2), &ok), &day);
	if (day != 1) /* B1 */
		t->first_month++;
	t->last_month = end ? month_index(ctr_date_parse(end, &ok), &day) : -1;
	t->full = sqlite3_column_int64(stmt, 3);
	t->light = sqlite3_column_int64(stmt, 4);
	t->price_full = sqlite3_column_int64(stmt, 5);
	t->price_light = sqlite3_column_int64(stmt, 6);
	t->tax_rate_pct = sqlite3_column_int64(stmt, 7);
	return 0;
}

int ctr_invoices_new(sqlite3 *db, int32_t business_date, struct ctr_invoices **out,
		     struct ctr_error *err)
{
	struct ctr_invoices *inv = calloc(1, sizeof(*inv));
	int rc;

	if (inv == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	inv->db = db;
	inv->business_date = business_date;
	inv->writes = CTR_INVOICE_ROWS | CTR_INVOICE_LINES;
	for (int i = 0; i < MONTH_SLOTS; i++)
		inv->months[i].month = -1;
	rc = ctr_db_prepare(db, "INSERT INTO invoices VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
			    " ON CONFLICT (invoice_no) DO UPDATE SET contract_id = ?2, period = ?3,"
			    " issue_date = ?4, due_date = ?5, subtotal = ?6, tax = ?7, total = ?8, status = ?9"
			    " WHERE (contract_id, period, issue_date, due_date, subtotal, tax, total, status)"
			    " IS NOT (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &inv->invoice, err);
	if (rc == 0)
		rc = ctr_db_prepare(db, "INSERT INTO invoice_lines VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
				    " ON CONFLICT (invoice_no, line_no) DO UPDATE SET kind = ?3,"
				    " quantity = ?4, unit_price = ?5, amount = ?6"
				    " WHERE (kind, quantity, unit_price, amount) IS NOT (?3, ?4, ?5, ?6)",
				    &inv->line, err);
	if (rc == 0)
		rc = ctr_db_prepare(db, "SELECT kind, effective_month, total FROM seat_changes"
				    " WHERE contract_id = ? ORDER BY change_no", &inv->changes, err);
	if (rc == 0)
		rc = ctr_db_prepare(db, "DELETE FROM invoice_lines WHERE invoice_no IN"
				    " (SELECT invoice_no FROM invoices WHERE contract_id = ?1"
				    " AND (period < ?2 OR period > ?3))", &inv->clear_lines, err);
	if (rc == 0)
		rc = ctr_db_prepare(db, "DELETE FROM invoices WHERE contract_id = ?1"
				    " AND (period < ?2 OR period > ?3)", &inv->clear_invoices, err);
	/* only line 3 comes and goes with the terms (B6) */
	if (rc == 0)
		rc = ctr_db_prepare(db, "DELETE FROM invoice_lines WHERE line_no = 3 AND invoice_no IN"
				    " (SELECT invoice_no FROM invoices WHERE contract_id = ?1)"
				    " AND invoice_no IS NOT ?2", &inv->clear_early, err);
	if (rc == 0)
		rc = ctr_db_prepare(db, "SELECT 1 FROM invoices LIMIT 1", &inv->any_invoice, err);
	if (rc == 0)
		rc = ctr_db_prepare(db, TERMS_SQL " WHERE c.contract_id = ?", &inv->select_one, err);
	if (rc == 0)
		rc = ctr_db_prepare(db, TERMS_SQL, &inv->select_all, err);
	if (rc != 0) {
		ctr_invoices_free(inv);
		return rc;
	}
	*out = inv;
	return 0;
}

void ctr_invoices_free(struct ctr_invoices *inv)
{
	if (inv == NULL)
		return;
	sqlite3_finalize(inv->invoice);
	sqlite3_finalize(inv->line);
	ctr_row_batch_free(inv->invoice_rows);
	ctr_row_batch_free(inv->line_rows);
	sqlite3_finalize(inv->changes);
	sqlite3_finalize(inv->clear_lines);
	sqlite3_finalize(inv->clear_invoices);
	sqlite3_finalize(inv->clear_early);
	sqlite3_finalize(inv->any_invoice);
	sqlite3_finalize(inv->select_one);
	sqlite3_finalize(inv->select_all);
	free(inv);
}

void ctr_invoices_write_only(struct ctr_invoices *inv, enum ctr_invoice_tables tables)
{
	inv->writes = tables;
}

void ctr_invoices_sum_rows(struct ctr_invoices *inv, struct ctr_table_sums *sums)
{
	inv->invoices_table = ctr_row_digest_table_index("invoices");
	inv->lines_table = ctr_row_digest_table_index("invoice_lines");
	inv->sums = inv->invoices_table >= 0 && inv->lines_table >= 0 ? sums : NULL;
}

/*
 * What a refresh does besides: a rebuild's one refresh of every contract
 * starts from empty tables, so it has nothing to clear, inserts rows many at
 * a time and may sum them as it writes.
 */
static int start_refresh(struct ctr_invoices *inv, const char *contract_id, struct ctr_error *err)
{
	int rc = 0;

	inv->tables_empty = contract_id == NULL && sqlite3_step(inv->any_invoice) == SQLITE_DONE;
	sqlite3_reset(inv->any_invoice);
	if (inv->tables_empty && inv->invoice_rows == NULL)
		rc = ctr_row_batch_new(inv->db, "invoices", 9, &inv->invoice_rows, err);
	if (rc == 0 && inv->tables_empty && inv->line_rows == NULL)
		rc = ctr_row_batch_new(inv->db, "invoice_lines", 6, &inv->line_rows, err);
	inv->batching = inv->tables_empty;
	inv->summing = inv->sums != NULL && inv->tables_empty;
	if (inv->sums != NULL) {
		inv->sums->known[inv->invoices_table] = inv->sums->known[inv->lines_table] =
			inv->summing;
		for (int i = 0; i < 2 && inv->summing; i++) {
			int table = i ? inv->lines_table : inv->invoices_table;
			inv->sums->rows[table] = 0;
			memset(inv->sums->sum[table], 0, sizeof(inv->sums->sum[table]));
		}
	}
	return rc;
}

int ctr_invoices_refresh(struct ctr_invoices *inv, const char *contract_id, struct ctr_error *err)
{
	sqlite3_stmt *select = contract_id ? inv->select_one : inv->select_all;
	struct terms *t = calloc(1, sizeof(*t));
	int rc = t ? start_refresh(inv, contract_id, err) : ctr_error_set(err, CTR_ENOMEM, "out of memory");

	if (contract_id)
		sqlite3_bind_text(select, 1, contract_id, -1, SQLITE_STATIC);
	while (rc == 0) {
		int step = sqlite3_step(select);

		if (step == SQLITE_DONE)
			break;
		if (step != SQLITE_ROW) {
			rc = ctr_db_error(inv->db, CTR_EDB, err);
			break;
		}
		if (read_terms(select, t) != 0)
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
		else
			rc = write_contract(inv, t, err);
	}
	sqlite3_reset(select);
	if (rc == 0 && inv->batching)
		rc = ctr_row_batch_flush(inv->invoice_rows, err);
	if (rc == 0 && inv->batching)
		rc = ctr_row_batch_flush(inv->line_rows, err);
	if (rc != 0 && inv->batching) { /* what a failed refresh held is not for the next */
		ctr_row_batch_discard(inv->invoice_rows);
		ctr_row_batch_discard(inv->line_rows);
	}
	inv->batching = 0;
	if (t != NULL) {
		free(t->changes);
		free(t->number);
	}
	free(t);
	return rc;
}
