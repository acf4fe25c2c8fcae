/*
 * cmd_export.c - `contrail export`: one table of a database, in key order, as
 * CSV (RFC 4180, a header line, CRLF line ends) or as a JSON array of objects
 * (the rows written by export_rows.c), into a file put in place only once it
 * is whole. Only the tables find_table() knows may be named: a name is never
 * pasted into SQL unchecked.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/export_rows.h"
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
 * FILE.partial, opened for writing and locked, so that a second export to the
 * same FILE at the same time stops at once instead of writing rows into the
 * same file; NULL with err set when it cannot be. The lock goes with the
 * file's close, after its rename.
 */
static FILE *open_partial(const char *partial, struct ctr_error *err)
{
	int fd = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	FILE *out;

	if (fd < 0) {
		ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s", partial, strerror(errno));
		return NULL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ctr_error_set(err, CTR_EWRITE, "another export is writing %s", partial);
		close(fd);
		return NULL;
	}
	out = ftruncate(fd, 0) == 0 ? fdopen(fd, "w") : NULL;
	if (out == NULL) {
		ctr_error_set(err, CTR_EWRITE, "cannot write %s: %s", partial, strerror(errno));
		close(fd);
	}
	return out;
}

/*
 * Puts the written FILE.partial in place while it is still open and locked:
 * flushed, synced, renamed (events/file_replace.h). On a failure before the
 * rename the partial file goes too, while no other export can have it.
 */
static int put_in_place(FILE *out, const char *partial, const char *path, struct ctr_error *err)
{
	int rc = 0;

	if (fflush(out) != 0 || ferror(out))
		rc = ctr_error_set(err, CTR_EWRITE, "cannot write %s", partial);
	else if (fsync(fileno(out)) != 0) /* the descriptor it holds, not the file opened again */
		rc = ctr_error_set(err, CTR_EWRITE, "cannot write %s to the disk: %s", partial,
				   strerror(errno));
	if (rc != 0) {
		unlink(partial);
		return rc;
	}
	return ctr_file_rename(partial, path, err);
}

/* Flushes and closes out (standard output stays open); 0 when everything reached it. */
static int close_output(FILE *out)
{
	int failed = ferror(out) != 0;

	if (out == stdout)
		return fflush(out) != 0 || failed ? -1 : 0;
	return fclose(out) != 0 || failed ? -1 : 0;
}

/*
 * Writes FILE under a name of its own beside it (locked: open_partial) and
 * renames it into place only when every row is written and synced to the disk
 * (events/file_replace.h), so a failed export, or a crash of the machine,
 * leaves FILE as it was. What is
 * not a regular file is written in place, through its name: a symbolic link
 * (renaming over it would replace the link), a pipe, a device; `-` and
 * /dev/stdout are standard output (reopening it would truncate what it
 * appends to).
 */
static int export_table(const struct export_args *a, const struct ctr_hashed_table *table)
{
	struct ctr_error err = { 0 };
	sqlite3_stmt *stmt = NULL;
	sqlite3 *db = NULL;
	struct stat st;
	FILE *out;
	char sql[256], partial[4200] = "";
	int rc;

	rc = ctr_db_open(a->db_path, CTR_DB_READ, &db, &err);
	if (rc != 0)
		return ctr_cli_fail("export", ctr_cli_exit_for(rc), "%s", err.message);
	/* both names come from find_table's lists, never from the command line */
	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY %s", table->name, table->key);
	rc = CTR_EXIT_DATA;
	if (ctr_db_prepare(db, sql, &stmt, &err) != 0)
		goto fail;
	rc = CTR_EXIT_FAILURE;
	if (a->out_path == NULL || strcmp(a->out_path, "-") == 0 ||
	    strcmp(a->out_path, "/dev/stdout") == 0) {
		out = stdout;
	} else if (lstat(a->out_path, &st) == 0 && !S_ISREG(st.st_mode)) {
		out = fopen(a->out_path, "w");
	} else {
		snprintf(partial, sizeof(partial), "%s.partial", a->out_path);
		out = open_partial(partial, &err);
		if (out == NULL)
			goto fail;
	}
	if (out == NULL) {
		ctr_error_set(&err, CTR_EWRITE, "cannot write %s: %s", a->out_path, strerror(errno));
		goto fail;
	}
	rc = ctr_export_rows(db, stmt, strcmp(a->format, "json") == 0, out, &err);
	rc = rc == 0 ? CTR_EXIT_OK : ctr_cli_exit_for(rc);
	if (rc != CTR_EXIT_OK && *partial)
		unlink(partial); /* still locked: ours */
	else if (*partial && put_in_place(out, partial, a->out_path, &err) != 0)
		rc = CTR_EXIT_FAILURE;
	if (close_output(out) != 0 && rc == CTR_EXIT_OK) {
		ctr_error_set(&err, CTR_EWRITE, "cannot write %s", out == stdout ? "standard output" : a->out_path);
		rc = CTR_EXIT_FAILURE;
	}
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
	       "UTF-8; binary columns (rejected_events.raw) are base64 (RFC 4648) in both.\n"
	       "Tables:\n%s.\n"
	       "Exit: 0 ok, 2 usage, 3 not a contrail database, 4 cannot write FILE or the\n"
	       "database is still being built.\n", names);
}

/* 1 when the command line is complete, 0 after --help, -1 when it is bad (already said). */
static int parse_args(int argc, char **argv, struct export_args *a)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "table", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' }, { "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0; /* a full rescan: the command may run more than once in a process */
	opterr = 0;
	for (;;) {
		opt = getopt_long(argc, argv, ":", longopts, NULL);
		if (opt == -1)
			break;
		switch (opt) {
		case 'd': a->db_path = optarg; break;
		case 't': a->table = optarg; break;
		case 'f': a->format = optarg; break;
		case 'o': a->out_path = optarg; break;
		case 'h': usage(); return 0;
		case ':':
			ctr_cli_fail("export", 0, "option %s needs a value", argv[optind - 1]);
			return -1;
		default:
			ctr_cli_fail("export", 0, "unknown option %s (see contrail export --help)",
				     argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc)
		ctr_cli_fail("export", 0, "unexpected argument %s", argv[optind]);
	else if (a->db_path == NULL || a->table == NULL || a->format == NULL)
		ctr_cli_fail("export", 0, "--db, --table and --format are required (see contrail export --help)");
	else if (strcmp(a->format, "csv") != 0 && strcmp(a->format, "json") != 0)
		ctr_cli_fail("export", 0, "--format must be csv or json, not %s", a->format);
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
