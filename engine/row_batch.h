/*
 * row_batch.h - rows inserted into a table many at a time: one INSERT with
 * the VALUES of CTR_ROW_BATCH_ROWS rows costs about half as much per row as
 * as many single-row statements (SQLite's cost per statement: its cursors
 * opened and closed, its transaction checked, its bindings). For a writer
 * that only inserts rows whose keys the table does not hold yet, as a new
 * file's invoices (engine/invoices_aside.c).
 */
#ifndef CTR_ROW_BATCH_H
#define CTR_ROW_BATCH_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "events/error.h"

#define CTR_ROW_BATCH_ROWS 16

struct ctr_row_batch;

/* For table's rows of columns values each; NULL in out when it fails. */
int ctr_row_batch_new(sqlite3 *db, const char *table, int columns, struct ctr_row_batch **out,
		      struct ctr_error *err);
/* Inserts nothing held: call ctr_row_batch_flush first. NULL is allowed. */
void ctr_row_batch_free(struct ctr_row_batch *b);

/* The next value of the row being given, in column order (text copied). */
void ctr_row_batch_text(struct ctr_row_batch *b, const char *text, size_t len);
void ctr_row_batch_int(struct ctr_row_batch *b, int64_t value);
/* Ends the row; inserts the rows held when they are CTR_ROW_BATCH_ROWS. */
int ctr_row_batch_end_row(struct ctr_row_batch *b, struct ctr_error *err);
/* Inserts the rows held, if any. */
int ctr_row_batch_flush(struct ctr_row_batch *b, struct ctr_error *err);
/* Forgets the rows held and the row being given: after a failure, before the batch is used again. */
void ctr_row_batch_discard(struct ctr_row_batch *b);

#endif
