/*
 * contract_sql.h - the contract aggregate in SQLite: writing its changed rows
 * at a flush, loading it back for an incremental run, and judging the
 * date-dependent columns (L5) on a new business date.
 */
#ifndef CTR_CONTRACT_SQL_H
#define CTR_CONTRACT_SQL_H

#include <sqlite3.h>

#include "events/error.h"
#include "projections/contract.h"
#include "projections/projections.h"

struct ctr_writes;

struct ctr_contract_sql;

int ctr_contract_sql_new(sqlite3 *db, const struct ctr_projection_options *options,
			 struct ctr_contract_sql **out, struct ctr_error *err);
void ctr_contract_sql_free(struct ctr_contract_sql *s);

/* Records the writes of c's dirty rows into w and clears their flags. */
void ctr_contract_sql_record(struct ctr_contract_sql *s, struct ctr_contract *c,
			     struct ctr_writes *w);
/* Loads contract_id from the database into *out, in arena (NULL when it has no row). */
int ctr_contract_sql_load(struct ctr_contract_sql *s, const char *contract_id,
			  struct ctr_arena *arena, struct ctr_contract **out,
			  struct ctr_error *err);
/* Re-judges status, days_left and expired of every stored contract on the options' date. */
int ctr_contract_sql_judge(struct ctr_contract_sql *s, struct ctr_error *err);

/* Writes what a bulk run deferred (every invoice) at the end of the run. */
int ctr_contract_sql_finish(struct ctr_contract_sql *s, struct ctr_error *err);
/* 1 when finish has invoices to write; after taken, it has none (written elsewhere). */
int ctr_contract_sql_invoices_pending(const struct ctr_contract_sql *s);
void ctr_contract_sql_invoices_taken(struct ctr_contract_sql *s);

/* L5: the status of a contract on date (days), and its days_left (*has_days 0: NULL). */
const char *ctr_contract_status(int cloud, const char *end_date, const char *cancel_end_on,
				int32_t date, int expiring_days, int64_t *days_left, int *has_days);

#endif
