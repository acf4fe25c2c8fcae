/*
 * export_rows.c - a query's rows as CSV or JSON (see export_rows.h): text
 * that is not UTF-8 and blobs made safe for both formats.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_json.h"
#include "cli/cli_text.h"
#include "cli/export_rows.h"
#include "engine/db.h"
#include "events/utf8.h"

/* Reusable text of a blob column, so rows cost no allocation once it has grown. */
struct base64_buffer {
	char *text;
	size_t size;
};

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

/* A column as ctr_cli_json_column() has it, but blobs in base64. */
static json_t *json_value(sqlite3_stmt *stmt, int i, struct base64_buffer *buf)
{
	const char *text;

	if (sqlite3_column_type(stmt, i) != SQLITE_BLOB)
		return ctr_cli_json_column(stmt, i);
	text = base64(buf, sqlite3_column_blob(stmt, i), (size_t)sqlite3_column_bytes(stmt, i));
	return text ? json_string(text) : NULL;
}

/*
 * One row as a JSON object on a line of its own; -1 when out of memory. A
 * write error is left for ctr_output_file_close() to find.
 */
static int write_json_row(sqlite3_stmt *stmt, FILE *out, int first, struct base64_buffer *buf)
{
	json_t *row = json_object();
	int rc = row ? 0 : -1;

	for (int i = 0; rc == 0 && i < sqlite3_column_count(stmt); i++)
		rc = json_object_set_new(row, sqlite3_column_name(stmt, i), json_value(stmt, i, buf));
	if (rc == 0) {
		fputs(first ? "\n" : ",\n", out);
		/* fails part-way only for memory (a write error is the stream's) */
		if (json_dumpf(row, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 && !ferror(out))
			rc = -1;
	}
	json_decref(row);
	return rc;
}

/* One row as a CSV record: NULL an empty field, blobs base64; -1 when out of memory. */
static int write_csv_row(sqlite3_stmt *stmt, FILE *out, struct base64_buffer *buf)
{
	for (int i = 0; i < sqlite3_column_count(stmt); i++) {
		int type = sqlite3_column_type(stmt, i);
		char *repaired = NULL;
		const char *text = type == SQLITE_BLOB
			? base64(buf, sqlite3_column_blob(stmt, i), (size_t)sqlite3_column_bytes(stmt, i))
			: (const char *)sqlite3_column_text(stmt, i);
		/* as in JSON, a byte that is not UTF-8 (a source's path, say) is U+FFFD */
		if (text && type == SQLITE_TEXT &&
		    !ctr_utf8_text((const uint8_t *)text, (size_t)sqlite3_column_bytes(stmt, i)))
			text = repaired = ctr_cli_utf8_repaired(text, (size_t)sqlite3_column_bytes(stmt, i));
		if (i)
			fputc(',', out);
		if (text == NULL && type != SQLITE_NULL)
			return -1;
		if (text)
			ctr_cli_csv_field(out, text);
		free(repaired);
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
int ctr_export_rows(sqlite3 *db, sqlite3_stmt *stmt, int json, FILE *out, struct ctr_error *err)
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
		return ctr_db_error(db, CTR_EDB, err); /* damaged: CTR_ECORRUPT, exit 3; else 4 */
	return 0;
}

