/*
 * projections.c - the dispatcher between the engine and the projection
 * modules (see projections.h): made with the modules it dispatches to, the
 * rows not written by a run judged at its end, freed. Events are applied in
 * dispatch.c, a batch's writes recorded in record.c.
 */
#include "projections/projections.h"
#include "projections/projections_internal.h"

#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/strmap.h"
#include "events/timefmt.h"
#include "projections/contract_sql.h"
#include "projections/migrations.h"
#include "projections/store.h"
#include "projections/support.h"

/* meta's judged_on and judged_with (NULL when never noted), and whether a run stopped part-way. */
static int read_judged(sqlite3 *db, char **judged, char **with, int *part_way,
		       struct ctr_error *err)
{
	char *judging = NULL;
	int rc;

	*with = NULL;
	rc = ctr_db_meta_get(db, "judged_on", judged, err);
	if (rc == 0)
		rc = ctr_db_meta_get(db, "judged_with", with, err);
	if (rc == 0) /* a run on another date stopped part-way (record.c, settle_batch) */
		rc = ctr_db_meta_get(db, "judging", &judging, err);
	*part_way = judging != NULL;
	free(judging);
	return rc;
}

/* Whether the stored rows must be judged again: on another date, or with other options. */
static int note_judged(struct ctr_projections *p, const struct ctr_projection_options *options,
		       struct ctr_error *err)
{
	char *judged, *with;
	const char *stored_with;
	int part_way, rc = read_judged(p->db, &judged, &with, &part_way, err);

	if (rc == 0) { /* a date not read is not "never judged": states would go unjudged (L5) */
		stored_with = with ? with : CTR_JUDGED_WITH_DEFAULT; /* older databases: the defaults */
		p->needs_judge = judged != NULL &&
				 (part_way || strcmp(judged, p->date) != 0 ||
				  strcmp(stored_with, p->judged_with) != 0);
		p->date_noted = judged != NULL && with != NULL && !p->needs_judge;
		rc = judged != NULL ? ctr_judged_same_cutoff(stored_with, options, err) : 0;
	}
	free(judged);
	free(with);
	return rc;
}

int ctr_projections_new(sqlite3 *db, const struct ctr_projection_options *options,
			struct ctr_projections **out, struct ctr_error *err)
{
	struct ctr_projections *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	p->db = db;
	p->options = *options;
	ctr_date_format(options->business_date, p->date);
	ctr_judged_with(options, p->judged_with, sizeof(p->judged_with));
	rc = note_judged(p, options, err);
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
