/*
 * idset.c - the id set of idset.h: a hash table of new ids and sorted chunks
 * of stored ones. Chunks are merged once there are more than MAX_CHUNKS, so a
 * lookup is a hash probe plus at most MAX_CHUNKS binary searches.
 */
#include "engine/idset.h"

#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "events/hash.h"

#define MAX_CHUNKS 8

struct pair {
	uint64_t key; /* 0 marks an empty slot in the table */
	uint64_t digest;
};

struct chunk {
	struct pair *pairs; /* sorted by key */
	size_t count;
	int64_t rowid;
};

struct ctr_idset {
	struct pair *table;
	size_t capacity, count;
	struct chunk chunks[MAX_CHUNKS + 1];
	int chunk_count;
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
	set->capacity = 1024;
	set->table = calloc(set->capacity, sizeof(*set->table));
	if (set->table == NULL) {
		free(set);
		return NULL;
	}
	return set;
}

void ctr_idset_free(struct ctr_idset *set)
{
	if (set == NULL)
		return;
	for (int i = 0; i < set->chunk_count; i++)
		free(set->chunks[i].pairs);
	free(set->table);
	free(set);
}

static struct pair *probe(struct pair *table, size_t capacity, uint64_t key)
{
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 17) & (capacity - 1);

	while (table[i].key != 0 && table[i].key != key)
		i = (i + 1) & (capacity - 1);
	return &table[i];
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

int ctr_idset_find(const struct ctr_idset *set, uint64_t key, uint64_t *digest)
{
	struct pair *p = probe(set->table, set->capacity, key);

	if (p->key == key) {
		*digest = p->digest;
		return 1;
	}
	for (int i = 0; i < set->chunk_count; i++)
		if (search_chunk(&set->chunks[i], key, digest))
			return 1;
	return 0;
}

static int grow(struct ctr_idset *set)
{
	size_t capacity = set->capacity * 2;
	struct pair *table = calloc(capacity, sizeof(*table));

	if (table == NULL)
		return CTR_ENOMEM;
	for (size_t i = 0; i < set->capacity; i++)
		if (set->table[i].key != 0)
			*probe(table, capacity, set->table[i].key) = set->table[i];
	free(set->table);
	set->table = table;
	set->capacity = capacity;
	return 0;
}

int ctr_idset_add(struct ctr_idset *set, uint64_t key, uint64_t digest)
{
	struct pair *p;

	if ((set->count + 1) * 2 > set->capacity && grow(set) != 0)
		return CTR_ENOMEM;
	p = probe(set->table, set->capacity, key);
	if (p->key == 0)
		set->count++;
	p->key = key;
	p->digest = digest;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

int ctr_idset_load(struct ctr_idset *set, sqlite3 *db, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_db_prepare(db, "SELECT chunk, ids FROM event_ids ORDER BY chunk", &stmt, err);

	while (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW) {
		struct chunk *c = &set->chunks[set->chunk_count];
		size_t bytes = (size_t)sqlite3_column_bytes(stmt, 1);

		if (set->chunk_count == MAX_CHUNKS + 1 || bytes % sizeof(struct pair) != 0) {
			rc = ctr_error_set(err, CTR_ECORRUPT, "database: event_ids is damaged");
			break;
		}
		c->rowid = sqlite3_column_int64(stmt, 0);
		c->count = bytes / sizeof(struct pair);
		c->pairs = malloc(bytes ? bytes : 1);
		if (c->pairs == NULL) {
			rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
			break;
		}
		memcpy(c->pairs, sqlite3_column_blob(stmt, 1), bytes);
		set->chunk_count++;
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int store_chunk(sqlite3 *db, struct chunk *c, struct ctr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = ctr_db_prepare(db, "INSERT INTO event_ids (ids) VALUES (?)", &stmt, err);

	if (rc != 0)
		return rc;
	sqlite3_bind_blob64(stmt, 1, c->pairs, c->count * sizeof(struct pair), SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = ctr_error_set(err, CTR_EDB, "database: %s", sqlite3_errmsg(db));
	c->rowid = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(stmt);
	return rc;
}

/* Merges every chunk into one, in memory and in db. */
static int compact(struct ctr_idset *set, sqlite3 *db, struct ctr_error *err)
{
	struct chunk merged = { 0 };
	size_t total = 0;
	int rc;

	for (int i = 0; i < set->chunk_count; i++)
		total += set->chunks[i].count;
	merged.pairs = malloc(total * sizeof(struct pair) + 1);
	if (merged.pairs == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	for (int i = 0; i < set->chunk_count; i++) {
		memcpy(merged.pairs + merged.count, set->chunks[i].pairs,
		       set->chunks[i].count * sizeof(struct pair));
		merged.count += set->chunks[i].count;
		free(set->chunks[i].pairs);
	}
	qsort(merged.pairs, merged.count, sizeof(struct pair), by_key);
	set->chunk_count = 0;
	rc = ctr_db_exec(db, "DELETE FROM event_ids", err);
	if (rc == 0)
		rc = store_chunk(db, &merged, err);
	set->chunks[set->chunk_count++] = merged;
	return rc;
}

int ctr_idset_flush(struct ctr_idset *set, sqlite3 *db, struct ctr_error *err)
{
	struct chunk *c = &set->chunks[set->chunk_count];
	int rc;

	if (set->count == 0)
		return 0;
	c->pairs = malloc(set->count * sizeof(struct pair));
	if (c->pairs == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	c->count = 0;
	for (size_t i = 0; i < set->capacity; i++)
		if (set->table[i].key != 0)
			c->pairs[c->count++] = set->table[i];
	qsort(c->pairs, c->count, sizeof(struct pair), by_key);
	set->chunk_count++;
	memset(set->table, 0, set->capacity * sizeof(*set->table));
	set->count = 0;
	rc = store_chunk(db, c, err);
	if (rc == 0 && set->chunk_count > MAX_CHUNKS)
		rc = compact(set, db, err);
	return rc;
}
