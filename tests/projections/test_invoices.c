/*
 * test_invoices.c - a refresh makes a contract's invoices what its stored terms
 * give (B1, B6, B7, B9), whatever was stored before, and writes nothing when
 * nothing changed, and a rebuild's first refresh sums the rows it writes
 * (projections/invoices.c).
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/row_digest.h"
#include "events/timefmt.h"
#include "projections/invoices.h"

static char dir[64], path[128];
static sqlite3 *db;
static struct ctr_invoices *invoices;

static void exec(const char *sql)
{
	char *message = NULL;

	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &message), SQLITE_OK, "%s: %s", sql, message);
}

static int count(const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int value;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK, "%s", sql);
	cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
	value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/* A cloud contract billed from January 2024 (one full seat at 1,000), the business date 2024-12-15. */
static void setup(void)
{
	struct ctr_error err = { 0 };

	snprintf(dir, sizeof(dir), "/tmp/contrail-invoices-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	cr_assert_eq(ctr_db_open(path, CTR_DB_CREATE_BULK, &db, &err), 0, "%s", err.message);
	exec("INSERT INTO contracts VALUES ('C1', '100001', 'Cloud', 'cloud', '2024-01-01', NULL,"
	     " 'active', NULL, 0, NULL, NULL)");
	exec("INSERT INTO billing_terms VALUES ('C1', '2024-01-01', 1, 0, 1000, 0, 10)");
	cr_assert_eq(ctr_invoices_new(db, ctr_date_from_civil(2024, 12, 15), &invoices, &err), 0,
		     "%s", err.message);
}

static void teardown(void)
{
	ctr_invoices_free(invoices);
	sqlite3_close(db);
	unlink(path);
	rmdir(dir);
}

static void refresh(void)
{
	struct ctr_error err = { 0 };

	cr_assert_eq(ctr_invoices_refresh(invoices, "C1", &err), 0, "%s", err.message);
}

/* The months billed, "202401..202405", and the invoices carrying an early termination line. */
static void assert_invoices(int months, const char *early_invoice)
{
	cr_assert_eq(count("SELECT count(*) FROM invoices WHERE contract_id = 'C1'"), months);
	cr_assert_eq(count("SELECT count(*) FROM invoices WHERE period < '2024-01'"
			   " OR period > printf('2024-%02d', (SELECT count(*) FROM invoices))"), 0);
	cr_assert_eq(count("SELECT count(*) FROM invoice_lines WHERE invoice_no NOT IN"
			   " (SELECT invoice_no FROM invoices)"), 0, "lines without their invoice");
	cr_assert_eq(count("SELECT count(*) FROM invoice_lines WHERE line_no < 3"), 2 * months);
	if (early_invoice == NULL) {
		cr_assert_eq(count("SELECT count(*) FROM invoice_lines WHERE line_no = 3"), 0);
		return;
	}
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM invoice_lines WHERE line_no = 3"
		 " AND invoice_no = '%s'", early_invoice);
	cr_assert_eq(count("SELECT count(*) FROM invoice_lines WHERE line_no = 3"), 1);
	cr_assert_eq(count(sql), 1, "the early termination line is not on %s", early_invoice);
}

TestSuite(invoices, .init = setup, .fini = teardown);

Test(invoices, follow_the_stored_cancellation_wherever_it_moves)
{
	refresh(); /* B9: up to the month of the business date */
	assert_invoices(12, NULL);
	exec("UPDATE contracts SET cancel_end_on = '2024-05-31'");
	refresh(); /* B6: May is the last month billed and carries the rest of the term */
	assert_invoices(5, "C1-202405");
	cr_assert_eq(count("SELECT quantity FROM invoice_lines WHERE line_no = 3"), 7);
	exec("UPDATE contracts SET cancel_end_on = '2024-08-31'");
	refresh();
	assert_invoices(8, "C1-202408");
	exec("UPDATE contracts SET cancel_end_on = '2024-03-31'");
	refresh();
	assert_invoices(3, "C1-202403");
	exec("UPDATE contracts SET cancel_end_on = NULL");
	refresh();
	assert_invoices(12, NULL);
}

Test(invoices, a_refresh_with_nothing_changed_writes_nothing)
{
	exec("INSERT INTO seat_changes VALUES ('C1', 1, 'full', 2024 * 12 + 5, 3)"); /* June: 3 seats */
	refresh();
	cr_assert_eq(count("SELECT amount FROM invoice_lines WHERE invoice_no = 'C1-202406'"
			   " AND line_no = 1"), 3000);
	int before = sqlite3_total_changes(db);
	refresh();
	cr_assert_eq(sqlite3_total_changes(db), before, "%d rows written again",
		     sqlite3_total_changes(db) - before);
	/* a seat change from September rewrites September to December, and only those */
	exec("INSERT INTO seat_changes VALUES ('C1', 2, 'full', 2024 * 12 + 8, 5)");
	before = sqlite3_total_changes(db);
	refresh();
	cr_assert_eq(sqlite3_total_changes(db) - before, 4 * 2, "four invoices and their seat lines");
	cr_assert_eq(count("SELECT sum(subtotal) FROM invoices"), 5 * 1000 + 3 * 3000 + 4 * 5000);
}

Test(invoices, none_before_billing_starts)
{
	refresh();
	assert_invoices(12, NULL);
	exec("UPDATE billing_terms SET service_start = '2025-03-01'"); /* after the business date */
	refresh();
	assert_invoices(0, NULL);
	refresh();
	exec("UPDATE billing_terms SET service_start = '2024-01-01'");
	refresh();
	assert_invoices(12, NULL);
	/* billing would start in a month past 9999-12, which no period can name */
	exec("UPDATE billing_terms SET service_start = '9999-12-15'");
	refresh();
	assert_invoices(0, NULL);
}

/*
 * B7, B9 at the end of the calendar: with the business date on 9999-12-31 (the
 * command line takes none past 2099, docs/cli.md; this is the code's own end),
 * November's invoice is due on the year's last day and December's, due in a
 * year of five digits, is not made.
 */
Test(invoices, none_due_past_the_last_day_of_9999)
{
	struct ctr_error err = { 0 };

	ctr_invoices_free(invoices);
	cr_assert_eq(ctr_invoices_new(db, ctr_date_from_civil(9999, 12, 31), &invoices, &err), 0,
		     "%s", err.message);
	exec("UPDATE contracts SET start_date = '9999-09-01'");
	exec("UPDATE billing_terms SET service_start = '9999-10-01'");
	refresh();
	cr_assert_eq(count("SELECT count(*) FROM invoices"), 2);
	cr_assert_eq(count("SELECT count(*) FROM invoices WHERE invoice_no = 'C1-999910'"
			   " AND issue_date = '9999-10-31' AND due_date = '9999-11-30'"), 1);
	cr_assert_eq(count("SELECT count(*) FROM invoices WHERE invoice_no = 'C1-999911'"
			   " AND issue_date = '9999-11-30' AND due_date = '9999-12-31'"), 1);
}

/* A refresh that cannot read the terms fails with the database's message instead of
 * returning as if every contract had been refreshed. */
Test(invoices, a_refresh_that_cannot_read_the_terms_fails)
{
	struct ctr_error err = { 0 };

	exec("ALTER TABLE billing_terms RENAME TO billing_terms_elsewhere");
	cr_assert_neq(ctr_invoices_refresh(invoices, NULL, &err), 0);
	cr_assert(strstr(err.message, "billing_terms") != NULL, "%s", err.message);
}

/* The row count and digest sum of each invoice table, summed from its stored rows. */
static void stored_sums(struct ctr_table_sums *sums)
{
	struct ctr_error err = { 0 };

	cr_assert_eq(ctr_row_digest_sum(db, sums, &err), 0, "%s", err.message);
}

/*
 * A first refresh of every contract into empty tables, as a rebuild's, sums
 * the rows as it writes them: the same counts and digest sums as the stored
 * rows give (E4a), with a cancellation's early termination line and a second
 * contract; a later refresh, which may rewrite or delete rows, sums nothing.
 */
Test(invoices, rows_summed_as_written_equal_the_stored_rows)
{
	struct ctr_table_sums written, stored;
	struct ctr_error err = { 0 };
	int inv = ctr_row_digest_table_index("invoices"), lines = ctr_row_digest_table_index("invoice_lines");

	exec("UPDATE contracts SET cancel_end_on = '2024-05-31'");
	exec("INSERT INTO contracts VALUES ('C2-long-" /* past the encoder's inline buffer */
	     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	     "', '100002', 'Cloud', 'cloud', '2023-06-10', NULL, 'active', NULL, 0, NULL, NULL)");
	exec("INSERT INTO billing_terms SELECT contract_id, '2023-06-10', 4, 2, 1500, 700, 8"
	     " FROM contracts WHERE contract_id LIKE 'C2%'");
	exec("INSERT INTO seat_changes SELECT contract_id, 1, 'light', 2024 * 12 + 2, 9"
	     " FROM contracts WHERE contract_id LIKE 'C2%'");
	memset(&written, 0, sizeof(written));
	ctr_invoices_sum_rows(invoices, &written);
	cr_assert_eq(ctr_invoices_refresh(invoices, NULL, &err), 0, "%s", err.message);
	cr_assert(written.known[inv] && written.known[lines]);
	stored_sums(&stored);
	cr_assert_eq(written.rows[inv], 5 + 18, "May 2024 and July 2023 to December 2024");
	cr_assert_eq(written.rows[inv], stored.rows[inv]);
	cr_assert_eq(written.rows[lines], stored.rows[lines]);
	cr_assert_arr_eq(written.sum[inv], stored.sum[inv], 32, "invoices summed otherwise");
	cr_assert_arr_eq(written.sum[lines], stored.sum[lines], 32, "lines summed otherwise");

	cr_assert_eq(ctr_invoices_refresh(invoices, NULL, &err), 0, "%s", err.message);
	cr_assert(!written.known[inv] && !written.known[lines], "a refresh over stored rows summed");
}
