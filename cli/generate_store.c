/*
 * generate_store.c - one account's web-store accounts (seed 002): an account
 * is a store id and an email (K1), either migrated from the old shared-account
 * system when the store was renewed in May 2024 (and then asked to reset
 * its password, K2) or registered afterwards; then orders and quotes. A
 * migrated account without orders or valid quotes is deactivated from the
 * cutoff (K3) and registers again before its next order, or has that order
 * refused first (account_deactivated).
 */
#include <stdio.h>

#include "cli/generate_internal.h"

static const char *const stores[] = { "webstore-jp", "webstore-edu" };

struct store_account {
	struct gen_stream *s;
	const char *store_id, *email;
	int migrated, registered_again;
	long activity; /* K3: migrated orders and quotes, orders before and quotes valid on the cutoff */
	int32_t cutoff;
};

static void begin_store_event(struct gen *g, struct store_account *a, const char *type, int64_t at)
{
	gen_begin(g, a->s, type, at);
	gen_str(g, "store_id", a->store_id);
}

static void registered(struct gen *g, struct store_account *a, int64_t at)
{
	begin_store_event(g, a, "store.account_registered", at);
	gen_str(g, "email", a->email);
	gen_end(g, GEN_CLEAN);
}

static void password_reset(struct gen *g, struct store_account *a, int64_t at)
{
	begin_store_event(g, a, "store.password_reset", at);
	gen_str(g, "email", a->email);
	gen_end(g, GEN_CLEAN);
}

static void migrated(struct gen *g, struct store_account *a, int64_t at)
{
	long orders = gen_chance(g, 35) ? 0 : gen_range(g, 1, 40);
	long quotes = gen_chance(g, 60) ? 0 : gen_range(g, 1, 3);

	begin_store_event(g, a, "store.account_migrated", at);
	gen_str(g, "email", a->email);
	gen_long(g, "orders", orders);
	gen_long(g, "valid_quotes", quotes);
	gen_end(g, GEN_CLEAN);
	a->migrated = 1;
	a->activity = orders + quotes;
	if (gen_chance(g, 75))
		password_reset(g, a, gen_after(g, a->s->at, 1, 60));
}

static void order(struct gen *g, struct store_account *a, int64_t at)
{
	char id[40];
	int32_t day = gen_day_of(at);

	if (a->migrated && a->activity == 0 && day >= a->cutoff && !a->registered_again) {
		if (gen_fault_roll(g, GEN_ACCOUNT_DEACTIVATED)) {
			snprintf(id, sizeof(id), "SO-%s-%ld", g->account, g->next_id + 1);
			begin_store_event(g, a, "store.order_placed", at);
			gen_str(g, "order_id", id);
			gen_end(g, GEN_ACCOUNT_DEACTIVATED);
			at = gen_after(g, a->s->at, 1, 14);
		}
		registered(g, a, at);
		a->registered_again = 1;
		at = gen_after(g, a->s->at, 0, 0);
	}
	snprintf(id, sizeof(id), "SO-%s-%ld", g->account, g->next_id + 1);
	begin_store_event(g, a, "store.order_placed", at);
	gen_str(g, "order_id", id);
	gen_end(g, GEN_CLEAN);
	a->activity += gen_day_of(a->s->at) < a->cutoff;
}

static void quote(struct gen *g, struct store_account *a, int64_t at)
{
	char id[40];
	int32_t day = gen_day_of(at), valid_until = day + (int32_t)gen_range(g, 30, 90);

	snprintf(id, sizeof(id), "Q-%s-%ld", g->account, g->next_id + 1);
	begin_store_event(g, a, "store.quote_issued", at);
	gen_str(g, "quote_id", id);
	gen_date(g, "valid_until", valid_until);
	gen_end(g, GEN_CLEAN);
	a->activity += day <= a->cutoff && valid_until >= a->cutoff;
}

static void store_account(struct gen *g, const char *store_id, const char *email)
{
	/* seed 002: the store reopened on 10 May 2024 with the accounts registered up to 26 April */
	int32_t renewal = gen_days(2024, 5, 10), start = gen_day_of(g->start);
	struct store_account a = { .store_id = store_id, .email = email, .cutoff = gen_days(2024, 10, 31) };
	int migrate = start <= gen_days(2024, 4, 26) && gen_chance(g, 55);
	int64_t at = gen_office_time(g, migrate ? renewal + (int32_t)gen_range(g, 0, 2) :
						  (start > renewal ? start : renewal) + (int32_t)gen_range(g, 0, 500));
	char id[128];

	snprintf(id, sizeof(id), "%s/%s", store_id, email);
	if (at >= g->horizon)
		return;
	a.s = gen_stream_new(g, GEN_STORE, id);
	if (a.s == NULL)
		return;
	if (migrate) {
		migrated(g, &a, at);
	} else {
		registered(g, &a, at);
		if (gen_chance(g, 10))
			password_reset(g, &a, gen_after(g, a.s->at, 1, 200));
	}
	for (long n = gen_range(g, 0, 5); n > 0; n--) {
		at = gen_after(g, a.s->at, 20, 200);
		if (at >= g->horizon)
			return;
		if (gen_chance(g, 60))
			order(g, &a, at);
		else
			quote(g, &a, at);
	}
}

/* 0-2 store accounts; the same email in both stores is two accounts (K1). */
void gen_store(struct gen *g)
{
	long roll = gen_range(g, 0, 99);
	int count = roll < 35 ? 0 : roll < 80 ? 1 : 2;
	int first = (int)gen_range(g, 0, 1);
	int buyer = (int)gen_range(g, 0, g->people_count - 1);

	for (int k = 0; k < count; k++) {
		if (k == 1 && gen_chance(g, 40))
			buyer = (int)gen_range(g, 0, g->people_count - 1);
		store_account(g, stores[(first + k) % 2], g->people[buyer].email);
	}
}
