/*
 * cmd_reconcile.c - `contrail reconcile`: compares the projections with a
 * snapshot exported from another system (CSV: table, key, column, expected)
 * and adds the findings that need a person. docs/reconcile.md is the format.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "cli/json_array_out.h"
#include "cli/reconcile.h"
#include "engine/db.h"

static void usage(void)
{
	printf("usage: contrail reconcile --db PATH --expected FILE.csv [--format text|csv|json]\n\n"
	       "Compares the projections with expected values (CSV with the header\n"
	       "table,key,column,expected; key is the row's key columns joined with '/') and\n"
	       "reports every mismatch, every expected row that is missing, and the findings that\n"
	       "need a person: over-allocated products, ownerless contracts, overdue migrations,\n"
	       "migrations to unknown contracts, environments needing re-activation, suspended\n"
	       "support ids. docs/reconcile.md describes the formats.\n"
	       "Exit: 0 clean, 1 something was found, 2 bad input (command line, expected file,\n"
	       "a database that is missing, not a contrail database or damaged), 4 a query on the\n"
	       "database failed, the database is still being built, or the output cannot be\n"
	       "written.\n");
}

/* One finding a line, whatever its values hold. */
static void print_text(const struct ctr_finding *x)
{
	printf("%s %s ", x->kind, x->table);
	ctr_cli_one_line(stdout, x->key, 0);
	if (*x->column) {
		printf(" %s: expected [", x->column);
		ctr_cli_one_line(stdout, x->expected, 0);
		fputs("], found [", stdout);
		ctr_cli_one_line(stdout, x->actual, 0);
		putchar(']');
	} else if (*x->actual) {
		fputs(": ", stdout);
		ctr_cli_one_line(stdout, x->actual, 0);
	}
	putchar('\n');
}

static void print_csv(const struct ctr_finding *x)
{
	const char *fields[] = { x->kind, x->table, x->key, x->column, x->expected, x->actual };

	for (int k = 0; k < 6; k++) {
		ctr_cli_csv_field(stdout, fields[k]);
		fputs(k < 5 ? "," : "\r\n", stdout);
	}
}

/* The finding as the array's next object: 0, or -1 when it could not be made. */
static int put_json(struct ctr_json_array_out *all, const struct ctr_finding *x)
{
	json_t *finding = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "finding", x->kind,
		"table", x->table, "key", x->key, "column", x->column,
		"expected", x->expected, "actual", x->actual);
	int rc = finding != NULL ? ctr_json_array_put(all, finding) : -1;

	json_decref(finding);
	return rc;
}

/* Prints the findings: 0, or -1 when one could not be made into JSON (out of memory). */
static int print(const struct ctr_findings *f, const char *format)
{
	struct ctr_json_array_out all = { .out = stdout };

	if (strcmp(format, "csv") == 0)
		printf("finding,table,key,column,expected,actual\r\n");
	for (size_t i = 0; i < f->count; i++) {
		const struct ctr_finding *x = &f->items[i];
		if (strcmp(format, "text") == 0) {
			print_text(x);
		} else if (strcmp(format, "csv") == 0) {
			print_csv(x);
		} else if (put_json(&all, x) != 0) {
			if (all.count > 0) /* what was printed stays a whole array */
				ctr_json_array_end(&all);
			return -1;
		}
	}
	if (strcmp(format, "json") == 0)
		ctr_json_array_end(&all);
	else if (strcmp(format, "text") == 0)
		printf("%zu findings\n", f->count);
	return 0;
}

struct reconcile_args {
	const char *db_path, *expected, *format;
};

/* The command line into a: CTR_EXIT_OK, CTR_CLI_HELP_SHOWN, or CTR_EXIT_USAGE after a line. */
static int parse(int argc, char **argv, struct reconcile_args *a)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "expected", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("reconcile", argc, argv, "", longopts) != 0)
		return CTR_EXIT_USAGE;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		switch (opt) {
		case 'd': a->db_path = optarg; break;
		case 'e': a->expected = optarg; break;
		case 'f': a->format = optarg; break;
		case 'h': usage(); return CTR_CLI_HELP_SHOWN;
		default:
			return ctr_cli_bad_option("reconcile", CTR_EXIT_USAGE, opt, argv);
		}
	}
	if (a->db_path == NULL || a->expected == NULL || optind != argc)
		return ctr_cli_fail("reconcile", CTR_EXIT_USAGE, "usage: contrail reconcile"
				    " --db PATH --expected FILE.csv [--format text|csv|json]");
	if (strcmp(a->format, "text") != 0 && strcmp(a->format, "csv") != 0 &&
	    strcmp(a->format, "json") != 0)
		return ctr_cli_fail("reconcile", CTR_EXIT_USAGE, "--format must be text, csv or json");
	return CTR_EXIT_OK;
}

/*
 * The findings of the expected file, then the built-in ones, in one read
 * transaction: every line compared with one state, not one a replay committed
 * part-way through (and no transaction begun and ended per line).
 */
static int find_differences(const struct reconcile_args *a, struct ctr_findings *findings,
			    struct ctr_error *err)
{
	sqlite3 *db = NULL;
	int rc = ctr_db_open(a->db_path, CTR_DB_READ, &db, err);

	if (rc == 0)
		rc = ctr_db_exec(db, "BEGIN", err);
	if (rc == 0)
		rc = ctr_reconcile_expected(db, a->expected, findings, err);
	if (rc == 0)
		rc = ctr_reconcile_builtin(db, findings, err);
	sqlite3_close(db); /* ends the read transaction */
	return rc;
}

int ctr_cmd_reconcile(int argc, char **argv)
{
	struct reconcile_args a = { .format = "text" };
	struct ctr_findings findings = { 0 };
	struct ctr_error err = { 0 };
	int rc = parse(argc, argv, &a);

	if (rc != CTR_EXIT_OK)
		return rc == CTR_CLI_HELP_SHOWN ? CTR_EXIT_OK : rc;
	rc = find_differences(&a, &findings, &err);
	if (rc != 0) {
		ctr_findings_deinit(&findings);
		/* the expected file or the database is the input here: exit 2 (docs/reconcile.md) */
		return ctr_cli_fail("reconcile", rc == CTR_EDB || rc == CTR_ENOMEM ||
				    rc == CTR_EWRITE ? CTR_EXIT_FAILURE : CTR_EXIT_USAGE, "%s", err.message);
	}
	rc = print(&findings, a.format) != 0 ? CTR_EXIT_FAILURE
	     : findings.count ? CTR_EXIT_FINDINGS : CTR_EXIT_OK;
	ctr_findings_deinit(&findings);
	if (rc == CTR_EXIT_FAILURE)
		return ctr_cli_fail("reconcile", CTR_EXIT_FAILURE, "out of memory");
	if (fflush(stdout) != 0 || ferror(stdout)) /* findings not shown are no result */
		return ctr_cli_fail("reconcile", CTR_EXIT_FAILURE, "cannot write to standard output");
	return rc;
}
