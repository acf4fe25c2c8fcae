/*
 * invoices_aside.h - a rebuild's invoices written beside it, on threads and
 * connections of their own, while its own connection runs the other judges
 * and sums its other tables.
 *
 * A rebuild computes every cloud contract's invoices at its end, with nothing
 * else to overlap them: they were half of what runs after the last batch is
 * read. SQLite lets one connection write a file at a time, so the invoices
 * and their lines are written by two threads into two more files
 * (PATH.invoices and PATH.lines beside the rebuild's PATH), from
 * copies of the terms they are computed from, and each table is moved into
 * the rebuild's file whole once the judges are done (docs/benchmarks.md).
 */
#ifndef CTR_INVOICES_ASIDE_H
#define CTR_INVOICES_ASIDE_H

#include <sqlite3.h>
#include <stdint.h>

#include "engine/row_digest.h"
#include "events/error.h"

struct ctr_invoices_aside;

/*
 * Outside a transaction, with the terms committed: makes the two files,
 * attaches them to db, copies the cloud contracts, billing terms and seat
 * changes into each, and starts the threads that write the tables there.
 */
int ctr_invoices_aside_start(sqlite3 *db, int32_t business_date, struct ctr_invoices_aside **out,
			     struct ctr_error *err);

/*
 * Marks the tables the threads write as known in sums, so that the other
 * tables can be summed (ctr_row_digest_sum_rest) while it writes; their
 * figures are filled in by ctr_invoices_aside_finish.
 */
void ctr_invoices_aside_claim(struct ctr_table_sums *sums);

/* Waits for the threads; the first failure. Outside db's transactions, before finish. */
int ctr_invoices_aside_wait(struct ctr_invoices_aside *aside, struct ctr_error *err);

/*
 * In db's transaction, after the other judges (which must not touch the
 * attached file meanwhile) and the wait: moves the threads' tables into
 * db's tables, which must be empty and without triggers, as a rebuild's are
 * until its end, and puts their row counts and digest sums in sums (the
 * threads', or the moved rows' own when it could not sum them).
 */
int ctr_invoices_aside_finish(struct ctr_invoices_aside *aside, sqlite3 *db,
			      struct ctr_table_sums *sums, struct ctr_error *err);

/* Removes the files beside a rebuild of rebuild_path that was killed, if any. */
void ctr_invoices_aside_remove(const char *rebuild_path);

/*
 * Outside a transaction, whether or not finish ran or succeeded: waits for
 * the threads, detaches and removes their files. NULL is allowed.
 */
void ctr_invoices_aside_end(struct ctr_invoices_aside *aside, sqlite3 *db);

#endif
