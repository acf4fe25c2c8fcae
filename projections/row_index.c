/*
 * row_index.c - an aggregate's rows found by their key (see row_index.h).
 */
#include "projections/row_index.h"

#include <string.h>

#include "events/hash.h"

static const char *key_of(const void *rows, size_t row_size, size_t key_offset, size_t i)
{
	const char *const *field = (const char *const *)((const char *)rows + i * row_size +
							  key_offset);
	return *field;
}

/* The slot holding key, or the empty slot where it would go (the slots are at most half full). */
static uint32_t *slot_of(const struct ctr_row_index *index, const void *rows, size_t row_size,
			 size_t key_offset, const char *key)
{
	size_t mask = index->slot_cap - 1;

	for (size_t i = (size_t)ctr_hash64(key, strlen(key), 0x726f7773) & mask;;
	     i = (i + 1) & mask) {
		uint32_t *slot = &index->slots[i];
		if (*slot == 0 || strcmp(key_of(rows, row_size, key_offset, *slot - 1), key) == 0)
			return slot;
	}
}

/*
 * Brings rows [indexed, count) into the index, keeping it at most half full.
 * Stops at a row whose key is not set (the row being made, or a copy that
 * failed): that row and those after it are walked.
 */
static void catch_up(struct ctr_row_index *index, struct ctr_arena *arena, const void *rows,
		     size_t row_size, size_t key_offset, size_t count)
{
	if (count * 2 > index->slot_cap) {
		size_t cap = index->slot_cap ? index->slot_cap : CTR_ROW_INDEX_FROM * 4;
		uint32_t *slots;
		while (count * 2 > cap)
			cap *= 2;
		slots = ctr_arena_zalloc(arena, cap * sizeof(*slots));
		if (slots == NULL)
			return; /* the index there is, if any, still answers for what it holds */
		index->slots = slots; /* the old slots stay in the arena, fewer than these */
		index->slot_cap = cap;
		index->indexed = 0;
	}
	for (; index->indexed < count; index->indexed++) {
		const char *key = key_of(rows, row_size, key_offset, index->indexed);
		uint32_t *slot;
		if (key == NULL)
			return;
		slot = slot_of(index, rows, row_size, key_offset, key);
		if (*slot == 0)
			*slot = (uint32_t)index->indexed + 1;
	}
}

size_t ctr_row_index_find(struct ctr_row_index *index, struct ctr_arena *arena,
			  const void *rows, size_t row_size, size_t key_offset, size_t count,
			  const char *key)
{
	size_t walk_from = 0;

	if (count >= CTR_ROW_INDEX_FROM && count < UINT32_MAX) {
		catch_up(index, arena, rows, row_size, key_offset, count);
		if (index->slot_cap > 0) {
			uint32_t *slot = slot_of(index, rows, row_size, key_offset, key);
			if (*slot != 0)
				return *slot - 1;
			walk_from = index->indexed;
		}
	}
	for (size_t i = walk_from; i < count; i++) {
		const char *row_key = key_of(rows, row_size, key_offset, i);
		if (row_key != NULL && strcmp(row_key, key) == 0)
			return i;
	}
	return count;
}
