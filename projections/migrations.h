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

struct ctr_strmap;

/*
 * Brings the migrations table up to date on the business date (inside a
 * transaction): the migrations from or to a contract in changed, or every
 * one when changed is NULL (a new business date). Unchanged rows are not
 * written.
 */
int ctr_migrations_refresh(sqlite3 *db, int32_t business_date, const struct ctr_strmap *changed,
			   struct ctr_error *err);

#endif
