/*
 * projections.h - what the engine calls to apply events to the projections.
 *
 * The engine orders and dedupes events per stream (E1, E2) and hands each
 * event that takes its place to ctr_projections_apply with the stream's
 * state. The projections keep their aggregates in memory, attached to the
 * stream, and write the rows that changed when the engine flushes.
 */
#ifndef CTR_PROJECTIONS_H
#define CTR_PROJECTIONS_H

#include <sqlite3.h>
#include <stdint.h>

#include "engine/arena.h"
#include "events/error.h"
#include "events/event.h"

enum ctr_family { CTR_FAMILY_CONTRACT, CTR_FAMILY_CUSTOMER, CTR_FAMILY_STORE };

/*
 * One stream's state, owned by the engine. The stream and its aggregate, with
 * every string and row of it, are allocated from the stream's arena and freed
 * with it when the engine drops the stream; its name (the engine's map holds
 * it) and held events are not.
 */
struct ctr_stream {
	struct ctr_arena arena;
	const char *name;
	enum ctr_family family;
	int64_t next_seq;   /* E2: the seq the next event must have */
	int opened;         /* its opening event was applied (E6 unknown_stream) */
	int stored;         /* the database holds state of this stream */
	int loaded;         /* its stored aggregate was read in this run */
	int dirty;          /* on the engine's list of streams whose row the batch writes */
	struct ctr_stream *next_dirty;
	int64_t last_batch;  /* the batch that last changed it (idle streams are evicted) */
	int queued;          /* on the projections' list of support and store aggregates to write */
	void *aggregate;    /* the family's state, NULL until opened or loaded */
	struct ctr_held *held; /* E2: events waiting for a missing seq, by seq */
	size_t held_count, held_cap;
};

struct ctr_projection_options {
	int32_t business_date; /* E5: days since 1970-01-01 */
	int expiring_days;     /* L5, default 90 */
	int32_t store_cutoff;  /* K3, default 2024-10-31 */
	int bulk;              /* a rebuild: derived tables are written once, at the end */
	struct ctr_db_gate *gate; /* loads wait at it while a batch is written (may be NULL) */
};

struct ctr_projections;
struct ctr_writes;
struct ctr_db_gate;

int ctr_projections_new(sqlite3 *db, const struct ctr_projection_options *options,
			struct ctr_projections **out, struct ctr_error *err);
void ctr_projections_free(struct ctr_projections *p);

/* The family of an event type (by its name's prefix). */
enum ctr_family ctr_family_of(const char *type);
const char *ctr_family_name(enum ctr_family family);

/*
 * Applies ev, which takes its place in stream, and returns CTR_CODE_OK or the
 * code of the rule that rejects it (message in msg); a rejected event changes
 * nothing. A stored stream's aggregate is loaded from the database first.
 */
enum ctr_code ctr_projections_apply(struct ctr_projections *p, struct ctr_stream *stream,
				    struct ctr_event *ev, char *msg, size_t msg_size,
				    struct ctr_error *err);

/*
 * Records into w the writes of every changed row, followed by the migrations
 * and judges they call for; the aggregates are then clean and may change
 * again while w is run, inside a transaction, on another thread. Loads go on
 * meanwhile on the same (serialized) connection; a customer's waits at
 * options.gate. CTR_ENOMEM when out of memory.
 */
int ctr_projections_record(struct ctr_projections *p, struct ctr_writes *w);

/*
 * Judges the date-dependent columns (L5 status, days_left, expired) of every
 * row not written by this run, when the business date differs from the one
 * they were last judged on. Inside the caller's transaction.
 */
int ctr_projections_judge(struct ctr_projections *p, struct ctr_error *err);

/*
 * A bulk run owes the invoices of every cloud contract at its end, which
 * ctr_projections_judge writes: 1 when it owes any. Once taken, judge leaves
 * them to the taker (engine/invoices_aside.h writes them on a thread).
 */
int ctr_projections_invoices_owed(const struct ctr_projections *p);
void ctr_projections_invoices_taken(struct ctr_projections *p);

/*
 * What judging depends on beside the date (L5's --expiring-days, K3's
 * --store-cutoff) as text, kept in meta.judged_with beside meta.judged_on: rows
 * judged with other days to expiry are judged again, as on another date, and
 * shards judged with other options are not merged. The store cutoff also
 * decides what store events count (K3) as they are applied, so a database is
 * not replayed into with another one (CTR_ESTATE: --rebuild). Databases
 * written before the key was kept were judged with the defaults. These
 * functions are in judged.c.
 */
#define CTR_DEFAULT_EXPIRING_DAYS 90         /* --expiring-days */
#define CTR_DEFAULT_STORE_CUTOFF "2024-10-31" /* --store-cutoff */
#define CTR_TEXT_OF(x) #x
#define CTR_TEXT(x) CTR_TEXT_OF(x)
#define CTR_JUDGED_WITH_DEFAULT \
	"expiring_days=" CTR_TEXT(CTR_DEFAULT_EXPIRING_DAYS) " store_cutoff=" CTR_DEFAULT_STORE_CUTOFF
void ctr_judged_with(const struct ctr_projection_options *options, char *buf, size_t size);
/* Reads text of ctr_judged_with() into options; 0, or -1 when it is not such text. */
int ctr_judged_with_parse(const char *text, struct ctr_projection_options *options);
/* Notes date and options in meta as the ones every stored row was judged on. */
int ctr_judged_note(sqlite3 *db, const char *date, const char *with, struct ctr_error *err);
/*
 * 0 when with (a database's meta.judged_with) holds the store cutoff of
 * options; else CTR_ESTATE naming both cutoffs (K3's counts were taken with
 * the stored one: --rebuild counts them again), or CTR_ECORRUPT when with is
 * not such text.
 */
int ctr_judged_same_cutoff(const char *with, const struct ctr_projection_options *options,
			   struct ctr_error *err);

#endif
