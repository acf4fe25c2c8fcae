/*
 * support_judge.c - the customers' and their support ids' date-dependent
 * states judged in SQL (S2-S7, S9, S10; see support_internal.h), for the
 * customers marked since the last judge or for every customer.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "projections/support.h"
#include "projections/support_internal.h"

/*
 * The judge (S2-S7, S9, S10) on the date ?1. Each statement is prepared twice:
 * for the customers marked (the "?2 OR " dropped, so the indexes serve) and
 * for every customer (a new business date: "?2 OR " made "1 OR ").
 */
#define SUPPORT_STATE                                                                  \
	"CASE WHEN replaced_on IS NOT NULL AND replaced_on <= ?1 THEN 'replaced'"       \
	" WHEN retired >= licenses THEN 'retired'"                                      \
	" WHEN ?1 < starts_on THEN 'future'"                                            \
	" WHEN ?1 <= ends_on THEN 'active' ELSE 'expired' END"

/*
 * A row is rewritten only where its value changes: SQLite writes an updated row
 * (dirtying its page, calling the digest triggers) even when nothing in it does.
 */
static const char *const judge_sql[] = {
	"UPDATE support_ids SET state = " SUPPORT_STATE
	" WHERE (?2 OR customer_no IN (SELECT customer_no FROM customers WHERE needs_judge = 1))"
	" AND state IS NOT " SUPPORT_STATE,
	"UPDATE customers SET"
	" suspension_reasons = rtrim("
	"  CASE WHEN admin_pending THEN 'admin_not_activated,' ELSE '' END ||"
	"  CASE WHEN email_bounced THEN 'email_bounce,' ELSE '' END ||"
	"  CASE WHEN EXISTS (SELECT 1 FROM support_ids s WHERE s.customer_no = customers.customer_no"
	"   AND s.state = 'active') AND EXISTS (SELECT 1 FROM support_ids s WHERE"
	"   s.customer_no = customers.customer_no AND s.state = 'expired' AND s.retired < s.licenses)"
	"   THEN 'mixed_support,' ELSE '' END ||"
	"  CASE WHEN violation THEN 'violation,' ELSE '' END, ','),"
	" state = CASE WHEN merged_into IS NOT NULL THEN 'invalid'"
	/* S9 over every id the customer had, those a later placement took included, as the
	 * customer_invalid check of its own events counts them (support.c, invalid_on); the
	 * 3 years end as there (three_years_end): SQLite too takes Feb 29 of a common year
	 * as Mar 1, so a 2016-02-29 end runs to 2019-02-28 */
	"  WHEN ?1 > date((SELECT max(ends_on) FROM (SELECT ends_on FROM support_ids s"
	"   WHERE s.customer_no = customers.customer_no UNION ALL SELECT ends_on FROM support_lost l"
	"   WHERE l.customer_no = customers.customer_no)), '+1 day', '+3 years', '-1 day')"
	"   THEN 'invalid'"
	"  ELSE 'valid' END"
	" WHERE ?2 OR needs_judge = 1",
	"UPDATE customers SET suspended = suspension_reasons != ''"
	" WHERE (?2 OR needs_judge = 1) AND suspended IS NOT (suspension_reasons != '')",
	"UPDATE support_ids SET suspension_reasons = c.suspension_reasons,"
	" usable = support_ids.state = 'active' AND c.suspension_reasons = ''"
	" FROM customers c WHERE c.customer_no = support_ids.customer_no AND (?2 OR c.needs_judge = 1)"
	" AND (support_ids.suspension_reasons, support_ids.usable)"
	" IS NOT (c.suspension_reasons, support_ids.state = 'active' AND c.suspension_reasons = '')",
	/*
	 * S2: valid customers sharing an email (case-insensitive), old and new emails
	 * alike. The emails held by more than one valid customer are counted once, not
	 * looked for from each customer: that search walked past every invalid holder
	 * of the email for each valid one (quadratic in the customers of one email).
	 */
	"WITH touched(email) AS (SELECT lower(email) FROM customers WHERE needs_judge = 1"
	" UNION SELECT lower(judged_email) FROM customers WHERE needs_judge = 1),"
	" shared(email) AS MATERIALIZED (SELECT lower(email) FROM customers WHERE state = 'valid'"
	" AND (?2 OR lower(email) IN touched) GROUP BY lower(email) HAVING count(*) > 1)"
	" UPDATE customers SET duplicate_email = (state = 'valid' AND lower(email) IN shared)"
	" WHERE ?2 OR lower(email) IN touched",
	"UPDATE customers SET needs_judge = 0, judged_email = email WHERE needs_judge = 1",
};

enum { JUDGE_STATE, JUDGE_USABLE = 3 };
#define JUDGE_COUNT (sizeof(judge_sql) / sizeof(judge_sql[0]))

/*
 * A rebuild's support id rows were written with their state and, as if no
 * customer were suspended, usable (support_state in support_sql.c), and with no
 * suspension reasons: only the rows of suspended customers change.
 */
static const char *const rebuilt_usable_sql =
	"UPDATE support_ids SET suspension_reasons = c.suspension_reasons, usable = 0"
	" FROM customers c WHERE c.customer_no = support_ids.customer_no"
	" AND c.suspension_reasons != ''";

struct ctr_support_judging {
	sqlite3 *db;
	sqlite3_stmt *stmt[2][JUDGE_COUNT]; /* [all][statement] */
	sqlite3_stmt *rebuilt_usable;
};

/* sql with every "?2 OR " removed (the marked rows) or made "1 OR " (every row). */
int ctr_prepare_scoped(sqlite3 *db, const char *sql, int all, sqlite3_stmt **stmt,
		       struct ctr_error *err)
{
	char text[4096];
	size_t used = 0;

	while (*sql && used + 8 < sizeof(text)) {
		if (strncmp(sql, "?2 OR ", 6) == 0 || strncmp(sql, "?3 OR ", 6) == 0) {
			if (all)
				used += (size_t)snprintf(text + used, sizeof(text) - used, "1 OR ");
			sql += 6;
		} else {
			text[used++] = *sql++;
		}
	}
	text[used] = '\0';
	return ctr_db_prepare(db, text, stmt, err);
}

int ctr_support_judging_new(sqlite3 *db, struct ctr_support_judging **out,
			    struct ctr_error *err)
{
	struct ctr_support_judging *j = calloc(1, sizeof(*j));
	int rc = 0;

	if (j == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	j->db = db;
	for (size_t i = 0; i < JUDGE_COUNT && rc == 0; i++) {
		rc = ctr_prepare_scoped(db, judge_sql[i], 0, &j->stmt[0][i], err);
		if (rc == 0)
			rc = ctr_prepare_scoped(db, judge_sql[i], 1, &j->stmt[1][i], err);
	}
	if (rc == 0)
		rc = ctr_db_prepare(db, rebuilt_usable_sql, &j->rebuilt_usable, err);
	if (rc != 0) {
		ctr_support_judging_free(j);
		return rc;
	}
	*out = j;
	return 0;
}

void ctr_support_judging_free(struct ctr_support_judging *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < JUDGE_COUNT; i++) {
		sqlite3_finalize(j->stmt[0][i]);
		sqlite3_finalize(j->stmt[1][i]);
	}
	sqlite3_finalize(j->rebuilt_usable);
	free(j);
}

int ctr_support_judging_run(struct ctr_support_judging *j, enum ctr_support_scope scope,
			    const char *date, struct ctr_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < JUDGE_COUNT && rc == 0; i++) {
		sqlite3_stmt *stmt = j->stmt[scope != CTR_SUPPORT_MARKED][i];
		if (scope == CTR_SUPPORT_REBUILT && i == JUDGE_STATE)
			continue;
		if (scope == CTR_SUPPORT_REBUILT && i == JUDGE_USABLE)
			stmt = j->rebuilt_usable;
		if (sqlite3_bind_parameter_count(stmt) >= 1)
			sqlite3_bind_text(stmt, 1, date, -1, SQLITE_STATIC);
		rc = ctr_db_step_done(j->db, stmt, err);
	}
	return rc;
}
