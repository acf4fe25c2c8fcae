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
#include "engine/row_digest.h"
#include "events/timefmt.h"
#include "projections/calendar.h"
#include "projections/invoices_internal.h"

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
static int64_t seats(const struct ctr_invoice_terms *t, int light, int month)
{
	int64_t total = light ? t->light : t->full;

	for (size_t i = 0; i < t->change_count; i++)
		if (t->changes[i].light == light && t->changes[i].month <= month)
			total = t->changes[i].total;
	return total;
}

static int64_t fee(const struct ctr_invoice_terms *t, int month)
{
	return seats(t, 0, month) * t->price_full + seats(t, 1, month) * t->price_light;
}

struct ctr_invoices {
	struct ctr_invoices_sql sql; /* its rows in the database */
	int32_t business_date;
	struct month_text months[MONTH_SLOTS];
};

#define TEXT(s) ((struct ctr_invoice_value){ .text = (s), .len = strlen(s) })
#define TEXT_LEN(s, n) ((struct ctr_invoice_value){ .text = (s), .len = (n) })
#define INT(n) ((struct ctr_invoice_value){ .number = (n) })

/* B2-B6: one line of an invoice, kept as its amount. */
static int put_line(struct ctr_invoices *w, const char *number, int line_no, const char *kind,
		    int64_t quantity, int64_t unit_price, struct ctr_error *err)
{
	const struct ctr_invoice_value row[] = {
		TEXT(number), INT(line_no), TEXT(kind), INT(quantity), INT(unit_price),
		INT(quantity * unit_price)
	};

	return ctr_invoices_sql_put(&w->sql, CTR_INVOICE_LINES, row, 6, err);
}

/* The number of the contract's invoice for a month (m) into t->number (B7), which it returns. */
static const char *invoice_number(struct ctr_invoice_terms *t, const struct month_text *m)
{
	/* read_terms put the contract id in front and sized the buffer for the suffix */
	memcpy(t->number + t->id_len, m->suffix, sizeof("-YYYYMM"));
	return t->number;
}

/* The invoice row itself. */
static int put_invoice_row(struct ctr_invoices *w, const struct ctr_invoice_terms *t,
			   const struct month_text *m, int64_t subtotal, int64_t tax,
			   struct ctr_error *err)
{
	const char *status = m->issue_day > w->business_date ? "draft" : "issued";
	const struct ctr_invoice_value row[] = {
		TEXT(t->number), TEXT_LEN(t->contract_id, t->id_len), TEXT(m->period),
		TEXT(m->issue), TEXT(m->due), INT(subtotal), INT(tax), INT(subtotal + tax),
		TEXT(status)
	};

	return ctr_invoices_sql_put(&w->sql, CTR_INVOICE_ROWS, row, 9, err);
}

/* One invoice for month (B3, B6, B7, B8, B9). */
static int put_invoice(struct ctr_invoices *w, struct ctr_invoice_terms *t, int month, int *early,
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

/*
 * Writes the invoices of months first_month to the business date's (or the
 * cancellation's) as upserts that leave an unchanged row alone, then clears
 * what the terms no longer give: invoices outside those months and the early
 * termination line of any invoice but the one that has it now. A refreshed
 * contract mostly keeps its past invoices, and an unchanged row is neither
 * written again nor noted by the digest triggers.
 */
static int write_contract(struct ctr_invoices *w, struct ctr_invoice_terms *t,
			  struct ctr_error *err)
{
	char first[12], last[12];
	int day, early = 0, early_month = -1, until = month_index(w->business_date, &day);
	int rc = ctr_invoices_sql_changes(&w->sql, t, err);
	const char *keeps;

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
	if (rc != 0 || w->sql.tables_empty)
		return rc;
	format_period(t->first_month, first, sizeof(first));
	if (until < t->first_month) /* no month billed: every stored invoice goes */
		last[0] = '\0';
	else
		format_period(until, last, sizeof(last));
	/* all but the invoice that keeps its early termination line */
	keeps = early_month >= 0 ? invoice_number(t, month_text(w->months, early_month)) : NULL;
	return ctr_invoices_sql_clear(&w->sql, t->contract_id, first, last, keeps, err);
}

/* Reads one contract's terms into t; -1 when out of memory. */
static int read_terms(sqlite3_stmt *stmt, struct ctr_invoice_terms *t)
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
	inv->business_date = business_date;
	for (int i = 0; i < MONTH_SLOTS; i++)
		inv->months[i].month = -1;
	rc = ctr_invoices_sql_init(&inv->sql, db, err);
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
	ctr_invoices_sql_deinit(&inv->sql);
	free(inv);
}

void ctr_invoices_write_only(struct ctr_invoices *inv, enum ctr_invoice_tables tables)
{
	inv->sql.writes = tables;
}

void ctr_invoices_sum_rows(struct ctr_invoices *inv, struct ctr_table_sums *sums)
{
	struct ctr_invoices_sql *sql = &inv->sql;

	sql->invoices_table = ctr_row_digest_table_index("invoices");
	sql->lines_table = ctr_row_digest_table_index("invoice_lines");
	sql->sums = sql->invoices_table >= 0 && sql->lines_table >= 0 ? sums : NULL;
}

int ctr_invoices_refresh(struct ctr_invoices *inv, const char *contract_id, struct ctr_error *err)
{
	sqlite3_stmt *select = contract_id ? inv->sql.select_one : inv->sql.select_all;
	struct ctr_invoice_terms *t = calloc(1, sizeof(*t));
	int rc = t ? ctr_invoices_sql_start(&inv->sql, contract_id, err)
		   : ctr_error_set(err, CTR_ENOMEM, "out of memory");

	if (contract_id)
		sqlite3_bind_text(select, 1, contract_id, -1, SQLITE_STATIC);
	while (rc == 0) {
		int step = sqlite3_step(select);

		if (step == SQLITE_DONE)
			break;
		if (step != SQLITE_ROW) {
			rc = ctr_db_error(inv->sql.db, CTR_EDB, err);
			break;
		}
		if (read_terms(select, t) != 0)
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
		else
			rc = write_contract(inv, t, err);
	}
	sqlite3_reset(select);
	rc = ctr_invoices_sql_finish(&inv->sql, rc, err);
	if (t != NULL) {
		free(t->changes);
		free(t->number);
	}
	free(t);
	return rc;
}
