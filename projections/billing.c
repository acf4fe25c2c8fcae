/*
 * billing.c - the billing terms of cloud contracts as events change them:
 * the opening's terms, and seat changes with the month each takes effect
 * (B4: a raise from the month of applied_on when that is the 1st, else the
 * next; B5: a cut from the month after reported_on when that is on or before
 * the 20th, else the month after that). invoices.c turns them into invoices.
 */
#include <stdlib.h>
#include <string.h>

#include "events/payload.h"
#include "events/timefmt.h"
#include "projections/apply_internal.h"

static int month_of(const char *date, int *day)
{
	int ok, year, month;

	ctr_date_to_civil(ctr_date_parse(date, &ok), &year, &month, day);
	return year * 12 + month - 1;
}

enum ctr_code ctr_billing_check(struct ctr_apply *a)
{
	avro_value_t terms;
	int64_t rate;

	if (!ctr_payload_field(a->data, "billing", &terms))
		return CTR_CODE_OK;
	/* seed 001 bills cloud subscriptions; a license contract is sold, not billed monthly */
	if (strcmp(ctr_payload_text(a->data, "kind"), "cloud") != 0)
		return ctr_apply_reject(a, CTR_CODE_BAD_FORMAT,
					"billing: only a cloud contract is billed");
	/* B8: a rate over 100% is no tax rate, and would take the tax past what 64 bits hold */
	rate = ctr_payload_long(&terms, "tax_rate_pct", 10);
	if (rate > 100)
		return ctr_apply_reject(a, CTR_CODE_BAD_FORMAT,
					"billing.tax_rate_pct: %lld is over 100", (long long)rate);
	return CTR_CODE_OK;
}

void ctr_billing_open(struct ctr_contract *c, avro_value_t *data)
{
	struct ctr_billing *b = &c->billing;
	avro_value_t terms, seats, prices;

	if (!ctr_payload_field(data, "billing", &terms))
		return;
	ctr_payload_field(&terms, "seats", &seats);
	ctr_payload_field(&terms, "prices", &prices);
	b->present = 1;
	ctr_set_text(c, &b->service_start, ctr_payload_text(&terms, "service_start"));
	b->full = b->requested_full = ctr_payload_long(&seats, "full", 0);
	b->light = b->requested_light = ctr_payload_long(&seats, "light", 0);
	b->price_full = ctr_payload_long(&prices, "full", 0);
	b->price_light = ctr_payload_long(&prices, "light", 0);
	b->tax_rate_pct = ctr_payload_long(&terms, "tax_rate_pct", 10);
	b->dirty = 1;
}

static int add_change(struct ctr_contract *c, int light, int month, int64_t total)
{
	struct ctr_seat_change *change = ctr_contract_add_change(c);

	if (change == NULL)
		return -1;
	*change = (struct ctr_seat_change){ light, month, total, 0 };
	c->billing.dirty = 1;
	return 0;
}

/* The month a change of one seat total takes effect; -1 when a cut lacks reported_on. */
static int effective_month(int64_t wanted, int64_t requested, const char *applied_on,
			   const char *reported_on)
{
	int day, month;

	if (wanted > requested) { /* B4 */
		month = month_of(applied_on, &day);
		return day == 1 ? month : month + 1;
	}
	if (reported_on == NULL)
		return -1;
	month = month_of(reported_on, &day); /* B5 */
	return day <= 20 ? month + 1 : month + 2;
}

enum ctr_code ctr_billing_seats_changed(struct ctr_apply *a)
{
	struct ctr_billing *b = &a->contract->billing;
	const char *applied_on = ctr_payload_text(a->data, "applied_on");
	const char *reported_on = ctr_payload_text(a->data, "reported_on");
	int64_t full = ctr_payload_long(a->data, "full", 0), light = ctr_payload_long(a->data, "light", 0);
	int full_month, light_month;

	if (!b->present)
		return ctr_apply_reject(a, CTR_CODE_BAD_FORMAT, "%s has no billing terms (not a cloud contract)",
					a->contract->contract_id);
	if (a->contract->cancel_end_on && strcmp(applied_on, a->contract->cancel_end_on) > 0)
		return ctr_apply_reject(a, CTR_CODE_CONTRACT_ENDED, "%s ends on %s, before %s",
					a->contract->contract_id, a->contract->cancel_end_on, applied_on);
	full_month = effective_month(full, b->requested_full, applied_on, reported_on);
	light_month = effective_month(light, b->requested_light, applied_on, reported_on);
	if ((full != b->requested_full && full_month < 0) || (light != b->requested_light && light_month < 0))
		return ctr_apply_reject(a, CTR_CODE_MISSING_FIELD,
					"data.reported_on: required when a seat total goes down (B5)");
	if ((full != b->requested_full && add_change(a->contract, 0, full_month, full) != 0) ||
	    (light != b->requested_light && add_change(a->contract, 1, light_month, light) != 0))
		return CTR_CODE_NO_MEMORY;
	b->requested_full = full;
	b->requested_light = light;
	ctr_contract_touch(a->contract, &a->contract->row);
	return CTR_CODE_OK;
}
