/*
 * test_invoices_json.c - `contrail invoices --format json` when JSON cannot
 * be made: every allocation of the JSON library in a run is failed in turn
 * (json_set_alloc_funcs). A run either prints what an undisturbed one prints
 * and exits 0, or fails with exit 4 (out of memory) having printed a whole
 * array of whole invoices: the first ones of the undisturbed run, none with a
 * line left out.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tests/cli/run_command.h"

static char dir[64], db_path[128];

/* Three invoices of three lines each: a line left out shows as an invoice that differs. */
static void setup(void)
{
	char statement[512];

	snprintf(dir, sizeof(dir), "/tmp/contrail-invoices-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db_path, sizeof(db_path), "%s/test.db", dir);
	for (int i = 1; i <= 3; i++) {
		snprintf(statement, sizeof(statement),
			 "INSERT INTO invoices VALUES ('INV-C-%d-2024-0%d', 'C-%d', '2024-0%d',"
			 " '2024-0%d-01', '2024-0%d-28', 3000, 300, 3300, 'issued');"
			 "INSERT INTO invoice_lines VALUES ('INV-C-%d-2024-0%d', 1, 'seats_full', 1, 1000, 1000),"
			 " ('INV-C-%d-2024-0%d', 2, 'seats_light', 2, 500, 1000),"
			 " ('INV-C-%d-2024-0%d', 3, 'early_termination', 1, 1000, 1000);",
			 i, i, i, i, i + 1, i + 1, i, i, i, i, i, i);
		run_sql(db_path, statement);
	}
}

static void teardown(void)
{
	remove_tree(dir);
}

TestSuite(invoices_json, .init = setup, .fini = teardown);

static long allocations_left = -1; /* < 0: none fails */
static int failed;

static void *failing_malloc(size_t size)
{
	if (allocations_left >= 0 && allocations_left-- == 0) {
		failed = 1;
		return NULL;
	}
	return malloc(size);
}

/* The invoices printed with the nth allocation of the JSON library failed (n < 0: none). */
static struct command_run *invoices_failing(long n)
{
	struct command_run *r;

	failed = 0;
	allocations_left = n;
	json_set_alloc_funcs(failing_malloc, free);
	r = RUN_IN(dir, ctr_cmd_invoices, "invoices", "--db", db_path, "--format", "json");
	json_set_alloc_funcs(malloc, free);
	allocations_left = -1;
	return r;
}

Test(invoices_json, a_failed_allocation_prints_only_whole_invoices)
{
	json_t *whole, *printed;
	json_error_t error;
	long n;

	whole = json_loads(invoices_failing(-1)->out, 0, &error);
	cr_assert_not_null(whole, "%s", error.text);
	cr_assert_eq(json_array_size(whole), 3);
	cr_assert_eq(json_array_size(json_object_get(json_array_get(whole, 0), "lines")), 3);
	for (n = 0;; n++) {
		struct command_run *r = invoices_failing(n);

		if (!failed) {
			cr_assert_eq(r->code, CTR_EXIT_OK);
			break; /* past the run's last allocation */
		}
		if (r->code == CTR_EXIT_OK) { /* the failure was one the library recovers from */
			printed = json_loads(r->out, 0, &error);
			cr_assert(json_equal(printed, whole), "allocation %ld failed: %s", n, r->out);
			json_decref(printed);
			continue;
		}
		cr_assert_eq(r->code, 4, "allocation %ld failed: exit %d (%s)", n, r->code, r->err);
		cr_assert_not_null(strstr(r->err, "out of memory"), "%s", r->err);
		if (r->out[0] == '\0')
			continue; /* failed before the first invoice */
		printed = json_loads(r->out, 0, &error);
		cr_assert_not_null(printed, "allocation %ld failed: not a whole array: %s", n, r->out);
		cr_assert_lt(json_array_size(printed), json_array_size(whole));
		for (size_t i = 0; i < json_array_size(printed); i++)
			cr_assert(json_equal(json_array_get(printed, i), json_array_get(whole, i)),
				  "allocation %ld failed: invoice %zu printed otherwise: %s", n, i,
				  r->out);
		json_decref(printed);
	}
	cr_assert_gt(n, 20, "only %ld allocations", n);
	json_decref(whole);
}
