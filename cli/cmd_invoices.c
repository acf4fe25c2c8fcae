/*
 * cmd_invoices.c - `contrail invoices`: the invoices of cloud contracts with
 * their lines, as an accountant reads them (text, yen with thousands
 * separators) or for a spreadsheet (csv) or a program (json).
 */
#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "cli/json_array_out.h"
#include "engine/db.h"

struct filter {
	const char *db_path, *period, *contract, *format;
};

/* 1234567 -> "1,234,567" */
static const char *yen(long long amount, char out[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%lld", amount < 0 ? -amount : amount), n = 0;

	if (amount < 0)
		out[n++] = '-';
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[n++] = ',';
		out[n++] = digits[i];
	}
	out[n] = '\0';
	return out;
}

static const char *const line_names[][2] = {
	{ "seats_full", "full seats" }, { "seats_light", "light seats" },
	{ "early_termination", "early termination (months left)" },
};

static const char *line_name(const char *kind)
{
	for (size_t i = 0; i < sizeof(line_names) / sizeof(line_names[0]); i++)
		if (strcmp(line_names[i][0], kind) == 0)
			return line_names[i][1];
	return kind;
}

/*
 * Columns wide enough for any count (E6 caps seats at 100,000,000) and any
 * price or amount 64 bits hold (an early termination's price is a month's
 * fee), so that every invoice lines up.
 */
static void text_invoice(sqlite3_stmt *inv, sqlite3_stmt *lines)
{
	char a[32], b[32], c[32];

	/* the number and the contract hold the contract's id, which may hold any character */
	fputs("invoice ", stdout);
	ctr_cli_one_line(stdout, (const char *)sqlite3_column_text(inv, 0), 0);
	fputs("  contract ", stdout);
	ctr_cli_one_line(stdout, (const char *)sqlite3_column_text(inv, 1), 0);
	printf("  period %s  %s\n", sqlite3_column_text(inv, 2), sqlite3_column_text(inv, 8));
	printf("  issue date %s, due %s\n", sqlite3_column_text(inv, 3), sqlite3_column_text(inv, 4));
	while (sqlite3_step(lines) == SQLITE_ROW)
		printf("  %-34s %11s x %25s = %25s yen\n",
		       line_name((const char *)sqlite3_column_text(lines, 1)),
		       yen(sqlite3_column_int64(lines, 2), a), yen(sqlite3_column_int64(lines, 3), b),
		       yen(sqlite3_column_int64(lines, 4), c));
	printf("  %-76s %25s yen\n", "subtotal", yen(sqlite3_column_int64(inv, 5), a));
	printf("  %-76s %25s yen\n", "consumption tax", yen(sqlite3_column_int64(inv, 6), b));
	printf("  %-76s %25s yen\n\n", "total", yen(sqlite3_column_int64(inv, 7), c));
}

static void csv_invoice(sqlite3_stmt *inv, sqlite3_stmt *lines)
{
	while (sqlite3_step(lines) == SQLITE_ROW) {
		for (int i = 0; i < 5; i++) { /* invoice_no .. due_date */
			ctr_cli_csv_field(stdout, (const char *)sqlite3_column_text(inv, i));
			putchar(',');
		}
		printf("%s,%d,%s,%lld,%lld,%lld,%lld,%lld,%lld\r\n", sqlite3_column_text(inv, 8),
		       sqlite3_column_int(lines, 0), sqlite3_column_text(lines, 1),
		       sqlite3_column_int64(lines, 2), sqlite3_column_int64(lines, 3),
		       sqlite3_column_int64(lines, 4), sqlite3_column_int64(inv, 5),
		       sqlite3_column_int64(inv, 6), sqlite3_column_int64(inv, 7));
	}
}

/* The invoice on inv with its lines, or NULL when a line could not be made (no line left out). */
static json_t *json_invoice(sqlite3_stmt *inv, sqlite3_stmt *lines)
{
	json_t *list = json_array();

	while (list != NULL && sqlite3_step(lines) == SQLITE_ROW)
		if (json_array_append_new(list, json_pack("{s:i,s:s,s:I,s:I,s:I}", "line_no",
			sqlite3_column_int(lines, 0), "kind", sqlite3_column_text(lines, 1),
			"quantity", (json_int_t)sqlite3_column_int64(lines, 2),
			"unit_price", (json_int_t)sqlite3_column_int64(lines, 3),
			"amount", (json_int_t)sqlite3_column_int64(lines, 4))) != 0) {
			json_decref(list);
			list = NULL;
		}
	if (list == NULL)
		return NULL;
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:o}",
		"invoice_no", sqlite3_column_text(inv, 0), "contract_id", sqlite3_column_text(inv, 1),
		"period", sqlite3_column_text(inv, 2), "issue_date", sqlite3_column_text(inv, 3),
		"due_date", sqlite3_column_text(inv, 4), "subtotal", (json_int_t)sqlite3_column_int64(inv, 5),
		"tax", (json_int_t)sqlite3_column_int64(inv, 6), "total", (json_int_t)sqlite3_column_int64(inv, 7),
		"status", sqlite3_column_text(inv, 8), "lines", list);
}

#define INVOICES_SQL "SELECT invoice_no, contract_id, period, issue_date, due_date, subtotal," \
		     " tax, total, status FROM invoices"

/* inv: the invoices f asks for, bound; lines: an invoice's lines, bound for each. */
static int prepare_reads(sqlite3 *db, const struct filter *f, sqlite3_stmt **inv,
			 sqlite3_stmt **lines, struct ctr_error *err)
{
	/* one contract's through the index by contract (an "?2 IS NULL OR" would read them all) */
	const char *sql = f->contract != NULL
		? INVOICES_SQL " WHERE contract_id = ?2 AND (?1 IS NULL OR period = ?1)"
		  " ORDER BY period"
		: INVOICES_SQL " WHERE (?1 IS NULL OR period = ?1) ORDER BY contract_id, period";
	int rc = ctr_db_prepare(db, sql, inv, err);

	if (rc == 0)
		rc = ctr_db_prepare(db, "SELECT line_no, kind, quantity, unit_price, amount"
				    " FROM invoice_lines WHERE invoice_no = ? ORDER BY line_no",
				    lines, err);
	if (rc == 0) {
		sqlite3_bind_text(*inv, 1, f->period, -1, SQLITE_STATIC);
		if (f->contract != NULL)
			sqlite3_bind_text(*inv, 2, f->contract, -1, SQLITE_STATIC);
	}
	return rc;
}

/*
 * The invoice on inv with its lines, in f's format. The printers stop at the
 * lines' last row or at a failed step, which reset reports. JSON is printed an
 * invoice at a time once its lines are all read: one whose lines stop at a
 * damaged page is not printed.
 */
static int print_invoice(sqlite3 *db, const struct filter *f, sqlite3_stmt *inv,
			 sqlite3_stmt *lines, struct ctr_json_array_out *all, struct ctr_error *err)
{
	json_t *invoice = NULL;
	int rc = 0;

	sqlite3_bind_text(lines, 1, (const char *)sqlite3_column_text(inv, 0), -1,
			  SQLITE_TRANSIENT);
	if (strcmp(f->format, "text") == 0)
		text_invoice(inv, lines);
	else if (strcmp(f->format, "csv") == 0)
		csv_invoice(inv, lines);
	else
		invoice = json_invoice(inv, lines);
	if (sqlite3_reset(lines) != SQLITE_OK)
		rc = ctr_db_error(db, CTR_EDB, err);
	else if (strcmp(f->format, "json") == 0 &&
		 (invoice == NULL || ctr_json_array_put(all, invoice) != 0))
		rc = ctr_error_set(err, CTR_ENOMEM, "out of memory");
	json_decref(invoice);
	return rc;
}

static int print(sqlite3 *db, const struct filter *f, struct ctr_error *err)
{
	sqlite3_stmt *inv = NULL, *lines = NULL;
	struct ctr_json_array_out all = { .out = stdout };
	int rc = prepare_reads(db, f, &inv, &lines, err), step;

	/* the header even when nothing matches: a script reads the columns from it */
	if (rc == 0 && strcmp(f->format, "csv") == 0)
		printf("invoice_no,contract_id,period,issue_date,due_date,status,line_no,kind,quantity,"
		       "unit_price,amount,subtotal,tax,total\r\n");
	while (rc == 0) {
		step = sqlite3_step(inv);
		if (step == SQLITE_DONE)
			break;
		if (step != SQLITE_ROW) {
			rc = ctr_db_error(db, CTR_EDB, err);
			break;
		}
		rc = print_invoice(db, f, inv, lines, &all, err);
	}
	/* ended after a failure too: what was printed stays a whole array (the exit says it failed) */
	if (strcmp(f->format, "json") == 0 && (rc == 0 || all.count > 0))
		ctr_json_array_end(&all);
	sqlite3_finalize(inv);
	sqlite3_finalize(lines);
	return rc;
}

static void usage(void)
{
	printf("usage: contrail invoices --db PATH [--period YYYY-MM] [--contract ID]\n"
	       "                         [--format text|csv|json]\n\n"
	       "The invoices of cloud contracts (B1-B9) with their lines, as of the business date\n"
	       "of the last replay: text for a person (yen with thousands separators), csv one\n"
	       "row per line, json an array of invoices. Exit: 0 ok, 2 usage, 3 not a contrail\n"
	       "database or a damaged one, 4 a read of it that fails, a database still being\n"
	       "built, memory that runs out, or output that cannot be written.\n");
}

/* "YYYY-MM" with a month from 01 to 12. */
static int is_period(const char *text)
{
	static const char shape[] = "dddd-dd";

	if (strlen(text) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)text[i]) : text[i] != shape[i])
			return 0;
	return strncmp(text + 5, "01", 2) >= 0 && strncmp(text + 5, "12", 2) <= 0;
}

/* The command line into f: CTR_EXIT_OK, CTR_CLI_HELP_SHOWN, or CTR_EXIT_USAGE after a line. */
static int parse(int argc, char **argv, struct filter *f)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "period", required_argument, NULL, 'p' },
		{ "contract", required_argument, NULL, 'c' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("invoices", argc, argv, "", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		switch (opt) {
		case 'd': f->db_path = optarg; break;
		case 'p': f->period = optarg; break;
		case 'c': f->contract = optarg; break;
		case 'f': f->format = optarg; break;
		case 'h': usage(); return CTR_CLI_HELP_SHOWN;
		default:
			return ctr_cli_bad_option("invoices", CTR_EXIT_USAGE, opt, argv);
		}
	}
	if (f->db_path == NULL || optind != argc)
		return ctr_cli_fail("invoices", CTR_EXIT_USAGE, "usage: contrail invoices --db PATH"
				    " [--period YYYY-MM] [--contract ID] [--format text|csv|json]");
	if (strcmp(f->format, "text") != 0 && strcmp(f->format, "csv") != 0 &&
	    strcmp(f->format, "json") != 0)
		return ctr_cli_fail("invoices", CTR_EXIT_USAGE, "--format must be text, csv or json");
	if (f->period && !is_period(f->period))
		return ctr_cli_fail("invoices", CTR_EXIT_USAGE,
				    "--period must be YYYY-MM (a month 01 to 12)");
	return CTR_EXIT_OK;
}

int ctr_cmd_invoices(int argc, char **argv)
{
	struct filter f = { .format = "text" };
	struct ctr_error err = { 0 };
	sqlite3 *db = NULL;
	int rc = parse(argc, argv, &f);

	if (rc != CTR_EXIT_OK)
		return rc == CTR_CLI_HELP_SHOWN ? CTR_EXIT_OK : rc;
	rc = ctr_db_open(f.db_path, CTR_DB_READ, &db, &err);
	if (rc == 0)
		rc = print(db, &f, &err);
	if (db)
		sqlite3_close(db);
	if (rc != 0)
		return ctr_cli_fail("invoices", ctr_cli_exit_for(rc), "%s", err.message);
	/* a report cut short by a full disk is no report: say so, as status does */
	return fflush(stdout) == 0 && !ferror(stdout) ? CTR_EXIT_OK
		: ctr_cli_fail("invoices", CTR_EXIT_FAILURE, "cannot write to standard output");
}
