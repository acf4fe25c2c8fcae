/*
 * dispatch.c - an event applied to its stream (see projections.h): the
 * stream's aggregate found or loaded, its family checked (E6), the handler of
 * the event's type called, and the aggregate queued to be written at the next
 * flush (record.c).
 */
#include "projections/projections.h"
#include "projections/projections_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db_gate.h"
#include "events/payload.h"
#include "projections/contract_sql.h"
#include "projections/store.h"
#include "projections/support.h"

enum ctr_code ctr_apply_reject(struct ctr_apply *a, enum ctr_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, a->msg_size, fmt, ap);
	va_end(ap);
	return code;
}

/* The first of fields (a NULL-ended list) that record holds empty or not at all, else NULL. */
static const char *first_empty(avro_value_t *record, const char *const fields[])
{
	for (size_t i = 0; fields[i] != NULL; i++) {
		const char *text = ctr_payload_text(record, fields[i]);
		if (text == NULL || *text == '\0')
			return fields[i];
	}
	return NULL;
}

enum ctr_code ctr_apply_required(struct ctr_apply *a, const char *const fields[])
{
	const char *empty = first_empty(a->data, fields);

	return empty ? ctr_apply_reject(a, CTR_CODE_BAD_FORMAT, "%s: empty", empty) : CTR_CODE_OK;
}

enum ctr_code ctr_apply_required_items(struct ctr_apply *a, const char *list_name,
				       const char *const fields[])
{
	avro_value_t list, item;
	const char *empty;

	if (!ctr_payload_field(a->data, list_name, &list))
		return CTR_CODE_OK; /* an optional list left out */
	for (size_t i = 0; i < ctr_payload_count(&list); i++) {
		ctr_payload_item(&list, i, &item);
		empty = first_empty(&item, fields);
		if (empty != NULL)
			return ctr_apply_reject(a, CTR_CODE_BAD_FORMAT, "%s[%zu].%s: empty",
						list_name, i, empty);
	}
	return CTR_CODE_OK;
}

unsigned char *ctr_items_listed_later(struct ctr_contract *c, avro_value_t *list, size_t count)
{
	unsigned char *listed_later = calloc(count + 1, 1), *seen = calloc(c->product_count + 1, 1);
	avro_value_t item;

	if (listed_later == NULL || seen == NULL) {
		free(listed_later);
		free(seen);
		return NULL;
	}
	/* from the last item back, each product marked by its place in the contract's array */
	for (size_t i = count; i-- > 0;) {
		ctr_payload_item(list, i, &item);
		struct ctr_product *p = ctr_contract_product(c, ctr_payload_text(&item, "sku"));
		if (p == NULL)
			continue; /* L4: the caller refuses the whole event */
		listed_later[i] = seen[p - c->products];
		seen[p - c->products] = 1;
	}
	free(seen);
	return listed_later;
}

enum ctr_code ctr_reject_into(char *msg, size_t size, enum ctr_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return code;
}

enum ctr_family ctr_family_of(const char *type)
{
	if (strncmp(type, "customer.", 9) == 0 || strncmp(type, "support.", 8) == 0)
		return CTR_FAMILY_CUSTOMER;
	if (strncmp(type, "store.", 6) == 0)
		return CTR_FAMILY_STORE;
	return CTR_FAMILY_CONTRACT;
}

const char *ctr_family_name(enum ctr_family family)
{
	static const char *const names[] = { "contract", "customer", "store" };
	return names[family];
}

/* 0, or -1 when out of memory: a stream left off the list would not be written. */
static int queue_stream(struct ctr_projections *p, struct ctr_stream *stream)
{
	if (stream->queued)
		return 0;
	if (p->dirty_stream_count == p->dirty_stream_cap) {
		size_t grown = p->dirty_stream_cap ? p->dirty_stream_cap * 2 : 256;
		struct ctr_stream **moved = realloc(p->dirty_streams, grown * sizeof(*moved));
		if (moved == NULL)
			return -1;
		p->dirty_streams = moved;
		p->dirty_stream_cap = grown;
	}
	p->dirty_streams[p->dirty_stream_count++] = stream;
	stream->queued = 1;
	return 0;
}

static enum ctr_code out_of_memory(struct ctr_error *err)
{
	ctr_error_set(err, CTR_ENOMEM, "out of memory");
	return CTR_CODE_NO_MEMORY;
}

/* Support and store streams: their modules create, load and change the aggregate. */
static enum ctr_code apply_other(struct ctr_projections *p, struct ctr_stream *stream,
				 struct ctr_event *ev, char *msg, size_t size, struct ctr_error *err)
{
	int customer = stream->family == CTR_FAMILY_CUSTOMER;
	enum ctr_code code;
	int rc = 0;

	if (stream->stored && !stream->loaded) {
		stream->loaded = 1;
		if (customer) /* the batch being written may move support ids to or from it */
			ctr_db_gate_wait(p->options.gate);
		rc = customer ? ctr_support_load(p->support, stream->name, &stream->arena,
						 &stream->aggregate, err)
			      : ctr_store_load(p->store, stream->name, &stream->arena,
					       &stream->aggregate, err);
		if (rc != 0)
			return CTR_CODE_COUNT;
	}
	code = customer ? ctr_support_apply(p->support, &stream->arena, &stream->aggregate, ev,
					    msg, size)
			: ctr_store_apply(p->store, &stream->arena, &stream->aggregate, ev, msg,
					  size);
	if (code == CTR_CODE_NO_MEMORY)
		return out_of_memory(err);
	stream->opened = stream->aggregate != NULL;
	if (stream->aggregate && (customer ? ctr_support_dirty(stream->aggregate)
					   : ctr_store_dirty(stream->aggregate)) &&
	    queue_stream(p, stream) != 0)
		return out_of_memory(err);
	return code;
}

/* 0, or -1 when out of memory: a contract left off the list would not be written. */
static int queue(struct ctr_projections *p, struct ctr_contract *c)
{
	if (c->queued || !c->any_dirty)
		return 0;
	if (p->dirty_count == p->dirty_cap) {
		size_t grown = p->dirty_cap ? p->dirty_cap * 2 : 256;
		struct ctr_contract **moved = realloc(p->dirty, grown * sizeof(*moved));
		if (moved == NULL)
			return -1;
		p->dirty = moved;
		p->dirty_cap = grown;
	}
	p->dirty[p->dirty_count++] = c;
	c->queued = 1;
	return 0;
}

static int load(struct ctr_projections *p, struct ctr_stream *stream, struct ctr_error *err)
{
	struct ctr_contract *c = NULL;
	int rc;

	stream->loaded = 1;
	rc = ctr_contract_sql_load(p->contracts, stream->name, &stream->arena, &c, err);
	stream->aggregate = c;
	return rc;
}

/* The handler of a contract-family event type, or NULL. */
static ctr_apply_fn find_handler(const char *type)
{
	static const struct ctr_apply_handler *const tables[] = {
		ctr_licenses_handlers, ctr_environments_handlers, ctr_members_handlers,
	};

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct ctr_apply_handler *h = tables[t]; h->type != NULL; h++)
			if (strcmp(h->type, type) == 0)
				return h->fn;
	return NULL;
}

static ctr_apply_fn handler(struct ctr_projections *p, const struct ctr_event *ev)
{
	ctr_apply_fn fn;

	if (ev->type_index >= 0 && ev->type_index < CTR_MAX_TYPES && p->resolved[ev->type_index])
		return p->handlers[ev->type_index];
	fn = find_handler(ev->type);
	if (ev->type_index >= 0 && ev->type_index < CTR_MAX_TYPES) {
		p->handlers[ev->type_index] = fn;
		p->resolved[ev->type_index] = 1;
	}
	return fn;
}

/* The types that create their family's aggregate: a contract, a customer, a store account. */
static int opens_aggregate(const char *type)
{
	return strcmp(type, "contract.opened") == 0 || strcmp(type, "customer.registered") == 0 ||
	       strcmp(type, "store.account_migrated") == 0 ||
	       strcmp(type, "store.account_registered") == 0;
}

/*
 * E6: a stream holds one aggregate, of the family of the event that opened
 * it. Until one is opened the stream follows each event's family (a rejected
 * event created nothing); after, an event of another family names an
 * aggregate the stream does not hold, and must not reach a module that reads
 * the payload as its own family's.
 */
static enum ctr_code check_family(struct ctr_stream *stream, const struct ctr_event *ev,
				  char *msg, size_t size)
{
	enum ctr_family family = ctr_family_of(ev->type);

	if (family == stream->family)
		return CTR_CODE_OK;
	if (!stream->opened) {
		stream->family = family;
		return CTR_CODE_OK;
	}
	if (opens_aggregate(ev->type))
		return ctr_reject_into(msg, size, CTR_CODE_ALREADY_EXISTS, "stream %s already holds a %s",
				       stream->name, ctr_family_name(stream->family));
	return ctr_reject_into(msg, size, CTR_CODE_UNKNOWN_STREAM, "stream %s holds a %s, not a %s",
			       stream->name, ctr_family_name(stream->family), ctr_family_name(family));
}

enum ctr_code ctr_projections_apply(struct ctr_projections *p, struct ctr_stream *stream,
				    struct ctr_event *ev, char *msg, size_t msg_size,
				    struct ctr_error *err)
{
	struct ctr_apply a = { stream->aggregate, &stream->arena, ev, &ev->data, msg, msg_size };
	enum ctr_code code = check_family(stream, ev, msg, msg_size);
	ctr_apply_fn fn;

	if (code != CTR_CODE_OK)
		return code;
	if (stream->family != CTR_FAMILY_CONTRACT)
		return apply_other(p, stream, ev, msg, msg_size, err);
	if (stream->stored && !stream->loaded && load(p, stream, err) != 0)
		return CTR_CODE_COUNT; /* err says why; the engine stops */
	a.contract = stream->aggregate;
	if (strcmp(ev->type, "contract.opened") == 0) {
		struct ctr_contract *c = NULL;
		if (a.contract != NULL)
			return ctr_apply_reject(&a, CTR_CODE_ALREADY_EXISTS, "contract %s already exists",
						stream->name);
		code = ctr_licenses_open(&a, &c);
		stream->aggregate = c;
		stream->opened = c != NULL;
	} else if (a.contract == NULL) {
		return ctr_apply_reject(&a, CTR_CODE_UNKNOWN_STREAM, "contract %s has not been opened",
					stream->name);
	} else {
		fn = handler(p, ev);
		code = fn ? fn(&a) : ctr_apply_reject(&a, CTR_CODE_UNKNOWN_TYPE, "no handler for %s",
						      ev->type);
	}
	a.contract = stream->aggregate; /* the one contract.opened made */
	if (code == CTR_CODE_NO_MEMORY || (a.contract != NULL && a.contract->out_of_memory))
		return out_of_memory(err);
	if (stream->aggregate && queue(p, stream->aggregate) != 0)
		return out_of_memory(err);
	return code;
}
