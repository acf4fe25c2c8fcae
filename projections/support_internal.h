/*
 * support_internal.h - the customer aggregate, shared by support.c (events),
 * support_ids.c (its support ids' records) and support_sql.c (rows). Not for
 * use outside projections/.
 */
#ifndef CTR_SUPPORT_INTERNAL_H
#define CTR_SUPPORT_INTERNAL_H

#include <avro.h>
#include <stdint.h>
#include <stddef.h>

#include "engine/arena.h"
#include "events/event.h"
#include "projections/support.h"
#include "projections/row_index.h"

struct ctr_support_id {
	char *support_id, *sku, *starts_on, *ends_on, *reason, *replaces;
	char *replaced_on;   /* starts_on of the id that replaces it (S3) */
	int64_t licenses, retired;
	int64_t placed_at;   /* µs of the event that placed it here (merges: latest wins) */
	char *placed_event;
	int dirty;
};

struct ctr_customer {
	struct ctr_arena *arena; /* its stream's: the customer, its strings and ids are in it */
	char *customer_no;
	char *email;         /* the license administrator's (S2) */
	char *merged_into;   /* merged away: invalid */
	int admin_pending;   /* S6 */
	int email_bounced;   /* S5 */
	int violation;       /* S7 */
	struct ctr_support_id *supports;
	size_t support_count, support_cap;
	struct ctr_row_index support_index; /* by support_id, once they are many */
	struct ctr_row_index replaced_index; /* by the id each replaces (S3), once they are many */
	const char *last_end; /* the latest ends_on of its ids, "" for none; NULL: not known (support.c) */
	int dirty;
	int queued;
	int out_of_memory;   /* a text or support id could not be allocated: the run stops */
};

/* support_ids.c: the customer's records of its support ids. */

/* Sets a text of c in its stream's arena; out of memory marks c (the run stops). */
void ctr_customer_set(struct ctr_customer *c, char **field, const char *value);
/* The record of support_id, or NULL. */
struct ctr_support_id *ctr_customer_support(struct ctr_customer *c, const char *support_id);
/* A new zeroed record at the end of c's (it may move them), or NULL out of memory. */
struct ctr_support_id *ctr_customer_add_support(struct ctr_customer *c);
/* c, and s when not NULL, to be written. */
void ctr_customer_touch(struct ctr_customer *c, struct ctr_support_id *s);
/* s filled from a support id's record data (an issue's payload or a merged record). */
void ctr_customer_fill_support(struct ctr_customer *c, struct ctr_support_id *s,
			       avro_value_t *data, const struct ctr_event *ev, int64_t placed_at);
/* S3: old_id's replaced_on, from the ids whose records name it as they stand now. */
void ctr_customer_refresh_replaced(struct ctr_customer *c, const char *old_id);
/* S3: the ids s replaces and is replaced by refreshed. */
void ctr_customer_link_replacements(struct ctr_customer *c, struct ctr_support_id *s);
/* 1 when record's period ends on or after it starts; else 0, bad_format in msg. */
int ctr_support_period_ok(avro_value_t *record, char *msg, size_t size);

/* support_judge.c: the judge's statements, prepared once. */
struct ctr_support_judging;
int ctr_support_judging_new(sqlite3 *db, struct ctr_support_judging **out,
			    struct ctr_error *err);
void ctr_support_judging_free(struct ctr_support_judging *judge);
/* Judges the customers of scope and their support ids on date (YYYY-MM-DD). */
int ctr_support_judging_run(struct ctr_support_judging *judge, enum ctr_support_scope scope,
			    const char *date, struct ctr_error *err);

#endif
