/*
 * strmap.c - the string map of strmap.h. The table doubles at 50% load;
 * entries keep their key hash so growth never rehashes strings.
 */
#include "engine/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "events/hash.h"

struct entry {
	char *key;
	uint64_t hash;
	void *value;
};

struct ctr_strmap {
	struct entry *entries;
	size_t capacity; /* a power of two */
	size_t count;
};

struct ctr_strmap *ctr_strmap_new(void)
{
	struct ctr_strmap *map = calloc(1, sizeof(*map));

	if (map == NULL)
		return NULL;
	map->capacity = 64;
	map->entries = calloc(map->capacity, sizeof(*map->entries));
	if (map->entries == NULL) {
		free(map);
		return NULL;
	}
	return map;
}

uint64_t ctr_strmap_hash(const char *key)
{
	return ctr_hash64(key, strlen(key), 0x5eed);
}

void ctr_strmap_free(struct ctr_strmap *map)
{
	if (map == NULL)
		return;
	for (size_t i = 0; i < map->capacity; i++)
		free(map->entries[i].key);
	free(map->entries);
	free(map);
}

static struct entry *slot_for(struct entry *entries, size_t capacity, const char *key,
			      uint64_t hash)
{
	size_t i = hash & (capacity - 1);

	while (entries[i].key != NULL &&
	       (entries[i].hash != hash || strcmp(entries[i].key, key) != 0))
		i = (i + 1) & (capacity - 1);
	return &entries[i];
}

void ctr_strmap_prefetch(const struct ctr_strmap *map, uint64_t hash)
{
	__builtin_prefetch(&map->entries[hash & (map->capacity - 1)]);
}

void *ctr_strmap_get_hashed(const struct ctr_strmap *map, const char *key, uint64_t hash)
{
	struct entry *e = slot_for(map->entries, map->capacity, key, hash);

	return e->key ? e->value : NULL;
}

void *ctr_strmap_get(const struct ctr_strmap *map, const char *key)
{
	return ctr_strmap_get_hashed(map, key, ctr_strmap_hash(key));
}

/* Places e in entries (of capacity slots) by its stored hash: keys are not hashed again. */
static void place(struct entry *entries, size_t capacity, const struct entry *e)
{
	size_t j = e->hash & (capacity - 1);

	while (entries[j].key != NULL)
		j = (j + 1) & (capacity - 1);
	entries[j] = *e;
}

static int grow(struct ctr_strmap *map)
{
	size_t capacity = map->capacity * 2;
	struct entry *entries = calloc(capacity, sizeof(*entries));

	if (entries == NULL)
		return -1;
	for (size_t i = 0; i < map->capacity; i++)
		if (map->entries[i].key != NULL)
			place(entries, capacity, &map->entries[i]);
	free(map->entries);
	map->entries = entries;
	map->capacity = capacity;
	return 0;
}

const char *ctr_strmap_put(struct ctr_strmap *map, const char *key, void *value)
{
	uint64_t hash = ctr_strmap_hash(key);
	struct entry *e;

	if ((map->count + 1) * 2 > map->capacity && grow(map) != 0)
		return NULL;
	e = slot_for(map->entries, map->capacity, key, hash);
	if (e->key == NULL) {
		e->key = strdup(key);
		if (e->key == NULL)
			return NULL;
		e->hash = hash;
		map->count++;
	}
	e->value = value;
	return e->key;
}

int ctr_strmap_retain(struct ctr_strmap *map, int (*keep)(void *value, void *ctx), void *ctx)
{
	struct entry *entries = calloc(map->capacity, sizeof(*entries));

	if (entries == NULL)
		return -1;
	for (size_t i = 0; i < map->capacity; i++) {
		struct entry *old = &map->entries[i];
		if (old->key == NULL)
			continue;
		if (keep(old->value, ctx)) {
			place(entries, map->capacity, old);
		} else {
			free(old->key);
			map->count--;
		}
	}
	free(map->entries);
	map->entries = entries;
	return 0;
}

size_t ctr_strmap_count(const struct ctr_strmap *map)
{
	return map->count;
}

int ctr_strmap_next(const struct ctr_strmap *map, size_t *cursor, const char **key, void **value)
{
	while (*cursor < map->capacity) {
		struct entry *e = &map->entries[(*cursor)++];
		if (e->key != NULL) {
			*key = e->key;
			*value = e->value;
			return 1;
		}
	}
	return 0;
}
