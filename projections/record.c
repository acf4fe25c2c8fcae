/*
 * record.c - a batch's changed rows recorded for the thread pool (see
 * projections.h): the aggregates dispatch.c queued, in key order, then what
 * follows them in their transaction (the migrations derived again, the rows
 * judged).
 */
#include "projections/projections.h"
#include "projections/projections_internal.h"

#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/strmap.h"
#include "engine/writes.h"
#include "projections/contract_sql.h"
#include "projections/migrations.h"
#include "projections/store.h"
#include "projections/support.h"

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
static int settle_batch(void *projections, const char *rows, struct ctr_error *err)
{
	struct ctr_projections *p = projections;
	struct ctr_strmap *written = p->written;
	int rc = 0;

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
	/*
	 * On another date than the stored rows', this batch's rows are judged on
	 * this one, and every row is only at the run's end: a run stopped before
	 * that leaves both kinds, which the next run must judge again whatever its
	 * date (E4). meta.judging says so until ctr_projections_judge() is done; a
	 * batch that wrote no row (rows NULL: a run its source stopped before any
	 * event, say) leaves every row as it was judged.
	 */
	if (rc == 0 && p->needs_judge && !p->judging_noted && rows != NULL) {
		rc = ctr_db_meta_set(p->db, "judging", p->date, err);
		p->judging_noted = rc == 0;
	}
	return rc;
}

int ctr_projections_record(struct ctr_projections *p, struct ctr_writes *w)
{
	int rows = p->dirty_count > 0 || p->dirty_stream_count > 0;

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
	ctr_writes_call(w, settle_batch, p, rows ? "rows" : NULL);
	return 0;
}
