/*
 * invoices.h - monthly invoices of cloud contracts (seed 001 sections 5-6,
 * DOMAIN.md B1-B9), computed from the stored billing terms, seat changes and
 * cancellation, up to the month of the business date.
 */
#ifndef CTR_INVOICES_H
#define CTR_INVOICES_H

#include <sqlite3.h>
#include <stdint.h>

#include "events/error.h"

struct ctr_invoices;

/* Prepares the statements once; freed with ctr_invoices_free(). */
int ctr_invoices_new(sqlite3 *db, int32_t business_date, struct ctr_invoices **out,
		     struct ctr_error *err);
void ctr_invoices_free(struct ctr_invoices *inv);

struct ctr_table_sums;

/* The tables a refresh writes: both unless told otherwise. */
enum ctr_invoice_tables {
	CTR_INVOICE_ROWS = 1,  /* invoices */
	CTR_INVOICE_LINES = 2, /* invoice_lines */
};

/*
 * Has the refreshes that follow write one of the tables only, leaving the
 * other as it is: for two connections writing a new file's invoices at once,
 * each into a file of its own (engine/invoices_aside.c). Only for the first
 * refresh of every contract into empty tables, where nothing is cleared.
 */
void ctr_invoices_write_only(struct ctr_invoices *inv, enum ctr_invoice_tables tables);

/*
 * Has the refreshes that follow digest the rows they write (row_digest.h)
 * into sums, when they are the first refresh of every contract into empty
 * tables (a new file's, where every row is written once and none deleted):
 * the invoices and invoice_lines tables are then marked known in sums, and
 * no longer when a refresh could not sum them.
 */
void ctr_invoices_sum_rows(struct ctr_invoices *inv, struct ctr_table_sums *sums);

/* Rewrites the invoices of contract_id, or of every cloud contract when NULL. */
int ctr_invoices_refresh(struct ctr_invoices *inv, const char *contract_id, struct ctr_error *err);

#endif
