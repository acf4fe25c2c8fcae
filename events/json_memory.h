/*
 * json_memory.h - the JSON library's allocations, watched: jansson reports a
 * string it could not allocate as a syntax error ("string or '}' expected"),
 * so a parse that ran out of memory would read as bad JSON. Its allocations go
 * through a malloc() that notes a failure on the calling thread, which a parse
 * then asks for.
 */
#ifndef CTR_JSON_MEMORY_H
#define CTR_JSON_MEMORY_H

#include <stddef.h>

/* Routes jansson's allocations through the watching malloc(); once per process suffices. */
void ctr_json_memory_watch(void);

/* 1 when one of jansson's allocations failed on this thread since the last call, else 0. */
int ctr_json_memory_failed(void);

/* The watching malloc() itself, for a test that gives jansson other functions and then these. */
void *ctr_json_memory_malloc(size_t size);

#endif
