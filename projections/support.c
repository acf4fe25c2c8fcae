/*
 * support.c - customer and support events applied to the customer aggregate
 * (see support.h): registration, support ids issued, renewed, retired and
 * resumed (S3, S8, S9), the administrator's state (S5-S7) and merges.
 */
#include "projections/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "events/payload.h"
#include "projections/apply_internal.h"
#include "events/timefmt.h"
#include "projections/support_internal.h"

int ctr_support_dirty(const void *aggregate)
{
	return ((const struct ctr_customer *)aggregate)->dirty;
}

/*
 * The last day support ended, over the customer's support ids ("" without
 * any). Kept once found: S9 asks it of every id issued, and a customer with
 * many ids would walk them all each time. An id added or filled anew forgets
 * it; issued() carries it over its new id.
 */
static const char *last_end(struct ctr_customer *c)
{
	const char *last = "";

	if (c->last_end != NULL)
		return c->last_end;
	for (size_t i = 0; i < c->support_count; i++)
		if (strcmp(c->supports[i].ends_on, last) > 0)
			last = c->supports[i].ends_on;
	c->last_end = last;
	return last;
}

/*
 * The last day of the 3 years after support that ended on date (S8, S9): a
 * period of years counted from the next day ends the day before the same day
 * 3 years on, or on the month's last day when that year has no such day
 * (Civil Code art. 143). So support to the end of a month runs 3 years to
 * that month's end: 2014-08-31 -> 2017-08-31, 2016-02-29 -> 2019-02-28,
 * 2013-02-28 -> 2016-02-29. from_civil takes Feb 29 of a common year as
 * Mar 1, whose day before is the month's last. support_judge.c's judge
 * computes the same with date(e, '+1 day', '+3 years', '-1 day').
 */
static int32_t three_years_end(const char *date)
{
	int ok, year, month, day;
	int32_t days = ctr_date_parse(date, &ok);

	ctr_date_to_civil(days + 1, &year, &month, &day);
	return ctr_date_from_civil(year + 3, month, day) - 1;
}

static int32_t event_date(const struct ctr_event *ev)
{
	int ok;
	/* the business date of the event: its instant in Japan */
	return ctr_date_in_japan(ctr_timestamp_parse(ev->at, &ok));
}

/* S9: invalid once three years passed since the end of all its support (or merged away). */
static int invalid_on(struct ctr_customer *c, int32_t date)
{
	const char *end = last_end(c);

	return c->merged_into != NULL || (*end && date > three_years_end(end));
}

static enum ctr_code issued(struct ctr_customer *c, struct ctr_event *ev, char *msg, size_t size)
{
	const char *id = ctr_payload_text(&ev->data, "support_id");
	const char *replaces = ctr_payload_text(&ev->data, "replaces");
	const char *reason = ctr_payload_text(&ev->data, "reason");
	struct ctr_support_id *old = replaces ? ctr_customer_support(c, replaces) : NULL, *s;
	int32_t on = event_date(ev);
	int ok;
	const char *known_end;

	if (!ctr_support_period_ok(&ev->data, msg, size))
		return CTR_CODE_BAD_FORMAT;
	if (invalid_on(c, on))
		return ctr_reject_into(msg, size, CTR_CODE_CUSTOMER_INVALID, "customer %s is invalid (S9)",
				       c->customer_no);
	if (ctr_customer_support(c, id))
		return ctr_reject_into(msg, size, CTR_CODE_ALREADY_EXISTS, "support id %s already exists", id);
	if (replaces && old == NULL)
		return ctr_reject_into(msg, size, CTR_CODE_UNKNOWN_SUPPORT_ID, "%s has no support id %s",
				       c->customer_no, replaces);
	if (strcmp(reason, "resume") == 0 && old == NULL)
		return ctr_reject_into(msg, size, CTR_CODE_MISSING_FIELD, "data.replaces: a resume names the support id it resumes");
	if (strcmp(reason, "resume") == 0 && on > three_years_end(old->ends_on))
		return ctr_reject_into(msg, size, CTR_CODE_RESUME_WINDOW_CLOSED,
				       "%s ended %s, more than 3 years before this resume (S8)", replaces, old->ends_on);
	known_end = c->last_end; /* invalid_on() found it above */
	s = ctr_customer_add_support(c);
	if (s == NULL)
		return CTR_CODE_NO_MEMORY;
	ctr_customer_fill_support(c, s, &ev->data, ev, ctr_timestamp_parse(ev->at, &ok));
	/* a new id: the latest end is the one before or its own */
	if (known_end != NULL && s->ends_on != NULL)
		c->last_end = strcmp(s->ends_on, known_end) > 0 ? s->ends_on : known_end;
	if (!c->out_of_memory) /* not over an id left NULL */
		ctr_customer_link_replacements(c, s);
	ctr_customer_touch(c, s);
	return CTR_CODE_OK;
}

/* S8: retiring needs the administrator's notice and licenses left to retire. */
static enum ctr_code retired(struct ctr_customer *c, struct ctr_event *ev, char *msg, size_t size)
{
	const char *id = ctr_payload_text(&ev->data, "support_id");
	struct ctr_support_id *s = ctr_customer_support(c, id);
	int64_t count = ctr_payload_long(&ev->data, "licenses", 0);

	if (s == NULL)
		return ctr_reject_into(msg, size, CTR_CODE_UNKNOWN_SUPPORT_ID, "%s has no support id %s",
				       c->customer_no, id);
	if (!ctr_payload_bool(&ev->data, "notified_by_admin"))
		return ctr_reject_into(msg, size, CTR_CODE_NOT_BY_ADMIN,
				       "retiring licenses needs the license administrator's notice (S8)");
	if (count > s->licenses - s->retired)
		return ctr_reject_into(msg, size, CTR_CODE_OVER_RETIRE, "%s has %lld licenses left to retire, not %lld",
				       id, (long long)(s->licenses - s->retired), (long long)count);
	s->retired += count;
	ctr_customer_touch(c, s);
	return CTR_CODE_OK;
}

/* 1 when s was placed after (at, event_id), in the order support_sql.c keeps rows by. */
static int placed_later(const struct ctr_support_id *s, int64_t at, const char *event_id)
{
	return s->placed_at > at || (s->placed_at == at && strcmp(s->placed_event, event_id) > 0);
}

/*
 * A record a merge brings in comes whole from another customer, so it holds
 * only what issuing and retiring could have made there: its period (as
 * ctr_support_period_ok), no more licenses retired than it has (S8), and no
 * `replaces` naming itself (S3: a replacement is a later id). bad_format and
 * msg else.
 */
static int merged_record_ok(avro_value_t *record, char *msg, size_t size)
{
	const char *id = ctr_payload_text(record, "support_id");
	const char *replaces = ctr_payload_text(record, "replaces");
	int64_t licenses = ctr_payload_long(record, "licenses", 0);
	int64_t retired_count = ctr_payload_long(record, "retired", 0);

	if (!ctr_support_period_ok(record, msg, size))
		return 0;
	if (retired_count > licenses) {
		ctr_reject_into(msg, size, CTR_CODE_BAD_FORMAT, "%s: %lld licenses retired of %lld",
				id, (long long)retired_count, (long long)licenses);
		return 0;
	}
	if (replaces != NULL && strcmp(replaces, id) == 0) {
		ctr_reject_into(msg, size, CTR_CODE_BAD_FORMAT, "%s: replaces itself", id);
		return 0;
	}
	return 1;
}

/* A merge's checks, before any record is placed: every record's format before the customer. */
static enum ctr_code check_merge(struct ctr_customer *c, struct ctr_event *ev, avro_value_t *list,
				 char *msg, size_t size)
{
	avro_value_t item;

	if (strcmp(ctr_payload_text(&ev->data, "from"), c->customer_no) == 0)
		return ctr_reject_into(msg, size, CTR_CODE_BAD_FORMAT,
				       "customer %s merged into itself", c->customer_no);
	for (size_t i = 0; i < ctr_payload_count(list); i++) {
		ctr_payload_item(list, i, &item);
		if (!merged_record_ok(&item, msg, size))
			return CTR_CODE_BAD_FORMAT;
	}
	if (c->merged_into)
		return ctr_reject_into(msg, size, CTR_CODE_CUSTOMER_INVALID,
				       "customer %s was merged into %s", c->customer_no, c->merged_into);
	return CTR_CODE_OK;
}

/* Places one record a merge brings in, unless a later placement of its id stands. */
static enum ctr_code place_merged(struct ctr_customer *c, avro_value_t *item, struct ctr_event *ev,
				  int64_t at)
{
	struct ctr_support_id *s = ctr_customer_support(c, ctr_payload_text(item, "support_id"));
	char *replaced_before = NULL; /* what s's record named, if it names another now */

	/* a support id belongs to its latest placement by (at, id): a record placed
	 * later (issued after the date of this merge) stands, as its row does */
	if (s != NULL && placed_later(s, at, ev->id))
		return CTR_CODE_OK;
	if (s != NULL && s->replaces != NULL) {
		replaced_before = strdup(s->replaces);
		if (replaced_before == NULL)
			return CTR_CODE_NO_MEMORY;
	}
	if (s == NULL)
		s = ctr_customer_add_support(c);
	if (s == NULL)
		return CTR_CODE_NO_MEMORY;
	ctr_customer_fill_support(c, s, item, ev, at);
	ctr_customer_touch(c, s);
	/* the id it names now is refreshed with the rest below */
	if (replaced_before != NULL && !c->out_of_memory &&
	    (s->replaces == NULL || strcmp(s->replaces, replaced_before) != 0))
		ctr_customer_refresh_replaced(c, replaced_before);
	free(replaced_before);
	return CTR_CODE_OK;
}

static enum ctr_code merged_in(struct ctr_customer *c, struct ctr_event *ev, char *msg, size_t size)
{
	avro_value_t list, item;
	struct ctr_support_id *s;
	enum ctr_code code;
	int64_t at;
	int ok;

	ctr_payload_field(&ev->data, "support_ids", &list);
	code = check_merge(c, ev, &list, msg, size);
	if (code != CTR_CODE_OK)
		return code;
	at = ctr_timestamp_parse(ev->at, &ok);
	/* stopped where an id could not be copied: it would match no lookup */
	for (size_t i = 0; i < ctr_payload_count(&list) && !c->out_of_memory; i++) {
		ctr_payload_item(&list, i, &item);
		code = place_merged(c, &item, ev, at);
		if (code != CTR_CODE_OK)
			return code;
	}
	/* the ids placed, looked up again: adding one may have moved the array */
	for (size_t i = 0; i < ctr_payload_count(&list) && !c->out_of_memory; i++) {
		ctr_payload_item(&list, i, &item);
		s = ctr_customer_support(c, ctr_payload_text(&item, "support_id"));
		ctr_customer_link_replacements(c, s);
	}
	return CTR_CODE_OK;
}

static enum ctr_code registered(struct ctr_arena *arena, void **aggregate, struct ctr_event *ev,
				char *msg, size_t size)
{
	const char *number = ctr_payload_text(&ev->data, "customer_no");
	struct ctr_customer *c;

	if (*aggregate != NULL)
		return ctr_reject_into(msg, size, CTR_CODE_ALREADY_EXISTS, "customer %s already exists", ev->stream);
	if (strcmp(number, ev->stream) != 0)
		return ctr_reject_into(msg, size, CTR_CODE_BAD_FORMAT, "customer_no %s is not its stream %s",
				       number, ev->stream);
	c = ctr_arena_zalloc(arena, sizeof(*c));
	if (c == NULL)
		return CTR_CODE_NO_MEMORY;
	c->arena = arena;
	ctr_customer_set(c, &c->customer_no, number);
	ctr_customer_set(c, &c->email, ctr_payload_text(&ev->data, "email"));
	c->dirty = 1;
	*aggregate = c;
	return CTR_CODE_OK;
}

/* The administrator's state (S5-S7) and merges out: flags the judge reads. */
static enum ctr_code flag(struct ctr_customer *c, struct ctr_event *ev)
{
	const char *type = ev->type + strlen("support.");

	if (strcmp(ev->type, "customer.merged_out") == 0) {
		ctr_customer_set(c, &c->merged_into, ctr_payload_text(&ev->data, "into"));
	} else if (strcmp(type, "admin_changed") == 0) {
		ctr_customer_set(c, &c->email, ctr_payload_text(&ev->data, "email"));
		c->admin_pending = 1;
	} else if (strcmp(type, "admin_activated") == 0) {
		c->admin_pending = 0;
	} else if (strcmp(type, "admin_email_bounced") == 0) {
		c->email_bounced = 1;
	} else if (strcmp(type, "password_reset") == 0) {
		c->email_bounced = 0;
	} else if (strcmp(type, "violation_flagged") == 0) {
		c->violation = 1;
	} else if (strcmp(type, "violation_cleared") == 0) {
		c->violation = 0;
	}
	c->dirty = 1;
	return CTR_CODE_OK;
}

static enum ctr_code apply(struct ctr_arena *arena, void **aggregate, struct ctr_event *ev,
			   char *msg, size_t size)
{
	struct ctr_customer *c = *aggregate;

	if (strcmp(ev->type, "customer.registered") == 0)
		return registered(arena, aggregate, ev, msg, size);
	if (c == NULL) /* E6 */
		return ctr_reject_into(msg, size, CTR_CODE_UNKNOWN_STREAM, "customer %s is not registered",
				       ev->stream);
	if (strcmp(ev->type, "support.issued") == 0)
		return issued(c, ev, msg, size);
	if (strcmp(ev->type, "support.licenses_retired") == 0)
		return retired(c, ev, msg, size);
	if (strcmp(ev->type, "customer.merged_in") == 0)
		return merged_in(c, ev, msg, size);
	if (strcmp(ev->type, "customer.merged_out") == 0 &&
	    strcmp(ctr_payload_text(&ev->data, "into"), c->customer_no) == 0)
		return ctr_reject_into(msg, size, CTR_CODE_BAD_FORMAT, "customer %s merged into itself",
				       c->customer_no);
	return flag(c, ev);
}

/* What apply returns, or CTR_CODE_NO_MEMORY when the customer could not take all of it. */
enum ctr_code ctr_support_apply(struct ctr_support *s, struct ctr_arena *arena, void **aggregate,
				struct ctr_event *ev, char *msg, size_t size)
{
	enum ctr_code code = apply(arena, aggregate, ev, msg, size);
	struct ctr_customer *c = *aggregate;

	(void)s; /* the form of ctr_store_apply; a customer's events need no module state */
	return c != NULL && c->out_of_memory ? CTR_CODE_NO_MEMORY : code;
}
