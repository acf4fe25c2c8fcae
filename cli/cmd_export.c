/*
 * cmd_export.c - `contrail export`: one table of a database, in key order, as
 * CSV (RFC 4180, a header line, CRLF line ends) or as a JSON array of objects
 * (the rows written by export_rows.c), into a file put in place only once it
 * is whole. Only the tables find_table() knows may be named: a name is never
 * pasted into SQL unchecked.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/export_rows.h"
#include "cli/output_file.h"
#include "engine/db.h"
#include "events/file_replace.h"
#include "projections/schema_sql.h"

/* What may be exported besides the hashed projections, with its row order. */
static const struct ctr_hashed_table other_tables[] = {
	{ "group_companies", "contract_id, company" },
	{ "rejected_events", "rowid" }, /* the order the events were rejected in */
	{ "runs", "run_id" },
	{ "checkpoints", "source, partition" },
	{ NULL, NULL },
};

struct export_args {
	const char *db_path;
	const char *table;
	const char *format;
	const char *out_path;
};

/* The i-th exportable table (hashed projections first), or NULL past the last. */
static const struct ctr_hashed_table *table_at(int i)
{
	int hashed = 0;

	while (ctr_hashed_tables[hashed].name)
		hashed++;
	if (i < hashed)
		return &ctr_hashed_tables[i];
	return other_tables[i - hashed].name ? &other_tables[i - hashed] : NULL;
}

/* The exportable table called name, or NULL. */
static const struct ctr_hashed_table *find_table(const char *name)
{
	for (int i = 0;; i++) {
		const struct ctr_hashed_table *t = table_at(i);

		if (t == NULL)
			return NULL;
		if (strcmp(t->name, name) == 0)
			return t;
	}
}

/* "a, b, c": every exportable table, with a line break before passing wrap columns (0: never). */
static void table_names(char *out, size_t size, size_t wrap)
{
	size_t used = 0, line = 0;

	out[0] = '\0';
	for (int i = 0; used < size; i++) {
		const struct ctr_hashed_table *t = table_at(i);

		if (t == NULL)
			break;
		int wrapped = i > 0 && wrap && line + strlen(t->name) + 2 > wrap;
		const char *gap = i == 0 ? "" : wrapped ? ",\n" : ", ";
		int written = snprintf(out + used, size - used, "%s%s", gap, t->name);
		line = wrapped ? strlen(t->name) : line + (size_t)written;
		used += (size_t)written;
	}
}

/*
 * SQLite's progress handler: the row being stepped to, or the sort before the
 * first, ends (SQLITE_INTERRUPT) once SIGINT or SIGTERM asked the export to
 * stop; the output's close then says so (cli/output_file.h).
 */
static int stop_asked(void *unused)
{
	(void)unused;
	return ctr_output_file_stopped();
}

/*
 * Writes FILE as FILE.partial and puts it in place only when every row is
 * written and synced (cli/output_file.h), so a failed export, one stopped by
 * SIGINT or SIGTERM, or a crash of the machine, leaves FILE as it was.
 */
static int export_table(const struct export_args *a, const struct ctr_hashed_table *table)
{
	struct ctr_error err = { 0 };
	struct ctr_output_file output;
	sqlite3_stmt *stmt = NULL;
	sqlite3 *db = NULL;
	char sql[256];
	int rc;

	rc = ctr_db_open(a->db_path, CTR_DB_READ, &db, &err);
	if (rc != 0)
		return ctr_cli_fail("export", ctr_cli_exit_for(rc), "%s", err.message);
	/* both names come from find_table's lists, never from the command line */
	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY %s", table->name, table->key);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		rc = ctr_cli_exit_for(ctr_db_read_error(db, &err));
		goto fail;
	}
	rc = CTR_EXIT_FAILURE;
	if (ctr_output_file_open(&output, a->out_path, &err) != 0)
		goto fail;
	sqlite3_progress_handler(db, 1000, stop_asked, NULL);
	rc = ctr_export_rows(db, stmt, strcmp(a->format, "json") == 0, output.out, &err);
	rc = rc == 0 ? CTR_EXIT_OK : ctr_cli_exit_for(rc);
	if (ctr_output_file_close(&output, rc == CTR_EXIT_OK, &err) != 0)
		rc = CTR_EXIT_FAILURE;
fail:
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return rc == CTR_EXIT_OK ? rc : ctr_cli_fail("export", rc, "%s", err.message);
}

static void usage(void)
{
	char names[512];

	table_names(names, sizeof(names), 78);
	printf("usage: contrail export --db PATH --table NAME --format csv|json [--out FILE]\n\n"
	       "Writes one table of a contrail database in key order to FILE (default standard\n"
	       "output). csv: RFC 4180, a header line, CRLF line ends, fields quoted when they\n"
	       "hold a comma, a quote, CR or LF, NULL as an empty field. json: an array of\n"
	       "objects, one per row, NULL as null, integers as numbers. Text is written as\n"
	       "UTF-8 (a byte of a source's path that is not, as U+FFFD); binary columns\n"
	       "(rejected_events.raw) are base64 (RFC 4648) in both.\n"
	       "Tables:\n%s.\n"
	       "Exit: 0 ok, 2 usage, 3 not a contrail database or a damaged one, 4 cannot\n"
	       "write FILE, the database is still being built, or SIGINT or SIGTERM (FILE is\n"
	       "then left as it was).\n", names);
}

/* One option getopt_long returned: 1 when taken, 0 after --help, -1 when it is bad (said). */
static int take_option(int opt, char **argv, struct export_args *a)
{
	switch (opt) {
	case 'd': a->db_path = optarg; return 1;
	case 't': a->table = optarg; return 1;
	case 'f': a->format = optarg; return 1;
	case 'o': a->out_path = optarg; return 1;
	case 'h': usage(); return 0;
	default:
		ctr_cli_bad_option("export", 0, opt, argv);
		return -1;
	}
}

/* 1 when the command line is complete, 0 after --help, -1 when it is bad (already said). */
static int parse_args(int argc, char **argv, struct export_args *a)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "table", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' }, { "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int opt, taken;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	if (ctr_cli_check_options("export", argc, argv, ":", longopts) != 0)
		return -1;
	for (;;) {
		opt = getopt_long(argc, argv, ":h", longopts, NULL);
		if (opt == -1)
			break;
		taken = take_option(opt, argv, a);
		if (taken <= 0)
			return taken;
	}
	if (optind != argc)
		ctr_cli_fail("export", 0, "unexpected argument %s", argv[optind]);
	else if (a->db_path == NULL || a->table == NULL || a->format == NULL)
		ctr_cli_fail("export", 0, "--db, --table and --format are required (see contrail export --help)");
	else if (strcmp(a->format, "csv") != 0 && strcmp(a->format, "json") != 0)
		ctr_cli_fail("export", 0, "--format must be csv or json, not %s", a->format);
	else if (a->out_path != NULL && ctr_file_same(a->out_path, a->db_path))
		ctr_cli_fail("export", 0, "--out %s is the database it exports from", a->out_path);
	else
		return 1;
	return -1;
}

int ctr_cmd_export(int argc, char **argv)
{
	struct export_args a = { NULL, NULL, NULL, NULL };
	const struct ctr_hashed_table *table;
	char names[512];
	int parsed = parse_args(argc, argv, &a);

	if (parsed <= 0)
		return parsed == 0 ? CTR_EXIT_OK : CTR_EXIT_USAGE;
	table = find_table(a.table);
	if (table == NULL) {
		table_names(names, sizeof(names), 0);
		return ctr_cli_fail("export", CTR_EXIT_USAGE, "cannot export table %s; tables: %s",
				    a.table, names);
	}
	return export_table(&a, table);
}
