/*
 * projections.c - the dispatcher between the engine and the projection
 * modules (see projections.h): it finds or loads a stream's aggregate, calls
 * the handler of the event's type, and keeps the list of aggregates with rows
 * to write at the next flush, whose writes it records for the thread pool.
 */
#include "projections/projections.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/db_gate.h"
#include "engine/strmap.h"
#include "engine/writes.h"
#include "events/timefmt.h"
#include "projections/apply_internal.h"
#include "projections/contract_sql.h"
#include "projections/migrations.h"
#include "projections/store.h"
#include "projections/support.h"

#define CTR_MAX_TYPES 128

struct ctr_projections {
	sqlite3 *db;
	struct ctr_projection_options options;
	struct ctr_contract_sql *contracts;
	struct ctr_support *support;
	struct ctr_store *store;
	struct ctr_contract **dirty;
	size_t dirty_count, dirty_cap;
	struct ctr_stream **dirty_streams; /* support and store streams with rows to write */
	struct ctr_strmap *changed;        /* contracts changed in this batch (for the migrations) */
	struct ctr_strmap *written;        /* those of the batch being written */
	size_t dirty_stream_count, dirty_stream_cap;
	char date[11];   /* the business date, YYYY-MM-DD */
	char judged_with[64]; /* the options judging depends on (ctr_judged_with) */
	/* handlers by catalog type index, looked up by name once */
	ctr_apply_fn handlers[CTR_MAX_TYPES];
	unsigned char resolved[CTR_MAX_TYPES];
	int needs_judge; /* stored rows were judged on another date, or with other options */
	int date_noted;  /* meta.judged_on holds date, meta.judged_with the options */
};

enum ctr_code ctr_apply_reject(struct ctr_apply *a, enum ctr_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, a->msg_size, fmt, ap);
	va_end(ap);
	return code;
}

enum ctr_code ctr_reject_into(char *msg, size_t size, enum ctr_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return code;
}

int ctr_projections_new(sqlite3 *db, const struct ctr_projection_options *options,
			struct ctr_projections **out, struct ctr_error *err)
{
	struct ctr_projections *p = calloc(1, sizeof(*p));
	char *judged, *with;
	const char *stored_with;
	int rc;

	if (p == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	p->db = db;
	p->options = *options;
	ctr_date_format(options->business_date, p->date);
	ctr_judged_with(options, p->judged_with, sizeof(p->judged_with));
	with = NULL;
	rc = ctr_db_meta_get(db, "judged_on", &judged, err);
	if (rc == 0)
		rc = ctr_db_meta_get(db, "judged_with", &with, err);
	if (rc != 0) { /* a date not read is not "never judged": states would go unjudged (L5) */
		free(judged);
		free(p);
		return rc;
	}
	stored_with = with ? with : CTR_JUDGED_WITH_DEFAULT; /* older databases: the defaults */
	p->needs_judge = judged != NULL &&
			 (strcmp(judged, p->date) != 0 || strcmp(stored_with, p->judged_with) != 0);
	p->date_noted = judged != NULL && with != NULL && !p->needs_judge;
	rc = judged != NULL ? ctr_judged_same_cutoff(stored_with, options, err) : 0;
	free(judged);
	free(with);
	if (rc != 0) {
		free(p);
		return rc;
	}
	p->changed = ctr_strmap_new();
	rc = p->changed ? ctr_contract_sql_new(db, options, &p->contracts, err) : CTR_ENOMEM;
	if (rc == 0)
		rc = ctr_support_new(db, options, &p->support, err);
	if (rc == 0)
		rc = ctr_store_new(db, options, &p->store, err);
	if (rc != 0) {
		ctr_projections_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void ctr_projections_free(struct ctr_projections *p)
{
	if (p == NULL)
		return;
	ctr_contract_sql_free(p->contracts);
	ctr_support_free(p->support);
	ctr_store_free(p->store);
	free(p->dirty);
	free(p->dirty_streams);
	ctr_strmap_free(p->changed);
	ctr_strmap_free(p->written);
	free(p);
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

static void queue_stream(struct ctr_projections *p, struct ctr_stream *stream)
{
	if (stream->queued)
		return;
	if (p->dirty_stream_count == p->dirty_stream_cap) {
		size_t grown = p->dirty_stream_cap ? p->dirty_stream_cap * 2 : 256;
		struct ctr_stream **moved = realloc(p->dirty_streams, grown * sizeof(*moved));
		if (moved == NULL)
			return;
		p->dirty_streams = moved;
		p->dirty_stream_cap = grown;
	}
	p->dirty_streams[p->dirty_stream_count++] = stream;
	stream->queued = 1;
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
	stream->opened = stream->aggregate != NULL;
	if (stream->aggregate && (customer ? ctr_support_dirty(stream->aggregate)
					   : ctr_store_dirty(stream->aggregate)))
		queue_stream(p, stream);
	return code;
}

static void queue(struct ctr_projections *p, struct ctr_contract *c)
{
	if (c->queued || !c->any_dirty)
		return;
	if (p->dirty_count == p->dirty_cap) {
		size_t grown = p->dirty_cap ? p->dirty_cap * 2 : 256;
		struct ctr_contract **moved = realloc(p->dirty, grown * sizeof(*moved));
		if (moved == NULL)
			return; /* written at the end of the run by the full pass instead */
		p->dirty = moved;
		p->dirty_cap = grown;
	}
	p->dirty[p->dirty_count++] = c;
	c->queued = 1;
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

static ctr_apply_fn handler(struct ctr_projections *p, const struct ctr_event *ev)
{
	ctr_apply_fn fn;

	if (ev->type_index >= 0 && ev->type_index < CTR_MAX_TYPES && p->resolved[ev->type_index])
		return p->handlers[ev->type_index];
	fn = ctr_licenses_handler(ev->type);
	if (fn == NULL)
		fn = ctr_members_handler(ev->type);
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
	if (stream->aggregate)
		queue(p, stream->aggregate);
	return code;
}

static int by_contract_id(const void *a, const void *b)
{
	const struct ctr_contract *const *x = a, *const *y = b;
	return strcmp((*x)->contract_id, (*y)->contract_id);
}

static int by_family_and_name(const void *a, const void *b)
{
	const struct ctr_stream *const *x = a, *const *y = b;
	if ((*x)->family != (*y)->family)
		return (*x)->family < (*y)->family ? -1 : 1;
	return strcmp((*x)->name, (*y)->name);
}

/*
 * What follows a batch's rows in its transaction, on the thread that writes
 * them. G1-G4 read the environments of two streams: the migrations from or to
 * the contracts just written are derived again, so a killed run leaves none
 * stale. The rows just written are judged on this run's date; a bulk run (a
 * rebuild, unseen until it is renamed into place) judges every row once at
 * its end.
 */
static int settle_batch(void *projections, const char *unused, struct ctr_error *err)
{
	struct ctr_projections *p = projections;
	struct ctr_strmap *written = p->written;
	int rc = 0;

	(void)unused;
	p->written = NULL;
	if (written != NULL && ctr_strmap_count(written) > 0)
		rc = ctr_migrations_refresh(p->db, p->options.business_date, written, err);
	ctr_strmap_free(written);
	if (rc == 0 && !p->options.bulk)
		rc = ctr_support_judge(p->support, CTR_SUPPORT_MARKED, err);
	if (rc == 0 && !p->options.bulk)
		rc = ctr_store_judge(p->store, 0, err);
	/* rows written on this date; older rows keep the date they were judged on */
	if (rc == 0 && !p->needs_judge && !p->date_noted) {
		rc = ctr_judged_note(p->db, p->date, p->judged_with, err);
		p->date_noted = rc == 0;
	}
	return rc;
}

int ctr_projections_record(struct ctr_projections *p, struct ctr_writes *w)
{
	/* in key order, SQLite appends to its B-trees instead of splitting pages all over */
	if (p->dirty_count > 1)
		qsort(p->dirty, p->dirty_count, sizeof(*p->dirty), by_contract_id);
	for (size_t i = 0; i < p->dirty_count; i++) {
		if (!p->options.bulk && !ctr_strmap_put(p->changed, p->dirty[i]->contract_id, p->changed))
			return CTR_ENOMEM;
		ctr_contract_sql_record(p->contracts, p->dirty[i], w);
		p->dirty[i]->queued = 0;
	}
	p->dirty_count = 0;
	/* customers and store accounts too: a stream is named by the key its rows lead with (a
	 * customer number; a store account's "store/email", which sorts almost as its key) */
	if (p->dirty_stream_count > 1)
		qsort(p->dirty_streams, p->dirty_stream_count, sizeof(*p->dirty_streams),
		      by_family_and_name);
	for (size_t i = 0; i < p->dirty_stream_count; i++) {
		struct ctr_stream *stream = p->dirty_streams[i];
		if (stream->aggregate && stream->family == CTR_FAMILY_CUSTOMER)
			ctr_support_record(p->support, stream->aggregate, w);
		else if (stream->aggregate)
			ctr_store_record(p->store, stream->aggregate, w);
		stream->queued = 0;
	}
	p->dirty_stream_count = 0;
	/* then the support ids those customers set aside, by their own key */
	ctr_support_record_ids(p->support, w);
	/* the previous batch's settle_batch has run: one batch is written at a time */
	ctr_strmap_free(p->written);
	p->written = p->changed;
	p->changed = ctr_strmap_new();
	if (p->changed == NULL)
		return CTR_ENOMEM;
	ctr_writes_call(w, settle_batch, p, NULL);
	return 0;
}

int ctr_projections_judge(struct ctr_projections *p, struct ctr_error *err)
{
	int rc = ctr_contract_sql_finish(p->contracts, err);

	/* G4 on a new date, and a bulk run's migrations, for every migration at once */
	if (rc == 0 && (p->needs_judge || p->options.bulk))
		rc = ctr_migrations_refresh(p->db, p->options.business_date, NULL, err);
	if (rc == 0 && p->options.bulk && !p->needs_judge) {
		rc = ctr_support_judge(p->support, CTR_SUPPORT_REBUILT, err);
		if (rc == 0)
			rc = ctr_store_judge(p->store, 1, err);
	}
	if (rc == 0 && p->needs_judge) {
		rc = ctr_contract_sql_judge(p->contracts, err);
		if (rc == 0)
			rc = ctr_support_judge(p->support, CTR_SUPPORT_ALL, err);
		if (rc == 0)
			rc = ctr_store_judge(p->store, 1, err);
		if (rc == 0)
			rc = ctr_judged_note(p->db, p->date, p->judged_with, err);
		p->needs_judge = rc != 0;
		p->date_noted = rc == 0;
	}
	return rc;
}

int ctr_projections_invoices_owed(const struct ctr_projections *p)
{
	return ctr_contract_sql_invoices_pending(p->contracts);
}

void ctr_projections_invoices_taken(struct ctr_projections *p)
{
	ctr_contract_sql_invoices_taken(p->contracts);
}
