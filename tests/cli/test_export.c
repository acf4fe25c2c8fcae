/*
 * test_export.c - `contrail export`, `status` and `hash` run as main.c runs
 * them (argv arrays), on a small database in a temporary directory: CSV
 * quoting, JSON that parses, refused tables and files, the status report.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/db.h"
#include "engine/row_digest.h"
#include "projections/schema_sql.h"
#include "tests/cli/run_command.h"
#include "tests/events/alloc_fail.h"

static char dir[64], db_path[128], out_path[128];

#define RUN(cmd, ...) RUN_IN(dir, cmd, __VA_ARGS__)

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void sql(const char *statements)
{
	run_sql(db_path, statements);
}

/* Two contracts inserted out of key order, C-1's name holding a comma and quotes. */
static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/contrail-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db_path, sizeof(db_path), "%s/test.db", dir);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	sql("INSERT INTO contracts VALUES ('C-2', '100002', 'Beta', 'license', '2024-01-01',"
	    " '2025-01-01', 'active', 10, 0, NULL, NULL);"
	    "INSERT INTO contracts VALUES ('C-1', '100001', 'Acme, \"East\"', 'license', '2024-01-01',"
	    " NULL, 'active', NULL, 0, NULL, NULL);"
	    "INSERT INTO rejected_events VALUES ('f#1', 'e-1', 'C-1', 'contract.opened', 'bad_json',"
	    " CAST(X'61FF62' AS TEXT), X'00FF10', 1, 1, NULL);");
}

static void teardown(void)
{
	remove_tree(dir);
}

TestSuite(export, .init = setup, .fini = teardown);
TestSuite(status, .init = setup, .fini = teardown);
TestSuite(hash, .init = setup, .fini = teardown);

static const char *export_file(const char *table, const char *format)
{
	static char text[16384];
	struct command_run *r = RUN(ctr_cmd_export, "export", "--db", db_path, "--table", (char *)table,
			    "--format", (char *)format, "--out", out_path);

	cr_assert_eq(r->code, CTR_EXIT_OK, "%s", r->err);
	slurp(out_path, text, sizeof(text));
	return text;
}

Test(export, csv_quotes_a_name_with_a_comma_and_a_quote)
{
	cr_assert_not_null(strstr(export_file("contracts", "csv"), ",\"Acme, \"\"East\"\"\",license,"));
}

Test(export, csv_writes_null_as_an_empty_field)
{
	cr_assert_not_null(strstr(export_file("contracts", "csv"), ",2024-01-01,,active,,0,,\r\n"));
}

Test(export, rows_come_in_key_order_not_insertion_order)
{
	cr_assert_str_eq(export_file("contracts", "csv"),
			 "contract_id,account,name,kind,start_date,end_date,status,days_left,ownerless,"
			 "cancel_end_on,migration_to\r\n"
			 "C-1,100001,\"Acme, \"\"East\"\"\",license,2024-01-01,,active,,0,,\r\n"
			 "C-2,100002,Beta,license,2024-01-01,2025-01-01,active,10,0,,\r\n");
}

Test(export, csv_writes_blobs_in_base64)
{
	cr_assert_not_null(strstr(export_file("rejected_events", "csv"), ",AP8Q,1,1,\r\n"));
}

Test(export, json_output_parses_as_an_array_of_row_objects)
{
	json_error_t error;
	json_t *rows;

	export_file("contracts", "json");
	rows = json_load_file(out_path, 0, &error);
	cr_assert_not_null(rows, "%s", error.text);
	cr_assert_eq(json_array_size(rows), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "name")),
			 "Acme, \"East\"");
	cr_assert(json_is_null(json_object_get(json_array_get(rows, 0), "days_left")));
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(rows, 1), "days_left")), 10);
	json_decref(rows);
}

Test(export, json_writes_blobs_in_base64_and_keeps_text_valid_utf8)
{
	json_t *rows, *row;

	export_file("rejected_events", "json");
	rows = json_load_file(out_path, 0, NULL);
	row = json_array_get(rows, 0);
	cr_assert_str_eq(json_string_value(json_object_get(row, "raw")), "AP8Q");
	cr_assert_str_eq(json_string_value(json_object_get(row, "message")), "a\xef\xbf\xbd" "b");
	json_decref(rows);
}

Test(export, an_empty_table_is_an_empty_array)
{
	json_t *rows;

	export_file("runs", "json");
	rows = json_load_file(out_path, 0, NULL);
	cr_assert(json_is_array(rows) && json_array_size(rows) == 0);
	json_decref(rows);
}

Test(export, unknown_table_is_a_usage_error_naming_the_allowed_ones)
{
	struct command_run *r = RUN(ctr_cmd_export, "export", "--db", db_path, "--table", "nope", "--format", "csv");

	cr_assert_eq(r->code, CTR_EXIT_USAGE);
	cr_assert_not_null(strstr(r->err, "contrail export: cannot export table nope; tables: contracts,"));
	cr_assert_not_null(strstr(r->err, "rejected_events, runs, checkpoints\n"));
	cr_assert_eq(strchr(r->err, '\n'), r->err + strlen(r->err) - 1, "one line");
}

Test(export, meta_sqlite_internals_and_sql_in_the_name_are_refused)
{
	const char *names[] = { "meta", "sqlite_schema", "streams", "runs; DROP TABLE runs", "RUNS" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_eq(RUN(ctr_cmd_export, "export", "--db", db_path, "--table", (char *)names[i],
				 "--format", "csv")->code, CTR_EXIT_USAGE, "%s", names[i]);
}

Test(export, a_bad_or_missing_format_is_a_usage_error)
{
	cr_assert_eq(RUN(ctr_cmd_export, "export", "--db", db_path, "--table", "runs", "--format", "xml")->code,
		     CTR_EXIT_USAGE);
	cr_assert_eq(RUN(ctr_cmd_export, "export", "--db", db_path, "--table", "runs")->code, CTR_EXIT_USAGE);
}

Test(export, a_file_that_is_not_a_contrail_database_is_a_data_error)
{
	char expected[256];
	struct command_run *r;

	write_file(db_path, "not a database at all\n");
	r = RUN(ctr_cmd_export, "export", "--db", db_path, "--table", "runs", "--format", "csv");
	cr_assert_eq(r->code, CTR_EXIT_DATA);
	snprintf(expected, sizeof(expected), "contrail export: %s is not a contrail database", db_path);
	cr_assert_eq(strncmp(r->err, expected, strlen(expected)), 0, "%s", r->err);
}

Test(export, an_sqlite_file_of_another_program_is_a_data_error)
{
	char other[160];
	sqlite3 *db;

	snprintf(other, sizeof(other), "%s/other.db", dir);
	cr_assert_eq(sqlite3_open(other, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE runs (x); INSERT INTO runs VALUES (1);", NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(RUN(ctr_cmd_export, "export", "--db", other, "--table", "runs", "--format", "csv")->code,
		     CTR_EXIT_DATA);
}

Test(export, a_missing_database_is_a_data_error)
{
	struct command_run *r = RUN(ctr_cmd_export, "export", "--db", "/nonexistent/x.db", "--table", "runs",
			    "--format", "json");

	cr_assert_eq(r->code, CTR_EXIT_DATA);
	cr_assert_str_eq(r->err, "contrail export: cannot open /nonexistent/x.db: no such readable file\n");
}

Test(export, a_failed_export_leaves_the_out_file_as_it_was)
{
	char text[64];

	write_file(out_path, "kept\n");
	write_file(db_path, "not a database at all\n");
	RUN(ctr_cmd_export, "export", "--db", db_path, "--table", "runs", "--format", "csv", "--out", out_path);
	slurp(out_path, text, sizeof(text));
	cr_assert_str_eq(text, "kept\n");
}

Test(export, help_prints_usage_and_exits_zero)
{
	struct command_run *r = RUN(ctr_cmd_export, "export", "--help");

	cr_assert_eq(r->code, CTR_EXIT_OK);
	cr_assert_eq(strncmp(r->out, "usage: contrail export", 22), 0);
	cr_assert_not_null(strstr(r->out, "base64"));
}

Test(export, commands_run_twice_in_one_process_read_their_own_arguments)
{
	cr_assert_eq(RUN(ctr_cmd_export, "export", "--db", db_path, "--table", "runs", "--format", "csv")->code,
		     CTR_EXIT_OK);
	cr_assert_eq(RUN(ctr_cmd_hash, "hash", "--db", db_path)->code, CTR_EXIT_OK);
	cr_assert_eq(RUN(ctr_cmd_status, "status", "--bogus")->code, CTR_EXIT_USAGE);
}

Test(hash, prints_the_projection_hash_of_the_rows)
{
	struct ctr_error err;
	char recount[65], expected[67];
	sqlite3 *db;

	cr_assert_eq(ctr_db_open(db_path, CTR_DB_READ, &db, &err), 0, "%s", err.message);
	cr_assert_eq(ctr_projection_hash_of(db, 1, recount, &err), 0, "%s", err.message);
	sqlite3_close(db);
	snprintf(expected, sizeof(expected), "%s\n", recount);
	cr_assert_str_eq(RUN(ctr_cmd_hash, "hash", "--db", db_path)->out, expected);
}

Test(hash, a_file_that_is_not_a_contrail_database_is_a_data_error)
{
	write_file(db_path, "not a database at all\n");
	cr_assert_eq(RUN(ctr_cmd_hash, "hash", "--db", db_path)->code, CTR_EXIT_DATA);
}

Test(hash, a_missing_db_option_is_a_usage_error)
{
	cr_assert_eq(RUN(ctr_cmd_hash, "hash")->code, CTR_EXIT_USAGE);
	cr_assert_eq(RUN(ctr_cmd_hash, "hash", "--db")->code, CTR_EXIT_USAGE);
}

static json_t *status_json(void)
{
	struct command_run *r = RUN(ctr_cmd_status, "status", "--db", db_path, "--format", "json");
	json_error_t error;
	json_t *report;

	cr_assert_eq(r->code, CTR_EXIT_OK, "%s", r->err);
	report = json_loads(r->out, 0, &error);
	cr_assert(json_is_object(report), "%s", error.text);
	return report;
}

Test(status, json_report_counts_every_projection_table)
{
	json_t *report = status_json(), *rows = json_object_get(report, "rows");

	for (int i = 0; ctr_hashed_tables[i].name; i++)
		cr_assert(json_is_integer(json_object_get(rows, ctr_hashed_tables[i].name)), "%s",
			  ctr_hashed_tables[i].name);
	cr_assert(json_is_integer(json_object_get(rows, "group_companies")));
	cr_assert_eq(json_integer_value(json_object_get(rows, "contracts")), 2);
	json_decref(report);
}

Test(status, a_database_without_runs_says_so)
{
	json_t *report = status_json();

	cr_assert(json_is_null(json_object_get(report, "last_run")));
	json_decref(report);
	cr_assert_not_null(strstr(RUN(ctr_cmd_status, "status", "--db", db_path)->out, "no runs yet"));
}

Test(status, text_report_shows_the_latest_run)
{
	struct command_run *r;

	sql("INSERT INTO runs VALUES (1, 'a', 'b', '2024-01-01', 1, 1, 0, 0, 'old-hash', 'jsonl:old', NULL, 0, 0);"
	    "INSERT INTO runs VALUES (2, '2024-04-01T00:00:00Z', '2024-04-01T00:01:00Z', '2024-04-01',"
	    " 7, 5, 1, 1, 'new-hash', 'file:log.avro', NULL, 0, 0);"
	    "INSERT INTO checkpoints VALUES ('file:log.avro', 0, 7, 700, 7, 'f');");
	r = RUN(ctr_cmd_status, "status", "--db", db_path);
	cr_assert_eq(r->code, CTR_EXIT_OK, "%s", r->err);
	cr_assert_not_null(strstr(r->out, "last run          2\n"), "%s", r->out);
	cr_assert_not_null(strstr(r->out, "read 7, applied 5, duplicates 1, rejected 1"));
	cr_assert_not_null(strstr(r->out, "projection hash new-hash\n"));
	cr_assert_not_null(strstr(r->out, "  source          file:log.avro\n"));
	cr_assert_not_null(strstr(r->out, "file:log.avro  partition 0    next offset 7\n"));
}

Test(status, rejected_events_are_counted_by_code_and_held_streams_listed)
{
	json_t *report;

	sql("INSERT INTO streams VALUES ('C-9', 'contract', 3, 1, 2);");
	report = status_json();
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
			     json_object_get(report, "rejected_by_code"), 0), "events")), 1);
	cr_assert_eq(json_integer_value(json_object_get(report, "held_stream_count")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
				 json_object_get(report, "held_streams"), 0), "stream")), "C-9");
	json_decref(report);
}

/*
 * Each allocation failed in turn, the JSON library's among them: the whole report, or
 * exit 4 saying so; never a report with a part left out (a last run missing
 * reads as "no runs yet").
 */
Test(status, an_allocation_that_fails_is_an_error_not_a_shorter_report)
{
	json_t *whole, *report;
	json_error_t error;
	int failures = 0, failed;

	sql("INSERT INTO runs VALUES (1, 'a', 'b', '2024-01-01', 1, 1, 0, 0, 'h', 'jsonl:x', NULL,"
	    " 0, 0); INSERT INTO checkpoints VALUES ('jsonl:x', 0, 7, 700, 7, 'f');");
	whole = status_json();
	alloc_fail_json_too();
	for (long k = 0;; k++) {
		struct command_run *r;

		alloc_fail_after(k);
		r = RUN(ctr_cmd_status, "status", "--db", db_path, "--format", "json");
		failed = alloc_fail_disarm();
		if (!failed) {
			cr_assert_eq(r->code, CTR_EXIT_OK, "%s", r->err);
			break;
		}
		if (r->code != CTR_EXIT_OK) {
			cr_assert_eq(r->code, CTR_EXIT_FAILURE, "allocation %ld: %s", k, r->err);
			cr_assert_not_null(strstr(r->err, "out of memory"), "%s", r->err);
			failures++;
			continue;
		}
		report = json_loads(r->out, 0, &error);
		cr_assert(json_equal(report, whole), "allocation %ld: %s", k, r->out);
		json_decref(report);
	}
	cr_assert_gt(failures, 10);
	json_decref(whole);
}

Test(status, a_bad_format_is_a_usage_error)
{
	struct command_run *r = RUN(ctr_cmd_status, "status", "--db", db_path, "--format", "xml");

	cr_assert_eq(r->code, CTR_EXIT_USAGE);
	cr_assert_str_eq(r->err, "contrail status: --format must be text or json, not xml\n");
}

Test(status, a_missing_database_is_a_data_error)
{
	cr_assert_eq(RUN(ctr_cmd_status, "status", "--db", "/nonexistent/x.db")->code, CTR_EXIT_DATA);
}
