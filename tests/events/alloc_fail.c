/*
 * alloc_fail.c - the --wrap'd allocators of the unit-test binary (see
 * alloc_fail.h). Each test runs in a process of its own, so one counter serves.
 */
#include <stddef.h>

#include "alloc_fail.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
char *__real_strdup(const char *text);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
char *__wrap_strdup(const char *text);

static long left = -1; /* allocations to let through before one fails; -1: none fails */
static int failed;

void alloc_fail_after(long n)
{
	left = n;
	failed = 0;
}

int alloc_fail_disarm(void)
{
	left = -1;
	return failed;
}

static int fail_now(void)
{
	if (left < 0)
		return 0;
	if (left-- > 0)
		return 0;
	failed = 1;
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
