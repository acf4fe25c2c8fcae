/*
 * alloc_fail.c - the --wrap'd allocators of the unit-test binary (see
 * alloc_fail.h). Each test runs in a process of its own, so one counter serves;
 * atomic, since a replay's writes allocate on libuv's thread pool.
 */
#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "alloc_fail.h"
#include "events/json_memory.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
char *__real_strdup(const char *text);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
char *__wrap_strdup(const char *text);

static atomic_long left = -1; /* allocations to let through before one fails; < 0: none fails */
static atomic_int failed;
static atomic_long made; /* allocations asked for since alloc_fail_count() was last called */

void alloc_fail_after(long n)
{
	atomic_store(&failed, 0);
	atomic_store(&left, n);
}

int alloc_fail_disarm(void)
{
	atomic_store(&left, -1);
	return atomic_load(&failed);
}

long alloc_fail_count(void)
{
	return atomic_exchange(&made, 0);
}

static int fail_now(void)
{
	atomic_fetch_add(&made, 1);
	if (atomic_load(&left) < 0)
		return 0;
	/* only the allocation that takes it from 0 fails; below 0 it stays disarmed */
	if (atomic_fetch_sub(&left, 1) != 0)
		return 0;
	atomic_store(&failed, 1);
	return 1;
}

void *__wrap_malloc(size_t size)
{
	return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
	return fail_now() ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
	return fail_now() ? NULL : __real_realloc(ptr, size);
}

char *__wrap_strdup(const char *text)
{
	return fail_now() ? NULL : __real_strdup(text);
}

static void *uncounted_malloc(size_t size)
{
	return __real_malloc(size);
}

/* Before any test: jansson's allocations, watched as contrail watches them, then spared. */
__attribute__((constructor)) static void spare_json(void)
{
	ctr_json_memory_watch();
	json_set_alloc_funcs(uncounted_malloc, free);
}

void alloc_fail_json_too(void)
{
	json_set_alloc_funcs(ctr_json_memory_malloc, free);
}
