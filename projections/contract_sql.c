/*
 * contract_sql.c - writing and loading the contract aggregate (see
 * contract_sql.h). Rows removed since the last flush are deleted before the
 * changed ones are written, so a key that was removed and re-added is written
 * once. Derived columns are computed here, on the run's business date.
 */
#include "projections/contract_sql.h"

#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/writes.h"
#include "events/timefmt.h"
#include "projections/invoices.h"
#include "projections/contract_sql_internal.h"

static const char *const stmt_sql[STMT_COUNT] = {
	[PUT_CONTRACT] = "INSERT OR REPLACE INTO contracts VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[PUT_PRODUCT] = "INSERT OR REPLACE INTO contract_products VALUES (?,?,?,?,?,?,?,?,?,?)",
	[PUT_ENV] = "INSERT OR REPLACE INTO environments VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[PUT_ALLOC] = "INSERT OR REPLACE INTO allocations VALUES (?,?,?,?)",
	[DEL_ALLOC] = "DELETE FROM allocations WHERE contract_id = ? AND env_id = ? AND sku = ?",
	[PUT_MEMBER] = "INSERT OR REPLACE INTO members VALUES (?,?,?,?,?,?,?,?)",
	[DEL_MEMBER] = "DELETE FROM members WHERE contract_id = ? AND user = ?",
	[PUT_COMPANY] = "INSERT OR REPLACE INTO group_companies VALUES (?,?,?)",
	[GET_CONTRACT] = "SELECT account, name, kind, start_date, end_date, cancel_end_on,"
			 " migration_to FROM contracts WHERE contract_id = ?",
	[GET_PRODUCTS] = "SELECT sku, name, licenses, assigned, own_end_date FROM contract_products"
			 " WHERE contract_id = ? ORDER BY sku",
	[GET_ENVS] = "SELECT env_id, name, status, mode, activated_at, deleted, sort_key,"
		     " migrate_to, allocated_us, activated_us FROM environments WHERE contract_id = ?"
		     " ORDER BY env_id",
	[GET_ALLOCS] = "SELECT env_id, sku, count FROM allocations WHERE contract_id = ?"
		       " ORDER BY env_id, sku",
	[GET_MEMBERS] = "SELECT user, email, role, notify, state, name, lang FROM members"
			" WHERE contract_id = ? ORDER BY user",
	[GET_COMPANIES] = "SELECT company, added_by FROM group_companies WHERE contract_id = ?"
			  " ORDER BY company",
	[PUT_TERMS] = "INSERT OR REPLACE INTO billing_terms VALUES (?,?,?,?,?,?,?)",
	[PUT_CHANGE] = "INSERT OR REPLACE INTO seat_changes VALUES (?,?,?,?,?)",
	[GET_TERMS] = "SELECT service_start, seats_full, seats_light, price_full, price_light,"
		      " tax_rate_pct FROM billing_terms WHERE contract_id = ?",
	[GET_CHANGES] = "SELECT kind, effective_month, total FROM seat_changes WHERE contract_id = ?"
			" ORDER BY change_no",
};

const char *const ctr_env_status_names[4] = { "unlinked", "linked", "needs_reactivation",
						"pending_sync" };
const char *const ctr_contract_mode_names[3] = { NULL, "online", "offline" };
const char *const ctr_member_state_names[4] = { "invited", "active", "removed", "withdrawn" };

int ctr_contract_sql_new(sqlite3 *db, const struct ctr_projection_options *options,
			 struct ctr_contract_sql **out, struct ctr_error *err)
{
	struct ctr_contract_sql *s = calloc(1, sizeof(*s));
	int rc = 0;

	if (s == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	s->db = db;
	s->options = *options;
	for (int i = 0; i < STMT_COUNT && rc == 0; i++)
		rc = ctr_db_prepare(db, stmt_sql[i], &s->stmt[i], err);
	if (rc == 0)
		rc = ctr_invoices_new(db, options->business_date, &s->invoices, err);
	if (rc != 0) {
		ctr_contract_sql_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void ctr_contract_sql_free(struct ctr_contract_sql *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	ctr_invoices_free(s->invoices);
	free(s);
}

const char *ctr_contract_status(int cloud, const char *end_date, const char *cancel_end_on,
				int32_t date, int expiring_days, int64_t *days_left, int *has_days)
{
	const char *end = ctr_date_earlier(end_date, cancel_end_on);
	int ok = 0;
	int32_t end_days;

	(void)cloud;
	*has_days = 0;
	if (end == NULL)
		return "active"; /* a cloud contract without a cancellation (L5) */
	end_days = ctr_date_parse(end, &ok);
	*days_left = end_days - date;
	*has_days = 1;
	if (cancel_end_on && ctr_date_parse(cancel_end_on, &ok) < date)
		return "cancelled";
	if (end_days < date)
		return "expired";
	return *days_left <= expiring_days ? "expiring" : "active";
}

/* M3: no member is an active owner (one walk over them, at a flush) */
static int ownerless(const struct ctr_contract *c)
{
	for (size_t i = 0; i < c->member_count; i++) {
		const struct ctr_member *m = &c->members[i];
		if (!m->row.gone && m->state == MEMBER_ACTIVE && m->role == ROLE_OWNER)
			return 0;
	}
	return 1;
}

static void put_contract(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_writes *w)
{
	int64_t days_left = 0;
	int has_days;
	const char *status = ctr_contract_status(c->cloud, c->end_date, c->cancel_end_on,
						 s->options.business_date,
						 s->options.expiring_days, &days_left, &has_days);

	ctr_writes_stmt(w, s->stmt[PUT_CONTRACT]);
	ctr_writes_text(w, 1, c->contract_id);
	ctr_writes_text(w, 2, c->account);
	ctr_writes_text(w, 3, c->name);
	ctr_writes_text(w, 4, c->cloud ? "cloud" : "license");
	ctr_writes_text(w, 5, c->start_date);
	ctr_writes_text(w, 6, c->end_date ? c->end_date : c->cancel_end_on);
	ctr_writes_text(w, 7, status);
	if (has_days)
		ctr_writes_int(w, 8, days_left);
	ctr_writes_int(w, 9, ownerless(c));
	ctr_writes_text(w, 10, c->cancel_end_on);
	ctr_writes_text(w, 11, c->migration_to);
	ctr_writes_step(w);
}

static void put_product(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_product *p,
			struct ctr_writes *w)
{
	const char *end = ctr_product_end_date(c, p);
	int ok = 0;

	ctr_writes_stmt(w, s->stmt[PUT_PRODUCT]);
	ctr_writes_text(w, 1, c->contract_id);
	ctr_writes_text(w, 2, p->sku);
	ctr_writes_text(w, 3, p->name);
	if (!p->other) { /* L4: other products have no license count */
		ctr_writes_int(w, 4, p->licenses);
		ctr_writes_int(w, 6, p->licenses - p->assigned);
	}
	ctr_writes_int(w, 5, p->assigned);
	ctr_writes_text(w, 7, end);
	ctr_writes_int(w, 8, end != NULL && ctr_date_parse(end, &ok) < s->options.business_date);
	ctr_writes_int(w, 9, !p->other && p->assigned > p->licenses); /* L8 */
	ctr_writes_text(w, 10, p->own_end_date);
	ctr_writes_step(w);
}

static void put_environment(struct ctr_contract_sql *s, struct ctr_contract *c,
			    struct ctr_environment *e, struct ctr_writes *w)
{
	ctr_writes_stmt(w, s->stmt[PUT_ENV]);
	ctr_writes_text(w, 1, c->contract_id);
	ctr_writes_text(w, 2, e->env_id);
	ctr_writes_text(w, 3, e->name);
	ctr_writes_text(w, 4, ctr_env_status_names[e->status]);
	ctr_writes_text(w, 5, ctr_contract_mode_names[e->mode]);
	ctr_writes_text(w, 6, e->activated_at);
	ctr_writes_int(w, 7, e->deleted);
	if (e->has_sort_key)
		ctr_writes_int(w, 8, e->sort_key);
	ctr_writes_text(w, 9, e->migrate_to);
	ctr_writes_int(w, 10, e->allocated_us);
	ctr_writes_int(w, 11, e->activated_us);
	ctr_writes_step(w);
}

static void put_allocation(struct ctr_contract_sql *s, struct ctr_contract *c,
			   struct ctr_environment *e, struct ctr_allocation *al, struct ctr_writes *w)
{
	ctr_writes_stmt(w, s->stmt[al->row.gone ? DEL_ALLOC : PUT_ALLOC]);
	ctr_writes_text(w, 1, c->contract_id);
	ctr_writes_text(w, 2, e->env_id);
	ctr_writes_text(w, 3, al->sku);
	if (!al->row.gone)
		ctr_writes_int(w, 4, al->count);
	ctr_writes_step(w);
}

static void put_member(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_member *m,
		       struct ctr_writes *w)
{
	ctr_writes_stmt(w, s->stmt[m->row.gone ? DEL_MEMBER : PUT_MEMBER]);
	ctr_writes_text(w, 1, c->contract_id);
	ctr_writes_text(w, 2, m->user);
	if (m->row.gone) {
		ctr_writes_step(w);
		return;
	}
	ctr_writes_text(w, 3, m->email);
	ctr_writes_text(w, 4, m->role == ROLE_OWNER ? "owner" : "member");
	ctr_writes_int(w, 5, m->notify);
	ctr_writes_text(w, 6, ctr_member_state_names[m->state]);
	ctr_writes_text(w, 7, m->name);
	ctr_writes_text(w, 8, m->lang);
	ctr_writes_step(w);
}

static void put_company(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_company *g,
			struct ctr_writes *w)
{
	ctr_writes_stmt(w, s->stmt[PUT_COMPANY]);
	ctr_writes_text(w, 1, c->contract_id);
	ctr_writes_text(w, 2, g->company);
	ctr_writes_text(w, 3, g->added_by);
	ctr_writes_step(w);
}

/* 1 when the row is to be written in this pass (pass 0: deletions, pass 1: the rest). */
static int due(struct ctr_row_flags *row, int pass)
{
	if (!row->dirty || (int)row->gone != (pass == 0))
		return 0;
	return !(row->gone && !row->stored); /* never stored: nothing to delete */
}

static void written(struct ctr_row_flags *row)
{
	row->dirty = 0;
	row->stored = !row->gone;
}

static void record_rows(struct ctr_contract_sql *s, struct ctr_contract *c, int pass,
			struct ctr_writes *w)
{
	for (size_t i = 0; i < c->environment_count; i++) {
		struct ctr_environment *e = &c->environments[i];
		for (size_t j = 0; j < e->allocation_count; j++)
			if (due(&e->allocations[j].row, pass))
				put_allocation(s, c, e, &e->allocations[j], w);
		if (pass == 1 && due(&e->row, pass))
			put_environment(s, c, e, w);
	}
	for (size_t i = 0; i < c->member_count; i++)
		if (due(&c->members[i].row, pass))
			put_member(s, c, &c->members[i], w);
	if (pass == 0)
		return;
	for (size_t i = 0; i < c->product_count; i++)
		if (due(&c->products[i].row, pass))
			put_product(s, c, &c->products[i], w);
	for (size_t i = 0; i < c->company_count; i++)
		if (due(&c->companies[i].row, pass))
			put_company(s, c, &c->companies[i], w);
}

static void clear_flags(struct ctr_contract *c)
{
	for (size_t i = 0; i < c->environment_count; i++) {
		struct ctr_environment *e = &c->environments[i];
		for (size_t j = 0; j < e->allocation_count; j++)
			written(&e->allocations[j].row);
		written(&e->row);
	}
	for (size_t i = 0; i < c->member_count; i++)
		written(&c->members[i].row);
	for (size_t i = 0; i < c->product_count; i++)
		written(&c->products[i].row);
	for (size_t i = 0; i < c->company_count; i++)
		written(&c->companies[i].row);
	written(&c->row);
	c->any_dirty = 0;
}

static int refresh_invoices(void *invoices, const char *contract_id, struct ctr_error *err)
{
	return ctr_invoices_refresh(invoices, contract_id, err);
}

/* Billing terms and new seat changes, then the contract's invoices again (B1-B9). */
static void put_billing(struct ctr_contract_sql *s, struct ctr_contract *c, struct ctr_writes *w)
{
	struct ctr_billing *b = &c->billing;

	if (!b->dirty) /* members and environments do not change invoices */
		return;
	ctr_writes_stmt(w, s->stmt[PUT_TERMS]);
	ctr_writes_text(w, 1, c->contract_id);
	ctr_writes_text(w, 2, b->service_start);
	ctr_writes_int(w, 3, b->full);
	ctr_writes_int(w, 4, b->light);
	ctr_writes_int(w, 5, b->price_full);
	ctr_writes_int(w, 6, b->price_light);
	ctr_writes_int(w, 7, b->tax_rate_pct);
	ctr_writes_step(w);
	for (size_t i = 0; i < b->change_count; i++) {
		struct ctr_seat_change *change = &b->changes[i];
		if (change->stored)
			continue;
		ctr_writes_stmt(w, s->stmt[PUT_CHANGE]);
		ctr_writes_text(w, 1, c->contract_id);
		ctr_writes_int(w, 2, (int64_t)i);
		ctr_writes_text(w, 3, change->light ? "light" : "full");
		ctr_writes_int(w, 4, change->effective_month);
		ctr_writes_int(w, 5, change->total);
		ctr_writes_step(w);
		change->stored = 1;
	}
	b->dirty = 0;
	if (s->options.bulk)
		s->invoices_pending = 1;
	else /* the invoices are read back from the terms and changes just written */
		ctr_writes_call(w, refresh_invoices, s->invoices, c->contract_id);
}

void ctr_contract_sql_record(struct ctr_contract_sql *s, struct ctr_contract *c,
			     struct ctr_writes *w)
{
	if (!c->any_dirty)
		return;
	/* ownerless (M3) follows member changes, so the contract row is written with them */
	record_rows(s, c, 0, w);
	record_rows(s, c, 1, w);
	put_contract(s, c, w);
	if (c->billing.present)
		put_billing(s, c, w);
	clear_flags(c);
}

int ctr_contract_sql_finish(struct ctr_contract_sql *s, struct ctr_error *err)
{
	int rc = 0;

	if (s->invoices_pending)
		rc = ctr_invoices_refresh(s->invoices, NULL, err);
	s->invoices_pending = rc != 0;
	return rc;
}

int ctr_contract_sql_invoices_pending(const struct ctr_contract_sql *s)
{
	return s->invoices_pending;
}

void ctr_contract_sql_invoices_taken(struct ctr_contract_sql *s)
{
	s->invoices_pending = 0;
}
