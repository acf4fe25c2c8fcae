/*
 * invoices_internal.h - what invoices.c (the invoices computed from the terms)
 * shares with invoices_sql.c (the invoices' rows in SQLite: the statements,
 * rows written, a contract's seat changes read, what its terms no longer give
 * cleared). Not for use outside projections/.
 */
#ifndef CTR_INVOICES_INTERNAL_H
#define CTR_INVOICES_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "events/error.h"
#include "projections/invoices.h"

struct ctr_row_batch;

struct ctr_invoices_sql {
	sqlite3 *db;
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

/* One contract's billing terms, as a refresh reads them. */
struct ctr_invoice_terms {
	const char *contract_id; /* in the terms statement's row, which stays put meanwhile */
	char *number;          /* an invoice number (B7): the contract id, then a month's suffix */
	size_t number_size, id_len;
	int first_month;       /* B1 */
	int last_month;        /* the cancellation's end_on month, or -1 */
	int64_t full, light, price_full, price_light, tax_rate_pct;
	/* every seat change of the contract, in request order (B3-B5): a long-lived
	 * contract may have hundreds, and dropping any would bill stale seats */
	size_t change_count, change_cap;
	struct ctr_invoice_seat_change { int light, month; int64_t total; } *changes;
};

/* A value of a row written: text of len bytes, or the integer number when text is NULL. */
struct ctr_invoice_value {
	const char *text;
	size_t len;
	int64_t number;
};

/*
 * Prepares every statement on db, and has refreshes write both tables;
 * ctr_invoices_sql_deinit() frees what it made, after a failure too.
 */
int ctr_invoices_sql_init(struct ctr_invoices_sql *sql, sqlite3 *db, struct ctr_error *err);
void ctr_invoices_sql_deinit(struct ctr_invoices_sql *sql);

/*
 * Starts a refresh of contract_id (NULL: of every contract). A rebuild's one
 * refresh of every contract starts from empty tables, so it has nothing to
 * clear, inserts rows many at a time and may sum them as it writes.
 */
int ctr_invoices_sql_start(struct ctr_invoices_sql *sql, const char *contract_id,
			   struct ctr_error *err);
/* Ends a refresh that came to rc, which it returns: what it batched written, or dropped. */
int ctr_invoices_sql_finish(struct ctr_invoices_sql *sql, int rc, struct ctr_error *err);

/* Writes a row of count values to table, when the refresh writes it. */
int ctr_invoices_sql_put(struct ctr_invoices_sql *sql, enum ctr_invoice_tables table,
			 const struct ctr_invoice_value *values, int count, struct ctr_error *err);

/* Reads the seat changes of t's contract into t->changes (realloc()ed, freed by the caller). */
int ctr_invoices_sql_changes(struct ctr_invoices_sql *sql, struct ctr_invoice_terms *t,
			     struct ctr_error *err);

/*
 * Deletes what a contract's terms no longer give: its invoices outside the
 * periods first to last ("" for none billed) with their lines, and the early
 * termination line of each of its invoices but keeps (NULL: of every one).
 */
int ctr_invoices_sql_clear(struct ctr_invoices_sql *sql, const char *contract_id, const char *first,
			   const char *last, const char *keeps, struct ctr_error *err);

#endif
