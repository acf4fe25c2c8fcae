/*
 * schema_sql.h - the SQLite schema of the projections (DOMAIN.md section 3)
 * and of the engine's own bookkeeping tables. docs/schema.md documents every
 * table and column for dashboard authors; keep the two in step.
 */
#ifndef CTR_SCHEMA_SQL_H
#define CTR_SCHEMA_SQL_H

/* CREATE statements, run in one transaction when a database is created. */
extern const char ctr_schema_sql[];

/* The projection tables that the projection hash covers (E4a), in order, with
 * their key columns; NULL-terminated. */
struct ctr_hashed_table {
	const char *name;
	const char *key; /* ORDER BY clause */
};
extern const struct ctr_hashed_table ctr_hashed_tables[];

/*
 * Stored in meta.schema_version; a database with another value is refused,
 * but for version 1, which a replay brings up to date with the statements
 * below (the support ids that changed hands before then have no lost record).
 */
#define CTR_DB_SCHEMA_VERSION 2
extern const char ctr_schema_upgrade_from_1_sql[];

#endif
