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

/* Rewrites the invoices of contract_id, or of every cloud contract when NULL. */
int ctr_invoices_refresh(struct ctr_invoices *inv, const char *contract_id, struct ctr_error *err);

#endif
