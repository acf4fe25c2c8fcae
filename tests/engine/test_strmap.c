/*
 * test_strmap.c - the string map of engine/strmap.c.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/strmap.h"

Test(strmap, holds_many_keys_through_growth)
{
	struct ctr_strmap *map = ctr_strmap_new();
	char key[32];
	size_t cursor = 0, seen = 0;
	const char *k;
	void *v;

	for (intptr_t i = 1; i <= 50000; i++) {
		snprintf(key, sizeof(key), "stream-%ld", (long)i);
		cr_assert_not_null(ctr_strmap_put(map, key, (void *)i));
	}
	cr_assert_eq(ctr_strmap_count(map), 50000);
	cr_assert_eq((intptr_t)ctr_strmap_get(map, "stream-777"), 777);
	cr_assert_null(ctr_strmap_get(map, "stream-0"));
	ctr_strmap_put(map, "stream-777", (void *)1);
	cr_assert_eq((intptr_t)ctr_strmap_get(map, "stream-777"), 1);
	while (ctr_strmap_next(map, &cursor, &k, &v))
		seen++;
	cr_assert_eq(seen, 50000);
	ctr_strmap_free(map);
}

static int keep_odd(void *value, void *ctx)
{
	(*(int *)ctx)++;
	return (intptr_t)value % 2 == 1;
}

Test(strmap, retain_drops_what_it_is_told_and_keeps_the_rest_where_they_are)
{
	struct ctr_strmap *map = ctr_strmap_new();
	const char *key_of_7 = NULL;
	char key[32];
	int asked = 0;

	for (intptr_t i = 1; i <= 1000; i++) {
		snprintf(key, sizeof(key), "stream-%ld", (long)i);
		const char *stored = ctr_strmap_put(map, key, (void *)i);
		if (i == 7)
			key_of_7 = stored;
	}
	cr_assert_eq(ctr_strmap_retain(map, keep_odd, &asked), 0);
	cr_assert_eq(asked, 1000, "each entry asked once");
	cr_assert_eq(ctr_strmap_count(map), 500);
	for (intptr_t i = 1; i <= 1000; i++) {
		snprintf(key, sizeof(key), "stream-%ld", (long)i);
		cr_assert_eq((intptr_t)ctr_strmap_get(map, key), i % 2 ? i : 0, "%s", key);
	}
	cr_assert_eq(ctr_strmap_put(map, "stream-7", (void *)7), key_of_7, "a kept key stays put");
	cr_assert_not_null(ctr_strmap_put(map, "stream-8", (void *)8), "a dropped key can come back");
	cr_assert_eq(ctr_strmap_count(map), 501);
	ctr_strmap_free(map);
}

/* A lookup by a hash taken once (and the slot prefetched) finds what a plain one finds. */
Test(strmap, a_lookup_by_its_hash_finds_what_a_plain_one_does)
{
	struct ctr_strmap *map = ctr_strmap_new();
	char key[32];

	for (intptr_t i = 1; i <= 5000; i++) {
		snprintf(key, sizeof(key), "C-%ld", (long)i);
		cr_assert_not_null(ctr_strmap_put(map, key, (void *)i));
	}
	for (intptr_t i = 0; i <= 5001; i++) {
		uint64_t hash;
		snprintf(key, sizeof(key), "C-%ld", (long)i);
		hash = ctr_strmap_hash(key);
		ctr_strmap_prefetch(map, hash);
		cr_assert_eq(ctr_strmap_get_hashed(map, key, hash), ctr_strmap_get(map, key), "%s", key);
		cr_assert_eq((intptr_t)ctr_strmap_get_hashed(map, key, hash), i >= 1 && i <= 5000 ? i : 0,
			     "%s", key);
	}
	ctr_strmap_free(map);
}
