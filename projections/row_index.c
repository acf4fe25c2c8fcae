/*
 * row_index.c - an aggregate's rows found by their key (see row_index.h).
 */
#include "projections/row_index.h"

#include <string.h>
#include <strings.h>

#include "events/hash.h"

#define SEED 0x726f7773

static const char *key_of(const struct ctr_row_key *spec, const void *rows, size_t i)
{
	const char *const *field = (const char *const *)((const char *)rows + i * spec->row_size +
							  spec->key_offset);
	return *field;
}

static unsigned char folded(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

/* strcasecmp folds ASCII letters only, as folded() does: contrail keeps the C locale */
static int same_key(const struct ctr_row_key *spec, const char *a, const char *b)
{
	return (spec->fold_case ? strcasecmp(a, b) : strcmp(a, b)) == 0;
}

/* Keys that compare the same hash the same: a folded key is hashed a piece at a time. */
static uint64_t hash_of(const struct ctr_row_key *spec, const char *key)
{
	unsigned char piece[64];
	uint64_t hash = SEED;
	size_t n = 0;

	if (!spec->fold_case)
		return ctr_hash64(key, strlen(key), SEED);
	do {
		for (n = 0; n < sizeof(piece) && key[n] != '\0'; n++)
			piece[n] = folded((unsigned char)key[n]);
		hash = ctr_hash64(piece, n, hash);
		key += n;
	} while (n == sizeof(piece));
	return hash;
}

static int wanted(const struct ctr_row_key *spec, const void *rows, size_t i, const char *key,
		  ctr_row_accept_fn accept, const void *ctx)
{
	const char *row_key = key_of(spec, rows, i);

	/* the caller's test first: cheaper than the key's, and it passes over rows gone */
	return row_key != NULL &&
	       (accept == NULL || accept((const char *)rows + i * spec->row_size, ctx)) &&
	       same_key(spec, row_key, key);
}

/* Puts row i in the slots under its present key (they are at most half full: one is empty). */
static void insert(struct ctr_row_index *index, const struct ctr_row_key *spec,
		   const void *rows, size_t i)
{
	size_t mask = index->slot_cap - 1;
	size_t slot = (size_t)hash_of(spec, key_of(spec, rows, i)) & mask;

	while (index->slots[slot] != 0)
		slot = (slot + 1) & mask;
	index->slots[slot] = (uint32_t)i + 1;
	index->used++;
}

/*
 * Empties the slots (making them larger when the rows are many) to be filled
 * again from the first row. At least a quarter of them stay free once the
 * count rows are in, so emptying them costs each row a constant amount. Out
 * of memory, the index is given up and the rows are walked.
 */
static void empty_slots(struct ctr_row_index *index, struct ctr_arena *arena, size_t count)
{
	size_t cap = index->slot_cap ? index->slot_cap : CTR_ROW_INDEX_FROM * 4;

	while (count * 4 > cap)
		cap *= 2;
	if (cap == index->slot_cap) {
		memset(index->slots, 0, cap * sizeof(*index->slots));
	} else {
		uint32_t *slots = ctr_arena_zalloc(arena, cap * sizeof(*slots));
		index->slots = slots; /* any old slots stay in the arena, fewer than these */
		index->slot_cap = slots != NULL ? cap : 0;
	}
	index->used = index->indexed = 0;
}

/* Room for rows [indexed, count): the slots are kept at most half full. */
static void make_room(struct ctr_row_index *index, struct ctr_arena *arena, size_t count)
{
	if (index->slot_cap == 0 || (index->used + (count - index->indexed)) * 2 > index->slot_cap)
		empty_slots(index, arena, count);
}

/*
 * Brings rows [indexed, count) into the index. A row whose key is not set
 * (the row being made, or a copy that failed) stops it, and that row and
 * those after it are walked, unless rows may lack a key (passed over then).
 */
static void catch_up(struct ctr_row_index *index, struct ctr_arena *arena,
		     const struct ctr_row_key *spec, const void *rows, size_t count)
{
	make_room(index, arena, count);
	if (index->slot_cap == 0)
		return;
	for (; index->indexed < count; index->indexed++) {
		if (key_of(spec, rows, index->indexed) != NULL)
			insert(index, spec, rows, index->indexed);
		else if (!spec->keyless_rows)
			return;
	}
}

/* The first slot of key's chain, once the index is up to date over rows[0, count); NULL: walk. */
static uint32_t *chain_of(struct ctr_row_index *index, struct ctr_arena *arena,
			  const struct ctr_row_key *spec, const void *rows, size_t count,
			  const char *key, size_t *mask)
{
	if (count < CTR_ROW_INDEX_FROM || count >= UINT32_MAX)
		return NULL;
	catch_up(index, arena, spec, rows, count);
	if (index->slot_cap == 0)
		return NULL;
	*mask = index->slot_cap - 1;
	return &index->slots[(size_t)hash_of(spec, key) & *mask];
}

size_t ctr_row_index_find(struct ctr_row_index *index, struct ctr_arena *arena,
			  const struct ctr_row_key *spec, const void *rows, size_t count,
			  const char *key, ctr_row_accept_fn accept, const void *ctx)
{
	size_t mask, walk_from = 0, first = count;
	uint32_t *chain = chain_of(index, arena, spec, rows, count, key, &mask);

	if (chain != NULL) {
		/* every row indexed with the key is on its chain, in no set order */
		for (size_t slot = (size_t)(chain - index->slots); index->slots[slot] != 0;
		     slot = (slot + 1) & mask) {
			size_t i = index->slots[slot] - 1;
			if (i < first && wanted(spec, rows, i, key, accept, ctx))
				first = i;
		}
		if (first < count)
			return first; /* rows not yet indexed come after it */
		walk_from = index->indexed;
	}
	for (size_t i = walk_from; i < count; i++)
		if (wanted(spec, rows, i, key, accept, ctx))
			return i;
	return count;
}

void ctr_row_index_each(struct ctr_row_index *index, struct ctr_arena *arena,
			const struct ctr_row_key *spec, void *rows, size_t count, const char *key,
			void (*visit)(void *row, void *ctx), void *ctx)
{
	size_t mask, walk_from = 0;
	uint32_t *chain = chain_of(index, arena, spec, rows, count, key, &mask);

	if (chain != NULL) {
		/* a row is in the slots once, under its present key */
		for (size_t slot = (size_t)(chain - index->slots); index->slots[slot] != 0;
		     slot = (slot + 1) & mask) {
			size_t i = index->slots[slot] - 1;
			if (wanted(spec, rows, i, key, NULL, NULL))
				visit((char *)rows + i * spec->row_size, ctx);
		}
		walk_from = index->indexed;
	}
	for (size_t i = walk_from; i < count; i++)
		if (wanted(spec, rows, i, key, NULL, NULL))
			visit((char *)rows + i * spec->row_size, ctx);
}

/* 1 when row pos is in the slots: they are filled up to it, and it has a key. */
static int indexed(const struct ctr_row_index *index, const struct ctr_row_key *spec,
		   const void *rows, size_t pos)
{
	return index->slot_cap > 0 && pos < index->indexed && key_of(spec, rows, pos) != NULL;
}

void ctr_row_index_key_changing(struct ctr_row_index *index, const struct ctr_row_key *spec,
				const void *rows, size_t pos)
{
	size_t mask = index->slot_cap - 1, hole;

	if (!indexed(index, spec, rows, pos))
		return;
	for (hole = (size_t)hash_of(spec, key_of(spec, rows, pos)) & mask;
	     index->slots[hole] != pos + 1; hole = (hole + 1) & mask)
		if (index->slots[hole] == 0)
			return; /* not there: nothing to give up */
	index->slots[hole] = 0;
	index->used--;
	/*
	 * Linear probing's deletion: a later position of the run moves back into
	 * the hole when its chain starts at or before the hole, so that no chain
	 * passes over an empty slot.
	 */
	for (size_t next = (hole + 1) & mask; index->slots[next] != 0; next = (next + 1) & mask) {
		size_t home = (size_t)hash_of(spec, key_of(spec, rows, index->slots[next] - 1)) & mask;
		if (((next - hole) & mask) <= ((next - home) & mask)) {
			index->slots[hole] = index->slots[next];
			index->slots[next] = 0;
			hole = next;
		}
	}
}

void ctr_row_index_key_changed(struct ctr_row_index *index, struct ctr_arena *arena,
			       const struct ctr_row_key *spec, const void *rows, size_t pos)
{
	if (!indexed(index, spec, rows, pos))
		return; /* walked, or indexed under its present key when it is caught up with */
	if ((index->used + 1) * 2 > index->slot_cap) {
		empty_slots(index, arena, index->indexed); /* the next lookup fills them again */
		return;
	}
	insert(index, spec, rows, pos);
}
