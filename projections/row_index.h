/*
 * row_index.h - finding a row of an aggregate's array by the text key it
 * holds (an environment by env_id, a support id by its id). Aggregates hold a
 * handful of rows, which a walk finds fastest; a few hold tens of thousands
 * (one contract's environments, one customer's support ids), and a walk for
 * each of their events made replaying them quadratic. Past a few dozen rows
 * the index answers instead: open addressing over the rows' positions, in
 * the aggregate's arena, brought up to date as it is asked.
 *
 * The rows may only be appended (the array may move: positions, not
 * pointers, are kept), and a row's key, once set, must not change. Of two
 * rows with one key the first is found, as a walk finds it.
 */
#ifndef CTR_ROW_INDEX_H
#define CTR_ROW_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "engine/arena.h"

/* Zeroed, it is an empty index. */
struct ctr_row_index {
	uint32_t *slots;   /* 0, or a row's position + 1 */
	size_t slot_cap;   /* a power of two, 0 until the rows are many */
	size_t indexed;    /* rows [0, indexed) are in the slots */
};

/* The rows an array of which is walked, not indexed: below this. */
#define CTR_ROW_INDEX_FROM 32

/*
 * The position of the first of rows[0, count) whose key is key, or count when
 * none is. Each row is row_size bytes and holds its key, a char * (NULL: not
 * set yet, never found), at key_offset. The index's memory comes from arena;
 * out of memory, the rows are walked.
 */
size_t ctr_row_index_find(struct ctr_row_index *index, struct ctr_arena *arena,
			  const void *rows, size_t row_size, size_t key_offset, size_t count,
			  const char *key);

#endif
