/*
 * test_keyset.c - the key set of engine/keyset.c, which tells a rebuild which
 * streams it evicted and so must read back from the database.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "engine/keyset.h"

Test(keyset, holds_every_key_added_through_growth_and_no_other)
{
	struct ctr_keyset *set = ctr_keyset_new();
	char name[32];
	size_t false_hits = 0;

	cr_assert_not_null(set);
	for (int i = 0; i < 100000; i += 2) {
		snprintf(name, sizeof(name), "contract:C-%06d", i);
		cr_assert_eq(ctr_keyset_add(set, ctr_keyset_key(name)), 0);
	}
	cr_assert_eq(ctr_keyset_count(set), 50000);
	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "contract:C-%06d", i);
		if (i % 2 == 0)
			cr_assert(ctr_keyset_has(set, ctr_keyset_key(name)), "%s was added", name);
		else
			false_hits += (size_t)ctr_keyset_has(set, ctr_keyset_key(name));
	}
	/* 64-bit keys: a collision among 100,000 names is all but impossible */
	cr_assert_eq(false_hits, 0);
	ctr_keyset_free(set);
}

Test(keyset, adding_twice_counts_once_and_key_zero_is_a_key)
{
	struct ctr_keyset *set = ctr_keyset_new();

	cr_assert_not(ctr_keyset_has(set, 0));
	cr_assert_eq(ctr_keyset_add(set, 0), 0);
	cr_assert_eq(ctr_keyset_add(set, 0), 0);
	cr_assert_eq(ctr_keyset_add(set, 42), 0);
	cr_assert(ctr_keyset_has(set, 0));
	cr_assert(ctr_keyset_has(set, 42));
	cr_assert_not(ctr_keyset_has(set, 43));
	cr_assert_eq(ctr_keyset_count(set), 2);
	ctr_keyset_free(set);
}
