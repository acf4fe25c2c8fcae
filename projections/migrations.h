/*
 * migrations.h - the migration tracker (seed 000 appendix 5.2, G1-G4): one
 * row per environment of a contract that planned a move to a new contract,
 * with the furthest step reached, whether the new environment holds the same
 * licenses, the due date and whether it is overdue.
 *
 * A migration spans two contract streams, so it is derived from the stored
 * environments of both at the end of each run: the result does not depend on
 * which stream's events arrived first.
 */
#ifndef CTR_MIGRATIONS_H
#define CTR_MIGRATIONS_H

#include <sqlite3.h>
#include <stdint.h>

#include "events/error.h"

/* Rewrites the migrations table on the business date (inside a transaction). */
int ctr_migrations_refresh(sqlite3 *db, int32_t business_date, struct ctr_error *err);

#endif
