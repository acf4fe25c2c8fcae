/*
 * store.h - web-store accounts (seed 002, K1-K3): one account per (store id,
 * email), carried over from the old shared accounts or registered anew; the
 * stream is `<store_id>/<email>`. An account's state depends on the business
 * date (deactivation from the cutoff), so it is judged in SQL like the
 * customers of support.h.
 */
#ifndef CTR_STORE_H
#define CTR_STORE_H

#include <sqlite3.h>

#include "events/error.h"
#include "events/event.h"
#include "projections/projections.h"

struct ctr_writes;

struct ctr_store;

int ctr_store_new(sqlite3 *db, const struct ctr_projection_options *options,
		  struct ctr_store **out, struct ctr_error *err);
void ctr_store_free(struct ctr_store *s);

/* An account a registration or migration creates is allocated in arena (its stream's). */
enum ctr_code ctr_store_apply(struct ctr_store *s, struct ctr_arena *arena, void **aggregate,
			      struct ctr_event *ev, char *msg, size_t size);
int ctr_store_dirty(const void *aggregate);
/* Records the write of the account's row into w when it changed. */
void ctr_store_record(struct ctr_store *s, void *aggregate, struct ctr_writes *w);
int ctr_store_load(struct ctr_store *s, const char *stream, struct ctr_arena *arena,
		   void **aggregate, struct ctr_error *err);
int ctr_store_judge(struct ctr_store *s, int all, struct ctr_error *err);

#endif
