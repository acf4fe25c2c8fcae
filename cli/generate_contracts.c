/*
 * generate_contracts.c - one account's contracts over time: opening with
 * owners and products (or cloud billing terms), license changes, added
 * products and other products, yearly renewals, seat changes and a
 * cancellation of cloud contracts, and a migration from an old contract to a
 * new one of the same account. Environments and members are in their own
 * files; each contract's events are written in the order they happen.
 */
#include <stdint.h>
#include <string.h>

#include "cli/generate_internal.h"

static int has_sku(const struct gen_contract *c, int sku)
{
	for (int p = 0; p < c->product_count; p++)
		if (c->products[p].sku == sku)
			return 1;
	return 0;
}

static long some_licenses(struct gen *g)
{
	long roll = gen_range(g, 0, 99);

	if (roll < 50)
		return gen_range(g, 1, 5);
	return roll < 85 ? gen_range(g, 5, 20) : gen_range(g, 20, 100);
}

/* The products of a new license contract; a migration's new contract has the old one's. */
static void choose_products(struct gen *g, struct gen_contract *c)
{
	const struct gen_migration *m = c->migrate_in;

	if (m) {
		c->product_count = m->product_count;
		for (int p = 0; p < m->product_count; p++) {
			long needed = m->products[p].licenses > m->products[p].assigned ?
					      m->products[p].licenses : m->products[p].assigned;
			c->products[p].sku = m->products[p].sku;
			c->products[p].licenses = (needed > 0 ? needed : 1) + gen_range(g, 0, 5);
		}
		return;
	}
	c->product_count = gen_chance(g, 50) ? 1 : gen_chance(g, 70) ? 2 : 3;
	for (int p = 0; p < c->product_count; p++) {
		int sku;
		do
			sku = (int)gen_range(g, 0, gen_product_count - 1);
		while (has_sku(c, sku));
		c->products[p].sku = sku;
		c->products[p].licenses = some_licenses(g);
	}
}

static void write_products(struct gen *g, const struct gen_contract *c, int32_t start)
{
	gen_open(g, "products", '[');
	for (int p = 0; p < c->product_count; p++) {
		gen_open(g, NULL, '{');
		gen_str(g, "sku", gen_products[c->products[p].sku].sku);
		gen_str(g, "name", gen_products[c->products[p].sku].name);
		gen_long(g, "licenses", c->products[p].licenses);
		if (!c->migrate_in && gen_chance(g, 8)) /* a trial that ends before the contract */
			gen_date(g, "end_date", gen_month_end(gen_add_months(start, 5)));
		gen_close(g, '}');
	}
	gen_close(g, ']');
}

static void open_contract(struct gen *g, struct gen_contract *c, int64_t at)
{
	int32_t start = gen_day_of(at);
	int year, month, day;
	char name[160];

	gen_civil(start, &year, &month, &day);
	gen_contract_name(g, c->cloud, year, name, sizeof(name));
	if (!c->cloud)
		choose_products(g, c);
	gen_begin(g, c->s, "contract.opened", at);
	gen_str(g, "name", name);
	gen_str(g, "kind", c->cloud ? "cloud" : "license");
	gen_date(g, "start_date", start);
	if (!c->cloud) {
		c->end_day = gen_month_end(gen_add_months(start, 11 + (int)gen_range(g, 0, 12)));
		c->renew_at = gen_office_time(g, c->end_day - (int32_t)gen_range(g, 10, 45));
		gen_date(g, "end_date", c->end_day);
	}
	gen_open_owners(g, c, gen_chance(g, 80) ? 1 : 2);
	write_products(g, c, start);
	if (c->cloud)
		gen_write_billing(g, c, start);
	gen_end(g, GEN_CLEAN);
}

static void licenses_changed(struct gen *g, struct gen_contract *c, int64_t now)
{
	struct gen_product *p = &c->products[gen_range(g, 0, c->product_count - 1)];

	if (gen_chance(g, 75) || p->licenses <= 1)
		p->licenses += gen_range(g, 1, 5);
	else
		p->licenses -= gen_range(g, 1, p->licenses > 3 ? 3 : p->licenses - 1);
	gen_begin(g, c->s, "contract.licenses_changed", now);
	gen_str(g, "sku", gen_products[p->sku].sku);
	gen_long(g, "licenses", p->licenses); /* L8: may go below the assigned count */
	gen_end(g, GEN_CLEAN);
	gen_follow_terms(g, c);
}

static void product_added(struct gen *g, struct gen_contract *c, int64_t now)
{
	struct gen_product *p;
	int sku = (int)gen_range(g, 0, gen_product_count - 1);

	if (c->product_count == GEN_PRODUCTS_MAX || has_sku(c, sku))
		return;
	p = &c->products[c->product_count++];
	p->sku = sku;
	p->licenses = gen_range(g, 1, 10);
	p->assigned = 0;
	gen_begin(g, c->s, "contract.product_added", now);
	gen_str(g, "sku", gen_products[sku].sku);
	gen_str(g, "name", gen_products[sku].name);
	gen_long(g, "licenses", p->licenses);
	gen_end(g, GEN_CLEAN);
	gen_follow_terms(g, c);
}

/* An owner adds a product of another vendor (L4: sku other:<license_key>, no limit). */
static void other_product_added(struct gen *g, struct gen_contract *c, int64_t now)
{
	int owner = gen_owner(g, c);
	const char *name;

	if (owner < 0 || c->other_count == GEN_OTHERS_MAX)
		return;
	gen_other_product(g, c->other_keys[c->other_count], &name);
	gen_begin(g, c->s, "contract.other_product_added", now);
	gen_str(g, "license_key", c->other_keys[c->other_count]);
	gen_str(g, "name", name);
	gen_str(g, "by", g->people[owner].email);
	gen_end(g, GEN_CLEAN);
	gen_other_allocation(g, c, c->other_count++);
}

/* A yearly renewal, sometimes with new totals (0: not continued, L1; below assigned: L8). */
static void renewed(struct gen *g, struct gen_contract *c, int64_t now)
{
	c->end_day = gen_month_end(gen_add_months(c->end_day, 12));
	c->renew_at = gen_office_time(g, c->end_day - (int32_t)gen_range(g, 10, 45));
	gen_begin(g, c->s, "contract.renewed", now);
	gen_date(g, "end_date", c->end_day);
	if (gen_chance(g, 60)) {
		gen_open(g, "products", '[');
		for (int p = 0; p < c->product_count; p++) {
			struct gen_product *product = &c->products[p];
			long roll = gen_range(g, 0, 99);
			if (roll < 25)
				product->licenses += gen_range(g, 1, 5);
			else if (roll < 35 && product->licenses > 1)
				product->licenses -= gen_range(g, 1, product->licenses > 3 ? 3 : product->licenses - 1);
			else if (roll < 38 && c->product_count > 1 && p > 0)
				product->licenses = 0;
			gen_open(g, NULL, '{');
			gen_str(g, "sku", gen_products[product->sku].sku);
			gen_long(g, "licenses", product->licenses);
			gen_close(g, '}');
		}
		gen_close(g, ']');
	}
	gen_end(g, GEN_CLEAN);
	gen_follow_terms(g, c);
}

static void renew_or_end(struct gen *g, struct gen_contract *c, int64_t now)
{
	if (c->migrate_out || gen_chance(g, 90)) {
		renewed(g, c, now);
		return;
	}
	c->renew = 0; /* the customer lets it expire (L5) */
	if (gen_time_of(c->end_day, 18 * 3600) < c->until)
		c->until = gen_time_of(c->end_day, 18 * 3600);
}

static void license_step(struct gen *g, struct gen_contract *c, int64_t now)
{
	long roll = gen_range(g, 0, 99);

	if (roll < 44)
		gen_env_step(g, c, now);
	else if (roll < 74)
		gen_member_step(g, c, now);
	else if (roll < 85)
		licenses_changed(g, c, now);
	else if (roll < 90)
		product_added(g, c, now);
	else if (roll < 94)
		other_product_added(g, c, now);
	else
		gen_group_company_added(g, c, now);
}

static void plan_migration(struct gen *g, struct gen_contract *c, int64_t at)
{
	struct gen_migration *m = c->migrate_out;

	gen_begin(g, c->s, "contract.migration_planned", at);
	gen_str(g, "to_contract", m->to);
	gen_end(g, GEN_CLEAN);
	gen_snapshot(c, m); /* G1: the environments that exist now */
	m->planned = 1;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* The contract's life after its setup: whatever comes first, until it ends. */
static void live(struct gen *g, struct gen_contract *c, int64_t now)
{
	for (int steps = 0; steps < 400; steps++) {
		int person = -1;
		int64_t act = gen_after(g, now, 30, c->cloud ? 200 : 300);
		int64_t renew = c->renew ? c->renew_at : INT64_MAX;
		int64_t leave = gen_next_withdrawal(g, c, &person);
		int64_t plan = c->migrate_out ? c->migrate_out->planned_at : INT64_MAX;
		int64_t at = earliest(earliest(act, renew), earliest(leave, plan));

		if (at >= c->until)
			return;
		if (at == plan) {
			plan_migration(g, c, at);
			return;
		}
		if (at == leave)
			gen_withdraw(g, c, person, at);
		else if (at == renew)
			renew_or_end(g, c, at);
		else if (c->cloud)
			gen_cloud_step(g, c, at);
		else
			license_step(g, c, at);
		now = at > c->s->at ? at : c->s->at;
	}
}

static void contract_history(struct gen *g, struct gen_contract *c, int64_t open_at)
{
	int person = -1;
	int64_t leave;

	open_contract(g, c, open_at);
	gen_members_setup(g, c, gen_after(g, c->s->at, 1, 20));
	if (c->migrate_in)
		gen_migrate_envs_in(g, c, gen_after(g, c->migrate_in->moved_out_at, 1, 10));
	else if (!c->cloud)
		gen_envs_setup(g, c, gen_after(g, c->s->at, 0, 14));
	live(g, c, c->s->at);
	if (c->migrate_out && c->migrate_out->planned)
		gen_migrate_envs_out(g, c);
	/* M3: people who leave the portal later still leave every contract they are on */
	for (;;) {
		leave = gen_next_withdrawal(g, c, &person);
		if (leave >= g->horizon)
			break;
		gen_withdraw(g, c, person, leave);
	}
}

/* Some people (never the first owner) leave the portal at some point. */
static void plan_withdrawals(struct gen *g)
{
	int32_t first = gen_day_of(g->start) + 200, last = gen_day_of(g->horizon);

	for (int p = 1; p < g->people_count; p++)
		if (first < last && gen_chance(g, 10))
			g->people[p].withdraws_at = gen_office_time(g, first + (int32_t)gen_range(g, 0, last - first));
}

static void set_up(struct gen *g, struct gen_contract *c, int number, int cloud, int64_t open_at)
{
	int year, month, day;
	char id[40];

	memset(c, 0, sizeof(*c));
	gen_civil(gen_day_of(open_at), &year, &month, &day);
	gen_contract_id(g, number, year, id, sizeof(id));
	c->s = gen_stream_new(g, GEN_CONTRACT, id);
	c->number = number;
	c->cloud = cloud;
	c->renew = !cloud;
	c->until = g->horizon;
}

void gen_contracts(struct gen *g)
{
	struct gen_contract contracts[GEN_CONTRACTS_MAX];
	struct gen_migration migration = { .planned = 0 };
	int64_t opens[GEN_CONTRACTS_MAX];
	int cloud[GEN_CONTRACTS_MAX];
	int count = 1 + gen_chance(g, 45) + gen_chance(g, 20);

	opens[0] = g->start;
	cloud[0] = gen_chance(g, 12);
	for (int k = 1; k < count; k++) {
		opens[k] = gen_after(g, opens[k - 1], 90, 1000);
		cloud[k] = gen_chance(g, 25);
		if (opens[k] > g->horizon - 90 * GEN_DAY)
			count = k;
	}
	plan_withdrawals(g);
	for (int k = 0; k < count; k++)
		set_up(g, &contracts[k], k, cloud[k], opens[k]);
	if (count > 1 && !cloud[0] && !cloud[1] && gen_chance(g, 50)) {
		migration.planned_at = gen_after(g, opens[1], 5, 30);
		if (migration.planned_at < g->horizon - 30 * GEN_DAY) {
			memcpy(migration.to, contracts[1].s->id, sizeof(migration.to));
			contracts[0].migrate_out = &migration;
		}
	}
	for (int k = 0; k < count; k++) {
		if (k == 1 && migration.planned)
			contracts[k].migrate_in = &migration;
		contract_history(g, &contracts[k], opens[k]);
	}
}
