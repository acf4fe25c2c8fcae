/*
 * projection_hash.h - the projection hash of DOMAIN.md E4a: a digest of every
 * projection row in key order, stored with each run and printed by
 * `contrail hash`. Two databases with the same projections have the same hash.
 */
#ifndef CTR_PROJECTION_HASH_H
#define CTR_PROJECTION_HASH_H

#include <sqlite3.h>

#include "events/error.h"

/* SHA-256 over the tables of ctr_hashed_tables, as 64 hex digits. */
int ctr_projection_hash(sqlite3 *db, char hex[65], struct ctr_error *err);

#endif
