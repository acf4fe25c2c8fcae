/*
 * reconcile.h - what `contrail reconcile` finds: mismatches against an
 * expected-values file, and the built-in findings that need a person.
 */
#ifndef CTR_RECONCILE_H
#define CTR_RECONCILE_H

#include <sqlite3.h>
#include <stddef.h>

#include "engine/strmap.h"
#include "events/error.h"

/* The four texts are one allocation, starting at key; values of any length are kept whole. */
struct ctr_finding {
	const char *kind;   /* mismatch, missing_row, over_allocated, ownerless, ... */
	const char *table;  /* a projection table's name */
	char *key;
	char *column;       /* "" for row-level findings */
	char *expected;
	char *actual;
};

struct ctr_findings {
	struct ctr_finding *items;
	size_t count, cap;
	struct ctr_strmap *reported; /* the expected file's findings so far, each reported once */
};

void ctr_findings_deinit(struct ctr_findings *f);

/*
 * Checks every row of the expected file (header table,key,column,expected)
 * against db. A malformed file, an unknown table or column gives CTR_EINVAL
 * with a message naming the line; a query that fails, CTR_EDB.
 */
int ctr_reconcile_expected(sqlite3 *db, const char *path, struct ctr_findings *out,
			   struct ctr_error *err);
/* Adds the built-in findings: over-allocation, ownerless contracts, overdue or unknown-target
 * migrations, environments needing re-activation, suspended support ids. CTR_EDB or
 * CTR_ENOMEM when one cannot be read whole. */
int ctr_reconcile_builtin(sqlite3 *db, struct ctr_findings *out, struct ctr_error *err);

#endif
