/*
 * row_digest_internal.h - what row_sums.c shares with row_digest.c. Not for
 * use outside engine/.
 */
#ifndef CTR_ROW_DIGEST_INTERNAL_H
#define CTR_ROW_DIGEST_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "events/error.h"

/* How many tables ctr_hashed_tables lists. */
int ctr_row_digest_table_count(void);
/* The row count and digest sum of every row of table t, read through db. */
int ctr_row_digest_scan(sqlite3 *db, int t, int64_t *rows, uint8_t sum[32], struct ctr_error *err);

#endif
