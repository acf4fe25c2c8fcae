/*
 * validate.h - the field formats of DOMAIN.md, judged at replay (E6).
 *
 * The formats come from the schemas themselves: a field annotated with
 * "format" (event_id, timestamp, date, count, email, customer_no, support_id)
 * is checked here; the C code does not restate which field has which format.
 */
#ifndef CTR_VALIDATE_H
#define CTR_VALIDATE_H

#include <avro.h>
#include <jansson.h>

#include "events/event.h"

struct ctr_validator;

/*
 * The largest count: licenses, seats, allocations, prices in yen, orders.
 * Far above any contract's, and small enough that no sum or product contrail
 * makes of them (an invoice's seats x price x the months of a term, a
 * contract's allocations) can overflow 64 bits.
 */
#define CTR_COUNT_MAX 100000000

/*
 * Compiles the checks of an envelope schema (its JSON tree); NULL when out of
 * memory. Freed with ctr_validator_free().
 */
struct ctr_validator *ctr_validator_new(const json_t *envelope_tree);
void ctr_validator_free(struct ctr_validator *v);

/*
 * Checks the formats of envelope (the whole event record). On the first bad
 * field it rejects ev: a bad id takes no place (E2), any other field is
 * bad_format and takes its place. The caller judges the event's place with
 * ctr_position_check() first (decode.c does, once per event): judged here
 * too, it was the same work twice on every event of a replay.
 */
void ctr_validator_check(const struct ctr_validator *v, avro_value_t *envelope,
			 struct ctr_event *ev);

/*
 * The event's place (E2): a bad id, an empty stream or a seq below 1 rejects ev
 * as bad_format without a place and returns -1. Judged before anything that
 * would reject the event with a place (its type, account, at or payload), so
 * that such an event never takes a place it has no right to.
 */
int ctr_position_check(struct ctr_event *ev);

/* 1 when text is a valid value of the named format. */
int ctr_format_ok(const char *format, const char *text);

#endif
