/*
 * migrations.c - the migrations table (see migrations.h). G2: the step is
 * the furthest whose own condition holds — `done` (the new environment was
 * activated after its last allocation), `allocated`, `new_env_created` (an
 * environment of the same name in the new contract, whenever created),
 * `old_env_deleted`, else `planned`. G3 compares allocations per product
 * name; G4 is due by the old contract's end date.
 */
#include "projections/migrations.h"

#include <stdio.h>
#include <string.h>

#include "engine/db.h"
#include "engine/strmap.h"
#include "events/timefmt.h"

enum { PLANS, NEW_ENV, ALLOCATIONS, INSERT, CURRENT, STMT_COUNT };

static const char *const stmt_sql[STMT_COUNT] = {
	/*
	 * One plan per row of migrations (old contract, environment name): of the
	 * environments of that name with a plan, the live one, else the deleted one
	 * of the highest id. Two plans could otherwise share the row, and which was
	 * written last would depend on the contracts a batch happened to change (E4).
	 */
	[PLANS] = "SELECT e.contract_id, e.name, e.env_id, e.migrate_to, e.deleted, c.end_date"
		  " FROM environments e JOIN contracts c USING (contract_id)"
		  " WHERE e.migrate_to IS NOT NULL AND e.env_id = (SELECT o.env_id FROM environments o"
		  " WHERE o.contract_id = e.contract_id AND o.name = e.name AND o.migrate_to IS NOT NULL"
		  " ORDER BY o.deleted, o.env_id DESC LIMIT 1)",
	/* the live environment of that name in the new contract, else a deleted one */
	[NEW_ENV] = "SELECT env_id, allocated_us, activated_us FROM environments"
		    " WHERE contract_id = ? AND name = ? ORDER BY deleted, env_id LIMIT 1",
	[ALLOCATIONS] = "SELECT p.name, sum(a.count) FROM allocations a JOIN contract_products p"
			" ON p.contract_id = a.contract_id AND p.sku = a.sku"
			" WHERE a.contract_id = ? AND a.env_id = ? AND a.count > 0"
			" GROUP BY p.name ORDER BY p.name",
	[INSERT] = "INSERT OR REPLACE INTO migrations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	/* 1 when the stored row already holds these values */
	[CURRENT] = "SELECT 1 FROM migrations WHERE from_contract = ?1 AND env_name = ?2"
		    " AND to_contract = ?3 AND step = ?4 AND allocation_match = ?5 AND difference = ?6"
		    " AND due_by IS ?7 AND overdue = ?8",
};

struct allocation_list {
	int count;
	char names[32][160];
	long long counts[32];
};

static void read_allocations(sqlite3_stmt *stmt, const char *contract, const char *env,
			     struct allocation_list *out)
{
	out->count = 0;
	sqlite3_bind_text(stmt, 1, contract, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, env, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(stmt) == SQLITE_ROW && out->count < 32) {
		snprintf(out->names[out->count], sizeof(out->names[0]), "%s", sqlite3_column_text(stmt, 0));
		out->counts[out->count++] = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
}

/* G3: "name: old N, new M" for every product whose counts differ; empty when they match. */
static int compare(const struct allocation_list *old, const struct allocation_list *now,
		   char *difference, size_t size)
{
	size_t used = 0;
	int i = 0, j = 0;

	difference[0] = '\0';
	while (i < old->count || j < now->count) {
		int order = i >= old->count ? 1 : j >= now->count ? -1 : strcmp(old->names[i], now->names[j]);
		long long before = order <= 0 ? old->counts[i] : 0, after = order >= 0 ? now->counts[j] : 0;
		const char *name = order <= 0 ? old->names[i] : now->names[j];

		if (before != after && used < size)
			used += (size_t)snprintf(difference + used, size - used, "%s%s: old %lld, new %lld",
						 used ? "; " : "", name, before, after);
		i += order <= 0;
		j += order >= 0;
	}
	return difference[0] == '\0';
}

struct plan {
	char from[256], name[256], env_id[256], to[256], due_by[11];
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

/* Writes the row unless the stored one holds the same values (no trigger work for nothing). */
static int write_row(sqlite3_stmt **stmt, const struct plan *p, const char *step, int match,
		     const char *difference, int overdue)
{
	int same, rc = 0;

	bind_row(stmt[CURRENT], p, step, match, difference, overdue);
	same = sqlite3_step(stmt[CURRENT]) == SQLITE_ROW;
	sqlite3_reset(stmt[CURRENT]);
	if (!same) {
		bind_row(stmt[INSERT], p, step, match, difference, overdue);
		rc = sqlite3_step(stmt[INSERT]) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(stmt[INSERT]);
	}
	return rc;
}

static int write_one(sqlite3_stmt **stmt, const struct plan *p, const char *today)
{
	struct allocation_list old, now;
	char difference[1024], new_env[256] = "";
	long long allocated = 0, activated = 0;
	const char *step = "planned";
	int match;

	sqlite3_bind_text(stmt[NEW_ENV], 1, p->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt[NEW_ENV], 2, p->name, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt[NEW_ENV]) == SQLITE_ROW) {
		snprintf(new_env, sizeof(new_env), "%s", sqlite3_column_text(stmt[NEW_ENV], 0));
		allocated = sqlite3_column_int64(stmt[NEW_ENV], 1);
		activated = sqlite3_column_int64(stmt[NEW_ENV], 2);
	}
	sqlite3_reset(stmt[NEW_ENV]);
	read_allocations(stmt[ALLOCATIONS], p->from, p->env_id, &old);
	now.count = 0;
	if (*new_env)
		read_allocations(stmt[ALLOCATIONS], p->to, new_env, &now);
	match = compare(&old, &now, difference, sizeof(difference));
	/* G2: activated after the allocation (an activation before it was cleared, allocations.c);
	 * at one instant they were most likely one session's */
	if (*new_env && allocated && activated >= allocated)
		step = "done";
	else if (*new_env && allocated)
		step = "allocated";
	else if (*new_env)
		step = "new_env_created";
	else if (p->deleted)
		step = "old_env_deleted";
	/* G4: not done after its due date */
	return write_row(stmt, p, step, match, difference,
			 strcmp(step, "done") != 0 && p->has_due && strcmp(today, p->due_by) > 0);
}

static void read_plan(sqlite3_stmt *stmt, struct plan *p)
{
	snprintf(p->from, sizeof(p->from), "%s", sqlite3_column_text(stmt, 0));
	snprintf(p->name, sizeof(p->name), "%s", sqlite3_column_text(stmt, 1));
	snprintf(p->env_id, sizeof(p->env_id), "%s", sqlite3_column_text(stmt, 2));
	snprintf(p->to, sizeof(p->to), "%s", sqlite3_column_text(stmt, 3));
	p->deleted = sqlite3_column_int(stmt, 4);
	p->has_due = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
	snprintf(p->due_by, sizeof(p->due_by), "%s", p->has_due ? (const char *)sqlite3_column_text(stmt, 5) : "");
}

int ctr_migrations_refresh(sqlite3 *db, int32_t business_date, const struct ctr_strmap *changed,
			   struct ctr_error *err)
{
	sqlite3_stmt *stmt[STMT_COUNT] = { NULL };
	char today[11];
	struct plan p;
	int rc = 0;

	ctr_date_format(business_date, today);
	for (int i = 0; i < STMT_COUNT && rc == 0; i++)
		rc = ctr_db_prepare(db, stmt_sql[i], &stmt[i], err);
	while (rc == 0 && sqlite3_step(stmt[PLANS]) == SQLITE_ROW) {
		read_plan(stmt[PLANS], &p);
		if (changed && !ctr_strmap_get(changed, p.from) && !ctr_strmap_get(changed, p.to))
			continue;
		if (write_one(stmt, &p, today) != 0)
			rc = ctr_error_set(err, CTR_EDB, "database: %s", sqlite3_errmsg(db));
	}
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(stmt[i]);
	return rc;
}
