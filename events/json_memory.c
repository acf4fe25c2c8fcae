/*
 * json_memory.c - jansson's allocations through a malloc() that notes each
 * failure per thread (see json_memory.h).
 */
#include "events/json_memory.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>

static _Thread_local int failed;
static pthread_once_t watched = PTHREAD_ONCE_INIT;

void *ctr_json_memory_malloc(size_t size)
{
	void *p = malloc(size);

	if (p == NULL)
		failed = 1;
	return p;
}

static void watch(void)
{
	json_set_alloc_funcs(ctr_json_memory_malloc, free);
}

void ctr_json_memory_watch(void)
{
	pthread_once(&watched, watch);
}

int ctr_json_memory_failed(void)
{
	int was = failed;

	failed = 0;
	return was;
}
