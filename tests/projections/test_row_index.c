/*
 * test_row_index.c - projections/row_index.c on rows of its own: every row
 * with a key visited once (the replacements of a support id, S3), rows
 * without a key passed over until they are given one, and lookups and visits
 * held to a walk's answers under random rows and key changes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "projections/row_index.h"

struct row {
	char *key;
	int visits;
};

static const struct ctr_row_key by_key = {
	.row_size = sizeof(struct row),
	.key_offset = offsetof(struct row, key),
	.keyless_rows = 1,
};

struct rows {
	struct ctr_arena arena;
	struct ctr_row_index index;
	struct row row[4000];
	size_t count;
};

static void set_key(struct rows *r, size_t i, const char *key)
{
	ctr_row_index_key_changing(&r->index, &by_key, r->row, i);
	r->row[i].key = key ? ctr_arena_strdup(&r->arena, key) : NULL;
	cr_assert(key == NULL || r->row[i].key != NULL);
	ctr_row_index_key_changed(&r->index, &r->arena, &by_key, r->row, i);
}

static void add(struct rows *r, const char *key)
{
	cr_assert_lt(r->count, sizeof(r->row) / sizeof(r->row[0]));
	r->row[r->count].key = NULL;
	set_key(r, r->count++, key);
}

static void count_visit(void *row, void *ctx)
{
	(void)ctx;
	((struct row *)row)->visits++;
}

/* Visits key's rows afresh: each must be visited once exactly when it has key. */
static void check_each(struct rows *r, const char *key)
{
	for (size_t i = 0; i < r->count; i++)
		r->row[i].visits = 0;
	ctr_row_index_each(&r->index, &r->arena, &by_key, r->row, r->count, key, count_visit, NULL);
	for (size_t i = 0; i < r->count; i++) {
		int has = r->row[i].key != NULL && strcmp(r->row[i].key, key) == 0;
		cr_assert_eq(r->row[i].visits, has, "row %zu (%s) visited %d times for %s", i,
			     r->row[i].key ? r->row[i].key : "no key", r->row[i].visits, key);
	}
}

static size_t find(struct rows *r, const char *key)
{
	return ctr_row_index_find(&r->index, &r->arena, &by_key, r->row, r->count, key, NULL, NULL);
}

static size_t walked(const struct rows *r, const char *key)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->row[i].key != NULL && strcmp(r->row[i].key, key) == 0)
			return i;
	return r->count;
}

/* S3: a renewal and a resume can both replace one id; both are its replacements. */
Test(row_index, every_row_with_a_key_is_visited_once_among_rows_without_one)
{
	static struct rows r;
	char key[32];

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "id-%d", i % 100);
		add(&r, i % 3 == 0 ? NULL : key);
	}
	check_each(&r, "id-1");
	cr_assert_gt(r.index.slot_cap, 0, "300 rows are indexed");
	check_each(&r, "id-99");
	check_each(&r, "id-100");
	/* given a key later, a row without one is found by it, whether indexed yet or not */
	set_key(&r, 0, "late");
	add(&r, NULL);
	set_key(&r, r.count - 1, "late");
	check_each(&r, "late");
	cr_assert_eq(find(&r, "late"), 0);
	/* a key changed away and back: its row is on the chain once */
	set_key(&r, 4, "late");
	set_key(&r, 4, "elsewhere");
	set_key(&r, 4, "late");
	check_each(&r, "late");
	check_each(&r, "elsewhere");
	ctr_arena_deinit(&r.arena);
}

Test(row_index, lookups_and_visits_answer_as_a_walk_under_random_key_changes)
{
	static struct rows r;
	char key[32];

	memset(&r, 0, sizeof(r));
	srand(4122026);
	for (int step = 0; step < 12000; step++) {
		snprintf(key, sizeof(key), "k%d", rand() % 300);
		int keyless = rand() % 4 == 0;
		if (rand() % 3 == 0 && r.count < 4000)
			add(&r, keyless ? NULL : key);
		else if (r.count > 0)
			set_key(&r, (size_t)rand() % r.count, keyless ? NULL : key);
		snprintf(key, sizeof(key), "k%d", rand() % 300);
		cr_assert_eq(find(&r, key), walked(&r, key), "%s at step %d", key, step);
		if (step % 50 == 0)
			check_each(&r, key);
	}
	cr_assert_gt(r.index.slot_cap, 0);
	ctr_arena_deinit(&r.arena);
}
