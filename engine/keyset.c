/*
 * keyset.c - the key set of keyset.h. Key 0 marks an empty slot, so a
 * string whose hash is 0 is kept as 1; the table doubles at half full.
 */
#include "engine/keyset.h"

#include <stdlib.h>
#include <string.h>

#include "events/hash.h"

struct ctr_keyset {
	uint64_t *slots;
	size_t capacity, count;
};

struct ctr_keyset *ctr_keyset_new(void)
{
	struct ctr_keyset *set = calloc(1, sizeof(*set));

	if (set == NULL)
		return NULL;
	set->capacity = 1024;
	set->slots = calloc(set->capacity, sizeof(*set->slots));
	if (set->slots == NULL) {
		free(set);
		return NULL;
	}
	return set;
}

void ctr_keyset_free(struct ctr_keyset *set)
{
	if (set == NULL)
		return;
	free(set->slots);
	free(set);
}

uint64_t ctr_keyset_key(const char *text)
{
	uint64_t key = ctr_hash64(text, strlen(text), 0x6b657973);

	return key ? key : 1;
}

static size_t slot_of(const uint64_t *slots, size_t capacity, uint64_t key)
{
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 17) & (capacity - 1);

	while (slots[i] != 0 && slots[i] != key)
		i = (i + 1) & (capacity - 1);
	return i;
}

int ctr_keyset_has(const struct ctr_keyset *set, uint64_t key)
{
	if (key == 0)
		key = 1;
	return set->slots[slot_of(set->slots, set->capacity, key)] == key;
}

static int grow(struct ctr_keyset *set)
{
	size_t capacity = set->capacity * 2;
	uint64_t *slots = calloc(capacity, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < set->capacity; i++)
		if (set->slots[i] != 0)
			slots[slot_of(slots, capacity, set->slots[i])] = set->slots[i];
	free(set->slots);
	set->slots = slots;
	set->capacity = capacity;
	return 0;
}

int ctr_keyset_add(struct ctr_keyset *set, uint64_t key)
{
	size_t i;

	if (key == 0)
		key = 1;
	if ((set->count + 1) * 2 > set->capacity && grow(set) != 0)
		return -1;
	i = slot_of(set->slots, set->capacity, key);
	if (set->slots[i] == 0) {
		set->slots[i] = key;
		set->count++;
	}
	return 0;
}

size_t ctr_keyset_count(const struct ctr_keyset *set)
{
	return set->count;
}
