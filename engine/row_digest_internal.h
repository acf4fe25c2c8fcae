/*
 * row_digest_internal.h - what the files of row_digest.h share: row_digest.c,
 * row_encoding.c, row_sums.c and projection_hash.c, and invoices_aside.c, which
 * sums the digests of the invoices it writes. Not for use outside engine/.
 */
#ifndef CTR_ROW_DIGEST_INTERNAL_H
#define CTR_ROW_DIGEST_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "engine/sha256.h"
#include "events/error.h"

/* How many tables ctr_hashed_tables lists. */
int ctr_row_digest_table_count(void);
/* The row count and digest sum of every row of table t, read through db. */
int ctr_row_digest_scan(sqlite3 *db, int t, int64_t *rows, uint8_t sum[32], struct ctr_error *err);

/* The digest of the row whose values are argv[0] to argv[argc - 1] (row_encoding.c). */
void ctr_row_digest_values(int argc, sqlite3_value **argv, uint8_t out[32]);
/* Hashes a tag byte and value as a varint into s (row_encoding.c). */
void ctr_row_digest_put_tagged(struct ctr_sha256 *s, uint8_t tag, uint64_t value);

#endif
