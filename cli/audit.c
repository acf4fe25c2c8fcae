/*
 * audit.c - reading one stream's state for `contrail audit` (see audit.h).
 */
#include "cli/audit.h"
#include "cli/cli.h"
#include "cli/cli_json.h"
#include "engine/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A read of the state; the first SQLite error stops it and stays in err. */
struct reader {
	sqlite3 *db;
	struct ctr_error *err;
};

/* Rows of sql, bound to one or two texts, as an array of objects; empty after an error. */
static json_t *rows(struct reader *r, const char *sql, const char *first, const char *second)
{
	sqlite3_stmt *stmt = NULL;
	json_t *list;

	if (r->err->code != 0 || ctr_db_prepare(r->db, sql, &stmt, r->err) != 0)
		return json_array();
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	if (second)
		sqlite3_bind_text(stmt, 2, second, -1, SQLITE_STATIC);
	list = ctr_cli_json_rows(r->db, stmt, CTR_EDB, r->err);
	sqlite3_finalize(stmt);
	return list;
}

/* With what explains the counts: end dates, activations, the allocations behind `assigned`. */
static json_t *contract_state(struct reader *r, const char *id, json_t *contract)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "contract", contract,
		"products", rows(r, "SELECT sku, licenses, assigned, unassigned, end_date,"
			     " expired, over_allocated FROM contract_products"
			     " WHERE contract_id = ? ORDER BY sku", id, NULL),
		"environments", rows(r, "SELECT env_id, name, status, mode, activated_at,"
				 " deleted, migrate_to FROM environments"
				 " WHERE contract_id = ? ORDER BY env_id", id, NULL),
		/* a deleted environment's rows stay, not counted in `assigned` (L7) */
		"allocations", rows(r, "SELECT a.env_id, a.sku, a.count, e.deleted AS env_deleted"
				" FROM allocations a LEFT JOIN environments e"
				" ON e.contract_id = a.contract_id AND e.env_id = a.env_id"
				" WHERE a.contract_id = ? ORDER BY a.env_id, a.sku", id, NULL),
		"members", rows(r, "SELECT user, role, state FROM members WHERE contract_id = ?"
			    " ORDER BY user", id, NULL));
}

/* The state as the tables hold it, whichever kind of stream it is. */
static json_t *state_of(struct reader *r, const char *stream)
{
	const char *slash = strchr(stream, '/');
	json_t *found = rows(r, "SELECT contract_id, status, end_date, days_left, ownerless,"
			     " cancel_end_on, migration_to FROM contracts WHERE contract_id = ?",
			     stream, NULL);
	json_t *row = json_incref(json_array_get(found, 0));

	json_decref(found);
	if (row)
		return contract_state(r, stream, row);
	found = rows(r, "SELECT customer_no, email, state, suspended, suspension_reasons,"
		     " merged_into FROM customers WHERE customer_no = ?", stream, NULL);
	row = json_incref(json_array_get(found, 0));
	json_decref(found);
	if (row)
		return json_pack("{s:o,s:o}", "customer", row, "support_ids",
			rows(r, "SELECT support_id, state, usable, suspension_reasons, sku,"
			     " licenses, retired, starts_on, ends_on, replaced_on FROM support_ids"
			     " WHERE customer_no = ? ORDER BY support_id", stream, NULL));
	if (slash) {
		/* the whole store id: nothing bounds its length */
		char *store = strndup(stream, (size_t)(slash - stream));
		if (store == NULL) {
			ctr_error_set(r->err, CTR_ENOMEM, "out of memory");
			return NULL;
		}
		found = rows(r, "SELECT store_id, email, state, orders, valid_quotes, migrated,"
			     " password_reset, registered_on FROM store_accounts"
			     " WHERE store_id = ? AND email = ?", store, slash + 1);
		free(store);
		row = json_incref(json_array_get(found, 0));
		json_decref(found);
		if (row)
			return json_pack("{s:o}", "store_account", row);
	}
	return json_pack("{s:b}", "opened", 0);
}

json_t *ctr_audit_state(sqlite3 *db, const char *stream, struct ctr_error *err)
{
	struct reader r = { db, err };
	json_t *state;

	err->code = 0;
	state = state_of(&r, stream);
	if (err->code == 0 && state != NULL)
		return state;
	/* json_pack() found no memory: an audit without its states must not end as one with */
	if (err->code == 0)
		ctr_error_set(err, CTR_ENOMEM, "out of memory");
	json_decref(state);
	return NULL;
}

/*
 * A column's value as json_dumps() writes a scalar, but without allocating (a
 * value it could not allocate for had been printed as "(null)"); a text as it
 * is.
 */
static void print_scalar(const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_STRING: /* an empty text would leave "key ," */
		fputs(*json_string_value(value) ? json_string_value(value) : "''", stdout);
		break;
	case JSON_INTEGER:
		printf("%" JSON_INTEGER_FORMAT, json_integer_value(value));
		break;
	case JSON_REAL: /* no column the audit shows is REAL */
		printf("%.17g", json_real_value(value));
		break;
	case JSON_TRUE:
		fputs("true", stdout);
		break;
	case JSON_FALSE:
		fputs("false", stdout);
		break;
	default: /* rows hold no arrays or objects */
		fputs("null", stdout);
		break;
	}
}

/* One object as "k v, k v" on a line; a NULL column is left out (json shows it as null). */
static void print_object(const char *indent, const json_t *object)
{
	const char *key;
	json_t *value;
	int first = 1;

	printf("%s", indent);
	json_object_foreach((json_t *)object, key, value) {
		if (json_is_null(value))
			continue;
		printf("%s%s ", first ? "" : ", ", key);
		print_scalar(value);
		first = 0;
	}
	putchar('\n');
}

void ctr_audit_print_state(const json_t *state)
{
	const char *key;
	json_t *value, *item;
	size_t i;

	if (state == NULL)
		return;
	json_object_foreach((json_t *)state, key, value) {
		if (json_is_array(value)) {
			printf("    %s:%s\n", key, json_array_size(value) ? "" : " none");
			json_array_foreach(value, i, item)
				print_object("      ", item);
		} else if (json_is_object(value)) {
			printf("    %s:\n", key);
			print_object("      ", value);
		} else {
			printf("    not opened\n");
		}
	}
}
