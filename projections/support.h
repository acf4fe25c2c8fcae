/*
 * support.h - the support family (seed 004): customer numbers and their
 * support ids (S1-S10), merges of customer numbers. Streams are customer
 * numbers; the aggregate is a struct ctr_customer.
 *
 * Rules that an event breaks are judged when it is applied, on its `at` date
 * (S8, S9). States that depend on the business date (S3-S7, S9, S10, S2) are
 * judged in SQL over the stored rows, for the customers a run changed, so
 * the rules that look across streams (a support id's latest placement after
 * a merge, duplicate emails) read every stream's rows whatever their order.
 */
#ifndef CTR_SUPPORT_H
#define CTR_SUPPORT_H

#include <sqlite3.h>

#include "events/error.h"
#include "events/event.h"
#include "projections/projections.h"

struct ctr_writes;

struct ctr_support;

int ctr_support_new(sqlite3 *db, const struct ctr_projection_options *options,
		    struct ctr_support **out, struct ctr_error *err);
void ctr_support_free(struct ctr_support *s);

/*
 * Applies a customer.* or support.* event; *customer is created by
 * customer.registered, in arena (its stream's), as everything it holds.
 */
enum ctr_code ctr_support_apply(struct ctr_support *s, struct ctr_arena *arena, void **aggregate,
				struct ctr_event *ev, char *msg, size_t size);
/* 1 when the customer has rows to write. */
int ctr_support_dirty(const void *aggregate);
/*
 * Records the write of its row into w, which marks the customer for judging,
 * and sets its changed support ids aside for ctr_support_record_ids().
 */
void ctr_support_record(struct ctr_support *s, void *aggregate, struct ctr_writes *w);
/* Records the support ids the batch's ctr_support_record() calls set aside, in key order. */
void ctr_support_record_ids(struct ctr_support *s, struct ctr_writes *w);
/* Reads a stored customer back into arena (NULL when it has no row). */
int ctr_support_load(struct ctr_support *s, const char *customer_no, struct ctr_arena *arena,
		     void **aggregate, struct ctr_error *err);
/* The rows a judge looks at. */
enum ctr_support_scope {
	CTR_SUPPORT_MARKED,  /* the customers marked since the last judge */
	CTR_SUPPORT_ALL,     /* every customer: a new business date, a merge */
	CTR_SUPPORT_REBUILT, /* every customer of a rebuild: its support id rows were written on its date */
};

/* Judges the customers of scope and their support ids (S2-S10) on the business date. */
int ctr_support_judge(struct ctr_support *s, enum ctr_support_scope scope, struct ctr_error *err);

/* Prepares sql for the marked rows (every "?2 OR " or "?3 OR " dropped) or for all rows. */
int ctr_prepare_scoped(sqlite3 *db, const char *sql, int all, sqlite3_stmt **stmt,
		       struct ctr_error *err);

#endif
