/*
 * row_index.h - finding a row of an aggregate's array by the text key it
 * holds (an environment by env_id, a support id by its id or by the id it
 * replaces, a member by user id or by email). Aggregates hold a handful of
 * rows, which a walk finds fastest; a few hold tens of thousands (one
 * contract's environments or members, one customer's support ids), and a
 * walk for each of their events made replaying them quadratic. Past a few
 * dozen rows the index answers instead: open addressing over the rows'
 * positions, in the aggregate's arena, brought up to date as it is asked.
 *
 * The rows may only be appended (the array may move: positions, not
 * pointers, are kept). A row's key may change only between
 * ctr_row_index_key_changing and ctr_row_index_key_changed, so that each row
 * is in the slots once, under its present key. Every row is indexed, two
 * with one key included, and a lookup answers as a walk would: the first row,
 * in array order, with the key that the caller's test accepts.
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
	size_t used;       /* slots holding a position */
	size_t indexed;    /* rows [0, indexed) are in the slots */
};

/* Where an array's rows keep their key, and how keys compare. */
struct ctr_row_key {
	size_t row_size;   /* bytes per row */
	size_t key_offset; /* the row's key, a char * (NULL: not set yet, never found) */
	int fold_case;     /* keys compare as strcasecmp compares them (ASCII letters) */
	/*
	 * 0: a row whose key is NULL is being made, and the rows from it on are
	 * walked until it has one. 1: such a row has no key and is passed over;
	 * a key it is given later is announced as any change of key is.
	 */
	int keyless_rows;
};

/* 1 when row, a row with the key asked for, is the one wanted (ctx: the caller's). */
typedef int (*ctr_row_accept_fn)(const void *row, const void *ctx);

/* The rows an array of which is walked, not indexed: below this. */
#define CTR_ROW_INDEX_FROM 32

/*
 * The position of the first of rows[0, count) whose key is key and which
 * accept (NULL: any row) accepts, or count when none is. The index's memory
 * comes from arena; out of memory, the rows are walked.
 */
size_t ctr_row_index_find(struct ctr_row_index *index, struct ctr_arena *arena,
			  const struct ctr_row_key *spec, const void *rows, size_t count,
			  const char *key, ctr_row_accept_fn accept, const void *ctx);

/* Calls visit once for each of rows[0, count) whose key is key, in no set order. */
void ctr_row_index_each(struct ctr_row_index *index, struct ctr_arena *arena,
			const struct ctr_row_key *spec, void *rows, size_t count, const char *key,
			void (*visit)(void *row, void *ctx), void *ctx);

/*
 * Row pos's key is about to change (in place, as ctr_arena_set_text may
 * write it): its place under the present one is given up.
 */
void ctr_row_index_key_changing(struct ctr_row_index *index, const struct ctr_row_key *spec,
				const void *rows, size_t pos);
/* Row pos's key has changed: it is found by its new one from now on. */
void ctr_row_index_key_changed(struct ctr_row_index *index, struct ctr_arena *arena,
			       const struct ctr_row_key *spec, const void *rows, size_t pos);

#endif
