/*
 * row_digest.h - keeping the projection hash (DOMAIN.md E4a) up to date as
 * rows change, so a run pays for the rows it wrote, not for every row.
 *
 * Every row of a hashed table has a 256-bit digest of its values, each a type
 * tag and an unambiguous encoding (four lanes of a fast 64-bit hash: it tells
 * rows apart, it is not meant to resist forgery). A table's state is its row count and
 * the sum of its row digests modulo 2^256, an order-independent summary that
 * an insert adds to and a delete subtracts from. Triggers on the hashed
 * tables report every change to a function of this module, which sums them
 * in memory; the engine folds them into the projection_digests table in the
 * same transaction as the rows. The projection hash is SHA-256 over each
 * table's name, count and sum. A rebuild, which writes every row anyway,
 * runs without the triggers and sums the tables once at the end (row_sums.c).
 */
#ifndef CTR_ROW_DIGEST_H
#define CTR_ROW_DIGEST_H

#include <sqlite3.h>
#include <stdint.h>

#include "events/error.h"

/* Registers the SQL functions on a connection (ctr_db_open does it). */
int ctr_row_digest_register(sqlite3 *db, struct ctr_error *err);

/* Creates the triggers that report row changes (idempotent). */
int ctr_row_digest_install(sqlite3 *db, struct ctr_error *err);

/* Adds the changes reported since the last call to projection_digests (in a transaction). */
int ctr_row_digest_flush(sqlite3 *db, struct ctr_error *err);
/* Forgets the changes reported since the last flush (after a rollback). */
void ctr_row_digest_discard(sqlite3 *db);

/* The row count and digest sum of each hashed table, in ctr_hashed_tables order. */
#define CTR_MAX_HASHED_TABLES 32
struct ctr_table_sums {
	int64_t rows[CTR_MAX_HASHED_TABLES];
	uint8_t sum[CTR_MAX_HASHED_TABLES][32];
	int known[CTR_MAX_HASHED_TABLES]; /* summed already: ctr_row_digest_sum_rest leaves it */
	int helper_tables; /* how many a second connection summed (row_sums.c) */
};

/* The index of table in ctr_hashed_tables order, or -1. */
int ctr_row_digest_table_index(const char *table);
/* Adds digest to sum (sign 1) or subtracts it (sign -1), modulo 2^256. */
void ctr_row_digest_add(uint8_t sum[32], const uint8_t digest[32], int sign);

/*
 * A row's digest from its values given one by one in column order, for a
 * writer that knows what it stores: equal to the digest of the stored row
 * when each value is stored as given (text in a TEXT column, an integer in an
 * INTEGER one).
 */
struct ctr_row_encoder {
	uint8_t small[2048];
	uint8_t *bytes;
	size_t len, cap;
	int failed; /* out of memory: no digest */
};
void ctr_row_encoder_start(struct ctr_row_encoder *e);
void ctr_row_encoder_text(struct ctr_row_encoder *e, const char *text, size_t len);
void ctr_row_encoder_int(struct ctr_row_encoder *e, int64_t value);
/* The row's digest into out, and the encoder released; -1 when it ran out of memory. */
int ctr_row_encoder_digest(struct ctr_row_encoder *e, uint8_t out[32]);

/*
 * Sums every row of every hashed table (the end of a rebuild or a merge).
 * Outside a transaction, on a file db holds exclusively and not in WAL mode,
 * a read-only connection on a thread of its own takes tables too; otherwise
 * db sums them all.
 */
int ctr_row_digest_sum(sqlite3 *db, struct ctr_table_sums *sums, struct ctr_error *err);
/* The same for the tables not marked known in sums (it leaves the others), then marks all known. */
int ctr_row_digest_sum_rest(sqlite3 *db, struct ctr_table_sums *sums, struct ctr_error *err);
/* Replaces projection_digests with sums (in a transaction). */
int ctr_row_digest_store(sqlite3 *db, const struct ctr_table_sums *sums, struct ctr_error *err);

/*
 * The end of a file written without the triggers (a rebuild's, a merge's):
 * commits the caller's transaction so that both connections sum what it
 * wrote, then stores the sums and creates the triggers in a new transaction,
 * left open for the caller to finish.
 */
int ctr_row_digest_complete(sqlite3 *db, struct ctr_error *err);

/* The projection hash from projection_digests, or, with from_rows, from the rows themselves. */
int ctr_projection_hash_of(sqlite3 *db, int from_rows, char hex[65], struct ctr_error *err);

/*
 * The projection hash from the rows themselves, and in differs the first
 * table whose kept row count or digest sum is not its rows' (NULL when every
 * one agrees): the kept sums checked.
 */
int ctr_projection_hash_check(sqlite3 *db, char hex[65], const char **differs,
			      struct ctr_error *err);

#endif
