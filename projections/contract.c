/*
 * contract.c - allocation, lookups and row bookkeeping of the contract
 * aggregate (see contract.h). Contracts hold a handful of rows each, so the
 * lookups are linear scans, but for products, environments, members and
 * group companies, of which one contract may hold thousands: past a few
 * dozen they are found through an index (row_index.c).
 * Everything is allocated from the stream's arena and goes with it, so nothing
 * here frees.
 */
#include "projections/contract.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

void ctr_set_text(struct ctr_contract *c, char **field, const char *value)
{
	if (ctr_arena_set_text(c->arena, field, value) != 0)
		c->out_of_memory = 1;
}

struct ctr_contract *ctr_contract_new(struct ctr_arena *arena, const char *contract_id)
{
	struct ctr_contract *c = ctr_arena_zalloc(arena, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->arena = arena;
	c->contract_id = ctr_arena_strdup(arena, contract_id);
	return c->contract_id ? c : NULL;
}

/*
 * Grows *items (of size each) to hold one more; returns the new slot, zeroed.
 * A small array outgrown stays in the arena (a large one has a block of its
 * own, which grows); arrays start at four rows and double, so what is left
 * behind is less than what is in use.
 */
static void *append(struct ctr_contract *c, void **items, size_t *count, size_t *cap,
		    size_t size)
{
	char *slot;

	if (*count == *cap) {
		size_t grown = *cap ? *cap * 2 : 4;
		void *moved = ctr_arena_grow(c->arena, *items, *cap * size, grown * size);
		if (moved == NULL) {
			c->out_of_memory = 1;
			return NULL;
		}
		*items = moved;
		*cap = grown;
	}
	slot = (char *)*items + (*count)++ * size;
	memset(slot, 0, size);
	return slot;
}

struct ctr_product *ctr_contract_add_product(struct ctr_contract *c)
{
	return append(c, (void **)&c->products, &c->product_count, &c->product_cap,
		      sizeof(*c->products));
}

struct ctr_environment *ctr_contract_add_environment(struct ctr_contract *c)
{
	return append(c, (void **)&c->environments, &c->environment_count,
		      &c->environment_cap,
		      sizeof(*c->environments));
}

struct ctr_allocation *ctr_environment_add_allocation(struct ctr_contract *c,
						       struct ctr_environment *e)
{
	return append(c, (void **)&e->allocations, &e->allocation_count, &e->allocation_cap,
		      sizeof(*e->allocations));
}

struct ctr_member *ctr_contract_add_member(struct ctr_contract *c)
{
	return append(c, (void **)&c->members, &c->member_count, &c->member_cap,
		      sizeof(*c->members));
}

struct ctr_company *ctr_contract_add_company(struct ctr_contract *c)
{
	return append(c, (void **)&c->companies, &c->company_count, &c->company_cap,
		      sizeof(*c->companies));
}

struct ctr_seat_change *ctr_contract_add_change(struct ctr_contract *c)
{
	struct ctr_billing *b = &c->billing;

	return append(c, (void **)&b->changes, &b->change_count, &b->change_cap,
		      sizeof(*b->changes));
}

static const struct ctr_row_key product_by_sku = {
	.row_size = sizeof(struct ctr_product),
	.key_offset = offsetof(struct ctr_product, sku),
};
static const struct ctr_row_key environment_by_id = {
	.row_size = sizeof(struct ctr_environment),
	.key_offset = offsetof(struct ctr_environment, env_id),
};
static const struct ctr_row_key allocation_by_sku = {
	.row_size = sizeof(struct ctr_allocation),
	.key_offset = offsetof(struct ctr_allocation, sku),
};
static const struct ctr_row_key member_by_user = {
	.row_size = sizeof(struct ctr_member),
	.key_offset = offsetof(struct ctr_member, user),
};
/* DOMAIN.md, edge cases: emails compare case-insensitively (ASCII letters, as S2's do). */
static const struct ctr_row_key member_by_email = {
	.row_size = sizeof(struct ctr_member),
	.key_offset = offsetof(struct ctr_member, email),
	.fold_case = 1,
};
static const struct ctr_row_key company_by_name = {
	.row_size = sizeof(struct ctr_company),
	.key_offset = offsetof(struct ctr_company, company),
};

struct ctr_product *ctr_contract_product(struct ctr_contract *c, const char *sku)
{
	size_t i = ctr_row_index_find(&c->product_index, c->arena, &product_by_sku, c->products,
				      c->product_count, sku, NULL, NULL);

	return i < c->product_count ? &c->products[i] : NULL;
}

struct ctr_environment *ctr_contract_environment(struct ctr_contract *c, const char *env_id)
{
	size_t i = ctr_row_index_find(&c->environment_index, c->arena, &environment_by_id,
				      c->environments, c->environment_count, env_id, NULL, NULL);

	return i < c->environment_count ? &c->environments[i] : NULL;
}

struct ctr_allocation *ctr_environment_allocation(struct ctr_contract *c, struct ctr_environment *e,
						  const char *sku)
{
	size_t i = ctr_row_index_find(&e->allocation_index, c->arena, &allocation_by_sku,
				      e->allocations, e->allocation_count, sku, NULL, NULL);

	return i < e->allocation_count ? &e->allocations[i] : NULL;
}

/* A member's row counts until it is gone (an invitation a member's own row replaced, M2). */
static int live_member(const void *row, const void *unused)
{
	(void)unused;
	return !((const struct ctr_member *)row)->row.gone;
}

static int active_owner(const void *row, const void *unused)
{
	const struct ctr_member *m = row;

	(void)unused;
	return !m->row.gone && m->state == MEMBER_ACTIVE && m->role == ROLE_OWNER;
}

static int live_member_in_state(const void *row, const void *state)
{
	const struct ctr_member *m = row;

	return !m->row.gone && m->state == *(const enum ctr_member_state *)state;
}

struct ctr_member *ctr_contract_member(struct ctr_contract *c, const char *user)
{
	size_t i = ctr_row_index_find(&c->member_user_index, c->arena, &member_by_user, c->members,
				      c->member_count, user, live_member, NULL);

	return i < c->member_count ? &c->members[i] : NULL;
}

struct ctr_member *ctr_contract_member_by_email(struct ctr_contract *c, const char *email,
						enum ctr_member_state state)
{
	size_t i = ctr_row_index_find(&c->member_email_index, c->arena, &member_by_email,
				      c->members, c->member_count, email, live_member_in_state,
				      &state);

	return i < c->member_count ? &c->members[i] : NULL;
}

void ctr_contract_set_member_email(struct ctr_contract *c, struct ctr_member *m,
				   const char *email)
{
	size_t pos = (size_t)(m - c->members);
	/* its place in the index holds while the address is the same but for case */
	int same_key = m->email != NULL && email != NULL && strcasecmp(m->email, email) == 0;

	if (!same_key)
		ctr_row_index_key_changing(&c->member_email_index, &member_by_email, c->members, pos);
	ctr_set_text(c, &m->email, email);
	if (!same_key)
		ctr_row_index_key_changed(&c->member_email_index, c->arena, &member_by_email,
					  c->members, pos);
}

struct ctr_company *ctr_contract_company(struct ctr_contract *c, const char *company)
{
	size_t i = ctr_row_index_find(&c->company_index, c->arena, &company_by_name, c->companies,
				      c->company_count, company, NULL, NULL);

	return i < c->company_count ? &c->companies[i] : NULL;
}

void ctr_contract_touch(struct ctr_contract *c, struct ctr_row_flags *row)
{
	row->dirty = 1;
	c->any_dirty = 1;
}

int ctr_contract_is_owner(struct ctr_contract *c, const char *user)
{
	return ctr_row_index_find(&c->member_user_index, c->arena, &member_by_user, c->members,
				  c->member_count, user, active_owner, NULL) < c->member_count;
}

const char *ctr_date_earlier(const char *a, const char *b)
{
	if (a == NULL || (b != NULL && strcmp(b, a) < 0))
		return b; /* ISO dates compare as text */
	return a;
}

const char *ctr_product_end_date(const struct ctr_contract *c, const struct ctr_product *p)
{
	/* a cancellation ends the contract's products with it (L5) */
	return ctr_date_earlier(p->own_end_date ? p->own_end_date : c->end_date, c->cancel_end_on);
}
