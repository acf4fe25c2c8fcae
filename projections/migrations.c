/*
 * migrations.c - the migrations table (see migrations.h). G2: the step is
 * the furthest whose own condition holds — `done` (the new environment was
 * activated after its last allocation), `allocated`, `new_env_created` (an
 * environment of the same name in the new contract, whenever created),
 * `old_env_deleted`, else `planned`. G3 compares allocations per product
 * name; G4 is due by the old contract's end date.
 */
#include "projections/migrations.h"

#include <string.h>

#include "engine/db.h"
#include "engine/strmap.h"
#include "events/timefmt.h"

enum {
	PLANS, PLANS_FROM, PLANS_TO, NEW_ENV, OLD_ALLOCATIONS, NEW_ALLOCATIONS, INSERT, CURRENT,
	STMT_COUNT
};

/* one environment's licenses per product name, in name order (G3) */
#define ALLOCATIONS_SQL "SELECT p.name, sum(a.count) FROM allocations a JOIN contract_products p" \
			" ON p.contract_id = a.contract_id AND p.sku = a.sku" \
			" WHERE a.contract_id = ? AND a.env_id = ? AND a.count > 0" \
			" GROUP BY p.name ORDER BY p.name"

/*
 * One plan per row of migrations (old contract, environment name): of the
 * environments of that name with a plan, the live one, else the deleted one
 * of the highest id. Two plans could otherwise share the row, and which was
 * written last would depend on the contracts a batch happened to change (E4).
 */
#define PLANS_SQL "SELECT e.contract_id, e.name, e.env_id, e.migrate_to, e.deleted," \
		  /* G4: the old contract's end, a cancellation's end_on when earlier (L5) */ \
		  " CASE WHEN c.cancel_end_on < c.end_date THEN c.cancel_end_on ELSE c.end_date END" \
		  " FROM environments e JOIN contracts c USING (contract_id)" \
		  " WHERE e.migrate_to IS NOT NULL AND e.env_id = (SELECT o.env_id" \
		  " FROM environments o INDEXED BY environments_by_name" \
		  " WHERE o.contract_id = e.contract_id AND o.name = e.name" \
		  " AND o.migrate_to IS NOT NULL ORDER BY o.deleted, o.env_id DESC LIMIT 1)"

/*
 * The environments of a contract by name go through environments_by_name:
 * without statistics SQLite takes the primary key's contract_id instead and
 * sorts every environment of the contract, for each plan (quadratic for a
 * contract of thousands of environments).
 */
static const char *const stmt_sql[STMT_COUNT] = {
	[PLANS] = PLANS_SQL,
	/* a batch's contracts: the plans from one (its primary key), to one (environments_migrating) */
	[PLANS_FROM] = PLANS_SQL " AND e.contract_id = ?",
	[PLANS_TO] = PLANS_SQL " AND e.migrate_to = ?",
	/*
	 * How far each environment of that name in the new contract went (G2):
	 * 2 activated after its last allocation in the stream (an activation
	 * before it was cleared, allocations.c; one after it with an earlier time
	 * kept at the allocation's, environments.c; 0 is never, docs/schema.md), 1
	 * allocated, 0 created. The step
	 * is the furthest whose condition holds for any of them, deleted or not
	 * ("whenever it was created"); of those, a live one before a deleted one,
	 * then the lowest id.
	 */
	[NEW_ENV] = "SELECT env_id, CASE WHEN coalesce(allocated_us, 0) = 0 THEN 0"
		    " WHEN coalesce(activated_us, 0) <> 0 AND activated_us >= allocated_us THEN 2"
		    " ELSE 1 END AS reached FROM environments INDEXED BY environments_by_name"
		    " WHERE contract_id = ? AND name = ? ORDER BY reached DESC, deleted, env_id LIMIT 1",
	[OLD_ALLOCATIONS] = ALLOCATIONS_SQL,
	[NEW_ALLOCATIONS] = ALLOCATIONS_SQL,
	[INSERT] = "INSERT OR REPLACE INTO migrations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	/* 1 when the stored row already holds these values */
	[CURRENT] = "SELECT 1 FROM migrations WHERE from_contract = ?1 AND env_name = ?2"
		    " AND to_contract = ?3 AND step = ?4 AND allocation_match = ?5 AND difference = ?6"
		    " AND due_by IS ?7 AND overdue = ?8",
};

/* Steps an allocations statement: 1 on a row, 0 at its end (or with none to read), -1 on an error. */
static int next_allocation(sqlite3_stmt *stmt, int has_rows)
{
	int step = has_rows ? sqlite3_step(stmt) : SQLITE_DONE;

	return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/*
 * G3: "name: old N, new M" into difference for every product whose counts
 * differ between the old environment and the new one (none: the empty
 * string), merging the two name-ordered lists as they are read, so neither
 * the number of products nor their names are bounded. 1 when they match,
 * 0 when not, -1 on a database error or without memory (err set).
 */
static int compare(sqlite3 *db, sqlite3_stmt *old, sqlite3_stmt *now, int has_new,
		   sqlite3_str *difference, struct ctr_error *err)
{
	int in_old = next_allocation(old, 1), in_now = next_allocation(now, has_new), rc = 0;

	while ((in_old > 0 || in_now > 0) && in_old >= 0 && in_now >= 0) {
		const char *old_name = in_old > 0 ? (const char *)sqlite3_column_text(old, 0) : NULL;
		const char *now_name = in_now > 0 ? (const char *)sqlite3_column_text(now, 0) : NULL;
		int order = !old_name ? 1 : !now_name ? -1 : strcmp(old_name, now_name);
		long long before = order <= 0 ? sqlite3_column_int64(old, 1) : 0;
		long long after = order >= 0 ? sqlite3_column_int64(now, 1) : 0;

		if (before != after)
			sqlite3_str_appendf(difference, "%s%s: old %lld, new %lld",
					    sqlite3_str_length(difference) ? "; " : "",
					    order <= 0 ? old_name : now_name, before, after);
		if (order <= 0)
			in_old = next_allocation(old, 1);
		if (order >= 0)
			in_now = next_allocation(now, 1);
	}
	/* the error read before a reset, which would leave the connection's error to the other */
	if (in_old < 0 || in_now < 0)
		rc = ctr_db_error(db, CTR_EDB, err);
	else if (sqlite3_str_errcode(difference) != SQLITE_OK)
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	sqlite3_reset(old);
	sqlite3_reset(now);
	return rc != 0 ? -1 : sqlite3_str_length(difference) == 0;
}

/* A plan's texts point into the row of the statement that found it, which stays put meanwhile. */
struct plan {
	const char *from, *name, *env_id, *to, *due_by;
	int deleted, has_due;
};

static void bind_row(sqlite3_stmt *stmt, const struct plan *p, const char *step, int match,
		     const char *difference, int overdue)
{
	sqlite3_bind_text(stmt, 1, p->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, p->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, step, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, match);
	sqlite3_bind_text(stmt, 6, difference, -1, SQLITE_STATIC);
	if (p->has_due)
		sqlite3_bind_text(stmt, 7, p->due_by, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 7);
	sqlite3_bind_int(stmt, 8, overdue);
}

/*
 * Writes the row unless the stored one holds the same values (no trigger work
 * for nothing). A failed step's error is read before the reset that would
 * clear it.
 */
static int write_row(sqlite3 *db, sqlite3_stmt **stmt, const struct plan *p, const char *step,
		     int match, const char *difference, int overdue, struct ctr_error *err)
{
	int found, rc = 0;

	bind_row(stmt[CURRENT], p, step, match, difference, overdue);
	found = sqlite3_step(stmt[CURRENT]);
	if (found != SQLITE_ROW && found != SQLITE_DONE)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_reset(stmt[CURRENT]);
	if (rc == 0 && found == SQLITE_DONE) {
		bind_row(stmt[INSERT], p, step, match, difference, overdue);
		if (sqlite3_step(stmt[INSERT]) != SQLITE_DONE)
			rc = ctr_db_error(db, CTR_EDB, err);
		sqlite3_reset(stmt[INSERT]);
	}
	return rc;
}

/* The environment of the plan's name in the new contract that went furthest (NEW_ENV). */
struct new_env {
	const char *env_id; /* NULL: none */
	int reached;        /* 2 activated after its last allocation, 1 allocated, 0 created */
};

/* Steps NEW_ENV, which stays on its row (found points into it) until the caller resets it. */
static int find_new_env(sqlite3 *db, sqlite3_stmt *stmt, const struct plan *p,
			struct new_env *found, struct ctr_error *err)
{
	int step;

	sqlite3_bind_text(stmt, 1, p->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, p->name, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		found->env_id = (const char *)sqlite3_column_text(stmt, 0);
		found->reached = sqlite3_column_int(stmt, 1);
	} else if (step != SQLITE_DONE) { /* not read is not missing: its step would be wrong */
		return ctr_db_error(db, CTR_EDB, err);
	}
	return 0;
}

/* G2: the furthest step the plan has reached, from the new environment found (if any). */
static const char *furthest_step(const struct plan *p, const struct new_env *found)
{
	if (found->env_id && found->reached == 2)
		return "done";
	if (found->env_id && found->reached == 1)
		return "allocated";
	if (found->env_id)
		return "new_env_created";
	if (p->deleted)
		return "old_env_deleted";
	return "planned";
}

/* Compares the two environments' allocations (G3) and writes the plan's row. */
static int compare_and_write(sqlite3 *db, sqlite3_stmt **stmt, const struct plan *p,
			     const struct new_env *found, const char *today,
			     sqlite3_str *difference, struct ctr_error *err)
{
	const char *step = furthest_step(p, found), *text;
	int match, overdue;

	sqlite3_bind_text(stmt[OLD_ALLOCATIONS], 1, p->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt[OLD_ALLOCATIONS], 2, p->env_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt[NEW_ALLOCATIONS], 1, p->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt[NEW_ALLOCATIONS], 2, found->env_id, -1, SQLITE_STATIC);
	match = compare(db, stmt[OLD_ALLOCATIONS], stmt[NEW_ALLOCATIONS], found->env_id != NULL,
			difference, err);
	if (match < 0)
		return err->code;
	/* G4: not done after its due date */
	overdue = strcmp(step, "done") != 0 && p->has_due && strcmp(today, p->due_by) > 0;
	text = sqlite3_str_value(difference);
	return write_row(db, stmt, p, step, match, text ? text : "", overdue, err);
}

static int write_one(sqlite3 *db, sqlite3_stmt **stmt, const struct plan *p, const char *today,
		     struct ctr_error *err)
{
	sqlite3_str *difference = sqlite3_str_new(NULL);
	struct new_env found = { NULL, 0 };
	int rc = find_new_env(db, stmt[NEW_ENV], p, &found, err);

	if (rc == 0)
		rc = compare_and_write(db, stmt, p, &found, today, difference, err);
	sqlite3_reset(stmt[NEW_ENV]);
	sqlite3_free(sqlite3_str_finish(difference));
	return rc;
}

static void read_plan(sqlite3_stmt *stmt, struct plan *p)
{
	p->from = (const char *)sqlite3_column_text(stmt, 0);
	p->name = (const char *)sqlite3_column_text(stmt, 1);
	p->env_id = (const char *)sqlite3_column_text(stmt, 2);
	p->to = (const char *)sqlite3_column_text(stmt, 3);
	p->deleted = sqlite3_column_int(stmt, 4);
	p->has_due = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
	p->due_by = p->has_due ? (const char *)sqlite3_column_text(stmt, 5) : "";
}

/*
 * Writes each plan stmt[which] finds (bound to contract when given) but one
 * from a contract in skip_from, which that contract's own PLANS_FROM writes.
 */
static int write_plans(sqlite3 *db, sqlite3_stmt **stmt, int which, const char *contract,
		       const struct ctr_strmap *skip_from, const char *today,
		       struct ctr_error *err)
{
	struct plan p;
	int rc = 0, step = SQLITE_DONE;

	if (contract != NULL)
		sqlite3_bind_text(stmt[which], 1, contract, -1, SQLITE_STATIC);
	while (rc == 0) {
		step = sqlite3_step(stmt[which]);
		if (step != SQLITE_ROW)
			break;
		read_plan(stmt[which], &p);
		if (skip_from != NULL && ctr_strmap_get(skip_from, p.from) != NULL)
			continue;
		/* the rest once a plan needs them: most flushes find none (an audit flushes per event) */
		for (int i = NEW_ENV; i < STMT_COUNT && rc == 0 && stmt[i] == NULL; i++)
			rc = ctr_db_prepare(db, stmt_sql[i], &stmt[i], err);
		if (rc == 0)
			rc = write_one(db, stmt, &p, today, err);
	}
	/* a plan not read is a migration left as an earlier run judged it */
	if (rc == 0 && step != SQLITE_DONE)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_reset(stmt[which]);
	return rc;
}

/*
 * The plans from or to the contracts in changed, each once, looked up by key:
 * a batch's work follows its contracts, not every plan the history holds.
 */
static int refresh_changed(sqlite3 *db, sqlite3_stmt **stmt, const struct ctr_strmap *changed,
			   const char *today, struct ctr_error *err)
{
	size_t cursor = 0;
	const char *contract;
	void *unused;
	int rc = ctr_db_prepare(db, stmt_sql[PLANS_FROM], &stmt[PLANS_FROM], err);

	if (rc == 0)
		rc = ctr_db_prepare(db, stmt_sql[PLANS_TO], &stmt[PLANS_TO], err);
	while (rc == 0 && ctr_strmap_next(changed, &cursor, &contract, &unused)) {
		rc = write_plans(db, stmt, PLANS_FROM, contract, NULL, today, err);
		if (rc == 0)
			rc = write_plans(db, stmt, PLANS_TO, contract, changed, today, err);
	}
	return rc;
}

int ctr_migrations_refresh(sqlite3 *db, int32_t business_date, const struct ctr_strmap *changed,
			   struct ctr_error *err)
{
	sqlite3_stmt *stmt[STMT_COUNT] = { NULL };
	char today[11];
	int rc;

	ctr_date_format(business_date, today);
	if (changed != NULL) {
		rc = refresh_changed(db, stmt, changed, today, err);
	} else {
		rc = ctr_db_prepare(db, stmt_sql[PLANS], &stmt[PLANS], err);
		if (rc == 0)
			rc = write_plans(db, stmt, PLANS, NULL, NULL, today, err);
	}
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(stmt[i]);
	return rc;
}
