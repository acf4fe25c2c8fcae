/*
 * projections_internal.h - the dispatcher's state, shared by projections.c
 * (made, judged, freed), dispatch.c (events applied) and record.c (a batch's
 * rows recorded for the writer). Not for use outside projections/.
 */
#ifndef CTR_PROJECTIONS_INTERNAL_H
#define CTR_PROJECTIONS_INTERNAL_H

#include <sqlite3.h>

#include "projections/apply_internal.h"
#include "projections/projections.h"

struct ctr_contract_sql;
struct ctr_support;
struct ctr_store;
struct ctr_strmap;

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
	int judging_noted; /* meta.judging says rows judged on date are committed among others */
};

#endif
