/*
 * cmd_export.c - `contrail export`: one table of a database, in key order, as
 * CSV (RFC 4180, a header line, CRLF line ends) or as a JSON array of objects.
 * Binary columns (rejected_events.raw) are written in base64 in both. Only the
 * tables find_table() knows may be named: a name is never pasted into SQL
 * unchecked.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
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

/* Reusable text of a blob column, so rows cost no allocation once it has grown. */
struct base64_buffer {
	char *text;
	size_t size;
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

/* The blob as base64 text in buf (RFC 4648, padded); NULL when out of memory. */
static const char *base64(struct base64_buffer *buf, const unsigned char *data, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t need = 4 * ((len + 2) / 3) + 1;
	char *p;

	if (need > buf->size) {
		p = realloc(buf->text, need);
		if (p == NULL)
			return NULL;
		buf->text = p, buf->size = need;
	}
	p = buf->text;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16 | (i + 1 < len ? (unsigned)data[i + 1] << 8 : 0) |
			     (i + 2 < len ? data[i + 2] : 0);
		*p++ = digits[v >> 18 & 63];
		*p++ = digits[v >> 12 & 63];
		*p++ = i + 1 < len ? digits[v >> 6 & 63] : '=';
		*p++ = i + 2 < len ? digits[v & 63] : '=';
	}
	*p = '\0';
	return buf->text;
}

/* Length of the valid UTF-8 sequence at s (len bytes left), 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	size_t follow;
	unsigned long code, least;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		follow = 1, code = s[0] & 0x1f, least = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		follow = 2, code = s[0] & 0x0f, least = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		follow = 3, code = s[0] & 0x07, least = 0x10000;
	else
		return 0;
	if (follow >= len)
		return 0;
	for (size_t i = 1; i <= follow; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		code = code << 6 | (s[i] & 0x3f);
	}
	if (code < least || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
		return 0;
	return follow + 1;
}

/*
 * A JSON string of text. JSON must be UTF-8, so a byte that is not part of a
 * valid sequence (a rejected event's text may hold anything) becomes U+FFFD.
 */
static json_t *json_text(const unsigned char *text, size_t len)
{
	json_t *value = json_stringn((const char *)text, len);
	char *fixed, *p;

	if (value)
		return value;
	fixed = malloc(3 * len + 1);
	if (fixed == NULL)
		return NULL;
	p = fixed;
	for (size_t i = 0, step; i < len; i += step) {
		step = utf8_sequence(text + i, len - i);
		if (step == 0) {
			memcpy(p, "\xef\xbf\xbd", 3), p += 3, step = 1;
		} else {
			memcpy(p, text + i, step), p += step;
		}
	}
	value = json_stringn(fixed, (size_t)(p - fixed));
	free(fixed);
	return value;
}

static json_t *json_value(sqlite3_stmt *stmt, int i, struct base64_buffer *buf)
{
	const char *text;

	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(stmt, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(stmt, i));
	case SQLITE_BLOB:
		text = base64(buf, sqlite3_column_blob(stmt, i), (size_t)sqlite3_column_bytes(stmt, i));
		return text ? json_string(text) : NULL;
	default:
		return json_text(sqlite3_column_text(stmt, i), (size_t)sqlite3_column_bytes(stmt, i));
	}
}

/*
 * One row as a JSON object on a line of its own; -1 when out of memory. A
 * write error is left for close_output() to find.
 */
static int write_json_row(sqlite3_stmt *stmt, FILE *out, int first, struct base64_buffer *buf)
{
	json_t *row = json_object();
	int rc = row ? 0 : -1;

	for (int i = 0; rc == 0 && i < sqlite3_column_count(stmt); i++)
		rc = json_object_set_new(row, sqlite3_column_name(stmt, i), json_value(stmt, i, buf));
	if (rc == 0) {
		fputs(first ? "\n" : ",\n", out);
		json_dumpf(row, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	json_decref(row);
	return rc;
}

/* One row as a CSV record: NULL an empty field, blobs base64; -1 when out of memory. */
static int write_csv_row(sqlite3_stmt *stmt, FILE *out, struct base64_buffer *buf)
{
	for (int i = 0; i < sqlite3_column_count(stmt); i++) {
		int type = sqlite3_column_type(stmt, i);
		const char *text = type == SQLITE_BLOB
			? base64(buf, sqlite3_column_blob(stmt, i), (size_t)sqlite3_column_bytes(stmt, i))
			: (const char *)sqlite3_column_text(stmt, i);
		if (i)
			fputc(',', out);
		if (text == NULL && type != SQLITE_NULL)
			return -1;
		if (text)
			ctr_cli_csv_field(out, text);
	}
	fputs("\r\n", out);
	return 0;
}

static void write_csv_header(sqlite3_stmt *stmt, FILE *out)
{
	for (int i = 0; i < sqlite3_column_count(stmt); i++) {
		if (i)
			fputc(',', out);
		ctr_cli_csv_field(out, sqlite3_column_name(stmt, i));
	}
	fputs("\r\n", out);
}

/* Steps stmt to the end, writing every row. */
static int write_rows(sqlite3 *db, sqlite3_stmt *stmt, int json, FILE *out, struct ctr_error *err)
{
	struct base64_buffer buf = { NULL, 0 };
	int step = SQLITE_DONE, rows = 0, failed = 0;

	if (json)
		fputc('[', out);
	else
		write_csv_header(stmt, out);
	while (!failed) {
		step = sqlite3_step(stmt);
		if (step != SQLITE_ROW)
			break;
		failed = json ? write_json_row(stmt, out, rows++ == 0, &buf)
			      : write_csv_row(stmt, out, &buf);
	}
	if (json)
		fputs("\n]\n", out);
	free(buf.text);
	if (failed)
		return ctr_error_set(err, CTR_ENOMEM, "out of memory");
	if (step != SQLITE_DONE)
		return ctr_db_error(db, CTR_ECORRUPT, err);
	return 0;
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
	if (rc == 0)
		rc = ctr_file_sync(partial, err);
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
	rc = write_rows(db, stmt, strcmp(a->format, "json") == 0, out, &err);
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
