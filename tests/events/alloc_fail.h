/*
 * alloc_fail.h - makes one allocation of contrail's own code fail, for tests
 * of the out-of-memory paths. The unit-test binary is linked with --wrap for
 * malloc, calloc, realloc and strdup, so the calls of the objects linked into
 * it (contrail's code and the tests) come through here; the libraries' own
 * allocations (Avro C, jansson, SQLite) do not. jansson's would, through the
 * malloc() contrail gives it (events/json_memory.h), but are kept out of the
 * count: jansson 2.14 frees a pointer it never allocated when some of them
 * fail (seen under AddressSanitizer in a whole replay). A test that fails
 * them gives jansson that malloc() again: alloc_fail_json_too().
 */
#ifndef CTR_TESTS_ALLOC_FAIL_H
#define CTR_TESTS_ALLOC_FAIL_H

/* The allocation after the next n succeed fails, once; later ones succeed again. */
void alloc_fail_after(long n);
/* Disarms; returns 1 if an allocation failed since alloc_fail_after(). */
int alloc_fail_disarm(void);
/* How many allocations were asked for (failed or not) since the last call. */
long alloc_fail_count(void);
/* jansson's allocations counted and failed as the rest, through ctr_json_memory_malloc(). */
void alloc_fail_json_too(void);

#endif
