/*
 * generate_support.c - one account's customer number (seed 004): support ids
 * bought, renewed yearly, upgraded, lapsed (mixed support, S4), retired by the
 * license administrator (S8) and resumed within three years; administrator
 * changes, bounced emails and violations with their lifting (S5-S7); and now
 * and then a second customer number of the same account, registered with
 * the same email (S2), merged into the first. The customer number is the
 * account's own 6-digit number, so only accounts below 900,000 have one.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/generate_internal.h"

#define LINES_MAX 3
#define MOVED_MAX 6

struct support {
	char id[11];
	int sku;
	long licenses, retired;
	int32_t starts, ends;
	const char *reason;
	char replaces[11];
};

/* A line of support: one purchase and the ids that replaced it since. */
struct line {
	struct support current;
	int live;                      /* renewed each year */
	int64_t renew_at, retire_at, resume_at; /* INT64_MAX: not planned */
};

struct customer {
	struct gen_stream *s;
	char email[96];
	struct line lines[LINES_MAX];
	int line_count;
	int64_t purchase_at, merge_at;
	char merged_from[8];
	struct support moved[MOVED_MAX];
	int moved_count;
};

static void write_support(struct gen *g, const struct support *sp, int in_list)
{
	gen_str(g, "support_id", sp->id);
	gen_str(g, "sku", gen_support_skus[sp->sku]);
	gen_long(g, "licenses", sp->licenses);
	if (in_list)
		gen_long(g, "retired", sp->retired);
	gen_date(g, "starts_on", sp->starts);
	gen_date(g, "ends_on", sp->ends);
	gen_str(g, "reason", sp->reason);
	if (sp->replaces[0])
		gen_str(g, "replaces", sp->replaces);
	else if (in_list)
		gen_null(g, "replaces");
}

/* A new support id for a year from starts; 0 when the account has used its ids. */
static int issue(struct gen *g, struct customer *cu, struct support *sp, int64_t at,
		 const char *reason, int32_t starts)
{
	char replaces[11];

	memcpy(replaces, sp->id, sizeof(replaces));
	if (!gen_support_id(g, sp->id))
		return 0;
	sp->reason = reason;
	if (strcmp(reason, "purchase") == 0)
		sp->replaces[0] = '\0';
	else
		memcpy(sp->replaces, replaces, sizeof(sp->replaces));
	sp->starts = starts;
	if (strcmp(reason, "upgrade") != 0) /* an upgrade keeps the term it replaces */
		sp->ends = gen_add_months(starts, 12) - 1;
	sp->retired = 0;
	gen_begin(g, cu->s, "support.issued", at);
	write_support(g, sp, 0);
	gen_end(g, GEN_CLEAN);
	return 1;
}

static int64_t renewal_time(struct gen *g, const struct support *sp)
{
	return gen_office_time(g, sp->ends - (int32_t)gen_range(g, 15, 45));
}

static void open_line(struct gen *g, struct customer *cu, int64_t at, int sku, long licenses)
{
	struct line *l = &cu->lines[cu->line_count];

	memset(l, 0, sizeof(*l));
	l->current.sku = sku;
	l->current.licenses = licenses;
	if (!issue(g, cu, &l->current, at, "purchase", gen_day_of(at) + (int32_t)gen_range(g, 0, 10)))
		return;
	cu->line_count++;
	l->live = 1;
	l->renew_at = renewal_time(g, &l->current);
	l->retire_at = l->resume_at = INT64_MAX;
}

/* S8: the administrator's notice, sometimes missing or asking too much first. */
static void retire(struct gen *g, struct customer *cu, struct support *sp, long licenses, int64_t at)
{
	static const enum gen_fault faults[] = { GEN_NOT_BY_ADMIN, GEN_OVER_RETIRE };

	for (int i = 0; i < 2; i++) {
		if (!gen_fault_roll(g, faults[i]))
			continue;
		gen_begin(g, cu->s, "support.licenses_retired", at);
		gen_str(g, "support_id", sp->id);
		gen_long(g, "licenses", faults[i] == GEN_OVER_RETIRE ? sp->licenses - sp->retired + 1 : licenses);
		gen_bool(g, "notified_by_admin", faults[i] != GEN_NOT_BY_ADMIN);
		gen_end(g, faults[i]);
		at = gen_after(g, cu->s->at, 1, 10);
	}
	gen_begin(g, cu->s, "support.licenses_retired", at);
	gen_str(g, "support_id", sp->id);
	gen_long(g, "licenses", licenses);
	gen_bool(g, "notified_by_admin", 1);
	gen_end(g, GEN_CLEAN);
	sp->retired += licenses;
}

/* A year ends: most lines renew; a lapse is often settled by retiring its licenses. */
static void renew_or_lapse(struct gen *g, struct customer *cu, struct line *l, int64_t at)
{
	struct support next = l->current;

	next.licenses -= next.retired; /* retired licenses are not renewed */
	if (next.licenses > 0 && gen_chance(g, 88)) {
		next.licenses += gen_chance(g, 20) ? gen_range(g, 1, 3) : 0;
		if (issue(g, cu, &next, at, "renewal", l->current.ends + 1)) {
			l->current = next;
			l->renew_at = renewal_time(g, &l->current);
			return;
		}
	}
	l->live = 0;
	l->renew_at = INT64_MAX;
	if (gen_chance(g, 65) && l->current.licenses > l->current.retired)
		l->retire_at = gen_office_time(g, l->current.ends + (int32_t)gen_range(g, 10, 120));
}

static void settle_lapse(struct gen *g, struct customer *cu, struct line *l, int64_t at)
{
	retire(g, cu, &l->current, l->current.licenses - l->current.retired, at);
	l->retire_at = INT64_MAX;
	if (gen_chance(g, 30)) /* S8: within three years of its end */
		l->resume_at = gen_office_time(g, l->current.ends + (int32_t)gen_range(g, 200, 900));
}

static void resume(struct gen *g, struct customer *cu, struct line *l, int64_t at)
{
	struct support next = l->current;

	l->resume_at = INT64_MAX;
	next.licenses = l->current.retired;
	if (issue(g, cu, &next, at, "resume", gen_day_of(at))) {
		l->current = next;
		l->live = 1;
		l->renew_at = renewal_time(g, &l->current);
	}
}

/* S5-S7: a suspension and, most of the time, what lifts it. */
static void suspension(struct gen *g, struct customer *cu, int64_t at)
{
	long roll = gen_range(g, 0, 99);

	if (roll < 55) {
		int person = (int)gen_range(g, 0, g->people_count - 1);
		if (strcmp(cu->email, g->people[person].email) == 0)
			return;
		memcpy(cu->email, g->people[person].email, sizeof(cu->email));
		gen_begin(g, cu->s, "support.admin_changed", at);
		gen_str(g, "email", cu->email);
		gen_end(g, GEN_CLEAN);
		if (gen_chance(g, 90)) {
			gen_begin(g, cu->s, "support.admin_activated", gen_after(g, cu->s->at, 1, 14));
			gen_end(g, GEN_CLEAN);
		}
	} else if (roll < 88) {
		gen_begin(g, cu->s, "support.admin_email_bounced", at);
		gen_end(g, GEN_CLEAN);
		if (gen_chance(g, 85)) {
			gen_begin(g, cu->s, "support.password_reset", gen_after(g, cu->s->at, 1, 10));
			gen_end(g, GEN_CLEAN);
		}
	} else {
		gen_begin(g, cu->s, "support.violation_flagged", at);
		gen_str(g, "note", "ライセンスキーの社外共有の疑い");
		gen_end(g, GEN_CLEAN);
		if (gen_chance(g, 75)) {
			gen_begin(g, cu->s, "support.violation_cleared", gen_after(g, cu->s->at, 10, 60));
			gen_end(g, GEN_CLEAN);
		}
	}
}

static struct line *live_line(struct gen *g, struct customer *cu)
{
	struct line *l = cu->line_count ? &cu->lines[gen_range(g, 0, cu->line_count - 1)] : NULL;

	return l && l->live ? l : NULL;
}

static void activity(struct gen *g, struct customer *cu, int64_t at)
{
	long roll = gen_range(g, 0, 99);
	struct line *l = live_line(g, cu);

	if (roll < 40) {
		suspension(g, cu, at);
	} else if (roll < 60 && l && l->current.licenses - l->current.retired >= 2) {
		retire(g, cu, &l->current, gen_range(g, 1, l->current.licenses - l->current.retired - 1), at);
	} else if (roll < 68 && l && l->current.sku % 2 == 0) { /* STD -> PRO, same term */
		struct support next = l->current;
		next.sku++;
		next.licenses -= next.retired;
		if (next.licenses > 0 && issue(g, cu, &next, at, "upgrade", gen_day_of(at)))
			l->current = next;
	}
}

static void merged_in(struct gen *g, struct customer *cu, int64_t at)
{
	gen_begin(g, cu->s, "customer.merged_in", at);
	gen_str(g, "from", cu->merged_from);
	gen_open(g, "support_ids", '[');
	for (int i = 0; i < cu->moved_count; i++) {
		gen_open(g, NULL, '{');
		write_support(g, &cu->moved[i], 1);
		gen_close(g, '}');
	}
	gen_close(g, ']');
	gen_end(g, GEN_CLEAN);
	cu->merge_at = INT64_MAX;
}

/* The earliest planned thing of the customer, and the line it belongs to. */
static int64_t next_plan(struct customer *cu, struct line **line, int64_t **slot)
{
	int64_t next = cu->purchase_at < cu->merge_at ? cu->purchase_at : cu->merge_at;

	*line = NULL;
	for (int i = 0; i < cu->line_count; i++) {
		int64_t *times[] = { &cu->lines[i].renew_at, &cu->lines[i].retire_at, &cu->lines[i].resume_at };
		for (int k = 0; k < 3; k++) {
			if (*times[k] < next) {
				next = *times[k];
				*line = &cu->lines[i];
				*slot = times[k];
			}
		}
	}
	return next;
}

/* More licenses of another product, bought later: a second line of support. */
static void second_line(struct gen *g, struct customer *cu, int64_t at)
{
	cu->purchase_at = INT64_MAX;
	if (cu->line_count > 0 && cu->line_count < LINES_MAX)
		open_line(g, cu, at, (cu->lines[0].current.sku + 2) % gen_support_sku_count,
			  gen_range(g, 1, 5));
}

static void life(struct gen *g, struct customer *cu)
{
	int64_t now = cu->s->at;

	for (int steps = 0; steps < 400; steps++) {
		struct line *l;
		int64_t *slot = NULL, act = gen_after(g, now, 90, 500);
		int64_t planned = next_plan(cu, &l, &slot), at = planned < act ? planned : act;

		if (at >= g->horizon)
			return;
		if (at == act)
			activity(g, cu, at);
		else if (l && slot == &l->renew_at)
			renew_or_lapse(g, cu, l, at);
		else if (l && slot == &l->retire_at)
			settle_lapse(g, cu, l, at);
		else if (l)
			resume(g, cu, l, at);
		else if (at == cu->merge_at)
			merged_in(g, cu, at);
		else
			second_line(g, cu, at);
		now = at > cu->s->at ? at : cu->s->at;
	}
}

static void registered(struct gen *g, struct customer *cu, int64_t at)
{
	gen_begin(g, cu->s, "customer.registered", at);
	gen_str(g, "customer_no", cu->s->id);
	gen_str(g, "email", cu->email);
	gen_end(g, GEN_CLEAN);
}

/* The second customer number: its own purchases, then merged_out into the first. */
static void partner(struct gen *g, struct customer *primary)
{
	struct customer other = { .line_count = 0 };
	int64_t at = gen_after(g, g->start, 30, 500), merge = gen_after(g, at, 120, 900);
	char number[8];

	if (merge >= g->horizon)
		return;
	snprintf(number, sizeof(number), "0%05d", (int)(g->index / 9 % 100000)); /* index < 900,000 */
	other.s = gen_stream_new(g, GEN_CUSTOMER, number);
	if (other.s == NULL)
		return;
	if (gen_chance(g, 50)) /* S2: duplicate_email until the merge */
		memcpy(other.email, primary->email, sizeof(other.email));
	else
		snprintf(other.email, sizeof(other.email), "support@%s", g->domain);
	registered(g, &other, at);
	for (long n = gen_range(g, 1, 2); n > 0; n--) {
		int lines = other.line_count;
		open_line(g, &other, gen_after(g, other.s->at, 0, 20), (int)gen_range(g, 0, 3),
			  gen_range(g, 1, 5));
		if (other.line_count > lines)
			primary->moved[primary->moved_count++] = other.lines[lines].current;
	}
	gen_begin(g, other.s, "customer.merged_out", merge);
	gen_str(g, "into", primary->s->id);
	gen_end(g, GEN_CLEAN);
	memcpy(primary->merged_from, number, sizeof(number));
	primary->merge_at = merge + gen_range(g, 60, 3600);
}

void gen_support(struct gen *g)
{
	struct customer cu;
	int64_t at = g->start - gen_range(g, 0, 20) * GEN_DAY;

	if (g->index >= 900000) /* the 6-digit numbers are used up */
		return;
	memset(&cu, 0, sizeof(cu));
	cu.s = gen_stream_new(g, GEN_CUSTOMER, g->account);
	cu.purchase_at = cu.merge_at = INT64_MAX;
	if (gen_chance(g, 60))
		memcpy(cu.email, g->people[0].email, sizeof(cu.email));
	else
		snprintf(cu.email, sizeof(cu.email), "license-admin@%s", g->domain);
	registered(g, &cu, at > g->history_start ? at : g->start);
	open_line(g, &cu, gen_after(g, cu.s->at, 0, 0), (int)gen_range(g, 0, 3), gen_range(g, 1, 10));
	if (gen_chance(g, 35))
		cu.purchase_at = gen_after(g, cu.s->at, 60, 700);
	if (g->index % 9 == 0 && gen_chance(g, 45))
		partner(g, &cu);
	life(g, &cu);
}
