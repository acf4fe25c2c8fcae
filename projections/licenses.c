/*
 * licenses.c - contract and product events applied to the contract
 * aggregate: the opening, license counts (L1, L8), other products (L4), the
 * terms changes that environments must pick up (L6), cancellations and
 * migration plans. Environment events are in environments.c. Every handler
 * checks first and changes the aggregate only when the event is accepted, so
 * a rejection has no effect.
 */
#include <stdlib.h>
#include <string.h>

#include "events/payload.h"
#include "events/timefmt.h"
#include "projections/apply_internal.h"

/* L6: a change of terms leaves every linked environment needing a sync or a re-activation. */
static void terms_changed_for(struct ctr_contract *c, struct ctr_environment *e)
{
	if (e->deleted || e->status == ENV_UNLINKED)
		return;
	e->status = e->mode == MODE_OFFLINE ? ENV_NEEDS_REACTIVATION : ENV_PENDING_SYNC;
	ctr_contract_touch(c, &e->row);
}

void ctr_terms_changed(struct ctr_contract *c, struct ctr_environment *only)
{
	if (only != NULL) { /* an allocation: not a walk of every environment */
		terms_changed_for(c, only);
		return;
	}
	for (size_t i = 0; i < c->environment_count; i++)
		terms_changed_for(c, &c->environments[i]);
}

static void set_product(struct ctr_contract *c, struct ctr_product *p, avro_value_t *item)
{
	ctr_set_text(c, &p->name, ctr_payload_text(item, "name"));
	ctr_set_text(c, &p->own_end_date, ctr_payload_text(item, "end_date"));
	p->licenses = ctr_payload_long(item, "licenses", 0);
	ctr_contract_touch(c, &p->row);
}

static void add_product(struct ctr_contract *c, avro_value_t *item)
{
	struct ctr_product *p = ctr_contract_add_product(c);

	if (p == NULL)
		return;
	ctr_set_text(c, &p->sku, ctr_payload_text(item, "sku"));
	set_product(c, p, item);
}

static void set_owner(struct ctr_contract *c, struct ctr_member *m, avro_value_t *owner)
{
	ctr_contract_set_member_email(c, m, ctr_payload_text(owner, "email"));
	ctr_set_text(c, &m->name, ctr_payload_text(owner, "name"));
	m->role = ROLE_OWNER;
	m->notify = 1;
	m->state = MEMBER_ACTIVE;
	ctr_contract_touch(c, &m->row);
}

static void add_owner(struct ctr_contract *c, avro_value_t *owner)
{
	struct ctr_member *m = ctr_contract_add_member(c);

	if (m == NULL)
		return;
	ctr_set_text(c, &m->user, ctr_payload_text(owner, "user"));
	set_owner(c, m, owner);
}

/* L4: skus under "other:" name other products; a regular product there would be taken for one */
static enum ctr_code reserved_sku(struct ctr_apply *a, const char *sku)
{
	if (sku[0] != CTR_OTHER_SKU_PREFIX[0] || /* most skus, without a call */
	    strncmp(sku, CTR_OTHER_SKU_PREFIX, strlen(CTR_OTHER_SKU_PREFIX)) != 0)
		return CTR_CODE_OK;
	return ctr_apply_reject(a, CTR_CODE_BAD_FORMAT,
				"sku %s: the prefix %s is for other products (L4)", sku,
				CTR_OTHER_SKU_PREFIX);
}

/* contract.opened's checks, before anything is built. */
static enum ctr_code check_opening(struct ctr_apply *a, const char *kind, const char *end_date)
{
	/* a product's sku and name and an owner's user id and name, as member.joined's */
	static const char *const product_required[] = { "sku", "name", NULL };
	static const char *const owner_required[] = { "user", "name", NULL };
	avro_value_t list, item;
	enum ctr_code code;

	if (strcmp(kind, "license") == 0 && end_date == NULL)
		return ctr_apply_reject(a, CTR_CODE_MISSING_FIELD,
					"data.end_date: required for a license contract");
	code = ctr_apply_required_items(a, "products", product_required);
	if (code == CTR_CODE_OK)
		code = ctr_apply_required_items(a, "owners", owner_required);
	if (code == CTR_CODE_OK)
		code = ctr_billing_check(a);
	ctr_payload_field(a->data, "products", &list);
	for (size_t i = 0; i < ctr_payload_count(&list) && code == CTR_CODE_OK; i++) {
		ctr_payload_item(&list, i, &item);
		code = reserved_sku(a, ctr_payload_text(&item, "sku"));
	}
	return code;
}

/*
 * A sku or owner listed twice: the last entry counts, as in an allocation.
 * A row whose key could not be copied matches no lookup: stopped there
 * (apply ends the run).
 */
static void open_products(struct ctr_contract *c, avro_value_t *data)
{
	avro_value_t list, item;

	ctr_payload_field(data, "products", &list);
	for (size_t i = 0; i < ctr_payload_count(&list) && !c->out_of_memory; i++) {
		struct ctr_product *p;
		ctr_payload_item(&list, i, &item);
		p = ctr_contract_product(c, ctr_payload_text(&item, "sku"));
		if (p != NULL)
			set_product(c, p, &item);
		else
			add_product(c, &item);
	}
}

/* contract.opened's owners as the contract's first members (M1). */
static void open_owners(struct ctr_contract *c, avro_value_t *data)
{
	avro_value_t list, item;

	ctr_payload_field(data, "owners", &list);
	for (size_t i = 0; i < ctr_payload_count(&list) && !c->out_of_memory; i++) {
		struct ctr_member *m;
		ctr_payload_item(&list, i, &item);
		m = ctr_contract_member(c, ctr_payload_text(&item, "user"));
		if (m != NULL)
			set_owner(c, m, &item);
		else
			add_owner(c, &item);
	}
}

enum ctr_code ctr_licenses_open(struct ctr_apply *a, struct ctr_contract **out)
{
	const char *kind = ctr_payload_text(a->data, "kind");
	const char *end_date = ctr_payload_text(a->data, "end_date");
	enum ctr_code code = check_opening(a, kind, end_date);
	struct ctr_contract *c;

	if (code != CTR_CODE_OK)
		return code;
	c = ctr_contract_new(a->arena, a->ev->stream);
	if (c == NULL)
		return CTR_CODE_NO_MEMORY;
	ctr_set_text(c, &c->account, a->ev->account);
	ctr_set_text(c, &c->name, ctr_payload_text(a->data, "name"));
	ctr_set_text(c, &c->start_date, ctr_payload_text(a->data, "start_date"));
	c->cloud = strcmp(kind, "cloud") == 0;
	/* L5: a cloud contract renews itself and has no end date until a cancellation */
	ctr_set_text(c, &c->end_date, c->cloud ? NULL : end_date);
	ctr_billing_open(c, a->data);
	ctr_contract_touch(c, &c->row);
	open_products(c, a->data);
	open_owners(c, a->data);
	*out = c;
	return CTR_CODE_OK;
}

static enum ctr_code product_added(struct ctr_apply *a)
{
	static const char *const required[] = { "sku", "name", NULL };
	const char *sku = ctr_payload_text(a->data, "sku");
	enum ctr_code code = ctr_apply_required(a, required);

	if (code != CTR_CODE_OK)
		return code;
	if (ctr_contract_product(a->contract, sku) != NULL)
		return ctr_apply_reject(a, CTR_CODE_ALREADY_EXISTS, "product %s is already on %s",
					sku, a->contract->contract_id);
	if (reserved_sku(a, sku) != CTR_CODE_OK)
		return CTR_CODE_BAD_FORMAT;
	add_product(a->contract, a->data);
	ctr_terms_changed(a->contract, NULL);
	return CTR_CODE_OK;
}

/* L1, L8: a new total is applied even below the assigned count. */
static enum ctr_code licenses_changed(struct ctr_apply *a)
{
	const char *sku = ctr_payload_text(a->data, "sku");
	struct ctr_product *p = ctr_contract_product(a->contract, sku);

	if (p == NULL || p->other)
		return ctr_apply_reject(a, CTR_CODE_UNKNOWN_SKU, "%s has no product %s",
					a->contract->contract_id, sku);
	p->licenses = ctr_payload_long(a->data, "licenses", p->licenses);
	ctr_contract_touch(a->contract, &p->row);
	ctr_terms_changed(a->contract, NULL);
	return CTR_CODE_OK;
}

/* L1, L8; a product renewed with 0 licenses keeps its row and its old end date. */
static enum ctr_code renewed(struct ctr_apply *a)
{
	struct ctr_contract *c = a->contract;
	avro_value_t list, item;
	size_t count = 0;
	unsigned char *listed_later;

	if (ctr_payload_field(a->data, "products", &list))
		count = ctr_payload_count(&list);
	for (size_t i = 0; i < count; i++) {
		ctr_payload_item(&list, i, &item);
		struct ctr_product *p = ctr_contract_product(c, ctr_payload_text(&item, "sku"));
		if (p == NULL || p->other)
			return ctr_apply_reject(a, CTR_CODE_UNKNOWN_SKU, "%s has no product %s",
						c->contract_id, ctr_payload_text(&item, "sku"));
	}
	/* of a sku listed twice the last entry counts: an earlier one would change its own end date */
	listed_later = ctr_items_listed_later(c, &list, count);
	if (listed_later == NULL)
		return CTR_CODE_NO_MEMORY;
	for (size_t i = 0; i < count; i++) {
		if (listed_later[i])
			continue;
		ctr_payload_item(&list, i, &item);
		struct ctr_product *p = ctr_contract_product(c, ctr_payload_text(&item, "sku"));
		p->licenses = ctr_payload_long(&item, "licenses", p->licenses);
		if (p->licenses == 0 && p->own_end_date == NULL)
			ctr_set_text(c, &p->own_end_date, c->end_date);
		else if (p->licenses > 0)
			ctr_set_text(c, &p->own_end_date, NULL);
		ctr_contract_touch(c, &p->row);
	}
	free(listed_later);
	if (!c->cloud) /* L5: a cloud contract has no end date until a cancellation */
		ctr_set_text(c, &c->end_date, ctr_payload_text(a->data, "end_date"));
	ctr_contract_touch(c, &c->row);
	for (size_t i = 0; i < c->product_count; i++)
		ctr_contract_touch(c, &c->products[i].row); /* end dates follow the contract */
	ctr_terms_changed(c, NULL);
	return CTR_CODE_OK;
}

/* L4, M1: other products carry no license limit. */
static enum ctr_code other_product_added(struct ctr_apply *a)
{
	const char *by = ctr_payload_text(a->data, "by");
	const char *key = ctr_payload_text(a->data, "license_key");
	char *sku;
	struct ctr_product *p;
	static const char *const required[] = { "license_key", "name", NULL };
	enum ctr_code code = ctr_apply_required(a, required);

	if (code != CTR_CODE_OK)
		return code;
	if (!ctr_contract_is_owner(a->contract, by))
		return ctr_apply_reject(a, CTR_CODE_NOT_OWNER, "%s is not an active owner of %s", by,
					a->contract->contract_id);
	/* the whole key: nothing bounds its length, and a cut one could name another product */
	if (asprintf(&sku, CTR_OTHER_SKU_PREFIX "%s", key) < 0)
		return CTR_CODE_NO_MEMORY;
	if (ctr_contract_product(a->contract, sku) != NULL) {
		code = ctr_apply_reject(a, CTR_CODE_ALREADY_EXISTS, "product %s is already on %s", sku,
					a->contract->contract_id);
		free(sku);
		return code;
	}
	p = ctr_contract_add_product(a->contract);
	if (p == NULL) {
		free(sku);
		return CTR_CODE_NO_MEMORY;
	}
	ctr_set_text(a->contract, &p->sku, sku);
	free(sku);
	ctr_set_text(a->contract, &p->name, ctr_payload_text(a->data, "name"));
	p->other = 1;
	ctr_contract_touch(a->contract, &p->row);
	return CTR_CODE_OK;
}

/* B6: two months' notice; one cancellation per contract. */
static enum ctr_code cancellation_requested(struct ctr_apply *a)
{
	const char *requested = ctr_payload_text(a->data, "requested_on");
	const char *end_on = ctr_payload_text(a->data, "end_on");
	int ok, year, month, day;
	int32_t requested_days = ctr_date_parse(requested, &ok);

	if (a->contract->cancel_end_on != NULL)
		return ctr_apply_reject(a, CTR_CODE_ALREADY_CANCELLED, "%s is already cancelled",
					a->contract->contract_id);
	ctr_date_to_civil(requested_days, &year, &month, &day);
	month += 2;
	if (month > 12) {
		month -= 12;
		year++;
	}
	if (day > 28) { /* the same day two months on, or that month's last day */
		int32_t first_next = ctr_date_from_civil(month == 12 ? year + 1 : year,
							 month == 12 ? 1 : month + 1, 1);
		int last;
		ctr_date_to_civil(first_next - 1, &year, &month, &last);
		day = day < last ? day : last;
	}
	if (ctr_date_parse(end_on, &ok) < ctr_date_from_civil(year, month, day))
		return ctr_apply_reject(a, CTR_CODE_NOTICE_TOO_SHORT,
					"end_on %s is less than 2 months after %s", end_on, requested);
	ctr_set_text(a->contract, &a->contract->cancel_end_on, end_on);
	ctr_contract_touch(a->contract, &a->contract->row);
	a->contract->billing.dirty = 1; /* B6: the last billed month */
	for (size_t i = 0; i < a->contract->product_count; i++) /* their end date is the contract's */
		ctr_contract_touch(a->contract, &a->contract->products[i].row);
	return CTR_CODE_OK;
}

static enum ctr_code migration_planned(struct ctr_apply *a)
{
	static const char *const required[] = { "to_contract", NULL };
	const char *to = ctr_payload_text(a->data, "to_contract");
	enum ctr_code code = ctr_apply_required(a, required);

	if (code != CTR_CODE_OK)
		return code;
	if (strcmp(to, a->contract->contract_id) == 0)
		return ctr_apply_reject(a, CTR_CODE_BAD_FORMAT, "to_contract: a contract cannot migrate to itself");
	ctr_set_text(a->contract, &a->contract->migration_to, to);
	ctr_contract_touch(a->contract, &a->contract->row);
	for (size_t i = 0; i < a->contract->environment_count; i++) { /* G1 */
		struct ctr_environment *e = &a->contract->environments[i];
		ctr_set_text(a->contract, &e->migrate_to, e->deleted ? e->migrate_to : to);
		ctr_contract_touch(a->contract, &e->row);
	}
	return CTR_CODE_OK;
}

const struct ctr_apply_handler ctr_licenses_handlers[] = {
	{ "contract.product_added", product_added },
	{ "contract.licenses_changed", licenses_changed },
	{ "contract.renewed", renewed },
	{ "contract.other_product_added", other_product_added },
	{ "contract.seats_changed", ctr_billing_seats_changed },
	{ "contract.cancellation_requested", cancellation_requested },
	{ "contract.migration_planned", migration_planned },
	{ NULL, NULL },
};
