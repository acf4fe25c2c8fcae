/*
 * support_internal.h - the customer aggregate, shared by support.c (events)
 * and support_sql.c (rows). Not for use outside projections/.
 */
#ifndef CTR_SUPPORT_INTERNAL_H
#define CTR_SUPPORT_INTERNAL_H

#include <stdint.h>
#include <stddef.h>

#include "engine/arena.h"
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

struct ctr_support_id *ctr_customer_add_support(struct ctr_customer *c);

#endif
