/*
 * idset.c - the id set of idset.h: a hash table of the ids added in this run,
 * sorted chunks of the ids stored by earlier runs, and the list of ids added
 * since the last flush. Stored chunks are merged once there are more than
 * MAX_CHUNKS, so a lookup is a hash probe plus at most MAX_CHUNKS binary
 * searches, and those only for ids of earlier runs.
 *
 * Which chunks merge: the newest, back to the first one more than twice as
 * large as those newer than it together (two at least). Merging every chunk
 * each time rewrote all the ids stored so far every few flushes, which runs
 * that flush often (an audit, a flush per event; a followed source with a
 * trickle of events) paid for over and over: quadratic in the ids. Merged
 * this way an id is rewritten about log2 of the ids' number times at most.
 * The stored chunks themselves are read, merged and written in idset_stored.c.
 */
#include "engine/idset.h"
#include "engine/idset_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/writes.h"
#include "events/hash.h"

#define MAX_CHUNKS 8

/*
 * This run's ids are spread over 64 tables by their key's top bits, each
 * sized to the ids it will hold (at most 7/10 full, not a power of two): a
 * table of 10 million ids takes about 23 bytes an id instead of the 52 of
 * one table doubled in powers of two, and it grows a 64th at a time, so
 * that no step holds an old and a new copy of the whole of it at once.
 */
#define PART_BITS 6
#define PARTS (1u << PART_BITS)
#define FULL_TENTHS 7

struct part {
	struct ctr_id_pair *slots;
	size_t capacity, count;
};

struct chunk {
	struct ctr_id_pair *pairs; /* sorted by key */
	size_t count;
};

struct ctr_idset {
	struct part parts[PARTS];      /* every id added in this run */
	size_t count;
	struct ctr_id_pair *pending;   /* added since the last flush */
	size_t pending_count, pending_cap;
	struct chunk chunks[MAX_CHUNKS + 1]; /* loaded from the database */
	int chunk_count;
	int stored_chunks;      /* rows in event_ids */
	/* their ids, in the order of their chunk column: the most a load takes, and a flush's */
	size_t stored_sizes[MAX_CHUNKS + 2];
	sqlite3 *db;            /* where the recorded writes go */
	sqlite3_stmt *insert;
};

uint64_t ctr_idset_key(const char *id)
{
	uint64_t key = ctr_hash64(id, strlen(id), 0x1d5e7);
	return key ? key : 1;
}

struct ctr_idset *ctr_idset_new(void)
{
	struct ctr_idset *set = calloc(1, sizeof(*set));

	if (set == NULL)
		return NULL;
	for (unsigned i = 0; i < PARTS; i++) {
		set->parts[i].capacity = 16;
		set->parts[i].slots = calloc(16, sizeof(struct ctr_id_pair));
		if (set->parts[i].slots == NULL) {
			ctr_idset_free(set);
			return NULL;
		}
	}
	return set;
}

void ctr_idset_free(struct ctr_idset *set)
{
	if (set == NULL)
		return;
	for (int i = 0; i < set->chunk_count; i++)
		free(set->chunks[i].pairs);
	for (unsigned i = 0; i < PARTS; i++)
		free(set->parts[i].slots);
	free(set->pending);
	sqlite3_finalize(set->insert);
	free(set);
}

/* The key's bits mixed: its top bits pick the part, the rest the slot. */
static uint64_t mixed(uint64_t key)
{
	return key * 0x9e3779b97f4a7c15ULL;
}

static unsigned part_index(uint64_t key)
{
	return (unsigned)(mixed(key) >> (64 - PART_BITS));
}

/* The slot where key's probe starts: the bits below the part's, scaled to capacity. */
static size_t home(uint64_t key, size_t capacity)
{
	return (size_t)(((unsigned __int128)(mixed(key) << PART_BITS) * capacity) >> 64);
}

static struct ctr_id_pair *probe(struct ctr_id_pair *slots, size_t capacity, uint64_t key)
{
	size_t i = home(key, capacity);

	while (slots[i].key != 0 && slots[i].key != key)
		i = i + 1 == capacity ? 0 : i + 1;
	return &slots[i];
}

static int search_chunk(const struct chunk *c, uint64_t key, uint64_t *digest)
{
	size_t low = 0, high = c->count;

	while (low < high) {
		size_t mid = low + (high - low) / 2;
		if (c->pairs[mid].key < key)
			low = mid + 1;
		else
			high = mid;
	}
	if (low < c->count && c->pairs[low].key == key) {
		*digest = c->pairs[low].digest;
		return 1;
	}
	return 0;
}

void ctr_idset_prefetch(const struct ctr_idset *set, uint64_t key)
{
	const struct part *part = &set->parts[part_index(key)];

	__builtin_prefetch(&part->slots[home(key, part->capacity)]);
}

int ctr_idset_find(const struct ctr_idset *set, uint64_t key, uint64_t *digest)
{
	const struct part *part = &set->parts[part_index(key)];
	struct ctr_id_pair *p = probe(part->slots, part->capacity, key);

	if (p->key == key) {
		*digest = p->digest;
		return 1;
	}
	for (int i = 0; i < set->chunk_count; i++)
		if (search_chunk(&set->chunks[i], key, digest))
			return 1;
	return 0;
}

static int grow_to(struct part *part, size_t capacity)
{
	struct ctr_id_pair *slots = calloc(capacity, sizeof(*slots));

	if (slots == NULL)
		return CTR_ENOMEM;
	for (size_t i = 0; i < part->capacity; i++)
		if (part->slots[i].key != 0)
			*probe(slots, capacity, part->slots[i].key) = part->slots[i];
	free(part->slots);
	part->slots = slots;
	part->capacity = capacity;
	return 0;
}

/* The capacity that holds count ids at most FULL_TENTHS full. */
static size_t capacity_for(size_t count)
{
	return count * 10 / FULL_TENTHS + 1;
}

int ctr_idset_add(struct ctr_idset *set, uint64_t key, uint64_t digest)
{
	struct part *part = &set->parts[part_index(key)];
	struct ctr_id_pair *p;

	if (capacity_for(part->count + 1) > part->capacity &&
	    grow_to(part, part->capacity * 2) != 0)
		return CTR_ENOMEM;
	if (set->pending_count == set->pending_cap) {
		size_t cap = set->pending_cap ? set->pending_cap * 2 : 1024;
		struct ctr_id_pair *moved = realloc(set->pending, cap * sizeof(*moved));
		if (moved == NULL)
			return CTR_ENOMEM;
		set->pending = moved;
		set->pending_cap = cap;
	}
	p = probe(part->slots, part->capacity, key);
	if (p->key == 0) {
		part->count++;
		set->count++;
	}
	p->key = key;
	p->digest = digest;
	set->pending[set->pending_count].key = key;
	set->pending[set->pending_count++].digest = digest;
	return 0;
}

int ctr_idset_expect(struct ctr_idset *set, int64_t more)
{
	/* at most what an estimate may make room for: a wild one claims little memory */
	uint64_t limit = 16 * (uint64_t)set->count;
	size_t each;

	if (more <= 0)
		return 0;
	if (limit < (1u << 18))
		limit = 1u << 18;
	if ((uint64_t)more > limit)
		more = (int64_t)limit;
	/* a part's share, and room for how far it may stray from it (about three deviations) */
	each = (set->count + (size_t)more) / PARTS;
	each += 3 * (size_t)sqrt((double)each) + 16;
	for (unsigned i = 0; i < PARTS; i++) {
		struct part *part = &set->parts[i];
		size_t capacity = capacity_for(each > part->count ? each : part->count);
		if (capacity > part->capacity && grow_to(part, capacity) != 0)
			return CTR_ENOMEM;
	}
	return 0;
}

int ctr_idset_load(struct ctr_idset *set, sqlite3 *db, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int step = SQLITE_DONE;
	int rc = ctr_db_prepare(db, "SELECT ids FROM event_ids ORDER BY chunk", &stmt, err);

	while (rc == 0) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		struct chunk *c = &set->chunks[set->chunk_count];
		size_t bytes = (size_t)sqlite3_column_bytes(stmt, 0);

		if (set->chunk_count == MAX_CHUNKS + 1 || bytes % sizeof(struct ctr_id_pair) != 0) {
			rc = ctr_error_set(err, CTR_ECORRUPT, "database: event_ids is damaged");
			break;
		}
		c->count = bytes / sizeof(struct ctr_id_pair);
		c->pairs = malloc(bytes ? bytes : 1);
		if (c->pairs == NULL) {
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
			break;
		}
		memcpy(c->pairs, sqlite3_column_blob(stmt, 0), bytes);
		set->chunk_count++;
		set->stored_sizes[set->stored_chunks++] = c->count;
	}
	/* ids missed would let their events, delivered again, be applied twice (E1) */
	if (rc == 0 && step != SQLITE_DONE)
		rc = ctr_db_error(db, CTR_EDB, err);
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Sorts pairs by key: least significant digit first, 11 bits a pass, through a
 * buffer as large as the pairs (qsort when it cannot be had). In a rebuild's
 * profile the batches' sorts went from 6% of the loop thread (qsort) to under 1%.
 */
#define DIGIT_BITS 11
#define DIGIT_MASK ((1u << DIGIT_BITS) - 1)
#define DIGITS ((64 + DIGIT_BITS - 1) / DIGIT_BITS)

static void sort_pairs(struct ctr_id_pair *pairs, size_t count)
{
	struct ctr_id_pair *buffer, *from = pairs, *to;
	size_t (*offsets)[1 << DIGIT_BITS] = NULL;

	if (count < 2)
		return;
	buffer = count > 64 ? malloc(count * sizeof(*buffer)) : NULL;
	to = buffer;
	if (buffer != NULL)
		offsets = calloc(DIGITS, sizeof(*offsets));
	if (offsets == NULL) {
		free(buffer);
		qsort(pairs, count, sizeof(*pairs), ctr_id_pair_order);
		return;
	}
	for (size_t i = 0; i < count; i++)
		for (int d = 0; d < DIGITS; d++)
			offsets[d][(from[i].key >> (d * DIGIT_BITS)) & DIGIT_MASK]++;
	for (int d = 0; d < DIGITS; d++) {
		size_t sum = 0;
		for (size_t b = 0; b <= DIGIT_MASK; b++) {
			size_t n = offsets[d][b];
			offsets[d][b] = sum;
			sum += n;
		}
		for (size_t i = 0; i < count; i++) {
			size_t b = (from[i].key >> (d * DIGIT_BITS)) & DIGIT_MASK;
			to[offsets[d][b]++] = from[i];
		}
		struct ctr_id_pair *swap = from;
		from = to;
		to = swap;
	}
	if (from != pairs) /* an odd number of passes ends in the buffer */
		memcpy(pairs, from, count * sizeof(*pairs));
	free(offsets);
	free(buffer);
}

static int merge_newest(void *set, const char *newest, struct ctr_error *err)
{
	return ctr_idset_merge_stored(((struct ctr_idset *)set)->db, strtoll(newest, NULL, 10), NULL, err);
}

/* How many of the newest stored chunks to merge, once they are too many (see the top). */
static int chunks_to_merge(const struct ctr_idset *set)
{
	int first = set->stored_chunks - 1;
	size_t newer = set->stored_sizes[first];

	while (first > 0 &&
	       (set->stored_chunks - first < 2 || set->stored_sizes[first - 1] <= 2 * newer))
		newer += set->stored_sizes[--first];
	return set->stored_chunks - first;
}

int ctr_idset_record(struct ctr_idset *set, sqlite3 *db, struct ctr_writes *w,
		     struct ctr_error *err)
{
	if (set->pending_count == 0)
		return 0;
	if (set->insert == NULL &&
	    ctr_db_prepare(db, "INSERT INTO event_ids (ids) VALUES (?)", &set->insert, err) != 0)
		return err->code;
	set->db = db;
	sort_pairs(set->pending, set->pending_count);
	ctr_writes_stmt(w, set->insert);
	ctr_writes_blob(w, 1, set->pending, set->pending_count * sizeof(struct ctr_id_pair));
	ctr_writes_step(w);
	set->stored_sizes[set->stored_chunks++] = set->pending_count;
	set->pending_count = 0;
	if (set->stored_chunks > MAX_CHUNKS) {
		int newest = chunks_to_merge(set);
		size_t merged = 0;
		char arg[16];
		snprintf(arg, sizeof(arg), "%d", newest);
		ctr_writes_call(w, merge_newest, set, arg);
		set->stored_chunks -= newest;
		for (int i = 0; i < newest; i++)
			merged += set->stored_sizes[set->stored_chunks + i];
		set->stored_sizes[set->stored_chunks++] = merged;
	}
	return 0;
}
