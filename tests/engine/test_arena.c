/*
 * test_arena.c - the region allocator of engine/arena.c, which holds each
 * stream's state: small things share blocks, large ones grow like realloc(),
 * and replaced text is written over the old where it fits.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/arena.h"

Test(arena, keeps_what_was_written_across_many_blocks)
{
	struct ctr_arena a = { 0 };
	char *texts[2000];
	char want[32];

	for (int i = 0; i < 2000; i++) {
		snprintf(want, sizeof(want), "support-%d", i);
		texts[i] = ctr_arena_strdup(&a, want);
		cr_assert_not_null(texts[i]);
		cr_assert_eq((uintptr_t)texts[i] % 8, 0);
	}
	for (int i = 0; i < 2000; i++) {
		snprintf(want, sizeof(want), "support-%d", i);
		cr_assert_str_eq(texts[i], want);
	}
	ctr_arena_deinit(&a);
}

Test(arena, zalloc_clears_and_large_allocations_stand_apart)
{
	struct ctr_arena a = { 0 };
	unsigned char *small = ctr_arena_zalloc(&a, 100), *large = ctr_arena_zalloc(&a, 5000);

	cr_assert_not_null(small);
	cr_assert_not_null(large);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(small[i], 0);
	for (int i = 0; i < 5000; i++)
		cr_assert_eq(large[i], 0);
	memset(large, 0xab, 5000);
	cr_assert_eq(small[99], 0);
	ctr_arena_deinit(&a);
}

Test(arena, grown_arrays_keep_their_rows)
{
	struct ctr_arena a = { 0 };
	int64_t *rows = NULL;
	size_t count = 0, cap = 0;

	for (int64_t i = 0; i < 1000; i++) {
		if (count == cap) {
			size_t grown = cap ? cap * 2 : 4;
			rows = ctr_arena_grow(&a, rows, cap * sizeof(*rows), grown * sizeof(*rows));
			cr_assert_not_null(rows);
			cap = grown;
			/* something else allocated between growths, as rows' strings are */
			cr_assert_not_null(ctr_arena_strdup(&a, "between"));
		}
		rows[count++] = i * 3;
	}
	for (size_t i = 0; i < count; i++)
		cr_assert_eq(rows[i], (int64_t)i * 3);
	ctr_arena_deinit(&a);
}

Test(arena, set_text_reuses_the_old_text_when_it_fits)
{
	struct ctr_arena a = { 0 };
	char *field = NULL, *first;

	cr_assert_eq(ctr_arena_set_text(&a, &field, "2024-04-01T10:00:00Z"), 0);
	first = field;
	cr_assert_eq(ctr_arena_set_text(&a, &field, "2024-05-01T11:00:00Z"), 0);
	cr_assert_eq(field, first);
	cr_assert_str_eq(field, "2024-05-01T11:00:00Z");
	cr_assert_eq(ctr_arena_set_text(&a, &field, field), 0); /* itself */
	cr_assert_str_eq(field, "2024-05-01T11:00:00Z");
	cr_assert_eq(ctr_arena_set_text(&a, &field, "a longer text than the first one was"), 0);
	cr_assert_neq(field, first);
	cr_assert_str_eq(field, "a longer text than the first one was");
	cr_assert_eq(ctr_arena_set_text(&a, &field, NULL), 0);
	cr_assert_null(field);
	ctr_arena_deinit(&a);
}

Test(arena, frees_itself_from_inside_its_own_block)
{
	struct ctr_arena local = { 0 };
	struct holder {
		struct ctr_arena arena;
		char *name;
	} *h = ctr_arena_zalloc(&local, sizeof(*h));

	cr_assert_not_null(h);
	h->arena = local;
	h->name = ctr_arena_strdup(&h->arena, "contract:C-000001");
	for (int i = 0; i < 100; i++)
		cr_assert_not_null(ctr_arena_alloc(&h->arena, 300));
	ctr_arena_deinit(&h->arena);
}
