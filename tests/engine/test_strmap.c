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
