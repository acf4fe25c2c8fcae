/*
 * strmap.h - a string-keyed hash map of pointers (open addressing, linear
 * probing). Keys are copied into the map; values are the caller's.
 * It holds the streams and aggregates of a run, so it must stay fast at a
 * few hundred thousand keys.
 */
#ifndef CTR_STRMAP_H
#define CTR_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct ctr_strmap;

struct ctr_strmap *ctr_strmap_new(void);
/* Frees the map and its keys, not the values. */
void ctr_strmap_free(struct ctr_strmap *map);

/* The value stored under key, or NULL. */
void *ctr_strmap_get(const struct ctr_strmap *map, const char *key);
/*
 * The same with key's hash (ctr_strmap_hash) taken once by the caller, which
 * may first have the slot fetched (prefetch: it changes nothing).
 */
uint64_t ctr_strmap_hash(const char *key);
void ctr_strmap_prefetch(const struct ctr_strmap *map, uint64_t hash);
void *ctr_strmap_get_hashed(const struct ctr_strmap *map, const char *key, uint64_t hash);
/* Stores value under key (replacing any); returns the map's copy of the key, NULL when out of memory. */
const char *ctr_strmap_put(struct ctr_strmap *map, const char *key, void *value);
size_t ctr_strmap_count(const struct ctr_strmap *map);
/*
 * Keeps the entries for which keep(value, ctx) is non-zero and drops the
 * others, freeing their keys (keep may free a value it drops). A kept key
 * stays where it is in memory. -1 when out of memory: nothing is dropped then.
 */
int ctr_strmap_retain(struct ctr_strmap *map, int (*keep)(void *value, void *ctx), void *ctx);

/* Iteration: *cursor starts at 0; returns 0 when done. Order is unspecified. */
int ctr_strmap_next(const struct ctr_strmap *map, size_t *cursor, const char **key, void **value);

#endif
