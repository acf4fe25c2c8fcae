/*
 * support_sql.c - the customer aggregate in SQLite (see support.h): writing
 * and reading its rows; the date-dependent states are judged in SQL by
 * support_judge.c. A support id row is written only when its placement (at,
 * event id) is not older than the stored one, so after a merge the latest
 * placement owns it whichever stream arrived first; the customers it left
 * keep their own record of it in support_lost, and are loaded with it.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/writes.h"
#include "events/timefmt.h"
#include "projections/support.h"
#include "projections/support_internal.h"

enum { PUT_CUSTOMER, PUT_CUSTOMER_BULK, PUT_SUPPORT, PUT_LOST, MARK_LOSER, GET_CUSTOMER,
       GET_SUPPORTS, STMT_COUNT };

static const char *const stmt_sql[STMT_COUNT] = {
	[PUT_CUSTOMER] =
		"INSERT INTO customers (customer_no, email, state, duplicate_email, suspended,"
		" suspension_reasons, merged_into, admin_pending, email_bounced, violation,"
		" needs_judge) VALUES (?1, ?2, 'valid', 0, 0, '', ?3, ?4, ?5, ?6, 1)"
		" ON CONFLICT (customer_no) DO UPDATE SET email = ?2, merged_into = ?3,"
		" admin_pending = ?4, email_bounced = ?5, violation = ?6, needs_judge = 1",
	/* a bulk run judges every customer at its end: none is marked, each as judged then */
	[PUT_CUSTOMER_BULK] =
		"INSERT INTO customers (customer_no, email, state, duplicate_email, suspended,"
		" suspension_reasons, merged_into, admin_pending, email_bounced, violation,"
		" needs_judge, judged_email) VALUES (?1, ?2, 'valid', 0, 0, '', ?3, ?4, ?5, ?6, 0, ?2)"
		" ON CONFLICT (customer_no) DO UPDATE SET email = ?2, merged_into = ?3,"
		" admin_pending = ?4, email_bounced = ?5, violation = ?6, judged_email = ?2",
	[PUT_SUPPORT] =
		"INSERT INTO support_ids (support_id, customer_no, sku, licenses, retired, starts_on,"
		" ends_on, state, usable, suspension_reasons, reason, replaces, replaced_on, placed_at,"
		" placed_event) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?13, ?14, '', ?8, ?9, ?10, ?11, ?12)"
		" ON CONFLICT (support_id) DO UPDATE SET customer_no = ?2, sku = ?3, licenses = ?4,"
		" retired = ?5, starts_on = ?6, ends_on = ?7, reason = ?8, replaces = ?9,"
		" replaced_on = ?10, placed_at = ?11, placed_event = ?12, state = ?13, usable = ?14"
		" WHERE (?11, ?12) >= (support_ids.placed_at, support_ids.placed_event)",
	/* a customer's record of an id a later placement holds (the upsert above left it) */
	[PUT_LOST] =
		"INSERT OR REPLACE INTO support_lost (customer_no, support_id, sku, licenses, retired,"
		" starts_on, ends_on, reason, replaces, replaced_on, placed_at, placed_event)"
		" SELECT ?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 WHERE EXISTS (SELECT 1"
		" FROM support_ids WHERE support_id = ?1 AND customer_no != ?2)",
	/* a customer that loses a support id to a later placement is judged again */
	[MARK_LOSER] =
		"UPDATE customers SET needs_judge = 1 WHERE customer_no = (SELECT customer_no FROM"
		" support_ids WHERE support_id = ?1 AND (?3, ?4) >= (placed_at, placed_event))"
		" AND customer_no != ?2",
	[GET_CUSTOMER] = "SELECT email, merged_into, admin_pending, email_bounced, violation"
			 " FROM customers WHERE customer_no = ?",
	[GET_SUPPORTS] = "SELECT support_id, sku, licenses, retired, starts_on, ends_on, reason,"
			 " replaces, replaced_on, placed_at, placed_event FROM support_ids"
			 " WHERE customer_no = ?1 UNION ALL SELECT support_id, sku, licenses, retired,"
			 " starts_on, ends_on, reason, replaces, replaced_on, placed_at, placed_event"
			 " FROM support_lost WHERE customer_no = ?1 ORDER BY 1",
};

struct ctr_support {
	sqlite3 *db;
	struct ctr_projection_options options;
	sqlite3_stmt *stmt[STMT_COUNT];
	struct ctr_support_judging *judge;
	char date[11]; /* the business date, YYYY-MM-DD */
	/* a batch's changed support ids, written after its customers in key order */
	struct pending_support { struct ctr_customer *customer; struct ctr_support_id *id; } *pending;
	size_t pending_count, pending_cap;
};

int ctr_support_new(sqlite3 *db, const struct ctr_projection_options *options,
		    struct ctr_support **out, struct ctr_error *err)
{
	struct ctr_support *s = calloc(1, sizeof(*s));
	int rc = 0;

	if (s == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	s->db = db;
	s->options = *options;
	for (int i = 0; i < STMT_COUNT && rc == 0; i++)
		rc = ctr_db_prepare(db, stmt_sql[i], &s->stmt[i], err);
	if (rc == 0)
		rc = ctr_support_judging_new(db, &s->judge, err);
	ctr_date_format(options->business_date, s->date);
	if (rc != 0) {
		ctr_support_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void ctr_support_free(struct ctr_support *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	ctr_support_judging_free(s->judge);
	free(s->pending);
	free(s);
}

/* S3 on date: the first statement of judge_sql, for one row. */
static const char *support_state(const struct ctr_support_id *id, const char *date)
{
	if (id->replaced_on != NULL && strcmp(id->replaced_on, date) <= 0)
		return "replaced";
	if (id->retired >= id->licenses)
		return "retired";
	if (strcmp(date, id->starts_on) < 0)
		return "future";
	return strcmp(date, id->ends_on) <= 0 ? "active" : "expired";
}

/* ?1-?12 of PUT_SUPPORT and PUT_LOST: a customer's record of a support id. */
static void bind_record(struct ctr_writes *w, const struct ctr_customer *c,
			const struct ctr_support_id *id)
{
	ctr_writes_text(w, 1, id->support_id);
	ctr_writes_text(w, 2, c->customer_no);
	ctr_writes_text(w, 3, id->sku);
	ctr_writes_int(w, 4, id->licenses);
	ctr_writes_int(w, 5, id->retired);
	ctr_writes_text(w, 6, id->starts_on);
	ctr_writes_text(w, 7, id->ends_on);
	ctr_writes_text(w, 8, id->reason);
	ctr_writes_text(w, 9, id->replaces);
	ctr_writes_text(w, 10, id->replaced_on);
	ctr_writes_int(w, 11, id->placed_at);
	ctr_writes_text(w, 12, id->placed_event);
}

static void put_support(struct ctr_support *s, struct ctr_customer *c, struct ctr_support_id *id,
			struct ctr_writes *w)
{
	const char *state = support_state(id, s->date);

	if (!s->options.bulk) { /* a bulk run judges every customer at its end */
		ctr_writes_stmt(w, s->stmt[MARK_LOSER]);
		ctr_writes_text(w, 1, id->support_id);
		ctr_writes_text(w, 2, c->customer_no);
		ctr_writes_int(w, 3, id->placed_at);
		ctr_writes_text(w, 4, id->placed_event);
		ctr_writes_step(w);
	}
	ctr_writes_stmt(w, s->stmt[PUT_SUPPORT]);
	bind_record(w, c, id);
	ctr_writes_text(w, 13, state);
	ctr_writes_int(w, 14, strcmp(state, "active") == 0);
	ctr_writes_step(w);
	ctr_writes_stmt(w, s->stmt[PUT_LOST]);
	bind_record(w, c, id);
	ctr_writes_step_if_unchanged(w); /* an upsert that wrote left c the holder */
}

static int pend(struct ctr_support *s, struct ctr_customer *c, struct ctr_support_id *id)
{
	if (s->pending_count == s->pending_cap) {
		size_t cap = s->pending_cap ? s->pending_cap * 2 : 1024;
		struct pending_support *grown = realloc(s->pending, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		s->pending = grown;
		s->pending_cap = cap;
	}
	s->pending[s->pending_count++] = (struct pending_support){ c, id };
	return 0;
}

void ctr_support_record(struct ctr_support *s, void *aggregate, struct ctr_writes *w)
{
	struct ctr_customer *c = aggregate;

	if (!c->dirty)
		return;
	ctr_writes_stmt(w, s->stmt[s->options.bulk ? PUT_CUSTOMER_BULK : PUT_CUSTOMER]);
	ctr_writes_text(w, 1, c->customer_no);
	ctr_writes_text(w, 2, c->email);
	ctr_writes_text(w, 3, c->merged_into);
	ctr_writes_int(w, 4, c->admin_pending);
	ctr_writes_int(w, 5, c->email_bounced);
	ctr_writes_int(w, 6, c->violation);
	ctr_writes_step(w);
	for (size_t i = 0; i < c->support_count; i++) {
		if (c->supports[i].dirty && pend(s, c, &c->supports[i]) != 0)
			put_support(s, c, &c->supports[i], w); /* out of memory to set it aside */
		c->supports[i].dirty = 0;
	}
	c->dirty = 0;
}

static int by_support_id(const void *a, const void *b)
{
	return strcmp(((const struct pending_support *)a)->id->support_id,
		      ((const struct pending_support *)b)->id->support_id);
}

void ctr_support_record_ids(struct ctr_support *s, struct ctr_writes *w)
{
	if (s->pending_count > 1)
		qsort(s->pending, s->pending_count, sizeof(*s->pending), by_support_id);
	for (size_t i = 0; i < s->pending_count; i++)
		put_support(s, s->pending[i].customer, s->pending[i].id, w);
	s->pending_count = 0;
}

/* A copy of a text column in c's arena; one that could not be made marks c out of memory. */
static char *column(struct ctr_customer *c, sqlite3_stmt *stmt, int index)
{
	const unsigned char *value = sqlite3_column_text(stmt, index);
	char *copy = value ? ctr_arena_strdup(c->arena, (const char *)value) : NULL;

	if (value != NULL && copy == NULL)
		c->out_of_memory = 1;
	return copy;
}

/* The customer row GET_CUSTOMER is on, built in arena; NULL when out of memory. */
static struct ctr_customer *customer_from_row(sqlite3_stmt *stmt, const char *customer_no,
					      struct ctr_arena *arena)
{
	struct ctr_customer *c = ctr_arena_zalloc(arena, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->arena = arena;
	c->customer_no = ctr_arena_strdup(arena, customer_no);
	c->out_of_memory = c->customer_no == NULL;
	c->email = column(c, stmt, 0);
	c->merged_into = column(c, stmt, 1);
	c->admin_pending = sqlite3_column_int(stmt, 2);
	c->email_bounced = sqlite3_column_int(stmt, 3);
	c->violation = sqlite3_column_int(stmt, 4);
	return c;
}

/* The support id row GET_SUPPORTS is on, added to c; NULL when out of memory. */
static struct ctr_support_id *support_from_row(struct ctr_customer *c, sqlite3_stmt *stmt)
{
	struct ctr_support_id *id = ctr_customer_add_support(c);

	if (id == NULL)
		return NULL;
	id->support_id = column(c, stmt, 0);
	id->sku = column(c, stmt, 1);
	id->licenses = sqlite3_column_int64(stmt, 2);
	id->retired = sqlite3_column_int64(stmt, 3);
	id->starts_on = column(c, stmt, 4);
	id->ends_on = column(c, stmt, 5);
	id->reason = column(c, stmt, 6);
	id->replaces = column(c, stmt, 7);
	id->replaced_on = column(c, stmt, 8);
	id->placed_at = sqlite3_column_int64(stmt, 9);
	id->placed_event = column(c, stmt, 10);
	return id;
}

/* c's support ids: its own and those a later placement took (support_lost). */
static int load_supports(struct ctr_support *s, struct ctr_customer *c, const char *customer_no,
			 struct ctr_error *err)
{
	sqlite3_stmt *stmt = s->stmt[GET_SUPPORTS];
	int step, rc = 0;

	sqlite3_bind_text(stmt, 1, customer_no, -1, SQLITE_STATIC);
	for (;;) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		if (support_from_row(c, stmt) == NULL) {
			step = SQLITE_NOMEM;
			break;
		}
	}
	/* a customer short of an id (or of a text) would be judged and committed without it */
	if (step == SQLITE_NOMEM || c->out_of_memory)
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	else if (step != SQLITE_DONE)
		rc = ctr_db_error(s->db, CTR_EDB, err);
	sqlite3_reset(stmt);
	return rc;
}

int ctr_support_load(struct ctr_support *s, const char *customer_no, struct ctr_arena *arena,
		     void **aggregate, struct ctr_error *err)
{
	sqlite3_stmt *stmt = s->stmt[GET_CUSTOMER];
	struct ctr_customer *c;
	int step, rc;

	*aggregate = NULL;
	sqlite3_bind_text(stmt, 1, customer_no, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? 0 : ctr_db_error(s->db, CTR_EDB, err);
		sqlite3_reset(stmt);
		return rc;
	}
	c = customer_from_row(stmt, customer_no, arena);
	sqlite3_reset(stmt);
	if (c == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	rc = load_supports(s, c, customer_no, err);
	if (rc == 0)
		*aggregate = c;
	return rc;
}

int ctr_support_judge(struct ctr_support *s, enum ctr_support_scope scope, struct ctr_error *err)
{
	return ctr_support_judging_run(s->judge, scope, s->date, err);
}
