/*
 * store.c - store account events and rows (see store.h). K1: the account is
 * its stream, store id and email together. K2: a migrated account must reset
 * its password. K3: a migrated account with no order and no quote valid on
 * the cutoff is deactivated from the cutoff; an order then is refused until
 * the account registers again.
 */
#include "projections/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/writes.h"
#include "events/payload.h"
#include "projections/apply_internal.h"
#include "projections/support.h"
#include "events/timefmt.h"

/* In its stream's arena, with its strings. */
struct account {
	char *store_id, *email;
	int migrated, password_reset;
	int64_t migrated_orders, migrated_quotes;
	int64_t orders, orders_before_cutoff, quotes_on_cutoff;
	char *registered_on; /* the latest registration's date */
	int dirty;
};

struct ctr_store {
	sqlite3 *db;
	char cutoff[11], date[11];
	sqlite3_stmt *put, *get, *judge[2]; /* the marked accounts, every account */
};


static void event_day(const struct ctr_event *ev, char out[11])
{
	int ok;

	ctr_date_format(ctr_date_in_japan(ctr_timestamp_parse(ev->at, &ok)), out);
}

static int64_t activity(const struct account *a)
{
	return a->migrated_orders + a->migrated_quotes + a->orders_before_cutoff + a->quotes_on_cutoff;
}

/* K3 on a day: deactivated from the cutoff, until a registration on or after it. */
static int deactivated_on(const struct ctr_store *s, const struct account *a, const char *day)
{
	return a->migrated && activity(a) == 0 && strcmp(day, s->cutoff) >= 0 &&
	       (a->registered_on == NULL || strcmp(a->registered_on, s->cutoff) < 0);
}

static enum ctr_code open_account(struct ctr_store *s, struct ctr_arena *arena, void **aggregate,
				  struct ctr_event *ev, const char *day, char *msg, size_t size)
{
	struct account *a = *aggregate;
	int migrated = strcmp(ev->type, "store.account_migrated") == 0;

	if (a != NULL && (migrated || !deactivated_on(s, a, day)))
		return ctr_reject_into(msg, size, CTR_CODE_ALREADY_EXISTS, "store account %s already exists",
				       ev->stream);
	if (a == NULL) {
		a = ctr_arena_zalloc(arena, sizeof(*a));
		if (a == NULL)
			return CTR_CODE_NO_MEMORY;
		a->store_id = ctr_arena_strdup(arena, ctr_payload_text(&ev->data, "store_id"));
		a->email = ctr_arena_strdup(arena, ctr_payload_text(&ev->data, "email"));
		if (a->store_id == NULL || a->email == NULL)
			return CTR_CODE_NO_MEMORY;
		*aggregate = a;
	}
	if (migrated) {
		a->migrated = 1;
		a->migrated_orders = ctr_payload_long(&ev->data, "orders", 0);
		a->migrated_quotes = ctr_payload_long(&ev->data, "valid_quotes", 0);
	} else if (ctr_arena_set_text(arena, &a->registered_on, day) != 0) {
		return CTR_CODE_NO_MEMORY; /* the run ends: the account is never written */
	}
	a->dirty = 1;
	return CTR_CODE_OK;
}

/*
 * K1: the stream is the account: <store_id>/<email>. An email may hold a
 * '/', so the stream names one account only if the store id holds none:
 * "a/b" with "c@x" and "a" with "b/c@x" would share a stream, and a
 * stream read back from the database is split at its first '/'.
 */
static enum ctr_code check_stream(struct ctr_event *ev, char *msg, size_t size)
{
	const char *store_id = ctr_payload_text(&ev->data, "store_id");
	const char *email = ctr_payload_text(&ev->data, "email");
	size_t id_len = strlen(store_id);

	if (strchr(store_id, '/') != NULL)
		return ctr_reject_into(msg, size, CTR_CODE_BAD_FORMAT, "store_id %s holds a '/'",
				       store_id);
	if (strncmp(ev->stream, store_id, id_len) != 0 || ev->stream[id_len] != '/' ||
	    (email && strcmp(ev->stream + id_len + 1, email) != 0))
		return ctr_reject_into(msg, size, CTR_CODE_BAD_FORMAT,
				       "store_id and email do not match stream %s", ev->stream);
	return CTR_CODE_OK;
}

/* The events of an open account: a password reset, an order (K3), a quote. */
static enum ctr_code account_event(struct ctr_store *s, struct account *a, struct ctr_event *ev,
				   const char *day, char *msg, size_t size)
{
	if (strcmp(ev->type, "store.password_reset") == 0) {
		a->password_reset = 1;
	} else if (strcmp(ev->type, "store.order_placed") == 0) {
		if (deactivated_on(s, a, day))
			return ctr_reject_into(msg, size, CTR_CODE_ACCOUNT_DEACTIVATED,
					       "%s was deactivated on %s; it must register again (K3)",
					       ev->stream, s->cutoff);
		a->orders++;
		a->orders_before_cutoff += strcmp(day, s->cutoff) < 0;
	} else if (strcmp(ev->type, "store.quote_issued") == 0) {
		a->quotes_on_cutoff += strcmp(day, s->cutoff) <= 0 &&
				       strcmp(ctr_payload_text(&ev->data, "valid_until"), s->cutoff) >= 0;
	}
	a->dirty = 1;
	return CTR_CODE_OK;
}

enum ctr_code ctr_store_apply(struct ctr_store *s, struct ctr_arena *arena, void **aggregate,
			      struct ctr_event *ev, char *msg, size_t size)
{
	struct account *a = *aggregate;
	enum ctr_code code;
	char day[11];

	event_day(ev, day);
	code = check_stream(ev, msg, size);
	if (code != CTR_CODE_OK)
		return code;
	if (strcmp(ev->type, "store.account_migrated") == 0 ||
	    strcmp(ev->type, "store.account_registered") == 0)
		return open_account(s, arena, aggregate, ev, day, msg, size);
	if (a == NULL) /* E6 */
		return ctr_reject_into(msg, size, CTR_CODE_UNKNOWN_STREAM,
				       "store account %s does not exist", ev->stream);
	return account_event(s, a, ev, day, msg, size);
}

int ctr_store_dirty(const void *aggregate)
{
	return ((const struct account *)aggregate)->dirty;
}

int ctr_store_new(sqlite3 *db, const struct ctr_projection_options *options,
		  struct ctr_store **out, struct ctr_error *err)
{
	struct ctr_store *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	s->db = db;
	ctr_date_format(options->store_cutoff, s->cutoff);
	ctr_date_format(options->business_date, s->date);
	rc = ctr_db_prepare(db, "INSERT OR REPLACE INTO store_accounts (store_id, email, state, orders,"
			    " valid_quotes, migrated, password_reset, migrated_orders, migrated_quotes,"
			    " orders_before_cutoff, quotes_on_cutoff, registered_on, needs_judge)"
			    " VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", &s->put, err);
	if (rc == 0)
		rc = ctr_db_prepare(db, "SELECT migrated, password_reset, migrated_orders,"
				    " migrated_quotes, orders, orders_before_cutoff, quotes_on_cutoff,"
				    " registered_on FROM store_accounts WHERE store_id = ? AND email = ?",
				    &s->get, err);
	/* K2, K3 on the business date ?1 with the cutoff ?2: the marked rows, or every row */
	for (int all = 0; all < 2 && rc == 0; all++)
		rc = ctr_prepare_scoped(db, "UPDATE store_accounts SET needs_judge = 0, state = CASE"
					" WHEN migrated AND migrated_orders + migrated_quotes"
					"  + orders_before_cutoff + quotes_on_cutoff = 0 AND ?1 >= ?2"
					"  AND (registered_on IS NULL OR registered_on < ?2) THEN 'deactivated'"
					" WHEN migrated AND NOT password_reset AND registered_on IS NULL"
					"  THEN 'password_reset_required' ELSE 'active' END"
					" WHERE ?3 OR needs_judge = 1", all, &s->judge[all], err);
	if (rc != 0) {
		ctr_store_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void ctr_store_free(struct ctr_store *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->put);
	sqlite3_finalize(s->get);
	sqlite3_finalize(s->judge[0]);
	sqlite3_finalize(s->judge[1]);
	free(s);
}

void ctr_store_record(struct ctr_store *s, void *aggregate, struct ctr_writes *w)
{
	struct account *a = aggregate;

	if (!a->dirty)
		return;
	ctr_writes_stmt(w, s->put);
	ctr_writes_text(w, 1, a->store_id);
	ctr_writes_text(w, 2, a->email);
	ctr_writes_int(w, 3, a->migrated_orders + a->orders);
	ctr_writes_int(w, 4, a->migrated_quotes + a->quotes_on_cutoff);
	ctr_writes_int(w, 5, a->migrated);
	ctr_writes_int(w, 6, a->password_reset);
	ctr_writes_int(w, 7, a->migrated_orders);
	ctr_writes_int(w, 8, a->migrated_quotes);
	ctr_writes_int(w, 9, a->orders_before_cutoff);
	ctr_writes_int(w, 10, a->quotes_on_cutoff);
	ctr_writes_text(w, 11, a->registered_on);
	ctr_writes_step(w);
	a->dirty = 0;
}

/*
 * The account row s->get is on, for the stream split at slash, built in
 * arena; NULL when out of memory.
 */
static struct account *account_from_row(struct ctr_store *s, const char *stream,
					const char *slash, struct ctr_arena *arena)
{
	struct account *a = ctr_arena_zalloc(arena, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->store_id = ctr_arena_zalloc(arena, (size_t)(slash - stream) + 1);
	if (a->store_id != NULL)
		memcpy(a->store_id, stream, (size_t)(slash - stream));
	a->email = ctr_arena_strdup(arena, slash + 1);
	a->migrated = sqlite3_column_int(s->get, 0);
	a->password_reset = sqlite3_column_int(s->get, 1);
	a->migrated_orders = sqlite3_column_int64(s->get, 2);
	a->migrated_quotes = sqlite3_column_int64(s->get, 3);
	a->orders = sqlite3_column_int64(s->get, 4) - a->migrated_orders;
	a->orders_before_cutoff = sqlite3_column_int64(s->get, 5);
	a->quotes_on_cutoff = sqlite3_column_int64(s->get, 6);
	if (sqlite3_column_text(s->get, 7))
		a->registered_on = ctr_arena_strdup(arena,
						    (const char *)sqlite3_column_text(s->get, 7));
	/* a copy that failed is a NULL where the row holds text */
	if (a->store_id == NULL || a->email == NULL ||
	    (a->registered_on == NULL && sqlite3_column_type(s->get, 7) != SQLITE_NULL))
		return NULL;
	return a;
}

int ctr_store_load(struct ctr_store *s, const char *stream, struct ctr_arena *arena,
		   void **aggregate, struct ctr_error *err)
{
	const char *slash = strchr(stream, '/');
	struct account *a;
	int step, rc;

	*aggregate = NULL;
	if (slash == NULL)
		return 0;
	sqlite3_bind_text(s->get, 1, stream, (int)(slash - stream), SQLITE_STATIC);
	sqlite3_bind_text(s->get, 2, slash + 1, -1, SQLITE_STATIC);
	step = sqlite3_step(s->get);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? 0 : ctr_db_error(s->db, CTR_EDB, err);
		sqlite3_reset(s->get);
		return rc;
	}
	a = account_from_row(s, stream, slash, arena);
	sqlite3_reset(s->get);
	if (a == NULL)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	*aggregate = a;
	return 0;
}

int ctr_store_judge(struct ctr_store *s, int all, struct ctr_error *err)
{
	int rc;

	sqlite3_stmt *judge = s->judge[all != 0];

	sqlite3_bind_text(judge, 1, s->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(judge, 2, s->cutoff, -1, SQLITE_STATIC);
	rc = ctr_db_step_done(s->db, judge, err);
	return rc;
}
