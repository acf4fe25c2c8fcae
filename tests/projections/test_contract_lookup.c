/*
 * test_contract_lookup.c - the contract aggregate's lookups of environments by
 * env_id and of members by user id and by email (projections/contract.c
 * through projections/row_index.c, which also finds a customer's support
 * ids), which walk a short list and index a long one: both must answer alike,
 * the first of two rows with one key included, rows gone passed over, and a
 * member found by the email it has now.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	ctr_arena_deinit(&arena);
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
	ctr_arena_deinit(&arena);
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
	ctr_arena_deinit(&arena);
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
	ctr_arena_deinit(&arena);
}

static struct ctr_member *add_member(struct ctr_contract *c, const char *user, const char *email,
				     enum ctr_member_state state, enum ctr_role role)
{
	struct ctr_member *m = ctr_contract_add_member(c);

	cr_assert_not_null(m);
	ctr_set_text(c, &m->user, user);
	ctr_contract_set_member_email(c, m, email);
	m->state = state;
	m->role = role;
	cr_assert_eq(c->out_of_memory, 0);
	return m;
}

/* M2: an invitation a member's own row replaced is gone; inviting the address again adds a row. */
Test(contract_lookup, a_member_is_found_past_gone_rows_with_its_user_id)
{
	struct ctr_arena arena = { 0 };
	struct ctr_contract *c = ctr_contract_new(&arena, "C-1");
	char user[32];

	cr_assert_not_null(c);
	add_member(c, "a@x", "a@x", MEMBER_INVITED, ROLE_MEMBER)->row.gone = 1;
	for (int i = 0; i < 200; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		add_member(c, user, user, MEMBER_ACTIVE, ROLE_MEMBER);
	}
	cr_assert_null(ctr_contract_member(c, "a@x"), "only a gone row has the key");
	add_member(c, "a@x", "a@x", MEMBER_INVITED, ROLE_OWNER)->row.gone = 1;
	struct ctr_member *live = add_member(c, "a@x", "a@x", MEMBER_INVITED, ROLE_MEMBER);
	cr_assert_eq(ctr_contract_member(c, "a@x"), live);
	cr_assert_gt(c->member_user_index.slot_cap, 0, "203 members are indexed");
	cr_assert_eq(ctr_contract_member(c, "u150"), &c->members[151]);
	ctr_arena_deinit(&arena);
}

/* M1: only an active owner's row makes its user an owner, among many rows with one key or not. */
Test(contract_lookup, an_owner_is_an_active_owner_row_among_many)
{
	struct ctr_arena arena = { 0 };
	struct ctr_contract *c = ctr_contract_new(&arena, "C-1");
	char user[32];

	cr_assert_not_null(c);
	for (int i = 0; i < 100; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		add_member(c, user, user, i % 2 ? MEMBER_ACTIVE : MEMBER_REMOVED, ROLE_OWNER);
	}
	add_member(c, "boss", "boss@x", MEMBER_INVITED, ROLE_OWNER)->row.gone = 1;
	cr_assert_not(ctr_contract_is_owner(c, "boss"));
	struct ctr_member *boss = add_member(c, "boss", "boss@x", MEMBER_ACTIVE, ROLE_MEMBER);
	cr_assert_not(ctr_contract_is_owner(c, "boss"));
	boss->role = ROLE_OWNER;
	cr_assert(ctr_contract_is_owner(c, "boss"));
	cr_assert(ctr_contract_is_owner(c, "u99"));
	cr_assert_not(ctr_contract_is_owner(c, "u98"), "a removed owner is no owner (M3)");
	cr_assert_gt(c->member_user_index.slot_cap, 0);
	ctr_arena_deinit(&arena);
}

/* M2 and DOMAIN.md's edge cases: emails compare case-insensitively; a changed email is found. */
Test(contract_lookup, a_member_is_found_by_its_present_email_in_any_case)
{
	struct ctr_arena arena = { 0 };
	struct ctr_contract *c = ctr_contract_new(&arena, "C-1");
	char user[32], email[32];

	cr_assert_not_null(c);
	for (int i = 0; i < 300; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		snprintf(email, sizeof(email), "User%d@Example.COM", i);
		add_member(c, user, email, MEMBER_ACTIVE, ROLE_MEMBER);
	}
	cr_assert_eq(ctr_contract_member_by_email(c, "user7@example.com", MEMBER_ACTIVE),
		     &c->members[7]);
	cr_assert_null(ctr_contract_member_by_email(c, "user7@example.com", MEMBER_INVITED));
	cr_assert_gt(c->member_email_index.slot_cap, 0);
	/* a long address hashes in pieces: its case must not matter in any of them */
	char long_upper[300], long_lower[300];
	memset(long_upper, 'Q', sizeof(long_upper) - 1);
	long_upper[sizeof(long_upper) - 1] = '\0';
	memset(long_lower, 'q', sizeof(long_lower) - 1);
	long_lower[sizeof(long_lower) - 1] = '\0';
	ctr_contract_set_member_email(c, &c->members[7], long_upper);
	cr_assert_null(ctr_contract_member_by_email(c, "user7@example.com", MEMBER_ACTIVE));
	cr_assert_eq(ctr_contract_member_by_email(c, long_lower, MEMBER_ACTIVE), &c->members[7]);
	/* thousands of changes of one email: each gives up its place under the one before */
	for (int i = 0; i < 5000; i++) {
		snprintf(email, sizeof(email), "Moved%d@x", i);
		ctr_contract_set_member_email(c, &c->members[42], email);
		snprintf(email, sizeof(email), "moved%d@X", i);
		cr_assert_eq(ctr_contract_member_by_email(c, email, MEMBER_ACTIVE), &c->members[42]);
	}
	cr_assert_null(ctr_contract_member_by_email(c, "moved4998@x", MEMBER_ACTIVE));
	cr_assert_eq(ctr_contract_member_by_email(c, "user299@example.com", MEMBER_ACTIVE),
		     &c->members[299]);
	ctr_arena_deinit(&arena);
}

/* What a walk over the rows answers: the first live row in state with the email, any case. */
static struct ctr_member *walked_by_email(struct ctr_contract *c, const char *email,
					  enum ctr_member_state state)
{
	for (size_t i = 0; i < c->member_count; i++) {
		struct ctr_member *m = &c->members[i];
		if (!m->row.gone && m->state == state && strcasecmp(m->email, email) == 0)
			return m;
	}
	return NULL;
}

static struct ctr_member *walked_by_user(struct ctr_contract *c, const char *user)
{
	for (size_t i = 0; i < c->member_count; i++)
		if (!c->members[i].row.gone && strcmp(c->members[i].user, user) == 0)
			return &c->members[i];
	return NULL;
}

/* Random rows, states, gone rows and email changes over few keys: the index answers as a walk. */
Test(contract_lookup, member_lookups_answer_as_a_walk_under_random_changes)
{
	struct ctr_arena arena = { 0 };
	struct ctr_contract *c = ctr_contract_new(&arena, "C-1");
	char user[32], email[32], asked[32];

	cr_assert_not_null(c);
	srand(20261204);
	for (int step = 0; step < 20000; step++) {
		int k = rand() % 400;
		snprintf(user, sizeof(user), "u%d", k);
		snprintf(email, sizeof(email), rand() % 2 ? "M%d@X" : "m%d@x", k);
		switch (rand() % 5) {
		case 0:
			add_member(c, user, email, (enum ctr_member_state)(rand() % 4), ROLE_MEMBER);
			break;
		case 1:
			if (c->member_count > 0)
				c->members[(size_t)rand() % c->member_count].row.gone = 1;
			break;
		case 2:
			if (c->member_count > 0)
				ctr_contract_set_member_email(
					c, &c->members[(size_t)rand() % c->member_count], email);
			break;
		case 3:
			if (c->member_count > 0)
				c->members[(size_t)rand() % c->member_count].state =
					(enum ctr_member_state)(rand() % 4);
			break;
		default:
			break;
		}
		snprintf(asked, sizeof(asked), "m%d@X", rand() % 400);
		enum ctr_member_state state = (enum ctr_member_state)(rand() % 4);
		cr_assert_eq(ctr_contract_member_by_email(c, asked, state),
			     walked_by_email(c, asked, state), "%s at step %d", asked, step);
		cr_assert_eq(ctr_contract_member(c, user), walked_by_user(c, user), "%s at step %d",
			     user, step);
	}
	cr_assert_gt(c->member_email_index.slot_cap, 0);
	ctr_arena_deinit(&arena);
}
