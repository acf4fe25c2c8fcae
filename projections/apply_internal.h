/*
 * apply_internal.h - what the event handlers (licenses.c, environments.c,
 * allocations.c, members.c, billing.c, store.c, support.c) share with the
 * dispatcher in dispatch.c. Not for use outside projections/.
 */
#ifndef CTR_APPLY_INTERNAL_H
#define CTR_APPLY_INTERNAL_H

#include <avro.h>
#include <stdio.h>

#include "events/event.h"
#include "projections/contract.h"

struct ctr_apply {
	struct ctr_contract *contract; /* NULL only for contract.opened */
	struct ctr_arena *arena;       /* the stream's, which contract.opened builds in */
	struct ctr_event *ev;
	avro_value_t *data;
	char *msg;
	size_t msg_size;
};

typedef enum ctr_code (*ctr_apply_fn)(struct ctr_apply *a);

/*
 * What a handler returns when an allocation fails: no rule's code. The event
 * is not rejected (a run with the memory applies it); ctr_projections_apply
 * fills err with CTR_ENOMEM and the engine stops the run, so the aggregate
 * left half changed is never written.
 */
#define CTR_CODE_NO_MEMORY CTR_CODE_COUNT

/* Writes a printf-style message into msg and returns code (for the support and store modules). */
enum ctr_code ctr_reject_into(char *msg, size_t size, enum ctr_code code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Writes a printf-style message into a->msg and returns code. */
enum ctr_code ctr_apply_reject(struct ctr_apply *a, enum ctr_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * CTR_CODE_OK when each of the payload's text fields named (a NULL-ended list)
 * holds something, else bad_format naming the first that is empty: the portal
 * requires them (seed 000 marks its forms' fields so), and an empty name, id or
 * key would name nothing, or match another empty one (G1's environments by name).
 */
enum ctr_code ctr_apply_required(struct ctr_apply *a, const char *const fields[]);
/* The same for the fields of every item of the payload's list list_name. */
enum ctr_code ctr_apply_required_items(struct ctr_apply *a, const char *list_name,
				       const char *const fields[]);

/*
 * Which items of a list of skus (an allocation's, a renewal's) a later item of
 * the same sku overrides, the last one counting: listed_later[i] set for
 * those, malloc()ed; NULL when out of memory.
 */
unsigned char *ctr_items_listed_later(struct ctr_contract *c, avro_value_t *list, size_t count);

/* An event type of the contract family and the function that applies it. */
struct ctr_apply_handler {
	const char *type;
	ctr_apply_fn fn;
};
/* The handlers of licenses.c, environments.c and members.c, each ended by { NULL, NULL }. */
extern const struct ctr_apply_handler ctr_licenses_handlers[];
extern const struct ctr_apply_handler ctr_environments_handlers[];
extern const struct ctr_apply_handler ctr_members_handlers[];

/* contract.opened: builds a new aggregate in a->arena into *out. */
enum ctr_code ctr_licenses_open(struct ctr_apply *a, struct ctr_contract **out);

/* L6: linked environments (all, or only `only`) need a sync or a re-activation. */
void ctr_terms_changed(struct ctr_contract *c, struct ctr_environment *only);
/* L7: the live environment the event's env_id names, else NULL with *code set (environments.c). */
struct ctr_environment *ctr_live_environment(struct ctr_apply *a, enum ctr_code *code);
/* environment.allocated (L2-L4, L6), in allocations.c. */
enum ctr_code ctr_licenses_allocate(struct ctr_apply *a);

/* billing.c: the terms of a cloud contract (B1-B5). */
/*
 * bad_format when the opening's billing terms cannot be billed: a license
 * contract's, or a tax rate over 100%.
 */
enum ctr_code ctr_billing_check(struct ctr_apply *a);
void ctr_billing_open(struct ctr_contract *c, avro_value_t *data);
enum ctr_code ctr_billing_seats_changed(struct ctr_apply *a);

#endif
