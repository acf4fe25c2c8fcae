/*
 * keyset.h - a set of 64-bit keys (open addressing, linear probing), for
 * "have we ever seen this?" questions that may answer yes wrongly but never
 * no wrongly: a key is a hash, so two names can share one.
 */
#ifndef CTR_KEYSET_H
#define CTR_KEYSET_H

#include <stddef.h>
#include <stdint.h>

struct ctr_keyset;

struct ctr_keyset *ctr_keyset_new(void);
void ctr_keyset_free(struct ctr_keyset *set);

/* The key of a string, for the two calls below. */
uint64_t ctr_keyset_key(const char *text);
/* 1 when key was added, else 0. */
int ctr_keyset_has(const struct ctr_keyset *set, uint64_t key);
/* 0, or -1 when out of memory (the set is unchanged then). */
int ctr_keyset_add(struct ctr_keyset *set, uint64_t key);
size_t ctr_keyset_count(const struct ctr_keyset *set);

#endif
