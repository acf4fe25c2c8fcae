/*
 * contract_load.c - reading a contract aggregate back from its rows, for an
 * incremental run, and re-judging date-dependent columns (L5) when the
 * business date moved since they were written.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "events/timefmt.h"
#include "projections/contract_sql.h"
#include "projections/contract_sql_internal.h"
#include "projections/invoices.h"

static const char *column_text(sqlite3_stmt *stmt, int index)
{
	return (const char *)sqlite3_column_text(stmt, index);
}

static int name_index(const char *const *names, int count, const char *name)
{
	for (int i = 0; name && i < count; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return i;
	return 0;
}

static sqlite3_stmt *query(struct ctr_contract_sql *s, enum stmt_id id, const char *contract_id)
{
	sqlite3_stmt *stmt = s->stmt[id];

	sqlite3_reset(stmt);
	sqlite3_bind_text(stmt, 1, contract_id, -1, SQLITE_STATIC);
	return stmt;
}

/*
 * Steps stmt, keeping what it returned in *step: a loop over rows ends on
 * anything but a row, and only SQLITE_DONE says the rows were all read.
 */
static int next_row(sqlite3_stmt *stmt, int *step)
{
	*step = sqlite3_step(stmt);
	return *step == SQLITE_ROW;
}

/*
 * The end of a loop over a contract's rows. A read that failed part-way would
 * leave the aggregate short of rows, and the run judge and commit from it; a
 * text that could not be copied, short of a value (or a key the next loop's
 * lookups would crash on).
 */
static int rows_read(struct ctr_contract_sql *s, struct ctr_contract *c, sqlite3_stmt *stmt,
		     int step, struct ctr_error *err)
{
	int rc = 0;

	if (step == SQLITE_NOMEM || c->out_of_memory)
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	else if (step != SQLITE_DONE)
		rc = ctr_db_error(s->db, CTR_EDB, err);
	sqlite3_reset(stmt);
	return rc;
}

static int load_products(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_error *err)
{
	sqlite3_stmt *stmt = query(s, GET_PRODUCTS, c->contract_id);
	int step;

	while (next_row(stmt, &step)) {
		struct ctr_product *p = ctr_contract_add_product(c);
		if (p == NULL) {
			step = SQLITE_NOMEM;
			break;
		}
		ctr_set_text(c, &p->sku, column_text(stmt, 0));
		ctr_set_text(c, &p->name, column_text(stmt, 1));
		p->other = sqlite3_column_type(stmt, 2) == SQLITE_NULL;
		p->licenses = sqlite3_column_int64(stmt, 2);
		p->assigned = sqlite3_column_int64(stmt, 3);
		ctr_set_text(c, &p->own_end_date, column_text(stmt, 4));
		p->row.stored = 1;
	}
	return rows_read(s, c, stmt, step, err);
}

static int load_environments(struct ctr_contract_sql *s, struct ctr_contract *c,
			     struct ctr_error *err)
{
	sqlite3_stmt *stmt = query(s, GET_ENVS, c->contract_id);
	int step;

	while (next_row(stmt, &step)) {
		struct ctr_environment *e = ctr_contract_add_environment(c);
		if (e == NULL) {
			step = SQLITE_NOMEM;
			break;
		}
		ctr_set_text(c, &e->env_id, column_text(stmt, 0));
		ctr_set_text(c, &e->name, column_text(stmt, 1));
		e->status = name_index(ctr_env_status_names, 4, column_text(stmt, 2));
		e->mode = name_index(ctr_contract_mode_names, 3, column_text(stmt, 3));
		ctr_set_text(c, &e->activated_at, column_text(stmt, 4));
		e->deleted = sqlite3_column_int(stmt, 5);
		e->has_sort_key = sqlite3_column_type(stmt, 6) != SQLITE_NULL;
		e->sort_key = sqlite3_column_int64(stmt, 6);
		ctr_set_text(c, &e->migrate_to, column_text(stmt, 7));
		e->allocated_us = sqlite3_column_int64(stmt, 8);
		e->activated_us = sqlite3_column_int64(stmt, 9);
		e->row.stored = 1;
	}
	return rows_read(s, c, stmt, step, err);
}

static int load_allocations(struct ctr_contract_sql *s, struct ctr_contract *c,
			    struct ctr_error *err)
{
	sqlite3_stmt *stmt = query(s, GET_ALLOCS, c->contract_id);
	int step;

	while (next_row(stmt, &step)) {
		struct ctr_environment *e = ctr_contract_environment(c, column_text(stmt, 0));
		struct ctr_allocation *al = e ? ctr_environment_add_allocation(c, e) : NULL;
		if (e == NULL)
			continue;
		if (al == NULL) {
			step = SQLITE_NOMEM;
			break;
		}
		ctr_set_text(c, &al->sku, column_text(stmt, 1));
		al->count = sqlite3_column_int64(stmt, 2);
		al->row.stored = 1;
	}
	return rows_read(s, c, stmt, step, err);
}

static int load_members(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_error *err)
{
	sqlite3_stmt *stmt = query(s, GET_MEMBERS, c->contract_id);
	int step;

	while (next_row(stmt, &step)) {
		struct ctr_member *m = ctr_contract_add_member(c);
		if (m == NULL) {
			step = SQLITE_NOMEM;
			break;
		}
		ctr_set_text(c, &m->user, column_text(stmt, 0));
		ctr_contract_set_member_email(c, m, column_text(stmt, 1));
		m->role = strcmp(column_text(stmt, 2), "owner") == 0 ? ROLE_OWNER : ROLE_MEMBER;
		m->notify = sqlite3_column_int(stmt, 3);
		m->state = name_index(ctr_member_state_names, 4, column_text(stmt, 4));
		ctr_set_text(c, &m->name, column_text(stmt, 5));
		ctr_set_text(c, &m->lang, column_text(stmt, 6));
		m->row.stored = 1;
	}
	return rows_read(s, c, stmt, step, err);
}

static int load_companies(struct ctr_contract_sql *s, struct ctr_contract *c,
			  struct ctr_error *err)
{
	sqlite3_stmt *stmt = query(s, GET_COMPANIES, c->contract_id);
	int step;

	while (next_row(stmt, &step)) {
		struct ctr_company *g = ctr_contract_add_company(c);
		if (g == NULL) {
			step = SQLITE_NOMEM;
			break;
		}
		ctr_set_text(c, &g->company, column_text(stmt, 0));
		ctr_set_text(c, &g->added_by, column_text(stmt, 1));
		g->row.stored = 1;
	}
	return rows_read(s, c, stmt, step, err);
}

static int load_terms(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_error *err)
{
	struct ctr_billing *b = &c->billing;
	sqlite3_stmt *stmt = query(s, GET_TERMS, c->contract_id);
	int step = sqlite3_step(stmt);

	if (step == SQLITE_ROW) {
		b->present = 1;
		ctr_set_text(c, &b->service_start, column_text(stmt, 0));
		b->full = b->requested_full = sqlite3_column_int64(stmt, 1);
		b->light = b->requested_light = sqlite3_column_int64(stmt, 2);
		b->price_full = sqlite3_column_int64(stmt, 3);
		b->price_light = sqlite3_column_int64(stmt, 4);
		b->tax_rate_pct = sqlite3_column_int64(stmt, 5);
		step = SQLITE_DONE; /* one row at most: the contract is its key */
	}
	return rows_read(s, c, stmt, step, err);
}

static int load_changes(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_error *err)
{
	struct ctr_billing *b = &c->billing;
	sqlite3_stmt *stmt = query(s, GET_CHANGES, c->contract_id);
	int step;

	while (next_row(stmt, &step)) {
		struct ctr_seat_change *change = ctr_contract_add_change(c);
		if (change == NULL) {
			step = SQLITE_NOMEM;
			break;
		}
		change->light = strcmp(column_text(stmt, 0), "light") == 0;
		change->effective_month = sqlite3_column_int(stmt, 1);
		change->total = sqlite3_column_int64(stmt, 2);
		change->stored = 1;
		/* B4/B5: the latest requested totals, in request order */
		if (change->light)
			b->requested_light = change->total;
		else
			b->requested_full = change->total;
	}
	return rows_read(s, c, stmt, step, err);
}

/* The contract row GET_CONTRACT is on, into c. */
static void read_contract(struct ctr_contract *c, sqlite3_stmt *stmt)
{
	ctr_set_text(c, &c->account, column_text(stmt, 0));
	ctr_set_text(c, &c->name, column_text(stmt, 1));
	c->cloud = strcmp(column_text(stmt, 2), "cloud") == 0;
	ctr_set_text(c, &c->start_date, column_text(stmt, 3));
	ctr_set_text(c, &c->cancel_end_on, column_text(stmt, 5));
	/* a cloud contract's end_date column shows its cancellation's end_on (L5) */
	ctr_set_text(c, &c->end_date, c->cloud ? NULL : column_text(stmt, 4));
	ctr_set_text(c, &c->migration_to, column_text(stmt, 6));
	c->row.stored = 1;
}

/* The rows of the contract's tables, after its own. */
static int load_parts(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_error *err)
{
	int rc = load_products(s, c, err);

	if (rc == 0)
		rc = load_environments(s, c, err);
	if (rc == 0)
		rc = load_allocations(s, c, err);
	if (rc == 0)
		rc = load_members(s, c, err);
	if (rc == 0)
		rc = load_companies(s, c, err);
	if (rc == 0)
		rc = load_terms(s, c, err);
	if (rc == 0 && c->billing.present)
		rc = load_changes(s, c, err);
	return rc;
}

int ctr_contract_sql_load(struct ctr_contract_sql *s, const char *contract_id,
			  struct ctr_arena *arena, struct ctr_contract **out,
			  struct ctr_error *err)
{
	sqlite3_stmt *stmt = query(s, GET_CONTRACT, contract_id);
	struct ctr_contract *c;
	int rc = sqlite3_step(stmt);

	*out = NULL;
	if (rc != SQLITE_ROW) {
		sqlite3_reset(stmt);
		if (rc == SQLITE_DONE)
			return 0;
		return ctr_db_error(s->db, CTR_EDB, err);
	}
	c = ctr_contract_new(arena, contract_id);
	if (c == NULL) {
		sqlite3_reset(stmt);
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	}
	read_contract(c, stmt);
	rc = rows_read(s, c, stmt, SQLITE_DONE, err);
	if (rc == 0)
		rc = load_parts(s, c, err);
	if (rc == 0)
		*out = c;
	return rc;
}

static int judge_contracts(struct ctr_contract_sql *s, struct ctr_error *err)
{
	sqlite3_stmt *select = NULL, *update = NULL;
	int step = SQLITE_DONE;
	int rc = ctr_db_prepare(s->db, "SELECT contract_id, kind, end_date, cancel_end_on"
				" FROM contracts", &select, err);

	if (rc == 0)
		rc = ctr_db_prepare(s->db, "UPDATE contracts SET status = ?, days_left = ?"
				    " WHERE contract_id = ?", &update, err);
	while (rc == 0 && next_row(select, &step)) {
		int cloud = strcmp(column_text(select, 1), "cloud") == 0, has_days;
		const char *cancel = column_text(select, 3);
		int64_t days_left = 0;
		const char *status = ctr_contract_status(cloud, cloud ? NULL : column_text(select, 2),
							 cancel, s->options.business_date,
							 s->options.expiring_days, &days_left,
							 &has_days);

		sqlite3_bind_text(update, 1, status, -1, SQLITE_STATIC);
		if (has_days)
			sqlite3_bind_int64(update, 2, days_left);
		else
			sqlite3_bind_null(update, 2);
		sqlite3_bind_text(update, 3, column_text(select, 0), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(update) != SQLITE_DONE)
			rc = ctr_db_error(s->db, CTR_EDB, err);
		sqlite3_reset(update);
	}
	/* a contract not read is one left with the status of an earlier date */
	if (rc == 0 && step != SQLITE_DONE)
		rc = ctr_db_error(s->db, CTR_EDB, err);
	sqlite3_finalize(select);
	sqlite3_finalize(update);
	return rc;
}

int ctr_contract_sql_judge(struct ctr_contract_sql *s, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	char date[11];
	int rc = judge_contracts(s, err);

	ctr_date_format(s->options.business_date, date);
	/* L5: ISO dates compare as text */
	if (rc == 0)
		rc = ctr_db_prepare(s->db, "UPDATE contract_products SET expired ="
				    " (end_date IS NOT NULL AND end_date < ?)", &stmt, err);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, date, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = ctr_db_error(s->db, CTR_EDB, err);
	}
	sqlite3_finalize(stmt);
	/* B9: which invoices exist, and which are drafts, depends on the date */
	if (rc == 0)
		rc = ctr_invoices_refresh(s->invoices, NULL, err);
	return rc;
}
