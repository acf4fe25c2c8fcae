/*
 * allocations.c - environment.allocated: setting the license counts an
 * environment holds (L2-L4, L6, L7). An allocation is checked whole before
 * any of it is applied (L3): only skus whose count goes up are checked
 * against their licenses, so lowering an allocation is always allowed.
 */
#include <stdlib.h>
#include <string.h>

#include "events/payload.h"
#include "events/timefmt.h"
#include "projections/apply_internal.h"

/* What e holds of sku now: 0 when it never held any or the allocation was removed. */
static int64_t held_count(struct ctr_contract *c, struct ctr_environment *e, const char *sku)
{
	struct ctr_allocation *al = ctr_environment_allocation(c, e, sku);
	return al && !al->row.gone ? al->count : 0;
}

static enum ctr_code check(struct ctr_apply *a, struct ctr_environment *e, avro_value_t *list,
			   size_t count, const unsigned char *listed_later)
{
	avro_value_t item;

	for (size_t i = 0; i < count; i++) {
		ctr_payload_item(list, i, &item);
		const char *sku = ctr_payload_text(&item, "sku");
		struct ctr_product *p = ctr_contract_product(a->contract, sku);
		int64_t wanted = ctr_payload_long(&item, "count", 0);
		int64_t held = held_count(a->contract, e, sku);

		if (p == NULL) /* L4 */
			return ctr_apply_reject(a, CTR_CODE_UNKNOWN_SKU, "%s has no product %s",
						a->contract->contract_id, sku);
		if (listed_later[i] || p->other || wanted <= held)
			continue;
		if (p->assigned - held + wanted > p->licenses) /* L3 */
			return ctr_apply_reject(a, CTR_CODE_OVER_ALLOCATION,
						"%s: %lld assigned of %lld licenses with %s at %lld",
						sku, (long long)(p->assigned - held + wanted),
						(long long)p->licenses, e->env_id, (long long)wanted);
	}
	return CTR_CODE_OK;
}

static void set_count(struct ctr_contract *c, struct ctr_environment *e, const char *sku,
		      int64_t wanted)
{
	struct ctr_allocation *al = ctr_environment_allocation(c, e, sku);
	struct ctr_product *p = ctr_contract_product(c, sku);
	int64_t held = al && !al->row.gone ? al->count : 0;

	if (al == NULL && wanted == 0)
		return;
	if (al == NULL) {
		al = ctr_environment_add_allocation(c, e);
		if (al == NULL)
			return;
		ctr_set_text(c, &al->sku, sku);
	}
	al->count = wanted;
	al->row.gone = wanted == 0; /* 0 removes the allocation */
	ctr_contract_touch(c, &al->row);
	p->assigned += wanted - held;
	ctr_contract_touch(c, &p->row);
}

enum ctr_code ctr_licenses_allocate(struct ctr_apply *a)
{
	enum ctr_code code;
	struct ctr_environment *e = ctr_live_environment(a, &code);
	avro_value_t list, item;
	size_t count;
	unsigned char *listed_later;

	if (e == NULL)
		return code;
	ctr_payload_field(a->data, "allocations", &list);
	count = ctr_payload_count(&list);
	listed_later = ctr_items_listed_later(a->contract, &list, count);
	if (listed_later == NULL)
		return CTR_CODE_NO_MEMORY;
	code = check(a, e, &list, count, listed_later);
	if (code != CTR_CODE_OK) {
		free(listed_later);
		return code;
	}
	/* stopped where a row could not be made: apply ends the run */
	for (size_t i = 0; i < count && !a->contract->out_of_memory; i++) {
		if (listed_later[i])
			continue;
		ctr_payload_item(&list, i, &item);
		set_count(a->contract, e, ctr_payload_text(&item, "sku"),
			  ctr_payload_long(&item, "count", 0));
	}
	free(listed_later);
	e->allocated_us = ctr_environment_time(a->ev->at);
	/*
	 * G2: an activation the stream placed before this allocation does not
	 * follow it, even at the same instant (the environment needs a new one,
	 * L6); the times alone could not tell that order afterwards.
	 */
	if (e->activated_us >= e->allocated_us)
		e->activated_us = 0;
	ctr_contract_touch(a->contract, &e->row);
	ctr_terms_changed(a->contract, e);
	return CTR_CODE_OK;
}
