/*
 * generate_billing.c - the billing side of a cloud contract (seed 001): its
 * terms in contract.opened, seat changes that raise from applied_on (B4) or
 * cut with reported_on (B5), and a cancellation with two months' notice (B6),
 * sometimes after a request that was too short (notice_too_short).
 */
#include "cli/generate_internal.h"

void gen_write_billing(struct gen *g, struct gen_contract *c, int32_t start)
{
	static const long full_prices[] = { 1200, 1500, 1800, 2400, 3000 };
	static const long light_prices[] = { 300, 500, 555, 800 };

	c->seats_full = gen_range(g, 5, 80);
	c->seats_light = gen_chance(g, 30) ? 0 : gen_range(g, 1, 40);
	gen_open(g, "billing", '{');
	gen_date(g, "service_start", start + (int32_t)(gen_chance(g, 40) ? 0 : gen_range(g, 1, 20)));
	gen_open(g, "seats", '{');
	gen_long(g, "full", c->seats_full);
	gen_long(g, "light", c->seats_light);
	gen_close(g, '}');
	gen_open(g, "prices", '{');
	gen_long(g, "full", full_prices[gen_range(g, 0, 4)]);
	gen_long(g, "light", light_prices[gen_range(g, 0, 3)]);
	gen_close(g, '}');
	if (gen_chance(g, 30))
		gen_long(g, "tax_rate_pct", 10);
	gen_close(g, '}');
}

/* B4, B5: raises take effect from applied_on; cuts need reported_on. */
static void seats_changed(struct gen *g, struct gen_contract *c, int64_t now)
{
	int32_t today = gen_day_of(now);
	long full = c->seats_full, light = c->seats_light;

	if (gen_chance(g, 60)) {
		if (gen_chance(g, 70))
			full += gen_range(g, 1, 10);
		else
			light += gen_range(g, 1, 10);
	} else if (full > 1 && gen_chance(g, 60)) {
		full -= gen_range(g, 1, full > 5 ? 5 : full - 1);
	} else if (light > 0) {
		light -= gen_range(g, 1, light > 5 ? 5 : light);
	} else {
		return;
	}
	gen_begin(g, c->s, "contract.seats_changed", now);
	gen_long(g, "full", full);
	gen_long(g, "light", light);
	gen_date(g, "applied_on", today + (int32_t)(gen_chance(g, 50) ? 0 : gen_range(g, 1, 20)));
	if (full < c->seats_full || light < c->seats_light || gen_chance(g, 30))
		gen_date(g, "reported_on", today);
	gen_end(g, GEN_CLEAN);
	c->seats_full = full;
	c->seats_light = light;
}

/* B6: at least two months' notice; a request that is too short comes first now and then. */
static void cancellation(struct gen *g, struct gen_contract *c, int64_t now)
{
	int32_t today = gen_day_of(now);
	int32_t end_on = gen_month_end(gen_add_months(today, (int)gen_range(g, 2, 4)));

	if (gen_fault_roll(g, GEN_NOTICE_TOO_SHORT)) {
		gen_begin(g, c->s, "contract.cancellation_requested", now);
		gen_date(g, "requested_on", today);
		gen_date(g, "end_on", gen_month_end(gen_add_months(today, 1))); /* one month */
		gen_end(g, GEN_NOTICE_TOO_SHORT);
		now = gen_after(g, c->s->at, 1, 3);
		today = gen_day_of(now);
		end_on = gen_month_end(gen_add_months(today, (int)gen_range(g, 2, 4)));
	}
	gen_begin(g, c->s, "contract.cancellation_requested", now);
	gen_date(g, "requested_on", today);
	gen_date(g, "end_on", end_on);
	gen_end(g, GEN_CLEAN);
	c->cancelled = 1;
	if (gen_time_of(end_on, 18 * 3600) < c->until)
		c->until = gen_time_of(end_on, 18 * 3600);
}

void gen_cloud_step(struct gen *g, struct gen_contract *c, int64_t now)
{
	long roll = gen_range(g, 0, 99);

	if (roll < 48 && !c->cancelled)
		seats_changed(g, c, now);
	else if (roll < 84)
		gen_member_step(g, c, now);
	else if (roll < 92)
		gen_group_company_added(g, c, now);
	else if (!c->cancelled && gen_chance(g, 50))
		cancellation(g, c, now);
}
