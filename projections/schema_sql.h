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
 * but for versions 1 and 2, which a replay brings up to date with the
 * statements below: from 1 the support_lost table (the support ids that
 * changed hands before then have no lost record), then to 3 the contract rows
 * derived again (docs/schema.md says what stays as it was).
 */
#define CTR_DB_SCHEMA_VERSION 3
extern const char ctr_schema_upgrade_from_1_sql[];
extern const char ctr_schema_upgrade_to_3_sql[];

#endif
