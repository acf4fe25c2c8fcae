/*
 * judged.c - what the stored rows were judged on and with (projections.h):
 * the business date and the options judging depends on, kept as text in
 * meta.judged_on and meta.judged_with, which a replay and a merge compare
 * with their own before they trust the stored rows' states.
 */
#include "projections/projections.h"

#include <stdio.h>
#include <string.h>

#include "engine/db.h"
#include "events/timefmt.h"

void ctr_judged_with(const struct ctr_projection_options *options, char *buf, size_t size)
{
	char cutoff[11];

	ctr_date_format(options->store_cutoff, cutoff);
	snprintf(buf, size, "expiring_days=%d store_cutoff=%s", options->expiring_days, cutoff);
}

int ctr_judged_with_parse(const char *text, struct ctr_projection_options *options)
{
	char cutoff[11], again[64];
	int days, ok = 0, end = 0;

	if (sscanf(text, "expiring_days=%d store_cutoff=%10s%n", &days, cutoff, &end) != 2 ||
	    text[end] != '\0')
		return -1;
	options->expiring_days = days;
	options->store_cutoff = ctr_date_parse(cutoff, &ok);
	ctr_judged_with(options, again, sizeof(again));
	return ok && strcmp(again, text) == 0 ? 0 : -1;
}

int ctr_judged_note(sqlite3 *db, const char *date, const char *with, struct ctr_error *err)
{
	int rc = ctr_db_meta_set(db, "judged_on", date, err);

	if (rc == 0)
		rc = ctr_db_meta_set(db, "judged_with", with, err);
	/* every row is judged on date now: no run on another date is left part-way (record.c) */
	return rc == 0 ? ctr_db_exec(db, "DELETE FROM meta WHERE key = 'judging'", err) : rc;
}

/* K3's counts were taken with the cutoff of the stored rows; another needs them all again. */
int ctr_judged_same_cutoff(const char *with, const struct ctr_projection_options *options,
			   struct ctr_error *err)
{
	struct ctr_projection_options stored;
	char cutoff[11], stored_cutoff[11];

	if (ctr_judged_with_parse(with, &stored) != 0)
		return ctr_error_set(err, CTR_ECORRUPT, "meta.judged_with is damaged: %s", with);
	if (stored.store_cutoff == options->store_cutoff)
		return 0;
	ctr_date_format(stored.store_cutoff, stored_cutoff);
	ctr_date_format(options->store_cutoff, cutoff);
	return ctr_error_set(err, CTR_ESTATE, "this database was replayed with --store-cutoff %s, not %s;"
			     " replay with %s, or with --rebuild to count the store events again (K3)",
			     stored_cutoff, cutoff, stored_cutoff);
}
