/*
 * test_contract_lookup.c - the contract aggregate's lookup of environments by
 * env_id (projections/contract.c through projections/row_index.c, which also
 * finds a customer's support ids), which walks a short list and indexes a long
 * one: both must answer alike, the first of two rows with one id included.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "projections/contract.h"

static struct ctr_environment *add_env(struct ctr_contract *c, const char *env_id)
{
	struct ctr_environment *e = ctr_contract_add_environment(c);

	cr_assert_not_null(e);
	ctr_set_text(c, &e->env_id, env_id);
	cr_assert_eq(c->out_of_memory, 0);
	return e;
}

/* Environments env-0 to env-(count - 1), each named as it is added. */
static void add_envs(struct ctr_contract *c, int count)
{
	char env_id[32];

	for (int i = 0; i < count; i++) {
		snprintf(env_id, sizeof(env_id), "env-%d", i);
		add_env(c, env_id);
	}
}

Test(contract_lookup, finds_each_of_many_environments_as_they_are_added)
{
	struct ctr_arena arena = { 0 };
	struct ctr_contract *c = ctr_contract_new(&arena, "C-1");
	char env_id[32];

	cr_assert_not_null(c);
	for (int i = 0; i < 5000; i++) {
		snprintf(env_id, sizeof(env_id), "env-%d", i);
		cr_assert_null(ctr_contract_environment(c, env_id), "%s before it was added", env_id);
		add_env(c, env_id)->sort_key = i;
		/* every earlier one still found, through the index once there is one */
		if (i % 997 == 0 || i < 70)
			for (int j = 0; j <= i; j++) {
				snprintf(env_id, sizeof(env_id), "env-%d", j);
				struct ctr_environment *e = ctr_contract_environment(c, env_id);
				cr_assert_not_null(e, "%s after %d added", env_id, i + 1);
				cr_assert_eq(e->sort_key, j);
			}
	}
	cr_assert_gt(c->environment_index.slot_cap, 0, "5,000 environments are indexed");
	cr_assert_null(ctr_contract_environment(c, "env-5000"));
	cr_assert_null(ctr_contract_environment(c, ""));
	ctr_arena_free(&arena);
}

Test(contract_lookup, the_first_of_two_rows_with_one_id_is_found_walked_or_indexed)
{
	struct ctr_arena arena = { 0 };
	struct ctr_contract *c = ctr_contract_new(&arena, "C-1");

	cr_assert_not_null(c);
	add_env(c, "twice")->sort_key = 1;
	add_env(c, "twice")->sort_key = 2;
	cr_assert_eq(ctr_contract_environment(c, "twice")->sort_key, 1);
	add_envs(c, 200);
	cr_assert_eq(ctr_contract_environment(c, "twice")->sort_key, 1);
	cr_assert_gt(c->environment_index.slot_cap, 0);
	ctr_arena_free(&arena);
}

Test(contract_lookup, a_row_whose_id_is_not_yet_set_is_passed_over)
{
	struct ctr_arena arena = { 0 };
	struct ctr_contract *c = ctr_contract_new(&arena, "C-1");

	cr_assert_not_null(c);
	add_envs(c, 100);
	/* a row whose env_id is not set yet, or could not be copied (out of memory) */
	cr_assert_not_null(ctr_contract_add_environment(c));
	cr_assert_null(ctr_contract_environment(c, "late"));
	cr_assert_not_null(ctr_contract_environment(c, "env-99"));
	ctr_set_text(c, &c->environments[100].env_id, "late");
	cr_assert_eq(ctr_contract_environment(c, "late"), &c->environments[100]);
	ctr_arena_free(&arena);
}

Test(contract_lookup, products_and_group_companies_are_found_among_many)
{
	struct ctr_arena arena = { 0 };
	struct ctr_contract *c = ctr_contract_new(&arena, "C-1");
	char key[32];

	cr_assert_not_null(c);
	for (int i = 0; i < 300; i++) {
		struct ctr_product *p = ctr_contract_add_product(c);
		struct ctr_company *g = ctr_contract_add_company(c);
		cr_assert(p != NULL && g != NULL);
		snprintf(key, sizeof(key), "SKU-%d", i);
		ctr_set_text(c, &p->sku, key);
		p->licenses = i;
		snprintf(key, sizeof(key), "company %d", i);
		ctr_set_text(c, &g->company, key);
	}
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "SKU-%d", i);
		cr_assert_eq(ctr_contract_product(c, key)->licenses, i);
		snprintf(key, sizeof(key), "company %d", i);
		cr_assert_eq(ctr_contract_company(c, key), &c->companies[i]);
	}
	cr_assert_null(ctr_contract_product(c, "SKU-300"));
	cr_assert_null(ctr_contract_company(c, "company 300"));
	cr_assert_gt(c->product_index.slot_cap, 0);
	cr_assert_gt(c->company_index.slot_cap, 0);
	ctr_arena_free(&arena);
}
