/*
 * cmd_export.c - `contrail export`: one table of a database, in key order, as
 * CSV (RFC 4180, with a header line) or as a JSON array of objects. Binary
 * columns (rejected_events.raw) are written in base64. Only the tables below
 * may be named; a name is never pasted into SQL unchecked.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/db.h"

static const struct {
	const char *name;
	const char *key;
} exportable[] = {
	{ "contracts", "contract_id" }, { "contract_products", "contract_id, sku" },
	{ "environments", "contract_id, env_id" }, { "allocations", "contract_id, env_id, sku" },
	{ "members", "contract_id, user" }, { "group_companies", "contract_id, company" },
	{ "customers", "customer_no" }, { "support_ids", "support_id" },
	{ "store_accounts", "store_id, email" }, { "invoices", "invoice_no" },
	{ "invoice_lines", "invoice_no, line_no" },
	{ "rejected_events", "run_id, position" }, { "runs", "run_id" },
	{ "checkpoints", "source, partition" },
};

static char *base64(const unsigned char *data, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(4 * ((len + 2) / 3) + 1), *p = out;

	for (size_t i = 0; out && i < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16 | (i + 1 < len ? data[i + 1] << 8 : 0) |
			     (i + 2 < len ? data[i + 2] : 0);
		*p++ = digits[v >> 18 & 63];
		*p++ = digits[v >> 12 & 63];
		*p++ = i + 1 < len ? digits[v >> 6 & 63] : '=';
		*p++ = i + 2 < len ? digits[v & 63] : '=';
	}
	if (out)
		*p = '\0';
	return out;
}

/* The column as text (base64 for blobs); NULL for SQL NULL. The caller frees it. */
static char *column_text(sqlite3_stmt *stmt, int i)
{
	int type = sqlite3_column_type(stmt, i);

	if (type == SQLITE_NULL)
		return NULL;
	if (type == SQLITE_BLOB)
		return base64(sqlite3_column_blob(stmt, i), (size_t)sqlite3_column_bytes(stmt, i));
	return strdup((const char *)sqlite3_column_text(stmt, i));
}

static void write_csv(sqlite3_stmt *stmt, FILE *out)
{
	int columns = sqlite3_column_count(stmt);

	for (int i = 0; i < columns; i++) {
		if (i)
			fputc(',', out);
		ctr_cli_csv_field(out, sqlite3_column_name(stmt, i));
	}
	fputs("\r\n", out);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		for (int i = 0; i < columns; i++) {
			char *text = column_text(stmt, i);
			if (i)
				fputc(',', out);
			if (text)
				ctr_cli_csv_field(out, text);
			free(text);
		}
		fputs("\r\n", out);
	}
}

static void write_json(sqlite3_stmt *stmt, FILE *out)
{
	int columns = sqlite3_column_count(stmt), first = 1;

	fputs("[", out);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		json_t *row = json_object();
		for (int i = 0; i < columns; i++) {
			char *text = sqlite3_column_type(stmt, i) == SQLITE_INTEGER ? NULL
				     : column_text(stmt, i);
			json_t *value = sqlite3_column_type(stmt, i) == SQLITE_INTEGER
				? json_integer(sqlite3_column_int64(stmt, i))
				: text ? json_string(text) : json_null();
			json_object_set_new(row, sqlite3_column_name(stmt, i), value ? value : json_null());
			free(text);
		}
		fputs(first ? "\n" : ",\n", out);
		json_dumpf(row, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(row);
		first = 0;
	}
	fputs("\n]\n", out);
}

static int find_table(const char *name)
{
	for (size_t i = 0; i < sizeof(exportable) / sizeof(exportable[0]); i++)
		if (strcmp(exportable[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int export(const char *path, int table, int json, FILE *out)
{
	struct ctr_error err = { 0 };
	sqlite3_stmt *stmt = NULL;
	char sql[256];
	sqlite3 *db;
	int rc = ctr_db_open(path, CTR_DB_READ, &db, &err);

	if (rc != 0)
		return ctr_cli_fail("export", ctr_cli_exit_for(rc), "%s", err.message);
	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY %s", exportable[table].name,
		 exportable[table].key);
	rc = ctr_db_prepare(db, sql, &stmt, &err);
	if (rc == 0) {
		if (json)
			write_json(stmt, out);
		else
			write_csv(stmt, out);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	if (rc != 0)
		return ctr_cli_fail("export", CTR_EXIT_DATA, "%s", err.message);
	return CTR_EXIT_OK;
}

static void usage(void)
{
	printf("usage: contrail export --db PATH --table NAME --format csv|json [--out FILE]\n\n"
	       "Writes one table in key order: CSV (RFC 4180, a header line, NULL as an empty\n"
	       "field) or a JSON array of objects. Binary columns are base64. Tables:\n ");
	for (size_t i = 0; i < sizeof(exportable) / sizeof(exportable[0]); i++)
		printf(" %s", exportable[i].name);
	printf("\nExit: 0 ok, 2 usage, 3 not a contrail database, 4 cannot write FILE.\n");
}

int ctr_cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' }, { "table", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' }, { "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *table = NULL, *format = NULL, *out_path = NULL;
	FILE *out = stdout;
	int opt, index, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': path = optarg; break;
		case 't': table = optarg; break;
		case 'f': format = optarg; break;
		case 'o': out_path = optarg; break;
		case 'h': usage(); return CTR_EXIT_OK;
		default:
			return ctr_cli_fail("export", CTR_EXIT_USAGE, "unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	if (path == NULL || table == NULL || format == NULL || optind != argc)
		return ctr_cli_fail("export", CTR_EXIT_USAGE, "usage: contrail export --db PATH --table NAME --format csv|json");
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return ctr_cli_fail("export", CTR_EXIT_USAGE, "--format must be csv or json");
	index = find_table(table);
	if (index < 0)
		return ctr_cli_fail("export", CTR_EXIT_USAGE, "no exportable table %s (see contrail export --help)", table);
	if (out_path && (out = fopen(out_path, "w")) == NULL)
		return ctr_cli_fail("export", CTR_EXIT_FAILURE, "cannot write %s", out_path);
	rc = export(path, index, strcmp(format, "json") == 0, out);
	if (out != stdout && fclose(out) != 0 && rc == CTR_EXIT_OK)
		rc = ctr_cli_fail("export", CTR_EXIT_FAILURE, "cannot write %s", out_path);
	return rc;
}
