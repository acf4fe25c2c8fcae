/*
 * generate_environments.c - the assignment family of one license contract:
 * environments created, allocated within the license counts (L2, L3),
 * activated online or offline, synced or re-activated after a change of
 * terms (L6), deleted (L7); the environments a migration moves (G1-G3); and
 * the allocation and environment faults (L3, L4, L7).
 */
#include <stdio.h>
#include <string.h>

#include "cli/generate_internal.h"

static void env_id(int index, char out[16])
{
	snprintf(out, 16, "env-%02d", index + 1);
}

static void begin_env_event(struct gen *g, struct gen_contract *c, const char *type, int index,
			    int64_t at)
{
	char id[16];

	env_id(index, id);
	gen_begin(g, c->s, type, at);
	gen_str(g, "env_id", id);
}

/* A live environment chosen at random; -1 when there is none. */
static int live_env(struct gen *g, const struct gen_contract *c)
{
	int live[GEN_ENVS_MAX], count = 0;

	for (int e = 0; e < c->env_count; e++)
		if (!c->envs[e].deleted)
			live[count++] = e;
	return count ? live[gen_range(g, 0, count - 1)] : -1;
}

static int name_used(const struct gen_contract *c, int name)
{
	for (int e = 0; e < c->env_count; e++)
		if (c->envs[e].name == name)
			return 1;
	return 0;
}

/* The first free name mostly (本番, 検証, 開発 ...), sometimes another; -1 when none. */
static int free_name(struct gen *g, const struct gen_contract *c)
{
	int start = gen_chance(g, 70) ? 0 : (int)gen_range(g, 0, gen_env_name_count - 1);

	for (int i = 0; i < gen_env_name_count; i++) {
		int name = (start + i) % gen_env_name_count;
		if (!name_used(c, name))
			return name;
	}
	return -1;
}

static int create_env(struct gen *g, struct gen_contract *c, int name, int64_t at)
{
	int index = c->env_count;

	if (index == GEN_ENVS_MAX || name < 0)
		return -1;
	memset(&c->envs[index], 0, sizeof(c->envs[index]));
	c->envs[index].name = name;
	c->env_count++;
	begin_env_event(g, c, "environment.created", index, at);
	gen_str(g, "name", gen_env_names[name]);
	if (gen_chance(g, 70))
		gen_long(g, "sort_key", index + 1);
	gen_end(g, GEN_CLEAN);
	return index;
}

static void activate(struct gen *g, struct gen_contract *c, int index, int reactivation, int64_t at)
{
	struct gen_env *e = &c->envs[index];

	if (!reactivation)
		e->offline = !gen_chance(g, 65);
	else if (gen_chance(g, 10)) /* moved to the other mode on re-activation */
		e->offline = !e->offline;
	begin_env_event(g, c, "environment.activated", index, at);
	gen_str(g, "mode", e->offline ? "offline" : "online");
	gen_bool(g, "reactivation", reactivation);
	gen_end(g, GEN_CLEAN);
	e->activated = 1;
}

/* L6: an online environment syncs, an offline one is re-activated (most of the time). */
static void follow_env(struct gen *g, struct gen_contract *c, int index)
{
	struct gen_env *e = &c->envs[index];

	if (e->deleted || !e->activated)
		return;
	if (!e->offline && gen_chance(g, 60)) {
		begin_env_event(g, c, "environment.synced", index, gen_after(g, c->s->at, 0, 5));
		gen_end(g, GEN_CLEAN);
	} else if (e->offline && gen_chance(g, 55)) {
		activate(g, c, index, 1, gen_after(g, c->s->at, 1, 20));
	}
}

void gen_follow_terms(struct gen *g, struct gen_contract *c)
{
	for (int e = 0; e < c->env_count; e++)
		follow_env(g, c, e);
}

/* The new count of product p in environment e that L3 allows; -1 to leave it. */
static long new_count(struct gen *g, const struct gen_contract *c, const struct gen_env *e, int p)
{
	long held = e->count[p];
	long room = c->products[p].licenses - (c->products[p].assigned - held);

	if (room > held && (held == 0 || gen_chance(g, 65))) {
		long up = room - held;
		return held + gen_range(g, 1, up > 3 ? up * 2 / 3 : up);
	}
	return held > 0 ? gen_range(g, 0, held - 1) : -1; /* L3: lowering is always allowed */
}

static void allocate(struct gen *g, struct gen_contract *c, int index, int64_t at)
{
	struct gen_env *e = &c->envs[index];
	long counts[GEN_PRODUCTS_MAX];
	int changed = 0;

	for (int p = 0; p < c->product_count; p++) {
		counts[p] = p == 0 || gen_chance(g, 50) ? new_count(g, c, e, p) : -1;
		changed += counts[p] >= 0;
	}
	if (!changed)
		return;
	begin_env_event(g, c, "environment.allocated", index, at);
	gen_open(g, "allocations", '[');
	for (int p = 0; p < c->product_count; p++) {
		if (counts[p] < 0)
			continue;
		gen_open(g, NULL, '{');
		gen_str(g, "sku", gen_products[c->products[p].sku].sku);
		gen_long(g, "count", counts[p]);
		gen_close(g, '}');
		c->products[p].assigned += counts[p] - e->count[p];
		e->count[p] = counts[p];
	}
	gen_close(g, ']');
	gen_end(g, GEN_CLEAN);
	follow_env(g, c, index);
}

void gen_other_allocation(struct gen *g, struct gen_contract *c, int other)
{
	int index = live_env(g, c);
	char sku[40];

	if (index < 0 || !gen_chance(g, 60))
		return;
	snprintf(sku, sizeof(sku), "other:%s", c->other_keys[other]);
	c->envs[index].other_count[other] = gen_range(g, 1, 20);
	begin_env_event(g, c, "environment.allocated", index, gen_after(g, c->s->at, 0, 3));
	gen_open(g, "allocations", '[');
	gen_open(g, NULL, '{');
	gen_str(g, "sku", sku);
	gen_long(g, "count", c->envs[index].other_count[other]);
	gen_close(g, '}');
	gen_close(g, ']');
	gen_end(g, GEN_CLEAN);
}

static void delete_env(struct gen *g, struct gen_contract *c, int index, int64_t at)
{
	struct gen_env *e = &c->envs[index];

	begin_env_event(g, c, "environment.deleted", index, at);
	gen_end(g, GEN_CLEAN);
	e->deleted = 1; /* L7: its allocations no longer count */
	for (int p = 0; p < c->product_count; p++)
		c->products[p].assigned -= e->count[p];
}

/* A new environment, its first allocation, and usually its activation days later. */
static void new_env(struct gen *g, struct gen_contract *c, int64_t at)
{
	int index = create_env(g, c, free_name(g, c), at);

	if (index < 0)
		return;
	if (gen_chance(g, 90))
		allocate(g, c, index, gen_after(g, c->s->at, 0, 0));
	if (gen_chance(g, 80))
		activate(g, c, index, 0, gen_after(g, c->s->at, 0, 14));
}

void gen_envs_setup(struct gen *g, struct gen_contract *c, int64_t now)
{
	int count = gen_chance(g, 40) ? 1 : gen_chance(g, 67) ? 2 : 3;

	for (int i = 0; i < count; i++)
		new_env(g, c, i == 0 ? now : gen_after(g, c->s->at, 0, 7));
}

/* L3: more than the licenses left; rejected whole. */
static void over_allocation(struct gen *g, struct gen_contract *c, int index, int64_t at)
{
	int p = (int)gen_range(g, 0, c->product_count - 1);
	long held = c->envs[index].count[p];
	long room = c->products[p].licenses - (c->products[p].assigned - held);

	begin_env_event(g, c, "environment.allocated", index, at);
	gen_open(g, "allocations", '[');
	gen_open(g, NULL, '{');
	gen_str(g, "sku", gen_products[c->products[p].sku].sku);
	gen_long(g, "count", (room > held ? room : held) + gen_range(g, 1, 3));
	gen_close(g, '}');
	gen_close(g, ']');
	gen_end(g, GEN_OVER_ALLOCATION);
}

/* L4: a product the contract does not have. */
static void unknown_sku(struct gen *g, struct gen_contract *c, int index, int64_t at)
{
	int sku = (int)gen_range(g, 0, gen_product_count - 1);
	const char *code = "CSL-IAP-ENT"; /* in no contract */

	for (int i = 0; i < gen_product_count; i++, sku = (sku + 1) % gen_product_count) {
		int owned = 0;
		for (int p = 0; p < c->product_count; p++)
			owned |= c->products[p].sku == sku;
		if (!owned) {
			code = gen_products[sku].sku;
			break;
		}
	}
	begin_env_event(g, c, "environment.allocated", index, at);
	gen_open(g, "allocations", '[');
	gen_open(g, NULL, '{');
	gen_str(g, "sku", code);
	gen_long(g, "count", gen_range(g, 1, 3));
	gen_close(g, '}');
	gen_close(g, ']');
	gen_end(g, GEN_UNKNOWN_SKU);
}

/* L7: "env-1" for "env-01", a typo of the operator's script; or a deleted environment. */
static void missing_env(struct gen *g, struct gen_contract *c, int64_t at, enum gen_fault fault)
{
	static const char *const types[] = { "environment.activated", "environment.synced" };
	int type = (int)gen_range(g, 0, 1);
	char id[16];

	if (fault == GEN_UNKNOWN_ENV) {
		snprintf(id, sizeof(id), "env-%d", (int)gen_range(g, 1, c->env_count));
	} else {
		int index = (int)gen_range(g, 0, c->env_count - 1);
		while (!c->envs[index].deleted)
			index = (index + 1) % c->env_count;
		env_id(index, id);
	}
	gen_begin(g, c->s, types[type], at);
	gen_str(g, "env_id", id);
	if (type == 0) {
		gen_str(g, "mode", "online");
		gen_bool(g, "reactivation", 1);
	}
	gen_end(g, fault);
}

static int deleted_envs(const struct gen_contract *c)
{
	int count = 0;

	for (int e = 0; e < c->env_count; e++)
		count += c->envs[e].deleted;
	return count;
}

static int env_fault(struct gen *g, struct gen_contract *c, int index, int64_t now)
{
	if (index >= 0 && gen_fault_roll(g, GEN_OVER_ALLOCATION))
		over_allocation(g, c, index, now);
	else if (index >= 0 && gen_fault_roll(g, GEN_UNKNOWN_SKU))
		unknown_sku(g, c, index, now);
	else if (c->env_count > 0 && gen_fault_roll(g, GEN_UNKNOWN_ENV))
		missing_env(g, c, now, GEN_UNKNOWN_ENV);
	else if (deleted_envs(c) > 0 && gen_fault_roll(g, GEN_ENV_DELETED))
		missing_env(g, c, now, GEN_ENV_DELETED);
	else
		return 0;
	return 1;
}

void gen_env_step(struct gen *g, struct gen_contract *c, int64_t now)
{
	int index = live_env(g, c);
	long roll = gen_range(g, 0, 99);

	if (env_fault(g, c, index, now))
		return;
	if (index < 0 || roll < 20)
		new_env(g, c, now);
	else if (roll < 62)
		allocate(g, c, index, now);
	else if (roll < 80 && !c->envs[index].activated)
		activate(g, c, index, 0, now);
	else if (roll < 80)
		activate(g, c, index, 1, now); /* a re-activation, e.g. after a server move */
	else if (roll < 90 && c->env_count - deleted_envs(c) > 1)
		delete_env(g, c, index, now);
	else if (c->other_count > 0)
		gen_other_allocation(g, c, (int)gen_range(g, 0, c->other_count - 1));
}

void gen_snapshot(const struct gen_contract *c, struct gen_migration *m)
{
	m->product_count = c->product_count;
	memcpy(m->products, c->products, sizeof(m->products));
	m->env_count = 0;
	for (int e = 0; e < c->env_count; e++)
		if (!c->envs[e].deleted)
			m->envs[m->env_count++] = c->envs[e];
}

/* The copied allocation of a migrated environment; L3 still holds. */
static void allocate_copy(struct gen *g, struct gen_contract *c, int index, long counts[])
{
	int any = 0;

	for (int p = 0; p < c->product_count; p++) {
		long room = c->products[p].licenses - c->products[p].assigned;
		if (counts[p] > room)
			counts[p] = room > 0 ? room : 0;
		any |= counts[p] > 0;
	}
	begin_env_event(g, c, "environment.allocated", index, gen_after(g, c->s->at, 0, 0));
	gen_open(g, "allocations", '[');
	for (int p = 0; p < c->product_count; p++) {
		if (counts[p] == 0 && (any || p > 0))
			continue;
		gen_open(g, NULL, '{');
		gen_str(g, "sku", gen_products[c->products[p].sku].sku);
		gen_long(g, "count", counts[p]);
		gen_close(g, '}');
		c->products[p].assigned += counts[p];
		c->envs[index].count[p] = counts[p];
	}
	gen_close(g, ']');
	gen_end(g, GEN_CLEAN);
}

/*
 * G2, G3: environments of the same names, their allocations (mostly the same),
 * activation; a few migrations go no further than the old side's steps.
 */
void gen_migrate_envs_in(struct gen *g, struct gen_contract *c, int64_t now)
{
	const struct gen_migration *m = c->migrate_in;

	if (gen_chance(g, 6))
		return; /* stops at planned, or old_env_deleted */
	for (int i = 0; i < m->env_count; i++) {
		const struct gen_env *old = &m->envs[i];
		int index = create_env(g, c, old->name, i == 0 ? now : gen_after(g, c->s->at, 0, 10));
		long counts[GEN_PRODUCTS_MAX];

		if (index < 0 || gen_chance(g, 10))
			continue; /* this one stops at new_env_created */
		memcpy(counts, old->count, sizeof(counts));
		if (gen_chance(g, 15)) /* G3: allocation_match 0 */
			counts[0] += counts[0] > 0 ? -1 : 1;
		allocate_copy(g, c, index, counts);
		if (gen_chance(g, 85))
			activate(g, c, index, 0, gen_after(g, c->s->at, 0, 10));
	}
}

/*
 * G2: the old environments are deleted, most of them, in the days after the
 * plan, before their successors are created (seed 000, appendix 5.2).
 */
void gen_migrate_envs_out(struct gen *g, struct gen_contract *c)
{
	struct gen_migration *m = c->migrate_out;

	for (int i = 0; i < m->env_count; i++)
		for (int e = 0; e < c->env_count; e++)
			if (c->envs[e].name == m->envs[i].name && !c->envs[e].deleted && gen_chance(g, 80))
				delete_env(g, c, e, gen_after(g, c->s->at, 1, 10));
	m->moved_out_at = c->s->at;
}
