/*
 * test_audit_state.c - the state `contrail audit` shows after each event
 * (cli/audit.c), read from the projection tables: a table that fails part-way
 * through its rows is an error of the audit, not a shorter state; the state
 * printed as text whole even when the JSON library can allocate nothing.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/audit.h"
#include "tests/events/alloc_fail.h"

static sqlite3 *db;

static void exec(const char *sql)
{
	char *message = NULL;

	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &message), SQLITE_OK, "%s", message);
}

static void setup(void)
{
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	exec("CREATE TABLE contracts (contract_id, status, end_date, days_left, ownerless,"
	     " cancel_end_on, migration_to);"
	     "CREATE TABLE environments (contract_id, env_id, name, status, mode, activated_at,"
	     " deleted, migrate_to);"
	     "CREATE TABLE allocations (contract_id, env_id, sku, count);"
	     "CREATE TABLE members (contract_id, user, role, state);"
	     "INSERT INTO contracts VALUES ('C-1', 'active', '2025-03-31', 30, 0, NULL, NULL);");
}

static void teardown(void)
{
	sqlite3_close(db);
}

TestSuite(audit_state, .init = setup, .fini = teardown);

/* C-1 with two products, an environment live and one deleted, and their allocations. */
static void contract_with_products(void)
{
	exec("CREATE TABLE contract_products (contract_id, sku, licenses, assigned, unassigned,"
	     " end_date, expired, over_allocated);"
	     "INSERT INTO contract_products VALUES ('C-1', 'A', 5, 1, 4, '2025-03-31', 0, 0),"
	     " ('C-1', 'B', 1, 0, 1, '2025-03-31', 0, 0);"
	     "INSERT INTO allocations VALUES ('C-1', 'e2', 'A', 1), ('C-1', 'e1', 'A', 1),"
	     " ('C-2', 'e1', 'A', 4);"
	     "INSERT INTO environments VALUES ('C-1', 'e1', 'prod', 'linked', 'online', NULL, 0,"
	     " NULL), ('C-1', 'e2', 'dev', 'unlinked', NULL, NULL, 1, NULL);");
}

Test(audit_state, a_contract_is_shown_with_its_products)
{
	struct ctr_error err;
	json_t *state;

	contract_with_products();
	state = ctr_audit_state(db, "C-1", &err);
	cr_assert_not_null(state, "%s", err.message);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(state, "contract"),
							   "status")), "active");
	cr_assert_eq(json_array_size(json_object_get(state, "products")), 2);
	/* the allocations behind `assigned`, this contract's only, in order */
	cr_assert_eq(json_array_size(json_object_get(state, "allocations")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(
		json_array_get(json_object_get(state, "allocations"), 0), "env_id")), "e1");
	/* e2 deleted: its row stays, marked, as `assigned` (1, e1's) leaves it out (L2, L7) */
	cr_assert_eq(json_integer_value(json_object_get(
		json_array_get(json_object_get(state, "allocations"), 1), "env_deleted")), 1);
	json_decref(state);
}

Test(audit_state, a_table_that_fails_part_way_is_an_error_not_fewer_rows)
{
	struct ctr_error err;

	/* the second row overflows an integer as it is stepped to: the first has been read */
	exec("CREATE TABLE product_rows (contract_id, sku, licenses);"
	     "INSERT INTO product_rows VALUES ('C-1', 'A', 5), ('C-1', 'B', -9223372036854775808);"
	     "CREATE VIEW contract_products AS SELECT contract_id, sku, abs(licenses) AS licenses,"
	     " 0 AS assigned, 0 AS unassigned, NULL AS end_date, 0 AS expired, 0 AS over_allocated"
	     " FROM product_rows;");
	cr_assert_null(ctr_audit_state(db, "C-1", &err));
	cr_assert_eq(err.code, CTR_EDB);
	cr_assert(strstr(err.message, "integer overflow") != NULL, "%s", err.message);
}

Test(audit_state, a_missing_table_is_an_error)
{
	struct ctr_error err;

	cr_assert_null(ctr_audit_state(db, "C-1", &err));
	cr_assert_eq(err.code, CTR_EDB, "%s", err.message);
}

static void *no_memory(size_t size)
{
	(void)size;
	return NULL;
}

/*
 * Each allocation failed in turn, the JSON library's among them: the whole state, or
 * NULL with CTR_ENOMEM; never NULL with no error, which the audit took for a
 * state to leave unshown and ended as a clean run.
 */
Test(audit_state, an_allocation_that_fails_is_an_error_not_a_state_left_out)
{
	struct ctr_error err;
	json_t *whole, *state;
	int failures = 0, failed;

	contract_with_products();
	exec("INSERT INTO members VALUES ('C-1', 'u@example.com', 'owner', 'active');");
	whole = ctr_audit_state(db, "C-1", &err);
	cr_assert_not_null(whole, "%s", err.message);
	alloc_fail_json_too();
	for (long k = 0;; k++) {
		alloc_fail_after(k);
		state = ctr_audit_state(db, "C-1", &err);
		failed = alloc_fail_disarm();
		if (!failed) {
			cr_assert(json_equal(state, whole));
			json_decref(state);
			break;
		}
		if (state != NULL) {
			cr_assert(json_equal(state, whole), "allocation %ld", k);
			json_decref(state);
		} else {
			cr_assert_eq(err.code, CTR_ENOMEM, "allocation %ld: %d %s", k, err.code,
				     err.message);
			failures++;
		}
	}
	cr_assert_gt(failures, 10);
	json_decref(whole);
}

/*
 * The values are printed as they are, not through json_dumps, which allocates;
 * a NULL column is left out, an empty text shown as ''.
 */
Test(audit_print, a_state_is_printed_whole_without_memory, .init = cr_redirect_stdout)
{
	json_t *state = json_pack("{s:{s:s,s:i,s:n,s:b,s:s}}", "contract", "contract_id", "C-1",
				  "days_left", 30, "cancel_end_on", "ownerless", 0,
				  "suspension_reasons", "");

	cr_assert_not_null(state);
	json_set_alloc_funcs(no_memory, free);
	ctr_audit_print_state(state);
	json_set_alloc_funcs(malloc, free);
	fflush(stdout);
	cr_assert_stdout_eq_str("    contract:\n"
				"      contract_id C-1, days_left 30, ownerless false,"
				" suspension_reasons ''\n");
	json_decref(state);
}
