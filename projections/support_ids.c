/*
 * support_ids.c - a customer's support id records (see support_internal.h):
 * looked up by id, added, filled from an issue or a merge, and linked to the
 * ids they replace and are replaced by (S3). support.c judges the events that
 * change them.
 */
#include <stddef.h>
#include <string.h>

#include "events/payload.h"
#include "projections/apply_internal.h"
#include "projections/support_internal.h"

/* Strings of a customer live in its stream's arena, like the customer itself. */
void ctr_customer_set(struct ctr_customer *c, char **field, const char *value)
{
	if (ctr_arena_set_text(c->arena, field, value) != 0)
		c->out_of_memory = 1; /* ctr_support_apply ends the run */
}

static const struct ctr_row_key support_by_id = {
	.row_size = sizeof(struct ctr_support_id),
	.key_offset = offsetof(struct ctr_support_id, support_id),
};
/* Most ids replace none. */
static const struct ctr_row_key support_by_replaced = {
	.row_size = sizeof(struct ctr_support_id),
	.key_offset = offsetof(struct ctr_support_id, replaces),
	.keyless_rows = 1,
};

struct ctr_support_id *ctr_customer_support(struct ctr_customer *c, const char *support_id)
{
	size_t i = ctr_row_index_find(&c->support_index, c->arena, &support_by_id, c->supports,
				      c->support_count, support_id, NULL, NULL);

	return i < c->support_count ? &c->supports[i] : NULL;
}

struct ctr_support_id *ctr_customer_add_support(struct ctr_customer *c)
{
	if (c->support_count == c->support_cap) {
		size_t cap = c->support_cap ? c->support_cap * 2 : 4;
		struct ctr_support_id *moved = ctr_arena_grow(c->arena, c->supports,
							      c->support_cap * sizeof(*moved),
							      cap * sizeof(*moved));
		if (moved == NULL) {
			c->out_of_memory = 1;
			return NULL;
		}
		c->supports = moved;
		c->support_cap = cap;
	}
	memset(&c->supports[c->support_count], 0, sizeof(*c->supports));
	c->last_end = NULL; /* the new id's end is not known yet */
	return &c->supports[c->support_count++];
}

void ctr_customer_touch(struct ctr_customer *c, struct ctr_support_id *s)
{
	c->dirty = 1;
	if (s)
		s->dirty = 1;
}

void ctr_customer_fill_support(struct ctr_customer *c, struct ctr_support_id *s, avro_value_t *data,
			 const struct ctr_event *ev, int64_t placed_at)
{
	ctr_customer_set(c, &s->support_id, ctr_payload_text(data, "support_id"));
	ctr_customer_set(c, &s->sku, ctr_payload_text(data, "sku"));
	ctr_customer_set(c, &s->starts_on, ctr_payload_text(data, "starts_on"));
	ctr_customer_set(c, &s->ends_on, ctr_payload_text(data, "ends_on"));
	c->last_end = NULL; /* it may have been the latest, and be earlier now */
	ctr_customer_set(c, &s->reason, ctr_payload_text(data, "reason"));
	ctr_row_index_key_changing(&c->replaced_index, &support_by_replaced, c->supports,
				   (size_t)(s - c->supports));
	ctr_customer_set(c, &s->replaces, ctr_payload_text(data, "replaces"));
	ctr_row_index_key_changed(&c->replaced_index, c->arena, &support_by_replaced, c->supports,
				  (size_t)(s - c->supports));
	ctr_customer_set(c, &s->placed_event, ev->id);
	s->licenses = ctr_payload_long(data, "licenses", 0);
	s->retired = ctr_payload_long(data, "retired", 0);
	s->placed_at = placed_at;
}

struct replacement {
	const char *earliest; /* starts_on of the earliest replacement found so far */
};

static void replaced_by(void *row, void *ctx)
{
	struct replacement *r = ctx;
	const char *starts_on = ((struct ctr_support_id *)row)->starts_on;

	if (starts_on != NULL && (r->earliest == NULL || strcmp(starts_on, r->earliest) < 0))
		r->earliest = starts_on;
}

/*
 * S3: the id named old_id is replaced from the day the first of the ids whose
 * records name it starts, as those records stand now: a merge may place an id
 * again with another start or without `replaces` (Merges: an id belongs to its
 * latest placement), and the day follows. A renewal of some licenses and a
 * resume of the retired rest both replace one id (S8): the earlier start holds.
 */
void ctr_customer_refresh_replaced(struct ctr_customer *c, const char *old_id)
{
	struct ctr_support_id *old = ctr_customer_support(c, old_id);
	struct replacement replacement = { NULL };

	if (old == NULL)
		return;
	ctr_row_index_each(&c->replaced_index, c->arena, &support_by_replaced, c->supports,
			   c->support_count, old_id, replaced_by, &replacement);
	if (old->replaced_on == replacement.earliest ||
	    (old->replaced_on && replacement.earliest &&
	     strcmp(old->replaced_on, replacement.earliest) == 0))
		return;
	ctr_customer_set(c, &old->replaced_on, replacement.earliest);
	ctr_customer_touch(c, old);
}

/*
 * S3: s replaces the id its record names, and is replaced by the ids whose
 * records name it: a merge can bring an id before or after the one it
 * replaces, and an id issued here can be one that an id merged in replaces.
 */
void ctr_customer_link_replacements(struct ctr_customer *c, struct ctr_support_id *s)
{
	if (s->replaces != NULL)
		ctr_customer_refresh_replaced(c, s->replaces);
	ctr_customer_refresh_replaced(c, s->support_id);
}

/*
 * A period that ends before it starts is never active, yet would count for S9:
 * a typo, bad_format wherever a support id's record comes from. 0 and msg then.
 */
int ctr_support_period_ok(avro_value_t *record, char *msg, size_t size)
{
	const char *starts_on = ctr_payload_text(record, "starts_on");
	const char *ends_on = ctr_payload_text(record, "ends_on");

	if (strcmp(ends_on, starts_on) >= 0)
		return 1;
	ctr_reject_into(msg, size, CTR_CODE_BAD_FORMAT, "%s: ends_on %s is before starts_on %s",
			ctr_payload_text(record, "support_id"), ends_on, starts_on);
	return 0;
}
